//! Process parameters as the sending unit (SU) defines them and as the receiving unit (RU) proposes to run them.
//!
//! A range with neither end is no range at all and is not checked; see [`Range`] for open ends.

use crate::decimal::Decimal;
use crate::error::ApiError;
use crate::range::Range;
use crate::stored_enum::stored_enum;
use crate::units::{Unit, quantity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest unit-operation, parameter or quality-attribute name accepted.
pub const MAX_NAME_LEN: usize = 120;
/// Most quality attributes one parameter may be linked to.
pub const MAX_QUALITY_ATTRIBUTES: usize = 50;

stored_enum!(
    /// Whether a parameter is critical to quality.
    Criticality {
        /// A critical process parameter: its variation affects a critical quality attribute.
        Cpp = "cpp", "CPP";
        /// Any other process parameter.
        NonCpp = "non_cpp", "Non-CPP";
    }
);

/// The size of the equipment a parameter applies to, e.g. a working volume of 2000 L.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EquipmentScale {
    /// How much, greater than zero.
    pub value: Decimal,
    /// Of what unit.
    pub unit: Unit,
}

/// A process parameter as the sending unit defines it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuParameter {
    /// The unit operation, e.g. "Production bioreactor".
    pub unit_operation: String,
    /// The parameter, e.g. "Temperature".
    pub parameter: String,
    /// The target value, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setpoint: Option<Decimal>,
    /// Normal operating range: where the process is run.
    #[serde(default, skip_serializing_if = "Range::is_empty")]
    pub nor: Range,
    /// Proven acceptable range: where it has been shown to give acceptable quality.
    #[serde(default, skip_serializing_if = "Range::is_empty")]
    pub par: Range,
    /// The unit of setpoint and ranges.
    pub unit: Unit,
    /// CPP or not.
    pub criticality: Criticality,
    /// The quality attributes it affects, e.g. "Glycan profile".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quality_attributes: Vec<String>,
    /// The equipment it was established on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<EquipmentScale>,
}

/// The receiving unit's proposal for running a parameter on its own equipment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuProposal {
    /// The unit operation, named as by the SU to pair the two.
    pub unit_operation: String,
    /// The parameter, named as by the SU to pair the two.
    pub parameter: String,
    /// The proposed target value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setpoint: Option<Decimal>,
    /// The proposed normal operating range.
    #[serde(default, skip_serializing_if = "Range::is_empty")]
    pub nor: Range,
    /// A proven acceptable range of the RU's own, if it has studied one.
    #[serde(default, skip_serializing_if = "Range::is_empty")]
    pub par: Range,
    /// The unit of setpoint and ranges; may differ from the SU's.
    pub unit: Unit,
    /// The RU equipment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<EquipmentScale>,
}

impl SuParameter {
    /// Every rule the parameter breaks, each naming its field, in field order.
    pub fn problems(&self) -> Vec<ApiError> {
        let mut problems = Vec::new();
        check_name(&mut problems, "unit_operation", "unit operation", &self.unit_operation);
        check_name(&mut problems, "parameter", "parameter", &self.parameter);
        check_values(&mut problems, self.setpoint, &self.nor, &self.par, &self.unit);
        if self.quality_attributes.len() > MAX_QUALITY_ATTRIBUTES {
            let message = format!("Link at most {MAX_QUALITY_ATTRIBUTES} quality attributes.");
            problems.push(ApiError::invalid("quality_attributes", message));
        }
        for (i, attribute) in self.quality_attributes.iter().enumerate() {
            let field = format!("quality_attributes[{i}]");
            check_name(&mut problems, &field, "quality attribute", attribute);
            if attribute.contains(';') {
                // The CSV form lists attributes separated by semicolons, so one cannot contain one.
                problems.push(ApiError::invalid(field, "Write the quality attribute without a semicolon."));
            }
        }
        check_scale(&mut problems, self.scale.as_ref());
        problems
    }

    /// The first rule the parameter breaks, if any.
    pub fn validate(&self) -> Result<(), ApiError> {
        self.problems().into_iter().next().map_or(Ok(()), Err)
    }
}

impl RuProposal {
    /// Every rule the proposal breaks, each naming its field, in field order.
    pub fn problems(&self) -> Vec<ApiError> {
        let mut problems = Vec::new();
        check_name(&mut problems, "unit_operation", "unit operation", &self.unit_operation);
        check_name(&mut problems, "parameter", "parameter", &self.parameter);
        check_values(&mut problems, self.setpoint, &self.nor, &self.par, &self.unit);
        check_scale(&mut problems, self.scale.as_ref());
        problems
    }

    /// The first rule the proposal breaks, if any.
    pub fn validate(&self) -> Result<(), ApiError> {
        self.problems().into_iter().next().map_or(Ok(()), Err)
    }
}

fn check_name(problems: &mut Vec<ApiError>, field: &str, what: &str, name: &str) {
    let name = name.trim();
    if name.is_empty() {
        problems.push(ApiError::invalid(field, format!("Name the {what}.")));
    } else if name.chars().count() > MAX_NAME_LEN {
        problems.push(ApiError::invalid(field, format!("Shorten the {what} name to {MAX_NAME_LEN} characters.")));
    } else if name.chars().any(char::is_control) {
        problems.push(ApiError::invalid(field, format!("Write the {what} name without tabs or line breaks.")));
    }
}

/// Setpoint inside NOR inside PAR, wherever each is given.
fn check_values(problems: &mut Vec<ApiError>, setpoint: Option<Decimal>, nor: &Range, par: &Range, unit: &Unit) {
    let nor_ordered = check_order(problems, "nor", "NOR", nor, unit);
    let par_ordered = check_order(problems, "par", "PAR", par, unit);
    if let Some(setpoint) = setpoint {
        // Inside a NOR that lies inside the PAR is inside the PAR: say it once, about the narrower range. A reversed
        // range contains nothing and is reported already.
        let (name, range, ordered) = if nor.is_empty() { ("PAR", par, par_ordered) } else { ("NOR", nor, nor_ordered) };
        if ordered && !range.contains(setpoint) {
            let message =
                format!("The setpoint {} is outside the {name} {}.", quantity(setpoint, unit), range.describe(unit));
            problems.push(ApiError::invalid("setpoint", message));
        }
    }
    if nor.is_empty() || !nor_ordered || !par_ordered {
        return;
    }
    if let Some(limit) = par.low.filter(|_| nor.reaches_below(par)) {
        let message = match nor.low {
            Some(low) => format!(
                "The NOR low limit {} is below the PAR low limit {}.",
                quantity(low, unit),
                quantity(limit, unit)
            ),
            None => format!("Give the NOR a low limit: the PAR starts at {}.", quantity(limit, unit)),
        };
        problems.push(ApiError::invalid("nor.low", message));
    }
    if let Some(limit) = par.high.filter(|_| nor.reaches_above(par)) {
        let message = match nor.high {
            Some(high) => format!(
                "The NOR high limit {} is above the PAR high limit {}.",
                quantity(high, unit),
                quantity(limit, unit)
            ),
            None => format!("Give the NOR a high limit: the PAR ends at {}.", quantity(limit, unit)),
        };
        problems.push(ApiError::invalid("nor.high", message));
    }
}

/// Whether the range's ends are in order; reports them when not.
fn check_order(problems: &mut Vec<ApiError>, field: &str, name: &str, range: &Range, unit: &Unit) -> bool {
    match (range.low, range.high) {
        (Some(low), Some(high)) if low > high => {
            let message = format!(
                "The {name} low limit {} is above its high limit {}.",
                quantity(low, unit),
                quantity(high, unit)
            );
            problems.push(ApiError::invalid(format!("{field}.low"), message));
            false
        }
        _ => true,
    }
}

fn check_scale(problems: &mut Vec<ApiError>, scale: Option<&EquipmentScale>) {
    if let Some(scale) = scale.filter(|scale| scale.value <= Decimal::ZERO) {
        let message = format!("The equipment scale must be greater than zero, not {}.", scale.value);
        problems.push(ApiError::invalid("scale.value", message));
    }
}

/// What identifies a parameter: its unit operation and name, compared without regard to case or spacing.
pub fn parameter_key(unit_operation: &str, parameter: &str) -> (String, String) {
    let fold = |name: &str| name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    (fold(unit_operation), fold(parameter))
}

/// Pairs each SU parameter with the RU proposal of the same key, in SU order, then the unpaired proposals.
pub fn pair<'a>(su: &'a [SuParameter], ru: &'a [RuProposal]) -> Vec<(Option<&'a SuParameter>, Option<&'a RuProposal>)> {
    let mut waiting: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, proposal) in ru.iter().enumerate().rev() {
        waiting.entry(parameter_key(&proposal.unit_operation, &proposal.parameter)).or_default().push(i);
    }
    let mut taken = vec![false; ru.len()];
    let mut pairs: Vec<_> = su
        .iter()
        .map(|parameter| {
            let key = parameter_key(&parameter.unit_operation, &parameter.parameter);
            let index = waiting.get_mut(&key).and_then(Vec::pop);
            if let Some(flag) = index.and_then(|i| taken.get_mut(i)) {
                *flag = true;
            }
            (Some(parameter), index.and_then(|i| ru.get(i)))
        })
        .collect();
    pairs.extend(ru.iter().zip(taken).filter(|(_, taken)| !taken).map(|(proposal, _)| (None, Some(proposal))));
    pairs
}

#[cfg(test)]
mod tests;
