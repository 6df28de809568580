//! End-to-end: a person in headless Chromium logs in, follows links and deep links, and logs out.

use baton_tests::browser::{log_in, wait_for, wait_for_path};
use baton_tests::client::DEMO_PASSWORD;
use baton_tests::{ApiClient, Backend, Browser, TestServer};
use fantoccini::Locator;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};

const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const CORVASTATIN: &str = "00000003-0000-4000-8000-000000000002";

/// Presses "/" on the keyboard, wherever the focus is (the search box's shortcut).
async fn press_slash(c: &fantoccini::Client) -> anyhow::Result<()> {
    let slash =
        KeyActions::new("keyboard".into()).then(KeyAction::Down { value: '/' }).then(KeyAction::Up { value: '/' });
    Ok(c.perform_actions(slash).await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_in_and_open_a_transfer_from_the_list() {
    let server = TestServer::start(Backend::Sqlite).await;
    Browser::run(|c| async move {
        c.goto(&server.url("/")).await?;
        wait_for_path(&c, "/login?next=%2Ftransfers").await?;
        log_in(&c, "lead@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;

        let table = wait_for(&c, "[data-testid=transfers-table] tbody").await?;
        let rows = table.find_all(Locator::Css("tr")).await?;
        assert_eq!(rows.len(), 3, "the sponsor sees all three demo transfers");
        let name = wait_for(&c, "[data-testid=user-name]").await?.text().await?;
        assert_eq!(name, "Marco Lenz");

        c.find(Locator::LinkText("Velarimab drug substance")).await?.click().await?;
        wait_for_path(&c, &format!("/transfers/{VELARIMAB_DS}")).await?;
        let page = wait_for(&c, "[data-testid=transfer]").await?.text().await?;
        for expected in [
            "Velarimab drug substance",
            "TT-2026-001",
            "Analytical method transfer (stage 4 of 8)",
            "Helix Basel Biologics",
            "Norvia Ghent Biologics Plant",
            "Norvia CDMO",
            "2027-05-28",
        ] {
            assert!(page.contains(expected), "transfer page lacks {expected:?}:\n{page}");
        }
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deep_link_survives_the_login() {
    let server = TestServer::start(Backend::Sqlite).await;
    Browser::run(|c| async move {
        let deep_link = format!("/transfers/{CORVASTATIN}");
        c.goto(&server.url(&deep_link)).await?;
        wait_for_path(&c, &format!("/login?next=%2Ftransfers%2F{CORVASTATIN}")).await?;
        log_in(&c, "qa@castellan.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, &deep_link).await?;
        let page = wait_for(&c, "[data-testid=transfer]").await?.text().await?;
        assert!(page.contains("Corvastatin 20 mg tablets"), "{page}");
        assert!(page.contains("PPQ batches (stage 6 of 8)"), "{page}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_says_so_and_stays_on_the_login_page() {
    let server = TestServer::start(Backend::Sqlite).await;
    Browser::run(|c| async move {
        c.goto(&server.url("/login")).await?;
        log_in(&c, "qa@helix.example", "not-my-password").await?;
        let error = wait_for(&c, "[data-testid=login-error]").await?.text().await?;
        assert!(error.contains("E-mail or password is not correct."), "{error}");
        wait_for_path(&c, "/login").await?;

        // Client-side validation names the field before anything is sent.
        c.goto(&server.url("/login")).await?;
        log_in(&c, "not-an-email", "x").await?;
        let field_error = wait_for(&c, "#email-error").await?.text().await?;
        assert!(field_error.contains("e-mail address"), "{field_error}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_transfer_shows_no_access_and_an_unknown_one_not_found() {
    let server = TestServer::start(Backend::Sqlite).await;
    Browser::run(|c| async move {
        c.goto(&server.url("/login")).await?;
        log_in(&c, "operator@castellan.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;

        c.goto(&server.url(&format!("/transfers/{VELARIMAB_DS}"))).await?;
        let denied = wait_for(&c, "[data-testid=no-access]").await?.text().await?;
        assert!(denied.contains("not a party"), "{denied}");
        assert!(!denied.contains("Velarimab"), "the no-access page must not reveal the record: {denied}");

        c.goto(&server.url("/transfers/00000003-0000-4000-8000-0000000000ff")).await?;
        let missing = wait_for(&c, "[data-testid=not-found]").await?.text().await?;
        assert!(missing.contains("There is no transfer at this address."), "{missing}");

        c.goto(&server.url("/no/such/page")).await?;
        wait_for(&c, "[data-testid=not-found]").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_out_ends_the_session() {
    let server = TestServer::start(Backend::Sqlite).await;
    Browser::run(|c| async move {
        c.goto(&server.url("/login")).await?;
        log_in(&c, "admin@norvia.example", DEMO_PASSWORD).await?;
        wait_for(&c, "[data-testid=transfers-table]").await?;
        c.find(Locator::Css("button[aria-label='Log out']")).await?.click().await?;
        wait_for_path(&c, "/login").await?;
        // The cookie the browser may still hold is dead: the list sends us back to log in.
        c.goto(&server.url("/transfers")).await?;
        wait_for_path(&c, "/login?next=%2Ftransfers").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tablet_portrait_has_no_horizontal_scroll() {
    let server = TestServer::start(Backend::Sqlite).await;
    Browser::run_sized(768, 1024, |c| async move {
        let no_horizontal_scroll = "return document.documentElement.scrollWidth <= window.innerWidth;";
        c.goto(&server.url("/login")).await?;
        wait_for(&c, "#email").await?;
        assert_eq!(c.execute(no_horizontal_scroll, vec![]).await?, serde_json::json!(true), "login page");
        log_in(&c, "lead@norvia.example", DEMO_PASSWORD).await?;
        wait_for(&c, "[data-testid=transfers-table]").await?;
        assert_eq!(c.execute(no_horizontal_scroll, vec![]).await?, serde_json::json!(true), "transfer list");

        c.goto(&server.url(&format!("/transfers/{VELARIMAB_DS}"))).await?;
        wait_for(&c, "[data-testid=transfer]").await?;
        assert_eq!(c.execute(no_horizontal_scroll, vec![]).await?, serde_json::json!(true), "transfer page");

        // Touch targets: every button and link in the page is at least 44 px tall.
        let small = c
            .execute(
                "return [...document.querySelectorAll('button, a.button, .nav-item, td a')]
                    .filter(e => e.getBoundingClientRect().height < 44).map(e => e.outerHTML);",
                vec![],
            )
            .await?;
        assert_eq!(small, serde_json::json!([]), "targets under 44 px");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_filters_apply_to_the_trail_and_its_export_link() {
    let server = TestServer::start(Backend::Sqlite).await;
    Browser::run(|c| async move {
        c.goto(&server.url("/login")).await?;
        log_in(&c, "admin@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&server.url("/audit")).await?;
        wait_for(&c, "[data-testid=audit-table]").await?;
        wait_for(&c, "#f-action").await?.select_by_value("login").await?;
        // The table reloads with the filter: every row is a login (this one, at least).
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            // Read the cells in one script: the table may re-render between a lookup and a read of its elements.
            let read = c
                .execute(
                    "return [...document.querySelectorAll('[data-testid=audit-table] tbody td:nth-child(4)')]
                        .map(td => td.textContent.trim());",
                    vec![],
                )
                .await?;
            let actions: Vec<String> = serde_json::from_value(read).unwrap_or_default();
            if !actions.is_empty() && actions.iter().all(|a| a == "Logged in") {
                break;
            }
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "the filter did not apply: {actions:?}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let href = c
            .execute(
                "return [...document.querySelectorAll('a')].find(a => a.textContent.trim() === 'Export CSV')
                    ?.getAttribute('href') ?? '';",
                vec![],
            )
            .await?;
        let href = href.as_str().unwrap_or_default().to_owned();
        assert!(href.starts_with("/api/v1/audit/export.csv?"), "{href}");
        assert!(href.contains("action=login") && href.contains("limit=200"), "{href}");
        Ok(())
    })
    .await;
}

/// The trail opens on its newest 200 entries and says older ones follow; "Show older entries" adds them below, page
/// by page, until the foot says all are shown: every entry once, newest first, none skipped. The Audit item in the
/// navigation follows the server's answer: there for an admin, absent for an operator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_pages_back_to_its_first_entry() {
    let server = TestServer::start(Backend::Sqlite).await;
    // Norvia reads a Helix transfer 300 times: 300 entries in Helix's trail, more than one page.
    let norvia = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    for _ in 0..300 {
        assert_eq!(norvia.get("/transfers/00000003-0000-4000-8000-000000000001").await.status, 200);
    }
    Browser::run(|c| async move {
        c.goto(&server.url("/login")).await?;
        log_in(&c, "admin@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        wait_for(&c, "nav a[href='/audit']").await?.click().await?;
        wait_for(&c, "[data-testid=audit-table]").await?;
        let foot = wait_for(&c, "[data-testid=audit-foot]").await?.text().await?;
        assert!(foot.contains("The newest 200 matching entries are shown; older ones follow."), "{foot}");
        let seqs = "return [...document.querySelectorAll('[data-testid=audit-table] tbody td:nth-child(1)')]
                        .map(td => Number(td.textContent.trim()));";
        let mut pages = 1;
        loop {
            let foot = c.find(Locator::Css("[data-testid=audit-foot]")).await?.text().await?;
            if foot.starts_with("All ") {
                let shown: Vec<i64> = serde_json::from_value(c.execute(seqs, vec![]).await?)?;
                assert!(foot.contains(&format!("All {} matching entries are shown.", shown.len())), "{foot}");
                assert!(shown.len() > 200 && pages > 1, "{} entries over {pages} pages", shown.len());
                assert!(shown.windows(2).all(|w| w[0] > w[1]), "newest first, each entry once");
                break;
            }
            let before: Vec<i64> = serde_json::from_value(c.execute(seqs, vec![]).await?)?;
            c.find(Locator::XPath("//button[normalize-space()='Show older entries']")).await?.click().await?;
            let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
            loop {
                let now: Vec<i64> = serde_json::from_value(c.execute(seqs, vec![]).await?)?;
                if now.len() > before.len() {
                    assert_eq!(now[..before.len()], before[..], "older entries come below the ones shown");
                    break;
                }
                anyhow::ensure!(tokio::time::Instant::now() < deadline, "no older entries appeared");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            pages += 1;
            anyhow::ensure!(pages < 50, "the trail never ended");
        }

        // An operator may not read the trail: the page says so, without filters or an export that cannot help.
        c.find(Locator::Css("button[aria-label='Log out']")).await?.click().await?;
        wait_for_path(&c, "/login").await?;
        log_in(&c, "operator@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        wait_for(&c, "nav a[href='/kpis']").await?;
        assert!(c.find(Locator::Css("nav a[href='/audit']")).await.is_err(), "no Audit item for an operator");
        c.goto(&server.url("/audit")).await?;
        wait_for(&c, "[data-testid=no-access]").await?;
        assert!(c.find(Locator::Css("#f-action")).await.is_err(), "the filters are hidden");
        Ok(())
    })
    .await;
}

/// The trail's date filters take days as the reader sees them in the table, in their own zone, both days included.
/// The browser runs twelve hours from UTC on the side where its date differs from UTC's at this hour, so reading the
/// days as UTC would show no entries for "today".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_filters_by_the_reader_s_own_days() {
    use chrono::{Days, Timelike, Utc};
    let server = TestServer::start(Backend::Sqlite).await;
    let now = Utc::now();
    // IANA's Etc zones count the other way: Etc/GMT+12 is twelve hours behind UTC.
    let (zone, hours) = if now.hour() < 12 { ("Etc/GMT+12", -12) } else { ("Etc/GMT-12", 12) };
    let today = (now + chrono::Duration::hours(hours)).date_naive();
    let yesterday = today - Days::new(1);
    assert_ne!(today, now.date_naive(), "the reader's day is not UTC's");
    Browser::run_in_zone(zone, |c| async move {
        c.goto(&server.url("/login")).await?;
        log_in(&c, "admin@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&server.url("/audit")).await?;
        wait_for(&c, "[data-testid=audit-table]").await?;
        let days = "return [...document.querySelectorAll('[data-testid=audit-table] tbody td:nth-child(2)')]
                        .map(td => td.textContent.trim().slice(0, 10));";
        let set_date = |css: &'static str, value: String| {
            let c = c.clone();
            async move {
                let script = "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
                              e.dispatchEvent(new Event('input', { bubbles: true }));";
                c.execute(script, vec![serde_json::json!(css), serde_json::json!(value)]).await
            }
        };
        // Today only: this login is there, and every entry shown fell on the reader's today.
        set_date("#f-from", today.to_string()).await?;
        set_date("#f-to", today.to_string()).await?;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        let shown = loop {
            let shown: Vec<String> = serde_json::from_value(c.execute(days, vec![]).await?)?;
            if !shown.is_empty() && shown.iter().all(|d| *d == today.to_string()) {
                break shown;
            }
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "today's entries never showed alone: {shown:?}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        let first = wait_for(&c, "[data-testid=audit-table] tbody tr").await?.text().await?;
        assert!(first.contains("Logged in"), "the newest entry today is this login: {first} ({} shown)", shown.len());
        // Days the wrong way round are named under the field.
        set_date("#f-to", yesterday.to_string()).await?;
        let reversed = wait_for(&c, "[data-testid=dates-reversed]").await?;
        c.wait()
            .at_most(std::time::Duration::from_secs(10))
            .for_element(Locator::XPath("//*[@data-testid='dates-reversed'][contains(., 'before “From”')]"))
            .await?;
        assert_eq!(reversed.attr("id").await?.as_deref(), Some("f-to-error"));
        // Up to yesterday, included: nothing from today.
        set_date("#f-from", String::new()).await?;
        set_date("#f-to", yesterday.to_string()).await?;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let shown: Vec<String> = serde_json::from_value(c.execute(days, vec![]).await?)?;
            let empty = c.find(Locator::XPath("//h2[normalize-space()='No entries match']")).await.is_ok();
            if (empty || !shown.is_empty()) && shown.iter().all(|d| *d <= yesterday.to_string()) {
                break;
            }
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "entries after yesterday stayed: {shown:?}");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Ok(())
    })
    .await;
}

/// The navigation leads to the partnership KPIs: the CMO's lead opens "KPIs", finds its sponsor, and reaches the
/// partnership's scorecard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_navigation_leads_to_each_partnership_s_kpis() {
    let server = TestServer::start(Backend::Sqlite).await;
    Browser::run_sized(768, 1024, |c| async move {
        c.goto(&server.url("/login")).await?;
        log_in(&c, "lead@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        wait_for(&c, "nav a[href='/kpis']").await?.click().await?;
        wait_for_path(&c, "/kpis").await?;
        let partners = wait_for(&c, "[data-testid=partner-cards]").await?.text().await?;
        assert!(partners.contains("Helix Biologics"), "{partners}");
        c.find(Locator::XPath("//*[@data-testid='partner-cards']//li[contains(., 'Helix Biologics')]//a[normalize-space()='KPI scorecard']"))
            .await?
            .click()
            .await?;
        let card = wait_for(&c, "[data-testid=scorecard] h1").await?.text().await?;
        assert!(card.contains("Helix Biologics") && card.contains("Norvia CDMO"), "{card}");
        Ok(())
    })
    .await;
}

/// At tablet size, Norvia's lead presses "/" to search, types a deviation's number and Enter, and opens it from the
/// results; a transfer Norvia may not read is not found, and the page says what can be searched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_top_bar_search_finds_a_record_by_its_number() {
    let server = TestServer::start(Backend::Sqlite).await;
    Browser::run_sized(768, 1024, |c| async move {
        c.goto(&server.url("/login")).await?;
        log_in(&c, "lead@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        wait_for(&c, "#top-search").await?;
        press_slash(&c).await?;
        let field = c.active_element().await?;
        assert_eq!(field.attr("id").await?.as_deref(), Some("top-search"), "\"/\" puts the cursor in the search box");
        field.send_keys("dev-2026-00001\u{E007}").await?;
        wait_for_path(&c, "/search?q=dev-2026-00001").await?;
        let first = wait_for(&c, "[data-testid=search-results] tbody tr").await?.text().await?;
        assert!(first.starts_with("Deviation") && first.contains("DEV-2026-00001"), "the exact number first: {first}");
        let fits = "return document.documentElement.scrollWidth <= window.innerWidth;";
        assert_eq!(c.execute(fits, vec![]).await?, serde_json::json!(true), "no horizontal scroll at 768 px");
        c.find(Locator::LinkText("DEV-2026-00001")).await?.click().await?;
        let header = wait_for(&c, "[data-testid=deviation] .record-header").await?.text().await?;
        assert!(header.contains("DEV-2026-00001"), "{header}");

        // Back on the results, the box still holds the query; a transfer Norvia may not read is not found.
        c.back().await?;
        wait_for(&c, "[data-testid=search-results]").await?;
        let shown = c.find(Locator::Css("#top-search")).await?.prop("value").await?;
        assert_eq!(shown.as_deref(), Some("dev-2026-00001"));
        // "/" selects the query shown, so what is typed next replaces it.
        press_slash(&c).await?;
        c.active_element().await?.send_keys("TT-2026-007\u{E007}").await?;
        wait_for_path(&c, "/search?q=TT-2026-007").await?;
        let empty = wait_for(&c, "[data-testid=search-empty]").await?.text().await?;
        assert!(empty.contains("Nothing found for “TT-2026-007”"), "{empty}");

        // A document is found by words of its title and opens on its own page; the drug-product protocol, which no
        // agreement lets Norvia read, is not among the results.
        let field = c.find(Locator::Css("#top-search")).await?;
        field.clear().await?;
        field.send_keys("transfer protocol\u{E007}").await?;
        let table = wait_for(&c, "[data-testid=search-results]").await?.text().await?;
        assert!(table.contains("Document") && !table.contains("TT-2026-007"), "{table}");
        c.find(Locator::LinkText("Technology transfer protocol TT-2026-001")).await?.click().await?;
        let document = wait_for(&c, "[data-testid=document] .record-header").await?.text().await?;
        assert!(document.contains("Technology transfer protocol TT-2026-001"), "{document}");
        Ok(())
    })
    .await;
}

/// At tablet size, a long table that fits its box keeps its header row in sight under the top bar as the page
/// scrolls; a table too wide for its box (the risk register) scrolls sideways inside it, never the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_tables_keep_their_header_in_sight_and_wide_ones_scroll_inside() {
    let server = TestServer::start(Backend::Sqlite).await;
    Browser::run_sized(768, 1024, |c| async move {
        c.goto(&server.url("/login")).await?;
        log_in(&c, "admin@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&server.url("/audit")).await?;
        wait_for(&c, "[data-testid=audit-table]").await?;
        wait_for(&c, ".table-wrap.fits").await?;
        let header_top = "window.scrollTo(0, 2500);
            return new Promise(done => requestAnimationFrame(() => done(
                Math.round(document.querySelector('[data-testid=audit-table] thead th').getBoundingClientRect().top))));";
        assert_eq!(c.execute(header_top, vec![]).await?, serde_json::json!(60), "the header sits under the 60 px bar");

        c.goto(&server.url(&format!("/transfers/{VELARIMAB_DS}/risks"))).await?;
        wait_for(&c, ".table-wrap table").await?;
        let widths = "const w = document.querySelector('.table-wrap');
            return [w.classList.contains('fits'), w.scrollWidth > w.clientWidth,
                    document.documentElement.scrollWidth <= window.innerWidth];";
        assert_eq!(c.execute(widths, vec![]).await?, serde_json::json!([false, true, true]), "scrolls inside, not the page");
        Ok(())
    })
    .await;
}
