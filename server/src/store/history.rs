//! Bulk loading of a partnership's quality history (the demo's years of batches, results, deviations, CAPAs and
//! deliveries): rows as the tables hold them, written many to a statement.
//!
//! Row-at-a-time inserts of half a million rows spend their time on round trips and statement overhead; multi-row
//! `INSERT … VALUES (…), (…)` statements of a few hundred rows each load the same rows an order of magnitude faster
//! on both engines. Values are still bound, never spliced into the SQL.

use crate::clock;
use crate::db::Backend;
use baton_domain::batch::{BatchType, Disposition};
use baton_domain::decimal::Decimal;
use baton_domain::deviation::{Classification, DeviationStatus, RootCause};
use baton_domain::ids::{
    BatchId, BatchResultId, CapaId, DeliveryId, DeviationId, OrgId, PartnershipId, ProductId, SiteId, UserId,
};
use baton_domain::record::RecordType;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection};

/// SQLite refuses statements with more bound parameters than this (PostgreSQL allows 65,535).
const MAX_PARAMETERS: usize = 32_766;
/// Rows per statement: beyond a few hundred, longer statements stop paying for their parsing.
const ROWS_PER_STATEMENT: usize = 500;

/// The query a row binds its values to.
pub type AnyQuery<'q> = Query<'q, Any, AnyArguments<'q>>;

/// A row of one table, bound column by column in [`BulkRow::COLUMNS`] order.
pub trait BulkRow {
    /// The table.
    const TABLE: &'static str;
    /// The columns written, in binding order.
    const COLUMNS: &'static [&'static str];
    /// Binds this row's values, one per column.
    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q>;
}

/// `INSERT INTO table (columns) VALUES (…), …` for `rows` rows.
///
/// PostgreSQL needs numbered placeholders (`$1`). SQLite takes them too, but sqlx then looks each one's name up, and
/// SQLite finds a parameter's name by walking the list of names: quadratic in the placeholders, which made a
/// 10,000-placeholder statement spend most of its time there. Its anonymous `?` has no name to look up.
fn insert_sql(backend: Backend, table: &str, columns: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns.len() {
            n += 1;
            if column > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// Inserts `rows` through `conn` (a write transaction on `backend`), several hundred to a statement.
pub async fn insert_all<R: BulkRow>(conn: &mut AnyConnection, backend: Backend, rows: &[R]) -> anyhow::Result<()> {
    let per_statement = (MAX_PARAMETERS / R::COLUMNS.len()).min(ROWS_PER_STATEMENT);
    let full = insert_sql(backend, R::TABLE, R::COLUMNS, per_statement);
    for chunk in rows.chunks(per_statement) {
        let partial;
        let sql = if chunk.len() == per_statement {
            &full
        } else {
            partial = insert_sql(backend, R::TABLE, R::COLUMNS, chunk.len());
            &partial
        };
        let mut query = sqlx::query(sql);
        for row in chunk {
            query = row.bind(query);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Whether a quality history was already loaded for `partnership`: its summary entry is in the audit trail,
/// committed with the rows it summarises.
pub async fn loaded(conn: &mut AnyConnection, partnership: PartnershipId) -> anyhow::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM audit_log WHERE record_type = $1 AND record_id = $2")
        .bind(RecordType::QualityHistory.as_str())
        .bind(partnership.to_string())
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn time(t: DateTime<Utc>) -> String {
    clock::to_db(t)
}

/// A batch as `batches` holds it (never in a transfer: the history is commercial supply).
#[derive(Clone, Debug)]
pub struct BatchRow {
    /// Its id.
    pub id: BatchId,
    /// The plant's number.
    pub number: String,
    /// Engineering, PPQ or commercial.
    pub batch_type: BatchType,
    /// The CMO's site.
    pub site: SiteId,
    /// The sponsor's product.
    pub product: ProductId,
    /// The sponsor.
    pub sponsor: OrgId,
    /// The CMO.
    pub cmo: OrgId,
    /// Planned start.
    pub planned_start: NaiveDate,
    /// Planned end.
    pub planned_end: NaiveDate,
    /// Actual start, once started.
    pub actual_start: Option<NaiveDate>,
    /// Actual end, once finished.
    pub actual_end: Option<NaiveDate>,
    /// Theoretical yield.
    pub theoretical_yield: Option<Decimal>,
    /// Actual yield, once finished.
    pub actual_yield: Option<Decimal>,
    /// Unit of both yields.
    pub yield_unit: &'static str,
    /// Actual over theoretical, from `baton_domain::batch::yield_ratio`.
    pub yield_ratio: Option<f64>,
    /// Released or rejected, once dispositioned.
    pub disposition: Option<Disposition>,
    /// Why (empty for a release).
    pub disposition_reason: String,
    /// When it was dispositioned.
    pub disposition_at: Option<DateTime<Utc>>,
    /// Changes so far, from 1.
    pub row_version: i64,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl BulkRow for BatchRow {
    const TABLE: &'static str = "batches";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "number",
        "batch_type",
        "site_id",
        "product_id",
        "sponsor_org_id",
        "cmo_org_id",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "theoretical_yield",
        "actual_yield",
        "yield_unit",
        "yield_ratio",
        "disposition",
        "disposition_reason",
        "disposition_at",
        "row_version",
        "created_at",
        "updated_at",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.id.to_string())
            .bind(&self.number)
            .bind(self.batch_type.as_str())
            .bind(self.site.to_string())
            .bind(self.product.to_string())
            .bind(self.sponsor.to_string())
            .bind(self.cmo.to_string())
            .bind(date(self.planned_start))
            .bind(date(self.planned_end))
            .bind(self.actual_start.map(date))
            .bind(self.actual_end.map(date))
            .bind(self.theoretical_yield.map(|y| y.to_string()))
            .bind(self.actual_yield.map(|y| y.to_string()))
            .bind(self.yield_unit)
            .bind(self.yield_ratio)
            .bind(self.disposition.map(Disposition::as_str))
            .bind(&self.disposition_reason)
            .bind(self.disposition_at.map(time))
            .bind(self.row_version)
            .bind(time(self.created_at))
            .bind(time(self.updated_at))
    }
}

/// A result as `batch_results` holds it.
#[derive(Clone, Debug)]
pub struct ResultRow {
    /// Its id.
    pub id: BatchResultId,
    /// The batch.
    pub batch: BatchId,
    /// Its place in the batch's results, from 1.
    pub position: i64,
    /// The test.
    pub test: &'static str,
    /// `serde_json` of the `ResultValue`.
    pub value_json: String,
    /// From `ResultValue::out_of_spec`.
    pub out_of_spec: bool,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl BulkRow for ResultRow {
    const TABLE: &'static str = "batch_results";
    const COLUMNS: &'static [&'static str] =
        &["id", "batch_id", "position", "test", "value_json", "out_of_spec", "recorded_at"];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.id.to_string())
            .bind(self.batch.to_string())
            .bind(self.position)
            .bind(self.test)
            .bind(&self.value_json)
            .bind(i64::from(self.out_of_spec))
            .bind(time(self.recorded_at))
    }
}

/// A deviation as `deviations` holds it (raised by the CMO, so the CMO owns it).
#[derive(Clone, Debug)]
pub struct DeviationRow {
    /// Its id.
    pub id: DeviationId,
    /// e.g. "DEV-2026-0007".
    pub number: String,
    /// Whose record it is.
    pub owner: OrgId,
    /// The sponsor.
    pub sponsor: OrgId,
    /// The CMO.
    pub cmo: OrgId,
    /// The site.
    pub site: SiteId,
    /// The product.
    pub product: ProductId,
    /// The batch it was found on, if any.
    pub batch: Option<BatchId>,
    /// What happened, in a line.
    pub title: String,
    /// What happened, in full.
    pub description: String,
    /// Where.
    pub location: &'static str,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Minor, major or critical.
    pub classification: Classification,
    /// Where it stands.
    pub status: DeviationStatus,
    /// When it was reported.
    pub opened_at: DateTime<Utc>,
    /// From `Classification::due_on`.
    pub due_on: NaiveDate,
    /// What the investigation found.
    pub investigation: String,
    /// Impact on product and other batches.
    pub impact: String,
    /// Root cause category, once known.
    pub root_cause: Option<RootCause>,
    /// When QA closed it.
    pub closed_at: Option<DateTime<Utc>>,
    /// Who reported it (a user of the owner).
    pub raised_by: UserId,
    /// Changes so far, from 1.
    pub row_version: i64,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl BulkRow for DeviationRow {
    const TABLE: &'static str = "deviations";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "number",
        "owner_org_id",
        "sponsor_org_id",
        "cmo_org_id",
        "site_id",
        "product_id",
        "batch_id",
        "title",
        "description",
        "location",
        "occurred_at",
        "classification",
        "status",
        "opened_at",
        "due_on",
        "investigation",
        "impact",
        "root_cause",
        "closed_at",
        "raised_by",
        "row_version",
        "created_at",
        "updated_at",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.id.to_string())
            .bind(&self.number)
            .bind(self.owner.to_string())
            .bind(self.sponsor.to_string())
            .bind(self.cmo.to_string())
            .bind(self.site.to_string())
            .bind(self.product.to_string())
            .bind(self.batch.map(|b| b.to_string()))
            .bind(&self.title)
            .bind(&self.description)
            .bind(self.location)
            .bind(time(self.occurred_at))
            .bind(self.classification.as_str())
            .bind(self.status.as_str())
            .bind(time(self.opened_at))
            .bind(date(self.due_on))
            .bind(&self.investigation)
            .bind(&self.impact)
            .bind(self.root_cause.map(RootCause::as_str))
            .bind(self.closed_at.map(time))
            .bind(self.raised_by.to_string())
            .bind(self.row_version)
            .bind(time(self.created_at))
            .bind(time(self.updated_at))
    }
}

/// A CAPA as `capas` holds it.
#[derive(Clone, Debug)]
pub struct CapaRow {
    /// Its id.
    pub id: CapaId,
    /// e.g. "CAPA-2026-0003".
    pub number: String,
    /// Whose record it is.
    pub owner: OrgId,
    /// The sponsor.
    pub sponsor: OrgId,
    /// The CMO.
    pub cmo: OrgId,
    /// The product.
    pub product: ProductId,
    /// The problem and the fix, in a line.
    pub title: String,
    /// In full.
    pub description: String,
    /// When the CAPA as a whole is due.
    pub due_on: NaiveDate,
    /// `serde_json` of the `KpiTrigger`, if a KPI prompted it.
    pub kpi_json: Option<String>,
    /// `serde_json` of its `Vec<CapaAction>`.
    pub actions_json: String,
    /// How effectiveness is (or was) checked.
    pub effectiveness_check: String,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When QA closed it.
    pub closed_at: Option<DateTime<Utc>>,
    /// Changes so far, from 1.
    pub row_version: i64,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl BulkRow for CapaRow {
    const TABLE: &'static str = "capas";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "number",
        "owner_org_id",
        "sponsor_org_id",
        "cmo_org_id",
        "product_id",
        "title",
        "description",
        "due_on",
        "kpi_json",
        "actions_json",
        "effectiveness_check",
        "opened_at",
        "closed_at",
        "row_version",
        "created_at",
        "updated_at",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.id.to_string())
            .bind(&self.number)
            .bind(self.owner.to_string())
            .bind(self.sponsor.to_string())
            .bind(self.cmo.to_string())
            .bind(self.product.to_string())
            .bind(&self.title)
            .bind(&self.description)
            .bind(date(self.due_on))
            .bind(self.kpi_json.as_deref())
            .bind(&self.actions_json)
            .bind(&self.effectiveness_check)
            .bind(time(self.opened_at))
            .bind(self.closed_at.map(time))
            .bind(self.row_version)
            .bind(time(self.created_at))
            .bind(time(self.updated_at))
    }
}

/// A CAPA's link to a deviation it answers.
#[derive(Clone, Copy, Debug)]
pub struct CapaLinkRow {
    /// The CAPA.
    pub capa: CapaId,
    /// The deviation.
    pub deviation: DeviationId,
}

impl BulkRow for CapaLinkRow {
    const TABLE: &'static str = "capa_deviations";
    const COLUMNS: &'static [&'static str] = &["capa_id", "deviation_id"];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query.bind(self.capa.to_string()).bind(self.deviation.to_string())
    }
}

/// A delivery as `deliveries` holds it.
#[derive(Clone, Debug)]
pub struct DeliveryRow {
    /// Its id.
    pub id: DeliveryId,
    /// The order it fulfils.
    pub reference: String,
    /// The product.
    pub product: ProductId,
    /// The sponsor.
    pub sponsor: OrgId,
    /// The CMO.
    pub cmo: OrgId,
    /// Promised date.
    pub promised_on: NaiveDate,
    /// Promised quantity.
    pub promised_quantity: Decimal,
    /// Unit of both quantities.
    pub unit: &'static str,
    /// Actual date, once delivered.
    pub delivered_on: Option<NaiveDate>,
    /// Actual quantity, once delivered.
    pub delivered_quantity: Option<Decimal>,
    /// From `DeliveryInput::on_time_in_full`.
    pub on_time_in_full: Option<bool>,
    /// Changes so far, from 1.
    pub row_version: i64,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl BulkRow for DeliveryRow {
    const TABLE: &'static str = "deliveries";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "reference",
        "product_id",
        "sponsor_org_id",
        "cmo_org_id",
        "promised_on",
        "promised_quantity",
        "unit",
        "delivered_on",
        "delivered_quantity",
        "on_time_in_full",
        "row_version",
        "created_at",
        "updated_at",
    ];

    fn bind<'q>(&'q self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.id.to_string())
            .bind(&self.reference)
            .bind(self.product.to_string())
            .bind(self.sponsor.to_string())
            .bind(self.cmo.to_string())
            .bind(date(self.promised_on))
            .bind(self.promised_quantity.to_string())
            .bind(self.unit)
            .bind(self.delivered_on.map(date))
            .bind(self.delivered_quantity.map(|q| q.to_string()))
            .bind(self.on_time_in_full.map(i64::from))
            .bind(self.row_version)
            .bind(time(self.created_at))
            .bind(time(self.updated_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_number_every_placeholder_and_stay_under_sqlites_limit() {
        assert_eq!(
            insert_sql(Backend::Postgres, "t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(insert_sql(Backend::Sqlite, "t", &["a", "b"], 2), "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
        for columns in [BatchRow::COLUMNS.len(), DeviationRow::COLUMNS.len(), CapaLinkRow::COLUMNS.len()] {
            let rows = (MAX_PARAMETERS / columns).min(ROWS_PER_STATEMENT);
            assert!(rows * columns <= MAX_PARAMETERS);
        }
    }
}
