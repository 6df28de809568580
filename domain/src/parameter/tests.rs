use super::*;
use proptest::prelude::*;

fn d(text: &str) -> Decimal {
    Decimal::parse(text).expect(text)
}

fn range(low: &str, high: &str) -> Range {
    let end = |text: &str| (!text.is_empty()).then(|| d(text));
    Range::new(end(low), end(high))
}

fn temperature() -> SuParameter {
    SuParameter {
        unit_operation: "Production bioreactor".into(),
        parameter: "Temperature".into(),
        setpoint: Some(d("36.5")),
        nor: range("36.0", "37.0"),
        par: range("35.0", "38.0"),
        unit: Unit::parse("°C").expect("unit"),
        criticality: Criticality::Cpp,
        quality_attributes: vec!["Glycan profile".into(), "Charge variants".into()],
        scale: Some(EquipmentScale { value: d("2000"), unit: Unit::parse("L").expect("unit") }),
    }
}

fn proposal() -> RuProposal {
    RuProposal {
        unit_operation: "production bioreactor".into(),
        parameter: "TEMPERATURE".into(),
        setpoint: Some(d("36.5")),
        nor: range("36.0", "37.0"),
        par: Range::default(),
        unit: Unit::parse("°C").expect("unit"),
        scale: None,
    }
}

fn fields(problems: &[ApiError]) -> Vec<&str> {
    problems.iter().filter_map(|p| p.field.as_deref()).collect()
}

#[test]
fn a_consistent_parameter_passes() {
    assert_eq!(temperature().validate(), Ok(()));
    assert_eq!(proposal().validate(), Ok(()));
    let bare = SuParameter { setpoint: None, nor: Range::default(), par: Range::default(), ..temperature() };
    assert_eq!(bare.validate(), Ok(()));
}

#[test]
fn names_must_be_given_and_bounded() {
    let parameter = SuParameter {
        unit_operation: "  ".into(),
        parameter: "x".repeat(MAX_NAME_LEN + 1),
        quality_attributes: vec!["".into(), "pH; osmolality".into(), "Line\nbreak".into()],
        ..temperature()
    };
    let problems = parameter.problems();
    assert_eq!(
        fields(&problems),
        ["unit_operation", "parameter", "quality_attributes[0]", "quality_attributes[1]", "quality_attributes[2]"]
    );
    assert_eq!(problems[0].message, "Name the unit operation.");
    let many = SuParameter { quality_attributes: vec!["Purity".into(); MAX_QUALITY_ATTRIBUTES + 1], ..temperature() };
    assert_eq!(fields(&many.problems()), ["quality_attributes"]);
}

#[test]
fn setpoint_must_lie_in_nor_and_nor_in_par() {
    let outside = SuParameter { setpoint: Some(d("37.5")), ..temperature() };
    let problem = outside.validate().expect_err("outside NOR");
    assert_eq!(problem.field.as_deref(), Some("setpoint"));
    assert_eq!(problem.message, "The setpoint 37.5 °C is outside the NOR 36.0–37.0 °C.");

    let wide = SuParameter { nor: range("34.5", "38.5"), ..temperature() };
    let problems = wide.problems();
    assert_eq!(fields(&problems), ["nor.low", "nor.high"]);
    assert_eq!(problems[0].message, "The NOR low limit 34.5 °C is below the PAR low limit 35.0 °C.");

    let open = SuParameter { nor: range("36.0", ""), ..temperature() };
    assert_eq!(open.validate().expect_err("open").message, "Give the NOR a high limit: the PAR ends at 38.0 °C.");

    let no_nor = SuParameter { setpoint: Some(d("39")), nor: Range::default(), ..temperature() };
    assert_eq!(
        no_nor.validate().expect_err("outside PAR").message,
        "The setpoint 39 °C is outside the PAR 35.0–38.0 °C."
    );
}

#[test]
fn reversed_ranges_are_reported_once() {
    let reversed = RuProposal { nor: range("37.0", "36.0"), ..proposal() };
    let problems = reversed.problems();
    assert_eq!(fields(&problems), ["nor.low"]);
    assert_eq!(problems[0].message, "The NOR low limit 37.0 °C is above its high limit 36.0 °C.");
}

#[test]
fn equipment_scale_must_be_positive() {
    let zero =
        RuProposal { scale: Some(EquipmentScale { value: d("0"), unit: Unit::parse("L").expect("L") }), ..proposal() };
    assert_eq!(fields(&zero.problems()), ["scale.value"]);
}

#[test]
fn serialises_decimals_as_strings_and_ranges_as_objects() {
    let json = serde_json::to_value(temperature()).expect("serialises");
    assert_eq!(json["setpoint"], "36.5");
    assert_eq!(json["nor"], serde_json::json!({"low": "36.0", "high": "37.0"}));
    assert_eq!(json["unit"], "°C");
    assert_eq!(json["criticality"], "cpp");
    let minimal: RuProposal =
        serde_json::from_str(r#"{"unit_operation": "Harvest", "parameter": "Hold time", "unit": "h"}"#)
            .expect("parses");
    assert!(minimal.nor.is_empty() && minimal.setpoint.is_none() && minimal.scale.is_none());
}

#[test]
fn pairs_by_name_regardless_of_case_and_spacing() {
    let pressure = SuParameter { parameter: "Back  pressure".into(), ..temperature() };
    let su = [temperature(), pressure];
    let extra = RuProposal { parameter: "Agitation".into(), ..proposal() };
    let ru = [extra.clone(), RuProposal { parameter: "back pressure".into(), ..proposal() }, proposal()];
    let pairs = pair(&su, &ru);
    let names: Vec<_> =
        pairs.iter().map(|(su, ru)| (su.map(|p| p.parameter.as_str()), ru.map(|p| p.parameter.as_str()))).collect();
    assert_eq!(
        names,
        [
            (Some("Temperature"), Some("TEMPERATURE")),
            (Some("Back  pressure"), Some("back pressure")),
            (None, Some("Agitation"))
        ]
    );
    assert_eq!(pair(&su[..1], &[]), [(Some(&su[0]), None)]);
}

proptest! {
    #[test]
    fn nested_values_are_valid_and_a_setpoint_outside_is_named(
        mut values in proptest::collection::vec(-100_000_i64..100_000, 5),
        places in 0..=3_u32,
    ) {
        values.sort_unstable();
        let v: Vec<Decimal> = values
            .iter()
            .map(|m| Decimal::parse(&rust_decimal::Decimal::new(*m, places).to_string()).expect("small"))
            .collect();
        let parameter = SuParameter {
            setpoint: Some(v[2]),
            nor: Range::new(Some(v[1]), Some(v[3])),
            par: Range::new(Some(v[0]), Some(v[4])),
            ..temperature()
        };
        prop_assert_eq!(parameter.validate(), Ok(()));
        if v[4] > v[3] {
            let outside = SuParameter { setpoint: Some(v[4]), ..parameter.clone() };
            let problems = outside.problems();
            prop_assert_eq!(fields(&problems), ["setpoint"]);
        }
    }

    #[test]
    fn any_ranges_are_checked_without_panicking(
        ends in proptest::collection::vec(proptest::option::of(-1000_i64..1000), 5)
    ) {
        let at = |i: usize| ends[i].map(Decimal::from);
        let parameter = SuParameter {
            setpoint: at(0),
            nor: Range::new(at(1), at(2)),
            par: Range::new(at(3), at(4)),
            ..temperature()
        };
        for problem in parameter.problems() {
            prop_assert!(problem.field.is_some() && !problem.message.is_empty());
        }
    }
}
