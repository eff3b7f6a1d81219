//! HTTP error bodies (`{code, message, status}`) to records.
//!
//! An error body is a request that failed before any message existed, so it
//! has no id of its own: the reader gives it `<file>#<index>`. The error
//! examples file of the API reference is a map of bodies keyed by route and
//! example name (`{"/chat-messages": {"400 app_unavailable": {...}}}`); each
//! body is read as a record whose id is `<route> <example name>`, because the
//! example names repeat across routes.

use serde_json::{Map, Value};

use crate::json_object::{JsonKind, JsonObject};
use crate::raw::RawErrorBody;
use crate::record::{Record, RecordKind, Status};

use super::common::non_empty;

/// True for `{code, message}` (with or without `status`) that is no log record.
pub(crate) fn is_error_body<O: JsonObject>(object: &O) -> bool {
    object.kind("code") == Some(JsonKind::String)
        && object.kind("message") == Some(JsonKind::String)
        && object
            .kind("status")
            .is_none_or(|s| s == JsonKind::Number || s == JsonKind::String)
        && !["id", "answer", "query", "event"]
            .iter()
            .any(|k| object.contains_key(k))
}

/// True for a map of error bodies, one or two levels deep.
pub(crate) fn is_error_map<O: JsonObject>(object: &O) -> bool {
    let Some(values) = object.objects() else {
        return false;
    };
    let mut bodies = 0;
    for inner in values {
        if is_error_body(&inner) {
            bodies += 1;
            continue;
        }
        let Some(inner_values) = inner.objects() else {
            return false;
        };
        for body in inner_values {
            if !is_error_body(&body) {
                return false;
            }
            bodies += 1;
        }
    }
    bodies > 0
}

/// One error body. The id is left empty for the reader to fill in.
pub(crate) fn from_body(body: RawErrorBody) -> Record {
    Record {
        kind: RecordKind::Message,
        status: Status::Error,
        error: non_empty(body.message),
        ..Record::default()
    }
}

/// Every body of an error map, with its id and JSON path suffix.
pub(crate) fn from_map(object: &Map<String, Value>) -> Vec<(Record, String)> {
    let mut out = Vec::new();
    for (outer, value) in object {
        let Value::Object(inner) = value else {
            continue;
        };
        if is_error_body(&inner) {
            out.push(named(outer.clone(), format!("[{}]", quoted(outer)), value));
            continue;
        }
        for (name, body) in inner {
            out.push(named(
                format!("{outer} {name}"),
                format!("[{}][{}]", quoted(outer), quoted(name)),
                body,
            ));
        }
    }
    out
}

fn named(id: String, path: String, body: &Value) -> (Record, String) {
    let mut record = from_body(raw_body(body));
    record.id = id;
    record.raw = body.clone().into();
    (record, path)
}

fn quoted(key: &str) -> String {
    Value::from(key).to_string()
}

/// Reads a body from a parsed value; fields of the wrong type read as missing.
fn raw_body(body: &Value) -> RawErrorBody {
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    RawErrorBody {
        code: text("code"),
        message: text("message"),
        status: body.get("status").and_then(Value::as_u64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn recognizes_bodies_and_maps() {
        let body = json!({"code": "not_found", "message": "Conversation Not Exists.", "status": 404});
        assert!(is_error_body(&body.as_object().unwrap()));
        let with_id = json!({"id": "m1", "code": "x", "message": "y"});
        assert!(!is_error_body(&with_id.as_object().unwrap()));
        let map =
            json!({"/chat-messages": {"404 a": body.clone(), "429 b": body.clone()}, "/x": {"500 c": body}});
        assert!(is_error_map(&map.as_object().unwrap()));
        let not_map = json!({"/chat-messages": {"404 a": {"code": 1}}});
        assert!(!is_error_map(&not_map.as_object().unwrap()));
        assert!(!is_error_map(&json!({}).as_object().unwrap()));
    }

    #[test]
    fn map_bodies_are_named_by_route_and_example() {
        let map = json!({"/chat-messages": {"404 conversation_not_exists": {"code": "not_found", "message": "Conversation Not Exists.", "status": 404}}});
        let records = from_map(map.as_object().unwrap());
        assert_eq!(records.len(), 1);
        let (record, path) = &records[0];
        assert_eq!(record.id, "/chat-messages 404 conversation_not_exists");
        assert_eq!(path, r#"["/chat-messages"]["404 conversation_not_exists"]"#);
        assert_eq!(record.status, Status::Error);
        assert_eq!(record.error.as_deref(), Some("Conversation Not Exists."));
        assert_eq!(record.raw["code"], "not_found");
    }
}
