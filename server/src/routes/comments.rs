//! `/comments/{record_type}/{id}`: the discussion beside any record. Reading it needs `Read` on the record, writing
//! needs `Comment` on it (the rule's one answer, through the kernel); a mention names only someone the rule lets read
//! the record. Every post, edit and resolution is on the record's audit trail, an edit with its old and new text.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::json::{ApiJson, ApiPath};
use crate::kernel::{
    self, Authorized, Batch, Capa, ChangeControl, DeliverableRecord, Delivery, Deviation, Document, Method,
    ParameterRow, QualityVersion, Record, Risk, Stage, TargetsVersion, UnitOfWork,
};
use crate::state::AppState;
use crate::store;
use crate::store::agreements::Agreement;
use crate::store::comments::{StoredComment, person};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use baton_domain::access::{Action, Decision};
use baton_domain::audit::AuditAction;
use baton_domain::comment::{
    CommentEdit, CommentInput, CommentVersion, CommentView, Discussion, MAX_MENTIONS, Person, ThreadResolution,
    mention_refusal, mentions_name, validate_text,
};
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::ids::{CommentId, UserId};
use baton_domain::org::UserProfile;
use baton_domain::record::RecordType;
use baton_domain::transfer::TransferDetail;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

/// Calls the generic `$f::<R>(args)` for the record type named in the path (the same types whose history is kept).
macro_rules! on_record {
    ($record_type:expr, $f:ident($($arg:expr),* $(,)?)) => {
        match $record_type.parse::<RecordType>() {
            Ok(RecordType::Agreement) => $f::<Agreement>($($arg),*).await,
            Ok(RecordType::QualityAgreement) => $f::<QualityVersion>($($arg),*).await,
            Ok(RecordType::KpiTargets) => $f::<TargetsVersion>($($arg),*).await,
            Ok(RecordType::Transfer) => $f::<TransferDetail>($($arg),*).await,
            Ok(RecordType::Stage) => $f::<Stage>($($arg),*).await,
            Ok(RecordType::Deliverable) => $f::<DeliverableRecord>($($arg),*).await,
            Ok(RecordType::Parameter) => $f::<ParameterRow>($($arg),*).await,
            Ok(RecordType::Risk) => $f::<Risk>($($arg),*).await,
            Ok(RecordType::Method) => $f::<Method>($($arg),*).await,
            Ok(RecordType::Document) => $f::<Document>($($arg),*).await,
            Ok(RecordType::Batch) => $f::<Batch>($($arg),*).await,
            Ok(RecordType::Delivery) => $f::<Delivery>($($arg),*).await,
            Ok(RecordType::Deviation) => $f::<Deviation>($($arg),*).await,
            Ok(RecordType::Capa) => $f::<Capa>($($arg),*).await,
            Ok(RecordType::ChangeControl) => $f::<ChangeControl>($($arg),*).await,
            _ => Err(ApiError::invalid(
                "record_type",
                "Comments are kept on agreement, quality_agreement, kpi_targets, transfer, stage, deliverable, \
                 parameter, risk, method, document, batch, delivery, deviation, capa and change_control records.",
            )
            .into()),
        }
    };
}

/// Everyone, by id.
async fn people_by_id(conn: &mut AnyConnection) -> anyhow::Result<BTreeMap<UserId, UserProfile>> {
    Ok(store::comments::people(conn).await?.into_iter().map(|p| (p.id, p)).collect())
}

fn person_of(people: &BTreeMap<UserId, UserProfile>, id: UserId) -> Person {
    people.get(&id).map(person).unwrap_or_else(|| Person {
        id,
        name: "Unknown user".into(),
        organisation: String::new(),
        role: baton_domain::org::Role::Viewer,
    })
}

fn view_of(
    comment: StoredComment,
    earlier: Vec<CommentVersion>,
    people: &BTreeMap<UserId, UserProfile>,
    caller: UserId,
) -> CommentView {
    CommentView {
        id: comment.id,
        parent: comment.parent,
        author: person_of(people, comment.author),
        mentions: comment.mentions.iter().map(|m| person_of(people, *m)).collect(),
        text: comment.text,
        created_at: comment.created_at,
        edited_at: comment.edited_at,
        earlier,
        resolved: comment.resolved,
        resolved_by: comment.resolved_by.map(|u| person_of(people, u).name),
        version: comment.row_version,
        mine: comment.author == caller,
    }
}

/// The people `text` and `ids` mention, each checked against the rule: someone who cannot read the record is
/// refused, naming them and why.
async fn mentioned<R: Record>(
    conn: &mut AnyConnection,
    record: &R,
    text: &str,
    ids: &[UserId],
    now: DateTime<Utc>,
) -> Result<Vec<UserId>, AppError> {
    if ids.len() > MAX_MENTIONS {
        return Err(ApiError::invalid("mentions", format!("Mention at most {MAX_MENTIONS} people.")).into());
    }
    let people = store::comments::people(conn).await?;
    let mut chosen = Vec::new();
    for id in ids {
        if !people.iter().any(|p| p.id == *id) {
            return Err(ApiError::invalid("mentions", format!("There is no user with id {id}.")).into());
        }
    }
    for user in &people {
        if !(ids.contains(&user.id) || mentions_name(text, &user.display_name)) || chosen.contains(&user.id) {
            continue;
        }
        if let Decision::Deny(reason) = kernel::decide_read_for(conn, user, record, now).await? {
            return Err(mention_refusal(&person(user), R::TYPE.label(), &reason).into());
        }
        chosen.push(user.id);
    }
    Ok(chosen)
}

/// The comment `raw` on the record `record_id` of type `R`, or 404.
async fn comment_on<R: Record>(
    conn: &mut AnyConnection,
    record: &Authorized<R>,
    raw: &str,
) -> Result<StoredComment, AppError> {
    let not_found = || AppError::new(ErrorCode::NotFound, "There is no such comment on this record.");
    let id: CommentId = raw.parse().map_err(|_| ApiError::invalid("comment", "That is not a comment id (a UUID)."))?;
    let comment = store::comments::get(conn, id).await?.ok_or_else(not_found)?;
    if comment.record != (R::TYPE, record.record().id().to_string()) {
        return Err(not_found());
    }
    Ok(comment)
}

/// One comment as the caller sees it, with its earlier texts.
async fn current_view<R: Record>(
    conn: &mut AnyConnection,
    id: CommentId,
    caller: UserId,
) -> Result<CommentView, AppError> {
    let comment = store::comments::get(conn, id).await?.ok_or_else(|| anyhow::anyhow!("comment {id} vanished"))?;
    let mut earlier = store::comments::earlier_texts(conn, R::TYPE, &comment.record.1).await?;
    let people = people_by_id(conn).await?;
    Ok(view_of(comment, earlier.remove(&id).unwrap_or_default(), &people, caller))
}

async fn discussion<R: Record>(state: &AppState, user: &UserProfile, raw_id: &str) -> Result<Discussion, AppError> {
    let record = kernel::read::<R>(state, user, raw_id).await?;
    let record_id = record.record().id().to_string();
    let mut conn = state.db.pool.acquire().await?;
    let stored = store::comments::of_record(&mut conn, R::TYPE, &record_id).await?;
    let mut earlier = store::comments::earlier_texts(&mut conn, R::TYPE, &record_id).await?;
    let people = people_by_id(&mut conn).await?;
    let comments = stored
        .into_iter()
        .map(|c| {
            let older = earlier.remove(&c.id).unwrap_or_default();
            view_of(c, older, &people, user.id)
        })
        .collect();
    Ok(Discussion { comments, actions: record.permitted() })
}

async fn readers<R: Record>(state: &AppState, user: &UserProfile, raw_id: &str) -> Result<Vec<Person>, AppError> {
    let id = kernel::parse_id::<R>(raw_id)?;
    let now = Utc::now();
    let mut conn = state.db.pool.acquire().await?;
    let record = kernel::authorize::<R>(&mut conn, user, id, Action::Read, now).await?;
    let parties = kernel::parties(&record.record().resource());
    let mut found = Vec::new();
    for candidate in store::comments::people(&mut conn).await? {
        if parties.contains(&candidate.organisation.id)
            && kernel::decide_read_for(&mut conn, &candidate, record.record(), now).await?.is_allowed()
        {
            found.push(person(&candidate));
        }
    }
    Ok(found)
}

async fn post<R: Record>(
    state: &AppState,
    user: &UserProfile,
    raw_id: &str,
    input: &CommentInput,
) -> Result<CommentView, AppError> {
    let id = kernel::parse_id::<R>(raw_id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, user).await?;
    let record = work.authorize::<R>(id, Action::Comment).await?;
    validate_text(&input.text)?;
    let parent = match input.parent {
        Some(parent) => {
            let replied = comment_on(work.conn(), &record, &parent.to_string())
                .await
                .map_err(|_| AppError::from(ApiError::invalid("parent", "Reply to a comment on this record.")))?;
            // Threads are one level deep: a reply to a reply joins its thread.
            Some(replied.parent.unwrap_or(replied.id))
        }
        None => None,
    };
    let now = work.now();
    let mentions = mentioned(work.conn(), record.record(), &input.text, &input.mentions, now).await?;
    let comment = StoredComment {
        id: CommentId(uuid::Uuid::new_v4()),
        record: (R::TYPE, record.record().id().to_string()),
        parent,
        author: user.id,
        text: input.text.clone(),
        mentions: mentions.clone(),
        resolved: false,
        resolved_by: None,
        row_version: 1,
        created_at: now,
        edited_at: None,
    };
    store::comments::insert(work.conn(), &comment).await?;
    notify(work.conn(), user, &comment, &[], now).await?;
    let new = json!({"comment": comment.id, "parent": parent, "text": input.text, "mentions": mentions});
    work.audit(record.entry(AuditAction::Comment, None, Some(new), None)).await?;
    let view = current_view::<R>(work.conn(), comment.id, user.id).await?;
    work.commit().await?;
    Ok(view)
}

/// Puts a mention in the inbox of each person `comment` mentions (but its author, and those `already` told), in the
/// transaction that stores it.
async fn notify(
    conn: &mut sqlx::AnyConnection,
    author: &UserProfile,
    comment: &StoredComment,
    already: &[baton_domain::ids::UserId],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let (record_type, record_id) = (comment.record.0, comment.record.1.as_str());
    for mentioned in comment.mentions.iter().filter(|m| **m != author.id && !already.contains(m)) {
        let id = comment.id.to_string();
        store::notifications::notify_mention(
            conn,
            *mentioned,
            &id,
            (record_type, record_id),
            &author.display_name,
            now,
        )
        .await?;
    }
    Ok(())
}

async fn edit<R: Record>(
    state: &AppState,
    user: &UserProfile,
    (raw_id, raw_comment): (&str, &str),
    input: &CommentEdit,
) -> Result<CommentView, AppError> {
    let id = kernel::parse_id::<R>(raw_id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, user).await?;
    let record = work.authorize::<R>(id, Action::Comment).await?;
    let comment = comment_on(work.conn(), &record, raw_comment).await?;
    if comment.author != user.id {
        return Err(AppError::new(ErrorCode::NoAccess, "Only its author edits a comment; reply to it instead."));
    }
    validate_text(&input.text)?;
    let now = work.now();
    let mentions = mentioned(work.conn(), record.record(), &input.text, &input.mentions, now).await?;
    let stale = || {
        AppError::new(
            ErrorCode::Conflict,
            format!(
                "This comment was edited since you opened it (you saw version {}, it is now version {}): \
                 its text is now \"{}\".",
                input.version, comment.row_version, comment.text
            ),
        )
    };
    if input.version != comment.row_version
        || !store::comments::edit(work.conn(), comment.id, input.version, &input.text, &mentions, now).await?
    {
        return Err(stale());
    }
    let edited = StoredComment { mentions: mentions.clone(), ..comment.clone() };
    notify(work.conn(), user, &edited, &comment.mentions, now).await?;
    let old = json!({"comment": comment.id, "text": comment.text, "mentions": comment.mentions});
    let new = json!({"comment": comment.id, "text": input.text, "mentions": mentions});
    work.audit(record.entry(AuditAction::Comment, Some(old), Some(new), None)).await?;
    let view = current_view::<R>(work.conn(), comment.id, user.id).await?;
    work.commit().await?;
    Ok(view)
}

async fn resolution<R: Record>(
    state: &AppState,
    user: &UserProfile,
    (raw_id, raw_comment): (&str, &str),
    input: &ThreadResolution,
) -> Result<CommentView, AppError> {
    let id = kernel::parse_id::<R>(raw_id)?;
    let mut work = UnitOfWork::begin(&state.db.pool, user).await?;
    let record = work.authorize::<R>(id, Action::Comment).await?;
    let comment = comment_on(work.conn(), &record, raw_comment).await?;
    if comment.parent.is_some() {
        return Err(ApiError::invalid("comment", "Resolve the thread by its first comment.").into());
    }
    if comment.resolved != input.resolved {
        let now = work.now();
        store::comments::resolve(work.conn(), comment.id, input.resolved, user.id, now).await?;
        let old = json!({"comment": comment.id, "resolved": comment.resolved});
        let new = json!({"comment": comment.id, "resolved": input.resolved});
        work.audit(record.entry(AuditAction::Comment, Some(old), Some(new), None)).await?;
    }
    let view = current_view::<R>(work.conn(), comment.id, user.id).await?;
    work.commit().await?;
    Ok(view)
}

/// One record's discussion, oldest first, for anyone who may read the record (a read of a partner's record,
/// audited as one), with what the caller may do.
#[utoipa::path(get, path = "/comments/{record_type}/{id}", tag = "comments", security(("session" = [])),
    params(("record_type" = super::openapi::HistoryRecordType, Path, description = "The kind of record"),
        ("id" = uuid::Uuid, Path, description = "The record's id")),
    responses((status = 200, body = Discussion), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((record_type, id)): ApiPath<(String, String)>,
) -> Result<Json<Discussion>, AppError> {
    on_record!(record_type, discussion(&state, &user.profile, &id)).map(Json)
}

/// The people who can see a record: whom its comments may mention.
#[utoipa::path(get, path = "/comments/{record_type}/{id}/people", tag = "comments", security(("session" = [])),
    params(("record_type" = super::openapi::HistoryRecordType, Path, description = "The kind of record"),
        ("id" = uuid::Uuid, Path, description = "The record's id")),
    responses((status = 200, body = Vec<Person>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn people(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((record_type, id)): ApiPath<(String, String)>,
) -> Result<Json<Vec<Person>>, AppError> {
    on_record!(record_type, readers(&state, &user.profile, &id)).map(Json)
}

/// Comments on a record, or replies in one of its threads; `@Name` and `mentions` name people who can see it.
#[utoipa::path(post, path = "/comments/{record_type}/{id}", tag = "comments", security(("session" = [])),
    request_body = CommentInput,
    params(("record_type" = super::openapi::HistoryRecordType, Path, description = "The kind of record"),
        ("id" = uuid::Uuid, Path, description = "The record's id")),
    responses((status = 201, body = CommentView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((record_type, id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<CommentInput>,
) -> Result<(StatusCode, Json<CommentView>), AppError> {
    on_record!(record_type, post(&state, &user.profile, &id, &input)).map(|v| (StatusCode::CREATED, Json(v)))
}

/// Edits the caller's own comment on the version shown; the earlier text is kept and shown.
#[utoipa::path(put, path = "/comments/{record_type}/{id}/{comment}", tag = "comments", security(("session" = [])),
    request_body = CommentEdit,
    params(("record_type" = super::openapi::HistoryRecordType, Path, description = "The kind of record"),
        ("id" = uuid::Uuid, Path, description = "The record's id"),
        ("comment" = uuid::Uuid, Path, description = "The comment's id")),
    responses((status = 200, body = CommentView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((record_type, id, comment)): ApiPath<(String, String, String)>,
    ApiJson(input): ApiJson<CommentEdit>,
) -> Result<Json<CommentView>, AppError> {
    on_record!(record_type, edit(&state, &user.profile, (&id, &comment), &input)).map(Json)
}

/// Resolves a thread, named by its first comment, or opens it again.
#[utoipa::path(post, path = "/comments/{record_type}/{id}/{comment}/resolution", tag = "comments",
    security(("session" = [])), request_body = ThreadResolution,
    params(("record_type" = super::openapi::HistoryRecordType, Path, description = "The kind of record"),
        ("id" = uuid::Uuid, Path, description = "The record's id"),
        ("comment" = uuid::Uuid, Path, description = "The thread's first comment")),
    responses((status = 200, body = CommentView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn resolve(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((record_type, id, comment)): ApiPath<(String, String, String)>,
    ApiJson(input): ApiJson<ThreadResolution>,
) -> Result<Json<CommentView>, AppError> {
    on_record!(record_type, resolution(&state, &user.profile, (&id, &comment), &input)).map(Json)
}
