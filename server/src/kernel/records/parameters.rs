//! Process parameters under the kernel: each side of a transfer as a whole (what is read, imported and exported)
//! and each row. The sending unit's side is the sponsor's data, the receiving unit's the CMO's.

use crate::kernel::Record;
use crate::store;
use crate::store::parameters::Stored;
use baton_domain::access::Resource;
use baton_domain::agreement::DataClass;
use baton_domain::ids::{OrgId, ParameterId};
use baton_domain::parameter_table::{ParameterSetId, Side, StoredRu, StoredSu};
use baton_domain::record::RecordType;
use baton_domain::transfer::TransferDetail;
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

/// Whose data one side of `transfer` is.
pub fn owner_of(transfer: &TransferDetail, side: Side) -> OrgId {
    match side {
        Side::Su => transfer.sponsor.id,
        Side::Ru => transfer.cmo.id,
    }
}

fn resource(transfer: &TransferDetail, side: Side) -> Resource<'_> {
    super::transfer_data(transfer, owner_of(transfer, side), Some(DataClass::ProcessParameters))
}

/// One side's parameters of a transfer, every row.
#[derive(Clone, Debug)]
pub struct ParameterSet {
    /// The transfer.
    pub transfer: TransferDetail,
    /// Which side.
    pub side: Side,
    /// The SU rows, if this is the SU side.
    pub su: Vec<StoredSu>,
    /// The RU rows, if this is the RU side.
    pub ru: Vec<StoredRu>,
}

impl Record for ParameterSet {
    const TYPE: RecordType = RecordType::ParameterSet;
    const BAD_ID: &'static str = "That is not a valid transfer id (a UUID).";
    const NOT_FOUND: &'static str = "There is no transfer with this id.";
    type Id = ParameterSetId;

    async fn load(conn: &mut AnyConnection, id: ParameterSetId, _now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        let Some(transfer) = store::transfers::get(conn, id.transfer).await? else { return Ok(None) };
        let (mut su, mut ru) = (Vec::new(), Vec::new());
        for row in store::parameters::side(conn, id.transfer, id.side).await? {
            match row {
                Stored::Su(s) => su.push(s),
                Stored::Ru(r) => ru.push(r),
            }
        }
        Ok(Some(ParameterSet { transfer, side: id.side, su, ru }))
    }

    fn id(&self) -> ParameterSetId {
        ParameterSetId { transfer: self.transfer.id, side: self.side }
    }

    fn resource(&self) -> Resource<'_> {
        resource(&self.transfer, self.side)
    }
}

/// One parameter row, with its transfer.
#[derive(Clone, Debug)]
pub struct ParameterRow {
    /// The transfer.
    pub transfer: TransferDetail,
    /// The row.
    pub row: Stored,
}

impl ParameterRow {
    /// Its side.
    pub fn side(&self) -> Side {
        match self.row {
            Stored::Su(_) => Side::Su,
            Stored::Ru(_) => Side::Ru,
        }
    }
}

impl Record for ParameterRow {
    const TYPE: RecordType = RecordType::Parameter;
    const BAD_ID: &'static str = "That is not a valid parameter id (a UUID).";
    const NOT_FOUND: &'static str = "There is no parameter with this id.";
    const CACHED: bool = true;
    type Id = ParameterId;

    async fn load(conn: &mut AnyConnection, id: ParameterId, _now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        let Some((transfer_id, row)) = store::parameters::get(conn, id).await? else { return Ok(None) };
        let Some(transfer) = store::transfers::get(conn, transfer_id).await? else { return Ok(None) };
        Ok(Some(ParameterRow { transfer, row }))
    }

    fn id(&self) -> ParameterId {
        match &self.row {
            Stored::Su(s) => s.id,
            Stored::Ru(r) => r.id,
        }
    }

    fn resource(&self) -> Resource<'_> {
        resource(&self.transfer, self.side())
    }

    fn row_version(&self) -> Option<i64> {
        Some(match &self.row {
            Stored::Su(s) => s.row_version,
            Stored::Ru(r) => r.row_version,
        })
    }
}
