//! Benchmark: how long a deep link to a transfer takes, from navigation to its data on screen, in headless
//! Chromium against the server binary in `BATON_BIN` serving the front end in `BATON_TEST_DIST`.
//!
//! Run through `scripts/bench.sh`, which builds both in release mode first. Prints figures; asserts nothing.

use baton_tests::browser::{log_in, wait_for, wait_for_path};
use baton_tests::client::DEMO_PASSWORD;
use baton_tests::{Backend, Browser, TestServer};

const LOADS: usize = 20;
const DEEP_LINK: &str = "/transfers/00000003-0000-4000-8000-000000000001";

/// Milliseconds from navigation start to the moment the app marked the transfer's data as shown.
const SHOWN_TIME: &str =
    "return performance.getEntriesByName('baton:transfer-shown').map(e => e.startTime)[0] ?? null;";

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) { (values[mid - 1] + values[mid]) / 2.0 } else { values[mid] }
}

#[tokio::main]
async fn main() {
    let server = TestServer::start(Backend::Sqlite).await;
    Browser::run_sized(1280, 900, |c| async move {
        c.goto(&server.url("/login")).await?;
        log_in(&c, "lead@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;

        let mut times = Vec::with_capacity(LOADS);
        for _ in 0..LOADS {
            c.goto(&server.url(DEEP_LINK)).await?;
            wait_for(&c, "[data-testid=transfer] h1").await?;
            let shown = c.execute(SHOWN_TIME, vec![]).await?;
            times.push(shown.as_f64().ok_or_else(|| anyhow::anyhow!("no performance mark: {shown}"))?);
        }
        let first = times[0];
        let (min, max) = times.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &t| (lo.min(t), hi.max(t)));
        println!(
            "deep link {DEEP_LINK}: navigation start -> transfer data in the page, headless Chromium, {LOADS} loads"
        );
        println!("  first load: {first:.0} ms");
        println!("  median: {:.0} ms   min: {min:.0} ms   max: {max:.0} ms", median(&mut times));
        Ok(())
    })
    .await;
}
