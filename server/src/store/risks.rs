//! A transfer's risk register.

use super::parse_column;
use crate::clock;
use baton_domain::ids::{DeliverableId, RiskId, TransferId};
use baton_domain::risk::{FailureMode, Rating, Ratings};
use baton_domain::risk_register::{RiskInput, StoredRisk};
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, FromRow};

#[derive(FromRow)]
struct Row {
    id: String,
    transfer_id: String,
    step: String,
    failure_mode: String,
    effect: String,
    cause: String,
    controls: String,
    severity: i64,
    occurrence: i64,
    detection: i64,
    mitigation: String,
    residual_severity: Option<i64>,
    residual_occurrence: Option<i64>,
    residual_detection: Option<i64>,
    mitigation_deliverable_id: Option<String>,
    row_version: i64,
}

const COLUMNS: &str = "id, transfer_id, step, failure_mode, effect, cause, controls, severity, occurrence, \
     detection, mitigation, residual_severity, residual_occurrence, residual_detection, mitigation_deliverable_id, \
     row_version";

fn rating(value: i64, column: &str) -> anyhow::Result<Rating> {
    u8::try_from(value).ok().and_then(Rating::new).ok_or_else(|| anyhow::anyhow!("risks.{column} holds {value}"))
}

impl TryFrom<Row> for StoredRisk {
    type Error = anyhow::Error;
    fn try_from(r: Row) -> anyhow::Result<Self> {
        let ratings = Ratings {
            severity: rating(r.severity, "severity")?,
            occurrence: rating(r.occurrence, "occurrence")?,
            detection: rating(r.detection, "detection")?,
        };
        let residual = match (r.residual_severity, r.residual_occurrence, r.residual_detection) {
            (Some(s), Some(o), Some(d)) => Some(Ratings {
                severity: rating(s, "residual_severity")?,
                occurrence: rating(o, "residual_occurrence")?,
                detection: rating(d, "residual_detection")?,
            }),
            _ => None,
        };
        let mode = FailureMode {
            step: r.step,
            failure_mode: r.failure_mode,
            effect: r.effect,
            cause: r.cause,
            controls: r.controls,
            ratings,
            mitigation: r.mitigation,
            residual,
        };
        let deliverable =
            r.mitigation_deliverable_id.map(|d| parse_column(&d, "risks.mitigation_deliverable_id")).transpose()?;
        Ok(StoredRisk::new(
            parse_column(&r.id, "risks.id")?,
            parse_column(&r.transfer_id, "risks.transfer_id")?,
            mode,
            deliverable,
            r.row_version,
        ))
    }
}

/// Every failure mode of a transfer, in the order they were added.
pub async fn of_transfer(conn: &mut AnyConnection, transfer: TransferId) -> anyhow::Result<Vec<StoredRisk>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM risks WHERE transfer_id = $1 ORDER BY created_at, id"))
            .bind(transfer.to_string())
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(StoredRisk::try_from).collect()
}

/// One failure mode.
pub async fn get(conn: &mut AnyConnection, id: RiskId) -> anyhow::Result<Option<StoredRisk>> {
    let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM risks WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(StoredRisk::try_from).transpose()
}

fn number(rating: Rating) -> i64 {
    i64::from(rating.get())
}

/// Adds a failure mode.
pub async fn insert(
    conn: &mut AnyConnection,
    id: RiskId,
    transfer: TransferId,
    input: &RiskInput,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO risks (id, transfer_id, step, failure_mode, effect, cause, controls, severity, occurrence, \
         detection, mitigation, residual_severity, residual_occurrence, residual_detection, mitigation_deliverable_id, \
         row_version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $16)",
    )
    .bind(id.to_string())
    .bind(transfer.to_string())
    .bind_input(input)
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces a failure mode's values and bumps its version.
pub async fn update(conn: &mut AnyConnection, id: RiskId, input: &RiskInput, now: DateTime<Utc>) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE risks SET step = $2, failure_mode = $3, effect = $4, cause = $5, controls = $6, severity = $7, \
         occurrence = $8, detection = $9, mitigation = $10, residual_severity = $11, residual_occurrence = $12, \
         residual_detection = $13, mitigation_deliverable_id = $14, row_version = row_version + 1, updated_at = $15 \
         WHERE id = $1",
    )
    .bind(id.to_string())
    .bind_input(input)
    .bind(clock::to_db(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Binds a failure mode's thirteen values, in the order of the statements above.
trait BindInput<'q> {
    fn bind_input(self, input: &RiskInput) -> Self;
}

impl<'q> BindInput<'q> for sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    fn bind_input(self, input: &RiskInput) -> Self {
        let m = &input.failure_mode;
        let residual = m.residual;
        self.bind(m.step.trim().to_owned())
            .bind(m.failure_mode.trim().to_owned())
            .bind(m.effect.trim().to_owned())
            .bind(m.cause.trim().to_owned())
            .bind(m.controls.trim().to_owned())
            .bind(number(m.ratings.severity))
            .bind(number(m.ratings.occurrence))
            .bind(number(m.ratings.detection))
            .bind(m.mitigation.trim().to_owned())
            .bind(residual.map(|r| number(r.severity)))
            .bind(residual.map(|r| number(r.occurrence)))
            .bind(residual.map(|r| number(r.detection)))
            .bind(input.mitigation_deliverable.map(|d: DeliverableId| d.to_string()))
    }
}
