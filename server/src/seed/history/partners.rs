//! How each CMO performs, as rates the generator draws from: Norvia clearly the best, Castellan the weakest (with one
//! bad quarter two years ago), Kestrel in between and improving year on year. The rates are chosen so that ten years
//! give about 50,000 batches, 100,000 deviations, 20,000 CAPAs and 60,000 deliveries across the three.

use super::products::Product;
use super::{KESTREL, KESTREL_LEEDS, KESTREL_PARTNERSHIP, KESTREL_WREXHAM};
use crate::seed::{CASTELLAN, CASTELLAN_MONZA, CASTELLAN_PARTNERSHIP, NORVIA, NORVIA_GHENT, NORVIA_PARTNERSHIP};
use baton_domain::ids::{OrgId, PartnershipId, SiteId};
use chrono::{Datelike, NaiveDate};

/// A product made at a site, and its share of the CMO's batches and deliveries.
#[derive(Clone, Copy, Debug)]
pub struct Line {
    /// The CMO's site.
    pub site: SiteId,
    /// Helix's product.
    pub product: Product,
    /// Share of the CMO's batches and deliveries.
    pub share: f64,
}

/// A CMO's performance. Probabilities are per batch, deviation, CAPA or delivery, before stress.
#[derive(Clone, Debug)]
pub struct Partner {
    /// The CMO.
    pub org: OrgId,
    /// Its name.
    pub name: &'static str,
    /// Its partnership with Helix.
    pub partnership: PartnershipId,
    /// Its position among the demo organisations (for its users' fixed ids).
    pub org_index: usize,
    /// Prefix of its order references, e.g. "NOR".
    pub code: &'static str,
    /// Seed of its own random stream, so one CMO's history does not depend on another's.
    pub seed: u64,
    /// What it makes where.
    pub lines: &'static [Line],
    /// Batches started a year.
    pub batches_per_year: f64,
    /// Deliveries promised a year.
    pub deliveries_per_year: f64,
    /// Deviations a year not raised on a batch (environment, utilities, documentation).
    pub standalone_per_year: f64,
    /// Chance a batch starts late.
    pub late_start: f64,
    /// Chance a batch runs over its planned duration.
    pub overrun: f64,
    /// Chance a finished batch has a result out of specification (and is then rejected).
    pub oos: f64,
    /// Chance a batch is rejected for a critical deviation on it.
    pub rejection: f64,
    /// Chance a batch has deviations of its own (the complement of right first time, roughly).
    pub troubled: f64,
    /// Mean deviations on such a batch.
    pub per_troubled: f64,
    /// Weights of minor, major and critical deviations.
    pub severity: [f64; 3],
    /// Chance a deviation closes after its due date.
    pub late_deviation: f64,
    /// Chance a CAPA closes after its due date.
    pub late_capa: f64,
    /// Chance a delivery is on time and in full.
    pub otif: f64,
    /// Mean actual ÷ theoretical yield.
    pub yield_mean: f64,
    /// Its spread.
    pub yield_sd: f64,
    /// Stress at the start and at the end of the history (1 = the rates as given): a trend.
    pub trend: (f64, f64),
    /// Whether it had a bad quarter: Q3 two years before now.
    pub bad_quarter: bool,
}

const NORVIA_LINES: [Line; 2] = [
    Line { site: NORVIA_GHENT, product: Product::VelarimabDs, share: 0.65 },
    Line { site: NORVIA_GHENT, product: Product::VelarimabDp, share: 0.35 },
];
const CASTELLAN_LINES: [Line; 1] = [Line { site: CASTELLAN_MONZA, product: Product::Corvastatin, share: 1.0 }];
const KESTREL_LINES: [Line; 2] = [
    Line { site: KESTREL_LEEDS, product: Product::VelarimabDp, share: 0.45 },
    Line { site: KESTREL_WREXHAM, product: Product::Corvastatin, share: 0.55 },
];

/// The three CMOs, best first.
pub fn partners() -> [Partner; 3] {
    [
        Partner {
            org: NORVIA,
            name: "Norvia CDMO",
            partnership: NORVIA_PARTNERSHIP,
            org_index: 1,
            code: "NOR",
            seed: 0x4e4f_5256_4941,
            lines: &NORVIA_LINES,
            batches_per_year: 1_300.0,
            deliveries_per_year: 1_700.0,
            standalone_per_year: 280.0,
            late_start: 0.08,
            overrun: 0.10,
            oos: 0.006,
            rejection: 0.006,
            troubled: 0.20,
            per_troubled: 5.0,
            severity: [0.77, 0.21, 0.02],
            late_deviation: 0.06,
            late_capa: 0.08,
            otif: 0.965,
            yield_mean: 0.968,
            yield_sd: 0.011,
            trend: (1.0, 1.0),
            bad_quarter: false,
        },
        Partner {
            org: KESTREL,
            name: super::KESTREL_NAME,
            partnership: KESTREL_PARTNERSHIP,
            org_index: 3,
            code: "KES",
            seed: 0x4b45_5354_5245,
            lines: &KESTREL_LINES,
            batches_per_year: 1_600.0,
            deliveries_per_year: 2_000.0,
            standalone_per_year: 420.0,
            late_start: 0.15,
            overrun: 0.18,
            oos: 0.014,
            rejection: 0.014,
            troubled: 0.29,
            per_troubled: 5.0,
            severity: [0.73, 0.23, 0.04],
            late_deviation: 0.13,
            late_capa: 0.15,
            otif: 0.915,
            yield_mean: 0.955,
            yield_sd: 0.016,
            trend: (1.6, 0.6),
            bad_quarter: false,
        },
        Partner {
            org: CASTELLAN,
            name: "Castellan Pharma Services",
            partnership: CASTELLAN_PARTNERSHIP,
            org_index: 2,
            code: "CAS",
            seed: 0x4341_5354_454c,
            lines: &CASTELLAN_LINES,
            batches_per_year: 2_100.0,
            deliveries_per_year: 2_300.0,
            standalone_per_year: 600.0,
            late_start: 0.22,
            overrun: 0.25,
            oos: 0.022,
            rejection: 0.022,
            troubled: 0.37,
            per_troubled: 5.5,
            severity: [0.70, 0.25, 0.05],
            late_deviation: 0.19,
            late_capa: 0.22,
            otif: 0.875,
            yield_mean: 0.946,
            yield_sd: 0.019,
            trend: (1.0, 1.0),
            bad_quarter: true,
        },
    ]
}

/// The months the history covers: `years` years ending with the current month, up to `today`.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    /// First day of the first month.
    pub start: NaiveDate,
    /// Last day of the current month (batches and deliveries may be planned up to it).
    pub end: NaiveDate,
    /// Today, by the server clock: nothing after it has happened.
    pub today: NaiveDate,
}

impl Window {
    /// `years` years ending with the month of `today`.
    pub fn ending(today: NaiveDate, years: u32) -> Window {
        let first_of_month = today.with_day(1).unwrap_or(today);
        let start = first_of_month - chrono::Months::new(years * 12 - 1);
        let end = (first_of_month + chrono::Months::new(1)).pred_opt().unwrap_or(today);
        Window { start, end, today }
    }

    /// Days from start to end.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    /// The bad quarter, Q3 of two years before now: its first and last day.
    pub fn bad_quarter(&self) -> (NaiveDate, NaiveDate) {
        let year = self.today.year() - 2;
        let day = |m, d| NaiveDate::from_ymd_opt(year, m, d).unwrap_or(self.today);
        (day(7, 1), day(9, 30))
    }
}

impl Partner {
    /// How much worse than its rates the CMO does on `day`: its trend, times three in its bad quarter.
    pub fn stress(&self, window: &Window, day: NaiveDate) -> f64 {
        let progress = ((day - window.start).num_days() as f64 / window.days().max(1) as f64).clamp(0.0, 1.0);
        let trend = self.trend.0 + (self.trend.1 - self.trend.0) * progress;
        let (first, last) = window.bad_quarter();
        let quarter = if self.bad_quarter && (first..=last).contains(&day) { 3.0 } else { 1.0 };
        trend * quarter
    }
}

/// The probability `p` under `stress`: the chance of at least one failure in `stress` independent tries, so that
/// stress 1 leaves it unchanged and no stress takes it past 1.
pub fn worse(p: f64, stress: f64) -> f64 {
    1.0 - (1.0 - p).powf(stress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_ends_with_the_current_month() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
        let window = Window::ending(today, 10);
        assert_eq!(window.start, NaiveDate::from_ymd_opt(2016, 12, 1).expect("date"));
        assert_eq!(window.end, NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"));
        let one = Window::ending(today, 1);
        assert_eq!(one.start, NaiveDate::from_ymd_opt(2025, 12, 1).expect("date"));
        assert_eq!(window.bad_quarter().0, NaiveDate::from_ymd_opt(2024, 7, 1).expect("date"));
    }

    #[test]
    fn stress_worsens_probabilities_within_bounds() {
        assert!((worse(0.1, 1.0) - 0.1).abs() < 1e-12);
        assert!(worse(0.1, 3.0) > 0.25 && worse(0.9, 3.0) < 1.0);
        assert!(worse(0.1, 0.5) < 0.1);
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
        let window = Window::ending(today, 10);
        let [norvia, kestrel, castellan] = partners();
        let bad = NaiveDate::from_ymd_opt(2024, 8, 15).expect("date");
        assert!((castellan.stress(&window, bad) - 3.0).abs() < 1e-9);
        assert!((norvia.stress(&window, bad) - 1.0).abs() < 1e-9);
        assert!(kestrel.stress(&window, window.start) > kestrel.stress(&window, today), "Kestrel improves");
    }
}
