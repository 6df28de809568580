//! Units of measure of process parameters, and exact conversion between units of one dimension.
//!
//! A unit keeps the spelling it was written with ("ml", "°C", "min⁻¹"), so people see their own notation back;
//! the spelling is read tolerantly to find the unit it means. Where a spelling could mean two units that a
//! process sheet might both use (S is siemens, not seconds; mPa is millipascal, not megapascal) only the exact
//! case is read, and a spelling that is not recognised at all ("C", "barg") is kept as an unknown unit that
//! matches only itself, so a doubtful unit raises a gap for a person to resolve instead of a silent guess.

use crate::decimal::Decimal;
use crate::stored_enum::stored_enum;
use rust_decimal::Decimal as Raw;
use serde::{Deserialize, Serialize};
use std::fmt;

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

/// A unit this crate can convert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each variant's symbol says it all
pub enum KnownUnit {
    Celsius,
    Kelvin,
    Fahrenheit,
    CubicMetre,
    Litre,
    Millilitre,
    Microlitre,
    Rpm,
    PerMinute,
    Bar,
    Millibar,
    Pascal,
    Kilopascal,
    Megapascal,
    Psi,
    Second,
    Minute,
    Hour,
    Day,
    Kilogram,
    Gram,
    Milligram,
    Microgram,
    LitrePerMinute,
    MillilitrePerMinute,
    LitrePerHour,
    MillilitrePerHour,
    Percent,
    GramPerLitre,
    MilligramPerMillilitre,
    MilligramPerLitre,
    MicrogramPerMillilitre,
    Ph,
    Dimensionless,
    Metre,
    Centimetre,
    Millimetre,
    Micrometre,
}

/// A unit's place in its dimension: base value = (value + offset) × numerator / denominator.
struct Definition {
    dimension: Dimension,
    symbol: &'static str,
    offset: Raw,
    numerator: Raw,
    denominator: Raw,
}

/// A unit that is a whole multiple of its base unit.
fn times(dimension: Dimension, symbol: &'static str, numerator: i64) -> Definition {
    Definition { dimension, symbol, offset: Raw::ZERO, numerator: Raw::from(numerator), denominator: Raw::ONE }
}

impl KnownUnit {
    /// Every unit, grouped by dimension.
    pub const ALL: &'static [KnownUnit] = {
        use KnownUnit::*;
        &[
            Celsius,
            Kelvin,
            Fahrenheit,
            CubicMetre,
            Litre,
            Millilitre,
            Microlitre,
            Rpm,
            PerMinute,
            Bar,
            Millibar,
            Pascal,
            Kilopascal,
            Megapascal,
            Psi,
            Second,
            Minute,
            Hour,
            Day,
            Kilogram,
            Gram,
            Milligram,
            Microgram,
            LitrePerMinute,
            MillilitrePerMinute,
            LitrePerHour,
            MillilitrePerHour,
            Percent,
            GramPerLitre,
            MilligramPerMillilitre,
            MilligramPerLitre,
            MicrogramPerMillilitre,
            Ph,
            Dimensionless,
            Metre,
            Centimetre,
            Millimetre,
            Micrometre,
        ]
    };

    /// The usual symbol, e.g. "°C" or "min⁻¹".
    pub fn symbol(self) -> &'static str {
        self.definition().symbol
    }

    /// What it measures.
    pub fn dimension(self) -> Dimension {
        self.definition().dimension
    }

    /// How it relates to its dimension's base unit: K, µL, rpm, Pa, s, µg, mL/h, %, mg/L, pH, 1 or µm. Each base is
    /// the smallest unit of its dimension, so every factor but °F's and psi's is a whole number.
    fn definition(self) -> Definition {
        use Dimension as D;
        use KnownUnit::*;
        match self {
            Celsius => Definition { offset: Raw::new(27315, 2), ..times(D::Temperature, "°C", 1) },
            Kelvin => times(D::Temperature, "K", 1),
            // °F = °C × 9/5 + 32, so K = (°F + 459.67) × 5/9.
            Fahrenheit => {
                Definition { offset: Raw::new(45967, 2), denominator: Raw::from(9), ..times(D::Temperature, "°F", 5) }
            }
            CubicMetre => times(D::Volume, "m³", 1_000_000_000),
            Litre => times(D::Volume, "L", 1_000_000),
            Millilitre => times(D::Volume, "mL", 1_000),
            Microlitre => times(D::Volume, "µL", 1),
            Rpm => times(D::RotationalSpeed, "rpm", 1),
            PerMinute => times(D::RotationalSpeed, "min⁻¹", 1),
            Bar => times(D::Pressure, "bar", 100_000),
            Millibar => times(D::Pressure, "mbar", 100),
            Pascal => times(D::Pressure, "Pa", 1),
            Kilopascal => times(D::Pressure, "kPa", 1_000),
            Megapascal => times(D::Pressure, "MPa", 1_000_000),
            // The international psi (0.45359237 kg × 9.80665 m/s² per (0.0254 m)²) is 6894.757293168361… Pa; this
            // crate defines 1 psi = 6894.757293168 Pa exactly, so psi → bar is exact and bar → psi divides and rounds.
            Psi => Definition { numerator: Raw::new(6_894_757_293_168, 9), ..times(D::Pressure, "psi", 1) },
            Second => times(D::Time, "s", 1),
            Minute => times(D::Time, "min", 60),
            Hour => times(D::Time, "h", 3_600),
            Day => times(D::Time, "d", 86_400),
            Kilogram => times(D::Mass, "kg", 1_000_000_000),
            Gram => times(D::Mass, "g", 1_000_000),
            Milligram => times(D::Mass, "mg", 1_000),
            Microgram => times(D::Mass, "µg", 1),
            LitrePerMinute => times(D::Flow, "L/min", 60_000),
            MillilitrePerMinute => times(D::Flow, "mL/min", 60),
            LitrePerHour => times(D::Flow, "L/h", 1_000),
            MillilitrePerHour => times(D::Flow, "mL/h", 1),
            Percent => times(D::Percent, "%", 1),
            GramPerLitre => times(D::Concentration, "g/L", 1_000),
            MilligramPerMillilitre => times(D::Concentration, "mg/mL", 1_000),
            MilligramPerLitre => times(D::Concentration, "mg/L", 1),
            MicrogramPerMillilitre => times(D::Concentration, "µg/mL", 1),
            Ph => times(D::Ph, "pH", 1),
            Dimensionless => times(D::Dimensionless, "-", 1),
            Metre => times(D::Length, "m", 1_000_000),
            Centimetre => times(D::Length, "cm", 10_000),
            Millimetre => times(D::Length, "mm", 1_000),
            Micrometre => times(D::Length, "µm", 1),
        }
    }

    /// The unit a spelling means, if any.
    fn recognise(written: &str) -> Option<KnownUnit> {
        let key = spelling_key(written);
        if let Some((_, unit)) = EXACT_CASE.iter().find(|(spelling, _)| *spelling == key) {
            return Some(*unit);
        }
        let lower = key.to_lowercase();
        ANY_CASE.iter().find(|(spelling, _)| *spelling == lower).map(|(_, unit)| *unit)
    }
}

/// Spellings whose case carries meaning: S is siemens, k a prefix, M molar, mPa millipascal.
const EXACT_CASE: &[(&str, KnownUnit)] = {
    use KnownUnit::*;
    &[
        ("K", Kelvin),
        ("s", Second),
        ("h", Hour),
        ("d", Day),
        ("g", Gram),
        ("m", Metre),
        ("MPa", Megapascal),
        ("Mpa", Megapascal),
        ("MPA", Megapascal),
    ]
};

/// Spellings read in any case (compared in lower case, spaces removed); none of them means a second unit in
/// another case that a process sheet would use.
const ANY_CASE: &[(&str, KnownUnit)] = {
    use KnownUnit::*;
    &[
        ("°c", Celsius),
        ("degc", Celsius),
        ("celsius", Celsius),
        ("degreescelsius", Celsius),
        ("kelvin", Kelvin),
        ("°f", Fahrenheit),
        ("degf", Fahrenheit),
        ("fahrenheit", Fahrenheit),
        ("degreesfahrenheit", Fahrenheit),
        ("m3", CubicMetre),
        ("m^3", CubicMetre),
        ("l", Litre),
        ("litre", Litre),
        ("liter", Litre),
        ("litres", Litre),
        ("liters", Litre),
        ("ml", Millilitre),
        ("µl", Microlitre),
        ("ul", Microlitre),
        ("rpm", Rpm),
        ("rev/min", Rpm),
        ("min-1", PerMinute),
        ("min^-1", PerMinute),
        ("1/min", PerMinute),
        ("bar", Bar),
        ("mbar", Millibar),
        ("pa", Pascal),
        ("kpa", Kilopascal),
        ("psi", Psi),
        ("sec", Second),
        ("secs", Second),
        ("second", Second),
        ("seconds", Second),
        ("min", Minute),
        ("mins", Minute),
        ("minute", Minute),
        ("minutes", Minute),
        ("hr", Hour),
        ("hrs", Hour),
        ("hour", Hour),
        ("hours", Hour),
        ("day", Day),
        ("days", Day),
        ("kg", Kilogram),
        ("mg", Milligram),
        ("µg", Microgram),
        ("ug", Microgram),
        ("l/min", LitrePerMinute),
        ("ml/min", MillilitrePerMinute),
        ("l/h", LitrePerHour),
        ("l/hr", LitrePerHour),
        ("ml/h", MillilitrePerHour),
        ("ml/hr", MillilitrePerHour),
        ("%", Percent),
        ("percent", Percent),
        ("g/l", GramPerLitre),
        ("mg/ml", MilligramPerMillilitre),
        ("mg/l", MilligramPerLitre),
        ("µg/ml", MicrogramPerMillilitre),
        ("ug/ml", MicrogramPerMillilitre),
        ("ph", Ph),
        ("-", Dimensionless),
        ("dimensionless", Dimensionless),
        ("unitless", Dimensionless),
        ("mm", Millimetre),
        ("cm", Centimetre),
        ("µm", Micrometre),
        ("um", Micrometre),
    ]
};

/// The written unit without spaces and with look-alike characters unified (Greek mu, ordinal º, superscripts).
fn spelling_key(written: &str) -> String {
    let mut key = String::with_capacity(written.len());
    for c in written.chars().filter(|c| !c.is_whitespace()) {
        match c {
            'μ' => key.push('µ'),
            'º' | '˚' => key.push('°'),
            '³' => key.push('3'),
            '⁻' | '−' => key.push('-'),
            '¹' => key.push('1'),
            '℃' => key.push_str("°C"),
            '℉' => key.push_str("°F"),
            other => key.push(other),
        }
    }
    key
}

/// A unit as written, e.g. "mL" or "°C"; serialised as that text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "°C"))]
pub struct Unit(String);

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
            Ok(Unit(text.to_owned()))
        }
    }

    /// The unit of this crate's symbol, e.g. "°C".
    pub fn of(unit: KnownUnit) -> Unit {
        Unit(unit.symbol().to_owned())
    }

    /// The unit as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The unit the spelling means, or `None` for a unit this crate does not know.
    pub fn known(&self) -> Option<KnownUnit> {
        KnownUnit::recognise(&self.0)
    }

    /// What it measures, when known.
    pub fn dimension(&self) -> Option<Dimension> {
        self.known().map(KnownUnit::dimension)
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
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
        unit.0
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
