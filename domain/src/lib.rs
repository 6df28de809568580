//! Types and rules shared by the Baton front end and server.
//!
//! Nothing here does I/O, so every rule can be unit-tested exhaustively and compiled for both wasm32 and
//! native targets: the app and the server cannot disagree about what a request looks like or who may see what.

pub mod access;
pub mod agreement;
pub mod audit;
pub mod audit_trail;
pub mod batch;
pub mod canonical;
pub mod capa;
pub mod change_control;
pub mod chart_scale;
pub mod comment;
pub mod decimal;
pub mod deliverable;
pub mod delivery;
pub mod deviation;
pub mod document;
pub mod endpoints;
pub mod error;
pub mod ids;
pub mod known_units;
pub mod kpi;
pub mod kpi_targets;
pub mod live;
pub mod method_evaluation;
pub mod method_record;
pub mod method_transfer;
pub mod notification;
pub mod org;
pub mod parameter;
pub mod parameter_csv;
pub mod parameter_gap;
pub mod parameter_table;
pub mod quality;
pub mod range;
pub mod record;
pub mod record_query;
pub mod redirect;
pub mod risk;
pub mod risk_register;
pub mod scorecard;
pub mod search;
pub mod session;
pub mod session_expiry;
pub mod signature;
pub mod stage;
pub mod stage_template;
pub mod statistics;
mod stored_enum;
pub mod throttle;
pub mod transfer;
pub mod units;
pub mod url_encoding;
pub mod validation;
pub mod value_entry;
