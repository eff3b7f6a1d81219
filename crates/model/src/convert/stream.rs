//! Assembles the frames of streaming replies into records: one per message
//! (chat, agent, chatflow) or per workflow run (workflow apps).
//!
//! Frames of one reply share a `task_id` (and a `message_id` or
//! `workflow_run_id`), so a capture holding several replies, even interleaved,
//! gives one record each. A reply is complete at its `error` event, its
//! `workflow_finished` event, or its `message_end` when no workflow runs
//! behind it (a chatflow's `workflow_finished` follows its `message_end`).
//! A reply still open at the end of the input becomes a record with status
//! `running`: the capture ended before the reply did.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::raw::{
    RawAgentThought, RawMetadata, RawNodeExecution, RawStreamFrame, RawTextChunk, RawWorkflowRun,
};
use crate::read::Position;
use crate::record::{ModelInfo, NodeSummary, Record, RecordKind, Status, WorkflowSummary};

use super::common::{self, non_empty};
use super::workflow::node_summary;

/// Replies a capture may have open at once before the oldest is closed as
/// incomplete; keeps memory bounded on captures that never finish a reply.
const MAX_OPEN_REPLIES: usize = 64;

/// Frames of one reply kept in its record's `raw`; a longer reply keeps the
/// first ones and counts the rest (its answer is still assembled in full).
const MAX_RAW_FRAMES: usize = 10_000;

/// A record made from a reply, and where the reply's first frame was.
#[derive(Debug)]
pub(crate) struct Assembled {
    pub record: Record,
    pub at: Position,
    pub path: String,
}

#[derive(Default)]
pub(crate) struct StreamAssembler {
    open: Vec<Reply>,
}

impl StreamAssembler {
    /// Adds one frame; returns the replies it completed.
    pub(crate) fn push(
        &mut self,
        frame: RawStreamFrame,
        value: Value,
        event_hint: Option<String>,
        at: Position,
        path: &str,
    ) -> Vec<Assembled> {
        let mut done = Vec::new();
        let has_ids =
            frame.task_id.is_some() || frame.message_id.is_some() || frame.workflow_run_id.is_some();
        let slot = if has_ids {
            self.open.iter().position(|r| r.owns(&frame))
        } else {
            self.open.len().checked_sub(1)
        };
        let slot = match slot {
            Some(slot) => slot,
            None => {
                if self.open.len() >= MAX_OPEN_REPLIES {
                    done.push(self.open.remove(0).finish());
                }
                self.open.push(Reply::new(at, path));
                self.open.len() - 1
            }
        };
        if self.open[slot].apply(frame, value, event_hint) {
            done.push(self.open.remove(slot).finish());
        }
        done
    }

    /// Closes every reply still open (the input ended).
    pub(crate) fn finish(&mut self) -> Vec<Assembled> {
        self.open.drain(..).map(Reply::finish).collect()
    }
}

/// One reply being assembled.
struct Reply {
    at: Position,
    path: String,
    frames: Vec<Value>,
    frames_not_kept: u64,
    task_id: Option<String>,
    message_id: Option<String>,
    conversation_id: Option<String>,
    workflow_run_id: Option<String>,
    created_at: Option<DateTime<Utc>>,
    /// `message`/`agent_message` deltas, or the `message_replace` text.
    answer: Option<String>,
    /// `text_chunk` deltas of a workflow.
    text: Option<String>,
    /// Agent thoughts by id; a thought is sent again as it progresses.
    thoughts: Vec<RawAgentThought>,
    metadata: Option<RawMetadata>,
    message_ended: bool,
    workflow_started: bool,
    inputs: Option<Map<String, Value>>,
    run: Option<RawWorkflowRun>,
    nodes: Vec<NodeSummary>,
    /// The last LLM node: model, prompts and finish reason of a chatflow or workflow.
    llm_node: Option<RawNodeExecution>,
    error: Option<String>,
}

impl Reply {
    fn new(at: Position, path: &str) -> Reply {
        Reply {
            at,
            path: path.to_string(),
            frames: Vec::new(),
            frames_not_kept: 0,
            task_id: None,
            message_id: None,
            conversation_id: None,
            workflow_run_id: None,
            created_at: None,
            answer: None,
            text: None,
            thoughts: Vec::new(),
            metadata: None,
            message_ended: false,
            workflow_started: false,
            inputs: None,
            run: None,
            nodes: Vec::new(),
            llm_node: None,
            error: None,
        }
    }

    fn owns(&self, frame: &RawStreamFrame) -> bool {
        let same = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(x), Some(y)) if x == y);
        same(&self.task_id, &frame.task_id)
            || same(&self.message_id, &frame.message_id)
            || same(&self.workflow_run_id, &frame.workflow_run_id)
    }

    /// Applies one frame; true when the reply is complete.
    fn apply(&mut self, frame: RawStreamFrame, value: Value, event_hint: Option<String>) -> bool {
        if self.frames.len() < MAX_RAW_FRAMES {
            self.frames.push(value);
        } else {
            self.frames_not_kept += 1;
        }
        fill(&mut self.task_id, frame.task_id);
        fill(&mut self.message_id, frame.message_id);
        fill(&mut self.conversation_id, frame.conversation_id);
        fill(&mut self.workflow_run_id, frame.workflow_run_id);
        self.created_at = self.created_at.or(frame.created_at);
        let data = frame.data.as_deref().map(|d| d.get());
        let event = frame.event.or(event_hint).unwrap_or_default();
        match event.as_str() {
            "message" | "agent_message" => {
                let delta = frame.answer.unwrap_or_default();
                self.answer.get_or_insert_with(String::new).push_str(&delta);
            }
            "message_replace" => self.answer = Some(frame.answer.unwrap_or_default()),
            "agent_thought" => self.add_thought(RawAgentThought {
                id: frame.id,
                position: frame.position,
                thought: frame.thought,
                tool: frame.tool,
                tool_input: frame.tool_input,
                observation: frame.observation,
                ..RawAgentThought::default()
            }),
            "message_end" => {
                fill(&mut self.message_id, frame.id);
                self.metadata = frame.metadata;
                self.message_ended = true;
                return !self.workflow_started;
            }
            "text_chunk" => {
                if let Some(chunk) = parse::<RawTextChunk>(data) {
                    self.text
                        .get_or_insert_with(String::new)
                        .push_str(&chunk.text.unwrap_or_default());
                }
            }
            "workflow_started" => {
                self.workflow_started = true;
                if let Some(run) = parse::<RawWorkflowRun>(data) {
                    fill(&mut self.workflow_run_id, run.id);
                    self.inputs = run.inputs;
                    self.created_at = self.created_at.or(run.created_at);
                }
            }
            "node_finished" => {
                if let Some(node) = parse::<RawNodeExecution>(data) {
                    self.nodes.push(node_summary(&node));
                    if node.node_type.as_deref() == Some("llm") {
                        self.llm_node = Some(node);
                    }
                }
            }
            "workflow_paused" => self.run = parse::<RawWorkflowRun>(data).or(self.run.take()),
            "workflow_finished" => {
                self.run = parse::<RawWorkflowRun>(data).or(self.run.take());
                return true;
            }
            "error" => {
                self.error = non_empty(frame.message)
                    .or(frame.code)
                    .or_else(|| Some("the stream reported an error".into()));
                return true;
            }
            _ => {}
        }
        false
    }

    fn add_thought(&mut self, thought: RawAgentThought) {
        let known = thought
            .id
            .as_ref()
            .and_then(|id| self.thoughts.iter_mut().find(|t| t.id.as_ref() == Some(id)));
        match known {
            Some(existing) => {
                fill(&mut existing.thought, thought.thought);
                fill(&mut existing.tool, thought.tool);
                fill(&mut existing.tool_input, thought.tool_input);
                fill(&mut existing.observation, thought.observation);
            }
            None => self.thoughts.push(thought),
        }
    }

    fn finish(self) -> Assembled {
        let run = self.run.unwrap_or_default();
        let metadata = self.metadata.unwrap_or_default();
        let (status, raw_status) = if self.error.is_some() {
            (Status::Error, None)
        } else if let Some(raw) = non_empty(run.status.clone()) {
            (Status::parse(raw.trim()), Some(raw))
        } else if self.message_ended {
            (Status::Ok, None)
        } else {
            (Status::Running, None)
        };

        let mut usage = common::usage(metadata.usage.as_ref());
        usage.total_tokens = usage.total_tokens.or(run.total_tokens);
        usage.latency = usage.latency.or(run.elapsed_time);
        common::complete_total(&mut usage);

        let llm = self.llm_node.unwrap_or_default();
        let process = llm.process_data.unwrap_or_default();
        let llm_outputs = llm.outputs.unwrap_or_default();

        let workflow = (self.workflow_started || run_seen(&run)).then(|| WorkflowSummary {
            status: raw_status.clone(),
            elapsed: run.elapsed_time,
            steps: run.total_steps,
            exceptions_count: run.exceptions_count,
            nodes: self.nodes,
        });
        let workflow_run_id = self.workflow_run_id.or(run.id.clone());
        let kind = if self.message_id.is_some() {
            RecordKind::Message
        } else {
            RecordKind::WorkflowRun
        };
        // An empty id is filled in by the reader as `<file>#<index>`.
        let id = self
            .message_id
            .clone()
            .or(workflow_run_id.clone())
            .or(self.task_id)
            .unwrap_or_default();

        let record = Record {
            id,
            kind,
            conversation_id: self.conversation_id,
            workflow_run_id,
            created_at: self.created_at,
            query: self
                .inputs
                .as_ref()
                .and_then(|i| i.get("sys.query"))
                .and_then(Value::as_str)
                .map(str::to_string),
            inputs: self.inputs.unwrap_or_default(),
            prompt: common::prompt_messages(process.prompts.unwrap_or_default()),
            answer: self
                .answer
                .or(self.text)
                .or_else(|| common::answer_from_outputs(run.outputs.as_ref())),
            status,
            raw_status,
            error: self.error.or_else(|| non_empty(run.error)),
            model: ModelInfo {
                provider: non_empty(process.model_provider),
                name: non_empty(process.model_name),
                mode: non_empty(process.model_mode),
                max_tokens: None,
            },
            finish_reason: non_empty(process.finish_reason)
                .or_else(|| non_empty(llm_outputs.finish_reason))
                .or_else(|| non_empty(metadata.finish_reason)),
            usage,
            annotation_hit: metadata.annotation_reply.is_some(),
            retriever_resources: common::retriever_resources(metadata.retriever_resources),
            tool_calls: common::tool_calls(&self.thoughts),
            workflow,
            raw: raw_events(self.frames, self.frames_not_kept).into(),
            ..Record::default()
        };
        Assembled {
            record,
            at: self.at,
            path: self.path,
        }
    }
}

/// True when a workflow event told something about the run.
fn run_seen(run: &RawWorkflowRun) -> bool {
    run.status.is_some() || run.elapsed_time.is_some() || run.total_steps.is_some()
}

/// The `raw` of an assembled record: `{"events": [frame, ...]}`, plus
/// `events_not_kept` when the reply had more frames than are kept.
fn raw_events(frames: Vec<Value>, not_kept: u64) -> Value {
    let mut raw = Map::from_iter([("events".to_string(), Value::Array(frames))]);
    if not_kept > 0 {
        raw.insert("events_not_kept".into(), Value::from(not_kept));
    }
    Value::Object(raw)
}

fn fill(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value;
    }
}

/// Reads an event's `data`; a payload that does not fit stays in `raw` only.
fn parse<T: serde::de::DeserializeOwned>(data: Option<&str>) -> Option<T> {
    serde_json::from_str(data?).ok()
}
