//! Demo quality events: Norvia's deviations at its Ghent plant in the Velarimab drug product transfer — one on the
//! first engineering batch, under investigation with a CAPA answering it; one closed by Norvia's QA; one on the
//! batch in progress, just reported — each written through the kernel with its audit entries, as Norvia's people
//! would.

use super::batches::batch_id;
use super::{HELIX, NORVIA, NORVIA_GHENT, VELARIMAB_DP, VELARIMAB_DP_PRODUCT, date, person};
use crate::db::Db;
use crate::kernel::{Capa, Deviation, UnitOfWork};
use crate::store;
use crate::store::capas::NewCapa;
use crate::store::deviations::NewDeviation;
use crate::store::numbering::{self, Numbered};
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::capa::{CapaAction, CapaInput};
use baton_domain::deviation::{Classification, DeviationInput, DeviationInvestigation, RootCause};
use baton_domain::ids::{CapaId, DeviationId};
use baton_domain::signature::Meaning;
use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

/// The index of the Velarimab drug product transfer in the demo's fixed ids.
const TRANSFER_INDEX: u128 = 3;

/// The demo deviation `n` (from 1) of transfer `index`: `0000000f-0000-4000-8000-000000000{index}{nn}`.
pub fn deviation_id(index: u128, n: u128) -> DeviationId {
    DeviationId(Uuid::from_u128((0x0000_000f_0000_4000_8000_u128 << 48) | (index << 8) | n))
}

/// The demo CAPA `n` (from 1) of transfer `index`: `00000010-0000-4000-8000-000000000{index}{nn}`.
pub fn capa_id(index: u128, n: u128) -> CapaId {
    CapaId(Uuid::from_u128((0x0000_0010_0000_4000_8000_u128 << 48) | (index << 8) | n))
}

/// Findings, impact and root cause.
type Findings = (&'static str, &'static str, RootCause);

/// Title, location, the transfer's batch it was found on (by number), when it happened (day of November 2026, hour),
/// class, and the investigation once there is one; the last flag closes it.
type Row = (&'static str, &'static str, Option<u128>, (u32, u32), Classification, Option<Findings>, bool);

const DEVIATIONS: [Row; 3] = [
    (
        "Fill weight drift on vial filler line 2",
        "Aseptic filling suite B, filler line 2",
        Some(1),
        (9, 14),
        Classification::Major,
        Some((
            "In-process checks found fill weights trending to the lower limit over 40 minutes. The dosing pump's \
             piston seal was worn beyond its replacement interval.",
            "Engineering batch only; no GMP material affected. Vials filled in the window were rejected.",
            RootCause::Equipment,
        )),
        false,
    ),
    (
        "Grade C corridor particle count above alert limit",
        "Corridor C-112, outside filling suite B",
        None,
        (12, 9),
        Classification::Minor,
        Some((
            "The count rose while a door interlock was bypassed for a material transfer; it fell below the alert \
             limit within 10 minutes of the door closing.",
            "No impact: the corridor is not a critical zone and no filling took place.",
            RootCause::Personnel,
        )),
        true,
    ),
    (
        "Stopper lot received without its certificate of analysis",
        "Warehouse, goods receipt",
        Some(2),
        (18, 11),
        Classification::Critical,
        None,
        false,
    ),
];

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    date(2026, 11, day).and_hms_opt(hour, 0, 0).unwrap_or_default().and_utc()
}

/// Writes the demo deviations and the CAPA answering the first, unless they exist.
pub async fn seed_quality_events(db: &Db) -> anyhow::Result<()> {
    let operator = person(db, 1, 3).await?;
    let qa = person(db, 1, 2).await?;
    if store::deviations::get(&mut *db.pool.acquire().await?, deviation_id(TRANSFER_INDEX, 1)).await?.is_some() {
        return Ok(());
    }
    for (n, (title, location, batch, (day, hour), classification, investigation, closed)) in
        DEVIATIONS.iter().enumerate()
    {
        let n = n as u128 + 1;
        let id = deviation_id(TRANSFER_INDEX, n);
        let input = DeviationInput {
            title: (*title).into(),
            description: String::new(),
            location: (*location).into(),
            occurred_at: at(*day, *hour),
            classification: *classification,
            site: NORVIA_GHENT,
            product: VELARIMAB_DP_PRODUCT,
            batch: batch.map(|b| batch_id(TRANSFER_INDEX, b)),
            transfer: Some(VELARIMAB_DP),
        };
        // Reported within the hour.
        let opened_at = at(*day, *hour + 1);
        let number = numbering::format(Numbered::Deviation, 2026, u64::try_from(n)?);
        let due_on = classification.due_on(opened_at.date_naive());
        let new = NewDeviation {
            id,
            number: &number,
            input: &input,
            owner: NORVIA,
            sponsor: HELIX,
            cmo: NORVIA,
            due_on,
            raised_by: operator.id,
            opened_at,
        };
        let mut work = UnitOfWork::begin(&db.pool, &operator).await?;
        store::deviations::insert(work.conn(), &new, opened_at).await?;
        let created = work.authorize::<Deviation>(id, Action::Read).await?;
        let mut values = json!(input);
        values["number"] = json!(number);
        values["due_on"] = json!(due_on);
        work.audit(created.entry(AuditAction::Create, None, Some(values), None)).await?;
        work.commit().await?;
        let Some((findings, impact, root_cause)) = investigation else { continue };
        let change = DeviationInvestigation {
            classification: *classification,
            investigation: (*findings).into(),
            impact: (*impact).into(),
            root_cause: Some(*root_cause),
            row_version: 1,
            reason: None,
        };
        let mut work = UnitOfWork::begin(&db.pool, &qa).await?;
        let deviation = work.authorize::<Deviation>(id, Action::Contribute).await?;
        let now = work.now();
        store::deviations::investigate(work.conn(), id, &change, now).await?;
        let new = json!({"classification": change.classification, "investigation": change.investigation,
            "impact": change.impact, "root_cause": change.root_cause, "status": "investigation"});
        work.audit(deviation.entry(AuditAction::Update, None, Some(new), None)).await?;
        work.commit().await?;
        if *closed {
            let mut work = UnitOfWork::begin(&db.pool, &qa).await?;
            let deviation = work.authorize::<Deviation>(id, Action::Sign(Meaning::Approved)).await?;
            work.sign(&deviation, Meaning::Approved).await?;
            let now = work.now();
            store::deviations::close(work.conn(), id, now).await?;
            let new = json!({"status": "closed", "closed_at": now});
            work.audit(deviation.entry(
                AuditAction::StateChange,
                Some(json!({"status": "investigation"})),
                Some(new),
                None,
            ))
            .await?;
            work.commit().await?;
        }
    }
    seed_capa(db).await
}

/// The CAPA answering the fill weight drift: one action done, one open.
async fn seed_capa(db: &Db) -> anyhow::Result<()> {
    let lead = person(db, 1, 1).await?;
    let id = capa_id(TRANSFER_INDEX, 1);
    let input = CapaInput {
        title: "Replace filler dosing pump seals on a fixed interval".into(),
        description: "Worn piston seals let fill weights drift (DEV-2026-00001).".into(),
        product: VELARIMAB_DP_PRODUCT,
        partner: HELIX,
        transfer: Some(VELARIMAB_DP),
        deviations: vec![deviation_id(TRANSFER_INDEX, 1)],
        kpi: None,
        due_on: date(2027, 1, 29),
        actions: vec![
            CapaAction {
                description: "Add the piston seals to the filler's preventive maintenance plan, every 400 hours".into(),
                owner: "Sofie Claes".into(),
                due_on: date(2026, 12, 4),
                done: true,
            },
            CapaAction {
                description: "Verify fill weights over three consecutive engineering runs".into(),
                owner: "Pieter Wouters".into(),
                due_on: date(2027, 1, 15),
                done: false,
            },
        ],
        effectiveness_check: String::new(),
    };
    let number = numbering::format(Numbered::Capa, 2026, 1);
    let opened_at = at(20, 10);
    let new = NewCapa { id, number: &number, input: &input, owner: NORVIA, sponsor: HELIX, cmo: NORVIA };
    let mut work = UnitOfWork::begin(&db.pool, &lead).await?;
    store::capas::insert(work.conn(), &new, opened_at).await?;
    for deviation in &input.deviations {
        store::capas::link(work.conn(), id, *deviation).await?;
    }
    let created = work.authorize::<Capa>(id, Action::Read).await?;
    let mut values = json!(input);
    values["number"] = json!(number);
    work.audit(created.entry(AuditAction::Create, None, Some(values), None)).await?;
    work.commit().await.map_err(anyhow::Error::from)
}
