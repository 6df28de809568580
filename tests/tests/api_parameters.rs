//! Process parameters over the API: each side is its owner's data (the sponsor's SU side, the CMO's RU side), gaps
//! show only where both sides do, decimals keep their places, a bad CSV imports nothing and names every problem, a
//! good one replaces the side in one transaction with one audit entry, and export round-trips.

use baton_tests::client::{DEMO_PASSWORD, Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};

const HELIX: &str = "00000001-0000-4000-8000-000000000001";
const VELARIMAB_DS: &str = "00000003-0000-4000-8000-000000000001";
const VELARIMAB_DP: &str = "00000003-0000-4000-8000-000000000003";
const VELARIMAB_DS_PRODUCT: &str = "00000007-0000-4000-8000-000000000001";
const DS_FIRST_SU: &str = "0000000a-0000-4000-8000-000001000000";
const HEADER: &str =
    "unit_operation,parameter,setpoint,nor_low,nor_high,par_low,par_high,unit,criticality,quality_attributes";

on_both_databases!(
    each_side_is_its_owners_and_gaps_need_both,
    values_keep_their_places_and_changes_need_the_version_shown,
    a_bad_file_imports_nothing_and_a_good_one_replaces_the_side_once,
);

async fn post(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::POST, path).json(body)).await
}

async fn table(client: &ApiClient, transfer: &str) -> Value {
    let reply = client.get(&format!("/transfers/{transfer}/parameters")).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

fn pairs(table: &Value) -> &Vec<Value> {
    table["pairs"].as_array().expect("pairs")
}

async fn each_side_is_its_owners_and_gaps_need_both(db: Backend) {
    let server = TestServer::start(db).await;
    let sponsor = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let cmo = ApiClient::logged_in(&server.base_url, "lead@norvia.example").await;

    // Norvia sees both sides (Helix's agreement covers process parameters), and the gaps.
    let seen_by_cmo = table(&cmo, VELARIMAB_DS).await;
    assert!(seen_by_cmo["su"]["hidden"].is_null() && seen_by_cmo["ru"]["hidden"].is_null());
    let rows = pairs(&seen_by_cmo);
    assert_eq!(rows.len(), 200);
    let gaps: Vec<&Value> =
        rows.iter().filter(|p| !p["comparison"]["gaps"].as_array().expect("gaps").is_empty()).collect();
    assert!(!gaps.is_empty() && gaps.len() < 40, "{} rows with gaps", gaps.len());
    let kelvin = rows.iter().find(|p| p["ru"]["proposal"]["unit"] == "K").expect("a proposal in kelvin");
    assert_eq!(kelvin["su"]["parameter"]["unit"], "°C");
    assert!(kelvin["comparison"]["gaps"].as_array().expect("gaps").is_empty(), "310.15 K is 37.0 °C: {kelvin}");

    // Helix sees its own side but not Norvia's until Norvia grants it; no gaps are computed from a hidden side.
    let seen_by_sponsor = table(&sponsor, VELARIMAB_DS).await;
    let hidden = seen_by_sponsor["ru"]["hidden"].as_str().expect("the RU side is hidden");
    assert!(hidden.contains("process parameters"), "{hidden}");
    assert!(pairs(&seen_by_sponsor).iter().all(|p| p["ru"].is_null() && p["comparison"].is_null()));
    let ru_id = rows[0]["ru"]["id"].as_str().expect("an RU id").to_owned();
    assert_eq!(sponsor.get(&format!("/ru-proposals/{ru_id}")).await.status, 403);

    let cmo_admin = ApiClient::logged_in(&server.base_url, "admin@norvia.example").await;
    let helix_admin = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let terms = json!({
        "title": "Norvia's proposals for Velarimab DS", "grantee": HELIX,
        "scope": {"products": {"kind": "only", "items": [VELARIMAB_DS_PRODUCT]},
                  "transfers": {"kind": "only", "items": [VELARIMAB_DS]}, "data_classes": ["process_parameters"]},
        "permission": "view", "valid_from": "2026-01-01T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"
    });
    let granted = post(&cmo_admin, "/agreements", &terms).await;
    assert_eq!(granted.status, 201, "{:?}", granted.body);
    let id = granted.body["id"].as_str().expect("id").to_owned();
    for signer in [&cmo_admin, &helix_admin] {
        assert_eq!(signer.approve_agreement(&id, DEMO_PASSWORD).await.status, 200);
    }
    let now_seen = table(&sponsor, VELARIMAB_DS).await;
    assert!(now_seen["ru"]["hidden"].is_null());
    assert_eq!(pairs(&now_seen), pairs(&seen_by_cmo), "both parties see the same table and the same gaps");
    assert_eq!(sponsor.get(&format!("/ru-proposals/{ru_id}")).await.status, 200);
    let change = json!({"proposal": rows[0]["ru"]["proposal"], "row_version": rows[0]["ru"]["row_version"]});
    let write = send(sponsor.request(Method::PUT, &format!("/ru-proposals/{ru_id}")).json(&change)).await;
    assert_eq!(write.status, 403, "view permission reads, it does not write the CMO's data");

    // The CMO proposes values on a transfer whose overview it cannot read: its own data, its own to write.
    let proposal = json!({"unit_operation": "Seed expansion", "parameter": "Foam control", "setpoint": "130.0",
        "nor": {"low": "120.0", "high": "140.0"}, "unit": "rpm"});
    let added = post(&cmo, &format!("/transfers/{VELARIMAB_DP}/ru-proposals"), &proposal).await;
    assert_eq!(added.status, 201, "{:?}", added.body);
    assert_eq!(cmo.get(&format!("/transfers/{VELARIMAB_DP}/parameters")).await.status, 403, "no agreement on DP");
    let stranger = ApiClient::logged_in(&server.base_url, "lead@castellan.example").await;
    assert_eq!(stranger.get(&format!("/transfers/{VELARIMAB_DS}/parameters")).await.status, 403);
    assert_eq!(stranger.get(&format!("/su-parameters/{DS_FIRST_SU}")).await.status, 403);
}

fn temperature(setpoint: &str) -> Value {
    json!({"unit_operation": "Production bioreactor", "parameter": "Temperature shift", "setpoint": setpoint,
        "nor": {"low": "33.50", "high": "34.50"}, "par": {"low": "32.0", "high": "36.0"}, "unit": "°C",
        "criticality": "cpp", "quality_attributes": ["Glycan profile"]})
}

async fn values_keep_their_places_and_changes_need_the_version_shown(db: Backend) {
    let server = TestServer::start(db).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let operator = ApiClient::logged_in(&server.base_url, "operator@helix.example").await;
    let added = post(&lead, &format!("/transfers/{VELARIMAB_DS}/su-parameters"), &temperature("34.00")).await;
    assert_eq!(added.status, 201, "{:?}", added.body);
    assert_eq!(added.body["parameter"]["setpoint"], "34.00", "the written places are kept");
    assert_eq!(added.body["parameter"]["nor"]["low"], "33.50");
    let twice = post(&lead, &format!("/transfers/{VELARIMAB_DS}/su-parameters"), &temperature("34.0")).await;
    assert_eq!(twice.status, 409, "one parameter of a name per unit operation: {:?}", twice.body);
    let outside = post(
        &lead,
        &format!("/transfers/{VELARIMAB_DS}/su-parameters"),
        &json!({
        "unit_operation": "Harvest", "parameter": "Temperature", "setpoint": "40.0",
        "nor": {"low": "33.5", "high": "34.5"}, "unit": "°C", "criticality": "cpp"}),
    )
    .await;
    assert_eq!((outside.status, outside.error_field()), (422, "setpoint"), "{:?}", outside.body);
    let float = post(
        &lead,
        &format!("/transfers/{VELARIMAB_DS}/su-parameters"),
        &json!({
        "unit_operation": "Harvest", "parameter": "pH", "setpoint": 7.1, "unit": "pH", "criticality": "cpp"}),
    )
    .await;
    assert_eq!(
        (float.status, float.error_field()),
        (422, "setpoint"),
        "a JSON fraction has lost digits: {:?}",
        float.body
    );

    let id = added.body["id"].as_str().expect("id").to_owned();
    let path = format!("/su-parameters/{id}");
    let first = json!({"parameter": temperature("34.25"), "row_version": added.body["row_version"]});
    assert_eq!(send(operator.request(Method::PUT, &path).json(&first)).await.status, 200);
    let stale = json!({"parameter": temperature("33.75"), "row_version": added.body["row_version"]});
    let refused = send(lead.request(Method::PUT, &path).json(&stale)).await;
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert!(
        refused.body["error"]["message"].as_str().unwrap_or_default().contains("Luis Ortega changed"),
        "{:?}",
        refused.body
    );
    assert_eq!(lead.get(&path).await.body["parameter"]["setpoint"], "34.25");
    let history = lead.get(&format!("/history/parameter/{id}")).await;
    let actions: Vec<&str> =
        history.body.as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["create", "update"]);
    let viewer = ApiClient::logged_in(&server.base_url, "viewer@helix.example").await;
    let latest = json!({"parameter": temperature("34.00"), "row_version": 2});
    assert_eq!(send(viewer.request(Method::PUT, &path).json(&latest)).await.status, 403);
}

async fn audit_count(client: &ApiClient) -> usize {
    client.get("/audit?limit=500").await.body["items"].as_array().map_or(0, Vec::len)
}

async fn a_bad_file_imports_nothing_and_a_good_one_replaces_the_side_once(db: Backend) {
    let server = TestServer::start(db).await;
    let lead = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let qa = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let import = format!("/transfers/{VELARIMAB_DP}/su-parameters/import");
    let before = pairs(&table(&lead, VELARIMAB_DP).await).len();
    let entries_before = audit_count(&qa).await;
    let bad = format!(
        "{HEADER}\nBioreactor,Temperature,37.0,36.5,37.5,35.0,38.0,°C,CPP,Titre\nBioreactor,pH,7.1,6.9,7.3,6.8,7.4,pH,maybe,\n\
         Bioreactor,Agitation,1e3,,,,,rpm,non-CPP,\n"
    );
    let refused = post(&lead, &import, &json!({"csv": bad})).await;
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    let problems = refused.body["error"]["problems"].as_array().expect("problems");
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!((problems[0]["line"].clone(), problems[0]["column"].clone()), (json!(3), json!("criticality")));
    assert_eq!((problems[1]["line"].clone(), problems[1]["column"].clone()), (json!(4), json!("setpoint")));
    assert_eq!(pairs(&table(&lead, VELARIMAB_DP).await).len(), before, "nothing was imported");
    assert_eq!(audit_count(&qa).await, entries_before);

    let rows: String = (0..10_000)
        .map(|i| {
            format!(
                "Step {},Parameter {i},{}.5,{},{},{},{},°C,{},\n",
                i / 100,
                20 + i % 10,
                19 + i % 10,
                22 + i % 10,
                15,
                40,
                if i % 3 == 0 { "CPP" } else { "non-CPP" }
            )
        })
        .collect();
    let good = format!("{HEADER}\n{rows}");
    let imported = post(&lead, &import, &json!({"csv": good})).await;
    assert_eq!(imported.status, 200, "{:?}", imported.body);
    assert_eq!(imported.body["rows"], 10_000);
    let after = table(&lead, VELARIMAB_DP).await;
    assert_eq!(pairs(&after).iter().filter(|p| !p["su"].is_null()).count(), 10_000);
    let trail = qa.get("/audit?limit=500").await;
    let imports: Vec<&Value> = trail.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["record_id"] == format!("{VELARIMAB_DP}.su") && e["action"] == "update")
        .collect();
    assert_eq!(imports.len(), 1, "one entry for the whole file");
    assert_eq!(imports[0]["new"]["rows"], 10_000);
    assert_eq!(imports[0]["new"]["file_sha256"], imported.body["file_hash"]);

    let exported = lead.get(&format!("/transfers/{VELARIMAB_DP}/su-parameters/export.csv")).await;
    assert_eq!(exported.status, 200);
    let text = exported.body.as_str().map(str::to_owned).unwrap_or_else(|| exported.body.to_string());
    let again = post(&lead, &import, &json!({"csv": text})).await;
    assert_eq!(again.status, 200, "the export imports again: {:?}", again.body);
    let values = |t: &Value| pairs(t).iter().map(|p| p["su"]["parameter"].clone()).collect::<Vec<_>>();
    let again = table(&lead, VELARIMAB_DP).await;
    assert_eq!(values(&again), values(&after), "export and import round-trip");
    let ids = |t: &Value| pairs(t).iter().map(|p| p["su"]["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(&after), "a parameter the file still lists keeps its id (and its deep link)");
}
