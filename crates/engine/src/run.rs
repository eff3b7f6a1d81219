//! Aggregating a whole run: the metrics table, one grouping per suggestion
//! rule, counts for the summary, and at the end the ranked suggestions.

use std::collections::BTreeMap;

use rules_model::Record;
use serde::Serialize;

use std::borrow::Cow;

use crate::aggregate::compare::{compare, Comparison};
use crate::aggregate::{ComparedSubject, GroupBy, GroupMetrics, GroupStats, GroupSubject, Grouping, NONE};
use crate::check::{Diagnostic, DiagnosticLevel};
use crate::eval::{Engine, RecordSubject, ScoredSubject};
use crate::outcome::{severity_weight, Evidence, RecordOutcome, Suggestion};
use crate::rule::{Operand, Severity, Subject, SuggestRule};
use crate::script::group::GroupView;
use crate::script::{verdict, ScriptFailure};

/// Findings counted per severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts {
    pub error: u64,
    pub warning: u64,
    pub info: u64,
}

impl SeverityCounts {
    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.error += 1,
            Severity::Warning => self.warning += 1,
            Severity::Info => self.info += 1,
        }
    }

    fn merge(&mut self, other: SeverityCounts) {
        self.error += other.error;
        self.warning += other.warning;
        self.info += other.info;
    }

    /// Findings at or above `severity`.
    pub fn at_or_above(&self, severity: Severity) -> u64 {
        match severity {
            Severity::Error => self.error,
            Severity::Warning => self.error + self.warning,
            Severity::Info => self.error + self.warning + self.info,
        }
    }
}

/// What a run has counted so far. Mergeable, like everything it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct RunTotals {
    pub records: u64,
    pub failed: u64,
    pub findings: SeverityCounts,
    metrics: Grouping,
    /// One grouping per suggestion rule, in the engine's suggest-rule order.
    suggest: Vec<Grouping>,
    /// The distinct groupings of the suggestion rules (most share a few),
    /// so a record's key for each is computed once.
    keys: Vec<GroupBy>,
    /// For each suggestion rule, its grouping's index in `keys`.
    key_of_rule: Vec<usize>,
}

impl RunTotals {
    pub fn new(engine: &Engine) -> RunTotals {
        let mut keys: Vec<GroupBy> = Vec::new();
        let key_of_rule = engine
            .suggest_rules()
            .map(|(_, _, by)| match keys.iter().position(|k| k == by) {
                Some(i) => i,
                None => {
                    keys.push(by.clone());
                    keys.len() - 1
                }
            })
            .collect();
        RunTotals {
            records: 0,
            failed: 0,
            findings: SeverityCounts::default(),
            metrics: Grouping::default(),
            suggest: engine.suggest_rules().map(|_| Grouping::default()).collect(),
            keys,
            key_of_rule,
        }
    }

    /// Counts one evaluated record. `position` is (input number, record index).
    pub fn add(&mut self, engine: &Engine, record: &Record, outcome: &RecordOutcome, position: (u64, u64)) {
        self.records += 1;
        self.failed += u64::from(record.status == rules_model::Status::Error);
        for finding in &outcome.findings {
            self.findings.add(finding.severity);
        }
        let threshold = engine.options().quality_threshold;
        let subject = RecordSubject {
            record,
            labels: &outcome.labels,
            scripts: None,
            texts: None,
        };
        let key = engine.options().group_by.key(&subject);
        self.metrics
            .group_of(&key)
            .add(record, outcome, position, threshold);
        let scored = ScoredSubject {
            record: &subject,
            quality: outcome.quality.as_ref(),
        };
        // The record's key under each distinct grouping, made when a rule
        // that keeps the record first needs it.
        let mut keys: Vec<Option<Vec<String>>> = vec![None; self.keys.len()];
        let rules = engine
            .suggest_rules()
            .zip(&mut self.suggest)
            .zip(&self.key_of_rule);
        for (n, (((_, s, _), grouping), &slot)) in rules.enumerate() {
            let kept = match &outcome.filters {
                Some(filters) => filters.get(n).copied().unwrap_or(false),
                None => s.filter.as_ref().is_none_or(|f| f.eval(&scored)),
            };
            if !kept {
                continue;
            }
            let key = keys[slot].get_or_insert_with(|| self.keys[slot].key(&subject));
            grouping.group_of(key).add(record, outcome, position, threshold);
        }
    }

    pub fn merge(&mut self, other: &RunTotals) {
        self.records += other.records;
        self.failed += other.failed;
        self.findings.merge(other.findings);
        self.metrics.merge(&other.metrics);
        for (mine, theirs) in self.suggest.iter_mut().zip(&other.suggest) {
            mine.merge(theirs);
        }
    }

    /// The metrics table and the ranked suggestions.
    pub fn finish(&self, engine: &Engine) -> (Vec<GroupMetrics>, Vec<Suggestion>) {
        let (rows, suggestions, _) = self.finish_with_diagnostics(engine);
        (rows, suggestions)
    }

    /// The metrics table, the ranked suggestions, and diagnostics of
    /// `fn suggest(group)` scripts that failed.
    pub fn finish_with_diagnostics(
        &self,
        engine: &Engine,
    ) -> (Vec<GroupMetrics>, Vec<Suggestion>, Vec<Diagnostic>) {
        let rows = self.metrics.rows(&engine.options().group_by);
        let mut suggestions = Vec::new();
        let mut diagnostics = Vec::new();
        for ((rule, s, by), grouping) in engine.suggest_rules().zip(&self.suggest) {
            if !engine.options().reports(&rule.id) {
                continue;
            }
            let names = by.names();
            let quotes_comments = s.message.operands().contains(&&Operand::Comments);
            for unit in units(s, grouping) {
                let (key, stats) = (unit.key.as_slice(), unit.stats.as_ref());
                let group = GroupSubject { by, key, stats };
                let compared;
                let subject: &dyn Subject = match &unit.comparison {
                    Some(c) => {
                        compared = ComparedSubject { group, comparison: c };
                        &compared
                    }
                    None => &group,
                };
                if !s.when.eval(subject) {
                    continue;
                }
                // The comparison's own figures come in whole below.
                let mut metrics: BTreeMap<String, Option<f64>> = s
                    .evidence
                    .iter()
                    .filter(|m| !m.is_comparison())
                    .map(|m| (m.to_string(), stats.metric(m)))
                    .collect();
                if let Some(c) = &unit.comparison {
                    metrics.extend(c.metrics.clone());
                }
                let message = match (&s.script, engine.scripts()) {
                    (None, _) => s.message.render(subject),
                    (Some(_), None) => continue,
                    (Some(script), Some(runtime)) => {
                        let view = rhai::Dynamic::from(GroupView::new(&names, key, stats));
                        let mut printed = Vec::new();
                        let outcome = runtime.run(script, view, &mut printed).and_then(|v| {
                            verdict::suggest(v).map_err(|message| ScriptFailure {
                                message,
                                at: None,
                                limit: None,
                            })
                        });
                        for line in printed {
                            diagnostics.push(group_diagnostic(DiagnosticLevel::Debug, &rule.id, key, &line));
                        }
                        match outcome {
                            Ok(Some((message, extra))) => {
                                metrics.extend(extra);
                                message
                            }
                            Ok(None) => continue,
                            Err(failure) => {
                                let text = format!("rule `{}` skipped: {failure}", rule.id);
                                diagnostics.push(group_diagnostic(
                                    DiagnosticLevel::Script,
                                    &rule.id,
                                    key,
                                    &text,
                                ));
                                continue;
                            }
                        }
                    }
                };
                let affected = stats.metric(&s.affected).unwrap_or(0.0).max(0.0) as u64;
                suggestions.push(Suggestion {
                    rule: rule.id.clone(),
                    severity: rule.severity,
                    group: names.iter().cloned().zip(key.iter().cloned()).collect(),
                    message,
                    impact: affected as f64 * severity_weight(rule.severity),
                    evidence: Evidence {
                        affected,
                        metrics,
                        examples: stats.examples_for(&s.affected),
                        comments: if quotes_comments {
                            stats.comments()
                        } else {
                            Vec::new()
                        },
                    },
                });
            }
        }
        suggestions.sort_by(|a, b| {
            b.impact
                .total_cmp(&a.impact)
                .then_with(|| a.rule.cmp(&b.rule))
                .then_with(|| a.group.cmp(&b.group))
        });
        (rows, suggestions, diagnostics)
    }
}

/// One group a suggestion rule judges: a group of its grouping, or with
/// `compare`, a pair of groups that differ only in the compared field
/// (merged, with the comparison of the two).
struct Unit<'a> {
    key: Vec<String>,
    stats: Cow<'a, GroupStats>,
    comparison: Option<Comparison>,
}

fn units<'a>(rule: &SuggestRule, grouping: &'a Grouping) -> Vec<Unit<'a>> {
    if rule.compare.is_none() {
        return grouping
            .groups
            .iter()
            .map(|(key, stats)| Unit {
                key: key.clone(),
                stats: Cow::Borrowed(stats),
                comparison: None,
            })
            .collect();
    }
    // Keys are sorted, so the values of one group are adjacent and in order.
    let mut by_group: BTreeMap<&[String], Vec<(&str, &GroupStats)>> = BTreeMap::new();
    for (key, stats) in &grouping.groups {
        let Some((value, group)) = key.split_last() else {
            continue;
        };
        if value != NONE {
            by_group.entry(group).or_default().push((value, stats));
        }
    }
    let mut units = Vec::new();
    for (group, values) in by_group {
        for (i, (name_a, a)) in values.iter().enumerate() {
            for (name_b, b) in &values[i + 1..] {
                let mut merged = (*a).clone();
                merged.merge(b);
                let mut key = group.to_vec();
                key.push(format!("{name_a} vs {name_b}"));
                units.push(Unit {
                    key,
                    stats: Cow::Owned(merged),
                    comparison: Some(compare(name_a, a, name_b, b)),
                });
            }
        }
    }
    units
}

/// A diagnostic about a suggestion rule's script on one group.
fn group_diagnostic(level: DiagnosticLevel, rule: &str, key: &[String], text: &str) -> Diagnostic {
    Diagnostic {
        level,
        file: format!("group {}", key.join(" / ")),
        index: None,
        line: 0,
        column: 0,
        message: text.to_string(),
        rule: Some(rule.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Options;
    use crate::rule::{load_rules, RuleSource};
    use rules_model::{ModelInfo, Status, Usage};

    const DOCS: &str = "docs: { what: a, why: b, fix: c, example: d }\n";

    fn engine() -> Engine {
        let rule = |id: &str, body: &str| {
            RuleSource::new(
                format!("{id}.yaml"),
                format!("id: {id}\ntitle: {id}\n{DOCS}{body}"),
            )
        };
        let sources = [
            rule(
                "timeouts",
                "kind: classify\nseverity: error\nlabel: { failure: timeout }\nwhen: { field: error, contains: timed out }\n",
            ),
            rule(
                "failing-model",
                "kind: suggest\nseverity: error\ngroup_by: [model.name]\nwhen: { metric: error_rate, gte: 0.5 }\naffected: failed\nmessage: '{{ model.name }} fails {{ metric.error_rate }}'\n",
            ),
            rule(
                "slow-ok",
                "kind: suggest\nseverity: info\ngroup_by: [model.name]\nfilter: { field: status, equals: ok }\nwhen: { metric: latency.p95, gt: 5 }\nmessage: '{{ model.name }} slow'\n",
            ),
        ];
        Engine::new(
            load_rules(&sources).unwrap_or_else(|e| panic!("{e}")),
            Options::default(),
        )
    }

    fn records() -> Vec<Record> {
        (0..40)
            .map(|i| {
                let model = if i % 2 == 0 { "big" } else { "small" };
                let failed = model == "big" && i % 4 == 0;
                Record {
                    id: format!("r{i}"),
                    status: if failed { Status::Error } else { Status::Ok },
                    error: failed.then(|| "read timed out".to_string()),
                    model: ModelInfo {
                        name: Some(model.into()),
                        ..ModelInfo::default()
                    },
                    usage: Usage {
                        latency: Some(if model == "small" { 9.0 } else { 1.0 }),
                        ..Usage::default()
                    },
                    origin: rules_model::Origin {
                        index: i,
                        ..Default::default()
                    },
                    ..Record::default()
                }
            })
            .collect()
    }

    fn totals(engine: &Engine, records: &[Record]) -> RunTotals {
        let mut totals = RunTotals::new(engine);
        for r in records {
            totals.add(engine, r, &engine.evaluate(r), (0, r.origin.index));
        }
        totals
    }

    #[test]
    fn suggestions_fire_per_group_ranked_by_impact_with_evidence() {
        let engine = engine();
        let (rows, suggestions) = totals(&engine, &records()).finish(&engine);
        assert_eq!(rows.iter().map(|r| r.figures.count).sum::<u64>(), 40);
        let seen: Vec<(&str, &str)> = suggestions
            .iter()
            .map(|s| (s.rule.as_str(), s.group["model.name"].as_str()))
            .collect();
        assert_eq!(seen, [("failing-model", "big"), ("slow-ok", "small")]);
        let failing = &suggestions[0];
        assert_eq!(failing.message, "big fails 0.5");
        assert_eq!(failing.evidence.affected, 10);
        assert_eq!(failing.impact, 100.0);
        assert_eq!(
            failing.evidence.examples,
            ["r0", "r4", "r8", "r12", "r16"],
            "failed records first"
        );
        assert_eq!(failing.evidence.metrics.get("error_rate"), Some(&Some(0.5)));
        assert_eq!(suggestions[1].impact, 20.0, "20 matched records x info weight 1");
    }

    #[test]
    fn a_compare_rule_can_keep_only_significant_differences() {
        let rule = |id: &str, when: &str| {
            RuleSource::new(
                format!("{id}.yaml"),
                format!(
                    "id: {id}\ntitle: {id}\n{DOCS}kind: suggest\ngroup_by: [status]\ncompare: model.name\n\
                     when: {when}\nmessage: '{{{{ comparison }}}}'\n"
                ),
            )
        };
        let sources = [
            rule(
                "latency-differs",
                "{ metric: comparison.latency.significant, equals: 1 }",
            ),
            rule(
                "anything-differs",
                "{ metric: comparison.significant, equals: 1 }",
            ),
            rule(
                "error-rate-untested",
                "{ not: { metric: comparison.error_rate.p, exists: true } }",
            ),
        ];
        let engine = Engine::new(
            load_rules(&sources).unwrap_or_else(|e| panic!("{e}")),
            Options::default(),
        );
        // `a` and `b` differ by noise (0.05 s on a spread of 0.14 s); `c` is 2 s slower.
        let records: Vec<Record> = (0..90)
            .map(|i| {
                let (model, base) = [("a", 1.0), ("b", 1.05), ("c", 3.0)][i % 3];
                Record {
                    id: format!("r{i}"),
                    status: Status::Ok,
                    model: ModelInfo {
                        name: Some(model.into()),
                        ..ModelInfo::default()
                    },
                    usage: Usage {
                        latency: Some(base + ((i / 3) % 5) as f64 * 0.1),
                        ..Usage::default()
                    },
                    ..Record::default()
                }
            })
            .collect();
        let (_, suggestions) = totals(&engine, &records).finish(&engine);
        let fired = |id: &str| -> Vec<&str> {
            let mut pairs: Vec<&str> = suggestions
                .iter()
                .filter(|s| s.rule == id)
                .map(|s| s.group["model.name"].as_str())
                .collect();
            pairs.sort_unstable();
            pairs
        };
        assert_eq!(fired("latency-differs"), ["a vs c", "b vs c"]);
        assert_eq!(fired("anything-differs"), ["a vs c", "b vs c"]);
        // No errors at all: the error-rate test cannot be made for any pair.
        assert_eq!(fired("error-rate-untested"), ["a vs b", "a vs c", "b vs c"]);
        let evidence = &suggestions
            .iter()
            .find(|s| s.rule == "latency-differs")
            .unwrap()
            .evidence;
        assert!(evidence
            .metrics
            .get("latency.p")
            .is_some_and(|p| p.is_some_and(|p| p < 0.05)));
        assert!(!evidence.metrics.keys().any(|k| k.starts_with("comparison.")));

        let without_compare = RuleSource::new(
            "x.yaml",
            format!("id: x\ntitle: x\n{DOCS}kind: suggest\nwhen: {{ metric: comparison.significant, equals: 1 }}\n"),
        );
        let err = load_rules(&[without_compare]).unwrap_err().to_string();
        assert!(err.contains("`comparison.significant` needs `compare`"), "{err}");
    }

    #[test]
    fn merged_halves_equal_one_pass() {
        let engine = engine();
        let records = records();
        let whole = totals(&engine, &records);
        let mut left = totals(&engine, &records[..17]);
        let right = totals(&engine, &records[17..]);
        left.merge(&right);
        assert_eq!(left, whole);
        assert_eq!(left.finish(&engine), whole.finish(&engine));
    }

    #[test]
    fn failure_counts_add_up_to_failed_records() {
        let engine = engine();
        let (rows, _) = totals(&engine, &records()).finish(&engine);
        for row in rows {
            assert_eq!(row.figures.failures.values().sum::<u64>(), row.figures.failed);
        }
    }
}
