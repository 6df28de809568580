//! Versions of a partnership's agreed KPI targets.

use super::parse_column;
use super::quality::Parties;
use super::signatures;
use crate::clock;
use baton_domain::ids::{KpiTargetsId, PartnershipId};
use baton_domain::kpi_targets::{KpiTarget, KpiTargetDraft, KpiTargetVersion, KpiTargets};
use baton_domain::org::UserProfile;
use baton_domain::quality::{QualityAgreementState, approved_by, version_states};
use baton_domain::record::RecordType;
use baton_domain::signature::content_hash;
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, FromRow};

/// The hash a version's signatures are bound to: what is agreed (every KPI's limits) and why.
pub fn hash(partnership: PartnershipId, version: i64, draft: &KpiTargetDraft) -> String {
    content_hash(&serde_json::json!({
        "partnership": partnership, "version": version, "targets": draft.targets, "reason": draft.reason,
    }))
}

#[derive(FromRow)]
struct Row {
    id: String,
    version: i64,
    targets_json: String,
    reason: String,
    content_hash: String,
    created_by_name: String,
    created_at: String,
    updated_at: String,
}

/// Every version of a partnership's KPI targets, newest first, with states, who agreed the one in force, and the
/// limits in use.
pub async fn load(conn: &mut AnyConnection, id: PartnershipId, parties: Parties) -> anyhow::Result<KpiTargets> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, version, targets_json, reason, content_hash, created_by_name, created_at, updated_at \
         FROM kpi_targets WHERE partnership_id = $1 ORDER BY version",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut signatures = signatures::for_records(conn, RecordType::KpiTargets, &ids).await?;
    let mut versions = Vec::with_capacity(rows.len());
    for r in rows {
        let mut sigs = signatures.remove(&r.id).unwrap_or_default();
        for s in &mut sigs {
            s.valid = s.content_hash == r.content_hash;
        }
        let targets: Vec<KpiTarget> = serde_json::from_str(&r.targets_json)?;
        versions.push(KpiTargetVersion {
            id: parse_column(&r.id, "kpi_targets.id")?,
            version: r.version,
            targets,
            reason: r.reason,
            content_hash: r.content_hash,
            state: QualityAgreementState::Draft,
            signatures: sigs,
            created_by: r.created_by_name,
            created_at: clock::from_db(&r.created_at)?,
            updated_at: clock::from_db(&r.updated_at)?,
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
    Ok(KpiTargets {
        partnership_id: id,
        sponsor: parties.sponsor,
        cmo: parties.cmo,
        versions,
        agreed: None,
        in_use: Vec::new(),
        actions: Vec::new(),
    }
    .with_summary())
}

/// The partnership a version belongs to.
pub async fn partnership_of(conn: &mut AnyConnection, id: KpiTargetsId) -> anyhow::Result<Option<PartnershipId>> {
    let found: Option<String> = sqlx::query_scalar("SELECT partnership_id FROM kpi_targets WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    found.map(|p| parse_column(&p, "kpi_targets.partnership_id")).transpose()
}

/// Adds the next version of `draft` (already validated and normalised); returns its id, number and hash.
pub async fn insert_version(
    tx: &mut AnyConnection,
    partnership: PartnershipId,
    draft: &KpiTargetDraft,
    author: &UserProfile,
    now: DateTime<Utc>,
) -> anyhow::Result<(KpiTargetsId, i64, String)> {
    let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM kpi_targets WHERE partnership_id = $1")
        .bind(partnership.to_string())
        .fetch_one(&mut *tx)
        .await?;
    let version = latest.unwrap_or(0) + 1;
    let hash = hash(partnership, version, draft);
    let id = KpiTargetsId(uuid::Uuid::new_v4());
    let at = clock::to_db(now);
    sqlx::query(
        "INSERT INTO kpi_targets (id, partnership_id, version, targets_json, reason, content_hash, created_by, \
         created_by_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.to_string())
    .bind(partnership.to_string())
    .bind(version)
    .bind(serde_json::to_string(&draft.targets)?)
    .bind(&draft.reason)
    .bind(&hash)
    .bind(author.id.to_string())
    .bind(&author.display_name)
    .bind(&at)
    .bind(&at)
    .execute(&mut *tx)
    .await?;
    Ok((id, version, hash))
}

/// Replaces the content of draft version `id` (number `version` of `partnership`) with `draft` (validated and
/// normalised); returns the new hash. The database refuses it once the version carries a signature.
pub async fn update_draft(
    tx: &mut AnyConnection,
    (partnership, id, version): (PartnershipId, KpiTargetsId, i64),
    draft: &KpiTargetDraft,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    let hash = hash(partnership, version, draft);
    sqlx::query(
        "UPDATE kpi_targets SET targets_json = $1, reason = $2, content_hash = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(serde_json::to_string(&draft.targets)?)
    .bind(&draft.reason)
    .bind(&hash)
    .bind(clock::to_db(now))
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    Ok(hash)
}
