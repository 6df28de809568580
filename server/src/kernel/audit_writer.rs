//! Group commit for audit entries that change nothing else (partner reads): concurrent appends share one write
//! transaction, and each caller is answered only after the transaction holding its entry has committed.
//!
//! Without it every audited read is a transaction of its own on the audit chain's head, and under 16 concurrent
//! partner readers those transactions queue on the one lock (single waits over 1 s were measured).

use crate::db::{Backend, Db};
use crate::store::audit::NewEntry;
use crate::store::audit_batch::{self, Batch};
use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool};
use std::path::PathBuf;
use tokio::sync::{mpsc, oneshot};

/// Most entries committed in one transaction; more wait for the next.
const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<(), String>>;
type Job = (NewEntry, DateTime<Utc>, Reply);

/// A handle to the writer; cheap to clone. The writer stops when the last handle is dropped.
#[derive(Clone, Debug)]
pub struct AuditWriter {
    queue: mpsc::Sender<Job>,
}

impl AuditWriter {
    /// Starts the writer for `db`: a thread of its own on SQLite, a task on the current runtime on PostgreSQL.
    pub fn start(db: &Db) -> anyhow::Result<AuditWriter> {
        let (queue, incoming) = mpsc::channel(4 * MAX_BATCH);
        match (db.backend, &db.file) {
            (Backend::Sqlite, Some(file)) => {
                let file = file.clone();
                std::thread::Builder::new()
                    .name("audit-writer".into())
                    .spawn(move || run_sqlite(file, incoming))
                    .context("starting the audit writer's thread")?;
            }
            (Backend::Sqlite, None) => anyhow::bail!("the audit writer needs the SQLite database's file"),
            (Backend::Postgres, _) => {
                tokio::spawn(run_postgres(db.pool.clone(), incoming));
            }
        }
        Ok(AuditWriter { queue })
    }

    /// Appends `entry`, returning once it is durable (committed), or the error that prevented it.
    pub async fn append(&self, entry: NewEntry, now: DateTime<Utc>) -> anyhow::Result<()> {
        let (reply, answer) = oneshot::channel();
        self.queue.send((entry, now, reply)).await.map_err(|_| anyhow::anyhow!("the audit writer has stopped"))?;
        match answer.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(anyhow::anyhow!("audit append failed: {message}")),
            Err(_) => Err(anyhow::anyhow!("the audit writer stopped before committing")),
        }
    }
}

/// Answers every job of a batch with its outcome.
fn answer(jobs: &mut Vec<Job>, outcome: Result<(), String>) {
    if let Err(message) = &outcome {
        tracing::error!(entries = jobs.len(), error = %message, "audit group commit failed");
    }
    for (_, _, reply) in jobs.drain(..) {
        // A caller that went away (its request was cancelled) needs no answer; its entry is committed anyway.
        let _ = reply.send(outcome.clone());
    }
}

fn entries(jobs: &[Job]) -> Batch {
    jobs.iter().map(|(entry, now, _)| (entry.clone(), *now)).collect()
}

/// The SQLite writer: one wake-up per batch, then every statement of it without leaving the thread.
fn run_sqlite(file: PathBuf, mut incoming: mpsc::Receiver<Job>) {
    let mut conn: Option<rusqlite::Connection> = None;
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = incoming.blocking_recv() {
        jobs.push(first);
        while jobs.len() < MAX_BATCH {
            match incoming.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let outcome = match &mut conn {
            Some(conn) => Ok(conn),
            None => audit_batch::open_sqlite(&file).map(|opened| conn.insert(opened)),
        }
        .and_then(|conn| audit_batch::append_sqlite(conn, entries(&jobs)))
        .map_err(|e| format!("{e:#}"));
        if outcome.is_err() {
            conn = None;
        }
        answer(&mut jobs, outcome);
    }
}

/// The PostgreSQL writer: a batch is one statement while this writer is the only one moving the head, and takes
/// the head's lock (four statements) when another writer has moved it since.
async fn run_postgres(pool: AnyPool, mut incoming: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    // The writer keeps a connection of its own: taking one from the pool for each batch queued it behind the very
    // readers whose entries it was about to commit.
    let mut own: Option<PoolConnection<Any>> = None;
    let mut head: Option<(i64, String)> = None;
    while incoming.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let outcome = commit_postgres(&pool, &mut own, &mut head, entries(&jobs)).await.map_err(|e| format!("{e:#}"));
        if outcome.is_err() {
            // The connection may be what failed (a restarted database); the next batch starts on a fresh one.
            own = None;
            head = None;
        }
        answer(&mut jobs, outcome);
    }
}

async fn commit_postgres(
    pool: &AnyPool,
    own: &mut Option<PoolConnection<Any>>,
    head: &mut Option<(i64, String)>,
    batch: Batch,
) -> anyhow::Result<()> {
    let conn = match own {
        Some(conn) => conn,
        None => own.insert(pool.acquire().await?),
    };
    if let Some(last) = head.take()
        && let Some(moved) = audit_batch::append_postgres_after(conn, last, batch.clone()).await?
    {
        *head = Some(moved);
        return Ok(());
    }
    *head = Some(audit_batch::append_postgres_locked(conn, batch).await?);
    Ok(())
}
