//! Deliveries: orders promised through the window, most delivered on time and in full, the rest late, short or both
//! as often as the CMO's record (and stress) says; those not yet due are mostly not yet delivered.

use super::generate::{Generator, plus};
use super::partners::worse;
use super::products::decimal;
use crate::seed::HELIX;
use crate::store::history::DeliveryRow;
use baton_domain::delivery::DeliveryInput;
use baton_domain::ids::DeliveryId;
use chrono::{Datelike, Duration, NaiveDate};
use std::collections::HashMap;

impl Generator<'_> {
    /// Draws the CMO's deliveries.
    pub(super) fn deliveries(&mut self) {
        let count = (self.partner.deliveries_per_year * self.window.days() as f64 / 365.25).round() as usize;
        let shares: Vec<f64> = self.partner.lines.iter().map(|l| l.share).collect();
        let mut orders: Vec<(NaiveDate, usize)> = (0..count)
            .map(|_| (plus(self.window.start, self.dice.int(0, self.window.days())), self.dice.weighted(&shares)))
            .collect();
        orders.sort_unstable();
        let mut seq: HashMap<i32, u32> = HashMap::new();
        for (promised_on, line) in orders {
            let n = seq.entry(promised_on.year()).or_default();
            *n += 1;
            let reference = format!("PO-{}-{}-{:05}", self.partner.code, promised_on.year(), n);
            self.delivery(reference, promised_on, line);
        }
    }

    fn delivery(&mut self, reference: String, promised_on: NaiveDate, line: usize) {
        let product = self.partner.lines[line].product;
        let stress = self.partner.stress(&self.window, promised_on);
        let (smallest, largest, step, places, unit) = product.order();
        let steps = ((largest - smallest) / step).round() as i64;
        let promised = smallest + step * self.dice.int(0, steps) as f64;
        let (late, short) = if self.dice.chance(worse(1.0 - self.partner.otif, stress)) {
            match self.dice.weighted(&[0.6, 0.25, 0.15]) {
                0 => (true, false),
                1 => (false, true),
                _ => (true, true),
            }
        } else {
            (false, false)
        };
        let delivered_on = if late {
            plus(promised_on, 1 + self.dice.exponential(if stress > 1.5 { 9.0 } else { 5.0 }) as i64)
        } else if self.dice.chance(0.3) {
            promised_on
        } else {
            promised_on - Duration::days(self.dice.int(1, 5))
        };
        let delivered = if short {
            promised * self.dice.uniform(0.8, 0.99)
        } else if self.dice.chance(0.1) {
            promised * self.dice.uniform(1.0, 1.05)
        } else {
            promised
        };
        let promised_quantity = decimal(promised, places);
        // Rounding may bring a short delivery back up to the promise; a short one stays a step below it.
        let delivered_quantity = if short {
            decimal((delivered / step).floor() * step, places).min(decimal(promised - step, places))
        } else {
            decimal(delivered, places).max(promised_quantity)
        };
        let done = delivered_on <= self.window.today;
        let input = DeliveryInput {
            product: product.id(),
            reference,
            promised_on,
            promised_quantity,
            unit: unit.to_owned(),
            delivered_on: done.then_some(delivered_on),
            delivered_quantity: done.then_some(delivered_quantity),
        };
        let ordered = self.dice.int(20, 60);
        let created_at = self.during(promised_on - Duration::days(ordered));
        let updated_at = if done { self.during(delivered_on).max(created_at) } else { created_at };
        self.history.deliveries.push(DeliveryRow {
            id: DeliveryId(self.dice.uuid()),
            on_time_in_full: input.on_time_in_full(),
            reference: input.reference,
            product: input.product,
            sponsor: HELIX,
            cmo: self.partner.org,
            promised_on,
            promised_quantity,
            unit,
            delivered_on: input.delivered_on,
            delivered_quantity: input.delivered_quantity,
            row_version: if done { 2 } else { 1 },
            created_at,
            updated_at,
        });
    }
}
