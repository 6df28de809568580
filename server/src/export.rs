//! `baton export`: the whole database and every stored document as of one moment, written to a new directory in
//! open formats, for an archive, an inspector, or a move off Baton. No reader needs Baton to read it:
//!
//! - `tables/<table>.jsonl`: every row of every table, one JSON object a line, columns in the schema's order;
//! - `documents/<sha256>`: each stored file once, named by its SHA-256, which was checked while it was copied;
//! - `manifest.json`: when, from which engine and schema, the audit chain's head and whether it verified, and each
//!   file's rows, bytes and SHA-256.
//!
//! Everything is read in one read-only transaction, so the tables agree with each other and with the chain's head
//! even while the server keeps writing. The directory appears under its name only once complete (it is written
//! beside it and renamed), and an export never writes into an existing one. Each organisation's audit trail then
//! records that the database was exported, and through which entry.

use crate::db::{Backend, Db};
use crate::file_store::FileStore;
use crate::store;
use crate::store::audit::Verdict;
use anyhow::Context;
use baton_domain::audit::AuditAction;
use chrono::{SecondsFormat, Utc};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::{AnyConnection, Row, ValueRef};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The layout's name and version, first in every manifest.
pub const FORMAT: &str = "baton-export/1";

/// What `manifest.json` says.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// When the snapshot was taken (UTC).
    pub exported_at: String,
    /// The `baton` that wrote it.
    pub baton_version: String,
    /// `sqlite` or `postgresql`.
    pub engine: String,
    /// The newest migration applied to the schema.
    pub schema_version: i64,
    /// The audit trail in the snapshot.
    pub audit: AuditSummary,
    /// Every table, by name.
    pub tables: Vec<TableFile>,
    /// Every stored file, by SHA-256.
    pub documents: Vec<DocumentFile>,
}

/// The audit trail as exported.
#[derive(Debug, Serialize, Deserialize)]
pub struct AuditSummary {
    /// Entries in the snapshot.
    pub entries: i64,
    /// The chain's head: the last entry's sequence number and hash.
    pub head_seq: i64,
    /// The last entry's hash.
    pub head_hash: String,
    /// `intact`, or where the chain breaks.
    pub verified: String,
}

/// One table's file.
#[derive(Debug, Serialize, Deserialize)]
pub struct TableFile {
    /// The table.
    pub name: String,
    /// Its file, relative to the export.
    pub file: String,
    /// Its columns, in order.
    pub columns: Vec<String>,
    /// Rows written.
    pub rows: u64,
    /// The file's size.
    pub bytes: u64,
    /// The file's SHA-256, hex.
    pub sha256: String,
}

/// One stored file.
#[derive(Debug, Serialize, Deserialize)]
pub struct DocumentFile {
    /// Its path, relative to the export.
    pub file: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256, hex (also its name).
    pub sha256: String,
}

/// What an export wrote, for the command's summary.
#[derive(Debug)]
pub struct Exported {
    /// The finished directory.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
}

impl Exported {
    /// Whether the audit chain verified in the snapshot.
    pub fn intact(&self) -> bool {
        self.manifest.audit.verified == "intact"
    }
}

/// Writes the export to the new directory `out`, then records it in every organisation's audit trail.
pub async fn export(db: &Db, files: &FileStore, out: &Path) -> anyhow::Result<Exported> {
    anyhow::ensure!(!out.exists(), "--out: {} exists; an export only ever writes a new directory", out.display());
    let name = out.file_name().with_context(|| format!("--out: {} names no directory", out.display()))?;
    let partial = out.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    if partial.exists() {
        // What an interrupted export of the same name left; it never counted as an export.
        std::fs::remove_dir_all(&partial).with_context(|| format!("removing {}", partial.display()))?;
    }
    std::fs::create_dir_all(partial.join("tables")).with_context(|| format!("creating {}", partial.display()))?;
    std::fs::create_dir_all(partial.join("documents"))?;
    let written = write_snapshot(db, files, &partial).await;
    let manifest = match written {
        Ok(manifest) => manifest,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, out).with_context(|| format!("renaming {} to {}", partial.display(), out.display()))?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        File::open(parent)?.sync_all()?;
    }
    record(db, out, &manifest).await?;
    Ok(Exported { dir: out.to_path_buf(), manifest })
}

/// Reads everything in one read-only transaction and writes it under `dir`.
async fn write_snapshot(db: &Db, files: &FileStore, dir: &Path) -> anyhow::Result<Manifest> {
    let mut tx = db.pool.begin().await?;
    if db.backend == Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
    }
    let exported_at = Utc::now();
    let audit = audit_summary(&mut tx).await?;
    let schema_version = schema_version(&mut tx).await?;
    let mut tables = Vec::new();
    for name in table_names(&mut tx, db.backend).await? {
        let columns = column_names(&mut tx, db.backend, &name).await?;
        tables.push(write_table(&mut tx, dir, name, columns).await?);
    }
    let documents = copy_documents(&mut tx, files, dir).await?;
    tx.rollback().await?;
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        exported_at: exported_at.to_rfc3339_opts(SecondsFormat::Micros, true),
        baton_version: env!("CARGO_PKG_VERSION").to_owned(),
        engine: match db.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgresql",
        }
        .to_owned(),
        schema_version,
        audit,
        tables,
        documents,
    };
    let mut file = File::create(dir.join("manifest.json"))?;
    serde_json::to_writer_pretty(&mut file, &manifest)?;
    file.write_all(b"\n")?;
    // On disk before the directory takes its name: a finished export survives a power cut.
    for sub in ["tables", "documents"] {
        for entry in std::fs::read_dir(dir.join(sub))? {
            File::open(entry?.path())?.sync_all()?;
        }
        File::open(dir.join(sub))?.sync_all()?;
    }
    file.sync_all()?;
    File::open(dir)?.sync_all()?;
    Ok(manifest)
}

/// The newest migration applied to the schema.
pub(crate) async fn schema_version(conn: &mut AnyConnection) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(&mut *conn).await?)
}

async fn audit_summary(tx: &mut AnyConnection) -> anyhow::Result<AuditSummary> {
    let verified = match store::audit::verify(tx).await? {
        Verdict::Intact(_) => "intact".to_owned(),
        Verdict::Broken(at) => format!("broken: {at}"),
    };
    let entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(&mut *tx).await?;
    let (head_seq, head_hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *tx).await?;
    Ok(AuditSummary { entries, head_seq, head_hash, verified })
}

/// The schema's tables, but for the migrations' own bookkeeping (whose last version the manifest gives).
pub(crate) async fn table_names(tx: &mut AnyConnection, backend: Backend) -> anyhow::Result<Vec<String>> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> '_sqlx_migrations' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
             AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' ORDER BY table_name"
        }
    };
    Ok(sqlx::query_scalar(sql).fetch_all(&mut *tx).await?)
}

pub(crate) async fn column_names(tx: &mut AnyConnection, backend: Backend, table: &str) -> anyhow::Result<Vec<String>> {
    let sql = match backend {
        Backend::Sqlite => "SELECT name FROM pragma_table_info($1) ORDER BY cid",
        Backend::Postgres => {
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() \
             AND table_name = $1 ORDER BY ordinal_position"
        }
    };
    Ok(sqlx::query_scalar(sql).bind(table).fetch_all(&mut *tx).await?)
}

/// An identifier as SQL quotes it (names come from the catalog, but a quote in one must not end it).
pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

async fn write_table(
    tx: &mut AnyConnection,
    dir: &Path,
    name: String,
    columns: Vec<String>,
) -> anyhow::Result<TableFile> {
    let file = format!("tables/{name}.jsonl");
    let mut out = Hashed::create(&dir.join(&file))?;
    let list: Vec<String> = columns.iter().map(|c| quoted(c)).collect();
    let sql = format!("SELECT {} FROM {} ORDER BY 1", list.join(", "), quoted(&name));
    let mut rows = 0;
    {
        let mut stream = sqlx::query(&sql).fetch(&mut *tx);
        while let Some(row) = stream.try_next().await? {
            let object: serde_json::Map<String, Value> = columns
                .iter()
                .enumerate()
                .map(|(i, column)| Ok((column.clone(), cell(&row, i)?)))
                .collect::<anyhow::Result<_>>()
                .with_context(|| format!("table {name}"))?;
            serde_json::to_writer(&mut out, &object)?;
            out.write_all(b"\n")?;
            rows += 1;
        }
    }
    let (bytes, sha256) = out.finish()?;
    Ok(TableFile { name, file, columns, rows, bytes, sha256 })
}

/// One cell as JSON, by the type the engine gave the value (SQLite types values, not columns).
fn cell(row: &AnyRow, i: usize) -> anyhow::Result<Value> {
    let kind = row.try_get_raw(i)?.type_info().kind();
    Ok(match kind {
        AnyTypeInfoKind::Null => Value::Null,
        AnyTypeInfoKind::Bool => Value::Bool(row.try_get(i)?),
        AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt => {
            Value::from(row.try_get::<i64, _>(i)?)
        }
        AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => {
            let number: f64 = row.try_get(i)?;
            serde_json::Number::from_f64(number).map_or_else(|| Value::String(number.to_string()), Value::Number)
        }
        AnyTypeInfoKind::Text => Value::String(row.try_get(i)?),
        AnyTypeInfoKind::Blob => Value::String(hex::encode(row.try_get::<Vec<u8>, _>(i)?)),
    })
}

/// Copies each stored file once, after checking that every version's file is the one it recorded (SHA-256, size).
async fn copy_documents(tx: &mut AnyConnection, files: &FileStore, dir: &Path) -> anyhow::Result<Vec<DocumentFile>> {
    let versions: Vec<(String, String, i64, String)> =
        sqlx::query_as("SELECT id, sha256, size_bytes, storage_key FROM document_versions ORDER BY id")
            .fetch_all(&mut *tx)
            .await?;
    let mut copied: BTreeMap<String, DocumentFile> = BTreeMap::new();
    for (version, sha256, size, key) in versions {
        let file = format!("documents/{sha256}");
        // A file stored twice is checked twice but kept once.
        let (bytes, found) = if copied.contains_key(&sha256) {
            fetch(files, &key, &version, Hashed::new(std::io::sink())).await?
        } else {
            let path = dir.join(&file);
            let target = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
            fetch(files, &key, &version, Hashed::new(target)).await?
        };
        anyhow::ensure!(
            found == sha256 && i64::try_from(bytes) == Ok(size),
            "document version {version}: the stored file ({bytes} bytes, SHA-256 {found}) is not the one recorded \
             ({size} bytes, SHA-256 {sha256}); nothing was exported"
        );
        copied.insert(sha256.clone(), DocumentFile { file, bytes, sha256 });
    }
    Ok(copied.into_values().collect())
}

/// Streams the file under `key` into `out`; its size and SHA-256.
async fn fetch<W: Write + Sync>(
    files: &FileStore,
    key: &str,
    version: &str,
    mut out: Hashed<W>,
) -> anyhow::Result<(u64, String)> {
    let mut body = files.get(key).await.with_context(|| format!("document version {version}: reading {key}"))?;
    while let Some(chunk) =
        body.try_next().await.with_context(|| format!("document version {version}: reading {key}"))?
    {
        out.write_all(&chunk)?;
    }
    out.finish()
}

/// Tells each organisation's trail that the whole database left Baton, through which entry, and where to.
async fn record(db: &Db, out: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let rows: u64 = manifest.tables.iter().map(|t| t.rows).sum();
    let new = json!({
        "directory": out.display().to_string(),
        "through_seq": manifest.audit.head_seq,
        "tables": manifest.tables.len(),
        "rows": rows,
        "documents": manifest.documents.len(),
    });
    store::audit::record_database_event(&db.pool, "baton export", AuditAction::Download, new).await
}

/// Bytes being written, hashed and counted as they go.
struct Hashed<W: Write> {
    out: BufWriter<W>,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Hashed<W> {
    fn new(out: W) -> Hashed<W> {
        Hashed { out: BufWriter::new(out), hasher: Sha256::new(), bytes: 0 }
    }

    /// Flushes what is buffered; the size and SHA-256 of all that was written.
    fn finish(self) -> anyhow::Result<(u64, String)> {
        let mut out = self.out.into_inner().map_err(|e| e.into_error())?;
        out.flush()?;
        Ok((self.bytes, hex::encode(self.hasher.finalize())))
    }
}

impl Hashed<File> {
    fn create(path: &Path) -> anyhow::Result<Hashed<File>> {
        Ok(Hashed::new(File::create(path).with_context(|| format!("creating {}", path.display()))?))
    }
}

impl<W: Write> Write for Hashed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.out.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
