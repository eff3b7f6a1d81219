//! Field paths: how rules name a part of a record (`usage.total_tokens`,
//! `inputs.category`, `raw.metadata.usage.latency`).
//!
//! A path is parsed once, when a rule is loaded, into a [`FieldPath`]; an
//! unknown name is an error then, not a silent `false` at run time. Reading a
//! path from a record gives a [`Value`] that borrows from the record, so
//! evaluation allocates nothing for text fields.

use std::borrow::Cow;

use rust_decimal::prelude::ToPrimitive;
use thiserror::Error;

use crate::lazy_json::Lookup;
use crate::record::Record;

/// A field of the model, or a path into `inputs` or the original JSON.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldPath {
    Model(ModelField),
    /// `inputs.<key>[.<key>...]`
    Inputs(Vec<String>),
    /// `raw.<key>[.<key>...]`; a numeric segment indexes an array.
    Raw(Vec<String>),
}

macro_rules! model_fields {
    ($( $variant:ident => $name:literal : $doc:literal ),* $(,)?) => {
        /// Every named field of the model a rule can read.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ModelField { $( #[doc = $doc] $variant ),* }

        impl ModelField {
            /// All fields, in documentation order.
            pub const ALL: &'static [ModelField] = &[$(ModelField::$variant),*];

            /// The dotted name rules use.
            pub fn name(self) -> &'static str {
                match self { $(ModelField::$variant => $name),* }
            }

            /// One line saying what the field holds.
            pub fn doc(self) -> &'static str {
                match self { $(ModelField::$variant => $doc),* }
            }

            fn from_name(name: &str) -> Option<ModelField> {
                match name { $($name => Some(ModelField::$variant),)* _ => None }
            }
        }
    };
}

model_fields! {
    Id => "id": "record id (message, workflow run or node execution id)",
    Kind => "kind": "message, workflow_run or node_execution",
    ConversationId => "conversation_id": "conversation id",
    ParentMessageId => "parent_message_id": "parent message id (regenerated branches)",
    AppId => "app_id": "app id",
    EndUser => "end_user": "end user or account that sent the request",
    WorkflowRunId => "workflow_run_id": "workflow run id",
    CreatedAt => "created_at": "creation time, Unix seconds (UTC)",
    Source => "source": "api, console, web_app, service_api, installed_app",
    Query => "query": "the user's turn",
    Answer => "answer": "the model's answer",
    Prompt => "prompt": "text of every prompt message (a list)",
    PromptSystem => "prompt.system": "text of the system prompt messages (a list)",
    PromptRoles => "prompt.role": "roles of the prompt messages (a list)",
    Status => "status": "ok, error, stopped, partial, running or other",
    RawStatus => "raw_status": "the status exactly as the log spelled it",
    Error => "error": "error text",
    ModelProvider => "model.provider": "model provider (openai, anthropic, ...)",
    ModelName => "model.name": "model name",
    ModelMode => "model.mode": "chat or completion",
    ModelMaxTokens => "model.max_tokens": "configured output-token limit",
    FinishReason => "finish_reason": "provider finish reason (stop, length, ...)",
    PromptTokens => "usage.prompt_tokens": "prompt tokens",
    CompletionTokens => "usage.completion_tokens": "completion (answer) tokens",
    TotalTokens => "usage.total_tokens": "total tokens",
    PromptPrice => "usage.prompt_price": "prompt price (exact decimal)",
    CompletionPrice => "usage.completion_price": "completion price (exact decimal)",
    TotalPrice => "usage.total_price": "total price (exact decimal)",
    Currency => "usage.currency": "price currency",
    Latency => "usage.latency": "latency in seconds",
    TimeToFirstToken => "usage.time_to_first_token": "seconds to the first streamed token",
    FeedbackRating => "feedback.rating": "like / dislike ratings (a list)",
    FeedbackComment => "feedback.comment": "feedback comments (a list)",
    FeedbackFrom => "feedback.from": "user / admin, per feedback (a list)",
    FeedbackCount => "feedback.count": "number of feedback entries",
    Annotation => "annotation": "an admin's improved answer",
    AnnotationHit => "annotation_hit": "the reply was served from an annotation",
    RetrieverContent => "retriever_resources.content": "retrieved chunk texts (a list)",
    RetrieverScore => "retriever_resources.score": "retrieval scores (a list)",
    RetrieverDataset => "retriever_resources.dataset_name": "retrieved dataset names (a list)",
    RetrieverDocument => "retriever_resources.document_name": "retrieved document names (a list)",
    RetrieverCount => "retriever_resources.count": "number of retrieved chunks",
    ToolName => "tool_calls.tool": "names of the tools called (a list)",
    ToolInput => "tool_calls.input": "tool inputs (a list)",
    ToolObservation => "tool_calls.observation": "tool observations (a list)",
    ToolCount => "tool_calls.count": "number of tool calls",
    WorkflowStatus => "workflow.status": "workflow run status as given",
    WorkflowElapsed => "workflow.elapsed": "workflow run time in seconds",
    WorkflowSteps => "workflow.steps": "workflow steps",
    WorkflowExceptions => "workflow.exceptions_count": "workflow node exceptions handled by an error strategy",
    WorkflowNodeErrors => "workflow.nodes.error": "error texts of the workflow's nodes (a list)",
    WorkflowNodeTypes => "workflow.nodes.node_type": "types of the workflow's nodes (a list)",
    NodeId => "node.node_id": "node id in the workflow graph (node execution records)",
    NodeType => "node.node_type": "node type: llm, tool, code, ... (node execution records)",
    NodeTitle => "node.title": "node title (node execution records)",
    OriginFile => "origin.file": "the file the record was read from",
    OriginIndex => "origin.index": "the record's index in its file",
}

/// A field path a rule named that the model does not know.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("unknown field `{path}`")]
pub struct UnknownField {
    pub path: String,
    /// The closest known name, when one is close enough to be a typo.
    pub suggestion: Option<&'static str>,
}

impl FieldPath {
    /// Parses a dotted path. `inputs.` and `raw.` paths are open-ended; every
    /// other name must be one of [`ModelField::ALL`].
    pub fn parse(path: &str) -> Result<FieldPath, UnknownField> {
        let path = path.trim();
        for (prefix, make) in [
            ("inputs.", FieldPath::Inputs as fn(Vec<String>) -> FieldPath),
            ("raw.", FieldPath::Raw),
        ] {
            if let Some(rest) = path.strip_prefix(prefix) {
                let segments: Vec<String> = rest.split('.').map(str::to_string).collect();
                if segments.iter().any(String::is_empty) {
                    break;
                }
                return Ok(make(segments));
            }
        }
        match path {
            "inputs" => return Ok(FieldPath::Inputs(Vec::new())),
            "raw" => return Ok(FieldPath::Raw(Vec::new())),
            _ => {}
        }
        ModelField::from_name(path)
            .map(FieldPath::Model)
            .ok_or_else(|| UnknownField {
                path: path.to_string(),
                suggestion: closest_field(path),
            })
    }

    /// Reads this path from a record.
    pub fn get<'r>(&self, record: &'r Record) -> Value<'r> {
        match self {
            FieldPath::Model(field) => model_value(*field, record),
            FieldPath::Inputs(keys) => {
                if keys.is_empty() {
                    return Value::Map(record.inputs.len());
                }
                let first = record.inputs.get(&keys[0]);
                first
                    .and_then(|v| json_walk(v, &keys[1..]))
                    .map_or(Value::Missing, Value::from_json)
            }
            FieldPath::Raw(keys) => match record.raw.lookup(keys) {
                Lookup::Whole(whole) => json_walk(whole, keys).map_or(Value::Missing, Value::from_json),
                Lookup::Found(found) => Value::from_owned_json(found),
                Lookup::Missing => Value::Missing,
            },
        }
    }
}

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldPath::Model(m) => f.write_str(m.name()),
            FieldPath::Inputs(k) if k.is_empty() => f.write_str("inputs"),
            FieldPath::Inputs(k) => write!(f, "inputs.{}", k.join(".")),
            FieldPath::Raw(k) if k.is_empty() => f.write_str("raw"),
            FieldPath::Raw(k) => write!(f, "raw.{}", k.join(".")),
        }
    }
}

/// Follows `keys` into a JSON value: object keys, and array indexes for
/// numeric keys. `None` when a step is missing. Shared with the script host,
/// so `raw.a.0.b` means the same in YAML and in Rhai.
pub fn json_walk<'v>(mut value: &'v serde_json::Value, keys: &[String]) -> Option<&'v serde_json::Value> {
    for key in keys {
        value = match value {
            serde_json::Value::Object(map) => map.get(key)?,
            serde_json::Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

/// A value read from a record. Text borrows from the record.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'r> {
    /// The field is absent (or null).
    Missing,
    Bool(bool),
    Number(f64),
    Text(Cow<'r, str>),
    /// Several values: a condition holds when it holds for any of them.
    List(Vec<Value<'r>>),
    /// A JSON object with this many keys (only existence and size are useful).
    Map(usize),
}

impl<'r> Value<'r> {
    fn from_json(value: &'r serde_json::Value) -> Value<'r> {
        match value {
            serde_json::Value::Null => Value::Missing,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => n.as_f64().map_or(Value::Missing, Value::Number),
            serde_json::Value::String(s) => Value::Text(Cow::Borrowed(s)),
            serde_json::Value::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(map) => Value::Map(map.len()),
        }
    }

    /// [`Value::from_json`] of a value the caller does not keep.
    fn from_owned_json(value: serde_json::Value) -> Value<'r> {
        match value {
            serde_json::Value::Null => Value::Missing,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => n.as_f64().map_or(Value::Missing, Value::Number),
            serde_json::Value::String(s) => Value::Text(Cow::Owned(s)),
            serde_json::Value::Array(items) => {
                Value::List(items.into_iter().map(Value::from_owned_json).collect())
            }
            serde_json::Value::Object(map) => Value::Map(map.len()),
        }
    }

    fn opt_text(text: Option<&'r str>) -> Value<'r> {
        text.map_or(Value::Missing, |s| Value::Text(Cow::Borrowed(s)))
    }

    fn opt_number(n: Option<f64>) -> Value<'r> {
        n.map_or(Value::Missing, Value::Number)
    }

    fn opt_count(n: Option<u64>) -> Value<'r> {
        Value::opt_number(n.map(|n| n as f64))
    }

    fn texts<I: IntoIterator<Item = Option<&'r str>>>(items: I) -> Value<'r> {
        Value::List(
            items
                .into_iter()
                .flatten()
                .map(|s| Value::Text(Cow::Borrowed(s)))
                .collect(),
        )
    }

    /// True when the field is absent.
    pub fn is_missing(&self) -> bool {
        matches!(self, Value::Missing)
    }

    /// The text, when this is a single text value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The number, when this is a single number.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// Renders the value for messages and group keys.
    pub fn render(&self) -> String {
        match self {
            Value::Missing => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => render_number(*n),
            Value::Text(s) => s.to_string(),
            Value::List(items) => items.iter().map(Value::render).collect::<Vec<_>>().join(", "),
            Value::Map(n) => format!("{{{n} keys}}"),
        }
    }
}

/// Numbers as people read them: whole numbers without a fraction, numbers
/// from 1 up with two decimals, smaller ones with four significant digits
/// (`0.1304`, `0.001283`), trailing zeros trimmed. Exact values stay in the
/// JSON report; this is for messages and tables.
pub fn render_number(n: f64) -> String {
    if !n.is_finite() {
        return n.to_string();
    }
    if n.fract() == 0.0 && n.abs() < 1e15 {
        return format!("{}", n as i64);
    }
    let decimals = if n.abs() >= 1.0 {
        2
    } else {
        (3 - n.abs().log10().floor() as i64).clamp(0, 12) as usize
    };
    let s = format!("{n:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn model_value(field: ModelField, r: &Record) -> Value<'_> {
    use ModelField as F;
    let decimal = |d: Option<rust_decimal::Decimal>| Value::opt_number(d.and_then(|d| d.to_f64()));
    match field {
        F::Id => Value::Text(Cow::Borrowed(&r.id)),
        F::Kind => Value::Text(Cow::Borrowed(r.kind.as_str())),
        F::ConversationId => Value::opt_text(r.conversation_id.as_deref()),
        F::ParentMessageId => Value::opt_text(r.parent_message_id.as_deref()),
        F::AppId => Value::opt_text(r.app_id.as_deref()),
        F::EndUser => Value::opt_text(r.end_user.as_deref()),
        F::WorkflowRunId => Value::opt_text(r.workflow_run_id.as_deref()),
        F::CreatedAt => Value::opt_number(r.created_at.map(|t| t.timestamp() as f64)),
        F::Source => Value::opt_text(r.source.as_ref().map(|s| s.as_str())),
        F::Query => Value::opt_text(r.query.as_deref()),
        F::Answer => Value::opt_text(r.answer.as_deref()),
        F::Prompt => Value::texts(r.prompt.iter().map(|m| Some(m.text.as_str()))),
        F::PromptSystem => Value::texts(
            r.prompt
                .iter()
                .filter(|m| m.role == "system")
                .map(|m| Some(m.text.as_str())),
        ),
        F::PromptRoles => Value::texts(r.prompt.iter().map(|m| Some(m.role.as_str()))),
        F::Status => Value::Text(Cow::Borrowed(r.status.as_str())),
        F::RawStatus => Value::opt_text(r.raw_status.as_deref()),
        F::Error => Value::opt_text(r.error.as_deref()),
        F::ModelProvider => Value::opt_text(r.model.provider.as_deref()),
        F::ModelName => Value::opt_text(r.model.name.as_deref()),
        F::ModelMode => Value::opt_text(r.model.mode.as_deref()),
        F::ModelMaxTokens => Value::opt_count(r.model.max_tokens),
        F::FinishReason => Value::opt_text(r.finish_reason.as_deref()),
        F::PromptTokens => Value::opt_count(r.usage.prompt_tokens),
        F::CompletionTokens => Value::opt_count(r.usage.completion_tokens),
        F::TotalTokens => Value::opt_count(r.usage.total_tokens),
        F::PromptPrice => decimal(r.usage.prompt_price),
        F::CompletionPrice => decimal(r.usage.completion_price),
        F::TotalPrice => decimal(r.usage.total_price),
        F::Currency => Value::opt_text(r.usage.currency.as_deref()),
        F::Latency => Value::opt_number(r.usage.latency),
        F::TimeToFirstToken => Value::opt_number(r.usage.time_to_first_token),
        F::FeedbackRating => Value::texts(r.feedback.iter().map(|f| f.rating.map(|r| r.as_str()))),
        F::FeedbackComment => Value::texts(r.feedback.iter().map(|f| f.comment.as_deref())),
        F::FeedbackFrom => Value::texts(r.feedback.iter().map(|f| Some(f.from.as_str()))),
        F::FeedbackCount => Value::Number(r.feedback.len() as f64),
        F::Annotation => Value::opt_text(r.annotation.as_ref().and_then(|a| a.content.as_deref())),
        F::AnnotationHit => Value::Bool(r.annotation_hit),
        F::RetrieverContent => Value::texts(r.retriever_resources.iter().map(|x| x.content.as_deref())),
        F::RetrieverScore => Value::List(
            r.retriever_resources
                .iter()
                .filter_map(|x| x.score.map(Value::Number))
                .collect(),
        ),
        F::RetrieverDataset => Value::texts(r.retriever_resources.iter().map(|x| x.dataset_name.as_deref())),
        F::RetrieverDocument => {
            Value::texts(r.retriever_resources.iter().map(|x| x.document_name.as_deref()))
        }
        F::RetrieverCount => Value::Number(r.retriever_resources.len() as f64),
        F::ToolName => Value::texts(r.tool_calls.iter().map(|t| t.tool.as_deref())),
        F::ToolInput => Value::texts(r.tool_calls.iter().map(|t| t.input.as_deref())),
        F::ToolObservation => Value::texts(r.tool_calls.iter().map(|t| t.observation.as_deref())),
        F::ToolCount => Value::Number(r.tool_calls.len() as f64),
        F::WorkflowStatus => Value::opt_text(r.workflow.as_ref().and_then(|w| w.status.as_deref())),
        F::WorkflowElapsed => Value::opt_number(r.workflow.as_ref().and_then(|w| w.elapsed)),
        F::WorkflowSteps => Value::opt_count(r.workflow.as_ref().and_then(|w| w.steps)),
        F::WorkflowExceptions => Value::opt_count(r.workflow.as_ref().and_then(|w| w.exceptions_count)),
        F::WorkflowNodeErrors => match &r.workflow {
            Some(w) => Value::texts(w.nodes.iter().map(|n| n.error.as_deref())),
            None => Value::Missing,
        },
        F::WorkflowNodeTypes => match &r.workflow {
            Some(w) => Value::texts(w.nodes.iter().map(|n| n.node_type.as_deref())),
            None => Value::Missing,
        },
        F::NodeId => Value::opt_text(r.node.as_ref().and_then(|n| n.node_id.as_deref())),
        F::NodeType => Value::opt_text(r.node.as_ref().and_then(|n| n.node_type.as_deref())),
        F::NodeTitle => Value::opt_text(r.node.as_ref().and_then(|n| n.title.as_deref())),
        F::OriginFile => Value::Text(Cow::Borrowed(&r.origin.file)),
        F::OriginIndex => Value::Number(r.origin.index as f64),
    }
}

/// The known field name closest to `wanted`, if it is within a small edit distance.
fn closest_field(wanted: &str) -> Option<&'static str> {
    ModelField::ALL
        .iter()
        .map(|f| (edit_distance(wanted, f.name()), f.name()))
        .filter(|(d, name)| *d <= 2.max(name.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

/// Levenshtein distance; rule names are short, so the quadratic version is fine.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Feedback, FeedbackFrom, Rating};

    fn record() -> Record {
        Record {
            id: "m1".into(),
            answer: Some("hello".into()),
            inputs: serde_json::json!({"category": "billing", "nested": {"x": 3}})
                .as_object()
                .cloned()
                .unwrap(),
            raw: serde_json::json!({"metadata": {"usage": {"latency": 1.5}}, "list": [10, 20]}).into(),
            feedback: vec![Feedback {
                rating: Some(Rating::Dislike),
                comment: None,
                from: FeedbackFrom::User,
            }],
            ..Record::default()
        }
    }

    #[test]
    fn model_fields_round_trip_their_names() {
        for field in ModelField::ALL {
            assert_eq!(FieldPath::parse(field.name()), Ok(FieldPath::Model(*field)));
        }
    }

    #[test]
    fn reads_model_inputs_and_raw_paths() {
        let r = record();
        let get = |p: &str| FieldPath::parse(p).unwrap().get(&r);
        assert_eq!(get("answer").as_text(), Some("hello"));
        assert_eq!(get("inputs.category").as_text(), Some("billing"));
        assert_eq!(get("inputs.nested.x").as_number(), Some(3.0));
        assert_eq!(get("raw.metadata.usage.latency").as_number(), Some(1.5));
        assert_eq!(get("raw.list.1").as_number(), Some(20.0));
        assert!(get("raw.metadata.nope").is_missing());
        assert!(get("usage.total_tokens").is_missing());
        assert_eq!(
            get("feedback.rating"),
            Value::List(vec![Value::Text("dislike".into())])
        );
    }

    #[test]
    fn raw_paths_read_the_same_from_the_text_and_from_the_value() {
        let text =
            r#"{"m": {"s": "x", "l": [1, "a", null, {"k": 1}], "o": {"a": 1, "b": 2}}, "n": null, "f": 2.5}"#;
        let parsed = Record {
            raw: serde_json::from_str::<serde_json::Value>(text).unwrap().into(),
            ..Record::default()
        };
        let lazy = Record {
            raw: crate::record::RawJson::from_text(text.as_bytes().to_vec()),
            ..Record::default()
        };
        for path in [
            "raw.m.s",
            "raw.m.l",
            "raw.m.l.3",
            "raw.m.l.3.k",
            "raw.m.o",
            "raw.n",
            "raw.f",
            "raw.m.zz",
            "raw.m.s.0",
        ] {
            let path = FieldPath::parse(path).unwrap();
            assert_eq!(path.get(&lazy), path.get(&parsed), "{path}");
        }
        assert_eq!(FieldPath::parse("raw.m.o").unwrap().get(&lazy), Value::Map(2));
    }

    #[test]
    fn node_fields_read_the_node_of_a_node_execution() {
        let r = Record {
            node: Some(crate::record::NodeSummary {
                node_type: Some("llm".into()),
                title: Some("LLM".into()),
                ..Default::default()
            }),
            ..Record::default()
        };
        let get = |p: &str| FieldPath::parse(p).unwrap().get(&r);
        assert_eq!(get("node.node_type").as_text(), Some("llm"));
        assert_eq!(get("node.title").as_text(), Some("LLM"));
        assert!(get("node.node_id").is_missing());
        assert!(FieldPath::parse("node.node_id")
            .unwrap()
            .get(&record())
            .is_missing());
    }

    #[test]
    fn unknown_fields_suggest_the_closest_name() {
        let err = FieldPath::parse("usage.total_token").unwrap_err();
        assert_eq!(err.suggestion, Some("usage.total_tokens"));
        assert!(FieldPath::parse("raw.").is_err());
        assert_eq!(
            FieldPath::parse("completely_different").unwrap_err().suggestion,
            None
        );
    }

    #[test]
    fn numbers_render_without_noise() {
        assert_eq!(render_number(3.0), "3");
        assert_eq!(render_number(0.25), "0.25");
        assert_eq!(render_number(1.0 / 3.0), "0.3333");
        assert_eq!(render_number(24.780499), "24.78");
        assert_eq!(render_number(16.5), "16.5");
        assert_eq!(render_number(0.0012825), "0.001283");
        assert_eq!(render_number(-0.0001), "-0.0001");
        assert_eq!(render_number(-0.00001), "-0.00001");
    }
}
