//! The caller's inbox: changes to records they follow, mentions, gates waiting for their signature, deliverables due
//! or overdue, agreements ending. Each item is shown only while the rule lets the caller read its record.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::ApiJson;
use crate::kernel::{self, Document, Stage};
use crate::state::AppState;
use crate::store;
use crate::store::notifications::About;
use axum::Json;
use axum::extract::State;
use baton_domain::access::Action;
use baton_domain::error::{ApiError, ErrorBody};
use baton_domain::ids::{DocumentId, StageId};
use baton_domain::notification::{
    AGREEMENT_EXPIRY_DAYS, DELIVERABLE_DUE_DAYS, MarkRead, Notification, NotificationKind, NotificationList,
};
use baton_domain::org::{Role, UserProfile};
use baton_domain::record::RecordType;
use baton_domain::signature::Meaning;
use chrono::{Duration, Utc};
use sqlx::AnyConnection;

/// Items the inbox shows at most.
const SHOWN: i64 = 100;

/// Adds the reminders that hold for `user` now and are not in their inbox yet.
async fn remind(conn: &mut AnyConnection, user: &UserProfile) -> Result<(), AppError> {
    let now = Utc::now();
    let org = user.organisation.id;
    let mut due = Vec::new();
    if user.role == Role::Qa {
        for (id, round) in store::notifications::open_gates(conn, org).await? {
            let Ok(stage) = id.parse::<StageId>() else { continue };
            // Waiting for this user when the rule and the gate's state would let them approve it now.
            if kernel::authorize::<Stage>(conn, user, stage, Action::Sign(Meaning::Approved), now).await.is_ok() {
                let key = format!("gate:{id}:{round}");
                due.push(About {
                    key,
                    kind: NotificationKind::SignatureWaiting,
                    record_type: RecordType::Stage,
                    record_id: id,
                });
            }
        }
        for (id, number) in store::notifications::documents_in_review(conn, org).await? {
            let Ok(document) = id.parse::<DocumentId>() else { continue };
            if kernel::authorize::<Document>(conn, user, document, Action::Sign(Meaning::Approved), now).await.is_ok() {
                due.push(About {
                    key: format!("document:{id}:{number}"),
                    kind: NotificationKind::SignatureWaiting,
                    record_type: RecordType::Document,
                    record_id: id,
                });
            }
        }
    }
    let today = now.date_naive();
    let by = (today + Duration::days(DELIVERABLE_DUE_DAYS)).format("%Y-%m-%d").to_string();
    let lead = user.role == Role::TechTransferLead;
    for (id, due_on) in store::notifications::deliverables_due(conn, user.id, org, lead, &by).await? {
        let overdue = due_on < today.format("%Y-%m-%d").to_string();
        let (kind, word) = if overdue {
            (NotificationKind::DeliverableOverdue, "overdue")
        } else {
            (NotificationKind::DeliverableDue, "due")
        };
        due.push(About {
            key: format!("{word}:{id}:{due_on}"),
            kind,
            record_type: RecordType::Deliverable,
            record_id: id,
        });
    }
    if user.role == Role::Admin {
        let by = now + Duration::days(AGREEMENT_EXPIRY_DAYS);
        for (id, until) in store::notifications::agreements_ending(conn, org, now, by).await? {
            let key = format!("expiring:{id}:{until}");
            due.push(About {
                key,
                kind: NotificationKind::AgreementExpiring,
                record_type: RecordType::Agreement,
                record_id: id,
            });
        }
    }
    for about in &due {
        store::notifications::insert(conn, user.id, about, None, now).await?;
    }
    Ok(())
}

/// The inbox as `user` may see it now; items about records they can no longer read are dropped.
async fn inbox(conn: &mut AnyConnection, user: &UserProfile) -> Result<NotificationList, AppError> {
    let now = Utc::now();
    let mut items = Vec::new();
    let mut gone = Vec::new();
    for stored in store::notifications::recent(conn, user.id, SHOWN).await? {
        match kernel::headline(conn, user, stored.record_type, &stored.record_id, now).await? {
            Some(shown) => items.push(Notification {
                link: match store::notifications::mentioned_comment(&stored.key) {
                    Some(comment) => format!("{}#comment-{comment}", shown.link),
                    None => shown.link,
                },
                key: stored.key,
                kind: stored.kind,
                record_type: stored.record_type,
                record_id: stored.record_id,
                title: shown.title,
                actor_name: stored.actor_name,
                at: stored.at,
                read: stored.read,
            }),
            None => gone.push(stored.key),
        }
    }
    store::notifications::forget(conn, user.id, &gone).await?;
    let unread = i64::try_from(items.iter().filter(|n| !n.read).count()).unwrap_or(i64::MAX);
    Ok(NotificationList { items, unread })
}

/// The caller's inbox, newest first, with its unread count.
#[utoipa::path(get, path = "/notifications", tag = "notifications", security(("session" = [])),
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<NotificationList>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    remind(&mut conn, &user.profile).await?;
    Ok(Json(inbox(&mut conn, &user.profile).await?))
}

/// Marks items of the caller's inbox read (those named, or all); returns the inbox.
#[utoipa::path(post, path = "/notifications/read", tag = "notifications", security(("session" = [])),
    request_body = MarkRead,
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<MarkRead>,
) -> Result<Json<NotificationList>, AppError> {
    if let Some((field, message)) = request.problem() {
        return Err(ApiError::invalid(field, message).into());
    }
    let mut conn = state.db.pool.acquire().await?;
    store::notifications::mark_read(&mut conn, user.profile.id, &request.keys, request.all, Utc::now()).await?;
    Ok(Json(inbox(&mut conn, &user.profile).await?))
}
