//! KPI targets over the API: proposed with a reason, edited until the first signature, signed by QA of both parties
//! on the content hash, in force once both have signed — and the scorecard (and its CSV) judging by them.

use baton_domain::kpi_targets::KpiTargets;
use baton_domain::quality::QualityAgreementState;
use baton_tests::client::{DEMO_PASSWORD, Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::any::install_default_drivers;
use sqlx::{AnyConnection, Connection};

const NORVIA_PARTNERSHIP: &str = "00000005-0000-4000-8000-000000000001";
const CASTELLAN_PARTNERSHIP: &str = "00000005-0000-4000-8000-000000000002";
/// Where mean yield sits in every list of targets (the order of `KpiKind::ALL`).
const MEAN_YIELD: usize = 7;

on_both_databases!(a_tighter_target_signed_by_both_qas_turns_the_scorecard_red, refusals_change_nothing);

async fn targets(client: &ApiClient, partnership: &str) -> KpiTargets {
    let reply = client.get(&format!("/partnerships/{partnership}/kpi-targets")).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    serde_json::from_value(reply.body).expect("KPI targets")
}

/// The targets in use with mean yield's limits replaced.
fn with_yield(current: &KpiTargets, target: f64, amber: f64) -> Value {
    let mut list = serde_json::to_value(&current.in_use).expect("targets");
    assert_eq!(list[MEAN_YIELD]["kpi"], "mean_yield");
    list[MEAN_YIELD]["target"] = json!(target);
    list[MEAN_YIELD]["amber"] = json!(amber);
    list
}

async fn propose(client: &ApiClient, partnership: &str, body: Value) -> Reply {
    send(client.request(Method::POST, &format!("/partnerships/{partnership}/kpi-targets")).json(&body)).await
}

async fn edit(client: &ApiClient, version: &str, body: Value) -> Reply {
    send(client.request(Method::PUT, &format!("/kpi-targets/{version}")).json(&body)).await
}

async fn sign(client: &ApiClient, version: &str, hash: &str) -> Reply {
    let body = json!({"password": DEMO_PASSWORD, "meaning": "approved", "content_hash": hash});
    send(client.request(Method::POST, &format!("/kpi-targets/{version}/signatures")).json(&body)).await
}

/// The scorecard's mean-yield line: (value shown, status, target).
async fn yield_line(client: &ApiClient, partnership: &str) -> (String, String, f64) {
    let card = client.get(&format!("/partnerships/{partnership}/scorecard")).await;
    assert_eq!(card.status, 200, "{:?}", card.body);
    let line = card.body["lines"].as_array().expect("lines").iter().find(|l| l["kind"] == "mean_yield").expect("yield");
    let shown = line["display"].as_str().unwrap_or_default().to_owned();
    (shown, line["rag"].as_str().unwrap_or_default().to_owned(), line["threshold"]["target"].as_f64().unwrap_or(-1.0))
}

async fn a_tighter_target_signed_by_both_qas_turns_the_scorecard_red(db: Backend) {
    let server = TestServer::start(db).await;
    let helix_qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let norvia_qa = ApiClient::logged_in(&server.base_url, "qa@norvia.example").await;

    // The demo's version 1 is in force: both QAs signed it, and the scorecard says so.
    let seeded = targets(&norvia_qa, NORVIA_PARTNERSHIP).await;
    assert_eq!(seeded.versions.len(), 1);
    assert_eq!(seeded.versions[0].state, QualityAgreementState::Effective);
    let agreed = seeded.agreed.clone().expect("agreed");
    assert_eq!((agreed.sponsor_signer.as_str(), agreed.cmo_signer.as_str()), ("Dana Kim", "Pieter Wouters"));
    let card = helix_qa.get(&format!("/partnerships/{NORVIA_PARTNERSHIP}/scorecard")).await;
    assert_eq!(card.body["agreed"]["version"], 1, "{:?}", card.body["agreed"]);
    assert_eq!(yield_line(&helix_qa, NORVIA_PARTNERSHIP).await, ("96.4 %".into(), "green".into(), 0.95));

    // Helix's QA proposes a tighter yield target: a draft, not in force, so the scorecard is unchanged.
    let draft = json!({"targets": with_yield(&seeded, 0.97, 0.965), "reason": "Yield improvement plan"});
    let proposed = propose(&helix_qa, NORVIA_PARTNERSHIP, draft.clone()).await;
    assert_eq!(proposed.status, 201, "{:?}", proposed.body);
    let after: KpiTargets = serde_json::from_value(proposed.body).expect("KPI targets");
    let v2 = after.versions[0].clone();
    assert_eq!((v2.version, v2.state), (2, QualityAgreementState::Draft));
    assert_eq!(after.versions[1].state, QualityAgreementState::Effective, "v1 stays in force until both sign");
    assert!(!after.actions.contains(&baton_domain::access::Action::DraftAgreement), "a draft is open");
    assert_eq!(yield_line(&norvia_qa, NORVIA_PARTNERSHIP).await.1, "green");
    let again = propose(&norvia_qa, NORVIA_PARTNERSHIP, draft).await;
    assert_eq!(again.status, 409, "one open draft at a time: {:?}", again.body);
    assert!(again.body["error"]["message"].as_str().unwrap_or_default().contains("edit it"), "{:?}", again.body);

    // Helix's QA tightens it further, on the draft as shown; a later edit on the old hash is refused.
    let id = v2.id.to_string();
    let tighter = json!({"targets": with_yield(&seeded, 0.98, 0.97), "reason": "Yield improvement plan, stretch",
        "content_hash": v2.content_hash});
    let edited = edit(&helix_qa, &id, tighter.clone()).await;
    assert_eq!(edited.status, 200, "{:?}", edited.body);
    let edited: KpiTargets = serde_json::from_value(edited.body).expect("KPI targets");
    let v2_now = edited.versions[0].clone();
    assert_ne!(v2_now.content_hash, v2.content_hash);
    assert_eq!(v2_now.targets[MEAN_YIELD].target, 0.98);
    let stale = edit(&norvia_qa, &id, tighter).await;
    assert_eq!(stale.status, 409, "{:?}", stale.body);
    let message = stale.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("Dana Kim") && message.contains("targets"), "says who changed what: {message}");

    // Signing the hash from before the edit is refused, naming the change; signing what is there now is not.
    let stale_sign = sign(&norvia_qa, &id, &v2.content_hash).await;
    assert_eq!(stale_sign.status, 409, "{:?}", stale_sign.body);
    assert!(stale_sign.body["error"]["message"].as_str().unwrap_or_default().contains("Dana Kim"));
    let first = sign(&helix_qa, &id, &v2_now.content_hash).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(first.body["versions"][0]["state"], "awaiting_signatures");
    assert_eq!(sign(&helix_qa, &id, &v2_now.content_hash).await.status, 409, "one approval per party");
    let late_edit = json!({"targets": with_yield(&seeded, 0.99, 0.97), "reason": "x",
        "content_hash": v2_now.content_hash});
    let refused = edit(&helix_qa, &id, late_edit).await;
    assert_eq!(refused.status, 409, "a signed version is not edited: {:?}", refused.body);
    assert_eq!(yield_line(&norvia_qa, NORVIA_PARTNERSHIP).await.1, "green", "one signature is not agreement");

    // Norvia's QA signs: version 2 is in force, version 1 superseded, and 96.4 % is now red against 98 %.
    let second = sign(&norvia_qa, &id, &v2_now.content_hash).await;
    assert_eq!(second.status, 200, "{:?}", second.body);
    let now: KpiTargets = serde_json::from_value(second.body).expect("KPI targets");
    assert_eq!(now.versions[0].state, QualityAgreementState::Effective);
    assert_eq!(now.versions[1].state, QualityAgreementState::Superseded);
    let agreed = now.agreed.clone().expect("agreed");
    assert_eq!((agreed.version, agreed.cmo_signer.as_str()), (2, "Pieter Wouters"));
    assert!(now.actions.contains(&baton_domain::access::Action::DraftAgreement), "no draft open any more");
    assert_eq!(yield_line(&helix_qa, NORVIA_PARTNERSHIP).await, ("96.4 %".into(), "red".into(), 0.98));
    let card = norvia_qa.get(&format!("/partnerships/{NORVIA_PARTNERSHIP}/scorecard")).await;
    assert_eq!(card.body["agreed"]["version"], 2);
    let csv = send(helix_qa.request(Method::GET, &format!("/partnerships/{NORVIA_PARTNERSHIP}/scorecard.csv"))).await;
    let text = csv.body.as_str().unwrap_or_default().to_owned();
    let current = card.body["current"].as_str().unwrap_or_default();
    let row = format!("{current},mean_yield,0.964000,96.4 %,Mean of 1 batch with yield data,0.98,0.97,red");
    assert!(text.lines().any(|l| l == row), "the CSV judges as the scorecard does: {text}");

    // Each step is on the record's history with old and new values and the reason.
    let history = helix_qa.get(&format!("/history/kpi_targets/{id}")).await;
    assert_eq!(history.status, 200, "{:?}", history.body);
    let entries = history.body.as_array().expect("entries");
    let actions: Vec<&str> = entries.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["create", "update", "sign", "sign", "state_change"]);
    assert_eq!(entries[0]["reason"], "Yield improvement plan");
    assert_eq!(entries[0]["old"]["targets"][MEAN_YIELD]["target"], 0.95);
    assert_eq!(entries[0]["new"]["targets"][MEAN_YIELD]["target"], 0.97);
    assert_eq!(entries[1]["old"]["targets"][MEAN_YIELD]["target"], 0.97);
    assert_eq!(entries[1]["new"]["targets"][MEAN_YIELD]["target"], 0.98);
    assert_eq!(entries[1]["reason"], "Yield improvement plan, stretch");
    assert_eq!(entries[4]["new"]["supersedes"], 1);
    let v1 = now.versions[1].id.to_string();
    let old_history = norvia_qa.get(&format!("/history/kpi_targets/{v1}")).await;
    let last = old_history.body.as_array().and_then(|e| e.last()).cloned().unwrap_or_default();
    assert_eq!((last["action"].as_str(), last["new"]["state"].as_str()), (Some("state_change"), Some("superseded")));
}

async fn refusals_change_nothing(db: Backend) {
    let server = TestServer::start(db).await;
    let castellan_qa = ApiClient::logged_in(&server.base_url, "qa@castellan.example").await;
    let helix_qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;

    // Castellan's partnership has agreed nothing: the defaults judge, and the scorecard says so.
    let defaults = targets(&castellan_qa, CASTELLAN_PARTNERSHIP).await;
    assert!(defaults.versions.is_empty() && defaults.agreed.is_none());
    let card = castellan_qa.get(&format!("/partnerships/{CASTELLAN_PARTNERSHIP}/scorecard")).await;
    assert_eq!(card.body["agreed"], Value::Null);
    assert_eq!(card.body["thresholds"], serde_json::to_value(baton_domain::kpi::default_thresholds()).expect("json"));
    let valid = || json!({"targets": with_yield(&defaults, 0.96, 0.93), "reason": "First agreed targets"});

    // Bad input is refused naming the field.
    let mut percent = valid();
    percent["targets"][0]["target"] = json!(95);
    let mut backwards = valid();
    backwards["targets"][1]["amber"] = json!(0.99);
    let mut days = valid();
    days["targets"][3]["target"] = json!(-3);
    let mut missing = valid();
    missing["targets"].as_array_mut().expect("list").pop();
    let mut twice = valid();
    let first = twice["targets"][0].clone();
    twice["targets"].as_array_mut().expect("list").push(first);
    let mut no_reason = valid();
    no_reason["reason"] = json!(" ");
    let mut unknown = valid();
    unknown["targets"][2]["kpi"] = json!("happiness");
    for (body, field) in [
        (percent, "targets[0].target"),
        (backwards, "targets[1].amber"),
        (days, "targets[3].target"),
        (missing, "targets"),
        (twice, "targets[9].kpi"),
        (no_reason, "reason"),
    ] {
        let reply = propose(&castellan_qa, CASTELLAN_PARTNERSHIP, body).await;
        assert_eq!((reply.status, reply.error_field()), (422, field), "{:?}", reply.body);
    }
    assert_eq!(propose(&castellan_qa, CASTELLAN_PARTNERSHIP, unknown).await.status, 422);

    // Only QA or an admin of a party proposes; only QA signs; outsiders learn nothing.
    for who in ["lead@helix.example", "operator@castellan.example", "viewer@castellan.example"] {
        let client = ApiClient::logged_in(&server.base_url, who).await;
        let reply = propose(&client, CASTELLAN_PARTNERSHIP, valid()).await;
        assert_eq!((reply.status, reply.error_code()), (403, "no_access"), "{who}: {:?}", reply.body);
    }
    let norvia_qa = ApiClient::logged_in(&server.base_url, "qa@norvia.example").await;
    let outsider = propose(&norvia_qa, CASTELLAN_PARTNERSHIP, valid()).await;
    assert_eq!(outsider.status, 403, "{:?}", outsider.body);
    let peek = norvia_qa.get(&format!("/partnerships/{CASTELLAN_PARTNERSHIP}/kpi-targets")).await;
    assert_eq!(peek.status, 403, "{:?}", peek.body);
    assert!(!peek.body.to_string().contains("Castellan"), "{:?}", peek.body);
    assert_eq!(targets(&castellan_qa, CASTELLAN_PARTNERSHIP).await.versions.len(), 0, "refusals change nothing");

    let admin = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let by_admin = propose(&admin, CASTELLAN_PARTNERSHIP, valid()).await;
    assert_eq!(by_admin.status, 201, "an admin may propose: {:?}", by_admin.body);
    let v1 = by_admin.body["versions"][0].clone();
    let (id, hash) = (v1["id"].as_str().unwrap_or_default(), v1["content_hash"].as_str().unwrap_or_default());
    let not_qa = sign(&admin, id, hash).await;
    assert_eq!(not_qa.status, 403, "only QA signs: {:?}", not_qa.body);
    let foreign = sign(&norvia_qa, id, hash).await;
    assert_eq!(foreign.status, 403, "{:?}", foreign.body);
    let foreign_edit = edit(
        &norvia_qa,
        id,
        json!({"targets": with_yield(&defaults, 0.9, 0.8), "reason": "x",
        "content_hash": hash}),
    )
    .await;
    assert_eq!(foreign_edit.status, 403, "{:?}", foreign_edit.body);
    let reviewed = send(
        helix_qa
            .request(Method::POST, &format!("/kpi-targets/{id}/signatures"))
            .json(&json!({"password": DEMO_PASSWORD, "meaning": "reviewed", "content_hash": hash})),
    )
    .await;
    assert_eq!((reviewed.status, reviewed.error_field()), (422, "meaning"), "{:?}", reviewed.body);
    let mut bad_edit = valid();
    bad_edit["targets"][MEAN_YIELD]["amber"] = json!(0.99);
    bad_edit["content_hash"] = json!(hash);
    let refused = edit(&helix_qa, id, bad_edit).await;
    assert_eq!((refused.status, refused.error_field()), (422, format!("targets[{MEAN_YIELD}].amber").as_str()));
    let unchanged = targets(&helix_qa, CASTELLAN_PARTNERSHIP).await;
    assert_eq!(unchanged.versions[0].content_hash, hash, "refused edits change nothing");
    assert!(unchanged.versions[0].signatures.is_empty());
    assert_eq!(unchanged.agreed, None, "a draft is not in force");

    // Beneath the API, the database itself keeps versions and refuses changes to a signed one.
    install_default_drivers();
    let mut conn = AnyConnection::connect(&server.database_url).await.expect("direct database connection");
    let delete = sqlx::query("DELETE FROM kpi_targets").execute(&mut conn).await;
    assert!(delete.is_err(), "versions are never deleted");
    let signed = sqlx::query("UPDATE kpi_targets SET reason = 'tampered' WHERE partnership_id = $1")
        .bind(NORVIA_PARTNERSHIP)
        .execute(&mut conn)
        .await;
    assert!(signed.is_err(), "a signed version cannot change");
}
