//! Deviations and CAPAs: quality events, owned by the organisation that raised them, inside a sponsor–CMO
//! partnership; the other party reaches them only through an agreement the owner grants. Only the owner's QA
//! closes them, with a signature bound to what closure signs.

use super::partner_data;
use crate::kernel::Record;
use crate::store;
use baton_domain::access::{Action, Resource};
use baton_domain::agreement::DataClass;
use baton_domain::capa::CapaView;
use baton_domain::deviation::{DeviationStatus, DeviationView};
use baton_domain::ids::{CapaId, DeviationId, OrgId};
use baton_domain::org::OrgRef;
use baton_domain::record::RecordType;
use baton_domain::signature::{Meaning, Signature, content_hash};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::AnyConnection;

/// A deviation with the CAPAs answering it and its closure.
#[derive(Clone, Debug)]
pub struct Deviation {
    /// As its page shows it (actions left empty; every CAPA listed, whoever may read them).
    pub view: DeviationView,
}

/// A CAPA with the deviations it answers and its closure.
#[derive(Clone, Debug)]
pub struct Capa {
    /// As its page shows it (actions left empty; every deviation listed, whoever may read them).
    pub view: CapaView,
}

/// What closing a deviation signs: its values, investigation and root cause. Not its status, which closure itself
/// changes, nor the CAPAs, which may still answer it once it is closed: neither makes the signature stale.
fn deviation_content(v: &DeviationView) -> serde_json::Value {
    json!({"deviation": v.id, "number": v.number, "owner": v.owner.id, "values": v.input, "opened_at": v.opened_at,
        "due_on": v.due_on, "investigation": v.investigation, "impact": v.impact, "root_cause": v.root_cause})
}

/// What closing a CAPA signs: its values with the deviations it answers (not when it closed).
fn capa_content(v: &CapaView) -> serde_json::Value {
    let mut deviations = v.input.deviations.clone();
    deviations.sort();
    json!({"capa": v.id, "number": v.number, "owner": v.owner.id, "values": v.input, "deviations": deviations,
        "opened_at": v.opened_at})
}

/// QA's closure signature on a record, valid while the record's content is still what it signed.
async fn closure(
    conn: &mut AnyConnection,
    kind: RecordType,
    id: &str,
    current_hash: &str,
) -> anyhow::Result<Option<Signature>> {
    let mut signatures = store::signatures::for_records(conn, kind, &[id.to_owned()]).await?;
    let signature = signatures.remove(id).and_then(|s| s.into_iter().rev().find(|s| s.meaning == Meaning::Approved));
    Ok(signature.map(|s| Signature { valid: s.content_hash == current_hash, ..s }))
}

/// Why `org` may not sign a closure of `owner`'s record now, if it may not.
fn closure_refusal(
    meaning: Meaning,
    org: OrgId,
    owner: &OrgRef,
    kind: &str,
    refusal: impl FnOnce() -> Option<String>,
) -> Result<(), String> {
    if meaning != Meaning::Approved {
        return Err(format!("A {kind} is closed by QA's approval signature."));
    }
    if org != owner.id {
        // The rule lets a partner with a contributing agreement sign the owner's records; closing is the owner's.
        return Err(format!("This {kind} is {}'s record: only {}'s QA closes it.", owner.name, owner.name));
    }
    refusal().map_or(Ok(()), Err)
}

impl Record for Deviation {
    const TYPE: RecordType = RecordType::Deviation;
    const BAD_ID: &'static str = "That is not a valid deviation id (a UUID).";
    const NOT_FOUND: &'static str = "There is no deviation with this id.";
    const CACHED: bool = true;
    type Id = DeviationId;

    async fn load(conn: &mut AnyConnection, id: DeviationId, _now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        let Some(mut view) = store::deviations::get(conn, id).await? else { return Ok(None) };
        view.capas = store::capas::of_deviation(conn, id).await?;
        view.content_hash = content_hash(&deviation_content(&view));
        view.closure = closure(conn, RecordType::Deviation, &id.to_string(), &view.content_hash).await?;
        Ok(Some(Deviation { view }))
    }

    fn id(&self) -> DeviationId {
        self.view.id
    }

    fn resource(&self) -> Resource<'_> {
        let v = &self.view;
        partner_data(
            v.input.transfer,
            v.owner.id,
            (v.sponsor.id, v.cmo.id),
            (v.product.id, &v.product.name),
            DataClass::QualityEvents,
        )
    }

    fn workflow_allows(&self, action: Action, org: OrgId, _now: DateTime<Utc>) -> Result<(), String> {
        let v = &self.view;
        match action {
            Action::Contribute if v.status == DeviationStatus::Closed => {
                Err("The deviation is closed; its record no longer changes.".into())
            }
            Action::Sign(meaning) => closure_refusal(meaning, org, &v.owner, "deviation", || {
                baton_domain::deviation::closure_refusal(v.status, &v.investigation, v.root_cause)
            }),
            _ => Ok(()),
        }
    }

    fn content_hash(&self) -> Option<&str> {
        Some(&self.view.content_hash)
    }

    fn row_version(&self) -> Option<i64> {
        Some(self.view.row_version)
    }
}

impl Record for Capa {
    const TYPE: RecordType = RecordType::Capa;
    const BAD_ID: &'static str = "That is not a valid CAPA id (a UUID).";
    const NOT_FOUND: &'static str = "There is no CAPA with this id.";
    const CACHED: bool = true;
    type Id = CapaId;

    async fn load(conn: &mut AnyConnection, id: CapaId, _now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        let Some(stored) = store::capas::get(conn, id).await? else { return Ok(None) };
        let mut view = stored.view;
        view.deviations = store::capas::deviations(conn, id).await?;
        view.input.deviations = view.deviations.iter().map(|d| d.id).collect();
        view.content_hash = content_hash(&capa_content(&view));
        view.closure = closure(conn, RecordType::Capa, &id.to_string(), &view.content_hash).await?;
        Ok(Some(Capa { view }))
    }

    fn id(&self) -> CapaId {
        self.view.id
    }

    fn resource(&self) -> Resource<'_> {
        let v = &self.view;
        partner_data(
            v.input.transfer,
            v.owner.id,
            (v.sponsor.id, v.cmo.id),
            (v.product.id, &v.product.name),
            DataClass::QualityEvents,
        )
    }

    fn workflow_allows(&self, action: Action, org: OrgId, _now: DateTime<Utc>) -> Result<(), String> {
        let v = &self.view;
        let closed = v.closed_at.is_some();
        match action {
            Action::Contribute if closed => Err("The CAPA is closed; its record no longer changes.".into()),
            Action::Sign(meaning) => closure_refusal(meaning, org, &v.owner, "CAPA", || {
                baton_domain::capa::closure_refusal(closed, &v.input)
            }),
            _ => Ok(()),
        }
    }

    fn content_hash(&self) -> Option<&str> {
        Some(&self.view.content_hash)
    }

    fn row_version(&self) -> Option<i64> {
        Some(self.view.row_version)
    }
}
