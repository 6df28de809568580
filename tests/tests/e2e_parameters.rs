//! End-to-end at tablet size (768×1024), the process-parameter comparison: the CMO's lead, under an agreement,
//! proposes a receiving-unit value and the gap flag appears; a CSV with two bad rows is refused with both problems
//! shown and nothing imported; a deep link to a flagged row opens the table on that row, with the row's discussion; a transfer with 10,000
//! parameters draws only the rows in view and scrolls to its last one.

use baton_tests::browser::{log_in, wait_for, wait_for_path};
use baton_tests::client::{DEMO_PASSWORD, send};
use baton_tests::{ApiClient, Backend, Browser, TestServer};
use fantoccini::{Client, Locator};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

const NORVIA: &str = "00000001-0000-4000-8000-000000000002";
const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
const LARGE: &str = "00000003-0000-4000-8000-000000000004";
const VELARIMAB_DP_PRODUCT: &str = "00000007-0000-4000-8000-000000000003";
/// Drug product's sixth SU parameter: Seed expansion · Hold time, PAR 36.0–84.0 min, no RU proposal yet.
const DP_HOLD_TIME: &str = "0000000a-0000-4000-8000-000003000005";
/// Drug substance's 31st SU parameter, whose RU proposal reaches outside its PAR.
const DS_FLAGGED: &str = "0000000a-0000-4000-8000-00000100001e";

async fn open_as(c: &Client, server: &TestServer, who: &str, path: &str) -> anyhow::Result<()> {
    c.goto(&server.url("/login")).await?;
    log_in(c, who, DEMO_PASSWORD).await?;
    wait_for_path(c, "/transfers").await?;
    c.goto(&server.url(path)).await?;
    wait_for(c, "[data-testid=parameter-grid] tbody tr[data-row]").await?;
    Ok(())
}

/// The gap flag's text (its title) on a row, read in one script.
async fn gap_title(c: &Client, id: &str) -> anyhow::Result<String> {
    let script = "const g = document.querySelector(arguments[0] + ' [data-testid=gap]'); return g ? g.title : '';";
    Ok(c.execute(script, vec![json!(row(id))]).await?.as_str().unwrap_or_default().to_owned())
}

fn row(id: &str) -> String {
    format!("[data-testid=parameter-grid] tr[data-row='{id}']")
}

/// Shares the drug product's overview and process parameters with Norvia (contribute), both admins signing.
async fn share_drug_product(server: &TestServer) {
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let cmo = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    let terms = json!({
        "title": "Velarimab DP — process", "grantee": NORVIA,
        "scope": {"products": {"kind": "only", "items": [VELARIMAB_DP_PRODUCT]},
                  "transfers": {"kind": "only", "items": [VELARIMAB_DP]},
                  "data_classes": ["process_description", "process_parameters"]},
        "permission": "contribute", "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"
    });
    let created = send(sponsor.request(Method::POST, "/agreements").json(&terms)).await;
    let id = created.body["id"].as_str().expect("agreement").to_owned();
    for signer in [&sponsor, &cmo] {
        assert_eq!(signer.approve_agreement(&id, DEMO_PASSWORD).await.status, 200);
    }
}

async fn fill(c: &Client, css: &str, text: &str) -> anyhow::Result<()> {
    let field = wait_for(c, css).await?;
    field.clear().await?;
    field.send_keys(text).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cmo_lead_proposes_an_ru_value_and_the_gap_flag_appears() {
    let server = TestServer::start(Backend::Sqlite).await;
    share_drug_product(&server).await;
    let site = &server;
    Browser::run_sized(768, 1024, |c| async move {
        open_as(&c, site, "lead@norvia.example", &format!("/transfers/{VELARIMAB_DP}/parameters")).await?;
        wait_for(&c, &row(DP_HOLD_TIME)).await?;
        // Read and click inside one script each: the windowed table redraws its rows as it settles.
        let before = gap_title(&c, DP_HOLD_TIME).await?;
        assert!(
            before.contains("has not proposed") && !before.contains("above"),
            "only missing on the RU side: {before}"
        );
        c.execute("document.querySelector(arguments[0] + ' button').click()", vec![json!(row(DP_HOLD_TIME))]).await?;
        wait_for(&c, "[data-testid=proposal-form]").await?;
        fill(&c, "#ru-setpoint", "1.5e2").await?;
        fill(&c, "#ru-nor-low", "85.0").await?;
        fill(&c, "#ru-nor-high", "95.0").await?;
        c.find(Locator::XPath("//button[normalize-space()='Save proposal']")).await?.click().await?;
        let error = wait_for(&c, "[data-testid=proposal-error]").await?;
        c.wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::XPath("//*[@data-testid='proposal-error'][contains(., 'exponent')]"))
            .await?;
        assert!(error.text().await?.contains("without an exponent"));
        fill(&c, "#ru-setpoint", "90.0").await?;
        c.find(Locator::XPath("//button[normalize-space()='Save proposal']")).await?.click().await?;
        let flagged = format!("{} [data-testid=gap][title*='above the SU PAR']", row(DP_HOLD_TIME));
        wait_for(&c, &flagged).await?;
        let counts = wait_for(&c, "[data-testid=parameter-counts]").await?.text().await?;
        assert!(counts.contains(": 1 differ"), "{counts}");
        c.find(Locator::Css("#p-gaps")).await?.click().await?;
        wait_for(&c, &flagged).await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_csv_is_refused_with_every_problem_and_a_deep_link_opens_on_its_row() {
    let server = TestServer::start(Backend::Sqlite).await;
    let file = tempfile::Builder::new().suffix(".csv").tempfile().expect("temp file");
    let csv = "unit_operation,parameter,setpoint,nor_low,nor_high,par_low,par_high,unit,criticality,quality_attributes\n\
               Bioreactor,Temperature,37.0,36.5,37.5,35.0,38.0,°C,CPP,Titre\n\
               Bioreactor,pH,7.1,6.9,7.3,6.8,7.4,pH,maybe,\n\
               Bioreactor,Agitation,1e3,,,,,rpm,non-CPP,\n";
    std::fs::write(file.path(), csv).expect("writing the file");
    let path = file.path().display().to_string();
    let site = &server;
    Browser::run_sized(768, 1024, |c| async move {
        open_as(&c, site, "lead@helix.example", &format!("/transfers/{VELARIMAB_DP}/parameters")).await?;
        wait_for(&c, ".import summary").await?.click().await?;
        wait_for(&c, "#import-file").await?.send_keys(&path).await?;
        c.find(Locator::XPath("//button[normalize-space()='Import']")).await?.click().await?;
        let problems = wait_for(&c, "[data-testid=import-problems] tbody").await?.text().await?;
        assert!(problems.contains("3 criticality") && problems.contains("4 setpoint"), "{problems}");
        let message = wait_for(&c, "[data-testid=import-message]").await?.text().await?;
        assert!(message.contains("2 problem(s)") && message.contains("Nothing was changed"), "{message}");
        let counts = wait_for(&c, "[data-testid=parameter-counts]").await?.text().await?;
        assert!(counts.starts_with("200 parameters"), "nothing imported: {counts}");

        // Norvia opens a deep link to a row far down with a gap: the table opens scrolled to it, highlighted.
        c.find(Locator::Css("button[aria-label='Log out']")).await?.click().await?;
        wait_for_path(&c, "/login").await?;
        log_in(&c, "lead@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&site.url(&format!("/transfers/{VELARIMAB_DS}/parameters/{DS_FLAGGED}"))).await?;
        let target = wait_for(&c, &format!("{}.row-highlight", row(DS_FLAGGED))).await?;
        target.find(Locator::Css("[data-testid=gap]")).await?;
        let visible = c
            .execute(
                "const f = document.querySelector('[data-testid=parameter-grid]').getBoundingClientRect(); \
                 const r = arguments[0].getBoundingClientRect(); return r.top >= f.top && r.bottom <= f.bottom;",
                vec![serde_json::to_value(&target)?],
            )
            .await?;
        assert_eq!(visible, json!(true), "the linked row is in view");

        // The row's discussion follows the table: Norvia asks about the gap there.
        let heading = wait_for(&c, "[data-testid=comments] h2").await?.text().await?;
        assert!(heading.starts_with("Discussion of parameter"), "{heading}");
        wait_for(&c, "#comment-new").await?.send_keys("Our PAR is wider; can we align before PPQ?").await?;
        c.find(Locator::XPath("//button[normalize-space()='Post comment']")).await?.click().await?;
        let posted =
            "//*[@data-testid='comments']//article[contains(., 'Our PAR is wider')][contains(., 'Sofie Claes')]";
        c.wait().at_most(Duration::from_secs(10)).for_element(Locator::XPath(posted)).await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_parameters_draw_only_the_rows_in_view() {
    let server = TestServer::start(Backend::Sqlite).await;
    let seeded = server.run(&["seed-demo", "--large-transfer", "10000"], None).await;
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let site = &server;
    Browser::run_sized(768, 1024, |c| async move {
        open_as(&c, site, "lead@norvia.example", &format!("/transfers/{LARGE}/parameters")).await?;
        let counts = wait_for(&c, "[data-testid=parameter-counts]").await?.text().await?;
        assert!(counts.starts_with("10000 parameters"), "{counts}");
        let drawn = c.find_all(Locator::Css("[data-testid=parameter-grid] tbody tr[data-row]")).await?.len();
        assert!((10..80).contains(&drawn), "{drawn} rows in the DOM for 10,000 parameters");
        c.execute(
            "const f = document.querySelector('[data-testid=parameter-grid]'); f.scrollTop = f.scrollHeight;",
            vec![],
        )
        .await?;
        let last = "//tr[@data-row]/td[2][normalize-space()='Volume (step 100)']";
        c.wait().at_most(Duration::from_secs(10)).for_element(Locator::XPath(last)).await?;
        let drawn = c.find_all(Locator::Css("[data-testid=parameter-grid] tbody tr[data-row]")).await?.len();
        assert!((10..80).contains(&drawn), "{drawn} rows in the DOM at the end");
        Ok(())
    })
    .await;
}
