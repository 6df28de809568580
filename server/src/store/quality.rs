//! Quality agreement versions and the partnerships they belong to.

use super::parse_column;
use super::signatures;
use crate::clock;
use baton_domain::ids::{PartnershipId, QualityAgreementId};
use baton_domain::org::{OrgRef, UserProfile};
use baton_domain::quality::{
    QualityAgreement, QualityAgreementDraft, QualityAgreementVersion, RaciRow, approved_by, version_states,
};
use baton_domain::signature::content_hash;
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, FromRow};

/// The record type under which versions appear in signatures and the audit trail.
pub const RECORD_TYPE: baton_domain::record::RecordType = baton_domain::record::RecordType::QualityAgreement;

/// A partnership's two parties.
#[derive(Clone, Debug)]
pub struct Parties {
    /// The sponsor.
    pub sponsor: OrgRef,
    /// The CMO.
    pub cmo: OrgRef,
}

/// The parties of a partnership, if it exists.
pub async fn parties(conn: &mut AnyConnection, id: PartnershipId) -> anyhow::Result<Option<Parties>> {
    let row: Option<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT s.id, s.name, s.kind, c.id, c.name, c.kind FROM partnerships p \
         JOIN organisations s ON s.id = p.sponsor_org_id JOIN organisations c ON c.id = p.cmo_org_id WHERE p.id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(sid, sname, skind, cid, cname, ckind)| {
        Ok(Parties {
            sponsor: OrgRef {
                id: parse_column(&sid, "organisations.id")?,
                name: sname,
                kind: parse_column(&skind, "organisations.kind")?,
            },
            cmo: OrgRef {
                id: parse_column(&cid, "organisations.id")?,
                name: cname,
                kind: parse_column(&ckind, "organisations.kind")?,
            },
        })
    })
    .transpose()
}

/// The hash a version's signatures are bound to.
pub fn hash_rows(partnership: PartnershipId, version: i64, rows: &[RaciRow]) -> String {
    content_hash(&serde_json::json!({"partnership": partnership, "version": version, "rows": rows}))
}

#[derive(FromRow)]
struct Row {
    id: String,
    version: i64,
    rows_json: String,
    reason: Option<String>,
    content_hash: String,
    created_by_name: String,
    created_at: String,
}

/// Every version of a partnership's quality agreement, newest first, with states computed.
pub async fn load(conn: &mut AnyConnection, id: PartnershipId, parties: Parties) -> anyhow::Result<QualityAgreement> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, version, rows_json, reason, content_hash, created_by_name, created_at FROM quality_agreements \
         WHERE partnership_id = $1 ORDER BY version",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut signatures = signatures::for_records(conn, RECORD_TYPE, &ids).await?;
    let mut versions = Vec::with_capacity(rows.len());
    for r in rows {
        let mut sigs = signatures.remove(&r.id).unwrap_or_default();
        for s in &mut sigs {
            s.valid = s.content_hash == r.content_hash;
        }
        versions.push(QualityAgreementVersion {
            id: parse_column(&r.id, "quality_agreements.id")?,
            version: r.version,
            rows: serde_json::from_str(&r.rows_json)?,
            reason: r.reason,
            content_hash: r.content_hash,
            state: baton_domain::quality::QualityAgreementState::Draft,
            signatures: sigs,
            created_by: r.created_by_name,
            created_at: clock::from_db(&r.created_at)?,
            actions: Vec::new(),
        });
    }
    let approvals: Vec<(bool, bool)> = versions
        .iter()
        .map(|v| (approved_by(&v.signatures, parties.sponsor.id), approved_by(&v.signatures, parties.cmo.id)))
        .collect();
    for (version, state) in versions.iter_mut().zip(version_states(&approvals)) {
        version.state = state;
    }
    versions.reverse();
    Ok(QualityAgreement {
        partnership_id: id,
        sponsor: parties.sponsor,
        cmo: parties.cmo,
        versions,
        actions: Vec::new(),
    })
}

/// The partnership a version belongs to.
pub async fn partnership_of(conn: &mut AnyConnection, id: QualityAgreementId) -> anyhow::Result<Option<PartnershipId>> {
    let found: Option<String> = sqlx::query_scalar("SELECT partnership_id FROM quality_agreements WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    found.map(|p| parse_column(&p, "quality_agreements.partnership_id")).transpose()
}

/// Adds the next version; returns its id, number and hash.
pub async fn insert_version(
    tx: &mut AnyConnection,
    partnership: PartnershipId,
    draft: &QualityAgreementDraft,
    author: &UserProfile,
    now: DateTime<Utc>,
) -> anyhow::Result<(QualityAgreementId, i64, String)> {
    let latest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM quality_agreements WHERE partnership_id = $1")
            .bind(partnership.to_string())
            .fetch_one(&mut *tx)
            .await?;
    let version = latest.unwrap_or(0) + 1;
    let rows: Vec<RaciRow> = draft
        .rows
        .iter()
        .map(|r| RaciRow { activity: r.activity.trim().to_owned(), sponsor: r.sponsor, cmo: r.cmo })
        .collect();
    let hash = hash_rows(partnership, version, &rows);
    let id = QualityAgreementId(uuid::Uuid::new_v4());
    sqlx::query(
        "INSERT INTO quality_agreements (id, partnership_id, version, rows_json, reason, content_hash, created_by, \
         created_by_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.to_string())
    .bind(partnership.to_string())
    .bind(version)
    .bind(serde_json::to_string(&rows)?)
    .bind(draft.reason.as_deref().map(str::trim))
    .bind(&hash)
    .bind(author.id.to_string())
    .bind(&author.display_name)
    .bind(clock::to_db(now))
    .execute(&mut *tx)
    .await?;
    Ok((id, version, hash))
}
