//! Each organisation's stage template for new transfers.

use crate::clock;
use baton_domain::ids::OrgId;
use baton_domain::stage_template::{StageTemplate, TemplateStage, standard};
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

/// The organisation's template, or the standard one if it has not written its own.
pub async fn get(conn: &mut AnyConnection, org: OrgId) -> anyhow::Result<StageTemplate> {
    let row: Option<(String, String, i64, String)> =
        sqlx::query_as("SELECT name, stages, row_version, updated_at FROM stage_templates WHERE organisation_id = $1")
            .bind(org.to_string())
            .fetch_optional(conn)
            .await?;
    let Some((name, stages, row_version, updated_at)) = row else { return Ok(standard()) };
    let stages: Vec<TemplateStage> = serde_json::from_str(&stages)?;
    Ok(StageTemplate { name, stages, row_version, updated_at: Some(clock::from_db(&updated_at)?), actions: Vec::new() })
}

/// Stores the organisation's template as `name` and `stages`, one version after `previous`.
pub async fn save(
    conn: &mut AnyConnection,
    org: OrgId,
    name: &str,
    stages: &[TemplateStage],
    previous: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO stage_templates (organisation_id, name, stages, row_version, updated_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organisation_id) DO UPDATE SET name = excluded.name, \
         stages = excluded.stages, row_version = excluded.row_version, updated_at = excluded.updated_at",
    )
    .bind(org.to_string())
    .bind(name)
    .bind(serde_json::to_string(stages)?)
    .bind(previous + 1)
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}
