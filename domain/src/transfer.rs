//! Technology transfers: the list, the overview, and what starting one takes.

use crate::deliverable::PersonRef;
use crate::error::ApiError;
use crate::ids::{OrgId, ProductId, SiteId, TransferId, UserId};
use crate::org::{OrgRef, Role, SiteRef};
use crate::stage::StageProgress;
use crate::stage_template::StageTemplate;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A transfer as a row in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferSummary {
    /// Its id, used in its deep link `/transfers/{id}`.
    pub id: TransferId,
    /// Short reference, e.g. "TT-2026-004".
    pub code: String,
    /// The product being transferred.
    pub product: String,
    /// The organisation that is not the viewer's own: the CMO for a sponsor, the sponsor for a CMO.
    pub partner: OrgRef,
    /// The organisation that owns the transfer's overview (its sponsor).
    pub owner: crate::ids::OrgId,
    /// Where the transfer stands.
    pub stage: StageProgress,
    /// When all stages are due to be closed.
    pub target_completion: NaiveDate,
}

/// A transfer with everything its page header shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferDetail {
    /// Its id.
    pub id: TransferId,
    /// Short reference, e.g. "TT-2026-004".
    pub code: String,
    /// The product being transferred.
    pub product: String,
    /// Its id, which agreements are scoped on.
    pub product_id: crate::ids::ProductId,
    /// Dosage form or modality, e.g. "Monoclonal antibody, drug substance".
    pub product_form: String,
    /// The sending unit (usually the sponsor's site).
    pub sending_site: SiteRef,
    /// The receiving unit (usually the CMO's site).
    pub receiving_site: SiteRef,
    /// The brand owner.
    pub sponsor: OrgRef,
    /// The contract manufacturer.
    pub cmo: OrgRef,
    /// Where the transfer stands.
    pub stage: StageProgress,
    /// The people working on it, from both organisations.
    pub team: Vec<TeamMember>,
    /// When the transfer was started.
    pub started_on: NaiveDate,
    /// When all stages are due to be closed.
    pub target_completion: NaiveDate,
    /// Last change, UTC server time.
    pub updated_at: DateTime<Utc>,
    /// What the caller may do with it (from the access rule).
    #[serde(default)]
    pub actions: Vec<crate::access::Action>,
}

/// A page of transfers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferList {
    /// The transfers the viewer may see, newest target first.
    pub items: Vec<TransferSummary>,
    /// What the caller may do here: `plan` when it may start a transfer.
    #[serde(default)]
    pub actions: Vec<crate::access::Action>,
}

/// A person on a transfer's team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    /// Who.
    pub person: PersonRef,
    /// Their role in their organisation.
    pub role: Role,
    /// What they do on this transfer, e.g. "Process lead".
    pub responsibility: String,
}

/// A team member to add when starting a transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMemberInput {
    /// A user of the sponsor or the CMO.
    pub user: UserId,
    /// What they do on this transfer.
    pub responsibility: String,
}

/// What the sponsor's lead fills in to start a transfer; its stages come from the organisation's template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferDraft {
    /// The product, one of the sponsor's.
    pub product: ProductId,
    /// The CMO, a partner of the sponsor.
    pub cmo: OrgId,
    /// The sending unit, a site of the sponsor.
    pub sending_site: SiteId,
    /// The receiving unit, a site of the CMO.
    pub receiving_site: SiteId,
    /// When the transfer starts.
    pub started_on: NaiveDate,
    /// When all stages are due to be closed.
    pub target_completion: NaiveDate,
    /// The people on it, from both organisations.
    #[serde(default)]
    pub team: Vec<TeamMemberInput>,
}

/// Most team members on a transfer.
pub const MAX_TEAM: usize = 50;

impl TransferDraft {
    /// Checks what can be checked without the database; the error names the field.
    pub fn validate(&self) -> Result<(), ApiError> {
        if self.target_completion <= self.started_on {
            return Err(ApiError::invalid("target_completion", "The target completion must be after the start."));
        }
        if self.team.len() > MAX_TEAM {
            return Err(ApiError::invalid("team", format!("A team has at most {MAX_TEAM} members.")));
        }
        for (i, member) in self.team.iter().enumerate() {
            if member.responsibility.chars().count() > crate::stage_template::MAX_NAME {
                return Err(ApiError::invalid(
                    format!("team[{i}].responsibility"),
                    format!("A responsibility has at most {} characters.", crate::stage_template::MAX_NAME),
                ));
            }
            if self.team[..i].iter().any(|m| m.user == member.user) {
                return Err(ApiError::invalid(format!("team[{i}].user"), "This person is on the team twice."));
            }
        }
        Ok(())
    }
}

/// A product as a choice in a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductChoice {
    /// Its id.
    pub id: ProductId,
    /// Its name.
    pub name: String,
    /// Its form, e.g. "Film-coated tablet".
    pub form: String,
}

/// A person as a choice in a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonChoice {
    /// Who.
    pub person: PersonRef,
    /// Their role in their organisation.
    pub role: Role,
}

/// A partner CMO with its sites and people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerChoice {
    /// The CMO.
    pub organisation: OrgRef,
    /// Its sites (receiving units).
    pub sites: Vec<SiteRef>,
    /// Its people.
    pub people: Vec<PersonChoice>,
}

/// Everything the "start a transfer" form offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferSetup {
    /// The sponsor's products.
    pub products: Vec<ProductChoice>,
    /// The sponsor's sites (sending units).
    pub sites: Vec<SiteRef>,
    /// The sponsor's people.
    pub people: Vec<PersonChoice>,
    /// Its partner CMOs.
    pub partners: Vec<PartnerChoice>,
    /// The stages a new transfer gets.
    pub template: StageTemplate,
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn draft() -> TransferDraft {
        TransferDraft {
            product: ProductId(Uuid::nil()),
            cmo: OrgId(Uuid::nil()),
            sending_site: SiteId(Uuid::nil()),
            receiving_site: SiteId(Uuid::nil()),
            started_on: NaiveDate::from_ymd_opt(2026, 12, 1).expect("date"),
            target_completion: NaiveDate::from_ymd_opt(2027, 12, 1).expect("date"),
            team: vec![TeamMemberInput { user: UserId(Uuid::nil()), responsibility: "Lead".into() }],
        }
    }

    #[test]
    fn dates_must_be_in_order_and_people_on_the_team_once() {
        assert_eq!(draft().validate(), Ok(()));
        let backwards = TransferDraft { target_completion: draft().started_on, ..draft() };
        assert_eq!(backwards.validate().map_err(|e| e.field), Err(Some("target_completion".into())));
        let mut twice = draft();
        twice.team.push(twice.team[0].clone());
        assert_eq!(twice.validate().map_err(|e| e.field), Err(Some("team[1].user".into())));
    }
}
