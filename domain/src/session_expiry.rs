//! When a session ends: after a spell of inactivity, and in any case some time after login.
//!
//! The server keeps two times in the session, login and last seen, and asks this module what a request at `now`
//! means. Last seen is only refreshed once it is [`SessionLimits::refresh_after`] old, so a busy session writes its
//! row about once a minute instead of on every request; the price is that idleness is measured from up to that much
//! before the last request.

use chrono::{DateTime, Duration, Utc};

/// How long a session may stay idle, and how long it may last at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLimits {
    /// Ended after this long without a request.
    pub idle: Duration,
    /// Ended this long after login, however busy.
    pub max: Duration,
}

impl Default for SessionLimits {
    /// 30 minutes idle, 12 hours at most.
    fn default() -> Self {
        SessionLimits { idle: Duration::minutes(30), max: Duration::hours(12) }
    }
}

/// What a request at some moment means for a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionCheck {
    /// Still good; nothing to write.
    Active,
    /// Still good; record `now` as last seen (and the new end) in the stored session.
    Refresh,
    /// Over: delete it and ask for a new login.
    Expired,
}

impl SessionLimits {
    /// How often an open event stream confirms its session still exists: every 30 seconds, or half the idle limit
    /// if that is shorter, so a stream outlives its session by at most that (a stream checks only when it wakes, so
    /// this costs nothing while nothing happens).
    pub fn stream_check_every(&self) -> Duration {
        (self.idle / 2).min(Duration::seconds(30))
    }

    /// How old "last seen" may get before a request refreshes it: a minute, or a quarter of the idle limit if that is
    /// shorter, so that refreshing never lets a session in use lapse.
    pub fn refresh_after(&self) -> Duration {
        (self.idle / 4).min(Duration::minutes(1))
    }

    /// The session's end if no further request refreshes it.
    pub fn ends_at(&self, login: DateTime<Utc>, seen: DateTime<Utc>) -> DateTime<Utc> {
        (seen + self.idle).min(login + self.max)
    }

    /// What a request at `now` means for a session that logged in at `login` and was last seen at `seen`.
    pub fn check(&self, login: DateTime<Utc>, seen: DateTime<Utc>, now: DateTime<Utc>) -> SessionCheck {
        if now >= self.ends_at(login, seen) {
            SessionCheck::Expired
        } else if now - seen >= self.refresh_after() {
            SessionCheck::Refresh
        } else {
            SessionCheck::Active
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid") + Duration::seconds(seconds)
    }

    #[test]
    fn idle_sessions_end() {
        let limits = SessionLimits::default();
        assert_eq!(limits.check(t(0), t(0), t(10)), SessionCheck::Active);
        assert_eq!(limits.check(t(0), t(0), t(29 * 60)), SessionCheck::Refresh);
        assert_eq!(limits.check(t(0), t(0), t(30 * 60)), SessionCheck::Expired);
    }

    #[test]
    fn refreshing_at_most_once_a_minute_keeps_a_busy_session_alive_until_the_absolute_limit() {
        let limits = SessionLimits::default();
        let (login, mut seen, mut writes) = (t(0), t(0), 0);
        let mut now = t(0);
        // A request every 20 seconds for 13 hours.
        while now < t(13 * 3600) {
            now += Duration::seconds(20);
            match limits.check(login, seen, now) {
                SessionCheck::Active => {}
                SessionCheck::Refresh => {
                    seen = now;
                    writes += 1;
                }
                SessionCheck::Expired => break,
            }
        }
        assert_eq!(now, t(12 * 3600), "ends exactly at the absolute limit");
        assert!(writes <= 12 * 60, "about one write a minute, not one a request: {writes}");
    }

    #[test]
    fn short_idle_limits_refresh_more_often() {
        let limits = SessionLimits { idle: Duration::seconds(4), max: Duration::seconds(60) };
        assert_eq!(limits.refresh_after(), Duration::seconds(1));
        assert_eq!(limits.ends_at(t(0), t(58)), t(60));
        assert_eq!(limits.check(t(0), t(58), t(60)), SessionCheck::Expired);
    }

    #[test]
    fn streams_check_their_session_every_30_s_or_half_the_idle_limit() {
        assert_eq!(SessionLimits::default().stream_check_every(), Duration::seconds(30));
        let short = SessionLimits { idle: Duration::seconds(4), max: Duration::hours(1) };
        assert_eq!(short.stream_check_every(), Duration::seconds(2));
    }
}
