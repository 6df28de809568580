//! Calendar months and the periods KPIs are reported by, written "2026-03" (a month) and "2026-Q1" (a quarter).
//!
//! The server sums facts per month; server and browser regroup months into quarters, so both must agree on which
//! months a quarter holds. Years run from 1 to 9999, all that "YYYY" can write, so every value can be written and
//! read back, and arithmetic on months cannot overflow.

use crate::stored_enum::stored_enum;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The earliest year a [`Month`] can be in.
pub const MIN_YEAR: i32 = 1;
/// The latest year a [`Month`] can be in.
pub const MAX_YEAR: i32 = 9999;

const MONTH_NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Why a text or number is not a month or period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Not of the form YYYY-MM.
    #[error("Write the month as YYYY-MM, e.g. 2026-03.")]
    NotAMonth,
    /// Neither YYYY-MM nor YYYY-Qn.
    #[error("Write the period as a month, YYYY-MM (e.g. 2026-03), or a quarter, YYYY-Qn (e.g. 2026-Q1).")]
    NotAPeriod,
    /// A year before 1 or after 9999.
    #[error("Choose a year from {MIN_YEAR} to {MAX_YEAR}.")]
    YearOutOfRange,
    /// A month number outside 1–12.
    #[error("Choose a month from 01 to 12.")]
    MonthOutOfRange,
    /// A quarter number outside 1–4.
    #[error("Choose a quarter from Q1 to Q4.")]
    QuarterOutOfRange,
}

/// A calendar month, serialised as "YYYY-MM".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    // Year before month: the derived order is then chronological.
    year: i32,
    month: u32,
}

impl Month {
    /// The month, if the year is from 1 to 9999 and the month from 1 to 12.
    pub fn new(year: i32, month: u32) -> Result<Month, PeriodError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            Err(PeriodError::YearOutOfRange)
        } else if !(1..=12).contains(&month) {
            Err(PeriodError::MonthOutOfRange)
        } else {
            Ok(Month { year, month })
        }
    }

    /// The month a date falls in; `None` for a date outside years 1–9999.
    pub fn of_date(date: NaiveDate) -> Option<Month> {
        Month::new(date.year(), date.month()).ok()
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month of the year, 1 to 12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The quarter of the year, 1 to 4.
    pub fn quarter(self) -> u32 {
        (self.month - 1) / 3 + 1
    }

    /// The month after; `None` after December 9999.
    pub fn next(self) -> Option<Month> {
        if self.month == 12 { Month::new(self.year + 1, 1).ok() } else { Some(Month { month: self.month + 1, ..self }) }
    }

    /// The month before; `None` before January of year 1.
    pub fn prev(self) -> Option<Month> {
        if self.month == 1 { Month::new(self.year - 1, 12).ok() } else { Some(Month { month: self.month - 1, ..self }) }
    }

    /// The month as people read it, e.g. "Mar 2026".
    pub fn label(self) -> String {
        let name = MONTH_NAMES.get(self.month as usize - 1).copied().unwrap_or("?");
        format!("{name} {}", self.year)
    }

    /// Months since January of year 0: consecutive months differ by one, so bucketing is a subtraction.
    pub(super) fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month - 1)
    }
}

/// The number written in `bytes` if they are all ASCII digits; at most four, so it cannot overflow.
fn digits(bytes: &[u8]) -> Option<u32> {
    let valid = !bytes.is_empty() && bytes.len() <= 4 && bytes.iter().all(u8::is_ascii_digit);
    valid.then(|| bytes.iter().fold(0, |n, b| n * 10 + u32::from(b - b'0')))
}

/// The year written in four digits.
fn year(bytes: &[u8]) -> Option<i32> {
    digits(bytes).filter(|_| bytes.len() == 4).and_then(|y| i32::try_from(y).ok())
}

impl FromStr for Month {
    type Err = PeriodError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        // Bytes, not characters: a slice of a `str` at a non-boundary would panic on arbitrary input.
        let bytes = text.as_bytes();
        match bytes {
            [y @ .., b'-', m1, m2] if y.len() == 4 => match (year(y), digits(&[*m1, *m2])) {
                (Some(year), Some(month)) => Month::new(year, month),
                _ => Err(PeriodError::NotAMonth),
            },
            _ => Err(PeriodError::NotAMonth),
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl TryFrom<String> for Month {
    type Error = PeriodError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Month> for String {
    fn from(month: Month) -> Self {
        month.to_string()
    }
}

/// The OpenAPI schema: text "YYYY-MM".
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Month {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^\d{4}-(0[1-9]|1[0-2])$"))
            .description(Some("A calendar month, YYYY-MM"))
            .examples(["2026-03"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Month {}

stored_enum!(
    /// How finely a KPI series is bucketed.
    Grain {
        /// One period per calendar month.
        Month = "month", "Month";
        /// One period per calendar quarter (January–March is Q1).
        Quarter = "quarter", "Quarter";
    }
);

impl Grain {
    /// How many months a period of this grain spans.
    pub fn months(self) -> u32 {
        match self {
            Grain::Month => 1,
            Grain::Quarter => 3,
        }
    }
}

/// A calendar month or quarter, serialised as "2026-03" or "2026-Q1". Periods are ordered by their first month, a
/// month before the quarter it begins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    // Always the first month of the period: a quarter built from its second month must equal one built from its
    // first. Field order gives the documented ordering.
    start: Month,
    grain: Grain,
}

impl Period {
    /// The period of the given grain that holds `month`.
    pub fn of(month: Month, grain: Grain) -> Period {
        let start = match grain {
            Grain::Month => month,
            Grain::Quarter => Month { month: (month.quarter() - 1) * 3 + 1, ..month },
        };
        Period { start, grain }
    }

    /// Whether it is a month or a quarter.
    pub fn grain(self) -> Grain {
        self.grain
    }

    /// Its first month.
    pub fn start(self) -> Month {
        self.start
    }

    /// Its last month.
    pub fn end(self) -> Month {
        Month { month: self.start.month + self.grain.months() - 1, ..self.start }
    }

    /// The months it covers, in order.
    pub fn months(self) -> impl Iterator<Item = Month> {
        let end = self.end();
        std::iter::successors(Some(self.start), |month| month.next()).take_while(move |month| *month <= end)
    }

    /// Whether `month` falls in it.
    pub fn contains(self, month: Month) -> bool {
        self.start <= month && month <= self.end()
    }

    /// The period of the same grain after it; `None` after 9999.
    pub fn next(self) -> Option<Period> {
        self.end().next().map(|month| Period::of(month, self.grain))
    }

    /// The period of the same grain before it; `None` before year 1.
    pub fn prev(self) -> Option<Period> {
        self.start.prev().map(|month| Period::of(month, self.grain))
    }

    /// The period as people read it, e.g. "Mar 2026" or "Q1 2026".
    pub fn label(self) -> String {
        match self.grain {
            Grain::Month => self.start.label(),
            Grain::Quarter => format!("Q{} {}", self.start.quarter(), self.start.year),
        }
    }

    /// Periods of its grain since year 0: consecutive periods differ by one. A quarter's first month index is a
    /// multiple of three, so the division is exact.
    pub(super) fn ordinal(self) -> i64 {
        self.start.index() / i64::from(self.grain.months())
    }
}

impl FromStr for Period {
    type Err = PeriodError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.as_bytes() {
            [y @ .., b'-', b'Q', q] if y.len() == 4 => {
                let year = year(y).ok_or(PeriodError::NotAPeriod)?;
                let quarter = digits(&[*q]).ok_or(PeriodError::NotAPeriod)?;
                if !(1..=4).contains(&quarter) {
                    return Err(PeriodError::QuarterOutOfRange);
                }
                Month::new(year, (quarter - 1) * 3 + 1).map(|month| Period::of(month, Grain::Quarter))
            }
            _ => match text.parse() {
                Ok(month) => Ok(Period::of(month, Grain::Month)),
                Err(PeriodError::NotAMonth) => Err(PeriodError::NotAPeriod),
                Err(other) => Err(other),
            },
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.grain {
            Grain::Month => self.start.fmt(f),
            Grain::Quarter => write!(f, "{:04}-Q{}", self.start.year, self.start.quarter()),
        }
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Period> for String {
    fn from(period: Period) -> Self {
        period.to_string()
    }
}

/// The OpenAPI schema: text "YYYY-MM" or "YYYY-Qn".
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Period {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$"))
            .description(Some("A calendar month, YYYY-MM, or quarter, YYYY-Qn"))
            .examples(["2026-Q1"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Period {}
