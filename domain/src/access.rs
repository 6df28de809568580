//! The access rule: one pure function decides whether a subject may act on a resource.
//!
//! Deny by default. Every server path that reads, lists or changes a record asks [`decide`]; list queries
//! express the same rule in SQL and are tested against it.

use crate::ids::OrgId;
use crate::org::Role;
use serde::{Deserialize, Serialize};

/// Who is asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subject {
    /// The asker's organisation.
    pub org: OrgId,
    /// The asker's role in it.
    pub role: Role,
}

/// What they want to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// See the record.
    Read,
}

/// What they want to do it to, with the facts the rule needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    /// A technology transfer between a sponsor and a CMO.
    Transfer {
        /// The brand owner.
        sponsor: OrgId,
        /// The contract manufacturer.
        cmo: OrgId,
    },
}

/// Why access was refused, phrased for the person refused; never reveals the record's content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DenyReason {
    /// The subject's organisation has no part in the record.
    NotAParty,
}

impl DenyReason {
    /// The explanation shown on the no-access page.
    pub fn message(self) -> &'static str {
        match self {
            DenyReason::NotAParty => {
                "Your organisation is not a party to this transfer. Ask the sponsor for access if you need it."
            }
        }
    }
}

/// The outcome of [`decide`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// Refused, with the reason.
    Deny(DenyReason),
}

impl Decision {
    /// True for [`Decision::Allow`].
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }
}

/// Decides whether `subject` may perform `action` on `resource`.
pub fn decide(subject: &Subject, action: Action, resource: &Resource) -> Decision {
    match (action, resource) {
        (Action::Read, Resource::Transfer { sponsor, cmo }) => {
            if subject.org == *sponsor || subject.org == *cmo {
                Decision::Allow
            } else {
                Decision::Deny(DenyReason::NotAParty)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn org(n: u128) -> OrgId {
        OrgId(Uuid::from_u128(n))
    }

    fn any_role() -> impl Strategy<Value = Role> {
        proptest::sample::select(Role::ALL.to_vec())
    }

    #[test]
    fn parties_read_and_strangers_are_refused() {
        let transfer = Resource::Transfer { sponsor: org(1), cmo: org(2) };
        let as_org = |n| Subject { org: org(n), role: Role::Viewer };
        assert_eq!(decide(&as_org(1), Action::Read, &transfer), Decision::Allow);
        assert_eq!(decide(&as_org(2), Action::Read, &transfer), Decision::Allow);
        assert_eq!(decide(&as_org(3), Action::Read, &transfer), Decision::Deny(DenyReason::NotAParty));
    }

    proptest! {
        #[test]
        fn read_is_allowed_exactly_for_the_two_parties(s in 0u128..5, c in 0u128..5, who in 0u128..5, role in any_role()) {
            let decision = decide(&Subject { org: org(who), role }, Action::Read, &Resource::Transfer { sponsor: org(s), cmo: org(c) });
            prop_assert_eq!(decision.is_allowed(), who == s || who == c);
        }
    }
}
