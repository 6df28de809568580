//! Demo risk registers: the failure modes a tech-transfer team would rate for each demo transfer, some mitigated
//! (with residual ratings and the deliverable that carries the mitigation), some not yet.

use super::person;
use super::workspace::deliverable_id;
use crate::db::Db;
use crate::kernel::{Risk, UnitOfWork};
use crate::store;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::ids::{RiskId, TransferId};
use baton_domain::risk::{FailureMode, Rating, Ratings};
use baton_domain::risk_register::RiskInput;
use baton_domain::transfer::TransferDetail;
use uuid::Uuid;

/// Step, failure mode, effect, S/O/D, mitigation and residual S/O/D (zeros: not yet mitigated).
type Row = (&'static str, &'static str, &'static str, [u8; 3], &'static str, [u8; 3]);

const BIOLOGICS: [Row; 6] = [
    (
        "Production bioreactor",
        "Temperature excursion during shift",
        "Glycan profile out of specification",
        [8, 4, 4],
        "Independent temperature probe with alarm; shift run in engineering batch",
        [8, 2, 2],
    ),
    (
        "Protein A capture",
        "Resin lifetime shorter at RU",
        "Host cell protein above limit",
        [7, 5, 5],
        "Resin lifetime study at RU scale",
        [7, 3, 3],
    ),
    (
        "Low-pH viral inactivation",
        "Hold time not met at larger tank",
        "Viral clearance not demonstrated",
        [10, 3, 3],
        "",
        [0, 0, 0],
    ),
    (
        "Ultrafiltration/diafiltration",
        "Membrane type differs at RU",
        "Yield loss, aggregates",
        [5, 4, 4],
        "",
        [0, 0, 0],
    ),
    (
        "Analytical methods",
        "Potency assay variability between labs",
        "Batches misclassified",
        [7, 5, 6],
        "Comparative testing under the method transfer protocol",
        [7, 3, 3],
    ),
    ("Formulation and fill", "Fill weight drift on RU line", "Dose outside label claim", [6, 3, 2], "", [0, 0, 0]),
];

const TABLETS: [Row; 6] = [
    (
        "Wet granulation",
        "Granule end point differs with RU impeller",
        "Dissolution failure",
        [7, 5, 4],
        "Power-consumption end point instead of time",
        [7, 2, 3],
    ),
    ("Fluid-bed drying", "Loss on drying above limit", "Degradation on stability", [6, 4, 3], "", [0, 0, 0]),
    (
        "Compression",
        "Tablet hardness out of range at higher speed",
        "Friability, dissolution",
        [6, 5, 3],
        "Speed ramp study in engineering batch",
        [6, 2, 3],
    ),
    ("Film coating", "Colour variation between pans", "Appearance complaints", [3, 4, 2], "", [0, 0, 0]),
    (
        "Analytical methods",
        "Related-substances method not robust",
        "OOS results",
        [8, 4, 5],
        "Robustness study before method transfer",
        [8, 2, 3],
    ),
    ("Final blending", "Blend uniformity at 3× scale", "Content uniformity failure", [9, 3, 4], "", [0, 0, 0]),
];

fn ratings([s, o, d]: [u8; 3]) -> Option<Ratings> {
    Some(Ratings { severity: Rating::new(s)?, occurrence: Rating::new(o)?, detection: Rating::new(d)? })
}

/// Writes the demo transfer's risk register as its sponsor's lead, each row with its audit entry, unless it has one.
pub async fn seed_risks(db: &Db, transfer: TransferId, index: u128, tablets: bool) -> anyhow::Result<()> {
    let lead = person(db, 0, 1).await?;
    let mut work = UnitOfWork::begin(&db.pool, &lead).await?;
    work.authorize::<TransferDetail>(transfer, Action::Contribute).await?;
    if !store::risks::of_transfer(work.conn(), transfer).await?.is_empty() {
        return Ok(());
    }
    let rows = if tablets { &TABLETS } else { &BIOLOGICS };
    for (n, (step, mode, effect, before, mitigation, after)) in rows.iter().enumerate() {
        let Some(initial) = ratings(*before) else { continue };
        let input = RiskInput {
            failure_mode: FailureMode {
                step: (*step).into(),
                failure_mode: (*mode).into(),
                effect: (*effect).into(),
                cause: String::new(),
                controls: String::new(),
                ratings: initial,
                mitigation: (*mitigation).into(),
                residual: ratings(*after),
            },
            // The planning stage's risk assessment carries the mitigations.
            mitigation_deliverable: (!mitigation.is_empty()).then(|| deliverable_id(index, 2, 2)),
        };
        let id = RiskId(Uuid::from_u128((0x0000_000c_0000_4000_8000_u128 << 48) | (index << 8) | n as u128));
        let now = work.now();
        store::risks::insert(work.conn(), id, transfer, &input, now).await?;
        let created = work.authorize::<Risk>(id, Action::Read).await?;
        let values = serde_json::to_value(&input)?;
        work.audit(created.entry(AuditAction::Create, None, Some(values), None)).await?;
    }
    work.commit().await?;
    Ok(())
}
