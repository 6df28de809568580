//! Closed intervals with optional ends: normal operating ranges, proven acceptable ranges, specification limits.
//!
//! An end left out means "no limit on that side": a range with one end reaches to infinity on the other, so it
//! reaches outside any range that has a limit there.

use crate::decimal::Decimal;
use crate::units::{Unit, quantity};
use serde::{Deserialize, Serialize};

/// A closed interval with either end optional; `low ≤ high` when both are given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Range {
    /// Lowest acceptable value, inclusive; `None` for no lower limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<Decimal>,
    /// Highest acceptable value, inclusive; `None` for no upper limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<Decimal>,
}

impl Range {
    /// A range from its two ends.
    pub fn new(low: Option<Decimal>, high: Option<Decimal>) -> Range {
        Range { low, high }
    }

    /// Whether neither end is given, i.e. there is no range.
    pub fn is_empty(&self) -> bool {
        self.low.is_none() && self.high.is_none()
    }

    /// Whether `value` lies in the range, ends included.
    pub fn contains(&self, value: Decimal) -> bool {
        self.low.is_none_or(|low| low <= value) && self.high.is_none_or(|high| value <= high)
    }

    /// Whether the range reaches below `outer`'s low limit (a missing low end reaches below any limit).
    pub fn reaches_below(&self, outer: &Range) -> bool {
        outer.low.is_some_and(|limit| self.low.is_none_or(|low| low < limit))
    }

    /// Whether the range reaches above `outer`'s high limit (a missing high end reaches above any limit).
    pub fn reaches_above(&self, outer: &Range) -> bool {
        outer.high.is_some_and(|limit| self.high.is_none_or(|high| high > limit))
    }

    /// The range for a sentence: "30–40 °C", "≥ 30 °C", "≤ 40 °C" or "without limits".
    pub fn describe(&self, unit: &Unit) -> String {
        match (self.low, self.high) {
            (Some(low), Some(high)) => quantity(format!("{low}–{high}"), unit),
            (Some(low), None) => format!("≥ {}", quantity(low, unit)),
            (None, Some(high)) => format!("≤ {}", quantity(high, unit)),
            (None, None) => "without limits".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).expect(text)
    }

    fn range(low: &str, high: &str) -> Range {
        let end = |text: &str| (!text.is_empty()).then(|| d(text));
        Range::new(end(low), end(high))
    }

    #[test]
    fn ranges_contain_their_ends_and_open_ends_reach_to_infinity() {
        let par = range("35.0", "38.0");
        assert!(par.contains(d("35")) && par.contains(d("38.00")));
        assert!(!par.contains(d("34.99")) && !par.contains(d("38.01")));
        assert!(range("", "").contains(d("-1000")));
        assert!(!range("36", "37").reaches_below(&par) && !range("36", "37").reaches_above(&par));
        assert!(range("34", "37").reaches_below(&par));
        assert!(range("", "37").reaches_below(&par));
        assert!(range("36", "").reaches_above(&par));
        assert!(!range("", "").reaches_above(&range("35", "")));
    }

    #[test]
    fn ranges_read_as_people_write_them() {
        let celsius = Unit::parse("°C").expect("unit");
        assert_eq!(range("30", "40.0").describe(&celsius), "30–40.0 °C");
        assert_eq!(range("30", "").describe(&celsius), "≥ 30 °C");
        assert_eq!(range("", "40").describe(&celsius), "≤ 40 °C");
        assert_eq!(range("", "").describe(&celsius), "without limits");
        assert_eq!(range("0.8", "1.2").describe(&Unit::parse("-").expect("unit")), "0.8–1.2");
    }
}
