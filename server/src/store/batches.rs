//! Batches, their results and their disposition.

use super::narrowing::{Columns, Narrowing};
use super::parse_column;
use crate::clock;
use baton_domain::batch::{
    BatchInput, BatchResult, BatchSetup, BatchSummary, BatchView, DeviationRef, Disposition, ProductRef, ResultInput,
    ResultValue, TransferChoice, TransferRef, status, yield_ratio,
};
use baton_domain::decimal::Decimal;
use baton_domain::ids::{BatchId, BatchResultId, OrgId, ProductId};
use baton_domain::org::{OrgKind, OrgRef, SiteRef};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AnyConnection, FromRow};

/// The columns of a batch with the names it is shown with.
const SELECT: &str = "SELECT b.id, b.number, b.batch_type, b.site_id, b.product_id, b.transfer_id, b.planned_start, \
     b.planned_end, b.actual_start, b.actual_end, b.theoretical_yield, b.actual_yield, b.yield_unit, b.disposition, \
     b.disposition_reason, b.row_version, s.name AS site_name, s.location AS site_location, p.name AS product_name, \
     t.code AS transfer_code, sp.id AS sponsor_id, sp.name AS sponsor_name, sp.kind AS sponsor_kind, \
     c.id AS cmo_id, c.name AS cmo_name, c.kind AS cmo_kind, \
     (SELECT COUNT(*) FROM batch_results r WHERE r.batch_id = b.id AND r.out_of_spec = 1) AS out_of_spec, \
     (SELECT COUNT(*) FROM deviations d WHERE d.batch_id = b.id) AS deviation_count \
     FROM batches b JOIN sites s ON s.id = b.site_id JOIN products p ON p.id = b.product_id \
     JOIN organisations sp ON sp.id = b.sponsor_org_id JOIN organisations c ON c.id = b.cmo_org_id \
     LEFT JOIN transfers t ON t.id = b.transfer_id";

#[derive(FromRow)]
struct Row {
    id: String,
    number: String,
    batch_type: String,
    site_id: String,
    product_id: String,
    transfer_id: Option<String>,
    planned_start: String,
    planned_end: String,
    actual_start: Option<String>,
    actual_end: Option<String>,
    theoretical_yield: Option<String>,
    actual_yield: Option<String>,
    yield_unit: String,
    disposition: Option<String>,
    disposition_reason: String,
    row_version: i64,
    site_name: String,
    site_location: String,
    product_name: String,
    transfer_code: Option<String>,
    sponsor_id: String,
    sponsor_name: String,
    sponsor_kind: String,
    cmo_id: String,
    cmo_name: String,
    cmo_kind: String,
    out_of_spec: i64,
    deviation_count: i64,
}

fn date(value: Option<&str>, column: &str) -> anyhow::Result<Option<NaiveDate>> {
    value.map(|v| parse_column(v, column)).transpose()
}

fn decimal(value: Option<&str>, column: &str) -> anyhow::Result<Option<Decimal>> {
    value.map(|v| parse_column(v, column)).transpose()
}

pub(super) fn org_ref(id: &str, name: String, kind: &str) -> anyhow::Result<OrgRef> {
    Ok(OrgRef {
        id: parse_column(id, "organisations.id")?,
        name,
        kind: parse_column::<OrgKind>(kind, "organisations.kind")?,
    })
}

/// A batch as stored, before its results, deviations and signatures are attached.
pub struct Stored {
    /// The view, with empty results, deviations and actions, and no disposition signature yet.
    pub view: BatchView,
    /// The stored disposition.
    pub disposition: Option<Disposition>,
    /// Why it was given.
    pub disposition_reason: String,
    /// Results out of specification.
    pub out_of_spec: u32,
    /// Deviations raised against it.
    pub deviation_count: u32,
}

impl TryFrom<Row> for Stored {
    type Error = anyhow::Error;
    fn try_from(r: Row) -> anyhow::Result<Self> {
        let input = BatchInput {
            number: r.number,
            batch_type: parse_column(&r.batch_type, "batches.batch_type")?,
            site: parse_column(&r.site_id, "batches.site_id")?,
            product: parse_column(&r.product_id, "batches.product_id")?,
            transfer: r.transfer_id.as_deref().map(|t| parse_column(t, "batches.transfer_id")).transpose()?,
            planned_start: parse_column(&r.planned_start, "batches.planned_start")?,
            planned_end: parse_column(&r.planned_end, "batches.planned_end")?,
            actual_start: date(r.actual_start.as_deref(), "batches.actual_start")?,
            actual_end: date(r.actual_end.as_deref(), "batches.actual_end")?,
            theoretical_yield: decimal(r.theoretical_yield.as_deref(), "batches.theoretical_yield")?,
            actual_yield: decimal(r.actual_yield.as_deref(), "batches.actual_yield")?,
            yield_unit: r.yield_unit,
        };
        let disposition: Option<Disposition> =
            r.disposition.as_deref().map(|d| parse_column(d, "batches.disposition")).transpose()?;
        let cmo = org_ref(&r.cmo_id, r.cmo_name, &r.cmo_kind)?;
        let sponsor = org_ref(&r.sponsor_id, r.sponsor_name, &r.sponsor_kind)?;
        let view = BatchView {
            id: parse_column(&r.id, "batches.id")?,
            status: status(input.actual_start, input.actual_end, disposition),
            site: SiteRef { id: input.site, name: r.site_name, location: r.site_location, organisation: cmo.clone() },
            product: ProductRef { id: input.product, name: r.product_name },
            transfer: input.transfer.zip(r.transfer_code).map(|(id, code)| TransferRef { id, code }),
            transfer_readable: false,
            yield_ratio: input.yield_ratio(),
            input,
            disposing_party: cmo.clone(),
            sponsor,
            cmo,
            results: Vec::new(),
            deviations: Vec::new(),
            disposition: None,
            content_hash: String::new(),
            row_version: r.row_version,
            actions: Vec::new(),
        };
        Ok(Stored {
            view,
            disposition,
            disposition_reason: r.disposition_reason,
            out_of_spec: u32::try_from(r.out_of_spec).unwrap_or(u32::MAX),
            deviation_count: u32::try_from(r.deviation_count).unwrap_or(u32::MAX),
        })
    }
}

/// One batch, without its results.
pub async fn get(conn: &mut AnyConnection, id: BatchId) -> anyhow::Result<Option<Stored>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE b.id = $1")).bind(id.to_string()).fetch_optional(conn).await?;
    row.map(Stored::try_from).transpose()
}

#[derive(FromRow)]
struct ResultRow {
    id: String,
    test: String,
    value_json: String,
    recorded_at: String,
}

/// A batch's results, in the order recorded. Out-of-specification is recomputed from the limits on every read.
pub async fn results(conn: &mut AnyConnection, batch: BatchId) -> anyhow::Result<Vec<BatchResult>> {
    let rows: Vec<ResultRow> = sqlx::query_as(
        "SELECT id, test, value_json, recorded_at FROM batch_results WHERE batch_id = $1 ORDER BY position, id",
    )
    .bind(batch.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let value: ResultValue = serde_json::from_str(&r.value_json)?;
            Ok(BatchResult {
                id: parse_column(&r.id, "batch_results.id")?,
                test: r.test,
                out_of_spec: value.out_of_spec(),
                value,
                recorded_at: clock::from_db(&r.recorded_at)?,
            })
        })
        .collect()
}

#[derive(FromRow)]
struct DeviationRow {
    id: String,
    number: String,
    title: String,
    classification: String,
    status: String,
}

/// The deviations raised against a batch, oldest first.
pub async fn deviations(conn: &mut AnyConnection, batch: BatchId) -> anyhow::Result<Vec<DeviationRef>> {
    let rows: Vec<DeviationRow> = sqlx::query_as(
        "SELECT id, number, title, classification, status FROM deviations WHERE batch_id = $1 ORDER BY opened_at, id",
    )
    .bind(batch.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(DeviationRef {
                id: parse_column(&r.id, "deviations.id")?,
                number: r.number,
                title: r.title,
                classification: parse_column(&r.classification, "deviations.classification")?,
                status: parse_column(&r.status, "deviations.status")?,
            })
        })
        .collect()
}

/// Most batches a list returns.
pub const LIST_LIMIT: i64 = 500;

/// The batches of partnerships `viewer` is party to, narrowed (by disposition, or with `finished` by actual end),
/// newest first: the caller filters them by the rule.
pub async fn of_party(
    conn: &mut AnyConnection,
    viewer: OrgId,
    narrowing: &Narrowing,
    finished: bool,
) -> anyhow::Result<(Vec<(Stored, BatchSummary)>, bool)> {
    let date = if finished { "b.actual_end" } else { "b.disposition_at" };
    let (clause, values) = narrowing.clause(viewer, &Columns { alias: "b", date, site: Some("b.site_id") });
    let mut sql = format!("{SELECT} {clause}");
    sql.push_str(&format!(" ORDER BY b.planned_start DESC, b.number DESC LIMIT {}", LIST_LIMIT + 1));
    let mut query = sqlx::query_as::<_, Row>(&sql);
    for value in values {
        query = query.bind(value);
    }
    let rows: Vec<Row> = query.fetch_all(conn).await?;
    let truncated = rows.len() > usize::try_from(LIST_LIMIT).unwrap_or(usize::MAX);
    let items = rows
        .into_iter()
        .take(usize::try_from(LIST_LIMIT).unwrap_or(usize::MAX))
        .map(|r| {
            let stored = Stored::try_from(r)?;
            let v = &stored.view;
            let summary = BatchSummary {
                id: v.id,
                number: v.input.number.clone(),
                batch_type: v.input.batch_type,
                status: v.status,
                site: v.site.name.clone(),
                product: v.product.name.clone(),
                cmo: v.cmo.clone(),
                planned_start: v.input.planned_start,
                actual_end: v.input.actual_end,
                out_of_spec: stored.out_of_spec,
                deviations: stored.deviation_count,
            };
            Ok((stored, summary))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok((items, truncated))
}

fn date_to_db(value: Option<NaiveDate>) -> Option<String> {
    value.map(|d| d.to_string())
}

/// Records a new batch.
pub async fn insert(
    conn: &mut AnyConnection,
    id: BatchId,
    input: &BatchInput,
    sponsor: OrgId,
    cmo: OrgId,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO batches (id, number, batch_type, site_id, product_id, transfer_id, planned_start, planned_end, \
         actual_start, actual_end, theoretical_yield, actual_yield, yield_unit, yield_ratio, sponsor_org_id, \
         cmo_org_id, disposition_reason, row_version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, CAST($14 AS DOUBLE PRECISION), $15, $16, \
         '', 1, $17, $17)",
    )
    .bind(id.to_string())
    .bind_input(input)
    .bind(sponsor.to_string())
    .bind(cmo.to_string())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces a batch's recorded values and bumps its version.
pub async fn update(
    conn: &mut AnyConnection,
    id: BatchId,
    input: &BatchInput,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE batches SET number = $2, batch_type = $3, site_id = $4, product_id = $5, transfer_id = $6, \
         planned_start = $7, planned_end = $8, actual_start = $9, actual_end = $10, theoretical_yield = $11, \
         actual_yield = $12, yield_unit = $13, yield_ratio = CAST($14 AS DOUBLE PRECISION), \
         row_version = row_version + 1, updated_at = $15 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind_input(input)
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether `cmo` already has a batch numbered `number` (other than `except`).
pub async fn number_taken(
    conn: &mut AnyConnection,
    cmo: OrgId,
    number: &str,
    except: Option<BatchId>,
) -> anyhow::Result<bool> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM batches WHERE cmo_org_id = $1 AND number = $2 AND id <> $3")
            .bind(cmo.to_string())
            .bind(number.trim())
            .bind(except.map(|e| e.to_string()).unwrap_or_default())
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

/// Adds a result at the end and bumps the batch's version (what a disposition signs has changed).
pub async fn add_result(
    conn: &mut AnyConnection,
    batch: BatchId,
    id: BatchResultId,
    input: &ResultInput,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO batch_results (id, batch_id, position, test, value_json, out_of_spec, recorded_at) \
         VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM batch_results WHERE batch_id = $2), $3, $4, $5, $6)",
    )
    .bind(id.to_string())
    .bind(batch.to_string())
    .bind(input.test.trim().to_owned())
    .bind(serde_json::to_string(&input.value)?)
    .bind(i64::from(input.value.out_of_spec()))
    .bind(clock::to_db(now))
    .execute(&mut *conn)
    .await?;
    bump(conn, batch, now).await
}

/// Replaces a result's values (a correction, with its reason on the audit trail) and bumps the batch's version.
pub async fn correct_result(
    conn: &mut AnyConnection,
    batch: BatchId,
    id: BatchResultId,
    input: &ResultInput,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let changed = sqlx::query(
        "UPDATE batch_results SET test = $3, value_json = $4, out_of_spec = $5, recorded_at = $6 \
         WHERE id = $1 AND batch_id = $2",
    )
    .bind(id.to_string())
    .bind(batch.to_string())
    .bind(input.test.trim().to_owned())
    .bind(serde_json::to_string(&input.value)?)
    .bind(i64::from(input.value.out_of_spec()))
    .bind(clock::to_db(now))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    anyhow::ensure!(changed == 1, "result {id} of batch {batch} not found");
    bump(conn, batch, now).await
}

async fn bump(conn: &mut AnyConnection, batch: BatchId, now: DateTime<Utc>) -> anyhow::Result<()> {
    sqlx::query("UPDATE batches SET row_version = row_version + 1, updated_at = $2 WHERE id = $1")
        .bind(batch.to_string())
        .bind(clock::to_db(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records QA's disposition.
pub async fn dispose(
    conn: &mut AnyConnection,
    batch: BatchId,
    disposition: Disposition,
    reason: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE batches SET disposition = $2, disposition_reason = $3, disposition_at = $4, \
         row_version = row_version + 1, updated_at = $4 WHERE id = $1 AND disposition IS NULL",
    )
    .bind(batch.to_string())
    .bind(disposition.as_str())
    .bind(reason.trim().to_owned())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Binds a batch's thirteen values, in the order of the statements above. The yield ratio goes as text, cast by the
/// statement: sqlx 0.8.6's Any driver sends a missing `f64` to PostgreSQL as a NULL `real`, and a statement first
/// prepared with one then refuses every `double precision` bound to it ("incorrect binary data format").
trait BindInput<'q> {
    fn bind_input(self, input: &BatchInput) -> Self;
}

impl<'q> BindInput<'q> for sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    fn bind_input(self, input: &BatchInput) -> Self {
        self.bind(input.number.trim().to_owned())
            .bind(input.batch_type.as_str())
            .bind(input.site.to_string())
            .bind(input.product.to_string())
            .bind(input.transfer.map(|t| t.to_string()))
            .bind(input.planned_start.to_string())
            .bind(input.planned_end.to_string())
            .bind(date_to_db(input.actual_start))
            .bind(date_to_db(input.actual_end))
            .bind(input.theoretical_yield.map(|d| d.to_string()))
            .bind(input.actual_yield.map(|d| d.to_string()))
            .bind(input.yield_unit.trim().to_owned())
            .bind(yield_ratio(input.theoretical_yield, input.actual_yield).map(|r| r.to_string()))
    }
}

#[derive(FromRow)]
struct SiteRow {
    id: String,
    name: String,
    location: String,
    org_id: String,
    org_name: String,
    org_kind: String,
}

#[derive(FromRow)]
struct ChoiceRow {
    id: String,
    name: String,
}

#[derive(FromRow)]
struct TransferChoiceRow {
    id: String,
    code: String,
    product_id: String,
    receiving_site_id: String,
}

/// Whether the CMO bound to `$1` makes product `p`: it receives a transfer of it, or has batches of it on record.
/// A CMO records batches and deliveries of those products only, not of everything its sponsors own.
const MADE_BY_CMO: &str = "(EXISTS (SELECT 1 FROM transfers t WHERE t.product_id = p.id AND t.cmo_org_id = $1) \
     OR EXISTS (SELECT 1 FROM batches b WHERE b.product_id = p.id AND b.cmo_org_id = $1))";

/// What the batch form offers `org`: its sites, the partner sponsors' products it makes, the transfers it receives.
pub async fn setup(conn: &mut AnyConnection, org: OrgId) -> anyhow::Result<BatchSetup> {
    let sites: Vec<SiteRow> = sqlx::query_as(
        "SELECT s.id, s.name, s.location, o.id AS org_id, o.name AS org_name, o.kind AS org_kind \
         FROM sites s JOIN organisations o ON o.id = s.organisation_id WHERE s.organisation_id = $1 ORDER BY s.name",
    )
    .bind(org.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let products: Vec<ChoiceRow> = sqlx::query_as(&format!(
        "SELECT p.id, p.name FROM products p JOIN partnerships w ON w.sponsor_org_id = p.owner_org_id \
         WHERE w.cmo_org_id = $1 AND {MADE_BY_CMO} ORDER BY p.name"
    ))
    .bind(org.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let transfers: Vec<TransferChoiceRow> = sqlx::query_as(
        "SELECT id, code, product_id, receiving_site_id FROM transfers WHERE cmo_org_id = $1 ORDER BY code",
    )
    .bind(org.to_string())
    .fetch_all(&mut *conn)
    .await?;
    Ok(BatchSetup {
        sites: sites
            .into_iter()
            .map(|s| {
                Ok(SiteRef {
                    id: parse_column(&s.id, "sites.id")?,
                    name: s.name,
                    location: s.location,
                    organisation: org_ref(&s.org_id, s.org_name, &s.org_kind)?,
                })
            })
            .collect::<anyhow::Result<_>>()?,
        products: products
            .into_iter()
            .map(|p| Ok(ProductRef { id: parse_column(&p.id, "products.id")?, name: p.name }))
            .collect::<anyhow::Result<_>>()?,
        transfers: transfers
            .into_iter()
            .map(|t| {
                Ok(TransferChoice {
                    transfer: TransferRef { id: parse_column(&t.id, "transfers.id")?, code: t.code },
                    product: parse_column(&t.product_id, "transfers.product_id")?,
                    site: parse_column(&t.receiving_site_id, "transfers.receiving_site_id")?,
                })
            })
            .collect::<anyhow::Result<_>>()?,
    })
}

/// The sponsor owning `product`, when it is in partnership with `cmo` and `cmo` makes it.
pub async fn product_sponsor(
    conn: &mut AnyConnection,
    cmo: OrgId,
    product: ProductId,
) -> anyhow::Result<Option<OrgId>> {
    let owner: Option<String> = sqlx::query_scalar(&format!(
        "SELECT p.owner_org_id FROM products p JOIN partnerships w ON w.sponsor_org_id = p.owner_org_id \
         WHERE w.cmo_org_id = $1 AND p.id = $2 AND {MADE_BY_CMO}"
    ))
    .bind(cmo.to_string())
    .bind(product.to_string())
    .fetch_optional(conn)
    .await?;
    owner.map(|o| parse_column(&o, "products.owner_org_id")).transpose()
}

/// A product's name (empty when unknown; the caller has checked it exists).
pub async fn product_name(conn: &mut AnyConnection, product: ProductId) -> anyhow::Result<String> {
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM products WHERE id = $1")
        .bind(product.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(name.unwrap_or_default())
}
