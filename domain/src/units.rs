//! Units of measure of process parameters, and exact conversion between units of one dimension.
//!
//! A unit keeps the spelling it was written with ("ml", "°C", "min⁻¹"), so people see their own notation back;
//! [`crate::known_units`] reads the spelling tolerantly, but never guesses, to find the unit it means.

use crate::decimal::Decimal;
use crate::known_units::KnownUnit;
use crate::stored_enum::stored_enum;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::fmt::Display;

/// Longest unit text accepted.
pub const MAX_UNIT_LEN: usize = 32;

stored_enum!(
    /// What a unit measures; only units of one dimension convert into each other.
    Dimension {
        /// °C, K, °F.
        Temperature = "temperature", "Temperature";
        /// L, mL, µL, m³.
        Volume = "volume", "Volume";
        /// rpm, min⁻¹.
        RotationalSpeed = "rotational_speed", "Rotational speed";
        /// bar, mbar, Pa, kPa, MPa, psi.
        Pressure = "pressure", "Pressure";
        /// s, min, h, d.
        Time = "time", "Time";
        /// µg, mg, g, kg.
        Mass = "mass", "Mass";
        /// L/min, mL/min, L/h, mL/h.
        Flow = "flow", "Volumetric flow";
        /// %, which is not converted to a fraction: "% DO" and "% w/v" are not the same quantity.
        Percent = "percent", "Percent";
        /// g/L, mg/mL, mg/L, µg/mL.
        Concentration = "concentration", "Mass concentration";
        /// pH, a logarithmic scale that compares only with pH.
        Ph = "ph", "pH";
        /// A pure number, written "-" or "dimensionless".
        Dimensionless = "dimensionless", "Dimensionless";
        /// µm, mm, cm, m.
        Length = "length", "Length";
    }
);

/// A unit as written, e.g. "mL" or "°C"; serialised as that text. The unit its spelling means is worked out once,
/// when it is read, not on every comparison (a table of 10,000 parameters compares units tens of thousands of times).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Unit {
    text: String,
    known: Option<KnownUnit>,
}

impl PartialOrd for Unit {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Unit {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.text.cmp(&other.text)
    }
}

/// The OpenAPI schema: non-empty text without control characters (custom format `unit`).
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Unit {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::Custom("unit".into())))
            .pattern(Some(r"^[^\u0000-\u001f\u007f]*\S[^\u0000-\u001f\u007f]*$"))
            .max_length(Some(MAX_UNIT_LEN))
            .description(Some(
                "A unit as written, e.g. °C, mL or \"-\" for a pure number; units Baton knows are converted",
            ))
            .examples(["°C"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Unit {}

/// Why a text is not acceptable as a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// Nothing was written.
    #[error("Enter a unit, e.g. °C, mL or \"-\" for a pure number.")]
    Empty,
    /// Longer than [`MAX_UNIT_LEN`].
    #[error("Write the unit in at most {} characters.", MAX_UNIT_LEN)]
    TooLong,
    /// A tab, line break or other control character.
    #[error("Write the unit without tabs or line breaks.")]
    ControlCharacter,
}

impl Unit {
    /// Takes a unit as written, without surrounding spaces; any non-empty text is a unit, known or not.
    pub fn parse(text: &str) -> Result<Unit, UnitError> {
        let text = text.trim();
        if text.is_empty() {
            Err(UnitError::Empty)
        } else if text.chars().count() > MAX_UNIT_LEN {
            Err(UnitError::TooLong)
        } else if text.chars().any(char::is_control) {
            Err(UnitError::ControlCharacter)
        } else {
            Ok(Unit { text: text.to_owned(), known: KnownUnit::recognise(text) })
        }
    }

    /// The unit of this crate's symbol, e.g. "°C".
    pub fn of(unit: KnownUnit) -> Unit {
        Unit { text: unit.symbol().to_owned(), known: Some(unit) }
    }

    /// The unit as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The unit the spelling means, or `None` for a unit this crate does not know.
    pub fn known(&self) -> Option<KnownUnit> {
        self.known
    }

    /// What it measures, when known.
    pub fn dimension(&self) -> Option<Dimension> {
        self.known().map(KnownUnit::dimension)
    }
}

/// A value with its unit for a sentence, e.g. "36.5 °C"; a pure number ("-") shows no unit.
pub(crate) fn quantity(value: impl Display, unit: &Unit) -> String {
    if unit.known() == Some(KnownUnit::Dimensionless) { value.to_string() } else { format!("{value} {unit}") }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl TryFrom<String> for Unit {
    type Error = UnitError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Unit::parse(&value)
    }
}

impl From<Unit> for String {
    fn from(unit: Unit) -> Self {
        unit.text
    }
}

/// Why a value cannot be expressed in another unit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConversionError {
    /// The units measure different things, or one of them is unknown and they are not written alike.
    #[error("{from} cannot be converted to {to}.")]
    Incompatible {
        /// The unit converted from, as written.
        from: String,
        /// The unit converted to, as written.
        to: String,
    },
    /// The converted value would have 20 or more digits before the point.
    #[error("{value} {from} is too large to express in {to}.")]
    OutOfRange {
        /// The value converted.
        value: String,
        /// The unit converted from, as written.
        from: String,
        /// The unit converted to, as written.
        to: String,
    },
}

/// Whether values in `a` and `b` can be compared: known units of one dimension, or the same unknown unit.
pub fn compatible(a: &Unit, b: &Unit) -> bool {
    match (a.known(), b.known()) {
        (Some(a), Some(b)) => a.dimension() == b.dimension(),
        (None, None) => a == b,
        _ => false,
    }
}

/// Expresses `value` in unit `to`.
///
/// Between units of the same size and zero (the same unit in two spellings, rpm and min⁻¹, g/L and mg/mL) the value
/// comes back unchanged, places included. Otherwise the result has no trailing zeros and is exact whenever the exact
/// result fits the decimal limits (20 digits, 20 places); when it does not (1 s in min, 100 °F in °C, 1 bar in psi)
/// it is rounded, halves away from zero, to 20 significant digits and at most 20 places. A round trip a → b → a
/// returns the value within 10⁻¹⁵ × max(1, |value|) for values below 10¹⁰ with up to 6 places (larger values may
/// not fit in the smallest unit of their dimension: 10¹¹ m³ is 10²⁰ µL).
pub fn convert(value: Decimal, from: &Unit, to: &Unit) -> Result<Decimal, ConversionError> {
    let incompatible = || ConversionError::Incompatible { from: from.to_string(), to: to.to_string() };
    if !compatible(from, to) {
        return Err(incompatible());
    }
    let (Some(a), Some(b)) = (from.known(), to.known()) else {
        return Ok(value);
    };
    let (fa, fb) = (a.definition(), b.definition());
    if fa.offset == fb.offset && fa.numerator * fb.denominator == fb.numerator * fa.denominator {
        return Ok(value);
    }
    // y = (x + offset_a) × num_a × den_b / (den_a × num_b) − offset_b, with one division so only it can round.
    let converted = value
        .raw()
        .checked_add(fa.offset)
        .and_then(|v| v.checked_mul(fa.numerator))
        .and_then(|v| v.checked_mul(fb.denominator))
        .and_then(|v| v.checked_div(fa.denominator.checked_mul(fb.numerator)?))
        .and_then(|v| v.checked_sub(fb.offset))
        .and_then(Decimal::fit);
    converted.map(Decimal::normalized).ok_or_else(|| ConversionError::OutOfRange {
        value: value.to_string(),
        from: from.to_string(),
        to: to.to_string(),
    })
}

#[cfg(test)]
mod tests;
