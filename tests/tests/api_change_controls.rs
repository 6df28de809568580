//! Change controls over the API: raised by either party (numbered per owner and year), seen by both and by nobody
//! else; assessed by both parties on the version shown (a revision with a reason); approved or rejected only by QA of
//! the party the quality agreement in effect makes accountable for "Change approval", signing the content shown —
//! and by nobody while no agreement is in effect or none names that party; implemented by the owner, closed by its
//! QA with a signature; every step on the record's audit trail, and bad input refused naming the field.

use baton_tests::client::{DEMO_PASSWORD, Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use chrono::{Datelike, Days, Utc};
use reqwest::Method;
use serde_json::{Value, json};

const HELIX: &str = "00000001-0000-4000-8000-000000000001";
const NORVIA: &str = "00000001-0000-4000-8000-000000000002";
const CASTELLAN: &str = "00000001-0000-4000-8000-000000000003";
const NORVIA_GHENT: &str = "00000002-0000-4000-8000-000000000003";
const CASTELLAN_MONZA: &str = "00000002-0000-4000-8000-000000000004";
const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const CORVASTATIN: &str = "00000003-0000-4000-8000-000000000002";
const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
const VELARIMAB_DS_PRODUCT: &str = "00000007-0000-4000-8000-000000000001";
const CORVASTATIN_PRODUCT: &str = "00000007-0000-4000-8000-000000000002";
const VELARIMAB_DP_PRODUCT: &str = "00000007-0000-4000-8000-000000000003";
const NORVIA_PARTNERSHIP: &str = "00000005-0000-4000-8000-000000000001";
const CASTELLAN_PARTNERSHIP: &str = "00000005-0000-4000-8000-000000000002";
/// The demo's change control by Norvia, assessed by both parties and awaiting Helix's approval.
const DEMO_PUMP_CHANGE: &str = "00000012-0000-4000-8000-000000000001";

on_both_databases!(
    a_cmo_s_change_is_assessed_by_both_approved_by_the_accountable_sponsor_and_closed_by_its_owner,
    only_the_party_the_quality_agreement_in_effect_names_decides_and_a_rejection_ends_the_change,
);

async fn post(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::POST, path).json(body)).await
}

async fn put(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::PUT, path).json(body)).await
}

fn change(partner: &str, product: &str, transfer: Option<&str>, site: Option<&str>) -> Value {
    json!({"partner": partner, "product": product, "transfer": transfer, "site": site, "change_type": "process",
        "title": "  Raise the seed bioreactor's pH set point to 7.10  ",
        "description": "The seed train's pH set point moves from 7.00 to 7.10.",
        "justification": "Higher viable cell density at transfer, shown in twelve development runs.",
        "proposed_implementation": tomorrow()})
}

fn tomorrow() -> String {
    (Utc::now().date_naive() + Days::new(1)).to_string()
}

fn assessment(row_version: i64, risk: &str, reason: Option<&str>) -> Value {
    json!({"product_quality": "No impact on the critical quality attributes expected.", "regulatory": "notification",
        "validation_needed": true, "validation": "Three engineering runs at the new set point",
        "affected_documents": ["MBR-VDS-002", "SOP-USP-010"], "risk": risk, "row_version": row_version,
        "reason": reason})
}

/// The change control as `client` sees it now.
async fn shown(client: &ApiClient, id: &str) -> Value {
    let reply = client.get(&format!("/change-controls/{id}")).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

/// Signs the decision on the change control as `client` was shown it.
async fn decide(client: &ApiClient, id: &str, decision: &str, reason: &str) -> Reply {
    let hash = shown(client, id).await["content_hash"].clone();
    let body = json!({"decision": decision, "reason": reason, "password": DEMO_PASSWORD, "content_hash": hash});
    post(client, &format!("/change-controls/{id}/decision"), &body).await
}

fn listed(list: &Reply, id: &str) -> bool {
    list.body["items"].as_array().expect("items").iter().any(|c| c["id"] == id)
}

fn actions(view: &Value) -> Vec<String> {
    view["actions"].as_array().expect("actions").iter().map(|a| a.to_string().replace('"', "")).collect()
}

/// `CC-<this year>-<sequence>`, after `seeded` demo change controls of the owner in the demo's year (2026).
fn expected_number(seeded: u32) -> String {
    let year = Utc::now().year();
    let sequence = if year == 2026 { seeded + 1 } else { 1 };
    format!("CC-{year}-{sequence:05}")
}

fn refused(reply: &Reply, status: u16, code: &str, text: &str) {
    assert_eq!((reply.status, reply.error_code()), (status, code), "{:?}", reply.body);
    let message = reply.body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(text), "expected {text:?} in {message:?}");
}

async fn a_cmo_s_change_is_assessed_by_both_approved_by_the_accountable_sponsor_and_closed_by_its_owner(db: Backend) {
    let server = TestServer::start(db).await;
    let login = |email: &'static str| ApiClient::logged_in(&server.base_url, email);
    let (norvia_lead, norvia_qa, norvia_operator) =
        (login("lead@norvia.example").await, login("qa@norvia.example").await, login("operator@norvia.example").await);
    let (helix_lead, helix_qa, helix_viewer) =
        (login("lead@helix.example").await, login("qa@helix.example").await, login("viewer@helix.example").await);
    let castellan = login("admin@castellan.example").await;

    // Raised by Norvia's lead: Norvia's record, numbered after its demo change control, awaiting both assessments.
    let body = change(HELIX, VELARIMAB_DP_PRODUCT, Some(VELARIMAB_DP), Some(NORVIA_GHENT));
    let raised = post(&norvia_lead, "/change-controls", &body).await;
    assert_eq!(raised.status, 201, "{:?}", raised.body);
    let id = raised.body["id"].as_str().expect("id").to_owned();
    let v = &raised.body;
    assert_eq!(v["number"], expected_number(1));
    assert_eq!(v["input"]["title"], "Raise the seed bioreactor's pH set point to 7.10", "trimmed");
    assert_eq!((v["status"].clone(), v["raised_by"].clone()), (json!("raised"), json!("Sofie Claes")));
    assert_eq!(
        (v["owner"]["name"].clone(), v["transfer"]["code"].clone()),
        (json!("Norvia CDMO"), json!("TT-2026-007"))
    );
    assert_eq!(v["site"]["name"], "Norvia Ghent Biologics Plant");
    // The transfer is Helix's, and no agreement lets Norvia open it: its code is shown, not offered as a link.
    assert_eq!(v["transfer_readable"], false, "{v:?}");
    assert_eq!(shown(&helix_viewer, &id).await["transfer_readable"], true, "Helix opens its own transfer");
    let awaiting: Vec<&str> =
        v["awaiting_assessment"].as_array().expect("awaiting").iter().filter_map(|o| o["name"].as_str()).collect();
    assert_eq!(awaiting, ["Norvia CDMO", "Helix Biologics"], "both parties assess, the owner first");
    assert_eq!(
        v["approver"],
        json!({"kind": "party", "organisation": {"id": HELIX, "name": "Helix Biologics",
        "kind": "sponsor"}}),
        "the demo quality agreement makes Helix accountable for change approval"
    );
    let second = post(&norvia_lead, "/change-controls", &change(HELIX, VELARIMAB_DP_PRODUCT, None, None)).await;
    assert_eq!(second.body["number"], expected_number(2));
    // An agreement lets Norvia open the drug-substance transfer: a link. Deciding it reads nothing of the transfer,
    // so Helix's trail records no read of it.
    let reads_of_ds = format!("/audit?record_id={VELARIMAB_DS}&action=read");
    let reads = || async { helix_qa.get(&reads_of_ds).await.body["items"].as_array().expect("items").len() };
    let before = reads().await;
    let on_ds =
        post(&norvia_lead, "/change-controls", &change(HELIX, VELARIMAB_DS_PRODUCT, Some(VELARIMAB_DS), None)).await;
    assert_eq!(on_ds.body["transfer_readable"], true, "{:?}", on_ds.body);
    assert_eq!(reads().await, before);
    assert_eq!(norvia_lead.get(&format!("/transfers/{VELARIMAB_DS}")).await.status, 200);
    assert_eq!(reads().await, before + 1, "opening the link is a read, and recorded");

    // Both parties see it, whoever raised it; nobody else does.
    for client in [&helix_viewer, &norvia_operator] {
        assert!(listed(&client.get("/change-controls").await, &id));
        assert_eq!(shown(client, &id).await["number"], v["number"]);
    }
    assert!(!listed(&castellan.get("/change-controls").await, &id));
    refused(&castellan.get(&format!("/change-controls/{id}")).await, 403, "no_access", "not a party");
    refused(&castellan.get(&format!("/history/change_control/{id}")).await, 403, "no_access", "not a party");
    assert!(listed(&helix_viewer.get("/change-controls?status=raised").await, &id), "filtered by status");
    assert!(!listed(&helix_viewer.get("/change-controls?status=approved").await, &id));
    assert_eq!(helix_viewer.get("/change-controls?status=pending").await.status, 422);
    assert_eq!(helix_viewer.get("/change-controls/not-a-uuid").await.error_field(), "id");
    assert_eq!(helix_viewer.get("/change-controls/00000012-0000-4000-8000-0000000000ff").await.status, 404);

    // The form offers the caller's partnerships with the products they work on, their transfers and both sites;
    // the list says whether the caller may raise one (the rule, for its role).
    let setup = norvia_lead.get("/change-control-setup").await;
    let partnership = &setup.body["partnerships"][0];
    assert_eq!(
        (partnership["partnership"].clone(), partnership["partner"]["name"].clone()),
        (json!(NORVIA_PARTNERSHIP), json!("Helix Biologics"))
    );
    let names = |key: &str, field: &str| -> Vec<String> {
        partnership[key]
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|v| v.pointer(field)?.as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(
        names("products", "/name"),
        ["Velarimab drug product", "Velarimab drug substance"],
        "not Castellan's product"
    );
    assert_eq!(names("transfers", "/transfer/code"), ["TT-2026-001", "TT-2026-007"]);
    assert!(names("sites", "/name").contains(&"Helix Basel Biologics".to_owned()));
    assert!(names("sites", "/name").contains(&"Norvia Ghent Biologics Plant".to_owned()));
    assert_eq!(norvia_lead.get("/change-controls").await.body["may_raise"], true);
    for client in [&norvia_operator, &helix_viewer] {
        assert_eq!(client.get("/change-controls").await.body["may_raise"], false);
    }

    // Bad input names the field and changes nothing; the wrong people are refused.
    let count = norvia_lead.get("/change-controls").await.body["items"].as_array().map(Vec::len);
    let with = |field: &str, value: Value| {
        let mut body = change(HELIX, VELARIMAB_DP_PRODUCT, Some(VELARIMAB_DP), Some(NORVIA_GHENT));
        body[field] = value;
        body
    };
    for (body, field) in [
        (with("title", json!(" ")), "title"),
        (with("description", json!("")), "description"),
        (with("justification", json!("\n")), "justification"),
        (with("proposed_implementation", json!("2020-01-01")), "proposed_implementation"),
        (with("partner", json!(CASTELLAN)), "partner"),
        (with("product", json!("00000007-0000-4000-8000-0000000000ff")), "product"),
        (with("transfer", json!(VELARIMAB_DS)), "transfer"),
        (with("site", json!(CASTELLAN_MONZA)), "site"),
        (with("change_type", json!("weather")), "change_type"),
    ] {
        let reply = post(&norvia_lead, "/change-controls", &body).await;
        assert_eq!((reply.status, reply.error_field()), (422, field), "{:?}", reply.body);
    }
    refused(
        &post(&norvia_lead, "/change-controls", &with("transfer", json!(CORVASTATIN))).await,
        403,
        "no_access",
        "not a party to that transfer",
    );
    for (client, partner) in [(&norvia_operator, HELIX), (&helix_viewer, NORVIA)] {
        let reply = post(client, "/change-controls", &change(partner, VELARIMAB_DP_PRODUCT, None, None)).await;
        refused(&reply, 403, "no_access", "may not change");
    }
    assert_eq!(norvia_lead.get("/change-controls").await.body["items"].as_array().map(Vec::len), count);

    // No decision before both parties have assessed.
    refused(&decide(&helix_qa, &id, "approved", "").await, 409, "conflict", "Both parties assess");

    // Norvia assesses; Helix assesses the version it was shown, not an older one.
    let path = format!("/change-controls/{id}/assessment");
    let mut no_quality = assessment(1, "medium", None);
    no_quality["product_quality"] = json!(" ");
    assert_eq!(put(&norvia_qa, &path, &no_quality).await.error_field(), "product_quality");
    let mut no_validation = assessment(1, "medium", None);
    no_validation["validation"] = json!("");
    assert_eq!(put(&norvia_qa, &path, &no_validation).await.error_field(), "validation");
    refused(&put(&norvia_operator, &path, &assessment(1, "low", None)).await, 403, "no_access", "Operator");
    let norvia_view = put(&norvia_qa, &path, &assessment(1, "medium", None)).await;
    assert_eq!(norvia_view.status, 200, "{:?}", norvia_view.body);
    assert_eq!(norvia_view.body["status"], "raised", "one party has assessed");
    assert_eq!(norvia_view.body["assessments"][0]["party"]["name"], "Norvia CDMO");
    assert_eq!(norvia_view.body["assessments"][0]["assessed_by"], "Pieter Wouters");
    refused(&put(&helix_lead, &path, &assessment(1, "high", None)).await, 409, "conflict", "Pieter Wouters");
    let both = put(&helix_lead, &path, &assessment(2, "high", None)).await;
    assert_eq!(both.status, 200, "{:?}", both.body);
    assert_eq!(both.body["status"], "assessed");
    assert_eq!(both.body["awaiting_assessment"], json!([]));
    let approval_shown = both.body["content_hash"].clone();
    // A revision of a party's own assessment gives its reason, and makes what was shown to the approver stale.
    let no_reason = put(&norvia_qa, &path, &assessment(3, "low", None)).await;
    assert_eq!((no_reason.status, no_reason.error_field()), (422, "reason"));
    let revised = put(&norvia_qa, &path, &assessment(3, "low", Some("Vendor data show no seal wear"))).await;
    assert_eq!(revised.status, 200, "{:?}", revised.body);
    assert_eq!(revised.body["assessments"][0]["risk"], "low");

    // Only QA of the accountable party decides, on the content it was shown, with its password.
    let norvia_sees = shown(&norvia_qa, &id).await;
    assert!(!actions(&norvia_sees).iter().any(|a| a.contains("sign")), "{norvia_sees}");
    assert!(actions(&shown(&helix_qa, &id).await).contains(&"{sign:approved}".to_owned()));
    refused(&decide(&norvia_qa, &id, "approved", "").await, 409, "conflict", "Helix Biologics's QA approves");
    refused(&decide(&helix_lead, &id, "approved", "").await, 403, "no_access", "Tech-transfer lead");
    let stale = json!({"decision": "approved", "password": DEMO_PASSWORD, "content_hash": approval_shown});
    refused(&post(&helix_qa, &format!("/change-controls/{id}/decision"), &stale).await, 409, "conflict", "reason");
    let current = shown(&helix_qa, &id).await["content_hash"].clone();
    let wrong_password = json!({"decision": "approved", "password": "not it", "content_hash": current});
    assert_eq!(post(&helix_qa, &format!("/change-controls/{id}/decision"), &wrong_password).await.status, 401);
    assert_eq!(decide(&helix_qa, &id, "rejected", " ").await.error_field(), "reason");
    let approved = decide(&helix_qa, &id, "approved", "").await;
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    let decision = &approved.body["decision"];
    assert_eq!((approved.body["status"].clone(), decision["decision"].clone()), (json!("approved"), json!("approved")));
    assert_eq!(
        (decision["signature"]["signer_name"].clone(), decision["signature"]["valid"].clone()),
        (json!("Dana Kim"), json!(true))
    );
    assert_eq!(decision["signature"]["content_hash"], current);
    assert_eq!(shown(&norvia_operator, &id).await["status"], "approved", "both parties see the decision");
    refused(&put(&helix_lead, &path, &assessment(5, "low", Some("Late"))).await, 409, "conflict", "approved");

    // The owner records the implementation; its QA closes, signed, with its evaluation.
    let implementation = format!("/change-controls/{id}/implementation");
    let today = Utc::now().date_naive();
    let done = |on: String, note: &str, row_version: i64| json!({"implemented_on": on, "note": note, "row_version": row_version});
    refused(
        &post(&helix_lead, &implementation, &done(today.to_string(), "Done", 5)).await,
        409,
        "conflict",
        "Norvia CDMO records its implementation",
    );
    refused(
        &post(&norvia_operator, &implementation, &done(today.to_string(), "Done", 5)).await,
        403,
        "no_access",
        "Operator",
    );
    for (body, field) in [
        (done((today - Days::new(1)).to_string(), "Done", 5), "implemented_on"),
        (done(tomorrow(), "Done", 5), "implemented_on"),
        (done(today.to_string(), " ", 5), "note"),
    ] {
        assert_eq!(post(&norvia_lead, &implementation, &body).await.error_field(), field);
    }
    refused(
        &post(&norvia_lead, &implementation, &done(today.to_string(), "Done", 4)).await,
        409,
        "conflict",
        "Dana Kim",
    );
    let implemented =
        post(&norvia_lead, &implementation, &done(today.to_string(), "Set point changed in the DCS", 5)).await;
    assert_eq!(implemented.status, 200, "{:?}", implemented.body);
    assert_eq!(implemented.body["status"], "implemented");
    assert_eq!(implemented.body["implementation"]["recorded_by"], "Sofie Claes");
    assert_eq!(implemented.body["decision"]["signature"]["valid"], true, "implementing keeps the approval valid");

    let closure = format!("/change-controls/{id}/closure");
    let closing = |client_hash: Value, effectiveness: &str| json!({"effectiveness": effectiveness, "password": DEMO_PASSWORD, "content_hash": client_hash});
    let hash = shown(&norvia_qa, &id).await["content_hash"].clone();
    assert_ne!(hash, current, "the closure signs the decision and the implementation too");
    refused(
        &post(&helix_qa, &closure, &closing(hash.clone(), "Fine")).await,
        409,
        "conflict",
        "only Norvia CDMO's QA closes",
    );
    assert_eq!(post(&norvia_qa, &closure, &closing(hash.clone(), " ")).await.error_field(), "effectiveness");
    refused(&post(&norvia_qa, &closure, &closing(current.clone(), "Fine")).await, 409, "conflict", "changed since");
    refused(&decide(&norvia_qa, &id, "approved", "").await, 409, "conflict", "already implemented");
    let closed = post(&norvia_qa, &closure, &closing(hash.clone(), "VCD at transfer up 12 % over three runs")).await;
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    assert_eq!(closed.body["status"], "closed");
    assert_eq!(closed.body["closure"]["signature"]["signer_name"], "Pieter Wouters");
    assert_eq!(closed.body["closure"]["signature"]["valid"], true);
    assert_eq!(closed.body["closure"]["effectiveness"], "VCD at transfer up 12 % over three runs");
    assert_eq!(closed.body["actions"], json!(["read", "comment", "download"]), "a closed change takes nothing more");
    refused(
        &post(&norvia_lead, &implementation, &done(today.to_string(), "Again", 7)).await,
        409,
        "conflict",
        "closed",
    );

    // Every step is on the record's trail, with old and new values and the revision's reason; both parties read it.
    let history = helix_viewer.get(&format!("/history/change_control/{id}")).await;
    assert_eq!(history.status, 200, "{:?}", history.body);
    let entries = history.body.as_array().expect("entries");
    let steps: Vec<&str> = entries.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(
        steps,
        [
            "create",
            "update",
            "update",
            "update",
            "sign_failed",
            "sign",
            "state_change",
            "state_change",
            "sign",
            "state_change"
        ],
        "the wrong password is on the trail too"
    );
    let revision = &entries[3];
    assert_eq!(revision["reason"], "Vendor data show no seal wear");
    assert_eq!(
        (revision["old"]["assessment"]["risk"].clone(), revision["new"]["assessment"]["risk"].clone()),
        (json!("medium"), json!("low"))
    );
    assert_eq!(entries[2]["old"]["status"], "raised");
    assert_eq!(entries[2]["new"]["status"], "assessed");
    assert_eq!(entries[6]["new"], json!({"status": "approved", "decision": "approved", "reason": ""}));
    assert_eq!(entries[7]["new"]["note"], "Set point changed in the DCS");
    assert_eq!(entries[9]["new"]["effectiveness"], "VCD at transfer up 12 % over three runs");
    assert_eq!(entries[5]["owner_org"], NORVIA, "Helix's approval is in the owner's trail");
}

/// Proposes `rows` as the next version of `partnership`'s quality agreement and has both QAs approve it.
async fn put_in_force(server: &TestServer, partnership: &str, rows: Value, cmo_qa: &str) {
    let helix = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let cmo = ApiClient::logged_in(&server.base_url, cmo_qa).await;
    let path = format!("/partnerships/{partnership}/quality-agreement");
    let proposed = post(&helix, &path, &json!({"rows": rows, "reason": "Change approval moves"})).await;
    assert_eq!(proposed.status, 201, "{:?}", proposed.body);
    let version = &proposed.body["versions"][0];
    for signer in [&helix, &cmo] {
        let body = json!({"password": DEMO_PASSWORD, "meaning": "approved", "content_hash": version["content_hash"]});
        let signed =
            post(signer, &format!("/quality-agreements/{}/signatures", version["id"].as_str().expect("id")), &body)
                .await;
        assert_eq!(signed.status, 200, "{:?}", signed.body);
    }
}

/// Castellan's QA approves the version of its quality agreement Helix's QA already approved.
async fn castellan_approves_its_quality_agreement(server: &TestServer) {
    let qa = ApiClient::logged_in(&server.base_url, "qa@castellan.example").await;
    let quality = qa.get(&format!("/partnerships/{CASTELLAN_PARTNERSHIP}/quality-agreement")).await;
    let version = &quality.body["versions"][0];
    let body = json!({"password": DEMO_PASSWORD, "meaning": "approved", "content_hash": version["content_hash"]});
    let signed =
        post(&qa, &format!("/quality-agreements/{}/signatures", version["id"].as_str().expect("id")), &body).await;
    assert_eq!(signed.status, 200, "{:?}", signed.body);
}

async fn only_the_party_the_quality_agreement_in_effect_names_decides_and_a_rejection_ends_the_change(db: Backend) {
    let server = TestServer::start(db).await;
    let login = |email: &'static str| ApiClient::logged_in(&server.base_url, email);
    let (castellan_lead, castellan_qa) = (login("lead@castellan.example").await, login("qa@castellan.example").await);
    let (helix_qa, norvia_qa, norvia_lead) =
        (login("qa@helix.example").await, login("qa@norvia.example").await, login("lead@norvia.example").await);

    // Castellan's quality agreement awaits its QA's approval: nobody may decide Castellan's change yet.
    let body = change(HELIX, CORVASTATIN_PRODUCT, Some(CORVASTATIN), Some(CASTELLAN_MONZA));
    let raised = post(&castellan_lead, "/change-controls", &body).await;
    assert_eq!(raised.status, 201, "{:?}", raised.body);
    assert_eq!(raised.body["number"], expected_number(0), "Castellan's first");
    assert_eq!(raised.body["approver"], json!({"kind": "no_quality_agreement"}));
    let id = raised.body["id"].as_str().expect("id").to_owned();
    let path = format!("/change-controls/{id}/assessment");
    assert_eq!(put(&castellan_qa, &path, &assessment(1, "low", None)).await.status, 200);
    assert_eq!(put(&helix_qa, &path, &assessment(2, "medium", None)).await.status, 200);
    for qa in [&helix_qa, &castellan_qa] {
        refused(&decide(qa, &id, "approved", "").await, 409, "conflict", "No quality agreement is in effect");
        assert!(!actions(&shown(qa, &id).await).iter().any(|a| a.contains("sign")));
    }
    assert!(!listed(&norvia_qa.get("/change-controls").await, &id), "Norvia is no party to it");

    // Once it is in effect, Helix's QA decides: a rejection gives its reason and ends the change.
    castellan_approves_its_quality_agreement(&server).await;
    refused(&decide(&castellan_qa, &id, "rejected", "No").await, 409, "conflict", "Helix Biologics's QA approves");
    let rejected = decide(&helix_qa, &id, "rejected", "Bridging data on dissolution are missing").await;
    assert_eq!(rejected.status, 200, "{:?}", rejected.body);
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(rejected.body["decision"]["reason"], "Bridging data on dissolution are missing");
    assert_eq!(rejected.body["decision"]["signature"]["meaning"], "rejected");
    let done = json!({"implemented_on": Utc::now().date_naive(), "note": "Anyway", "row_version": 4});
    refused(
        &post(&castellan_lead, &format!("/change-controls/{id}/implementation"), &done).await,
        409,
        "conflict",
        "rejected",
    );
    let history = castellan_qa.get(&format!("/history/change_control/{id}")).await;
    let last = history.body.as_array().and_then(|e| e.last()).cloned().unwrap_or_default();
    assert_eq!(
        (last["action"].clone(), last["reason"].clone()),
        (json!("state_change"), json!("Bridging data on dissolution are missing"))
    );

    // A version in effect that names nobody for change approval leaves the demo change undecided…
    let default_rows = helix_qa.get(&format!("/partnerships/{NORVIA_PARTNERSHIP}/quality-agreement")).await.body
        ["versions"][0]["rows"]
        .clone();
    let without: Vec<Value> =
        default_rows.as_array().expect("rows").iter().filter(|r| r["activity"] != "Change approval").cloned().collect();
    put_in_force(&server, NORVIA_PARTNERSHIP, json!(without), "qa@norvia.example").await;
    assert_eq!(shown(&helix_qa, DEMO_PUMP_CHANGE).await["approver"], json!({"kind": "not_named"}));
    refused(&decide(&helix_qa, DEMO_PUMP_CHANGE, "approved", "").await, 409, "conflict", "“Change approval”");

    // …and one that makes Norvia accountable lets Norvia's QA decide its own change, not Helix's.
    let mut norvia_decides = without.clone();
    norvia_decides.push(json!({"activity": "Change approval", "sponsor": "C", "cmo": "A"}));
    put_in_force(&server, NORVIA_PARTNERSHIP, json!(norvia_decides), "qa@norvia.example").await;
    refused(&decide(&helix_qa, DEMO_PUMP_CHANGE, "approved", "").await, 409, "conflict", "Norvia CDMO's QA approves");
    let approved = decide(&norvia_qa, DEMO_PUMP_CHANGE, "approved", "").await;
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    assert_eq!(approved.body["decision"]["signature"]["organisation"], "Norvia CDMO");
    assert_eq!(shown(&norvia_lead, DEMO_PUMP_CHANGE).await["status"], "approved");
}
