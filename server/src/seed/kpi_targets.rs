//! Demo KPI targets: Helix and Norvia agreed theirs at a business review (proposed by Helix's QA, signed by both QAs),
//! so Norvia's scorecard is judged by them; Castellan's partnership is left on the shared defaults, with nothing
//! agreed yet.

use super::{NORVIA_PARTNERSHIP, person};
use crate::db::Db;
use crate::kernel::{TargetsVersion, UnitOfWork};
use crate::store;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::kpi::KpiKind;
use baton_domain::kpi_targets::{KpiTarget, KpiTargetDraft};
use baton_domain::signature::Meaning;
use chrono::{DateTime, Utc};
use serde_json::json;

/// Norvia's targets: the defaults, but a yield target that suits a 2,000 L fed-batch antibody process, deviations
/// closed within four weeks, and a looser schedule adherence while two transfers run at once.
fn norvia_targets() -> Vec<KpiTarget> {
    KpiTarget::defaults()
        .into_iter()
        .map(|t| match t.kpi {
            KpiKind::MeanYield => KpiTarget { target: 0.95, amber: 0.92, ..t },
            KpiKind::MedianDaysToClose => KpiTarget { target: 28.0, amber: 40.0, ..t },
            KpiKind::ScheduleAdherence => KpiTarget { target: 0.80, amber: 0.65, ..t },
            _ => t,
        })
        .collect()
}

/// Version 1 of Helix–Norvia's KPI targets, in force; skipped when the partnership has any.
pub async fn seed_kpi_targets(db: &Db, now: DateTime<Utc>) -> anyhow::Result<()> {
    let pool = &db.pool;
    let mut conn = pool.acquire().await?;
    let Some(parties) = store::quality::parties(&mut conn, NORVIA_PARTNERSHIP).await? else { return Ok(()) };
    if !store::kpi_targets::load(&mut conn, NORVIA_PARTNERSHIP, parties).await?.versions.is_empty() {
        return Ok(());
    }
    drop(conn);
    let draft = KpiTargetDraft {
        targets: norvia_targets(),
        reason: "Agreed at the 2026 business review: yield target for the 2,000 L fed-batch process; deviations \
                 closed within four weeks."
            .into(),
    }
    .normalised();
    let (helix_qa, norvia_qa) = (person(db, 0, 2).await?, person(db, 1, 2).await?);
    let mut work = UnitOfWork::begin(pool, &helix_qa).await?;
    let (id, version, hash) =
        store::kpi_targets::insert_version(work.conn(), NORVIA_PARTNERSHIP, &draft, &helix_qa, now).await?;
    let created = work.authorize::<TargetsVersion>(id, Action::DraftAgreement).await?;
    let old = json!({"version": null, "targets": KpiTarget::defaults()});
    let new = json!({"version": version, "targets": draft.targets, "content_hash": hash});
    work.audit(created.entry(AuditAction::Create, Some(old), Some(new), Some(draft.reason.clone()))).await?;
    work.sign(&created, Meaning::Approved).await?;
    work.commit().await?;
    let mut work = UnitOfWork::begin(pool, &norvia_qa).await?;
    let signed = work.authorize::<TargetsVersion>(id, Action::SignAgreement).await?;
    work.sign(&signed, Meaning::Approved).await?;
    let new = json!({"state": "effective", "version": version, "supersedes": null});
    let why = "Approved by QA of both parties".to_owned();
    work.audit(signed.entry(
        AuditAction::StateChange,
        Some(json!({"state": "awaiting_signatures"})),
        Some(new),
        Some(why),
    ))
    .await?;
    work.commit().await?;
    Ok(())
}
