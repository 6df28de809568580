//! The top bar's search over the API: only what the rule lets the caller read (documents and agreements included),
//! the exact number first, a partner's records recorded as read in the partner's trail, and a query too short
//! refused naming the field.

use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use serde_json::Value;

on_both_databases!(search_finds_only_what_the_caller_may_read);

fn numbers(reply: &Value) -> Vec<String> {
    reply["items"].as_array().expect("items").iter().map(|h| h["number"].as_str().expect("number").to_owned()).collect()
}

async fn search_finds_only_what_the_caller_may_read(db: Backend) {
    let server = TestServer::start(db).await;
    let login = |email: &'static str| ApiClient::logged_in(&server.base_url, email);
    let (helix, norvia, castellan) =
        (login("qa@helix.example").await, login("lead@norvia.example").await, login("qa@castellan.example").await);

    // The exact number comes first; the sponsor finds its drug-product transfer.
    let exact = helix.get("/search?q=tt-2026-007").await;
    assert_eq!(exact.status, 200, "{:?}", exact.body);
    assert_eq!(numbers(&exact.body).first().map(String::as_str), Some("TT-2026-007"), "{:?}", exact.body);
    assert_eq!(exact.body["items"][0]["record_type"], "transfer");

    // No agreement lets Norvia read that transfer, and Castellan has no part in Velarimab at all.
    assert!(!numbers(&norvia.get("/search?q=TT-2026-007").await.body).contains(&"TT-2026-007".to_owned()));
    let outsider = castellan.get("/search?q=velarimab").await;
    assert_eq!(outsider.status, 200);
    assert_eq!(outsider.body["items"], serde_json::json!([]), "an outsider finds nothing of it: {:?}", outsider.body);
    assert!(!numbers(&helix.get("/search?q=velarimab").await.body).is_empty(), "the sponsor does");

    // Every word must match: the drug substance transfer, found by Norvia through its agreement, is recorded as read
    // in Helix's trail.
    let reads = || async {
        let trail = helix.get("/audit?action=read&record_type=transfer_list").await;
        trail.body["items"].as_array().map_or(0, Vec::len)
    };
    let before = reads().await;
    let found = norvia.get("/search?q=velarimab substance").await;
    let found = numbers(&found.body);
    assert_eq!(found.iter().filter(|n| n.starts_with("TT-")).collect::<Vec<_>>(), ["TT-2026-001"], "{found:?}");
    assert!(found.iter().all(|n| !n.starts_with("DEV-")), "no drug-product deviation says drug substance");
    assert_eq!(reads().await, before + 1, "the partner's search is recorded in Helix's trail");
    let nothing = norvia.get("/search?q=velarimab zzz").await;
    assert_eq!(nothing.body["items"], serde_json::json!([]));
    assert_eq!(reads().await, before + 1, "a search that finds nothing reads nothing");

    // Documents by their title, file or transfer, decided one by one as any document is: Norvia finds the
    // drug-substance protocol its agreement covers, not the drug-product one; Castellan finds neither.
    let documents = |reply: &Value| -> Vec<String> {
        let mut found: Vec<String> = reply["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|h| h["record_type"] == "document")
            .map(|h| h["number"].as_str().expect("number").to_owned())
            .collect();
        found.sort();
        found
    };
    let protocol = |code: &str| format!("Technology transfer protocol {code}");
    let sponsor = helix.get("/search?q=transfer protocol").await;
    assert_eq!(documents(&sponsor.body), [protocol("TT-2026-001"), protocol("TT-2026-007")]);
    assert_eq!(documents(&norvia.get("/search?q=transfer protocol").await.body), [protocol("TT-2026-001")]);
    assert_eq!(documents(&castellan.get("/search?q=protocol tt-2026").await.body), Vec::<String>::new());
    let by_place = helix.get("/search?q=protocol tt-2026-007").await;
    assert_eq!(documents(&by_place.body), [protocol("TT-2026-007")], "found by its transfer's code");
    let hit = &by_place.body["items"].as_array().expect("items").iter().find(|h| h["record_type"] == "document");
    assert_eq!(hit.expect("a hit")["context"], "TT-2026-007 · Helix Biologics", "{:?}", by_place.body);

    // Agreements by their title, to their parties only.
    let agreements = |reply: &Value| -> Vec<(String, String)> {
        reply["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|h| h["record_type"] == "agreement")
            .map(|h| (h["number"].as_str().expect("n").to_owned(), h["context"].as_str().expect("c").to_owned()))
            .collect()
    };
    let title = "Velarimab drug substance — technology transfer data".to_owned();
    let parties = "Helix Biologics → Norvia CDMO".to_owned();
    assert_eq!(agreements(&norvia.get("/search?q=technology transfer data").await.body), [(title, parties)]);
    assert_eq!(agreements(&castellan.get("/search?q=technology transfer data").await.body), []);
    // A title that starts with the query is no closer a match than a product: the transfers come first.
    let velarimab = helix.get("/search?q=velarimab").await;
    let kinds: Vec<&str> =
        velarimab.body["items"].as_array().expect("items").iter().filter_map(|h| h["record_type"].as_str()).collect();
    assert_eq!(kinds.first(), Some(&"transfer"), "{kinds:?}");
    assert!(kinds.contains(&"agreement"), "{kinds:?}");

    // Bad input names the field.
    let short = helix.get("/search?q=a").await;
    assert_eq!((short.status, short.error_field()), (422, "q"), "{:?}", short.body);
    let long = helix.get(&format!("/search?q={}", "x".repeat(101))).await;
    assert_eq!((long.status, long.error_field()), (422, "q"));
    assert_eq!(ApiClient::new(&server.base_url).get("/search?q=velarimab").await.status, 401);
}
