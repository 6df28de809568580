//! The test harness: starts the real `baton` binary on a fresh database (SQLite or PostgreSQL), talks to it over
//! HTTP, and drives headless Chromium against it.
//!
//! The binary and the front end are built by `scripts/test.sh` before `cargo test` runs; set `BATON_BIN` and
//! `BATON_TEST_DIST` to test other builds.

pub mod browser;
pub mod client;
pub mod database;
pub mod s3;
pub mod server;
pub mod sse;

pub use browser::Browser;
pub use client::ApiClient;
pub use database::Backend;
pub use s3::S3Server;
pub use server::TestServer;

/// Runs an async scenario once on SQLite and once on PostgreSQL, as two `#[test]`s named after it.
#[macro_export]
macro_rules! on_both_databases {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::$scenario($crate::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    if $crate::database::postgres_available() {
                        super::$scenario($crate::Backend::Postgres).await;
                    }
                }
            )*
        }
    };
}
