//! The inbox over the API: a change to a record someone created or changed notifies them (not the one who made it);
//! gates waiting for QA's signature, deliverables due or overdue and agreements ending are reminders that keep their
//! read state; marking read needs a valid request; an item about a record the user can no longer read is dropped;
//! nobody sees another's inbox.

use baton_tests::client::{DEMO_PASSWORD, Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

/// Velarimab drug substance (TT-2026-001), which an agreement in force shares with Norvia.
const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
/// Helix's agreement sharing Velarimab drug substance with Norvia.
const VELARIMAB_DS_AGREEMENT: &str = "00000006-0000-4000-8000-000000000001";

on_both_databases!(
    a_change_to_a_followed_record_is_in_the_inbox_until_marked_read,
    reminders_name_what_waits_and_keep_their_read_state,
    marking_read_refuses_bad_requests_and_needs_a_session,
    a_document_in_review_waits_for_its_owners_qa,
);

/// The first stage of `transfer` whose gate is open and which has deliverables.
async fn open_stage(client: &ApiClient, transfer: &str) -> Value {
    let plan = client.get(&format!("/transfers/{transfer}/stages")).await;
    assert_eq!(plan.status, 200, "{:?}", plan.body);
    let stages = plan.body["stages"].as_array().expect("stages");
    stages
        .iter()
        .find(|s| s["gate"]["state"] == "open" && s["deliverables"][0].is_object())
        .expect("open stage")
        .clone()
}

/// Saves deliverable `d` (as listed in a stage) with `changes` applied to its fields.
async fn save(client: &ApiClient, d: &Value, changes: Value) -> Reply {
    let mut fields = json!({"title": d["title"], "description": d["description"], "owner_org": d["owner"]["id"],
        "owner_person": d["owner_person"]["id"], "due_on": d["due_on"], "status": d["status"]});
    for (k, v) in changes.as_object().expect("changes") {
        fields[k] = v.clone();
    }
    let body = json!({"deliverable": fields, "row_version": d["row_version"]});
    send(client.request(Method::PUT, &format!("/deliverables/{}", d["id"].as_str().unwrap_or_default())).json(&body))
        .await
}

async fn inbox(client: &ApiClient) -> Value {
    let reply = client.get("/notifications").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

fn items_of<'a>(inbox: &'a Value, kind: &str) -> Vec<&'a Value> {
    inbox["items"].as_array().expect("items").iter().filter(|n| n["kind"] == kind).collect()
}

async fn a_change_to_a_followed_record_is_in_the_inbox_until_marked_read(db: Backend) {
    let server = TestServer::start(db).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let operator = ApiClient::logged_in(&server.base_url, "operator@helix.example").await;
    let d = open_stage(&lead, VELARIMAB_DS).await["deliverables"][0].clone();
    let id = d["id"].as_str().expect("id").to_owned();
    assert_eq!(save(&lead, &d, json!({"description": "Marco's note."})).await.status, 200);
    // The lead now follows the deliverable; the operator's change reaches the lead's inbox, not the operator's.
    let d = lead.get(&format!("/deliverables/{id}")).await.body;
    let d = json!({"id": id, "title": d["title"], "description": d["description"], "owner": d["owner"],
        "owner_person": d["owner_person"], "due_on": d["due_on"], "status": d["status"], "row_version": d["row_version"]});
    let changed = save(&operator, &d, json!({"description": "Luis's note."})).await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);

    let mine = inbox(&lead).await;
    let changes = items_of(&mine, "change");
    assert_eq!(changes.len(), 1, "{mine}");
    let item = changes[0];
    assert_eq!(item["record_type"], "deliverable");
    assert_eq!(item["record_id"], id.as_str());
    assert_eq!(item["actor_name"], "Luis Ortega");
    assert_eq!(item["link"], format!("/deliverables/{id}"));
    assert_eq!(item["read"], false);
    assert!(mine["unread"].as_i64().unwrap_or(0) >= 1);
    assert!(items_of(&inbox(&operator).await, "change").is_empty(), "no notice of one's own change");
    let outsider = ApiClient::logged_in(&server.base_url, "lead@castellan.example").await;
    assert!(inbox(&outsider).await["items"].as_array().expect("items").iter().all(|n| n["record_id"] != id.as_str()));

    let unread_before = mine["unread"].as_i64().unwrap_or(0);
    let marked = send(lead.request(Method::POST, "/notifications/read").json(&json!({"keys": [item["key"]]}))).await;
    assert_eq!(marked.status, 200, "{:?}", marked.body);
    assert_eq!(marked.body["unread"].as_i64(), Some(unread_before - 1));
    assert_eq!(items_of(&marked.body, "change")[0]["read"], true);
    assert_eq!(items_of(&inbox(&lead).await, "change")[0]["read"], true, "read state is kept");
}

async fn reminders_name_what_waits_and_keep_their_read_state(db: Backend) {
    let server = TestServer::start(db).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let stage = open_stage(&lead, VELARIMAB_DS).await;
    let deliverables = stage["deliverables"].as_array().expect("deliverables").clone();
    let today = Utc::now().date_naive();
    // The first is the lead's and overdue, the rest done: the gate can be signed.
    let overdue = (today - Duration::days(2)).to_string();
    let me = lead.get("/session").await.body["user"]["id"].clone();
    let first =
        save(&lead, &deliverables[0], json!({"due_on": overdue, "owner_person": me, "status": "in_progress"})).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    for d in &deliverables[1..] {
        assert_eq!(save(&lead, d, json!({"status": "done"})).await.status, 200);
    }
    let mine = inbox(&lead).await;
    let late = items_of(&mine, "deliverable_overdue");
    let mine_late = late.iter().find(|n| n["record_id"] == deliverables[0]["id"]).unwrap_or_else(|| panic!("{mine}"));
    assert_eq!(mine_late["link"], format!("/deliverables/{}", deliverables[0]["id"].as_str().unwrap_or_default()));
    assert!(items_of(&mine, "deliverable_due").iter().all(|n| n["record_id"] != deliverables[0]["id"]));

    // QA of both parties sign gates; Helix's QA is told this one waits (it is blocked until the deliverables are done).
    let d = lead.get(&format!("/deliverables/{}", deliverables[0]["id"].as_str().unwrap_or_default())).await.body;
    let d = json!({"id": d["id"], "title": d["title"], "description": d["description"], "owner": d["owner"],
        "owner_person": d["owner_person"], "due_on": d["due_on"], "status": d["status"], "row_version": d["row_version"]});
    assert_eq!(save(&lead, &d, json!({"status": "done"})).await.status, 200);
    let qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let waiting = inbox(&qa).await;
    let gates = items_of(&waiting, "signature_waiting");
    assert!(gates.iter().any(|g| g["record_id"] == stage["id"]), "{waiting}");
    let gate = gates.iter().find(|g| g["record_id"] == stage["id"]).expect("the gate");
    let number = stage["number"].as_i64().expect("number");
    assert_eq!(gate["link"], format!("/transfers/{VELARIMAB_DS}/stages/{number}"));
    assert!(items_of(&inbox(&lead).await, "signature_waiting").is_empty(), "leads do not sign gates");

    // An agreement ending within 30 days is told to the admins of both parties, and stays read once marked.
    let ends = (Utc::now() + Duration::days(10)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    server
        .execute(&format!("UPDATE agreements SET valid_until = '{ends}' WHERE id = '{VELARIMAB_DS_AGREEMENT}'"))
        .await;
    for admin in ["admin@helix.example", "admin@norvia.example"] {
        let client = ApiClient::logged_in(&server.base_url, admin).await;
        let ending = inbox(&client).await;
        let items = items_of(&ending, "agreement_expiring");
        assert_eq!(items.len(), 1, "{admin}: {ending}");
        assert_eq!(items[0]["link"], format!("/agreements/{VELARIMAB_DS_AGREEMENT}"));
        let all = send(client.request(Method::POST, "/notifications/read").json(&json!({"all": true}))).await;
        assert_eq!(all.body["unread"], 0, "{:?}", all.body);
        assert_eq!(items_of(&inbox(&client).await, "agreement_expiring")[0]["read"], true);
    }
    let castellan = ApiClient::logged_in(&server.base_url, "admin@castellan.example").await;
    assert!(items_of(&inbox(&castellan).await, "agreement_expiring").is_empty());
}

async fn marking_read_refuses_bad_requests_and_needs_a_session(db: Backend) {
    let server = TestServer::start(db).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let nothing = send(lead.request(Method::POST, "/notifications/read").json(&json!({"keys": []}))).await;
    assert_eq!((nothing.status, nothing.error_field()), (422, "keys"), "{:?}", nothing.body);
    let many: Vec<String> = (0..201).map(|i| format!("change:{i}")).collect();
    let too_many = send(lead.request(Method::POST, "/notifications/read").json(&json!({"keys": many}))).await;
    assert_eq!((too_many.status, too_many.error_field()), (422, "keys"));
    let empty_key = send(lead.request(Method::POST, "/notifications/read").json(&json!({"keys": [""]}))).await;
    assert_eq!((empty_key.status, empty_key.error_field()), (422, "keys"));
    let anonymous = ApiClient::new(&server.base_url);
    assert_eq!(anonymous.get("/notifications").await.status, 401);
    let no_csrf = send(anonymous.http.post(anonymous.api("/notifications/read")).json(&json!({"all": true}))).await;
    assert!(matches!(no_csrf.status, 401 | 403), "{}", no_csrf.status);
}

/// A document submitted for review is waiting for the signature of its owner's QA (and only theirs), linked to it.
async fn a_document_in_review_waits_for_its_owners_qa(db: Backend) {
    const DEMO_PROTOCOL: &str = "00000016-0000-4000-8000-000000000101";
    let server = TestServer::start(db).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let norvia_qa = ApiClient::logged_in(&server.base_url, "qa@norvia.example").await;
    let waiting = |inbox: &Value| {
        items_of(inbox, "signature_waiting").into_iter().filter(|n| n["record_id"] == DEMO_PROTOCOL).count()
    };
    assert_eq!(waiting(&inbox(&qa).await), 0, "a draft waits for nobody");
    let hash = lead.get(&format!("/documents/{DEMO_PROTOCOL}")).await.body["content_hash"].clone();
    let submit = json!({"password": DEMO_PASSWORD, "content_hash": hash});
    let path = format!("/documents/{DEMO_PROTOCOL}/review");
    assert_eq!(send(lead.request(Method::POST, &path).json(&submit)).await.status, 200);
    let told = inbox(&qa).await;
    assert_eq!(waiting(&told), 1, "{told}");
    let item = items_of(&told, "signature_waiting").into_iter().find(|n| n["record_id"] == DEMO_PROTOCOL).cloned();
    assert_eq!(item.expect("the item")["link"], format!("/documents/{DEMO_PROTOCOL}"));
    assert_eq!(waiting(&inbox(&lead).await), 0, "leads do not approve");
    assert_eq!(waiting(&inbox(&norvia_qa).await), 0, "the partner's QA does not approve Helix's documents");
}
