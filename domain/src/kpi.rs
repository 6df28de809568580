//! Partnership KPIs between a sponsor and its CMO, computed from records, never typed in.
//!
//! The server sums records into [`KpiFacts`], one row per month, site and product ([`MonthlyFacts`]); [`series`]
//! regroups those rows into months or quarters for a site or product, and [`value`] turns a bucket's facts into a
//! KPI. Keeping counts until the last step lets any selection be summed exactly, and lets every number be explained
//! by what it is made of ([`basis`]: "37 of 40 dispositioned batches without a deviation").
//!
//! A KPI with nothing to count is `None`, "no data", never 0: a month without deliveries is not a month of late ones.
//! Ratios are fractions from 0 to 1 and shown as percentages. The same code runs in the browser, so it does no I/O
//! and reads no clock; its only floating-point operations are single divisions and sums, which IEEE 754 rounds alike
//! on every platform.

mod facts;
mod period;
mod scorecard;

pub use facts::{DayHistogram, KpiFacts};
pub use period::{Grain, MAX_YEAR, MIN_YEAR, Month, Period, PeriodError};
pub use scorecard::{Rag, ScorecardLine, Threshold, default_thresholds, scorecard};

use crate::ids::{ProductId, SiteId};
use crate::stored_enum::stored_enum;
use serde::{Deserialize, Serialize};

/// What [`format_value`] shows for a KPI without data.
pub const NO_DATA: &str = "no data";

stored_enum!(
    /// A key performance indicator of a partnership.
    KpiKind {
        /// Dispositioned batches without a deviation ÷ dispositioned batches.
        RightFirstTime = "right_first_time", "Right first time";
        /// Released batches ÷ dispositioned batches.
        LotAcceptance = "lot_acceptance", "Lot acceptance";
        /// Deviations opened ÷ batches completed.
        DeviationsPerBatch = "deviations_per_batch", "Deviations per batch";
        /// The median of whole days from opened to closed, over deviations closed.
        MedianDaysToClose = "median_days_to_close", "Median days to close a deviation";
        /// Deviations closed by their due date ÷ deviations closed.
        DeviationsClosedInTime = "deviations_closed_in_time", "Deviations closed in time";
        /// CAPAs closed by their due date ÷ CAPAs due.
        CapaOnTime = "capa_on_time", "CAPAs closed on time";
        /// Deliveries on time and in full ÷ deliveries promised.
        OnTimeInFull = "on_time_in_full", "On time in full";
        /// The mean of actual ÷ theoretical yield over batches with yield data.
        MeanYield = "mean_yield", "Mean yield";
        /// Stages whose gate passed by their planned end ÷ stages whose gate passed.
        ScheduleAdherence = "schedule_adherence", "Schedule adherence";
    }
);

stored_enum!(
    /// Which way a KPI improves.
    Direction {
        /// More is better, e.g. right first time.
        HigherIsBetter = "higher_is_better", "Higher is better";
        /// Less is better, e.g. deviations per batch.
        LowerIsBetter = "lower_is_better", "Lower is better";
    }
);

stored_enum!(
    /// What a KPI's number measures, which decides how it is shown and which targets make sense.
    KpiUnit {
        /// A fraction shown as a percentage.
        Percent = "percent", "Percent";
        /// A count per batch.
        PerBatch = "per_batch", "Per batch";
        /// A number of days.
        Days = "days", "Days";
    }
);

impl KpiKind {
    /// Which way it improves.
    pub fn direction(self) -> Direction {
        match self {
            KpiKind::DeviationsPerBatch | KpiKind::MedianDaysToClose => Direction::LowerIsBetter,
            _ => Direction::HigherIsBetter,
        }
    }

    /// What its number measures.
    pub fn unit(self) -> KpiUnit {
        match self {
            KpiKind::DeviationsPerBatch => KpiUnit::PerBatch,
            KpiKind::MedianDaysToClose => KpiUnit::Days,
            _ => KpiUnit::Percent,
        }
    }
}

/// The KPI of a bucket's facts; `None` when there is nothing to count (or the facts hold a non-finite yield).
pub fn value(kind: KpiKind, facts: &KpiFacts) -> Option<f64> {
    let f = facts;
    let value = match kind {
        KpiKind::RightFirstTime => ratio(f.dispositioned_without_deviation, f.dispositioned),
        // Released ÷ dispositioned rather than 1 − rejected ÷ dispositioned: one rounding instead of two, so that
        // 49 of 50 is exactly the same number as a target written 0.98.
        KpiKind::LotAcceptance => (f.dispositioned > 0)
            .then(|| (f64::from(f.dispositioned) - f64::from(f.rejected)) / f64::from(f.dispositioned)),
        KpiKind::DeviationsPerBatch => ratio(f.deviations_opened, f.batches_completed),
        KpiKind::MedianDaysToClose => f.close_days.median(),
        KpiKind::DeviationsClosedInTime => ratio(f.deviations_closed_in_time, f.deviations_closed),
        KpiKind::CapaOnTime => ratio(f.capas_closed_on_time, f.capas_due),
        KpiKind::OnTimeInFull => ratio(f.deliveries_on_time_in_full, f.deliveries),
        KpiKind::MeanYield => (f.yield_batches > 0).then(|| f.yield_sum / f64::from(f.yield_batches)),
        KpiKind::ScheduleAdherence => ratio(f.stages_closed_on_time, f.stages_closed),
    };
    value.filter(|value| value.is_finite())
}

fn ratio(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

/// A KPI's value as shown: "92.3 %", "0.12" per batch, "21.5 days", or "no data".
pub fn format_value(kind: KpiKind, value: Option<f64>) -> String {
    match value.filter(|value| value.is_finite()) {
        None => NO_DATA.to_owned(),
        Some(value) => match kind.unit() {
            KpiUnit::Percent => format!("{:.1} %", value * 100.0),
            KpiUnit::PerBatch => format!("{value:.2}"),
            KpiUnit::Days => format!("{value:.1} days"),
        },
    }
}

/// What a KPI's value is made of, e.g. "37 of 40 dispositioned batches without a deviation", so that a user can
/// tell 100 % of one batch from 100 % of two hundred.
pub fn basis(kind: KpiKind, facts: &KpiFacts) -> String {
    let f = facts;
    match kind {
        KpiKind::RightFirstTime => part_of(
            f.dispositioned_without_deviation,
            f.dispositioned,
            ("dispositioned batch", "dispositioned batches"),
            "without a deviation",
        ),
        KpiKind::LotAcceptance => part_of(
            f.dispositioned.saturating_sub(f.rejected),
            f.dispositioned,
            ("dispositioned batch", "dispositioned batches"),
            "released",
        ),
        KpiKind::DeviationsPerBatch => {
            let opened = count(f.deviations_opened, ("deviation", "deviations"));
            if f.batches_completed == 0 {
                format!("No completed batches; {opened} opened")
            } else {
                format!("{opened} opened over {}", count(f.batches_completed, ("completed batch", "completed batches")))
            }
        }
        KpiKind::MedianDaysToClose => match f.close_days.total() {
            0 => "No closed deviations".to_owned(),
            1 => "1 closed deviation".to_owned(),
            total => format!("Median of {total} closed deviations"),
        },
        KpiKind::DeviationsClosedInTime => part_of(
            f.deviations_closed_in_time,
            f.deviations_closed,
            ("closed deviation", "closed deviations"),
            "by the due date",
        ),
        KpiKind::CapaOnTime => {
            part_of(f.capas_closed_on_time, f.capas_due, ("CAPA due", "CAPAs due"), "closed on time")
        }
        KpiKind::OnTimeInFull => {
            part_of(f.deliveries_on_time_in_full, f.deliveries, ("delivery", "deliveries"), "on time in full")
        }
        KpiKind::MeanYield => match f.yield_batches {
            0 => "No batches with yield data".to_owned(),
            n => format!("Mean of {} with yield data", count(n, ("batch", "batches"))),
        },
        KpiKind::ScheduleAdherence => part_of(
            f.stages_closed_on_time,
            f.stages_closed,
            ("completed stage", "completed stages"),
            "by the planned end",
        ),
    }
}

/// "3 of 4 nouns what", or "No nouns".
fn part_of(part: u32, whole: u32, (one, many): (&str, &str), what: &str) -> String {
    match whole {
        0 => format!("No {many}"),
        1 => format!("{part} of 1 {one} {what}"),
        _ => format!("{part} of {whole} {many} {what}"),
    }
}

fn count(n: u32, (one, many): (&str, &str)) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The facts of one month at one site for one product, as the server sums them from records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthlyFacts {
    /// The calendar month.
    pub month: Month,
    /// The manufacturing site.
    pub site: SiteId,
    /// The product.
    pub product: ProductId,
    /// The counts.
    pub facts: KpiFacts,
}

/// Which rows a series sums: one site, one product, both, or all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filter {
    /// Only this site; every site when absent.
    #[serde(default)]
    pub site: Option<SiteId>,
    /// Only this product; every product when absent.
    #[serde(default)]
    pub product: Option<ProductId>,
}

impl Filter {
    /// Whether the row is selected.
    pub fn matches(&self, row: &MonthlyFacts) -> bool {
        self.site.is_none_or(|site| site == row.site) && self.product.is_none_or(|product| product == row.product)
    }
}

/// The facts of every period of `grain` from the one holding `from` to the one holding `to`, in order, each summing
/// the rows `filter` selects. Periods are whole: a quarter counts all three of its months even when `from` or `to`
/// falls inside it, so that no bucket labelled "Q1" holds part of Q1. Periods without rows are present with empty
/// facts, so a chart shows the gap as "no data"; `from` after `to` gives no periods.
pub fn series(rows: &[MonthlyFacts], filter: Filter, grain: Grain, from: Month, to: Month) -> Vec<(Period, KpiFacts)> {
    if from > to {
        return Vec::new();
    }
    // Consecutive periods have consecutive ordinals: the number of periods, and each row's bucket, are subtractions.
    let first = Period::of(from, grain);
    let origin = first.ordinal();
    let count = usize::try_from(Period::of(to, grain).ordinal() - origin + 1).unwrap_or(0);
    let mut buckets: Vec<(Period, KpiFacts)> = std::iter::successors(Some(first), |period| period.next())
        .take(count)
        .map(|period| (period, KpiFacts::default()))
        .collect();
    for row in rows.iter().filter(|row| filter.matches(row)) {
        let position = usize::try_from(Period::of(row.month, grain).ordinal() - origin).ok();
        if let Some((_, facts)) = position.and_then(|position| buckets.get_mut(position)) {
            *facts += &row.facts;
        }
    }
    buckets
}

#[cfg(test)]
mod tests;
