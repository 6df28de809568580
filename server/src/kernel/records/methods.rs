//! Analytical methods under the kernel: the method and its criteria (the sponsor's data), and each site's results
//! (the sending unit's the sponsor's, the receiving unit's the CMO's), all of the analytical-methods class.

use crate::kernel::Record;
use crate::store;
use crate::store::methods::StoredMethod;
use baton_domain::access::Resource;
use baton_domain::agreement::DataClass;
use baton_domain::ids::{MethodId, OrgId};
use baton_domain::method_record::{MethodResultsId, SiteResults};
use baton_domain::method_transfer::Site;
use baton_domain::record::RecordType;
use baton_domain::transfer::TransferDetail;
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

fn resource(transfer: &TransferDetail, owner: OrgId) -> Resource<'_> {
    super::transfer_data(transfer, owner, Some(DataClass::AnalyticalMethods))
}

/// A method with its transfer.
#[derive(Clone, Debug)]
pub struct Method {
    /// Its transfer.
    pub transfer: TransferDetail,
    /// The method.
    pub method: StoredMethod,
}

impl Record for Method {
    const TYPE: RecordType = RecordType::Method;
    const BAD_ID: &'static str = "That is not a valid method id (a UUID).";
    const NOT_FOUND: &'static str = "There is no analytical method with this id.";
    const CACHED: bool = true;
    type Id = MethodId;

    async fn load(conn: &mut AnyConnection, id: MethodId, _now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        let Some(method) = store::methods::get(conn, id).await? else { return Ok(None) };
        let Some(transfer) = store::transfers::get(conn, method.transfer).await? else { return Ok(None) };
        Ok(Some(Method { transfer, method }))
    }

    fn id(&self) -> MethodId {
        self.method.id
    }

    fn resource(&self) -> Resource<'_> {
        resource(&self.transfer, self.transfer.sponsor.id)
    }
}

/// One site's results of a method.
#[derive(Clone, Debug)]
pub struct MethodResults {
    /// The method.
    pub method: Method,
    /// Which site.
    pub site: Site,
    /// Its results.
    pub results: SiteResults,
}

impl Record for MethodResults {
    const TYPE: RecordType = RecordType::MethodResults;
    const BAD_ID: &'static str = "That is not a valid method id (a UUID).";
    const NOT_FOUND: &'static str = "There is no analytical method with this id.";
    type Id = MethodResultsId;

    async fn load(conn: &mut AnyConnection, id: MethodResultsId, now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        let Some(method) = Method::load(conn, id.method, now).await? else { return Ok(None) };
        let results = store::methods::results(conn, id.method, id.site).await?;
        Ok(Some(MethodResults { method, site: id.site, results }))
    }

    fn id(&self) -> MethodResultsId {
        MethodResultsId { method: self.method.method.id, site: self.site }
    }

    fn resource(&self) -> Resource<'_> {
        let transfer = &self.method.transfer;
        let owner = match self.site {
            Site::Su => transfer.sponsor.id,
            Site::Ru => transfer.cmo.id,
        };
        resource(transfer, owner)
    }

    fn row_version(&self) -> Option<i64> {
        Some(self.results.row_version)
    }
}
