//! Deliverables: the work a stage needs done before its gate can be signed, each owned by one organisation and
//! optionally one person in it.

use crate::error::ApiError;
use crate::ids::{DeliverableId, OrgId, StageId, TransferId, UserId};
use crate::org::OrgRef;
use crate::stored_enum::stored_enum;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Longest description.
pub const MAX_DESCRIPTION: usize = 4000;

stored_enum!(
    /// Where a deliverable stands.
    DeliverableStatus {
        /// Not started.
        Open = "open", "Open";
        /// Being worked on.
        InProgress = "in_progress", "In progress";
        /// Finished; no longer holds up its gate.
        Done = "done", "Done";
    }
);

impl DeliverableStatus {
    /// Whether it still holds up its stage's gate.
    pub fn is_open(self) -> bool {
        self != DeliverableStatus::Done
    }
}

/// A person as a record names them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRef {
    /// Their id.
    pub id: UserId,
    /// Their printed name.
    pub name: String,
    /// Their organisation.
    pub organisation: OrgId,
}

/// A deliverable as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deliverable {
    /// Its id, used in its deep link.
    pub id: DeliverableId,
    /// Its stage.
    pub stage_id: StageId,
    /// Its transfer.
    pub transfer_id: TransferId,
    /// Its stage's number in the transfer.
    pub stage_number: i64,
    /// What is to be delivered.
    pub title: String,
    /// Details, acceptance, links.
    pub description: String,
    /// The organisation responsible.
    pub owner: OrgRef,
    /// The person responsible, if one is named.
    pub owner_person: Option<PersonRef>,
    /// When it is due.
    pub due_on: Option<NaiveDate>,
    /// Where it stands.
    pub status: DeliverableStatus,
    /// Bumped by every change; a change must name the version it was made on.
    pub row_version: i64,
    /// Last change, UTC server time.
    pub updated_at: DateTime<Utc>,
    /// What the caller may do with it (from the access rule).
    #[serde(default)]
    pub actions: Vec<crate::access::Action>,
}

impl Deliverable {
    /// Whether it is open and past its due date on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.due_on.is_some_and(|due| due < today)
    }

    /// Its editable fields, as a change to it is sent.
    pub fn input(&self) -> DeliverableInput {
        DeliverableInput {
            title: self.title.clone(),
            description: self.description.clone(),
            owner_org: self.owner.id,
            owner_person: self.owner_person.as_ref().map(|p| p.id),
            due_on: self.due_on,
            status: self.status,
        }
    }
}

/// A deliverable's editable fields: what is sent to add one, and to change one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliverableInput {
    /// What is to be delivered.
    pub title: String,
    /// Details.
    #[serde(default)]
    pub description: String,
    /// The organisation responsible: the transfer's sponsor or CMO.
    pub owner_org: OrgId,
    /// The person responsible, a user of `owner_org`.
    #[serde(default)]
    pub owner_person: Option<UserId>,
    /// When it is due.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
    /// Where it stands.
    pub status: DeliverableStatus,
}

impl DeliverableInput {
    /// Checks the fields a person typed; the error names the field.
    pub fn validate(&self) -> Result<(), ApiError> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(ApiError::invalid("title", "Say what is to be delivered."));
        }
        if title.chars().count() > crate::stage_template::MAX_NAME {
            return Err(ApiError::invalid(
                "title",
                format!("A title has at most {} characters.", crate::stage_template::MAX_NAME),
            ));
        }
        if self.description.chars().count() > MAX_DESCRIPTION {
            return Err(ApiError::invalid(
                "description",
                format!("A description has at most {MAX_DESCRIPTION} characters."),
            ));
        }
        Ok(())
    }
}

/// A change to a deliverable, made on the version the editor was shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliverableChange {
    /// The fields as they should be.
    pub deliverable: DeliverableInput,
    /// The version the change was made on; a newer one gets 409.
    pub row_version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(title: &str) -> DeliverableInput {
        DeliverableInput {
            title: title.into(),
            description: String::new(),
            owner_org: OrgId(uuid::Uuid::nil()),
            owner_person: None,
            due_on: None,
            status: DeliverableStatus::Open,
        }
    }

    #[test]
    fn a_title_is_required_and_bounded() {
        assert_eq!(input("Transfer protocol").validate(), Ok(()));
        assert_eq!(input("  ").validate().map_err(|e| e.field), Err(Some("title".into())));
        assert!(input(&"x".repeat(121)).validate().is_err());
        let long = DeliverableInput { description: "d".repeat(MAX_DESCRIPTION + 1), ..input("t") };
        assert_eq!(long.validate().map_err(|e| e.field), Err(Some("description".into())));
    }

    #[test]
    fn only_done_releases_the_gate() {
        assert!(DeliverableStatus::Open.is_open());
        assert!(DeliverableStatus::InProgress.is_open());
        assert!(!DeliverableStatus::Done.is_open());
    }
}
