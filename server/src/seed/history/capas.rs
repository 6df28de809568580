//! CAPAs: nearly every critical deviation, most major ones and a few minor ones get one, and deviations of the
//! same product within a month often share one (one to three each). Then the KPI that prompted a CAPA after the bad
//! quarter.

use super::generate::{Generator, plus};
use super::texts;
use crate::seed::HELIX;
use crate::store::history::{CapaLinkRow, CapaRow};
use crate::store::numbering::{self, Numbered};
use baton_domain::capa::{CapaAction, KpiTrigger};
use baton_domain::deviation::{Classification, DeviationStatus};
use baton_domain::ids::{CapaId, ProductId};
use baton_domain::kpi::KpiKind;
use chrono::{DateTime, Datelike, Duration, Utc};
use std::collections::{HashMap, HashSet};

/// Deviations of one product waiting to be answered by one CAPA.
struct Group {
    members: Vec<usize>,
    size: usize,
    first: DateTime<Utc>,
}

impl Generator<'_> {
    /// Draws the CAPAs from the deviations (which must be sorted by opening).
    pub(super) fn capas(&mut self) {
        let mut pending: HashMap<ProductId, Group> = HashMap::new();
        for index in 0..self.history.deviations.len() {
            let d = &self.history.deviations[index];
            let p = match d.classification {
                Classification::Critical => 0.95,
                Classification::Major => 0.7,
                Classification::Minor => 0.12,
            };
            // A deviation just reported has not been assessed for a CAPA yet.
            if d.status == DeviationStatus::Open || !self.dice.chance(p) {
                continue;
            }
            let (product, opened) = (d.product, d.opened_at);
            if let Some(group) = pending.get_mut(&product) {
                if opened - group.first <= Duration::days(30) {
                    group.members.push(index);
                    if group.members.len() >= group.size {
                        let done = pending.remove(&product).map(|g| g.members).unwrap_or_default();
                        self.capa(&done);
                    }
                    continue;
                }
                let stale = pending.remove(&product).map(|g| g.members).unwrap_or_default();
                self.capa(&stale);
            }
            let size = 1 + self.dice.weighted(&[0.6, 0.3, 0.1]);
            if size == 1 {
                self.capa(&[index]);
            } else {
                pending.insert(product, Group { members: vec![index], size, first: opened });
            }
        }
        let mut rest: Vec<Vec<usize>> = pending.into_values().map(|g| g.members).collect();
        rest.sort();
        for members in rest {
            self.capa(&members);
        }
        self.history.capas.sort_by_key(|c| c.opened_at);
        let mut seq: HashMap<i32, u32> = HashMap::new();
        for capa in &mut self.history.capas {
            let year = capa.opened_at.year();
            let n = seq.entry(year).or_default();
            *n += 1;
            capa.number = numbering::format(Numbered::Capa, year, u64::from(*n));
        }
        if self.partner.bad_quarter {
            self.kpi_trigger();
        }
    }

    /// A CAPA answering the deviations at `members`, opened after the last of them, unless that is still ahead.
    fn capa(&mut self, members: &[usize]) {
        let deviations: Vec<_> = members.iter().map(|&i| &self.history.deviations[i]).collect();
        let Some(last) = deviations.iter().map(|d| d.opened_at).max() else { return };
        let opened_at = self.dice.hours_after(last, 24.0, 24.0 * 14.0);
        if opened_at > self.now {
            return;
        }
        let worst = deviations.iter().map(|d| d.classification).max().unwrap_or(Classification::Minor);
        let cause = deviations[0].root_cause;
        let product = deviations[0].product;
        let numbers: Vec<&str> = deviations.iter().map(|d| d.number.as_str()).collect();
        let description = format!("Answers {}: {}.", numbers.join(", "), deviations[0].title);
        let ids: Vec<_> = deviations.iter().map(|d| d.id).collect();

        let period = match worst {
            Classification::Critical => 60,
            Classification::Major => 90,
            Classification::Minor => 120,
        };
        let opened_on = opened_at.date_naive();
        let due_on = plus(opened_on, period);
        let stress = self.partner.stress(&self.window, opened_on);
        let days = if self.dice.chance(super::partners::worse(self.partner.late_capa, stress)) {
            period + 1 + self.dice.exponential(30.0) as i64
        } else {
            self.dice.int(period * 2 / 5, period)
        };
        let closed_at = Some(self.during(plus(opened_on, days))).filter(|at| *at < self.now);
        let names = super::people_names(self.partner.org_index);
        let count = usize::try_from(self.dice.int(1, 4)).unwrap_or(1);
        let actions: Vec<CapaAction> = texts::capa_actions(cause)
            .iter()
            .take(count)
            .zip(1i64..)
            .map(|(description, k)| {
                let action_due = plus(opened_on, period * k / (i64::try_from(count).unwrap_or(1) + 1));
                CapaAction {
                    description: (*description).to_owned(),
                    owner: (*self.dice.pick(&names)).to_owned(),
                    due_on: action_due,
                    done: closed_at.is_some() || (action_due < self.window.today && self.dice.chance(0.7)),
                }
            })
            .collect();
        let effectiveness_check = match closed_at {
            Some(_) => texts::EFFECTIVENESS_DONE,
            None if self.dice.chance(0.5) => texts::EFFECTIVENESS_PLANNED,
            None => "",
        };
        let (row_version, updated_at) = match closed_at {
            Some(at) => (3, at),
            None => (1, opened_at),
        };
        let id = CapaId(self.dice.uuid());
        self.history.links.extend(ids.into_iter().map(|deviation| CapaLinkRow { capa: id, deviation }));
        self.history.capas.push(CapaRow {
            id,
            number: String::new(),
            owner: self.partner.org,
            sponsor: HELIX,
            cmo: self.partner.org,
            product,
            title: texts::capa_title(cause).to_owned(),
            description,
            due_on,
            kpi_json: None,
            actions_json: serde_json::to_string(&actions).unwrap_or_else(|_| "[]".into()),
            effectiveness_check: effectiveness_check.to_owned(),
            opened_at,
            closed_at,
            row_version,
            created_at: opened_at,
            updated_at,
        });
    }

    /// The first CAPA opened after the bad quarter also answers the quarter's right-first-time, as the sponsor's
    /// scorecard showed it.
    fn kpi_trigger(&mut self) {
        let (first, last) = self.window.bad_quarter();
        let troubled: HashSet<_> = self.history.deviations.iter().filter_map(|d| d.batch).collect();
        let dispositioned: Vec<_> = self
            .history
            .batches
            .iter()
            .filter(|b| b.disposition_at.is_some_and(|at| (first..=last).contains(&at.date_naive())))
            .collect();
        let clean = dispositioned.iter().filter(|b| !troubled.contains(&b.id)).count();
        if dispositioned.is_empty() {
            return;
        }
        let Some(capa) = self.history.capas.iter_mut().find(|c| c.opened_at.date_naive() > last) else { return };
        let trigger = KpiTrigger {
            partnership: self.partner.partnership,
            kpi: KpiKind::RightFirstTime,
            period: format!("{}-Q3", first.year()),
            value: format!("{:.1} %", 100.0 * clean as f64 / dispositioned.len() as f64),
            target: "85.0 %".into(),
        };
        capa.title = format!("Recover right first time after {}: {}", trigger.period, capa.title);
        capa.kpi_json = serde_json::to_string(&trigger).ok();
    }
}
