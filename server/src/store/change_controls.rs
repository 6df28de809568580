//! Change controls: raised by either party of a partnership, assessed by both, decided by the accountable party's
//! QA, implemented and closed by the raiser.

use super::batches::org_ref;
use super::parse_column;
use crate::clock;
use baton_domain::batch::{ProductRef, TransferRef};
use baton_domain::change_control::{
    ChangeControlAssessment, ChangeControlImplementation, ChangeControlInput, ChangeControlSetup, ChangeControlStatus,
    ChangeControlView, ChangeDecision, ImpactAssessment, Implementation, PartnershipOption, RiskLevel, TransferOption,
};
use baton_domain::ids::{ChangeControlId, OrgId, PartnershipId, UserId};
use baton_domain::org::{OrgRef, SiteRef, UserProfile};
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, FromRow};
use std::collections::HashMap;

/// The columns of a change control with the names it is shown with.
const SELECT: &str = "SELECT c.id, c.number, c.partnership_id, c.product_id, c.transfer_id, c.site_id, c.change_type, \
     c.title, c.description, c.justification, c.proposed_implementation, c.status, c.raised_at, c.decision, \
     c.decision_reason, c.implemented_on, c.implementation_note, c.implemented_at, c.effectiveness, c.row_version, \
     o.id AS owner_id, o.name AS owner_name, o.kind AS owner_kind, \
     sp.id AS sponsor_id, sp.name AS sponsor_name, sp.kind AS sponsor_kind, \
     cm.id AS cmo_id, cm.name AS cmo_name, cm.kind AS cmo_kind, \
     p.name AS product_name, t.code AS transfer_code, \
     s.name AS site_name, s.location AS site_location, \
     so.id AS site_org_id, so.name AS site_org_name, so.kind AS site_org_kind, \
     u.display_name AS raised_by, iu.display_name AS implemented_by \
     FROM change_controls c JOIN organisations o ON o.id = c.owner_org_id \
     JOIN organisations sp ON sp.id = c.sponsor_org_id JOIN organisations cm ON cm.id = c.cmo_org_id \
     JOIN products p ON p.id = c.product_id JOIN users u ON u.id = c.raised_by \
     LEFT JOIN transfers t ON t.id = c.transfer_id LEFT JOIN sites s ON s.id = c.site_id \
     LEFT JOIN organisations so ON so.id = s.organisation_id LEFT JOIN users iu ON iu.id = c.implemented_by";

#[derive(FromRow)]
struct Row {
    id: String,
    number: String,
    partnership_id: String,
    product_id: String,
    transfer_id: Option<String>,
    site_id: Option<String>,
    change_type: String,
    title: String,
    description: String,
    justification: String,
    proposed_implementation: String,
    status: String,
    raised_at: String,
    decision: Option<String>,
    decision_reason: String,
    implemented_on: Option<String>,
    implementation_note: String,
    implemented_at: Option<String>,
    effectiveness: String,
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
    site_name: Option<String>,
    site_location: Option<String>,
    site_org_id: Option<String>,
    site_org_name: Option<String>,
    site_org_kind: Option<String>,
    raised_by: String,
    implemented_by: Option<String>,
}

/// A change control as stored, before its assessments, approver and signatures are attached.
pub struct Stored {
    /// The view, with no assessments, decision, closure or actions, and an empty content hash.
    pub view: ChangeControlView,
    /// The decision and its reason, once decided.
    pub decision: Option<(ChangeDecision, String)>,
    /// The evaluation recorded at closure (empty before).
    pub effectiveness: String,
}

impl TryFrom<Row> for Stored {
    type Error = anyhow::Error;
    fn try_from(r: Row) -> anyhow::Result<Self> {
        let owner = org_ref(&r.owner_id, r.owner_name, &r.owner_kind)?;
        let sponsor = org_ref(&r.sponsor_id, r.sponsor_name, &r.sponsor_kind)?;
        let cmo = org_ref(&r.cmo_id, r.cmo_name, &r.cmo_kind)?;
        let partner = if owner.id == sponsor.id { cmo.id } else { sponsor.id };
        let input = ChangeControlInput {
            partner,
            product: parse_column(&r.product_id, "change_controls.product_id")?,
            transfer: r.transfer_id.as_deref().map(|t| parse_column(t, "change_controls.transfer_id")).transpose()?,
            site: r.site_id.as_deref().map(|s| parse_column(s, "change_controls.site_id")).transpose()?,
            change_type: parse_column(&r.change_type, "change_controls.change_type")?,
            title: r.title,
            description: r.description,
            justification: r.justification,
            proposed_implementation: clock::date_from_db(&r.proposed_implementation)?,
        };
        let site = match (input.site, r.site_name, r.site_location, r.site_org_id, r.site_org_name, r.site_org_kind) {
            (Some(id), Some(name), Some(location), Some(org_id), Some(org_name), Some(org_kind)) => {
                Some(SiteRef { id, name, location, organisation: org_ref(&org_id, org_name, &org_kind)? })
            }
            _ => None,
        };
        let implementation = match (r.implemented_on, r.implemented_by, r.implemented_at) {
            (Some(on), Some(by), Some(at)) => Some(Implementation {
                implemented_on: clock::date_from_db(&on)?,
                note: r.implementation_note,
                recorded_by: by,
                recorded_at: clock::from_db(&at)?,
            }),
            _ => None,
        };
        let decision = r
            .decision
            .as_deref()
            .map(|d| parse_column::<ChangeDecision>(d, "change_controls.decision"))
            .transpose()?
            .map(|d| (d, r.decision_reason));
        Ok(Stored {
            view: ChangeControlView {
                id: parse_column(&r.id, "change_controls.id")?,
                number: r.number,
                status: parse_column(&r.status, "change_controls.status")?,
                partnership: parse_column(&r.partnership_id, "change_controls.partnership_id")?,
                product: ProductRef { id: input.product, name: r.product_name },
                transfer: input.transfer.zip(r.transfer_code).map(|(id, code)| TransferRef { id, code }),
                transfer_readable: false,
                site,
                owner,
                sponsor,
                cmo,
                raised_by: r.raised_by,
                raised_at: clock::from_db(&r.raised_at)?,
                assessments: Vec::new(),
                awaiting_assessment: Vec::new(),
                approver: baton_domain::change_control::Approver::NoQualityAgreement,
                decision: None,
                implementation,
                closure: None,
                content_hash: String::new(),
                row_version: r.row_version,
                actions: Vec::new(),
                input,
            },
            decision,
            effectiveness: r.effectiveness,
        })
    }
}

/// One change control, without its assessments, approver and signatures.
pub async fn get(conn: &mut AnyConnection, id: ChangeControlId) -> anyhow::Result<Option<Stored>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("{SELECT} WHERE c.id = $1")).bind(id.to_string()).fetch_optional(conn).await?;
    row.map(Stored::try_from).transpose()
}

/// Most change controls a list returns.
pub const LIST_LIMIT: i64 = 500;

/// The change controls of the partnerships `viewer` is party to, in `status` if one is given, newest first: the
/// caller decides each by the rule. True when more matched than were returned.
pub async fn of_party(
    conn: &mut AnyConnection,
    viewer: OrgId,
    status: Option<ChangeControlStatus>,
) -> anyhow::Result<(Vec<Stored>, bool)> {
    let filter = if status.is_some() { " AND c.status = $3" } else { "" };
    let sql = format!(
        "{SELECT} WHERE (c.sponsor_org_id = $1 OR c.cmo_org_id = $1){filter} \
         ORDER BY c.raised_at DESC, c.number DESC LIMIT $2"
    );
    let mut query = sqlx::query_as::<_, Row>(&sql).bind(viewer.to_string()).bind(LIST_LIMIT + 1);
    if let Some(status) = status {
        query = query.bind(status.as_str());
    }
    let rows = query.fetch_all(conn).await?;
    let limit = usize::try_from(LIST_LIMIT).unwrap_or(usize::MAX);
    let truncated = rows.len() > limit;
    let items = rows.into_iter().take(limit).map(Stored::try_from).collect::<anyhow::Result<_>>()?;
    Ok((items, truncated))
}

/// The highest risk assessed so far on each change control of `viewer`'s partnerships that has an assessment.
pub async fn risks_of_party(
    conn: &mut AnyConnection,
    viewer: OrgId,
) -> anyhow::Result<HashMap<ChangeControlId, RiskLevel>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.change_control_id, a.risk FROM change_control_assessments a \
         JOIN change_controls c ON c.id = a.change_control_id WHERE c.sponsor_org_id = $1 OR c.cmo_org_id = $1",
    )
    .bind(viewer.to_string())
    .fetch_all(conn)
    .await?;
    let mut highest: HashMap<ChangeControlId, RiskLevel> = HashMap::new();
    for (id, risk) in rows {
        let id = parse_column(&id, "change_control_assessments.change_control_id")?;
        let risk = parse_column::<RiskLevel>(&risk, "change_control_assessments.risk")?;
        let entry = highest.entry(id).or_insert(risk);
        *entry = (*entry).max(risk);
    }
    Ok(highest)
}

/// One partnership of `org`, (sponsor, CMO), if it has any.
pub async fn a_partnership(conn: &mut AnyConnection, org: OrgId) -> anyhow::Result<Option<(OrgId, OrgId)>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT sponsor_org_id, cmo_org_id FROM partnerships WHERE sponsor_org_id = $1 OR cmo_org_id = $1 LIMIT 1",
    )
    .bind(org.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(|(s, c)| {
        Ok((parse_column(&s, "partnerships.sponsor_org_id")?, parse_column(&c, "partnerships.cmo_org_id")?))
    })
    .transpose()
}

#[derive(FromRow)]
struct AssessmentRow {
    party_id: String,
    party_name: String,
    party_kind: String,
    product_quality: String,
    regulatory: String,
    validation_needed: i64,
    validation: String,
    documents_json: String,
    risk: String,
    assessed_by: String,
    assessed_at: String,
}

/// The parties' impact assessments of change control `id`, in no particular order.
pub async fn assessments(conn: &mut AnyConnection, id: ChangeControlId) -> anyhow::Result<Vec<ImpactAssessment>> {
    let rows: Vec<AssessmentRow> = sqlx::query_as(
        "SELECT o.id AS party_id, o.name AS party_name, o.kind AS party_kind, a.product_quality, a.regulatory, \
         a.validation_needed, a.validation, a.documents_json, a.risk, u.display_name AS assessed_by, a.assessed_at \
         FROM change_control_assessments a JOIN organisations o ON o.id = a.party_org_id \
         JOIN users u ON u.id = a.assessed_by WHERE a.change_control_id = $1",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ImpactAssessment {
                party: org_ref(&r.party_id, r.party_name, &r.party_kind)?,
                product_quality: r.product_quality,
                regulatory: parse_column(&r.regulatory, "change_control_assessments.regulatory")?,
                validation_needed: r.validation_needed != 0,
                validation: r.validation,
                affected_documents: serde_json::from_str(&r.documents_json)?,
                risk: parse_column(&r.risk, "change_control_assessments.risk")?,
                assessed_by: r.assessed_by,
                assessed_at: clock::from_db(&r.assessed_at)?,
            })
        })
        .collect()
}

/// A change control to record: its values and the facts settled when it was raised.
pub struct NewChangeControl<'a> {
    /// Its id.
    pub id: ChangeControlId,
    /// Its number.
    pub number: &'a str,
    /// As raised (title trimmed).
    pub input: &'a ChangeControlInput,
    /// Who raised it, whose record it is.
    pub owner: OrgId,
    /// The partnership.
    pub partnership: PartnershipId,
    /// The partnership's sponsor.
    pub sponsor: OrgId,
    /// The partnership's CMO.
    pub cmo: OrgId,
    /// Who raised it.
    pub raised_by: UserId,
}

/// Records a new change control, raised now and awaiting its impact assessments.
pub async fn insert(conn: &mut AnyConnection, new: &NewChangeControl<'_>, now: DateTime<Utc>) -> anyhow::Result<()> {
    let input = new.input;
    sqlx::query(
        "INSERT INTO change_controls (id, number, owner_org_id, partnership_id, sponsor_org_id, cmo_org_id, \
         product_id, transfer_id, site_id, change_type, title, description, justification, proposed_implementation, \
         status, raised_by, raised_at, decision, decision_reason, decided_at, implemented_on, implementation_note, \
         implemented_by, implemented_at, effectiveness, closed_at, row_version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, NULL, '', NULL, NULL, '', \
         NULL, NULL, '', NULL, 1, $17, $17)",
    )
    .bind(new.id.to_string())
    .bind(new.number.to_owned())
    .bind(new.owner.to_string())
    .bind(new.partnership.to_string())
    .bind(new.sponsor.to_string())
    .bind(new.cmo.to_string())
    .bind(input.product.to_string())
    .bind(input.transfer.map(|t| t.to_string()))
    .bind(input.site.map(|s| s.to_string()))
    .bind(input.change_type.as_str())
    .bind(input.title.clone())
    .bind(input.description.clone())
    .bind(input.justification.clone())
    .bind(input.proposed_implementation.to_string())
    .bind(ChangeControlStatus::Raised.as_str())
    .bind(new.raised_by.to_string())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Records `party`'s impact assessment of change control `id` by `user` (replacing its earlier one when `revises`),
/// and moves the change control to `status`.
pub async fn assess(
    conn: &mut AnyConnection,
    id: ChangeControlId,
    user: &UserProfile,
    assessment: &ChangeControlAssessment,
    (revises, status): (bool, ChangeControlStatus),
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let sql = if revises {
        "UPDATE change_control_assessments SET product_quality = $3, regulatory = $4, validation_needed = $5, \
         validation = $6, documents_json = $7, risk = $8, assessed_by = $9, assessed_at = $10 \
         WHERE change_control_id = $1 AND party_org_id = $2"
    } else {
        "INSERT INTO change_control_assessments (change_control_id, party_org_id, product_quality, regulatory, \
         validation_needed, validation, documents_json, risk, assessed_by, assessed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    };
    sqlx::query(sql)
        .bind(id.to_string())
        .bind(user.organisation.id.to_string())
        .bind(assessment.product_quality.trim().to_owned())
        .bind(assessment.regulatory.as_str())
        .bind(i64::from(assessment.validation_needed))
        .bind(if assessment.validation_needed { assessment.validation.trim().to_owned() } else { String::new() })
        .bind(serde_json::to_string(&assessment.documents())?)
        .bind(assessment.risk.as_str())
        .bind(user.id.to_string())
        .bind(clock::to_db(now))
        .execute(&mut *conn)
        .await?;
    set_status(conn, id, status, now).await
}

/// Moves change control `id` to `status`, a new version of it.
async fn set_status(
    conn: &mut AnyConnection,
    id: ChangeControlId,
    status: ChangeControlStatus,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE change_controls SET status = $2, row_version = row_version + 1, updated_at = $3 WHERE id = $1")
        .bind(id.to_string())
        .bind(status.as_str())
        .bind(clock::to_db(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the decision (its signature is recorded beside it).
pub async fn decide(
    conn: &mut AnyConnection,
    id: ChangeControlId,
    decision: ChangeDecision,
    reason: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let status = match decision {
        ChangeDecision::Approved => ChangeControlStatus::Approved,
        ChangeDecision::Rejected => ChangeControlStatus::Rejected,
    };
    sqlx::query(
        "UPDATE change_controls SET status = $2, decision = $3, decision_reason = $4, decided_at = $5, \
         row_version = row_version + 1, updated_at = $5 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(status.as_str())
    .bind(decision.as_str())
    .bind(reason.to_owned())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the implementation by `user`.
pub async fn implement(
    conn: &mut AnyConnection,
    id: ChangeControlId,
    user: UserId,
    done: &ChangeControlImplementation,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE change_controls SET status = $2, implemented_on = $3, implementation_note = $4, implemented_by = $5, \
         implemented_at = $6, row_version = row_version + 1, updated_at = $6 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(ChangeControlStatus::Implemented.as_str())
    .bind(done.implemented_on.to_string())
    .bind(done.note.trim().to_owned())
    .bind(user.to_string())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Closes change control `id` with its evaluation (its signature is recorded beside it).
pub async fn close(
    conn: &mut AnyConnection,
    id: ChangeControlId,
    effectiveness: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE change_controls SET status = $2, effectiveness = $3, closed_at = $4, row_version = row_version + 1, \
         updated_at = $4 WHERE id = $1",
    )
    .bind(id.to_string())
    .bind(ChangeControlStatus::Closed.as_str())
    .bind(effectiveness.to_owned())
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct PartnershipRow {
    id: String,
    sponsor_id: String,
    cmo_id: String,
    partner_id: String,
    partner_name: String,
    partner_kind: String,
}

/// The sponsor's products the partnership works on (transferred or made by the CMO), by name; all the sponsor's
/// products when it works on none yet.
async fn partnership_products(
    conn: &mut AnyConnection,
    sponsor: &str,
    cmo: &str,
) -> anyhow::Result<Vec<(String, String)>> {
    let worked_on: Vec<(String, String)> = sqlx::query_as(
        "SELECT p.id, p.name FROM products p WHERE p.owner_org_id = $1 AND (\
         EXISTS (SELECT 1 FROM transfers t WHERE t.product_id = p.id AND t.sponsor_org_id = $1 AND t.cmo_org_id = $2) \
         OR EXISTS (SELECT 1 FROM batches b WHERE b.product_id = p.id AND b.sponsor_org_id = $1 AND b.cmo_org_id = $2)) \
         ORDER BY p.name",
    )
    .bind(sponsor.to_owned())
    .bind(cmo.to_owned())
    .fetch_all(&mut *conn)
    .await?;
    if !worked_on.is_empty() {
        return Ok(worked_on);
    }
    Ok(sqlx::query_as("SELECT id, name FROM products WHERE owner_org_id = $1 ORDER BY name")
        .bind(sponsor.to_owned())
        .fetch_all(conn)
        .await?)
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

/// The partnerships of `org`, by partner name, each with the sponsor's products, its transfers and both parties'
/// sites.
pub async fn setup(conn: &mut AnyConnection, org: OrgId) -> anyhow::Result<ChangeControlSetup> {
    let partnerships: Vec<PartnershipRow> = sqlx::query_as(
        "SELECT p.id, p.sponsor_org_id AS sponsor_id, p.cmo_org_id AS cmo_id, o.id AS partner_id, o.name AS partner_name, \
         o.kind AS partner_kind FROM partnerships p JOIN organisations o \
         ON o.id = CASE WHEN p.sponsor_org_id = $1 THEN p.cmo_org_id ELSE p.sponsor_org_id END \
         WHERE p.sponsor_org_id = $1 OR p.cmo_org_id = $1 ORDER BY o.name",
    )
    .bind(org.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut options = Vec::with_capacity(partnerships.len());
    for p in partnerships {
        let partner: OrgRef = org_ref(&p.partner_id, p.partner_name, &p.partner_kind)?;
        let products = partnership_products(conn, &p.sponsor_id, &p.cmo_id).await?;
        let transfers: Vec<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, code, product_id FROM transfers WHERE (sponsor_org_id = $1 AND cmo_org_id = $2) \
             OR (sponsor_org_id = $2 AND cmo_org_id = $1) ORDER BY code",
        )
        .bind(org.to_string())
        .bind(partner.id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let sites: Vec<SiteRow> = sqlx::query_as(
            "SELECT s.id, s.name, s.location, o.id AS org_id, o.name AS org_name, o.kind AS org_kind \
             FROM sites s JOIN organisations o ON o.id = s.organisation_id \
             WHERE s.organisation_id = $1 OR s.organisation_id = $2 ORDER BY o.name, s.name",
        )
        .bind(org.to_string())
        .bind(partner.id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        options.push(PartnershipOption {
            partnership: parse_column(&p.id, "partnerships.id")?,
            partner,
            products: products
                .into_iter()
                .map(|(id, name)| Ok(ProductRef { id: parse_column(&id, "products.id")?, name }))
                .collect::<anyhow::Result<_>>()?,
            transfers: transfers
                .into_iter()
                .filter_map(|(id, code, product)| product.map(|product| (id, code, product)))
                .map(|(id, code, product)| {
                    Ok(TransferOption {
                        transfer: TransferRef { id: parse_column(&id, "transfers.id")?, code },
                        product: parse_column(&product, "transfers.product_id")?,
                    })
                })
                .collect::<anyhow::Result<_>>()?,
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
        });
    }
    Ok(ChangeControlSetup { partnerships: options })
}
