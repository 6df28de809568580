//! Data-sharing agreements: the legal agreement, made executable. Its state is computed from its signatures,
//! revocation and validity window against a clock, never stored, so expiry needs no job to flip a flag.

use crate::access::Action;
use crate::ids::{AgreementId, OrgId, ProductId, TransferId};
use crate::stored_enum::stored_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

stored_enum!(
    /// The kinds of data an agreement can share.
    DataClass {
        /// How the process runs, unit operation by unit operation.
        ProcessDescription = "process_description", "process description";
        /// Setpoints and ranges of process parameters.
        ProcessParameters = "process_parameters", "process parameters";
        /// Analytical methods and their transfer.
        AnalyticalMethods = "analytical_methods", "analytical methods";
        /// Executed batch records and results.
        BatchRecords = "batch_records", "batch records";
        /// Deviations, CAPAs, change controls.
        QualityEvents = "quality_events", "quality events";
        /// Stability data.
        StabilityData = "stability_data", "stability data";
        /// Regulatory documents.
        RegulatoryDocuments = "regulatory_documents", "regulatory documents";
        /// Prices, volumes, contracts.
        Commercial = "commercial", "commercial data";
    }
);

stored_enum!(
    /// What the grantee may do with covered data; each level includes the ones before it.
    Permission {
        /// Read.
        View = "view", "view";
        /// Read and comment.
        Comment = "comment", "comment";
        /// Read, comment and add records.
        Contribute = "contribute", "contribute";
        /// All of the above and download files.
        Download = "download", "download";
    }
);

/// Either everything of a kind, or a listed few.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "items", rename_all = "snake_case")]
pub enum Coverage<T> {
    /// All of them, including those added later.
    All,
    /// Only these.
    Only(Vec<T>),
}

impl<T: PartialEq> Coverage<T> {
    /// Whether `item` is covered.
    pub fn includes(&self, item: &T) -> bool {
        match self {
            Coverage::All => true,
            Coverage::Only(items) => items.contains(item),
        }
    }
}

/// What an agreement covers: products, transfers and data classes must all match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scope {
    /// Products by id.
    pub products: Coverage<ProductId>,
    /// Transfers by id.
    pub transfers: Coverage<TransferId>,
    /// Kinds of data.
    pub data_classes: Vec<DataClass>,
}

stored_enum!(
    /// Where an agreement stands at a given moment.
    AgreementState {
        /// Being written; no signatures yet.
        Draft = "draft", "Draft";
        /// Signed by one party, waiting for the other.
        AwaitingSignatures = "awaiting_signatures", "Awaiting signatures";
        /// Signed by both, but its validity window has not begun.
        Scheduled = "scheduled", "Scheduled";
        /// In force: grants access.
        Active = "active", "Active";
        /// Its validity window has ended.
        Expired = "expired", "Expired";
        /// Ended early by a signed revocation.
        Revoked = "revoked", "Revoked";
    }
);

/// The facts about an agreement that the access rule and its state depend on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgreementFacts {
    /// Its id.
    pub id: AgreementId,
    /// The organisation whose data is shared.
    pub grantor: OrgId,
    /// The organisation that receives access.
    pub grantee: OrgId,
    /// What is covered.
    pub scope: Scope,
    /// What the grantee may do.
    pub permission: Permission,
    /// Start of validity.
    pub valid_from: DateTime<Utc>,
    /// End of validity (exclusive).
    pub valid_until: DateTime<Utc>,
    /// An authorised signatory of the grantor has signed the current version.
    pub signed_by_grantor: bool,
    /// An authorised signatory of the grantee has signed the current version.
    pub signed_by_grantee: bool,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Put in force: both parties approved the current terms, recorded once, in the transaction of the second
    /// approval. The one source of truth for "in force", shared with the list queries' SQL.
    pub activated: bool,
}

impl AgreementFacts {
    /// The agreement's state at `now` (server clock).
    pub fn state(&self, now: DateTime<Utc>) -> AgreementState {
        if self.revoked_at.is_some_and(|at| at <= now) {
            return AgreementState::Revoked;
        }
        if self.activated {
            return if now < self.valid_from {
                AgreementState::Scheduled
            } else if now >= self.valid_until {
                AgreementState::Expired
            } else {
                AgreementState::Active
            };
        }
        if self.signed_by_grantor || self.signed_by_grantee {
            AgreementState::AwaitingSignatures
        } else {
            AgreementState::Draft
        }
    }

    /// Whether the agreement's state lets `org` take `action` now, whatever its role; `Err` says why not, for a
    /// 409. The access rule decides who may act; this decides when.
    pub fn workflow_allows(&self, action: Action, org: OrgId, now: DateTime<Utc>) -> Result<(), String> {
        let state = self.state(now);
        let state_word = state.label().to_lowercase();
        let drafting = matches!(state, AgreementState::Draft | AgreementState::AwaitingSignatures);
        match action {
            Action::SignAgreement if !drafting => {
                Err(format!("The agreement is {state_word}; there is nothing left to approve."))
            }
            Action::SignAgreement => {
                let signed = if org == self.grantor { self.signed_by_grantor } else { self.signed_by_grantee };
                if signed { Err("Your organisation has already approved these terms.".into()) } else { Ok(()) }
            }
            Action::RevokeAgreement if matches!(state, AgreementState::Revoked | AgreementState::Expired) => {
                Err(format!("The agreement is already {state_word}."))
            }
            _ => Ok(()),
        }
    }

    /// Whether, at `now`, this agreement lets its grantee do `needed` with `what`.
    pub fn grants(&self, what: &Covered, needed: Permission, now: DateTime<Utc>) -> bool {
        self.state(now) == AgreementState::Active
            && self.grantor == what.owner
            && self.permission >= needed
            && self.scope.products.includes(&what.product)
            && what.transfer.map_or(self.scope.transfers == Coverage::All, |t| self.scope.transfers.includes(&t))
            && what.data_class.is_none_or(|class| self.scope.data_classes.contains(&class))
    }
}

/// A piece of another organisation's data, described by what agreements are scoped on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Covered {
    /// The organisation that owns it (an agreement's grantor).
    pub owner: OrgId,
    /// The product it belongs to.
    pub product: ProductId,
    /// The transfer it belongs to; `None` outside any transfer, which only an agreement on all transfers covers.
    pub transfer: Option<TransferId>,
    /// Its data class; `None` for a transfer's overview, which any agreement covering the transfer reveals.
    pub data_class: Option<DataClass>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use uuid::Uuid;

    fn t(days: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid") + Duration::days(days)
    }

    pub(crate) fn facts() -> AgreementFacts {
        AgreementFacts {
            id: AgreementId(Uuid::from_u128(9)),
            grantor: OrgId(Uuid::from_u128(1)),
            grantee: OrgId(Uuid::from_u128(2)),
            scope: Scope {
                products: Coverage::Only(vec![ProductId(Uuid::from_u128(5))]),
                transfers: Coverage::All,
                data_classes: vec![DataClass::ProcessDescription],
            },
            permission: Permission::Comment,
            valid_from: t(0),
            valid_until: t(365),
            signed_by_grantor: true,
            signed_by_grantee: true,
            revoked_at: None,
            activated: true,
        }
    }

    #[test]
    fn state_follows_signatures_window_and_revocation() {
        let mut a = facts();
        assert_eq!(a.state(t(-1)), AgreementState::Scheduled);
        assert_eq!(a.state(t(0)), AgreementState::Active);
        assert_eq!(a.state(t(365)), AgreementState::Expired);
        a.revoked_at = Some(t(10));
        assert_eq!(a.state(t(9)), AgreementState::Active);
        assert_eq!(a.state(t(10)), AgreementState::Revoked);
        a.revoked_at = None;
        a.activated = false;
        assert_eq!(a.state(t(5)), AgreementState::AwaitingSignatures, "both signed, not yet put in force");
        a.signed_by_grantee = false;
        assert_eq!(a.state(t(5)), AgreementState::AwaitingSignatures);
        a.signed_by_grantor = false;
        assert_eq!(a.state(t(5)), AgreementState::Draft);
    }

    #[test]
    fn grants_only_within_scope_permission_and_owner() {
        let a = facts();
        let what = Covered {
            owner: a.grantor,
            product: ProductId(Uuid::from_u128(5)),
            transfer: Some(TransferId(Uuid::from_u128(7))),
            data_class: Some(DataClass::ProcessDescription),
        };
        assert!(a.grants(&what, Permission::View, t(1)));
        assert!(a.grants(&what, Permission::Comment, t(1)));
        assert!(!a.grants(&what, Permission::Download, t(1)), "permission above the granted level");
        let corvastatin = ProductId(Uuid::from_u128(6));
        assert!(!a.grants(&Covered { product: corvastatin, ..what }, Permission::View, t(1)), "other product");
        assert!(!a.grants(&Covered { data_class: Some(DataClass::Commercial), ..what }, Permission::View, t(1)));
        assert!(!a.grants(&Covered { owner: a.grantee, ..what }, Permission::View, t(1)), "other owner's data");
        assert!(a.grants(&Covered { data_class: None, ..what }, Permission::View, t(1)), "overview");
        assert!(!a.grants(&what, Permission::View, t(400)), "expired");
        let outside = Covered { transfer: None, ..what };
        assert!(a.grants(&outside, Permission::View, t(1)), "data outside transfers, under an all-transfers agreement");
        let mut only_one = a.clone();
        only_one.scope.transfers = Coverage::Only(vec![TransferId(Uuid::from_u128(7))]);
        assert!(only_one.grants(&what, Permission::View, t(1)));
        assert!(
            !only_one.grants(&outside, Permission::View, t(1)),
            "a transfer-scoped agreement covers no data outside"
        );
    }

    #[test]
    fn permissions_are_ordered_and_stored_names_round_trip() {
        assert!(Permission::View < Permission::Comment && Permission::Contribute < Permission::Download);
        for class in DataClass::ALL {
            assert_eq!(class.as_str().parse::<DataClass>(), Ok(*class));
        }
        for state in AgreementState::ALL {
            assert_eq!(state.as_str().parse::<AgreementState>(), Ok(*state));
        }
    }
}

/// The terms of a new or amended agreement, as the grantor writes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgreementTerms {
    /// A short name, e.g. "Velarimab DS — analytical method transfer".
    pub title: String,
    /// The organisation receiving access (the grantor is the caller's own organisation).
    pub grantee: OrgId,
    /// What is covered.
    pub scope: Scope,
    /// What the grantee may do.
    pub permission: Permission,
    /// Start of validity (UTC).
    pub valid_from: DateTime<Utc>,
    /// End of validity (UTC, exclusive).
    pub valid_until: DateTime<Utc>,
}

/// Longest agreement title accepted.
pub const MAX_TITLE_LEN: usize = 200;

impl AgreementTerms {
    /// Checks the terms' own consistency; the server also checks them against the database.
    pub fn validate(&self) -> Result<(), crate::error::ApiError> {
        use crate::error::ApiError;
        let title = self.title.trim();
        if title.is_empty() {
            return Err(ApiError::invalid("title", "Give the agreement a title."));
        }
        if title.chars().count() > MAX_TITLE_LEN {
            return Err(ApiError::invalid("title", format!("Keep the title under {MAX_TITLE_LEN} characters.")));
        }
        if self.scope.data_classes.is_empty() {
            return Err(ApiError::invalid("scope.data_classes", "Choose at least one class of data to share."));
        }
        if matches!(&self.scope.products, Coverage::Only(p) if p.is_empty()) {
            return Err(ApiError::invalid("scope.products", "List the products covered, or choose all products."));
        }
        if matches!(&self.scope.transfers, Coverage::Only(t) if t.is_empty()) {
            return Err(ApiError::invalid("scope.transfers", "List the transfers covered, or choose all transfers."));
        }
        if self.valid_until <= self.valid_from {
            return Err(ApiError::invalid("valid_until", "The end of validity must come after its start."));
        }
        Ok(())
    }
}

/// An agreement as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgreementView {
    /// Its id.
    pub id: AgreementId,
    /// A short name.
    pub title: String,
    /// Whose data it shares.
    pub grantor: crate::org::OrgRef,
    /// Who receives access.
    pub grantee: crate::org::OrgRef,
    /// What is covered.
    pub scope: Scope,
    /// What the grantee may do.
    pub permission: Permission,
    /// Start of validity.
    pub valid_from: DateTime<Utc>,
    /// End of validity (exclusive).
    pub valid_until: DateTime<Utc>,
    /// Its state now, by the server clock.
    pub state: AgreementState,
    /// SHA-256 of its terms, which signatures are bound to.
    pub content_hash: String,
    /// Every signature ever given, valid or not for the current terms.
    pub signatures: Vec<crate::signature::Signature>,
    /// When it was revoked.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Why it was revoked.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub revocation_reason: Option<String>,
    /// Increases with each change; send it back when changing the agreement.
    pub row_version: i64,
    /// 1 for an original agreement, n + 1 for an amendment of version n.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: i64,
    /// The agreement this one amends; it ends when this one takes effect.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub supersedes: Option<AgreementId>,
    /// When both parties' approvals put it in force.
    pub activated_at: Option<DateTime<Utc>>,
    /// What the caller may do with it now (the access rule and the agreement's state together).
    #[serde(default)]
    pub actions: Vec<Action>,
    /// The names of the products and the codes of the transfers its scope lists, by id: what a signer reads.
    #[serde(default)]
    pub scope_labels: std::collections::BTreeMap<String, String>,
}

impl AgreementView {
    /// The ids its scope lists (products, then transfers), as text.
    pub fn scope_ids(&self) -> Vec<String> {
        let mut ids = Vec::new();
        if let Coverage::Only(products) = &self.scope.products {
            ids.extend(products.iter().map(ToString::to_string));
        }
        if let Coverage::Only(transfers) = &self.scope.transfers {
            ids.extend(transfers.iter().map(ToString::to_string));
        }
        ids
    }

    /// The labels of the listed items of `coverage`, or `all` (an id without a label is shown as it is).
    pub fn scope_text<T: ToString>(&self, coverage: &Coverage<T>, all: &str) -> String {
        match coverage {
            Coverage::All => all.to_owned(),
            Coverage::Only(items) => items
                .iter()
                .map(|i| {
                    let id = i.to_string();
                    self.scope_labels.get(&id).cloned().unwrap_or(id)
                })
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// The facts the access rule needs: an organisation has signed when one of its people gave a still-valid
    /// approval of the current terms.
    pub fn facts(&self) -> AgreementFacts {
        let approved_by = |org: OrgId| {
            self.signatures
                .iter()
                .any(|s| s.valid && s.meaning == crate::signature::Meaning::Approved && s.organisation_id == org)
        };
        AgreementFacts {
            id: self.id,
            grantor: self.grantor.id,
            grantee: self.grantee.id,
            scope: self.scope.clone(),
            permission: self.permission,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            signed_by_grantor: approved_by(self.grantor.id),
            signed_by_grantee: approved_by(self.grantee.id),
            revoked_at: self.revoked_at,
            activated: self.activated_at.is_some(),
        }
    }
}

/// The agreements the caller's organisation is party to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgreementList {
    /// Newest first.
    pub items: Vec<AgreementView>,
    /// What the caller may do here: `draft_agreement` when they may grant a partner access to their organisation's
    /// data.
    #[serde(default)]
    pub actions: Vec<Action>,
}

/// A change to a draft agreement's terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgreementChange {
    /// The new terms.
    pub terms: AgreementTerms,
    /// The `row_version` the change is based on; a stale one is refused with 409.
    pub row_version: i64,
    /// Why the terms change (required: agreements are regulated records).
    pub reason: String,
}

/// A request to amend an active agreement: a new draft version with the same terms, to be changed and signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AmendRequest {
    /// The `row_version` of the agreement as the requester saw it; a stale one is refused with 409.
    pub row_version: i64,
    /// Why the agreement is amended (required).
    pub reason: String,
}

/// A signed revocation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokeRequest {
    /// The `row_version` of the agreement as the signer saw it; a stale one is refused with 409.
    pub row_version: i64,
    /// The signer's password, re-entered.
    pub password: String,
    /// Why access ends (required).
    pub reason: String,
}

/// A partner organisation and the partnership with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Partner {
    /// The partnership's id.
    pub partnership_id: crate::ids::PartnershipId,
    /// The other organisation.
    pub organisation: crate::org::OrgRef,
}

/// The caller's partners.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerList {
    /// Partners by name.
    pub items: Vec<Partner>,
}

#[cfg(test)]
mod terms_tests {
    use super::*;
    use uuid::Uuid;

    fn terms() -> AgreementTerms {
        AgreementTerms {
            title: "Velarimab DP".into(),
            grantee: OrgId(Uuid::from_u128(2)),
            scope: Scope {
                products: Coverage::All,
                transfers: Coverage::Only(vec![TransferId(Uuid::from_u128(3))]),
                data_classes: vec![DataClass::ProcessDescription],
            },
            permission: Permission::View,
            valid_from: DateTime::from_timestamp(1_800_000_000, 0).expect("valid"),
            valid_until: DateTime::from_timestamp(1_900_000_000, 0).expect("valid"),
        }
    }

    #[test]
    fn good_terms_pass_and_each_fault_names_its_field() {
        assert_eq!(terms().validate(), Ok(()));
        let field = |t: AgreementTerms| t.validate().expect_err("invalid").field.unwrap_or_default();
        assert_eq!(field(AgreementTerms { title: " ".into(), ..terms() }), "title");
        assert_eq!(field(AgreementTerms { title: "x".repeat(201), ..terms() }), "title");
        let mut t = terms();
        t.scope.data_classes.clear();
        assert_eq!(field(t), "scope.data_classes");
        let mut t = terms();
        t.scope.products = Coverage::Only(vec![]);
        assert_eq!(field(t), "scope.products");
        let mut t = terms();
        t.scope.transfers = Coverage::Only(vec![]);
        assert_eq!(field(t), "scope.transfers");
        let t = terms();
        assert_eq!(field(AgreementTerms { valid_until: t.valid_from, ..t }), "valid_until");
    }
}
