//! `rules check`: evaluate log files and render the report.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};

use anyhow::{bail, Context, Result};
use rules_engine::aggregate::{GroupBy, KeyPart};
use rules_engine::check::{DiagnosticLevel, Sink};
use rules_engine::eval::{default_group_by, Engine, Options, LOW_QUALITY};
use rules_engine::outcome::RecordOutcome;
use rules_engine::project::{matching, Project, Suppressor};
use rules_engine::rule::{Operand, OperandError, Rule, RuleKind, Severity};
use rules_model::read;

use crate::args::{CheckArgs, ColorChoice, FailOn, Format, RecordsShown};
use crate::render::json::JsonRenderer;
use crate::render::text::{diagnostic_line, TextRenderer};
use crate::render::{style, Renderer};
use crate::{rule_set, ExitStatus};

pub fn run(args: CheckArgs) -> Result<ExitStatus> {
    let project = rule_set::load_with_limits(&args.rules, user_script_limits(&args)?)?;
    run_with(args, project)
}

/// `rules check` with the project already loaded (`rules test` loads a pack
/// once and checks each fixture with it).
pub fn run_with(args: CheckArgs, mut project: Project) -> Result<ExitStatus> {
    if let Some(threads) = args.threads {
        if threads == 0 {
            bail!("--threads must be at least 1");
        }
        // Fails only when the pool was built already (a second run in one process).
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global();
    }
    if !(0.0..=100.0).contains(&args.quality_threshold) {
        bail!(
            "--quality-threshold must be between 0 and 100, got {}",
            args.quality_threshold
        );
    }
    // `--group-by` wins over the project's `group_by:`.
    let group_by = match (
        &args.group_by,
        project.config.as_ref().and_then(|c| c.group_by.as_ref()),
    ) {
        (flag, Some(configured)) if flag.is_empty() => parse_group_by(configured)?,
        (flag, _) => parse_group_by(flag)?,
    };
    // Packs lower the defaults (`script_limits:`); the user's flags win over both.
    let pack_limits = project.script_limits()?;
    let rules = std::mem::take(&mut project.rules);
    let select = parse_select(&args.select, &rules)?;
    let criteria: BTreeSet<String> = rules
        .iter()
        .filter(|r| r.kind == RuleKind::Score && select.as_ref().is_some_and(|s| s.contains(&r.id)))
        .map(|r| r.id.clone())
        .collect();
    let script_limits = pack_limits.overridden_by(&user_script_limits(&args)?);
    let options = Options {
        quality_threshold: args.quality_threshold,
        group_by,
        select,
        script_limits,
        verbose: args.verbose,
    };
    let engine = Engine::new(rules, options);
    let inputs = read::expand_inputs(&args.paths).context("finding the log files to check")?;

    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    style::set_color(match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
    });
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };
    let group_columns = engine.options().group_by.names();
    let mut renderer: Box<dyn Renderer> = match args.format {
        Format::Text => Box::new(TextRenderer::new(out, group_columns, criteria)),
        Format::Json => Box::new(JsonRenderer::new(out, args.records == RecordsShown::All)?),
    };
    // Fingerprints every finding and drops those the project ignores; the
    // summary and the exit code count only what is reported.
    let mut sink = RendererSink(renderer.as_mut());
    let mut suppressor = Suppressor::new(&mut sink, &project.suppression, engine.rules());
    if args.write_baseline.is_some() {
        suppressor = suppressor.collecting_baseline();
    }
    let mut report = rules_engine::check(&engine, &inputs, &mut suppressor);
    let (_, baseline) = suppressor.finish(&mut report);
    renderer.finish(&report).context("writing the report")?;
    if let (Some(path), Some(baseline)) = (&args.write_baseline, baseline) {
        std::fs::write(path, baseline.to_json())
            .with_context(|| format!("writing the baseline {}", path.display()))?;
    }

    if args.format == Format::Text || args.output.is_some() {
        let stderr = io::stderr();
        let mut err = stderr.lock();
        for d in &report.diagnostics {
            writeln!(err, "{}", diagnostic_line(d))?;
        }
        let listed = report.diagnostics.len() as u64;
        let dropped = (report.summary.diagnostics + report.summary.script_failures).saturating_sub(listed);
        if dropped > 0 {
            writeln!(err, "... and {dropped} more input diagnostics")?;
        }
    }
    let input_error = report
        .diagnostics
        .iter()
        .any(|d| d.level == DiagnosticLevel::Error);
    if input_error || (args.strict && report.summary.diagnostics > 0) {
        return Ok(ExitStatus::Error);
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failing = threshold.map_or(0, |s| report.summary.findings.at_or_above(s));
    Ok(if failing > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// The script limits the user set: `--script-ops`, `--script-timeout-ms`,
/// then every `--script-limit NAME=VALUE` (a later one wins).
fn user_script_limits(args: &CheckArgs) -> Result<rules_engine::script::LimitValues> {
    use rules_engine::script::LimitName;
    let mut limits = rules_engine::script::LimitValues::new();
    let legacy = [
        (LimitName::Operations, args.script_ops),
        (LimitName::TimeoutMs, args.script_timeout_ms),
    ];
    for (name, value) in legacy.into_iter().filter_map(|(n, v)| Some((n, v?))) {
        limits.set(name, value.max(1))?;
    }
    for &(name, value) in &args.script_limit {
        limits.set(name, value)?;
    }
    Ok(limits)
}

/// `--group-by inputs.category|app_id,model.name` into key parts.
fn parse_group_by(specs: &[String]) -> Result<GroupBy> {
    if specs.is_empty() {
        return Ok(default_group_by());
    }
    let mut parts = Vec::new();
    for spec in specs {
        let alternatives = spec
            .split('|')
            .map(|name| {
                Operand::parse_field(name.trim())
                    .map_err(|e| anyhow::anyhow!("--group-by: {}", explain_operand_error(&e)))
            })
            .collect::<Result<Vec<_>>>()?;
        parts.push(KeyPart::new(alternatives));
    }
    Ok(GroupBy { parts })
}

/// `--select` names (full ids, globs or unambiguous bare ids), checked
/// against the loaded rules so a typo is an error rather than an empty
/// report; the set holds the ids as findings show them.
fn parse_select(names: &[String], rules: &[Rule]) -> Result<Option<BTreeSet<String>>> {
    if names.is_empty() {
        return Ok(None);
    }
    let mut selected = BTreeSet::new();
    for name in names {
        if name == LOW_QUALITY {
            selected.insert(name.clone());
            continue;
        }
        let found = matching(name, rules).map_err(|e| anyhow::anyhow!("--select: {e}"))?;
        selected.extend(found.into_iter().map(|i| rules[i].id.clone()));
    }
    Ok(Some(selected))
}

/// The renderer as the run's sink (behind the suppressor).
struct RendererSink<'a>(&'a mut dyn Renderer);

impl Sink for RendererSink<'_> {
    fn record(&mut self, outcome: &RecordOutcome) {
        self.0.record(outcome);
    }
}

/// An operand error with the closest valid name, when there is one.
fn explain_operand_error(error: &OperandError) -> String {
    match error {
        OperandError::UnknownField(e) => match e.suggestion {
            Some(s) => format!("{e} (did you mean `{s}`?)"),
            None => format!("{e}; see the field list in the README"),
        },
        other => other.to_string(),
    }
}
