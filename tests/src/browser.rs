//! Headless Chromium driven through ChromeDriver (WebDriver), as a user would use Baton.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::future::Future;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

/// A browser window at a given size; its ChromeDriver is killed when dropped.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    _driver: Child,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding a free port");
    listener.local_addr().expect("local address").port()
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium with a fresh profile and the given window size, in the machine's
    /// time zone.
    pub async fn launch(width: u32, height: u32) -> Browser {
        Browser::launch_in(width, height, None).await
    }

    /// As [`Browser::launch`], with the browser's clock in time zone `zone` (an IANA name such as `Etc/GMT-12`).
    async fn launch_in(width: u32, height: u32, zone: Option<&str>) -> Browser {
        let port = free_port();
        let mut command = Command::new("chromedriver");
        if let Some(zone) = zone {
            command.env("TZ", zone);
        }
        let driver = command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("starting chromedriver (scripts/setup.sh --with-test-tools installs it)");
        let profile = tempfile::tempdir().expect("browser profile directory");
        let chromium = which("chromium");
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--hide-scrollbars",
                    format!("--user-data-dir={}", profile.path().display()),
                    format!("--window-size={width},{height}"),
                ]
            }
        });
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("built as an object"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = None;
        for _ in 0..50 {
            match ClientBuilder::new(HttpConnector::new()).capabilities(capabilities.clone()).connect(&url).await {
                Ok(client) => {
                    client.set_window_size(width, height).await.expect("setting the window size");
                    return Browser { client, _driver: driver, _profile: profile };
                }
                Err(e) => {
                    last_error = Some(e);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        panic!("could not start a browser session: {last_error:?}");
    }

    /// Runs `scenario` in a fresh 1280×900 browser and always closes the browser, even if the scenario fails.
    pub async fn run<F, Fut>(scenario: F)
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        Browser::run_sized(1280, 900, scenario).await;
    }

    /// As [`Browser::run`], at the given window size.
    pub async fn run_sized<F, Fut>(width: u32, height: u32, scenario: F)
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        Browser::run_with(Browser::launch(width, height).await, scenario).await;
    }

    /// As [`Browser::run`], with the browser in time zone `zone` (an IANA name): for what a reader elsewhere sees.
    pub async fn run_in_zone<F, Fut>(zone: &str, scenario: F)
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        Browser::run_with(Browser::launch_in(1280, 900, Some(zone)).await, scenario).await;
    }

    async fn run_with<F, Fut>(browser: Browser, scenario: F)
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let outcome = scenario(browser.client.clone()).await;
        if outcome.is_err()
            && let Ok(png) = browser.client.screenshot().await
        {
            let path = std::env::temp_dir().join(format!("baton-failure-{}.png", uuid::Uuid::new_v4()));
            if std::fs::write(&path, png).is_ok() {
                eprintln!("screenshot of the failure: {}", path.display());
            }
        }
        browser.client.clone().close().await.ok();
        if let Err(e) = outcome {
            panic!("browser scenario failed: {e:?}");
        }
    }
}

fn which(program: &str) -> String {
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths).map(|dir| dir.join(program)).find(|candidate| candidate.is_file())
        })
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| panic!("{program} is not on PATH (scripts/setup.sh --with-test-tools installs it)"))
}

/// Waits up to 10 s for an element and returns it.
pub async fn wait_for(client: &Client, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
    Ok(client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await?)
}

/// Waits up to 10 s until the page's path (and query) is `expected`.
pub async fn wait_for_path(client: &Client, expected: &str) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let url = client.current_url().await?;
        let here = match url.query() {
            Some(q) => format!("{}?{}", url.path(), q),
            None => url.path().to_owned(),
        };
        if here == expected {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            anyhow::bail!("expected to be at {expected}, still at {here}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Fills the login form and submits it.
pub async fn log_in(client: &Client, email: &str, password: &str) -> anyhow::Result<()> {
    wait_for(client, "#email").await?.send_keys(email).await?;
    wait_for(client, "#password").await?.send_keys(password).await?;
    wait_for(client, "button[type=submit]").await?.click().await?;
    Ok(())
}
