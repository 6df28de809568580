//! List endpoints return exactly what the access rule allows: on the demo data and on randomly generated
//! agreements (every state, scope and window), for every organisation. Every operation the API declares as a list
//! must be checked here, or the test fails.

use baton_domain::access::{self, Action, PartnerData, Resource, Subject};
use baton_domain::agreement::DataClass;
use baton_domain::agreement::{AgreementFacts, AgreementList, AgreementView, PartnerList};
use baton_domain::batch::{BatchList, BatchView, ProductRef};
use baton_domain::capa::{CapaList, CapaView};
use baton_domain::change_control::{ChangeControlList, ChangeControlView};
use baton_domain::delivery::{DeliveryList, DeliveryView};
use baton_domain::deviation::{DeviationList, DeviationView};
use baton_domain::document::{DocumentList, DocumentView};
use baton_domain::ids::{OrgId, TransferId};
use baton_domain::org::Role;
use baton_domain::transfer::{TransferDetail, TransferList};
use baton_tests::client::{DEMO_PASSWORD, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use chrono::Utc;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const CMOS: [(&str, &str); 2] =
    [("norvia", "00000001-0000-4000-8000-000000000002"), ("castellan", "00000001-0000-4000-8000-000000000003")];
const TRANSFERS: [&str; 3] = [
    "00000003-0000-4000-8000-000000000001",
    "00000003-0000-4000-8000-000000000002",
    "00000003-0000-4000-8000-000000000003",
];
/// The demo products: Velarimab drug substance, Corvastatin tablets, Velarimab drug product.
const PRODUCTS: [&str; 3] = [
    "00000007-0000-4000-8000-000000000001",
    "00000007-0000-4000-8000-000000000002",
    "00000007-0000-4000-8000-000000000003",
];

/// A small deterministic generator, so a failure can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn subset<'a>(&mut self, items: &[&'a str]) -> Vec<&'a str> {
        let picked: Vec<&str> = items.iter().copied().filter(|_| self.below(2) == 0).collect();
        if picked.is_empty() { vec![items[self.below(items.len() as u64) as usize]] } else { picked }
    }
}

on_both_databases!(lists_equal_the_rule_on_demo_and_random_data);

/// The list operations this test checks; a list the API declares that is not here fails the test.
const CHECKED_LISTS: [&str; 16] = [
    "/search",
    "/transfers",
    "/transfers/{id}/documents",
    "/batches/{id}/documents",
    "/methods/{id}/documents",
    "/deviations/{id}/documents",
    "/agreements",
    "/partners",
    "/audit",
    "/audit/actors",
    "/audit/export.csv",
    "/batches",
    "/deliveries",
    "/deviations",
    "/capas",
    "/change-controls",
];

/// Every entry of the caller's audit trail, page by page.
async fn whole_trail(client: &ApiClient) -> Vec<Value> {
    let mut entries: Vec<Value> = Vec::new();
    loop {
        let before = entries.last().map(|e| format!("&before_seq={}", e["seq"])).unwrap_or_default();
        let page = client.get(&format!("/audit?limit=500{before}")).await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        let items = page.body["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            return entries;
        }
        entries.extend(items);
    }
}

async fn check_partners_and_trails(server: &TestServer, context: &str) {
    let orgs = ["helix", "norvia", "castellan"];
    let mut trails = Vec::new();
    for org in orgs {
        let qa = ApiClient::logged_in(&server.base_url, &format!("qa@{org}.example")).await;
        let me: OrgId =
            serde_json::from_value(qa.get("/session").await.body["user"]["organisation"]["id"].clone()).expect("org");
        // Partners: exactly the organisations whose partnership (its quality agreement) the rule lets it read.
        let partners: PartnerList = serde_json::from_value(qa.get("/partners").await.body).expect("partners");
        for partner in &partners.items {
            let quality = qa.get(&format!("/partnerships/{}/quality-agreement", partner.partnership_id)).await;
            assert_eq!(quality.status, 200, "{context}: {org} lists a partnership it may not read");
        }
        // The trail: only entries by or about the organisation; viewers are refused by the rule.
        let trail = whole_trail(&qa).await;
        let mine = |e: &Value| e["actor_org"] == json!(me) || e["owner_org"] == json!(me);
        assert!(trail.iter().all(mine), "{context}: {org}'s trail shows another organisation's entry");
        let actors: BTreeSet<String> = trail.iter().filter_map(|e| e["actor_id"].as_str().map(str::to_owned)).collect();
        let listed: BTreeSet<String> = qa
            .get("/audit/actors")
            .await
            .body
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["id"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(listed, actors, "{context}: {org}'s actor filter lists exactly the people in its trail");
        let export = qa.get("/audit/export.csv?limit=500").await;
        assert_eq!(export.status, 200);
        let viewer = ApiClient::logged_in(&server.base_url, &format!("viewer@{org}.example")).await;
        for list in ["/audit", "/audit/actors", "/audit/export.csv"] {
            assert_eq!(viewer.get(list).await.status, 403, "{context}: {org} viewer on {list}");
        }
        trails.push((me, trail));
    }
    // Nothing by or about an organisation is missing from its trail.
    for (me, trail) in &trails {
        let have: BTreeSet<i64> = trail.iter().filter_map(|e| e["seq"].as_i64()).collect();
        for (_, other) in &trails {
            for e in other {
                if e["actor_org"] == json!(me) || e["owner_org"] == json!(me) {
                    let seq = e["seq"].as_i64().unwrap_or_default();
                    assert!(have.contains(&seq), "{context}: entry {seq} is missing from its organisation's trail");
                }
            }
        }
    }
}

/// Search, for each organisation and role, finds only records its lists hold (which equal the rule), and, unless it
/// says it was cut short, every one of them whose number has the query: a number's prefix ("DEV-2026") of each kind.
async fn check_search(server: &TestServer, context: &str) {
    let mut complete = 0;
    for org in ["helix", "norvia", "castellan"] {
        for role in ["viewer", "qa"] {
            let client = ApiClient::logged_in(&server.base_url, &format!("{role}@{org}.example")).await;
            let mut listed: BTreeSet<(String, String, String)> = BTreeSet::new();
            for (path, kind, number) in [
                ("/transfers", "transfer", "code"),
                ("/batches", "batch", "number"),
                ("/deviations", "deviation", "number"),
                ("/capas", "capa", "number"),
                ("/change-controls", "change_control", "number"),
            ] {
                for item in client.get(path).await.body["items"].as_array().into_iter().flatten() {
                    let text = |key: &str| item[key].as_str().expect("text").to_owned();
                    listed.insert((kind.to_owned(), text("id"), text(number)));
                }
            }
            let numbered = listed.clone();
            // Documents and agreements have a title where the others have a number.
            let mut titled: BTreeSet<(String, String, String)> = BTreeSet::new();
            for item in client.get("/agreements").await.body["items"].as_array().into_iter().flatten() {
                let text = |key: &str| item[key].as_str().expect("text").to_owned();
                titled.insert(("agreement".to_owned(), text("id"), text("title")));
            }
            let mut places: Vec<String> = Vec::new();
            for (kind, id, _) in &numbered {
                match kind.as_str() {
                    "transfer" => places.push(format!("/transfers/{id}/documents")),
                    "batch" => places.push(format!("/batches/{id}/documents")),
                    "deviation" => places.push(format!("/deviations/{id}/documents")),
                    _ => {}
                }
            }
            for place in places {
                for item in client.get(&place).await.body["items"].as_array().into_iter().flatten() {
                    let id = item["id"].as_str().expect("id").to_owned();
                    titled.insert((
                        "document".to_owned(),
                        id,
                        item["input"]["title"].as_str().expect("title").to_owned(),
                    ));
                }
            }
            listed.extend(titled.iter().cloned());
            for (kind, id, title) in &titled {
                let reply = client.get(&format!("/search?q={}", urlencode(&as_query(title)))).await;
                assert_eq!(reply.status, 200, "{context}: {role}@{org} searching {title}: {:?}", reply.body);
                let hit = serde_json::json!({"record_type": kind, "id": id});
                let found = reply.body["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .any(|h| h["record_type"] == hit["record_type"] && h["id"] == hit["id"]);
                assert!(
                    found || reply.body["truncated"] == true,
                    "{context}: {role}@{org} searching {title} misses it"
                );
            }
            let prefixes: BTreeSet<String> = numbered
                .iter()
                .filter_map(|(_, _, number)| number.rsplit_once('-').map(|(prefix, _)| prefix.to_lowercase()))
                .collect();
            for q in prefixes {
                let reply = client.get(&format!("/search?q={q}")).await;
                assert_eq!(reply.status, 200, "{context}: {role}@{org} searching {q}: {:?}", reply.body);
                let found: BTreeSet<(String, String)> = reply.body["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .map(|h| {
                        (h["record_type"].as_str().expect("type").to_owned(), h["id"].as_str().expect("id").to_owned())
                    })
                    .collect();
                let known: BTreeSet<(String, String)> =
                    listed.iter().map(|(k, id, _)| (k.clone(), id.clone())).collect();
                assert!(found.is_subset(&known), "{context}: {role}@{org} searching {q} finds what it may not list");
                if reply.body["truncated"] == false {
                    complete += 1;
                    for (kind, id, number) in &numbered {
                        if number.to_lowercase().contains(&q) {
                            let hit = (kind.clone(), id.clone());
                            assert!(found.contains(&hit), "{context}: {role}@{org} searching {q} misses {number}");
                        }
                    }
                }
            }
        }
    }
    assert!(complete >= 12, "{context}: only {complete} searches were complete");
}

/// A title as a user would search for it: its first words, within the query's 100 characters.
fn as_query(title: &str) -> String {
    let mut query = String::new();
    for word in title.split_whitespace() {
        if query.chars().count() + word.chars().count() + 1 > 100 {
            break;
        }
        if !query.is_empty() {
            query.push(' ');
        }
        query.push_str(word);
    }
    query
}

/// `text` as a query string value.
fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn every_declared_list_is_checked(server: &TestServer) {
    let doc = ApiClient::new(&server.base_url).get("/openapi.json").await.body;
    for (path, methods) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().expect("methods") {
            if operation["x-baton-access"]["list"] == true {
                assert!(CHECKED_LISTS.contains(&path.as_str()), "{method} {path} is a list this test does not check");
            }
        }
    }
}

/// The facts the rule decides on for a quality event (a deviation or a CAPA) owned by whoever raised it.
fn quality_event<'a>(
    transfer: Option<TransferId>,
    owner: OrgId,
    (sponsor, cmo): (OrgId, OrgId),
    product: &'a ProductRef,
) -> Resource<'a> {
    Resource::Data(PartnerData {
        transfer,
        owner,
        sponsor,
        cmo,
        product: product.id,
        product_name: &product.name,
        data_class: Some(DataClass::QualityEvents),
    })
}

/// Every deviation and CAPA there is, each read by the organisation that raised it (an owner always reads its own).
async fn quality_events(server: &TestServer) -> (Vec<DeviationView>, Vec<CapaView>) {
    let (mut deviations, mut capas) = (Vec::new(), Vec::new());
    for org in ["helix", "norvia", "castellan"] {
        let client = ApiClient::logged_in(&server.base_url, &format!("admin@{org}.example")).await;
        let me: OrgId = serde_json::from_value(client.get("/session").await.body["user"]["organisation"]["id"].clone())
            .expect("org");
        let list: DeviationList = serde_json::from_value(client.get("/deviations").await.body).expect("deviations");
        for item in list.items.iter().filter(|d| d.owner.id == me) {
            let view = client.get(&format!("/deviations/{}", item.id)).await.body;
            deviations.push(serde_json::from_value(view).expect("deviation"));
        }
        let list: CapaList = serde_json::from_value(client.get("/capas").await.body).expect("capas");
        for item in list.items.iter().filter(|c| c.owner.id == me) {
            capas.push(serde_json::from_value(client.get(&format!("/capas/{}", item.id)).await.body).expect("capa"));
        }
    }
    (deviations, capas)
}

/// Every change control there is, each read by the organisation that raised it.
async fn change_controls(server: &TestServer) -> Vec<ChangeControlView> {
    let mut all = Vec::new();
    for org in ["helix", "norvia", "castellan"] {
        let client = ApiClient::logged_in(&server.base_url, &format!("admin@{org}.example")).await;
        let me: OrgId = serde_json::from_value(client.get("/session").await.body["user"]["organisation"]["id"].clone())
            .expect("org");
        let list: ChangeControlList =
            serde_json::from_value(client.get("/change-controls").await.body).expect("change controls");
        for item in list.items.iter().filter(|c| c.owner.id == me) {
            let view = client.get(&format!("/change-controls/{}", item.id)).await.body;
            all.push(serde_json::from_value(view).expect("change control"));
        }
    }
    all
}

/// Helix's analytical method in the drug substance transfer.
const DS_METHOD: &str = "0000000d-0000-4000-8000-000000000100";

/// Documents on records: Helix's on its method (process description, which the random agreements share), and
/// Norvia's on its first batch and deviation of each kind (a commercial batch outside any transfer among them), of
/// a class its agreement with Helix shares and of one it does not.
async fn attach_documents(server: &TestServer) {
    let helix = ApiClient::logged_in(&server.base_url, "lead@helix.example").await;
    let method = json!({"transfer": TRANSFERS[0], "method": DS_METHOD, "title": "Method notes",
        "data_class": "process_description"});
    let created = send(helix.request(Method::POST, "/documents").json(&method)).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let norvia = ApiClient::logged_in(&server.base_url, "qa@norvia.example").await;
    let (batches, deviations) = norvia_places(&norvia).await;
    let places = batches
        .iter()
        .map(|b| ("batch", b.id.to_string(), b.input.transfer))
        .chain(deviations.iter().map(|d| ("deviation", d.id.to_string(), d.input.transfer)));
    for (field, id, transfer) in places {
        for class in ["batch_records", "process_description"] {
            let body = json!({"transfer": transfer, field: id, "title": format!("{class} on {field}"),
                "data_class": class});
            let created = send(norvia.request(Method::POST, "/documents").json(&body)).await;
            assert_eq!(created.status, 201, "{:?}", created.body);
        }
    }
}

/// Norvia's first batch in a transfer and first outside any, and its first deviation, as Norvia reads them.
async fn norvia_places(norvia: &ApiClient) -> (Vec<BatchView>, Vec<DeviationView>) {
    let list: BatchList = serde_json::from_value(norvia.get("/batches").await.body).expect("batches");
    let mut batches: Vec<BatchView> = Vec::new();
    for item in list.items {
        let view: BatchView =
            serde_json::from_value(norvia.get(&format!("/batches/{}", item.id)).await.body).expect("batch");
        if !batches.iter().any(|b| b.input.transfer.is_some() == view.input.transfer.is_some()) {
            batches.push(view);
        }
    }
    assert_eq!(batches.len(), 2, "Norvia has batches in and outside transfers");
    let list: DeviationList = serde_json::from_value(norvia.get("/deviations").await.body).expect("deviations");
    let first = list.items.first().expect("a deviation");
    let deviation = serde_json::from_value(norvia.get(&format!("/deviations/{}", first.id)).await.body);
    (batches, vec![deviation.expect("deviation")])
}

/// Each record's documents listed for each organisation are exactly those the rule lets it read.
async fn check_attached_documents(
    server: &TestServer,
    context: &str,
    transfers: &[TransferDetail],
    facts: &[AgreementFacts],
) {
    let now = Utc::now();
    let norvia = ApiClient::logged_in(&server.base_url, "qa@norvia.example").await;
    let (batches, deviations) = norvia_places(&norvia).await;
    let ds = &transfers[0];
    let ds_product = ProductRef { id: ds.product_id, name: ds.product.clone() };
    // Each record: its documents' path, and its partnership (sponsor, CMO) and product.
    let mut places: Vec<(String, (OrgId, OrgId), ProductRef)> =
        vec![(format!("/methods/{DS_METHOD}/documents"), (ds.sponsor.id, ds.cmo.id), ds_product)];
    for b in &batches {
        places.push((format!("/batches/{}/documents", b.id), (b.sponsor.id, b.cmo.id), b.product.clone()));
    }
    for d in &deviations {
        places.push((format!("/deviations/{}/documents", d.id), (d.sponsor.id, d.cmo.id), d.product.clone()));
    }
    for (path, (sponsor, cmo), product) in &places {
        // Every document on it, read by its owner (an owner always reads its own).
        let mut documents: Vec<DocumentView> = Vec::new();
        for owner in ["admin@helix.example", "admin@norvia.example"] {
            let client = ApiClient::logged_in(&server.base_url, owner).await;
            let me = client.get("/session").await.body["user"]["organisation"]["id"].clone();
            let list: DocumentList = serde_json::from_value(client.get(path).await.body).expect("documents");
            documents.extend(list.items.into_iter().filter(|d| json!(d.owner.id) == me));
        }
        assert!(!documents.is_empty(), "{context}: {path} has documents");
        for org in ["helix", "norvia", "castellan"] {
            let client = ApiClient::logged_in(&server.base_url, &format!("viewer@{org}.example")).await;
            let me = client.get("/session").await;
            let subject = Subject {
                org: serde_json::from_value(me.body["user"]["organisation"]["id"].clone()).expect("org"),
                role: Role::Viewer,
            };
            let list: DocumentList = serde_json::from_value(client.get(path).await.body).expect("list");
            let listed: BTreeSet<_> = list.items.iter().map(|d| d.id).collect();
            let allowed: BTreeSet<_> = documents
                .iter()
                .filter(|d| {
                    let data = PartnerData {
                        transfer: d.input.transfer,
                        owner: d.owner.id,
                        sponsor: *sponsor,
                        cmo: *cmo,
                        product: product.id,
                        product_name: &product.name,
                        data_class: Some(d.input.data_class),
                    };
                    access::decide(&subject, Action::Read, &Resource::Data(data), facts, now).is_allowed()
                })
                .map(|d| d.id)
                .collect();
            assert_eq!(listed, allowed, "{context}: {path} listed for {org}");
        }
    }
}

async fn check_lists(server: &TestServer, context: &str) {
    let sponsor = ApiClient::logged_in(&server.base_url, "viewer@helix.example").await;
    let mut transfers: Vec<TransferDetail> = Vec::new();
    for id in TRANSFERS {
        transfers.push(serde_json::from_value(sponsor.get(&format!("/transfers/{id}")).await.body).expect("detail"));
    }
    // Helix is party to every agreement (grantor or grantee), so its list is every agreement there is.
    let all: AgreementList = serde_json::from_value(sponsor.get("/agreements").await.body).expect("agreements");
    let facts: Vec<_> = all.items.iter().map(AgreementView::facts).collect();
    check_attached_documents(server, context, &transfers, &facts).await;
    let now = Utc::now();
    // Every batch, read by its owner: a CMO always reads its own.
    let mut batches: Vec<BatchView> = Vec::new();
    let mut deliveries: Vec<DeliveryView> = Vec::new();
    for owner in ["admin@norvia.example", "admin@castellan.example"] {
        let client = ApiClient::logged_in(&server.base_url, owner).await;
        let list: BatchList = serde_json::from_value(client.get("/batches").await.body).expect("batches");
        for item in list.items {
            batches
                .push(serde_json::from_value(client.get(&format!("/batches/{}", item.id)).await.body).expect("batch"));
        }
        let list: DeliveryList = serde_json::from_value(client.get("/deliveries").await.body).expect("deliveries");
        deliveries.extend(list.items);
    }
    assert!(!batches.is_empty() && !deliveries.is_empty(), "{context}: the demo has batches and deliveries");
    let (deviations, capas) = quality_events(server).await;
    assert!(!deviations.is_empty() && !capas.is_empty(), "{context}: the demo has deviations and a CAPA");
    let changes = change_controls(server).await;
    assert!(!changes.is_empty(), "{context}: the demo has change controls");
    // Every document, by transfer, read by its owner (an owner always reads its own).
    let mut documents: Vec<(usize, DocumentView)> = Vec::new();
    for owner in ["helix", "norvia", "castellan"] {
        let client = ApiClient::logged_in(&server.base_url, &format!("admin@{owner}.example")).await;
        let me = client.get("/session").await.body["user"]["organisation"]["id"].clone();
        for (n, id) in TRANSFERS.iter().enumerate() {
            let list: DocumentList =
                serde_json::from_value(client.get(&format!("/transfers/{id}/documents")).await.body)
                    .expect("documents");
            documents.extend(list.items.into_iter().filter(|d| json!(d.owner.id) == me).map(|d| (n, d)));
        }
    }
    assert!(!documents.is_empty(), "{context}: the demo has documents");
    for org in ["helix", "norvia", "castellan"] {
        let client = ApiClient::logged_in(&server.base_url, &format!("viewer@{org}.example")).await;
        let me = client.get("/session").await;
        let subject = Subject {
            org: serde_json::from_value(me.body["user"]["organisation"]["id"].clone()).expect("org"),
            role: Role::Viewer,
        };

        let listed: TransferList = serde_json::from_value(client.get("/transfers").await.body).expect("list");
        let listed: BTreeSet<_> = listed.items.iter().map(|t| t.id).collect();
        let allowed: BTreeSet<_> = transfers
            .iter()
            .filter(|t| {
                let data = PartnerData {
                    transfer: Some(t.id),
                    owner: t.sponsor.id,
                    sponsor: t.sponsor.id,
                    cmo: t.cmo.id,
                    product: t.product_id,
                    product_name: &t.product,
                    data_class: None,
                };
                access::decide(&subject, Action::Read, &Resource::Data(data), &facts, now).is_allowed()
            })
            .map(|t| t.id)
            .collect();
        assert_eq!(listed, allowed, "{context}: transfers listed for {org}");

        for (n, id) in TRANSFERS.iter().enumerate() {
            let list: DocumentList =
                serde_json::from_value(client.get(&format!("/transfers/{id}/documents")).await.body).expect("list");
            let listed: BTreeSet<_> = list.items.iter().map(|d| d.id).collect();
            let t = &transfers[n];
            let allowed: BTreeSet<_> = documents
                .iter()
                .filter(|(m, d)| {
                    let data = PartnerData {
                        transfer: Some(t.id),
                        owner: d.owner.id,
                        sponsor: t.sponsor.id,
                        cmo: t.cmo.id,
                        product: t.product_id,
                        product_name: &t.product,
                        data_class: Some(d.input.data_class),
                    };
                    *m == n && access::decide(&subject, Action::Read, &Resource::Data(data), &facts, now).is_allowed()
                })
                .map(|(_, d)| d.id)
                .collect();
            assert_eq!(listed, allowed, "{context}: documents of {id} listed for {org}");
        }

        let agreements: AgreementList =
            serde_json::from_value(client.get("/agreements").await.body).expect("agreements");
        let listed: BTreeSet<_> = agreements.items.iter().map(|a| a.id).collect();
        let allowed: BTreeSet<_> = all
            .items
            .iter()
            .filter(|a| {
                let resource = Resource::Agreement { grantor: a.grantor.id, grantee: a.grantee.id };
                access::decide(&subject, Action::Read, &resource, &[], now).is_allowed()
            })
            .map(|a| a.id)
            .collect();
        assert_eq!(listed, allowed, "{context}: agreements listed for {org}");

        let listed: BatchList = serde_json::from_value(client.get("/batches").await.body).expect("batches");
        let listed: BTreeSet<_> = listed.items.iter().map(|b| b.id).collect();
        let allowed: BTreeSet<_> = batches
            .iter()
            .filter(|b| {
                let data = PartnerData {
                    transfer: b.input.transfer,
                    owner: b.cmo.id,
                    sponsor: b.sponsor.id,
                    cmo: b.cmo.id,
                    product: b.product.id,
                    product_name: &b.product.name,
                    data_class: Some(DataClass::BatchRecords),
                };
                access::decide(&subject, Action::Read, &Resource::Data(data), &facts, now).is_allowed()
            })
            .map(|b| b.id)
            .collect();
        assert_eq!(listed, allowed, "{context}: batches listed for {org}");

        let listed: DeliveryList = serde_json::from_value(client.get("/deliveries").await.body).expect("deliveries");
        let listed: BTreeSet<_> = listed.items.iter().map(|d| d.id).collect();
        let allowed: BTreeSet<_> = deliveries
            .iter()
            .filter(|d| {
                let data = PartnerData {
                    transfer: None,
                    owner: d.cmo.id,
                    sponsor: d.sponsor.id,
                    cmo: d.cmo.id,
                    product: d.product.id,
                    product_name: &d.product.name,
                    data_class: Some(DataClass::Commercial),
                };
                access::decide(&subject, Action::Read, &Resource::Data(data), &facts, now).is_allowed()
            })
            .map(|d| d.id)
            .collect();
        assert_eq!(listed, allowed, "{context}: deliveries listed for {org}");

        let listed: DeviationList = serde_json::from_value(client.get("/deviations").await.body).expect("deviations");
        let listed: BTreeSet<_> = listed.items.iter().map(|d| d.id).collect();
        let allowed: BTreeSet<_> = deviations
            .iter()
            .filter(|d| {
                let resource = quality_event(d.input.transfer, d.owner.id, (d.sponsor.id, d.cmo.id), &d.product);
                access::decide(&subject, Action::Read, &resource, &facts, now).is_allowed()
            })
            .map(|d| d.id)
            .collect();
        assert_eq!(listed, allowed, "{context}: deviations listed for {org}");

        let listed: CapaList = serde_json::from_value(client.get("/capas").await.body).expect("capas");
        let listed: BTreeSet<_> = listed.items.iter().map(|c| c.id).collect();
        let allowed: BTreeSet<_> = capas
            .iter()
            .filter(|c| {
                let resource = quality_event(c.input.transfer, c.owner.id, (c.sponsor.id, c.cmo.id), &c.product);
                access::decide(&subject, Action::Read, &resource, &facts, now).is_allowed()
            })
            .map(|c| c.id)
            .collect();
        assert_eq!(listed, allowed, "{context}: CAPAs listed for {org}");

        let listed: ChangeControlList =
            serde_json::from_value(client.get("/change-controls").await.body).expect("change controls");
        let listed: BTreeSet<_> = listed.items.iter().map(|c| c.id).collect();
        let allowed: BTreeSet<_> = changes
            .iter()
            .filter(|c| {
                let resource = Resource::PartnershipRecord { owner: c.owner.id, sponsor: c.sponsor.id, cmo: c.cmo.id };
                access::decide(&subject, Action::Read, &resource, &facts, now).is_allowed()
            })
            .map(|c| c.id)
            .collect();
        assert_eq!(listed, allowed, "{context}: change controls listed for {org}");
    }
}

async fn lists_equal_the_rule_on_demo_and_random_data(db: Backend) {
    let server = TestServer::start(db).await;
    every_declared_list_is_checked(&server).await;
    attach_documents(&server).await;
    check_lists(&server, "demo data").await;
    check_partners_and_trails(&server, "demo data").await;
    check_search(&server, "demo data").await;
    for (email, expected) in [("viewer@helix.example", 3), ("operator@norvia.example", 1), ("qa@castellan.example", 1)]
    {
        let client = ApiClient::logged_in(&server.base_url, email).await;
        assert_eq!(client.get("/transfers").await.body["items"].as_array().map(Vec::len), Some(expected), "{email}");
    }

    let sponsor = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let cmo_admins = [
        ApiClient::logged_in(&server.base_url, "admin@norvia.example").await,
        ApiClient::logged_in(&server.base_url, "admin@castellan.example").await,
    ];
    for seed in [0x9E37_79B9_7F4A_7C15_u64, 0xD1B5_4A32_D192_ED03] {
        let mut rng = Rng(seed);
        for n in 0..8 {
            let cmo = rng.below(2) as usize;
            let (_, grantee) = CMOS[cmo];
            // Only transfers between Helix and this CMO may be listed in scope.
            let (own_transfers, own_products): (Vec<&str>, Vec<&str>) = match cmo {
                0 => (vec![TRANSFERS[0], TRANSFERS[2]], vec![PRODUCTS[0], PRODUCTS[2]]),
                _ => (vec![TRANSFERS[1]], vec![PRODUCTS[1]]),
            };
            let products = if rng.below(3) == 0 {
                json!({"kind": "all"})
            } else {
                json!({"kind": "only", "items": rng.subset(&own_products)})
            };
            let transfers = if rng.below(3) == 0 {
                json!({"kind": "all"})
            } else {
                json!({"kind": "only", "items": rng.subset(&own_transfers)})
            };
            let (from, until) = match rng.below(4) {
                0 => ("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
                1 => ("2031-01-01T00:00:00Z", "2032-01-01T00:00:00Z"),
                _ => ("2026-01-01T00:00:00Z", "2030-01-01T00:00:00Z"),
            };
            let terms = json!({
                "title": format!("random {seed:x}/{n}"), "grantee": grantee,
                "scope": {"products": products, "transfers": transfers, "data_classes": ["process_description"]},
                "permission": "view", "valid_from": from, "valid_until": until
            });
            let created = send(sponsor.request(Method::POST, "/agreements").json(&terms)).await;
            assert_eq!(created.status, 201, "{:?}", created.body);
            let id = created.body["id"].as_str().expect("id").to_owned();
            let signatures = rng.below(3);
            let signers: Vec<&ApiClient> = [&sponsor, &cmo_admins[cmo]].into_iter().take(signatures as usize).collect();
            for signer in signers {
                let signed = signer.approve_agreement(&id, DEMO_PASSWORD).await;
                assert_eq!(signed.status, 200, "{:?}", signed.body);
            }
            if signatures == 2 && rng.below(4) == 0 {
                let revoked = sponsor.revoke_agreement(&id, "random").await;
                assert_eq!(revoked.status, 200, "{:?}", revoked.body);
            }
        }
        check_lists(&server, &format!("random data, seed {seed:#x}")).await;
        check_partners_and_trails(&server, &format!("random data, seed {seed:#x}")).await;
        check_search(&server, &format!("random data, seed {seed:#x}")).await;
    }
}
