//! The audit trail as the API serves it: the filters a client sends, the pages and the people it gets back.

use crate::audit::AuditEntry;
use crate::ids::UserId;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Filters, all optional; times are ISO-8601 UTC. Taken as text and checked by the server, so that a bad value is
/// refused with the name of its field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct AuditQuery {
    /// Only entries by this user (id).
    pub actor: Option<String>,
    /// Only this kind of record, e.g. `agreement`.
    pub record_type: Option<String>,
    /// Only this record (id).
    pub record_id: Option<String>,
    /// Only this action, e.g. `sign`.
    pub action: Option<String>,
    /// At or after this time.
    pub from: Option<String>,
    /// Before this time.
    pub to: Option<String>,
    /// Entries older than this sequence number (next page).
    pub before_seq: Option<i64>,
    /// Page size, 1 to 500 (default 100).
    pub limit: Option<i64>,
}

/// A page of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    /// Entries, newest first.
    pub items: Vec<AuditEntry>,
    /// Pass as `before_seq` for the next page; absent on the last page.
    pub next_before_seq: Option<i64>,
}

/// Someone who appears in the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditActor {
    /// Their user id, for the `actor` filter.
    pub id: UserId,
    /// Their printed name.
    pub name: String,
}

/// The instants a filter by whole days in `zone` runs between: from the start of `from` up to the start of the day
/// after `to`, so both days are included, as the reader sees days in the table (their own zone, not UTC).
pub fn day_bounds<Tz: TimeZone>(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    zone: &Tz,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let start = |day: NaiveDate| {
        // Where a clock change skips midnight, the day starts at the first instant that exists.
        (0..=2).find_map(|hour| {
            let local = day.and_time(NaiveTime::MIN) + Duration::hours(hour);
            zone.from_local_datetime(&local).earliest().map(|t| t.with_timezone(&Utc))
        })
    };
    (from.and_then(start), to.and_then(|day| day.succ_opt()).and_then(start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, LocalResult, NaiveDateTime};

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn days_are_the_reader_s_and_the_last_one_is_included() {
        let cet = FixedOffset::east_opt(3600).expect("an offset");
        let (from, to) = day_bounds(Some(day("2026-11-24")), Some(day("2026-11-25")), &cet);
        assert_eq!(from.map(|t| t.to_rfc3339()).as_deref(), Some("2026-11-23T23:00:00+00:00"));
        assert_eq!(to.map(|t| t.to_rfc3339()).as_deref(), Some("2026-11-25T23:00:00+00:00"));
        assert_eq!(day_bounds(None, None, &Utc), (None, None));
        let (from, to) = day_bounds(Some(day("2026-11-24")), Some(day("2026-11-24")), &Utc);
        assert_eq!(to.zip(from).map(|(t, f)| t - f), Some(Duration::days(1)), "one day chosen: one whole day");
    }

    #[test]
    fn a_day_whose_midnight_does_not_exist_starts_at_its_first_hour() {
        // Santiago's clocks jumped from 2022-09-11 00:00 to 01:00 (UTC-4 to UTC-3).
        let (from, _) = day_bounds(Some(day("2022-09-11")), None, &SkippedMidnight);
        assert_eq!(from.map(|t| t.to_rfc3339()).as_deref(), Some("2022-09-11T04:00:00+00:00"));
    }

    /// A zone at UTC-4 whose clocks skip 2022-09-11 00:00–01:00 and run at UTC-3 from then on.
    #[derive(Clone, Copy)]
    struct SkippedMidnight;

    impl SkippedMidnight {
        fn jump() -> NaiveDateTime {
            NaiveDate::from_ymd_opt(2022, 9, 11).and_then(|d| d.and_hms_opt(0, 0, 0)).expect("the jump")
        }

        fn offset(hours: i32) -> FixedOffset {
            FixedOffset::west_opt(hours * 3600).expect("an offset")
        }
    }

    impl TimeZone for SkippedMidnight {
        type Offset = FixedOffset;

        fn from_offset(_: &FixedOffset) -> Self {
            SkippedMidnight
        }

        fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<FixedOffset> {
            self.offset_from_local_datetime(&local.and_time(NaiveTime::MIN))
        }

        fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<FixedOffset> {
            let jump = Self::jump();
            if *local < jump {
                LocalResult::Single(Self::offset(4))
            } else if *local < jump + Duration::hours(1) {
                LocalResult::None
            } else {
                LocalResult::Single(Self::offset(3))
            }
        }

        fn offset_from_utc_date(&self, utc: &NaiveDate) -> FixedOffset {
            self.offset_from_utc_datetime(&utc.and_time(NaiveTime::MIN))
        }

        fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> FixedOffset {
            if *utc < Self::jump() + Duration::hours(4) { Self::offset(4) } else { Self::offset(3) }
        }
    }
}
