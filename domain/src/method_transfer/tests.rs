use super::*;

fn d(text: &str) -> Decimal {
    Decimal::parse(text).expect(text)
}

fn ds(texts: &[&str]) -> Vec<Decimal> {
    texts.iter().map(|t| d(t)).collect()
}

fn spec(low: &str, high: &str) -> Criterion {
    Criterion::WithinSpec { spec: Range::new(Some(d(low)), Some(d(high))) }
}

fn assay(criteria: Vec<Criterion>) -> AttributeCriteria {
    AttributeCriteria { attribute: "Assay".into(), unit: Unit::parse("%").expect("unit"), criteria }
}

#[test]
fn criteria_serialise_with_a_kind_tag() {
    let json = serde_json::to_value(Criterion::Rsd { max_percent: d("2.0") }).expect("json");
    assert_eq!(json, serde_json::json!({"kind": "rsd", "max_percent": "2.0"}));
    let back: Criterion =
        serde_json::from_str(r#"{"kind": "within_spec", "spec": {"low": "95.0", "high": "105.0"}}"#).expect("parses");
    assert_eq!(back, spec("95.0", "105.0"));
}

#[test]
fn validation_names_the_field() {
    let method = AnalyticalMethod {
        name: "SEC-HPLC".into(),
        attributes: vec![
            assay(vec![Criterion::Rsd { max_percent: d("2.0") }]),
            AttributeCriteria {
                attribute: " ".into(),
                unit: Unit::parse("%").expect("unit"),
                criteria: vec![
                    Criterion::AbsoluteMeanDifference { max: d("-1") },
                    Criterion::WithinSpec { spec: Range::default() },
                    spec("105", "95"),
                ],
            },
        ],
    };
    let fields: Vec<_> = method.problems().into_iter().filter_map(|p| p.field).collect();
    assert_eq!(
        fields,
        [
            "attributes[1].attribute",
            "attributes[1].criteria[0].max",
            "attributes[1].criteria[1].spec",
            "attributes[1].criteria[2].spec.low"
        ]
    );
    let empty = AnalyticalMethod { name: String::new(), attributes: vec![assay(vec![])] };
    let fields: Vec<_> = empty.problems().into_iter().filter_map(|p| p.field).collect();
    assert_eq!(fields, ["name", "attributes[0].criteria"]);
    assert!(validate_results("ru_results", &vec![Decimal::ZERO; MAX_RESULTS_PER_SITE + 1]).is_err());
    assert!(validate_results("ru_results", &ds(&["99.1", "99.5"])).is_ok());
}
