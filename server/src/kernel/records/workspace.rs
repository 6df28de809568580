//! The transfer workspace's record types: stages (with their gates), deliverables, and stage templates.

use crate::kernel::Record;
use crate::store;
use baton_domain::access::{Action, Resource};
use baton_domain::deliverable::Deliverable;
use baton_domain::ids::{DeliverableId, OrgId, StageId};
use baton_domain::record::RecordType;
use baton_domain::stage::{StageView, workflow};
use baton_domain::stage_template::StageTemplate;
use baton_domain::transfer::TransferDetail;
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

/// A stage, loaded with its transfer and the transfer's whole plan: gates pass in order, so what may be done to a
/// stage depends on its neighbours.
#[derive(Clone, Debug)]
pub struct Stage {
    /// Its transfer (whose access facts it shares: the plan is part of the sponsor's overview).
    pub transfer: TransferDetail,
    /// Every stage of the transfer, in order.
    pub plan: Vec<StageView>,
    /// Which of them this is.
    pub index: usize,
}

impl Stage {
    /// The stage itself.
    pub fn view(&self) -> Option<&StageView> {
        self.plan.get(self.index)
    }

    /// The stage of `transfer`'s plan with id `id`.
    async fn in_plan(conn: &mut AnyConnection, transfer: TransferDetail, id: StageId) -> anyhow::Result<Option<Self>> {
        let plan = store::stages::plan(conn, transfer.id).await?;
        Ok(plan.iter().position(|s| s.id == id).map(|index| Stage { transfer, plan, index }))
    }
}

impl Record for Stage {
    const TYPE: RecordType = RecordType::Stage;
    const BAD_ID: &'static str = "That is not a valid stage id (a UUID).";
    const NOT_FOUND: &'static str = "There is no stage with this id.";
    const CACHED: bool = true;
    type Id = StageId;

    async fn load(conn: &mut AnyConnection, id: StageId, _now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        let Some(transfer_id) = store::stages::transfer_of(conn, id).await? else { return Ok(None) };
        let Some(transfer) = store::transfers::get(conn, transfer_id).await? else { return Ok(None) };
        Stage::in_plan(conn, transfer, id).await
    }

    fn id(&self) -> StageId {
        self.plan[self.index].id
    }

    fn resource(&self) -> Resource<'_> {
        self.transfer.resource()
    }

    fn workflow_allows(&self, action: Action, org: OrgId, _now: DateTime<Utc>) -> Result<(), String> {
        workflow(&self.plan, self.index, action, org)
    }

    fn content_hash(&self) -> Option<&str> {
        self.view().map(|s| s.gate.content_hash.as_str())
    }

    fn row_version(&self) -> Option<i64> {
        self.view().map(|s| s.row_version)
    }
}

/// A deliverable, loaded with its stage (whose gate decides whether it may still change).
#[derive(Clone, Debug)]
pub struct DeliverableRecord {
    /// Its stage.
    pub stage: Stage,
    /// The deliverable.
    pub deliverable: Deliverable,
}

impl Record for DeliverableRecord {
    const TYPE: RecordType = RecordType::Deliverable;
    const BAD_ID: &'static str = "That is not a valid deliverable id (a UUID).";
    const NOT_FOUND: &'static str = "There is no deliverable with this id.";
    type Id = DeliverableId;

    async fn load(conn: &mut AnyConnection, id: DeliverableId, now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        let Some(stage_id) = store::stages::stage_of(conn, id).await? else { return Ok(None) };
        let Some(stage) = Stage::load(conn, stage_id, now).await? else { return Ok(None) };
        let found = stage.view().and_then(|s| s.deliverables.iter().find(|d| d.id == id)).cloned();
        Ok(found.map(|deliverable| DeliverableRecord { stage, deliverable }))
    }

    fn id(&self) -> DeliverableId {
        self.deliverable.id
    }

    fn resource(&self) -> Resource<'_> {
        self.stage.resource()
    }

    fn workflow_allows(&self, action: Action, org: OrgId, now: DateTime<Utc>) -> Result<(), String> {
        match action {
            Action::Plan | Action::Contribute => self.stage.workflow_allows(action, org, now),
            _ => Ok(()),
        }
    }

    fn row_version(&self) -> Option<i64> {
        Some(self.deliverable.row_version)
    }
}

/// An organisation's stage template.
#[derive(Clone, Debug)]
pub struct OrgTemplate {
    /// Whose.
    pub org: OrgId,
    /// The template (the standard one until the organisation writes its own).
    pub template: StageTemplate,
}

impl Record for OrgTemplate {
    const TYPE: RecordType = RecordType::StageTemplates;
    const BAD_ID: &'static str = "That is not a valid organisation id (a UUID).";
    const NOT_FOUND: &'static str = "There is no such organisation.";
    const CACHED: bool = true;
    type Id = OrgId;

    async fn load(conn: &mut AnyConnection, org: OrgId, _now: DateTime<Utc>) -> anyhow::Result<Option<Self>> {
        Ok(Some(OrgTemplate { org, template: store::templates::get(conn, org).await? }))
    }

    fn id(&self) -> OrgId {
        self.org
    }

    fn resource(&self) -> Resource<'_> {
        Resource::Templates { org: self.org }
    }

    fn row_version(&self) -> Option<i64> {
        Some(self.template.row_version)
    }
}
