//! Batches: the CMO's records, reached by the sponsor only through an agreement the CMO grants. The quality
//! agreement in effect names the party whose QA dispositions them.

use super::partner_data;
use crate::kernel::Record;
use crate::store;
use baton_domain::access::{Action, Resource};
use baton_domain::agreement::DataClass;
use baton_domain::batch::{BatchView, DispositionRecord, disposition_refusal};
use baton_domain::deviation::DeviationStatus;
use baton_domain::ids::{BatchId, OrgId};
use baton_domain::quality::BATCH_RELEASE;
use baton_domain::record::RecordType;
use baton_domain::signature::{Meaning, content_hash};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::AnyConnection;

/// A batch with its results, deviations and disposition.
#[derive(Clone, Debug)]
pub struct Batch {
    /// As its page shows it (actions left empty).
    pub view: BatchView,
}

impl Batch {
    /// Why `meaning` (released or rejected) cannot be signed now, if it cannot.
    fn disposition_refusal(&self, meaning: Meaning, org: OrgId) -> Option<String> {
        let disposition = match meaning {
            Meaning::Released => baton_domain::batch::Disposition::Released,
            Meaning::Rejected => baton_domain::batch::Disposition::Rejected,
            _ => return Some("A batch is signed as released or rejected.".into()),
        };
        if org != self.view.disposing_party.id {
            return Some(format!(
                "Under the quality agreement, {}'s QA dispositions this partnership's batches.",
                self.view.disposing_party.name
            ));
        }
        let open: Vec<&str> = self
            .view
            .deviations
            .iter()
            .filter(|d| d.status != DeviationStatus::Closed)
            .map(|d| d.number.as_str())
            .collect();
        let oos: Vec<&str> = self.view.results.iter().filter(|r| r.out_of_spec).map(|r| r.test.as_str()).collect();
        disposition_refusal(self.view.status, disposition, &open, &oos)
    }
}

/// The content a disposition signs: the batch's values, its results and its deviations as they stand.
fn signed_content(view: &BatchView) -> serde_json::Value {
    let results: Vec<_> = view.results.iter().map(|r| json!({"id": r.id, "test": r.test, "value": r.value})).collect();
    let deviations: Vec<_> = view.deviations.iter().map(|d| json!({"id": d.id, "status": d.status})).collect();
    json!({"batch": view.id, "values": view.input, "results": results, "deviations": deviations})
}

impl Record for Batch {
    const TYPE: RecordType = RecordType::Batch;
    const BAD_ID: &'static str = "That is not a valid batch id (a UUID).";
    const NOT_FOUND: &'static str = "There is no batch with this id.";
    type Id = BatchId;

    async fn load(conn: &mut AnyConnection, id: BatchId, now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        let Some(stored) = store::batches::get(conn, id).await? else { return Ok(None) };
        let mut view = stored.view;
        view.results = store::batches::results(conn, id).await?;
        view.deviations = store::batches::deviations(conn, id).await?;
        if let Some(party) = disposing_party(conn, &view, now).await? {
            view.disposing_party = party;
        }
        view.content_hash = content_hash(&signed_content(&view));
        if let Some(disposition) = stored.disposition {
            let mut signatures = store::signatures::for_records(conn, RecordType::Batch, &[id.to_string()]).await?;
            let signature = signatures.remove(&id.to_string()).and_then(|mut s| s.pop());
            if let Some(mut signature) = signature {
                signature.valid = true;
                view.disposition =
                    Some(DispositionRecord { disposition, reason: stored.disposition_reason, signature });
            }
        }
        Ok(Some(Batch { view }))
    }

    fn id(&self) -> BatchId {
        self.view.id
    }

    fn resource(&self) -> Resource<'_> {
        let v = &self.view;
        partner_data(
            v.input.transfer,
            v.cmo.id,
            (v.sponsor.id, v.cmo.id),
            (v.product.id, &v.product.name),
            DataClass::BatchRecords,
        )
    }

    fn workflow_allows(&self, action: Action, org: OrgId, _now: DateTime<Utc>) -> Result<(), String> {
        match action {
            Action::Contribute if !self.view.status.is_open() => {
                Err(format!("The batch is {}; its record no longer changes.", self.view.status.label().to_lowercase()))
            }
            Action::Sign(meaning) => self.disposition_refusal(meaning, org).map_or(Ok(()), Err),
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

/// The party the partnership's quality agreement in effect makes accountable for batch release.
async fn disposing_party(
    conn: &mut AnyConnection,
    view: &BatchView,
    _now: DateTime<Utc>,
) -> anyhow::Result<Option<baton_domain::org::OrgRef>> {
    let Some(partnership) = store::agreements::partnership(conn, view.sponsor.id, view.cmo.id).await? else {
        return Ok(None);
    };
    let Some(parties) = store::quality::parties(conn, partnership).await? else { return Ok(None) };
    let quality = store::quality::load(conn, partnership, parties).await?;
    Ok(quality.accountable_for(BATCH_RELEASE).cloned())
}
