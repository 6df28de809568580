//! The generated history keeps the shared crate's rules on every row, whatever the CMO.

use super::generate::{History, generate};
use super::partners::{Window, partners};
use baton_domain::batch::{Disposition, ResultValue, yield_ratio};
use baton_domain::deviation::DeviationStatus;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-26T10:30:00Z").expect("a time").to_utc()
}

fn histories(years: u32) -> Vec<History> {
    let window = Window::ending(now().date_naive(), years);
    partners().iter().map(|p| generate(p, window, now())).collect()
}

/// One year of each CMO, drawn once for the tests that only read it (drawing is slow unoptimised).
fn a_year() -> &'static [History] {
    static YEAR: OnceLock<Vec<History>> = OnceLock::new();
    YEAR.get_or_init(|| histories(1))
}

#[test]
fn every_row_keeps_the_rules() {
    let now = now();
    for history in a_year() {
        let mut numbers = HashSet::new();
        let deviations_of: HashMap<_, Vec<_>> = history.deviations.iter().fold(HashMap::new(), |mut map, d| {
            map.entry(d.batch).or_insert_with(Vec::new).push(d);
            map
        });
        let failed: HashSet<_> = history.results.iter().filter(|r| r.out_of_spec).map(|r| r.batch).collect();
        for b in &history.batches {
            assert!(numbers.insert(b.number.clone()), "batch number {} twice", b.number);
            assert!(b.planned_end >= b.planned_start && b.created_at <= now && b.updated_at <= now);
            assert_eq!(b.yield_ratio, yield_ratio(b.theoretical_yield, b.actual_yield));
            if let Some(at) = b.disposition_at {
                let end = b.actual_end.expect("a dispositioned batch has finished");
                assert!(at.date_naive() >= end && at <= now, "{}", b.number);
            }
            if b.disposition == Some(Disposition::Released) {
                assert!(!failed.contains(&b.id), "{} released with a result out of specification", b.number);
                for d in deviations_of.get(&Some(b.id)).into_iter().flatten() {
                    let closed = d.closed_at.expect("released only once its deviations are closed");
                    assert!(closed <= b.disposition_at.expect("released at"), "{}", b.number);
                }
            }
            if b.disposition == Some(Disposition::Rejected) {
                assert!(!b.disposition_reason.is_empty());
            }
        }
        for r in &history.results {
            let value: ResultValue = serde_json::from_str(&r.value_json).expect("a result value");
            assert_eq!(value.out_of_spec(), r.out_of_spec);
        }
        let mut numbers = HashSet::new();
        for d in &history.deviations {
            assert!(numbers.insert(d.number.clone()), "deviation number {} twice", d.number);
            assert_eq!(d.due_on, d.classification.due_on(d.opened_at.date_naive()), "{}", d.number);
            assert!(d.occurred_at <= d.opened_at && d.opened_at <= now);
            assert_eq!(d.closed_at.is_some(), d.status == DeviationStatus::Closed, "{}", d.number);
            assert!(d.closed_at.is_none_or(|c| c > d.opened_at && c <= now));
            if d.status == DeviationStatus::Closed {
                assert!(d.root_cause.is_some() && !d.investigation.is_empty(), "{} closed without a cause", d.number);
            }
        }
        let opened: HashMap<_, _> = history.deviations.iter().map(|d| (d.id, d.opened_at)).collect();
        let mut links: HashMap<_, usize> = HashMap::new();
        for link in &history.links {
            *links.entry(link.capa).or_default() += 1;
        }
        for c in &history.capas {
            assert!((1..=3).contains(&links[&c.id]), "{} links {} deviations", c.number, links[&c.id]);
            let actions: Vec<baton_domain::capa::CapaAction> = serde_json::from_str(&c.actions_json).expect("actions");
            if c.closed_at.is_some() {
                assert!(actions.iter().all(|a| a.done) && !c.effectiveness_check.is_empty(), "{}", c.number);
            }
        }
        let capa_opened: HashMap<_, _> = history.capas.iter().map(|c| (c.id, c.opened_at)).collect();
        for link in &history.links {
            assert!(capa_opened[&link.capa] > opened[&link.deviation], "a CAPA opens after its deviations");
        }
        for d in &history.deliveries {
            assert!(d.delivered_on.is_none_or(|on| on <= now.date_naive()));
            assert_eq!(d.delivered_on.is_some(), d.delivered_quantity.is_some());
        }
    }
}

#[test]
fn amounts_match_ten_years_of_three_cmos_pro_rata() {
    let total = |f: fn(&History) -> usize| a_year().iter().map(f).sum::<usize>();
    let batches = total(|h| h.batches.len());
    let deviations = total(|h| h.deviations.len());
    let capas = total(|h| h.capas.len());
    let deliveries = total(|h| h.deliveries.len());
    assert!((4_500..=5_500).contains(&batches), "{batches} batches");
    assert!((8_500..=11_000).contains(&deviations), "{deviations} deviations");
    assert!((1_500..=2_600).contains(&capas), "{capas} CAPAs");
    assert!((5_500..=6_500).contains(&deliveries), "{deliveries} deliveries");
}

#[test]
fn the_same_clock_gives_the_same_history() {
    for (a, b) in a_year().iter().zip(&histories(1)) {
        assert_eq!(a.batches.len(), b.batches.len());
        assert_eq!(a.batches.last().map(|x| x.id), b.batches.last().map(|x| x.id));
        assert_eq!(a.deviations.last().map(|x| x.id), b.deviations.last().map(|x| x.id));
    }
}
