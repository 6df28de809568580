//! Technology transfers.

use super::parse_column;
use crate::clock;
use baton_domain::deliverable::PersonRef;
use baton_domain::ids::{OrgId, ProductId, SiteId, TransferId, UserId};
use baton_domain::org::{OrgRef, SiteRef};
use baton_domain::stage::StageProgress;
use baton_domain::transfer::{TeamMember, TransferDetail, TransferSummary};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AnyConnection, AnyPool, FromRow};

/// A transfer's overview, with where it stands: its first stage whose gate is open (or its last, once all passed).
const DETAIL_QUERY: &str = "SELECT t.id, t.code, pr.id AS product_id, pr.name AS product, pr.form AS product_form, \
     cur.number AS stage_number, cur.name AS stage_name, cur.planned_end AS stage_planned_end, \
     (SELECT COUNT(*) FROM transfer_stages c WHERE c.transfer_id = t.id) AS stage_count, \
     (SELECT COUNT(*) FROM transfer_stages o WHERE o.transfer_id = t.id AND o.gate_state = 'open') AS open_count, \
     t.started_on, \
     t.target_completion, t.updated_at, \
     so.id AS sponsor_id, so.name AS sponsor_name, so.kind AS sponsor_kind, \
     co.id AS cmo_id, co.name AS cmo_name, co.kind AS cmo_kind, \
     ss.id AS send_id, ss.name AS send_name, ss.location AS send_location, \
     sso.id AS send_org_id, sso.name AS send_org_name, sso.kind AS send_org_kind, \
     rs.id AS recv_id, rs.name AS recv_name, rs.location AS recv_location, \
     rso.id AS recv_org_id, rso.name AS recv_org_name, rso.kind AS recv_org_kind \
     FROM transfers t \
     JOIN products pr ON pr.id = t.product_id \
     JOIN organisations so ON so.id = t.sponsor_org_id \
     JOIN organisations co ON co.id = t.cmo_org_id \
     JOIN sites ss ON ss.id = t.sending_site_id \
     JOIN organisations sso ON sso.id = ss.organisation_id \
     JOIN sites rs ON rs.id = t.receiving_site_id \
     JOIN organisations rso ON rso.id = rs.organisation_id \
     LEFT JOIN transfer_stages cur ON cur.transfer_id = t.id AND cur.number = COALESCE( \
         (SELECT MIN(f.number) FROM transfer_stages f WHERE f.transfer_id = t.id AND f.gate_state = 'open'), \
         (SELECT MAX(l.number) FROM transfer_stages l WHERE l.transfer_id = t.id))";

#[derive(FromRow)]
struct DetailRow {
    id: String,
    code: String,
    product_id: String,
    product: String,
    product_form: String,
    stage_number: Option<i64>,
    stage_name: Option<String>,
    stage_planned_end: Option<String>,
    stage_count: i64,
    open_count: i64,
    started_on: String,
    target_completion: String,
    updated_at: String,
    sponsor_id: String,
    sponsor_name: String,
    sponsor_kind: String,
    cmo_id: String,
    cmo_name: String,
    cmo_kind: String,
    send_id: String,
    send_name: String,
    send_location: String,
    send_org_id: String,
    send_org_name: String,
    send_org_kind: String,
    recv_id: String,
    recv_name: String,
    recv_location: String,
    recv_org_id: String,
    recv_org_name: String,
    recv_org_kind: String,
}

fn org(id: &str, name: String, kind: &str) -> anyhow::Result<OrgRef> {
    Ok(OrgRef { id: parse_column(id, "organisations.id")?, name, kind: parse_column(kind, "organisations.kind")? })
}

impl TryFrom<DetailRow> for TransferDetail {
    type Error = anyhow::Error;
    fn try_from(r: DetailRow) -> anyhow::Result<Self> {
        Ok(TransferDetail {
            id: parse_column(&r.id, "transfers.id")?,
            code: r.code,
            product: r.product,
            product_id: parse_column(&r.product_id, "transfers.product_id")?,
            product_form: r.product_form,
            sending_site: SiteRef {
                id: parse_column(&r.send_id, "sites.id")?,
                name: r.send_name,
                location: r.send_location,
                organisation: org(&r.send_org_id, r.send_org_name, &r.send_org_kind)?,
            },
            receiving_site: SiteRef {
                id: parse_column(&r.recv_id, "sites.id")?,
                name: r.recv_name,
                location: r.recv_location,
                organisation: org(&r.recv_org_id, r.recv_org_name, &r.recv_org_kind)?,
            },
            sponsor: org(&r.sponsor_id, r.sponsor_name, &r.sponsor_kind)?,
            cmo: org(&r.cmo_id, r.cmo_name, &r.cmo_kind)?,
            stage: StageProgress {
                number: r.stage_number.unwrap_or_default(),
                name: r.stage_name.unwrap_or_default(),
                count: r.stage_count,
                closed: r.stage_count > 0 && r.open_count == 0,
                planned_end: r.stage_planned_end.as_deref().map(clock::date_from_db).transpose()?,
            },
            team: Vec::new(),
            started_on: clock::date_from_db(&r.started_on)?,
            target_completion: clock::date_from_db(&r.target_completion)?,
            updated_at: clock::from_db(&r.updated_at)?,
            actions: Vec::new(),
        })
    }
}

/// One transfer with everything its page shows, whoever may see it; the caller applies the access rule.
pub async fn get(conn: &mut AnyConnection, id: TransferId) -> anyhow::Result<Option<TransferDetail>> {
    let row: Option<DetailRow> = sqlx::query_as(&format!("{DETAIL_QUERY} WHERE t.id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(mut detail) = row.map(TransferDetail::try_from).transpose()? else { return Ok(None) };
    detail.team = team(conn, id).await?;
    Ok(Some(detail))
}

async fn team(conn: &mut AnyConnection, id: TransferId) -> anyhow::Result<Vec<TeamMember>> {
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT u.id, u.display_name, u.organisation_id, u.role, m.responsibility FROM transfer_team m \
         JOIN users u ON u.id = m.user_id WHERE m.transfer_id = $1 ORDER BY u.organisation_id, u.display_name",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, name, org, role, responsibility)| {
            Ok(TeamMember {
                person: PersonRef {
                    id: parse_column(&id, "users.id")?,
                    name,
                    organisation: parse_column(&org, "users.organisation_id")?,
                },
                role: parse_column(&role, "users.role")?,
                responsibility,
            })
        })
        .collect()
}

/// Adds a person to a transfer's team.
pub async fn add_member(
    conn: &mut AnyConnection,
    transfer: TransferId,
    user: UserId,
    responsibility: &str,
) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO transfer_team (transfer_id, user_id, responsibility) VALUES ($1, $2, $3)")
        .bind(transfer.to_string())
        .bind(user.to_string())
        .bind(responsibility.trim())
        .execute(conn)
        .await?;
    Ok(())
}

/// The next free code for a transfer started in `year`: "TT-2026-008" after "TT-2026-007".
pub async fn next_code(conn: &mut AnyConnection, year: i32) -> anyhow::Result<String> {
    let prefix = format!("TT-{year}-");
    let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM transfers WHERE code LIKE $1")
        .bind(format!("{prefix}%"))
        .fetch_all(conn)
        .await?;
    let last = codes.iter().filter_map(|c| c.strip_prefix(&prefix)?.parse::<u32>().ok()).max().unwrap_or(0);
    Ok(format!("{prefix}{:03}", last + 1))
}

/// The transfers whose overview `viewer` may read at `now`: the SQL form of `access::decide` for reading
/// transfers (the sponsor's own, and the CMO's where an agreement in force covers them).
pub async fn list_readable(pool: &AnyPool, viewer: OrgId, now: DateTime<Utc>) -> anyhow::Result<Vec<TransferSummary>> {
    let rows: Vec<DetailRow> = sqlx::query_as(&format!(
        "{DETAIL_QUERY} WHERE t.sponsor_org_id = $1 OR (t.cmo_org_id = $1 AND {}) ORDER BY t.target_completion, t.code",
        super::agreements::COVERS_TRANSFER_SQL
    ))
    .bind(viewer.to_string())
    .bind(clock::to_db(now))
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let detail = TransferDetail::try_from(row)?;
            let owner = detail.sponsor.id;
            let partner = if detail.sponsor.id == viewer { detail.cmo } else { detail.sponsor };
            Ok(TransferSummary {
                id: detail.id,
                code: detail.code,
                product: detail.product,
                partner,
                owner,
                stage: detail.stage,
                target_completion: detail.target_completion,
            })
        })
        .collect()
}

/// A transfer to be added.
pub struct NewTransfer<'a> {
    /// Its id.
    pub id: TransferId,
    /// Short reference.
    pub code: &'a str,
    /// The product.
    pub product: ProductId,
    /// Brand owner.
    pub sponsor: OrgId,
    /// Contract manufacturer.
    pub cmo: OrgId,
    /// Sending unit.
    pub sending_site: SiteId,
    /// Receiving unit.
    pub receiving_site: SiteId,
    /// Start date.
    pub started_on: NaiveDate,
    /// Target completion date.
    pub target_completion: NaiveDate,
}

/// Adds a transfer; true if it was added, false if one with that id exists.
pub async fn insert(conn: &mut AnyConnection, t: &NewTransfer<'_>, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO transfers (id, code, product_id, sponsor_org_id, cmo_org_id, sending_site_id, \
         receiving_site_id, started_on, target_completion, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING",
    )
    .bind(t.id.to_string())
    .bind(t.code)
    .bind(t.product.to_string())
    .bind(t.sponsor.to_string())
    .bind(t.cmo.to_string())
    .bind(t.sending_site.to_string())
    .bind(t.receiving_site.to_string())
    .bind(t.started_on.format("%Y-%m-%d").to_string())
    .bind(t.target_completion.format("%Y-%m-%d").to_string())
    .bind(clock::to_db(now))
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
