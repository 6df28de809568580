//! A fuzzer driven by the OpenAPI document: for every operation it lists, requests generated from the document's
//! own schemas, valid and invalid, sent by demo users with their anti-forgery token (and by strangers and forgers).
//!
//! What must hold for every answer:
//! - never a 5xx;
//! - the status is one the document lists for the operation, and the body matches the schema it gives for it
//!   (so the document is exact, not just plausible);
//! - a schema-valid request is never refused for its shape. A refusal is about shape when it comes from the
//!   extractors (`malformed_request`, `payload_too_large`, `unsupported_media_type`, or an `invalid_input` whose
//!   message is serde's "Failed to deserialize …"), or from a handler parsing a format the document declares (a
//!   UUID, an RFC 3339 time). Any other 422 is a business rule the schema cannot express (an empty title, a
//!   grantee that is not a partner) and is fine;
//! - a request whose body breaks the schema is never accepted (never 2xx).
//!
//! The generator is deterministic: `BATON_FUZZ_SEED` picks another seed, `BATON_FUZZ_ROUNDS` more requests.

use baton_tests::client::{DEMO_PASSWORD, Reply, send};
use baton_tests::{ApiClient, Backend, TestServer, on_both_databases};
use reqwest::Method;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::time::Instant;

on_both_databases!(every_operation_answers_as_documented, nul_characters_are_refused_naming_the_field);

/// Requests per operation: valid and invalid ones, besides one by a stranger and one without the token.
const DEFAULT_ROUNDS: usize = 24;

// ---------------------------------------------------------------------------------------------------------------
// A small deterministic RNG (SplitMix64): no crate, the same sequence on every machine.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn range(&mut self, low: i64, high: i64) -> i64 {
        let span = (high as i128 - low as i128 + 1) as u128;
        (low as i128 + (self.next() as u128 % span) as i128) as i64
    }

    fn uuid(&mut self) -> String {
        let bytes = ((self.next() as u128) << 64) | self.next() as u128;
        uuid::Builder::from_random_bytes(bytes.to_le_bytes()).into_uuid().to_string()
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The document.

struct Doc {
    root: Value,
}

impl Doc {
    /// Follows `$ref`s; returns the schema and the name of the last component passed through.
    fn resolve<'a>(&'a self, mut schema: &'a Value) -> (&'a Value, Option<&'a str>) {
        let mut name = None;
        while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let component = reference.trim_start_matches("#/components/schemas/");
            name = Some(component);
            schema = &self.root["components"]["schemas"][component];
            assert!(!schema.is_null(), "dangling $ref {reference}");
        }
        (schema, name)
    }
}

/// The JSON types a schema allows (`type` may be one name or a list).
fn types(schema: &Value) -> Vec<&str> {
    match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Real ids from the seeded demo data, by the id type that names them.

#[derive(Default)]
struct Pools(BTreeMap<String, Vec<String>>);

impl Pools {
    fn add(&mut self, kind: &str, id: &Value) {
        if let Some(id) = id.as_str() {
            let ids = self.0.entry(kind.to_owned()).or_default();
            if !ids.iter().any(|known| known == id) {
                ids.push(id.to_owned());
            }
        }
    }

    /// A uuid for a field of the given id type: mostly a real one, sometimes one that exists nowhere.
    fn uuid(&self, kind: Option<&str>, rng: &mut Rng) -> String {
        // Without a known type (an inlined id), any real id: some of them will be of the right kind.
        let all: Vec<&String> = self.0.values().flatten().collect();
        match kind.and_then(|k| self.0.get(k)).filter(|ids| !ids.is_empty()) {
            Some(ids) if rng.chance(0.8) => rng.pick(ids).clone(),
            None if !all.is_empty() && rng.chance(0.8) => (*rng.pick(&all)).clone(),
            _ => rng.uuid(),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Generating schema-valid values.

const DEMO_EMAILS: [&str; 4] =
    ["admin@helix.example", "qa@helix.example", "admin@norvia.example", "qa@castellan.example"];

fn random_text(rng: &mut Rng, max: usize) -> String {
    const PIECES: [&str; 16] =
        ["a", "Z", "7", " ", "é", "—", "\"", "\\", "'", "<b>", "%", "&", "😀", "\n", "Velarimab", "🧪"];
    let len = rng.below(max + 1);
    (0..len).map(|_| *rng.pick(&PIECES)).collect()
}

fn date_time(rng: &mut Rng, from_year: i64) -> String {
    let year = rng.range(from_year, from_year + 13);
    let (month, day) = (rng.range(1, 12), rng.range(1, 28));
    let (hour, minute, second) = (rng.range(0, 23), rng.range(0, 59), rng.range(0, 59));
    let base = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
    match rng.below(6) {
        0 => format!("{base}Z"),
        1 => format!("{base}.{:06}Z", rng.range(0, 999_999)),
        2 => format!("{base}+{:02}:30", rng.range(0, 13)),
        3 => format!("{base}.{}-05:00", rng.range(0, 9)),
        // RFC 3339 letters are case-insensitive.
        4 => format!("{base}z").replacen('T', "t", 1),
        _ => format!("{base}-00:00"),
    }
}

struct Generator<'a> {
    doc: &'a Doc,
    pools: &'a Pools,
}

impl Generator<'_> {
    /// A value the schema accepts. `property` is the name of the field being filled, for picking plausible values
    /// (a demo user's e-mail, the demo password) often enough that requests get past the first checks.
    fn valid(&self, schema: &Value, property: &str, rng: &mut Rng, depth: usize) -> Value {
        let (schema, name) = self.doc.resolve(schema);
        if let Some(branches) = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Value::as_array) {
            return self.valid(rng.pick(branches), property, rng, depth);
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = Map::new();
            for part in parts {
                if let Value::Object(fields) = self.valid(part, property, rng, depth) {
                    merged.extend(fields);
                }
            }
            return Value::Object(merged);
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            // Signatures are only ever "approved" here; pick it often enough that some get signed.
            if property == "meaning" && rng.chance(0.5) {
                return json!("approved");
            }
            return rng.pick(values).clone();
        }
        let allowed = types(schema);
        let non_null: Vec<&str> = allowed.iter().copied().filter(|t| *t != "null").collect();
        if allowed.contains(&"null") && (non_null.is_empty() || rng.chance(0.2)) {
            return Value::Null;
        }
        let Some(&kind) = non_null.first() else {
            // An unconstrained value (`{}`, as for free-form JSON): any small object will do.
            return json!({"note": random_text(rng, 8)});
        };
        match kind {
            "string" => Value::String(self.string(schema, name, property, rng)),
            "integer" => {
                let low = schema["minimum"].as_i64().unwrap_or(if schema["format"] == "int32" {
                    i32::MIN as i64
                } else {
                    i64::MIN
                });
                let high = schema["maximum"].as_i64().unwrap_or(if schema["format"] == "int32" {
                    i32::MAX as i64
                } else {
                    i64::MAX
                });
                // The bounds, small numbers (a `row_version` that matches, now and then), and anything in range.
                let small = (low.max(-2), high.min(5).max(low.max(-2)));
                let value = match rng.below(6) {
                    0 => low,
                    1 => high,
                    2 => rng.range(low, high),
                    _ => rng.range(small.0, small.1),
                };
                json!(value)
            }
            "number" => json!(rng.range(-1000, 1000) as f64 / 8.0),
            "boolean" => json!(rng.chance(0.5)),
            "array" => {
                let count = rng.below(if depth > 3 { 1 } else { 4 }) + usize::from(rng.chance(0.8));
                Value::Array((0..count).map(|_| self.valid(&schema["items"], property, rng, depth + 1)).collect())
            }
            "object" => self.object(schema, rng, depth),
            other => panic!("the fuzzer does not know the type {other}"),
        }
    }

    fn object(&self, schema: &Value, rng: &mut Rng, depth: usize) -> Value {
        let required: Vec<&str> =
            schema["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
        let mut object = Map::new();
        if let Some(properties) = schema["properties"].as_object() {
            for (name, property) in properties {
                if required.contains(&name.as_str()) || rng.chance(0.6) {
                    object.insert(name.clone(), self.valid(property, name, rng, depth + 1));
                }
            }
        }
        if rng.chance(0.1) {
            // Unknown properties are allowed (the schemas do not forbid them) and must be ignored.
            object.insert("x_fuzz_extra".into(), json!(random_text(rng, 5)));
        }
        Value::Object(object)
    }

    fn string(&self, schema: &Value, component: Option<&str>, property: &str, rng: &mut Rng) -> String {
        match schema["format"].as_str() {
            Some("uuid") => self.pools.uuid(component, rng),
            // Starts before ends, mostly, so that terms get past their first check.
            Some("date-time") => date_time(rng, if property.ends_with("until") { 2027 } else { 2000 }),
            Some("date") => format!("{:04}-{:02}-{:02}", rng.range(2000, 2040), rng.range(1, 12), rng.range(1, 28)),
            Some("decimal") => {
                let places = rng.below(4);
                let value = rng.range(-99_999, 99_999);
                let magnitude = value.unsigned_abs().to_string();
                let padded = format!("{magnitude:0>width$}", width = places + 1);
                let (whole, fraction) = padded.split_at(padded.len() - places);
                let sign = if value < 0 { "-" } else { "" };
                if places == 0 { format!("{sign}{whole}") } else { format!("{sign}{whole}.{fraction}") }
            }
            Some("unit") => {
                (*rng.pick(&["°C", "K", "mL", "L", "rpm", "bar", "kPa", "%", "mS/cm", "min", "h"])).to_owned()
            }
            _ => match property {
                "email" if rng.chance(0.6) => (*rng.pick(&DEMO_EMAILS)).to_owned(),
                "password" if rng.chance(0.5) => DEMO_PASSWORD.to_owned(),
                // Texts a rule requires to be non-empty, mostly non-empty.
                "title" | "reason" | "activity" if rng.chance(0.8) => format!("F{}", random_text(rng, 24)),
                _ => random_text(rng, 24),
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Generating schema-invalid bodies.

/// Ways to break a valid body.
#[derive(Clone, Copy, Debug)]
enum Breakage {
    /// Not JSON at all.
    Malformed,
    /// JSON, but the wrong type at the top.
    WrongRoot,
    /// A required property left out.
    MissingRequired,
    /// A property of the wrong type.
    WrongType,
    /// An enum property with a value it does not list, or a uuid property with a non-uuid.
    BadFormat,
    /// A body over the 64 KiB limit.
    Oversize,
    /// The right JSON sent as text/plain.
    WrongContentType,
    /// Text containing U+0000.
    Nul,
}

const BREAKAGES: [Breakage; 8] = [
    Breakage::Malformed,
    Breakage::WrongRoot,
    Breakage::MissingRequired,
    Breakage::WrongType,
    Breakage::BadFormat,
    Breakage::Oversize,
    Breakage::WrongContentType,
    Breakage::Nul,
];

/// The JSON-pointer-like route to every property of `value` whose schema is known, with that schema.
fn properties<'a>(
    doc: &'a Doc,
    schema: &'a Value,
    value: &Value,
    path: Vec<String>,
    out: &mut Vec<(Vec<String>, &'a Value)>,
) {
    let (schema, _) = doc.resolve(schema);
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        // The branch the value was made from is the one whose properties it has; for a tagged union that is the
        // one whose tag it carries. Good enough: try each branch whose required properties are all present.
        for branch in branches {
            let (b, _) = doc.resolve(branch);
            let fits = b["required"]
                .as_array()
                .is_none_or(|r| r.iter().all(|k| value.get(k.as_str().unwrap_or("")).is_some()))
                && b["properties"].as_object().is_none_or(|p| {
                    p.iter().all(|(k, s)| match (value.get(k), s["enum"].as_array()) {
                        (Some(v), Some(options)) => options.contains(v),
                        _ => true,
                    })
                });
            if fits && types(b) != ["null"] {
                properties(doc, branch, value, path, out);
                return;
            }
        }
        return;
    }
    if let (Some(props), Value::Object(fields)) = (schema["properties"].as_object(), value) {
        for (name, property) in props {
            if let Some(field) = fields.get(name) {
                let mut at = path.clone();
                at.push(name.clone());
                out.push((at.clone(), property));
                properties(doc, property, field, at, out);
            }
        }
    }
    if let (Some(items), Value::Array(values)) = (schema.get("items"), value) {
        for (i, item) in values.iter().enumerate() {
            let mut at = path.clone();
            at.push(i.to_string());
            properties(doc, items, item, at, out);
        }
    }
}

fn slot<'v>(value: &'v mut Value, path: &[String]) -> &'v mut Value {
    path.iter().fold(value, |v, key| match v {
        Value::Array(items) => &mut items[key.parse::<usize>().expect("an index")],
        other => &mut other[key.as_str()],
    })
}

/// A path as serde_path_to_error and the error's `field` write it: `rows[0].activity`.
fn dotted(path: &[String]) -> String {
    path.iter().fold(String::new(), |out, key| match key.parse::<usize>() {
        Ok(i) => format!("{out}[{i}]"),
        Err(_) if out.is_empty() => key.clone(),
        Err(_) => format!("{out}.{key}"),
    })
}

/// A body that breaks the schema, the content type to send it as, and where it is broken (empty: the whole body).
fn break_body(
    doc: &Doc,
    schema: &Value,
    valid: &Value,
    how: Breakage,
    oversize: usize,
    rng: &mut Rng,
) -> Option<(String, &'static str, String)> {
    let as_json = |v: &Value, at: &[String]| (v.to_string(), "application/json", dotted(at));
    let mut props = Vec::new();
    properties(doc, schema, valid, Vec::new(), &mut props);
    match how {
        Breakage::Malformed => {
            let text = valid.to_string();
            let mut cut = rng.below(text.len().max(1));
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let choices =
                [text[..cut].to_owned(), "{".to_owned(), "not json".to_owned(), format!("{text},"), String::new()];
            Some((rng.pick(&choices).clone(), "application/json", String::new()))
        }
        Breakage::WrongRoot => Some(as_json(rng.pick(&[json!([]), json!(42), json!("text"), json!(true)]), &[])),
        Breakage::MissingRequired => {
            // Only properties the schema requires of the object holding them.
            let mut candidates = Vec::new();
            let (root, _) = doc.resolve(schema);
            collect_required(doc, root, valid, Vec::new(), &mut candidates);
            let path = candidates.get(rng.below(candidates.len()))?.clone();
            let mut broken = valid.clone();
            let (last, parent) = path.split_last()?;
            if let Value::Object(fields) = slot(&mut broken, parent) {
                fields.remove(last);
            }
            Some(as_json(&broken, &path))
        }
        Breakage::WrongType => {
            let (path, property) = props.get(rng.below(props.len()))?.clone();
            let (property, _) = doc.resolve(property);
            let allowed = types(property);
            if allowed.is_empty() {
                return None;
            }
            let wrong = [json!(12345), json!("text"), json!([1, 2]), json!({"a": 1}), json!(false)]
                .into_iter()
                .filter(|v| !type_allows(&allowed, json_type(v)))
                .collect::<Vec<_>>();
            let mut broken = valid.clone();
            *slot(&mut broken, &path) = rng.pick(&wrong).clone();
            Some(as_json(&broken, &path))
        }
        Breakage::BadFormat => {
            let formatted: Vec<_> = props
                .iter()
                .filter(|(_, s)| {
                    let (s, _) = doc.resolve(s);
                    s.get("enum").is_some()
                        || matches!(s["format"].as_str(), Some("uuid" | "date-time" | "decimal" | "unit"))
                })
                .collect();
            let (path, schema) = formatted.get(rng.below(formatted.len().max(1)))?;
            let bad: &[&str] = match doc.resolve(schema).0["format"].as_str() {
                Some("decimal") => &["1e3", "abc", "5.", "1,5", ""],
                Some("unit") => &["", "a\nb", "  "],
                _ => &["not-a-value", "0000", "2026-13-45T99:00:00Z", "DRAFT", ""],
            };
            let mut broken = valid.clone();
            *slot(&mut broken, path) = json!(*rng.pick(bad));
            Some(as_json(&broken, path))
        }
        Breakage::Oversize => {
            let mut broken = valid.clone();
            let strings: Vec<_> = props.iter().filter(|(_, s)| types(doc.resolve(s).0).contains(&"string")).collect();
            match strings.get(rng.below(strings.len().max(1))) {
                Some((path, _)) => *slot(&mut broken, path) = json!("x".repeat(oversize)),
                None => broken = json!({"padding": "x".repeat(oversize)}),
            }
            Some(as_json(&broken, &[]))
        }
        Breakage::WrongContentType => Some((valid.to_string(), "text/plain", String::new())),
        Breakage::Nul => {
            let strings: Vec<_> = props
                .iter()
                .filter(|(_, s)| {
                    let (s, _) = doc.resolve(s);
                    types(s).contains(&"string") && s.get("enum").is_none() && s.get("format").is_none()
                })
                .collect();
            let (path, _) = strings.get(rng.below(strings.len().max(1)))?;
            let mut broken = valid.clone();
            // Inside an otherwise good value (a demo e-mail, the password), so that it gets past other checks.
            let target = slot(&mut broken, path);
            let mut text = target.as_str().unwrap_or_default().to_owned();
            let mut at = text.len() / 2;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert(at, '\0');
            *target = json!(text);
            Some(as_json(&broken, path))
        }
    }
}

fn collect_required(doc: &Doc, schema: &Value, value: &Value, path: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut props = Vec::new();
    properties(doc, schema, value, path.clone(), &mut props);
    // The root's own required properties, then each nested object's.
    let mut holders: Vec<(Vec<String>, &Value)> = vec![(path, schema)];
    holders.extend(props);
    for (at, holder) in holders {
        let (holder, _) = doc.resolve(holder);
        let mut resolved = vec![holder];
        if let Some(branches) = holder.get("oneOf").and_then(Value::as_array) {
            resolved = branches.iter().map(|b| doc.resolve(b).0).collect();
        }
        let current = at.iter().try_fold(value, |v, k| match v {
            Value::Array(items) => k.parse::<usize>().ok().and_then(|i| items.get(i)),
            other => other.get(k.as_str()),
        });
        let Some(Value::Object(fields)) = current else { continue };
        for candidate in resolved {
            for name in candidate["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                if fields.contains_key(name) {
                    let mut full = at.clone();
                    full.push(name.to_owned());
                    if !out.contains(&full) {
                        out.push(full);
                    }
                }
            }
        }
    }
}

/// Whether a value of JSON type `actual` fits a schema allowing `allowed` (an integer is a number, too).
fn type_allows(allowed: &[&str], actual: &str) -> bool {
    allowed.contains(&actual) || (actual == "integer" && allowed.contains(&"number"))
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Checking answers against the schema the document gives for them.

fn check(doc: &Doc, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let (schema, _) = doc.resolve(schema);
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = branches.iter().filter(|b| check(doc, b, value, at).is_ok()).count();
        return if matching == 1 {
            Ok(())
        } else {
            Err(format!("{at}: {matching} of the oneOf branches match {value}"))
        };
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        return parts.iter().try_for_each(|p| check(doc, p, value, at));
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {options:?}"));
    }
    let allowed = types(schema);
    let actual = json_type(value);
    if !allowed.is_empty() && !type_allows(&allowed, actual) {
        return Err(format!("{at}: {value} is a {actual}, the document says {allowed:?}"));
    }
    match value {
        Value::String(s) => match schema["format"].as_str() {
            Some("uuid") if uuid::Uuid::try_parse(s).is_err() || s.len() != 36 => {
                Err(format!("{at}: {s:?} is no uuid"))
            }
            Some("date-time") if chrono::DateTime::parse_from_rfc3339(s).is_err() => {
                Err(format!("{at}: {s:?} is no date-time"))
            }
            Some("date") if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_err() => {
                Err(format!("{at}: {s:?} is no date"))
            }
            Some("decimal") if baton_domain::decimal::Decimal::parse(s).is_err() => {
                Err(format!("{at}: {s:?} is no decimal"))
            }
            Some("unit") if baton_domain::units::Unit::parse(s).is_err() => Err(format!("{at}: {s:?} is no unit")),
            _ => Ok(()),
        },
        Value::Number(n) => {
            let v = n.as_f64().unwrap_or_default();
            match (schema["minimum"].as_f64(), schema["maximum"].as_f64()) {
                (Some(min), _) if v < min => Err(format!("{at}: {v} < minimum {min}")),
                (_, Some(max)) if v > max => Err(format!("{at}: {v} > maximum {max}")),
                _ => Ok(()),
            }
        }
        Value::Array(items) => {
            items.iter().enumerate().try_for_each(|(i, item)| check(doc, &schema["items"], item, &format!("{at}[{i}]")))
        }
        Value::Object(fields) => {
            for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                if !fields.contains_key(name) {
                    return Err(format!("{at}: the required property {name} is missing"));
                }
            }
            if let Some(props) = schema["properties"].as_object() {
                for (name, field) in fields {
                    match props.get(name) {
                        Some(property) => check(doc, property, field, &format!("{at}.{name}"))?,
                        None if schema["additionalProperties"] == json!(false) => {
                            return Err(format!("{at}: {name} is not a documented property"));
                        }
                        None => {}
                    }
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Adds the ids in an answer to the pools, by the id type its schema gives them, so that later requests act on
/// records earlier ones created (a drafted agreement gets changed, signed, revoked).
fn harvest(doc: &Doc, schema: &Value, value: &Value, pools: &mut Pools) {
    let (resolved, component) = doc.resolve(schema);
    if let (Some(kind), Value::String(_)) = (component, value) {
        if resolved["format"] == "uuid" {
            pools.add(kind, value);
        }
        return;
    }
    if let Some(branches) = resolved.get("oneOf").and_then(Value::as_array) {
        for branch in branches.iter().filter(|b| check(doc, b, value, "").is_ok()) {
            harvest(doc, branch, value, pools);
        }
        return;
    }
    match value {
        Value::Array(items) => items.iter().for_each(|item| harvest(doc, &resolved["items"], item, pools)),
        Value::Object(fields) => {
            for (name, field) in fields {
                if let Some(property) = resolved["properties"].get(name) {
                    harvest(doc, property, field, pools);
                }
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The run.

/// One request the fuzzer sends.
struct Case {
    who: &'static str,
    method: Method,
    path: String,
    content_type: Option<&'static str>,
    body: Option<String>,
    /// Every parameter and the body are schema-valid, and sent by a logged-in user with their token.
    valid: bool,
    /// How the body breaks the schema, and where.
    breakage: Option<(Breakage, String)>,
    /// Sent with the session cookie but without the anti-forgery token.
    without_token: bool,
}

impl Case {
    fn describe(&self) -> String {
        let body = self.body.as_deref().map(|b| {
            let cut: String = b.chars().take(300).collect();
            if cut.len() < b.len() { format!("{cut}… ({} bytes)", b.len()) } else { cut }
        });
        format!(
            "{} {} as {}{} [{}] {}",
            self.method,
            self.path,
            self.who,
            if self.without_token { " without the CSRF token" } else { "" },
            self.content_type.unwrap_or("no body"),
            body.unwrap_or_default()
        )
    }
}

/// True when an error answer says the request's shape or a declared format was wrong.
fn is_shape_refusal(reply: &Reply) -> bool {
    let message = reply.body["error"]["message"].as_str().unwrap_or_default();
    matches!(reply.status, 400 | 413 | 415)
        || matches!(reply.error_code(), "malformed_request" | "payload_too_large" | "unsupported_media_type")
        || (reply.status == 422
            && (message.starts_with("Failed to deserialize")
                || message.starts_with("Failed to parse")
                || message.contains("(a UUID)")
                || message.contains("not a user id")
                || message.starts_with("Give a time like")
                || message.starts_with("Unknown ")
                || message.contains("NUL character")))
}

struct Users {
    clients: Vec<(&'static str, ApiClient)>,
    stranger: ApiClient,
    /// Logged in only to be logged out by `DELETE /session`.
    leaving: Vec<ApiClient>,
}

async fn collect_pools(users: &Users) -> Pools {
    let mut pools = Pools::default();
    for (_, client) in &users.clients {
        let me = client.get("/session").await;
        pools.add("UserId", &me.body["user"]["id"]);
        pools.add("OrgId", &me.body["user"]["organisation"]["id"]);
        for t in client.get("/transfers").await.body["items"].as_array().into_iter().flatten() {
            pools.add("TransferId", &t["id"]);
            pools.add("OrgId", &t["partner"]["id"]);
        }
        for a in client.get("/agreements").await.body["items"].as_array().into_iter().flatten() {
            pools.add("AgreementId", &a["id"]);
        }
        for p in client.get("/partners").await.body["items"].as_array().into_iter().flatten() {
            pools.add("PartnershipId", &p["partnership_id"]);
            pools.add("OrgId", &p["organisation"]["id"]);
            let path = format!("/partnerships/{}/quality-agreement", p["partnership_id"].as_str().unwrap_or_default());
            for v in client.get(&path).await.body["versions"].as_array().into_iter().flatten() {
                pools.add("QualityAgreementId", &v["id"]);
            }
            let path = format!("/partnerships/{}/kpi-targets", p["partnership_id"].as_str().unwrap_or_default());
            for v in client.get(&path).await.body["versions"].as_array().into_iter().flatten() {
                pools.add("KpiTargetsId", &v["id"]);
            }
        }
        for d in client.get("/deviations").await.body["items"].as_array().into_iter().flatten() {
            pools.add("DeviationId", &d["id"]);
        }
        for c in client.get("/capas").await.body["items"].as_array().into_iter().flatten() {
            pools.add("CapaId", &c["id"]);
        }
        for c in client.get("/change-controls").await.body["items"].as_array().into_iter().flatten() {
            pools.add("ChangeControlId", &c["id"]);
        }
        for actor in client.get("/audit/actors").await.body.as_array().into_iter().flatten() {
            pools.add("UserId", &actor["id"]);
        }
    }
    for kind in ["UserId", "OrgId", "TransferId", "AgreementId", "PartnershipId", "QualityAgreementId", "KpiTargetsId"]
    {
        assert!(pools.0.get(kind).is_some_and(|ids| !ids.is_empty()), "no demo {kind} found");
    }
    pools
}

/// The id type a uuid path parameter names, from the segment before it (`/agreements/{id}` → an agreement).
fn path_id_kind(path: &str, record_type: Option<&str>) -> Option<&'static str> {
    if let Some(kind) = record_type {
        return Some(match kind {
            "agreement" => "AgreementId",
            "quality_agreement" => "QualityAgreementId",
            "kpi_targets" => "KpiTargetsId",
            "deviation" => "DeviationId",
            "capa" => "CapaId",
            "change_control" => "ChangeControlId",
            _ => "TransferId",
        });
    }
    let before = path.split("/{id}").next()?.rsplit('/').next()?;
    Some(match before {
        "transfers" => "TransferId",
        "agreements" => "AgreementId",
        "partnerships" => "PartnershipId",
        "quality-agreements" => "QualityAgreementId",
        "kpi-targets" => "KpiTargetsId",
        "deviations" => "DeviationId",
        "capas" => "CapaId",
        "change-controls" => "ChangeControlId",
        _ => return None,
    })
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20")
}

/// Fills the path template and the query from the operation's parameters; `break_one` spoils one of them.
fn parameters(
    generator: &Generator<'_>,
    path: &str,
    operation: &Value,
    break_one: bool,
    rng: &mut Rng,
) -> (String, bool) {
    let params: Vec<&Value> = operation["parameters"].as_array().map(|p| p.iter().collect()).unwrap_or_default();
    let spoil = if break_one && !params.is_empty() { Some(rng.below(params.len())) } else { None };
    let mut concrete = path.to_owned();
    let mut query = Vec::new();
    let mut record_type = None;
    // Fill the record type first: the id that follows it depends on it.
    let mut ordered: Vec<(usize, &Value)> = params.iter().copied().enumerate().collect();
    ordered.sort_by_key(|(_, p)| p["name"] != "record_type");
    for (i, param) in ordered {
        let name = param["name"].as_str().expect("a parameter name");
        let schema = &param["schema"];
        let value = if spoil == Some(i) {
            let plain_text = {
                let (s, _) = generator.doc.resolve(schema);
                s["type"] == "string" && s.get("format").is_none() && s.get("enum").is_none()
            };
            let bad = match param["in"].as_str() {
                // Any text is valid, except text with U+0000.
                Some("query") if plain_text => "F%00x",
                Some("path") => *rng.pick(&["42", "not-a-uuid", "%FF", "%00", "00000000-0000-0000-0000", "%2F", "x"]),
                _ => *rng.pick(&["abc", "-1", "0", "501", "99999999999999999999", "1.5", "%00", "2026-02-30", "zz"]),
            };
            // Already percent-encoded where it matters: sent as is.
            Some(bad.to_owned())
        } else if param["in"] == "query" && param["required"] != json!(true) && rng.chance(0.5) {
            None
        } else {
            let (resolved, _) = generator.doc.resolve(schema);
            let value = if resolved["format"] == "uuid" {
                let kind = if name == "actor" { Some("UserId") } else { path_id_kind(path, record_type.as_deref()) };
                json!(generator.pools.uuid(kind, rng))
            } else {
                generator.valid(schema, name, rng, 0)
            };
            let text = match &value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if name == "record_type" {
                record_type = Some(text.clone());
            }
            Some(encode(&text))
        };
        let Some(value) = value else { continue };
        match param["in"].as_str() {
            Some("path") => concrete = concrete.replace(&format!("{{{name}}}"), &value),
            _ => query.push(format!("{name}={value}")),
        }
    }
    if !query.is_empty() {
        concrete = format!("{concrete}?{}", query.join("&"));
    }
    (concrete, spoil.is_some())
}

async fn every_operation_answers_as_documented(db: Backend) {
    let server = TestServer::start(db).await;
    let seed: u64 = std::env::var("BATON_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20_261_126);
    let rounds: usize = std::env::var("BATON_FUZZ_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_ROUNDS);
    let mut rng = Rng(seed);
    let verbose = std::env::var_os("BATON_FUZZ_LOG").is_some();
    let base = &server.base_url;
    let mut clients = Vec::new();
    for who in [
        "admin@helix.example",
        "qa@helix.example",
        "admin@norvia.example",
        "qa@castellan.example",
        "operator@norvia.example",
    ] {
        clients.push((who, ApiClient::logged_in(base, who).await));
    }
    let mut leaving = Vec::new();
    for _ in 0..2 {
        leaving.push(ApiClient::logged_in(base, "viewer@helix.example").await);
    }
    let mut users = Users { clients, stranger: ApiClient::new(base), leaving };
    let doc = Doc { root: users.stranger.get("/openapi.json").await.body };
    let mut pools = collect_pools(&users).await;

    let mut operations = Vec::new();
    for (path, item) in doc.root["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            operations.push((path.clone(), method.clone(), operation.clone()));
        }
    }
    // Reads first, then changes, and logging out last: each phase sees the data the previous one left.
    operations.sort_by_key(|(path, method, _)| (path == "/session", method != "get", path.clone(), method.clone()));

    let started = Instant::now();
    // Problems by operation and kind, with how often each happened and the first request that showed it.
    let mut failures: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut sent = 0;
    let mut statuses: BTreeMap<String, BTreeMap<u16, usize>> = BTreeMap::new();
    for (path, method, operation) in &operations {
        let http_method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("an HTTP method");
        let state_changing = !matches!(http_method, Method::GET | Method::HEAD);
        let body_schema = operation["requestBody"]["content"]["application/json"]["schema"].clone();
        let documented: BTreeMap<u16, Value> = operation["responses"]
            .as_object()
            .expect("responses")
            .iter()
            .map(|(status, response)| (status.parse().expect("a numeric status"), response.clone()))
            .collect();
        let generator = Generator { doc: &doc, pools: &pools };
        let mut cases = Vec::new();
        for round in 0..rounds + 2 {
            // Mostly valid requests; a third break something; then one stranger and one forger.
            let stranger = round == rounds;
            let forger = round == rounds + 1;
            if forger && !state_changing {
                continue;
            }
            let invalid = !stranger && !forger && round % 3 == 2;
            let break_params =
                invalid && operation["parameters"].is_array() && (body_schema.is_null() || rng.chance(0.4));
            let (concrete, params_broken) = parameters(&generator, path, operation, break_params, &mut rng);
            let mut content_type = None;
            let mut body = None;
            let mut breakage = None;
            if !body_schema.is_null() {
                let valid_body = generator.valid(&body_schema, "", &mut rng, 0);
                let how = (invalid && !params_broken).then(|| *rng.pick(&BREAKAGES));
                // Past the operation's own body limit where it declares one (file imports), else past 64 KiB.
                let limit = operation["x-baton-max-body-bytes"].as_u64().map_or(64 * 1024, |l| l as usize);
                let oversize = limit + 6 * 1024;
                let made = how
                    .and_then(|how| Some((how, break_body(&doc, &body_schema, &valid_body, how, oversize, &mut rng)?)));
                let (text, kind) = match made {
                    Some((how, (text, kind, at))) => {
                        breakage = Some((how, at));
                        (text, kind)
                    }
                    None => (valid_body.to_string(), "application/json"),
                };
                body = Some(text);
                content_type = Some(kind);
            }
            let who: &'static str = if stranger {
                "a stranger"
            } else if path == "/session" && method == "delete" {
                "viewer@helix.example"
            } else if path == "/session" && method == "post" {
                "a fresh client"
            } else {
                users.clients[rng.below(users.clients.len())].0
            };
            cases.push(Case {
                who,
                method: http_method.clone(),
                path: concrete,
                content_type,
                body,
                valid: !invalid && !stranger && !forger && !params_broken && breakage.is_none(),
                breakage,
                without_token: forger,
            });
        }
        for case in cases {
            let fresh;
            let client = match case.who {
                "a stranger" => &users.stranger,
                "a fresh client" => {
                    fresh = ApiClient::new(base);
                    &fresh
                }
                "viewer@helix.example" => match users.leaving.first() {
                    Some(client) => client,
                    None => &users.stranger,
                },
                who => &users.clients.iter().find(|(w, _)| *w == who).expect("a client").1,
            };
            let url = client.api(&case.path);
            let mut request = if case.without_token {
                client.http.request(case.method.clone(), &url)
            } else {
                client.request(case.method.clone(), &case.path)
            };
            if let (Some(kind), Some(body)) = (case.content_type, &case.body) {
                request = request.header("content-type", kind).body(body.clone());
            }
            let reply = send(request).await;
            sent += 1;
            if case.who == "viewer@helix.example" && reply.status == 204 && !users.leaving.is_empty() {
                users.leaving.remove(0);
            }
            *statuses.entry(format!("{method} {path}")).or_default().entry(reply.status).or_default() += 1;
            if verbose {
                eprintln!(
                    "{} -> {} {}",
                    case.describe(),
                    reply.status,
                    reply.body.to_string().chars().take(200).collect::<String>()
                );
            }
            let mut fail = |problem: String| {
                let example =
                    || format!("    request: {}\n    answer: {} {}", case.describe(), reply.status, reply.body);
                failures.entry(format!("{method} {path}: {problem}")).or_insert_with(|| (0, example())).0 += 1;
            };
            if reply.status >= 500 {
                fail("a server error".into());
                continue;
            }
            let Some(response) = documented.get(&reply.status) else {
                fail(format!("status {} is not documented for {method} {path}", reply.status));
                continue;
            };
            let content = &response["content"];
            let content_type = reply.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
            if let Some(schema) = content.get("application/json").map(|c| &c["schema"]) {
                if !content_type.starts_with("application/json") {
                    fail(format!("the answer is {content_type}, the document says application/json"));
                } else if let Err(e) = check(&doc, schema, &reply.body, "body") {
                    fail(format!("the answer does not match its documented schema: {e}"));
                } else if (200..300).contains(&reply.status) {
                    harvest(&doc, schema, &reply.body, &mut pools);
                }
            } else if let Some((documented_type, _)) = content.as_object().and_then(|c| c.iter().next()) {
                if !content_type.starts_with(documented_type.as_str()) {
                    fail(format!("the answer is {content_type}, the document says {documented_type}"));
                }
            } else if !reply.body.is_null() {
                fail("the document promises no body".into());
            }
            if case.valid && is_shape_refusal(&reply) {
                fail("a schema-valid request was refused for its shape".into());
            }
            if let Some((how, at)) = &case.breakage {
                // The extractor answers before any handler: exactly this status, naming exactly this place.
                let expected = match how {
                    Breakage::Malformed => 400,
                    Breakage::Oversize => 413,
                    Breakage::WrongContentType => 415,
                    _ => 422,
                };
                let field = reply.error_field();
                let names_it = match at.as_str() {
                    "" => field == "body",
                    // The place itself, the object holding it, or somewhere inside the wrong value.
                    at => {
                        let within = |outer: &str, inner: &str| {
                            inner.starts_with(&format!("{outer}.")) || inner.starts_with(&format!("{outer}["))
                        };
                        field == at || within(field, at) || within(at, field)
                    }
                };
                if reply.status != expected {
                    fail(format!("a body broken by {how:?} at `{at}` was answered {}, not {expected}", reply.status));
                } else if expected == 422 && !names_it {
                    fail(format!("a body broken by {how:?} at `{at}` was refused naming `{field}`"));
                }
            }
        }
    }
    let elapsed = started.elapsed();
    eprintln!("{db:?}: {sent} requests in {:.1} s (seed {seed}, {rounds} rounds per operation)", elapsed.as_secs_f64());
    for (operation, counts) in &statuses {
        eprintln!("  {operation}: {counts:?}");
    }
    assert!(sent >= 150, "only {sent} requests");
    assert!(
        failures.is_empty(),
        "{} of {sent} answers break the document (seed {seed}), in {} ways:\n{}",
        failures.values().map(|(count, _)| count).sum::<usize>(),
        failures.len(),
        failures
            .iter()
            .map(|(kind, (count, example))| format!("{kind} ({count}×)\n{example}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Text with U+0000 that gets past every other check used to reach PostgreSQL, which cannot store it: a 500. Kept
/// as fixed requests too, because the random ones reach the database with it only now and then.
async fn nul_characters_are_refused_naming_the_field(db: Backend) {
    const AGREEMENT: &str = "00000006-0000-4000-8000-000000000001";
    let server = TestServer::start(db).await;
    let admin = ApiClient::logged_in(&server.base_url, "admin@helix.example").await;
    let stranger = ApiClient::new(&server.base_url);
    let login = json!({"email": "adm\u{0}in@helix.example", "password": DEMO_PASSWORD});
    let reply = send(stranger.request(Method::POST, "/session").json(&login)).await;
    assert_eq!((reply.status, reply.error_field()), (422, "email"), "{:?}", reply.body);
    let reply = admin.get("/audit?record_id=a%00b").await;
    assert_eq!((reply.status, reply.error_field()), (422, "record_id"), "{:?}", reply.body);
    let reply = admin.get("/history/agreement/%00").await;
    assert_eq!((reply.status, reply.error_field()), (422, "id"), "{:?}", reply.body);
    let revocation = json!({"password": DEMO_PASSWORD, "reason": "ends\u{0}now", "row_version": 2});
    let path = format!("/agreements/{AGREEMENT}/revocation");
    let reply = send(admin.request(Method::POST, &path).json(&revocation)).await;
    assert_eq!((reply.status, reply.error_field()), (422, "reason"), "{:?}", reply.body);
    assert_eq!(admin.get(&format!("/agreements/{AGREEMENT}")).await.body["state"], "active");
}
