//! The units this crate knows: their symbols, their size relative to their dimension's base unit, and the spellings
//! that are read as them.
//!
//! Where a spelling could mean two units that a process sheet might both use (S is siemens, not seconds; mPa is
//! millipascal, not megapascal) only the exact case is read. A spelling not listed here ("C", "barg") is not
//! guessed at: it stays an unknown unit that matches only itself, so a doubtful unit raises a gap for a person.

use crate::units::Dimension;
use rust_decimal::Decimal as Raw;

/// Declares `KnownUnit` and its `ALL` from one list, so no unit can be left out of `ALL`.
macro_rules! known_units {
    ($($(#[$doc:meta])* $variant:ident,)*) => {
        /// A unit this crate can convert.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum KnownUnit { $($(#[$doc])* $variant,)* }

        impl KnownUnit {
            /// Every unit, grouped by dimension.
            pub const ALL: &'static [KnownUnit] = &[$(KnownUnit::$variant,)*];
        }
    };
}

known_units! {
    /// The degree Celsius, °C.
    Celsius,
    /// The kelvin, K.
    Kelvin,
    /// The degree Fahrenheit, °F.
    Fahrenheit,
    /// The cubic metre, m³.
    CubicMetre,
    /// The litre, L.
    Litre,
    /// The millilitre, mL.
    Millilitre,
    /// The microlitre, µL.
    Microlitre,
    /// The revolutions per minute, rpm.
    Rpm,
    /// The reciprocal minute, min⁻¹ (the same size as rpm).
    PerMinute,
    /// The bar.
    Bar,
    /// The millibar, mbar.
    Millibar,
    /// The pascal, Pa.
    Pascal,
    /// The kilopascal, kPa.
    Kilopascal,
    /// The megapascal, MPa.
    Megapascal,
    /// The pound-force per square inch, psi (1 psi = 6894.757293168 Pa here).
    Psi,
    /// The second, s.
    Second,
    /// The minute, min.
    Minute,
    /// The hour, h.
    Hour,
    /// The day, d.
    Day,
    /// The kilogram, kg.
    Kilogram,
    /// The gram, g.
    Gram,
    /// The milligram, mg.
    Milligram,
    /// The microgram, µg.
    Microgram,
    /// The litres per minute, L/min.
    LitrePerMinute,
    /// The millilitres per minute, mL/min.
    MillilitrePerMinute,
    /// The litres per hour, L/h.
    LitrePerHour,
    /// The millilitres per hour, mL/h.
    MillilitrePerHour,
    /// The percent, %.
    Percent,
    /// The grams per litre, g/L.
    GramPerLitre,
    /// The milligrams per millilitre, mg/mL (the same size as g/L).
    MilligramPerMillilitre,
    /// The milligrams per litre, mg/L.
    MilligramPerLitre,
    /// The micrograms per millilitre, µg/mL.
    MicrogramPerMillilitre,
    /// The pH unit.
    Ph,
    /// A pure number, written "-".
    Dimensionless,
    /// The metre, m.
    Metre,
    /// The centimetre, cm.
    Centimetre,
    /// The millimetre, mm.
    Millimetre,
    /// The micrometre, µm.
    Micrometre,
}

/// A unit's place in its dimension: base value = (value + offset) × numerator / denominator.
pub(crate) struct Definition {
    dimension: Dimension,
    symbol: &'static str,
    pub(crate) offset: Raw,
    pub(crate) numerator: Raw,
    pub(crate) denominator: Raw,
}

/// A unit that is a whole multiple of its base unit.
fn times(dimension: Dimension, symbol: &'static str, numerator: i64) -> Definition {
    Definition { dimension, symbol, offset: Raw::ZERO, numerator: Raw::from(numerator), denominator: Raw::ONE }
}

impl KnownUnit {
    /// The usual symbol, e.g. "°C" or "min⁻¹".
    pub fn symbol(self) -> &'static str {
        self.definition().symbol
    }

    /// What it measures.
    pub fn dimension(self) -> Dimension {
        self.definition().dimension
    }

    /// How it relates to its dimension's base unit: K, µL, rpm, Pa, s, µg, mL/h, %, mg/L, pH, 1 or µm. Each base is
    /// the smallest unit of its dimension, so every factor but °F's and psi's is a whole number.
    pub(crate) fn definition(self) -> Definition {
        use Dimension as D;
        use KnownUnit::*;
        match self {
            Celsius => Definition { offset: Raw::new(27315, 2), ..times(D::Temperature, "°C", 1) },
            Kelvin => times(D::Temperature, "K", 1),
            // °F = °C × 9/5 + 32, so K = (°F + 459.67) × 5/9.
            Fahrenheit => {
                Definition { offset: Raw::new(45967, 2), denominator: Raw::from(9), ..times(D::Temperature, "°F", 5) }
            }
            CubicMetre => times(D::Volume, "m³", 1_000_000_000),
            Litre => times(D::Volume, "L", 1_000_000),
            Millilitre => times(D::Volume, "mL", 1_000),
            Microlitre => times(D::Volume, "µL", 1),
            Rpm => times(D::RotationalSpeed, "rpm", 1),
            PerMinute => times(D::RotationalSpeed, "min⁻¹", 1),
            Bar => times(D::Pressure, "bar", 100_000),
            Millibar => times(D::Pressure, "mbar", 100),
            Pascal => times(D::Pressure, "Pa", 1),
            Kilopascal => times(D::Pressure, "kPa", 1_000),
            Megapascal => times(D::Pressure, "MPa", 1_000_000),
            // The international psi (0.45359237 kg × 9.80665 m/s² per (0.0254 m)²) is 6894.757293168361… Pa; this
            // crate defines 1 psi = 6894.757293168 Pa exactly, so psi → bar is exact and bar → psi divides and rounds.
            Psi => Definition { numerator: Raw::new(6_894_757_293_168, 9), ..times(D::Pressure, "psi", 1) },
            Second => times(D::Time, "s", 1),
            Minute => times(D::Time, "min", 60),
            Hour => times(D::Time, "h", 3_600),
            Day => times(D::Time, "d", 86_400),
            Kilogram => times(D::Mass, "kg", 1_000_000_000),
            Gram => times(D::Mass, "g", 1_000_000),
            Milligram => times(D::Mass, "mg", 1_000),
            Microgram => times(D::Mass, "µg", 1),
            LitrePerMinute => times(D::Flow, "L/min", 60_000),
            MillilitrePerMinute => times(D::Flow, "mL/min", 60),
            LitrePerHour => times(D::Flow, "L/h", 1_000),
            MillilitrePerHour => times(D::Flow, "mL/h", 1),
            Percent => times(D::Percent, "%", 1),
            GramPerLitre => times(D::Concentration, "g/L", 1_000),
            MilligramPerMillilitre => times(D::Concentration, "mg/mL", 1_000),
            MilligramPerLitre => times(D::Concentration, "mg/L", 1),
            MicrogramPerMillilitre => times(D::Concentration, "µg/mL", 1),
            Ph => times(D::Ph, "pH", 1),
            Dimensionless => times(D::Dimensionless, "-", 1),
            Metre => times(D::Length, "m", 1_000_000),
            Centimetre => times(D::Length, "cm", 10_000),
            Millimetre => times(D::Length, "mm", 1_000),
            Micrometre => times(D::Length, "µm", 1),
        }
    }

    /// The unit a spelling means, if any.
    pub(crate) fn recognise(written: &str) -> Option<KnownUnit> {
        let key = spelling_key(written);
        if let Some((_, unit)) = EXACT_CASE.iter().find(|(spelling, _)| *spelling == key) {
            return Some(*unit);
        }
        let lower = key.to_lowercase();
        ANY_CASE.iter().find(|(spelling, _)| *spelling == lower).map(|(_, unit)| *unit)
    }
}

/// Spellings whose case carries meaning: S is siemens, k a prefix, M molar, mPa millipascal.
const EXACT_CASE: &[(&str, KnownUnit)] = {
    use KnownUnit::*;
    &[
        ("K", Kelvin),
        ("s", Second),
        ("h", Hour),
        ("d", Day),
        ("g", Gram),
        ("m", Metre),
        ("MPa", Megapascal),
        ("Mpa", Megapascal),
        ("MPA", Megapascal),
    ]
};

/// Spellings read in any case (compared in lower case, spaces removed); none of them means a second unit in
/// another case that a process sheet would use.
const ANY_CASE: &[(&str, KnownUnit)] = {
    use KnownUnit::*;
    &[
        ("°c", Celsius),
        ("degc", Celsius),
        ("celsius", Celsius),
        ("degreescelsius", Celsius),
        ("kelvin", Kelvin),
        ("°f", Fahrenheit),
        ("degf", Fahrenheit),
        ("fahrenheit", Fahrenheit),
        ("degreesfahrenheit", Fahrenheit),
        ("m3", CubicMetre),
        ("m^3", CubicMetre),
        ("l", Litre),
        ("litre", Litre),
        ("liter", Litre),
        ("litres", Litre),
        ("liters", Litre),
        ("ml", Millilitre),
        ("µl", Microlitre),
        ("ul", Microlitre),
        ("rpm", Rpm),
        ("rev/min", Rpm),
        ("min-1", PerMinute),
        ("min^-1", PerMinute),
        ("1/min", PerMinute),
        ("bar", Bar),
        ("mbar", Millibar),
        ("pa", Pascal),
        ("kpa", Kilopascal),
        ("psi", Psi),
        ("sec", Second),
        ("secs", Second),
        ("second", Second),
        ("seconds", Second),
        ("min", Minute),
        ("mins", Minute),
        ("minute", Minute),
        ("minutes", Minute),
        ("hr", Hour),
        ("hrs", Hour),
        ("hour", Hour),
        ("hours", Hour),
        ("day", Day),
        ("days", Day),
        ("kg", Kilogram),
        ("mg", Milligram),
        ("µg", Microgram),
        ("ug", Microgram),
        ("l/min", LitrePerMinute),
        ("ml/min", MillilitrePerMinute),
        ("l/h", LitrePerHour),
        ("l/hr", LitrePerHour),
        ("ml/h", MillilitrePerHour),
        ("ml/hr", MillilitrePerHour),
        ("%", Percent),
        ("percent", Percent),
        ("g/l", GramPerLitre),
        ("mg/ml", MilligramPerMillilitre),
        ("mg/l", MilligramPerLitre),
        ("µg/ml", MicrogramPerMillilitre),
        ("ug/ml", MicrogramPerMillilitre),
        ("ph", Ph),
        ("-", Dimensionless),
        ("dimensionless", Dimensionless),
        ("unitless", Dimensionless),
        ("mm", Millimetre),
        ("cm", Centimetre),
        ("µm", Micrometre),
        ("um", Micrometre),
    ]
};

/// The written unit without spaces and with look-alike characters unified (Greek mu, ordinal º, superscripts).
fn spelling_key(written: &str) -> String {
    let mut key = String::with_capacity(written.len());
    for c in written.chars().filter(|c| !c.is_whitespace()) {
        match c {
            'μ' => key.push('µ'),
            'º' | '˚' => key.push('°'),
            '³' => key.push('3'),
            '⁻' | '−' => key.push('-'),
            '¹' => key.push('1'),
            '℃' => key.push_str("°C"),
            '℉' => key.push_str("°F"),
            other => key.push(other),
        }
    }
    key
}

#[cfg(test)]
mod tests;
