//! The `baton` command line: one binary for serving, migrating, seeding and administration.

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
    SeedDemo,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Work with the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write brotli (.br) and gzip (.gz) copies beside the built front end's files, for the server to send as they
    /// are. A build step: touches no database; skips files whose copies are newer than them.
    Precompress(PrecompressArgs),
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
