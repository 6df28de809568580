//! Documents: started in a transfer by either party (whoever starts one owns it), uploaded version by version as a
//! raw body streamed into the document store, viewed in the browser or downloaded (stamped and audited), and moved
//! draft → in review → effective by signatures on the content hash.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::file_store::{too_large, unsupported};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::kernel::{self, Batch, Deviation, Document, Method, Place, Shown, Signing, UnitOfWork};
use crate::state::AppState;
use crate::store;
use crate::store::documents::{Attached, DocumentRow, NewVersion, StoredVersion};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use baton_domain::access::Action;
use baton_domain::agreement::DataClass;
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
use futures_util::StreamExt;
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
    let actions = may_start.then_some(Action::Contribute).into_iter().collect();
    Ok(Json(DocumentList { items, actions }))
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
    may_start_in(&mut conn, user, &Place::of_transfer(read.record()), now).await
}

/// Whether `user`, who reads `place`, may start a document there: they are one of its parties and may add their own
/// data to it.
async fn may_start_in(
    conn: &mut sqlx::AnyConnection,
    user: &UserProfile,
    place: &Place,
    now: chrono::DateTime<Utc>,
) -> Result<bool, AppError> {
    let own = user.organisation.id;
    if place.party(own).is_none() {
        return Ok(false);
    }
    let resource = place.resource(own, DataClass::RegulatoryDocuments);
    Ok(kernel::decide_on(conn, user, &resource, Action::Contribute, now).await.is_ok())
}

/// Starts a document in a transfer (or on a batch or deviation outside any), owned by the caller's organisation;
/// its first file is uploaded next.
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
    // A document on a method, batch or deviation needs that record read (checked below), not the transfer's
    // overview: a CMO attaches its batch record to its own batch in a transfer whose overview it is not shown.
    if let Some(transfer) = input.transfer.filter(|_| input.attached().is_none()) {
        match work.authorize::<TransferDetail>(transfer, Action::Read).await {
            Err(AppError::Api(e)) if e.code == ErrorCode::NotFound => {
                return Err(ApiError::invalid("transfer", "There is no such transfer.").into());
            }
            other => other?,
        };
    }
    document::validate_input(&input)?;
    check_attached(&mut work, &input).await?;
    let Some(place) = Place::of(work.conn(), &input).await? else {
        return Err(ApiError::invalid("transfer", "There is no such transfer.").into());
    };
    let own = user.profile.organisation.id;
    if place.party(own).is_none() {
        let message = "Only the two parties of a transfer (or partnership) add documents to it.";
        return Err(AppError::new(ErrorCode::NoAccess, message));
    }
    let now = work.now();
    let resource = place.resource(own, input.data_class);
    kernel::decide_on(work.conn(), &user.profile, &resource, Action::Contribute, now).await?;
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

/// 422 naming the field unless the method, batch or deviation named is one the uploader reads, in the document's
/// transfer (or, with no transfer, outside any). A record the uploader cannot read is refused as one that does not
/// exist, so the answer tells nothing about it.
async fn check_attached(work: &mut UnitOfWork<'_>, input: &DocumentInput) -> Result<(), AppError> {
    /// The record's transfer, when the uploader reads it; `Err(())` when it does not exist or they do not.
    async fn readable<R: kernel::Record>(
        work: &mut UnitOfWork<'_>,
        id: R::Id,
        transfer: impl FnOnce(&R) -> Option<baton_domain::ids::TransferId>,
    ) -> Result<Result<Option<baton_domain::ids::TransferId>, ()>, AppError> {
        match work.authorize::<R>(id, Action::Read).await {
            Ok(read) => Ok(Ok(transfer(read.record()))),
            Err(AppError::Api(_)) => Ok(Err(())),
            Err(e) => Err(e),
        }
    }
    let (field, found) = if let Some(method) = input.method {
        ("method", readable::<Method>(work, method, |m| Some(m.transfer.id)).await?)
    } else if let Some(batch) = input.batch {
        ("batch", readable::<Batch>(work, batch, |b| b.view.input.transfer).await?)
    } else if let Some(deviation) = input.deviation {
        ("deviation", readable::<Deviation>(work, deviation, |d| d.view.input.transfer).await?)
    } else {
        return Ok(());
    };
    if found == Ok(input.transfer) {
        return Ok(());
    }
    let message = match (field, input.transfer) {
        ("method", _) => "Choose one of this transfer's methods that you can see.",
        ("batch", Some(_)) => "Choose one of this transfer's batches that you can see.",
        ("batch", None) => "Choose a batch outside any transfer that you can see (or name its transfer).",
        (_, Some(_)) => "Choose a deviation of this transfer that you can see.",
        (_, None) => "Choose a deviation outside any transfer that you can see (or name its transfer).",
    };
    Err(ApiError::invalid(field, message).into())
}

/// 422 unless the stage and deliverable named are the transfer's (and the deliverable the stage's).
async fn check_place(work: &mut UnitOfWork<'_>, input: &DocumentInput) -> Result<(), AppError> {
    if let Some(stage) = input.stage
        && store::stages::transfer_of(work.conn(), stage).await? != input.transfer
    {
        return Err(ApiError::invalid("stage", "Choose one of this transfer's stages.").into());
    }
    if let Some(deliverable) = input.deliverable {
        let stage = store::stages::stage_of(work.conn(), deliverable).await?;
        let transfer = match stage {
            Some(stage) => store::stages::transfer_of(work.conn(), stage).await?,
            None => None,
        };
        if transfer != input.transfer || input.stage.is_some_and(|s| Some(s) != stage) {
            return Err(ApiError::invalid("deliverable", "Choose a deliverable of this transfer (and stage).").into());
        }
    }
    Ok(())
}

/// The documents attached to a record of kind `kind` that the caller may read, newest first (each decided by the
/// rule on its own, like any document), with `contribute` when they read the record (`place` is where its documents
/// go) and may start one there.
async fn attached(
    state: &AppState,
    user: &UserProfile,
    kind: Attached,
    id: &str,
    place: Option<Place>,
) -> Result<DocumentList, AppError> {
    let now = Utc::now();
    let mut records = Vec::new();
    let may_start;
    {
        let mut conn = state.db.pool.acquire().await?;
        for row in store::documents::attached_to(&mut conn, kind, id).await? {
            if let Some(record) = <Document as kernel::Record>::load(&mut conn, row.id, now).await? {
                records.push(record);
            }
        }
        may_start = match place {
            Some(place) => may_start_in(&mut conn, user, &place, now).await?,
            None => false,
        };
    }
    let readable = kernel::readable(state, user, records).await?;
    let items = readable.into_iter().map(|(d, actions)| DocumentView { actions, ..d.view }).collect();
    let actions = may_start.then_some(Action::Contribute).into_iter().collect();
    Ok(DocumentList { items, actions })
}

/// Where a record `R` that `user` reads keeps its documents; `None` when it does not exist or they may not read it.
async fn readable_place<R: kernel::Record>(
    state: &AppState,
    user: &UserProfile,
    raw_id: &str,
    input: impl FnOnce(&R) -> DocumentInput,
) -> Result<Option<Place>, AppError> {
    let id = kernel::parse_id::<R>(raw_id)?;
    let mut conn = state.db.pool.acquire().await?;
    let read = match kernel::authorize::<R>(&mut conn, user, id, Action::Read, Utc::now()).await {
        Ok(read) => read,
        Err(AppError::Api(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Place::of(&mut conn, &input(read.record())).await?)
}

/// A document placed on nothing but `transfer`, or on `batch` / `deviation` when outside any transfer: where the
/// place of a record's documents is looked up.
fn placed(transfer: Option<baton_domain::ids::TransferId>) -> DocumentInput {
    DocumentInput::new(transfer, String::new(), DataClass::RegulatoryDocuments)
}

/// A batch's documents that the caller may read, newest first.
#[utoipa::path(get, path = "/batches/{id}/documents", tag = "documents", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Batch id")),
    responses((status = 200, body = DocumentList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn of_batch(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocumentList>, AppError> {
    let place = readable_place::<Batch>(&state, &user.profile, &id, |b| DocumentInput {
        batch: Some(b.view.id),
        ..placed(b.view.input.transfer)
    })
    .await?;
    Ok(Json(attached(&state, &user.profile, Attached::Batch, &id, place).await?))
}

/// A method's documents that the caller may read, newest first.
#[utoipa::path(get, path = "/methods/{id}/documents", tag = "documents", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Method id")),
    responses((status = 200, body = DocumentList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn of_method(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocumentList>, AppError> {
    let place = readable_place::<Method>(&state, &user.profile, &id, |m| placed(Some(m.transfer.id))).await?;
    Ok(Json(attached(&state, &user.profile, Attached::Method, &id, place).await?))
}

/// A deviation's documents (its photos) that the caller may read, newest first.
#[utoipa::path(get, path = "/deviations/{id}/documents", tag = "documents", security(("session" = [])),
    params(("id" = uuid::Uuid, Path, description = "Deviation id")),
    responses((status = 200, body = DocumentList), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn of_deviation(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocumentList>, AppError> {
    let place = readable_place::<Deviation>(&state, &user.profile, &id, |d| DocumentInput {
        deviation: Some(d.view.id),
        ..placed(d.view.input.transfer)
    })
    .await?;
    Ok(Json(attached(&state, &user.profile, Attached::Deviation, &id, place).await?))
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

/// How much of a refused upload's body is read (and dropped) before the refusal is sent.
const DRAINED_BYTES: usize = 8 << 20;

/// What an upload is checked for before a byte of its file is read: the caller may add a version, the type is
/// accepted, the declared size is within the limit, the file has a name.
async fn admit(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    headers: &HeaderMap,
) -> Result<(DocumentId, &'static str, String), AppError> {
    let id = kernel::parse_id::<Document>(id)?;
    {
        let mut conn = state.db.pool.acquire().await?;
        kernel::authorize::<Document>(&mut conn, &user.profile, id, Action::Contribute, Utc::now()).await?;
    }
    let declared = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let Some((content_type, _)) = document::accepted_type(declared) else { return Err(unsupported(declared)) };
    let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if length.is_some_and(|l| l > state.files.max_bytes) {
        return Err(too_large(state.files.max_bytes));
    }
    Ok((id, content_type, file_name(headers)?))
}

/// `refused`, once the body that came with it has been read, up to [`DRAINED_BYTES`] and for at most two seconds:
/// a connection closed with unread bytes is reset, and the browser would report a network failure instead of the
/// reason. A larger body is cut off (the app refuses a file over the limit before sending it).
async fn drained(body: Body, refused: AppError) -> AppError {
    let mut stream = body.into_data_stream();
    let mut read = 0;
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), async {
        while let Some(Ok(chunk)) = stream.next().await {
            read += chunk.len();
            if read > DRAINED_BYTES {
                break;
            }
        }
    })
    .await;
    refused
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
    let (id, content_type, name) = match admit(&state, &user, &id, &headers).await {
        Ok(admitted) => admitted,
        Err(refused) => return Err(drained(body, refused).await),
    };
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
