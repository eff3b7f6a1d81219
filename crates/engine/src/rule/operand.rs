//! Operands: what a condition or a template placeholder reads, and the
//! [`Subject`] it reads it from.
//!
//! Record rules read field paths of the log model and `labels.<dimension>`
//! (the labels earlier classify rules gave the record). Suggest rules read
//! group metrics and the group's key. Operands are parsed once at load time,
//! so a typo is a load error and evaluation never parses a name.

use std::fmt;

use rules_model::{FieldPath, UnknownField, Value};
use thiserror::Error;

use crate::metric::{MetricPath, UnknownMetric};

/// A value a condition or template reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Operand {
    /// A field of the record (`usage.latency`, `inputs.category`).
    Field(FieldPath),
    /// `labels.<dimension>`: the labels given to the record so far, a list.
    Label(String),
    /// A group metric (suggest rules).
    Metric(MetricPath),
    /// The whole group key, rendered (suggest templates: `{{ group }}`).
    GroupKey,
    /// `query.normalized`: the query lowercased, with punctuation and digits
    /// removed and whitespace folded, so near-identical questions group
    /// together (see [`crate::normalize::normalize_query`]).
    NormalizedQuery,
    /// `quality` (the record's quality score, 0..100) or `quality.<rule-id>`
    /// (one criterion's score, 0..1; missing when it does not apply).
    /// Known only after scoring: suggest `filter`s read it.
    Quality(Option<String>),
    /// `top_label.<dimension>` (suggest templates): the group's most frequent
    /// label of the dimension.
    TopLabel(String),
    /// `comments` (suggest templates): the first few feedback comments of the
    /// group's disliked records, in input order, quoted.
    Comments,
    /// `comparison` (templates of suggest rules with `compare`): the
    /// compared values' figures and significance tests, as a sentence.
    Comparison,
}

/// What conditions and templates read values from: a record (with its
/// labels) or a group (with its metrics and key).
///
/// An operand the subject does not have reads as [`Value::Missing`], which
/// every comparison treats as "does not hold".
pub trait Subject {
    fn value(&self, operand: &Operand) -> Value<'_>;

    /// A `script:` condition on this subject. Subjects that run no scripts
    /// (groups, tests) hold nothing; a record subject records a failing
    /// script so its rule is skipped.
    fn script_condition(&self, _script: &crate::script::Script) -> bool {
        false
    }

    /// A score script on this subject: the score and the script's reason;
    /// `None` when it does not apply or failed.
    fn script_score(&self, _script: &crate::script::Script) -> Option<(f64, Option<String>)> {
        None
    }

    /// Where a record subject keeps the lowercase forms of its field texts,
    /// so that every case-insensitive condition on a field folds it once
    /// per record. Only texts [`Subject::value`] returned borrowed for an
    /// [`Operand::Field`] go in (they live as long as the record).
    fn text_memo(&self) -> Option<&crate::eval::TextMemo> {
        None
    }
}

/// An operand name that does not parse.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum OperandError {
    #[error(transparent)]
    UnknownField(#[from] UnknownField),
    #[error(transparent)]
    UnknownMetric(#[from] UnknownMetric),
    /// `labels` without a dimension, or a dimension that is not snake_case.
    #[error("`{0}` is not a label dimension")]
    BadLabel(String),
    /// `quality.<id>` whose id is not a kebab-case rule id.
    #[error("`{0}` does not name a quality criterion")]
    BadCriterion(String),
}

impl Operand {
    /// Parses a record operand: a field path or `labels.<dimension>`.
    pub fn parse_field(text: &str) -> Result<Operand, OperandError> {
        let text = text.trim();
        if text == "labels" {
            return Err(OperandError::BadLabel(text.to_string()));
        }
        if text == "query.normalized" {
            return Ok(Operand::NormalizedQuery);
        }
        if text == "quality" {
            return Ok(Operand::Quality(None));
        }
        if let Some(criterion) = text.strip_prefix("quality.") {
            return if is_criterion_id(criterion) {
                Ok(Operand::Quality(Some(criterion.to_string())))
            } else {
                Err(OperandError::BadCriterion(text.to_string()))
            };
        }
        if let Some(dimension) = text.strip_prefix("labels.") {
            return if is_identifier(dimension) {
                Ok(Operand::Label(dimension.to_string()))
            } else {
                Err(OperandError::BadLabel(text.to_string()))
            };
        }
        Ok(Operand::Field(FieldPath::parse(text)?))
    }

    /// Parses a group metric name (`error_rate`, `label.failure.timeout`).
    pub fn parse_metric(text: &str) -> Result<Operand, OperandError> {
        Ok(Operand::Metric(MetricPath::parse(text)?))
    }
}

/// The operand as a rule writes it: the field path, `labels.<dimension>`,
/// the metric name (as after `metric:`), or `group`.
impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Field(path) => path.fmt(f),
            Operand::Label(dimension) => write!(f, "labels.{dimension}"),
            Operand::Metric(metric) => metric.fmt(f),
            Operand::GroupKey => f.write_str("group"),
            Operand::NormalizedQuery => f.write_str("query.normalized"),
            Operand::Quality(None) => f.write_str("quality"),
            Operand::Quality(Some(id)) => write!(f, "quality.{id}"),
            Operand::TopLabel(dimension) => write!(f, "top_label.{dimension}"),
            Operand::Comments => f.write_str("comments"),
            Operand::Comparison => f.write_str("comparison"),
        }
    }
}

/// A snake_case identifier: lowercase ASCII letters, digits and `_`,
/// starting with a letter. Label dimensions and labels are identifiers
/// because they become metric names (`label_rate.failure.timeout`).
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A kebab-case rule id (`answer-language-matches`).
/// A criterion as the report names it: a bare rule id (`answer-present`),
/// or `<pack>/<id>` for a criterion of a team's pack (`acme/tone-polite`).
fn is_criterion_id(s: &str) -> bool {
    match s.split_once('/') {
        Some((pack, id)) => is_rule_id(pack) && is_rule_id(id),
        None => is_rule_id(s),
    }
}

fn is_rule_id(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::SimpleMetric;
    use rules_model::ModelField;

    #[test]
    fn field_operands_are_paths_or_labels() {
        assert_eq!(
            Operand::parse_field(" usage.latency "),
            Ok(Operand::Field(FieldPath::Model(ModelField::Latency)))
        );
        assert_eq!(
            Operand::parse_field("labels.failure"),
            Ok(Operand::Label("failure".into()))
        );
        assert!(matches!(
            Operand::parse_field("labels"),
            Err(OperandError::BadLabel(_))
        ));
        assert!(matches!(
            Operand::parse_field("labels.Fail-ure"),
            Err(OperandError::BadLabel(_))
        ));
        assert!(matches!(
            Operand::parse_field("labels.a.b"),
            Err(OperandError::BadLabel(_))
        ));
        let Err(OperandError::UnknownField(e)) = Operand::parse_field("usage.latncy") else {
            panic!("expected an unknown field");
        };
        assert_eq!(e.suggestion, Some("usage.latency"));
    }

    #[test]
    fn derived_record_operands_parse() {
        assert_eq!(
            Operand::parse_field("query.normalized"),
            Ok(Operand::NormalizedQuery)
        );
        assert_eq!(Operand::parse_field("quality"), Ok(Operand::Quality(None)));
        assert_eq!(
            Operand::parse_field("quality.answer-language-matches"),
            Ok(Operand::Quality(Some("answer-language-matches".into())))
        );
        assert!(matches!(
            Operand::parse_field("quality.Bad_Id"),
            Err(OperandError::BadCriterion(_))
        ));
        for bad in ["quality.acme/", "quality./x", "quality.a/b/c", "quality.Acme/x"] {
            assert!(Operand::parse_field(bad).is_err(), "{bad}");
        }
        for text in [
            "query.normalized",
            "quality",
            "quality.answer-present",
            "quality.acme/tone-polite",
        ] {
            assert_eq!(Operand::parse_field(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn metric_operands_use_metric_names() {
        assert_eq!(
            Operand::parse_metric("error_rate"),
            Ok(Operand::Metric(MetricPath::Simple(SimpleMetric::ErrorRate)))
        );
        assert!(matches!(
            Operand::parse_metric("eror_rate"),
            Err(OperandError::UnknownMetric(_))
        ));
    }

    #[test]
    fn display_gives_the_source_text() {
        for text in ["usage.latency", "inputs.category", "labels.failure"] {
            assert_eq!(Operand::parse_field(text).unwrap().to_string(), text);
        }
        assert_eq!(
            Operand::parse_metric("latency.p95").unwrap().to_string(),
            "latency.p95"
        );
        assert_eq!(Operand::GroupKey.to_string(), "group");
    }

    #[test]
    fn identifiers_are_snake_case() {
        assert!(is_identifier("rate_limited"));
        assert!(is_identifier("x2"));
        assert!(!is_identifier("Rate"));
        assert!(!is_identifier("_x"));
        assert!(!is_identifier("a-b"));
        assert!(!is_identifier(""));
    }
}
