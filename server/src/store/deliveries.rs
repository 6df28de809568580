//! Deliveries: what the CMO promised a sponsor and what arrived.

use super::batches::org_ref;
use super::narrowing::{Columns, Narrowing};
use super::parse_column;
use crate::clock;
use baton_domain::batch::ProductRef;
use baton_domain::decimal::Decimal;
use baton_domain::delivery::{DeliveryInput, DeliveryView};
use baton_domain::ids::{DeliveryId, OrgId};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AnyConnection, FromRow};

/// Most deliveries one list returns.
pub const LIST_LIMIT: i64 = 500;

const SELECT: &str = "SELECT v.id, v.reference, v.product_id, v.promised_on, v.promised_quantity, v.unit, \
     v.delivered_on, v.delivered_quantity, v.row_version, p.name AS product_name, sp.id AS sponsor_id, \
     sp.name AS sponsor_name, sp.kind AS sponsor_kind, c.id AS cmo_id, c.name AS cmo_name, c.kind AS cmo_kind \
     FROM deliveries v JOIN products p ON p.id = v.product_id \
     JOIN organisations sp ON sp.id = v.sponsor_org_id JOIN organisations c ON c.id = v.cmo_org_id";

#[derive(FromRow)]
struct Row {
    id: String,
    reference: String,
    product_id: String,
    promised_on: String,
    promised_quantity: String,
    unit: String,
    delivered_on: Option<String>,
    delivered_quantity: Option<String>,
    row_version: i64,
    product_name: String,
    sponsor_id: String,
    sponsor_name: String,
    sponsor_kind: String,
    cmo_id: String,
    cmo_name: String,
    cmo_kind: String,
}

fn view(r: Row, today: NaiveDate) -> anyhow::Result<DeliveryView> {
    let input = DeliveryInput {
        product: parse_column(&r.product_id, "deliveries.product_id")?,
        reference: r.reference,
        promised_on: parse_column(&r.promised_on, "deliveries.promised_on")?,
        promised_quantity: parse_column(&r.promised_quantity, "deliveries.promised_quantity")?,
        unit: r.unit,
        delivered_on: r.delivered_on.as_deref().map(|d| parse_column(d, "deliveries.delivered_on")).transpose()?,
        delivered_quantity: r
            .delivered_quantity
            .as_deref()
            .map(|q| parse_column::<Decimal>(q, "deliveries.delivered_quantity"))
            .transpose()?,
    };
    Ok(DeliveryView {
        id: parse_column(&r.id, "deliveries.id")?,
        product: ProductRef { id: input.product, name: r.product_name },
        cmo: org_ref(&r.cmo_id, r.cmo_name, &r.cmo_kind)?,
        sponsor: org_ref(&r.sponsor_id, r.sponsor_name, &r.sponsor_kind)?,
        on_time_in_full: input.on_time_in_full(),
        outcome: input.outcome(today),
        input,
        row_version: r.row_version,
        actions: Vec::new(),
    })
}

/// One delivery as it stands on `today`.
pub async fn get(conn: &mut AnyConnection, id: DeliveryId, today: NaiveDate) -> anyhow::Result<Option<DeliveryView>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE v.id = $1")).bind(id.to_string()).fetch_optional(conn).await?;
    row.map(|r| view(r, today)).transpose()
}

/// The deliveries of `viewer`'s partnerships, narrowed by promised date, newest promise first, before the rule is
/// asked; and whether more than [`LIST_LIMIT`] matched.
pub async fn of_party(
    conn: &mut AnyConnection,
    viewer: OrgId,
    narrowing: &Narrowing,
    today: NaiveDate,
) -> anyhow::Result<(Vec<DeliveryView>, bool)> {
    let (clause, values) = narrowing.clause(viewer, &Columns { alias: "v", date: "v.promised_on", site: None });
    let sql = format!("{SELECT} {clause} ORDER BY v.promised_on DESC, v.reference DESC LIMIT {}", LIST_LIMIT + 1);
    let mut query = sqlx::query_as::<_, Row>(&sql);
    for value in values {
        query = query.bind(value);
    }
    let rows: Vec<Row> = query.fetch_all(conn).await?;
    let truncated = rows.len() > usize::try_from(LIST_LIMIT).unwrap_or(usize::MAX);
    let items = rows
        .into_iter()
        .take(usize::try_from(LIST_LIMIT).unwrap_or(usize::MAX))
        .map(|r| view(r, today))
        .collect::<anyhow::Result<_>>()?;
    Ok((items, truncated))
}

/// Whether `cmo` already has a delivery for `reference` (other than `except`).
pub async fn reference_taken(
    conn: &mut AnyConnection,
    cmo: OrgId,
    reference: &str,
    except: Option<DeliveryId>,
) -> anyhow::Result<bool> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM deliveries WHERE cmo_org_id = $1 AND reference = $2 AND id <> $3")
            .bind(cmo.to_string())
            .bind(reference.trim())
            .bind(except.map(|e| e.to_string()).unwrap_or_default())
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

fn on_time_in_full(input: &DeliveryInput) -> Option<i64> {
    input.on_time_in_full().map(i64::from)
}

/// Records a new delivery of `cmo` to `sponsor`.
pub async fn insert(
    conn: &mut AnyConnection,
    id: DeliveryId,
    input: &DeliveryInput,
    (sponsor, cmo): (OrgId, OrgId),
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO deliveries (id, reference, product_id, sponsor_org_id, cmo_org_id, promised_on, \
         promised_quantity, unit, delivered_on, delivered_quantity, on_time_in_full, row_version, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12)",
    )
    .bind(id.to_string())
    .bind(input.reference.trim().to_owned())
    .bind(input.product.to_string())
    .bind(sponsor.to_string())
    .bind(cmo.to_string())
    .bind(input.promised_on.to_string())
    .bind(input.promised_quantity.to_string())
    .bind(input.unit.trim().to_owned())
    .bind(input.delivered_on.map(|d| d.to_string()))
    .bind(input.delivered_quantity.map(|q| q.to_string()))
    .bind(on_time_in_full(input))
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces a delivery's values (its product stays) and bumps its version.
pub async fn update(
    conn: &mut AnyConnection,
    id: DeliveryId,
    input: &DeliveryInput,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE deliveries SET reference = $2, promised_on = $3, promised_quantity = $4, unit = $5, \
         delivered_on = $6, delivered_quantity = $7, on_time_in_full = $8, row_version = row_version + 1, \
         updated_at = $9 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(input.reference.trim().to_owned())
    .bind(input.promised_on.to_string())
    .bind(input.promised_quantity.to_string())
    .bind(input.unit.trim().to_owned())
    .bind(input.delivered_on.map(|d| d.to_string()))
    .bind(input.delivered_quantity.map(|q| q.to_string()))
    .bind(on_time_in_full(input))
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}
