//! Gaps between how the sending unit (SU) has proven a parameter and how the receiving unit (RU) proposes to run it.
//!
//! RU values are converted to the SU unit before comparison, because the SU's proven acceptable range (PAR) is the
//! evidence the RU must stay within; the sentences show both the RU's own figure and the converted one.

use crate::decimal::Decimal;
use crate::parameter::{EquipmentScale, RuProposal, SuParameter};
use crate::range::Range;
use crate::stored_enum::stored_enum;
use crate::units::{ConversionError, compatible, convert, quantity};
use serde::{Deserialize, Serialize};

/// Significant digits of a converted value shown in a sentence; the comparison itself uses the exact value.
pub const SENTENCE_DIGITS: u32 = 6;
/// Significant digits the equipment scale ratio is rounded to.
pub const RATIO_DIGITS: u32 = 4;

stored_enum!(
    /// What kind of gap a comparison found.
    GapKind {
        /// The RU setpoint lies outside the SU PAR.
        SetpointOutsidePar = "setpoint_outside_par", "Setpoint outside PAR";
        /// The RU normal operating range reaches outside the SU PAR.
        NorOutsidePar = "nor_outside_par", "NOR outside PAR";
        /// The RU unit cannot be converted to the SU unit, so no value was compared.
        UnitIncompatible = "unit_incompatible", "Incompatible unit";
        /// An RU value is too large to express in the SU unit.
        NotConvertible = "not_convertible", "Value not convertible";
        /// The equipment scales are in units that cannot be compared.
        ScaleUnitIncompatible = "scale_unit_incompatible", "Incompatible scale unit";
        /// The RU proposes a parameter the SU does not define.
        MissingOnSu = "missing_on_su", "Not defined by SU";
        /// The SU defines a parameter the RU has not proposed.
        MissingOnRu = "missing_on_ru", "Not proposed by RU";
    }
);

/// One difference that needs a person's attention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gap {
    /// What kind.
    pub kind: GapKind,
    /// A sentence naming the values, e.g. "The RU setpoint 39.0 °C is above the SU PAR 35.0–38.0 °C."
    pub message: String,
}

/// How much larger the RU equipment is than the SU's: information for scale-up, not a gap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScaleRatio {
    /// RU scale ÷ SU scale in the SU unit, to [`RATIO_DIGITS`] significant digits.
    pub ratio: Decimal,
    /// A sentence, e.g. "The RU equipment is 4 × the SU scale (2000 L against 500 L)."
    pub message: String,
}

/// What comparing one parameter found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    /// The gaps, in the order: presence, unit, setpoint, NOR, scale unit.
    pub gaps: Vec<Gap>,
    /// The equipment scale ratio, when both sides give a scale in comparable units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_ratio: Option<ScaleRatio>,
}

/// Compares an SU parameter with the RU proposal paired with it (see [`crate::parameter::pair`]).
pub fn compare(su: Option<&SuParameter>, ru: Option<&RuProposal>) -> Comparison {
    let (su, ru) = match (su, ru) {
        (Some(su), Some(ru)) => (su, ru),
        (Some(su), None) => {
            let message = format!(
                "The RU has not proposed how to run “{}” in “{}” (SU PAR {}).",
                su.parameter.trim(),
                su.unit_operation.trim(),
                su.par.describe(&su.unit)
            );
            return Comparison { gaps: vec![Gap { kind: GapKind::MissingOnRu, message }], scale_ratio: None };
        }
        (None, Some(ru)) => {
            let message = format!(
                "The RU proposes “{}” in “{}”, which the SU does not define.",
                ru.parameter.trim(),
                ru.unit_operation.trim()
            );
            return Comparison { gaps: vec![Gap { kind: GapKind::MissingOnSu, message }], scale_ratio: None };
        }
        (None, None) => return Comparison::default(),
    };
    let mut gaps = Vec::new();
    if compatible(&ru.unit, &su.unit) {
        compare_values(&mut gaps, su, ru);
    } else {
        let message = format!("The RU unit {} cannot be compared with the SU unit {}.", ru.unit, su.unit);
        gaps.push(Gap { kind: GapKind::UnitIncompatible, message });
    }
    let scale_ratio = match (&su.scale, &ru.scale) {
        (Some(su_scale), Some(ru_scale)) => scale_ratio(&mut gaps, su_scale, ru_scale),
        _ => None,
    };
    Comparison { gaps, scale_ratio }
}

/// The RU setpoint and NOR against the SU PAR; nothing to compare when the SU gives no PAR.
fn compare_values(gaps: &mut Vec<Gap>, su: &SuParameter, ru: &RuProposal) {
    if su.par.is_empty() {
        return;
    }
    let par = su.par.describe(&su.unit);
    let to_su = |value: Decimal| convert(value, &ru.unit, &su.unit);
    if let Some(setpoint) = ru.setpoint {
        match to_su(setpoint) {
            Ok(converted) if !su.par.contains(converted) => {
                let side = if su.par.low.is_some_and(|low| converted < low) { "below" } else { "above" };
                let shown = shown(setpoint, converted, ru, su);
                let message = format!("The RU setpoint {shown} is {side} the SU PAR {par}.");
                gaps.push(Gap { kind: GapKind::SetpointOutsidePar, message });
            }
            Ok(_) => {}
            Err(error) => gaps.push(not_convertible(&error)),
        }
    }
    if ru.nor.is_empty() {
        return;
    }
    let ends = (ru.nor.low.map(to_su).transpose(), ru.nor.high.map(to_su).transpose());
    let converted = match ends {
        (Ok(low), Ok(high)) => Range::new(low, high),
        (Err(error), _) | (_, Err(error)) => {
            gaps.push(not_convertible(&error));
            return;
        }
    };
    let side = match (converted.reaches_below(&su.par), converted.reaches_above(&su.par)) {
        (true, true) => "below and above",
        (true, false) => "below",
        (false, true) => "above",
        (false, false) => return,
    };
    let mut shown = ru.nor.describe(&ru.unit);
    if ru.unit != su.unit {
        let rounded = |end: Option<Decimal>| end.map(|value| value.for_sentence(SENTENCE_DIGITS));
        shown = format!("{shown} ({})", Range::new(rounded(converted.low), rounded(converted.high)).describe(&su.unit));
    }
    let message = format!("The RU NOR {shown} reaches {side} the SU PAR {par}.");
    gaps.push(Gap { kind: GapKind::NorOutsidePar, message });
}

/// An RU value for a sentence, followed by its value in the SU unit when the units are written differently.
fn shown(value: Decimal, converted: Decimal, ru: &RuProposal, su: &SuParameter) -> String {
    let own = quantity(value, &ru.unit);
    if ru.unit == su.unit {
        own
    } else {
        format!("{own} ({})", quantity(converted.for_sentence(SENTENCE_DIGITS), &su.unit))
    }
}

fn not_convertible(error: &ConversionError) -> Gap {
    Gap { kind: GapKind::NotConvertible, message: error.to_string() }
}

/// RU scale ÷ SU scale, or a gap when their units cannot be compared.
fn scale_ratio(gaps: &mut Vec<Gap>, su: &EquipmentScale, ru: &EquipmentScale) -> Option<ScaleRatio> {
    if !compatible(&ru.unit, &su.unit) {
        let message = format!(
            "The RU equipment scale {} cannot be compared with the SU scale {}.",
            quantity(ru.value, &ru.unit),
            quantity(su.value, &su.unit)
        );
        gaps.push(Gap { kind: GapKind::ScaleUnitIncompatible, message });
        return None;
    }
    let ru_value = convert(ru.value, &ru.unit, &su.unit).ok()?;
    let ratio = ru_value.raw().checked_div(su.value.raw()).and_then(Decimal::fit)?.for_sentence(RATIO_DIGITS);
    let message = format!(
        "The RU equipment is {ratio} × the SU scale ({} against {}).",
        quantity(ru.value, &ru.unit),
        quantity(su.value, &su.unit)
    );
    Some(ScaleRatio { ratio, message })
}

#[cfg(test)]
mod tests;
