//! [`RawJson`]: a record's original JSON, parsed only when something reads it.
//!
//! Every record keeps its original object so a rule can reach fields the
//! model does not name (`raw.metadata.x`). Building a `serde_json::Value` of
//! a record costs about as much as reading the whole record into the model
//! again, so the reader keeps the record's bytes. A `raw.*` path is looked up
//! in the bytes ([`RawJson::lookup`]: where the reader found the top-level
//! keys, then only the values on the path); the whole value is built on the
//! first read that needs it (a script's `record.raw`), once, whichever thread
//! reads first.

use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::json_object::TopLevel;
use crate::read::Member;

/// A JSON value kept as text until it is first read.
///
/// It dereferences to the parsed [`Value`], so `record.raw["id"]` and
/// `json_walk(&record.raw, ...)` read it like a `Value`. Text that is not
/// JSON reads as `null`; the reader only keeps text it has parsed already.
#[derive(Clone, Default)]
pub struct RawJson {
    /// The JSON text; empty when the value was given already parsed.
    text: Vec<u8>,
    /// Where the reader found the object's members in `text`, if it did.
    members: Option<Vec<Member>>,
    value: OnceLock<Value>,
}

/// What [`RawJson::lookup`] found at a path.
#[derive(Debug, PartialEq)]
pub enum Lookup<'a> {
    /// The whole value, parsed: walk it (with `field::json_walk`).
    Whole(&'a Value),
    /// The value at the path, parsed on its own.
    Found(Value),
    /// Nothing at the path.
    Missing,
}

impl RawJson {
    /// Keeps JSON text to be parsed on the first read.
    pub fn from_text(text: Vec<u8>) -> RawJson {
        RawJson {
            text,
            members: None,
            value: OnceLock::new(),
        }
    }

    /// Keeps a JSON object's text with where its members lie in it.
    pub(crate) fn from_object_text(text: Vec<u8>, members: Option<Vec<Member>>) -> RawJson {
        RawJson {
            text,
            members,
            value: OnceLock::new(),
        }
    }

    /// The value at `keys` (object keys, and array indexes for numeric
    /// keys, as `field::json_walk` follows them), reading only the values on
    /// the path when the whole value is not parsed yet. Reads what walking
    /// the whole value reads.
    pub fn lookup(&self, keys: &[String]) -> Lookup<'_> {
        match self.value.get() {
            Some(value) => Lookup::Whole(value),
            None => self
                .lookup_in_text(keys)
                .unwrap_or_else(|| Lookup::Whole(self.value())),
        }
    }

    /// `None` when the text cannot answer (then the whole value does).
    fn lookup_in_text(&self, keys: &[String]) -> Option<Lookup<'_>> {
        let (first, rest) = keys.split_first()?;
        let top = match &self.members {
            Some(members) => TopLevel::from_members(&self.text, members),
            None => None,
        };
        let top = match top {
            Some(top) => top,
            None => TopLevel::parse(&self.text).ok()?,
        };
        let Some(mut at) = top.value_text(first) else {
            return Some(Lookup::Missing);
        };
        for key in rest {
            let next = match at.first() {
                Some(b'{') => TopLevel::parse(at).ok()?.value_text(key),
                Some(b'[') => {
                    let items: Vec<&RawValue> = serde_json::from_slice(at).ok()?;
                    key.parse::<usize>()
                        .ok()
                        .and_then(|i| items.get(i))
                        .map(|item| item.get().as_bytes())
                }
                _ => None,
            };
            let Some(next) = next else {
                return Some(Lookup::Missing);
            };
            at = next;
        }
        serde_json::from_slice(at).ok().map(Lookup::Found)
    }

    /// The parsed value (parsed now if this is the first read).
    pub fn value(&self) -> &Value {
        self.value
            .get_or_init(|| serde_json::from_slice(&self.text).unwrap_or(Value::Null))
    }
}

impl From<Value> for RawJson {
    fn from(value: Value) -> RawJson {
        RawJson {
            text: Vec::new(),
            members: None,
            value: OnceLock::from(value),
        }
    }
}

/// A lazily parsed value reads like the value, the way `LazyLock` reads like
/// what it holds.
impl Deref for RawJson {
    type Target = Value;

    fn deref(&self) -> &Value {
        self.value()
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &RawJson) -> bool {
        self.value() == other.value()
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.value(), f)
    }
}

/// Serialized as the parsed value, exactly as a `Value` field was: the
/// original text may differ in spacing, escapes and number spelling.
impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_is_parsed_on_first_read_and_kept() {
        let raw = RawJson::from_text(br#"{"a": [1, {"b": "x"}], "z": 1.50}"#.to_vec());
        assert!(raw.value.get().is_none(), "nothing parsed before a read");
        assert_eq!(raw["a"][1]["b"], "x");
        assert!(raw.value.get().is_some());
        assert_eq!(raw.value(), &json!({"a": [1, {"b": "x"}], "z": 1.5}));
    }

    #[test]
    fn keeps_key_order_and_serializes_like_the_value() {
        let text = br#"{ "z": 1, "a": "\u00e9", "m": 2.50 }"#.to_vec();
        let value: Value = serde_json::from_slice(&text).expect("test text is JSON");
        let raw = RawJson::from_text(text);
        assert_eq!(
            serde_json::to_string(&raw).expect("serializes"),
            serde_json::to_string(&value).expect("serializes")
        );
        assert_eq!(
            serde_json::to_string(&raw).expect("serializes"),
            r#"{"z":1,"a":"é","m":2.5}"#
        );
    }

    #[test]
    fn paths_are_looked_up_in_the_text_as_in_the_value() {
        let text = br#"{"a": {"b": [10, {"c": "x"}], "b\u0032": 2, "n": null}, "d": 1, "d": 2, "e": "s"}"#;
        let members = crate::json_object::tests::members_of(text);
        let whole: Value = serde_json::from_slice(text).expect("test text is JSON");
        let paths: &[&[&str]] = &[
            &["a", "b", "1", "c"],
            &["a", "b", "0"],
            &["a", "b"],
            &["a", "b2"],
            &["a", "n"],
            &["a", "n", "x"],
            &["a", "b", "7"],
            &["a", "b", "x"],
            &["d"],
            &["e", "0"],
            &["zz"],
            &["a"],
        ];
        for with_members in [true, false] {
            let raw = RawJson::from_object_text(text.to_vec(), with_members.then(|| members.clone()));
            for path in paths {
                let keys: Vec<String> = path.iter().map(|k| k.to_string()).collect();
                let want = crate::field::json_walk(&whole, &keys).filter(|v| !v.is_null());
                let got = match raw.lookup(&keys) {
                    Lookup::Found(v) => Some(v).filter(|v| !v.is_null()),
                    Lookup::Missing => None,
                    Lookup::Whole(_) => panic!("{path:?} needed the whole value"),
                };
                assert_eq!(got.as_ref(), want, "{path:?}");
            }
            assert!(raw.value.get().is_none(), "no path parsed the whole value");
        }
        let parsed = RawJson::from_text(text.to_vec());
        assert_eq!(parsed.value()["d"], 2);
        assert_eq!(parsed.lookup(&["d".to_string()]), Lookup::Whole(parsed.value()));
    }

    #[test]
    fn parsed_values_default_and_equality() {
        assert_eq!(RawJson::default().value(), &Value::Null);
        assert_eq!(RawJson::from_text(b"not json".to_vec()).value(), &Value::Null);
        let given = RawJson::from(json!({"k": [1, 2]}));
        assert_eq!(given, RawJson::from_text(br#"{"k":[1,2]}"#.to_vec()));
        assert_ne!(given, RawJson::from(json!({"k": [2, 1]})));
        assert_eq!(format!("{given:?}"), format!("{:?}", json!({"k": [1, 2]})));
    }
}
