//! The Baton server: a thin layer that authenticates, authorises, validates, persists and serves the app.

pub mod app;
pub mod auth;
pub mod cache_control;
pub mod cli;
pub mod clock;
pub mod csrf;
pub mod csv_cell;
pub mod db;
pub mod error;
pub mod export;
pub mod file_store;
pub mod import;
pub mod json;
pub mod kernel;
pub mod live;
pub mod passwords;
pub mod precompress;
pub mod read_cache;
pub mod routes;
pub mod seed;
pub mod serve;
pub mod state;
pub mod store;
pub mod tab;
pub mod web;
