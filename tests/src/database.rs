//! A fresh database for each test: a SQLite file in a temporary directory, or a new database on the PostgreSQL
//! server named by `BATON_TEST_DATABASE_URL` (which `scripts/test.sh` starts).

use sqlx::Connection;
use sqlx::postgres::PgConnection;
use std::path::Path;

/// Which engine a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// A PostgreSQL database.
    Postgres,
}

const POSTGRES_URL_VAR: &str = "BATON_TEST_DATABASE_URL";

/// Whether PostgreSQL tests can run. Outside CI a missing server skips them with a message on stderr;
/// in CI (`CI` set) a missing server fails the test.
pub fn postgres_available() -> bool {
    if std::env::var_os(POSTGRES_URL_VAR).is_some() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{POSTGRES_URL_VAR} is not set, and CI requires the PostgreSQL run: use scripts/test.sh, which starts one"
    );
    eprintln!("SKIPPED on PostgreSQL: {POSTGRES_URL_VAR} is not set (scripts/test.sh sets it)");
    false
}

/// Creates an empty database and returns its URL.
pub async fn create(backend: Backend, scratch: &Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}?mode=rwc", scratch.join("baton.sqlite").display()),
        Backend::Postgres => {
            let server = std::env::var(POSTGRES_URL_VAR).expect("postgres_available() was checked");
            let name = format!("baton_test_{}", uuid::Uuid::new_v4().simple());
            let mut admin = PgConnection::connect(&server).await.expect("connecting to the test PostgreSQL server");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("creating a test database");
            admin.close().await.ok();
            let mut url = url::Url::parse(&server).expect("BATON_TEST_DATABASE_URL is a URL");
            url.set_path(&name);
            url.to_string()
        }
    }
}
