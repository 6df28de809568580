//! One unit of work for every change: take the audit chain's lock, re-read and decide, change, audit, commit.

use super::{Authorized, Record, authorize};
use crate::error::AppError;
use crate::store;
use crate::store::audit::{NewEntry, WriteTx, begin_write};
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::live;
use baton_domain::org::UserProfile;
use baton_domain::record::RecordType;
use baton_domain::signature::{Meaning, Signature};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{AnyConnection, AnyPool};
use std::collections::HashSet;

/// A write transaction on behalf of one user. Its first statement takes the audit chain's lock, so everything it
/// reads is current and nothing it decides can be overtaken by another writer before it commits.
pub struct UnitOfWork<'u> {
    tx: WriteTx,
    user: &'u UserProfile,
    now: DateTime<Utc>,
    /// The records this unit announced a change to (their followers are notified once per unit, not per entry).
    announced: HashSet<(RecordType, String)>,
}

impl<'u> UnitOfWork<'u> {
    /// Starts a unit of work for `user`; `now` is the time every change and entry in it carries.
    pub async fn begin(pool: &AnyPool, user: &'u UserProfile) -> Result<UnitOfWork<'u>, AppError> {
        Ok(UnitOfWork { tx: begin_write(pool).await?, user, now: Utc::now(), announced: HashSet::new() })
    }

    /// Whom the unit works for.
    pub fn user(&self) -> &'u UserProfile {
        self.user
    }

    /// The unit's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The transaction, for the change itself.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Re-reads record `id` inside the transaction and decides `action` on it for the unit's user.
    pub async fn authorize<R: Record>(&mut self, id: R::Id, action: Action) -> Result<Authorized<R>, AppError> {
        authorize::<R>(&mut self.tx, self.user, id, action, self.now).await
    }

    /// Appends an entry to the audit trail, in this transaction; a change to a record is also announced as a live
    /// event (and on PostgreSQL notified to every instance, which PostgreSQL delivers only once this commits).
    pub async fn audit(&mut self, entry: NewEntry) -> Result<(), AppError> {
        let appended = store::audit::append(&mut self.tx, entry, self.now).await?;
        if live::announces(appended.record_type, appended.action) {
            let record = (appended.record_type, appended.record_id.clone());
            let first = !self.announced.contains(&record);
            // Followers are told of changes to the record; a comment reaches people through its mentions instead,
            // so that one comment does not fill an inbox twice.
            let notify = first && appended.action != AuditAction::Comment;
            store::events::announce(&mut self.tx, &appended, notify, crate::tab::current().as_deref()).await?;
            if self.tx.backend_name() == "PostgreSQL" {
                // The payload is a number this server formatted: nothing a user typed reaches the statement.
                sqlx::query(&format!("NOTIFY {}, '{}'", crate::live::CHANNEL, appended.seq))
                    .execute(&mut *self.tx)
                    .await?;
            }
            if first {
                self.announced.insert(record);
            }
        }
        Ok(())
    }

    /// Signs `record` as the unit's user with `meaning`, bound to the record's content hash as re-read in this
    /// transaction, with its audit entry: a signature never exists off the record.
    pub async fn sign<R: Record>(&mut self, record: &Authorized<R>, meaning: Meaning) -> Result<Signature, AppError> {
        let hash = record.record().content_hash().ok_or_else(|| anyhow::anyhow!("{:?} is not signable", R::TYPE))?;
        let id = record.record().id().to_string();
        let signature =
            store::signatures::insert(&mut self.tx, R::TYPE, &id, self.user, meaning, hash, self.now).await?;
        let new = json!({"meaning": meaning.as_str(), "content_hash": hash, "signer": self.user.display_name});
        self.audit(record.entry(AuditAction::Sign, None, Some(new), None)).await?;
        Ok(signature)
    }

    /// Commits: the change and its entries become durable together, or not at all.
    pub async fn commit(self) -> Result<(), AppError> {
        self.tx.commit().await?;
        if !self.announced.is_empty() {
            crate::live::wake();
        }
        Ok(())
    }
}
