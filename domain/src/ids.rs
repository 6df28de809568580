//! Typed identifiers, so a user id can never be passed where a transfer id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }
    };
}

id_type!(
    /// Identifies an organisation (sponsor or CMO).
    OrgId
);
id_type!(
    /// Identifies a user.
    UserId
);
id_type!(
    /// Identifies a comment on a record.
    CommentId
);
id_type!(
    /// Identifies a site of an organisation.
    SiteId
);
id_type!(
    /// Identifies a technology transfer.
    TransferId
);
id_type!(
    /// Identifies a data-sharing agreement.
    AgreementId
);
id_type!(
    /// Identifies a product (what agreements are scoped on).
    ProductId
);
id_type!(
    /// Identifies a partnership between a sponsor and a CMO.
    PartnershipId
);
id_type!(
    /// Identifies one version of a partnership's quality agreement.
    QualityAgreementId
);
id_type!(
    /// Identifies one version of a partnership's agreed KPI targets.
    KpiTargetsId
);
id_type!(
    /// Identifies a stage of a transfer.
    StageId
);
id_type!(
    /// Identifies a deliverable of a stage.
    DeliverableId
);
id_type!(
    /// Identifies a process parameter row (either unit's side).
    ParameterId
);
id_type!(
    /// Identifies a failure mode in a transfer's risk register.
    RiskId
);
id_type!(
    /// Identifies an analytical method under transfer.
    MethodId
);

id_type!(
    /// Identifies a batch made at a CMO's site.
    BatchId
);
id_type!(
    /// Identifies one result of a batch.
    BatchResultId
);
id_type!(
    /// Identifies a delivery from a CMO to its sponsor.
    DeliveryId
);
id_type!(
    /// Identifies a deviation.
    DeviationId
);
id_type!(
    /// Identifies a corrective and preventive action.
    CapaId
);
id_type!(
    /// Identifies a change control.
    ChangeControlId
);
id_type!(
    /// Identifies a document (all its versions).
    DocumentId
);
id_type!(
    /// Identifies one uploaded version of a document.
    DocumentVersionId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_json() {
        let id: TransferId = "6f1c1d9e-8a0b-4c3d-9e2f-0a1b2c3d4e5f".parse().expect("valid uuid");
        assert_eq!(id.to_string(), "6f1c1d9e-8a0b-4c3d-9e2f-0a1b2c3d4e5f");
        let json = serde_json::to_string(&id).expect("serialises");
        assert_eq!(json, "\"6f1c1d9e-8a0b-4c3d-9e2f-0a1b2c3d4e5f\"");
        assert_eq!(serde_json::from_str::<TransferId>(&json).expect("parses"), id);
    }

    #[test]
    fn malformed_ids_are_rejected() {
        assert!("42".parse::<TransferId>().is_err());
        assert!("not-a-uuid".parse::<UserId>().is_err());
        assert!(serde_json::from_str::<OrgId>("\"zzz\"").is_err());
    }
}
