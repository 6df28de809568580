//! Analytical method transfer: both sites test the same samples, and each attribute's acceptance criteria decide
//! whether the receiving unit (RU) reproduces the sending unit's (SU) results. The criteria are defined here and
//! evaluated in [`crate::method_evaluation`].

use crate::decimal::Decimal;
use crate::error::ApiError;
use crate::range::Range;
use crate::stored_enum::stored_enum;
use crate::units::Unit;
use serde::{Deserialize, Serialize};

/// Longest method or attribute name accepted.
pub const MAX_NAME_LEN: usize = 120;
/// Most criteria one attribute may have.
pub const MAX_CRITERIA: usize = 20;
/// Most attributes one method may have.
pub const MAX_ATTRIBUTES: usize = 100;
/// Most results one site may report for one attribute.
pub const MAX_RESULTS_PER_SITE: usize = 1000;

stored_enum!(
    /// Which of the two sites.
    Site {
        /// The sending unit, whose results are the reference.
        Su = "su", "SU";
        /// The receiving unit.
        Ru = "ru", "RU";
    }
);

/// One acceptance criterion of an attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Criterion {
    /// |mean RU − mean SU| ≤ `max`, in the attribute's unit.
    AbsoluteMeanDifference {
        /// The largest acceptable difference.
        max: Decimal,
    },
    /// |mean RU − mean SU| ÷ |mean SU| × 100 ≤ `max_percent`; the SU mean is the reference.
    RelativeMeanDifference {
        /// The largest acceptable difference, in percent of the SU mean.
        max_percent: Decimal,
    },
    /// Each site's relative standard deviation ≤ `max_percent`.
    Rsd {
        /// The largest acceptable RSD, in percent.
        max_percent: Decimal,
    },
    /// Every result of each site within the specification.
    WithinSpec {
        /// The specification limits, in the attribute's unit.
        spec: Range,
    },
}

/// An attribute the method measures, with the criteria its transfer must meet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttributeCriteria {
    /// The attribute, e.g. "Assay".
    pub attribute: String,
    /// The unit of its results, e.g. "%".
    pub unit: Unit,
    /// What the results must satisfy.
    pub criteria: Vec<Criterion>,
}

/// An analytical method under transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnalyticalMethod {
    /// The method, e.g. "SEC-HPLC purity".
    pub name: String,
    /// The attributes it reports.
    pub attributes: Vec<AttributeCriteria>,
}

impl AttributeCriteria {
    /// Every rule the attribute's criteria break, each naming its field.
    pub fn problems(&self) -> Vec<ApiError> {
        let mut problems = Vec::new();
        check_name(&mut problems, "attribute", "attribute", &self.attribute);
        if self.criteria.is_empty() {
            problems.push(ApiError::invalid("criteria", "Give the attribute at least one acceptance criterion."));
        } else if self.criteria.len() > MAX_CRITERIA {
            problems.push(ApiError::invalid("criteria", format!("Give at most {MAX_CRITERIA} criteria.")));
        }
        for (i, criterion) in self.criteria.iter().enumerate() {
            let (field, limit) = match criterion {
                Criterion::AbsoluteMeanDifference { max } => ("max", *max),
                Criterion::RelativeMeanDifference { max_percent } | Criterion::Rsd { max_percent } => {
                    ("max_percent", *max_percent)
                }
                Criterion::WithinSpec { spec } => {
                    let field = format!("criteria[{i}].spec");
                    match (spec.low, spec.high) {
                        (None, None) => problems.push(ApiError::invalid(field, "Give a low or a high spec limit.")),
                        (Some(low), Some(high)) if low > high => problems.push(ApiError::invalid(
                            format!("{field}.low"),
                            format!("The low spec limit {low} is above the high limit {high}."),
                        )),
                        _ => {}
                    }
                    continue;
                }
            };
            if limit.is_negative() {
                let message = format!("A limit cannot be negative: {limit}.");
                problems.push(ApiError::invalid(format!("criteria[{i}].{field}"), message));
            }
        }
        problems
    }
}

impl AnalyticalMethod {
    /// Every rule the method breaks, each naming its field.
    pub fn problems(&self) -> Vec<ApiError> {
        let mut problems = Vec::new();
        check_name(&mut problems, "name", "method", &self.name);
        if self.attributes.is_empty() {
            problems.push(ApiError::invalid("attributes", "List at least one attribute the method reports."));
        } else if self.attributes.len() > MAX_ATTRIBUTES {
            problems.push(ApiError::invalid("attributes", format!("List at most {MAX_ATTRIBUTES} attributes.")));
        }
        for (i, attribute) in self.attributes.iter().enumerate() {
            for mut problem in attribute.problems() {
                problem.field = problem.field.map(|field| format!("attributes[{i}].{field}"));
                problems.push(problem);
            }
        }
        problems
    }

    /// The first rule the method breaks, if any.
    pub fn validate(&self) -> Result<(), ApiError> {
        self.problems().into_iter().next().map_or(Ok(()), Err)
    }
}

/// Checks how many results a site reports for one attribute; `field` names them, e.g. "ru_results".
pub fn validate_results(field: &str, results: &[Decimal]) -> Result<(), ApiError> {
    if results.len() > MAX_RESULTS_PER_SITE {
        return Err(ApiError::invalid(field, format!("Report at most {MAX_RESULTS_PER_SITE} results per site.")));
    }
    Ok(())
}

fn check_name(problems: &mut Vec<ApiError>, field: &str, what: &str, name: &str) {
    if name.trim().is_empty() {
        problems.push(ApiError::invalid(field, format!("Name the {what}.")));
    } else if name.chars().count() > MAX_NAME_LEN {
        problems.push(ApiError::invalid(field, format!("Shorten the {what} name to {MAX_NAME_LEN} characters.")));
    }
}

#[cfg(test)]
mod tests;
