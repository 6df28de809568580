//! Summary statistics of laboratory results, in decimal arithmetic only.
//!
//! The browser shows a verdict before the server records it; both must reach the same digits. Floating-point square
//! roots may differ between platforms and libraries, so the square root here is Newton's iteration on decimals, whose
//! every step is integer arithmetic inside `rust_decimal` and therefore identical on wasm32 and native targets.
//! Results are full-precision (about 28 digits internally) and brought within the decimal limits (20 significant
//! digits, 20 places, halves away from zero); rounding for display or for comparison with a limit is the caller's.

use crate::decimal::Decimal;
use rust_decimal::Decimal as Raw;

/// Newton steps allowed; from a start of max(x, 1) the largest decimal needs about 100, after which it has converged.
const MAX_NEWTON_STEPS: usize = 200;

/// The arithmetic mean; `None` for no values or a sum too large for decimal arithmetic.
pub fn mean(values: &[Decimal]) -> Option<Decimal> {
    raw_mean(values).and_then(Decimal::fit)
}

/// The sample standard deviation (divisor n − 1); `None` for fewer than two values.
pub fn sample_sd(values: &[Decimal]) -> Option<Decimal> {
    raw_sample_sd(values).and_then(Decimal::fit)
}

/// The relative standard deviation, 100 × sample SD ÷ |mean|, in percent; `None` for fewer than two values, a mean
/// of zero or an overflow.
pub fn rsd_percent(values: &[Decimal]) -> Option<Decimal> {
    let mean = raw_mean(values)?;
    let sd = raw_sample_sd(values)?;
    sd.checked_mul(Raw::ONE_HUNDRED)?.checked_div(mean.abs()).and_then(Decimal::fit)
}

/// The square root, deterministic to about 20 significant digits; `None` for a negative number.
pub fn sqrt(value: Decimal) -> Option<Decimal> {
    raw_sqrt(value.raw()).and_then(Decimal::fit).map(Decimal::normalized)
}

pub(crate) fn raw_mean(values: &[Decimal]) -> Option<Raw> {
    if values.is_empty() {
        return None;
    }
    let sum = values.iter().try_fold(Raw::ZERO, |sum, value| sum.checked_add(value.raw()))?;
    sum.checked_div(Raw::from(values.len()))
}

pub(crate) fn raw_sample_sd(values: &[Decimal]) -> Option<Raw> {
    if values.len() < 2 {
        return None;
    }
    let mean = raw_mean(values)?;
    let deviations = values.iter().map(|value| value.raw().checked_sub(mean)).collect::<Option<Vec<_>>>()?;
    // Squaring deviations of 10¹⁵ would overflow; scaled by the largest they are at most 1, so any input fits.
    let largest = deviations.iter().map(Raw::abs).max().unwrap_or(Raw::ZERO);
    if largest.is_zero() {
        return Some(Raw::ZERO);
    }
    let squares = deviations.iter().try_fold(Raw::ZERO, |sum, deviation| {
        let scaled = deviation.checked_div(largest)?;
        sum.checked_add(scaled.checked_mul(scaled)?)
    })?;
    raw_sqrt(squares.checked_div(Raw::from(values.len() - 1))?)?.checked_mul(largest)
}

/// Newton's iteration y ← (y + x/y) / 2 from above: it decreases towards √x, and stops when rounding keeps it from
/// decreasing any further, so the steps and their result depend on nothing but `x`.
fn raw_sqrt(x: Raw) -> Option<Raw> {
    if x.is_sign_negative() && !x.is_zero() {
        return None;
    }
    if x.is_zero() {
        return Some(Raw::ZERO);
    }
    let two = Raw::TWO;
    let mut y = x.max(Raw::ONE);
    for _ in 0..MAX_NEWTON_STEPS {
        let next = y.checked_add(x.checked_div(y)?)?.checked_div(two)?;
        if next >= y {
            break;
        }
        y = next;
    }
    Some(y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).expect(text)
    }

    fn ds(texts: &[&str]) -> Vec<Decimal> {
        texts.iter().map(|t| d(t)).collect()
    }

    #[test]
    fn hand_computed_example() {
        // Deviations −0.2, +0.2, 0: squares sum to 0.08, ÷ 2 = 0.04, √ = 0.2; 0.2 ÷ 100.0 = 0.2 %.
        let results = ds(&["99.8", "100.2", "100.0"]);
        assert_eq!(mean(&results), Some(d("100")));
        assert_eq!(sample_sd(&results), Some(d("0.2")));
        assert_eq!(rsd_percent(&results), Some(d("0.2")));
        // Mean 99.4; squares 0.09 + 0.01 + 0.04 = 0.14, ÷ 2 = 0.07, √0.07 = 0.26457513110645905905…
        let results = ds(&["99.1", "99.5", "99.6"]);
        assert_eq!(mean(&results), Some(d("99.4")));
        assert_eq!(sample_sd(&results).map(|sd| sd.round_dp(12)), Some(d("0.264575131106")));
        assert_eq!(rsd_percent(&results).map(|rsd| rsd.round_dp(6)), Some(d("0.266172")));
    }

    #[test]
    fn too_few_values_give_nothing() {
        assert_eq!(mean(&[]), None);
        assert_eq!(sample_sd(&ds(&["1"])), None);
        assert_eq!(rsd_percent(&ds(&["0", "0"])), None);
        assert_eq!(sample_sd(&ds(&["5", "5"])), Some(Decimal::ZERO));
    }

    #[test]
    fn square_roots_of_squares_are_exact() {
        for (square, root) in [("0.04", "0.2"), ("2", "1.4142135623730950488"), ("144", "12"), ("0", "0")] {
            assert_eq!(sqrt(d(square)).map(|r| r.to_string()).as_deref(), Some(root), "{square}");
        }
        assert_eq!(sqrt(d("0.00000000000000000001")), Some(d("0.0000000001")));
        assert_eq!(sqrt(d("-1")), None);
        // √(10²⁰ − 1) = 9999999999.99999999995: its 21st digit rounds it up to 10¹⁰.
        assert_eq!(sqrt(d("99999999999999999999")), Some(d("10000000000")));
    }

    fn decimal() -> impl Strategy<Value = Decimal> {
        (-10_i64.pow(15)..10_i64.pow(15), 0..=8_u32)
            .prop_map(|(m, places)| d(&rust_decimal::Decimal::new(m, places).to_string()))
    }

    proptest! {
        #[test]
        fn square_roots_square_back(x in decimal()) {
            let x = x.abs();
            let root = sqrt(x).expect("not negative").raw();
            let error = (root * root - x.raw()).abs();
            // 20 significant digits of the root: relative error of the square below 2·10⁻¹⁹, plus the last place.
            let tolerance = x.raw() * Raw::new(2, 19) + Raw::new(3, 20);
            prop_assert!(error <= tolerance, "√{x} = {root}: off by {error}");
        }

        #[test]
        fn mean_lies_between_extremes_and_sd_ignores_a_shift(
            values in proptest::collection::vec(decimal(), 2..20),
            shift in (-10_i64.pow(8)..10_i64.pow(8)).prop_map(|m| Decimal::fit(Raw::new(m, 2)).expect("small")),
        ) {
            let (low, high) = (values.iter().min().copied(), values.iter().max().copied());
            let m = mean(&values).expect("values");
            prop_assert!(low <= Some(m) && Some(m) <= high);
            let shifted: Vec<_> = values.iter().map(|v| Decimal::fit(v.raw() + shift.raw()).expect("small")).collect();
            let sd = sample_sd(&values).expect("two").raw();
            let moved = sample_sd(&shifted).expect("two").raw();
            // Equal up to the 20 significant digits kept, and to the rounding of the shifted mean.
            let tolerance = sd * Raw::new(1, 15) + Raw::new(1, 9);
            prop_assert!((sd - moved).abs() <= tolerance, "{sd} against {moved}");
            prop_assert!(sd >= Raw::ZERO);
        }
    }
}
