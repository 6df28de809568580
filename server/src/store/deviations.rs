//! Deviations: raised by either party of a partnership, investigated, closed by the owner's QA.

use super::batches::org_ref;
use super::narrowing::{Columns, Narrowing};
use super::parse_column;
use crate::clock;
use baton_domain::batch::{ProductRef, TransferRef};
use baton_domain::deviation::{DeviationInput, DeviationInvestigation, DeviationStatus, DeviationView};
use baton_domain::ids::{DeviationId, OrgId, UserId};
use baton_domain::org::SiteRef;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AnyConnection, FromRow};

/// The columns of a deviation with the names it is shown with.
const SELECT: &str = "SELECT d.id, d.number, d.site_id, d.product_id, d.batch_id, d.transfer_id, d.title, \
     d.description, d.location, d.occurred_at, d.classification, d.status, d.opened_at, d.due_on, d.investigation, \
     d.impact, d.root_cause, d.closed_at, d.row_version, \
     o.id AS owner_id, o.name AS owner_name, o.kind AS owner_kind, \
     sp.id AS sponsor_id, sp.name AS sponsor_name, sp.kind AS sponsor_kind, \
     c.id AS cmo_id, c.name AS cmo_name, c.kind AS cmo_kind, \
     s.name AS site_name, s.location AS site_location, \
     so.id AS site_org_id, so.name AS site_org_name, so.kind AS site_org_kind, \
     p.name AS product_name, b.number AS batch_number, t.code AS transfer_code, u.display_name AS raised_by \
     FROM deviations d JOIN organisations o ON o.id = d.owner_org_id \
     JOIN organisations sp ON sp.id = d.sponsor_org_id JOIN organisations c ON c.id = d.cmo_org_id \
     JOIN sites s ON s.id = d.site_id JOIN organisations so ON so.id = s.organisation_id \
     JOIN products p ON p.id = d.product_id JOIN users u ON u.id = d.raised_by \
     LEFT JOIN batches b ON b.id = d.batch_id LEFT JOIN transfers t ON t.id = d.transfer_id";

#[derive(FromRow)]
struct Row {
    id: String,
    number: String,
    site_id: String,
    product_id: String,
    batch_id: Option<String>,
    transfer_id: Option<String>,
    title: String,
    description: String,
    location: String,
    occurred_at: String,
    classification: String,
    status: String,
    opened_at: String,
    due_on: String,
    investigation: String,
    impact: String,
    root_cause: Option<String>,
    closed_at: Option<String>,
    row_version: i64,
    owner_id: String,
    owner_name: String,
    owner_kind: String,
    sponsor_id: String,
    sponsor_name: String,
    sponsor_kind: String,
    cmo_id: String,
    cmo_name: String,
    cmo_kind: String,
    site_name: String,
    site_location: String,
    site_org_id: String,
    site_org_name: String,
    site_org_kind: String,
    product_name: String,
    batch_number: Option<String>,
    transfer_code: Option<String>,
    raised_by: String,
}

impl TryFrom<Row> for DeviationView {
    type Error = anyhow::Error;
    fn try_from(r: Row) -> anyhow::Result<Self> {
        let input = DeviationInput {
            title: r.title,
            description: r.description,
            location: r.location,
            occurred_at: clock::from_db(&r.occurred_at)?,
            classification: parse_column(&r.classification, "deviations.classification")?,
            site: parse_column(&r.site_id, "deviations.site_id")?,
            product: parse_column(&r.product_id, "deviations.product_id")?,
            batch: r.batch_id.as_deref().map(|b| parse_column(b, "deviations.batch_id")).transpose()?,
            transfer: r.transfer_id.as_deref().map(|t| parse_column(t, "deviations.transfer_id")).transpose()?,
        };
        let due_on = clock::date_from_db(&r.due_on)?;
        let closed_at = r.closed_at.as_deref().map(clock::from_db).transpose()?;
        Ok(DeviationView {
            id: parse_column(&r.id, "deviations.id")?,
            number: r.number,
            status: parse_column(&r.status, "deviations.status")?,
            site: SiteRef {
                id: input.site,
                name: r.site_name,
                location: r.site_location,
                organisation: org_ref(&r.site_org_id, r.site_org_name, &r.site_org_kind)?,
            },
            product: ProductRef { id: input.product, name: r.product_name },
            batch_number: r.batch_number,
            transfer: input.transfer.zip(r.transfer_code).map(|(id, code)| TransferRef { id, code }),
            owner: org_ref(&r.owner_id, r.owner_name, &r.owner_kind)?,
            sponsor: org_ref(&r.sponsor_id, r.sponsor_name, &r.sponsor_kind)?,
            cmo: org_ref(&r.cmo_id, r.cmo_name, &r.cmo_kind)?,
            raised_by: r.raised_by,
            opened_at: clock::from_db(&r.opened_at)?,
            due_on,
            investigation: r.investigation,
            impact: r.impact,
            root_cause: r.root_cause.as_deref().map(|c| parse_column(c, "deviations.root_cause")).transpose()?,
            closure: None,
            closed_in_time: closed_at.map(|at| at.date_naive() <= due_on),
            closed_at,
            capas: Vec::new(),
            content_hash: String::new(),
            row_version: r.row_version,
            actions: Vec::new(),
            input,
        })
    }
}

/// One deviation, without its CAPAs and closure signature.
pub async fn get(conn: &mut AnyConnection, id: DeviationId) -> anyhow::Result<Option<DeviationView>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE d.id = $1")).bind(id.to_string()).fetch_optional(conn).await?;
    row.map(DeviationView::try_from).transpose()
}

/// Most deviations a list returns.
pub const LIST_LIMIT: i64 = 500;

/// The deviations of partnerships `viewer` is party to, narrowed (by opening, or with `closed` by closure), newest
/// first (without CAPAs or signatures): the caller filters them by the rule. True when more matched than were
/// returned.
pub async fn of_party(
    conn: &mut AnyConnection,
    viewer: OrgId,
    narrowing: &Narrowing,
    closed: bool,
) -> anyhow::Result<(Vec<DeviationView>, bool)> {
    let date = if closed { "d.closed_at" } else { "d.opened_at" };
    let (clause, values) = narrowing.clause(viewer, &Columns { alias: "d", date, site: Some("d.site_id") });
    let sql = format!("{SELECT} {clause} ORDER BY d.opened_at DESC, d.number DESC LIMIT {}", LIST_LIMIT + 1);
    let mut query = sqlx::query_as::<_, Row>(&sql);
    for value in values {
        query = query.bind(value);
    }
    let rows: Vec<Row> = query.fetch_all(conn).await?;
    let limit = usize::try_from(LIST_LIMIT).unwrap_or(usize::MAX);
    let truncated = rows.len() > limit;
    let items = rows.into_iter().take(limit).map(DeviationView::try_from).collect::<anyhow::Result<_>>()?;
    Ok((items, truncated))
}

/// A deviation to record: its values and the facts settled when it was raised.
pub struct NewDeviation<'a> {
    /// Its id.
    pub id: DeviationId,
    /// Its number.
    pub number: &'a str,
    /// As reported (title trimmed).
    pub input: &'a DeviationInput,
    /// Who raised it, whose record it is.
    pub owner: OrgId,
    /// The partnership's sponsor.
    pub sponsor: OrgId,
    /// The partnership's CMO.
    pub cmo: OrgId,
    /// When closure is due.
    pub due_on: NaiveDate,
    /// Who reported it.
    pub raised_by: UserId,
    /// When it was reported.
    pub opened_at: DateTime<Utc>,
}

/// Records a new, open deviation.
pub async fn insert(conn: &mut AnyConnection, new: &NewDeviation<'_>, now: DateTime<Utc>) -> anyhow::Result<()> {
    let input = new.input;
    sqlx::query(
        "INSERT INTO deviations (id, number, owner_org_id, sponsor_org_id, cmo_org_id, site_id, product_id, \
         batch_id, transfer_id, title, description, location, occurred_at, classification, status, opened_at, \
         due_on, investigation, impact, root_cause, closed_at, raised_by, row_version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, '', '', NULL, NULL, \
         $18, 1, $19, $19)",
    )
    .bind(new.id.to_string())
    .bind(new.number.to_owned())
    .bind(new.owner.to_string())
    .bind(new.sponsor.to_string())
    .bind(new.cmo.to_string())
    .bind(input.site.to_string())
    .bind(input.product.to_string())
    .bind(input.batch.map(|b| b.to_string()))
    .bind(input.transfer.map(|t| t.to_string()))
    .bind(input.title.clone())
    .bind(input.description.clone())
    .bind(input.location.clone())
    .bind(clock::to_db(input.occurred_at))
    .bind(input.classification.as_str())
    .bind(DeviationStatus::Open.as_str())
    .bind(clock::to_db(new.opened_at))
    .bind(new.due_on.to_string())
    .bind(new.raised_by.to_string())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the investigation as it stands; the deviation is then under investigation.
pub async fn investigate(
    conn: &mut AnyConnection,
    id: DeviationId,
    change: &DeviationInvestigation,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE deviations SET classification = $2, investigation = $3, impact = $4, root_cause = $5, status = $6, \
         row_version = row_version + 1, updated_at = $7 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(change.classification.as_str())
    .bind(change.investigation.clone())
    .bind(change.impact.clone())
    .bind(change.root_cause.map(|c| c.as_str()))
    .bind(DeviationStatus::Investigation.as_str())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Closes a deviation (its signature is recorded beside it).
pub async fn close(conn: &mut AnyConnection, id: DeviationId, now: DateTime<Utc>) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE deviations SET status = $2, closed_at = $3, row_version = row_version + 1, updated_at = $3 \
         WHERE id = $1 AND status <> $2",
    )
    .bind(id.to_string())
    .bind(DeviationStatus::Closed.as_str())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}
