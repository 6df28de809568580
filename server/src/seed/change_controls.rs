//! Demo change controls, written through the kernel with their audit entries as the people would: Norvia's
//! replacement of the dosing pump on vial filler line 2 (the fill weight drift of its first deviation), assessed by
//! both parties and awaiting the approval of Helix's QA, whom the quality agreement makes accountable for change
//! approval; and Helix's tighter bioburden limit for Velarimab drug substance, assessed by Helix and awaiting Norvia's
//! assessment.

use super::{
    HELIX, NORVIA, NORVIA_GHENT, NORVIA_PARTNERSHIP, VELARIMAB_DP, VELARIMAB_DP_PRODUCT, VELARIMAB_DS_PRODUCT,
};
use super::{date, person};
use crate::db::Db;
use crate::kernel::{ChangeControl, UnitOfWork};
use crate::store;
use crate::store::change_controls::NewChangeControl;
use crate::store::numbering::{self, Numbered};
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::change_control::{
    ChangeControlAssessment, ChangeControlInput, ChangeControlStatus, ChangeType, RegulatoryImpact, RiskLevel,
};
use baton_domain::ids::{ChangeControlId, OrgId};
use baton_domain::org::UserProfile;
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

/// The demo change control `n` (from 1): `00000012-0000-4000-8000-0000000000nn`.
pub fn change_control_id(n: u128) -> ChangeControlId {
    ChangeControlId(Uuid::from_u128((0x0000_0012_0000_4000_8000_u128 << 48) | n))
}

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    date(2026, 11, day).and_hms_opt(hour, 0, 0).unwrap_or_default().and_utc()
}

/// Writes the demo change controls, unless they exist.
pub async fn seed_change_controls(db: &Db) -> anyhow::Result<()> {
    if store::change_controls::get(&mut *db.pool.acquire().await?, change_control_id(1)).await?.is_some() {
        return Ok(());
    }
    let (norvia_lead, norvia_qa) = (person(db, 1, 1).await?, person(db, 1, 2).await?);
    let (helix_lead, helix_qa) = (person(db, 0, 1).await?, person(db, 0, 2).await?);

    let pump = ChangeControlInput {
        partner: HELIX,
        product: VELARIMAB_DP_PRODUCT,
        transfer: Some(VELARIMAB_DP),
        site: Some(NORVIA_GHENT),
        change_type: ChangeType::Equipment,
        title: "Replace the piston dosing pump on vial filler line 2 with a servo-driven pump".into(),
        description: "The filler's piston dosing pump (product-contact seals in EPDM) is replaced by a servo-driven \
                      rotary piston pump of the same vendor, with ceramic product-contact parts. Fill volume set \
                      point and in-process check frequency stay as they are."
            .into(),
        justification: "Worn piston seals let fill weights drift to the lower limit (DEV-2026-00001). The servo pump \
                        holds ±0.5 % without seal wear and is the vendor's current model."
            .into(),
        proposed_implementation: date(2027, 2, 15),
    };
    raise(db, &norvia_lead, (1, NORVIA), &pump, at(21, 9)).await?;
    let norvia_view = ChangeControlAssessment {
        product_quality: "Fill weight accuracy improves. Product contact changes from EPDM to ceramic: extractables \
                          and leachables data from the vendor cover the formulation."
            .into(),
        regulatory: RegulatoryImpact::Notification,
        validation_needed: true,
        validation: "IQ/OQ of the pump; PQ with three media fills and fill weight capability over three \
                     engineering runs."
            .into(),
        affected_documents: vec!["SOP-FIL-012 Filler line 2 operation".into(), "MBR-VDP-004 Filling".into()],
        risk: RiskLevel::Medium,
        row_version: 1,
        reason: None,
    };
    assess(db, &norvia_qa, change_control_id(1), &norvia_view, at(23, 14)).await?;
    let helix_view = ChangeControlAssessment {
        product_quality: "No impact on the drug product's quality attributes expected once the PQ passes; the \
                          leachables assessment must cover the 24-month shelf life."
            .into(),
        regulatory: RegulatoryImpact::Notification,
        validation_needed: true,
        validation: "Review Norvia's PQ report before the first PPQ batch.".into(),
        affected_documents: vec!["Module 3.2.P.3.5 process validation".into()],
        risk: RiskLevel::Medium,
        row_version: 2,
        reason: None,
    };
    assess(db, &helix_lead, change_control_id(1), &helix_view, at(24, 10)).await?;

    let bioburden = ChangeControlInput {
        partner: NORVIA,
        product: VELARIMAB_DS_PRODUCT,
        transfer: None,
        site: None,
        change_type: ChangeType::Specification,
        title: "Tighten the pre-filtration bioburden limit for Velarimab drug substance to 5 CFU/10 mL".into(),
        description: "The in-process bioburden limit before the final 0.2 µm filtration falls from 10 to \
                      5 CFU/10 mL."
            .into(),
        justification: "Helix's updated contamination control strategy; a year of Norvia's results lie below \
                        1 CFU/10 mL."
            .into(),
        proposed_implementation: date(2027, 4, 1),
    };
    raise(db, &helix_qa, (2, HELIX), &bioburden, at(25, 11)).await?;
    let helix_own = ChangeControlAssessment {
        product_quality: "Tighter control of the pre-filtration load; no change to the product.".into(),
        regulatory: RegulatoryImpact::None,
        validation_needed: false,
        validation: String::new(),
        affected_documents: vec!["SPEC-VDS-IPC-003".into()],
        risk: RiskLevel::Low,
        row_version: 1,
        reason: None,
    };
    assess(db, &helix_qa, change_control_id(2), &helix_own, at(25, 15)).await
}

/// Raises demo change control `n` of `owner` by `user`, as the API would.
async fn raise(
    db: &Db,
    user: &UserProfile,
    (n, owner): (u128, OrgId),
    input: &ChangeControlInput,
    raised_at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let id = change_control_id(n);
    let number = numbering::format(Numbered::ChangeControl, 2026, 1);
    let new = NewChangeControl {
        id,
        number: &number,
        input,
        owner,
        partnership: NORVIA_PARTNERSHIP,
        sponsor: HELIX,
        cmo: NORVIA,
        raised_by: user.id,
    };
    let mut work = UnitOfWork::begin(&db.pool, user).await?;
    store::change_controls::insert(work.conn(), &new, raised_at).await?;
    let created = work.authorize::<ChangeControl>(id, Action::Read).await?;
    let mut values = json!(input);
    values["number"] = json!(number);
    work.audit(created.entry(AuditAction::Create, None, Some(values), None)).await?;
    work.commit().await.map_err(anyhow::Error::from)
}

/// Records `user`'s organisation's first assessment of change control `id`, as the API would.
async fn assess(
    db: &Db,
    user: &UserProfile,
    id: ChangeControlId,
    assessment: &ChangeControlAssessment,
    assessed_at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let mut work = UnitOfWork::begin(&db.pool, user).await?;
    let control = work.authorize::<ChangeControl>(id, Action::Contribute).await?;
    let before = control.record().view.status;
    let status = ChangeControlStatus::after_assessments(control.record().view.assessments.len() + 1);
    store::change_controls::assess(work.conn(), id, user, assessment, (false, status), assessed_at).await?;
    let old = json!({"party": user.organisation.id, "assessment": null, "status": before});
    let new = json!({"party": user.organisation.id, "assessment": {"product_quality": assessment.product_quality,
        "regulatory": assessment.regulatory, "validation_needed": assessment.validation_needed,
        "validation": assessment.validation, "affected_documents": assessment.documents(), "risk": assessment.risk},
        "status": status});
    work.audit(control.entry(AuditAction::Update, Some(old), Some(new), None)).await?;
    work.commit().await.map_err(anyhow::Error::from)
}
