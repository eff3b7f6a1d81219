//! `rules validate [PACK...]`: everything that can be checked without logs.
//! The manifest and every rule file against their schema, every regex and
//! script compiled, duplicate ids, unknown parameters, the packs it extends,
//! and its test files; rules without docs or tests are warnings.
//!
//! Exit codes follow `check`: 2 when something does not load (as a broken
//! rule file makes `check` exit 2), 1 when there are warnings only, 0 when
//! the pack is clean.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::Result;
use rules_engine::pack::testfile::RawTestFile;
use rules_engine::pack::{Pack, PackError};
use rules_engine::rule::{load_rule_set, RuleError, RuleSource, SetContext};
use serde::Serialize;

use crate::args::ValidateArgs;
use crate::{render, ExitStatus};

/// One problem found.
#[derive(Debug, Serialize)]
struct Problem {
    level: &'static str,
    code: String,
    message: String,
    file: String,
    line: usize,
    column: usize,
    /// The full rendering (source line, caret, help).
    #[serde(skip)]
    rendered: String,
}

impl Problem {
    fn error(e: &RuleError) -> Problem {
        Problem {
            level: "error",
            code: e.code.to_string(),
            message: e.message.clone(),
            file: e.file.clone(),
            line: e.line,
            column: e.column,
            rendered: e.to_string(),
        }
    }

    fn plain(level: &'static str, code: &str, message: String, file: String) -> Problem {
        let rendered = format!("{level}[{code}]: {message}\n  --> {file}:1:1");
        Problem {
            level,
            code: code.to_string(),
            message,
            file,
            line: 1,
            column: 1,
            rendered,
        }
    }
}

/// The result for one pack.
#[derive(Debug, Serialize)]
struct Validated {
    path: String,
    name: Option<String>,
    version: Option<String>,
    rules: usize,
    problems: Vec<Problem>,
}

pub fn run(args: ValidateArgs) -> Result<ExitStatus> {
    let paths = if args.packs.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.packs.clone()
    };
    let results: Vec<Validated> = paths.iter().map(|p| validate(p)).collect();
    render::to_stdout(args.format, &results, |out| {
        for result in &results {
            for problem in &result.problems {
                writeln!(out, "{}\n", problem.rendered)?;
            }
            let count = |level: &str| result.problems.iter().filter(|p| p.level == level).count();
            writeln!(
                out,
                "{} {}: {} rules, {} errors, {} warnings",
                result.name.as_deref().unwrap_or(&result.path),
                result.version.as_deref().unwrap_or("(no version)"),
                result.rules,
                count("error"),
                count("warning")
            )?;
        }
        Ok(())
    })?;
    let any = |level: &str| results.iter().flat_map(|r| &r.problems).any(|p| p.level == level);
    Ok(if any("error") {
        ExitStatus::Error
    } else if any("warning") {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn validate(path: &std::path::Path) -> Validated {
    let mut result = Validated {
        path: path.display().to_string(),
        name: None,
        version: None,
        rules: 0,
        problems: Vec::new(),
    };
    let pack = match Pack::open(path) {
        Ok(pack) => pack,
        Err(PackError::Manifest(errors)) => {
            result.problems.extend(errors.0.iter().map(Problem::error));
            return result;
        }
        Err(other) => {
            result.problems.push(Problem::plain(
                "error",
                "pack::unreadable",
                other.to_string(),
                path.display().to_string(),
            ));
            return result;
        }
    };
    result.name = Some(pack.name().to_string());
    result.version = Some(pack.manifest.version.to_string());
    if let Err(e) = pack.extended() {
        result.problems.push(Problem::plain(
            "error",
            "pack::extends",
            e.to_string(),
            pack.shown_path(rules_engine::pack::MANIFEST_FILE),
        ));
    }
    let set = SetContext {
        pack: Some(pack.name().to_string()),
        params: pack.default_params(),
        // Its own `script_limits:` (expression depths are checked at load).
        script_limits: rules_engine::script::Limits::default()
            .lowered_by(&pack.manifest.script_limits)
            .unwrap_or_default(),
    };
    let rules = match load_rule_set(&pack.rule_sources(), &set) {
        Ok(rules) => rules,
        Err(errors) => {
            result.problems.extend(errors.0.iter().map(Problem::error));
            Vec::new()
        }
    };
    result.rules = rules.len();

    let (fixtures, files) = super::test::discover(&pack);
    let mut tested: BTreeSet<String> = fixtures.iter().map(|f| f.id.clone()).collect();
    for (file, text) in &files {
        match RawTestFile::parse(&RuleSource::new(pack.shown_path(file), text.clone())) {
            Ok(parsed) => tested.extend(super::test::ids_named(&parsed)),
            Err(errors) => result.problems.extend(errors.0.iter().map(Problem::error)),
        }
    }
    if !rules.is_empty() {
        for fixture in &fixtures {
            if rules_engine::project::matching(&fixture.id, &rules).is_err() {
                result.problems.push(Problem::plain(
                    "warning",
                    "pack::orphan-test",
                    format!("the fixture folder `{}` names no rule of the pack", fixture.dir),
                    pack.shown_path(&fixture.dir),
                ));
            }
        }
        for (file, text) in &files {
            let Ok(parsed) = RawTestFile::parse(&RuleSource::new(file.clone(), text.clone())) else {
                continue;
            };
            for id in super::test::ids_named(&parsed) {
                if let Err(e) = rules_engine::project::matching(&id, &rules) {
                    result.problems.push(Problem::plain(
                        "warning",
                        "pack::orphan-test",
                        format!("the test file names `{id}`: {e}"),
                        pack.shown_path(file),
                    ));
                }
            }
        }
    }
    for rule in &rules {
        let bare = rules_engine::project::bare_id(rule);
        let docs = &rule.docs;
        let empty: Vec<&str> = [
            ("what", &docs.what),
            ("why", &docs.why),
            ("fix", &docs.fix),
            ("example", &docs.example),
        ]
        .iter()
        .filter(|(_, text)| text.trim().is_empty())
        .map(|(name, _)| *name)
        .collect();
        if !empty.is_empty() {
            result.problems.push(Problem::plain(
                "warning",
                "pack::no-docs",
                format!("rule `{}` has no docs.{}", rule.id, empty.join(", docs.")),
                rule.file.clone(),
            ));
        }
        let has_tests =
            tested.contains(bare) || tested.contains(&rule.id) || tested.contains(&rule.full_id());
        if !has_tests {
            result.problems.push(Problem::plain(
                "warning",
                "pack::no-tests",
                format!(
                    "rule `{}` has no tests: add a YAML test file (`rules new test {bare}`) or a fixture folder `{bare}/` with fires.json",
                    rule.id
                ),
                rule.file.clone(),
            ));
        }
    }
    result
}
