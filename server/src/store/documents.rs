//! Documents and their versions. A version's row is written only once its file is complete in the document store,
//! so a half-written upload never has a row that names it.

use super::parse_column;
use crate::clock;
use baton_domain::agreement::DataClass;
use baton_domain::document::{DocumentInput, DocumentStatus, DocumentVersion};
use baton_domain::ids::{DocumentId, DocumentVersionId, OrgId, TransferId, UserId};
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, FromRow};

/// A document's own row.
#[derive(Clone, Debug)]
pub struct DocumentRow {
    /// Its id.
    pub id: DocumentId,
    /// Its transfer; `None` for a document on a batch or deviation outside any transfer.
    pub transfer: Option<TransferId>,
    /// The organisation that owns it.
    pub owner: OrgId,
    /// Title, class, stage, deliverable and the record it is attached to.
    pub input: DocumentInput,
    /// When it was started.
    pub created_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct Row {
    id: String,
    transfer_id: Option<String>,
    owner_org_id: String,
    title: String,
    data_class: String,
    stage_id: Option<String>,
    deliverable_id: Option<String>,
    created_at: String,
    method_id: Option<String>,
    batch_id: Option<String>,
    deviation_id: Option<String>,
}

impl TryFrom<Row> for DocumentRow {
    type Error = anyhow::Error;
    fn try_from(r: Row) -> anyhow::Result<Self> {
        let transfer = r.transfer_id.map(|t| parse_column(&t, "documents.transfer_id")).transpose()?;
        Ok(DocumentRow {
            id: parse_column(&r.id, "documents.id")?,
            transfer,
            owner: parse_column(&r.owner_org_id, "documents.owner_org_id")?,
            input: DocumentInput {
                transfer,
                title: r.title,
                data_class: r
                    .data_class
                    .parse::<DataClass>()
                    .map_err(|e| anyhow::anyhow!("documents.data_class: {e:?}"))?,
                stage: r.stage_id.map(|s| parse_column(&s, "documents.stage_id")).transpose()?,
                deliverable: r.deliverable_id.map(|d| parse_column(&d, "documents.deliverable_id")).transpose()?,
                method: r.method_id.map(|m| parse_column(&m, "documents.method_id")).transpose()?,
                batch: r.batch_id.map(|b| parse_column(&b, "documents.batch_id")).transpose()?,
                deviation: r.deviation_id.map(|d| parse_column(&d, "documents.deviation_id")).transpose()?,
            },
            created_at: clock::from_db(&r.created_at)?,
        })
    }
}

const COLUMNS: &str = "id, transfer_id, owner_org_id, title, data_class, stage_id, deliverable_id, created_at, \
    method_id, batch_id, deviation_id";

/// One document.
pub async fn get(conn: &mut AnyConnection, id: DocumentId) -> anyhow::Result<Option<DocumentRow>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM documents WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(DocumentRow::try_from).transpose()
}

/// A transfer's documents, newest first.
pub async fn of_transfer(conn: &mut AnyConnection, transfer: TransferId) -> anyhow::Result<Vec<DocumentRow>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM documents WHERE transfer_id = $1 ORDER BY created_at DESC, id"))
            .bind(transfer.to_string())
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(DocumentRow::try_from).collect()
}

/// A document as the top bar's search matches it: its title, where it is, who owns it and its latest file.
#[derive(Clone, Debug, FromRow)]
pub struct Searchable {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its transfer's code, or the number of the batch or deviation it is on.
    pub place: String,
    /// The owner's name.
    pub owner: String,
    /// The latest version's file name; `None` before the first upload.
    pub file_name: Option<String>,
}

/// The documents of the partnerships `org` is in (theirs and their partners'), newest first, at most `limit`: what a
/// search looks through before the rule decides each match.
pub async fn searchable(conn: &mut AnyConnection, org: OrgId, limit: i64) -> anyhow::Result<Vec<Searchable>> {
    let party = "(x.sponsor_org_id = $1 OR x.cmo_org_id = $1)";
    let sql = format!(
        "SELECT d.id, d.title, COALESCE(t.code, b.number, v.number, '') AS place, o.name AS owner, \
         (SELECT dv.file_name FROM document_versions dv WHERE dv.document_id = d.id ORDER BY dv.number DESC LIMIT 1) \
         AS file_name \
         FROM documents d JOIN organisations o ON o.id = d.owner_org_id \
         LEFT JOIN transfers t ON t.id = d.transfer_id LEFT JOIN batches b ON b.id = d.batch_id \
         LEFT JOIN deviations v ON v.id = d.deviation_id \
         WHERE d.owner_org_id = $1 \
         OR d.transfer_id IN (SELECT x.id FROM transfers x WHERE {party}) \
         OR d.batch_id IN (SELECT x.id FROM batches x WHERE {party}) \
         OR d.deviation_id IN (SELECT x.id FROM deviations x WHERE {party}) \
         ORDER BY d.created_at DESC, d.id LIMIT $2"
    );
    Ok(sqlx::query_as(&sql).bind(org.to_string()).bind(limit).fetch_all(conn).await?)
}

/// The record kinds a document is attached to, by the column naming them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attached {
    /// An analytical method.
    Method,
    /// A batch.
    Batch,
    /// A deviation.
    Deviation,
}

/// The documents attached to record `id` of kind `kind`, newest first.
pub async fn attached_to(conn: &mut AnyConnection, kind: Attached, id: &str) -> anyhow::Result<Vec<DocumentRow>> {
    let column = match kind {
        Attached::Method => "method_id",
        Attached::Batch => "batch_id",
        Attached::Deviation => "deviation_id",
    };
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM documents WHERE {column} = $1 ORDER BY created_at DESC, id"))
            .bind(id)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(DocumentRow::try_from).collect()
}

/// Starts a document.
pub async fn insert(conn: &mut AnyConnection, row: &DocumentRow, by: UserId) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO documents (id, transfer_id, owner_org_id, title, data_class, stage_id, deliverable_id, \
         created_by, created_at, method_id, batch_id, deviation_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(row.id.to_string())
    .bind(row.transfer.map(|t| t.to_string()))
    .bind(row.owner.to_string())
    .bind(row.input.title.trim().to_owned())
    .bind(row.input.data_class.as_str())
    .bind(row.input.stage.map(|s| s.to_string()))
    .bind(row.input.deliverable.map(|d| d.to_string()))
    .bind(by.to_string())
    .bind(clock::to_db(row.created_at))
    .bind(row.input.method.map(|m| m.to_string()))
    .bind(row.input.batch.map(|b| b.to_string()))
    .bind(row.input.deviation.map(|d| d.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct VersionRow {
    id: String,
    number: i64,
    sha256: String,
    size_bytes: i64,
    content_type: String,
    file_name: String,
    storage_key: String,
    status: String,
    uploaded_by: String,
    uploaded_at: String,
}

/// A version with where its file is kept.
#[derive(Clone, Debug)]
pub struct StoredVersion {
    /// As shown.
    pub version: DocumentVersion,
    /// Its file's key in the document store.
    pub storage_key: String,
}

/// A document's versions, newest first, with their uploaders' names.
pub async fn versions(conn: &mut AnyConnection, id: DocumentId) -> anyhow::Result<Vec<StoredVersion>> {
    let rows: Vec<VersionRow> = sqlx::query_as(
        "SELECT v.id, v.number, v.sha256, v.size_bytes, v.content_type, v.file_name, v.storage_key, v.status, \
         u.display_name AS uploaded_by, v.uploaded_at FROM document_versions v JOIN users u ON u.id = v.uploaded_by \
         WHERE v.document_id = $1 ORDER BY v.number DESC",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(StoredVersion {
                version: DocumentVersion {
                    id: parse_column(&r.id, "document_versions.id")?,
                    number: u32::try_from(r.number)?,
                    sha256: r.sha256,
                    size: u64::try_from(r.size_bytes)?,
                    content_type: r.content_type,
                    file_name: r.file_name,
                    uploaded_by: r.uploaded_by,
                    uploaded_at: clock::from_db(&r.uploaded_at)?,
                    status: r
                        .status
                        .parse::<DocumentStatus>()
                        .map_err(|e| anyhow::anyhow!("document_versions.status: {e:?}"))?,
                },
                storage_key: r.storage_key,
            })
        })
        .collect()
}

/// A complete upload, about to be recorded.
pub struct NewVersion<'a> {
    /// Its id.
    pub id: DocumentVersionId,
    /// Its document.
    pub document: DocumentId,
    /// Its number.
    pub number: u32,
    /// SHA-256, hex.
    pub sha256: &'a str,
    /// Bytes.
    pub size: u64,
    /// Checked content type.
    pub content_type: &'a str,
    /// The uploaded file's name.
    pub file_name: &'a str,
    /// Where the file is.
    pub storage_key: &'a str,
}

/// Records a version, in draft.
pub async fn insert_version(
    conn: &mut AnyConnection,
    v: &NewVersion<'_>,
    by: UserId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO document_versions (id, document_id, number, sha256, size_bytes, content_type, file_name, \
         storage_key, status, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(v.id.to_string())
    .bind(v.document.to_string())
    .bind(i64::from(v.number))
    .bind(v.sha256)
    .bind(i64::try_from(v.size)?)
    .bind(v.content_type)
    .bind(v.file_name)
    .bind(v.storage_key)
    .bind(DocumentStatus::Draft.as_str())
    .bind(by.to_string())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets a version's status.
pub async fn set_status(
    conn: &mut AnyConnection,
    version: DocumentVersionId,
    status: DocumentStatus,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE document_versions SET status = $2 WHERE id = $1")
        .bind(version.to_string())
        .bind(status.as_str())
        .execute(conn)
        .await?;
    Ok(())
}
