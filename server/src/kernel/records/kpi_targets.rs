//! A version of a partnership's KPI targets: under the same rule as the quality agreement it is an annex of.

use super::Partnership;
use crate::kernel::Record;
use crate::store;
use baton_domain::access::{Action, Resource};
use baton_domain::ids::{KpiTargetsId, OrgId};
use baton_domain::kpi_targets::{KpiTargetVersion, KpiTargets};
use baton_domain::record::RecordType;
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

/// One version of a partnership's KPI targets (what QA edits while a draft, and signs).
#[derive(Clone, Debug)]
pub struct TargetsVersion {
    /// The partnership.
    pub partnership: Partnership,
    /// Its KPI targets, every version.
    pub targets: KpiTargets,
    /// Which version.
    pub id: KpiTargetsId,
}

impl TargetsVersion {
    /// The version itself.
    pub fn version(&self) -> Option<&KpiTargetVersion> {
        self.targets.versions.iter().find(|v| v.id == self.id)
    }
}

impl Record for TargetsVersion {
    const TYPE: RecordType = RecordType::KpiTargets;
    const BAD_ID: &'static str = "That is not a valid KPI target version id (a UUID).";
    const NOT_FOUND: &'static str = "There is no KPI target version with this id.";
    type Id = KpiTargetsId;

    async fn load(conn: &mut AnyConnection, id: KpiTargetsId, now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        let Some(partnership) = store::kpi_targets::partnership_of(conn, id).await? else { return Ok(None) };
        let Some(partnership) = Partnership::load(conn, partnership, now).await? else { return Ok(None) };
        let targets = store::kpi_targets::load(conn, partnership.id(), partnership.parties.clone()).await?;
        Ok(Some(TargetsVersion { partnership, targets, id }))
    }

    fn id(&self) -> KpiTargetsId {
        self.id
    }

    fn resource(&self) -> Resource<'_> {
        // The targets are an annex of the quality agreement: QA (or an admin) of either party drafts, QA signs.
        self.partnership.resource()
    }

    fn workflow_allows(&self, action: Action, org: OrgId, _now: DateTime<Utc>) -> Result<(), String> {
        self.version().ok_or_else(|| "This version no longer exists.".to_owned())?.workflow_allows(action, org)
    }

    fn content_hash(&self) -> Option<&str> {
        self.version().map(|v| v.content_hash.as_str())
    }
}
