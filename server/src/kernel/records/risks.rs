//! Failure modes of a transfer's risk register: part of the transfer's plan, so the transfer's owner's data.

use crate::kernel::Record;
use crate::store;
use baton_domain::access::Resource;
use baton_domain::ids::RiskId;
use baton_domain::record::RecordType;
use baton_domain::risk_register::StoredRisk;
use baton_domain::transfer::TransferDetail;
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

/// A failure mode with its transfer.
#[derive(Clone, Debug)]
pub struct Risk {
    /// Its transfer, whose access facts it shares.
    pub transfer: TransferDetail,
    /// The row.
    pub risk: StoredRisk,
}

impl Record for Risk {
    const TYPE: RecordType = RecordType::Risk;
    const BAD_ID: &'static str = "That is not a valid risk id (a UUID).";
    const NOT_FOUND: &'static str = "There is no risk with this id.";
    const CACHED: bool = true;
    type Id = RiskId;

    async fn load(conn: &mut AnyConnection, id: RiskId, _now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        let Some(risk) = store::risks::get(conn, id).await? else { return Ok(None) };
        let Some(transfer) = store::transfers::get(conn, risk.transfer_id).await? else { return Ok(None) };
        Ok(Some(Risk { transfer, risk }))
    }

    fn id(&self) -> RiskId {
        self.risk.id
    }

    fn resource(&self) -> Resource<'_> {
        self.transfer.resource()
    }

    fn row_version(&self) -> Option<i64> {
        Some(self.risk.row_version)
    }
}
