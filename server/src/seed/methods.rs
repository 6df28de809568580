//! Demo analytical methods: one per demo transfer, with acceptance criteria after common practice for comparative
//! testing, and results where the transfer is that far along (the drug product's receiving unit has not tested yet).

use super::person;
use crate::db::Db;
use crate::kernel::{Method, MethodResults, UnitOfWork};
use crate::store;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::decimal::Decimal;
use baton_domain::ids::{MethodId, TransferId};
use baton_domain::method_record::{AttributeResults, MethodResultsId, SiteResults};
use baton_domain::method_transfer::{AnalyticalMethod, AttributeCriteria, Criterion, Site};
use baton_domain::units::Unit;
use uuid::Uuid;

fn d(text: &str) -> Decimal {
    Decimal::parse(text).unwrap_or_default()
}

fn attribute(name: &str, unit: &str, max_difference: &str, max_rsd: &str) -> AttributeCriteria {
    AttributeCriteria {
        attribute: name.into(),
        unit: Unit::parse(unit).unwrap_or_else(|_| Unit::of(baton_domain::known_units::KnownUnit::Percent)),
        criteria: vec![
            Criterion::AbsoluteMeanDifference { max: d(max_difference) },
            Criterion::Rsd { max_percent: d(max_rsd) },
        ],
    }
}

fn results(rows: &[(&str, &[&str])]) -> SiteResults {
    let results = rows
        .iter()
        .map(|(attribute, values)| AttributeResults {
            attribute: (*attribute).into(),
            values: values.iter().map(|v| d(v)).collect(),
        })
        .collect();
    SiteResults { results, row_version: 0 }
}

/// The fixed id of demo transfer `index`'s method.
pub fn method_id(index: u128) -> MethodId {
    MethodId(Uuid::from_u128((0x0000_000d_0000_4000_8000_u128 << 48) | (index << 8)))
}

/// Writes the demo transfer's method as the sponsor's lead, and each site's results as that site's QA, unless the
/// transfer has a method already.
pub async fn seed_method(db: &Db, transfer: TransferId, index: u128, cmo_index: usize) -> anyhow::Result<()> {
    let lead = person(db, 0, 1).await?;
    let mut work = UnitOfWork::begin(&db.pool, &lead).await?;
    if !store::methods::of_transfer(work.conn(), transfer).await?.is_empty() {
        return Ok(());
    }
    let (method, su, ru) = match index {
        1 => (
            AnalyticalMethod {
                name: "SEC-HPLC purity".into(),
                attributes: vec![
                    attribute("Monomer", "%", "1.0", "2.0"),
                    attribute("High-molecular-weight species", "%", "0.5", "10.0"),
                ],
            },
            results(&[
                ("Monomer", &["98.9", "99.1", "99.0"]),
                ("High-molecular-weight species", &["0.82", "0.79", "0.85"]),
            ]),
            Some(results(&[
                ("Monomer", &["98.6", "98.8", "98.7"]),
                ("High-molecular-weight species", &["0.95", "0.91", "0.97"]),
            ])),
        ),
        2 => (
            AnalyticalMethod { name: "HPLC assay".into(), attributes: vec![attribute("Assay", "%", "2.0", "2.0")] },
            results(&[("Assay", &["99.8", "100.2", "100.0"])]),
            Some(results(&[("Assay", &["99.1", "99.6", "99.4"])])),
        ),
        _ => (
            AnalyticalMethod {
                name: "Potency (cell-based bioassay)".into(),
                attributes: vec![attribute("Relative potency", "%", "10", "15")],
            },
            results(&[("Relative potency", &["98", "103", "101", "97"])]),
            None,
        ),
    };
    let id = method_id(index);
    let now = work.now();
    store::methods::insert(work.conn(), id, transfer, &method, now).await?;
    let created = work.authorize::<Method>(id, Action::Read).await?;
    work.audit(created.entry(AuditAction::Create, None, Some(serde_json::to_value(&method)?), None)).await?;
    work.commit().await?;
    write_results(db, person(db, 0, 2).await?, id, Site::Su, su).await?;
    if let Some(ru) = ru {
        write_results(db, person(db, cmo_index, 2).await?, id, Site::Ru, ru).await?;
    }
    Ok(())
}

async fn write_results(
    db: &Db,
    qa: baton_domain::org::UserProfile,
    method: MethodId,
    site: Site,
    results: SiteResults,
) -> anyhow::Result<()> {
    let mut work = UnitOfWork::begin(&db.pool, &qa).await?;
    let record = work.authorize::<MethodResults>(MethodResultsId { method, site }, Action::Contribute).await?;
    let now = work.now();
    store::methods::save_results(work.conn(), method, site, &results, now).await?;
    let new = serde_json::json!({"results": results.results});
    work.audit(record.entry(AuditAction::Update, None, Some(new), None)).await?;
    work.commit().await?;
    Ok(())
}
