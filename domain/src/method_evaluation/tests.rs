use super::*;
use proptest::prelude::*;

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

const SU: [&str; 3] = ["99.8", "100.2", "100.0"];
const RU: [&str; 3] = ["99.1", "99.5", "99.6"];

#[test]
fn summaries_match_the_hand_computation() {
    let evaluation = evaluate(&assay(vec![]), &ds(&SU), &ds(&RU));
    // SU: mean 100.0, SD 0.2, RSD 0.2 %, shown to one place more than the results.
    assert_eq!(evaluation.su.count, 3);
    assert_eq!(evaluation.su.mean.map(|m| m.to_string()).as_deref(), Some("100.00"));
    assert_eq!(evaluation.su.sd.map(|m| m.to_string()).as_deref(), Some("0.20"));
    assert_eq!(evaluation.su.rsd_percent.map(|m| m.to_string()).as_deref(), Some("0.20"));
    // RU: mean 99.4; SD √0.07 = 0.2646; RSD 0.2646 ÷ 99.4 = 0.266 %.
    assert_eq!(evaluation.ru.mean.map(|m| m.to_string()).as_deref(), Some("99.40"));
    assert_eq!(evaluation.ru.sd.map(|m| m.to_string()).as_deref(), Some("0.26"));
    assert_eq!(evaluation.ru.rsd_percent.map(|m| m.to_string()).as_deref(), Some("0.27"));
    assert_eq!(evaluation.verdict, Verdict::Inconclusive, "no criteria decide nothing");
}

#[test]
fn a_transfer_meeting_every_criterion_passes() {
    let criteria = assay(vec![
        Criterion::AbsoluteMeanDifference { max: d("2.0") },
        Criterion::RelativeMeanDifference { max_percent: d("2.0") },
        Criterion::Rsd { max_percent: d("2.0") },
        spec("95.0", "105.0"),
    ]);
    let evaluation = evaluate(&criteria, &ds(&SU), &ds(&RU));
    assert_eq!(evaluation.verdict, Verdict::Pass);
    let values: Vec<_> = evaluation.results.iter().map(|r| (r.site, r.value.map(|v| v.to_string()))).collect();
    assert_eq!(
        values,
        [
            (None, Some("0.6".into())),
            (None, Some("0.6".into())),
            (Some(Site::Su), Some("0.2".into())),
            (Some(Site::Ru), Some("0.3".into())),
            (Some(Site::Su), None),
            (Some(Site::Ru), None),
        ]
    );
    assert_eq!(evaluation.results[0].message, "The means differ by 0.6 % (SU 100.00 %, RU 99.40 %), within 2.0 %.");
    assert_eq!(evaluation.results[3].message, "The RU RSD is 0.3 %, within 2.0 %.");
    assert_eq!(evaluation.results[5].message, "All 3 RU results lie within 95.0–105.0 %.");
}

#[test]
fn values_are_rounded_to_the_places_of_their_limit() {
    let evaluation = evaluate(
        &assay(vec![Criterion::Rsd { max_percent: d("0.27") }, Criterion::Rsd { max_percent: d("0.2") }]),
        &ds(&SU),
        &ds(&RU),
    );
    let ru: Vec<_> = evaluation.results.iter().filter(|r| r.site == Some(Site::Ru)).collect();
    // 0.2662 % rounds to 0.27 (≤ 0.27, pass) and to 0.3 (> 0.2, fail).
    assert_eq!((ru[0].outcome, ru[0].value), (Outcome::Pass, Some(d("0.27"))));
    assert_eq!((ru[1].outcome, ru[1].value), (Outcome::Fail, Some(d("0.3"))));
    assert_eq!(evaluation.verdict, Verdict::Fail);
    // A result of 99.46 against a low limit of 99.5 rounds to 99.5 and is inside; 99.44 is not.
    let boundary = evaluate(&assay(vec![spec("99.5", "100.5")]), &ds(&["99.46"]), &ds(&["99.44"]));
    let outcomes: Vec<_> = boundary.results.iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, [Outcome::Pass, Outcome::Fail]);
    assert_eq!(boundary.results[1].message, "1 of 1 RU results lie outside 99.5–100.5 %: 99.44.");
}

#[test]
fn failures_name_the_values() {
    let criteria = assay(vec![
        Criterion::AbsoluteMeanDifference { max: d("0.5") },
        Criterion::RelativeMeanDifference { max_percent: d("0.5") },
    ]);
    let evaluation = evaluate(&criteria, &ds(&SU), &ds(&RU));
    assert_eq!(evaluation.results[0].message, "The means differ by 0.6 % (SU 100.00 %, RU 99.40 %), more than 0.5 %.");
    assert!(evaluation.results.iter().all(|r| r.outcome == Outcome::Fail));
    assert_eq!(evaluation.verdict, Verdict::Fail);
}

#[test]
fn too_few_results_are_not_a_pass() {
    let criteria =
        assay(vec![Criterion::Rsd { max_percent: d("2.0") }, Criterion::AbsoluteMeanDifference { max: d("1") }]);
    let evaluation = evaluate(&criteria, &ds(&SU), &ds(&["99.5"]));
    let outcomes: Vec<_> = evaluation.results.iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, [Outcome::Pass, Outcome::NotEnoughResults, Outcome::Pass]);
    assert_eq!(evaluation.results[1].message, "The RU has 1 result; an RSD needs at least 2.");
    assert_eq!(evaluation.verdict, Verdict::Inconclusive);

    let none = evaluate(&criteria, &[], &ds(&["99.5"]));
    assert_eq!(none.results[2].message, "The SU has no results; the mean difference needs at least 1 result per site.");
    assert_eq!(none.su.mean, None);
    let spec_only = evaluate(&assay(vec![spec("95", "105")]), &ds(&SU), &[]);
    assert_eq!(spec_only.results[1].outcome, Outcome::NotEnoughResults);
}

#[test]
fn a_zero_reference_mean_is_not_computable() {
    let criteria =
        assay(vec![Criterion::RelativeMeanDifference { max_percent: d("5") }, Criterion::Rsd { max_percent: d("5") }]);
    let evaluation = evaluate(&criteria, &ds(&["-1", "1"]), &ds(&["10.0", "10.1"]));
    let outcomes: Vec<_> = evaluation.results.iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, [Outcome::NotComputable, Outcome::NotComputable, Outcome::Pass]);
    assert_eq!(evaluation.results[1].message, "The SU mean is 0, so its RSD is undefined.");
    assert_eq!(evaluation.verdict, Verdict::Inconclusive);
}

fn results() -> impl Strategy<Value = Vec<Decimal>> {
    proptest::collection::vec(
        (-10_i64.pow(12)..10_i64.pow(12), 0..=4_u32)
            .prop_map(|(m, p)| d(&rust_decimal::Decimal::new(m, p).to_string())),
        0..8,
    )
}

fn criterion() -> impl Strategy<Value = Criterion> {
    let limit = (0_i64..10_000, 0..=3_u32).prop_map(|(m, p)| d(&rust_decimal::Decimal::new(m, p).to_string()));
    prop_oneof![
        limit.clone().prop_map(|max| Criterion::AbsoluteMeanDifference { max }),
        limit.clone().prop_map(|max_percent| Criterion::RelativeMeanDifference { max_percent }),
        limit.clone().prop_map(|max_percent| Criterion::Rsd { max_percent }),
        (limit.clone(), limit)
            .prop_map(|(a, b)| Criterion::WithinSpec { spec: Range::new(Some(a.min(b)), Some(a.max(b))) }),
    ]
}

proptest! {
    #[test]
    fn the_verdict_follows_the_outcomes(
        criteria in proptest::collection::vec(criterion(), 0..6),
        su in results(),
        ru in results(),
    ) {
        let evaluation = evaluate(&assay(criteria), &su, &ru);
        let outcomes: Vec<_> = evaluation.results.iter().map(|r| r.outcome).collect();
        let expected = if outcomes.contains(&Outcome::Fail) {
            Verdict::Fail
        } else if !outcomes.is_empty() && outcomes.iter().all(|o| *o == Outcome::Pass) {
            Verdict::Pass
        } else {
            Verdict::Inconclusive
        };
        prop_assert_eq!(evaluation.verdict, expected);
        for result in &evaluation.results {
            prop_assert!(!result.message.is_empty());
            if let (Some(value), Outcome::Pass) = (result.value, result.outcome) {
                prop_assert!(value >= Decimal::ZERO);
            }
        }
    }

    #[test]
    fn identical_sites_never_differ(su in results(), places in 0..=3_u32) {
        prop_assume!(!su.is_empty());
        let zero = Decimal::ZERO.round_dp(places);
        let criteria = assay(vec![Criterion::AbsoluteMeanDifference { max: zero }]);
        let evaluation = evaluate(&criteria, &su, &su);
        prop_assert_eq!(evaluation.verdict, Verdict::Pass);
    }
}
