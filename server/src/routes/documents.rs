//! Documents: started in a transfer by either party (whoever starts one owns it), uploaded version by version as a
//! raw body streamed into the document store, viewed in the browser or downloaded (stamped and audited), and moved
//! draft → in review → effective by signatures on the content hash.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::file_store::{too_large, unsupported};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::kernel::{self, Document, Shown, Signing, UnitOfWork};
use crate::state::AppState;
use crate::store;
use crate::store::documents::{DocumentRow, NewVersion, StoredVersion};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::document::{
    self, DocumentInput, DocumentList, DocumentSignature, DocumentStatus, DocumentView, VersionQuery,
};
use baton_domain::error::{ApiError, ErrorBody, ErrorCode};
use baton_domain::ids::{DocumentId, DocumentVersionId};
use baton_domain::org::UserProfile;
use baton_domain::signature::Meaning;
use baton_domain::transfer::TransferDetail;
use chrono::Utc;
use serde_json::json;

/// The header naming an uploaded file (percent-encoded UTF-8).
pub const FILE_NAME_HEADER: &str = "x-file-name";

/// The document for its caller, with the actions they may take.
fn respond(document: kernel::Authorized<Document>) -> DocumentView {
    let actions = document.permitted();
    DocumentView { actions, ..document.into_record().view }
}

/// A transfer's documents that the caller may read, newest first (none for a transfer the caller cannot see).
#[utoipa::path(get, path = "/transfers/{id}/documents", tag = "documents", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Transfer id")),
    responses((status = 200, body = DocumentList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocumentList>, AppError> {
    let transfer = kernel::parse_id::<TransferDetail>(&id)?;
    let now = Utc::now();
    let mut records = Vec::new();
    {
        let mut conn = state.db.pool.acquire().await?;
        for row in store::documents::of_transfer(&mut conn, transfer).await? {
            if let Some(record) = <Document as kernel::Record>::load(&mut conn, row.id, now).await? {
                records.push(record);
            }
        }
    }
    let readable = kernel::readable(&state, &user.profile, records).await?;
    let items = readable.into_iter().map(|(d, actions)| DocumentView { actions, ..d.view }).collect();
    let may_start = may_start(&state, &user.profile, transfer, now).await?;
    Ok(Json(DocumentList { items, actions: may_start.then_some(Action::Contribute).into_iter().collect() }))
}

/// Whether `user` may start a document in `transfer`: they read it, are one of its parties, and may add their own
/// data to it.
async fn may_start(
    state: &AppState,
    user: &UserProfile,
    transfer: baton_domain::ids::TransferId,
    now: chrono::DateTime<Utc>,
) -> Result<bool, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let read = match kernel::authorize::<TransferDetail>(&mut conn, user, transfer, Action::Read, now).await {
        Ok(read) => read,
        Err(AppError::Api(_)) => return Ok(false),
        Err(e) => return Err(e),
    };
    let (own, record) = (user.organisation.id, read.record());
    if own != record.sponsor.id && own != record.cmo.id {
        return Ok(false);
    }
    let class = baton_domain::agreement::DataClass::RegulatoryDocuments;
    Ok(kernel::decide_data(&mut conn, user, record, own, class, Action::Contribute, now).await.is_ok())
}

/// Starts a document in a transfer, owned by the caller's organisation; its first file is uploaded next.
#[utoipa::path(post, path = "/documents", tag = "documents", security(("session" = [])),
    request_body = DocumentInput,
    responses((status = 201, body = DocumentView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(input): ApiJson<DocumentInput>,
) -> Result<(StatusCode, Json<DocumentView>), AppError> {
    let mut work = UnitOfWork::begin(&state.db.pool, &user.profile).await?;
    let transfer = match work.authorize::<TransferDetail>(input.transfer, Action::Read).await {
        Err(AppError::Api(e)) if e.code == ErrorCode::NotFound => {
            return Err(ApiError::invalid("transfer", "There is no such transfer.").into());
        }
        other => other?,
    };
    let own = user.profile.organisation.id;
    let record = transfer.record();
    if own != record.sponsor.id && own != record.cmo.id {
        return Err(AppError::new(ErrorCode::NoAccess, "Only the two parties of a transfer add documents to it."));
    }
    let now = work.now();
    kernel::decide_data(work.conn(), &user.profile, record, own, input.data_class, Action::Contribute, now).await?;
    document::validate_input(&input)?;
    check_place(&mut work, &input).await?;
    let id = DocumentId(uuid::Uuid::new_v4());
    let row = DocumentRow { id, transfer: input.transfer, owner: own, input: input.clone(), created_at: now };
    store::documents::insert(work.conn(), &row, user.profile.id).await?;
    let created = work.authorize::<Document>(id, Action::Read).await?;
    let values = serde_json::to_value(&created.record().view.input).map_err(anyhow::Error::from)?;
    work.audit(created.entry(AuditAction::Create, None, Some(values), None)).await?;
    work.commit().await?;
    Ok((StatusCode::CREATED, Json(respond(created))))
}

/// 422 unless the stage and deliverable named are the transfer's (and the deliverable the stage's).
async fn check_place(work: &mut UnitOfWork<'_>, input: &DocumentInput) -> Result<(), AppError> {
    if let Some(stage) = input.stage
        && store::stages::transfer_of(work.conn(), stage).await? != Some(input.transfer)
    {
        return Err(ApiError::invalid("stage", "Choose one of this transfer's stages.").into());
    }
    if let Some(deliverable) = input.deliverable {
        let stage = store::stages::stage_of(work.conn(), deliverable).await?;
        let transfer = match stage {
            Some(stage) => store::stages::transfer_of(work.conn(), stage).await?,
            None => None,
        };
        if transfer != Some(input.transfer) || input.stage.is_some_and(|s| Some(s) != stage) {
            return Err(ApiError::invalid("deliverable", "Choose a deliverable of this transfer (and stage).").into());
        }
    }
    Ok(())
}

/// One document with its versions and signatures.
#[utoipa::path(get, path = "/documents/{id}", tag = "documents", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Document id")),
    responses((status = 200, body = DocumentView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocumentView>, AppError> {
    Ok(Json(respond(kernel::read::<Document>(&state, &user.profile, &id).await?)))
}

/// The uploaded file's name, from its header (percent-encoded UTF-8).
fn file_name(headers: &HeaderMap) -> Result<String, AppError> {
    let raw = headers.get(FILE_NAME_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let decoded = percent_decode(raw)
        .ok_or_else(|| ApiError::invalid("file_name", "The file name (X-File-Name) is not percent-encoded UTF-8."))?;
    document::validate_file_name(&decoded)?;
    Ok(decoded)
}

/// Decodes `%XX` escapes; `None` when they are malformed or the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Uploads a new version. The body is the file, streamed to the store and hashed on the way; its type is checked
/// against its first bytes. The version is recorded only once the file is complete, so a cut upload leaves nothing.
#[utoipa::path(post, path = "/documents/{id}/versions", tag = "documents", security(("session" = [])),
    request_body(content = String, content_type = "application/octet-stream",
        description = "The file's bytes; its type in Content-Type, its name in X-File-Name (percent-encoded)"),
    params(("id" = uuid::Uuid, Path, description = "Document id"),
           ("X-File-Name" = String, Header, description = "The file's name, percent-encoded UTF-8")),
    responses((status = 201, body = DocumentView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<DocumentView>), AppError> {
    let id = kernel::parse_id::<Document>(&id)?;
    {
        // Refused callers are told so before a byte of the file is read.
        let mut conn = state.db.pool.acquire().await?;
        kernel::authorize::<Document>(&mut conn, &user.profile, id, Action::Contribute, Utc::now()).await?;
    }
    let declared = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let Some((content_type, _)) = document::accepted_type(declared) else { return Err(unsupported(declared)) };
    let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if length.is_some_and(|l| l > state.files.max_bytes) {
        return Err(too_large(state.files.max_bytes));
    }
    let name = file_name(&headers)?;
    let version = DocumentVersionId(uuid::Uuid::new_v4());
    let key = format!("{id}/{version}");
    let stored = state.files.put(&key, content_type, body.into_data_stream()).await?;
    let recorded = record_version(
        &state,
        &user.profile,
        id,
        NewVersion {
            id: version,
            document: id,
            number: 0,
            sha256: &stored.sha256,
            size: stored.size,
            content_type,
            file_name: &name,
            storage_key: &key,
        },
    )
    .await;
    match recorded {
        Ok(view) => Ok((StatusCode::CREATED, Json(view))),
        Err(e) => {
            // No row names the file: remove it rather than leave it unreachable.
            state.files.discard(&key).await;
            Err(e)
        }
    }
}

/// Records a complete upload as the document's next version, in draft; a draft it replaces is superseded.
async fn record_version(
    state: &AppState,
    user: &UserProfile,
    id: DocumentId,
    mut version: NewVersion<'_>,
) -> Result<DocumentView, AppError> {
    let mut work = UnitOfWork::begin(&state.db.pool, user).await?;
    let document = work.authorize::<Document>(id, Action::Contribute).await?;
    let latest = document.record().stored.first().map(|v| &v.version);
    version.number = latest.map_or(1, |v| v.number + 1);
    if let Some(draft) = latest.filter(|v| v.status == DocumentStatus::Draft) {
        store::documents::set_status(work.conn(), draft.id, DocumentStatus::Superseded).await?;
    }
    let now = work.now();
    store::documents::insert_version(work.conn(), &version, user.id, now).await?;
    let new = json!({"version": version.number, "sha256": version.sha256, "size": version.size,
        "content_type": version.content_type, "file_name": version.file_name, "status": DocumentStatus::Draft});
    let old = latest.map(|v| json!({"version": v.number, "sha256": v.sha256, "status": v.status}));
    work.audit(document.entry(AuditAction::Update, old, Some(new), None)).await?;
    let changed = work.authorize::<Document>(id, Action::Read).await?;
    work.commit().await?;
    Ok(respond(changed))
}

/// The version `query` names, or the latest; 404 when there is none.
fn chosen(document: &Document, query: &VersionQuery) -> Result<StoredVersion, AppError> {
    let found = match query.version {
        Some(n) => document.stored.iter().find(|v| v.version.number == n),
        None => document.stored.first(),
    };
    found.cloned().ok_or_else(|| AppError::new(ErrorCode::NotFound, "This document has no such version."))
}

/// `attachment` or `inline` with the file's name, ASCII-safe and in full (RFC 6266 / 5987).
fn disposition(kind: &str, name: &str) -> HeaderValue {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let encoded = baton_domain::url_encoding::encode_component(name);
    HeaderValue::from_str(&format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// The file of `version` as the response body, streamed from the store.
async fn file_response(
    state: &AppState,
    version: &StoredVersion,
    disposition: HeaderValue,
) -> Result<Response, AppError> {
    let stream = state.files.get(&version.storage_key).await?;
    let content_type = HeaderValue::from_str(&version.version.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(version.version.size));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // The file is shown as itself, never as a page that can run script or reach anything.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

/// A version's file (the latest, or `version`) shown in the browser: PDF and images only; needs view permission.
#[utoipa::path(get, path = "/documents/{id}/view", tag = "documents", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Document id"), VersionQuery),
    responses((status = 200, description = "The file, shown inline", content((String = "application/pdf"),
        (String = "image/jpeg"), (String = "image/png"), (String = "image/webp"))),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn view(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    query: ApiQuery<VersionQuery>,
) -> Result<Response, AppError> {
    let read = kernel::read::<Document>(&state, &user.profile, &id).await?;
    let version = chosen(read.record(), &query)?;
    if !document::viewable_inline(&version.version.content_type) {
        let message = "This file cannot be shown in the browser; download it (which needs download permission).";
        return Err(AppError::new(ErrorCode::Conflict, message));
    }
    file_response(&state, &version, disposition("inline", &version.version.file_name)).await
}

/// A version's file as a download: its name stamped with the recipient organisation and the time, and the download
/// on the owner's audit trail with the version and name it went out under.
#[utoipa::path(get, path = "/documents/{id}/download", tag = "documents", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Document id"), VersionQuery),
    responses((status = 200, content_type = "application/octet-stream", body = String),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    query: ApiQuery<VersionQuery>,
) -> Result<Response, AppError> {
    let id = kernel::parse_id::<Document>(&id)?;
    let now = Utc::now();
    let authorized = {
        let mut conn = state.db.pool.acquire().await?;
        kernel::authorize::<Document>(&mut conn, &user.profile, id, Action::Download, now).await?
    };
    let version = chosen(authorized.record(), &query)?;
    let name = document::stamped_file_name(&version.version.file_name, &user.profile.organisation.name, now);
    let new = json!({"version": version.version.number, "sha256": version.version.sha256, "file_name": name,
        "recipient": user.profile.organisation.name});
    state.audit.append(authorized.entry(AuditAction::Download, None, Some(new), None), now).await?;
    let mut response = file_response(&state, &version, disposition("attachment", &name)).await?;
    // A download is saved, not shown: whatever its type, the browser offers to save it.
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    Ok(response)
}

/// Signs a step of the latest version and moves it to `to`.
async fn step(
    state: &AppState,
    user: &UserProfile,
    raw_id: &str,
    request: DocumentSignature,
    meaning: Meaning,
    to: DocumentStatus,
) -> Result<DocumentView, AppError> {
    let id = kernel::parse_id::<Document>(raw_id)?;
    let signing = Signing {
        action: Action::Sign(meaning),
        meaning,
        shown: Shown::Hash(&request.content_hash),
        password: request.password,
    };
    let (mut work, document) = kernel::sign::<Document>(state, user, id, signing, || Ok(())).await?;
    let record = document.record();
    let Some(latest) = record.stored.first().map(|v| v.version.clone()) else {
        return Err(AppError::new(ErrorCode::Conflict, "No file has been uploaded yet."));
    };
    if to == DocumentStatus::Effective {
        for earlier in record.stored.iter().skip(1).filter(|v| v.version.status == DocumentStatus::Effective) {
            store::documents::set_status(work.conn(), earlier.version.id, DocumentStatus::Superseded).await?;
            let old = json!({"version": earlier.version.number, "status": DocumentStatus::Effective});
            let new = json!({"version": earlier.version.number, "status": DocumentStatus::Superseded});
            work.audit(document.entry(AuditAction::StateChange, Some(old), Some(new), None)).await?;
        }
    }
    store::documents::set_status(work.conn(), latest.id, to).await?;
    let old = json!({"version": latest.number, "status": latest.status});
    let new = json!({"version": latest.number, "status": to});
    work.audit(document.entry(AuditAction::StateChange, Some(old), Some(new), None)).await?;
    let changed = work.authorize::<Document>(id, Action::Read).await?;
    work.commit().await?;
    Ok(respond(changed))
}

/// The author submits the latest draft for review: signed "authored" on the content hash shown.
#[utoipa::path(post, path = "/documents/{id}/review", tag = "documents", security(("session" = [])),
    request_body = DocumentSignature, params(("id" = uuid::Uuid, Path, description = "Document id")),
    responses((status = 200, body = DocumentView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<DocumentSignature>,
) -> Result<Json<DocumentView>, AppError> {
    Ok(Json(step(&state, &user.profile, &id, request, Meaning::Authored, DocumentStatus::InReview).await?))
}

/// The owner's QA approves the version in review, signed: it becomes effective and supersedes the one before.
#[utoipa::path(post, path = "/documents/{id}/approval", tag = "documents", security(("session" = [])),
    request_body = DocumentSignature, params(("id" = uuid::Uuid, Path, description = "Document id")),
    responses((status = 200, body = DocumentView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<DocumentSignature>,
) -> Result<Json<DocumentView>, AppError> {
    Ok(Json(step(&state, &user.profile, &id, request, Meaning::Approved, DocumentStatus::Effective).await?))
}
