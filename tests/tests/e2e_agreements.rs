//! End-to-end: the sponsor drafts an agreement, both signatories sign with their passwords, the CMO opens the
//! transfer that was refused before, the sponsor revokes, the link is refused again, and the trail shows it all.
//! A signatory shown terms that changed meanwhile is told what changed and signs nothing. QA of both parties agree
//! tighter KPI targets, and the scorecard's tile changes colour and names the agreement.

use baton_tests::browser::{log_in, wait_for, wait_for_path};
use baton_tests::client::{DEMO_PASSWORD, send};
use baton_tests::{ApiClient, Backend, Browser, TestServer};
use fantoccini::{Client, Locator};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
const NORVIA_PARTNERSHIP: &str = "00000005-0000-4000-8000-000000000001";

async fn log_out(c: &Client) -> anyhow::Result<()> {
    c.find(Locator::Css("button[aria-label='Log out']")).await?.click().await?;
    wait_for_path(c, "/login").await
}

async fn sign_in_dialog(c: &Client, button: &str, password: &str, reason: Option<&str>) -> anyhow::Result<()> {
    let xpath = format!("//button[normalize-space()='{button}']");
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::XPath(&xpath)).await?.click().await?;
    if let Some(reason) = reason {
        wait_for(c, "#sign-reason").await?.send_keys(reason).await?;
    }
    wait_for(c, "#sign-password").await?.send_keys(password).await?;
    c.find(Locator::Css(".dialog button[type=submit]")).await?.click().await?;
    Ok(())
}

async fn wait_for_state(c: &Client, expected: &str) -> anyhow::Result<()> {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(&format!("//*[@data-testid='agreement-state'][contains(., '{expected}')]")))
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agreement_signed_by_both_opens_a_deep_link_and_revocation_closes_it() {
    let server = TestServer::start(Backend::Sqlite).await;
    let site = &server;
    Browser::run(|c| async move {
        let server = site;
        let deep_link = server.url(&format!("/transfers/{VELARIMAB_DP}"));
        // The CMO is refused at first, and told what is missing.
        c.goto(&server.url("/login")).await?;
        log_in(&c, "admin@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&deep_link).await?;
        let denied = wait_for(&c, "[data-testid=no-access]").await?.text().await?;
        assert!(denied.contains("No active data-sharing agreement"), "{denied}");
        log_out(&c).await?;

        // The sponsor's admin drafts and signs.
        log_in(&c, "admin@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&server.url("/agreements/new")).await?;
        let form = wait_for(&c, "[data-testid=agreement-form]").await?;
        form.find(Locator::Css("#partner")).await?.select_by_label("Norvia CDMO").await?;
        wait_for(&c, &format!("input[value='{VELARIMAB_DP}']")).await?.click().await?;
        c.find(Locator::Css("#title")).await?.send_keys("Velarimab DP — initiation").await?;
        c.find(Locator::Css("input[value='process_description']")).await?.click().await?;
        c.find(Locator::Css("button[type=submit]")).await?.click().await?;
        wait_for(&c, "[data-testid=agreement]").await?;
        wait_for_state(&c, "Draft").await?;
        let agreement_url = c.current_url().await?;

        sign_in_dialog(&c, "Approve and sign", "wrong-password", None).await?;
        let wrong = Locator::XPath("//*[@data-testid='sign-error'][contains(., 'not correct')]");
        c.wait().at_most(Duration::from_secs(10)).for_element(wrong).await?;
        c.find(Locator::XPath("//button[normalize-space()='Cancel']")).await?.click().await?;
        sign_in_dialog(&c, "Approve and sign", DEMO_PASSWORD, None).await?;
        wait_for_state(&c, "Awaiting signatures").await?;
        let signatures = wait_for(&c, "[data-testid=signatures]").await?.text().await?;
        assert!(signatures.contains("Approved by Priya Natarajan"), "{signatures}");

        // Changing the terms after signing voids that signature; the sponsor approves the new terms again.
        c.find(Locator::XPath("//button[normalize-space()='Edit terms']")).await?.click().await?;
        let editor = wait_for(&c, "[data-testid=terms-editor]").await?;
        editor.find(Locator::Css("#edit-permission")).await?.select_by_label("comment").await?;
        editor.find(Locator::Css("#edit-reason")).await?.send_keys("Norvia asked to comment").await?;
        editor.find(Locator::XPath(".//button[normalize-space()='Save changes']")).await?.click().await?;
        wait_for_state(&c, "Draft").await?;
        let voided = wait_for(&c, "[data-testid=signatures]").await?.text().await?;
        assert!(voided.contains("No longer valid"), "{voided}");
        sign_in_dialog(&c, "Approve and sign", DEMO_PASSWORD, None).await?;
        wait_for_state(&c, "Awaiting signatures").await?;
        log_out(&c).await?;

        // The CMO's admin signs; the agreement is in force and the deep link opens.
        log_in(&c, "admin@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(agreement_url.as_str()).await?;
        sign_in_dialog(&c, "Approve and sign", DEMO_PASSWORD, None).await?;
        wait_for_state(&c, "Active").await?;
        c.goto(&deep_link).await?;
        let page = wait_for(&c, "[data-testid=transfer]").await?.text().await?;
        assert!(page.contains("Velarimab drug product"), "{page}");
        log_out(&c).await?;

        // The sponsor revokes with a reason; the CMO is refused again.
        log_in(&c, "admin@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(agreement_url.as_str()).await?;
        sign_in_dialog(&c, "Revoke", DEMO_PASSWORD, Some("Initiation paused")).await?;
        wait_for_state(&c, "Revoked").await?;
        c.goto(&server.url("/audit")).await?;
        let trail = wait_for(&c, "[data-testid=audit-table]").await?.text().await?;
        for expected in ["Signed", "State changed", "Initiation paused", "Read", "Jan De Smet"] {
            assert!(trail.contains(expected), "audit view lacks {expected:?}:\n{trail}");
        }
        log_out(&c).await?;
        log_in(&c, "admin@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&deep_link).await?;
        wait_for(&c, "[data-testid=no-access]").await?;
        Ok(())
    })
    .await;
    let out = server.run(&["audit", "verify"], None).await;
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).starts_with("OK: "), "{out:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cmo_qa_approves_the_quality_agreement_and_it_takes_effect() {
    let server = TestServer::start(Backend::Sqlite).await;
    Browser::run_sized(768, 1024, |c| async move {
        c.goto(&server.url("/login")).await?;
        log_in(&c, "qa@castellan.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&server.url("/agreements")).await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath("//a[normalize-space()='Quality agreement']"))
            .await?
            .click()
            .await?;
        let version = wait_for(&c, "[data-testid=version-1]").await?.text().await?;
        assert!(version.contains("Awaiting signatures") && version.contains("Batch release"), "{version}");
        sign_in_dialog(&c, "Approve and sign", DEMO_PASSWORD, None).await?;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath("//*[@data-testid='quality-state'][contains(., 'Effective')]"))
            .await?;
        let signed = wait_for(&c, "[data-testid=version-1]").await?.text().await?;
        assert!(signed.contains("Approved by Chiara Bassi"), "{signed}");
        let no_scroll = c.execute("return document.documentElement.scrollWidth <= window.innerWidth;", vec![]).await?;
        assert_eq!(no_scroll, serde_json::json!(true), "no horizontal scroll at 768 px");
        Ok(())
    })
    .await;
}

/// Waits until the element at `css` shows `text`; returns what it shows.
async fn wait_for_text(c: &Client, css: &str, text: &str) -> anyhow::Result<String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let found = match c.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if found.contains(text) {
            return Ok(found);
        }
        if std::time::Instant::now() > deadline {
            anyhow::bail!("{css} never showed {text:?}; it shows {found:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn click(c: &Client, label: &str) -> anyhow::Result<()> {
    let xpath = format!("//button[normalize-space()='{label}'] | //a[normalize-space()='{label}']");
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::XPath(&xpath)).await?.click().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tighter_kpi_targets_signed_by_both_qas_turn_the_scorecard_tile_red() {
    let server = TestServer::start(Backend::Sqlite).await;
    let site = &server;
    Browser::run_sized(768, 1024, |c| async move {
        let card = site.url(&format!("/partnerships/{NORVIA_PARTNERSHIP}/scorecard"));
        let yield_tile = "[data-testid=kpi-mean_yield]";
        c.goto(&site.url("/login")).await?;
        log_in(&c, "qa@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        // The demo's agreed targets put Norvia's 96.4 % mean yield on green.
        c.goto(&card).await?;
        wait_for(&c, &format!("{yield_tile} .chip-done")).await?;
        wait_for_text(&c, "[data-testid=targets-note]", "Targets agreed").await?;
        click(&c, "See the targets and their history").await?;
        wait_for_path(&c, &format!("/partnerships/{NORVIA_PARTNERSHIP}/targets")).await?;

        // Helix's QA proposes a yield target of 98 % (amber from 97 %) and signs it.
        click(&c, "Propose new version").await?;
        let target = wait_for(&c, "#target-mean_yield").await?;
        target.clear().await?;
        target.send_keys("98").await?;
        let amber = c.find(Locator::Css("#amber-mean_yield")).await?;
        amber.clear().await?;
        amber.send_keys("97").await?;
        c.find(Locator::Css("#targets-reason")).await?.send_keys("Yield improvement plan").await?;
        click(&c, "Propose version").await?;
        let draft = wait_for_text(&c, "[data-testid=targets-version-2]", "Draft").await?;
        assert!(draft.contains("≥ 98.0 %") && draft.contains("< 97.0 %"), "{draft}");
        sign_in_dialog(&c, "Approve and sign", DEMO_PASSWORD, None).await?;
        wait_for_text(&c, "[data-testid=targets-version-2]", "Awaiting signatures").await?;
        log_out(&c).await?;

        // Norvia's QA signs: version 2 is in force, and the tile turns red against 98 %.
        log_in(&c, "qa@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&site.url(&format!("/partnerships/{NORVIA_PARTNERSHIP}/targets"))).await?;
        sign_in_dialog(&c, "Approve and sign", DEMO_PASSWORD, None).await?;
        wait_for_text(&c, "[data-testid=targets-version-2]", "In force").await?;
        wait_for_text(&c, "[data-testid=targets-in-force]", "Pieter Wouters").await?;
        let no_scroll = c.execute("return document.documentElement.scrollWidth <= window.innerWidth;", vec![]).await?;
        assert_eq!(no_scroll, serde_json::json!(true), "no horizontal scroll at 768 px");
        click(&c, "KPI scorecard").await?;
        wait_for(&c, &format!("{yield_tile} .chip-bad")).await?;
        let tile = wait_for(&c, yield_tile).await?.text().await?;
        assert!(tile.contains("96.4 %") && tile.contains("Target 98.0 %"), "{tile}");
        let note = wait_for_text(&c, "[data-testid=targets-note]", "Targets agreed").await?;
        assert!(note.contains("(version 2)") && note.contains("Dana Kim") && note.contains("Pieter Wouters"), "{note}");
        assert!(c.find(Locator::Css("[data-testid=kpi-mismatch]")).await.is_err(), "the browser agrees");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amending_an_agreement_in_force_starts_a_new_draft_version() {
    let server = TestServer::start(Backend::Sqlite).await;
    Browser::run(|c| async move {
        c.goto(&server.url("/login")).await?;
        log_in(&c, "lead@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&server.url("/agreements/00000006-0000-4000-8000-000000000001")).await?;
        wait_for_state(&c, "Active").await?;
        let xpath = "//button[normalize-space()='Amend']";
        c.wait().at_most(Duration::from_secs(10)).for_element(Locator::XPath(xpath)).await?.click().await?;
        wait_for(&c, "#sign-reason").await?.send_keys("Extend validity to 2029").await?;
        c.find(Locator::Css(".dialog button[type=submit]")).await?.click().await?;
        wait_for_state(&c, "Draft").await?;
        let page = wait_for(&c, "[data-testid=agreement]").await?.text().await?;
        assert!(page.contains("amends the previous version"), "{page}");
        assert!(!c.current_url().await?.as_str().ends_with("00000006-0000-4000-8000-000000000001"), "a new record");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signatory_shown_terms_that_changed_since_is_told_what_changed_and_signs_nothing() {
    let server = TestServer::start(Backend::Sqlite).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let mut terms = json!({
        "title": "Velarimab DP — initiation", "grantee": "00000001-0000-4000-8000-000000000002",
        "scope": {"products": {"kind": "all"}, "transfers": {"kind": "only", "items": [VELARIMAB_DP]},
                  "data_classes": ["process_description"]},
        "permission": "view", "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"
    });
    let created = send(sponsor.request(Method::POST, "/agreements").json(&terms)).await;
    let id = created.body["id"].as_str().expect("id").to_owned();
    let (site, sponsor, id) = (&server, &sponsor, id.as_str());
    Browser::run(|c| async move {
        c.goto(&site.url("/login")).await?;
        log_in(&c, "admin@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&site.url(&format!("/agreements/{id}"))).await?;
        wait_for_state(&c, "Draft").await?;
        let page = wait_for(&c, "[data-testid=agreement]").await?.text().await?;
        assert!(page.contains("TT-2026-007"), "the signer reads which transfer is covered: {page}");
        // While Norvia's admin reads the terms, Helix widens them.
        terms["permission"] = json!("download");
        let change = json!({"terms": terms, "row_version": 1, "reason": "Allow downloads"});
        let changed = send(sponsor.request(Method::PUT, &format!("/agreements/{id}")).json(&change)).await;
        assert_eq!(changed.status, 200, "{:?}", changed.body);
        sign_in_dialog(&c, "Approve and sign", DEMO_PASSWORD, None).await?;
        let refused = Locator::XPath("//*[@data-testid='sign-error'][contains(., 'changed since you opened it')]");
        let message = c.wait().at_most(Duration::from_secs(10)).for_element(refused).await?.text().await?;
        assert!(message.contains("Priya Natarajan") && message.contains("Allow downloads"), "{message}");
        c.find(Locator::XPath("//button[normalize-space()='Cancel']")).await?.click().await?;
        let signatures = wait_for(&c, "[data-testid=agreement]").await?.text().await?;
        assert!(signatures.contains("Not signed yet"), "nothing was signed: {signatures}");
        // Reloaded, the page shows the new terms, and signing them counts.
        c.refresh().await?;
        let permission = wait_for(&c, "[data-testid=agreement]").await?.text().await?;
        assert!(permission.contains("download"), "{permission}");
        sign_in_dialog(&c, "Approve and sign", DEMO_PASSWORD, None).await?;
        wait_for_state(&c, "Awaiting signatures").await?;
        Ok(())
    })
    .await;
}
