//! Whether a user may read a record named only by its type and id: how live events and notifications are filtered,
//! at delivery time, by the same rule as every read.

use super::{
    Batch, Capa, ChangeControl, DeliverableRecord, Delivery, Deviation, Document, Method, MethodResults, OrgTemplate,
    ParameterRow, ParameterSet, Partnership, QualityVersion, Risk, Stage, TargetsVersion,
};
use super::{Record, authorize};
use crate::error::AppError;
use crate::store::agreements::Agreement;
use baton_domain::access::Action;
use baton_domain::org::UserProfile;
use baton_domain::record::RecordType;
use baton_domain::transfer::TransferDetail;
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

/// What a reader is shown of a record an event or notification names: its name and the app page that shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Headline {
    /// The record's name as its page heads it.
    pub title: String,
    /// The app path of its page.
    pub link: String,
}

/// Whether `user` may read record `id` of `record_type` now.
pub async fn can_read(
    conn: &mut AnyConnection,
    user: &UserProfile,
    record_type: RecordType,
    id: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    Ok(headline(conn, user, record_type, id, now).await?.is_some())
}

/// What `user` is shown of record `id` of `record_type`, if the rule lets them read it now. A record that no
/// longer exists, or a kind that is not a record (sessions, listings), is not shown. Nothing is audited: the caller
/// learns that a record changed and its name, not what it holds.
pub async fn headline(
    conn: &mut AnyConnection,
    user: &UserProfile,
    record_type: RecordType,
    id: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<Headline>> {
    let c = conn;
    match record_type {
        RecordType::Transfer => {
            readable::<TransferDetail>(c, user, id, now, |t| headline_as(&t.code, format!("/transfers/{}", t.id))).await
        }
        RecordType::Stage => readable::<Stage>(c, user, id, now, stage_headline).await,
        RecordType::Deliverable => {
            readable::<DeliverableRecord>(c, user, id, now, |d| {
                headline_as(&d.deliverable.title, format!("/deliverables/{}", d.deliverable.id))
            })
            .await
        }
        RecordType::ParameterSet => {
            readable::<ParameterSet>(c, user, id, now, |p| {
                headline_as(&p.transfer.code, format!("/transfers/{}/parameters", p.transfer.id))
            })
            .await
        }
        RecordType::Parameter => {
            readable::<ParameterRow>(c, user, id, now, |p| {
                headline_as(&p.transfer.code, format!("/transfers/{}/parameters/{id}", p.transfer.id))
            })
            .await
        }
        RecordType::Risk => {
            readable::<Risk>(c, user, id, now, |r| {
                headline_as(
                    &r.risk.failure_mode.failure_mode,
                    format!("/transfers/{}/risks/{}", r.transfer.id, r.risk.id),
                )
            })
            .await
        }
        RecordType::Method => {
            readable::<Method>(c, user, id, now, |m| {
                let link = format!("/transfers/{}/methods/{}", m.transfer.id, m.method.id);
                headline_as(&m.method.definition.name, link)
            })
            .await
        }
        RecordType::MethodResults => {
            readable::<MethodResults>(c, user, id, now, |r| {
                let m = &r.method;
                headline_as(&m.method.definition.name, format!("/transfers/{}/methods/{}", m.transfer.id, m.method.id))
            })
            .await
        }
        RecordType::Batch => {
            readable::<Batch>(c, user, id, now, |b| {
                headline_as(&b.view.input.number, format!("/batches/{}", b.view.id))
            })
            .await
        }
        RecordType::Delivery => {
            readable::<Delivery>(c, user, id, now, |d| {
                headline_as(&d.view.input.reference, format!("/deliveries/{}", d.view.id))
            })
            .await
        }
        RecordType::Deviation => {
            readable::<Deviation>(c, user, id, now, |d| {
                headline_as(&d.view.number, format!("/deviations/{}", d.view.id))
            })
            .await
        }
        RecordType::Capa => {
            readable::<Capa>(c, user, id, now, |d| headline_as(&d.view.number, format!("/capas/{}", d.view.id))).await
        }
        RecordType::ChangeControl => {
            readable::<ChangeControl>(c, user, id, now, |d| {
                headline_as(&d.view.number, format!("/change-controls/{}", d.view.id))
            })
            .await
        }
        RecordType::Document => {
            readable::<Document>(c, user, id, now, |d| {
                headline_as(&d.view.input.title, format!("/documents/{}", d.view.id))
            })
            .await
        }
        RecordType::StageTemplates => {
            readable::<OrgTemplate>(c, user, id, now, |t| headline_as(&t.template.name, "/stage-template".into())).await
        }
        RecordType::Agreement => {
            readable::<Agreement>(c, user, id, now, |a| {
                headline_as(&a.view.title, format!("/agreements/{}", a.view.id))
            })
            .await
        }
        RecordType::Partnership => {
            readable::<Partnership>(c, user, id, now, |p| partnership_headline(p, user, "quality agreement")).await
        }
        RecordType::QualityAgreement => {
            readable::<QualityVersion>(c, user, id, now, |v| {
                partnership_headline(&v.partnership, user, "quality agreement")
            })
            .await
        }
        RecordType::KpiTargets => {
            readable::<TargetsVersion>(c, user, id, now, |v| {
                headline_as("KPI targets", format!("/partnerships/{}/targets", v.targets.partnership_id))
            })
            .await
        }
        RecordType::QualityHistory
        | RecordType::Scorecard
        | RecordType::TransferList
        | RecordType::AuditTrail
        | RecordType::Session
        | RecordType::Database => Ok(None),
    }
}

fn headline_as(title: &str, link: String) -> Headline {
    Headline { title: title.to_owned(), link }
}

fn stage_headline(stage: &Stage) -> Headline {
    let view = stage.view();
    let (number, name) = view.map_or((0, String::new()), |s| (s.number, s.name.clone()));
    Headline {
        title: format!("{} stage {number} {name}", stage.transfer.code),
        link: format!("/transfers/{}/stages/{number}", stage.transfer.id),
    }
}

/// A partnership's quality agreement is shown on the partnership's page, named after the reader's partner.
fn partnership_headline(partnership: &Partnership, user: &UserProfile, what: &str) -> Headline {
    let quality = &partnership.quality;
    let partner = if quality.sponsor.id == user.organisation.id { &quality.cmo } else { &quality.sponsor };
    Headline { title: format!("{} {what}", partner.name), link: format!("/partners/{}", quality.partnership_id) }
}

async fn readable<R: Record>(
    conn: &mut AnyConnection,
    user: &UserProfile,
    raw_id: &str,
    now: DateTime<Utc>,
    show: impl FnOnce(&R) -> Headline,
) -> anyhow::Result<Option<Headline>> {
    let Ok(id) = raw_id.parse::<R::Id>() else {
        return Ok(None);
    };
    match authorize::<R>(conn, user, id, Action::Read, now).await {
        Ok(record) => Ok(Some(show(record.record()))),
        Err(AppError::Internal(e)) => Err(e),
        Err(_) => Ok(None),
    }
}
