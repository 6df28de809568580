use super::*;
use uuid::Uuid;

fn d(text: &str) -> Decimal {
    Decimal::parse(text).expect("decimal")
}

fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, n).expect("date")
}

fn numeric(value: &str, lower: Option<&str>, upper: Option<&str>) -> ResultValue {
    ResultValue::Numeric { value: d(value), lower: lower.map(d), upper: upper.map(d), unit: "%".into() }
}

fn batch() -> BatchInput {
    BatchInput {
        number: "VLM-26-0001".into(),
        batch_type: BatchType::Ppq,
        site: SiteId(Uuid::from_u128(1)),
        product: ProductId(Uuid::from_u128(2)),
        transfer: None,
        planned_start: day(1),
        planned_end: day(3),
        actual_start: Some(day(1)),
        actual_end: Some(day(4)),
        theoretical_yield: Some(d("200.0")),
        actual_yield: Some(d("191.0")),
        yield_unit: "kg".into(),
    }
}

#[test]
fn out_of_spec_is_computed_from_inclusive_limits() {
    assert!(!numeric("95.0", Some("95.0"), Some("105.0")).out_of_spec(), "on the lower limit");
    assert!(!numeric("105.00", Some("95.0"), Some("105.0")).out_of_spec(), "on the upper limit, more places");
    assert!(numeric("94.99", Some("95.0"), Some("105.0")).out_of_spec());
    assert!(numeric("105.01", Some("95.0"), Some("105.0")).out_of_spec());
    assert!(numeric("0.6", None, Some("0.5")).out_of_spec());
    assert!(!numeric("1000", None, None).out_of_spec(), "report only");
    assert!(ResultValue::PassFail { passed: false, criterion: "Conforms".into() }.out_of_spec());
    assert!(!ResultValue::PassFail { passed: true, criterion: "Conforms".into() }.out_of_spec());
}

#[test]
fn specification_and_reading_in_words() {
    assert_eq!(numeric("98.7", Some("95.0"), Some("105.0")).specification(), "95.0 – 105.0 %");
    assert_eq!(numeric("0.2", None, Some("0.5")).specification(), "≤ 0.5 %");
    assert_eq!(numeric("98.7", Some("95.0"), None).reading(), "98.7 %");
}

#[test]
fn results_need_a_test_and_ordered_limits() {
    let ok = ResultInput { test: "Assay".into(), value: numeric("98", Some("95"), Some("105")) };
    assert!(ok.validate().is_ok());
    let reversed = ResultInput { value: numeric("98", Some("105"), Some("95")), ..ok.clone() };
    assert_eq!(reversed.validate().map_err(|e| e.field), Err(Some("value.upper".into())));
    let unnamed = ResultInput { test: "  ".into(), ..ok };
    assert_eq!(unnamed.validate().map_err(|e| e.field), Err(Some("test".into())));
}

#[test]
fn batch_values_are_checked_field_by_field() {
    assert!(batch().validate().is_ok());
    let field = |b: BatchInput| b.validate().err().and_then(|e| e.field);
    assert_eq!(field(BatchInput { number: " ".into(), ..batch() }), Some("number".into()));
    assert_eq!(field(BatchInput { planned_end: day(1) - chrono::Days::new(1), ..batch() }), Some("planned_end".into()));
    assert_eq!(field(BatchInput { actual_start: None, ..batch() }), Some("actual_start".into()));
    assert_eq!(
        field(BatchInput { actual_end: Some(day(1) - chrono::Days::new(1)), ..batch() }),
        Some("actual_end".into())
    );
    assert_eq!(field(BatchInput { theoretical_yield: Some(d("0")), ..batch() }), Some("theoretical_yield".into()));
    assert_eq!(field(BatchInput { theoretical_yield: None, ..batch() }), Some("theoretical_yield".into()));
    assert_eq!(field(BatchInput { yield_unit: "".into(), ..batch() }), Some("yield_unit".into()));
    assert_eq!(batch().yield_ratio(), Some(0.955));
}

#[test]
fn status_follows_dates_and_disposition() {
    assert_eq!(status(None, None, None), BatchStatus::Planned);
    assert_eq!(status(Some(day(1)), None, None), BatchStatus::InProgress);
    assert_eq!(status(Some(day(1)), Some(day(2)), None), BatchStatus::Completed);
    assert_eq!(status(Some(day(1)), Some(day(2)), Some(Disposition::Rejected)), BatchStatus::Rejected);
}

#[test]
fn release_needs_closed_deviations_and_results_in_spec_rejection_does_not() {
    let completed = BatchStatus::Completed;
    assert_eq!(disposition_refusal(completed, Disposition::Released, &[], &[]), None);
    assert!(disposition_refusal(completed, Disposition::Released, &["DEV-2026-0001"], &[]).is_some());
    assert!(
        disposition_refusal(completed, Disposition::Released, &[], &["Assay"]).is_some_and(|m| m.contains("Assay"))
    );
    assert_eq!(disposition_refusal(completed, Disposition::Rejected, &["DEV-2026-0001"], &["Assay"]), None);
    assert!(disposition_refusal(BatchStatus::InProgress, Disposition::Rejected, &[], &[]).is_some());
    assert!(disposition_refusal(BatchStatus::Released, Disposition::Rejected, &[], &[]).is_some());
    let rejection = DispositionRequest {
        disposition: Disposition::Rejected,
        reason: " ".into(),
        password: "p".into(),
        content_hash: "h".into(),
    };
    assert!(rejection.validate().is_err());
}
