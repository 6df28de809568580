//! The real `baton` binary, started on a free port with its own database.

use crate::database::{self, Backend};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace_root().join("target"), PathBuf::from)
}

/// The server binary under test: `BATON_BIN`, or the debug build.
pub fn binary() -> PathBuf {
    let path = std::env::var_os("BATON_BIN").map_or_else(|| target_dir().join("debug").join("baton"), PathBuf::from);
    assert!(path.exists(), "{} is missing: run scripts/test.sh (or cargo build -p baton-server)", path.display());
    path
}

/// The built front end to serve: `BATON_TEST_DIST`, or the debug build scripts/test.sh makes.
pub fn dist() -> PathBuf {
    std::env::var_os("BATON_TEST_DIST").map_or_else(|| target_dir().join("test-dist"), PathBuf::from)
}

/// A running server; killed when dropped.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    /// The database URL it uses, for running other subcommands against it.
    pub database_url: String,
    /// Which engine.
    pub backend: Backend,
    child: Child,
    scratch: TempDir,
    dist: PathBuf,
    env: Vec<(String, String)>,
}

impl TestServer {
    /// Starts a server with the demo data loaded.
    pub async fn start(backend: Backend) -> TestServer {
        TestServer::start_with_env(backend, &[]).await
    }

    /// Starts a server with the demo data loaded and extra environment variables (settings such as
    /// `BATON_SESSION_IDLE_SECS`), which the other subcommands it runs get too.
    pub async fn start_with_env(backend: Backend, env: &[(&str, &str)]) -> TestServer {
        let server = TestServer::launch(backend, &dist(), env).await;
        let seeded = server.run(&["seed-demo"], None).await;
        assert!(seeded.status.success(), "seed-demo failed: {}", String::from_utf8_lossy(&seeded.stderr));
        server
    }

    /// Starts a server on an empty (migrated) database.
    pub async fn start_empty(backend: Backend) -> TestServer {
        TestServer::start_serving(backend, &dist()).await
    }

    /// Starts a server on an empty (migrated) database, serving the front end in `dist_dir`.
    pub async fn start_serving(backend: Backend, dist_dir: &Path) -> TestServer {
        TestServer::launch(backend, dist_dir, &[]).await
    }

    async fn launch(backend: Backend, dist_dir: &Path, env: &[(&str, &str)]) -> TestServer {
        let scratch = tempfile::tempdir().expect("temporary directory");
        let database_url = database::create(backend, scratch.path()).await;
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let (child, base_url) = spawn(&database_url, scratch.path(), dist_dir, &env).await;
        TestServer { base_url, database_url, backend, child, scratch, dist: dist_dir.to_path_buf(), env }
    }

    /// Starts a second instance of the server on the same database (another process, port and data directory), as
    /// several instances behind a load balancer run.
    pub async fn another_instance(&self) -> TestServer {
        let scratch = tempfile::tempdir().expect("temporary directory");
        let (child, base_url) = spawn(&self.database_url, scratch.path(), &self.dist, &self.env).await;
        TestServer {
            base_url,
            database_url: self.database_url.clone(),
            backend: self.backend,
            child,
            scratch,
            dist: self.dist.clone(),
            env: self.env.clone(),
        }
    }

    /// Kills the server with SIGKILL, as a crash or power loss would: no shutdown code runs.
    pub async fn kill(&mut self) {
        self.child.start_kill().expect("sending SIGKILL");
        tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .expect("server died within 10 s of SIGKILL")
            .expect("waiting for the server");
    }

    /// Starts the server again on the same database (after [`TestServer::kill`]); it listens on a new port.
    pub async fn restart(&mut self) {
        let (child, base_url) = spawn(&self.database_url, self.scratch.path(), &self.dist, &self.env).await;
        self.child = child;
        self.base_url = base_url;
    }

    /// Starts the server again on the same database and port (after [`TestServer::kill`]), as a restart behind an
    /// unchanged address is: browsers reconnect to it by themselves.
    pub async fn restart_on_the_same_port(&mut self) {
        let addr = self.base_url.trim_start_matches("http://").to_owned();
        let (child, base_url) = spawn_at(&addr, &self.database_url, self.scratch.path(), &self.dist, &self.env).await;
        self.child = child;
        self.base_url = base_url;
    }

    /// Runs another `baton` subcommand against this server's database.
    pub async fn run(&self, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        let mut command = Command::new(binary());
        command
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("BATON_DATABASE_URL", &self.database_url)
            .env("BATON_DATA_DIR", self.scratch.path())
            .env("BATON_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("running baton");
        if let Some(input) = stdin {
            use tokio::io::AsyncWriteExt;
            let mut pipe = child.stdin.take().expect("piped stdin");
            pipe.write_all(input.as_bytes()).await.expect("writing stdin");
        }
        drop(child.stdin.take());
        child.wait_with_output().await.expect("baton ran")
    }

    /// Runs one SQL statement on the server's database behind its back (to change what a test needs changed).
    pub async fn execute(&self, sql: &str) {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&self.database_url)
            .await
            .expect("connecting to the server's database");
        sqlx::query(sql).execute(&mut conn).await.expect("statement runs");
        sqlx::Connection::close(conn).await.ok();
    }

    /// The one integer `sql` selects from the server's database, read behind its back.
    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&self.database_url)
            .await
            .expect("connecting to the server's database");
        let value: i64 = sqlx::query_scalar(sql).fetch_one(&mut conn).await.expect("query runs");
        sqlx::Connection::close(conn).await.ok();
        value
    }

    /// How many session rows the server's database holds.
    pub async fn session_rows(&self) -> i64 {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&self.database_url)
            .await
            .expect("connecting to the server's database");
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM sessions").fetch_one(&mut conn).await.expect("counting sessions");
        sqlx::Connection::close(conn).await.ok();
        count
    }

    /// The server process's peak resident memory so far (VmHWM), in kB, where /proc tells it.
    pub fn peak_rss_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()?)).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// The server's data directory (its document store is `documents/` under it).
    pub fn data_dir(&self) -> &std::path::Path {
        self.scratch.path()
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// A URL on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Sends SIGTERM and waits for the process to end; returns its exit status.
    pub async fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().expect("server is running");
        let sent = Command::new("kill").args(["-TERM", &pid.to_string()]).status().await.expect("kill runs");
        assert!(sent.success(), "kill -TERM failed");
        tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .expect("server stopped within 10 s of SIGTERM")
            .expect("waiting for the server")
    }
}

/// Starts `baton serve` on a free port and returns it with the URL it announced.
async fn spawn(database_url: &str, scratch: &Path, dist_dir: &Path, env: &[(String, String)]) -> (Child, String) {
    spawn_at("127.0.0.1:0", database_url, scratch, dist_dir, env).await
}

/// Starts `baton serve` on `addr`.
async fn spawn_at(
    addr: &str,
    database_url: &str,
    scratch: &Path,
    dist_dir: &Path,
    env: &[(String, String)],
) -> (Child, String) {
    let mut child = Command::new(binary())
        .args(["serve", "--addr", addr])
        .env("BATON_LOG", "warn")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("BATON_DATABASE_URL", database_url)
        .env("BATON_DATA_DIR", scratch)
        .env("BATON_DIST_DIR", dist_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("starting baton serve");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let announced = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(url) = line.strip_prefix("Baton is running at ") {
                return Some(url.trim_end_matches('/').to_owned());
            }
        }
        None
    })
    .await;
    let base_url = match announced {
        Ok(Some(url)) => url,
        other => panic!("baton serve did not start: {other:?}"),
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base_url)
}
