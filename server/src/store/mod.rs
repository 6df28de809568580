//! Persistence: every SQL statement lives here, one module per kind of record.

pub mod agreements;
pub mod audit;
pub mod audit_batch;
pub mod batches;
pub mod capas;
pub mod change_controls;
pub mod comments;
pub mod deliveries;
pub mod deviations;
pub mod documents;
pub mod events;
pub mod history;
pub mod kpi;
pub mod kpi_months;
pub mod kpi_targets;
pub mod methods;
pub mod narrowing;
pub mod notifications;
pub mod numbering;
pub mod organisations;
pub mod parameters;
pub mod parties;
pub mod products;
pub mod quality;
pub mod risks;
pub mod sessions;
pub mod setup;
pub mod signatures;
pub mod stages;
pub mod templates;
pub mod throttle;
pub mod transfers;
pub mod users;

use anyhow::Context;
use std::str::FromStr;

/// Parses a stored enum or id, naming the column when the stored value is unknown.
fn parse_column<T>(value: &str, column: &str) -> anyhow::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    value.parse().with_context(|| format!("column {column} holds {value:?}"))
}
