//! The routes are the shared crate's endpoints (`baton_domain::endpoints`), which the app's client calls through.
//! `#[utoipa::path]` takes only a literal path, so the tie is this test: the operations in the generated OpenAPI
//! document and the defined endpoints are the same set, with the same request and response types.

use baton_domain::endpoints::{ALL, Description, Method};
use serde_json::Value;
use std::collections::BTreeSet;

fn method_name(method: Method) -> String {
    method.as_str().to_lowercase()
}

/// A Rust type name without module paths: `alloc::vec::Vec<baton_domain::audit::AuditEntry>` is `Vec<AuditEntry>`.
fn short(type_name: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    for c in type_name.chars().chain(std::iter::once('\0')) {
        if c.is_alphanumeric() || c == '_' || c == ':' {
            word.push(c);
            continue;
        }
        out.push_str(word.rsplit("::").next().unwrap_or_default());
        word.clear();
        if c != '\0' && c != ' ' {
            out.push(c);
        }
    }
    out
}

/// The document's schema as the Rust type it describes: a component by its name, an array as `Vec<...>`, a string
/// as `String`.
fn schema_name(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        return reference.trim_start_matches("#/components/schemas/").to_owned();
    }
    match schema["type"].as_str() {
        Some("array") => format!("Vec<{}>", schema_name(&schema["items"])),
        Some("string") => "String".to_owned(),
        other => format!("an unnamed {other:?} schema: {schema}"),
    }
}

/// The single schema of a request body or response, whatever its media type; `()` when it has no content.
fn content_schema(body: &Value) -> String {
    match body["content"].as_object() {
        None => "()".to_owned(),
        Some(content) => {
            let names: BTreeSet<String> = content.values().map(|media| schema_name(&media["schema"])).collect();
            names.into_iter().collect::<Vec<_>>().join(" | ")
        }
    }
}

fn document() -> Value {
    let (_, doc) = super::api();
    serde_json::to_value(&doc).expect("the document serialises")
}

fn operation<'a>(doc: &'a Value, endpoint: &Description) -> &'a Value {
    &doc["paths"][endpoint.path][method_name(endpoint.method)]
}

#[test]
fn every_route_is_an_endpoint_and_every_endpoint_a_route() {
    let doc = document();
    let mut routed = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("operations").keys() {
            routed.insert((method.clone(), path.clone()));
        }
    }
    let defined: BTreeSet<_> = ALL.iter().map(|e| (method_name(e.method), e.path.to_owned())).collect();
    let unrouted: Vec<_> = defined.difference(&routed).collect();
    let undefined: Vec<_> = routed.difference(&defined).collect();
    assert!(
        unrouted.is_empty() && undefined.is_empty(),
        "endpoints in baton_domain::endpoints without a route: {unrouted:?}; routes without an endpoint: {undefined:?}"
    );
}

#[test]
fn each_endpoint_sends_and_receives_what_its_route_documents() {
    let doc = document();
    for endpoint in ALL {
        let operation = operation(&doc, endpoint);
        let what = format!("{} ({} {})", endpoint.name, endpoint.method.as_str(), endpoint.path);
        let request = short((endpoint.request)());
        if endpoint.method.has_body() {
            assert_eq!(content_schema(&operation["requestBody"]), request, "{what}: request body");
        } else {
            assert!(operation["requestBody"].is_null(), "{what}: a body on a method that sends none");
            let query = operation["parameters"].as_array().into_iter().flatten().any(|p| p["in"] == "query");
            assert_eq!(query, request != "()", "{what}: query parameters, for a request of {request}");
        }
        let success: Vec<&Value> = operation["responses"]
            .as_object()
            .expect("responses")
            .iter()
            .filter(|(status, _)| status.starts_with('2'))
            .map(|(_, response)| response)
            .collect();
        let [response] = success.as_slice() else { panic!("{what}: {} success responses", success.len()) };
        assert_eq!(content_schema(response), short((endpoint.response)()), "{what}: success response");
    }
}

#[test]
fn type_names_are_read_without_their_paths() {
    assert_eq!(short(std::any::type_name::<Vec<baton_domain::audit::AuditEntry>>()), "Vec<AuditEntry>");
    assert_eq!(short(std::any::type_name::<String>()), "String");
    assert_eq!(short(std::any::type_name::<()>()), "()");
}
