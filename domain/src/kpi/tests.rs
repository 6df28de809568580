use super::*;
use proptest::prelude::*;
use uuid::Uuid;

fn month(text: &str) -> Month {
    text.parse().expect("a month")
}

fn period(text: &str) -> Period {
    text.parse().expect("a period")
}

fn histogram(pairs: &[(u32, u32)]) -> DayHistogram {
    pairs.iter().copied().collect()
}

/// Forty batches, hand-counted; the expected KPIs are worked out beside each assertion.
fn fixture() -> KpiFacts {
    KpiFacts {
        dispositioned: 40,
        rejected: 1,
        dispositioned_without_deviation: 37,
        batches_completed: 42,
        deviations_opened: 5,
        deviations_closed: 7,
        deviations_closed_in_time: 6,
        // Sorted: 3, 10, 10, 21, 21, 21, 60; the fourth of seven is 21.
        close_days: histogram(&[(3, 1), (10, 2), (21, 3), (60, 1)]),
        capas_due: 10,
        capas_closed_on_time: 9,
        deliveries: 20,
        deliveries_on_time_in_full: 19,
        yield_batches: 4,
        yield_sum: 0.95 + 0.97 + 0.96 + 0.96,
        stages_closed: 6,
        stages_closed_on_time: 5,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Kinds

#[test]
fn kinds_have_the_documented_wire_names_labels_directions_and_units() {
    let names: Vec<&str> = KpiKind::ALL.iter().map(|kind| kind.as_str()).collect();
    assert_eq!(
        names,
        [
            "right_first_time",
            "lot_acceptance",
            "deviations_per_batch",
            "median_days_to_close",
            "deviations_closed_in_time",
            "capa_on_time",
            "on_time_in_full",
            "mean_yield",
            "schedule_adherence",
        ]
    );
    for &kind in KpiKind::ALL {
        assert_eq!(serde_json::to_value(kind).expect("json"), serde_json::json!(kind.as_str()));
        assert_eq!(kind.as_str().parse::<KpiKind>(), Ok(kind));
    }
    assert_eq!(KpiKind::RightFirstTime.label(), "Right first time");
    let lower: Vec<KpiKind> =
        KpiKind::ALL.iter().copied().filter(|kind| kind.direction() == Direction::LowerIsBetter).collect();
    assert_eq!(lower, [KpiKind::DeviationsPerBatch, KpiKind::MedianDaysToClose]);
    assert_eq!(KpiKind::DeviationsPerBatch.unit(), KpiUnit::PerBatch);
    assert_eq!(KpiKind::MedianDaysToClose.unit(), KpiUnit::Days);
    assert_eq!(KpiKind::MeanYield.unit(), KpiUnit::Percent);
    assert_eq!(KpiKind::OnTimeInFull.unit(), KpiUnit::Percent);
}

// ---------------------------------------------------------------------------------------------------------------
// Formulas

#[test]
fn every_formula_matches_the_hand_computed_value() {
    let f = fixture();
    assert_eq!(value(KpiKind::RightFirstTime, &f), Some(0.925)); // 37 / 40
    assert_eq!(value(KpiKind::LotAcceptance, &f), Some(0.975)); // 1 − 1 / 40
    assert_eq!(value(KpiKind::DeviationsPerBatch, &f), Some(5.0 / 42.0));
    assert_eq!(value(KpiKind::MedianDaysToClose, &f), Some(21.0));
    assert_eq!(value(KpiKind::DeviationsClosedInTime, &f), Some(6.0 / 7.0));
    assert_eq!(value(KpiKind::CapaOnTime, &f), Some(0.9)); // 9 / 10
    assert_eq!(value(KpiKind::OnTimeInFull, &f), Some(0.95)); // 19 / 20
    assert!((value(KpiKind::MeanYield, &f).expect("four batches") - 0.96).abs() < 1e-12);
    assert_eq!(value(KpiKind::ScheduleAdherence, &f), Some(5.0 / 6.0));
}

#[test]
fn the_formulas_display_as_people_read_them() {
    let f = fixture();
    let shown: Vec<String> = KpiKind::ALL.iter().map(|&kind| format_value(kind, value(kind, &f))).collect();
    assert_eq!(shown, ["92.5 %", "97.5 %", "0.12", "21.0 days", "85.7 %", "90.0 %", "95.0 %", "96.0 %", "83.3 %"]);
}

#[test]
fn lot_acceptance_at_a_target_is_exactly_the_target() {
    // 49 of 50 must reach a target of 0.98 exactly, not fall a rounding error short of it.
    let f = KpiFacts { dispositioned: 50, rejected: 1, ..KpiFacts::default() };
    assert_eq!(value(KpiKind::LotAcceptance, &f), Some(0.98));
    let all_rejected = KpiFacts { dispositioned: 3, rejected: 3, ..KpiFacts::default() };
    assert_eq!(value(KpiKind::LotAcceptance, &all_rejected), Some(0.0));
}

#[test]
fn nothing_to_count_is_no_data_not_zero() {
    let empty = KpiFacts::default();
    for &kind in KpiKind::ALL {
        assert_eq!(value(kind, &empty), None, "{kind:?}");
        assert_eq!(format_value(kind, value(kind, &empty)), "no data");
    }
    // A numerator without its denominator is still no data: deviations with no completed batch.
    let f = KpiFacts { deviations_opened: 3, rejected: 0, ..KpiFacts::default() };
    assert_eq!(value(KpiKind::DeviationsPerBatch, &f), None);
    // And a zero numerator over a real denominator is a real zero.
    let f = KpiFacts { deliveries: 4, ..KpiFacts::default() };
    assert_eq!(value(KpiKind::OnTimeInFull, &f), Some(0.0));
    assert_eq!(format_value(KpiKind::OnTimeInFull, Some(0.0)), "0.0 %");
}

#[test]
fn a_non_finite_yield_is_no_data_not_nan() {
    let f = KpiFacts { yield_batches: 2, yield_sum: f64::NAN, ..KpiFacts::default() };
    assert_eq!(value(KpiKind::MeanYield, &f), None);
    let f = KpiFacts { yield_batches: 2, yield_sum: f64::INFINITY, ..KpiFacts::default() };
    assert_eq!(value(KpiKind::MeanYield, &f), None);
}

#[test]
fn medians_of_odd_even_and_empty_histograms() {
    assert_eq!(DayHistogram::default().median(), None);
    assert_eq!(histogram(&[(12, 1)]).median(), Some(12.0));
    assert_eq!(histogram(&[(3, 1), (10, 2), (21, 3), (60, 1)]).median(), Some(21.0));
    // Even: the mean of the two middle values, 5 and 9.
    assert_eq!(histogram(&[(2, 1), (5, 1), (9, 1), (40, 1)]).median(), Some(7.0));
    assert_eq!(histogram(&[(3, 1), (4, 1)]).median(), Some(3.5));
    // Both middle values in one bucket: 4, 8, 8, 8.
    assert_eq!(histogram(&[(4, 1), (8, 3)]).median(), Some(8.0));
    // The middle falls on a bucket edge: 4, 4, 8, 8.
    assert_eq!(histogram(&[(4, 2), (8, 2)]).median(), Some(6.0));
    // Order of recording does not matter, and a zero count is no deviation.
    assert_eq!(histogram(&[(8, 2), (4, 2), (100, 0)]), histogram(&[(4, 2), (8, 2)]));
    let f = KpiFacts { deviations_closed: 2, close_days: histogram(&[(3, 1), (4, 1)]), ..KpiFacts::default() };
    assert_eq!(format_value(KpiKind::MedianDaysToClose, value(KpiKind::MedianDaysToClose, &f)), "3.5 days");
}

#[test]
fn histograms_travel_as_a_map_of_days_to_counts() {
    let h = histogram(&[(3, 1), (10, 2)]);
    let json = serde_json::to_value(&h).expect("json");
    assert_eq!(json, serde_json::json!({"3": 1, "10": 2}));
    assert_eq!(serde_json::from_value::<DayHistogram>(json).expect("parses"), h);
}

#[test]
fn facts_add_field_by_field() {
    let a = fixture();
    let b = KpiFacts { dispositioned: 2, rejected: 1, close_days: histogram(&[(3, 4), (5, 1)]), ..KpiFacts::default() };
    let sum = a.clone() + &b;
    assert_eq!(sum.dispositioned, 42);
    assert_eq!(sum.rejected, 2);
    assert_eq!(sum.capas_due, 10);
    assert_eq!(sum.close_days, histogram(&[(3, 5), (5, 1), (10, 2), (21, 3), (60, 1)]));
    assert_eq!([a.clone(), b.clone()].iter().sum::<KpiFacts>(), sum);
    let mut saturated = KpiFacts { deliveries: u32::MAX, ..KpiFacts::default() };
    saturated += KpiFacts { deliveries: 1, ..KpiFacts::default() };
    assert_eq!(saturated.deliveries, u32::MAX);
}

#[test]
fn inconsistent_facts_are_named() {
    assert!(fixture().inconsistencies().is_empty());
    assert!(KpiFacts::default().inconsistencies().is_empty());
    let bad = KpiFacts { dispositioned: 1, rejected: 2, deviations_closed: 1, ..KpiFacts::default() };
    assert_eq!(
        bad.inconsistencies(),
        [
            "More batches rejected than dispositioned.",
            "The days-to-close histogram does not count every closed deviation."
        ]
    );
    let bad = KpiFacts { yield_sum: 0.9, ..KpiFacts::default() };
    assert_eq!(bad.inconsistencies().len(), 1);
}

// ---------------------------------------------------------------------------------------------------------------
// Display and explanation

#[test]
fn values_are_formatted_by_unit() {
    assert_eq!(format_value(KpiKind::RightFirstTime, Some(0.923)), "92.3 %");
    assert_eq!(format_value(KpiKind::OnTimeInFull, Some(1.0)), "100.0 %");
    assert_eq!(format_value(KpiKind::DeviationsPerBatch, Some(0.12)), "0.12");
    assert_eq!(format_value(KpiKind::DeviationsPerBatch, Some(2.0)), "2.00");
    assert_eq!(format_value(KpiKind::MedianDaysToClose, Some(21.5)), "21.5 days");
    assert_eq!(format_value(KpiKind::MedianDaysToClose, None), "no data");
    assert_eq!(format_value(KpiKind::RightFirstTime, Some(f64::NAN)), "no data");
    assert_eq!(format_value(KpiKind::RightFirstTime, Some(f64::INFINITY)), "no data");
}

#[test]
fn each_value_says_what_it_is_made_of() {
    let f = fixture();
    let bases: Vec<String> = KpiKind::ALL.iter().map(|&kind| basis(kind, &f)).collect();
    assert_eq!(
        bases,
        [
            "37 of 40 dispositioned batches without a deviation",
            "39 of 40 dispositioned batches released",
            "5 deviations opened over 42 completed batches",
            "Median of 7 closed deviations",
            "6 of 7 closed deviations by the due date",
            "9 of 10 CAPAs due closed on time",
            "19 of 20 deliveries on time in full",
            "Mean of 4 batches with yield data",
            "5 of 6 completed stages by the planned end",
        ]
    );
}

#[test]
fn explanations_of_one_and_of_none() {
    let one = KpiFacts {
        dispositioned: 1,
        batches_completed: 1,
        deviations_opened: 1,
        deviations_closed: 1,
        close_days: histogram(&[(9, 1)]),
        deliveries: 1,
        deliveries_on_time_in_full: 1,
        yield_batches: 1,
        yield_sum: 0.98,
        ..KpiFacts::default()
    };
    assert_eq!(basis(KpiKind::RightFirstTime, &one), "0 of 1 dispositioned batch without a deviation");
    assert_eq!(basis(KpiKind::DeviationsPerBatch, &one), "1 deviation opened over 1 completed batch");
    assert_eq!(basis(KpiKind::MedianDaysToClose, &one), "1 closed deviation");
    assert_eq!(basis(KpiKind::OnTimeInFull, &one), "1 of 1 delivery on time in full");
    assert_eq!(basis(KpiKind::MeanYield, &one), "Mean of 1 batch with yield data");

    let none = KpiFacts { deviations_opened: 3, ..KpiFacts::default() };
    let bases: Vec<String> = KpiKind::ALL.iter().map(|&kind| basis(kind, &none)).collect();
    assert_eq!(
        bases,
        [
            "No dispositioned batches",
            "No dispositioned batches",
            "No completed batches; 3 deviations opened",
            "No closed deviations",
            "No closed deviations",
            "No CAPAs due",
            "No deliveries",
            "No batches with yield data",
            "No completed stages",
        ]
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Thresholds and status

#[test]
fn higher_is_better_status_at_the_boundaries() {
    let kind = KpiKind::RightFirstTime;
    let t = kind.default_threshold(); // 0.95, 0.90
    assert_eq!(t.rag(kind, Some(1.0)), Rag::Green);
    assert_eq!(t.rag(kind, Some(0.95)), Rag::Green);
    assert_eq!(t.rag(kind, Some(0.9499)), Rag::Amber);
    assert_eq!(t.rag(kind, Some(0.90)), Rag::Amber);
    assert_eq!(t.rag(kind, Some(0.8999)), Rag::Red);
    assert_eq!(t.rag(kind, Some(0.0)), Rag::Red);
    assert_eq!(t.rag(kind, None), Rag::NoData);
    assert_eq!(t.rag(kind, Some(f64::NAN)), Rag::NoData);
    // Computed values land on the boundary exactly: 19 of 20 is 0.95, 9 of 10 is 0.90.
    let f = KpiFacts { dispositioned: 20, dispositioned_without_deviation: 19, ..KpiFacts::default() };
    assert_eq!(t.rag(kind, value(kind, &f)), Rag::Green);
    let f = KpiFacts { dispositioned: 10, dispositioned_without_deviation: 9, ..KpiFacts::default() };
    assert_eq!(t.rag(kind, value(kind, &f)), Rag::Amber);
}

#[test]
fn lower_is_better_status_at_the_boundaries() {
    let kind = KpiKind::DeviationsPerBatch;
    let t = kind.default_threshold(); // 0.10, 0.25
    assert_eq!(t.rag(kind, Some(0.0)), Rag::Green);
    assert_eq!(t.rag(kind, Some(0.10)), Rag::Green);
    assert_eq!(t.rag(kind, Some(0.1001)), Rag::Amber);
    assert_eq!(t.rag(kind, Some(0.25)), Rag::Amber);
    assert_eq!(t.rag(kind, Some(0.2501)), Rag::Red);
    assert_eq!(t.rag(kind, None), Rag::NoData);
    let kind = KpiKind::MedianDaysToClose;
    let t = kind.default_threshold(); // 30, 45
    assert_eq!(t.rag(kind, Some(30.0)), Rag::Green);
    assert_eq!(t.rag(kind, Some(30.5)), Rag::Amber);
    assert_eq!(t.rag(kind, Some(45.0)), Rag::Amber);
    assert_eq!(t.rag(kind, Some(45.5)), Rag::Red);
}

#[test]
fn amber_equal_to_target_leaves_no_amber_band() {
    let t = Threshold { target: 0.9, amber: 0.9 };
    assert_eq!(t.validate(KpiKind::CapaOnTime), Ok(()));
    assert_eq!(t.rag(KpiKind::CapaOnTime, Some(0.9)), Rag::Green);
    assert_eq!(t.rag(KpiKind::CapaOnTime, Some(0.89)), Rag::Red);
}

#[test]
fn statuses_have_labels_and_wire_names() {
    let labels: Vec<&str> = Rag::ALL.iter().map(|rag| rag.label()).collect();
    assert_eq!(labels, ["Green", "Amber", "Red", "No data"]);
    assert_eq!(serde_json::to_value(Rag::NoData).expect("json"), serde_json::json!("no_data"));
}

#[test]
fn every_default_threshold_is_valid_and_as_documented() {
    let defaults = default_thresholds();
    assert_eq!(defaults.iter().map(|(kind, _)| *kind).collect::<Vec<_>>(), KpiKind::ALL);
    for (kind, threshold) in &defaults {
        assert_eq!(threshold.validate(*kind), Ok(()), "{kind:?}");
    }
    let pairs: Vec<(f64, f64)> = defaults.iter().map(|(_, t)| (t.target, t.amber)).collect();
    assert_eq!(
        pairs,
        [
            (0.95, 0.90),
            (0.98, 0.95),
            (0.10, 0.25),
            (30.0, 45.0),
            (0.90, 0.80),
            (0.90, 0.80),
            (0.95, 0.90),
            (0.97, 0.94),
            (0.85, 0.70)
        ]
    );
}

fn fields_and_messages(threshold: Threshold, kind: KpiKind) -> Vec<(String, String)> {
    threshold.problems(kind).into_iter().map(|error| (error.field.unwrap_or_default(), error.message)).collect()
}

#[test]
fn amber_on_the_wrong_side_of_the_target_is_refused() {
    let problems = fields_and_messages(Threshold { target: 0.95, amber: 0.97 }, KpiKind::RightFirstTime);
    assert_eq!(
        problems,
        [("amber".into(), "Right first time: higher is better, so set the amber limit at or below the target.".into())]
    );
    let problems = fields_and_messages(Threshold { target: 0.10, amber: 0.05 }, KpiKind::DeviationsPerBatch);
    assert_eq!(
        problems,
        [(
            "amber".into(),
            "Deviations per batch: lower is better, so set the amber limit at or above the target.".into()
        )]
    );
}

#[test]
fn limits_outside_their_range_are_refused_per_field() {
    let problems = fields_and_messages(Threshold { target: 95.0, amber: -0.1 }, KpiKind::OnTimeInFull);
    assert_eq!(
        problems,
        [
            ("target".into(), "Give the target as a fraction from 0 to 1 (0.95 is 95 %).".into()),
            ("amber".into(), "Give the amber limit as a fraction from 0 to 1 (0.95 is 95 %).".into()),
        ]
    );
    let problems = fields_and_messages(Threshold { target: -1.0, amber: 45.0 }, KpiKind::MedianDaysToClose);
    assert_eq!(problems, [("target".into(), "The target cannot be negative.".into())]);
    let problems = fields_and_messages(Threshold { target: 0.1, amber: f64::NAN }, KpiKind::DeviationsPerBatch);
    assert_eq!(problems, [("amber".into(), "Give the amber limit as a number.".into())]);
    // Days and counts per batch have no upper bound; fractions stop at 1 inclusive.
    assert_eq!(Threshold { target: 400.0, amber: 500.0 }.validate(KpiKind::MedianDaysToClose), Ok(()));
    assert_eq!(Threshold { target: 1.0, amber: 0.0 }.validate(KpiKind::MeanYield), Ok(()));
    let error = Threshold { target: 1.01, amber: 0.9 }.validate(KpiKind::MeanYield).expect_err("above 1");
    assert_eq!(error.field.as_deref(), Some("target"));
}

// ---------------------------------------------------------------------------------------------------------------
// Scorecard

#[test]
fn the_scorecard_shows_every_kind_with_value_status_and_basis() {
    let lines = scorecard(&fixture(), &default_thresholds());
    assert_eq!(lines.iter().map(|line| line.kind).collect::<Vec<_>>(), KpiKind::ALL);
    let rags: Vec<Rag> = lines.iter().map(|line| line.rag).collect();
    assert_eq!(
        rags,
        // 92.5 %, 97.5 %, 0.12, 21 days, 85.7 %, 90 %, 95 %, 96 %, 83.3 %
        [Rag::Amber, Rag::Amber, Rag::Amber, Rag::Green, Rag::Amber, Rag::Green, Rag::Green, Rag::Amber, Rag::Amber]
    );
    assert_eq!(
        serde_json::to_value(&lines[0]).expect("json"),
        serde_json::json!({
            "kind": "right_first_time",
            "value": 0.925,
            "display": "92.5 %",
            "rag": "amber",
            "threshold": {"target": 0.95, "amber": 0.9},
            "basis": "37 of 40 dispositioned batches without a deviation",
        })
    );
}

#[test]
fn a_later_threshold_overrides_and_a_missing_one_is_the_default() {
    let own = Threshold { target: 0.90, amber: 0.85 };
    let mut thresholds = default_thresholds();
    thresholds.push((KpiKind::RightFirstTime, own));
    let lines = scorecard(&fixture(), &thresholds);
    assert_eq!(lines[0].threshold, own);
    assert_eq!(lines[0].rag, Rag::Green);
    assert_eq!(scorecard(&fixture(), &[]), scorecard(&fixture(), &default_thresholds()));
}

#[test]
fn an_empty_scorecard_is_no_data_throughout() {
    for line in scorecard(&KpiFacts::default(), &[]) {
        assert_eq!((line.value, line.display.as_str(), line.rag), (None, "no data", Rag::NoData));
        assert!(line.basis.starts_with("No "), "{}", line.basis);
        let json = serde_json::to_value(&line).expect("json");
        assert_eq!(json["value"], serde_json::Value::Null);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Months and periods

#[test]
fn months_parse_display_and_step() {
    let march = month("2026-03");
    assert_eq!((march.year(), march.month(), march.quarter()), (2026, 3, 1));
    assert_eq!(march.to_string(), "2026-03");
    assert_eq!(march.label(), "Mar 2026");
    assert_eq!(month("2026-12").quarter(), 4);
    assert_eq!(month("2026-04").quarter(), 2);
    assert_eq!(month("2026-12").next(), Some(month("2027-01")));
    assert_eq!(month("2026-01").prev(), Some(month("2025-12")));
    assert_eq!(month("9999-12").next(), None);
    assert_eq!(month("0001-01").prev(), None);
    assert_eq!(month("0042-07").to_string(), "0042-07");
    let date = chrono::NaiveDate::from_ymd_opt(2026, 2, 28).expect("a date");
    assert_eq!(Month::of_date(date), Some(month("2026-02")));
    assert_eq!(Month::of_date(chrono::NaiveDate::MIN), None);
    assert!(month("2025-12") < month("2026-01"));
    assert_eq!(serde_json::to_value(march).expect("json"), serde_json::json!("2026-03"));
}

#[test]
fn bad_months_say_what_is_wrong() {
    for (text, error) in [
        ("2026-13", PeriodError::MonthOutOfRange),
        ("2026-00", PeriodError::MonthOutOfRange),
        ("0000-01", PeriodError::YearOutOfRange),
        ("2026-3", PeriodError::NotAMonth),
        ("26-03", PeriodError::NotAMonth),
        ("12026-03", PeriodError::NotAMonth),
        (" 2026-03", PeriodError::NotAMonth),
        ("2026-03 ", PeriodError::NotAMonth),
        ("2026/03", PeriodError::NotAMonth),
        ("-026-03", PeriodError::NotAMonth),
        ("+026-03", PeriodError::NotAMonth),
        ("２０２６-03", PeriodError::NotAMonth),
        ("2026-Q1", PeriodError::NotAMonth),
        ("", PeriodError::NotAMonth),
    ] {
        assert_eq!(text.parse::<Month>(), Err(error), "{text:?}");
    }
    assert_eq!(Month::new(2026, 13), Err(PeriodError::MonthOutOfRange));
    assert_eq!(Month::new(10_000, 1), Err(PeriodError::YearOutOfRange));
    assert_eq!(PeriodError::NotAMonth.to_string(), "Write the month as YYYY-MM, e.g. 2026-03.");
    assert_eq!(PeriodError::YearOutOfRange.to_string(), "Choose a year from 1 to 9999.");
    let error = serde_json::from_str::<Month>("\"2026-13\"").expect_err("no 13th month").to_string();
    assert!(error.contains("Choose a month from 01 to 12."), "{error}");
}

#[test]
fn quarters_hold_three_months() {
    let q1 = period("2026-Q1");
    assert_eq!((q1.grain(), q1.start(), q1.end()), (Grain::Quarter, month("2026-01"), month("2026-03")));
    assert_eq!(q1.months().collect::<Vec<_>>(), [month("2026-01"), month("2026-02"), month("2026-03")]);
    assert_eq!(q1.label(), "Q1 2026");
    assert_eq!(q1.to_string(), "2026-Q1");
    for (m, q) in [("2026-04", "2026-Q2"), ("2026-05", "2026-Q2"), ("2026-06", "2026-Q2"), ("2026-12", "2026-Q4")] {
        assert_eq!(Period::of(month(m), Grain::Quarter), period(q), "{m}");
        assert!(period(q).contains(month(m)));
    }
    assert!(!q1.contains(month("2026-04")));
    assert!(!q1.contains(month("2025-12")));
    assert_eq!(period("2026-Q4").next(), Some(period("2027-Q1")));
    assert_eq!(period("2026-Q1").prev(), Some(period("2025-Q4")));
    assert_eq!(period("9999-Q4").next(), None);
    assert_eq!(period("0001-Q1").prev(), None);
}

#[test]
fn month_periods_are_the_month() {
    let march = period("2026-03");
    assert_eq!(march, Period::of(month("2026-03"), Grain::Month));
    assert_eq!((march.grain(), march.start(), march.end()), (Grain::Month, month("2026-03"), month("2026-03")));
    assert_eq!(march.months().collect::<Vec<_>>(), [month("2026-03")]);
    assert_eq!(march.label(), "Mar 2026");
    assert_eq!(march.next(), Some(period("2026-04")));
    assert_eq!(period("9999-12").next(), None);
}

#[test]
fn periods_are_ordered_by_their_first_month() {
    let mut periods: Vec<Period> =
        ["2026-Q2", "2026-02", "2026-Q1", "2025-12", "2026-01", "2026-04"].into_iter().map(period).collect();
    periods.sort();
    let sorted: Vec<String> = periods.iter().map(Period::to_string).collect();
    assert_eq!(sorted, ["2025-12", "2026-01", "2026-Q1", "2026-02", "2026-04", "2026-Q2"]);
}

#[test]
fn bad_periods_say_what_is_wrong() {
    for (text, error) in [
        ("2026-Q5", PeriodError::QuarterOutOfRange),
        ("2026-Q0", PeriodError::QuarterOutOfRange),
        ("0000-Q1", PeriodError::YearOutOfRange),
        ("2026-13", PeriodError::MonthOutOfRange),
        ("2026-q1", PeriodError::NotAPeriod),
        ("2026-QQ", PeriodError::NotAPeriod),
        ("2026-Q12", PeriodError::NotAPeriod),
        ("2026", PeriodError::NotAPeriod),
        ("Q1 2026", PeriodError::NotAPeriod),
        ("", PeriodError::NotAPeriod),
    ] {
        assert_eq!(text.parse::<Period>(), Err(error), "{text:?}");
    }
    assert_eq!(serde_json::to_value(period("2026-Q3")).expect("json"), serde_json::json!("2026-Q3"));
    let error = serde_json::from_str::<Period>("\"2026-Q5\"").expect_err("no Q5").to_string();
    assert!(error.contains("Choose a quarter from Q1 to Q4."), "{error}");
}

// ---------------------------------------------------------------------------------------------------------------
// Series

fn site(n: u128) -> SiteId {
    SiteId(Uuid::from_u128(n))
}

fn product(n: u128) -> ProductId {
    ProductId(Uuid::from_u128(100 + n))
}

/// A row whose facts are `n` dispositioned batches, so a bucket's sum tells which rows it holds.
fn row(m: &str, s: u128, p: u128, n: u32) -> MonthlyFacts {
    let facts = KpiFacts { dispositioned: n, ..KpiFacts::default() };
    MonthlyFacts { month: month(m), site: site(s), product: product(p), facts }
}

fn rows() -> Vec<MonthlyFacts> {
    vec![
        row("2026-01", 1, 1, 1),
        row("2026-02", 1, 1, 2),
        row("2026-04", 1, 1, 4),
        row("2026-07", 1, 1, 7),
        row("2026-01", 2, 1, 10),
        row("2026-02", 1, 2, 100),
        row("2025-12", 1, 1, 1000),
    ]
}

/// Each period with its dispositioned count.
fn summary(series: &[(Period, KpiFacts)]) -> Vec<(String, u32)> {
    series.iter().map(|(period, facts)| (period.to_string(), facts.dispositioned)).collect()
}

#[test]
fn months_are_bucketed_with_empty_months_present() {
    let series = series(&rows(), Filter::default(), Grain::Month, month("2026-01"), month("2026-06"));
    assert_eq!(
        summary(&series),
        [
            ("2026-01".into(), 11),
            ("2026-02".into(), 102),
            ("2026-03".into(), 0),
            ("2026-04".into(), 4),
            ("2026-05".into(), 0),
            ("2026-06".into(), 0)
        ]
    );
    assert_eq!(value(KpiKind::LotAcceptance, &series[2].1), None);
}

#[test]
fn months_are_bucketed_into_quarters() {
    let series = series(&rows(), Filter::default(), Grain::Quarter, month("2026-01"), month("2026-09"));
    assert_eq!(summary(&series), [("2026-Q1".into(), 113), ("2026-Q2".into(), 4), ("2026-Q3".into(), 7)]);
}

#[test]
fn quarters_are_whole_even_when_the_range_starts_inside_one() {
    let series = series(&rows(), Filter::default(), Grain::Quarter, month("2026-02"), month("2026-04"));
    assert_eq!(summary(&series), [("2026-Q1".into(), 113), ("2026-Q2".into(), 4)]);
}

#[test]
fn rows_outside_the_range_are_left_out() {
    let series = series(&rows(), Filter::default(), Grain::Month, month("2026-02"), month("2026-02"));
    assert_eq!(summary(&series), [("2026-02".into(), 102)]);
}

#[test]
fn a_series_crosses_the_year() {
    let series = series(&rows(), Filter::default(), Grain::Month, month("2025-11"), month("2026-02"));
    assert_eq!(
        summary(&series),
        [("2025-11".into(), 0), ("2025-12".into(), 1000), ("2026-01".into(), 11), ("2026-02".into(), 102)]
    );
}

#[test]
fn series_filter_by_site_product_or_both() {
    let q1 = |filter: Filter| summary(&series(&rows(), filter, Grain::Quarter, month("2026-01"), month("2026-03")));
    assert_eq!(q1(Filter { site: Some(site(1)), product: None }), [("2026-Q1".into(), 103)]);
    assert_eq!(q1(Filter { site: None, product: Some(product(1)) }), [("2026-Q1".into(), 13)]);
    assert_eq!(q1(Filter { site: Some(site(1)), product: Some(product(1)) }), [("2026-Q1".into(), 3)]);
    assert_eq!(q1(Filter { site: Some(site(3)), product: None }), [("2026-Q1".into(), 0)]);
}

#[test]
fn from_after_to_gives_no_periods() {
    for grain in Grain::ALL {
        // March to January: the same quarter, but still backwards.
        assert!(series(&rows(), Filter::default(), *grain, month("2026-03"), month("2026-01")).is_empty());
        assert!(series(&rows(), Filter::default(), *grain, month("2027-01"), month("2026-01")).is_empty());
    }
}

#[test]
fn a_single_month_without_rows_is_one_empty_period() {
    let series = series(&[], Filter::default(), Grain::Month, month("2026-01"), month("2026-01"));
    assert_eq!(series, [(period("2026-01"), KpiFacts::default())]);
}

// ---------------------------------------------------------------------------------------------------------------
// Properties

/// A part no larger than its whole, as counts of records always are.
fn part_whole(max: u32) -> impl Strategy<Value = (u32, u32)> {
    (0..=max).prop_flat_map(|whole| (0..=whole, Just(whole)))
}

/// Facts as records produce them: every part within its whole, every closed deviation in the histogram.
fn facts() -> impl Strategy<Value = KpiFacts> {
    let dispositions = (0u32..200).prop_flat_map(|whole| (Just(whole), 0..=whole, 0..=whole));
    let closures = prop::collection::vec((0u32..120, 1u32..4), 0..8).prop_flat_map(|pairs| {
        let closed: u32 = pairs.iter().map(|(_, count)| count).sum();
        (Just(pairs), 0..=closed)
    });
    (
        dispositions,
        (0u32..200, 0u32..60),
        closures,
        part_whole(40),
        part_whole(40),
        prop::collection::vec(0.5f64..1.05, 0..20),
        part_whole(12),
    )
        .prop_map(
            |(
                (dispositioned, rejected, clean),
                (completed, opened),
                (pairs, in_time),
                capas,
                deliveries,
                yields,
                stages,
            )| {
                let close_days: DayHistogram = pairs.into_iter().collect();
                KpiFacts {
                    dispositioned,
                    rejected,
                    dispositioned_without_deviation: clean,
                    batches_completed: completed,
                    deviations_opened: opened,
                    deviations_closed: u32::try_from(close_days.total()).expect("small"),
                    deviations_closed_in_time: in_time,
                    close_days,
                    capas_due: capas.1,
                    capas_closed_on_time: capas.0,
                    deliveries: deliveries.1,
                    deliveries_on_time_in_full: deliveries.0,
                    yield_batches: u32::try_from(yields.len()).expect("small"),
                    yield_sum: yields.iter().sum(),
                    stages_closed: stages.1,
                    stages_closed_on_time: stages.0,
                }
            },
        )
}

/// Numerator and denominator of each KPI that is a quotient, read off the brief's formulas independently of
/// `value`; `None` for the median, which is not one.
fn quotient(kind: KpiKind, f: &KpiFacts) -> Option<(f64, u32)> {
    let counts = match kind {
        KpiKind::RightFirstTime => (f64::from(f.dispositioned_without_deviation), f.dispositioned),
        KpiKind::LotAcceptance => (f64::from(f.dispositioned - f.rejected), f.dispositioned),
        KpiKind::DeviationsPerBatch => (f64::from(f.deviations_opened), f.batches_completed),
        KpiKind::MedianDaysToClose => return None,
        KpiKind::DeviationsClosedInTime => (f64::from(f.deviations_closed_in_time), f.deviations_closed),
        KpiKind::CapaOnTime => (f64::from(f.capas_closed_on_time), f.capas_due),
        KpiKind::OnTimeInFull => (f64::from(f.deliveries_on_time_in_full), f.deliveries),
        KpiKind::MeanYield => (f.yield_sum, f.yield_batches),
        KpiKind::ScheduleAdherence => (f64::from(f.stages_closed_on_time), f.stages_closed),
    };
    Some(counts)
}

/// Kinds whose value is a share of a whole, which cannot exceed it (a yield can exceed its theoretical value).
fn is_share(kind: KpiKind) -> bool {
    kind.unit() == KpiUnit::Percent && kind != KpiKind::MeanYield
}

fn month_strategy() -> impl Strategy<Value = Month> {
    (MIN_YEAR..=MAX_YEAR, 1u32..=12).prop_map(|(year, m)| Month::new(year, m).expect("in range"))
}

proptest! {
    /// Shares of records lie in 0..=1, and a KPI is no data exactly when its denominator is zero.
    #[test]
    fn values_are_shares_or_no_data(f in facts()) {
        prop_assert!(f.inconsistencies().is_empty(), "{:?}", f.inconsistencies());
        for &kind in KpiKind::ALL {
            let v = value(kind, &f);
            let denominator = match quotient(kind, &f) {
                Some((_, denominator)) => u64::from(denominator),
                None => f.close_days.total(),
            };
            prop_assert_eq!(v.is_none(), denominator == 0, "{:?}", kind);
            if is_share(kind) {
                prop_assert!(v.is_none_or(|v| (0.0..=1.0).contains(&v)), "{:?} = {:?}", kind, v);
            }
            prop_assert!(v.is_none_or(|v| v >= 0.0));
        }
    }

    /// The KPI of merged facts is the quotient of the summed counts, not some average of the parts' KPIs.
    #[test]
    fn merging_then_computing_equals_computing_on_the_summed_counts(a in facts(), b in facts()) {
        let merged = a.clone() + &b;
        prop_assert_eq!(&merged, &(b.clone() + &a));
        for &kind in KpiKind::ALL {
            if let (Some((na, da)), Some((nb, db))) = (quotient(kind, &a), quotient(kind, &b)) {
                let expected = (da + db > 0).then(|| (na + nb) / f64::from(da + db));
                prop_assert_eq!(value(kind, &merged), expected, "{:?}", kind);
            }
        }
        let mut days: Vec<u32> = a.close_days.iter().chain(b.close_days.iter())
            .flat_map(|(days, count)| std::iter::repeat_n(days, count as usize))
            .collect();
        days.sort_unstable();
        let n = days.len();
        let expected = (n > 0).then(|| (f64::from(days[(n - 1) / 2]) + f64::from(days[n / 2])) / 2.0);
        prop_assert_eq!(value(KpiKind::MedianDaysToClose, &merged), expected);
    }

    /// A merged KPI lies between the KPIs of its parts; with one part empty it is the other part's (but for
    /// deviations per batch, whose part without batches may still hold deviations).
    #[test]
    fn a_merged_value_lies_between_its_parts(a in facts(), b in facts()) {
        let merged = a.clone() + &b;
        for &kind in KpiKind::ALL {
            let (va, vb, vm) = (value(kind, &a), value(kind, &b), value(kind, &merged));
            match (va, vb) {
                (None, None) => prop_assert_eq!(vm, None),
                // Deviations opened where no batch completed still count once merged with batches that did.
                (Some(only), None) | (None, Some(only)) if kind == KpiKind::DeviationsPerBatch => {
                    prop_assert!(vm.is_some_and(|vm| vm >= only), "{:?} {:?}", only, vm);
                }
                (Some(only), None) | (None, Some(only)) => prop_assert_eq!(vm, Some(only), "{:?}", kind),
                (Some(x), Some(y)) => {
                    let vm = vm.expect("both parts have data");
                    let slack = 1e-9;
                    prop_assert!(x.min(y) - slack <= vm && vm <= x.max(y) + slack, "{:?}: {} {} {}", kind, x, y, vm);
                }
            }
        }
    }

    /// Every bucket of a series holds exactly the selected rows of its period.
    #[test]
    fn series_buckets_hold_exactly_their_rows(
        raw in prop::collection::vec((0i32..36, 0u128..3, 0u128..3, facts()), 0..20),
        from in 0i32..36,
        length in 0i32..30,
        quarterly in any::<bool>(),
        site_filter in prop::option::of(0u128..3),
        product_filter in prop::option::of(0u128..3),
    ) {
        let at = |offset: i32| Month::new(2025 + offset / 12, u32::try_from(offset % 12 + 1).expect("1 to 12")).expect("a month");
        let rows: Vec<MonthlyFacts> = raw.into_iter()
            .map(|(offset, s, p, facts)| MonthlyFacts { month: at(offset), site: site(s), product: product(p), facts })
            .collect();
        let filter = Filter { site: site_filter.map(site), product: product_filter.map(product) };
        let grain = if quarterly { Grain::Quarter } else { Grain::Month };
        let (from, to) = (at(from), at((from + length).min(35)));
        let series = series(&rows, filter, grain, from, to);
        prop_assert_eq!(series.first().map(|(p, _)| *p), Some(Period::of(from, grain)));
        prop_assert_eq!(series.last().map(|(p, _)| *p), Some(Period::of(to, grain)));
        for pair in series.windows(2) {
            prop_assert_eq!(pair[0].0.next(), Some(pair[1].0));
        }
        for (period, facts) in &series {
            let expected: KpiFacts = rows.iter()
                .filter(|row| filter.matches(row) && period.contains(row.month))
                .map(|row| &row.facts)
                .sum();
            prop_assert_eq!(facts, &expected);
        }
    }

    /// Writing a month or period and reading it back gives it again, as text and as JSON.
    #[test]
    fn months_and_periods_round_trip(m in month_strategy(), quarterly in any::<bool>()) {
        prop_assert_eq!(m.to_string().parse::<Month>(), Ok(m));
        prop_assert_eq!(serde_json::from_value::<Month>(serde_json::to_value(m).expect("json")).expect("parses"), m);
        let p = Period::of(m, if quarterly { Grain::Quarter } else { Grain::Month });
        prop_assert_eq!(p.to_string().parse::<Period>(), Ok(p));
        prop_assert_eq!(serde_json::from_value::<Period>(serde_json::to_value(p).expect("json")).expect("parses"), p);
        prop_assert!(p.contains(m));
        prop_assert_eq!(p.months().count(), p.grain().months() as usize);
    }

    /// Months step by one in order, and periods order as their first months do.
    #[test]
    fn months_and_periods_order_chronologically(a in month_strategy(), b in month_strategy()) {
        if let Some(next) = a.next() {
            prop_assert!(a < next);
            prop_assert_eq!(next.prev(), Some(a));
            prop_assert_eq!(next.index() - a.index(), 1);
        }
        prop_assert_eq!(a.cmp(&b), a.index().cmp(&b.index()));
        let (pa, pb) = (Period::of(a, Grain::Quarter), Period::of(b, Grain::Quarter));
        if pa.start() != pb.start() {
            prop_assert_eq!(pa.cmp(&pb), pa.start().cmp(&pb.start()));
        }
    }

    /// No text makes parsing panic, and only the one spelling of each month or period is accepted.
    #[test]
    fn parsing_any_text_never_panics_and_accepts_only_canonical_text(
        text in prop_oneof![any::<String>(), "[0-9+ -]{0,5}-[0-9Qq ]{0,3}", "\\PC{0,10}"]
    ) {
        if let Ok(m) = text.parse::<Month>() {
            prop_assert_eq!(m.to_string(), text.clone());
        }
        if let Ok(p) = text.parse::<Period>() {
            prop_assert_eq!(p.to_string(), text.clone());
        }
        let _ = serde_json::from_value::<Month>(serde_json::Value::String(text.clone()));
        let _ = serde_json::from_value::<Period>(serde_json::Value::String(text.clone()));
        let _ = text.parse::<KpiKind>();
    }
}
