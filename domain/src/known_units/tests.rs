use super::*;
use crate::units::Unit;

fn u(text: &str) -> Unit {
    Unit::parse(text).expect(text)
}

#[test]
fn reads_common_spellings_and_keeps_them() {
    use KnownUnit::*;
    for (written, known) in [
        ("°C", Celsius),
        ("degC", Celsius),
        ("deg C", Celsius),
        ("ºC", Celsius),
        ("℃", Celsius),
        ("K", Kelvin),
        ("°F", Fahrenheit),
        ("mL", Millilitre),
        ("ml", Millilitre),
        ("ML", Millilitre),
        ("μL", Microlitre),
        ("uL", Microlitre),
        ("L", Litre),
        ("l", Litre),
        ("m³", CubicMetre),
        ("m3", CubicMetre),
        ("rpm", Rpm),
        ("RPM", Rpm),
        ("min⁻¹", PerMinute),
        ("min-1", PerMinute),
        ("1/min", PerMinute),
        ("MPa", Megapascal),
        ("kPa", Kilopascal),
        ("KPA", Kilopascal),
        ("psi", Psi),
        ("s", Second),
        ("sec", Second),
        ("h", Hour),
        ("Hours", Hour),
        ("L / min", LitrePerMinute),
        ("mg/mL", MilligramPerMillilitre),
        ("g/L", GramPerLitre),
        ("pH", Ph),
        ("-", Dimensionless),
        ("%", Percent),
        ("mm", Millimetre),
    ] {
        let unit = u(written);
        assert_eq!(unit.known(), Some(known), "{written}");
        assert_eq!(unit.as_str(), written.trim());
    }
    assert_eq!(u("  mL ").to_string(), "mL");
}

#[test]
fn doubtful_spellings_stay_unknown() {
    // C is coulomb, F farad, S siemens, mPa millipascal, k a prefix, M molar: a guess could convert wrongly.
    for written in ["C", "F", "S", "mPa", "k", "M", "barg", "mS/cm", "cells/mL", "G"] {
        assert_eq!(u(written).known(), None, "{written}");
    }
}

#[test]
fn every_symbol_reads_back_as_its_unit() {
    for unit in KnownUnit::ALL {
        assert_eq!(Unit::of(*unit).known(), Some(*unit), "{}", unit.symbol());
    }
}
