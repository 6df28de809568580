//! The counts KPIs are computed from. Every field is a sum over records, so the facts of two months, sites or
//! products add up to the facts of both; ratios and medians are taken only at the end, on the sums (a mean of
//! monthly percentages would weigh a month of two batches like a month of two hundred).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::{Add, AddAssign};

/// How many deviations took how many whole days from opened to closed: `{days: count}`. A median cannot be added up
/// from medians, but histograms add.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct DayHistogram(BTreeMap<u32, u32>);

impl DayHistogram {
    /// Counts `count` more deviations that took `days` days to close.
    pub fn record(&mut self, days: u32, count: u32) {
        // A zero entry would make two histograms of the same deviations unequal.
        if count > 0 {
            let entry = self.0.entry(days).or_default();
            *entry = entry.saturating_add(count);
        }
    }

    /// How many deviations it counts.
    pub fn total(&self) -> u64 {
        self.0.values().map(|&count| u64::from(count)).sum()
    }

    /// Each number of days with its count, fewest days first.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.0.iter().map(|(&days, &count)| (days, count))
    }

    /// The median number of days, the mean of the two middle ones for an even count; `None` when empty.
    pub fn median(&self) -> Option<f64> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let lower = self.nth((total - 1) / 2)?;
        let upper = self.nth(total / 2)?;
        Some((f64::from(lower) + f64::from(upper)) / 2.0)
    }

    /// The days of the deviation at `rank` (from 0) when all are sorted by days.
    fn nth(&self, rank: u64) -> Option<u32> {
        let mut counted = 0u64;
        self.iter().find_map(|(days, count)| {
            counted += u64::from(count);
            (rank < counted).then_some(days)
        })
    }
}

impl FromIterator<(u32, u32)> for DayHistogram {
    fn from_iter<I: IntoIterator<Item = (u32, u32)>>(pairs: I) -> Self {
        let mut histogram = DayHistogram::default();
        for (days, count) in pairs {
            histogram.record(days, count);
        }
        histogram
    }
}

impl AddAssign<&DayHistogram> for DayHistogram {
    fn add_assign(&mut self, other: &DayHistogram) {
        for (days, count) in other.iter() {
            self.record(days, count);
        }
    }
}

/// Additive counts for one bucket (a month, site and product, or any sum of such buckets).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KpiFacts {
    /// Batches released or rejected, counted in the period of their disposition.
    pub dispositioned: u32,
    /// Of those, rejected.
    pub rejected: u32,
    /// Of those dispositioned, batches with no deviation raised against them.
    pub dispositioned_without_deviation: u32,
    /// Batches whose actual end falls in the period.
    pub batches_completed: u32,
    /// Deviations raised in the period.
    pub deviations_opened: u32,
    /// Deviations closed in the period.
    pub deviations_closed: u32,
    /// Of those, closed on or before their due date.
    pub deviations_closed_in_time: u32,
    /// Whole days from opened to closed of the deviations closed in the period.
    pub close_days: DayHistogram,
    /// CAPAs due in the period that are closed or already past due (one due later this month is not yet late).
    pub capas_due: u32,
    /// Of those, closed on or before their due date.
    pub capas_closed_on_time: u32,
    /// Deliveries promised in the period.
    pub deliveries: u32,
    /// Of those, delivered on time and in full.
    pub deliveries_on_time_in_full: u32,
    /// Batches completed in the period that have a theoretical and an actual yield.
    pub yield_batches: u32,
    /// The sum over those batches of actual ÷ theoretical yield.
    pub yield_sum: f64,
    /// Transfer stages whose gate passed in the period.
    pub stages_closed: u32,
    /// Of those, passed on or before their planned end.
    pub stages_closed_on_time: u32,
}

impl KpiFacts {
    /// Every part that exceeds its whole, or other sign of a defect in whatever summed the records; none for facts
    /// that came from records.
    pub fn inconsistencies(&self) -> Vec<&'static str> {
        let parts = [
            (self.rejected, self.dispositioned, "More batches rejected than dispositioned."),
            (
                self.dispositioned_without_deviation,
                self.dispositioned,
                "More batches without deviation than dispositioned.",
            ),
            (self.deviations_closed_in_time, self.deviations_closed, "More deviations closed in time than closed."),
            (self.capas_closed_on_time, self.capas_due, "More CAPAs closed on time than due."),
            (self.deliveries_on_time_in_full, self.deliveries, "More deliveries on time in full than deliveries."),
            (self.stages_closed_on_time, self.stages_closed, "More stages closed on time than closed."),
        ];
        let mut problems: Vec<&'static str> =
            parts.into_iter().filter(|(part, whole, _)| part > whole).map(|(_, _, problem)| problem).collect();
        if self.close_days.total() != u64::from(self.deviations_closed) {
            problems.push("The days-to-close histogram does not count every closed deviation.");
        }
        if !self.yield_sum.is_finite() || self.yield_sum < 0.0 || (self.yield_batches == 0 && self.yield_sum != 0.0) {
            problems.push("The yield sum is negative, not a number, or has no batches.");
        }
        problems
    }
}

impl AddAssign<&KpiFacts> for KpiFacts {
    fn add_assign(&mut self, other: &KpiFacts) {
        // Destructured so that a field added later cannot be left out of the sum.
        let KpiFacts {
            dispositioned,
            rejected,
            dispositioned_without_deviation,
            batches_completed,
            deviations_opened,
            deviations_closed,
            deviations_closed_in_time,
            close_days,
            capas_due,
            capas_closed_on_time,
            deliveries,
            deliveries_on_time_in_full,
            yield_batches,
            yield_sum,
            stages_closed,
            stages_closed_on_time,
        } = other;
        // Saturating: four billion batches do not happen, and a panic would take the browser's page down with it.
        for (sum, add) in [
            (&mut self.dispositioned, dispositioned),
            (&mut self.rejected, rejected),
            (&mut self.dispositioned_without_deviation, dispositioned_without_deviation),
            (&mut self.batches_completed, batches_completed),
            (&mut self.deviations_opened, deviations_opened),
            (&mut self.deviations_closed, deviations_closed),
            (&mut self.deviations_closed_in_time, deviations_closed_in_time),
            (&mut self.capas_due, capas_due),
            (&mut self.capas_closed_on_time, capas_closed_on_time),
            (&mut self.deliveries, deliveries),
            (&mut self.deliveries_on_time_in_full, deliveries_on_time_in_full),
            (&mut self.yield_batches, yield_batches),
            (&mut self.stages_closed, stages_closed),
            (&mut self.stages_closed_on_time, stages_closed_on_time),
        ] {
            *sum = sum.saturating_add(*add);
        }
        self.close_days += close_days;
        self.yield_sum += yield_sum;
    }
}

impl AddAssign for KpiFacts {
    fn add_assign(&mut self, other: KpiFacts) {
        *self += &other;
    }
}

impl Add<&KpiFacts> for KpiFacts {
    type Output = KpiFacts;
    fn add(mut self, other: &KpiFacts) -> KpiFacts {
        self += other;
        self
    }
}

impl Add for KpiFacts {
    type Output = KpiFacts;
    fn add(self, other: KpiFacts) -> KpiFacts {
        self + &other
    }
}

impl<'a> std::iter::Sum<&'a KpiFacts> for KpiFacts {
    fn sum<I: Iterator<Item = &'a KpiFacts>>(facts: I) -> KpiFacts {
        facts.fold(KpiFacts::default(), |sum, facts| sum + facts)
    }
}
