//! The few distributions the history needs, over one seeded generator, so that a given seed and clock always give
//! the same history (demo links and screenshots stay stable).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// A seeded source of random choices.
pub struct Dice(StdRng);

impl Dice {
    /// A generator that always yields the same sequence for `seed`.
    pub fn new(seed: u64) -> Dice {
        Dice(StdRng::seed_from_u64(seed))
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.0.random::<f64>() < p
    }

    /// Uniform in `[low, high)`.
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.0.random::<f64>()
    }

    /// A whole number in `[low, high]`.
    pub fn int(&mut self, low: i64, high: i64) -> i64 {
        if high <= low { low } else { self.0.random_range(low..=high) }
    }

    /// Normally distributed (Box–Muller: two uniforms, one normal; the other is dropped for simplicity).
    pub fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let u1 = 1.0 - self.0.random::<f64>();
        let u2 = self.0.random::<f64>();
        mean + sd * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Exponentially distributed with this mean: how long past a deadline late things run.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.0.random::<f64>()).ln()
    }

    /// A count from 0 with this mean, geometrically distributed: most batches with trouble have a little, a few a
    /// lot.
    pub fn geometric(&mut self, mean: f64) -> u32 {
        if mean <= 0.0 {
            return 0;
        }
        let failure = mean / (1.0 + mean);
        let u = 1.0 - self.0.random::<f64>();
        (u.ln() / failure.ln()).floor().min(1000.0) as u32
    }

    /// One of `items`, each as likely.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.0.random_range(0..items.len())]
    }

    /// An index into `weights`, chosen in proportion to them.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut target = self.uniform(0.0, total);
        for (i, w) in weights.iter().enumerate() {
            if target < *w {
                return i;
            }
            target -= w;
        }
        weights.len() - 1
    }

    /// A version-4 UUID from the generator (not the OS), so ids repeat with the seed.
    pub fn uuid(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(self.0.random()).into_uuid()
    }

    /// A moment on `day` between `from_hour` and `to_hour` (UTC), to the second.
    pub fn time_on(&mut self, day: NaiveDate, from_hour: i64, to_hour: i64) -> DateTime<Utc> {
        let seconds = self.int(from_hour * 3600, to_hour * 3600 - 1);
        day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() + Duration::seconds(seconds)
    }

    /// A moment `low..high` hours after `start`.
    pub fn hours_after(&mut self, start: DateTime<Utc>, low: f64, high: f64) -> DateTime<Utc> {
        start + Duration::seconds((self.uniform(low, high) * 3600.0) as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_draws() {
        let (mut a, mut b) = (Dice::new(7), Dice::new(7));
        for _ in 0..100 {
            assert_eq!(a.uuid(), b.uuid());
            assert_eq!(a.int(0, 9), b.int(0, 9));
        }
    }

    #[test]
    fn distributions_have_their_means() {
        let mut dice = Dice::new(1);
        let n = 20_000;
        let mean = |f: &mut dyn FnMut() -> f64| (0..n).map(|_| f()).sum::<f64>() / f64::from(n);
        assert!((mean(&mut || dice.normal(5.0, 2.0)) - 5.0).abs() < 0.1);
        assert!((mean(&mut || dice.exponential(10.0)) - 10.0).abs() < 0.5);
        assert!((mean(&mut || f64::from(dice.geometric(3.0))) - 3.0).abs() < 0.2);
        assert!((mean(&mut || f64::from(u8::from(dice.chance(0.25)))) - 0.25).abs() < 0.02);
        let picks = (0..n).filter(|_| dice.weighted(&[1.0, 3.0]) == 1).count();
        assert!((picks as f64 / f64::from(n) - 0.75).abs() < 0.02);
    }
}
