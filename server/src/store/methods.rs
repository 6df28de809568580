//! Analytical methods and each site's results.

use super::parse_column;
use crate::clock;
use baton_domain::ids::{MethodId, TransferId};
use baton_domain::method_record::SiteResults;
use baton_domain::method_transfer::{AnalyticalMethod, Site};
use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

/// A stored method.
#[derive(Clone, Debug)]
pub struct StoredMethod {
    /// Its id.
    pub id: MethodId,
    /// Its transfer.
    pub transfer: TransferId,
    /// The method and its criteria.
    pub definition: AnalyticalMethod,
}

type Row = (String, String, String);

fn method(row: Row) -> anyhow::Result<StoredMethod> {
    let (id, transfer, definition) = row;
    Ok(StoredMethod {
        id: parse_column(&id, "methods.id")?,
        transfer: parse_column(&transfer, "methods.transfer_id")?,
        definition: serde_json::from_str(&definition)?,
    })
}

/// One method.
pub async fn get(conn: &mut AnyConnection, id: MethodId) -> anyhow::Result<Option<StoredMethod>> {
    let row: Option<Row> = sqlx::query_as("SELECT id, transfer_id, definition FROM methods WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(method).transpose()
}

/// A transfer's methods, in the order they were added.
pub async fn of_transfer(conn: &mut AnyConnection, transfer: TransferId) -> anyhow::Result<Vec<MethodId>> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM methods WHERE transfer_id = $1 ORDER BY created_at, id")
        .bind(transfer.to_string())
        .fetch_all(conn)
        .await?;
    ids.iter().map(|id| parse_column(id, "methods.id")).collect()
}

/// Adds a method.
pub async fn insert(
    conn: &mut AnyConnection,
    id: MethodId,
    transfer: TransferId,
    definition: &AnalyticalMethod,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO methods (id, transfer_id, name, definition, row_version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 1, $5, $5)",
    )
    .bind(id.to_string())
    .bind(transfer.to_string())
    .bind(definition.name.trim().to_owned())
    .bind(serde_json::to_string(definition)?)
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// One site's results (row version 0 and none when it has reported nothing).
pub async fn results(conn: &mut AnyConnection, id: MethodId, site: Site) -> anyhow::Result<SiteResults> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT results, row_version FROM method_results WHERE method_id = $1 AND site = $2")
            .bind(id.to_string())
            .bind(site.as_str())
            .fetch_optional(conn)
            .await?;
    Ok(match row {
        Some((results, row_version)) => SiteResults { results: serde_json::from_str(&results)?, row_version },
        None => SiteResults { results: Vec::new(), row_version: 0 },
    })
}

/// Stores one site's results, one version after `previous`.
pub async fn save_results(
    conn: &mut AnyConnection,
    id: MethodId,
    site: Site,
    results: &SiteResults,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO method_results (method_id, site, results, row_version, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (method_id, site) DO UPDATE SET results = excluded.results, row_version = excluded.row_version, \
         updated_at = excluded.updated_at",
    )
    .bind(id.to_string())
    .bind(site.as_str())
    .bind(serde_json::to_string(&results.results)?)
    .bind(results.row_version + 1)
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}
