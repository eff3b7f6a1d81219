//! Loading a set of rule files: size cap, YAML, compile, unique ids.

use std::collections::HashMap;

use super::compile::{is_script, located, Annotate, Compiler, ScriptLoader};
use super::error::{codes, LoadErrors, RuleError};
use super::position::{Part, Position, PositionIndex};
use super::raw::RawRule;
use super::{yaml_error, Rule, RuleSource};

/// Largest rule file accepted. Real rules are a few KiB; the cap bounds the
/// work a hostile rule pack can ask for before anything is parsed.
pub const MAX_RULE_FILE_BYTES: usize = 1 << 20;

/// What a set of rule files loads as: a pack (its name and parameter values)
/// or a loose set of rule files, and the run's script limits.
#[derive(Debug, Clone, Default)]
pub struct SetContext {
    /// The pack's name; `None` for loose rule files, whose ids stay bare.
    pub pack: Option<String>,
    /// Values of the pack's parameters (`{{ params.<name> }}`): defaults
    /// with the project's overrides. A loose set has none.
    pub params: crate::pack::ParamValues,
    /// The run's script limits (packs' `script_limits:` and the user's
    /// `--script-limit`s): the expression depths are checked when scripts
    /// compile, here, not when they run.
    pub script_limits: crate::script::Limits,
}

/// Loads and compiles every source as one loose rule set. Either all rules
/// load, or the result lists every error of every file (a broken file does
/// not hide the next).
pub fn load_rules(sources: &[RuleSource]) -> Result<Vec<Rule>, LoadErrors> {
    load_rule_set(sources, &SetContext::default())
}

/// Loads one rule set: a pack's files or loose rule files. Parameters are
/// filled in first; the set's helper files are the only helpers its
/// scripts can call. Rule ids of a pack other than the shipped one are
/// shown as `<pack>/<id>`.
pub fn load_rule_set(sources: &[RuleSource], set: &SetContext) -> Result<Vec<Rule>, LoadErrors> {
    let mut errors = Vec::new();
    let sources: Vec<RuleSource> = sources
        .iter()
        .map(|source| with_params(source, set, &mut errors))
        .collect();
    let mut rules = Vec::with_capacity(sources.len());
    // id -> (file, position of its `id` value)
    let mut ids: HashMap<String, (String, Position)> = HashMap::new();
    let scripts = ScriptLoader::new(&sources, &set.script_limits, &mut errors);
    for source in sources.iter().filter(|s| !is_script(&s.path)) {
        let Some((mut rule, id_at)) = load_one(source, &scripts, &mut errors) else {
            continue;
        };
        if let Some((first_file, first_at)) = ids.get(&rule.id) {
            let mut e = located(
                source,
                id_at,
                codes::DUPLICATE_ID,
                format!("duplicate rule id `{}`: also defined in {first_file}", rule.id),
            );
            e.label(format!("first defined in {first_file}")).help(format!(
                "rule ids are unique; rename one of the rules (the other is at {first_file}:{}:{})",
                first_at.line, first_at.column
            ));
            errors.push(e);
            continue;
        }
        ids.insert(rule.id.clone(), (source.path.clone(), id_at));
        rule.id = crate::pack::display_id(set.pack.as_deref(), &rule.id);
        rule.pack = set.pack.clone();
        rules.push(rule);
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(LoadErrors(errors))
    }
}

/// The source with its `{{ params.<name> }}` filled in; every undeclared
/// parameter is reported at its placeholder, with the declared ones.
fn with_params(source: &RuleSource, set: &SetContext, errors: &mut Vec<RuleError>) -> RuleSource {
    if is_script(&source.path) {
        return source.clone();
    }
    match crate::pack::substitute_params(&source.text, &set.params) {
        Ok(text) => RuleSource::new(source.path.clone(), text),
        Err(unknown) => {
            let declared: Vec<&str> = set.params.keys().map(String::as_str).collect();
            for param in unknown {
                let mut e = located(
                    source,
                    Position {
                        line: param.line,
                        column: param.column,
                    },
                    codes::UNKNOWN_PARAM,
                    format!("unknown parameter `{}`", param.name),
                );
                if let Some(s) = super::compile::closest(&param.name, declared.iter().copied()) {
                    e.label(format!("did you mean `{s}`?"));
                }
                match (&set.pack, declared.is_empty()) {
                    (None, _) => e.help(
                        "parameters belong to packs: put the rule in a folder with a `pack.yaml` that declares it under `params:`",
                    ),
                    (Some(pack), true) => e.help(format!("pack `{pack}` declares no parameters; add it under `params:` in its pack.yaml")),
                    (Some(pack), false) => e.help(format!(
                        "pack `{pack}` declares {}; add it under `params:` in its pack.yaml",
                        declared.join(", ")
                    )),
                };
                errors.push(e);
            }
            source.clone()
        }
    }
}

/// One file: its rule and where its id is, or its errors (appended).
fn load_one(
    source: &RuleSource,
    scripts: &ScriptLoader<'_>,
    errors: &mut Vec<RuleError>,
) -> Option<(Rule, Position)> {
    if source.text.len() > MAX_RULE_FILE_BYTES {
        let mut e = located(
            source,
            Position { line: 1, column: 1 },
            codes::FILE_TOO_LARGE,
            format!(
                "rule file is {} bytes; the limit is {MAX_RULE_FILE_BYTES}",
                source.text.len()
            ),
        );
        e.source_line = None;
        e.help("a rule file holds one rule; split large keyword lists into several rules");
        errors.push(e);
        return None;
    }
    let index = PositionIndex::build(&source.text);
    let raw: RawRule = match serde_yaml::from_str(&source.text) {
        Ok(raw) => raw,
        Err(e) => {
            errors.push(yaml_error::translate(&e, source, &index));
            return None;
        }
    };
    if index.is_empty() {
        let mut e = located(
            source,
            Position { line: 1, column: 1 },
            codes::MISSING_KEY,
            "the rule file is empty".into(),
        );
        e.help("a rule file holds one rule: id, kind, title, severity, docs and the keys of its kind");
        errors.push(e);
        return None;
    }
    let mut compiler = Compiler::with_scripts(source, &index, scripts);
    let rule = compiler.rule(raw);
    let mut found = compiler.errors;
    found.sort_by_key(|e| (e.line, e.column));
    errors.extend(found);
    rule.map(|rule| (rule, index.locate("id", Part::Value)))
}

#[cfg(test)]
mod tests;
