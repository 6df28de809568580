//! Deviations: drawn on batches as they run (by the batch generator) and on sites between batches, each opened soon
//! after it happened, due by its class, and closed after a time drawn from the CMO's record unless that is still
//! ahead; then numbered by the year they were opened.

use super::generate::{Generator, midnight, plus};
use super::partners::{Line, worse};
use super::products::Product;
use super::texts::{self, Incident};
use crate::seed::HELIX;
use crate::store::history::DeviationRow;
use crate::store::numbering::{self, Numbered};
use baton_domain::deviation::{Classification, DeviationStatus, RootCause};
use baton_domain::ids::{BatchId, DeviationId};
use chrono::{DateTime, Datelike, Duration, Utc};
use std::collections::HashMap;

/// What a deviation says.
pub(super) struct Text {
    /// The title.
    pub title: String,
    /// The description.
    pub description: String,
    /// The likely root cause.
    pub cause: RootCause,
    /// Where it happened.
    pub location: &'static str,
}

impl Generator<'_> {
    /// Minor, major or critical, with stress shifting the mix towards the serious.
    pub(super) fn classification(&mut self, stress: f64) -> Classification {
        let [minor, major, critical] = self.partner.severity;
        let stress = stress.max(1.0);
        match self.dice.weighted(&[minor, major * stress, critical * stress]) {
            0 => Classification::Minor,
            1 => Classification::Major,
            _ => Classification::Critical,
        }
    }

    /// One of `incidents`, with a location at a plant making `product`.
    pub(super) fn incident(&mut self, product: Product, incidents: &'static [Incident]) -> Text {
        let incident = self.dice.pick(incidents);
        let locations: &[&'static str] =
            if product.biologic() { &texts::BIOLOGIC_LOCATIONS } else { &texts::TABLET_LOCATIONS };
        let location = *self.dice.pick(locations);
        Text {
            title: incident.title.to_owned(),
            description: incident.description.to_owned(),
            cause: incident.cause,
            location,
        }
    }

    /// Records a deviation that happened at `occurred`: opened soon after, due by its class, investigated, and
    /// closed after a time drawn from the CMO's record (late more often under stress) unless that is still ahead.
    pub(super) fn deviation(
        &mut self,
        line: Line,
        batch: Option<BatchId>,
        text: Text,
        class: Classification,
        occurred: DateTime<Utc>,
        stress: f64,
    ) {
        let p = self.partner;
        let opened_at = self.dice.hours_after(occurred, 0.2, 30.0).min(self.now).max(occurred);
        let opened_on = opened_at.date_naive();
        let due_on = class.due_on(opened_on);
        let allowed = i64::try_from(class.days_to_close()).unwrap_or(30);
        let days = if self.dice.chance(worse(p.late_deviation, stress)) {
            let mean = if stress > 1.5 { 35.0 } else { 18.0 };
            allowed + 1 + self.dice.exponential(mean) as i64
        } else {
            1 + ((allowed - 1) as f64 * self.dice.uniform(0.0, 1.0).powf(0.8)) as i64
        };
        let closed_at = Some(self.dice.time_on(plus(opened_on, days), 8, 19)).filter(|at| *at <= self.now);
        let investigating_since = opened_at + Duration::days(2);
        let status = match closed_at {
            Some(_) => DeviationStatus::Closed,
            None if investigating_since <= self.now => DeviationStatus::Investigation,
            None => DeviationStatus::Open,
        };
        let found = if self.dice.chance(0.08) {
            RootCause::NotDetermined
        } else if self.dice.chance(0.85) {
            text.cause
        } else {
            *self.dice.pick(RootCause::ALL)
        };
        let root_cause = match status {
            DeviationStatus::Closed => Some(found),
            DeviationStatus::Investigation if self.dice.chance(0.4) => Some(found),
            _ => None,
        };
        let (investigation, impact) = match status {
            DeviationStatus::Open => (String::new(), String::new()),
            DeviationStatus::Investigation if root_cause.is_none() => {
                ("Investigation under way.".to_owned(), texts::impact(class).to_owned())
            }
            _ => (texts::investigation(found).to_owned(), texts::impact(class).to_owned()),
        };
        let (row_version, updated_at) = match (status, closed_at) {
            (_, Some(at)) => (3, at),
            (DeviationStatus::Investigation, None) => (2, investigating_since),
            _ => (1, opened_at),
        };
        let raiser = if self.dice.chance(0.75) { 3 } else { 2 };
        self.history.deviations.push(DeviationRow {
            id: DeviationId(self.dice.uuid()),
            number: String::new(),
            owner: p.org,
            sponsor: HELIX,
            cmo: p.org,
            site: line.site,
            product: line.product.id(),
            batch,
            title: text.title,
            description: text.description,
            location: text.location,
            occurred_at: occurred,
            classification: class,
            status,
            opened_at,
            due_on,
            investigation,
            impact,
            root_cause,
            closed_at,
            raised_by: crate::seed::user_id(p.org_index, raiser),
            row_version,
            created_at: opened_at,
            updated_at,
        });
    }

    pub(super) fn standalone_deviations(&mut self) {
        let count = (self.partner.standalone_per_year * self.window.days() as f64 / 365.25).round() as usize;
        let shares: Vec<f64> = self.partner.lines.iter().map(|l| l.share).collect();
        let elapsed = (self.now - midnight(self.window.start)).num_seconds().max(1);
        for _ in 0..count {
            let line = self.partner.lines[self.dice.weighted(&shares)];
            let occurred = midnight(self.window.start) + Duration::seconds(self.dice.int(0, elapsed));
            let stress = self.partner.stress(&self.window, occurred.date_naive());
            let class = if self.dice.chance(0.8) { Classification::Minor } else { Classification::Major };
            let text = self.incident(line.product, texts::standalone_incidents());
            self.deviation(line, None, text, class, occurred, stress);
        }
    }

    /// Numbers deviations by the year they were opened, in order: "DEV-2026-00007".
    pub(super) fn number_deviations(&mut self) {
        self.history.deviations.sort_by_key(|d| d.opened_at);
        let mut seq: HashMap<i32, u32> = HashMap::new();
        for d in &mut self.history.deviations {
            let year = d.opened_at.year();
            let n = seq.entry(year).or_default();
            *n += 1;
            d.number = numbering::format(Numbered::Deviation, year, u64::from(*n));
        }
    }
}
