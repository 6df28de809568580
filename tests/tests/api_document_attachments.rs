//! Documents on a method, a batch or a deviation: the record must be one the uploader reads, in the document's
//! transfer (422 naming the field otherwise, telling nothing about a record they cannot see). A document on a
//! commercial batch outside any transfer belongs to the batch's partnership and product, so the other party reads it
//! only through an agreement covering the product in all transfers and the document's class; an outsider reaches
//! nothing. Each record's list shows exactly the documents the caller may read.

use baton_tests::client::{Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};

const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const CORVASTATIN: &str = "00000003-0000-4000-8000-000000000002";
const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
/// Helix's analytical method in the drug substance transfer (Norvia's agreement covers analytical methods).
const VELARIMAB_DS_METHOD: &str = "0000000d-0000-4000-8000-000000000100";
/// Norvia's first engineering batch of the drug product transfer.
const VELARIMAB_DP_BATCH: &str = "0000000e-0000-4000-8000-000000000301";

on_both_databases!(
    documents_attach_to_methods_and_batches_in_and_outside_transfers,
    a_quick_reports_photo_is_a_document_on_the_deviation
);

/// A small valid PNG (1×1, grey).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU\
    \x00\x00\x00\nIDATx\x9cc\xf8\x0f\x00\x01\x01\x01\x00\x18\xdd\x8d\xb4\x00\x00\x00\x00IEND\xaeB`\x82";

async fn upload(client: &ApiClient, id: &str, content_type: &str, name: &str, bytes: Vec<u8>) -> Reply {
    let request = client
        .request(Method::POST, &format!("/documents/{id}/versions"))
        .header("content-type", content_type)
        .header("x-file-name", name)
        .body(bytes);
    send(request).await
}

async fn create(client: &ApiClient, body: Value) -> Reply {
    send(client.request(Method::POST, "/documents").json(&body)).await
}

fn ids(list: &Reply) -> Vec<String> {
    list.body["items"].as_array().expect("items").iter().filter_map(|d| d["id"].as_str().map(str::to_owned)).collect()
}

fn may_add(list: &Reply) -> bool {
    list.body["actions"].as_array().is_some_and(|a| a.iter().any(|x| x == "contribute"))
}

async fn documents_attach_to_methods_and_batches_in_and_outside_transfers(db: Backend) {
    let server = TestServer::start(db).await;
    let base = &server.base_url;
    let helix = ApiClient::logged_in(base, "lead@helix.example").await;
    let helix_qa = ApiClient::logged_in(base, "qa@helix.example").await;
    let norvia = ApiClient::logged_in(base, "qa@norvia.example").await;
    let viewer = ApiClient::logged_in(base, "viewer@norvia.example").await;
    let outsider = ApiClient::logged_in(base, "admin@castellan.example").await;

    // On a method: Helix's validation report, which Norvia reads under the demo agreement.
    let report = json!({"transfer": VELARIMAB_DS, "method": VELARIMAB_DS_METHOD, "title": "Method validation report",
        "data_class": "analytical_methods"});
    let created = create(&helix, report.clone()).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let on_method = created.body["id"].as_str().expect("id").to_owned();
    assert_eq!(created.body["input"]["method"], VELARIMAB_DS_METHOD);
    let trail = helix_qa.get(&format!("/audit?record_id={on_method}")).await;
    let entries = trail.body["items"].as_array().expect("entries");
    assert!(entries.iter().any(|e| e["action"] == "create" && e["new"]["method"] == VELARIMAB_DS_METHOD));
    let path = format!("/methods/{VELARIMAB_DS_METHOD}/documents");
    let mine = helix.get(&path).await;
    assert_eq!((ids(&mine), may_add(&mine)), (vec![on_method.clone()], true), "{:?}", mine.body);
    assert_eq!(ids(&norvia.get(&path).await), vec![on_method.clone()]);
    assert!(ids(&helix.get(&format!("/transfers/{VELARIMAB_DS}/documents")).await).contains(&on_method));
    let theirs = outsider.get(&path).await;
    assert_eq!((theirs.status, ids(&theirs).len(), may_add(&theirs)), (200, 0, false), "{:?}", theirs.body);

    // The method must be the transfer's, and one the uploader reads: otherwise 422 naming it, changing nothing.
    let elsewhere = create(
        &helix,
        json!({"transfer": CORVASTATIN, "method": VELARIMAB_DS_METHOD, "title": "X",
        "data_class": "analytical_methods"}),
    )
    .await;
    assert_eq!((elsewhere.status, elsewhere.error_field()), (422, "method"), "{:?}", elsewhere.body);
    let unseen = create(
        &outsider,
        json!({"transfer": CORVASTATIN, "method": VELARIMAB_DS_METHOD, "title": "X",
        "data_class": "analytical_methods"}),
    )
    .await;
    assert_eq!((unseen.status, unseen.error_field()), (422, "method"), "{:?}", unseen.body);
    assert!(!unseen.body.to_string().contains("Velarimab"), "{:?}", unseen.body);
    let reply = create(&outsider, report).await;
    assert_eq!((reply.status, reply.error_field()), (422, "method"), "{:?}", reply.body);
    let two = create(
        &helix,
        json!({"transfer": VELARIMAB_DP, "method": VELARIMAB_DS_METHOD,
        "batch": VELARIMAB_DP_BATCH, "title": "X", "data_class": "batch_records"}),
    )
    .await;
    assert_eq!((two.status, two.error_field()), (422, "batch"), "{:?}", two.body);
    assert_eq!(ids(&helix.get(&path).await).len(), 1);

    // On a batch in a transfer: Norvia's batch record, refused when it names another transfer.
    let record = json!({"transfer": VELARIMAB_DP, "batch": VELARIMAB_DP_BATCH, "title": "Executed batch record",
        "data_class": "batch_records"});
    let created = create(&norvia, record).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let on_batch = created.body["id"].as_str().expect("id").to_owned();
    let batch_path = format!("/batches/{VELARIMAB_DP_BATCH}/documents");
    let listed = norvia.get(&batch_path).await;
    assert_eq!((ids(&listed), may_add(&listed)), (vec![on_batch], true), "{:?}", listed.body);
    let mismatch = create(
        &norvia,
        json!({"transfer": VELARIMAB_DS, "batch": VELARIMAB_DP_BATCH, "title": "X",
        "data_class": "batch_records"}),
    )
    .await;
    assert_eq!((mismatch.status, mismatch.error_field()), (422, "batch"), "{:?}", mismatch.body);
    let viewers = create(
        &viewer,
        json!({"transfer": VELARIMAB_DP, "batch": VELARIMAB_DP_BATCH, "title": "X",
        "data_class": "batch_records"}),
    )
    .await;
    assert_eq!(viewers.status, 403, "{:?}", viewers.body);
    assert_eq!(ids(&outsider.get(&batch_path).await).len(), 0);

    // A commercial batch, outside any transfer: the document belongs to the batch's partnership and product.
    let batches = norvia.get("/batches").await;
    let commercial = batches.body["items"]
        .as_array()
        .expect("batches")
        .iter()
        .find(|b| b["batch_type"] == "commercial")
        .and_then(|b| b["id"].as_str())
        .expect("a commercial batch")
        .to_owned();
    assert!(norvia.get(&format!("/batches/{commercial}")).await.body["input"]["transfer"].is_null());
    let nowhere = create(&norvia, json!({"title": "Certificate of analysis", "data_class": "batch_records"})).await;
    assert_eq!((nowhere.status, nowhere.error_field()), (422, "transfer"), "{:?}", nowhere.body);
    let in_transfer = create(
        &norvia,
        json!({"transfer": VELARIMAB_DS, "batch": commercial, "title": "X",
        "data_class": "batch_records"}),
    )
    .await;
    assert_eq!((in_transfer.status, in_transfer.error_field()), (422, "batch"), "{:?}", in_transfer.body);
    let coa = create(
        &norvia,
        json!({"batch": commercial, "title": "Certificate of analysis",
        "data_class": "batch_records"}),
    )
    .await;
    assert_eq!(coa.status, 201, "{:?}", coa.body);
    assert!(coa.body["input"]["transfer"].is_null(), "{:?}", coa.body);
    assert_eq!(coa.body["owner"]["name"], "Norvia CDMO");
    let coa = coa.body["id"].as_str().expect("id").to_owned();
    // A class Norvia's agreement with Helix (batch records, quality events, commercial) does not cover.
    let private = create(
        &norvia,
        json!({"batch": commercial, "title": "Line clearance notes",
        "data_class": "process_description"}),
    )
    .await;
    assert_eq!(private.status, 201, "{:?}", private.body);
    let private = private.body["id"].as_str().expect("id").to_owned();
    let commercial_path = format!("/batches/{commercial}/documents");
    let mut both = vec![coa.clone(), private.clone()];
    let mut listed = ids(&norvia.get(&commercial_path).await);
    both.sort();
    listed.sort();
    assert_eq!(listed, both);
    // Helix reads the certificate through the agreement covering Velarimab drug substance in all transfers.
    assert_eq!(helix_qa.get(&format!("/documents/{coa}")).await.status, 200);
    let refused = helix_qa.get(&format!("/documents/{private}")).await;
    assert_eq!((refused.status, refused.error_code()), (403, "no_access"), "{:?}", refused.body);
    let seen = helix_qa.get(&commercial_path).await;
    assert_eq!(ids(&seen), vec![coa.clone()], "{:?}", seen.body);
    // The outsider sees none of it and may not attach to it, whatever it names.
    for path in [format!("/documents/{coa}"), format!("/documents/{coa}/view")] {
        assert!(matches!(outsider.get(&path).await.status, 403 | 404), "{path}");
    }
    assert_eq!(ids(&outsider.get(&commercial_path).await).len(), 0);
    let foreign = create(&outsider, json!({"batch": commercial, "title": "X", "data_class": "batch_records"})).await;
    assert_eq!((foreign.status, foreign.error_field()), (422, "batch"), "{:?}", foreign.body);
    assert!(!foreign.body.to_string().contains("Velarimab"), "{:?}", foreign.body);
}

/// The quick report's photo: Norvia's operator reports a deviation on a commercial batch (outside any transfer), then
/// its photo goes up the one document path, as a quality-events document owned by Norvia on the deviation. Helix
/// sees it through Norvia's agreement covering quality events; an outsider does not. A file that is not an image,
/// or is too large, is refused and the deviation stays as it was reported.
async fn a_quick_reports_photo_is_a_document_on_the_deviation(db: Backend) {
    let server = TestServer::start_with_env(db, &[("BATON_MAX_UPLOAD_BYTES", "100000")]).await;
    let base = &server.base_url;
    let operator = ApiClient::logged_in(base, "operator@norvia.example").await;
    let helix_qa = ApiClient::logged_in(base, "qa@helix.example").await;
    let outsider = ApiClient::logged_in(base, "admin@castellan.example").await;
    let batches = operator.get("/batches").await;
    let commercial = batches.body["items"]
        .as_array()
        .expect("batches")
        .iter()
        .find(|b| b["batch_type"] == "commercial")
        .and_then(|b| b["id"].as_str())
        .expect("a commercial batch")
        .to_owned();
    let batch = operator.get(&format!("/batches/{commercial}")).await.body;
    let report = json!({"title": "Torn label on drum 3", "description": "", "location": "Warehouse bay 2",
        "occurred_at": "2026-11-20T08:00:00Z", "classification": "minor", "site": batch["input"]["site"],
        "product": batch["input"]["product"], "batch": commercial, "transfer": null});
    let raised = send(operator.request(Method::POST, "/deviations").json(&report)).await;
    assert_eq!(raised.status, 201, "{:?}", raised.body);
    let deviation = raised.body["id"].as_str().expect("id").to_owned();

    let photo = json!({"deviation": deviation, "title": "Photo of drum 3", "data_class": "quality_events"});
    let started = create(&operator, photo.clone()).await;
    assert_eq!(started.status, 201, "{:?}", started.body);
    assert_eq!(
        (started.body["owner"]["name"].as_str(), started.body["input"]["transfer"].as_null()),
        (Some("Norvia CDMO"), Some(()))
    );
    let id = started.body["id"].as_str().expect("id").to_owned();
    // Not an image, and too large: refused, naming why; no version, and the deviation is as reported.
    let text = upload(&operator, &id, "image/png", "drum.png", b"not a picture at all".to_vec()).await;
    assert_eq!((text.status, text.error_field()), (422, "file"), "{:?}", text.body);
    let big = [PNG.to_vec(), vec![0; 150_000]].concat();
    let large = upload(&operator, &id, "image/png", "drum.png", big).await;
    assert_eq!(large.status, 413, "{:?}", large.body);
    assert!(operator.get(&format!("/documents/{id}")).await.body["versions"].as_array().is_some_and(Vec::is_empty));
    let kept = operator.get(&format!("/deviations/{deviation}")).await;
    assert_eq!((kept.status, kept.body["input"]["title"].as_str()), (200, Some("Torn label on drum 3")));
    // The photo itself, retried on the same document.
    let uploaded = upload(&operator, &id, "image/png", "drum%203.png", PNG.to_vec()).await;
    assert_eq!(uploaded.status, 201, "{:?}", uploaded.body);
    let audit = ApiClient::logged_in(base, "qa@norvia.example").await;
    let trail = audit.get(&format!("/audit?record_id={id}")).await;
    let actions: Vec<&str> =
        trail.body["items"].as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"create") && actions.contains(&"update"), "{actions:?}");

    // Helix, through Norvia's agreement on quality events of the product in all transfers, sees and views it.
    let path = format!("/deviations/{deviation}/documents");
    assert_eq!(ids(&operator.get(&path).await), vec![id.clone()]);
    let seen = helix_qa.get(&path).await;
    assert_eq!(ids(&seen), vec![id.clone()], "{:?}", seen.body);
    let shown = helix_qa.request(Method::GET, &format!("/documents/{id}/view")).send().await.expect("view");
    assert_eq!(shown.status().as_u16(), 200);
    assert_eq!(shown.bytes().await.expect("bytes").as_ref(), PNG);
    // The outsider sees nothing, and may not attach to the deviation.
    assert_eq!(ids(&outsider.get(&path).await).len(), 0);
    assert!(matches!(outsider.get(&format!("/documents/{id}/view")).await.status, 403 | 404));
    let foreign = create(&outsider, photo).await;
    assert_eq!((foreign.status, foreign.error_field()), (422, "deviation"), "{:?}", foreign.body);
}
