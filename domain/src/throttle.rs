//! Slowing down password guessing: per account and per client address.
//!
//! The server keeps one [`ThrottleState`] per key (an account or an address) and asks this module what to do;
//! the rule itself is pure so it can be tested against any clock.
//!
//! An attempt is counted *before* its password is checked ([`reserve`]), under a lock the server holds across the
//! read and the write, so parallel attempts cannot all slip through on one stale count; a success then gives its
//! reservation back ([`refund`]). The count is thus failures plus attempts still being checked.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How many failures are tolerated, over what window, and how long a lock lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures within `window` that trigger a lock.
    pub max_failures: u32,
    /// Failures older than this are forgotten.
    pub window: Duration,
    /// How long a lock lasts.
    pub lockout: Duration,
}

impl ThrottlePolicy {
    /// Per account: five wrong passwords in 15 minutes lock the account for 15 minutes.
    pub fn per_account() -> Self {
        ThrottlePolicy { max_failures: 5, window: Duration::minutes(15), lockout: Duration::minutes(15) }
    }

    /// Per client address: wide enough for a shared plant-floor network, tight enough to stop spraying.
    pub fn per_address() -> Self {
        ThrottlePolicy { max_failures: 30, window: Duration::minutes(15), lockout: Duration::minutes(15) }
    }
}

/// What is remembered about one key's recent failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottleState {
    /// Failures counted since `window_start`.
    pub failures: u32,
    /// When the first counted failure happened.
    pub window_start: DateTime<Utc>,
    /// Attempts are refused until then.
    pub locked_until: Option<DateTime<Utc>>,
}

/// Whether an attempt may proceed now; `Err` carries when the lock ends.
pub fn check(state: Option<&ThrottleState>, now: DateTime<Utc>) -> Result<(), DateTime<Utc>> {
    match state.and_then(|s| s.locked_until) {
        Some(until) if until > now => Err(until),
        _ => Ok(()),
    }
}

/// Reserves one attempt at `now`: refused with the lock's end while locked, else the state counting the attempt as a
/// failure until it is known to have succeeded. The reservation that reaches the limit sets the lock, so at most
/// `max_failures` attempts are ever being checked or failed within a window.
pub fn reserve(
    state: Option<ThrottleState>,
    now: DateTime<Utc>,
    policy: ThrottlePolicy,
) -> Result<ThrottleState, DateTime<Utc>> {
    check(state.as_ref(), now)?;
    Ok(record_failure(state, now, policy))
}

/// Gives back a reserved attempt that succeeded: one failure fewer, and no lock if the count is below the limit.
pub fn refund(state: ThrottleState, policy: ThrottlePolicy) -> ThrottleState {
    let failures = state.failures.saturating_sub(1);
    let locked_until = if failures >= policy.max_failures { state.locked_until } else { None };
    ThrottleState { failures, locked_until, ..state }
}

/// The state after one more failure at `now`.
pub fn record_failure(state: Option<ThrottleState>, now: DateTime<Utc>, policy: ThrottlePolicy) -> ThrottleState {
    let fresh = ThrottleState { failures: 0, window_start: now, locked_until: None };
    let mut next = match state {
        Some(s) if now - s.window_start < policy.window && s.locked_until.is_none_or(|u| u > now) => s,
        _ => fresh,
    };
    next.failures += 1;
    if next.failures >= policy.max_failures {
        next.locked_until = Some(now + policy.lockout);
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid") + Duration::minutes(minutes)
    }

    #[test]
    fn locks_after_max_failures_and_unlocks_after_lockout() {
        let policy = ThrottlePolicy::per_account();
        let mut state = None;
        for i in 0..policy.max_failures {
            assert_eq!(check(state.as_ref(), t(0)), Ok(()), "attempt {i} allowed");
            state = Some(record_failure(state, t(0), policy));
        }
        assert_eq!(check(state.as_ref(), t(1)), Err(t(15)));
        assert_eq!(check(state.as_ref(), t(15)), Ok(()));
    }

    #[test]
    fn failures_outside_the_window_are_forgotten() {
        let policy = ThrottlePolicy::per_account();
        let mut state = None;
        for minute in [0, 5, 10, 14] {
            state = Some(record_failure(state, t(minute), policy));
        }
        let later = record_failure(state, t(20), policy);
        assert_eq!(later.failures, 1);
        assert_eq!(later.locked_until, None);
    }

    #[test]
    fn a_failure_after_an_expired_lock_starts_a_new_count() {
        let policy = ThrottlePolicy::per_account();
        let locked = ThrottleState { failures: 5, window_start: t(0), locked_until: Some(t(15)) };
        let after = record_failure(Some(locked), t(16), policy);
        assert_eq!(after.failures, 1);
        assert_eq!(check(Some(&after), t(16)), Ok(()));
    }

    #[test]
    fn reservations_stop_at_the_limit_even_before_any_failure_is_known() {
        let policy = ThrottlePolicy::per_account();
        let mut state = None;
        let mut allowed = 0;
        for _ in 0..20 {
            if let Ok(next) = reserve(state, t(0), policy) {
                allowed += 1;
                state = Some(next);
            }
        }
        assert_eq!(allowed, policy.max_failures);
        assert_eq!(reserve(state, t(1), policy), Err(t(15)), "the right password is refused too until the lock ends");
        assert!(reserve(state, t(15), policy).is_ok());
    }

    #[test]
    fn a_refunded_success_does_not_count_and_lifts_the_lock_it_set() {
        let policy = ThrottlePolicy::per_account();
        let mut state = None;
        for _ in 0..4 {
            state = Some(reserve(state, t(0), policy).expect("below the limit"));
        }
        let fifth = reserve(state, t(0), policy).expect("the fifth attempt is allowed");
        assert_eq!(fifth.locked_until, Some(t(15)), "in flight, it fills the budget");
        let after = refund(fifth, policy);
        assert_eq!(after.failures, 4);
        assert_eq!(after.locked_until, None);
        assert!(reserve(Some(after), t(0), policy).is_ok());
    }

    #[test]
    fn a_refund_keeps_a_lock_earned_by_real_failures() {
        let policy = ThrottlePolicy::per_account();
        let locked = ThrottleState { failures: 6, window_start: t(0), locked_until: Some(t(15)) };
        assert_eq!(refund(locked, policy).locked_until, Some(t(15)));
        let empty = ThrottleState { failures: 0, window_start: t(0), locked_until: None };
        assert_eq!(refund(empty, policy).failures, 0);
    }

    proptest! {
        /// However successes and failures interleave, the count is the failures (and attempts in flight).
        #[test]
        fn count_equals_failures_for_any_mix(outcomes in proptest::collection::vec(any::<bool>(), 0..40)) {
            let policy = ThrottlePolicy::per_address();
            let mut state = None;
            let mut failures = 0;
            for succeeded in outcomes {
                let Ok(reserved) = reserve(state, t(0), policy) else {
                    prop_assert!(failures >= policy.max_failures);
                    continue;
                };
                if succeeded {
                    state = Some(refund(reserved, policy));
                } else {
                    failures += 1;
                    state = Some(reserved);
                }
                prop_assert_eq!(state.map_or(0, |s| s.failures), failures);
            }
        }

        #[test]
        fn never_locks_before_max_failures(gaps in proptest::collection::vec(0i64..30, 0..4)) {
            let policy = ThrottlePolicy::per_account();
            let mut state = None;
            let mut minute = 0;
            for gap in gaps {
                minute += gap;
                state = Some(record_failure(state, t(minute), policy));
                prop_assert_eq!(check(state.as_ref(), t(minute)), Ok(()));
            }
        }
    }
}
