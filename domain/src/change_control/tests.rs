//! Unit tests of the change control lifecycle and its validation.

use super::*;
use crate::org::OrgKind;
use uuid::Uuid;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn input() -> ChangeControlInput {
    ChangeControlInput {
        partner: OrgId(Uuid::from_u128(1)),
        product: ProductId(Uuid::from_u128(2)),
        transfer: None,
        site: None,
        change_type: ChangeType::Equipment,
        title: "Servo dosing pump on filler line 2".into(),
        description: "Replace the piston pump with a servo-driven one.".into(),
        justification: "Worn seals let fill weights drift.".into(),
        proposed_implementation: day(2027, 2, 1),
    }
}

fn assessment() -> ChangeControlAssessment {
    ChangeControlAssessment {
        product_quality: "Fill weight accuracy improves; no contact part changes material.".into(),
        regulatory: RegulatoryImpact::Notification,
        validation_needed: true,
        validation: "IQ/OQ of the pump, PQ over three fills".into(),
        affected_documents: vec!["SOP-FIL-012".into(), " MBR-VDP-004 ".into()],
        risk: RiskLevel::Medium,
        row_version: 3,
        reason: None,
    }
}

fn field<T: std::fmt::Debug>(result: Result<T, ApiError>) -> Option<String> {
    result.expect_err("invalid").field
}

fn org(n: u128, name: &str) -> OrgRef {
    OrgRef { id: OrgId(Uuid::from_u128(n)), name: name.into(), kind: OrgKind::Sponsor }
}

#[test]
fn a_change_needs_a_title_description_justification_and_a_date_not_past() {
    let today = day(2026, 11, 24);
    assert_eq!(input().validate(today), Ok(()));
    let with = |change: fn(&mut ChangeControlInput)| {
        let mut i = input();
        change(&mut i);
        field(i.validate(today))
    };
    assert_eq!(with(|i| i.title = "  ".into()), Some("title".into()));
    assert_eq!(with(|i| i.title = "x".repeat(MAX_TITLE_LEN + 1)), Some("title".into()));
    assert_eq!(with(|i| i.description = "\n".into()), Some("description".into()));
    assert_eq!(with(|i| i.justification = String::new()), Some("justification".into()));
    assert_eq!(with(|i| i.proposed_implementation = day(2026, 11, 23)), Some("proposed_implementation".into()));
    let mut same_day = input();
    same_day.proposed_implementation = today;
    assert_eq!(same_day.validate(today), Ok(()), "today is not past");
}

#[test]
fn an_assessment_names_its_quality_impact_its_validation_and_distinct_documents() {
    assert_eq!(assessment().validate(false), Ok(None));
    assert_eq!(assessment().documents(), vec!["SOP-FIL-012".to_owned(), "MBR-VDP-004".to_owned()]);
    let with = |change: fn(&mut ChangeControlAssessment)| {
        let mut a = assessment();
        change(&mut a);
        field(a.validate(false))
    };
    assert_eq!(with(|a| a.product_quality = " ".into()), Some("product_quality".into()));
    assert_eq!(with(|a| a.validation = " ".into()), Some("validation".into()));
    assert_eq!(with(|a| a.affected_documents.push(" ".into())), Some("affected_documents[2]".into()));
    assert_eq!(with(|a| a.affected_documents.push("sop-fil-012".into())), Some("affected_documents[2]".into()));
    assert_eq!(
        with(|a| a.affected_documents[0] = "x".repeat(MAX_DOCUMENT_LEN + 1)),
        Some("affected_documents[0]".into())
    );
    assert_eq!(
        with(|a| a.affected_documents = (0..=MAX_DOCUMENTS).map(|i| format!("SOP-{i}")).collect()),
        Some("affected_documents".into())
    );
    let mut none_needed = assessment();
    none_needed.validation_needed = false;
    none_needed.validation = String::new();
    assert_eq!(none_needed.validate(false), Ok(None), "no validation, nothing to name");
}

#[test]
fn revising_an_assessment_needs_a_reason() {
    let mut revision = assessment();
    revision.reason = Some("  ".into());
    assert_eq!(field(revision.validate(true)), Some("reason".into()));
    assert_eq!(revision.validate(false), Ok(None), "a first assessment needs none");
    revision.reason = Some(" Vendor data received ".into());
    assert_eq!(revision.validate(true), Ok(Some("Vendor data received".into())));
}

#[test]
fn a_rejection_needs_a_reason_and_a_closure_its_evaluation() {
    let mut decision = ChangeDecisionRequest {
        decision: ChangeDecision::Rejected,
        reason: " ".into(),
        password: "p".into(),
        content_hash: "h".into(),
    };
    assert_eq!(field(decision.validate()), Some("reason".into()));
    decision.decision = ChangeDecision::Approved;
    assert_eq!(decision.validate(), Ok(()), "an approval needs no reason");
    let closure = ChangeControlClosure { effectiveness: "\t".into(), password: "p".into(), content_hash: "h".into() };
    assert_eq!(field(closure.validate()), Some("effectiveness".into()));
}

#[test]
fn an_implementation_lies_between_the_approval_and_today() {
    let (approved, today) = (day(2026, 11, 10), day(2026, 11, 24));
    let mut done = ChangeControlImplementation {
        implemented_on: day(2026, 11, 20),
        note: "Pump installed, IQ/OQ passed".into(),
        row_version: 5,
    };
    assert_eq!(done.validate(approved, today), Ok(()));
    done.implemented_on = approved;
    assert_eq!(done.validate(approved, today), Ok(()), "on the day of approval");
    done.implemented_on = day(2026, 11, 9);
    assert_eq!(field(done.validate(approved, today)), Some("implemented_on".into()));
    done.implemented_on = day(2026, 11, 25);
    assert_eq!(field(done.validate(approved, today)), Some("implemented_on".into()));
    done.implemented_on = today;
    done.note = " ".into();
    assert_eq!(field(done.validate(approved, today)), Some("note".into()));
}

#[test]
fn the_lifecycle_takes_each_step_in_its_status_only() {
    use ChangeControlStatus::*;
    let allowed = |step: Step| -> Vec<ChangeControlStatus> {
        ChangeControlStatus::ALL.iter().copied().filter(|s| s.refusal(step).is_none()).collect()
    };
    assert_eq!(allowed(Step::Assess), vec![Raised, Assessed]);
    assert_eq!(allowed(Step::Decide), vec![Assessed]);
    assert_eq!(allowed(Step::Implement), vec![Approved]);
    assert_eq!(allowed(Step::Close), vec![Implemented]);
    assert!(Raised.refusal(Step::Decide).is_some_and(|m| m.contains("Both parties assess")));
    assert!(Rejected.refusal(Step::Implement).is_some_and(|m| m.contains("rejected")));
    assert!(Approved.refusal(Step::Close).is_some_and(|m| m.contains("Record the implementation")));
    assert!(Closed.refusal(Step::Assess).is_some_and(|m| m.contains("closed")));
}

#[test]
fn both_parties_assess_before_a_decision() {
    assert_eq!(ChangeControlStatus::after_assessments(0), ChangeControlStatus::Raised);
    assert_eq!(ChangeControlStatus::after_assessments(1), ChangeControlStatus::Raised);
    assert_eq!(ChangeControlStatus::after_assessments(2), ChangeControlStatus::Assessed);
}

#[test]
fn the_overall_impact_is_the_highest_risk_and_the_strictest_regulatory_impact() {
    let recorded = |party: OrgRef, risk: RiskLevel, regulatory: RegulatoryImpact| ImpactAssessment {
        party,
        product_quality: "x".into(),
        regulatory,
        validation_needed: false,
        validation: String::new(),
        affected_documents: Vec::new(),
        risk,
        assessed_by: "A".into(),
        assessed_at: DateTime::from_timestamp(1_800_000_000, 0).expect("valid"),
    };
    assert_eq!(overall(&[]), None);
    let both = [
        recorded(org(1, "Helix"), RiskLevel::Low, RegulatoryImpact::PriorApproval),
        recorded(org(2, "Norvia"), RiskLevel::High, RegulatoryImpact::None),
    ];
    assert_eq!(overall(&both), Some((RiskLevel::High, RegulatoryImpact::PriorApproval)));
}

#[test]
fn only_the_accountable_party_decides_and_the_refusal_says_who_or_why_nobody() {
    let helix = org(1, "Helix Biologics");
    let approver = Approver::Party { organisation: helix.clone() };
    assert_eq!(approver.refusal(helix.id), None);
    let refusal = approver.refusal(OrgId(Uuid::from_u128(2))).expect("refused");
    assert!(refusal.contains("Helix Biologics's QA approves"), "{refusal}");
    let none = Approver::NoQualityAgreement.refusal(helix.id).expect("refused");
    assert!(none.contains("No quality agreement is in effect"), "{none}");
    let unnamed = Approver::NotNamed.refusal(helix.id).expect("refused");
    assert!(unnamed.contains("“Change approval”"), "{unnamed}");
    assert_eq!(approver.describe(), "Helix Biologics QA (quality agreement)");
    assert!(Approver::NoQualityAgreement.describe().starts_with("Nobody yet"));
}

#[test]
fn approvers_travel_as_tagged_unions() {
    let json = serde_json::to_value(Approver::Party { organisation: org(1, "Helix") }).expect("serialises");
    assert_eq!(json["kind"], "party");
    assert_eq!(json["organisation"]["name"], "Helix");
    assert_eq!(serde_json::to_value(Approver::NotNamed).expect("serialises"), serde_json::json!({"kind": "not_named"}));
}
