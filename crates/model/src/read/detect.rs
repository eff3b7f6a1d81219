//! Tells which Dify shape a JSON object is, from its keys.
//!
//! Detection never looks at file names. Shapes that hold LLM interactions
//! become records; shapes that hold none (feedback, annotations,
//! conversations) are recognized so they are reported, not misread as
//! messages.

use crate::convert::{is_error_body, is_error_map, RecordShape};
use crate::json_object::{JsonKind, JsonObject};

/// Events of Dify's streaming replies (§12).
const STREAM_EVENTS: &[&str] = &[
    "message",
    "agent_message",
    "agent_thought",
    "message_file",
    "message_end",
    "message_replace",
    "tts_message",
    "tts_message_end",
    "reasoning_chunk",
    "text_chunk",
    "workflow_started",
    "workflow_finished",
    "workflow_paused",
    "node_started",
    "node_finished",
    "node_retry",
    "iteration_started",
    "iteration_next",
    "iteration_completed",
    "loop_started",
    "loop_next",
    "loop_completed",
    "human_input_required",
    "human_input_form_filled",
    "human_input_form_timeout",
    "agent_log",
    "error",
    "ping",
];

/// Keys that only message-like objects have.
const MESSAGE_KEYS: &[&str] = &[
    "query",
    "answer",
    "message",
    "inputs",
    "conversation_id",
    "message_id",
    "status",
    "error",
    "feedback",
    "feedbacks",
    "model",
    "agent_thoughts",
    "metadata",
    "message_tokens",
];

/// What a JSON object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Record(RecordShape),
    /// One frame of a streaming reply, written as a JSON object.
    StreamFrame,
    /// A map of HTTP error bodies keyed by route and example name.
    ErrorMap,
    /// Something Dify exports that holds no LLM interaction.
    NotInteraction(Holding),
    Unknown,
}

/// Exports that hold no LLM interactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Holding {
    Feedback,
    FeedbackExport,
    Annotation,
    AnnotationHit,
    Conversation,
}

impl Holding {
    /// Plural noun for messages: "holds feedback entries, not messages".
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Holding::Feedback => "feedback entries",
            Holding::FeedbackExport => "a feedback export",
            Holding::Annotation => "annotations",
            Holding::AnnotationHit => "annotation hits",
            Holding::Conversation => "conversations",
        }
    }
}

/// The shape of an object, from its keys and the kinds of their values.
/// The reader asks a [`TopLevel`](crate::json_object::TopLevel) view; the
/// answer is the same for the parsed object.
pub(crate) fn classify<O: JsonObject>(object: &O) -> Shape {
    let has = |key: &str| object.has(key);

    if object.is_object("workflow_run") {
        return Shape::Record(RecordShape::WorkflowLogItem);
    }
    if let Some(event) = object.text("event") {
        // Blocking replies say `event: "message"` too, but only they carry
        // `mode` and `metadata`; a stream's `message` frame is one delta.
        if event == "message" && (has("mode") || has("metadata")) {
            return Shape::Record(RecordShape::Message);
        }
        if STREAM_EVENTS.contains(&event.as_ref()) {
            return Shape::StreamFrame;
        }
    }
    if has("workflow_run_id") && object.is_object("data") {
        return Shape::Record(RecordShape::BlockingWorkflow);
    }
    if has("node_id") && (has("node_type") || has("title")) {
        return Shape::Record(RecordShape::NodeExecution);
    }
    if is_error_body(object) {
        return Shape::Record(RecordShape::ErrorBody);
    }
    if object
        .object("message")
        .is_some_and(|m| m.contains_key("id") && (m.contains_key("query") || m.contains_key("answer")))
    {
        return Shape::Record(RecordShape::AppLogItem);
    }
    if let Some(holding) = holding(object) {
        return Shape::NotInteraction(holding);
    }
    if has("workflow_id") || has("total_steps") || (has("outputs") && !has("query") && !has("answer")) {
        return Shape::Record(RecordShape::WorkflowRun);
    }
    if is_error_map(object) {
        return Shape::ErrorMap;
    }
    if MESSAGE_KEYS.iter().any(|k| object.contains_key(k)) {
        return Shape::Record(RecordShape::Message);
    }
    Shape::Unknown
}

fn holding<O: JsonObject>(object: &O) -> Option<Holding> {
    let has = |key: &str| object.has(key);
    let message_like = has("query") || has("answer");
    if has("feedback_id")
        || has("feedback_rating_raw")
        || (has("rating") && has("message_id") && !message_like)
    {
        return Some(Holding::Feedback);
    }
    if has("export_info") || has("feedback_data") {
        return Some(Holding::FeedbackExport);
    }
    if has("question") && (has("match") || has("response")) {
        return Some(Holding::AnnotationHit);
    }
    if has("question") && (has("answer") || has("content")) && !has("query") {
        return Some(Holding::Annotation);
    }
    // Annotation file export: `{"messages": [...]}` in the fine-tune format.
    if object.has_one_key() && object.kind("messages") == Some(JsonKind::Array) {
        return Some(Holding::Annotation);
    }
    // Keys only conversation list items have (the console's completion
    // conversations nest their one message under `message`, without an id).
    let conversation_keys = [
        "introduction",
        "summary",
        "message_count",
        "status_count",
        "read_at",
        "user_feedback_stats",
        "admin_feedback_stats",
        "annotated",
    ];
    let conversation =
        conversation_keys.iter().any(|k| object.contains_key(k)) || (has("name") && has("updated_at"));
    (conversation && !message_like && !has("node_id") && !has("workflow_id")).then_some(Holding::Conversation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_object::TopLevel;
    use serde_json::{json, Value};

    /// The shape of a parsed object, checked to be the shape of its text too.
    fn shape(value: Value) -> Shape {
        let parsed = classify(&value.as_object().expect("test values are objects"));
        let text = value.to_string();
        let top = TopLevel::parse(text.as_bytes()).expect("test values are objects");
        assert_eq!(classify(&top), parsed, "the text's shape is the value's: {text}");
        parsed
    }

    #[test]
    fn tells_every_record_shape_apart() {
        use RecordShape as R;
        let cases = [
            (
                json!({"id": "l1", "workflow_run": {"id": "r1"}}),
                Shape::Record(R::WorkflowLogItem),
            ),
            (
                json!({"event": "message", "message_id": "m", "mode": "chat", "answer": "a"}),
                Shape::Record(R::Message),
            ),
            (
                json!({"event": "message", "message_id": "m", "answer": "a"}),
                Shape::StreamFrame,
            ),
            (
                json!({"event": "workflow_finished", "data": {}}),
                Shape::StreamFrame,
            ),
            (
                json!({"task_id": "t", "workflow_run_id": "r", "data": {"status": "succeeded"}}),
                Shape::Record(R::BlockingWorkflow),
            ),
            (
                json!({"id": "n", "node_id": "llm1", "node_type": "llm"}),
                Shape::Record(R::NodeExecution),
            ),
            (
                json!({"code": "not_found", "message": "x", "status": 404}),
                Shape::Record(R::ErrorBody),
            ),
            (
                json!({"id": "l", "message": {"id": "m", "query": "q"}}),
                Shape::Record(R::AppLogItem),
            ),
            (
                json!({"id": "r", "workflow_id": "w", "inputs": "{}"}),
                Shape::Record(R::WorkflowRun),
            ),
            (
                json!({"id": "r", "status": "succeeded", "outputs": {}}),
                Shape::Record(R::WorkflowRun),
            ),
            (
                json!({"id": "m", "query": "q", "answer": "a"}),
                Shape::Record(R::Message),
            ),
            (json!({"id": "m", "message": ""}), Shape::Record(R::Message)),
            (
                json!({"id": 1, "model": "gpt-4", "response_time": 1.2}),
                Shape::Record(R::Message),
            ),
        ];
        for (value, want) in cases {
            assert_eq!(shape(value.clone()), want, "{value}");
        }
    }

    #[test]
    fn recognizes_exports_without_interactions() {
        let cases = [
            (
                json!({"id": "f", "message_id": "m", "rating": "like", "content": "ok"}),
                Holding::Feedback,
            ),
            (
                json!({"feedback_id": "f", "feedback_rating_raw": "like"}),
                Holding::Feedback,
            ),
            (
                json!({"export_info": {}, "feedback_data": []}),
                Holding::FeedbackExport,
            ),
            (
                json!({"id": "a", "question": "q", "answer": "a", "hit_count": 5}),
                Holding::Annotation,
            ),
            (
                json!({"messages": [{"role": "user", "content": "q"}]}),
                Holding::Annotation,
            ),
            (
                json!({"id": "h", "question": "q", "match": "m", "response": "r", "score": 0.9}),
                Holding::AnnotationHit,
            ),
            (
                json!({"id": "c", "name": "Chat", "inputs": {}, "status": "normal", "introduction": ""}),
                Holding::Conversation,
            ),
            (
                json!({"id": "c", "name": "Chat", "summary": "s", "message_count": 3}),
                Holding::Conversation,
            ),
            (
                json!({"id": "c", "status": "normal", "from_source": "api", "read_at": null,
                       "user_feedback_stats": {"like": 1, "dislike": 0},
                       "message": {"inputs": {}, "query": "q", "message": [], "answer": "a"}}),
                Holding::Conversation,
            ),
        ];
        for (value, want) in cases {
            assert_eq!(shape(value.clone()), Shape::NotInteraction(want), "{value}");
        }
    }

    #[test]
    fn error_maps_and_unknown_objects() {
        let body = json!({"code": "x", "message": "y", "status": 400});
        assert_eq!(shape(json!({"/chat-messages": {"400 x": body}})), Shape::ErrorMap);
        assert_eq!(shape(json!({"id": "x"})), Shape::Unknown);
        assert_eq!(shape(json!({"foo": 1})), Shape::Unknown);
    }
}
