//! The access rule: one pure function decides whether a subject may act on a resource, given the agreements in
//! force and the time.
//!
//! Deny by default. An organisation always reaches its own data (roles narrowing what it may do); a partner
//! reaches it only through an active agreement whose scope covers the data with a sufficient permission. Every
//! server path that reads, lists or changes a record asks [`decide`]; list queries express the same rule in SQL
//! and are tested against it.

use crate::agreement::{AgreementFacts, Covered, DataClass, Permission};
use crate::ids::{OrgId, TransferId};
use crate::org::Role;
use crate::signature::Meaning;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who is asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subject {
    /// The asker's organisation.
    pub org: OrgId,
    /// The asker's role in it.
    pub role: Role,
}

/// What they want to do. The server sends each record's permitted actions with it, so the app never needs its own
/// copy of the rule to decide which buttons to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See the record.
    Read,
    /// Comment on it.
    Comment,
    /// Add to it or change it.
    Contribute,
    /// Plan a transfer: start it, change its stages, add deliverables, re-plan; or change the organisation's
    /// stage templates.
    Plan,
    /// Download its files or export it.
    Download,
    /// Write or amend a draft agreement.
    DraftAgreement,
    /// Sign an agreement as an authorised signatory.
    SignAgreement,
    /// Revoke an agreement.
    RevokeAgreement,
    /// E-sign a record inside a transfer (a gate, a disposition) with this meaning.
    Sign(Meaning),
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 14] = [
        Action::Read,
        Action::Comment,
        Action::Contribute,
        Action::Plan,
        Action::Download,
        Action::DraftAgreement,
        Action::SignAgreement,
        Action::RevokeAgreement,
        Action::Sign(Meaning::Authored),
        Action::Sign(Meaning::Reviewed),
        Action::Sign(Meaning::Approved),
        Action::Sign(Meaning::Released),
        Action::Sign(Meaning::Revoked),
        Action::Sign(Meaning::Rejected),
    ];

    /// The agreement permission this action needs on another organisation's data, if it is a data action.
    pub fn needed_permission(self) -> Option<Permission> {
        match self {
            Action::Read => Some(Permission::View),
            Action::Comment => Some(Permission::Comment),
            Action::Contribute | Action::Plan => Some(Permission::Contribute),
            Action::Download => Some(Permission::Download),
            // A partner's signature on the owner's record adds to it.
            Action::Sign(_) => Some(Permission::Contribute),
            Action::DraftAgreement | Action::SignAgreement | Action::RevokeAgreement => None,
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Action::Read => "view",
            Action::Comment => "comment on",
            Action::Contribute => "change",
            Action::Plan => "plan",
            Action::Download => "download",
            Action::DraftAgreement => "draft",
            Action::SignAgreement => "sign",
            Action::RevokeAgreement => "revoke",
            Action::Sign(_) => "sign",
        }
    }
}

/// Data of a sponsor–CMO partnership — a transfer, a class of data inside one, or records such as commercial
/// batches outside any transfer — with the facts the rule needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartnerData<'a> {
    /// The transfer it belongs to; `None` for data outside any transfer, which only agreements covering all
    /// transfers reach.
    pub transfer: Option<TransferId>,
    /// The party that produced the data and owns it: the sponsor for its sending-unit data and the transfer's
    /// overview, the CMO for its receiving-unit data, batches and results.
    pub owner: OrgId,
    /// The brand owner.
    pub sponsor: OrgId,
    /// The contract manufacturer.
    pub cmo: OrgId,
    /// The product, which agreements may be scoped on.
    pub product: crate::ids::ProductId,
    /// The product's name, for the explanation of a refusal.
    pub product_name: &'a str,
    /// The class of data asked for; `None` for the transfer's overview (product, sites, stage, dates).
    pub data_class: Option<DataClass>,
}

/// What they want to do it to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource<'a> {
    /// Data of a partnership: a technology transfer, data in it, or records outside any transfer.
    Data(PartnerData<'a>),
    /// A data-sharing agreement between two organisations.
    Agreement {
        /// Whose data it shares.
        grantor: OrgId,
        /// Who receives access.
        grantee: OrgId,
    },
    /// A record of a partnership that both parties see in full, whoever raised it — a change control — owned by the
    /// party that raised it. No agreement is involved: being a party is what lets an organisation at it.
    PartnershipRecord {
        /// The party that raised it.
        owner: OrgId,
        /// The sponsor.
        sponsor: OrgId,
        /// The CMO.
        cmo: OrgId,
    },
    /// A partnership's quality agreement (RACI matrix).
    QualityAgreement {
        /// The sponsor.
        sponsor: OrgId,
        /// The CMO.
        cmo: OrgId,
    },
    /// An organisation's audit trail.
    AuditTrail {
        /// Whose.
        org: OrgId,
    },
    /// An organisation's stage templates for new transfers.
    Templates {
        /// Whose.
        org: OrgId,
    },
}

impl Resource<'_> {
    /// The organisation whose record this is: whose trail its entries belong in.
    pub fn owner(&self) -> OrgId {
        match self {
            Resource::Data(data) => data.owner,
            Resource::Agreement { grantor, .. } => *grantor,
            Resource::PartnershipRecord { owner, .. } => *owner,
            Resource::QualityAgreement { sponsor, .. } => *sponsor,
            Resource::AuditTrail { org } | Resource::Templates { org } => *org,
        }
    }

    /// Whether `subject` reading this is a read of another organisation's protected data, which the audit trail
    /// records. Agreements and partnership records belong to both their parties; data in a transfer belongs to the
    /// party that produced it.
    pub fn is_partner_read(&self, subject: &Subject) -> bool {
        matches!(self, Resource::Data(data) if data.owner != subject.org)
    }
}

/// Why access was refused, phrased for the person refused; never reveals the record's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DenyReason {
    /// The subject's organisation has no part in the record.
    NotAParty,
    /// No active agreement covers this data for the subject's organisation.
    NoAgreement {
        /// The data class asked for (`None`: the transfer itself).
        data_class: Option<DataClass>,
        /// The product it belongs to.
        product: String,
        /// The permission that was needed.
        needed: Permission,
    },
    /// The subject's role may not do this.
    Role {
        /// Their role.
        role: Role,
        /// What they tried.
        action: Action,
    },
}

impl DenyReason {
    /// The explanation shown on the no-access page.
    pub fn message(&self) -> String {
        match self {
            DenyReason::NotAParty => {
                "Your organisation is not a party to this record. Ask its owner for access if you need it.".into()
            }
            DenyReason::NoAgreement { data_class: Some(class), product, needed } => format!(
                "No active agreement lets your organisation {} {} for {product}.",
                Action::from_permission(*needed).verb(),
                class.label()
            ),
            DenyReason::NoAgreement { data_class: None, product, needed } if *needed != Permission::View => format!(
                "No active agreement lets your organisation {} this transfer of {product}.",
                Action::from_permission(*needed).verb()
            ),
            DenyReason::NoAgreement { data_class: None, product, .. } => format!(
                "No active data-sharing agreement covers this transfer of {product} for your organisation. \
                 The sponsor can draft one under Partners & agreements."
            ),
            DenyReason::Role { role, action } => {
                format!("Your role ({}) may not {} this.", role.label(), action.verb())
            }
        }
    }
}

impl Action {
    fn from_permission(permission: Permission) -> Action {
        match permission {
            Permission::View => Action::Read,
            Permission::Comment => Action::Comment,
            Permission::Contribute => Action::Contribute,
            Permission::Download => Action::Download,
        }
    }
}

/// The outcome of [`decide`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// Refused, with the reason.
    Deny(DenyReason),
}

impl Decision {
    /// True for [`Decision::Allow`].
    pub fn is_allowed(&self) -> bool {
        *self == Decision::Allow
    }
}

/// Which roles may do what to data, inside their own organisation or through an agreement.
fn role_may(role: Role, action: Action) -> bool {
    match action {
        Action::Read | Action::Download => true,
        Action::Comment | Action::Contribute => role != Role::Viewer,
        Action::Plan => matches!(role, Role::Admin | Role::TechTransferLead),
        Action::Sign(meaning) => match meaning {
            Meaning::Authored => role != Role::Viewer,
            Meaning::Reviewed => matches!(role, Role::Admin | Role::TechTransferLead | Role::Qa),
            // Approval and release of transfer records are the quality unit's (21 CFR 211.22).
            Meaning::Approved | Meaning::Released => role == Role::Qa,
            // Revoking an approval (re-opening a passed gate) and rejecting a batch are the quality unit's too.
            Meaning::Revoked | Meaning::Rejected => role == Role::Qa,
        },
        Action::DraftAgreement => matches!(role, Role::Admin | Role::TechTransferLead),
        // An organisation's admins are its authorised signatories for agreements.
        Action::SignAgreement | Action::RevokeAgreement => role == Role::Admin,
    }
}

/// Which roles of either party may do what to a partnership record (a change control). Everyone reads it; those
/// who commit their organisation to a change — its admins, tech-transfer leads and QA — raise, assess and record
/// one; only QA signs (approves, rejects, closes). Whose step it is (the accountable party, the owner) is the
/// record's workflow, not the rule.
fn partnership_role_may(role: Role, action: Action) -> bool {
    match action {
        Action::Read | Action::Download => true,
        Action::Comment => role != Role::Viewer,
        Action::Contribute => matches!(role, Role::Admin | Role::TechTransferLead | Role::Qa),
        Action::Sign(Meaning::Approved | Meaning::Rejected) => role == Role::Qa,
        Action::Sign(_) | Action::Plan | Action::DraftAgreement | Action::SignAgreement | Action::RevokeAgreement => {
            false
        }
    }
}

fn role_denial(subject: &Subject, action: Action) -> Decision {
    Decision::Deny(DenyReason::Role { role: subject.role, action })
}

/// Every action the rule lets `subject` take on `resource` at `now`, in [`Action::ALL`] order.
pub fn permitted(
    subject: &Subject,
    resource: &Resource<'_>,
    agreements: &[AgreementFacts],
    now: DateTime<Utc>,
) -> Vec<Action> {
    Action::ALL.into_iter().filter(|a| decide(subject, *a, resource, agreements, now).is_allowed()).collect()
}

/// Decides whether `subject` may perform `action` on `resource`, given every agreement that might apply, at `now`.
pub fn decide(
    subject: &Subject,
    action: Action,
    resource: &Resource<'_>,
    agreements: &[AgreementFacts],
    now: DateTime<Utc>,
) -> Decision {
    match resource {
        Resource::Data(data) => decide_data(subject, action, data, agreements, now),
        Resource::Agreement { grantor, grantee } => {
            let party = subject.org == *grantor || subject.org == *grantee;
            match action {
                _ if !party => Decision::Deny(DenyReason::NotAParty),
                Action::Read | Action::Download => Decision::Allow,
                Action::DraftAgreement if subject.org != *grantor => Decision::Deny(DenyReason::NotAParty),
                Action::DraftAgreement | Action::SignAgreement | Action::RevokeAgreement => {
                    if role_may(subject.role, action) { Decision::Allow } else { role_denial(subject, action) }
                }
                // Both parties discuss the terms beside the agreement.
                Action::Comment if role_may(subject.role, action) => Decision::Allow,
                Action::Comment | Action::Contribute | Action::Plan | Action::Sign(_) => role_denial(subject, action),
            }
        }
        Resource::PartnershipRecord { sponsor, cmo, .. } => {
            if subject.org != *sponsor && subject.org != *cmo {
                Decision::Deny(DenyReason::NotAParty)
            } else if partnership_role_may(subject.role, action) {
                Decision::Allow
            } else {
                role_denial(subject, action)
            }
        }
        Resource::QualityAgreement { sponsor, cmo } => {
            let party = subject.org == *sponsor || subject.org == *cmo;
            // Quality agreements are QA's: QA (or an admin) drafts versions, and only QA signs them.
            let role_ok = match action {
                Action::Read | Action::Download => true,
                Action::Comment => subject.role != Role::Viewer,
                Action::DraftAgreement => matches!(subject.role, Role::Admin | Role::Qa),
                Action::SignAgreement => subject.role == Role::Qa,
                _ => false,
            };
            match (party, role_ok) {
                (false, _) => Decision::Deny(DenyReason::NotAParty),
                (true, true) => Decision::Allow,
                (true, false) => role_denial(subject, action),
            }
        }
        Resource::AuditTrail { org } => match action {
            _ if subject.org != *org => Decision::Deny(DenyReason::NotAParty),
            Action::Read | Action::Download if matches!(subject.role, Role::Admin | Role::Qa) => Decision::Allow,
            _ => role_denial(subject, action),
        },
        Resource::Templates { org } => match action {
            _ if subject.org != *org => Decision::Deny(DenyReason::NotAParty),
            Action::Read => Decision::Allow,
            Action::Plan if role_may(subject.role, action) => Decision::Allow,
            _ => role_denial(subject, action),
        },
    }
}

fn decide_data(
    subject: &Subject,
    action: Action,
    data: &PartnerData<'_>,
    agreements: &[AgreementFacts],
    now: DateTime<Utc>,
) -> Decision {
    let Some(needed) = action.needed_permission() else {
        return role_denial(subject, action);
    };
    if subject.org != data.sponsor && subject.org != data.cmo {
        return Decision::Deny(DenyReason::NotAParty);
    }
    if !role_may(subject.role, action) {
        return role_denial(subject, action);
    }
    if subject.org == data.owner {
        return Decision::Allow;
    }
    let covered =
        Covered { owner: data.owner, product: data.product, transfer: data.transfer, data_class: data.data_class };
    if agreements.iter().any(|a| a.grantee == subject.org && a.grants(&covered, needed, now)) {
        Decision::Allow
    } else {
        Decision::Deny(DenyReason::NoAgreement {
            data_class: data.data_class,
            product: data.product_name.to_owned(),
            needed,
        })
    }
}

#[cfg(test)]
mod tests;
