//! Exact decimal numbers that keep their written precision: "7.20" stays "7.20".
//!
//! Setpoints, limits and results are figures people sign for. A float would turn 0.1 into 0.1000000000000000055 and
//! forget that "7.20" claims a hundredth, so every such number is a [`Decimal`]: a `rust_decimal` value whose scale
//! is the number of places as written. Over the API it is a JSON string, for the same reason.
//!
//! Every `Decimal` this crate hands out — parsed or computed — satisfies the input limits ([`MAX_DIGITS`],
//! [`MAX_PLACES`]), so anything serialised parses back unchanged.

use rust_decimal::{Decimal as Raw, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// Most digits a number may have, from its first non-zero digit to its last written one.
pub const MAX_DIGITS: u32 = 20;
/// Most digits after the decimal point.
pub const MAX_PLACES: u32 = 20;
/// Longest text accepted as a number; bounds the work done on hostile input such as a megabyte of zeros.
const MAX_TEXT_LEN: usize = 64;

/// An exact decimal number with the number of places it was written with.
///
/// Equality and ordering are numeric (`7.2 == 7.20`); [`Decimal::identical`] also compares the places.
#[derive(Clone, Copy, Default)]
pub struct Decimal(Raw);

/// The OpenAPI schema: a string in plain decimal notation (custom format `decimal`), so that clients and the
/// document-driven fuzzer know which strings are numbers.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Decimal {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::Custom("decimal".into())))
            .pattern(Some(r"^\s*[+\-−]?(\d+(\.\d+)?|\.\d+)\s*$"))
            .max_length(Some(MAX_TEXT_LEN))
            .description(Some(format!(
                "An exact decimal number as written, keeping its places (\"7.20\"): at most {MAX_DIGITS} significant \
                 digits and {MAX_PLACES} after the point; no exponent, no thousands separator."
            )))
            .examples(["7.20"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Decimal {}

/// Why a text is not an acceptable number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    /// Nothing was written.
    #[error("Enter a number.")]
    Empty,
    /// Not a number at all, e.g. "abc", "NaN", "1.2.3".
    #[error("Enter a number such as 7.20 or -0.5.")]
    NotANumber,
    /// Scientific notation such as "1e3".
    #[error("Write the number without an exponent, e.g. 1000 instead of 1e3.")]
    Exponent,
    /// A comma, space, apostrophe or underscore inside the number.
    #[error("Use a point as the decimal separator and no thousands separators, e.g. 1234.5.")]
    Separator,
    /// "5." with nothing after the point.
    #[error("Write digits after the decimal point, or leave the point out.")]
    TrailingPoint,
    /// More significant digits than [`MAX_DIGITS`].
    #[error("Use at most {} significant digits.", MAX_DIGITS)]
    TooManyDigits,
    /// More places than [`MAX_PLACES`].
    #[error("Use at most {} digits after the decimal point.", MAX_PLACES)]
    TooManyPlaces,
    /// Longer text than any acceptable number.
    #[error("That number is too long.")]
    TooLong,
}

impl Decimal {
    /// Zero, with no places.
    pub const ZERO: Decimal = Decimal(Raw::ZERO);

    /// Reads a number written in plain decimal notation: optional sign, digits, optional point and digits.
    ///
    /// Surrounding spaces are ignored and the typographic minus "−" is read as "-". Exponents, thousands
    /// separators, a decimal comma, NaN and infinity are refused with a sentence saying what to write instead.
    pub fn parse(text: &str) -> Result<Decimal, DecimalError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(DecimalError::Empty);
        }
        if text.len() > MAX_TEXT_LEN {
            return Err(DecimalError::TooLong);
        }
        let (negative, body) = match text.chars().next() {
            Some('-') => (true, &text[1..]),
            Some('−') => (true, &text['−'.len_utf8()..]),
            Some('+') => (false, &text[1..]),
            _ => (false, text),
        };
        if let Some(problem) = notation_problem(body) {
            return Err(problem);
        }
        let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
        if fraction.len() > MAX_PLACES as usize {
            return Err(DecimalError::TooManyPlaces);
        }
        let digits = whole.bytes().chain(fraction.bytes()).skip_while(|b| *b == b'0');
        let mut mantissa: i128 = 0;
        let mut count = 0;
        for digit in digits {
            count += 1;
            if count > MAX_DIGITS {
                return Err(DecimalError::TooManyDigits);
            }
            mantissa = mantissa * 10 + i128::from(digit - b'0');
        }
        let raw = Raw::try_from_i128_with_scale(if negative { -mantissa } else { mantissa }, fraction.len() as u32)
            .map_err(|_| DecimalError::TooManyDigits)?;
        Ok(Decimal(without_negative_zero(raw)))
    }

    /// The number of places after the point, as written.
    pub fn places(self) -> u32 {
        self.0.scale()
    }

    /// Whether both the value and the places agree: `7.2` and `7.20` are equal but not identical.
    pub fn identical(self, other: Decimal) -> bool {
        self.0 == other.0 && self.0.scale() == other.0.scale()
    }

    /// Whether the value is zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// Whether the value is below zero.
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// The magnitude, keeping the places.
    pub fn abs(self) -> Decimal {
        Decimal(self.0.abs())
    }

    /// Rounded to `places` places, halves away from zero (2.45 → 2.5), as laboratories round; never adds places.
    pub fn round_dp(self, places: u32) -> Decimal {
        Decimal(without_negative_zero(self.0.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)))
    }

    /// Rounded (halves away from zero) or padded with zeros to exactly `places` places, e.g. for a column of figures;
    /// padding stops where it would exceed [`MAX_DIGITS`] or [`MAX_PLACES`].
    pub fn with_places(self, places: u32) -> Decimal {
        let rounded = self.round_dp(places);
        let padding = places.saturating_sub(rounded.places());
        let room = MAX_DIGITS
            .saturating_sub(digit_count(rounded.0.mantissa()))
            .min(MAX_PLACES.saturating_sub(rounded.places()));
        let mut padded = rounded.0;
        padded.rescale(rounded.places() + padding.min(room));
        Decimal(padded)
    }

    /// The same value without trailing zeros after the point: "2.500" → "2.5".
    pub fn normalized(self) -> Decimal {
        Decimal(without_negative_zero(self.0.normalize()))
    }

    /// The value as `rust_decimal` computes with it.
    pub(crate) fn raw(self) -> Raw {
        self.0
    }

    /// A computed value brought within the input limits: rounded (halves away from zero) to at most
    /// [`MAX_PLACES`] places and [`MAX_DIGITS`] digits; `None` when its magnitude is 10^20 or more.
    pub(crate) fn fit(raw: Raw) -> Option<Decimal> {
        let limit = Raw::from_i128_with_scale(10_i128.pow(MAX_DIGITS), 0);
        let mut value = raw.round_dp_with_strategy(MAX_PLACES, RoundingStrategy::MidpointAwayFromZero);
        loop {
            if value.abs() >= limit {
                return None;
            }
            let digits = digit_count(value.mantissa());
            if digits <= MAX_DIGITS {
                return Some(Decimal(without_negative_zero(value)));
            }
            let excess = digits - MAX_DIGITS;
            // Fewer digits than places, since |value| < 10^MAX_DIGITS; rounding up can add a digit, hence the loop.
            let places = value.scale().saturating_sub(excess);
            value = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
        }
    }

    /// Rounded to `digits` significant digits (halves away from zero) and without trailing zeros, for sentences.
    pub(crate) fn for_sentence(self, digits: u32) -> Decimal {
        self.0
            .round_sf_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero)
            .and_then(Decimal::fit)
            .unwrap_or(self)
            .normalized()
    }
}

/// What is wrong with the notation of a number without its sign, if anything.
fn notation_problem(body: &str) -> Option<DecimalError> {
    if body.is_empty() || body == "." {
        return Some(DecimalError::NotANumber);
    }
    let plain = |c: char| c.is_ascii_digit() || c == '.';
    if body.chars().all(plain) {
        return match body.matches('.').count() {
            0 => None,
            1 if body.ends_with('.') => Some(DecimalError::TrailingPoint),
            1 => None,
            _ => Some(DecimalError::NotANumber),
        };
    }
    let has_digit = body.chars().any(|c| c.is_ascii_digit());
    let exponent = |c: char| plain(c) || matches!(c, 'e' | 'E' | '+' | '-');
    if has_digit && body.contains(['e', 'E']) && body.chars().all(exponent) {
        return Some(DecimalError::Exponent);
    }
    let separator = |c: char| matches!(c, ',' | ' ' | '\'' | '_' | '\u{a0}' | '\u{202f}' | '’');
    if has_digit && body.chars().any(separator) && body.chars().all(|c| plain(c) || separator(c)) {
        return Some(DecimalError::Separator);
    }
    Some(DecimalError::NotANumber)
}

/// How many decimal digits a mantissa has.
fn digit_count(mantissa: i128) -> u32 {
    mantissa.unsigned_abs().checked_ilog10().map_or(1, |log| log + 1)
}

/// `rust_decimal` keeps a sign on zero ("-0.0"); a written value never means that.
fn without_negative_zero(mut raw: Raw) -> Raw {
    if raw.is_zero() {
        raw.set_sign_positive(true);
    }
    raw
}

impl From<i64> for Decimal {
    fn from(value: i64) -> Self {
        Decimal(Raw::from(value))
    }
}

impl FromStr for Decimal {
    type Err = DecimalError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Decimal::parse(s)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({})", self.0)
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl Hash for Decimal {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // rust_decimal hashes the normalised value, consistent with numeric equality.
        self.0.hash(state);
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DecimalVisitor)
    }
}

/// Reads a decimal from a JSON string, or from a JSON integer (exact); refuses JSON fractions, already rounded.
struct DecimalVisitor;

impl serde::de::Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number written as a string, e.g. \"7.20\"")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
        Decimal::parse(v).map_err(E::custom)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal(Raw::from(v)))
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Decimal, E> {
        Err(E::custom("Write decimal numbers as strings, e.g. \"7.20\", so that no digit is lost."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).expect(text)
    }

    #[test]
    fn keeps_the_written_places() {
        for (text, shown, places) in [
            ("7.20", "7.20", 2),
            ("7.2", "7.2", 1),
            ("-0.5", "-0.5", 1),
            ("+3", "3", 0),
            (" 0.000 ", "0.000", 3),
            ("007.50", "7.50", 2),
            (".5", "0.5", 1),
            ("−1.25", "-1.25", 2),
            ("-0.00", "0.00", 2),
        ] {
            let value = d(text);
            assert_eq!(value.to_string(), shown, "{text}");
            assert_eq!(value.places(), places, "{text}");
        }
        assert_eq!(d("7.2"), d("7.20"));
        assert!(!d("7.2").identical(d("7.20")));
        assert!(d("7.20").identical(d("7.20")));
    }

    #[test]
    fn refuses_other_notations_with_a_reason() {
        use DecimalError::*;
        for (text, error) in [
            ("", Empty),
            ("   ", Empty),
            ("1e3", Exponent),
            ("2.5E-2", Exponent),
            ("1,000", Separator),
            ("1 000.5", Separator),
            ("7,2", Separator),
            ("1_000", Separator),
            ("5.", TrailingPoint),
            ("NaN", NotANumber),
            ("-inf", NotANumber),
            ("abc", NotANumber),
            ("1.2.3", NotANumber),
            ("--1", NotANumber),
            ("-", NotANumber),
            (".", NotANumber),
            ("0x10", NotANumber),
            ("e", NotANumber),
            ("123456789012345678901", TooManyDigits),
            ("0.000000000000000000001", TooManyPlaces),
        ] {
            assert_eq!(Decimal::parse(text), Err(error), "{text:?}");
        }
        assert_eq!(Decimal::parse(&"0".repeat(65)), Err(TooLong));
        assert!(Decimal::parse("12345678901234567890").is_ok());
        assert!(Decimal::parse("0.00000000000000000001").is_ok());
        assert!(Decimal::parse("-99999999999999999999").is_ok());
    }

    #[test]
    fn leading_zeros_are_not_significant_but_trailing_ones_are() {
        assert!(Decimal::parse("0.0000000000000000123").is_ok());
        assert!(Decimal::parse("1.0000000000000000000").is_ok());
        assert_eq!(Decimal::parse("1.00000000000000000000"), Err(DecimalError::TooManyDigits));
    }

    #[test]
    fn serialises_as_a_string_and_reads_strings_and_integers() {
        assert_eq!(serde_json::to_string(&d("7.20")).expect("serialises"), "\"7.20\"");
        assert!(serde_json::from_str::<Decimal>("\"-0.50\"").expect("string").identical(d("-0.50")));
        assert_eq!(serde_json::from_str::<Decimal>("37").expect("integer"), d("37"));
        let float = serde_json::from_str::<Decimal>("7.2").expect_err("float").to_string();
        assert!(float.contains("as strings"), "{float}");
        let exponent = serde_json::from_str::<Decimal>("\"1e3\"").expect_err("exponent").to_string();
        assert!(exponent.contains("without an exponent"), "{exponent}");
    }

    #[test]
    fn rounds_halves_away_from_zero() {
        assert_eq!(d("2.45").round_dp(1).to_string(), "2.5");
        assert_eq!(d("-2.45").round_dp(1).to_string(), "-2.5");
        assert_eq!(d("2.449").round_dp(1).to_string(), "2.4");
        assert_eq!(d("-0.04").round_dp(1).to_string(), "0.0");
        assert_eq!(d("7.2").round_dp(3).to_string(), "7.2");
        assert_eq!(d("2.500").normalized().to_string(), "2.5");
        assert_eq!(d("100").with_places(2).to_string(), "100.00");
        assert_eq!(d("0.2646").with_places(2).to_string(), "0.26");
        assert_eq!(d("-0.004").with_places(2).to_string(), "0.00");
        assert_eq!(d("12345678901234567890").with_places(2).to_string(), "12345678901234567890");
        assert_eq!(d("1234567890123456789").with_places(3).to_string(), "1234567890123456789.0");
        assert_eq!(d("0.5").with_places(25).places(), MAX_PLACES);
    }

    #[test]
    fn fit_rounds_computed_values_into_the_input_limits() {
        let third = Raw::ONE / Raw::from(3);
        assert_eq!(Decimal::fit(third).map(|v| v.to_string()).as_deref(), Some("0.33333333333333333333"));
        let big = Raw::from_i128_with_scale(123_456_789_012_345_678_955, 2);
        assert_eq!(Decimal::fit(big).map(|v| v.to_string()).as_deref(), Some("1234567890123456789.6"));
        let nines = Raw::from_i128_with_scale(999_999_999_999_999_999_995, 1);
        assert_eq!(Decimal::fit(nines), None);
        assert_eq!(Decimal::fit(Raw::from_i128_with_scale(10_i128.pow(20), 0)), None);
    }

    /// Plain decimal text within the limits: sign, up to 20 digits, up to 20 of them after the point.
    fn written() -> impl Strategy<Value = String> {
        (any::<bool>(), "[0-9]{1,20}", 0..=20_usize).prop_map(|(negative, digits, places)| {
            let places = places.min(digits.len());
            let (whole, fraction) = digits.split_at(digits.len() - places);
            let whole = if whole.is_empty() { "0" } else { whole };
            let text = if places == 0 { whole.to_owned() } else { format!("{whole}.{fraction}") };
            if negative { format!("-{text}") } else { text }
        })
    }

    proptest! {
        #[test]
        fn parse_of_format_is_identical(text in written()) {
            let value = d(&text);
            let again = d(&value.to_string());
            prop_assert!(again.identical(value), "{text} → {value} → {again}");
            let json = serde_json::to_string(&value).expect("serialises");
            let back: Decimal = serde_json::from_str(&json).expect("parses");
            prop_assert!(back.identical(value));
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,80}") {
            let _ = Decimal::parse(&text);
        }

        #[test]
        fn fit_output_always_parses_back(mantissa in any::<i128>(), scale in 0..=28_u32) {
            let raw = Raw::from_i128_with_scale(mantissa % 79_228_162_514_264_337_593_543_950_335, scale);
            if let Some(value) = Decimal::fit(raw) {
                prop_assert!(d(&value.to_string()).identical(value));
            }
        }
    }
}
