use super::*;
use proptest::prelude::*;

const HEADER: &str =
    "unit_operation,parameter,setpoint,nor_low,nor_high,par_low,par_high,unit,criticality,quality_attributes";

fn d(text: &str) -> Decimal {
    Decimal::parse(text).expect(text)
}

fn located(problems: &[CsvProblem]) -> Vec<(u64, Option<&str>)> {
    problems.iter().map(|p| (p.line, p.column.as_deref())).collect()
}

#[test]
fn reads_a_well_formed_file() {
    let text = format!(
        "\u{feff}{}\r\nProduction bioreactor,Temperature,36.5,36.0,37.0,35.0,38.0,°C,CPP,Glycan profile; Charge variants\r\n\
         Production bioreactor,pH,7.00,6.90,7.10,,,-,non-CPP,\r\n",
        HEADER.to_uppercase()
    );
    let rows = parse(&text).expect("valid");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].setpoint.map(|v| v.to_string()).as_deref(), Some("36.5"));
    assert_eq!(rows[0].quality_attributes, ["Glycan profile", "Charge variants"]);
    assert_eq!(rows[0].criticality, Criticality::Cpp);
    assert_eq!(rows[1].nor, Range::new(Some(d("6.90")), Some(d("7.10"))));
    assert!(rows[1].par.is_empty() && rows[1].quality_attributes.is_empty());
    assert_eq!((rows[1].unit.as_str(), rows[1].criticality), ("-", Criticality::NonCpp));
    assert_eq!(parse(HEADER), Ok(vec![]));
}

#[test]
fn the_header_must_match_in_order() {
    let swapped = HEADER.replace("nor_low,nor_high", "nor_high,nor_low");
    let problems = parse(&format!("{swapped}\nA,B,1,,,,,L,CPP,\n")).expect_err("swapped");
    assert_eq!(located(&problems), [(1, None)]);
    assert!(problems[0].message.contains("in this order"), "{}", problems[0].message);
    assert!(problems[0].message.contains(HEADER));
    assert_eq!(located(&parse("").expect_err("empty")), [(1, None)]);
    assert_eq!(located(&parse("unit_operation,parameter\n").expect_err("short")), [(1, None)]);
}

#[test]
fn reports_every_problem_with_line_and_column() {
    let text = format!(
        "{HEADER}\n\
         Bioreactor,Temperature,abc,36,37,35,38,°C,CPP,\n\
         ,pH,7.2,7.3,7.1,,,pH,critical,\n\
         Bioreactor,DO,40,30,50,35,60,%,CPP,\n\
         Bioreactor,Pressure,1e3,,,,,,CPP,\n\
         too,few,cells\n"
    );
    let problems = parse(&text).expect_err("faulty");
    assert_eq!(
        located(&problems),
        [
            (2, Some("setpoint")),
            (3, Some("criticality")),
            (3, Some("unit_operation")),
            (3, Some("nor_low")),
            (4, Some("nor_low")),
            (5, Some("setpoint")),
            (5, Some("unit")),
            (6, None),
        ]
    );
    assert_eq!(problems[0].message, "“abc”: Enter a number such as 7.20 or -0.5.");
    assert_eq!(problems[4].message, "The NOR low limit 30 % is below the PAR low limit 35 %.");
    assert_eq!(problems[5].message, "“1e3”: Write the number without an exponent, e.g. 1000 instead of 1e3.");
}

#[test]
fn duplicates_are_found_regardless_of_case() {
    let text = format!(
        "{HEADER}\nBioreactor,Temperature,,,,,,°C,CPP,\nBioreactor,pH,,,,,,pH,CPP,\nbioreactor, TEMPERATURE ,,,,,,K,CPP,\n"
    );
    let problems = parse(&text).expect_err("duplicate");
    assert_eq!(located(&problems), [(4, Some("parameter"))]);
    assert_eq!(problems[0].message, "“TEMPERATURE” in “bioreactor” is already on line 2.");
}

#[test]
fn lines_count_physical_lines_across_quoted_breaks_and_blank_rows() {
    let text = format!("{HEADER}\n\"Seed\ntrain\",Temperature,,,,,,°C,CPP,\n\n,,,,,,,,,\nSeed,pH,x,,,,,pH,CPP,\n");
    let problems = parse(&text).expect_err("bad number");
    assert_eq!(located(&problems), [(2, Some("unit_operation")), (6, Some("setpoint"))]);
}

#[test]
fn more_rows_than_the_cap_are_refused() {
    let mut text = format!("{HEADER}\n");
    for i in 0..=MAX_ROWS {
        text.push_str(&format!("Op,P{i},,,,,,L,CPP,\n"));
    }
    let problems = parse(&text).expect_err("too many");
    assert_eq!(located(&problems), [(MAX_ROWS as u64 + 2, None)]);
}

#[test]
fn problems_are_capped_with_a_note() {
    let mut text = format!("{HEADER}\n");
    for _ in 0..MAX_PROBLEMS + 10 {
        text.push_str("Op,P,x,,,,,L,CPP,\n");
    }
    let problems = parse(&text).expect_err("many");
    assert!(problems.len() <= MAX_PROBLEMS + 2);
    assert!(problems.last().is_some_and(|p| p.message.starts_with("Stopped after")));
}

fn row(unit_operation: &str, parameter: &str, unit: &str) -> SuParameter {
    SuParameter {
        unit_operation: unit_operation.into(),
        parameter: parameter.into(),
        setpoint: Some(d("-0.5")),
        nor: Range::new(Some(d("-1.0")), Some(d("0"))),
        par: Range::new(Some(d("-2.00")), None),
        unit: Unit::parse(unit).expect("unit"),
        criticality: Criticality::NonCpp,
        quality_attributes: vec!["=cmd|' /C calc'!A0".into(), "Purity, by SEC".into()],
        scale: None,
    }
}

#[test]
fn export_neutralises_formulas_but_not_numbers() {
    let text = export(&[row("=HYPERLINK(\"x\")", "@SUM(A1)", "-"), row("'-x", "+1", "°C")]);
    let lines: Vec<_> = text.split("\r\n").collect();
    assert_eq!(lines[0], HEADER);
    assert_eq!(
        lines[1],
        "\"'=HYPERLINK(\"\"x\"\")\",'@SUM(A1),-0.5,-1.0,0,-2.00,,-,non-CPP,\"'=cmd|' /C calc'!A0;Purity, by SEC\""
    );
    assert!(lines[2].starts_with("''-x,'+1,-0.5,"), "{}", lines[2]);
    assert_eq!(lines[3], "");
    let back = parse(&text).expect("imports again");
    assert_eq!(back, [row("=HYPERLINK(\"x\")", "@SUM(A1)", "-"), row("'-x", "+1", "°C")]);
}

fn name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9µ°=+@'\"\\-, ;]{1,16}".prop_filter_map("a name is trimmed and not empty", |s| {
        let s = s.trim();
        (!s.is_empty()).then(|| s.to_owned())
    })
}

fn decimal() -> impl Strategy<Value = Decimal> {
    (-10_i64.pow(9)..10_i64.pow(9), 0..=6_u32).prop_map(|(m, p)| d(&rust_decimal::Decimal::new(m, p).to_string()))
}

fn parameter() -> impl Strategy<Value = SuParameter> {
    let unit = prop_oneof![
        proptest::sample::select(KnownUnit::ALL).prop_map(Unit::of),
        "[a-z'=@+-]{1,6}".prop_map(|u| Unit::parse(&u).expect("unit")),
    ];
    let attributes = proptest::collection::vec(name().prop_map(|a| a.replace(';', "").trim().to_owned()), 0..3)
        .prop_map(|list| list.into_iter().filter(|a| !a.is_empty()).collect::<Vec<_>>());
    let values = (proptest::collection::vec(decimal(), 5), proptest::collection::vec(any::<bool>(), 5));
    (name(), name(), values, unit, any::<bool>(), attributes).prop_map(|(op, p, (mut v, given), unit, cpp, qa)| {
        v.sort();
        let keep = |i: usize| given[i].then_some(v[i]);
        SuParameter {
            unit_operation: op,
            parameter: p,
            setpoint: keep(2),
            nor: Range::new(keep(1), keep(3)),
            par: Range::new(keep(0), keep(4)),
            unit,
            criticality: if cpp { Criticality::Cpp } else { Criticality::NonCpp },
            quality_attributes: qa,
            scale: None,
        }
    })
}

proptest! {
    #[test]
    fn export_then_parse_gives_the_same_rows(rows in proptest::collection::vec(parameter(), 0..12)) {
        let mut seen = std::collections::BTreeSet::new();
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|r| r.validate().is_ok() && seen.insert(parameter_key(&r.unit_operation, &r.parameter)))
            .collect();
        let back = parse(&export(&rows));
        prop_assert_eq!(&back, &Ok(rows.clone()));
        // Equality of decimals is numeric; the JSON form also shows that every written place came back.
        let json = |rows: &[SuParameter]| serde_json::to_string(rows).expect("json");
        prop_assert_eq!(json(&back.unwrap_or_default()), json(&rows));
    }

    #[test]
    fn any_text_is_parsed_without_panicking(text in "\\PC{0,300}") {
        let _ = parse(&text);
        let _ = parse(&format!("{HEADER}\n{text}"));
    }
}
