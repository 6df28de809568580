//! Documents: data of their class inside a transfer (or, on a batch or deviation outside any transfer, inside that
//! record's partnership and product), owned by the organisation that started them, so the other party reaches them
//! only through an agreement the owner granted. Their steps are signed by the owner's people on the content hash
//! (the document and its latest file).

use super::partner_data;
use crate::kernel::Record;
use crate::store;
use crate::store::documents::{DocumentRow, StoredVersion};
use baton_domain::access::{Action, Resource};
use baton_domain::agreement::DataClass;
use baton_domain::document::{self, DocumentInput, DocumentStatus, DocumentView};
use baton_domain::ids::{DocumentId, OrgId, ProductId, TransferId};
use baton_domain::org::OrgRef;
use baton_domain::record::RecordType;
use baton_domain::signature::{Meaning, content_hash};
use baton_domain::transfer::TransferDetail;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::AnyConnection;

/// The partnership a document is data of: its transfer's, or, for a document on a batch or deviation outside any
/// transfer, that record's (its parties and product, no transfer), as the record itself is.
#[derive(Clone, Debug)]
pub struct Place {
    /// The transfer; `None` outside any.
    pub transfer: Option<TransferId>,
    /// The sponsor.
    pub sponsor: OrgRef,
    /// The CMO.
    pub cmo: OrgRef,
    /// The product, id and name.
    pub product: (ProductId, String),
}

impl Place {
    /// The place of data inside `transfer`.
    pub fn of_transfer(transfer: &TransferDetail) -> Place {
        Place {
            transfer: Some(transfer.id),
            sponsor: transfer.sponsor.clone(),
            cmo: transfer.cmo.clone(),
            product: (transfer.product_id, transfer.product.clone()),
        }
    }

    /// Where a document with `input` belongs: its transfer, or the batch's or deviation's partnership when it names
    /// no transfer; `None` when that record does not exist.
    pub async fn of(conn: &mut AnyConnection, input: &DocumentInput) -> anyhow::Result<Option<Place>> {
        if let Some(transfer) = input.transfer {
            return Ok(store::transfers::get(conn, transfer).await?.as_ref().map(Place::of_transfer));
        }
        if let Some(batch) = input.batch {
            return Ok(store::batches::get(conn, batch).await?.map(|b| Place {
                transfer: b.view.input.transfer,
                sponsor: b.view.sponsor,
                cmo: b.view.cmo,
                product: (b.view.product.id, b.view.product.name),
            }));
        }
        if let Some(deviation) = input.deviation {
            return Ok(store::deviations::get(conn, deviation).await?.map(|d| Place {
                transfer: d.input.transfer,
                sponsor: d.sponsor,
                cmo: d.cmo,
                product: (d.product.id, d.product.name),
            }));
        }
        Ok(None)
    }

    /// The party of the two that is `org`, if either is.
    pub fn party(&self, org: OrgId) -> Option<&OrgRef> {
        [&self.sponsor, &self.cmo].into_iter().find(|p| p.id == org)
    }

    /// Data of `class` owned by `owner` here: the facts the rule decides on.
    pub fn resource(&self, owner: OrgId, class: DataClass) -> Resource<'_> {
        partner_data(self.transfer, owner, (self.sponsor.id, self.cmo.id), (self.product.0, &self.product.1), class)
    }
}

/// A document with its place and versions.
#[derive(Clone, Debug)]
pub struct Document {
    /// Its transfer or partnership, whose parties and product the rule decides on.
    pub place: Place,
    /// Its versions with where their files are kept, newest first.
    pub stored: Vec<StoredVersion>,
    /// As its page shows it (actions left empty).
    pub view: DocumentView,
}

impl Document {
    /// The latest version's status, if any version was uploaded.
    pub fn status(&self) -> Option<DocumentStatus> {
        self.view.status
    }
}

/// What a step's signature is bound to: the document's identity and its latest file.
fn content(row: &DocumentRow, latest: Option<&StoredVersion>) -> serde_json::Value {
    let version = latest.map(|v| &v.version);
    json!({"document": row.id, "transfer": row.transfer, "owner": row.owner, "values": row.input,
        "version": version.map(|v| v.number), "sha256": version.map(|v| &v.sha256),
        "file_name": version.map(|v| &v.file_name)})
}

impl Record for Document {
    const TYPE: RecordType = RecordType::Document;
    const BAD_ID: &'static str = "That is not a valid document id (a UUID).";
    const NOT_FOUND: &'static str = "There is no document with this id.";
    const CACHED: bool = true;
    type Id = DocumentId;

    async fn load(conn: &mut AnyConnection, id: DocumentId, _now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        let Some(row) = store::documents::get(conn, id).await? else { return Ok(None) };
        let Some(place) = Place::of(conn, &row.input).await? else { return Ok(None) };
        let stored = store::documents::versions(conn, id).await?;
        let hash = content_hash(&content(&row, stored.first()));
        let mut signatures = store::signatures::for_records(conn, RecordType::Document, &[id.to_string()])
            .await?
            .remove(&id.to_string());
        let signatures = signatures
            .take()
            .unwrap_or_default()
            .into_iter()
            .map(|s| baton_domain::signature::Signature { valid: s.content_hash == hash, ..s })
            .collect();
        let owner = place.party(row.owner).unwrap_or(&place.sponsor).clone();
        let view = DocumentView {
            id,
            input: row.input.clone(),
            owner,
            status: stored.first().map(|v| v.version.status),
            versions: stored.iter().map(|v| v.version.clone()).collect(),
            signatures,
            content_hash: hash,
            created_at: row.created_at,
            actions: Vec::new(),
        };
        Ok(Some(Document { place, stored, view }))
    }

    fn id(&self) -> DocumentId {
        self.view.id
    }

    fn resource(&self) -> Resource<'_> {
        self.place.resource(self.view.owner.id, self.view.input.data_class)
    }

    fn workflow_allows(&self, action: Action, org: OrgId, _now: DateTime<Utc>) -> Result<(), String> {
        let owner = &self.view.owner;
        let refusal = match action {
            Action::Contribute => document::upload_refusal(self.status()),
            Action::Download if self.stored.is_empty() => Some("No file has been uploaded yet.".into()),
            Action::Sign(_) if org != owner.id => {
                Some(format!("This document is {}'s: only {}'s people sign its steps.", owner.name, owner.name))
            }
            Action::Sign(Meaning::Authored) => document::review_refusal(self.status()),
            Action::Sign(Meaning::Approved) => document::approval_refusal(self.status()),
            Action::Sign(_) => Some("A document's steps are submitting for review and approval.".into()),
            _ => None,
        };
        refusal.map_or(Ok(()), Err)
    }

    fn content_hash(&self) -> Option<&str> {
        Some(&self.view.content_hash)
    }
}
