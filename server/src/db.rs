//! The database connection: SQLite by default, PostgreSQL for scale, through sqlx's `Any` driver so that
//! one set of queries serves both.

use anyhow::Context;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};
use std::path::{Path, PathBuf};
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Which database engine a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One file, zero set-up.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// Tells the engine from the URL's scheme.
    pub fn of_url(url: &str) -> anyhow::Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            anyhow::bail!("unsupported database URL {url:?}: use sqlite://<file> or postgres://…")
        }
    }
}

/// A connection pool and the engine behind it.
#[derive(Clone, Debug)]
pub struct Db {
    /// The pool every query goes through.
    pub pool: AnyPool,
    /// The engine, for the few places where SQL differs.
    pub backend: Backend,
    /// SQLite's database file (none on PostgreSQL), for the audit writer's connection of its own.
    pub file: Option<PathBuf>,
}

/// The default database: a SQLite file in the data directory.
pub fn default_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("baton.sqlite").display())
}

/// Connects to the database the URL names.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    install_default_drivers();
    let backend = Backend::of_url(url)?;
    let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
    let options = match backend {
        // Concurrent writers queue on SQLite's one write lock instead of failing; foreign keys are off unless asked
        // for per connection; FULL sync so that nothing acknowledged is lost to a crash.
        Backend::Sqlite => options.max_connections(8).after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL;",
                )
                .await?;
                Ok(())
            })
        }),
        Backend::Postgres => options.max_connections(16),
    };
    let pool = options.connect(url).await.with_context(|| format!("connecting to {}", redact(url)))?;
    let file = match backend {
        Backend::Sqlite => Some(sqlite_file(&pool).await?),
        Backend::Postgres => None,
    };
    Ok(Db { pool, backend, file })
}

/// The file behind a SQLite pool. An in-memory database is refused: each of the pool's connections would have a
/// database of its own.
async fn sqlite_file(pool: &AnyPool) -> anyhow::Result<PathBuf> {
    let (file,): (String,) = sqlx::query_as("SELECT file FROM pragma_database_list WHERE name = 'main'")
        .fetch_one(pool)
        .await
        .context("finding the SQLite database's file")?;
    anyhow::ensure!(!file.is_empty(), "SQLite needs a database file (an in-memory database is not supported)");
    Ok(PathBuf::from(file))
}

/// Brings the schema up to date; safe to run on every start.
pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    match db.backend {
        Backend::Sqlite => migrate_sqlite(db).await,
        Backend::Postgres => POSTGRES_MIGRATIONS.run(&db.pool).await.context("running migrations"),
    }
}

/// SQLite changes a column only by rebuilding its table, which needs foreign keys off while the old table is
/// dropped and the new one renamed; SQLite ignores that switch inside a transaction, where sqlx runs each
/// migration. So the migrations run on a connection with foreign keys off, checked before anything else runs,
/// and that connection is closed afterwards rather than returned to the pool.
async fn migrate_sqlite(db: &Db) -> anyhow::Result<()> {
    let mut conn = db.pool.acquire().await.context("connecting to migrate")?;
    conn.close_on_drop();
    conn.execute("PRAGMA foreign_keys = OFF").await?;
    SQLITE_MIGRATIONS.run(&mut *conn).await.context("running migrations")?;
    let dangling = sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut *conn).await?;
    anyhow::ensure!(dangling.is_empty(), "after migrating, {} rows break foreign keys", dangling.len());
    Ok(())
}

/// Hides a password in a database URL before it is logged.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_backends_apart_and_refuses_others() {
        assert_eq!(Backend::of_url("sqlite://x.db").ok(), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("postgres://u@h/db").ok(), Some(Backend::Postgres));
        assert!(Backend::of_url("mysql://u@h/db").is_err());
    }

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(redact("postgres://baton:s3cret@db:5432/baton"), "postgres://baton:***@db:5432/baton");
        assert_eq!(redact("sqlite://data/baton.sqlite"), "sqlite://data/baton.sqlite");
    }
}
