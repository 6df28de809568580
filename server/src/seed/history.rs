//! `seed-demo --history-years N`: years of partnership history for the KPI dashboard. Adds a third CMO (Kestrel
//! Contract Manufacturing) with its sites, users and partnership; agreements by which each CMO shares its batch
//! records, quality events and commercial data with Helix; and, per CMO, batches with results, deviations, CAPAs
//! and deliveries drawn from a seeded generator (about 5,000 batches a year across the three).
//!
//! Each CMO's history is written in one transaction, many rows to a statement, with one audit entry summarising it
//! (not one per row: a bulk load is one act). That entry is also the mark that the history is loaded, so running
//! the command again adds nothing.

mod capas;
mod deliveries;
mod deviations;
mod generate;
mod partners;
mod products;
mod random;
#[cfg(test)]
mod tests;
mod texts;

use super::agreements::{DemoAgreement, seed_agreement_between, seed_quality_agreements};
use super::{DEMO_PASSWORD, DemoLogin, HELIX, ORGS, login_name, person, user_id};
use crate::db::Db;
use crate::passwords::Passwords;
use crate::store;
use crate::store::audit::{Actor, Event, NewEntry};
use crate::store::history::insert_all;
use crate::store::numbering::{self, Numbered};
use crate::store::users::NewUser;
use baton_domain::agreement::{AgreementTerms, Coverage, DataClass, Permission, Scope};
use baton_domain::audit::AuditAction;
use baton_domain::ids::{AgreementId, OrgId, PartnershipId, SiteId};
use baton_domain::kpi::Month;
use baton_domain::org::{OrgKind, Role};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use generate::{History, generate, midnight};
use partners::{Partner, Window, partners};
use serde_json::json;
use std::collections::HashMap;
use std::fmt;
use std::time::Instant;
use uuid::Uuid;

/// Kestrel Contract Manufacturing, the third CMO (added with the history).
pub const KESTREL: OrgId = OrgId(Uuid::from_u128(0x0000_0001_0000_4000_8000_0000_0000_0004));
/// Kestrel's sterile fill site.
pub const KESTREL_LEEDS: SiteId = SiteId(Uuid::from_u128(0x0000_0002_0000_4000_8000_0000_0000_0005));
/// Kestrel's oral solid dose site.
pub const KESTREL_WREXHAM: SiteId = SiteId(Uuid::from_u128(0x0000_0002_0000_4000_8000_0000_0000_0006));
/// Helix's partnership with Kestrel.
pub const KESTREL_PARTNERSHIP: PartnershipId =
    PartnershipId(Uuid::from_u128(0x0000_0005_0000_4000_8000_0000_0000_0003));
/// The agreements by which Norvia, Kestrel and Castellan share their records with Helix, in [`partners`] order.
const SHARING_AGREEMENTS: [AgreementId; 3] = [
    AgreementId(Uuid::from_u128(0x0000_0006_0000_4000_8000_0000_0000_0021)),
    AgreementId(Uuid::from_u128(0x0000_0006_0000_4000_8000_0000_0000_0022)),
    AgreementId(Uuid::from_u128(0x0000_0006_0000_4000_8000_0000_0000_0023)),
];

const KESTREL_NAME: &str = "Kestrel Contract Manufacturing";
const KESTREL_DOMAIN: &str = "kestrel.example";
/// Kestrel's people, at the positions the other demo organisations use (0 admin, 2 QA, 3 operator), so that
/// `person(db, 3, 2)` is its QA like everyone else's. The admin signs Kestrel's agreement.
const KESTREL_PEOPLE: [(usize, Role, &str); 3] =
    [(0, Role::Admin, "Fiona Marsh"), (2, Role::Qa, "Rhys Evans"), (3, Role::Operator, "Owen Hughes")];
/// Kestrel's position among the demo organisations (after Helix, Norvia and Castellan).
const KESTREL_INDEX: usize = 3;

/// Kestrel's demo logins.
pub fn history_logins() -> Vec<DemoLogin> {
    KESTREL_PEOPLE
        .iter()
        .map(|(_, role, name)| DemoLogin {
            organisation: KESTREL_NAME,
            role: *role,
            name,
            email: format!("{}@{KESTREL_DOMAIN}", login_name(*role)),
        })
        .collect()
}

/// The names of the people of the demo organisation at `org_index` (CAPA action owners).
fn people_names(org_index: usize) -> Vec<&'static str> {
    match ORGS.get(org_index) {
        Some(org) => org.people.iter().map(|(_, name)| *name).collect(),
        None => KESTREL_PEOPLE.iter().map(|(_, _, name)| *name).collect(),
    }
}

/// How many rows of each kind one CMO's history has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Batches.
    pub batches: usize,
    /// Batch results.
    pub results: usize,
    /// Deviations.
    pub deviations: usize,
    /// CAPAs.
    pub capas: usize,
    /// CAPA–deviation links.
    pub links: usize,
    /// Deliveries.
    pub deliveries: usize,
}

impl Counts {
    fn of(history: &History) -> Counts {
        Counts {
            batches: history.batches.len(),
            results: history.results.len(),
            deviations: history.deviations.len(),
            capas: history.capas.len(),
            links: history.links.len(),
            deliveries: history.deliveries.len(),
        }
    }

    fn add(&mut self, other: Counts) {
        self.batches += other.batches;
        self.results += other.results;
        self.deviations += other.deviations;
        self.capas += other.capas;
        self.links += other.links;
        self.deliveries += other.deliveries;
    }
}

/// What a history run did.
#[derive(Clone, Debug)]
pub struct HistorySummary {
    /// Years asked for.
    pub years: u32,
    /// First and last day covered.
    pub from: NaiveDate,
    /// Today.
    pub to: NaiveDate,
    /// CMOs whose history was written.
    pub loaded: Vec<&'static str>,
    /// CMOs whose history was already there.
    pub skipped: Vec<&'static str>,
    /// Rows written, over all CMOs.
    pub counts: Counts,
    /// Seconds taken.
    pub seconds: f64,
}

impl fmt::Display for HistorySummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let skipped = self.skipped.join(", ");
        if self.loaded.is_empty() {
            return write!(f, "Quality history already loaded for {skipped}; nothing added.");
        }
        let c = &self.counts;
        write!(
            f,
            "Quality history, {} year{} ({} to {}), {} CMOs loaded: {} batches, {} results, {} deviations, {} CAPAs \
             ({} links), {} deliveries in {:.1} s",
            self.years,
            if self.years == 1 { "" } else { "s" },
            self.from,
            self.to,
            self.loaded.len(),
            c.batches,
            c.results,
            c.deviations,
            c.capas,
            c.links,
            c.deliveries,
            self.seconds
        )?;
        if !self.skipped.is_empty() {
            write!(f, "; already loaded for {skipped}")?;
        }
        write!(f, ".")
    }
}

/// Writes `years` years of history (1 to 15) ending this month; CMOs whose history is already loaded are skipped.
pub async fn seed_history(db: &Db, years: u32) -> anyhow::Result<HistorySummary> {
    anyhow::ensure!((1..=15).contains(&years), "history years must be 1 to 15, not {years}");
    let started = Instant::now();
    let now = Utc::now();
    let window = Window::ending(now.date_naive(), years);
    seed_kestrel(db, now).await?;
    seed_sharing(db, &window, now).await?;
    let mut summary = HistorySummary {
        years,
        from: window.start,
        to: window.today,
        loaded: Vec::new(),
        skipped: Vec::new(),
        counts: Counts::default(),
        seconds: 0.0,
    };
    for partner in partners() {
        let name = partner.name;
        if store::history::loaded(&mut *db.pool.acquire().await?, partner.partnership).await? {
            summary.skipped.push(name);
            continue;
        }
        let drawn = Instant::now();
        let history = generate(&partner, window, now);
        let generated = drawn.elapsed();
        let loaded = load(db, &partner, &history, years, &window).await?;
        let written = drawn.elapsed() - generated;
        tracing::info!(cmo = name, generated = ?generated, written = ?written, loaded, "quality history");
        if loaded {
            summary.counts.add(Counts::of(&history));
            summary.loaded.push(name);
            // Sums the finished months once now, so that the first scorecard viewed reads them kept.
            let (from, to) = (Month::of_date(window.start), Month::of_date(window.today));
            if let Some((from, to)) = from.zip(to) {
                store::kpi_months::monthly(db, HELIX, partner.org, from, to, window.today).await?;
            }
        } else {
            summary.skipped.push(name);
        }
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Writes one CMO's history and its summary entry in one transaction, unless another run got there first (which
/// the transaction, holding the audit chain's lock, sees): false then.
async fn load(db: &Db, partner: &Partner, history: &History, years: u32, window: &Window) -> anyhow::Result<bool> {
    let qa = person(db, partner.org_index, 2).await?;
    let mut tx = store::audit::begin_write(&db.pool).await?;
    if store::history::loaded(&mut tx, partner.partnership).await? {
        return Ok(false);
    }
    // Records the organisation already numbered (the demo's own) keep their numbers; history continues after them.
    let mut deviations = history.deviations.clone();
    let mut capas = history.capas.clone();
    let mut offsets: HashMap<(Numbered, i32), u64> = HashMap::new();
    for (kind, number) in deviations
        .iter_mut()
        .map(|d| (Numbered::Deviation, &mut d.number))
        .chain(capas.iter_mut().map(|c| (Numbered::Capa, &mut c.number)))
    {
        let Some((year, sequence)) = numbering::parse(number) else { continue };
        let offset = match offsets.get(&(kind, year)) {
            Some(offset) => *offset,
            None => {
                let next = numbering::next(&mut tx, kind, partner.org, year).await?;
                let offset = numbering::parse(&next).map_or(0, |(_, s)| s.saturating_sub(1));
                offsets.insert((kind, year), offset);
                offset
            }
        };
        *number = numbering::format(kind, year, sequence + offset);
    }
    insert_all(&mut tx, db.backend, &history.batches).await?;
    insert_all(&mut tx, db.backend, &history.results).await?;
    insert_all(&mut tx, db.backend, &deviations).await?;
    insert_all(&mut tx, db.backend, &capas).await?;
    insert_all(&mut tx, db.backend, &history.links).await?;
    insert_all(&mut tx, db.backend, &history.deliveries).await?;
    let counts = Counts::of(history);
    let summary = json!({
        "source": "demo data (seed-demo --history-years)",
        "years": years,
        "from": window.start.to_string(),
        "to": window.today.to_string(),
        "batches": counts.batches,
        "results": counts.results,
        "deviations": counts.deviations,
        "capas": counts.capas,
        "capa_links": counts.links,
        "deliveries": counts.deliveries,
    });
    let event = Event::QualityHistory(partner.partnership);
    let entry = NewEntry::event(Actor::from(&qa), Some(partner.org), AuditAction::Create, event, Some(summary));
    store::audit::append(&mut tx, entry, Utc::now()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Kestrel, its two sites, its admin, QA and operator, its partnership with Helix and the first version of their
/// quality agreement. Each step skips what exists.
async fn seed_kestrel(db: &Db, now: DateTime<Utc>) -> anyhow::Result<()> {
    let pool = &db.pool;
    store::organisations::insert(pool, KESTREL, KESTREL_NAME, OrgKind::Cmo, now).await?;
    store::organisations::insert_site(pool, KESTREL_LEEDS, KESTREL, "Kestrel Leeds Sterile Fill", "Leeds, UK").await?;
    store::organisations::insert_site(pool, KESTREL_WREXHAM, KESTREL, "Kestrel Wrexham Oral Solids", "Wrexham, UK")
        .await?;
    // Hashing is deliberately slow: only when a user is missing.
    let mut hash = None;
    for (position, role, name) in KESTREL_PEOPLE {
        let id = user_id(KESTREL_INDEX, position);
        if store::users::find_by_id(pool, id).await?.is_some() {
            continue;
        }
        if hash.is_none() {
            hash = Some(Passwords::new(1).hash(DEMO_PASSWORD.to_owned()).await?);
        }
        let email = format!("{}@{KESTREL_DOMAIN}", login_name(role));
        let user = NewUser {
            id,
            org: KESTREL,
            email: &email,
            display_name: name,
            role,
            password_hash: hash.as_deref().unwrap_or_default(),
        };
        store::users::insert(pool, &user, now).await?;
    }
    store::agreements::insert_partnership(pool, KESTREL_PARTNERSHIP, HELIX, KESTREL, now).await?;
    seed_quality_agreements(db, &[(KESTREL_PARTNERSHIP, KESTREL_INDEX, true)], now).await
}

/// An agreement in force by which each CMO lets Helix view its batch records, quality events and commercial data
/// for all products, in and outside transfers (the history belongs to no transfer), from the history's first day.
async fn seed_sharing(db: &Db, window: &Window, now: DateTime<Utc>) -> anyhow::Result<()> {
    let until = NaiveDate::from_ymd_opt(window.today.year() + 3, 1, 1).unwrap_or(window.end);
    for (partner, id) in partners().into_iter().zip(SHARING_AGREEMENTS) {
        let terms = AgreementTerms {
            title: format!("{} — batch, quality and supply records for Helix", partner.name),
            grantee: HELIX,
            scope: Scope {
                products: Coverage::All,
                transfers: Coverage::All,
                data_classes: vec![DataClass::BatchRecords, DataClass::QualityEvents, DataClass::Commercial],
            },
            permission: Permission::View,
            valid_from: midnight(window.start),
            valid_until: midnight(until),
        };
        let demo = DemoAgreement {
            id,
            partnership: partner.partnership,
            grantor: partner.org,
            grantor_index: partner.org_index,
            grantee_index: 0,
            terms,
        };
        seed_agreement_between(db, demo, now).await?;
    }
    Ok(())
}
