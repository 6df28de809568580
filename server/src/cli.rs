//! The `baton` command line: one binary for serving, migrating, seeding and administration.

use crate::live::retention::Retention;
use baton_domain::session_expiry::SessionLimits;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Baton: sponsor–CMO technology transfer and quality data exchange.
#[derive(Debug, Parser)]
#[command(name = "baton", version)]
pub struct Cli {
    /// Where Baton keeps its files (the SQLite database by default).
    #[arg(long, env = "BATON_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB. Default: a SQLite file in the data directory.
    #[arg(long, env = "BATON_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Where documents' files are kept: s3://BUCKET[/PREFIX] for an S3-compatible bucket (credentials from
    /// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN). Default: `documents` in the data directory.
    #[arg(long, env = "BATON_DOCUMENT_STORE", value_name = "URL", global = true)]
    pub document_store: Option<String>,
    /// The S3-compatible service's URL, for a service other than AWS (e.g. http://127.0.0.1:9000).
    #[arg(long, env = "AWS_ENDPOINT_URL", value_name = "URL", global = true)]
    pub s3_endpoint: Option<String>,
    /// The bucket's region (AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1).
    #[arg(long, env = "AWS_REGION", global = true)]
    pub s3_region: Option<String>,
    /// Allow a plain-HTTP (unencrypted) S3 endpoint, e.g. a storage server on the same host.
    #[arg(long, env = "AWS_ALLOW_HTTP", global = true)]
    pub s3_allow_http: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (migrates the database first).
    Serve(ServeArgs),
    /// Bring the database schema up to date.
    Migrate,
    /// Load the demo organisations, users and transfers, and print the demo logins.
    SeedDemo(SeedArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Work with the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write the whole database and every stored document, as of one moment, to a new directory: one JSON Lines
    /// file per table, each file once under its SHA-256, and a manifest of counts and hashes.
    Export(ExportArgs),
    /// Load an export into this database, which must hold no data yet (of either engine: how a SQLite installation
    /// moves to PostgreSQL), and its files into the document store; checked against the export's manifest.
    Import(ImportArgs),
    /// Write brotli (.br) and gzip (.gz) copies beside the built front end's files, for the server to send as they
    /// are. A build step: touches no database; skips files whose copies are newer than them.
    Precompress(PrecompressArgs),
}

impl Cli {
    /// Where documents' files are kept, from the settings.
    pub fn document_store(&self) -> anyhow::Result<crate::file_store::Location> {
        use crate::file_store::{Location, S3Settings};
        let Some(url) = &self.document_store else { return Ok(Location::Local(self.data_dir.join("documents"))) };
        let settings = S3Settings::parse(url)?;
        Ok(Location::S3(S3Settings {
            endpoint: self.s3_endpoint.clone(),
            region: self.s3_region.clone(),
            allow_http: self.s3_allow_http,
            ..settings
        }))
    }
}

/// Options of `baton seed-demo`.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Also add a large demo transfer (TT-2026-900, Velarimab drug substance to Norvia) with this many
    /// sending-unit parameters and the receiving unit's proposals for them, e.g. 10000.
    #[arg(long, value_name = "PARAMETERS", value_parser = clap::value_parser!(u32).range(1..=20_000))]
    pub large_transfer: Option<u32>,
    /// Also add this many years of quality history ending this month, for the KPI dashboard: a third CMO (Kestrel
    /// Contract Manufacturing), agreements sharing each CMO's records with Helix, and per CMO batches with results,
    /// deviations, CAPAs and deliveries (about 5,000 batches a year in all). Skipped where already loaded.
    #[arg(long, value_name = "YEARS", value_parser = clap::value_parser!(u32).range(1..=15))]
    pub history_years: Option<u32>,
}

/// Options of `baton precompress`.
#[derive(Debug, Args)]
pub struct PrecompressArgs {
    /// Directory holding the built front end (Trunk's output).
    #[arg(long, env = "BATON_DIST_DIR", default_value = "dist")]
    pub dist: PathBuf,
}

/// `baton audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Re-compute the hash chain: prints OK with the count, or the first entry where the chain breaks (exit 1).
    Verify,
}

/// Options of `baton export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The directory to create; it must not exist yet.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Options of `baton import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The export's directory (what `baton export --out` wrote).
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
}

/// Options of `baton serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "BATON_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Directory holding the built front end (Trunk's output).
    #[arg(long, env = "BATON_DIST_DIR", default_value = "dist")]
    pub dist: PathBuf,
    /// Mark the session cookie Secure: set this when Baton is served over HTTPS (e.g. behind a TLS proxy).
    #[arg(long, env = "BATON_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Minutes without a request after which a session ends (1 to 10080, a week).
    #[arg(long, env = "BATON_SESSION_IDLE_MINUTES", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=10_080))]
    pub session_idle_minutes: u32,
    /// Hours after login at which a session ends, however busy (1 to 8760, a year).
    #[arg(long, env = "BATON_SESSION_MAX_HOURS", default_value_t = 12,
          value_parser = clap::value_parser!(u32).range(1..=8_760))]
    pub session_max_hours: u32,
    /// The idle limit in seconds, overriding the minutes (for tests).
    #[arg(long, env = "BATON_SESSION_IDLE_SECS", hide = true,
          value_parser = clap::value_parser!(u32).range(1..=604_800))]
    pub session_idle_secs: Option<u32>,
    /// The absolute limit in seconds, overriding the hours (for tests).
    #[arg(long, env = "BATON_SESSION_MAX_SECS", hide = true,
          value_parser = clap::value_parser!(u32).range(1..=31_536_000))]
    pub session_max_secs: Option<u32>,
    /// Largest document file accepted, in bytes (default 200 MB).
    #[arg(long, env = "BATON_MAX_UPLOAD_BYTES", default_value_t = crate::file_store::DEFAULT_MAX_BYTES,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_upload_bytes: u64,
    /// Days live-update events are kept (1 to 3650): a browser away longer reloads its page instead of catching up.
    /// The audit trail, the record of every change, is kept regardless.
    #[arg(long, env = "BATON_EVENT_RETENTION_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub event_retention_days: u32,
    /// How often old events are pruned, in seconds (tests set it low).
    #[arg(long, env = "BATON_EVENT_PRUNE_SECS", hide = true, default_value_t = 3600,
          value_parser = clap::value_parser!(u32).range(1..=86_400))]
    pub event_prune_secs: u32,
}

impl ServeArgs {
    /// When sessions end, from the flags.
    pub fn session_limits(&self) -> SessionLimits {
        let idle =
            self.session_idle_secs.map_or(chrono::Duration::minutes(i64::from(self.session_idle_minutes)), |s| {
                chrono::Duration::seconds(i64::from(s))
            });
        let max = self.session_max_secs.map_or(chrono::Duration::hours(i64::from(self.session_max_hours)), |s| {
            chrono::Duration::seconds(i64::from(s))
        });
        SessionLimits { idle, max }
    }

    /// How long events are kept and how often old ones are pruned, from the flags.
    pub fn event_retention(&self) -> Retention {
        Retention {
            keep: chrono::Duration::days(i64::from(self.event_retention_days)),
            every: std::time::Duration::from_secs(u64::from(self.event_prune_secs)),
        }
    }
}

/// `baton user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from standard input (one line).
    Add(UserAddArgs),
}

/// Options of `baton user add`.
#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The organisation's exact name, e.g. "Helix Biologics".
    #[arg(long)]
    pub org: String,
    /// E-mail address, used to log in.
    #[arg(long)]
    pub email: String,
    /// Printed name, as it will appear on signatures.
    #[arg(long)]
    pub name: String,
    /// One of admin, tech_transfer_lead, qa, operator, viewer.
    #[arg(long)]
    pub role: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve_args(args: &[&str]) -> ServeArgs {
        let cli = Cli::try_parse_from([&["baton", "serve"], args].concat()).expect("valid arguments");
        match cli.command {
            Command::Serve(args) => args,
            other => panic!("not serve: {other:?}"),
        }
    }

    #[test]
    fn events_are_kept_30_days_by_default() {
        let default = serve_args(&[]).event_retention();
        assert_eq!(default.keep, chrono::Duration::days(30));
        assert_eq!(default.every, std::time::Duration::from_secs(3600));
        assert_eq!(serve_args(&["--event-retention-days", "7"]).event_retention().keep, chrono::Duration::days(7));
        assert!(Cli::try_parse_from(["baton", "serve", "--event-retention-days", "0"]).is_err());
    }

    #[test]
    fn session_limits_default_to_30_minutes_idle_and_12_hours() {
        assert_eq!(serve_args(&[]).session_limits(), SessionLimits::default());
        let set = serve_args(&["--session-idle-minutes", "5", "--session-max-hours", "2"]).session_limits();
        assert_eq!(set, SessionLimits { idle: chrono::Duration::minutes(5), max: chrono::Duration::hours(2) });
        let secs = serve_args(&["--session-idle-secs", "3", "--session-max-secs", "9"]).session_limits();
        assert_eq!(secs, SessionLimits { idle: chrono::Duration::seconds(3), max: chrono::Duration::seconds(9) });
        assert!(Cli::try_parse_from(["baton", "serve", "--session-idle-minutes", "0"]).is_err());
        assert!(
            Cli::try_parse_from(["baton", "serve", "--session-max-hours", "4294967295"]).is_err(),
            "limits large enough to overflow the clock are refused"
        );
    }
}
