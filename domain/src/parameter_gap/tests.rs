use super::*;
use crate::parameter::Criticality;
use crate::units::Unit;
use proptest::prelude::*;

fn d(text: &str) -> Decimal {
    Decimal::parse(text).expect(text)
}

fn u(text: &str) -> Unit {
    Unit::parse(text).expect(text)
}

fn range(low: &str, high: &str) -> Range {
    let end = |text: &str| (!text.is_empty()).then(|| d(text));
    Range::new(end(low), end(high))
}

fn scale(value: &str, unit: &str) -> Option<EquipmentScale> {
    Some(EquipmentScale { value: d(value), unit: u(unit) })
}

fn su() -> SuParameter {
    SuParameter {
        unit_operation: "Production bioreactor".into(),
        parameter: "Temperature".into(),
        setpoint: Some(d("36.5")),
        nor: range("36.0", "37.0"),
        par: range("35.0", "38.0"),
        unit: u("°C"),
        criticality: Criticality::Cpp,
        quality_attributes: vec!["Glycan profile".into()],
        scale: scale("500", "L"),
    }
}

fn ru(setpoint: &str, low: &str, high: &str, unit: &str) -> RuProposal {
    RuProposal {
        unit_operation: "Production bioreactor".into(),
        parameter: "Temperature".into(),
        setpoint: (!setpoint.is_empty()).then(|| d(setpoint)),
        nor: range(low, high),
        par: Range::default(),
        unit: u(unit),
        scale: None,
    }
}

fn kinds(comparison: &Comparison) -> Vec<GapKind> {
    comparison.gaps.iter().map(|gap| gap.kind).collect()
}

#[test]
fn a_proposal_inside_the_par_has_no_gap() {
    assert_eq!(compare(Some(&su()), Some(&ru("36.5", "35.0", "38.0", "°C"))), Comparison::default());
    assert_eq!(compare(Some(&su()), Some(&ru("309.65", "308.15", "311.15", "K"))), Comparison::default());
    assert_eq!(compare(None, None), Comparison::default());
}

#[test]
fn a_setpoint_outside_the_par_is_named_in_both_units() {
    let comparison = compare(Some(&su()), Some(&ru("102.2", "", "", "°F")));
    assert_eq!(kinds(&comparison), [GapKind::SetpointOutsidePar]);
    assert_eq!(comparison.gaps[0].message, "The RU setpoint 102.2 °F (39 °C) is above the SU PAR 35.0–38.0 °C.");
    let below = compare(Some(&su()), Some(&ru("34.9", "", "", "°C")));
    assert_eq!(below.gaps[0].message, "The RU setpoint 34.9 °C is below the SU PAR 35.0–38.0 °C.");
}

#[test]
fn a_nor_reaching_outside_the_par_says_which_way() {
    let wide = compare(Some(&su()), Some(&ru("", "34.0", "39.0", "°C")));
    assert_eq!(wide.gaps[0].message, "The RU NOR 34.0–39.0 °C reaches below and above the SU PAR 35.0–38.0 °C.");
    let open = compare(Some(&su()), Some(&ru("", "36", "", "°C")));
    assert_eq!(open.gaps[0].message, "The RU NOR ≥ 36 °C reaches above the SU PAR 35.0–38.0 °C.");
    let converted = compare(Some(&su()), Some(&ru("", "95", "101", "°F")));
    assert_eq!(
        converted.gaps[0].message,
        "The RU NOR 95–101 °F (35–38.3333 °C) reaches above the SU PAR 35.0–38.0 °C."
    );
    assert!(compare(Some(&su()), Some(&ru("", "95", "100", "°F"))).gaps.is_empty());
}

#[test]
fn the_boundary_itself_is_inside() {
    let at_edges = compare(Some(&su()), Some(&ru("38", "35", "38.000", "°C")));
    assert!(at_edges.gaps.is_empty(), "{at_edges:?}");
    let kelvin = compare(Some(&su()), Some(&ru("311.15", "308.15", "311.15", "K")));
    assert!(kelvin.gaps.is_empty(), "{kelvin:?}");
}

#[test]
fn incompatible_units_compare_no_values() {
    let comparison = compare(Some(&su()), Some(&ru("500", "0", "1000", "rpm")));
    assert_eq!(kinds(&comparison), [GapKind::UnitIncompatible]);
    assert_eq!(comparison.gaps[0].message, "The RU unit rpm cannot be compared with the SU unit °C.");
}

#[test]
fn missing_sides_are_gaps_naming_the_parameter() {
    let missing_ru = compare(Some(&su()), None);
    assert_eq!(kinds(&missing_ru), [GapKind::MissingOnRu]);
    assert_eq!(
        missing_ru.gaps[0].message,
        "The RU has not proposed how to run “Temperature” in “Production bioreactor” (SU PAR 35.0–38.0 °C)."
    );
    let missing_su = compare(None, Some(&ru("1", "", "", "°C")));
    assert_eq!(kinds(&missing_su), [GapKind::MissingOnSu]);
}

#[test]
fn no_su_par_means_nothing_to_compare_against() {
    let no_par = SuParameter { par: Range::default(), nor: Range::default(), ..su() };
    assert!(compare(Some(&no_par), Some(&ru("100", "0", "200", "°C"))).gaps.is_empty());
}

#[test]
fn the_scale_ratio_is_information_in_converted_units() {
    let proposal = RuProposal { scale: scale("2", "m³"), ..ru("36.5", "", "", "°C") };
    let comparison = compare(Some(&su()), Some(&proposal));
    assert!(comparison.gaps.is_empty());
    let ratio = comparison.scale_ratio.expect("ratio");
    assert_eq!(ratio.ratio.to_string(), "4");
    assert_eq!(ratio.message, "The RU equipment is 4 × the SU scale (2 m³ against 500 L).");

    let third = RuProposal { scale: scale("3", "L"), ..proposal.clone() };
    let su_small = SuParameter { scale: scale("9", "L"), ..su() };
    let ratio = compare(Some(&su_small), Some(&third)).scale_ratio.expect("ratio");
    assert_eq!(ratio.ratio.to_string(), "0.3333");

    let in_kg = RuProposal { scale: scale("2000", "kg"), ..proposal };
    let comparison = compare(Some(&su()), Some(&in_kg));
    assert_eq!(kinds(&comparison), [GapKind::ScaleUnitIncompatible]);
    assert_eq!(comparison.scale_ratio, None);
}

#[test]
fn serialises_kinds_by_stored_name() {
    let comparison = compare(Some(&su()), None);
    let json = serde_json::to_value(&comparison).expect("serialises");
    assert_eq!(json["gaps"][0]["kind"], "missing_on_ru");
    assert_eq!(json["scale_ratio"], serde_json::Value::Null);
}

fn tenths() -> impl Strategy<Value = Decimal> {
    (-5000_i64..5000).prop_map(|m| Decimal::parse(&rust_decimal::Decimal::new(m, 1).to_string()).expect("small"))
}

proptest! {
    #[test]
    fn gaps_follow_the_par_in_any_temperature_unit(
        setpoint in tenths(),
        unit in proptest::sample::select(vec!["°C", "K", "°F"]),
    ) {
        let celsius = u("°C");
        let written = convert(setpoint, &celsius, &u(unit)).expect("temperatures convert");
        let proposal = ru(&written.to_string(), "", "", unit);
        let comparison = compare(Some(&su()), Some(&proposal));
        let expected = if su().par.contains(setpoint) { vec![] } else { vec![GapKind::SetpointOutsidePar] };
        prop_assert_eq!(kinds(&comparison), expected);
    }

    #[test]
    fn incompatible_units_always_give_exactly_one_unit_gap(
        unit in proptest::sample::select(vec!["bar", "rpm", "mL", "%", "pH", "-", "barg", "C"]),
        setpoint in tenths(),
    ) {
        let proposal = ru(&setpoint.to_string(), "", "", unit);
        prop_assert_eq!(kinds(&compare(Some(&su()), Some(&proposal))), [GapKind::UnitIncompatible]);
    }
}
