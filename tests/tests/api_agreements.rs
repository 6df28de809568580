//! Agreements end to end over the API: draft, sign twice, access granted, revoke, access gone; all on the record.

use baton_domain::agreement::{AgreementState, AgreementView};
use baton_tests::client::{DEMO_PASSWORD, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};

const NORVIA: &str = "00000001-0000-4000-8000-000000000002";
const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
const VELARIMAB_DS_AGREEMENT: &str = "00000006-0000-4000-8000-000000000001";

on_both_databases!(
    an_agreement_signed_by_both_opens_the_transfer_and_revocation_closes_it,
    signing_needs_the_right_password_the_right_role_and_locks_after_failures,
    bad_terms_are_refused_naming_the_field_and_change_nothing,
    editing_a_draft_needs_a_reason_invalidates_signatures_and_detects_conflicts,
    strangers_cannot_see_or_touch_an_agreement,
    an_amendment_replaces_the_agreement_in_force_only_once_both_sign_it,
    the_audit_trail_is_filtered_exported_and_verifiable,
);

fn terms() -> Value {
    json!({
        "title": "Velarimab drug product — initiation data",
        "grantee": NORVIA,
        "scope": {
            "products": {"kind": "only", "items": ["00000007-0000-4000-8000-000000000003"]},
            "transfers": {"kind": "only", "items": [VELARIMAB_DP]},
            "data_classes": ["process_description"]
        },
        "permission": "view",
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2030-01-01T00:00:00Z"
    })
}

async fn draft(sponsor: &ApiClient) -> AgreementView {
    let reply = send(sponsor.request(Method::POST, "/agreements").json(&terms())).await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    serde_json::from_value(reply.body).expect("an agreement")
}

async fn sign(client: &ApiClient, id: &str, password: &str) -> baton_tests::client::Reply {
    client.approve_agreement(id, password).await
}

async fn an_agreement_signed_by_both_opens_the_transfer_and_revocation_closes_it(db: Backend) {
    let server = TestServer::start(db).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let cmo_admin = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    let cmo_user = ApiClient::logged_in(&server.base_url, "operator@norvia.example").await;
    let deep_link = format!("/transfers/{VELARIMAB_DP}");

    let before = cmo_user.get(&deep_link).await;
    assert_eq!(before.status, 403);
    assert!(before.body["error"]["message"].as_str().unwrap_or_default().contains("No active data-sharing agreement"));

    let agreement = draft(&sponsor).await;
    assert_eq!(agreement.state, AgreementState::Draft);
    let id = agreement.id.to_string();
    let first = sign(&sponsor, &id, DEMO_PASSWORD).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(first.body["state"], "awaiting_signatures");
    assert_eq!(cmo_user.get(&deep_link).await.status, 403, "one signature is not enough");
    assert_eq!(sign(&sponsor, &id, DEMO_PASSWORD).await.status, 409, "the same party cannot approve twice");

    let second = sign(&cmo_admin, &id, DEMO_PASSWORD).await;
    assert_eq!(second.status, 200, "{:?}", second.body);
    let active: AgreementView = serde_json::from_value(second.body).expect("agreement");
    assert_eq!(active.state, AgreementState::Active);
    assert_eq!(active.signatures.len(), 2);
    assert!(active.signatures.iter().all(|s| s.valid && s.content_hash == active.content_hash));
    assert_eq!(active.signatures[1].signer_name, "Jan De Smet");

    let opened = cmo_user.get(&deep_link).await;
    assert_eq!(opened.status, 200, "{:?}", opened.body);
    assert_eq!(opened.body["product"], "Velarimab drug product");
    let listed = cmo_user.get("/transfers").await;
    assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(2));

    let no_reason = sponsor.revoke_agreement(&id, " ").await;
    assert_eq!(no_reason.status, 422);
    assert_eq!(no_reason.error_field(), "reason");
    let revoked = sponsor.revoke_agreement(&id, "Transfer paused by sponsor").await;
    assert_eq!(revoked.status, 200, "{:?}", revoked.body);
    assert_eq!(revoked.body["state"], "revoked");
    assert_eq!(cmo_user.get(&deep_link).await.status, 403, "revocation takes effect on the next request");

    let history = sponsor.get(&format!("/history/agreement/{id}")).await;
    let actions: Vec<&str> =
        history.body.as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["create", "sign", "sign", "state_change", "sign", "state_change"]);
    assert_eq!(history.body[4]["new"]["meaning"], "revoked");
    assert_eq!(history.body[5]["reason"], "Transfer paused by sponsor");

    let read_log = sponsor.get(&format!("/audit?record_type=transfer&record_id={VELARIMAB_DP}&action=read")).await;
    assert_eq!(read_log.status, 200);
    let reads = read_log.body["items"].as_array().expect("items");
    assert_eq!(reads.len(), 1, "the CMO's one successful read of sponsor data is on the sponsor's trail: {reads:?}");
    assert_eq!(reads[0]["actor_name"], "Amina Haddad");

    let verify = server.run(&["audit", "verify"], None).await;
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    assert!(String::from_utf8_lossy(&verify.stdout).starts_with("OK: "));
}

async fn signing_needs_the_right_password_the_right_role_and_locks_after_failures(db: Backend) {
    let server = TestServer::start(db).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let qa = ApiClient::logged_in(&server.base_url, "qa@norvia.example").await;
    let id = draft(&sponsor).await.id.to_string();

    let not_signatory = sign(&qa, &id, DEMO_PASSWORD).await;
    assert_eq!(not_signatory.status, 403);
    assert!(not_signatory.body["error"]["message"].as_str().unwrap_or_default().contains("QA"));
    let wrong_meaning = send(
        sponsor
            .request(Method::POST, &format!("/agreements/{id}/signatures"))
            .json(&json!({"password": DEMO_PASSWORD, "meaning": "reviewed", "content_hash": "x"})),
    )
    .await;
    assert_eq!(wrong_meaning.status, 422);
    assert_eq!(wrong_meaning.error_field(), "meaning");

    for attempt in 1..=5 {
        let wrong = sign(&sponsor, &id, "not-my-password").await;
        assert_eq!(wrong.status, 401, "attempt {attempt}: {:?}", wrong.body);
        assert_eq!(wrong.error_field(), "password");
    }
    let locked = sign(&sponsor, &id, DEMO_PASSWORD).await;
    assert_eq!(locked.status, 429, "{:?}", locked.body);
    let unchanged = sponsor.get(&format!("/agreements/{id}")).await;
    assert_eq!(
        unchanged.body["signatures"].as_array().map(Vec::len),
        Some(0),
        "refused signatures leave no trace on the record"
    );
    assert_eq!(unchanged.body["state"], "draft");
}

async fn bad_terms_are_refused_naming_the_field_and_change_nothing(db: Backend) {
    let server = TestServer::start(db).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let before = sponsor.get("/agreements").await.body["items"].as_array().map(Vec::len);
    let mut cases = Vec::new();
    let mut t = terms();
    t["title"] = json!("");
    cases.push((t, "title"));
    let mut t = terms();
    t["scope"]["data_classes"] = json!([]);
    cases.push((t, "scope.data_classes"));
    let mut t = terms();
    t["valid_until"] = json!("2025-01-01T00:00:00Z");
    cases.push((t, "valid_until"));
    let mut t = terms();
    t["grantee"] = json!("00000001-0000-4000-8000-000000000001");
    cases.push((t, "grantee"));
    let mut t = terms();
    t["scope"]["transfers"] = json!({"kind": "only", "items": ["00000003-0000-4000-8000-000000000002"]});
    cases.push((t, "scope.transfers"));
    let mut t = terms();
    t["permission"] = json!("everything");
    cases.push((t, "permission"));
    // Products are scoped by id: Corvastatin is transferred to Castellan, not Norvia; a product name is no id.
    let mut t = terms();
    t["scope"]["products"] = json!({"kind": "only", "items": ["00000007-0000-4000-8000-000000000002"]});
    cases.push((t, "scope.products"));
    let mut t = terms();
    t["scope"]["products"] = json!({"kind": "only", "items": ["Velarimab drug product"]});
    cases.push((t, "scope.products"));
    for (body, field) in cases {
        let reply = send(sponsor.request(Method::POST, "/agreements").json(&body)).await;
        assert_eq!(reply.status, 422, "{field}: {:?}", reply.body);
        assert_eq!(reply.error_field(), field, "{:?}", reply.body);
    }
    let operator = ApiClient::logged_in(&server.base_url, "operator@helix.example").await;
    assert_eq!(send(operator.request(Method::POST, "/agreements").json(&terms())).await.status, 403);
    assert_eq!(sponsor.get("/agreements").await.body["items"].as_array().map(Vec::len), before);
}

async fn editing_a_draft_needs_a_reason_invalidates_signatures_and_detects_conflicts(db: Backend) {
    let server = TestServer::start(db).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let agreement = draft(&sponsor).await;
    let id = agreement.id.to_string();
    let signed: AgreementView = serde_json::from_value(sign(&sponsor, &id, DEMO_PASSWORD).await.body).expect("signed");

    let mut changed = terms();
    changed["permission"] = json!("comment");
    let put = |body: Value| send(sponsor.request(Method::PUT, &format!("/agreements/{id}")).json(&body));
    let no_reason = put(json!({"terms": changed, "row_version": signed.row_version, "reason": ""})).await;
    assert_eq!(no_reason.status, 422);
    assert_eq!(no_reason.error_field(), "reason");

    let edited =
        put(json!({"terms": changed, "row_version": signed.row_version, "reason": "CMO asked to comment"})).await;
    assert_eq!(edited.status, 200, "{:?}", edited.body);
    let edited: AgreementView = serde_json::from_value(edited.body).expect("edited");
    assert_ne!(edited.content_hash, signed.content_hash);
    assert_eq!(edited.signatures.len(), 1);
    assert!(!edited.signatures[0].valid, "the approval of the old terms no longer counts");
    assert_eq!(edited.state, AgreementState::Draft);

    let stale = put(json!({"terms": terms(), "row_version": signed.row_version, "reason": "late edit"})).await;
    assert_eq!(stale.status, 409, "{:?}", stale.body);
    assert_eq!(stale.error_code(), "conflict");

    let history = sponsor.get(&format!("/history/agreement/{id}")).await;
    let update =
        history.body.as_array().expect("entries").iter().find(|e| e["action"] == "update").expect("an update entry");
    assert_eq!(update["old"]["permission"], "view");
    assert_eq!(update["new"]["permission"], "comment");
    assert_eq!(update["reason"], "CMO asked to comment");

    // An active agreement cannot be edited.
    let active = sponsor.get(&format!("/agreements/{VELARIMAB_DS_AGREEMENT}")).await;
    let row_version = active.body["row_version"].as_i64().expect("row_version");
    let mut ds_terms = terms();
    ds_terms["title"] = json!("changed");
    let refused = send(sponsor.request(Method::PUT, &format!("/agreements/{VELARIMAB_DS_AGREEMENT}")).json(&json!({
        "terms": ds_terms, "row_version": row_version, "reason": "try"
    })))
    .await;
    assert_eq!(refused.status, 409, "{:?}", refused.body);
}

async fn strangers_cannot_see_or_touch_an_agreement(db: Backend) {
    let server = TestServer::start(db).await;
    let stranger = ApiClient::logged_in(&server.base_url, "admin@castellan.example").await;
    let path = format!("/agreements/{VELARIMAB_DS_AGREEMENT}");
    for (method, suffix, body) in [
        (Method::GET, "", Value::Null),
        (Method::PUT, "", json!({"terms": terms(), "row_version": 1, "reason": "x"})),
        (Method::POST, "/signatures", json!({"password": DEMO_PASSWORD, "meaning": "approved", "content_hash": "x"})),
        (Method::POST, "/revocation", json!({"password": DEMO_PASSWORD, "reason": "x", "row_version": 1})),
    ] {
        let mut request = stranger.request(method.clone(), &format!("{path}{suffix}"));
        if !body.is_null() {
            request = request.json(&body);
        }
        let reply = send(request).await;
        assert_eq!(reply.status, 403, "{method} {suffix}: {:?}", reply.body);
        assert!(!reply.body.to_string().contains("Velarimab"), "no leak: {:?}", reply.body);
    }
    let history = stranger.get(&format!("/history/agreement/{VELARIMAB_DS_AGREEMENT}")).await;
    assert_eq!(history.status, 403);
    // Castellan's list holds only agreements it is party to: granted to it, or granted by it (its batch records).
    let mine = stranger.get("/agreements").await;
    let items = mine.body["items"].as_array().expect("items");
    assert!(!items.is_empty());
    assert!(
        items.iter().all(|a| a["grantee"]["name"] == "Castellan Pharma Services"
            || a["grantor"]["name"] == "Castellan Pharma Services"),
        "{items:?}"
    );
    assert!(items.iter().all(|a| a["id"] != VELARIMAB_DS_AGREEMENT));
}

async fn the_audit_trail_is_filtered_exported_and_verifiable(db: Backend) {
    let server = TestServer::start(db).await;
    let mut qa = ApiClient::new(&server.base_url);
    assert_eq!(qa.login("qa@helix.example", "wrong-password").await.status, 401);
    assert_eq!(qa.login("qa@helix.example", DEMO_PASSWORD).await.status, 200);

    let logins = qa.get("/audit?action=login_failed").await;
    assert_eq!(logins.status, 200, "{:?}", logins.body);
    let items = logins.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["actor_name"], "Dana Kim");

    let actors = qa.get("/audit/actors").await;
    let dana = actors
        .body
        .as_array()
        .expect("actors")
        .iter()
        .find(|a| a["name"] == "Dana Kim")
        .expect("Dana Kim is in the trail");
    let hers = qa.get(&format!("/audit?actor={}", dana["id"].as_str().expect("id"))).await;
    let items = hers.body["items"].as_array().expect("items");
    assert!(!items.is_empty() && items.iter().all(|e| e["actor_name"] == "Dana Kim"), "{items:?}");

    let bad = qa.get("/audit?from=yesterday").await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.error_field(), "from");
    let page = qa.get("/audit?limit=2").await;
    assert_eq!(page.body["items"].as_array().map(Vec::len), Some(2));
    let next = page.body["next_before_seq"].as_i64().expect("a next page");
    let page2 = qa.get(&format!("/audit?limit=2&before_seq={next}")).await;
    assert!(page2.body["items"][0]["seq"].as_i64().expect("seq") < next);

    let csv = send(qa.request(Method::GET, "/audit/export.csv?record_type=agreement")).await;
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-type"].to_str().unwrap_or_default().starts_with("text/csv"));
    let text = csv.body.as_str().expect("csv text");
    assert!(text.starts_with("seq,time_utc,actor,"), "{text}");
    assert!(text.lines().skip(1).all(|l| l.contains(",agreement,")), "{text}");

    let operator = ApiClient::logged_in(&server.base_url, "operator@helix.example").await;
    assert_eq!(operator.get("/audit").await.status, 403, "operators do not read the organisation's trail");
    let cmo = ApiClient::logged_in(&server.base_url, "qa@norvia.example").await;
    let theirs = cmo.get("/audit?action=login_failed").await;
    assert_eq!(
        theirs.body["items"].as_array().map(Vec::len),
        Some(0),
        "another organisation's failed logins are not shown"
    );
}

async fn an_amendment_replaces_the_agreement_in_force_only_once_both_sign_it(db: Backend) {
    let server = TestServer::start(db).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let cmo_admin = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    let cmo_user = ApiClient::logged_in(&server.base_url, "viewer@norvia.example").await;
    let amend = |reason: &str| {
        send(
            sponsor
                .request(Method::POST, &format!("/agreements/{VELARIMAB_DS_AGREEMENT}/amendments"))
                .json(&json!({"reason": reason, "row_version": 2})),
        )
    };
    assert_eq!(amend(" ").await.error_field(), "reason");
    let draft = amend("Extend to 2029 and allow downloads").await;
    assert_eq!(draft.status, 201, "{:?}", draft.body);
    let draft: AgreementView = serde_json::from_value(draft.body).expect("amendment");
    assert_eq!(draft.version, 2);
    assert_eq!(draft.supersedes.map(|s| s.to_string()).as_deref(), Some(VELARIMAB_DS_AGREEMENT));
    assert_eq!(draft.state, AgreementState::Draft);
    assert_eq!(amend("again").await.status, 409, "one amendment at a time");

    let mut terms = serde_json::to_value(&draft).expect("json");
    let changed = json!({
        "terms": {"title": terms["title"].take(), "grantee": NORVIA, "scope": terms["scope"].take(), "permission": "download",
                  "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2029-01-01T00:00:00Z"},
        "row_version": draft.row_version, "reason": "Extend to 2029 and allow downloads"
    });
    let edited = send(sponsor.request(Method::PUT, &format!("/agreements/{}", draft.id)).json(&changed)).await;
    assert_eq!(edited.status, 200, "{:?}", edited.body);
    let id = draft.id.to_string();
    assert_eq!(sign(&sponsor, &id, DEMO_PASSWORD).await.status, 200);
    let ds = "/transfers/00000003-0000-4000-8000-000000000001";
    assert_eq!(cmo_user.get(ds).await.status, 200, "the old version stays in force meanwhile");
    let active = sign(&cmo_admin, &id, DEMO_PASSWORD).await;
    assert_eq!(active.status, 200, "{:?}", active.body);
    assert_eq!(active.body["state"], "active");
    assert_eq!(active.body["permission"], "download");

    let old = sponsor.get(&format!("/agreements/{VELARIMAB_DS_AGREEMENT}")).await;
    assert_eq!(old.body["state"], "revoked");
    assert_eq!(old.body["revocation_reason"], "Superseded by version 2 of this agreement");
    assert_eq!(cmo_user.get(ds).await.status, 200, "access continues under the amendment");
}
