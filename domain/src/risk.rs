//! Failure mode and effects analysis (FMEA): each failure mode rated for severity, occurrence and detection, the
//! risk priority number RPN = S × O × D, before and after mitigation, and the band a person acts on.
//!
//! The bands: **high** when RPN ≥ 200 or severity ≥ 9; **medium** when RPN ≥ 80; **low** otherwise. 200 is reached
//! when every factor sits above the middle of its scale (6 × 6 × 6 = 216, 5 × 5 × 8 = 200); 80 when every factor is
//! around the middle (4 × 4 × 5). Severity 9 or 10 is harm to patients or a regulatory breach: a product of three
//! factors hides a rare, easily detected catastrophe (10 × 1 × 1 = 10), so such a failure mode is high whatever its RPN.

use crate::error::ApiError;
use crate::stored_enum::stored_enum;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// An RPN at or above this is high risk.
pub const HIGH_RPN: u16 = 200;
/// A severity at or above this is high risk whatever the RPN.
pub const HIGH_SEVERITY: u8 = 9;
/// An RPN at or above this (and below [`HIGH_RPN`]) is medium risk.
pub const MEDIUM_RPN: u16 = 80;
/// Longest step, failure mode or effect name accepted.
pub const MAX_NAME_LEN: usize = 200;
/// Longest cause, controls or mitigation text accepted.
pub const MAX_TEXT_LEN: usize = 2000;

/// A rating from 1 (best) to 10 (worst) of severity, occurrence or detection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

/// The OpenAPI schema: an integer from 1 to 10.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Rating {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(10))
            .description(Some("A rating from 1 (best) to 10 (worst)."))
            .examples([5])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Rating {}

/// A number outside 1–10 offered as a rating.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Rate from 1 (best) to 10 (worst), not {0}.")]
pub struct RatingOutOfRange(pub u8);

impl Rating {
    /// The rating, if `value` is from 1 to 10.
    pub fn new(value: u8) -> Option<Rating> {
        (1..=10).contains(&value).then_some(Rating(value))
    }

    /// The number, 1 to 10.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Rating {
    type Error = RatingOutOfRange;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Rating::new(value).ok_or(RatingOutOfRange(value))
    }
}

impl From<Rating> for u8 {
    fn from(rating: Rating) -> Self {
        rating.0
    }
}

stored_enum!(
    /// How urgently a failure mode needs action.
    RiskLevel {
        /// Act before the transfer goes on: RPN ≥ 200 or severity ≥ 9.
        High = "high", "High";
        /// Act or justify: RPN ≥ 80.
        Medium = "medium", "Medium";
        /// Accept and monitor.
        Low = "low", "Low";
    }
);

/// Severity, occurrence and detection of one failure mode at one point in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ratings {
    /// How bad the effect is.
    pub severity: Rating,
    /// How likely the cause is.
    pub occurrence: Rating,
    /// How unlikely the failure is to be caught before it matters.
    pub detection: Rating,
}

impl Ratings {
    /// The risk priority number S × O × D, 1 to 1000.
    pub fn rpn(self) -> u16 {
        u16::from(self.severity.0) * u16::from(self.occurrence.0) * u16::from(self.detection.0)
    }

    /// The band, by the thresholds in the module documentation.
    pub fn level(self) -> RiskLevel {
        let rpn = self.rpn();
        if rpn >= HIGH_RPN || self.severity.0 >= HIGH_SEVERITY {
            RiskLevel::High
        } else if rpn >= MEDIUM_RPN {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }
}

/// One row of an FMEA.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailureMode {
    /// The process step or function, e.g. "Media preparation".
    pub step: String,
    /// How it can fail, e.g. "Media pH out of range".
    pub failure_mode: String,
    /// What the failure does to the product or patient.
    pub effect: String,
    /// Why it would happen.
    #[serde(default)]
    pub cause: String,
    /// What already prevents or detects it.
    #[serde(default)]
    pub controls: String,
    /// Ratings before mitigation.
    pub ratings: Ratings,
    /// What is done to lower the risk; required when residual ratings are given.
    #[serde(default)]
    pub mitigation: String,
    /// Ratings once the mitigation is in place.
    #[serde(default)]
    pub residual: Option<Ratings>,
}

impl FailureMode {
    /// The RPN before mitigation.
    pub fn rpn(&self) -> u16 {
        self.ratings.rpn()
    }

    /// The band before mitigation.
    pub fn level(&self) -> RiskLevel {
        self.ratings.level()
    }

    /// The RPN after mitigation, when rated.
    pub fn residual_rpn(&self) -> Option<u16> {
        self.residual.map(Ratings::rpn)
    }

    /// The band after mitigation, when rated.
    pub fn residual_level(&self) -> Option<RiskLevel> {
        self.residual.map(Ratings::level)
    }

    /// Every rule the row breaks, each naming its field.
    pub fn problems(&self) -> Vec<ApiError> {
        let mut problems = Vec::new();
        for (field, what, text) in [
            ("step", "process step", &self.step),
            ("failure_mode", "failure mode", &self.failure_mode),
            ("effect", "effect", &self.effect),
        ] {
            if text.trim().is_empty() {
                problems.push(ApiError::invalid(field, format!("Name the {what}.")));
            } else if text.chars().count() > MAX_NAME_LEN {
                problems.push(ApiError::invalid(field, format!("Shorten the {what} to {MAX_NAME_LEN} characters.")));
            }
        }
        for (field, what, text) in [
            ("cause", "cause", &self.cause),
            ("controls", "controls", &self.controls),
            ("mitigation", "mitigation", &self.mitigation),
        ] {
            if text.chars().count() > MAX_TEXT_LEN {
                problems.push(ApiError::invalid(field, format!("Shorten the {what} to {MAX_TEXT_LEN} characters.")));
            }
        }
        if self.residual.is_some() && self.mitigation.trim().is_empty() {
            let message = "Describe the mitigation that the residual ratings assume.";
            problems.push(ApiError::invalid("mitigation", message));
        }
        problems
    }

    /// The first rule the row breaks, if any.
    pub fn validate(&self) -> Result<(), ApiError> {
        self.problems().into_iter().next().map_or(Ok(()), Err)
    }
}

/// The order of an FMEA table: highest RPN first, then highest severity; rows equal in both keep their order.
pub fn risk_order(a: &FailureMode, b: &FailureMode) -> Ordering {
    b.rpn().cmp(&a.rpn()).then(b.ratings.severity.cmp(&a.ratings.severity))
}

/// Sorts rows by [`risk_order`]; the sort is stable.
pub fn sort_by_risk(rows: &mut [FailureMode]) {
    rows.sort_by(risk_order);
}

#[cfg(test)]
mod tests;
