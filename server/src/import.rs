//! `baton import`: loads an export ([`crate::export`]) into a new, empty database of either engine, and its files
//! into the document store. This is how an installation moves from SQLite to PostgreSQL when one machine is
//! outgrown (or back, or to a new machine).
//!
//! Nothing is trusted on the way: every file's SHA-256 is checked against the manifest before the database is
//! touched, each stored file again as the store takes it, and the rows go in one transaction that commits only
//! if every row fits the schema, the audit chain verifies and ends at the exported head, and every table holds the
//! rows the manifest counts. Each organisation's trail then records the import.

use crate::db::{Backend, Db};
use crate::export::{self, Manifest, TableFile};
use crate::file_store::FileStore;
use crate::store;
use crate::store::audit::Verdict;
use anyhow::Context;
use axum::body::Bytes;
use baton_domain::audit::AuditAction;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Tables whose rows an import leaves behind, and why.
pub const NOT_CARRIED: &[(&str, &str)] = &[
    ("sessions", "logins do not move: everyone logs in again"),
    ("login_throttle", "recent failed logins, which expire within minutes anyway"),
    ("kpi_months", "a cache of the KPI scorecard, rebuilt from the records as they are read"),
    ("kpi_facts", "a cache of the KPI scorecard, rebuilt from the records as they are read"),
];

/// Tables the migrations give their one row, which an import overwrites.
const SINGLETONS: &[&str] = &["audit_head", "events_pruned"];

/// Most values one `INSERT` binds (far under both engines' limits).
const VALUES_PER_INSERT: usize = 900;

/// What an import loaded.
#[derive(Debug)]
pub struct Imported {
    /// Rows written.
    pub rows: u64,
    /// Tables written.
    pub tables: usize,
    /// Files put in the document store.
    pub files: usize,
    /// Audit entries, verified, ending at the exported head.
    pub entries: i64,
}

/// Loads the export in `from` into `db` (which must hold no data) and its files into `files`.
pub async fn import(db: &Db, files: &FileStore, from: &Path) -> anyhow::Result<Imported> {
    let manifest = read_manifest(from)?;
    check_files(from, &manifest)?;
    let mut conn = db.pool.acquire().await?;
    let schema = export::schema_version(&mut conn).await?;
    anyhow::ensure!(
        manifest.schema_version == schema,
        "--from: the export is of schema version {}, this baton's is {schema}; import it with the baton version \
         that wrote it ({}), then upgrade",
        manifest.schema_version,
        manifest.baton_version
    );
    let target = Catalog::read(&mut conn, db.backend).await?;
    target.matches(&manifest)?;
    target.check_empty(&mut conn).await?;
    drop(conn);

    let files_put = put_files(files, from).await?;
    let mut tx = store::audit::begin_write(&db.pool).await?;
    let mut rows = 0;
    let carried: Vec<&TableFile> =
        manifest.tables.iter().filter(|t| !NOT_CARRIED.iter().any(|(name, _)| *name == t.name)).collect();
    for name in target.insert_order(&carried)? {
        let table = carried.iter().find(|t| t.name == name).context("a table in the insert order")?;
        rows += load_table(&mut tx, &target, from, table).await?;
    }
    // Checked before it commits: an import that does not verify leaves the database as empty as it found it.
    let entries = verify(&mut tx, &manifest, &carried).await?;
    tx.commit().await?;
    record(db, from, &manifest).await?;
    Ok(Imported { rows, tables: carried.len(), files: files_put, entries })
}

fn read_manifest(from: &Path) -> anyhow::Result<Manifest> {
    let path = from.join("manifest.json");
    let text = std::fs::read(&path).with_context(|| format!("--from: reading {}", path.display()))?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .with_context(|| format!("--from: {} is not an export's manifest", path.display()))?;
    anyhow::ensure!(
        manifest.format == export::FORMAT,
        "--from: the export's format is {:?}; this baton reads {:?}",
        manifest.format,
        export::FORMAT
    );
    anyhow::ensure!(
        manifest.audit.verified == "intact",
        "--from: the export's audit chain is {}",
        manifest.audit.verified
    );
    Ok(manifest)
}

/// Every file is the one the manifest describes, before anything is written.
fn check_files(from: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let described = manifest
        .tables
        .iter()
        .map(|t| (&t.file, &t.sha256, t.bytes))
        .chain(manifest.documents.iter().map(|d| (&d.file, &d.sha256, d.bytes)));
    for (file, sha256, bytes) in described {
        let inside = Path::new(file).components().all(|c| matches!(c, std::path::Component::Normal(_)));
        anyhow::ensure!(inside, "--from: the manifest names a file outside the export: {file}");
        let (found_bytes, found) = hash_file(&from.join(file)).with_context(|| format!("--from: reading {file}"))?;
        anyhow::ensure!(
            &found == sha256 && found_bytes == bytes,
            "--from: {file} is not the file the manifest describes ({found_bytes} bytes, SHA-256 {found}; the \
             manifest says {bytes} bytes, {sha256}); nothing was imported"
        );
    }
    Ok(())
}

fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher)?;
    Ok((bytes, hex::encode(hasher.finalize())))
}

/// How a column's values are bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Int,
    Float,
    Bool,
    Text,
}

impl Kind {
    /// From a declared type as either engine's catalog names it.
    fn of(declared: &str) -> Kind {
        let declared = declared.to_ascii_lowercase();
        if declared.contains("int") {
            Kind::Int
        } else if ["double", "real", "float", "numeric"].iter().any(|t| declared.contains(t)) {
            Kind::Float
        } else if declared.contains("bool") {
            Kind::Bool
        } else {
            Kind::Text
        }
    }
}

/// A foreign key: the column, and the table and column it points at.
#[derive(Clone, Debug)]
struct ForeignKey {
    column: String,
    table: String,
    target: String,
}

/// The target database's tables: their columns with kinds, and their foreign keys.
#[derive(Debug)]
struct Catalog {
    columns: BTreeMap<String, Vec<(String, Kind)>>,
    keys: BTreeMap<String, Vec<ForeignKey>>,
}

impl Catalog {
    async fn read(conn: &mut AnyConnection, backend: Backend) -> anyhow::Result<Catalog> {
        let (columns_sql, keys_sql) = match backend {
            Backend::Sqlite => (
                "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
                "SELECT \"from\", \"table\", COALESCE(\"to\", 'id') FROM pragma_foreign_key_list($1)",
            ),
            Backend::Postgres => (
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                "SELECT kcu.column_name::text, ccu.table_name::text, ccu.column_name::text \
                 FROM information_schema.table_constraints tc \
                 JOIN information_schema.key_column_usage kcu \
                   ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema \
                 JOIN information_schema.constraint_column_usage ccu \
                   ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema \
                 WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() AND tc.table_name = $1",
            ),
        };
        let mut catalog = Catalog { columns: BTreeMap::new(), keys: BTreeMap::new() };
        for table in export::table_names(conn, backend).await? {
            let columns: Vec<(String, String)> = sqlx::query_as(columns_sql).bind(&table).fetch_all(&mut *conn).await?;
            let keys: Vec<(String, String, String)> =
                sqlx::query_as(keys_sql).bind(&table).fetch_all(&mut *conn).await?;
            let columns = columns.into_iter().map(|(name, declared)| (name, Kind::of(&declared))).collect();
            let keys = keys.into_iter().map(|(column, table, target)| ForeignKey { column, table, target }).collect();
            catalog.columns.insert(table.clone(), columns);
            catalog.keys.insert(table, keys);
        }
        Ok(catalog)
    }

    /// The export has this schema: the same tables with the same columns.
    fn matches(&self, manifest: &Manifest) -> anyhow::Result<()> {
        let exported: BTreeSet<&str> = manifest.tables.iter().map(|t| t.name.as_str()).collect();
        let here: BTreeSet<&str> = self.columns.keys().map(String::as_str).collect();
        anyhow::ensure!(exported == here, "--from: the export's tables are not this schema's: {exported:?}");
        for table in &manifest.tables {
            let exported: BTreeSet<&str> = table.columns.iter().map(String::as_str).collect();
            let here: BTreeSet<&str> = self.columns[&table.name].iter().map(|(c, _)| c.as_str()).collect();
            anyhow::ensure!(exported == here, "--from: table {}'s columns are not this schema's", table.name);
        }
        Ok(())
    }

    /// Nothing has been written here yet but what the migrations write.
    async fn check_empty(&self, conn: &mut AnyConnection) -> anyhow::Result<()> {
        for table in self.columns.keys().filter(|t| !SINGLETONS.contains(&t.as_str())) {
            let sql = format!("SELECT COUNT(*) FROM {}", export::quoted(table));
            let rows: i64 = sqlx::query_scalar(&sql).fetch_one(&mut *conn).await?;
            anyhow::ensure!(
                rows == 0,
                "the database already holds data ({rows} rows in {table}); import only into a new, empty database"
            );
        }
        Ok(())
    }

    /// The tables in an order where every row's foreign keys point at rows already written (a table that points at
    /// itself orders its own rows).
    fn insert_order(&self, tables: &[&TableFile]) -> anyhow::Result<Vec<String>> {
        let wanted: BTreeSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        let mut placed: Vec<String> = Vec::new();
        let mut left: BTreeSet<&str> = wanted.clone();
        while !left.is_empty() {
            let ready: Vec<&str> = left
                .iter()
                .copied()
                .filter(|table| {
                    self.keys[*table]
                        .iter()
                        .all(|k| k.table == *table || !wanted.contains(k.table.as_str()) || placed.contains(&k.table))
                })
                .collect();
            anyhow::ensure!(!ready.is_empty(), "the tables' foreign keys form a cycle: {left:?}");
            for table in ready {
                left.remove(table);
                placed.push(table.to_owned());
            }
        }
        Ok(placed)
    }
}

/// The rows of a table's file (`file`, relative to the export): one object per line.
fn rows_of(from: &Path, file: &str) -> anyhow::Result<impl Iterator<Item = anyhow::Result<Map<String, Value>>> + Send> {
    let opened = std::fs::File::open(from.join(file)).with_context(|| format!("--from: reading {file}"))?;
    let file = file.to_owned();
    Ok(BufReader::new(opened)
        .lines()
        .enumerate()
        .map(move |(i, line)| serde_json::from_str(&line?).with_context(|| format!("{file} line {}", i + 1))))
}

/// Orders rows so that a row pointing at another row of its own table comes after it.
fn parents_first(
    rows: Vec<Map<String, Value>>,
    own: &[&ForeignKey],
    table: &str,
) -> anyhow::Result<Vec<Map<String, Value>>> {
    if own.is_empty() {
        return Ok(rows);
    }
    let key_of = |row: &Map<String, Value>, column: &str| row.get(column).filter(|v| !v.is_null()).cloned();
    let mut written: HashSet<String> = HashSet::new();
    let mut ordered = Vec::with_capacity(rows.len());
    let mut left = rows;
    while !left.is_empty() {
        let (ready, rest): (Vec<_>, Vec<_>) = left.into_iter().partition(|row| {
            own.iter().all(|k| key_of(row, &k.column).is_none_or(|v| written.contains(&v.to_string())))
        });
        anyhow::ensure!(!ready.is_empty(), "rows of {table} point at each other in a cycle");
        for row in &ready {
            for k in own {
                if let Some(v) = key_of(row, &k.target) {
                    written.insert(v.to_string());
                }
            }
        }
        ordered.extend(ready);
        left = rest;
    }
    Ok(ordered)
}

/// One value, as its column binds it.
#[derive(Debug)]
enum Bound {
    Int(Option<i64>),
    Float(Option<f64>),
    Bool(Option<bool>),
    Text(Option<String>),
}

fn bound(value: &Value, kind: Kind) -> Option<Bound> {
    Some(match (kind, value) {
        (Kind::Int, Value::Null) => Bound::Int(None),
        (Kind::Float, Value::Null) => Bound::Float(None),
        (Kind::Bool, Value::Null) => Bound::Bool(None),
        (Kind::Text, Value::Null) => Bound::Text(None),
        (Kind::Int, Value::Number(n)) => Bound::Int(Some(n.as_i64()?)),
        (Kind::Int, Value::String(s)) => Bound::Int(Some(s.parse().ok()?)),
        (Kind::Int, Value::Bool(b)) => Bound::Int(Some(i64::from(*b))),
        (Kind::Float, Value::Number(n)) => Bound::Float(Some(n.as_f64()?)),
        (Kind::Float, Value::String(s)) => Bound::Float(Some(s.parse().ok()?)),
        (Kind::Bool, Value::Bool(b)) => Bound::Bool(Some(*b)),
        (Kind::Bool, Value::Number(n)) => Bound::Bool(Some(n.as_i64()? != 0)),
        (Kind::Text, Value::String(s)) => Bound::Text(Some(s.clone())),
        (Kind::Text, Value::Number(n)) => Bound::Text(Some(n.to_string())),
        _ => return None,
    })
}

async fn load_table(tx: &mut AnyConnection, catalog: &Catalog, from: &Path, table: &TableFile) -> anyhow::Result<u64> {
    let columns = &catalog.columns[&table.name];
    let own: Vec<&ForeignKey> = catalog.keys[&table.name].iter().filter(|k| k.table == table.name).collect();
    // Rows stream from the file, but a table that points at itself is read whole to put parents first.
    let rows: Box<dyn Iterator<Item = anyhow::Result<Map<String, Value>>> + Send> = if own.is_empty() {
        Box::new(rows_of(from, &table.file)?)
    } else {
        let rows = rows_of(from, &table.file)?.collect::<anyhow::Result<_>>()?;
        Box::new(parents_first(rows, &own, &table.name)?.into_iter().map(Ok))
    };
    let names: Vec<String> = columns.iter().map(|(c, _)| export::quoted(c)).collect();
    let per_insert =
        if SINGLETONS.contains(&table.name.as_str()) { 1 } else { (VALUES_PER_INSERT / columns.len().max(1)).max(1) };
    let mut count = 0;
    let mut chunk: Vec<Map<String, Value>> = Vec::with_capacity(per_insert);
    for row in rows {
        chunk.push(row?);
        count += 1;
        if chunk.len() == per_insert {
            write_rows(tx, columns, &names, table, &chunk, count).await?;
            chunk.clear();
        }
    }
    if !chunk.is_empty() {
        write_rows(tx, columns, &names, table, &chunk, count).await?;
    }
    Ok(count)
}

/// Writes `rows` (the last of them row `last` of the file): one multi-row `INSERT`, or for a table the migrations
/// gave its one row, an `UPDATE` of it.
async fn write_rows(
    tx: &mut AnyConnection,
    columns: &[(String, Kind)],
    names: &[String],
    table: &TableFile,
    rows: &[Map<String, Value>],
    last: u64,
) -> anyhow::Result<()> {
    let first_line = last + 1 - rows.len() as u64;
    let mut values = Vec::with_capacity(rows.len() * columns.len());
    for (line, row) in (first_line..).zip(rows) {
        for (column, kind) in columns {
            let value = row.get(column).unwrap_or(&Value::Null);
            values.push(bound(value, *kind).with_context(|| {
                format!("{} line {line}: {column} = {value} does not fit a {kind:?} column", table.file)
            })?);
        }
    }
    let name = export::quoted(&table.name);
    let sql = if SINGLETONS.contains(&table.name.as_str()) {
        let sets: Vec<String> = names.iter().enumerate().map(|(n, c)| format!("{c} = ${}", n + 1)).collect();
        format!("UPDATE {name} SET {}", sets.join(", "))
    } else {
        let groups: Vec<String> = (0..rows.len())
            .map(|r| {
                let marks: Vec<String> = (1..=columns.len()).map(|c| format!("${}", r * columns.len() + c)).collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        format!("INSERT INTO {name} ({}) VALUES {}", names.join(", "), groups.join(", "))
    };
    execute(tx, &sql, values).await.with_context(|| format!("loading {}", table.name))
}

async fn execute(tx: &mut AnyConnection, sql: &str, values: Vec<Bound>) -> anyhow::Result<()> {
    // Not kept as a prepared statement: sqlx's Any driver sends a NULL f64 as a float4 (sqlx-core 0.8.6,
    // any/arguments.rs), so a statement first prepared with a NULL there refuses the next chunk's float8 values.
    let mut query = sqlx::query(sql).persistent(false);
    for value in values {
        query = match value {
            Bound::Int(v) => query.bind(v),
            Bound::Float(v) => query.bind(v),
            Bound::Bool(v) => query.bind(v),
            Bound::Text(v) => query.bind(v),
        };
    }
    query.execute(&mut *tx).await?;
    Ok(())
}

/// Puts each document version's file in the store under its key, checking that the store took what was recorded.
/// Files go in before any row that names them, so a failed import leaves at most files nothing names.
async fn put_files(files: &FileStore, from: &Path) -> anyhow::Result<usize> {
    let versions: Vec<Map<String, Value>> =
        rows_of(from, "tables/document_versions.jsonl")?.collect::<anyhow::Result<_>>()?;
    let text =
        |row: &Map<String, Value>, key: &str| row.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    for row in &versions {
        let (key, sha256, content_type) = (text(row, "storage_key"), text(row, "sha256"), text(row, "content_type"));
        let named = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        anyhow::ensure!(named, "document version {}: {sha256:?} is not a SHA-256", text(row, "id"));
        let mut file = std::fs::File::open(from.join("documents").join(&sha256))
            .with_context(|| format!("the file of document version {}", text(row, "id")))?;
        let chunks = std::iter::from_fn(move || {
            let mut buf = vec![0; 1 << 20];
            match file.read(&mut buf) {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some(Ok::<Bytes, std::io::Error>(Bytes::from(buf)))
                }
                Err(e) => Some(Err(e)),
            }
        });
        let stored = files
            .put(&key, &content_type, futures_util::stream::iter(chunks))
            .await
            .map_err(|e| anyhow::anyhow!("storing document version {}: {e:?}", text(row, "id")))?;
        anyhow::ensure!(stored.sha256 == sha256, "document version {}: the store took another file", text(row, "id"));
    }
    Ok(versions.len())
}

/// In the import's transaction: the audit chain verifies and ends at the exported head, and every table holds what
/// was exported.
async fn verify(conn: &mut AnyConnection, manifest: &Manifest, carried: &[&TableFile]) -> anyhow::Result<i64> {
    let entries = match store::audit::verify(&mut *conn).await? {
        Verdict::Intact(count) => count,
        Verdict::Broken(at) => anyhow::bail!("after the import the audit chain is broken: {at}"),
    };
    let (seq, hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *conn).await?;
    anyhow::ensure!(
        seq == manifest.audit.head_seq && hash == manifest.audit.head_hash && entries == manifest.audit.entries,
        "after the import the audit chain ends at entry {seq}, not at the exported {}",
        manifest.audit.head_seq
    );
    for table in carried.iter().filter(|t| !SINGLETONS.contains(&t.name.as_str())) {
        let sql = format!("SELECT COUNT(*) FROM {}", export::quoted(&table.name));
        let rows: i64 = sqlx::query_scalar(&sql).fetch_one(&mut *conn).await?;
        anyhow::ensure!(rows as u64 == table.rows, "{} holds {rows} rows, the export {}", table.name, table.rows);
    }
    Ok(entries)
}

/// Tells each organisation's trail where its records came from.
async fn record(db: &Db, from: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let new = json!({
        "directory": from.display().to_string(),
        "exported_at": manifest.exported_at,
        "engine": manifest.engine,
        "through_seq": manifest.audit.head_seq,
    });
    store::audit::record_database_event(&db.pool, "baton import", AuditAction::Create, new).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, parent: Option<&str>) -> Map<String, Value> {
        let mut row = Map::new();
        row.insert("id".into(), json!(id));
        row.insert("parent_id".into(), parent.map_or(Value::Null, |p| json!(p)));
        row
    }

    #[test]
    fn a_row_pointing_into_its_own_table_comes_after_the_row_it_points_at() {
        let key = ForeignKey { column: "parent_id".into(), table: "comments".into(), target: "id".into() };
        let rows = vec![row("reply-2", Some("reply-1")), row("reply-1", Some("root")), row("root", None)];
        let ordered = parents_first(rows, &[&key], "comments").expect("ordered");
        let ids: Vec<&str> = ordered.iter().map(|r| r["id"].as_str().expect("id")).collect();
        assert_eq!(ids, ["root", "reply-1", "reply-2"]);

        let cycle = vec![row("a", Some("b")), row("b", Some("a"))];
        assert!(parents_first(cycle, &[&key], "comments").is_err(), "a cycle is refused, not looped on");
    }

    #[test]
    fn values_bind_as_their_column_declares_on_either_engine() {
        assert_eq!(Kind::of("BIGINT"), Kind::Int);
        assert_eq!(Kind::of("double precision"), Kind::Float);
        assert_eq!(Kind::of("boolean"), Kind::Bool);
        assert_eq!(Kind::of("TEXT"), Kind::Text);
        assert!(matches!(bound(&json!(1), Kind::Text), Some(Bound::Text(Some(t))) if t == "1"));
        assert!(matches!(bound(&json!("42"), Kind::Int), Some(Bound::Int(Some(42)))));
        assert!(
            matches!(bound(&json!(0.9792000000000001), Kind::Float), Some(Bound::Float(Some(f))) if f == 0.9792000000000001)
        );
        assert!(matches!(bound(&Value::Null, Kind::Float), Some(Bound::Float(None))));
        assert!(bound(&json!("not a number"), Kind::Int).is_none());
        assert!(bound(&json!({"an": "object"}), Kind::Text).is_none());
    }
}
