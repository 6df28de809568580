//! CAPAs and the deviations they answer.

use super::batches::org_ref;
use super::narrowing::{Columns, Narrowing};
use super::parse_column;
use crate::clock;
use baton_domain::batch::{DeviationRef, ProductRef, TransferRef};
use baton_domain::capa::{CapaAction, CapaInput, CapaSummary, CapaView, KpiTrigger};
use baton_domain::deviation::CapaRef;
use baton_domain::ids::{CapaId, DeviationId, OrgId};
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, FromRow};

/// The columns of a CAPA with the names it is shown with.
const SELECT: &str = "SELECT k.id, k.number, k.product_id, k.transfer_id, k.title, k.description, k.due_on, \
     k.kpi_json, k.actions_json, k.effectiveness_check, k.opened_at, k.closed_at, k.row_version, \
     o.id AS owner_id, o.name AS owner_name, o.kind AS owner_kind, \
     sp.id AS sponsor_id, sp.name AS sponsor_name, sp.kind AS sponsor_kind, \
     c.id AS cmo_id, c.name AS cmo_name, c.kind AS cmo_kind, \
     p.name AS product_name, t.code AS transfer_code, \
     (SELECT COUNT(*) FROM capa_deviations l WHERE l.capa_id = k.id) AS deviation_count \
     FROM capas k JOIN organisations o ON o.id = k.owner_org_id \
     JOIN organisations sp ON sp.id = k.sponsor_org_id JOIN organisations c ON c.id = k.cmo_org_id \
     JOIN products p ON p.id = k.product_id LEFT JOIN transfers t ON t.id = k.transfer_id";

#[derive(FromRow)]
struct Row {
    id: String,
    number: String,
    product_id: String,
    transfer_id: Option<String>,
    title: String,
    description: String,
    due_on: String,
    kpi_json: Option<String>,
    actions_json: String,
    effectiveness_check: String,
    opened_at: String,
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
    product_name: String,
    transfer_code: Option<String>,
    deviation_count: i64,
}

/// A CAPA as stored, before its deviations and signatures are attached.
pub struct Stored {
    /// The view, with no deviations (in the input or as references), signature or actions yet.
    pub view: CapaView,
    /// How many deviations it answers.
    pub deviation_count: u32,
}

impl TryFrom<Row> for Stored {
    type Error = anyhow::Error;
    fn try_from(r: Row) -> anyhow::Result<Self> {
        let owner = org_ref(&r.owner_id, r.owner_name, &r.owner_kind)?;
        let sponsor = org_ref(&r.sponsor_id, r.sponsor_name, &r.sponsor_kind)?;
        let cmo = org_ref(&r.cmo_id, r.cmo_name, &r.cmo_kind)?;
        // The partner is the other party, from the owner's side.
        let partner = if owner.id == sponsor.id { cmo.id } else { sponsor.id };
        let kpi: Option<KpiTrigger> = r.kpi_json.as_deref().map(serde_json::from_str).transpose()?;
        let actions: Vec<CapaAction> = serde_json::from_str(&r.actions_json)?;
        let input = CapaInput {
            title: r.title,
            description: r.description,
            product: parse_column(&r.product_id, "capas.product_id")?,
            partner,
            transfer: r.transfer_id.as_deref().map(|t| parse_column(t, "capas.transfer_id")).transpose()?,
            deviations: Vec::new(),
            kpi,
            due_on: clock::date_from_db(&r.due_on)?,
            actions,
            effectiveness_check: r.effectiveness_check,
        };
        let closed_at = r.closed_at.as_deref().map(clock::from_db).transpose()?;
        let view = CapaView {
            id: parse_column(&r.id, "capas.id")?,
            number: r.number,
            product: ProductRef { id: input.product, name: r.product_name },
            transfer: input.transfer.zip(r.transfer_code).map(|(id, code)| TransferRef { id, code }),
            owner,
            sponsor,
            cmo,
            deviations: Vec::new(),
            opened_at: clock::from_db(&r.opened_at)?,
            closure: None,
            closed_on_time: closed_at.map(|at| at.date_naive() <= input.due_on),
            closed_at,
            content_hash: String::new(),
            row_version: r.row_version,
            actions: Vec::new(),
            input,
        };
        Ok(Stored { view, deviation_count: u32::try_from(r.deviation_count).unwrap_or(u32::MAX) })
    }
}

impl Stored {
    /// The CAPA as a list shows it.
    pub fn summary(&self) -> CapaSummary {
        let v = &self.view;
        CapaSummary {
            id: v.id,
            number: v.number.clone(),
            title: v.input.title.clone(),
            product: v.product.name.clone(),
            owner: v.owner.clone(),
            due_on: v.input.due_on,
            open_actions: u32::try_from(v.input.actions.iter().filter(|a| !a.done).count()).unwrap_or(u32::MAX),
            deviations: self.deviation_count,
            closed: v.closed_at.is_some(),
        }
    }
}

/// One CAPA, without its deviations and signature.
pub async fn get(conn: &mut AnyConnection, id: CapaId) -> anyhow::Result<Option<Stored>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE k.id = $1")).bind(id.to_string()).fetch_optional(conn).await?;
    row.map(Stored::try_from).transpose()
}

/// Most CAPAs a list returns.
pub const LIST_LIMIT: i64 = 500;

/// The site a CAPA counts at in the KPIs: that of its first linked deviation (a CAPA records no site of its own).
pub const CAPA_SITE: &str = "COALESCE((SELECT MIN(d.site_id) FROM capa_deviations x JOIN deviations d \
     ON d.id = x.deviation_id WHERE x.capa_id = k.id), '00000000-0000-0000-0000-000000000000')";

/// The CAPAs of partnerships `viewer` is party to, narrowed by due date, newest first: the caller filters them by
/// the rule. True when more matched than were returned.
pub async fn of_party(
    conn: &mut AnyConnection,
    viewer: OrgId,
    narrowing: &Narrowing,
) -> anyhow::Result<(Vec<Stored>, bool)> {
    let (clause, values) = narrowing.clause(viewer, &Columns { alias: "k", date: "k.due_on", site: Some(CAPA_SITE) });
    let sql = format!("{SELECT} {clause} ORDER BY k.opened_at DESC, k.number DESC LIMIT {}", LIST_LIMIT + 1);
    let mut query = sqlx::query_as::<_, Row>(&sql);
    for value in values {
        query = query.bind(value);
    }
    let rows: Vec<Row> = query.fetch_all(conn).await?;
    let limit = usize::try_from(LIST_LIMIT).unwrap_or(usize::MAX);
    let truncated = rows.len() > limit;
    let items = rows.into_iter().take(limit).map(Stored::try_from).collect::<anyhow::Result<_>>()?;
    Ok((items, truncated))
}

#[derive(FromRow)]
struct DeviationRow {
    id: String,
    number: String,
    title: String,
    classification: String,
    status: String,
}

/// The deviations a CAPA answers, oldest first.
pub async fn deviations(conn: &mut AnyConnection, capa: CapaId) -> anyhow::Result<Vec<DeviationRef>> {
    let rows: Vec<DeviationRow> = sqlx::query_as(
        "SELECT d.id, d.number, d.title, d.classification, d.status FROM capa_deviations l \
         JOIN deviations d ON d.id = l.deviation_id WHERE l.capa_id = $1 ORDER BY d.opened_at, d.id",
    )
    .bind(capa.to_string())
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

#[derive(FromRow)]
struct CapaRow {
    id: String,
    number: String,
    title: String,
    closed_at: Option<String>,
}

/// The CAPAs answering a deviation, oldest first.
pub async fn of_deviation(conn: &mut AnyConnection, deviation: DeviationId) -> anyhow::Result<Vec<CapaRef>> {
    let rows: Vec<CapaRow> = sqlx::query_as(
        "SELECT k.id, k.number, k.title, k.closed_at FROM capa_deviations l JOIN capas k ON k.id = l.capa_id \
         WHERE l.deviation_id = $1 ORDER BY k.opened_at, k.id",
    )
    .bind(deviation.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(CapaRef {
                id: parse_column(&r.id, "capas.id")?,
                number: r.number,
                title: r.title,
                closed: r.closed_at.is_some(),
            })
        })
        .collect()
}

/// A CAPA to record: its values and the facts settled when it was raised.
pub struct NewCapa<'a> {
    /// Its id.
    pub id: CapaId,
    /// Its number.
    pub number: &'a str,
    /// As written (title trimmed).
    pub input: &'a CapaInput,
    /// Who raised it, whose record it is.
    pub owner: OrgId,
    /// The partnership's sponsor.
    pub sponsor: OrgId,
    /// The partnership's CMO.
    pub cmo: OrgId,
}

/// Records a new, open CAPA (its deviations are linked with [`link`]).
pub async fn insert(conn: &mut AnyConnection, new: &NewCapa<'_>, now: DateTime<Utc>) -> anyhow::Result<()> {
    let input = new.input;
    sqlx::query(
        "INSERT INTO capas (id, number, owner_org_id, sponsor_org_id, cmo_org_id, product_id, transfer_id, title, \
         description, due_on, kpi_json, actions_json, effectiveness_check, opened_at, closed_at, row_version, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, 1, $14, $14)",
    )
    .bind(new.id.to_string())
    .bind(new.number.to_owned())
    .bind(new.owner.to_string())
    .bind(new.sponsor.to_string())
    .bind(new.cmo.to_string())
    .bind(input.product.to_string())
    .bind(input.transfer.map(|t| t.to_string()))
    .bind(input.title.clone())
    .bind(input.description.clone())
    .bind(input.due_on.to_string())
    .bind(input.kpi.as_ref().map(serde_json::to_string).transpose()?)
    .bind(serde_json::to_string(&input.actions)?)
    .bind(input.effectiveness_check.clone())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces a CAPA's written values (not its product, parties or transfer) and bumps its version.
pub async fn update(conn: &mut AnyConnection, id: CapaId, input: &CapaInput, now: DateTime<Utc>) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE capas SET title = $2, description = $3, due_on = $4, kpi_json = $5, actions_json = $6, \
         effectiveness_check = $7, row_version = row_version + 1, updated_at = $8 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(input.title.clone())
    .bind(input.description.clone())
    .bind(input.due_on.to_string())
    .bind(input.kpi.as_ref().map(serde_json::to_string).transpose()?)
    .bind(serde_json::to_string(&input.actions)?)
    .bind(input.effectiveness_check.clone())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Links a CAPA to a deviation it answers. Links are never removed.
pub async fn link(conn: &mut AnyConnection, capa: CapaId, deviation: DeviationId) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO capa_deviations (capa_id, deviation_id) VALUES ($1, $2)")
        .bind(capa.to_string())
        .bind(deviation.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Closes a CAPA (its signature is recorded beside it).
pub async fn close(conn: &mut AnyConnection, id: CapaId, now: DateTime<Utc>) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE capas SET closed_at = $2, row_version = row_version + 1, updated_at = $2 \
         WHERE id = $1 AND closed_at IS NULL",
    )
    .bind(id.to_string())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}
