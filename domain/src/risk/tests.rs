use super::*;
use proptest::prelude::*;

fn ratings(s: u8, o: u8, d: u8) -> Ratings {
    let r = |v| Rating::new(v).expect("1 to 10");
    Ratings { severity: r(s), occurrence: r(o), detection: r(d) }
}

fn row(name: &str, s: u8, o: u8, d: u8) -> FailureMode {
    FailureMode {
        step: "Media preparation".into(),
        failure_mode: name.into(),
        effect: "Reduced titre".into(),
        cause: String::new(),
        controls: String::new(),
        ratings: ratings(s, o, d),
        mitigation: String::new(),
        residual: None,
    }
}

#[test]
fn ratings_are_one_to_ten() {
    assert_eq!(Rating::new(0), None);
    assert_eq!(Rating::new(11), None);
    assert_eq!(Rating::new(10).map(Rating::get), Some(10));
    assert_eq!(Rating::try_from(12), Err(RatingOutOfRange(12)));
    let error = serde_json::from_str::<Ratings>(r#"{"severity": 0, "occurrence": 1, "detection": 1}"#)
        .expect_err("zero")
        .to_string();
    assert!(error.contains("Rate from 1 (best) to 10 (worst), not 0."), "{error}");
    assert_eq!(
        serde_json::to_value(ratings(8, 3, 2)).expect("json"),
        serde_json::json!({"severity": 8, "occurrence": 3, "detection": 2})
    );
}

#[test]
fn rpn_is_the_product() {
    assert_eq!(ratings(8, 3, 2).rpn(), 48);
    assert_eq!(ratings(10, 10, 10).rpn(), 1000);
    assert_eq!(ratings(1, 1, 1).rpn(), 1);
}

#[test]
fn bands_follow_the_documented_thresholds() {
    assert_eq!(ratings(5, 5, 8).level(), RiskLevel::High); // 200
    assert_eq!(ratings(3, 6, 10).level(), RiskLevel::Medium); // 180
    assert_eq!(ratings(4, 7, 7).level(), RiskLevel::Medium); // 196
    assert_eq!(ratings(9, 1, 1).level(), RiskLevel::High); // severity alone
    assert_eq!(ratings(8, 2, 5).level(), RiskLevel::Medium); // 80
    assert_eq!(ratings(8, 2, 4).level(), RiskLevel::Low); // 64
    assert_eq!(ratings(1, 1, 1).level(), RiskLevel::Low);
}

#[test]
fn residual_ratings_need_a_mitigation() {
    let mut mode = row("Wrong pH", 8, 5, 6);
    mode.residual = Some(ratings(8, 2, 3));
    let error = mode.validate().expect_err("no mitigation");
    assert_eq!(error.field.as_deref(), Some("mitigation"));
    mode.mitigation = "Second-person verification of pH before use.".into();
    assert_eq!(mode.validate(), Ok(()));
    assert_eq!((mode.rpn(), mode.level()), (240, RiskLevel::High));
    assert_eq!((mode.residual_rpn(), mode.residual_level()), (Some(48), Some(RiskLevel::Low)));
    assert_eq!(row("x", 1, 1, 1).residual_rpn(), None);
}

#[test]
fn texts_are_named_and_bounded() {
    let mut mode = row(" ", 5, 5, 5);
    mode.effect = String::new();
    mode.cause = "x".repeat(MAX_TEXT_LEN + 1);
    let fields: Vec<_> = mode.problems().into_iter().filter_map(|p| p.field).collect();
    assert_eq!(fields, ["failure_mode", "effect", "cause"]);
}

#[test]
fn sorts_by_rpn_then_severity_keeping_ties_in_place() {
    let mut rows =
        vec![row("a", 2, 5, 10), row("b", 10, 2, 5), row("c", 5, 5, 4), row("d", 2, 10, 5), row("e", 9, 1, 1)];
    sort_by_risk(&mut rows);
    let names: Vec<_> = rows.iter().map(|r| r.failure_mode.as_str()).collect();
    // a, b, c and d all have RPN 100: severity decides, and a stays before d.
    assert_eq!(names, ["b", "c", "a", "d", "e"]);
}

fn rating() -> impl Strategy<Value = u8> {
    1..=10_u8
}

proptest! {
    #[test]
    fn a_worse_rating_never_lowers_the_band(s in rating(), o in rating(), d in rating(), which in 0..3_usize) {
        let before = ratings(s, o, d);
        let mut worse = [s, o, d];
        worse[which] = (worse[which] + 1).min(10);
        let after = ratings(worse[0], worse[1], worse[2]);
        prop_assert!(after.rpn() >= before.rpn());
        // High sorts first in RiskLevel's declaration order.
        prop_assert!(after.level() <= before.level());
    }

    #[test]
    fn sorted_tables_are_in_risk_order(
        triples in proptest::collection::vec((rating(), rating(), rating()), 0..30)
    ) {
        let mut rows: Vec<_> = triples.iter().map(|(s, o, d)| row("x", *s, *o, *d)).collect();
        sort_by_risk(&mut rows);
        for pair in rows.windows(2) {
            prop_assert!(risk_order(&pair[0], &pair[1]) != Ordering::Greater);
        }
    }

    #[test]
    fn any_number_is_a_rating_or_refused(value in any::<u8>()) {
        prop_assert_eq!(Rating::new(value).is_some(), (1..=10).contains(&value));
    }
}
