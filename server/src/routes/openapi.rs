//! What the OpenAPI document says about every operation alike: the statuses that come from the layers and
//! extractors in front of the handlers rather than from the handlers themselves, and the error body they carry.
//!
//! Applied after the handlers' own `#[utoipa::path]` descriptions are collected, so a new endpoint gets them
//! without anyone remembering to list them; the statuses a handler itself returns (404, 409, 429, business-rule
//! 422s) stay in its attribute, next to the code that returns them.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

/// The record types whose history `GET /history/{record_type}/{id}` keeps (a subset of `RecordType`).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)] // Only its schema is used: the handler parses the path segment into a `RecordType`.
#[serde(rename_all = "snake_case")]
pub enum HistoryRecordType {
    /// A data-sharing agreement.
    Agreement,
    /// A version of a quality agreement.
    QualityAgreement,
    /// A version of a partnership's KPI targets.
    KpiTargets,
    /// A technology transfer.
    Transfer,
    /// A stage of a transfer, with its gate.
    Stage,
    /// A deliverable of a stage.
    Deliverable,
    /// A process parameter row.
    Parameter,
    /// A failure mode of a risk register.
    Risk,
    /// An analytical method under transfer.
    Method,
    /// A batch.
    Batch,
    /// A delivery.
    Delivery,
    /// A deviation.
    Deviation,
    /// A corrective and preventive action.
    Capa,
    /// A change control.
    ChangeControl,
    /// A versioned document.
    Document,
}

/// The audit trail's filters as the document describes them: `AuditQuery` (in the domain's `audit_trail.rs`) takes
/// them as text and the handler checks them itself, so its derived description said only "string"; this one gives
/// their formats, enums and range. A test keeps the two field lists equal.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Only its description is used.
pub struct AuditFilters {
    /// Only entries by this user (id).
    actor: Option<uuid::Uuid>,
    /// Only this kind of record.
    record_type: Option<baton_domain::record::RecordType>,
    /// Only this record (its id: a UUID, or the e-mail tried for a failed login).
    record_id: Option<String>,
    /// Only this action.
    action: Option<baton_domain::audit::AuditAction>,
    /// At or after this time.
    from: Option<chrono::DateTime<chrono::Utc>>,
    /// Before this time.
    to: Option<chrono::DateTime<chrono::Utc>>,
    /// Entries older than this sequence number (the previous page's `next_before_seq`).
    before_seq: Option<i64>,
    /// Page size (not for the CSV export, which returns up to 100,000 entries).
    #[param(minimum = 1, maximum = 500, default = 100)]
    limit: Option<i64>,
}

/// Adds the statuses of the shared layers and extractors to every operation they apply to.
pub fn add_shared_responses(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            (false, &mut item.get),
            (false, &mut item.head),
            (true, &mut item.post),
            (true, &mut item.put),
            (true, &mut item.patch),
            (true, &mut item.delete),
        ];
        for (state_changing, operation) in operations {
            if let Some(operation) = operation.as_mut() {
                add_to_operation(operation, state_changing);
            }
        }
    }
}

fn add_to_operation(operation: &mut Operation, state_changing: bool) {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_path = parameters.iter().any(|p| p.parameter_in == ParameterIn::Path);
    let has_query = parameters.iter().any(|p| p.parameter_in == ParameterIn::Query);
    let has_body = operation.request_body.is_some();
    let needs_session = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    let mut add = |status: u16| {
        let responses = &mut operation.responses.responses;
        let entry = responses.entry(status.to_string()).or_insert_with(|| RefOr::T(Response::default()));
        if let RefOr::T(response) = entry {
            if response.description.is_empty() {
                response.description = describe(status).to_owned();
            }
            if response.content.is_empty() {
                *response = error_response(describe(status));
            }
        }
    };
    if has_body {
        // ApiJson: not JSON at all, too large, wrong Content-Type, or JSON not matching the schema.
        for status in [400, 413, 415, 422] {
            add(status);
        }
    }
    if has_path || has_query {
        // ApiPath / ApiQuery: undecodable or mistyped parameters.
        add(422);
    }
    if needs_session {
        add(401);
    }
    if state_changing {
        // The CSRF layer runs before routing, in front of every state-changing request.
        add(403);
    }
    add(500);
    for (status, response) in operation.responses.responses.iter_mut() {
        if let RefOr::T(response) = response
            && response.description.is_empty()
        {
            response.description =
                if status.starts_with('2') { "Success.".to_owned() } else { describe_str(status).to_owned() };
        }
    }
}

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
        .build()
}

fn describe_str(status: &str) -> &'static str {
    status.parse().map_or("", describe)
}

/// What a status means in this API, naming the error codes it carries.
fn describe(status: u16) -> &'static str {
    // Kept in step with ErrorCode::http_status by the test below.
    match status {
        400 => "The body is not valid JSON (`malformed_request`).",
        401 => "No valid session (`unauthenticated`), or a wrong password (`invalid_credentials`).",
        403 => {
            "The access rule refuses this (`no_access`), or a state-changing request failed the anti-forgery check \
             (`csrf_rejected`)."
        }
        404 => "There is no such record (`not_found`).",
        409 => "The record's state or version does not allow this (`conflict`).",
        413 => "The body is larger than 64 KiB (`payload_too_large`).",
        415 => "The body is not sent as `application/json` (`unsupported_media_type`).",
        422 => {
            "A parameter or the body breaks a rule or does not match the schema (`invalid_input`); `field` names it."
        }
        429 => "Too many failed attempts; wait before trying again (`too_many_attempts`).",
        500 => "The server failed; the request may be retried (`internal`).",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_domain::error::ErrorCode;

    const ALL_ERROR_CODES: [ErrorCode; 12] = [
        ErrorCode::InvalidInput,
        ErrorCode::MalformedRequest,
        ErrorCode::Unauthenticated,
        ErrorCode::InvalidCredentials,
        ErrorCode::TooManyAttempts,
        ErrorCode::NoAccess,
        ErrorCode::CsrfRejected,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::Internal,
    ];

    #[test]
    fn each_status_description_names_every_code_it_carries() {
        for code in ALL_ERROR_CODES {
            let name = serde_json::to_value(code).expect("serialises");
            let name = name.as_str().expect("a string");
            assert!(
                describe(code.http_status()).contains(&format!("`{name}`")),
                "the description of {} does not mention {name}",
                code.http_status()
            );
        }
    }
}

#[cfg(test)]
mod document_tests {
    //! The document itself, as served: its exactness must not rot as endpoints and types are added.

    use serde_json::Value;

    fn document() -> Value {
        let (_, doc) = crate::routes::api();
        serde_json::to_value(&doc).expect("the document serialises")
    }

    /// Follows `$ref`s and looks through `oneOf: [null, T]` (how an `Option<T>` of a component is described).
    fn resolve<'a>(doc: &'a Value, mut schema: &'a Value) -> &'a Value {
        loop {
            if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
                schema = &doc["components"]["schemas"][reference.trim_start_matches("#/components/schemas/")];
                continue;
            }
            if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
                let non_null: Vec<&Value> = branches.iter().filter(|b| b["type"] != "null").collect();
                if let [only] = non_null.as_slice() {
                    schema = only;
                    continue;
                }
            }
            return schema;
        }
    }

    fn is_uuid(doc: &Value, schema: &Value) -> bool {
        let schema = resolve(doc, schema);
        let string = match &schema["type"] {
            Value::String(t) => t == "string",
            Value::Array(ts) => ts.iter().any(|t| t == "string"),
            _ => false,
        };
        string && schema["format"] == "uuid"
    }

    /// Every property of every schema in `schema` (nested objects, arrays, unions), with its name.
    fn properties<'a>(schema: &'a Value, out: &mut Vec<(&'a str, &'a Value)>) {
        if let Some(props) = schema["properties"].as_object() {
            for (name, property) in props {
                out.push((name, property));
                properties(property, out);
            }
        }
        if !schema["items"].is_null() {
            properties(&schema["items"], out);
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            for branch in schema[key].as_array().into_iter().flatten() {
                properties(branch, out);
            }
        }
    }

    /// Ids that are not UUIDs by design.
    fn exempt(name: &str) -> bool {
        // An audit entry's record id names a record of any type: a UUID, but the e-mail tried for a failed login.
        name == "record_id"
    }

    /// Components whose `id` is a position in the event stream (an audit sequence number), not a record's id.
    const STREAM_POSITIONS: [&str; 2] = ["LiveEvent", "LiveReset"];

    #[test]
    fn every_id_field_and_id_parameter_is_a_uuid() {
        let doc = document();
        let mut checked = 0;
        for (component, schema) in doc["components"]["schemas"].as_object().expect("components") {
            // The id newtypes (`TransferId`), not generic instances named after them (`Coverage_TransferId`).
            if component.ends_with("Id") && !component.contains('_') {
                assert!(is_uuid(&doc, schema), "the component {component} is not `type: string, format: uuid`");
            }
            let mut found = Vec::new();
            properties(schema, &mut found);
            for (name, property) in found {
                let position = name == "id" && STREAM_POSITIONS.contains(&component.as_str());
                if (name == "id" || name.ends_with("_id")) && !exempt(name) && !position {
                    assert!(is_uuid(&doc, property), "{component}.{name} is not declared `format: uuid`: {property}");
                    checked += 1;
                }
            }
        }
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("operations") {
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    let name = parameter["name"].as_str().unwrap_or_default();
                    // `actor` is the user-id filter of the audit trail.
                    if (name == "id" || name.ends_with("_id") || name == "actor") && !exempt(name) {
                        assert!(
                            is_uuid(&doc, &parameter["schema"]),
                            "{method} {path}: the parameter {name} is not declared `format: uuid`"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked >= 20, "only {checked} ids checked: is the walk still finding them?");
    }

    #[test]
    fn every_error_status_carries_the_error_body_and_shared_statuses_are_listed() {
        let doc = document();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("operations") {
                let responses = operation["responses"].as_object().expect("responses");
                for (status, response) in responses {
                    assert!(
                        !response["description"].as_str().unwrap_or_default().is_empty(),
                        "{method} {path} {status}"
                    );
                    if !status.starts_with('2') {
                        assert_eq!(
                            response["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody",
                            "{method} {path} {status}"
                        );
                    }
                }
                let mut expected = vec!["500"];
                if !operation["requestBody"].is_null() {
                    expected.extend(["400", "413", "415", "422"]);
                }
                if method != "get" {
                    expected.push("403");
                }
                if operation["security"].as_array().is_some_and(|s| !s.is_empty()) {
                    expected.push("401");
                }
                for status in expected {
                    assert!(responses.contains_key(status), "{method} {path} does not document {status}");
                }
            }
        }
    }

    #[test]
    fn the_documented_audit_filters_are_the_ones_the_handler_reads() {
        use utoipa::IntoParams;
        let names = |params: Vec<utoipa::openapi::path::Parameter>| -> Vec<String> {
            params.into_iter().map(|p| p.name).collect()
        };
        let read = names(baton_domain::audit_trail::AuditQuery::into_params(|| None));
        let documented = names(super::AuditFilters::into_params(|| None));
        assert_eq!(read, documented);
    }

    #[test]
    fn operations_needing_a_session_say_so() {
        let doc = document();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("operations") {
                let anonymous = path == "/session" && method == "post";
                let secured = operation["security"].as_array().is_some_and(|s| !s.is_empty());
                assert_eq!(secured, !anonymous, "{method} {path}: security requirement");
            }
        }
    }
}
