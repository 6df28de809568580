//! The audit trail's hash chain: each entry's hash covers the previous entry's hash and its own canonical
//! content, so changing, removing or reordering any entry breaks every hash after it.

use crate::canonical::{canonical_json, sha256_hex};
use crate::ids::{OrgId, UserId};
use crate::stored_enum::stored_enum;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The "previous hash" of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

stored_enum!(
    /// What an entry records.
    AuditAction {
        /// A record was created.
        Create = "create", "Created";
        /// A record was changed.
        Update = "update", "Changed";
        /// A record was deleted.
        Delete = "delete", "Deleted";
        /// A record was signed.
        Sign = "sign", "Signed";
        /// A record was discussed: a comment posted, edited, or its thread resolved or opened again.
        Comment = "comment", "Commented";
        /// A signature was refused: wrong password.
        SignFailed = "sign_failed", "Signature refused";
        /// An agreement's state changed (activated, revoked).
        StateChange = "state_change", "State changed";
        /// Another organisation's protected data was read.
        Read = "read", "Read";
        /// Another organisation's file was downloaded or data exported.
        Download = "download", "Downloaded";
        /// A user logged in.
        Login = "login", "Logged in";
        /// A login failed.
        LoginFailed = "login_failed", "Login failed";
        /// A user logged out.
        Logout = "logout", "Logged out";
    }
);

/// One entry of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Position in the trail, from 1, without gaps.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub seq: i64,
    /// When (UTC, server clock, microseconds).
    pub at: DateTime<Utc>,
    /// Who acted (`None` for an unknown account, e.g. a failed login with an unknown e-mail).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub actor_id: Option<UserId>,
    /// The actor's printed name, or the e-mail tried.
    pub actor_name: String,
    /// The actor's organisation.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub actor_org: Option<OrgId>,
    /// The organisation that owns the record (whose trail this entry belongs in, too).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub owner_org: Option<OrgId>,
    /// What happened.
    pub action: AuditAction,
    /// The kind of record.
    pub record_type: crate::record::RecordType,
    /// The record's id.
    pub record_id: String,
    /// Changed fields before the change.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>, required = true))]
    pub old: Option<Value>,
    /// Changed fields after the change.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>, required = true))]
    pub new: Option<Value>,
    /// Why (required for changes to regulated records).
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub reason: Option<String>,
}

impl AuditEntry {
    /// The canonical text the hash covers; times at microsecond precision, as stored.
    pub fn canonical_content(&self) -> String {
        canonical_json(&json!({
            "seq": self.seq,
            "at": self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "actor_org": self.actor_org,
            "owner_org": self.owner_org,
            "action": self.action.as_str(),
            "record_type": self.record_type.as_str(),
            "record_id": self.record_id,
            "old": self.old,
            "new": self.new,
            "reason": self.reason,
        }))
    }

    /// This entry's hash, chained to the previous entry's.
    pub fn chained_hash(&self, previous_hash: &str) -> String {
        sha256_hex(&format!("{previous_hash}\n{}", self.canonical_content()))
    }
}

/// Where and how a chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// A sequence number is missing or out of order: an entry was removed or inserted.
    #[error("entry {found}: expected sequence number {expected} (an entry is missing or was inserted)")]
    Gap {
        /// The number expected.
        expected: i64,
        /// The number found.
        found: i64,
    },
    /// The entry's stored previous-hash is not the previous entry's hash.
    #[error("entry {seq}: its link to the previous entry does not match")]
    Link {
        /// The entry.
        seq: i64,
    },
    /// The trail ends before the head of the chain says it should: entries were cut off the end.
    #[error("the trail ends at entry {last}, but its head records entry {head}")]
    Truncated {
        /// The last entry found.
        last: i64,
        /// The last entry the head records.
        head: i64,
    },
    /// The entry's content does not match its stored hash: it was changed.
    #[error("entry {seq}: its content does not match its hash (it was changed)")]
    Content {
        /// The entry.
        seq: i64,
    },
}

/// Checks a trail entry by entry, in sequence order, without holding it in memory.
#[derive(Clone, Debug)]
pub struct ChainVerifier {
    previous_hash: String,
    next_seq: i64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier { previous_hash: GENESIS_HASH.to_owned(), next_seq: 1 }
    }
}

impl ChainVerifier {
    /// Checks the next entry with the hashes stored beside it.
    pub fn push(&mut self, entry: &AuditEntry, stored_previous: &str, stored_hash: &str) -> Result<(), ChainBreak> {
        if entry.seq != self.next_seq {
            return Err(ChainBreak::Gap { expected: self.next_seq, found: entry.seq });
        }
        if stored_previous != self.previous_hash {
            return Err(ChainBreak::Link { seq: entry.seq });
        }
        if entry.chained_hash(stored_previous) != stored_hash {
            return Err(ChainBreak::Content { seq: entry.seq });
        }
        self.previous_hash = stored_hash.to_owned();
        self.next_seq += 1;
        Ok(())
    }

    /// Checks, after the last entry, that the chain's recorded head matches where the trail ended.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        if head_seq != self.verified() || head_hash != self.previous_hash {
            return Err(ChainBreak::Truncated { last: self.verified(), head: head_seq });
        }
        Ok(self.verified())
    }

    /// How many entries have been verified.
    pub fn verified(&self) -> i64 {
        self.next_seq - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64) -> AuditEntry {
        AuditEntry {
            seq,
            at: DateTime::from_timestamp(1_800_000_000 + seq, 123_456_000).expect("valid"),
            actor_id: None,
            actor_name: "Dana Kim".into(),
            actor_org: None,
            owner_org: None,
            action: AuditAction::Update,
            record_type: crate::record::RecordType::Agreement,
            record_id: format!("a{seq}"),
            old: Some(json!({"permission": "view"})),
            new: Some(json!({"permission": "download"})),
            reason: Some("Amendment 2".into()),
        }
    }

    fn chain(n: i64) -> Vec<(AuditEntry, String, String)> {
        let mut previous = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let e = entry(seq);
                let hash = e.chained_hash(&previous);
                let row = (e, previous.clone(), hash.clone());
                previous = hash;
                row
            })
            .collect()
    }

    fn verify(rows: &[(AuditEntry, String, String)]) -> Result<i64, ChainBreak> {
        let mut verifier = ChainVerifier::default();
        for (e, prev, hash) in rows {
            verifier.push(e, prev, hash)?;
        }
        Ok(verifier.verified())
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn an_edited_entry_is_found() {
        let mut rows = chain(5);
        rows[2].0.reason = Some("nothing to see".into());
        assert_eq!(verify(&rows), Err(ChainBreak::Content { seq: 3 }));
    }

    #[test]
    fn an_edit_with_a_recomputed_hash_breaks_the_next_link() {
        let mut rows = chain(5);
        rows[2].0.new = Some(json!({"permission": "view"}));
        rows[2].2 = rows[2].0.chained_hash(&rows[2].1);
        assert_eq!(verify(&rows), Err(ChainBreak::Link { seq: 4 }));
    }

    #[test]
    fn a_cut_off_tail_is_found_by_the_head() {
        let rows = chain(5);
        let (head_seq, head_hash) = (5, rows[4].2.clone());
        let mut verifier = ChainVerifier::default();
        for (e, prev, hash) in &rows[..3] {
            verifier.push(e, prev, hash).expect("intact prefix");
        }
        assert_eq!(verifier.finish(head_seq, &head_hash), Err(ChainBreak::Truncated { last: 3, head: 5 }));
    }

    #[test]
    fn a_removed_entry_is_a_gap() {
        let mut rows = chain(5);
        rows.remove(1);
        assert_eq!(verify(&rows), Err(ChainBreak::Gap { expected: 2, found: 3 }));
    }

    #[test]
    fn time_is_hashed_at_microseconds() {
        let mut e = entry(1);
        let h = e.chained_hash(GENESIS_HASH);
        e.at += chrono::Duration::nanoseconds(1);
        assert_eq!(e.chained_hash(GENESIS_HASH), h, "sub-microsecond noise is not part of the record");
        e.at += chrono::Duration::microseconds(1);
        assert_ne!(e.chained_hash(GENESIS_HASH), h);
    }
}
