//! Deviations and CAPAs over the API: numbered per owner and year, due by class, owned by whoever raised them and
//! shared with the other party only through an agreement the owner grants; investigated on the version shown (a
//! change of class with a reason); closed only by the owner's QA, signing with the password the content shown, once
//! the rules allow; never changed after closure; every step on the record's audit trail.

use baton_tests::client::{DEMO_PASSWORD, Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use chrono::{Datelike, NaiveDate, Utc};
use reqwest::Method;
use serde_json::{Value, json};

const HELIX: &str = "00000001-0000-4000-8000-000000000001";
const CASTELLAN: &str = "00000001-0000-4000-8000-000000000003";
const HELIX_BASEL: &str = "00000002-0000-4000-8000-000000000001";
const NORVIA_GHENT: &str = "00000002-0000-4000-8000-000000000003";
const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
const VELARIMAB_DP_PRODUCT: &str = "00000007-0000-4000-8000-000000000003";
const CORVASTATIN_PRODUCT: &str = "00000007-0000-4000-8000-000000000002";
/// The demo's deviations in the drug product transfer: under investigation (with a CAPA), closed, just reported.
const DEV_INVESTIGATED: &str = "0000000f-0000-4000-8000-000000000301";
const DEV_CLOSED: &str = "0000000f-0000-4000-8000-000000000302";
const DEV_OPEN: &str = "0000000f-0000-4000-8000-000000000303";
const DEMO_CAPA: &str = "00000010-0000-4000-8000-000000000301";
/// The drug product transfer's first engineering batch (Norvia's), which the first demo deviation was found on.
const DP_BATCH: &str = "0000000e-0000-4000-8000-000000000301";

on_both_databases!(
    deviations_are_raised_numbered_shared_by_their_owner_investigated_and_closed_by_its_qa,
    capas_answer_deviations_and_close_once_every_action_is_done,
);

async fn post(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::POST, path).json(body)).await
}

async fn put(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::PUT, path).json(body)).await
}

fn deviation(title: &str, classification: &str) -> Value {
    json!({"title": title, "description": "Found at the in-process check.", "location": "Filler line 2",
        "occurred_at": "2026-11-24T07:30:00Z", "classification": classification, "site": NORVIA_GHENT,
        "product": VELARIMAB_DP_PRODUCT, "transfer": VELARIMAB_DP})
}

/// The number a new record of `prefix` gets now, after `seeded` demo records of the demo's year (2026).
fn expected_number(prefix: &str, seeded: u32) -> String {
    let year = Utc::now().year();
    let sequence = if year == 2026 { seeded + 1 } else { 1 };
    format!("{prefix}-{year}-{sequence:05}")
}

fn date(value: &Value) -> NaiveDate {
    value.as_str().and_then(|d| d.get(..10)).and_then(|d| d.parse().ok()).expect("a date")
}

/// Norvia grants Helix `permission` on Velarimab drug product quality events, and both admins approve it.
async fn norvia_grants_helix(server: &TestServer, permission: &str) {
    let norvia = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    let helix = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let terms = json!({
        "title": "Velarimab drug product — quality events", "grantee": HELIX,
        "scope": {"products": {"kind": "only", "items": [VELARIMAB_DP_PRODUCT]},
                  "transfers": {"kind": "only", "items": [VELARIMAB_DP]}, "data_classes": ["quality_events"]},
        "permission": permission, "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"
    });
    let drafted = post(&norvia, "/agreements", &terms).await;
    assert_eq!(drafted.status, 201, "{:?}", drafted.body);
    let id = drafted.body["id"].as_str().expect("id").to_owned();
    for signer in [&norvia, &helix] {
        let signed = signer.approve_agreement(&id, DEMO_PASSWORD).await;
        assert_eq!(signed.status, 200, "{:?}", signed.body);
    }
}

fn listed(list: &Reply, id: &str) -> bool {
    list.body["items"].as_array().expect("items").iter().any(|d| d["id"] == id)
}

fn actions_in(history: &Reply) -> Vec<String> {
    history.body.as_array().expect("entries").iter().filter_map(|e| e["action"].as_str().map(str::to_owned)).collect()
}

async fn deviations_are_raised_numbered_shared_by_their_owner_investigated_and_closed_by_its_qa(db: Backend) {
    let server = TestServer::start(db).await;
    let operator = ApiClient::logged_in(&server.base_url, "operator@norvia.example").await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let qa = ApiClient::logged_in(&server.base_url, "qa@norvia.example").await;
    let helix_qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let castellan = ApiClient::logged_in(&server.base_url, "admin@castellan.example").await;

    // Raised: numbered after the demo's three, due by class from the day it was reported.
    let raised = post(&operator, "/deviations", &deviation("  Fill weight below limit  ", "critical")).await;
    assert_eq!(raised.status, 201, "{:?}", raised.body);
    let id = raised.body["id"].as_str().expect("id").to_owned();
    assert_eq!(raised.body["number"], expected_number("DEV", 3));
    assert_eq!(raised.body["input"]["title"], "Fill weight below limit", "trimmed");
    assert_eq!(
        (raised.body["status"].clone(), raised.body["raised_by"].clone()),
        (json!("open"), json!("Amina Haddad"))
    );
    assert_eq!(raised.body["owner"]["name"], "Norvia CDMO");
    let opened = date(&raised.body["opened_at"]);
    assert_eq!(date(&raised.body["due_on"]), opened + chrono::Days::new(15), "critical: 15 days");
    let minor = post(&operator, "/deviations", &deviation("Label smudged", "minor")).await;
    assert_eq!(minor.body["number"], expected_number("DEV", 4));
    assert_eq!(date(&minor.body["due_on"]), date(&minor.body["opened_at"]) + chrono::Days::new(45), "minor: 45 days");

    // Bad input names the field.
    let mut future = deviation("Later", "minor");
    future["occurred_at"] = json!("2099-01-01T00:00:00Z");
    let mut unknown_site = deviation("Where?", "minor");
    unknown_site["site"] = json!("00000002-0000-4000-8000-0000000000ff");
    let mut other_transfer = deviation("Which?", "minor");
    other_transfer["transfer"] = json!(VELARIMAB_DS);
    let mut unknown_product = deviation("What?", "minor");
    unknown_product["product"] = json!("00000007-0000-4000-8000-0000000000ff");
    for (body, field) in [
        (deviation(" ", "minor"), "title"),
        (future, "occurred_at"),
        (unknown_site, "site"),
        (other_transfer, "transfer"),
        (unknown_product, "product"),
    ] {
        let refused = post(&operator, "/deviations", &body).await;
        assert_eq!((refused.status, refused.error_field()), (422, field), "{:?}", refused.body);
    }
    let mut at_helix = deviation("At the sending site", "minor");
    at_helix["site"] = json!(HELIX_BASEL);
    at_helix["transfer"] = Value::Null;
    let no_transfer = post(&helix_qa, "/deviations", &at_helix).await;
    assert_eq!((no_transfer.status, no_transfer.error_field()), (422, "transfer"), "{:?}", no_transfer.body);
    // On a batch: the batch's site, product and transfer, and a batch the raiser may read.
    let mut on_batch = deviation("Crimp cap loose on vials", "minor");
    on_batch["batch"] = json!(DP_BATCH);
    let found_on = post(&operator, "/deviations", &on_batch).await;
    assert_eq!((found_on.status, found_on.body["batch_number"].clone()), (201, json!("VDP-ENG-26-0001")));
    let batch = operator.get(&format!("/batches/{DP_BATCH}")).await;
    let on_it: Vec<&Value> = batch.body["deviations"].as_array().expect("deviations").iter().collect();
    assert!(on_it.iter().any(|d| d["id"] == found_on.body["id"]), "{on_it:?}");
    assert!(on_it.iter().any(|d| d["id"] == DEV_INVESTIGATED), "the demo's deviation on that batch: {on_it:?}");
    let mut elsewhere = on_batch.clone();
    elsewhere["transfer"] = json!(VELARIMAB_DS);
    let mut no_batch = on_batch.clone();
    no_batch["batch"] = json!("0000000e-0000-4000-8000-0000000003ff");
    for (body, field) in [(elsewhere, "transfer"), (no_batch, "batch")] {
        let refused = post(&operator, "/deviations", &body).await;
        assert_eq!((refused.status, refused.error_field()), (422, field), "{:?}", refused.body);
    }
    let unreadable_batch = post(&helix_qa, "/deviations", &on_batch).await;
    assert_eq!(
        (unreadable_batch.status, unreadable_batch.error_code()),
        (403, "no_access"),
        "no agreement on DP batches"
    );
    let outsider_raises = post(&castellan, "/deviations", &deviation("Not ours", "minor")).await;
    assert_eq!((outsider_raises.status, outsider_raises.error_code()), (403, "no_access"));
    let viewer = ApiClient::logged_in(&server.base_url, "viewer@norvia.example").await;
    assert_eq!(post(&viewer, "/deviations", &deviation("Seen", "minor")).await.status, 403);

    // Outsiders are refused; the sponsor reads Norvia's deviation only once Norvia grants it.
    let stranger = castellan.get(&format!("/deviations/{id}")).await;
    assert_eq!((stranger.status, stranger.error_code()), (403, "no_access"));
    assert!(!stranger.body.to_string().contains("Fill weight"), "{:?}", stranger.body);
    assert!(!listed(&castellan.get("/deviations").await, &id));
    assert_eq!(helix_qa.get(&format!("/deviations/{id}")).await.status, 403, "no agreement covers DP");
    assert!(!listed(&helix_qa.get("/deviations").await, &id));
    norvia_grants_helix(&server, "contribute").await;
    let shared = helix_qa.get(&format!("/deviations/{id}")).await;
    assert_eq!(shared.status, 200, "{:?}", shared.body);
    assert!(listed(&helix_qa.get("/deviations").await, &id));
    assert!(listed(&operator.get("/deviations").await, DEV_CLOSED), "the demo's deviations are listed");

    // Investigation: on the version shown; a change of class needs a reason.
    let path = format!("/deviations/{id}/investigation");
    let finding = |class: &str, root: Value, version: i64, reason: Value| {
        json!({"classification": class, "investigation": "Dosing pump seal worn.", "impact": "Engineering run only.",
            "root_cause": root, "row_version": version, "reason": reason})
    };
    let stale = put(&lead, &path, &finding("critical", Value::Null, 7, Value::Null)).await;
    assert_eq!((stale.status, stale.error_code()), (409, "conflict"), "{:?}", stale.body);
    let no_reason = put(&lead, &path, &finding("major", Value::Null, 1, Value::Null)).await;
    assert_eq!((no_reason.status, no_reason.error_field()), (422, "reason"), "{:?}", no_reason.body);
    let reclassified = put(&lead, &path, &finding("major", Value::Null, 1, json!("Engineering material only"))).await;
    assert_eq!(reclassified.status, 200, "{:?}", reclassified.body);
    assert_eq!(
        (reclassified.body["status"].clone(), reclassified.body["input"]["classification"].clone()),
        (json!("investigation"), json!("major"))
    );
    assert_eq!(reclassified.body["due_on"], raised.body["due_on"], "the due date stays");

    // Closure: only with a root cause, only by QA, only by the owner's QA, with the right password and hash.
    let close = |hash: &Value, password: &str| json!({"password": password, "content_hash": hash});
    let closure = format!("/deviations/{id}/closure");
    let shown = qa.get(&format!("/deviations/{id}")).await.body;
    let no_root = post(&qa, &closure, &close(&shown["content_hash"], DEMO_PASSWORD)).await;
    assert_eq!((no_root.status, no_root.error_code()), (409, "conflict"), "{:?}", no_root.body);
    assert!(no_root.body["error"]["message"].as_str().unwrap_or_default().contains("root cause"));
    let found = put(&lead, &path, &finding("major", json!("equipment"), 2, Value::Null)).await;
    assert_eq!(found.status, 200, "{:?}", found.body);
    let shown = qa.get(&format!("/deviations/{id}")).await.body;
    assert!(shown["actions"].as_array().expect("actions").contains(&json!({"sign": "approved"})), "{shown}");
    let by_lead = post(&lead, &closure, &close(&shown["content_hash"], DEMO_PASSWORD)).await;
    assert_eq!((by_lead.status, by_lead.error_code()), (403, "no_access"), "{:?}", by_lead.body);
    let by_partner = post(&helix_qa, &closure, &close(&shown["content_hash"], DEMO_PASSWORD)).await;
    assert_eq!(by_partner.status, 409, "the sponsor's QA does not close Norvia's deviation: {:?}", by_partner.body);
    assert!(by_partner.body["error"]["message"].as_str().unwrap_or_default().contains("Norvia CDMO's QA"));
    let wrong = post(&qa, &closure, &close(&shown["content_hash"], "not-my-password")).await;
    assert_eq!((wrong.status, wrong.error_code(), wrong.error_field()), (401, "invalid_credentials", "password"));
    let outdated = post(&qa, &closure, &close(&json!("a hash of something else"), DEMO_PASSWORD)).await;
    assert_eq!((outdated.status, outdated.error_code()), (409, "conflict"), "{:?}", outdated.body);
    let closed = post(&qa, &closure, &close(&shown["content_hash"], DEMO_PASSWORD)).await;
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    assert_eq!(closed.body["status"], "closed");
    assert_eq!(closed.body["closure"]["signer_name"], "Pieter Wouters");
    assert_eq!(
        (closed.body["closure"]["meaning"].clone(), closed.body["closure"]["valid"].clone()),
        (json!("approved"), json!(true))
    );
    assert_eq!(closed.body["closure"]["content_hash"], shown["content_hash"]);
    assert_eq!(closed.body["closed_in_time"], true);
    assert!(closed.body["closed_at"].is_string());

    // Closed means closed.
    let after = put(
        &lead,
        &path,
        &finding("major", json!("equipment"), closed.body["row_version"].as_i64().unwrap_or(0), Value::Null),
    )
    .await;
    assert_eq!((after.status, after.error_code()), (409, "conflict"), "{:?}", after.body);
    let again = post(&qa, &closure, &close(&closed.body["content_hash"], DEMO_PASSWORD)).await;
    assert_eq!(again.status, 409, "{:?}", again.body);

    // Every step is on the record's trail, the class change with its reason.
    let history = qa.get(&format!("/history/deviation/{id}")).await;
    assert_eq!(history.status, 200, "{:?}", history.body);
    let actions = actions_in(&history);
    for expected in ["create", "update", "sign_failed", "sign", "state_change"] {
        assert!(actions.iter().any(|a| a == expected), "{expected} missing from {actions:?}");
    }
    let entries = history.body.as_array().expect("entries");
    let change = entries.iter().find(|e| e["reason"] == "Engineering material only").expect("the class change");
    assert_eq!(
        (change["old"]["classification"].clone(), change["new"]["classification"].clone()),
        (json!("critical"), json!("major"))
    );
    assert_eq!(castellan.get(&format!("/history/deviation/{id}")).await.status, 403);
}

async fn capas_answer_deviations_and_close_once_every_action_is_done(db: Backend) {
    let server = TestServer::start(db).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let qa = ApiClient::logged_in(&server.base_url, "qa@norvia.example").await;
    let castellan = ApiClient::logged_in(&server.base_url, "lead@castellan.example").await;

    // The demo's CAPA answers the demo's first deviation, and each shows the other.
    let demo = lead.get(&format!("/capas/{DEMO_CAPA}")).await;
    assert_eq!(demo.status, 200, "{:?}", demo.body);
    assert_eq!(demo.body["deviations"][0]["id"], DEV_INVESTIGATED);
    let demo_deviation = lead.get(&format!("/deviations/{DEV_INVESTIGATED}")).await;
    assert_eq!(demo_deviation.body["capas"][0]["id"], DEMO_CAPA);

    let capa = |deviations: Value, partner: &str, product: &str| {
        json!({"title": "Certificate check before stopper release", "product": product, "partner": partner,
            "transfer": VELARIMAB_DP, "deviations": deviations, "due_on": "2027-02-26",
            "actions": [{"description": "Block goods receipt until the certificate is attached", "owner": "Sofie Claes",
                         "due_on": "2026-12-18", "done": false}]})
    };
    let raised = post(&lead, "/capas", &capa(json!([DEV_OPEN]), HELIX, VELARIMAB_DP_PRODUCT)).await;
    assert_eq!(raised.status, 201, "{:?}", raised.body);
    let id = raised.body["id"].as_str().expect("id").to_owned();
    assert_eq!(raised.body["number"], expected_number("CAPA", 1));
    assert_eq!(raised.body["deviations"][0]["id"], DEV_OPEN);
    assert_eq!(raised.body["transfer"]["code"], "TT-2026-007");
    let answered = lead.get(&format!("/deviations/{DEV_OPEN}")).await;
    assert!(answered.body["capas"].as_array().expect("capas").iter().any(|c| c["id"] == id), "{:?}", answered.body);
    assert!(listed(&lead.get("/capas").await, &id));

    // Bad input names the field; another partnership's deviation is refused as such.
    for (body, field) in [
        (capa(json!([DEV_OPEN]), CASTELLAN, VELARIMAB_DP_PRODUCT), "partner"),
        (capa(json!([DEV_OPEN]), HELIX, CORVASTATIN_PRODUCT), "transfer"),
        (capa(json!([DEV_OPEN, DEV_OPEN]), HELIX, VELARIMAB_DP_PRODUCT), "deviations"),
        (capa(json!(["0000000f-0000-4000-8000-0000000003ff"]), HELIX, VELARIMAB_DP_PRODUCT), "deviations[0]"),
    ] {
        let refused = post(&lead, "/capas", &body).await;
        assert_eq!((refused.status, refused.error_field()), (422, field), "{:?}", refused.body);
    }
    let outsider = post(&castellan, "/capas", &capa(json!([DEV_OPEN]), HELIX, VELARIMAB_DP_PRODUCT)).await;
    assert_eq!((outsider.status, outsider.error_code()), (403, "no_access"), "{:?}", outsider.body);
    assert_eq!(castellan.get(&format!("/capas/{id}")).await.status, 403);
    let helix = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    assert_eq!(helix.get(&format!("/capas/{id}")).await.status, 403, "Norvia has granted Helix nothing for DP");

    // Closure waits for every action and the effectiveness check.
    let shown = qa.get(&format!("/capas/{id}")).await.body;
    let closure = format!("/capas/{id}/closure");
    let early = post(&qa, &closure, &json!({"password": DEMO_PASSWORD, "content_hash": shown["content_hash"]})).await;
    assert_eq!((early.status, early.error_code()), (409, "conflict"), "{:?}", early.body);
    assert!(early.body["error"]["message"].as_str().unwrap_or_default().contains("Actions still open"));

    // Changes on the version shown; links stay.
    let mut done = shown["input"].clone();
    done["actions"][0]["done"] = json!(true);
    done["effectiveness_check"] = json!("No stopper lot released without its certificate in three months.");
    let mut unlinked = done.clone();
    unlinked["deviations"] = json!([]);
    let refused = put(&lead, &format!("/capas/{id}"), &json!({"capa": unlinked, "row_version": 1})).await;
    assert_eq!((refused.status, refused.error_field()), (422, "deviations"), "{:?}", refused.body);
    let changed = put(&lead, &format!("/capas/{id}"), &json!({"capa": done, "row_version": 1})).await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    let stale = put(&lead, &format!("/capas/{id}"), &json!({"capa": done, "row_version": 1})).await;
    assert_eq!((stale.status, stale.error_code()), (409, "conflict"), "{:?}", stale.body);

    let by_lead =
        post(&lead, &closure, &json!({"password": DEMO_PASSWORD, "content_hash": changed.body["content_hash"]})).await;
    assert_eq!(by_lead.status, 403, "{:?}", by_lead.body);
    let closed =
        post(&qa, &closure, &json!({"password": DEMO_PASSWORD, "content_hash": changed.body["content_hash"]})).await;
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    assert!(closed.body["closed_at"].is_string());
    assert_eq!(
        (closed.body["closure"]["signer_name"].clone(), closed.body["closure"]["valid"].clone()),
        (json!("Pieter Wouters"), json!(true))
    );
    assert_eq!(closed.body["closed_on_time"], true);
    let row_version = closed.body["row_version"].clone();
    let after = put(&lead, &format!("/capas/{id}"), &json!({"capa": done, "row_version": row_version})).await;
    assert_eq!((after.status, after.error_code()), (409, "conflict"), "{:?}", after.body);

    let history = qa.get(&format!("/history/capa/{id}")).await;
    assert_eq!(history.status, 200, "{:?}", history.body);
    let actions = actions_in(&history);
    assert_eq!(actions, ["create", "update", "sign", "state_change"], "{:?}", history.body);
    let update = &history.body[1];
    assert_eq!(
        (update["old"]["actions"][0]["done"].clone(), update["new"]["actions"][0]["done"].clone()),
        (json!(false), json!(true))
    );
}
