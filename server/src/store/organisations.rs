//! Organisations and their sites.

use crate::clock;
use baton_domain::ids::{OrgId, SiteId};
use baton_domain::org::OrgKind;
use chrono::{DateTime, Utc};
use sqlx::AnyPool;

/// Adds an organisation unless one with that id exists.
pub async fn insert(pool: &AnyPool, id: OrgId, name: &str, kind: OrgKind, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO organisations (id, name, kind, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(name)
    .bind(kind.as_str())
    .bind(clock::to_db(now))
    .execute(pool)
    .await?;
    Ok(())
}

/// Adds a site unless one with that id exists.
pub async fn insert_site(pool: &AnyPool, id: SiteId, org: OrgId, name: &str, location: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO sites (id, organisation_id, name, location) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(org.to_string())
    .bind(name)
    .bind(location)
    .execute(pool)
    .await?;
    Ok(())
}

/// Finds an organisation's id by its exact name.
pub async fn find_by_name(pool: &AnyPool, name: &str) -> anyhow::Result<Option<OrgId>> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT id FROM organisations WHERE name = $1").bind(name).fetch_optional(pool).await?;
    id.map(|id| super::parse_column(&id, "organisations.id")).transpose()
}
