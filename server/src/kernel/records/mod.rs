//! The record types under the kernel: what each loads and which access facts it states. A new record type is one
//! `impl Record` here or in a submodule named after its area (and its `RecordType` variant).

mod batches;
mod change_controls;
mod deliveries;
mod deviations;
mod documents;
mod kpi_targets;
mod methods;
mod parameters;
mod risks;
mod workspace;

pub use batches::Batch;
pub use change_controls::ChangeControl;
pub use deliveries::Delivery;
pub use deviations::{Capa, Deviation};
pub use documents::{Document, Place};
pub use kpi_targets::TargetsVersion;
pub use methods::{Method, MethodResults};
pub use parameters::{ParameterRow, ParameterSet};
pub use risks::Risk;
pub use workspace::{DeliverableRecord, OrgTemplate, Stage};

use crate::kernel::Record;
use crate::store;
use crate::store::agreements::Agreement;
use crate::store::quality::Parties;
use baton_domain::access::{Action, PartnerData, Resource};
use baton_domain::agreement::DataClass;
use baton_domain::ids::{AgreementId, OrgId, PartnershipId, QualityAgreementId, TransferId};
use baton_domain::quality::{QualityAgreement, QualityAgreementState, QualityAgreementVersion, approved_by};
use baton_domain::record::RecordType;
use baton_domain::transfer::TransferDetail;
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

/// Data of `class` (or the overview, `None`) inside `transfer`, owned by `owner`: the facts the rule decides on for
/// every record inside a transfer.
pub fn transfer_data(transfer: &TransferDetail, owner: OrgId, class: Option<DataClass>) -> Resource<'_> {
    Resource::Data(PartnerData {
        transfer: Some(transfer.id),
        owner,
        sponsor: transfer.sponsor.id,
        cmo: transfer.cmo.id,
        product: transfer.product_id,
        product_name: &transfer.product,
        data_class: class,
    })
}

/// Data of `class` owned by `owner` in the partnership of `parties` (sponsor, CMO), about `product` (id, name),
/// inside `transfer` or outside any: the facts the rule decides on for partnership records such as batches.
pub fn partner_data<'a>(
    transfer: Option<baton_domain::ids::TransferId>,
    owner: OrgId,
    (sponsor, cmo): (OrgId, OrgId),
    (product, product_name): (baton_domain::ids::ProductId, &'a str),
    class: DataClass,
) -> Resource<'a> {
    Resource::Data(PartnerData { transfer, owner, sponsor, cmo, product, product_name, data_class: Some(class) })
}

impl Record for TransferDetail {
    const TYPE: RecordType = RecordType::Transfer;
    const BAD_ID: &'static str = "That is not a valid transfer id (a UUID).";
    const NOT_FOUND: &'static str = "There is no transfer with this id.";
    const CACHED: bool = true;
    type Id = TransferId;

    async fn load(conn: &mut AnyConnection, id: TransferId, _now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        store::transfers::get(conn, id).await
    }

    fn id(&self) -> TransferId {
        self.id
    }

    fn resource(&self) -> Resource<'_> {
        // The overview (product, sites, stage, dates) is the sponsor's.
        transfer_data(self, self.sponsor.id, None)
    }
}

impl Record for Agreement {
    const TYPE: RecordType = RecordType::Agreement;
    const BAD_ID: &'static str = "That is not a valid agreement id (a UUID).";
    const NOT_FOUND: &'static str = "There is no agreement with this id.";
    type Id = AgreementId;

    async fn load(conn: &mut AnyConnection, id: AgreementId, now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        store::agreements::get(conn, id, now).await
    }

    fn id(&self) -> AgreementId {
        self.facts.id
    }

    fn resource(&self) -> Resource<'_> {
        Resource::Agreement { grantor: self.facts.grantor, grantee: self.facts.grantee }
    }

    fn workflow_allows(&self, action: Action, org: OrgId, now: DateTime<Utc>) -> Result<(), String> {
        self.facts.workflow_allows(action, org, now)
    }

    fn content_hash(&self) -> Option<&str> {
        Some(&self.view.content_hash)
    }

    fn row_version(&self) -> Option<i64> {
        Some(self.view.row_version)
    }
}

/// A partnership and its quality agreement, every version.
#[derive(Clone, Debug)]
pub struct Partnership {
    /// Its two parties.
    pub parties: Parties,
    /// Its quality agreement.
    pub quality: QualityAgreement,
}

impl Record for Partnership {
    const TYPE: RecordType = RecordType::Partnership;
    const BAD_ID: &'static str = "That is not a valid partnership id (a UUID).";
    const NOT_FOUND: &'static str = "There is no partnership with this id.";
    const CACHED: bool = true;
    type Id = PartnershipId;

    async fn load(conn: &mut AnyConnection, id: PartnershipId, _now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        let Some(parties) = store::quality::parties(conn, id).await? else { return Ok(None) };
        let quality = store::quality::load(conn, id, parties.clone()).await?;
        Ok(Some(Partnership { parties, quality }))
    }

    fn id(&self) -> PartnershipId {
        self.quality.partnership_id
    }

    fn resource(&self) -> Resource<'_> {
        Resource::QualityAgreement { sponsor: self.parties.sponsor.id, cmo: self.parties.cmo.id }
    }
}

/// One version of a partnership's quality agreement (what QA signs).
#[derive(Clone, Debug)]
pub struct QualityVersion {
    /// The partnership, with every version.
    pub partnership: Partnership,
    /// Which version.
    pub id: QualityAgreementId,
}

impl QualityVersion {
    /// The version itself.
    pub fn version(&self) -> Option<&QualityAgreementVersion> {
        self.partnership.quality.versions.iter().find(|v| v.id == self.id)
    }
}

impl Record for QualityVersion {
    const TYPE: RecordType = RecordType::QualityAgreement;
    const BAD_ID: &'static str = "That is not a valid quality agreement id (a UUID).";
    const NOT_FOUND: &'static str = "There is no quality agreement version with this id.";
    type Id = QualityAgreementId;

    async fn load(
        conn: &mut AnyConnection,
        id: QualityAgreementId,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<Self>> {
        let Some(partnership) = store::quality::partnership_of(conn, id).await? else { return Ok(None) };
        Ok(Partnership::load(conn, partnership, now).await?.map(|partnership| QualityVersion { partnership, id }))
    }

    fn id(&self) -> QualityAgreementId {
        self.id
    }

    fn resource(&self) -> Resource<'_> {
        self.partnership.resource()
    }

    fn workflow_allows(&self, action: Action, org: OrgId, _now: DateTime<Utc>) -> Result<(), String> {
        let Some(version) = self.version() else { return Err("This version no longer exists.".into()) };
        match action {
            Action::SignAgreement
                if matches!(version.state, QualityAgreementState::Effective | QualityAgreementState::Superseded) =>
            {
                Err(format!("Version {} is {}.", version.version, version.state.label().to_lowercase()))
            }
            Action::SignAgreement if approved_by(&version.signatures, org) => {
                Err("QA of your organisation has already approved this version.".into())
            }
            _ => Ok(()),
        }
    }

    fn content_hash(&self) -> Option<&str> {
        self.version().map(|v| v.content_hash.as_str())
    }
}
