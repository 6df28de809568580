//! Electronic signatures (21 CFR Part 11 §11.50, §11.70; EU Annex 11 §14): who signed, when, meaning what, bound to
//! the hash of exactly the content they saw.

use crate::canonical::{canonical_json, sha256_hex};
use crate::ids::UserId;
use crate::stored_enum::stored_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

stored_enum!(
    /// What a signature means.
    Meaning {
        /// I wrote this.
        Authored = "authored", "Authored";
        /// I reviewed this.
        Reviewed = "reviewed", "Reviewed";
        /// I approve this.
        Approved = "approved", "Approved";
        /// I release this.
        Released = "released", "Released";
        /// I revoke this.
        Revoked = "revoked", "Revoked";
        /// I reject this (a batch).
        Rejected = "rejected", "Rejected";
    }
);

/// The hash a signature is bound to: SHA-256 of the record's signed content in canonical JSON.
pub fn content_hash(content: &serde_json::Value) -> String {
    sha256_hex(&canonical_json(content))
}

/// A signature as shown with its record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signature {
    /// The signer.
    pub signer_id: UserId,
    /// The signer's printed name at the time of signing.
    pub signer_name: String,
    /// The signer's organisation.
    pub organisation_id: crate::ids::OrgId,
    /// The signer's organisation's name at the time of signing.
    pub organisation: String,
    /// What the signature means.
    pub meaning: Meaning,
    /// When it was made (UTC, server clock).
    pub signed_at: DateTime<Utc>,
    /// The hash of the content signed.
    pub content_hash: String,
    /// False once the record's content has changed since this signature.
    pub valid: bool,
}

/// A request to sign: the password again, and the meaning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignRequest {
    /// The signer's password, re-entered for this signature.
    pub password: String,
    /// What the signature means.
    pub meaning: Meaning,
    /// The content hash of the record as the signer was shown it; if the record changed since, the signature is
    /// refused (409) and nothing is written.
    pub content_hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_hash_changes_with_the_content_and_not_with_key_order() {
        let a = content_hash(&json!({"permission": "view", "valid_until": "2027-01-01"}));
        let b = content_hash(&json!({"valid_until": "2027-01-01", "permission": "view"}));
        let c = content_hash(&json!({"valid_until": "2027-01-01", "permission": "download"}));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 64);
    }
}
