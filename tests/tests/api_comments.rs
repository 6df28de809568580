//! Discussion beside a record over the API: comments and replies in threads, edits kept as history and audited with
//! the old and new text, threads resolved and opened again, @mentions only of people the rule lets read the record,
//! and the rule deciding who reads (`Read`) and who writes (`Comment`).

use baton_tests::client::{DEMO_PASSWORD, Reply, send};
use baton_tests::sse::EventStream;
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};

const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
const VELARIMAB_DP_PRODUCT: &str = "00000007-0000-4000-8000-000000000003";
const NORVIA: &str = "00000001-0000-4000-8000-000000000002";

async fn post(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::POST, path).json(body)).await
}

async fn put(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::PUT, path).json(body)).await
}

/// A user's id, from the people who can see the drug substance transfer.
async fn user_id(client: &ApiClient, name: &str) -> String {
    let people = client.get(&format!("/comments/transfer/{VELARIMAB_DS}/people")).await;
    assert_eq!(people.status, 200, "{:?}", people.body);
    let found = people.body.as_array().expect("people").iter().find(|p| p["name"] == name);
    found.unwrap_or_else(|| panic!("{name} is not among {:?}", people.body))["id"].as_str().expect("id").to_owned()
}

on_both_databases!(
    comments_threads_edits_and_resolution,
    mentions_name_only_people_who_can_see_the_record,
    the_rule_decides_who_reads_and_who_writes,
    a_comment_is_announced_live_and_told_through_its_mentions_only
);

async fn comments_threads_edits_and_resolution(db: Backend) {
    let server = TestServer::start(db).await;
    let cmo = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let sponsor = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let path = format!("/comments/transfer/{VELARIMAB_DS}");

    let empty = cmo.get(&path).await;
    assert_eq!(empty.status, 200, "{:?}", empty.body);
    assert_eq!(empty.body["comments"], json!([]));
    assert!(empty.body["actions"].as_array().expect("actions").contains(&json!("comment")));

    // The CMO asks, mentioning the sponsor's lead by name; the sponsor replies.
    let asked = post(&cmo, &path, &json!({"text": "@Marco Lenz which filter lot was used?"})).await;
    assert_eq!(asked.status, 201, "{:?}", asked.body);
    assert_eq!(asked.body["mentions"][0]["name"], "Marco Lenz");
    assert_eq!(asked.body["author"]["organisation"], "Norvia CDMO");
    let thread = asked.body["id"].as_str().expect("id").to_owned();
    let replied = post(&sponsor, &path, &json!({"text": "Lot 4411.", "parent": thread})).await;
    assert_eq!(replied.status, 201, "{:?}", replied.body);
    let reply = replied.body["id"].as_str().expect("id").to_owned();
    // A reply to a reply joins the thread.
    let again = post(&cmo, &path, &json!({"text": "Thanks.", "parent": reply})).await;
    assert_eq!(again.body["parent"], json!(thread), "{:?}", again.body);
    let foreign = post(&cmo, &path, &json!({"text": "x", "parent": "00000000-0000-4000-8000-000000000000"})).await;
    assert_eq!((foreign.status, foreign.error_field()), (422, "parent"), "{:?}", foreign.body);

    // Edits: the author's only, on the version shown, the earlier text kept and audited.
    let edit_path = format!("{path}/{thread}");
    let edited = put(&cmo, &edit_path, &json!({"text": "@Marco Lenz which depth filter lot?", "version": 1})).await;
    assert_eq!(edited.status, 200, "{:?}", edited.body);
    assert_eq!(edited.body["version"], 2);
    assert!(edited.body["edited_at"].is_string());
    assert_eq!(edited.body["earlier"][0]["text"], "@Marco Lenz which filter lot was used?");
    let stale = put(&cmo, &edit_path, &json!({"text": "Stale", "version": 1})).await;
    assert_eq!((stale.status, stale.error_code()), (409, "conflict"), "{:?}", stale.body);
    assert!(stale.body["error"]["message"].as_str().unwrap_or_default().contains("depth filter"));
    let not_mine = put(&sponsor, &edit_path, &json!({"text": "Mine now", "version": 2})).await;
    assert_eq!(not_mine.status, 403, "{:?}", not_mine.body);
    let blank = put(&cmo, &edit_path, &json!({"text": "  ", "version": 2})).await;
    assert_eq!((blank.status, blank.error_field()), (422, "text"), "{:?}", blank.body);
    let history = sponsor.get(&format!("/history/transfer/{VELARIMAB_DS}")).await;
    let edit_entry =
        history.body.as_array().expect("entries").iter().find(|e| e["action"] == "comment" && !e["old"].is_null());
    let edit_entry = edit_entry.expect("the edit is on the transfer's history");
    assert_eq!(edit_entry["old"]["text"], "@Marco Lenz which filter lot was used?");
    assert_eq!(edit_entry["new"]["text"], "@Marco Lenz which depth filter lot?");

    // Resolution, by the thread's first comment.
    let resolved = post(&sponsor, &format!("{edit_path}/resolution"), &json!({"resolved": true})).await;
    assert_eq!(resolved.status, 200, "{:?}", resolved.body);
    assert_eq!(
        (resolved.body["resolved"].clone(), resolved.body["resolved_by"].clone()),
        (json!(true), json!("Marco Lenz"))
    );
    let by_reply = post(&sponsor, &format!("{path}/{reply}/resolution"), &json!({"resolved": true})).await;
    assert_eq!((by_reply.status, by_reply.error_field()), (422, "comment"), "{:?}", by_reply.body);
    let listed = sponsor.get(&path).await;
    let comments = listed.body["comments"].as_array().expect("comments");
    assert_eq!(comments.len(), 3);
    assert_eq!(comments[0]["resolved"], true);
    assert_eq!(comments[0]["earlier"].as_array().map(Vec::len), Some(1));
    let reopened = post(&cmo, &format!("{edit_path}/resolution"), &json!({"resolved": false})).await;
    assert_eq!((reopened.status, reopened.body["resolved"].clone()), (200, json!(false)), "{:?}", reopened.body);

    // Bad input changes nothing.
    let unknown = cmo.get(&format!("/comments/session/{VELARIMAB_DS}")).await;
    assert_eq!((unknown.status, unknown.error_field()), (422, "record_type"), "{:?}", unknown.body);
    let missing =
        put(&cmo, &format!("{path}/00000000-0000-4000-8000-000000000000"), &json!({"text": "x", "version": 1})).await;
    assert_eq!(missing.status, 404, "{:?}", missing.body);
    assert_eq!(sponsor.get(&path).await.body["comments"].as_array().map(Vec::len), Some(3));
}

async fn mentions_name_only_people_who_can_see_the_record(db: Backend) {
    let server = TestServer::start(db).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let path = format!("/comments/transfer/{VELARIMAB_DS}");
    // The people who can see the drug substance transfer: both parties, nobody from Castellan.
    let people = sponsor.get(&format!("{path}/people")).await;
    let orgs: Vec<&str> =
        people.body.as_array().expect("people").iter().filter_map(|p| p["organisation"].as_str()).collect();
    assert!(orgs.contains(&"Norvia CDMO") && orgs.contains(&"Helix Biologics"), "{orgs:?}");
    assert!(!orgs.contains(&"Castellan Pharma Services"), "{orgs:?}");
    let sofie = user_id(&sponsor, "Sofie Claes").await;
    let ok = post(&sponsor, &path, &json!({"text": "Please check the protocol.", "mentions": [sofie]})).await;
    assert_eq!(ok.status, 201, "{:?}", ok.body);
    assert_eq!(ok.body["mentions"][0]["name"], "Sofie Claes");
    // Sofie finds the mention in her inbox, linked to the comment on the transfer, once however often the comment is edited.
    let sofie_client = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let inbox = sofie_client.get("/notifications").await;
    assert_eq!(inbox.status, 200, "{:?}", inbox.body);
    let mentions: Vec<&Value> =
        inbox.body["items"].as_array().expect("items").iter().filter(|n| n["kind"] == "mention").collect();
    assert_eq!(mentions.len(), 1, "{:?}", inbox.body);
    let comment = ok.body["id"].as_str().expect("the comment's id");
    assert_eq!(mentions[0]["link"], format!("/transfers/{VELARIMAB_DS}#comment-{comment}"));
    assert_eq!(mentions[0]["actor_name"], "Dana Kim");
    assert_eq!(mentions[0]["read"], false);
    let nobody_else = sponsor.get("/notifications").await;
    assert!(!nobody_else.body.to_string().contains("\"mention\""), "the author is not told of their own comment");

    // Castellan's lead cannot see this transfer: refused, naming them and why.
    let refused = post(&sponsor, &path, &json!({"text": "@Matteo Ferri have a look"})).await;
    assert_eq!((refused.status, refused.error_field()), (422, "mentions"), "{:?}", refused.body);
    let message = refused.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("Matteo Ferri") && message.contains("not a party"), "{message}");
    // Norvia cannot see the drug product transfer (no agreement covers it): its lead cannot be mentioned there.
    let dp = format!("/comments/transfer/{VELARIMAB_DP}");
    let no_agreement = post(&sponsor, &dp, &json!({"text": "FYI", "mentions": [sofie]})).await;
    assert_eq!((no_agreement.status, no_agreement.error_field()), (422, "mentions"), "{:?}", no_agreement.body);
    let message = no_agreement.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("Sofie Claes") && message.contains("no active agreement"), "{message}");
    let nobody =
        post(&sponsor, &path, &json!({"text": "x", "mentions": ["00000000-0000-4000-8000-000000000000"]})).await;
    assert_eq!((nobody.status, nobody.error_field()), (422, "mentions"), "{:?}", nobody.body);
    assert_eq!(sponsor.get(&path).await.body["comments"].as_array().map(Vec::len), Some(1), "refusals change nothing");
}

async fn the_rule_decides_who_reads_and_who_writes(db: Backend) {
    let server = TestServer::start(db).await;
    let path = format!("/comments/transfer/{VELARIMAB_DS}");
    let body = json!({"text": "Hello"});
    // An outsider learns nothing.
    let outsider = ApiClient::logged_in(&server.base_url, "admin@castellan.example").await;
    for reply in
        [outsider.get(&path).await, post(&outsider, &path, &body).await, outsider.get(&format!("{path}/people")).await]
    {
        assert!(matches!(reply.status, 403 | 404), "{:?}", reply.body);
        assert!(!reply.body.to_string().contains("Velarimab"), "{:?}", reply.body);
    }
    let anonymous = ApiClient::new(&server.base_url);
    assert_eq!(anonymous.get(&path).await.status, 401);
    // A viewer reads but does not write.
    let viewer = ApiClient::logged_in(&server.base_url, "viewer@norvia.example").await;
    assert_eq!(viewer.get(&path).await.status, 200);
    let refused = post(&viewer, &path, &body).await;
    assert_eq!((refused.status, refused.error_code()), (403, "no_access"), "{:?}", refused.body);

    // A view-only agreement on the drug product transfer lets Norvia read its discussion but not comment.
    let helix_admin = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let terms = json!({"title": "Velarimab drug product — view only", "grantee": NORVIA,
        "scope": {"products": {"kind": "only", "items": [VELARIMAB_DP_PRODUCT]},
                  "transfers": {"kind": "only", "items": [VELARIMAB_DP]}, "data_classes": ["process_description"]},
        "permission": "view", "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"});
    let created = post(&helix_admin, "/agreements", &terms).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let agreement = created.body["id"].as_str().expect("id").to_owned();
    let norvia_admin = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    assert_eq!(helix_admin.approve_agreement(&agreement, DEMO_PASSWORD).await.status, 200);
    assert_eq!(norvia_admin.approve_agreement(&agreement, DEMO_PASSWORD).await.status, 200);
    let dp = format!("/comments/transfer/{VELARIMAB_DP}");
    let lead = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let read = lead.get(&dp).await;
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert!(!read.body["actions"].as_array().expect("actions").contains(&json!("comment")));
    let no_comment = post(&lead, &dp, &body).await;
    assert_eq!((no_comment.status, no_comment.error_code()), (403, "no_access"), "{:?}", no_comment.body);
    let message = no_comment.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("No active agreement") && message.contains("comment on"), "{message}");

    // Both parties discuss an agreement's terms.
    let on_agreement =
        post(&norvia_admin, &format!("/comments/agreement/{agreement}"), &json!({"text": "Can we add methods?"})).await;
    assert_eq!(on_agreement.status, 201, "{:?}", on_agreement.body);
    let seen = helix_admin.get(&format!("/comments/agreement/{agreement}")).await;
    assert_eq!(seen.body["comments"][0]["text"], "Can we add methods?");
}

/// A comment is a live event for everyone who may read the record (the open discussion shows it at once); the
/// people following the record are not told of it in their inbox, only those it mentions, once.
async fn a_comment_is_announced_live_and_told_through_its_mentions_only(db: Backend) {
    let server = TestServer::start(db).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let cmo = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;
    let castellan = ApiClient::logged_in(&server.base_url, "lead@castellan.example").await;
    let path = format!("/comments/transfer/{VELARIMAB_DS}");
    // The sponsor's lead comments first, and so follows the transfer.
    assert_eq!(post(&sponsor, &path, &json!({"text": "Kick-off notes are attached."})).await.status, 201);
    let inbox_before = sponsor.get("/notifications").await.body["items"].as_array().map_or(0, Vec::len);
    let mut sponsor_feed = EventStream::open(&sponsor, None).await;
    let mut castellan_feed = EventStream::open(&castellan, None).await;

    let plain = post(&cmo, &path, &json!({"text": "Thanks, reading them now."})).await;
    assert_eq!(plain.status, 201, "{:?}", plain.body);
    let event = sponsor_feed.next().await;
    assert_eq!(
        (&event.data["record_type"], &event.data["record_id"], &event.data["action"], &event.data["actor_name"]),
        (&json!("transfer"), &json!(VELARIMAB_DS), &json!("comment"), &json!("Sofie Claes")),
        "{:?}",
        event.data
    );
    let inbox = sponsor.get("/notifications").await;
    assert_eq!(inbox.body["items"].as_array().map_or(0, Vec::len), inbox_before, "{:?}", inbox.body);

    let marco = user_id(&cmo, "Marco Lenz").await;
    let mention = post(&cmo, &path, &json!({"text": "@Marco Lenz which revision?", "mentions": [marco]})).await;
    assert_eq!(mention.status, 201, "{:?}", mention.body);
    assert_eq!(sponsor_feed.next().await.data["action"], "comment");
    let inbox = sponsor.get("/notifications").await;
    let items = inbox.body["items"].as_array().expect("items");
    assert_eq!(items.len(), inbox_before + 1, "{:?}", inbox.body);
    assert_eq!((&items[0]["kind"], &items[0]["actor_name"]), (&json!("mention"), &json!("Sofie Claes")));
    // Castellan may not read the transfer: nothing of either comment reaches it.
    assert!(castellan_feed.next_within(std::time::Duration::from_millis(800)).await.is_none());
}
