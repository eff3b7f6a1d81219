//! `rules test [PACK...]`: runs a pack's tests and reports every case as
//! validated, missing (expected, not produced), noisy (produced, not
//! expected) or wrong (produced, but with another label, score or message).
//!
//! Two kinds of cases, both selected by the `tests:` globs of `pack.yaml`:
//! - fixture folders `<...>/<rule-id>/` (the shipped pack's convention):
//!   `fires.json` must make the rule fire and what `rules check --select
//!   <id> fires.json` prints must equal the body of `fires.snap` (insta's
//!   file format, so the insta tests and `rules test` agree; `--update`
//!   rewrites it); `clean.json` must not make it fire;
//! - YAML test files (`*.yaml`, `*.yml`): cases of records with expected
//!   findings, labels, scores and suggestions.
//!
//! Every case runs, whatever the others did. Exit 0 when all are validated,
//! 1 when one is not, 2 when a pack, rule or test file does not load.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rules_engine::check::{check_records, Report, Sink};
use rules_engine::outcome::RecordOutcome;
use rules_engine::pack::testfile::{RawExpect, RawTestCase, RawTestFile};
use rules_engine::pack::Pack;
use rules_engine::project::{self, matching, LoadRequest, Project};
use rules_engine::rule::{Rule, RuleSource};
use rules_engine::{Engine, Options};
use rules_model::read::{self, ReadEvent};
use rules_model::Record;
use serde::Serialize;

use crate::args::{CheckArgs, ColorChoice, FailOn, Format, RecordsShown, RuleArgs, TestArgs};
use crate::rule_set::RuleLoadFailed;
use crate::{render, ExitStatus};

/// How a case or one of its checks turned out; ordered from good to bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Validated,
    Noisy,
    Missing,
    Wrong,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Validated => "validated",
            Status::Noisy => "noisy",
            Status::Missing => "missing",
            Status::Wrong => "wrong",
        }
    }
}

/// One expectation of a case and how it turned out.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub status: Status,
    pub what: String,
}

/// One case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub pack: String,
    /// The test file or fixture folder, relative to the pack.
    pub file: String,
    pub case: String,
    pub status: Status,
    pub checks: Vec<CheckResult>,
}

impl CaseResult {
    fn new(pack: &str, file: &str, case: &str, checks: Vec<CheckResult>) -> CaseResult {
        CaseResult {
            pack: pack.to_string(),
            file: file.to_string(),
            case: case.to_string(),
            status: checks.iter().map(|c| c.status).max().unwrap_or(Status::Validated),
            checks,
        }
    }
}

fn check(status: Status, what: impl Into<String>) -> CheckResult {
    CheckResult {
        status,
        what: what.into(),
    }
}

/// A fixture folder's files, pack-relative.
#[derive(Debug, Default)]
pub(super) struct Fixture {
    pub id: String,
    pub dir: String,
    pub fires: Option<String>,
    pub clean: Option<String>,
}

/// The fixture folders and YAML test files of a pack.
pub(super) fn discover(pack: &Pack) -> (Vec<Fixture>, Vec<(String, String)>) {
    let mut fixtures: BTreeMap<String, Fixture> = BTreeMap::new();
    let mut files = Vec::new();
    for (path, text) in pack.test_files() {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        match name {
            "fires.json" | "clean.json" => {
                let id = dir.rsplit('/').next().unwrap_or(dir).to_string();
                let fixture = fixtures.entry(dir.to_string()).or_insert_with(|| Fixture {
                    id,
                    dir: dir.to_string(),
                    ..Fixture::default()
                });
                if name == "fires.json" {
                    fixture.fires = Some(path.to_string());
                } else {
                    fixture.clean = Some(path.to_string());
                }
            }
            _ if name.ends_with(".yaml") || name.ends_with(".yml") => {
                files.push((path.to_string(), text.to_string()));
            }
            _ => {}
        }
    }
    (fixtures.into_values().collect(), files)
}

/// Rule ids a YAML test file names (for `rules validate`'s coverage check).
pub(super) fn ids_named(file: &RawTestFile) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = file.rules.iter().flatten().cloned().collect();
    for case in &file.cases {
        let expect = &case.expect;
        ids.extend(expect.findings.iter().flatten().map(|f| f.rule.clone()));
        ids.extend(expect.suggestions.iter().flatten().map(|s| s.rule.clone()));
        for scores in expect.scores.iter().flat_map(|s| s.values()) {
            ids.extend(scores.keys().cloned());
        }
    }
    ids
}

pub fn run(args: TestArgs) -> Result<ExitStatus> {
    let packs = if args.packs.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.packs.clone()
    };
    let mut results = Vec::new();
    for path in &packs {
        let dir = path
            .canonicalize()
            .with_context(|| format!("finding the pack {}", path.display()))?;
        results.extend(test_pack(&dir, args.update)?);
    }
    render::to_stdout(args.format, &results, |out| write_text(out, &results))?;
    let all_validated = results.iter().all(|r| r.status == Status::Validated);
    Ok(if all_validated {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

fn write_text(out: &mut dyn Write, results: &[CaseResult]) -> std::io::Result<()> {
    let mut counts: BTreeMap<Status, usize> = BTreeMap::new();
    for result in results {
        *counts.entry(result.status).or_default() += 1;
        writeln!(
            out,
            "{:<9}  {}: {}",
            result.status.as_str(),
            result.file,
            result.case
        )?;
        if result.status != Status::Validated {
            for c in result.checks.iter().filter(|c| c.status != Status::Validated) {
                writeln!(out, "    {}: {}", c.status.as_str(), c.what)?;
            }
        }
    }
    let count = |s: Status| counts.get(&s).copied().unwrap_or(0);
    writeln!(
        out,
        "\n{} cases: {} validated, {} missing, {} noisy, {} wrong",
        results.len(),
        count(Status::Validated),
        count(Status::Missing),
        count(Status::Noisy),
        count(Status::Wrong)
    )
}

/// The pack as `rules check --no-config --no-default-rules --rules DIR` loads it.
fn load_pack(dir: &Path) -> Result<Project> {
    let request = LoadRequest {
        config: None,
        default_pack: Some(false),
        extra: vec![dir.to_path_buf()],
        ..LoadRequest::default()
    };
    project::load(request).map_err(|e| match e {
        project::ProjectError::Rules(errors) => RuleLoadFailed(errors.to_string()).into(),
        other => anyhow::Error::new(other),
    })
}

fn test_pack(dir: &Path, update: bool) -> Result<Vec<CaseResult>> {
    let pack = Pack::open(dir).map_err(|e| match e {
        rules_engine::pack::PackError::Manifest(errors) => {
            anyhow::Error::new(RuleLoadFailed(errors.to_string()))
        }
        other => anyhow::Error::new(other),
    })?;
    let loaded = load_pack(dir)?;
    let rules = loaded.rules.clone();
    let (fixtures, files) = discover(&pack);
    let name = pack.name().to_string();
    let mut results = Vec::new();
    for fixture in &fixtures {
        results.extend(run_fixture(dir, &pack, &loaded, fixture, update)?);
    }
    for (path, text) in &files {
        let source = RuleSource::new(pack.shown_path(path), text.clone());
        let file = RawTestFile::parse(&source).map_err(|e| RuleLoadFailed(e.to_string()))?;
        let base = Path::new(path).parent().unwrap_or(Path::new(""));
        for case in &file.cases {
            let checks = run_case(dir, base, &rules, &file, case)?;
            results.push(CaseResult::new(&name, path, &case.name, checks));
        }
    }
    Ok(results)
}

/// Collects every outcome of a run.
struct Collect(Vec<RecordOutcome>);

impl Sink for Collect {
    fn record(&mut self, outcome: &RecordOutcome) {
        self.0.push(outcome.clone());
    }
}

/// Evaluates the rules on records read from `text` (named `name`).
fn evaluate(rules: &[Rule], name: &str, text: &str) -> Result<(Vec<RecordOutcome>, Report)> {
    let mut records: Vec<Record> = Vec::new();
    for event in read::read_str(name, text) {
        match event {
            ReadEvent::Record(record) => records.push(*record),
            ReadEvent::Problem(p) => anyhow::bail!("{name}:{}:{}: {}", p.line, p.column, p.message),
        }
    }
    let engine = Engine::new(rules.to_vec(), Options::default());
    let mut collect = Collect(Vec::new());
    let report = check_records(&engine, records, &mut collect);
    Ok((collect.0, report))
}

/// What rule `id` produced: findings, lost quality points and suggestions.
fn hits(outcomes: &[RecordOutcome], report: &Report, id: &str) -> usize {
    let findings = outcomes
        .iter()
        .flat_map(|o| &o.findings)
        .filter(|f| f.rule == id)
        .count();
    let lost = outcomes
        .iter()
        .filter_map(|o| o.quality.as_ref())
        .flat_map(|q| &q.criteria)
        .filter(|c| c.rule == id && c.score < 1.0)
        .count();
    let suggestions = report.suggestions.iter().filter(|s| s.rule == id).count();
    findings + lost + suggestions
}

fn run_fixture(
    dir: &Path,
    pack: &Pack,
    loaded: &Project,
    fixture: &Fixture,
    update: bool,
) -> Result<Vec<CaseResult>> {
    let rules = &loaded.rules;
    let id = match matching(&fixture.id, rules) {
        Ok(found) if found.len() == 1 => rules[found[0]].id.clone(),
        _ => {
            let checks = vec![check(
                Status::Missing,
                format!("no rule `{}` in the pack for this fixture folder", fixture.id),
            )];
            return Ok(vec![CaseResult::new(
                pack.name(),
                &fixture.dir,
                "fixtures",
                checks,
            )]);
        }
    };
    let mut results = Vec::new();
    if let Some(fires) = &fixture.fires {
        let text = &pack.files[fires];
        let (outcomes, report) = evaluate(rules, fires, text)?;
        let mut checks = Vec::new();
        checks.push(if hits(&outcomes, &report, &id) > 0 {
            check(Status::Validated, format!("`{id}` fires on {fires}"))
        } else {
            check(Status::Missing, format!("`{id}` does not fire on {fires}"))
        });
        checks.push(snapshot(dir, loaded, &id, fires, &fixture.dir, update)?);
        results.push(CaseResult::new(pack.name(), &fixture.dir, "fires", checks));
    }
    if let Some(clean) = &fixture.clean {
        let (outcomes, report) = evaluate(rules, clean, &pack.files[clean])?;
        let n = hits(&outcomes, &report, &id);
        let checks = vec![if n == 0 {
            check(Status::Validated, format!("`{id}` stays quiet on {clean}"))
        } else {
            check(
                Status::Noisy,
                format!("`{id}` fires {n} times on {clean}, which must not make it fire"),
            )
        }];
        results.push(CaseResult::new(pack.name(), &fixture.dir, "clean", checks));
    }
    Ok(results)
}

/// Compares (or with `update` writes) `fires.snap` with what `rules check
/// --select <id> <fires.json>` prints, run from the pack's folder.
fn snapshot(
    dir: &Path,
    loaded: &Project,
    id: &str,
    fires: &str,
    fixture_dir: &str,
    update: bool,
) -> Result<CheckResult> {
    let output = check_text(dir, loaded, id, fires)?;
    let snap_path = dir.join(fixture_dir).join("fires.snap");
    let description = format!("rules check --select {id} {fires}");
    let existing = std::fs::read_to_string(&snap_path).ok();
    let (source, body) = match existing.as_deref().and_then(split_snapshot) {
        Some((source, body)) => (source.to_string(), Some(body.to_string())),
        None => ("rules test".to_string(), None),
    };
    let shown = format!("{fixture_dir}/fires.snap");
    if update {
        let same = body.as_deref().is_some_and(|b| b.trim_end() == output.trim_end());
        if !same {
            let text = format!(
                "---\nsource: {source}\ndescription: {description}\n---\n{}\n",
                output.trim_end()
            );
            std::fs::write(&snap_path, text).with_context(|| format!("writing {}", snap_path.display()))?;
        }
        return Ok(check(Status::Validated, format!("{shown} is up to date")));
    }
    Ok(match body {
        None => check(
            Status::Missing,
            format!("{shown} is missing; `rules test --update` writes it"),
        ),
        Some(body) if body.trim_end() == output.trim_end() => {
            check(Status::Validated, format!("output equals {shown}"))
        }
        Some(body) => check(
            Status::Wrong,
            format!(
                "output differs from {shown}:\n{}",
                first_difference(&body, &output)
            ),
        ),
    })
}

/// (source, body) of an insta snapshot file.
fn split_snapshot(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    let header = &rest[..end];
    let body = &rest[end + 5..];
    let source = header
        .lines()
        .find_map(|l| l.strip_prefix("source: "))
        .unwrap_or("rules test");
    Some((source, body))
}

/// The first line that differs, for the report.
fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.trim_end().lines();
    let mut actual_lines = actual.trim_end().lines();
    for n in 1.. {
        match (expected_lines.next(), actual_lines.next()) {
            (None, None) => break,
            (e, a) if e != a => {
                return format!(
                    "      line {n}\n      - {}\n      + {}",
                    e.unwrap_or("(end)"),
                    a.unwrap_or("(end)")
                )
            }
            _ => {}
        }
    }
    "      (only whitespace differs)".to_string()
}

/// What `rules check --select <id> --fail-on never <fires>` prints, run in
/// this process from the pack's folder with the pack's rules only.
fn check_text(dir: &Path, loaded: &Project, id: &str, fires: &str) -> Result<String> {
    let out = std::env::temp_dir().join(format!("rules-test-{}-{}.txt", std::process::id(), unique()));
    let previous = std::env::current_dir().context("finding the working directory")?;
    std::env::set_current_dir(dir).with_context(|| format!("entering {}", dir.display()))?;
    let args = CheckArgs {
        paths: vec![PathBuf::from(fires)],
        rules: RuleArgs {
            rules: vec![dir.to_path_buf()],
            no_default_rules: true,
            config: None,
            no_config: true,
        },
        format: Format::Text,
        fail_on: FailOn::Never,
        group_by: Vec::new(),
        select: vec![id.to_string()],
        quality_threshold: 60.0,
        records: RecordsShown::Notable,
        output: Some(out.clone()),
        strict: false,
        threads: None,
        color: ColorChoice::Never,
        script_ops: None,
        script_timeout_ms: None,
        script_limit: Vec::new(),
        verbose: false,
        write_baseline: None,
    };
    let ran = super::check::run_with(args, loaded.clone());
    std::env::set_current_dir(&previous).with_context(|| format!("returning to {}", previous.display()))?;
    ran?;
    let text = std::fs::read_to_string(&out).with_context(|| format!("reading {}", out.display()))?;
    let _ = std::fs::remove_file(&out);
    Ok(text)
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Runs one case of a YAML test file.
fn run_case(
    dir: &Path,
    base: &Path,
    rules: &[Rule],
    file: &RawTestFile,
    case: &RawTestCase,
) -> Result<Vec<CheckResult>> {
    let (name, text) = match (&case.records, &case.file) {
        (Some(records), None) => (
            format!("{}: {}", base.display(), case.name),
            serde_json::to_string(records)?,
        ),
        (None, Some(path)) => {
            let relative = base.join(path);
            let text = std::fs::read_to_string(dir.join(&relative))
                .with_context(|| format!("reading the records of case `{}`", case.name))?;
            (relative.display().to_string(), text)
        }
        _ => {
            return Ok(vec![check(
                Status::Wrong,
                format!("case `{}` needs `records:` or `file:` (one of them)", case.name),
            )])
        }
    };
    let under_test: BTreeSet<String> = match &file.rules {
        Some(names) => {
            let mut ids = BTreeSet::new();
            for name in names {
                let found = matching(name, rules).map_err(|e| anyhow::anyhow!("test file: {e}"))?;
                ids.extend(found.into_iter().map(|i| rules[i].id.clone()));
            }
            ids
        }
        None => rules.iter().map(|r| r.id.clone()).collect(),
    };
    let shown = |name: &str| -> String {
        matching(name, rules)
            .ok()
            .and_then(|f| f.first().map(|&i| rules[i].id.clone()))
            .unwrap_or_else(|| name.to_string())
    };
    let (outcomes, report) = evaluate(rules, &name, &text)?;
    Ok(compare(&case.expect, &outcomes, &report, &under_test, &shown))
}

/// Every expectation of a case against what the rules produced.
fn compare(
    expect: &RawExpect,
    outcomes: &[RecordOutcome],
    report: &Report,
    under_test: &BTreeSet<String>,
    shown: &dyn Fn(&str) -> String,
) -> Vec<CheckResult> {
    let mut checks = Vec::new();
    let record = |id: &str| outcomes.iter().find(|o| o.id == id);
    if let Some(expected) = &expect.findings {
        let mut matched: BTreeSet<(usize, usize)> = BTreeSet::new();
        for e in expected {
            let rule = shown(&e.rule);
            let what = format!("finding `{rule}` on record {}", e.record);
            let produced = record(&e.record).and_then(|o| {
                let at = outcomes.iter().position(|x| x.id == o.id)?;
                o.findings
                    .iter()
                    .position(|f| f.rule == rule)
                    .map(|i| (at, i, &o.findings[i]))
            });
            match produced {
                None => checks.push(check(Status::Missing, what)),
                Some((at, i, f)) => {
                    matched.insert((at, i));
                    let label_ok = e
                        .label
                        .as_ref()
                        .is_none_or(|l| f.label.as_deref() == Some(l.as_str()));
                    let message_ok = e.message.as_ref().is_none_or(|m| f.message.contains(m.as_str()));
                    if label_ok && message_ok {
                        checks.push(check(Status::Validated, what));
                    } else {
                        checks.push(check(
                            Status::Wrong,
                            format!(
                                "{what}: got label {} and message \"{}\"",
                                f.label.as_deref().unwrap_or("none"),
                                f.message
                            ),
                        ));
                    }
                }
            }
        }
        let before = checks.len();
        for (at, o) in outcomes.iter().enumerate() {
            for (i, f) in o.findings.iter().enumerate() {
                if under_test.contains(&f.rule) && !matched.contains(&(at, i)) {
                    checks.push(check(
                        Status::Noisy,
                        format!("finding `{}` on record {}: \"{}\"", f.rule, o.id, f.message),
                    ));
                }
            }
        }
        if checks.len() == before {
            checks.push(check(
                Status::Validated,
                "no other findings of the rules under test",
            ));
        }
    }
    for (id, labels) in expect.labels.iter().flatten() {
        for (dimension, label) in labels {
            let what = format!("label {dimension}/{label} on record {id}");
            let got = record(id).and_then(|o| o.labels.get(dimension));
            checks.push(match got {
                Some(given) if given.first() == Some(label) => check(Status::Validated, what),
                Some(given) => check(Status::Wrong, format!("{what}: got {}", given.join(", "))),
                None => check(Status::Missing, what),
            });
        }
    }
    for (id, scores) in expect.scores.iter().flatten() {
        for (rule, want) in scores {
            let rule = shown(rule);
            let what = format!("score of `{rule}` on record {id} is {want}");
            let got = record(id)
                .and_then(|o| o.quality.as_ref())
                .and_then(|q| q.criteria.iter().find(|c| c.rule == rule));
            checks.push(match got {
                Some(c) if want.accepts(c.score) => check(Status::Validated, what),
                Some(c) => check(Status::Wrong, format!("{what}: got {}", c.score)),
                None => check(Status::Missing, format!("{what}: the criterion does not apply")),
            });
        }
    }
    for (id, want) in expect.quality.iter().flatten() {
        let what = format!("quality of record {id} is {want}");
        checks.push(match record(id).and_then(|o| o.quality.as_ref()) {
            Some(q) if want.accepts(q.score) => check(Status::Validated, what),
            Some(q) => check(Status::Wrong, format!("{what}: got {}", q.score)),
            None => check(
                Status::Missing,
                format!("{what}: the record has no quality score"),
            ),
        });
    }
    if let Some(expected) = &expect.suggestions {
        let mut matched = BTreeSet::new();
        for e in expected {
            let rule = shown(&e.rule);
            let what = format!("suggestion `{rule}`");
            let position = report.suggestions.iter().position(|s| s.rule == rule);
            match position {
                None => checks.push(check(Status::Missing, what)),
                Some(i) => {
                    matched.insert(i);
                    let s = &report.suggestions[i];
                    if e.message.as_ref().is_none_or(|m| s.message.contains(m.as_str())) {
                        checks.push(check(Status::Validated, what));
                    } else {
                        checks.push(check(
                            Status::Wrong,
                            format!("{what}: got message \"{}\"", s.message),
                        ));
                    }
                }
            }
        }
        let before = checks.len();
        for (i, s) in report.suggestions.iter().enumerate() {
            if under_test.contains(&s.rule) && !matched.contains(&i) {
                checks.push(check(
                    Status::Noisy,
                    format!("suggestion `{}`: \"{}\"", s.rule, s.message),
                ));
            }
        }
        if checks.len() == before {
            checks.push(check(
                Status::Validated,
                "no other suggestions of the rules under test",
            ));
        }
    }
    if checks.is_empty() {
        checks.push(check(Status::Missing, "the case expects nothing; add `expect:`"));
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_split_into_source_and_body() {
        let text = "---\nsource: crates/cli/tests/shipped.rs\ndescription: x\n---\n\nMetrics\n";
        assert_eq!(
            split_snapshot(text),
            Some(("crates/cli/tests/shipped.rs", "\nMetrics\n"))
        );
        assert_eq!(split_snapshot("no header"), None);
    }

    #[test]
    fn the_first_differing_line_is_shown() {
        assert!(first_difference("a\nb\n", "a\nc\n").contains("line 2\n      - b\n      + c"));
    }
}
