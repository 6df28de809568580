//! Benchmark: the process-parameter comparison of a transfer with 10,000 parameters, as users meet it — a deep link
//! to the table opened in headless Chromium (navigation start to the first rows drawn, and scrolling to the last
//! row), the table's JSON size, and a CSV import of 10,000 rows (time, and the server's peak resident memory).
//! Against the server binary in `BATON_BIN` serving `BATON_TEST_DIST`; run through `scripts/bench.sh`. Prints
//! figures; asserts nothing.

use baton_tests::browser::{log_in, wait_for, wait_for_path};
use baton_tests::client::{DEMO_PASSWORD, send};
use baton_tests::{ApiClient, Backend, Browser, TestServer};
use reqwest::Method;
use serde_json::json;
use std::time::Instant;

const LOADS: usize = 10;
const PARAMETERS: usize = 10_000;
const LARGE: &str = "00000003-0000-4000-8000-000000000004";
const HEADER: &str =
    "unit_operation,parameter,setpoint,nor_low,nor_high,par_low,par_high,unit,criticality,quality_attributes";

/// Milliseconds from navigation start to the table's first rows on the page.
const SHOWN_TIME: &str =
    "return performance.getEntriesByName('baton:parameters-shown').map(e => e.startTime)[0] ?? null;";

/// Scrolls the table to its end and resolves with the milliseconds until its last row is drawn.
const SCROLL_TO_END: &str = "const done = arguments[arguments.length - 1]; \
    const frame = document.querySelector('[data-testid=parameter-grid]'); const start = performance.now(); \
    frame.scrollTop = frame.scrollHeight; \
    const look = () => { const rows = frame.querySelectorAll('tr[data-row]'); \
      const last = rows[rows.length - 1]; \
      if (last && last.textContent.includes(arguments[0])) { done(performance.now() - start); } \
      else { requestAnimationFrame(look); } }; look();";

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) { (values[mid - 1] + values[mid]) / 2.0 } else { values[mid] }
}

#[tokio::main]
async fn main() {
    let server = TestServer::start(Backend::Sqlite).await;
    let started = Instant::now();
    let seeded = server.run(&["seed-demo", "--large-transfer", &PARAMETERS.to_string()], None).await;
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    println!("seed-demo --large-transfer {PARAMETERS}: {:.1} s", started.elapsed().as_secs_f64());

    let lead = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let table = lead.get(&format!("/transfers/{LARGE}/parameters")).await;
    let bytes = table.body.to_string().len();
    let timed = Instant::now();
    let again = lead.http.get(lead.api(&format!("/transfers/{LARGE}/parameters"))).send().await.expect("table");
    let wire = again.bytes().await.expect("body").len();
    println!(
        "GET /transfers/{{id}}/parameters with {PARAMETERS} pairs: {:.0} ms, {:.1} MB of JSON ({:.1} MB compact)",
        timed.elapsed().as_secs_f64() * 1000.0,
        wire as f64 / 1e6,
        bytes as f64 / 1e6
    );

    let path = format!("/transfers/{LARGE}/parameters");
    let site = &server;
    Browser::run_sized(768, 1024, |c| async move {
        let server = site;
        c.goto(&server.url("/login")).await?;
        log_in(&c, "lead@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        let (mut shown, mut scrolled) = (Vec::new(), Vec::new());
        for _ in 0..LOADS {
            c.goto(&server.url(&path)).await?;
            wait_for(&c, "[data-testid=parameter-grid] tr[data-row]").await?;
            let time = c.execute(SHOWN_TIME, vec![]).await?;
            shown.push(time.as_f64().ok_or_else(|| anyhow::anyhow!("no performance mark: {time}"))?);
            let end = c.execute_async(SCROLL_TO_END, vec![json!("Volume (step 100)")]).await?;
            scrolled.push(end.as_f64().unwrap_or(f64::NAN));
        }
        let rows = c.find_all(fantoccini::Locator::Css("[data-testid=parameter-grid] tr[data-row]")).await?.len();
        println!("deep link to the table of {PARAMETERS} parameters, headless Chromium 768×1024, {LOADS} loads:");
        println!(
            "  navigation start -> first rows drawn: median {:.0} ms (first load {:.0} ms)",
            median(&mut shown.clone()),
            shown[0]
        );
        println!("  scroll to the last row: median {:.1} ms; rows in the DOM: {rows}", median(&mut scrolled));
        Ok(())
    })
    .await;

    let helix = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let rows: String = (0..PARAMETERS)
        .map(|i| {
            format!(
                "Step {},Imported {i},{}.5,{},{},15,40,°C,{},Titre\n",
                i / 100,
                20 + i % 10,
                19 + i % 10,
                22 + i % 10,
                if i % 3 == 0 { "CPP" } else { "non-CPP" }
            )
        })
        .collect();
    let csv = format!("{HEADER}\n{rows}");
    let before = server.peak_rss_kb().unwrap_or_default();
    let timed = Instant::now();
    let imported = send(
        helix.request(Method::POST, &format!("/transfers/{LARGE}/su-parameters/import")).json(&json!({"csv": csv})),
    )
    .await;
    let took = timed.elapsed().as_secs_f64();
    let after = server.peak_rss_kb().unwrap_or_default();
    println!(
        "CSV import of {PARAMETERS} rows ({:.2} MB, replacing {PARAMETERS}): HTTP {} in {:.2} s; server peak RSS {:.0} MB before, {:.0} MB after",
        csv.len() as f64 / 1e6,
        imported.status,
        took,
        before as f64 / 1024.0,
        after as f64 / 1024.0
    );
}
