//! End-to-end, at tablet size (768×1024): the sponsor's lead starts a transfer in the app; QA of both parties
//! approve gate 1 with their passwords; two people editing one deliverable — the second is shown the conflict and
//! re-applies only their own change; comments with a mention and a deep link to one; and, in two browsers, live
//! updates: a protocol the sponsor drops appears on the CMO's open page, the CMO's question reaches the sponsor's bell;
//! a change by the sponsor appears on the CMO's open page, which refetches too when the server says the changes it
//! missed while away were pruned.

use anyhow::Context;
use baton_tests::browser::{log_in, wait_for, wait_for_path};
use baton_tests::client::{DEMO_PASSWORD, send};
use baton_tests::{ApiClient, Backend, Browser, TestServer};
use fantoccini::actions::{WheelAction, WheelActions};
use fantoccini::{Client, Locator};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
/// Velarimab drug substance (TT-2026-001), which an agreement in force shares with Norvia.
const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const VELARIMAB_DP_PRODUCT: &str = "00000007-0000-4000-8000-000000000003";
const NORVIA: &str = "00000001-0000-4000-8000-000000000002";
/// Velarimab drug product's "Transfer protocol" (stage 2, first deliverable).
const PROTOCOL: &str = "00000009-0000-4000-8000-000000030201";

async fn log_out(c: &Client) -> anyhow::Result<()> {
    c.find(Locator::Css("button[aria-label='Log out']")).await?.click().await?;
    wait_for_path(c, "/login").await
}

async fn button(c: &Client, label: &str) -> anyhow::Result<fantoccini::elements::Element> {
    let xpath = format!("//button[normalize-space()='{label}'] | //a[normalize-space()='{label}']");
    Ok(c.wait().at_most(Duration::from_secs(10)).for_element(Locator::XPath(&xpath)).await?)
}

async fn wait_for_text(c: &Client, testid: &str, text: &str) -> anyhow::Result<()> {
    let xpath = format!("//*[@data-testid='{testid}'][contains(., \"{text}\")]");
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::XPath(&xpath)).await?;
    Ok(())
}

/// Types a date into a date input the way the browser's own picker would set it.
async fn set_date(c: &Client, css: &str, value: &str) -> anyhow::Result<()> {
    wait_for(c, css).await?;
    let script = "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
                  e.dispatchEvent(new Event('input', { bubbles: true }));";
    c.execute(script, vec![json!(css), json!(value)]).await?;
    Ok(())
}

/// Scrolls to the top of the page with the mouse wheel, as a user does (a script's scroll is not the user's).
async fn wheel_to_top(c: &Client) -> anyhow::Result<()> {
    let mut wheel = WheelActions::new("wheel".into());
    wheel.push(WheelAction::Scroll { duration: None, x: 10, y: 200, delta_x: 0, delta_y: -20_000 });
    c.perform_actions(wheel).await?;
    Ok(())
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sponsor_lead_starts_a_transfer_with_its_team() {
    let server = TestServer::start(Backend::Sqlite).await;
    let site = &server;
    Browser::run_sized(768, 1024, |c| async move {
        c.goto(&site.url("/login")).await?;
        log_in(&c, "lead@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        button(&c, "Start a transfer").await?.click().await?;
        let form = wait_for(&c, "[data-testid=new-transfer]").await?;
        form.find(Locator::Css("#t-product")).await?.select_by_value(VELARIMAB_DP_PRODUCT).await?;
        form.find(Locator::Css("#t-cmo")).await?.select_by_value(NORVIA).await?;
        set_date(&c, "#t-start", "2026-12-01").await?;
        set_date(&c, "#t-target", "2026-11-01").await?;
        button(&c, "Start transfer").await?.click().await?;
        wait_for_text(&c, "new-transfer-error", "The target completion must be after the start.").await?;
        set_date(&c, "#t-target", "2027-12-01").await?;
        let sofie = "//label[contains(., 'Sofie Claes')]/input[@type='checkbox']";
        c.wait().at_most(Duration::from_secs(10)).for_element(Locator::XPath(sofie)).await?.click().await?;
        wait_for(&c, "input[aria-label='Responsibility of Sofie Claes']")
            .await?
            .send_keys("Receiving-unit lead")
            .await?;
        button(&c, "Start transfer").await?.click().await?;
        wait_for(&c, "[data-testid=transfer]").await?;
        let header = wait_for(&c, "[data-testid=transfer] .record-header").await?.text().await?;
        assert!(header.contains("TT-2026-008") && header.contains("Velarimab drug product"), "{header}");
        wait_for_text(&c, "stage", "Initiation & feasibility (stage 1 of 8)").await?;
        wait_for_text(&c, "team", "Sofie Claes").await?;
        let team = wait_for(&c, "[data-testid=team]").await?.text().await?;
        assert!(team.contains("Receiving-unit lead"), "{team}");
        Ok(())
    })
    .await;
}

/// Shares the drug product transfer with Norvia (contribute) and finishes gate 1's deliverables, over the API.
async fn prepare_gate_1(server: &TestServer) {
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let cmo = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    let terms = json!({
        "title": "Velarimab DP", "grantee": NORVIA,
        "scope": {"products": {"kind": "only", "items": [VELARIMAB_DP_PRODUCT]},
                  "transfers": {"kind": "only", "items": [VELARIMAB_DP]}, "data_classes": ["process_description"]},
        "permission": "contribute", "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"
    });
    let created = send(sponsor.request(Method::POST, "/agreements").json(&terms)).await;
    let id = created.body["id"].as_str().expect("agreement").to_owned();
    for signer in [&sponsor, &cmo] {
        assert_eq!(signer.approve_agreement(&id, DEMO_PASSWORD).await.status, 200);
    }
    let plan = sponsor.get(&format!("/transfers/{VELARIMAB_DP}/stages")).await;
    for d in plan.body["stages"][0]["deliverables"].as_array().expect("deliverables") {
        let mut fields: Value = json!({"title": d["title"], "description": "", "owner_org": d["owner"]["id"],
            "owner_person": d["owner_person"]["id"], "due_on": d["due_on"], "status": "done"});
        if d["owner_person"].is_null() {
            fields["owner_person"] = Value::Null;
        }
        let body = json!({"deliverable": fields, "row_version": d["row_version"]});
        let path = format!("/deliverables/{}", d["id"].as_str().unwrap_or_default());
        assert_eq!(send(sponsor.request(Method::PUT, &path).json(&body)).await.status, 200);
    }
}

async fn approve_gate(c: &Client, password: &str) -> anyhow::Result<()> {
    button(c, "Approve gate").await?.click().await?;
    let statement = wait_for(c, "[data-testid=sign-statement]").await?.text().await?;
    assert!(statement.contains("approve gate 1 (Initiation & feasibility) of TT-2026-007"), "{statement}");
    wait_for(c, "#sign-password").await?.send_keys(password).await?;
    c.find(Locator::Css(".dialog button[type=submit]")).await?.click().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_parties_qa_approve_gate_1_with_their_passwords() {
    let server = TestServer::start(Backend::Sqlite).await;
    prepare_gate_1(&server).await;
    let site = &server;
    Browser::run_sized(768, 1024, |c| async move {
        let gate = site.url(&format!("/transfers/{VELARIMAB_DP}/stages/1"));
        c.goto(&site.url("/login")).await?;
        log_in(&c, "qa@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&gate).await?;
        approve_gate(&c, "not-my-password").await?;
        wait_for_text(&c, "sign-error", "not correct").await?;
        c.find(Locator::XPath("//button[normalize-space()='Cancel']")).await?.click().await?;
        approve_gate(&c, DEMO_PASSWORD).await?;
        wait_for_text(&c, "approvals", "Approved by Dana Kim").await?;
        wait_for_text(&c, "gate-state", "Open").await?;
        log_out(&c).await?;

        log_in(&c, "qa@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&gate).await?;
        approve_gate(&c, DEMO_PASSWORD).await?;
        wait_for_text(&c, "gate-state", "Passed").await?;
        wait_for_text(&c, "approvals", "Approved by Pieter Wouters").await?;
        wait_for_text(&c, "stage-state", "Passed").await?;
        c.goto(&site.url(&format!("/transfers/{VELARIMAB_DP}"))).await?;
        wait_for_text(&c, "stage", "Planning (stage 2 of 8)").await?;
        wait_for_text(&c, "latest-changes", "Pieter Wouters").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_second_editor_of_a_deliverable_sees_the_conflict_and_reapplies_only_their_change() {
    let server = TestServer::start(Backend::Sqlite).await;
    let (first, second) = (Browser::launch(768, 1024).await, Browser::launch(768, 1024).await);
    let (a, b) = (first.client.clone(), second.client.clone());
    let page = server.url(&format!("/deliverables/{PROTOCOL}"));
    for (c, who) in [(&a, "lead@helix.example"), (&b, "operator@helix.example")] {
        c.goto(&server.url("/login")).await.expect("login page");
        log_in(c, who, DEMO_PASSWORD).await.expect("log in");
        wait_for_path(c, "/transfers").await.expect("logged in");
        c.goto(&page).await.expect("deliverable");
        wait_for(c, "[data-testid=deliverable-form] #d-status").await.expect("form");
    }
    let outcome = async {
        a.find(Locator::Css("#d-status")).await?.select_by_value("done").await?;
        button(&a, "Save").await?.click().await?;
        wait_for(&a, "[data-testid=saved]").await?;

        set_date(&b, "#d-due", "2027-03-31").await?;
        button(&b, "Save").await?.click().await?;
        wait_for_text(&b, "conflict-message", "Marco Lenz changed (status)").await?;
        let table = wait_for(&b, "[data-testid=conflict] table").await?.text().await?;
        assert!(table.contains("Due") && !table.contains("Status"), "only the differing field: {table}");
        button(&b, "Re-apply my changes").await?.click().await?;
        wait_for(&b, "[data-testid=saved]").await?;
        anyhow::Ok(())
    }
    .await;
    keep_failure_screenshots(&outcome, [&a, &b]).await;
    a.close().await.ok();
    b.close().await.ok();
    outcome.expect("two editors");
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let stored = lead.get(&format!("/deliverables/{PROTOCOL}")).await;
    assert_eq!((stored.body["status"].clone(), stored.body["due_on"].clone()), (json!("done"), json!("2027-03-31")));
}

/// The CMO's lead comments on the drug substance transfer, mentioning the sponsor's lead picked from the people who
/// can see it; a deep link to the comment opens the transfer scrolled to it, highlighted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cmo_comments_with_a_mention_and_a_deep_link_opens_the_comment() {
    let server = TestServer::start(Backend::Sqlite).await;
    let site = &server;
    Browser::run_sized(768, 1024, |c| async move {
        c.goto(&site.url("/login")).await?;
        log_in(&c, "lead@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&site.url(&format!("/transfers/{VELARIMAB_DS}"))).await?;
        wait_for_text(&c, "comments", "No comments yet").await?;
        let text = wait_for(&c, "#comment-new").await?;
        text.send_keys("Which depth filter lot did you use, @Mar").await?;
        button(&c, "Marco Lenz · Helix Biologics").await?.click().await?;
        wait_for(&c, "#comment-new").await?.send_keys("?").await?;
        button(&c, "Post comment").await?.click().await?;
        wait_for_text(&c, "comments", "Mentions: Marco Lenz").await?;
        let posted = wait_for(&c, "[data-testid=comments] article.comment").await?;
        let said = posted.text().await?;
        assert!(
            said.contains("Which depth filter lot did you use, @Marco Lenz ?") && said.contains("Sofie Claes"),
            "{said}"
        );
        let id = posted.attr("data-comment").await?.expect("the comment's id");

        c.goto(&site.url("/transfers")).await?;
        c.goto(&site.url(&format!("/transfers/{VELARIMAB_DS}#comment-{id}"))).await?;
        let linked = wait_for(&c, &format!("#comment-{id}.highlight")).await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let script = "const r = arguments[0].getBoundingClientRect(); \
                      return [window.scrollY, r.top, r.bottom, window.innerHeight, document.body.scrollHeight];";
        loop {
            let at = c.execute(script, vec![serde_json::to_value(&linked)?]).await?;
            let n = |i: usize| at[i].as_f64().unwrap_or(f64::NAN);
            // The page is longer than the screen, and the comment is on it.
            if n(4) > n(3) && n(0) > 0.0 && n(1) >= 0.0 && n(2) <= n(3) {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "the linked comment is not in view: {at}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        // Opened again, and scrolled straight back up with the wheel: the page's later re-scrolls to the comment
        // (0.4 s and 1.2 s after the discussion loads) leave the user where they went.
        c.goto(&site.url("/transfers")).await?;
        c.goto(&site.url(&format!("/transfers/{VELARIMAB_DS}#comment-{id}"))).await?;
        let linked = wait_for(&c, &format!("#comment-{id}.highlight")).await?;
        wheel_to_top(&c).await?;
        tokio::time::sleep(Duration::from_millis(1600)).await;
        let at = c.execute(script, vec![serde_json::to_value(&linked)?]).await?;
        let n = |i: usize| at[i].as_f64().unwrap_or(f64::NAN);
        assert!(n(0) == 0.0 && n(1) > n(3), "the page went back to the comment after the user scrolled away: {at}");
        Ok(())
    })
    .await;
}

/// Issue 9's story, in two browsers: the sponsor's lead drops a protocol on the transfer page; the CMO's lead, who
/// has the same page open, sees it appear without a reload, opens it and asks a question mentioning the sponsor's
/// lead (a comment the sponsor posts meanwhile is announced without losing what the CMO types); the sponsor's bell
/// shows the mention, whose link opens the document scrolled to the question; the sponsor
/// then submits the protocol for review with a signature.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_protocol_dropped_by_the_sponsor_reaches_the_cmo_live_and_the_cmo_s_question_reaches_the_sponsor() {
    let server = TestServer::start(Backend::Sqlite).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let transfer_page = server.url(&format!("/transfers/{VELARIMAB_DS}"));
    let (sponsor, cmo) = (Browser::launch(768, 1024).await, Browser::launch(768, 1024).await);
    let (a, b) = (sponsor.client.clone(), cmo.client.clone());
    for (c, who) in [(&a, "lead@helix.example"), (&b, "lead@norvia.example")] {
        c.goto(&server.url("/login")).await.expect("login page");
        log_in(c, who, DEMO_PASSWORD).await.expect("log in");
        wait_for_path(c, "/transfers").await.expect("logged in");
        c.goto(&transfer_page).await.expect("transfer page");
    }
    let outcome = async {
        wait_for_text(&b, "documents-table", "Technology transfer protocol TT-2026-001").await?;
        b.execute("window.__notReloaded = true", vec![]).await?;
        let unread_before = unread(&a).await?;

        wait_for(&a, "[data-testid=drop-zone]").await?;
        // Every value the upload's progress bar shows is recorded, however briefly it is on screen.
        let watch = "window.uploadProgress = []; \
            const seen = (n) => n.tagName === 'PROGRESS' ? [n] : (n.querySelectorAll ? [...n.querySelectorAll('progress')] : []); \
            new MutationObserver((records) => { for (const r of records) { \
                const bars = r.type === 'attributes' ? seen(r.target) : [...r.addedNodes].flatMap(seen); \
                for (const b of bars) window.uploadProgress.push(b.getAttribute('aria-valuenow')); } }) \
            .observe(document.querySelector('[data-testid=drop-zone]'), \
                { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });";
        a.execute(watch, vec![]).await?;
        // A drop as a desktop drag delivers it: a File built in the page, carried by a DataTransfer.
        let script = "const pdf = '%PDF-1.4\\n1 0 obj\\n<< /Type /Catalog >>\\nendobj\\n%%EOF\\n'; \
            const file = new File([pdf], 'Transfer protocol rev B.pdf', { type: 'application/pdf' }); \
            const data = new DataTransfer(); data.items.add(file); \
            const zone = document.querySelector('[data-testid=drop-zone]'); \
            zone.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: data })); \
            zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: data }));";
        a.execute(script, vec![]).await?;
        wait_for_text(&a, "upload-done", "Transfer protocol rev B.pdf").await?;
        // The bar showed how much had gone up, reaching 100 % before the server's answer.
        let shown: Vec<String> = serde_json::from_value(a.execute("return window.uploadProgress;", vec![]).await?)?;
        assert!(shown.first().is_some_and(|p| p == "0") && shown.last().is_some_and(|p| p == "100"), "{shown:?}");

        // The CMO's open page shows the new document without a reload.
        wait_for_text(&b, "documents-table", "Transfer protocol rev B")
            .await
            .context("the CMO sees the new document")?;
        let same_page = b.execute("return window.__notReloaded === true", vec![]).await?;
        assert_eq!(same_page, json!(true), "the CMO's page was reloaded");
        b.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::LinkText("Transfer protocol rev B"))
            .await?
            .click()
            .await?;
        wait_for_text(&b, "versions", "Transfer protocol rev B.pdf").await?;
        wait_for(&b, "#comment-new").await?.send_keys("Is section 4 final, @Mar").await?;
        button(&b, "Marco Lenz · Helix Biologics").await.context("Marco is suggested")?.click().await?;
        wait_for(&b, "#comment-new").await?.send_keys("?").await?;
        // The sponsor comments while the CMO is typing: the CMO is told, and showing it keeps the typed question.
        let document = b.current_url().await?.path().rsplit('/').next().unwrap_or_default().to_owned();
        let said = json!({"text": "Rev B replaces the draft from October."});
        let reply = send(lead.request(Method::POST, &format!("/comments/document/{document}")).json(&said)).await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        wait_for_text(&b, "comments-live-note", "Marco Lenz commented just now").await.context("the CMO is told")?;
        button(&b, "Show new comments").await?.click().await?;
        wait_for_text(&b, "comments", "Rev B replaces the draft from October.").await?;
        let kept = wait_for(&b, "#comment-new").await?.prop("value").await?.unwrap_or_default();
        assert_eq!(kept, "Is section 4 final, @Marco Lenz ?");
        button(&b, "Post comment").await?.click().await?;
        wait_for_text(&b, "comments", "Mentions: Marco Lenz").await.context("the CMO's question is posted")?;
        let asked = "//*[@data-testid='comments']//article[contains(., 'Is section 4 final')]";
        let question = b.find(Locator::XPath(asked)).await?;
        let id = question.attr("data-comment").await?.expect("the comment's id");

        // The sponsor's bell counts the mention; its item opens the document at the question.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while unread(&a).await? != unread_before + 1 {
            assert!(tokio::time::Instant::now() < deadline, "the bell did not count the mention");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        wait_for(&a, "[data-testid=bell]").await?.click().await?;
        wait_for_text(&a, "inbox", "Sofie Claes mentioned you on document Transfer protocol rev B")
            .await
            .context("the inbox lists the mention")?;
        a.find(Locator::XPath("//*[@data-testid='inbox']//a[contains(., 'mentioned you')]")).await?.click().await?;
        wait_for(&a, &format!("#comment-{id}.highlight")).await.context("the mention opens the comment")?;
        assert!(a.current_url().await?.as_str().ends_with(&format!("#comment-{id}")));
        wait_for_text(&a, "comments", "Is section 4 final, @Marco Lenz ?").await?;

        // A corrected draft picked on the document's page replaces the first as version 2.
        let picked = std::env::temp_dir().join(format!("Transfer protocol rev C {}.pdf", std::process::id()));
        std::fs::write(&picked, b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")?;
        let chosen = wait_for(&a, "[data-testid=version-file]").await?.send_keys(&picked.to_string_lossy()).await;
        std::fs::remove_file(&picked)?;
        chosen?;
        wait_for_text(&a, "versions", "Transfer protocol rev C").await?;
        // The page is scrolled to the comment; the steps are at its top, where the user scrolls back.
        wheel_to_top(&a).await?;
        button(&a, "Submit for review").await?.click().await?;
        wait_for_text(&a, "sign-statement", "is ready for review").await?;
        wait_for(&a, "#sign-password").await?.send_keys(DEMO_PASSWORD).await?;
        button(&a, "Sign: submit").await?.click().await?;
        wait_for_text(&a, "signatures", "Authored by Marco Lenz").await?;
        wait_for_text(&a, "document-status", "In review").await?;
        // The CMO, still on the document, is told who changed it.
        wait_for_text(&b, "live-note", "Updated by Marco Lenz just now").await.context("the CMO is told")?;
        anyhow::Ok(())
    }
    .await;
    keep_failure_screenshots(&outcome, [&a, &b]).await;
    a.close().await.ok();
    b.close().await.ok();
    outcome.expect("the story");
}

/// The number the bell shows (0 when it shows none).
async fn unread(c: &Client) -> anyhow::Result<u64> {
    let label = wait_for(c, "[data-testid=bell]").await?.attr("aria-label").await?.unwrap_or_default();
    Ok(label.split_whitespace().find_map(|w| w.parse().ok()).unwrap_or(0))
}

/// Saves a screenshot of each browser when `outcome` failed, and says where.
async fn keep_failure_screenshots(outcome: &anyhow::Result<()>, browsers: [&Client; 2]) {
    for browser in browsers {
        if outcome.is_err()
            && let Ok(png) = browser.screenshot().await
        {
            let path = std::env::temp_dir().join(format!("baton-failure-{}.png", uuid::Uuid::new_v4()));
            let _ = std::fs::write(&path, png);
            eprintln!("screenshot of the failure: {}", path.display());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_by_the_sponsor_appears_on_the_cmo_s_open_page_without_a_reload() {
    let mut server = TestServer::start(Backend::Sqlite).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let plan = lead.get(&format!("/transfers/{VELARIMAB_DS}/stages")).await.body;
    let stages = plan["stages"].as_array().expect("stages");
    let stage =
        stages.iter().find(|s| s["gate"]["state"] == "open" && s["deliverables"][0].is_object()).expect("stage");
    let deliverable = &stage["deliverables"][0];
    let (id, title) = (deliverable["id"].as_str().expect("id"), deliverable["title"].as_str().expect("title"));
    let stage_page = server.url(&format!("/transfers/{VELARIMAB_DS}/stages/{}", stage["number"]));
    let deliverable_page = server.url(&format!("/deliverables/{id}"));

    let (sponsor, cmo) = (Browser::launch(768, 1024).await, Browser::launch(768, 1024).await);
    let (a, b) = (sponsor.client.clone(), cmo.client.clone());
    for (c, who, page) in [(&a, "lead@helix.example", &deliverable_page), (&b, "lead@norvia.example", &stage_page)] {
        c.goto(&server.url("/login")).await.expect("login page");
        log_in(c, who, DEMO_PASSWORD).await.expect("log in");
        wait_for_path(c, "/transfers").await.expect("logged in");
        c.goto(page).await.expect("page");
    }
    let outcome = async {
        wait_for(&b, "[data-testid=deliverables]").await?;
        let marker = "window.__notReloaded = true";
        b.execute(marker, vec![]).await?;
        wait_for(&a, "[data-testid=deliverable-form] #d-status").await?;
        a.find(Locator::Css("#d-status")).await?.select_by_value("done").await?;
        button(&a, "Save").await?.click().await?;
        wait_for(&a, "[data-testid=saved]").await?;

        wait_for_text(&b, "live-note", "Updated by Marco Lenz just now").await?;
        let row = format!("//*[@data-testid='deliverables']//tr[contains(., \"{title}\")][contains(., 'Done')]");
        b.wait().at_most(Duration::from_secs(10)).for_element(Locator::XPath(&row)).await?;
        let same_page = b.execute("return window.__notReloaded === true", vec![]).await?;
        assert_eq!(same_page, json!(true), "the CMO's page was not reloaded");

        // The server goes away; meanwhile the deliverable is renamed (through another instance) and every event is
        // pruned as older than what is kept. The tabs reconnect from before what is kept: the stream says reset,
        // and the CMO's page refetches what it shows, still without a reload.
        server.kill().await;
        let other = server.another_instance().await;
        let lead_on_other = ApiClient::logged_in(&other.base_url, "lead@helix.example").await;
        let d = lead_on_other.get(&format!("/deliverables/{id}")).await.body;
        let renamed = "Renamed while the CMO was away";
        let fields = json!({"title": renamed, "description": d["description"], "owner_org": d["owner"]["id"],
            "owner_person": d["owner_person"]["id"], "due_on": d["due_on"], "status": d["status"]});
        let body = json!({"deliverable": fields, "row_version": d["row_version"]});
        let saved = send(lead_on_other.request(Method::PUT, &format!("/deliverables/{id}")).json(&body)).await;
        assert_eq!(saved.status, 200, "{:?}", saved.body);
        drop(other);
        // Pruned as the server's pruner does it (mark first, then the rows), here so no tab reconnects first.
        server.execute("UPDATE events_pruned SET through_id = (SELECT MAX(id) FROM events)").await;
        server.execute("DELETE FROM events").await;
        server.restart_on_the_same_port().await;
        let row = format!("//*[@data-testid='deliverables']//tr[contains(., \"{renamed}\")]");
        b.wait().at_most(Duration::from_secs(20)).for_element(Locator::XPath(&row)).await?;
        let same_page = b.execute("return window.__notReloaded === true", vec![]).await?;
        assert_eq!(same_page, json!(true), "the CMO's page was refetched, not reloaded");
        anyhow::Ok(())
    }
    .await;
    keep_failure_screenshots(&outcome, [&a, &b]).await;
    a.close().await.ok();
    b.close().await.ok();
    outcome.expect("a live change");
}

/// One person, two tabs: a change saved in one tab appears in the other, which says who changed it; the tab that
/// saved it shows its outcome and no "updated by" note about itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_saved_in_one_tab_appears_in_the_same_person_s_other_tab() {
    let server = TestServer::start(Backend::Sqlite).await;
    let site = &server;
    Browser::run_sized(768, 1024, |c| async move {
        c.goto(&site.url("/login")).await?;
        log_in(&c, "lead@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        let transfer = site.url(&format!("/transfers/{VELARIMAB_DS}"));
        c.goto(&transfer).await?;
        wait_for(&c, "[data-testid=deliverables]").await?;
        let first = c.window().await?;
        let second = c.new_window(true).await?.handle;
        c.switch_to_window(second).await?;
        c.goto(&transfer).await?;
        let link = wait_for(&c, "[data-testid=deliverables] tbody tr a").await?;
        let title = link.text().await?;
        link.click().await?;
        wait_for(&c, "[data-testid=deliverable-form] #d-status").await?;
        c.find(Locator::Css("#d-status")).await?.select_by_value("done").await?;
        button(&c, "Save").await?.click().await?;
        wait_for(&c, "[data-testid=saved]").await?;
        let note = c.find_all(Locator::Css("[data-testid=live-note]")).await?;
        assert!(note.is_empty(), "the saving tab is not told of its own change");

        c.switch_to_window(first).await?;
        wait_for_text(&c, "live-note", "Updated by Marco Lenz just now").await?;
        // The transfer lists the deliverables still open: the one just done has left the list.
        let row = format!("//*[@data-testid='deliverables']//tr[contains(., \"{title}\")]");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !c.find_all(Locator::XPath(&row)).await?.is_empty() {
            assert!(tokio::time::Instant::now() < deadline, "{title} is still listed as open");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    })
    .await;
}

/// With a 100 KB limit, a 150 KB file is refused in the browser before any of it is sent, in the transfer's
/// documents panel and on a document's page; the server's own refusal would read differently ("larger than the
/// limit"), and nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_over_the_upload_limit_is_refused_before_it_is_sent() {
    let server = TestServer::start_with_env(Backend::Sqlite, &[("BATON_MAX_UPLOAD_BYTES", "100000")]).await;
    let site = &server;
    let dir = tempfile::tempdir().expect("a scratch directory");
    let big = dir.path().join("Batch record scan.pdf");
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.resize(150_000, b' ');
    std::fs::write(&big, &bytes).expect("the big file");
    let small = dir.path().join("Gap analysis.pdf");
    std::fs::write(&small, b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n").expect("the small file");
    let refused = "was not sent: it is 150 KB, and files up to 100 KB are accepted.";
    Browser::run_sized(768, 1024, |c| async move {
        c.goto(&site.url("/login")).await?;
        log_in(&c, "lead@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&site.url(&format!("/transfers/{VELARIMAB_DS}"))).await?;
        wait_for(&c, "[data-testid=document-file]").await?.send_keys(&big.to_string_lossy()).await?;
        wait_for_text(
            &c,
            "upload-error",
            "“Batch record scan.pdf” was not shared: it is 150 KB, and files up to 100 KB",
        )
        .await?;
        wait_for(&c, "[data-testid=document-file]").await?.send_keys(&small.to_string_lossy()).await?;
        wait_for_text(&c, "documents-table", "Gap analysis").await?;
        let listed = wait_for(&c, "[data-testid=documents-table]").await?.text().await?;
        assert!(!listed.contains("Batch record scan"), "the refused file was shared: {listed}");
        c.find(Locator::XPath("//*[@data-testid='documents-table']//a[contains(., 'Gap analysis')]"))
            .await?
            .click()
            .await?;
        wait_for_text(&c, "versions", "Gap analysis.pdf").await?;
        wait_for(&c, "[data-testid=version-file]").await?.send_keys(&big.to_string_lossy()).await?;
        wait_for_text(&c, "version-error", &format!("“Batch record scan.pdf” {refused}")).await?;
        let versions = c.find_all(Locator::Css("[data-testid=versions] tbody tr")).await?;
        assert_eq!(versions.len(), 1, "the refused file added no version");
        Ok(())
    })
    .await;
}

/// The sponsor's lead moves a stage's planned end: the save is confirmed on screen (the form itself is reloaded), and
/// the new date is what the stage then shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_a_stage_s_dates_is_confirmed_on_screen() {
    let server = TestServer::start(Backend::Sqlite).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let plan = lead.get(&format!("/transfers/{VELARIMAB_DS}/stages")).await.body;
    let stage = plan["stages"].as_array().and_then(|s| s.iter().find(|s| s["gate"]["state"] == "open")).cloned();
    let number = stage.expect("an open stage")["number"].clone();
    let site = &server;
    Browser::run_sized(768, 1024, |c| async move {
        c.goto(&site.url("/login")).await?;
        log_in(&c, "lead@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&site.url(&format!("/transfers/{VELARIMAB_DS}/stages/{number}"))).await?;
        set_date(&c, "#planned-end", "2027-03-31").await?;
        button(&c, "Save dates").await?.click().await?;
        wait_for_text(&c, "saved-note", "Dates saved.").await?;
        wait_for_text(&c, "stage", "2027-03-31").await?;
        Ok(())
    })
    .await;
}

/// At tablet size, Norvia's QA adds replicate results on the receiving unit's side of a method: each value has its own
/// field on the decimal keypad (which has no space to separate values); a space typed after a value moves on to a
/// new field, as on a keyboard; the saved results come back a field each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn method_results_are_entered_a_field_per_value() {
    const SEC_HPLC: &str = "0000000d-0000-4000-8000-000000000100";
    let server = TestServer::start(Backend::Sqlite).await;
    let site = &server;
    Browser::run_sized(768, 1024, |c| async move {
        c.goto(&site.url("/login")).await?;
        log_in(&c, "qa@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&site.url(&format!("/transfers/{VELARIMAB_DS}/methods/{SEC_HPLC}"))).await?;
        let monomer = format!("ru-{SEC_HPLC}-monomer");
        let values = format!(
            "return [...document.querySelectorAll('[data-testid={monomer}] input')]
                .map(e => [e.value, e.inputMode, e.getBoundingClientRect().height >= 44]);"
        );
        wait_for(&c, &format!("#{monomer}-3")).await?;
        assert_eq!(
            c.execute(&values, vec![]).await?,
            json!([
                ["98.6", "decimal", true],
                ["98.8", "decimal", true],
                ["98.7", "decimal", true],
                ["", "decimal", true]
            ]),
            "the stored values a field each, then an empty one, all on the decimal keypad and 44 px tall"
        );
        c.find(Locator::Css(&format!("#{monomer}-3"))).await?.click().await?;
        // Typed into whichever field has the focus, as a keyboard does.
        c.active_element().await?.send_keys("98.9 ").await?;
        wait_for(&c, &format!("#{monomer}-4")).await?;
        c.active_element().await?.send_keys("98.5").await?;
        let shown: Vec<String> = serde_json::from_value(
            c.execute(
                &format!("return [...document.querySelectorAll('[data-testid={monomer}] input')].map(e => e.value);"),
                vec![],
            )
            .await?,
        )?;
        assert_eq!(shown, ["98.6", "98.8", "98.7", "98.9", "98.5", ""], "the space moved on to a new field");
        c.find(Locator::Css("[data-testid=results-ru] button[type=submit]")).await?.click().await?;
        wait_for_text(&c, "saved-note", "RU results saved.").await?;
        c.refresh().await?;
        wait_for(&c, &format!("#{monomer}-5")).await?;
        let saved = c.execute(&values, vec![]).await?;
        let saved: Vec<String> =
            saved.as_array().context("fields")?.iter().filter_map(|f| f[0].as_str().map(str::to_owned)).collect();
        assert_eq!(saved, ["98.6", "98.8", "98.7", "98.9", "98.5", ""], "saved, and shown again a field each");
        Ok(())
    })
    .await;
}
