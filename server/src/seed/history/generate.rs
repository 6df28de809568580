//! One CMO's history, drawn in memory: batches in date order with their results and the deviations raised on them,
//! then the deviations raised on no batch, the CAPAs answering them, and the deliveries.
//!
//! Everything is decided from the server clock's `now`: what happened after it has not happened yet, so recent
//! batches are still running or awaiting disposition and recent deviations and CAPAs are still open. The shared
//! crate computes every cached value (yield ratio, out of specification, due date, on time in full).

use super::deviations::Text;
use super::partners::{Line, Partner, Window, worse};
use super::products::{Product, decimal, result};
use super::random::Dice;
use super::texts;
use crate::seed::HELIX;
use crate::store::history::{BatchRow, CapaLinkRow, CapaRow, DeliveryRow, DeviationRow, ResultRow};
use baton_domain::batch::{BatchType, Disposition, yield_ratio};
use baton_domain::deviation::{Classification, RootCause};
use baton_domain::ids::{BatchId, BatchResultId};
use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Utc};
use std::collections::HashMap;

/// The seed every CMO's stream starts from (mixed with the CMO's own).
const SEED: u64 = 0xBA70_2026;

/// A CMO's history, ready to insert.
#[derive(Debug, Default)]
pub struct History {
    /// Batches.
    pub batches: Vec<BatchRow>,
    /// Their results.
    pub results: Vec<ResultRow>,
    /// Deviations, by opening time.
    pub deviations: Vec<DeviationRow>,
    /// CAPAs, by opening time.
    pub capas: Vec<CapaRow>,
    /// CAPA–deviation links.
    pub links: Vec<CapaLinkRow>,
    /// Deliveries, by promised date.
    pub deliveries: Vec<DeliveryRow>,
}

/// The state of one CMO's generation.
pub(super) struct Generator<'a> {
    /// The CMO and its rates.
    pub partner: &'a Partner,
    /// The months covered.
    pub window: Window,
    /// The server clock: nothing after it has happened.
    pub now: DateTime<Utc>,
    /// The CMO's random stream.
    pub dice: Dice,
    /// What has been drawn so far.
    pub history: History,
}

/// Draws `partner`'s history over `window`, as of `now`.
pub fn generate(partner: &Partner, window: Window, now: DateTime<Utc>) -> History {
    let mut generator =
        Generator { partner, window, now, dice: Dice::new(SEED ^ partner.seed), history: History::default() };
    generator.batches();
    generator.standalone_deviations();
    generator.number_deviations();
    generator.capas();
    generator.deliveries();
    generator.history
}

/// Midnight at the start of `day`, UTC.
pub(super) fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// `day` plus `days` (never negative here).
pub(super) fn plus(day: NaiveDate, days: i64) -> NaiveDate {
    day.checked_add_days(Days::new(u64::try_from(days).unwrap_or(0))).unwrap_or(day)
}

impl Generator<'_> {
    /// A moment on `day` in working hours, never after now.
    pub(super) fn during(&mut self, day: NaiveDate) -> DateTime<Utc> {
        self.dice.time_on(day, 8, 18).min(self.now)
    }

    fn batches(&mut self) {
        let count = (self.partner.batches_per_year * self.window.days() as f64 / 365.25).round() as usize;
        let shares: Vec<f64> = self.partner.lines.iter().map(|l| l.share).collect();
        let mut plans: Vec<(NaiveDate, usize)> = (0..count)
            .map(|_| (plus(self.window.start, self.dice.int(0, self.window.days())), self.dice.weighted(&shares)))
            .collect();
        plans.sort_unstable();
        let mut made = vec![0usize; self.partner.lines.len()];
        let mut numbers: HashMap<(Product, i32), u32> = HashMap::new();
        for (planned_start, line_index) in plans {
            let line = self.partner.lines[line_index];
            // A line's first batches learn the process at scale, the next qualify it; then it makes for the market,
            // with the odd engineering run (after a change, say).
            let batch_type = match made[line_index] {
                0..3 => BatchType::Engineering,
                3..6 => BatchType::Ppq,
                _ if self.dice.chance(0.005) => BatchType::Engineering,
                _ => BatchType::Commercial,
            };
            made[line_index] += 1;
            let seq = numbers.entry((line.product, planned_start.year())).or_default();
            *seq += 1;
            let number =
                format!("{}-{}-{:02}-{:04}", self.partner.code, line.product.code(), planned_start.year() % 100, seq);
            self.batch(line, number, batch_type, planned_start);
        }
    }

    fn batch(&mut self, line: Line, number: String, batch_type: BatchType, planned_start: NaiveDate) {
        let p = self.partner;
        let stress = p.stress(&self.window, planned_start);
        let id = BatchId(self.dice.uuid());
        let (shortest, longest) = line.product.batch_days();
        let nominal = self.dice.int(shortest, longest);
        let (theoretical, places, unit) = line.product.theoretical_yield();
        let ahead = self.dice.int(7, 40);
        let created_at = self.during(planned_start - Duration::days(ahead));
        let mut row = BatchRow {
            id,
            number,
            batch_type,
            site: line.site,
            product: line.product.id(),
            sponsor: HELIX,
            cmo: p.org,
            planned_start,
            planned_end: plus(planned_start, nominal),
            actual_start: None,
            actual_end: None,
            theoretical_yield: Some(decimal(theoretical, places)),
            actual_yield: None,
            yield_unit: unit,
            yield_ratio: None,
            disposition: None,
            disposition_reason: String::new(),
            disposition_at: None,
            row_version: 1,
            created_at,
            updated_at: created_at,
        };
        let late = if self.dice.chance(worse(p.late_start, stress)) { self.dice.int(1, 10) } else { 0 };
        let start = plus(planned_start, late);
        if start > self.window.today {
            self.history.batches.push(row);
            return;
        }
        row.actual_start = Some(start);
        row.row_version += 1;
        row.updated_at = row.updated_at.max(self.during(start));
        let overrun = if self.dice.chance(worse(p.overrun, stress)) { self.dice.int(1, 5) } else { 0 };
        let end = plus(start, nominal + overrun);
        let finished = end <= self.window.today;
        let oos = finished && self.dice.chance(worse(p.oos, stress));
        let rejected_for_deviation = finished && !oos && self.dice.chance(worse(p.rejection, stress));

        let first_deviation = self.history.deviations.len();
        let last_day = if finished { plus(end, 2) } else { self.window.today };
        let span = (midnight(last_day) - midnight(start)).num_seconds().max(3600);
        if self.dice.chance(worse(p.troubled, stress)) {
            let count = 1 + self.dice.geometric(p.per_troubled - 1.0);
            for _ in 0..count {
                let class = self.classification(stress);
                let text = self.incident(line.product, texts::batch_incidents(line.product.biologic(), class));
                let occurred = (midnight(start) + Duration::seconds(self.dice.int(0, span))).min(self.now);
                self.deviation(line, Some(id), text, class, occurred, stress);
            }
        }
        let mut rejection = None;
        if rejected_for_deviation {
            let text =
                self.incident(line.product, texts::batch_incidents(line.product.biologic(), Classification::Critical));
            rejection = Some(format!("Critical deviation: {}.", text.title));
            let occurred = (midnight(start) + Duration::seconds(self.dice.int(0, span))).min(self.now);
            self.deviation(line, Some(id), text, Classification::Critical, occurred, stress);
        }
        if !finished {
            self.history.batches.push(row);
            return;
        }

        row.actual_end = Some(end);
        let mean =
            p.yield_mean - if oos || rejected_for_deviation { 0.04 } else { 0.0 } - 0.01 * (stress - 1.0).max(0.0);
        let ratio = self.dice.normal(mean, p.yield_sd).clamp(0.75, 0.995);
        row.actual_yield = Some(decimal(theoretical * ratio, places));
        row.yield_ratio = yield_ratio(row.theoretical_yield, row.actual_yield);
        row.row_version += 1;
        row.updated_at = row.updated_at.max(self.during(end));

        let Some((tested, failed)) = self.test(line, id, end, oos, stress) else {
            self.history.batches.push(row);
            return;
        };
        row.row_version += 1;
        row.updated_at = row.updated_at.max(tested);
        self.dispose(&mut row, failed.or(rejection), tested, first_deviation);
        self.history.batches.push(row);
    }

    /// Release testing of batch `id`, finished on `end`: the always-run tests and up to three more, one of them out
    /// of specification if `oos` (with the deviation that raises). When testing was done and why the batch must be
    /// rejected, if it must; `None` while testing is still ahead.
    fn test(
        &mut self,
        line: Line,
        id: BatchId,
        end: NaiveDate,
        oos: bool,
        stress: f64,
    ) -> Option<(DateTime<Utc>, Option<String>)> {
        let testing = self.dice.int(2, 9);
        let tested = self.dice.time_on(plus(end, testing), 9, 18);
        if tested > self.now {
            return None;
        }
        let tests = line.product.tests();
        let extra = usize::try_from(self.dice.int(0, 3)).unwrap_or(0);
        let chosen: Vec<usize> = (0..3).chain((3..tests.len()).filter(|_| self.dice.chance(0.5)).take(extra)).collect();
        let failing = oos.then(|| chosen[usize::try_from(self.dice.int(0, chosen.len() as i64 - 1)).unwrap_or(0)]);
        let mut rejection = None;
        for (position, &index) in (1..).zip(&chosen) {
            let test = &tests[index];
            let value = result(&mut self.dice, test, failing == Some(index));
            let recorded_at = self.dice.hours_after(tested, -30.0, 0.0).max(midnight(plus(end, 1)));
            if value.out_of_spec() {
                let class = if self.dice.chance(0.75) { Classification::Major } else { Classification::Critical };
                let cause = *self.dice.pick(&[RootCause::Method, RootCause::Materials, RootCause::NotDetermined]);
                let reading = format!("{} against {}", value.reading(), value.specification());
                rejection = Some(format!("{} out of specification: {reading}.", test.name));
                let text = Text {
                    title: format!("Out-of-specification result: {}", test.name),
                    description: format!("Release testing gave {reading}."),
                    cause,
                    location: "QC laboratory",
                };
                self.deviation(line, Some(id), text, class, recorded_at, stress);
            }
            let value_json = serde_json::to_string(&value).unwrap_or_default();
            self.history.results.push(ResultRow {
                id: BatchResultId(self.dice.uuid()),
                batch: id,
                position,
                test: test.name,
                out_of_spec: value.out_of_spec(),
                value_json,
                recorded_at,
            });
        }
        Some((tested, rejection))
    }

    /// QA's disposition of a tested batch, unless it is still ahead. Rejection (for `rejection`) needs only the
    /// tested batch; release needs every deviation raised on it (from `first_deviation` on) closed first, as the
    /// shared crate's release rule says.
    fn dispose(
        &mut self,
        row: &mut BatchRow,
        rejection: Option<String>,
        tested: DateTime<Utc>,
        first_deviation: usize,
    ) {
        let deviations = &self.history.deviations[first_deviation..];
        let (disposition, ready) = match rejection {
            Some(_) => (Disposition::Rejected, Some(tested)),
            None => {
                let closed: Option<Vec<DateTime<Utc>>> = deviations.iter().map(|d| d.closed_at).collect();
                (Disposition::Released, closed.map(|c| c.into_iter().fold(tested, DateTime::max)))
            }
        };
        let Some(ready) = ready else { return };
        let wait = if disposition == Disposition::Rejected { self.dice.int(2, 14) } else { self.dice.int(1, 6) };
        let at = self.dice.time_on(plus(ready.date_naive(), wait), 9, 18);
        if at <= self.now {
            row.disposition = Some(disposition);
            row.disposition_reason = rejection.unwrap_or_default();
            row.disposition_at = Some(at);
            row.row_version += 1;
            row.updated_at = row.updated_at.max(at);
        }
    }
}
