//! Times as they are stored: ISO-8601 UTC text with microseconds, which sorts correctly as text on every backend.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// Formats a UTC time for storage.
pub fn to_db(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Reads a stored UTC time.
pub fn from_db(s: &str) -> anyhow::Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(s).with_context(|| format!("stored time {s:?}"))?.with_timezone(&Utc))
}

/// Reads a stored calendar date.
pub fn date_from_db(s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").with_context(|| format!("stored date {s:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_sorts_as_text() {
        let a = DateTime::from_timestamp(1_800_000_000, 123_456_000).expect("valid");
        let b = a + chrono::Duration::microseconds(1);
        assert_eq!(from_db(&to_db(a)).expect("parses"), a);
        assert!(to_db(a) < to_db(b));
        assert_eq!(to_db(a), "2027-01-15T08:00:00.123456Z");
        assert!(from_db("yesterday").is_err());
        assert_eq!(date_from_db("2026-11-25").expect("date").to_string(), "2026-11-25");
    }
}
