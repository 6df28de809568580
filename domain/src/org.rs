//! Organisations, users and roles.

use crate::ids::{OrgId, SiteId, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Whether an organisation owns products (sponsor) or makes them under contract (CMO).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// Brand owner: holds the product and its process knowledge.
    Sponsor,
    /// Contract manufacturing organisation.
    Cmo,
}

impl OrgKind {
    /// The word shown to users.
    pub fn label(self) -> &'static str {
        match self {
            OrgKind::Sponsor => "Sponsor",
            OrgKind::Cmo => "CMO",
        }
    }

    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Sponsor => "sponsor",
            OrgKind::Cmo => "cmo",
        }
    }
}

impl FromStr for OrgKind {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sponsor" => Ok(OrgKind::Sponsor),
            "cmo" => Ok(OrgKind::Cmo),
            other => Err(UnknownValue(other.to_owned())),
        }
    }
}

/// A role a user holds within their own organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages the organisation's users and settings.
    Admin,
    /// Leads technology transfers.
    TechTransferLead,
    /// Quality assurance: reviews and signs.
    Qa,
    /// Manufacturing operator on the plant floor.
    Operator,
    /// Reads only.
    Viewer,
}

impl Role {
    /// Every role, in the order shown to users.
    pub const ALL: [Role; 5] = [Role::Admin, Role::TechTransferLead, Role::Qa, Role::Operator, Role::Viewer];

    /// The word shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::TechTransferLead => "Tech-transfer lead",
            Role::Qa => "QA",
            Role::Operator => "Operator",
            Role::Viewer => "Viewer",
        }
    }

    /// The value stored in the database and accepted on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::TechTransferLead => "tech_transfer_lead",
            Role::Qa => "qa",
            Role::Operator => "operator",
            Role::Viewer => "viewer",
        }
    }
}

impl FromStr for Role {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownValue(s.to_owned()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A stored value that matches none of the known variants.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {0:?}")]
pub struct UnknownValue(pub String);

/// An organisation as other records refer to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgRef {
    /// Its id.
    pub id: OrgId,
    /// Its legal or trading name.
    pub name: String,
    /// Sponsor or CMO.
    pub kind: OrgKind,
}

/// A site as other records refer to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteRef {
    /// Its id.
    pub id: SiteId,
    /// Its name, e.g. "Basel Biologics Plant".
    pub name: String,
    /// Town and country, e.g. "Basel, CH".
    pub location: String,
    /// The organisation that runs it.
    pub organisation: OrgRef,
}

/// The signed-in user as the app shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserProfile {
    /// Their id.
    pub id: UserId,
    /// Their e-mail, which is also their login.
    pub email: String,
    /// Their printed name, as it appears on signatures.
    pub display_name: String,
    /// Their role in their organisation.
    pub role: Role,
    /// The organisation they belong to.
    pub organisation: OrgRef,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_stored_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!("superuser".parse::<Role>(), Err(UnknownValue("superuser".into())));
    }

    #[test]
    fn org_kinds_round_trip() {
        for kind in [OrgKind::Sponsor, OrgKind::Cmo] {
            assert_eq!(kind.as_str().parse::<OrgKind>(), Ok(kind));
        }
        assert!("partner".parse::<OrgKind>().is_err());
    }
}
