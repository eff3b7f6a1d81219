//! The figures kept for one group of records, and how they merge.

use std::collections::BTreeMap;

use rules_model::{Rating, Record, Status};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

use super::significance::Moments;
use super::sketch::QuantileSketch;
use crate::metric::{MetricPath, SimpleMetric};
use crate::outcome::RecordOutcome;

/// How many example record ids a group keeps.
pub const EXAMPLES: usize = 5;
/// How many feedback comments a group keeps (the first, in input order).
pub const COMMENTS: usize = 3;
/// Characters kept of each comment.
pub const COMMENT_CHARS: usize = 160;

/// A running sum and the number of values in it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Sum {
    total: f64,
    n: u64,
}

impl Sum {
    fn add(&mut self, value: Option<f64>) {
        if let Some(v) = value.filter(|v| v.is_finite()) {
            self.total += v;
            self.n += 1;
        }
    }

    fn merge(&mut self, other: Sum) {
        self.total += other.total;
        self.n += other.n;
    }

    fn mean(self) -> Option<f64> {
        (self.n > 0).then(|| self.total / self.n as f64)
    }

    fn sum(self) -> Option<f64> {
        (self.n > 0).then_some(self.total)
    }
}

/// Example ids, kept as the first few in input order so the choice does not
/// depend on how work was split over threads.
#[derive(Debug, Clone, Default, PartialEq)]
struct Examples {
    /// (input position, id), sorted, at most [`EXAMPLES`].
    flagged: Vec<((u64, u64), String)>,
    any: Vec<((u64, u64), String)>,
}

fn keep_first(list: &mut Vec<((u64, u64), String)>, item: ((u64, u64), String)) {
    keep_first_n(list, item, EXAMPLES);
}

/// Keeps the `n` items with the lowest input positions, sorted: the same
/// items whatever order they arrive in.
fn keep_first_n(list: &mut Vec<((u64, u64), String)>, item: ((u64, u64), String), n: usize) {
    keep_first_n_with(list, item.0, n, || item.1);
}

/// [`keep_first_n`] of the item at `position`, its id made only when the
/// item is kept: per record, most lists are full and keep nothing.
fn keep_first_n_with(
    list: &mut Vec<((u64, u64), String)>,
    position: (u64, u64),
    n: usize,
    id: impl FnOnce() -> String,
) {
    if list.len() >= n && list.last().is_some_and(|last| last.0 <= position) {
        return;
    }
    let at = list.partition_point(|x| x.0 < position);
    list.insert(at, (position, id()));
    list.truncate(n);
}

/// Example ids per kind of problem, so a suggestion about one label (or
/// about dislikes) quotes records that have it.
type KeyedExamples = BTreeMap<String, Vec<((u64, u64), String)>>;

const DISLIKED: &str = "disliked";

fn label_key(dimension: &str, label: &str) -> String {
    let mut key = String::new();
    push_label_key(&mut key, dimension, label);
    key
}

/// Writes [`label_key`] into a reused buffer.
fn push_label_key(key: &mut String, dimension: &str, label: &str) {
    key.push_str("label:");
    key.push_str(dimension);
    key.push(':');
    key.push_str(label);
}

/// The examples kept under `key`, the key copied only when it is new.
fn keyed_list<'k>(examples: &'k mut KeyedExamples, key: &str) -> &'k mut Vec<((u64, u64), String)> {
    if !examples.contains_key(key) {
        examples.insert(key.to_string(), Vec::new());
    }
    // Present: inserted just above when it was not.
    examples.get_mut(key).expect("the key was just inserted")
}

impl Examples {
    fn merge(&mut self, other: &Examples) {
        for item in &other.flagged {
            keep_first(&mut self.flagged, item.clone());
        }
        for item in &other.any {
            keep_first(&mut self.any, item.clone());
        }
    }

    /// Records with a problem make better examples than records without one.
    fn ids(&self) -> Vec<String> {
        let list = if self.flagged.is_empty() {
            &self.any
        } else {
            &self.flagged
        };
        list.iter().map(|(_, id)| id.clone()).collect()
    }
}

/// Everything computed for one group. Mergeable: adding records to two
/// halves and merging gives the same result as one pass.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupStats {
    count: u64,
    failed: u64,
    stopped: u64,
    succeeded: u64,
    latency: QuantileSketch,
    latency_sum: Sum,
    prompt_tokens: Sum,
    completion_tokens: Sum,
    total_tokens: Sum,
    /// Exact: prices are decimals and sums of them must not drift.
    cost: Decimal,
    priced: u64,
    currency: Option<String>,
    likes: u64,
    dislikes: u64,
    rated: u64,
    quality: Sum,
    low_quality: u64,
    labels: BTreeMap<String, BTreeMap<String, u64>>,
    examples: Examples,
    keyed_examples: KeyedExamples,
    /// Feedback comments of disliked records, the first few in input order.
    comments: Vec<((u64, u64), String)>,
    /// For significance tests between groups.
    latency_moments: Moments,
    quality_moments: Moments,
    /// Exact, like `cost`: the prompt's part of it.
    prompt_cost: Decimal,
}

impl GroupStats {
    /// Adds one record and what the rules said about it. `position` orders
    /// records across inputs (input number, record index).
    pub fn add(
        &mut self,
        record: &Record,
        outcome: &RecordOutcome,
        position: (u64, u64),
        quality_threshold: f64,
    ) {
        self.count += 1;
        match record.status {
            Status::Error => self.failed += 1,
            Status::Stopped => self.stopped += 1,
            Status::Ok | Status::Partial => self.succeeded += 1,
            Status::Running | Status::Other => {}
        }
        let latency = record
            .usage
            .latency
            .or(record.workflow.as_ref().and_then(|w| w.elapsed));
        if let Some(l) = latency {
            self.latency.add(l);
        }
        self.latency_sum.add(latency);
        if let Some(l) = latency {
            self.latency_moments.add(l);
        }
        let tokens = |t: Option<u64>| t.map(|t| t as f64);
        self.prompt_tokens.add(tokens(record.usage.prompt_tokens));
        self.completion_tokens.add(tokens(record.usage.completion_tokens));
        self.total_tokens.add(tokens(record.usage.total_tokens));
        if let Some(price) = record.usage.total_price {
            self.cost += price;
            self.priced += 1;
            self.prompt_cost += record.usage.prompt_price.unwrap_or_default();
            if self.currency.is_none() {
                self.currency = record.usage.currency.clone();
            }
        }
        let ratings = record.feedback.iter().filter_map(|f| f.rating);
        let (mut liked, mut disliked) = (false, false);
        for rating in ratings {
            match rating {
                Rating::Like => liked = true,
                Rating::Dislike => disliked = true,
            }
        }
        self.likes += u64::from(liked);
        self.dislikes += u64::from(disliked);
        self.rated += u64::from(liked || disliked);
        if disliked {
            keep_first_n_with(
                keyed_list(&mut self.keyed_examples, DISLIKED),
                position,
                EXAMPLES,
                || record.id.clone(),
            );
            let comments = record
                .feedback
                .iter()
                .filter(|f| f.rating == Some(Rating::Dislike))
                .filter_map(|f| f.comment.as_deref().map(str::trim))
                .filter(|c| !c.is_empty());
            for comment in comments {
                let cut: String = comment.chars().take(COMMENT_CHARS).collect();
                let cut = if cut.len() < comment.len() {
                    format!("{cut}…")
                } else {
                    cut
                };
                keep_first_n(&mut self.comments, (position, cut), COMMENTS);
            }
        }
        if let Some(q) = &outcome.quality {
            self.quality.add(Some(q.score));
            self.quality_moments.add(q.score);
            self.low_quality += u64::from(q.score < quality_threshold);
        }
        // A record counts once per dimension, under its primary label (the
        // first): so failure counts add up to the failed records.
        // Keys are cloned only the first time the group sees them.
        let mut key = String::new();
        for (dimension, labels) in &outcome.labels {
            if let Some(primary) = labels.first() {
                let counts = match self.labels.get_mut(dimension) {
                    Some(counts) => counts,
                    None => self.labels.entry(dimension.clone()).or_default(),
                };
                match counts.get_mut(primary) {
                    Some(n) => *n += 1,
                    None => {
                        counts.insert(primary.clone(), 1);
                    }
                }
                key.clear();
                push_label_key(&mut key, dimension, primary);
                let list = keyed_list(&mut self.keyed_examples, &key);
                keep_first_n_with(list, position, EXAMPLES, || record.id.clone());
            }
        }
        if record.status == Status::Error || outcome.is_notable() {
            keep_first_n_with(&mut self.examples.flagged, position, EXAMPLES, || {
                record.id.clone()
            });
        }
        keep_first_n_with(&mut self.examples.any, position, EXAMPLES, || record.id.clone());
    }

    /// Adds everything `other` counted.
    pub fn merge(&mut self, other: &GroupStats) {
        self.count += other.count;
        self.failed += other.failed;
        self.stopped += other.stopped;
        self.succeeded += other.succeeded;
        self.latency.merge(&other.latency);
        self.latency_sum.merge(other.latency_sum);
        self.prompt_tokens.merge(other.prompt_tokens);
        self.completion_tokens.merge(other.completion_tokens);
        self.total_tokens.merge(other.total_tokens);
        self.cost += other.cost;
        self.priced += other.priced;
        if self.currency.is_none() {
            self.currency.clone_from(&other.currency);
        }
        self.likes += other.likes;
        self.dislikes += other.dislikes;
        self.rated += other.rated;
        self.quality.merge(other.quality);
        self.low_quality += other.low_quality;
        for (dimension, counts) in &other.labels {
            let mine = self.labels.entry(dimension.clone()).or_default();
            for (label, n) in counts {
                *mine.entry(label.clone()).or_insert(0) += n;
            }
        }
        self.examples.merge(&other.examples);
        for (key, items) in &other.keyed_examples {
            let mine = self.keyed_examples.entry(key.clone()).or_default();
            for item in items {
                keep_first_n(mine, item.clone(), EXAMPLES);
            }
        }
        for item in &other.comments {
            keep_first_n(&mut self.comments, item.clone(), COMMENTS);
        }
        self.latency_moments.merge(other.latency_moments);
        self.quality_moments.merge(other.quality_moments);
        self.prompt_cost += other.prompt_cost;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// A few record ids from the group, problem records first.
    pub fn examples(&self) -> Vec<String> {
        self.examples.ids()
    }

    /// Example ids that fit a suggestion's `affected` metric: records with
    /// the label it counts (`label.failure.truncated`, the top label of
    /// `top_label_count.failure`), or disliked records for `dislikes`; else
    /// [`GroupStats::examples`].
    pub fn examples_for(&self, affected: &MetricPath) -> Vec<String> {
        let key = match affected {
            MetricPath::LabelCount { dimension, label } => Some(label_key(dimension, label)),
            MetricPath::TopLabelCount { dimension } => self
                .top_label(dimension)
                .map(|(label, _)| label_key(dimension, label)),
            MetricPath::Simple(SimpleMetric::Dislikes) => Some(DISLIKED.to_string()),
            _ => None,
        };
        match key.and_then(|k| self.keyed_examples.get(&k)) {
            Some(list) if !list.is_empty() => list.iter().map(|(_, id)| id.clone()).collect(),
            _ => self.examples(),
        }
    }

    /// The first few feedback comments of disliked records, in input order.
    pub fn comments(&self) -> Vec<String> {
        self.comments.iter().map(|(_, c)| c.clone()).collect()
    }

    /// Records with status error.
    pub fn failed(&self) -> u64 {
        self.failed
    }

    /// Latencies, for comparing groups.
    pub fn latency_moments(&self) -> Moments {
        self.latency_moments
    }

    /// Quality scores, for comparing groups.
    pub fn quality_moments(&self) -> Moments {
        self.quality_moments
    }

    fn rate(&self, n: u64) -> Option<f64> {
        (self.count > 0).then(|| n as f64 / self.count as f64)
    }

    /// The value of a metric; `None` when the group has no data for it.
    pub fn metric(&self, metric: &MetricPath) -> Option<f64> {
        match metric {
            MetricPath::Simple(m) => self.simple(*m),
            MetricPath::LabelCount { dimension, label } => Some(self.label_count(dimension, label) as f64),
            MetricPath::LabelRate { dimension, label } => self.rate(self.label_count(dimension, label)),
            MetricPath::TopLabelCount { dimension } => {
                Some(self.top_label(dimension).map_or(0, |(_, n)| n) as f64)
            }
            MetricPath::TopLabelRate { dimension } => {
                self.rate(self.top_label(dimension).map_or(0, |(_, n)| n))
            }
            // A single group has no comparison; `ComparedSubject` answers these.
            MetricPath::Comparison(_) => None,
        }
    }

    fn label_count(&self, dimension: &str, label: &str) -> u64 {
        self.labels
            .get(dimension)
            .and_then(|c| c.get(label))
            .copied()
            .unwrap_or(0)
    }

    /// The most frequent label of a dimension (ties: the first by name).
    pub fn top_label(&self, dimension: &str) -> Option<(&str, u64)> {
        self.labels
            .get(dimension)?
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(label, n)| (label.as_str(), *n))
    }

    fn simple(&self, metric: SimpleMetric) -> Option<f64> {
        use SimpleMetric as M;
        let n = |v: u64| Some(v as f64);
        match metric {
            M::Count | M::Matched => n(self.count),
            M::Failed => n(self.failed),
            M::Stopped => n(self.stopped),
            M::SuccessRate => self.rate(self.succeeded),
            M::ErrorRate => self.rate(self.failed),
            M::LatencyMean => self.latency_sum.mean(),
            M::LatencyP50 => self.latency.quantile(0.50),
            M::LatencyP95 => self.latency.quantile(0.95),
            M::LatencyP99 => self.latency.quantile(0.99),
            M::LatencyMax => self.latency.max(),
            M::PromptTokensSum => self.prompt_tokens.sum(),
            M::PromptTokensMean => self.prompt_tokens.mean(),
            M::CompletionTokensSum => self.completion_tokens.sum(),
            M::CompletionTokensMean => self.completion_tokens.mean(),
            M::TotalTokensSum => self.total_tokens.sum(),
            M::TotalTokensMean => self.total_tokens.mean(),
            M::PromptTokenShare => {
                let prompt = self.prompt_tokens.total;
                let all = prompt + self.completion_tokens.total;
                (all > 0.0).then(|| prompt / all)
            }
            M::CostSum => (self.priced > 0).then(|| self.cost.to_f64()).flatten(),
            M::PromptCostShare => (self.priced > 0 && !self.cost.is_zero())
                .then(|| (self.prompt_cost / self.cost).to_f64())
                .flatten(),
            M::CostMean => (self.priced > 0)
                .then(|| (self.cost / Decimal::from(self.priced)).to_f64())
                .flatten(),
            M::Likes => n(self.likes),
            M::Dislikes => n(self.dislikes),
            M::DislikeRate => (self.rated > 0).then(|| self.dislikes as f64 / self.rated as f64),
            M::QualityMean => self.quality.mean(),
            M::LowQuality => n(self.low_quality),
            M::LowQualityRate => {
                (self.quality.n > 0).then(|| self.low_quality as f64 / self.quality.n as f64)
            }
        }
    }

    /// The group's figures as they appear in the report.
    pub fn figures(&self) -> GroupFigures {
        let m = |s: SimpleMetric| self.simple(s);
        GroupFigures {
            count: self.count,
            failed: self.failed,
            success_rate: m(SimpleMetric::SuccessRate),
            error_rate: m(SimpleMetric::ErrorRate),
            failures: self.labels.get("failure").cloned().unwrap_or_default(),
            latency: LatencyFigures {
                mean: m(SimpleMetric::LatencyMean),
                p50: m(SimpleMetric::LatencyP50),
                p95: m(SimpleMetric::LatencyP95),
                p99: m(SimpleMetric::LatencyP99),
            },
            tokens: TokenFigures {
                prompt: self.prompt_tokens.total as u64,
                completion: self.completion_tokens.total as u64,
                total: self.total_tokens.total as u64,
                mean: m(SimpleMetric::TotalTokensMean),
            },
            cost: CostFigures {
                total: (self.priced > 0).then(|| self.cost.normalize().to_string()),
                mean: m(SimpleMetric::CostMean),
                currency: self.currency.clone(),
            },
            feedback: FeedbackFigures {
                likes: self.likes,
                dislikes: self.dislikes,
            },
            quality_mean: m(SimpleMetric::QualityMean),
        }
    }
}

/// The metrics of one group, as the report shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupFigures {
    pub count: u64,
    pub failed: u64,
    pub success_rate: Option<f64>,
    pub error_rate: Option<f64>,
    /// Records per failure class.
    pub failures: BTreeMap<String, u64>,
    pub latency: LatencyFigures,
    pub tokens: TokenFigures,
    pub cost: CostFigures,
    pub feedback: FeedbackFigures,
    pub quality_mean: Option<f64>,
}

/// Seconds. Percentiles come from a sketch with 1% relative error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencyFigures {
    pub mean: Option<f64>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenFigures {
    pub prompt: u64,
    pub completion: u64,
    pub total: u64,
    pub mean: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostFigures {
    /// Exact decimal sum, as a string so no digit is lost.
    pub total: Option<String>,
    pub mean: Option<f64>,
    pub currency: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedbackFigures {
    pub likes: u64,
    pub dislikes: u64,
}
