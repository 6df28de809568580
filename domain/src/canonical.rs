//! Canonical JSON and SHA-256: the exact bytes a signature or an audit entry is bound to.
//!
//! Object keys are sorted here, explicitly, so the result never depends on how serde_json happens to be built.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// JSON text with object keys sorted at every level and no insignificant white space.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Lower-case hex SHA-256 of the text.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_does_not_change_the_text() {
        let a = json!({"b": 1, "a": {"d": [1, {"z": null, "y": "x"}], "c": true}});
        let b: Value = serde_json::from_str(r#"{"a":{"c":true,"d":[1,{"y":"x","z":null}]},"b":1}"#).expect("json");
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(canonical_json(&a), r#"{"a":{"c":true,"d":[1,{"y":"x","z":null}]},"b":1}"#);
    }

    #[test]
    fn hashes_are_sha256_hex() {
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(canonical_json(&json!("é\"")), "\"é\\\"\"");
    }
}
