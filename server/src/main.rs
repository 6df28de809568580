//! `baton`: the server binary.

use anyhow::Context;
use baton_domain::validation::{normalise_email, validate_email};
use baton_server::app::HttpOptions;
use baton_server::cli::{
    AuditCommand, Cli, Command, ExportArgs, ImportArgs, PrecompressArgs, UserAddArgs, UserCommand,
};
use baton_server::db::{self, Db};
use baton_server::file_store::{self, FileStore, Location};
use baton_server::passwords::Passwords;
use baton_server::precompress::{self, Outcome};
use baton_server::state::AppState;
use baton_server::{export, import, seed, serve, store};
use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging();
    // A build step, run where there may be no database: it must not create one.
    if let Command::Precompress(args) = &cli.command {
        return precompress_dist(args);
    }
    let db = open_database(&cli).await?;
    let documents = cli.document_store()?;
    match cli.command {
        Command::Serve(args) => {
            let options = HttpOptions { dist: &args.dist, secure_cookies: args.secure_cookies };
            let files = open_documents(&documents, args.max_upload_bytes).await?;
            let state = AppState::new(db, args.session_limits(), files)?;
            serve::run(state, args.addr, &options, args.event_retention()).await
        }
        Command::Migrate => {
            println!("Database is up to date.");
            Ok(())
        }
        Command::SeedDemo(args) => {
            seed::seed(&db).await?;
            let files = open_documents(&documents, file_store::DEFAULT_MAX_BYTES).await?;
            seed::documents::seed_documents(&db, &files).await?;
            if let Some(parameters) = args.large_transfer {
                seed::seed_large_transfer(&db, usize::try_from(parameters)?).await?;
            }
            if let Some(years) = args.history_years {
                println!("{}", seed::seed_history(&db, years).await?);
            }
            print_demo_logins(args.history_years.is_some());
            Ok(())
        }
        Command::User(UserCommand::Add(args)) => add_user(&db, args).await,
        Command::Audit(AuditCommand::Verify) => verify_audit(&db).await,
        Command::Export(args) => {
            let files = open_documents(&documents, file_store::DEFAULT_MAX_BYTES).await?;
            export_all(&db, &files, &args).await
        }
        Command::Import(args) => {
            // Files were within the limit when uploaded; a lower limit set since must not stop them moving.
            let files = open_documents(&documents, u64::MAX).await?;
            import_all(&db, &files, &args).await
        }
        Command::Precompress(args) => precompress_dist(&args),
    }
}

/// Logs go to stderr; `BATON_LOG` sets the filter, `BATON_LOG_FORMAT=json` gives one JSON object a line.
fn init_logging() {
    let filter = EnvFilter::try_from_env("BATON_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("BATON_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Connects and migrates: every subcommand works on an up-to-date schema.
async fn open_database(cli: &Cli) -> anyhow::Result<Db> {
    let url = match &cli.database_url {
        Some(url) => url.clone(),
        None => {
            std::fs::create_dir_all(&cli.data_dir)
                .with_context(|| format!("creating data directory {}", cli.data_dir.display()))?;
            db::default_url(&cli.data_dir)
        }
    };
    let db = db::connect(&url).await?;
    db::migrate(&db).await?;
    tracing::info!(database = %db::redact(&url), "database ready");
    Ok(db)
}

fn print_demo_logins(with_history: bool) {
    println!("Demo data loaded. Every demo user's password is: {}", seed::DEMO_PASSWORD);
    let history = if with_history { seed::history_logins() } else { Vec::new() };
    for login in seed::demo_logins().into_iter().chain(history) {
        println!("  {:<30} {:<20} {:<18} {}", login.organisation, login.role.label(), login.name, login.email);
    }
}

async fn add_user(db: &Db, args: UserAddArgs) -> anyhow::Result<()> {
    validate_email(&args.email).map_err(|e| anyhow::anyhow!("--email: {}", e.message))?;
    let role = args.role.parse().map_err(|_| {
        anyhow::anyhow!("--role: unknown role {:?}; use admin, tech_transfer_lead, qa, operator or viewer", args.role)
    })?;
    let org = store::organisations::find_by_name(&db.pool, &args.org)
        .await?
        .with_context(|| format!("--org: no organisation is named {:?}", args.org))?;
    let mut password = String::new();
    std::io::stdin().read_line(&mut password).context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(password.chars().count() >= 12, "the password must have at least 12 characters");
    let email = normalise_email(&args.email);
    let user = store::users::NewUser {
        id: baton_domain::ids::UserId(uuid::Uuid::new_v4()),
        org,
        email: &email,
        display_name: args.name.trim(),
        role,
        password_hash: &Passwords::new(1).hash(password).await?,
    };
    anyhow::ensure!(
        store::users::insert(&db.pool, &user, chrono::Utc::now()).await?,
        "a user with e-mail {email} already exists"
    );
    println!("Added {} ({}) to {}.", user.display_name, email, args.org);
    Ok(())
}

async fn verify_audit(db: &Db) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    match store::audit::verify(&mut *db.pool.acquire().await?).await? {
        store::audit::Verdict::Intact(count) => {
            println!("OK: {count} audit entries, hash chain intact ({:.2} s)", started.elapsed().as_secs_f64());
            Ok(())
        }
        store::audit::Verdict::Broken(at) => {
            println!("BROKEN: {at}");
            std::process::exit(1);
        }
    }
}

async fn export_all(db: &Db, files: &FileStore, args: &ExportArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let exported = export::export(db, files, &args.out).await?;
    let manifest = &exported.manifest;
    let rows: u64 = manifest.tables.iter().map(|t| t.rows).sum();
    let bytes: u64 = manifest.documents.iter().map(|d| d.bytes).sum();
    println!(
        "Exported {} tables ({rows} rows) and {} files ({bytes} B) to {} in {:.1} s, through audit entry {}.",
        manifest.tables.len(),
        manifest.documents.len(),
        exported.dir.display(),
        started.elapsed().as_secs_f64(),
        manifest.audit.head_seq
    );
    if !exported.intact() {
        println!("The audit chain in the export is {}.", manifest.audit.verified);
        std::process::exit(1);
    }
    println!("The audit chain in the export is intact; each organisation's trail records the export.");
    Ok(())
}

async fn import_all(db: &Db, files: &FileStore, args: &ImportArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let imported = import::import(db, files, &args.from).await?;
    println!(
        "Imported {} tables ({} rows) and {} files from {} in {:.1} s; the audit chain verifies ({} entries).",
        imported.tables,
        imported.rows,
        imported.files,
        args.from.display(),
        started.elapsed().as_secs_f64(),
        imported.entries
    );
    for (table, why) in import::NOT_CARRIED {
        println!("  not carried: {table} ({why})");
    }
    Ok(())
}

fn precompress_dist(args: &PrecompressArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let reports = precompress::precompress_dir(&args.dist)?;
    let size = |bytes: Option<u64>| bytes.map_or_else(|| "-".to_owned(), |b| format!("{b} B"));
    let mut fresh = 0;
    for report in &reports {
        match &report.outcome {
            Outcome::Compressed { raw, brotli, gzip } => println!(
                "  {:<48} {:>10} B  br {:>12}  gz {:>12}",
                report.file.display(),
                raw,
                size(*brotli),
                size(*gzip)
            ),
            Outcome::UpToDate => fresh += 1,
        }
    }
    println!(
        "Precompressed {} of {} files in {} ({fresh} up to date) in {:.1} s.",
        reports.len() - fresh,
        reports.len(),
        args.dist.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The document store the settings name, checked to be usable.
async fn open_documents(location: &Location, max_bytes: u64) -> anyhow::Result<FileStore> {
    let files = FileStore::open(location, max_bytes).await?;
    tracing::info!(store = %location, "document store ready");
    Ok(files)
}
