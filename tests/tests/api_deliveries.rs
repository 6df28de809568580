//! Deliveries over the API: recorded by the CMO, read by the sponsor only through an agreement the CMO grants (for
//! that product), corrected once delivered only with a reason and on the version shown; on-time-in-full is computed
//! from them, never typed, and the scorecard follows.

use baton_tests::client::{Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Value, json};

const VELARIMAB_DS_PRODUCT: &str = "00000007-0000-4000-8000-000000000001";
const CORVASTATIN_PRODUCT: &str = "00000007-0000-4000-8000-000000000002";
const VELARIMAB_DP_PRODUCT: &str = "00000007-0000-4000-8000-000000000003";
const NORVIA_PARTNERSHIP: &str = "00000005-0000-4000-8000-000000000001";
/// Norvia's October delivery of Velarimab drug substance: 10.5 of 12 kg, on time (short).
const OCTOBER_DELIVERY: &str = "00000014-0000-4000-8000-000000000105";

on_both_databases!(a_delivery_is_recorded_delivered_and_corrected_by_its_cmo, on_time_in_full_follows_the_deliveries);

fn delivery(reference: &str, product: &str) -> Value {
    json!({"product": product, "reference": reference, "promised_on": "2026-10-20", "promised_quantity": "8.0",
        "unit": "kg"})
}

async fn post(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::POST, path).json(body)).await
}

async fn put(client: &ApiClient, path: &str, body: &Value) -> Reply {
    send(client.request(Method::PUT, path).json(body)).await
}

async fn a_delivery_is_recorded_delivered_and_corrected_by_its_cmo(db: Backend) {
    let server = TestServer::start(db).await;
    let operator = ApiClient::logged_in(&server.base_url, "operator@norvia.example").await;
    let created = post(&operator, "/deliveries", &delivery("PO-TEST-1", VELARIMAB_DS_PRODUCT)).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["outcome"], "overdue", "promised in the past, not delivered");
    assert_eq!(created.body["on_time_in_full"], Value::Null);
    assert_eq!(created.body["sponsor"]["name"], "Helix Biologics");
    let id = created.body["id"].as_str().expect("id").to_owned();

    // Bad input is named by field and changes nothing.
    let again = post(&operator, "/deliveries", &delivery("PO-TEST-1", VELARIMAB_DS_PRODUCT)).await;
    assert_eq!((again.status, again.error_field()), (422, "reference"), "references are unique per CMO");
    let mut half = delivery("PO-TEST-2", VELARIMAB_DS_PRODUCT);
    half["delivered_on"] = json!("2026-10-20");
    let half = post(&operator, "/deliveries", &half).await;
    assert_eq!((half.status, half.error_field()), (422, "delivered_quantity"));
    let mut zero = delivery("PO-TEST-2", VELARIMAB_DS_PRODUCT);
    zero["promised_quantity"] = json!("0");
    let zero = post(&operator, "/deliveries", &zero).await;
    assert_eq!((zero.status, zero.error_field()), (422, "promised_quantity"));
    // A product Norvia does not make (Castellan's Corvastatin), or none at all, is not Norvia's to record.
    for product in [CORVASTATIN_PRODUCT, "00000007-0000-4000-8000-00000000ffff"] {
        let refused = post(&operator, "/deliveries", &delivery("PO-TEST-2", product)).await;
        assert_eq!((refused.status, refused.error_field()), (403, "product"), "{:?}", refused.body);
    }
    let typed = post(&operator, "/deliveries", &json!({"reference": "PO-TEST-2", "promised_quantity": 8})).await;
    assert_eq!(typed.status, 422, "malformed bodies are refused: {:?}", typed.body);

    // A drug product delivery is Norvia's too, but Norvia shares only Velarimab drug substance with Helix.
    let other = post(&operator, "/deliveries", &delivery("PO-TEST-3", VELARIMAB_DP_PRODUCT)).await;
    assert_eq!(other.status, 201, "{:?}", other.body);
    let other_id = other.body["id"].as_str().expect("id").to_owned();
    // The sponsor and a CMO's viewer record none; another CMO of Helix records none of a product it does not make,
    // and reads none of Norvia's.
    for (who, records, reads, reads_other) in [
        ("operator@helix.example", 403, 200, 403),
        ("qa@castellan.example", 403, 403, 403),
        ("viewer@norvia.example", 403, 200, 200),
    ] {
        let client = ApiClient::logged_in(&server.base_url, who).await;
        let recorded = post(&client, "/deliveries", &delivery("PO-TEST-4", VELARIMAB_DS_PRODUCT)).await;
        assert_eq!(recorded.status, records, "{who} records: {:?}", recorded.body);
        assert_eq!(recorded.error_code(), "no_access");
        assert_eq!(client.get(&format!("/deliveries/{id}")).await.status, reads, "{who} reads");
        assert_eq!(client.get(&format!("/deliveries/{other_id}")).await.status, reads_other, "{who} reads other");
        let listed = client.get("/deliveries").await;
        assert_eq!(listed.status, 200);
        let ids: Vec<&str> =
            listed.body["items"].as_array().expect("items").iter().filter_map(|d| d["id"].as_str()).collect();
        assert_eq!(ids.contains(&id.as_str()), reads == 200, "{who} lists {id}");
        assert_eq!(ids.contains(&other_id.as_str()), reads_other == 200, "{who} lists {other_id}");
    }

    // Delivered late and in full: computed, not typed.
    let mut delivered = delivery("PO-TEST-1", VELARIMAB_DS_PRODUCT);
    delivered["delivered_on"] = json!("2026-10-22");
    delivered["delivered_quantity"] = json!("8,0".replace(',', "."));
    let change = json!({"delivery": delivered, "row_version": 1, "on_time_in_full": true});
    let changed = put(&operator, &format!("/deliveries/{id}"), &change).await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(
        (changed.body["outcome"].as_str(), changed.body["on_time_in_full"].as_bool()),
        (Some("late"), Some(false))
    );
    assert_eq!(changed.body["row_version"], 2);

    let stale = put(&operator, &format!("/deliveries/{id}"), &json!({"delivery": delivered, "row_version": 1})).await;
    assert_eq!(stale.status, 409, "a change on a version since replaced: {:?}", stale.body);
    delivered["delivered_on"] = json!("2026-10-19");
    let unexplained =
        put(&operator, &format!("/deliveries/{id}"), &json!({"delivery": delivered, "row_version": 2})).await;
    assert_eq!(
        (unexplained.status, unexplained.error_field()),
        (422, "reason"),
        "delivered: a correction needs a reason"
    );
    let mut moved = delivered.clone();
    moved["product"] = json!(VELARIMAB_DP_PRODUCT);
    let moved =
        put(&operator, &format!("/deliveries/{id}"), &json!({"delivery": moved, "row_version": 2, "reason": "x"}))
            .await;
    assert_eq!((moved.status, moved.error_field()), (422, "product"));
    let viewer = ApiClient::logged_in(&server.base_url, "viewer@norvia.example").await;
    let read_only =
        put(&viewer, &format!("/deliveries/{id}"), &json!({"delivery": delivered, "row_version": 2, "reason": "x"}))
            .await;
    assert_eq!(read_only.status, 403, "{:?}", read_only.body);
    let corrected = put(
        &operator,
        &format!("/deliveries/{id}"),
        &json!({"delivery": delivered, "row_version": 2, "reason": "Goods receipt dated the 19th"}),
    )
    .await;
    assert_eq!(corrected.status, 200, "{:?}", corrected.body);
    assert_eq!(corrected.body["outcome"], "on_time_in_full");
    assert!(corrected.body["actions"].as_array().expect("actions").iter().any(|a| a == "contribute"));
    assert!(
        !viewer.get(&format!("/deliveries/{id}")).await.body["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .any(|a| a == "contribute")
    );

    // The history keeps each change with its old and new values and the reason.
    let history = operator.get(&format!("/history/delivery/{id}")).await;
    assert_eq!(history.status, 200, "{:?}", history.body);
    let entries = history.body.as_array().expect("entries");
    let last = entries.iter().find(|e| e["reason"] == "Goods receipt dated the 19th").expect("the correction");
    assert_eq!(last["old"]["delivered_on"], "2026-10-22", "{last}");
    assert_eq!(last["new"]["delivered_on"], "2026-10-19", "{last}");
    let refused = ApiClient::logged_in(&server.base_url, "qa@castellan.example").await;
    assert_eq!(refused.get(&format!("/history/delivery/{id}")).await.status, 403);
}

async fn otif(client: &ApiClient) -> Value {
    let card =
        client.get(&format!("/partnerships/{NORVIA_PARTNERSHIP}/scorecard?from=2026-10&to=2026-10&grain=month")).await;
    assert_eq!(card.status, 200, "{:?}", card.body);
    let lines = card.body["lines"].as_array().expect("lines");
    lines.iter().find(|l| l["kind"] == "on_time_in_full").cloned().expect("line")
}

async fn on_time_in_full_follows_the_deliveries(db: Backend) {
    let server = TestServer::start(db).await;
    let helix = ApiClient::logged_in(&server.base_url, "qa@helix.example").await;
    let operator = ApiClient::logged_in(&server.base_url, "operator@norvia.example").await;
    // October's only delivery was short.
    assert_eq!(otif(&helix).await["basis"], "0 of 1 delivery on time in full");
    let shown = helix.get(&format!("/deliveries/{OCTOBER_DELIVERY}")).await;
    assert_eq!((shown.status, shown.body["outcome"].as_str()), (200, Some("short")), "{:?}", shown.body);

    let mut on_time = delivery("PO-TEST-5", VELARIMAB_DS_PRODUCT);
    on_time["delivered_on"] = json!("2026-10-20");
    on_time["delivered_quantity"] = json!("8.5");
    assert_eq!(post(&operator, "/deliveries", &on_time).await.status, 201);
    for client in [&helix, &operator] {
        let line = otif(client).await;
        assert_eq!(line["basis"], "1 of 2 deliveries on time in full");
        assert_eq!(line["display"], "50.0 %");
    }

    // Norvia corrects October's quantity (the missing 1.5 kg came on the same day): both see 2 of 2.
    let mut full = shown.body["input"].clone();
    full["delivered_quantity"] = json!("12.0");
    let change = json!({"delivery": full, "row_version": shown.body["row_version"], "reason": "Second pallet"});
    let corrected = put(&operator, &format!("/deliveries/{OCTOBER_DELIVERY}"), &change).await;
    assert_eq!(corrected.status, 200, "{:?}", corrected.body);
    assert_eq!(otif(&helix).await["basis"], "2 of 2 deliveries on time in full");
}
