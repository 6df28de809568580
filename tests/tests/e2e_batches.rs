//! End-to-end at tablet size (768×1024): Norvia's operator records a batch and an out-of-specification assay (the
//! form judges it as it is typed) and raises the deviation it offers, prefilled, with a photo (a file that is not one
//! refused beside the field), which the deviation shows as a thumbnail; Helix's QA rejects the batch with a
//! signed reason; the partnership scorecard's right-first-time and lot acceptance fall accordingly; the red KPI opens
//! a prefilled CAPA; a deep link to a point of the scorecard reopens the same view with the records behind it. And a
//! delivery recorded late, then corrected with a reason, moves on-time-in-full. And a change control crossing the
//! partnership: Norvia's lead raises it and assesses it, Helix's QA (whom the quality agreement makes accountable for
//! change approval) assesses it from a deep link and approves it with a signature, and Norvia sees it approved.

use baton_tests::browser::{log_in, wait_for, wait_for_path};
use baton_tests::client::DEMO_PASSWORD;
use baton_tests::{Backend, Browser, TestServer};
use fantoccini::{Client, Locator};
use serde_json::json;
use std::time::Duration;

const VELARIMAB_DS_PRODUCT: &str = "00000007-0000-4000-8000-000000000001";
const VELARIMAB_DP_PRODUCT: &str = "00000007-0000-4000-8000-000000000003";
const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
const NORVIA_PARTNERSHIP: &str = "00000005-0000-4000-8000-000000000001";

/// A 2×2 grey PNG.
const PNG_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAAAAABX3VL4AAAADklEQVR4nGNoaGBoaAAABgYCASzBUNcAAAAASUVORK5CYII=";

/// Puts a file (its bytes in base64) on the file input `css`, as the camera or the picker does, and tells the page.
async fn set_file(c: &Client, css: &str, name: &str, content_type: &str, base64: &str) -> anyhow::Result<()> {
    let script = "const [css, name, type, data] = arguments; \
        const bytes = Uint8Array.from(atob(data), ch => ch.charCodeAt(0)); \
        const transfer = new DataTransfer(); transfer.items.add(new File([bytes], name, { type })); \
        const input = document.querySelector(css); input.files = transfer.files; \
        input.dispatchEvent(new Event('change', { bubbles: true }));";
    c.execute(script, vec![json!(css), json!(name), json!(content_type), json!(base64)]).await?;
    Ok(())
}

async fn button(c: &Client, label: &str) -> anyhow::Result<fantoccini::elements::Element> {
    let xpath = format!("//button[normalize-space()='{label}'] | //a[normalize-space()='{label}']");
    Ok(c.wait().at_most(Duration::from_secs(10)).for_element(Locator::XPath(&xpath)).await?)
}

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

/// Sets a date input as the browser's own picker would.
async fn set_date(c: &Client, css: &str, value: &str) -> anyhow::Result<()> {
    wait_for(c, css).await?;
    let script = "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
                  e.dispatchEvent(new Event('input', { bubbles: true }));";
    c.execute(script, vec![json!(css), json!(value)]).await?;
    Ok(())
}

async fn log_out(c: &Client) -> anyhow::Result<()> {
    c.find(Locator::Css("button[aria-label='Log out']")).await?.click().await?;
    wait_for_path(c, "/login").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oos_batch_is_rejected_and_the_scorecard_follows() {
    let server = TestServer::start(Backend::Sqlite).await;
    let site = &server;
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let card = format!("/partnerships/{NORVIA_PARTNERSHIP}/scorecard?grain=month&kpi=lot_acceptance");
    Browser::run_sized(768, 1024, |c| async move {
        c.goto(&site.url("/login")).await?;
        log_in(&c, "operator@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&site.url("/batches")).await?;
        button(&c, "Record a batch").await?.click().await?;
        let form = wait_for(&c, "[data-testid=batch-form]").await?;
        form.find(Locator::Css("#batch-number")).await?.send_keys("VDS-26-0200").await?;
        form.find(Locator::Css("#batch-product")).await?.select_by_value(VELARIMAB_DS_PRODUCT).await?;
        set_date(&c, "#batch-planned-start", "2026-11-02").await?;
        set_date(&c, "#batch-planned-end", "2026-11-14").await?;
        set_date(&c, "#batch-actual-start", "2026-11-02").await?;
        set_date(&c, "#batch-actual-end", "2026-11-15").await?;
        form.find(Locator::Css("#batch-theoretical")).await?.send_keys("250,0").await?;
        form.find(Locator::Css("#batch-actual-yield")).await?.send_keys("229.5").await?;
        button(&c, "Record batch").await?.click().await?;
        wait_for(&c, "[data-testid=batch]").await?;
        wait_for_text(&c, "[data-testid=batch-status]", "Awaiting disposition").await?;
        let facts = wait_for(&c, "[data-testid=batch] .facts").await?.text().await?;
        assert!(facts.contains("229.5 of 250.0 kg (91.8 %)"), "{facts}");
        let batch_path = c.current_url().await?.path().to_owned();

        button(&c, "Add result").await?.click().await?;
        wait_for(&c, "#result-test").await?.send_keys("Assay").await?;
        wait_for(&c, "#result-lower").await?.send_keys("95.0").await?;
        wait_for(&c, "#result-upper").await?.send_keys("105.0").await?;
        wait_for(&c, "#result-value").await?.send_keys("99.0").await?;
        wait_for_text(&c, "[data-testid=oos-preview]", "Within specification").await?;
        let value = wait_for(&c, "#result-value").await?;
        value.clear().await?;
        value.send_keys("93.1").await?;
        wait_for_text(&c, "[data-testid=oos-preview]", "Out of specification").await?;
        button(&c, "Save result").await?.click().await?;
        wait_for_text(&c, "[data-testid=oos-banner]", "Out of specification: Assay.").await?;
        let row = wait_for(&c, "[data-testid=results-table] tr.oos").await?.text().await?;
        assert!(row.contains("93.1 %") && row.contains("95.0 – 105.0 %"), "{row}");

        // The OOS result offers a deviation, prefilled.
        c.find(Locator::Css("[data-testid=oos-banner] a")).await?.click().await?;
        let title = wait_for(&c, "#dev-title").await?;
        let prefilled = title.prop("value").await?.unwrap_or_default();
        assert_eq!(prefilled, "Assay 93.1 % outside 95.0 – 105.0 % on batch VDS-26-0200");
        let major = wait_for(&c, "input[name=dev-class][value=major]").await?;
        assert_eq!(major.prop("checked").await?.as_deref(), Some("true"), "an OOS is at least major");
        wait_for(&c, "#dev-location").await?.send_keys("QC lab, HPLC-3").await?;
        // The camera's photo: a file that is not one is refused beside the field; a PNG goes with the report.
        set_file(&c, "[data-testid=deviation-photo]", "notes.pdf", "application/pdf", "JVBERi0xLjQK").await?;
        wait_for_text(&c, "[data-testid=photo-error]", "not a photo").await?;
        set_file(&c, "[data-testid=deviation-photo]", "hplc-3.png", "image/png", PNG_BASE64).await?;
        wait_for_text(&c, "[data-testid=photo-chosen]", "hplc-3.png").await?;
        button(&c, "Report deviation").await?.click().await?;
        let header = wait_for_text(&c, "[data-testid=deviation] .record-header", "DEV-").await?;
        assert!(header.to_lowercase().contains("major deviation") && header.contains("Open"), "{header}");
        // The photo is a document on the deviation, its thumbnail loaded from the inline view.
        let thumbnail = wait_for(&c, "[data-testid=document-thumbnail] img").await?;
        let loaded = "const img = document.querySelector('[data-testid=document-thumbnail] img'); \
            return new Promise(done => img.complete ? done(img.naturalWidth) : img.onload = () => done(img.naturalWidth));";
        assert_eq!(c.execute(loaded, vec![]).await?, json!(2), "the photo shows");
        let href = c.find(Locator::Css("[data-testid=document-thumbnail]")).await?.attr("href").await?;
        assert!(href.is_some_and(|h| h.ends_with("/view")), "the thumbnail opens the inline view");
        assert!(thumbnail.attr("alt").await?.is_some_and(|a| a.contains("Photo of DEV-")));
        c.goto(&site.url(&batch_path)).await?;
        wait_for_text(&c, "[data-testid=batch-deviations]", "Assay 93.1 %").await?;
        log_out(&c).await?;

        log_in(&c, "qa@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&site.url(&card)).await?;
        wait_for_text(&c, "[data-testid=kpi-lot_acceptance]", "100.0 %").await?;
        wait_for_text(&c, "[data-testid=kpi-lot_acceptance]", "4 of 4 dispositioned batches released").await?;
        assert!(c.find(Locator::Css("[data-testid=kpi-mismatch]")).await.is_err(), "browser and server agree");

        c.goto(&site.url(&batch_path)).await?;
        button(&c, "Reject").await?.click().await?;
        wait_for(&c, "#sign-reason").await?.send_keys("Assay 93.1 % below the 95.0 % limit").await?;
        wait_for(&c, "#sign-password").await?.send_keys(DEMO_PASSWORD).await?;
        button(&c, "Sign: reject").await?.click().await?;
        wait_for_text(&c, "[data-testid=batch-status]", "Rejected").await?;
        wait_for_text(&c, "[data-testid=disposition]", "Signed by Dana Kim").await?;

        c.goto(&site.url(&card)).await?;
        let tile = wait_for_text(&c, "[data-testid=kpi-lot_acceptance]", "80.0 %").await?;
        assert!(tile.contains("4 of 5 dispositioned batches released") && tile.contains("Red"), "{tile}");
        // The rejected batch had a deviation: it is not right first time either.
        let rft = wait_for_text(&c, "[data-testid=kpi-right_first_time]", "80.0 %").await?;
        assert!(rft.contains("4 of 5 dispositioned batches without a deviation"), "{rft}");
        assert!(c.find(Locator::Css("[data-testid=kpi-mismatch]")).await.is_err(), "browser and server agree");
        let back_to_card = c.current_url().await?.to_string();

        // A red KPI opens a CAPA prefilled with the KPI, the period and the values, linked back to the scorecard.
        c.find(Locator::Css("[data-testid=kpi-lot_acceptance] [data-testid=open-capa]")).await?.click().await?;
        let trigger = wait_for_text(&c, "[data-testid=capa-trigger]", "Lot acceptance").await?;
        assert_eq!(trigger, format!("Prompted by Lot acceptance at 80.0 % in {month} (target 98.0 %)."));
        wait_for(&c, "#action-0").await?.send_keys("Review the assay method robustness with Norvia QC").await?;
        wait_for(&c, "#action-owner-0").await?.send_keys("Dana Kim").await?;
        wait_for(&c, "#capa-title").await?.click().await?;
        button(&c, "Open CAPA").await?.click().await?;
        let capa = wait_for_text(&c, "[data-testid=capa] .record-header", "CAPA-").await?;
        assert!(capa.contains("Lot acceptance 80.0 %"), "{capa}");
        wait_for_text(&c, "[data-testid=capa-trigger]", "Open the scorecard").await?;
        c.goto(&back_to_card).await?;

        // A deep link to this month's point reopens the same view, with the batches behind it.
        let point = format!("{card}&point={month}");
        c.goto(&site.url(&point)).await?;
        let drill = wait_for_text(&c, "[data-testid=drill-down]", "VDS-26-0200").await?;
        assert!(drill.contains("Rejected"), "{drill}");
        let chosen = wait_for(&c, "[data-testid=kpi-lot_acceptance] button[aria-pressed=true]").await?;
        assert!(chosen.text().await?.contains("80.0 %"));
        let selected = wait_for(&c, "[data-testid=kpi-trend] tr.selected").await?.text().await?;
        assert!(selected.contains("80.0 %"), "{selected}");

        // Choosing another KPI's tile redraws the chart and the periods for it, without a reload.
        c.find(Locator::Css("[data-testid=kpi-right_first_time] button.kpi-choose")).await?.click().await?;
        wait_for(&c, "[data-testid=kpi-right_first_time] button[aria-pressed=true]").await?;
        let heading = "//section[contains(@class,'panel')]/h2[normalize-space()='Right first time over time']";
        c.wait().at_most(Duration::from_secs(10)).for_element(Locator::XPath(heading)).await?;
        let chosen = c.find(Locator::Css("[data-testid=kpi-lot_acceptance] button.kpi-choose")).await?;
        assert_eq!(chosen.attr("aria-pressed").await?.as_deref(), Some("false"), "one tile chosen at a time");
        // Choosing this month's period in the table opens the batches behind it, again without a reload.
        c.find(Locator::Css("details.trend-details > summary")).await?.click().await?;
        wait_for(&c, &format!("[data-testid=point-{month}]")).await?.click().await?;
        let drill = wait_for_text(&c, "[data-testid=drill-down]", "VDS-26-0200").await?;
        assert!(drill.contains("Rejected"), "{drill}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cmo_raises_a_change_control_and_the_accountable_sponsor_s_qa_approves_it() {
    let server = TestServer::start(Backend::Sqlite).await;
    let site = &server;
    let proposed = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string();
    Browser::run_sized(768, 1024, |c| async move {
        c.goto(&site.url("/login")).await?;
        log_in(&c, "lead@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.find(Locator::Css("a[href='/change-controls']")).await?.click().await?;
        button(&c, "Raise a change control").await?.click().await?;
        let form = wait_for(&c, "[data-testid=change-form]").await?;
        form.find(Locator::Css("#cc-product")).await?.select_by_value(VELARIMAB_DP_PRODUCT).await?;
        form.find(Locator::Css("#cc-transfer")).await?.select_by_value(VELARIMAB_DP).await?;
        form.find(Locator::Css("#cc-type")).await?.select_by_value("equipment").await?;
        set_date(&c, "#cc-proposed", &proposed).await?;
        form.find(Locator::Css("#cc-title")).await?.send_keys("Second capping head on vial line 2").await?;
        form.find(Locator::Css("#cc-description")).await?.send_keys("Add a second capping head.").await?;
        form.find(Locator::Css("#cc-justification")).await?.send_keys("Capping is the bottleneck.").await?;
        button(&c, "Raise change control").await?.click().await?;
        let header = wait_for_text(&c, "[data-testid=change-control] .record-header", "CC-").await?;
        assert!(header.contains("Awaiting assessment") && header.to_lowercase().contains("norvia cdmo"), "{header}");
        let approver = wait_for(&c, "[data-testid=approver]").await?.text().await?;
        assert_eq!(approver, "Helix Biologics QA (quality agreement)");
        let deep_link = c.current_url().await?.path().to_owned();
        // The transfer is Helix's and no agreement lets Norvia open it: its code, not a link that ends on "No access".
        let unlinked = wait_for(&c, "[data-testid=transfer-unlinked]").await?.text().await?;
        assert_eq!(unlinked, "TT-2026-007");
        let to_transfer = format!("a[href='/transfers/{VELARIMAB_DP}']");
        assert!(c.find(Locator::Css(&to_transfer)).await.is_err(), "no link to a transfer Norvia cannot open");

        // Norvia's own assessment; Helix's is still awaited.
        wait_for(&c, "#cc-quality").await?.send_keys("No product contact change.").await?;
        c.find(Locator::Css("input[name=cc-risk][value=low]")).await?.click().await?;
        button(&c, "Record assessment").await?.click().await?;
        wait_for_text(&c, "[data-testid=assessment-cmo]", "Assessed").await?;
        wait_for_text(&c, "[data-testid=assessment-sponsor]", "Awaiting the assessment by Helix Biologics").await?;
        log_out(&c).await?;

        // Helix's QA opens the deep link, assesses, and approves with a signature.
        c.goto(&site.url(&deep_link)).await?;
        log_in(&c, "qa@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, &deep_link).await?;
        wait_for(&c, &to_transfer).await?;
        wait_for(&c, "#cc-quality").await?.send_keys("None for the registered process.").await?;
        c.find(Locator::Css("input[name=cc-regulatory][value=notification]")).await?.click().await?;
        button(&c, "Record assessment").await?.click().await?;
        wait_for_text(&c, "[data-testid=change-status]", "Impact assessed").await?;
        button(&c, "Approve").await?.click().await?;
        let statement = wait_for(&c, "[data-testid=sign-statement]").await?.text().await?;
        assert!(
            statement.contains("Second capping head on vial line 2") && statement.contains("approved"),
            "{statement}"
        );
        wait_for(&c, "#sign-password").await?.send_keys(DEMO_PASSWORD).await?;
        button(&c, "Sign: approve").await?.click().await?;
        wait_for_text(&c, "[data-testid=change-status]", "Approved").await?;
        wait_for_text(&c, "[data-testid=decision]", "Signed by Dana Kim (Helix Biologics)").await?;
        assert!(c.find(Locator::XPath("//button[normalize-space()='Approve']")).await.is_err(), "decided once");
        log_out(&c).await?;

        // Norvia sees the decision, in the record and in its filtered list.
        log_in(&c, "lead@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&site.url("/change-controls?status=approved")).await?;
        wait_for_text(&c, "[data-testid=change-controls-table]", "Second capping head on vial line 2").await?;
        c.goto(&site.url(&deep_link)).await?;
        wait_for_text(&c, "[data-testid=change-status]", "Approved").await?;
        wait_for(&c, "[data-testid=implementation-form]").await?;
        // At tablet width the record fits without scrolling sideways, and every target is at least 44 px tall.
        let fits = "return document.documentElement.scrollWidth <= window.innerWidth;";
        assert_eq!(c.execute(fits, vec![]).await?, json!(true), "no horizontal scroll");
        let small =
            "return [...document.querySelectorAll('button, a.button, .nav-item, td a, input, select, textarea')]
            .filter(e => e.getBoundingClientRect().height < 44).map(e => e.outerHTML);";
        assert_eq!(c.execute(small, vec![]).await?, json!([]), "targets under 44 px");
        Ok(())
    })
    .await;
}

/// At tablet size, Norvia's operator records October's second delivery as late (a comma for the decimal point) and
/// then corrects its date, which once delivered asks for a reason; Helix's QA sees October's on-time-in-full change
/// and, drilling into October, the two deliveries behind it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_is_recorded_corrected_and_counted() {
    let server = TestServer::start(Backend::Sqlite).await;
    let site = &server;
    let october = format!("/partnerships/{NORVIA_PARTNERSHIP}/scorecard?from=2026-10&to=2026-10&grain=month");
    Browser::run_sized(768, 1024, |c| async move {
        c.goto(&site.url("/login")).await?;
        log_in(&c, "operator@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&site.url("/batches")).await?;
        button(&c, "Deliveries").await?.click().await?;
        wait_for_text(&c, "[data-testid=deliveries-table]", "PO-VDS-2026-0105").await?;
        button(&c, "Record a delivery").await?.click().await?;
        let form = wait_for(&c, "[data-testid=delivery-form]").await?;
        form.find(Locator::Css("#delivery-reference")).await?.send_keys("PO-VDS-2026-0150").await?;
        form.find(Locator::Css("#delivery-product")).await?.select_by_value(VELARIMAB_DS_PRODUCT).await?;
        set_date(&c, "#delivery-promised-on", "2026-10-20").await?;
        form.find(Locator::Css("#delivery-promised")).await?.send_keys("8,0").await?;
        set_date(&c, "#delivery-delivered-on", "2026-10-23").await?;
        button(&c, "Record delivery").await?.click().await?;
        // A delivered date without a quantity is named beside the field.
        wait_for_text(&c, "[data-testid=delivery-form]", "Enter the quantity delivered.").await?;
        let flagged = c.find(Locator::Css("#delivery-delivered")).await?.attr("aria-invalid").await?;
        assert_eq!(flagged.as_deref(), Some("true"));
        c.find(Locator::Css("#delivery-delivered")).await?.send_keys("8").await?;
        button(&c, "Record delivery").await?.click().await?;
        wait_for_text(&c, "[data-testid=delivery] [data-testid=delivery-outcome]", "Late").await?;

        // Delivered: a correction needs a reason, and then counts as on time.
        set_date(&c, "#delivery-delivered-on", "2026-10-19").await?;
        button(&c, "Save").await?.click().await?;
        wait_for_text(&c, "[data-testid=delivery-form]", "say why it changes").await?;
        wait_for(&c, "#delivery-reason").await?.send_keys("Goods receipt dated the 19th").await?;
        button(&c, "Save").await?.click().await?;
        wait_for_text(&c, "[data-testid=delivery] [data-testid=delivery-outcome]", "On time, in full").await?;
        wait_for_text(&c, "[data-testid=delivered]", "8 kg").await?;
        log_out(&c).await?;

        log_in(&c, "qa@helix.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&site.url(&october)).await?;
        let tile = wait_for_text(&c, "[data-testid=kpi-on_time_in_full]", "1 of 2 deliveries on time in full").await?;
        assert!(tile.contains("50.0 %"), "{tile}");
        // The point's drill-down lists the two deliveries behind it, each with its outcome.
        c.goto(&site.url(&format!("{october}&kpi=on_time_in_full&point=2026-10"))).await?;
        let behind = wait_for_text(&c, "[data-testid=drill-deliveries]", "PO-VDS-2026-0150").await?;
        assert!(behind.contains("PO-VDS-2026-0105") && behind.contains("Short"), "{behind}");
        assert_eq!(behind.matches("PO-VDS-").count(), 2, "{behind}");
        Ok(())
    })
    .await;
}

/// At tablet size, Norvia's operator corrects the out-of-specification assay of demo batch VDS-26-0004 — a
/// transcription error — with a reason; the result is judged again and the batch's history keeps the value replaced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_is_corrected_with_a_reason() {
    let server = TestServer::start(Backend::Sqlite).await;
    let site = &server;
    Browser::run_sized(768, 1024, |c| async move {
        c.goto(&site.url("/login")).await?;
        log_in(&c, "operator@norvia.example", DEMO_PASSWORD).await?;
        wait_for_path(&c, "/transfers").await?;
        c.goto(&site.url("/batches/0000000e-0000-4000-8000-000000000104")).await?;
        wait_for_text(&c, "[data-testid=results-table]", "Out of specification").await?;
        wait_for(&c, "[data-testid=correct-result]").await?.click().await?;
        let value = wait_for(&c, "#result-value").await?;
        assert_eq!(value.prop("value").await?.as_deref(), Some("93.8"), "the form starts from the value recorded");
        value.clear().await?;
        value.send_keys("95,2").await?;
        wait_for_text(&c, "[data-testid=oos-preview]", "Within specification").await?;
        button(&c, "Save correction").await?.click().await?;
        wait_for_text(&c, "[data-testid=result-error]", "Say why").await?;
        wait_for(&c, "#result-reason").await?.send_keys("Transcription error: the report reads 95.2").await?;
        button(&c, "Save correction").await?.click().await?;
        let row = wait_for_text(&c, "[data-testid=results-table] tbody tr", "95.2").await?;
        assert!(row.contains("Within specification"), "{row}");
        button(&c, "Show history").await?.click().await?;
        wait_for_text(&c, "[data-testid=batch]", "Transcription error: the report reads 95.2").await?;
        Ok(())
    })
    .await;
}

/// On every KPI's chart, by quarter and by month, at tablet and desktop width, no point of a series sits on the
/// label of a reference line (target or amber): a label goes over or under its line, right or left, wherever it is
/// free.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_chart_point_hides_a_target_label() {
    let server = TestServer::start(Backend::Sqlite).await;
    let site = &server;
    // Each label's box, grown by a marker's radius, against every marker's centre, in the chart's own units.
    let covered = "return [...document.querySelectorAll('.chart-ref-label')].flatMap(label => {
            const b = label.getBBox();
            return [...document.querySelectorAll('.chart-marker')]
                .map(m => [m.cx.baseVal.value, m.cy.baseVal.value])
                .filter(([x, y]) => x > b.x - 4 && x < b.x + b.width + 4 && y > b.y - 4 && y < b.y + b.height + 4)
                .map(([x, y]) => label.textContent + ' under a point at ' + Math.round(x) + ',' + Math.round(y));
        });";
    for (width, height) in [(768, 1024), (1280, 900)] {
        Browser::run_sized(width, height, |c| async move {
            c.goto(&site.url("/login")).await?;
            log_in(&c, "qa@helix.example", DEMO_PASSWORD).await?;
            wait_for_path(&c, "/transfers").await?;
            let mut charts = 0;
            for grain in ["quarter", "month"] {
                for kind in baton_domain::kpi::KpiKind::ALL.iter().map(|k| k.as_str()) {
                    let card = format!("/partnerships/{NORVIA_PARTNERSHIP}/scorecard?grain={grain}&kpi={kind}");
                    c.goto(&site.url(&card)).await?;
                    if wait_for(&c, ".chart-ref-label").await.is_err() {
                        continue;
                    }
                    charts += 1;
                    let found = c.execute(covered, vec![]).await?;
                    assert_eq!(found, json!([]), "{width} px, {grain}, {kind}");
                }
            }
            assert!(charts >= 12, "charts with a reference line: {charts}");
            Ok(())
        })
        .await;
    }
}
