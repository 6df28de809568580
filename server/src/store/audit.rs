//! The audit trail: appended in the same transaction as the change it records, read with filters, verified.

use crate::clock;
use crate::kernel::{Authorized, Record};
use crate::read_cache;
use anyhow::Context;
use baton_domain::audit::{AuditAction, AuditEntry, ChainBreak, ChainVerifier};
use baton_domain::ids::{OrgId, PartnershipId, TransferId, UserId};
use baton_domain::org::UserProfile;
use baton_domain::record::RecordType;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use serde_json::Value;
use sqlx::{Any, AnyConnection, AnyPool, FromRow, Transaction};
use std::ops::{Deref, DerefMut};

/// A transaction that may write: it holds the audit chain's head, so writers never interleave their entries, and its
/// commit tells the read cache (and, on PostgreSQL, the other instances) that something changed.
#[derive(Debug)]
pub struct WriteTx(Transaction<'static, Any>);

impl WriteTx {
    /// Commits, then marks every cached read stale.
    pub async fn commit(mut self) -> sqlx::Result<()> {
        read_cache::announce(&mut self.0).await?;
        self.0.commit().await?;
        read_cache::wrote();
        Ok(())
    }

    /// Rolls back: nothing changed.
    pub async fn rollback(self) -> sqlx::Result<()> {
        self.0.rollback().await
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.0
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.0
    }
}

/// Starts a write transaction. Its first statement takes the chain head's lock, before anything is read, so that
/// SQLite never has to upgrade a read snapshot and PostgreSQL serialises appends on one row.
pub async fn begin_write(pool: &AnyPool) -> sqlx::Result<WriteTx> {
    let mut tx = pool.begin().await?;
    lock_head(&mut tx).await?;
    Ok(WriteTx(tx))
}

async fn lock_head(conn: &mut AnyConnection) -> sqlx::Result<()> {
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(conn).await?;
    Ok(())
}

/// Who did it.
#[derive(Clone, Debug)]
pub struct Actor {
    /// The user, if known.
    pub id: Option<UserId>,
    /// Printed name (or the e-mail tried, for failed logins).
    pub name: String,
    /// Their organisation.
    pub org: Option<OrgId>,
}

impl From<&UserProfile> for Actor {
    fn from(user: &UserProfile) -> Self {
        Actor { id: Some(user.id), name: user.display_name.clone(), org: Some(user.organisation.id) }
    }
}

/// An entry to append. Entries about records come only from the kernel's authorised records
/// ([`crate::kernel::Authorized::entry`]); the other constructors cover events that are not about a record.
#[derive(Clone, Debug)]
pub struct NewEntry {
    actor: Actor,
    owner_org: Option<OrgId>,
    action: AuditAction,
    record_type: RecordType,
    record_id: String,
    old: Option<Value>,
    new: Option<Value>,
    reason: Option<String>,
}

/// What an event that is not a change to a record is about.
#[derive(Clone, Debug)]
pub enum Event {
    /// A login session (by user id, or the e-mail tried).
    Session(String),
    /// An organisation's audit trail (its exports).
    AuditTrail(OrgId),
    /// A listing of transfers by an organisation.
    TransferList(OrgId),
    /// A listing of records of a kind by an organisation (the entry names the kind; its id is the lister's).
    Listing(RecordType, OrgId),
    /// A bulk load of a CMO's quality records under a partnership, summarised in one entry.
    QualityHistory(PartnershipId),
    /// The whole database (its exports by the operator, `baton export`).
    Database,
}

impl NewEntry {
    /// An entry about a record, which exists only once the kernel has authorised the action on it.
    pub fn about<R: Record>(
        record: &Authorized<R>,
        action: AuditAction,
        (old, new): (Option<Value>, Option<Value>),
        reason: Option<String>,
    ) -> NewEntry {
        NewEntry {
            actor: record.actor().clone(),
            owner_org: Some(record.owner()),
            action,
            record_type: R::TYPE,
            record_id: record.record().id().to_string(),
            old,
            new,
            reason,
        }
    }

    /// An event that is not one record's change: a login, a logout, an export, a listing, or a bulk load whose rows
    /// are summarised in one entry.
    pub fn event(
        actor: Actor,
        owner_org: Option<OrgId>,
        action: AuditAction,
        about: Event,
        new: Option<Value>,
    ) -> NewEntry {
        let (record_type, record_id) = match about {
            Event::Session(id) => (RecordType::Session, id),
            Event::AuditTrail(org) => (RecordType::AuditTrail, org.to_string()),
            Event::TransferList(org) => (RecordType::TransferList, org.to_string()),
            Event::Listing(kind, org) => (kind, org.to_string()),
            Event::QualityHistory(partnership) => (RecordType::QualityHistory, partnership.to_string()),
            Event::Database => (RecordType::Database, "all".to_owned()),
        };
        NewEntry { actor, owner_org, action, record_type, record_id, old: None, new, reason: None }
    }
}

/// Appends an entry inside `tx` (which must come from [`begin_write`]).
pub async fn append(tx: &mut AnyConnection, entry: NewEntry, now: DateTime<Utc>) -> anyhow::Result<AuditEntry> {
    let mut appended = append_all(tx, vec![(entry, now)]).await?;
    appended.pop().ok_or_else(|| anyhow::anyhow!("no entry appended"))
}

/// Records an operation on the whole database (`baton export`, `baton import`) by the command line in every
/// organisation's trail, since each one's records were in it.
pub async fn record_database_event(
    pool: &AnyPool,
    command: &str,
    action: AuditAction,
    new: Value,
) -> anyhow::Result<()> {
    let now = Utc::now();
    let mut tx = begin_write(pool).await?;
    let orgs: Vec<String> = sqlx::query_scalar("SELECT id FROM organisations ORDER BY id").fetch_all(&mut *tx).await?;
    let actor = Actor { id: None, name: format!("{command} (command line)"), org: None };
    let mut entries = Vec::with_capacity(orgs.len());
    for org in orgs {
        let org: OrgId = org.parse().map_err(|_| anyhow::anyhow!("organisation id {org:?} is not a UUID"))?;
        entries.push((NewEntry::event(actor.clone(), Some(org), action, Event::Database, Some(new.clone())), now));
    }
    append_all(&mut tx, entries).await?;
    tx.commit().await?;
    Ok(())
}

/// Most entries one `INSERT` carries (14 parameters each, well under both engines' limits).
const ROWS_PER_INSERT: usize = 64;

/// Appends entries in order inside `tx` (which must come from [`begin_write`]), reading and moving the chain's head
/// once for all of them and inserting them in multi-row statements.
pub async fn append_all(
    tx: &mut AnyConnection,
    entries: Vec<(NewEntry, DateTime<Utc>)>,
) -> anyhow::Result<Vec<AuditEntry>> {
    let head = sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *tx).await?;
    let chain = Chain::after(head, entries)?;
    for rows in chain.rows.chunks(ROWS_PER_INSERT) {
        insert_rows(tx, rows).await?;
    }
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(chain.seq)
        .bind(&chain.hash)
        .execute(&mut *tx)
        .await?;
    Ok(chain.rows.into_iter().map(|row| row.entry).collect())
}

/// Entries chained after a head: each with the hash before it and its own, and the head they leave.
#[derive(Debug)]
pub(crate) struct Chain {
    /// The entries, in order.
    pub rows: Vec<ChainedRow>,
    /// The last entry's sequence number (the head's, if there are none).
    pub seq: i64,
    /// The last entry's hash.
    pub hash: String,
}

/// One entry of a [`Chain`], as stored.
#[derive(Debug)]
pub(crate) struct ChainedRow {
    /// The entry.
    pub entry: AuditEntry,
    /// The hash of the entry before it.
    pub prev_hash: String,
    /// Its own hash, over its content and `prev_hash`.
    pub hash: String,
}

impl Chain {
    /// Chains `entries` after the head `(seq, hash)`; the time each carries is stored at the database's precision
    /// before it is hashed, so that what is verified later is what was hashed now.
    pub(crate) fn after(
        (mut seq, mut hash): (i64, String),
        entries: Vec<(NewEntry, DateTime<Utc>)>,
    ) -> anyhow::Result<Chain> {
        let mut rows = Vec::with_capacity(entries.len());
        for (entry, now) in entries {
            seq += 1;
            let entry = AuditEntry {
                seq,
                at: clock::from_db(&clock::to_db(now))?,
                actor_id: entry.actor.id,
                actor_name: entry.actor.name,
                actor_org: entry.actor.org,
                owner_org: entry.owner_org,
                action: entry.action,
                record_type: entry.record_type,
                record_id: entry.record_id,
                old: entry.old,
                new: entry.new,
                reason: entry.reason,
            };
            let own = entry.chained_hash(&hash);
            rows.push(ChainedRow { entry, prev_hash: std::mem::replace(&mut hash, own.clone()), hash: own });
        }
        Ok(Chain { rows, seq, hash })
    }
}

impl ChainedRow {
    /// The columns after `seq`, in [`COLUMNS`] order: all text, or NULL.
    pub(crate) fn texts(&self) -> [Option<String>; 13] {
        let entry = &self.entry;
        [
            Some(clock::to_db(entry.at)),
            entry.actor_id.map(|id| id.to_string()),
            Some(entry.actor_name.clone()),
            entry.actor_org.map(|id| id.to_string()),
            entry.owner_org.map(|id| id.to_string()),
            Some(entry.action.as_str().to_owned()),
            Some(entry.record_type.as_str().to_owned()),
            Some(entry.record_id.clone()),
            entry.old.as_ref().map(Value::to_string),
            entry.new.as_ref().map(Value::to_string),
            entry.reason.clone(),
            Some(self.prev_hash.clone()),
            Some(self.hash.clone()),
        ]
    }
}

/// The placeholders of a multi-row `INSERT` of `rows` rows of [`COLUMNS`], numbered from `$first`.
pub(crate) fn placeholders(rows: usize, first: usize) -> String {
    (0..rows)
        .map(|row| {
            let from = first + row * 14;
            let params: Vec<String> = (from..from + 14).map(|n| format!("${n}")).collect();
            format!("({})", params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts chained entries in one statement.
async fn insert_rows(tx: &mut AnyConnection, rows: &[ChainedRow]) -> anyhow::Result<()> {
    let sql = format!("INSERT INTO audit_log ({COLUMNS}) VALUES {}", placeholders(rows.len(), 1));
    let mut query = sqlx::query(&sql);
    for row in rows {
        query = query.bind(row.entry.seq);
        for text in row.texts() {
            query = query.bind(text);
        }
    }
    query.execute(&mut *tx).await?;
    Ok(())
}

/// Appends one entry in a transaction of its own (for events that change nothing else: logins, reads).
pub async fn record(pool: &AnyPool, entry: NewEntry, now: DateTime<Utc>) -> anyhow::Result<AuditEntry> {
    let mut tx = begin_write(pool).await?;
    let entry = append(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(entry)
}

#[derive(FromRow)]
struct Row {
    seq: i64,
    at: String,
    actor_id: Option<String>,
    actor_name: String,
    actor_org_id: Option<String>,
    owner_org_id: Option<String>,
    action: String,
    record_type: String,
    record_id: String,
    old_values: Option<String>,
    new_values: Option<String>,
    reason: Option<String>,
    prev_hash: String,
    hash: String,
}

pub(crate) const COLUMNS: &str = "seq, at, actor_id, actor_name, actor_org_id, owner_org_id, action, record_type, record_id, \
                       old_values, new_values, reason, prev_hash, hash";

fn json_column(text: Option<&str>) -> anyhow::Result<Option<Value>> {
    text.map(|t| serde_json::from_str(t).context("stored audit values")).transpose()
}

impl Row {
    fn entry(&self) -> anyhow::Result<AuditEntry> {
        Ok(AuditEntry {
            seq: self.seq,
            at: clock::from_db(&self.at)?,
            actor_id: self.actor_id.as_deref().map(str::parse).transpose()?,
            actor_name: self.actor_name.clone(),
            actor_org: self.actor_org_id.as_deref().map(str::parse).transpose()?,
            owner_org: self.owner_org_id.as_deref().map(str::parse).transpose()?,
            action: self.action.parse()?,
            record_type: self.record_type.parse()?,
            record_id: self.record_id.clone(),
            old: json_column(self.old_values.as_deref())?,
            new: json_column(self.new_values.as_deref())?,
            reason: self.reason.clone(),
        })
    }
}

/// What `verify` found.
#[derive(Debug)]
pub enum Verdict {
    /// Every entry checks out.
    Intact(i64),
    /// The chain breaks here.
    Broken(ChainBreak),
}

/// Re-computes the whole chain in sequence order, streaming, and compares its end with the recorded head.
pub async fn verify(conn: &mut AnyConnection) -> anyhow::Result<Verdict> {
    let mut verifier = ChainVerifier::default();
    let sql = format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq");
    {
        let mut rows = sqlx::query_as::<_, Row>(&sql).fetch(&mut *conn);
        while let Some(row) = rows.try_next().await? {
            let entry = match row.entry() {
                Ok(entry) => entry,
                Err(_) => return Ok(Verdict::Broken(ChainBreak::Content { seq: row.seq })),
            };
            if let Err(brk) = verifier.push(&entry, &row.prev_hash, &row.hash) {
                return Ok(Verdict::Broken(brk));
            }
        }
    }
    let (head_seq, head_hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *conn).await?;
    Ok(match verifier.finish(head_seq, &head_hash) {
        Ok(count) => Verdict::Intact(count),
        Err(brk) => Verdict::Broken(brk),
    })
}

/// Filters of the audit view; all optional.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only this actor.
    pub actor: Option<UserId>,
    /// Only this kind of record.
    pub record_type: Option<RecordType>,
    /// Only this record.
    pub record_id: Option<String>,
    /// Only this action.
    pub action: Option<AuditAction>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
    /// Entries with a lower sequence number than this (the next page).
    pub before_seq: Option<i64>,
}

enum Param {
    Text(String),
    Int(i64),
}

/// Entries in `org`'s trail (by its users, or about its records), newest first, at most `limit`.
pub async fn list(pool: &AnyPool, org: OrgId, filter: &Filter, limit: i64) -> anyhow::Result<Vec<AuditEntry>> {
    let mut params = vec![Param::Text(org.to_string())];
    let mut sql = format!("SELECT {COLUMNS} FROM audit_log WHERE (actor_org_id = $1 OR owner_org_id = $1)");
    let mut add = |clause: &str, param: Param| {
        params.push(param);
        sql.push_str(&format!(" AND {clause} ${}", params.len()));
    };
    if let Some(actor) = filter.actor {
        add("actor_id =", Param::Text(actor.to_string()));
    }
    if let Some(record_type) = &filter.record_type {
        add("record_type =", Param::Text(record_type.as_str().to_owned()));
    }
    if let Some(record_id) = &filter.record_id {
        add("record_id =", Param::Text(record_id.clone()));
    }
    if let Some(action) = filter.action {
        add("action =", Param::Text(action.as_str().to_owned()));
    }
    if let Some(from) = filter.from {
        add("at >=", Param::Text(clock::to_db(from)));
    }
    if let Some(to) = filter.to {
        add("at <", Param::Text(clock::to_db(to)));
    }
    if let Some(before) = filter.before_seq {
        add("seq <", Param::Int(before));
    }
    params.push(Param::Int(limit));
    sql.push_str(&format!(" ORDER BY seq DESC LIMIT ${}", params.len()));
    let mut query = sqlx::query_as::<_, Row>(&sql);
    for param in params {
        query = match param {
            Param::Text(t) => query.bind(t),
            Param::Int(i) => query.bind(i),
        };
    }
    query.fetch_all(pool).await?.iter().map(Row::entry).collect()
}

/// Every entry about one record, oldest first.
pub async fn history(
    conn: &mut AnyConnection,
    record_type: RecordType,
    record_id: &str,
) -> anyhow::Result<Vec<AuditEntry>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE record_type = $1 AND record_id = $2 ORDER BY seq"
    ))
    .bind(record_type.as_str())
    .bind(record_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(Row::entry).collect()
}

/// The latest changes (not reads) to a transfer and the records of its plan — stages, deliverables, risks — newest
/// first: what the transfer's overview shows as its latest changes. All of them are overview data, read under the
/// same rule as the transfer itself.
pub async fn plan_changes(
    conn: &mut AnyConnection,
    transfer: TransferId,
    limit: i64,
) -> anyhow::Result<Vec<AuditEntry>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE action <> 'read' AND ( \
           (record_type = 'transfer' AND record_id = $1) \
           OR (record_type = 'stage' AND record_id IN (SELECT id FROM transfer_stages WHERE transfer_id = $1)) \
           OR (record_type = 'deliverable' AND record_id IN (SELECT d.id FROM deliverables d \
               JOIN transfer_stages s ON s.id = d.stage_id WHERE s.transfer_id = $1)) \
           OR (record_type = 'risk' AND record_id IN (SELECT id FROM risks WHERE transfer_id = $1))) \
         ORDER BY seq DESC LIMIT $2"
    ))
    .bind(transfer.to_string())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(Row::entry).collect()
}

/// The people who appear in `org`'s trail, by name, for the audit view's filter.
pub async fn actors(pool: &AnyPool, org: OrgId) -> anyhow::Result<Vec<(UserId, String)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT actor_id, actor_name FROM audit_log \
         WHERE (actor_org_id = $1 OR owner_org_id = $1) AND actor_id IS NOT NULL ORDER BY actor_name",
    )
    .bind(org.to_string())
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(|(id, name)| Ok((id.parse()?, name))).collect()
}
