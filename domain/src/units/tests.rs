use super::*;
use crate::known_units::KnownUnit;
use proptest::prelude::*;

fn d(text: &str) -> Decimal {
    Decimal::parse(text).expect(text)
}

fn u(text: &str) -> Unit {
    Unit::parse(text).expect(text)
}

fn conv(value: &str, from: &str, to: &str) -> String {
    convert(d(value), &u(from), &u(to)).expect("converts").to_string()
}

#[test]
fn refuses_empty_long_and_control_text() {
    assert_eq!(Unit::parse("  "), Err(UnitError::Empty));
    assert_eq!(Unit::parse(&"x".repeat(MAX_UNIT_LEN + 1)), Err(UnitError::TooLong));
    assert!(Unit::parse(&"µ".repeat(MAX_UNIT_LEN)).is_ok());
    assert_eq!(Unit::parse("m\tL"), Err(UnitError::ControlCharacter));
    assert!(serde_json::from_str::<Unit>("\"\"").is_err());
    assert_eq!(serde_json::to_string(&u("°C")).expect("serialises"), "\"°C\"");
}

#[test]
fn temperatures_convert_exactly() {
    assert_eq!(conv("37", "°C", "K"), "310.15");
    assert_eq!(conv("0", "K", "°C"), "-273.15");
    assert_eq!(conv("98.6", "°F", "°C"), "37");
    assert_eq!(conv("-40", "°C", "°F"), "-40");
    assert_eq!(conv("37.0", "°C", "°F"), "98.6");
    assert_eq!(conv("100", "°F", "°C"), "37.777777777777777778");
    assert_eq!(conv("310.15", "K", "°F"), "98.6");
}

#[test]
fn other_dimensions_convert() {
    assert_eq!(conv("250", "mL", "L"), "0.25");
    assert_eq!(conv("2", "m³", "L"), "2000");
    assert_eq!(conv("1.5", "h", "min"), "90");
    assert_eq!(conv("1", "s", "min"), "0.01666666666666666667");
    assert_eq!(conv("1", "psi", "Pa"), "6894.757293168");
    assert_eq!(conv("1", "psi", "bar"), "0.06894757293168");
    assert_eq!(conv("1", "bar", "psi"), "14.503773773021681621");
    assert_eq!(conv("1013.25", "mbar", "kPa"), "101.325");
    assert_eq!(conv("0.5", "MPa", "bar"), "5");
    assert_eq!(conv("2.5", "kg", "g"), "2500");
    assert_eq!(conv("10", "µg", "mg"), "0.01");
    assert_eq!(conv("1", "L/min", "L/h"), "60");
    assert_eq!(conv("30", "mL/min", "L/h"), "1.8");
    assert_eq!(conv("5", "g/L", "mg/L"), "5000");
    assert_eq!(conv("12", "cm", "mm"), "120");
}

#[test]
fn same_sized_units_keep_the_written_places() {
    assert_eq!(conv("100.0", "rpm", "min⁻¹"), "100.0");
    assert_eq!(conv("7.20", "pH", "pH"), "7.20");
    assert_eq!(conv("1.50", "g/L", "mg/mL"), "1.50");
    assert_eq!(conv("1.50", "ml", "mL"), "1.50");
    assert_eq!(conv("3.0", "barg", "barg"), "3.0");
}

#[test]
fn incompatible_units_are_refused() {
    for (from, to) in [("°C", "bar"), ("%", "-"), ("pH", "-"), ("barg", "bar"), ("barg", "psig"), ("mL", "g")] {
        assert!(!compatible(&u(from), &u(to)), "{from} {to}");
        let error = convert(d("1"), &u(from), &u(to)).expect_err("incompatible");
        assert_eq!(error.to_string(), format!("{from} cannot be converted to {to}."));
    }
}

#[test]
fn too_large_results_are_refused() {
    let error = convert(d("99999999999999999999"), &u("m³"), &u("µL")).expect_err("too large");
    assert!(matches!(error, ConversionError::OutOfRange { .. }), "{error}");
    assert!(convert(d("100000000000"), &u("m³"), &u("µL")).is_err());
    assert!(convert(d("10000000000"), &u("m³"), &u("µL")).is_ok());
}

fn known() -> impl Strategy<Value = KnownUnit> {
    proptest::sample::select(KnownUnit::ALL)
}

/// Two units of one dimension, possibly the same.
fn same_dimension() -> impl Strategy<Value = (KnownUnit, KnownUnit)> {
    known().prop_flat_map(|a| {
        let alike: Vec<KnownUnit> = KnownUnit::ALL.iter().copied().filter(|b| b.dimension() == a.dimension()).collect();
        (Just(a), proptest::sample::select(alike))
    })
}

/// Values below 10¹⁰ with up to 6 places: 10¹⁰ m³ is 10¹⁹ µL, the largest that still fits the decimal limits.
fn value() -> impl Strategy<Value = Decimal> {
    (-9_999_999_999_999_999_i64..=9_999_999_999_999_999, 0..=6_u32).prop_map(|(mantissa, places)| {
        let mantissa = if places < 6 { mantissa % 10_i64.pow(10 + places) } else { mantissa };
        Decimal::parse(&rust_decimal::Decimal::new(mantissa, places).to_string()).expect("within limits")
    })
}

proptest! {
    #[test]
    fn round_trips_stay_within_tolerance(x in value(), (a, b) in same_dimension()) {
        let (a, b) = (Unit::of(a), Unit::of(b));
        let there = convert(x, &a, &b).expect("values this small fit every unit");
        let back = convert(there, &b, &a).expect("the way back fits too");
        let tolerance = rust_decimal::Decimal::new(1, 15) * x.raw().abs().max(rust_decimal::Decimal::ONE);
        prop_assert!((back.raw() - x.raw()).abs() <= tolerance, "{x} {a} → {there} {b} → {back} {a}");
    }

    #[test]
    fn units_of_different_dimensions_are_always_refused(x in value(), a in known(), b in known()) {
        prop_assume!(a.dimension() != b.dimension());
        prop_assert!(!compatible(&Unit::of(a), &Unit::of(b)));
        let refused = matches!(convert(x, &Unit::of(a), &Unit::of(b)), Err(ConversionError::Incompatible { .. }));
        prop_assert!(refused);
    }

    #[test]
    fn unknown_units_match_only_their_own_spelling(x in value(), a in "x[a-z]{0,2}[0-9]{1,2}", b in known()) {
        let unknown = u(&a);
        prop_assert_eq!(unknown.known(), None);
        prop_assert!(convert(x, &unknown, &unknown).expect("same unit").identical(x));
        prop_assert!(convert(x, &unknown, &Unit::of(b)).is_err());
        prop_assert!(convert(x, &Unit::of(b), &unknown).is_err());
    }

    #[test]
    fn any_text_is_read_without_panicking(text in "\\PC{0,40}") {
        if let Ok(unit) = Unit::parse(&text) {
            let _ = unit.known();
        }
    }
}
