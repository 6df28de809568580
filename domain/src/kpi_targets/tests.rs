use super::*;
use crate::ids::UserId;
use crate::kpi::Rag;
use crate::org::OrgKind;
use crate::quality::version_states;
use uuid::Uuid;

fn draft(targets: Vec<KpiTarget>) -> KpiTargetDraft {
    KpiTargetDraft { targets, reason: "Annual review".into() }
}

fn with(kpi: KpiKind, target: f64, amber: f64) -> Vec<KpiTarget> {
    KpiTarget::defaults().into_iter().map(|t| if t.kpi == kpi { KpiTarget { kpi, target, amber } } else { t }).collect()
}

fn first_problem(d: &KpiTargetDraft) -> (String, String) {
    let e = d.validate().expect_err("invalid");
    (e.field.unwrap_or_default(), e.message)
}

fn position(kpi: KpiKind) -> usize {
    KpiKind::ALL.iter().position(|k| *k == kpi).expect("listed")
}

#[test]
fn the_defaults_are_a_valid_draft() {
    assert_eq!(draft(KpiTarget::defaults()).validate(), Ok(()));
    assert_eq!(KpiTarget::defaults().len(), KpiKind::ALL.len());
}

#[test]
fn percentages_are_fractions_from_zero_to_one() {
    let i = position(KpiKind::RightFirstTime);
    let (field, message) = first_problem(&draft(with(KpiKind::RightFirstTime, 95.0, 0.9)));
    assert_eq!(field, format!("targets[{i}].target"));
    assert!(message.starts_with("Right first time: "), "{message}");
    assert!(message.contains("fraction from 0 to 1"), "{message}");
    let (field, _) = first_problem(&draft(with(KpiKind::OnTimeInFull, 0.95, -0.1)));
    assert_eq!(field, format!("targets[{}].amber", position(KpiKind::OnTimeInFull)));
    assert_eq!(draft(with(KpiKind::RightFirstTime, 1.0, 0.0)).validate(), Ok(()));
}

#[test]
fn the_amber_limit_lies_on_the_worse_side_of_the_target_whichever_way_the_kpi_improves() {
    // Higher is better: amber must not be above the target.
    let (field, message) = first_problem(&draft(with(KpiKind::LotAcceptance, 0.95, 0.98)));
    assert_eq!(field, format!("targets[{}].amber", position(KpiKind::LotAcceptance)));
    assert!(message.contains("higher is better"), "{message}");
    // Lower is better: amber must not be below the target.
    let (field, message) = first_problem(&draft(with(KpiKind::MedianDaysToClose, 30.0, 20.0)));
    assert_eq!(field, format!("targets[{}].amber", position(KpiKind::MedianDaysToClose)));
    assert!(message.contains("lower is better"), "{message}");
    assert_eq!(draft(with(KpiKind::MedianDaysToClose, 20.0, 35.0)).validate(), Ok(()));
    // Equal limits leave no amber band, which is allowed.
    assert_eq!(draft(with(KpiKind::DeviationsPerBatch, 0.2, 0.2)).validate(), Ok(()));
}

#[test]
fn days_and_counts_have_sensible_ceilings_and_no_negatives() {
    let (field, message) = first_problem(&draft(with(KpiKind::MedianDaysToClose, 30.0, 400.0)));
    assert_eq!(field, format!("targets[{}].amber", position(KpiKind::MedianDaysToClose)));
    assert!(message.contains("365"), "{message}");
    let (field, _) = first_problem(&draft(with(KpiKind::DeviationsPerBatch, 101.0, 200.0)));
    assert_eq!(field, format!("targets[{}].target", position(KpiKind::DeviationsPerBatch)));
    let (field, message) = first_problem(&draft(with(KpiKind::MedianDaysToClose, -1.0, 10.0)));
    assert_eq!(field, format!("targets[{}].target", position(KpiKind::MedianDaysToClose)));
    assert!(message.contains("negative"), "{message}");
}

#[test]
fn every_kpi_is_listed_exactly_once_and_a_reason_is_given() {
    let mut targets = KpiTarget::defaults();
    let last = targets.pop().expect("a KPI");
    let (field, message) = first_problem(&draft(targets.clone()));
    assert_eq!(field, "targets");
    assert!(message.contains(last.kpi.label()), "{message}");
    targets.push(last);
    targets.push(targets[0]);
    let (field, message) = first_problem(&draft(targets));
    assert_eq!(field, format!("targets[{}].kpi", KpiKind::ALL.len()));
    assert!(message.contains("twice"), "{message}");
    let blank = KpiTargetDraft { targets: KpiTarget::defaults(), reason: "  ".into() };
    assert_eq!(first_problem(&blank).0, "reason");
    let long = KpiTargetDraft { targets: KpiTarget::defaults(), reason: "x".repeat(MAX_REASON_LEN + 1) };
    assert_eq!(first_problem(&long).0, "reason");
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let mut d = draft(with(KpiKind::LotAcceptance, 2.0, 0.9));
    d.targets[position(KpiKind::MeanYield)].amber = 1.5;
    d.reason.clear();
    let fields: Vec<String> = d.problems().into_iter().filter_map(|p| p.field).collect();
    assert_eq!(
        fields,
        vec![
            format!("targets[{}].target", position(KpiKind::LotAcceptance)),
            format!("targets[{}].amber", position(KpiKind::MeanYield)),
            "reason".to_owned()
        ]
    );
}

#[test]
fn normalising_orders_the_kpis_and_trims_the_reason() {
    let mut targets = KpiTarget::defaults();
    targets.reverse();
    let d = KpiTargetDraft { targets, reason: "  Tighter release  ".into() }.normalised();
    assert_eq!(d.targets, KpiTarget::defaults());
    assert_eq!(d.reason, "Tighter release");
}

fn org(n: u128) -> OrgId {
    OrgId(Uuid::from_u128(n))
}

fn signature(org_id: OrgId, name: &str, at: i64) -> Signature {
    Signature {
        signer_id: UserId(Uuid::from_u128(99)),
        signer_name: name.into(),
        organisation_id: org_id,
        organisation: format!("Org {org_id}"),
        meaning: Meaning::Approved,
        signed_at: DateTime::from_timestamp(at, 0).expect("valid"),
        content_hash: "h".into(),
        valid: true,
    }
}

fn version(number: i64, signatures: Vec<Signature>, state: QualityAgreementState) -> KpiTargetVersion {
    KpiTargetVersion {
        id: KpiTargetsId(Uuid::from_u128(number as u128)),
        version: number,
        targets: with(KpiKind::RightFirstTime, 0.99, 0.97),
        reason: "r".into(),
        content_hash: "h".into(),
        state,
        signatures,
        created_by: "Dana Kim".into(),
        created_at: DateTime::from_timestamp(0, 0).expect("valid"),
        updated_at: DateTime::from_timestamp(0, 0).expect("valid"),
        actions: Vec::new(),
    }
}

#[test]
fn a_draft_is_editable_until_its_first_signature_and_each_party_signs_once() {
    use QualityAgreementState::*;
    let (sponsor, cmo) = (org(1), org(2));
    let draft = version(1, vec![], Draft);
    assert_eq!(draft.workflow_allows(Action::DraftAgreement, sponsor), Ok(()));
    assert_eq!(draft.workflow_allows(Action::SignAgreement, cmo), Ok(()));
    let half = version(1, vec![signature(sponsor, "Dana Kim", 10)], AwaitingSignatures);
    let refused = half.workflow_allows(Action::DraftAgreement, cmo).expect_err("signed");
    assert!(refused.contains("Propose a new version"), "{refused}");
    assert!(half.workflow_allows(Action::SignAgreement, sponsor).is_err());
    assert_eq!(half.workflow_allows(Action::SignAgreement, cmo), Ok(()));
    for state in [Effective, Superseded] {
        let done = version(1, vec![], state);
        assert!(done.workflow_allows(Action::SignAgreement, cmo).is_err(), "{state:?}");
        assert!(done.workflow_allows(Action::DraftAgreement, cmo).is_err(), "{state:?}");
    }
    // Reading is never the workflow's business.
    assert_eq!(version(1, vec![], Superseded).workflow_allows(Action::Read, cmo), Ok(()));
}

#[test]
fn the_newest_version_both_signed_is_in_force_and_supersedes_the_older() {
    use QualityAgreementState::*;
    assert_eq!(version_states(&[(true, true), (false, true)]), vec![Effective, AwaitingSignatures]);
    assert_eq!(version_states(&[(true, true), (true, true)]), vec![Superseded, Effective]);
}

fn set(versions: Vec<KpiTargetVersion>) -> KpiTargets {
    let party = |id, kind| OrgRef { id, name: format!("Org {id}"), kind };
    KpiTargets {
        partnership_id: PartnershipId(Uuid::from_u128(5)),
        sponsor: party(org(1), OrgKind::Sponsor),
        cmo: party(org(2), OrgKind::Cmo),
        versions,
        agreed: None,
        in_use: Vec::new(),
        actions: Vec::new(),
    }
    .with_summary()
}

#[test]
fn without_a_version_in_force_the_defaults_judge() {
    let none =
        set(vec![version(1, vec![signature(org(1), "Dana Kim", 10)], QualityAgreementState::AwaitingSignatures)]);
    assert_eq!(none.agreed, None);
    assert_eq!(none.in_use, KpiTarget::defaults());
    assert_eq!(none.thresholds(), crate::kpi::default_thresholds());
    assert!(none.open_draft().is_none());
}

#[test]
fn the_version_in_force_names_both_signers_and_the_later_signature_as_the_agreement_date() {
    let signed = vec![signature(org(2), "Pieter Wouters", 50), signature(org(1), "Dana Kim", 20)];
    let in_force = set(vec![
        version(2, vec![], QualityAgreementState::Draft),
        version(1, signed, QualityAgreementState::Effective),
    ]);
    let agreed = in_force.agreed.clone().expect("agreed");
    assert_eq!(
        (agreed.version, agreed.sponsor_signer.as_str(), agreed.cmo_signer.as_str()),
        (1, "Dana Kim", "Pieter Wouters")
    );
    assert_eq!(agreed.agreed_at.timestamp(), 50);
    assert_eq!(in_force.open_draft().map(|v| v.version), Some(2));
    // The agreed, tighter right-first-time target turns 98 % from green (default target 95 %) to amber.
    let rft = in_force.thresholds().into_iter().find(|(k, _)| *k == KpiKind::RightFirstTime).expect("listed").1;
    assert_eq!(rft.rag(KpiKind::RightFirstTime, Some(0.98)), Rag::Amber);
    assert_eq!(KpiKind::RightFirstTime.default_threshold().rag(KpiKind::RightFirstTime, Some(0.98)), Rag::Green);
}

#[test]
fn a_signature_on_other_content_does_not_count_as_agreement() {
    let mut stale = signature(org(2), "Pieter Wouters", 50);
    stale.valid = false;
    let v = version(1, vec![signature(org(1), "Dana Kim", 20), stale], QualityAgreementState::Effective);
    assert_eq!(agreed(&v, org(1), org(2)), None);
}

#[test]
fn limits_are_typed_in_the_unit_shown_and_read_exactly() {
    assert_eq!(entry_text(KpiKind::RightFirstTime, 0.95), "95");
    assert_eq!(entry_text(KpiKind::MeanYield, 0.9537), "95.37");
    assert_eq!(entry_text(KpiKind::MedianDaysToClose, 21.0), "21");
    assert_eq!(entry_text(KpiKind::DeviationsPerBatch, 0.25), "0.25");
    assert_eq!(parse_entry(KpiKind::RightFirstTime, " 95 "), Ok(0.95));
    assert_eq!(parse_entry(KpiKind::MeanYield, "95,37"), Ok(0.9537));
    assert_eq!(parse_entry(KpiKind::MeanYield, "100"), Ok(1.0));
    assert_eq!(parse_entry(KpiKind::MedianDaysToClose, "21.5"), Ok(21.5));
    for kind in KpiKind::ALL {
        for t in KpiTarget::defaults() {
            if t.kpi == *kind {
                assert_eq!(parse_entry(*kind, &entry_text(*kind, t.target)), Ok(t.target), "{kind:?} round trip");
            }
        }
    }
    assert!(parse_entry(KpiKind::RightFirstTime, "101").expect_err("above 100").contains("0 to 100"));
    assert!(parse_entry(KpiKind::RightFirstTime, "").is_err());
    assert!(parse_entry(KpiKind::RightFirstTime, "1e5").is_err());
    assert!(parse_entry(KpiKind::MedianDaysToClose, "three").expect_err("words").contains("days"));
}
