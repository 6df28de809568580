//! Demo batches: Norvia's engineering batches of the Velarimab drug product transfer and its commercial Velarimab
//! drug substance batches, with results, one out of specification, and Helix QA's releases of the good ones.

use super::person;
use crate::db::Db;
use crate::kernel::{Batch, UnitOfWork};
use crate::store;
use baton_domain::access::Action;
use baton_domain::audit::AuditAction;
use baton_domain::batch::{BatchInput, BatchType, Disposition, ResultInput, ResultValue};
use baton_domain::decimal::Decimal;
use baton_domain::ids::{BatchId, BatchResultId, OrgId, ProductId, SiteId, TransferId};
use baton_domain::signature::Meaning;
use chrono::{Days, NaiveDate};
use serde_json::json;
use uuid::Uuid;

/// The fixed id of demo batch `n` of demo transfer (or product line) `t`.
pub fn batch_id(t: u128, n: u128) -> BatchId {
    BatchId(Uuid::from_u128(0x0000_000e_0000_4000_8000_0000_0000_0000 + (t << 8) + n))
}

fn decimal(text: &str) -> Decimal {
    Decimal::parse(text).unwrap_or_default()
}

fn numeric(test: &str, value: &str, lower: Option<&str>, upper: Option<&str>, unit: &str) -> ResultInput {
    ResultInput {
        test: test.into(),
        value: ResultValue::Numeric {
            value: decimal(value),
            lower: lower.map(decimal),
            upper: upper.map(decimal),
            unit: unit.into(),
        },
    }
}

/// A batch line: where, what, and for which transfer (if any).
pub struct Line {
    /// Index used in the batch ids.
    pub index: u128,
    /// Number prefix, e.g. "VDS".
    pub prefix: &'static str,
    /// The CMO making them (demo organisation index 1 or 2).
    pub cmo_index: usize,
    /// The CMO.
    pub cmo: OrgId,
    /// Its site.
    pub site: SiteId,
    /// The sponsor's product.
    pub product: ProductId,
    /// The transfer, if any.
    pub transfer: Option<TransferId>,
    /// Batch type.
    pub batch_type: BatchType,
    /// First planned start.
    pub first: NaiveDate,
    /// How many batches, the last of which is still in progress.
    pub count: u128,
    /// Which batch (1-based) has an out-of-specification assay and is left awaiting disposition.
    pub out_of_spec: Option<u128>,
    /// Whether the finished, in-specification batches are released (by the sponsor's QA).
    pub release: bool,
}

/// Records the line's batches through the kernel, as the plant's QA would, with their results; the sponsor's QA
/// releases the good ones. Does nothing for batches that exist.
pub async fn seed_line(db: &Db, line: &Line) -> anyhow::Result<()> {
    let pool = &db.pool;
    let operator = person(db, line.cmo_index, 2).await?;
    let helix_qa = person(db, 0, 2).await?;
    for n in 1..=line.count {
        let id = batch_id(line.index, n);
        if store::batches::get(&mut *pool.acquire().await?, id).await?.is_some() {
            continue;
        }
        let start =
            line.first.checked_add_days(Days::new(u64::try_from(n - 1).unwrap_or(0) * 21)).unwrap_or(line.first);
        let finished = n < line.count;
        let input = BatchInput {
            number: format!("{}-26-{n:04}", line.prefix),
            batch_type: line.batch_type,
            site: line.site,
            product: line.product,
            transfer: line.transfer,
            planned_start: start,
            planned_end: start + Days::new(12),
            actual_start: Some(start),
            actual_end: finished.then(|| start + Days::new(13)),
            theoretical_yield: Some(decimal("250.0")),
            actual_yield: finished
                .then(|| decimal(["238.5", "241.0", "236.2", "244.8"][usize::try_from(n % 4).unwrap_or(0)])),
            yield_unit: "kg".into(),
        };
        let mut work = UnitOfWork::begin(pool, &operator).await?;
        let now = work.now();
        store::batches::insert(work.conn(), id, &input, super::HELIX, line.cmo, now).await?;
        let created = work.authorize::<Batch>(id, Action::Read).await?;
        work.audit(created.entry(AuditAction::Create, None, Some(json!(input)), None)).await?;
        if finished {
            let assay = if line.out_of_spec == Some(n) { "93.8" } else { "99.1" };
            let results = [
                numeric("Assay", assay, Some("95.0"), Some("105.0"), "%"),
                numeric("Aggregates (SEC)", "0.8", None, Some("2.0"), "%"),
                numeric("Bioburden", "0", None, Some("10"), "CFU/10 mL"),
                ResultInput {
                    test: "Identity (peptide map)".into(),
                    value: ResultValue::PassFail { passed: true, criterion: "Conforms to reference".into() },
                },
            ];
            for (i, result) in results.iter().enumerate() {
                let result_id = BatchResultId(Uuid::from_u128(id.0.as_u128() + ((i as u128 + 1) << 32)));
                store::batches::add_result(work.conn(), id, result_id, result, now).await?;
            }
            work.audit(created.entry(AuditAction::Update, None, Some(json!({"results": results.len()})), None)).await?;
        }
        work.commit().await?;
        if finished && line.release && line.out_of_spec != Some(n) {
            let mut work = UnitOfWork::begin(pool, &helix_qa).await?;
            let batch = work.authorize::<Batch>(id, Action::Sign(Meaning::Released)).await?;
            work.sign(&batch, Meaning::Released).await?;
            let now = work.now();
            store::batches::dispose(work.conn(), id, Disposition::Released, "", now).await?;
            let new = json!({"disposition": Disposition::Released.as_str()});
            work.audit(batch.entry(AuditAction::StateChange, None, Some(new), None)).await?;
            work.commit().await?;
        }
    }
    Ok(())
}
