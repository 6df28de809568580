//! The records behind a KPI point: each list narrowed to a CMO, a period, a site and a product holds exactly the
//! records the scorecard counted for that point — batches dispositioned and finished, deviations opened and closed,
//! CAPAs due, deliveries promised — on a year of history, read by the CMO that owns them all. A bad period is named.

use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use chrono::{Datelike, Months, Utc};
use serde_json::Value;

on_both_databases!(each_point_lists_the_records_it_counts);

const CASTELLAN: &str = "00000001-0000-4000-8000-000000000003";
const CASTELLAN_PARTNERSHIP: &str = "00000005-0000-4000-8000-000000000002";

fn sum(card: &Value, fact: &str, site: Option<&str>) -> u64 {
    card["monthly"]
        .as_array()
        .expect("monthly")
        .iter()
        .filter(|row| site.is_none_or(|s| row["site"] == s))
        .map(|row| row["facts"][fact].as_u64().expect("a count"))
        .sum()
}

async fn listed(client: &ApiClient, path: &str) -> u64 {
    let reply = client.get(path).await;
    assert_eq!(reply.status, 200, "{path}: {:?}", reply.body);
    assert_eq!(reply.body["truncated"], false, "{path}");
    reply.body["items"].as_array().expect("items").len() as u64
}

async fn each_point_lists_the_records_it_counts(db: Backend) {
    let server = TestServer::start(db).await;
    let run = server.run(&["seed-demo", "--history-years", "1"], None).await;
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let castellan = ApiClient::logged_in(&server.base_url, "admin@castellan.example").await;
    // Two finished months: what is due in them no longer changes with the date.
    for back in [2, 5] {
        let day = Utc::now().date_naive().checked_sub_months(Months::new(back)).expect("a date");
        let month = format!("{}-{:02}", day.year(), day.month());
        let card = castellan
            .get(&format!("/partnerships/{CASTELLAN_PARTNERSHIP}/scorecard?from={month}&to={month}&grain=month"))
            .await;
        assert_eq!(card.status, 200, "{:?}", card.body);
        let point = format!("cmo={CASTELLAN}&period={month}");
        let counts = [
            ("dispositioned", format!("/batches?{point}")),
            ("batches_completed", format!("/batches?{point}&finished=true")),
            ("deviations_opened", format!("/deviations?{point}")),
            ("deviations_closed", format!("/deviations?{point}&closed=true")),
            ("capas_due", format!("/capas?{point}")),
            ("deliveries", format!("/deliveries?{point}")),
        ];
        for (fact, path) in counts {
            let counted = sum(&card.body, fact, None);
            assert!(counted > 0, "{month}: the history has {fact}");
            assert_eq!(listed(&castellan, &path).await, counted, "{month}: {path} against {fact}");
        }
        // By site: deviations at Castellan's plant; deliveries have no site, so none.
        let site = card.body["sites"][0]["id"].as_str().expect("a site").to_owned();
        let at_site = sum(&card.body, "deviations_opened", Some(&site));
        assert_eq!(listed(&castellan, &format!("/deviations?{point}&site={site}")).await, at_site);
        assert_eq!(listed(&castellan, &format!("/deliveries?{point}&site={site}")).await, 0);
    }
    for list in ["/deviations", "/capas", "/deliveries", "/batches"] {
        let bad = castellan.get(&format!("{list}?period=2026-13")).await;
        assert_eq!((bad.status, bad.error_field()), (422, "period"), "{list}: {:?}", bad.body);
    }
}
