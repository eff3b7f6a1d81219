//! A project's rules: the packs it uses (the shipped one, those its
//! `rules.yaml` names, those they extend, and `--rules` paths), with its
//! parameter values, rule switches, severities and suppressions applied.
//!
//! This is the one place that turns "what the user asked for" into a list of
//! loaded rules, so every command (`check`, `list`, `explain`, `config`,
//! `validate`, `test`) sees the same rules.

pub mod config;
pub mod select;
pub mod suppress;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::pack::{self, check_version, Pack, PackError, ParamValues};
use crate::rule::{codes, load_rule_set, LoadErrors, Rule, RuleError, RuleSource, SetContext, Severity};
use crate::script::{LimitError, LimitValues, Limits};

pub use config::{discover, Config, ConfigError, RawConfig, CONFIG_FILE};
pub use select::{bare_id, matching, SelectError};
pub use suppress::{
    fingerprint, Baseline, BaselineEntry, BaselineError, Suppressed, Suppression, Suppressor,
};

/// What to load; command-line choices override the configuration's.
#[derive(Debug, Clone, Default)]
pub struct LoadRequest {
    pub config: Option<Config>,
    /// `Some(false)` for `--no-default-rules`; `None` leaves it to the
    /// configuration (default: load the shipped pack).
    pub default_pack: Option<bool>,
    /// `--rules` paths, in order: packs (a folder with `pack.yaml`, a
    /// `.tar.gz`) or loose rule files and folders.
    pub extra: Vec<PathBuf>,
    /// The user's `--script-limit`s: scripts compile under the expression
    /// depths of the run's limits (see [`Project::script_limits`]).
    pub script_limits: LimitValues,
}

/// Where a setting's value came from, for `rules config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// The built-in default or the pack's declared default.
    Default,
    /// The project configuration file.
    Config(PathBuf),
    /// A command-line flag.
    Flag(&'static str),
}

impl std::fmt::Display for Provenance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Provenance::Default => f.write_str("default"),
            Provenance::Config(path) => write!(f, "{}", path.display()),
            Provenance::Flag(flag) => f.write_str(flag),
        }
    }
}

/// A parameter's effective value.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSetting {
    pub name: String,
    pub value: serde_json::Value,
    pub doc: String,
    pub from: Provenance,
}

/// A pack as loaded for a project.
#[derive(Debug, Clone)]
pub struct LoadedPack {
    pub pack: Pack,
    /// Who asked for it.
    pub from: Provenance,
    pub params: Vec<ParamSetting>,
}

/// The rules of a project, ready to run.
#[derive(Debug, Clone)]
pub struct Project {
    pub rules: Vec<Rule>,
    pub packs: Vec<LoadedPack>,
    /// Loose rule folders or files (`--rules` without a `pack.yaml`).
    pub loose: Vec<PathBuf>,
    pub config: Option<Config>,
    pub suppression: Suppression,
    /// The baseline file whose findings are not reported.
    pub baseline: Option<PathBuf>,
    /// What the configuration changed: (full id, change), for `rules config`.
    pub changes: Vec<(String, String)>,
}

#[derive(Debug, Error)]
pub enum ProjectError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Pack(#[from] PackError),
    /// Rule files, parameters or switches that do not load; every error
    /// carries its file, line and column.
    #[error("{0}")]
    Rules(LoadErrors),
    #[error(transparent)]
    Baseline(#[from] BaselineError),
}

/// Loads the packs and rules `request` asks for.
pub fn load(request: LoadRequest) -> Result<Project, ProjectError> {
    let config = request.config;
    let mut packs: Vec<LoadedPack> = Vec::new();
    let default_pack = request
        .default_pack
        .or(config.as_ref().and_then(|c| c.default_pack))
        .unwrap_or(true);
    if default_pack {
        add_pack(&mut packs, Pack::embedded(), Provenance::Default)?;
    }
    if let Some(config) = &config {
        for reference in &config.packs {
            let pack = Pack::open(&reference.path)?;
            check_version(
                &pack,
                reference.version.as_ref(),
                &format!("{} asks for it", config.file.display()),
            )?;
            let from = Provenance::Config(config.file.clone());
            for extended in pack.extended()? {
                add_pack(&mut packs, extended, from.clone())?;
            }
            add_pack(&mut packs, pack, from)?;
        }
    }
    let mut loose = Vec::new();
    let mut loose_sources: Vec<Vec<RuleSource>> = Vec::new();
    for path in &request.extra {
        if is_pack(path) {
            let pack = Pack::open(path)?;
            for extended in pack.extended()? {
                add_pack(&mut packs, extended, Provenance::Flag("--rules"))?;
            }
            add_pack(&mut packs, pack, Provenance::Flag("--rules"))?;
        } else {
            loose_sources.push(pack::rules_at(path)?);
            loose.push(path.clone());
        }
    }

    let mut errors = Vec::new();
    set_params(&mut packs, config.as_ref(), &mut errors);
    // A pack limit above its default fails later, in `Project::script_limits`.
    let script_limits = packs
        .iter()
        .try_fold(Limits::default(), |limits, p| {
            limits.lowered_by(&p.pack.manifest.script_limits)
        })
        .unwrap_or_default()
        .overridden_by(&request.script_limits);
    let mut sets: Vec<Vec<Rule>> = Vec::new();
    for loaded in &packs {
        let set = SetContext {
            pack: Some(loaded.pack.name().to_string()),
            params: loaded
                .params
                .iter()
                .map(|p| (p.name.clone(), p.value.clone()))
                .collect::<ParamValues>(),
            script_limits,
        };
        match load_rule_set(&loaded.pack.rule_sources(), &set) {
            Ok(rules) => sets.push(rules),
            Err(e) => errors.extend(e.0),
        }
    }
    for sources in &loose_sources {
        let set = SetContext {
            script_limits,
            ..SetContext::default()
        };
        match load_rule_set(sources, &set) {
            Ok(rules) => sets.push(rules),
            Err(e) => errors.extend(e.0),
        }
    }
    let mut rules = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for rule in sets.into_iter().flatten() {
        if let Some(first) = seen.get(&rule.id) {
            errors.push(clash(&rule, first));
            continue;
        }
        seen.insert(rule.id.clone(), rule.file.clone());
        rules.push(rule);
    }
    let mut changes = Vec::new();
    if let Some(config) = &config {
        apply_switches(&mut rules, config, &mut changes, &mut errors);
    }
    if !errors.is_empty() {
        return Err(ProjectError::Rules(LoadErrors(errors)));
    }
    let mut suppression = Suppression::default();
    let mut baseline = None;
    if let Some(config) = &config {
        suppression.records.extend(config.ignore_records.iter().cloned());
        suppression
            .fingerprints
            .extend(config.ignore_findings.iter().cloned());
        if let Some(path) = &config.baseline {
            let file = Baseline::read(path)?;
            suppression
                .fingerprints
                .extend(file.findings.into_iter().map(|f| f.fingerprint));
            baseline = Some(path.clone());
        }
    }
    Ok(Project {
        rules,
        packs,
        loose,
        config,
        suppression,
        baseline,
        changes,
    })
}

impl Project {
    /// The run's sandbox limits: the defaults lowered by every pack's
    /// `script_limits:` (the lowest value of a limit wins). The user's
    /// `--script-limit`s go on top ([`Limits::overridden_by`]).
    pub fn script_limits(&self) -> Result<Limits, LimitError> {
        self.packs.iter().try_fold(Limits::default(), |limits, p| {
            limits.lowered_by(&p.pack.manifest.script_limits)
        })
    }
}

/// True when `path` is a pack rather than loose rule files.
pub fn is_pack(path: &Path) -> bool {
    path.join(pack::MANIFEST_FILE).is_file()
        || (path.is_file()
            && path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".tar.gz") || n.ends_with(".tgz")))
}

/// Adds a pack unless the same pack (name and version) is there already;
/// two different packs with one name are an error.
fn add_pack(packs: &mut Vec<LoadedPack>, pack: Pack, from: Provenance) -> Result<(), PackError> {
    if let Some(other) = packs.iter().find(|p| p.pack.name() == pack.name()) {
        if other.pack.manifest.version == pack.manifest.version {
            return Ok(());
        }
        return Err(PackError::Version(format!(
            "two packs are named `{}`: version {} at {} and version {} at {}; a project uses one version of a pack",
            pack.name(),
            other.pack.manifest.version,
            other.pack.location(),
            pack.manifest.version,
            pack.location()
        )));
    }
    packs.push(LoadedPack {
        pack,
        from,
        params: Vec::new(),
    });
    Ok(())
}

/// Fills each pack's parameters: declared defaults, then the configuration's
/// overrides (unknown names and wrong kinds are errors in the configuration).
fn set_params(packs: &mut [LoadedPack], config: Option<&Config>, errors: &mut Vec<RuleError>) {
    let overrides: BTreeMap<String, BTreeMap<String, serde_json::Value>> =
        config.map(|c| c.params.clone()).unwrap_or_default();
    for loaded in packs.iter_mut() {
        let name = loaded.pack.name().to_string();
        let mut values: Vec<ParamSetting> = loaded
            .pack
            .manifest
            .params
            .iter()
            .map(|(param, declared)| ParamSetting {
                name: param.clone(),
                value: declared.default.clone(),
                doc: declared.doc.clone(),
                from: Provenance::Default,
            })
            .collect();
        if let (Some(config), Some(given)) = (config, overrides.get(&name)) {
            for (param, value) in given {
                let at = format!("params.{name}.{param}");
                match values.iter_mut().find(|v| &v.name == param) {
                    None => {
                        let declared: Vec<&str> =
                            loaded.pack.manifest.params.keys().map(String::as_str).collect();
                        let listed = if declared.is_empty() {
                            "it declares none".to_string()
                        } else {
                            format!("it declares {}", declared.join(", "))
                        };
                        errors.push(config.error_at(
                            &at,
                            format!("pack `{name}` has no parameter `{param}`"),
                            format!("{listed} (see `params:` in its pack.yaml)"),
                        ));
                    }
                    Some(setting) if !pack::same_kind(&setting.value, value) => errors.push(config.error_at(
                        &at,
                        format!(
                            "parameter `{name}.{param}` is {}, but its default is {}",
                            pack::kind_of(value),
                            pack::kind_of(&setting.value)
                        ),
                        format!("give `{param}` a value like its default, {}", setting.value),
                    )),
                    Some(setting) => {
                        setting.value = value.clone();
                        setting.from = Provenance::Config(config.file.clone());
                    }
                }
            }
        }
        loaded.params = values;
    }
    for pack_name in overrides.keys() {
        if let Some(config) = config {
            if !packs.iter().any(|p| p.pack.name() == pack_name) {
                let loaded: Vec<&str> = packs.iter().map(|p| p.pack.name()).collect();
                errors.push(config.error_at(
                    &format!("params.{pack_name}"),
                    format!("no loaded pack is named `{pack_name}`"),
                    format!("the loaded packs are {}", loaded.join(", ")),
                ));
            }
        }
    }
}

/// The configuration's `rules:` switches and `severity:` overrides.
fn apply_switches(
    rules: &mut [Rule],
    config: &Config,
    changes: &mut Vec<(String, String)>,
    errors: &mut Vec<RuleError>,
) {
    let resolve = |names: &[String], key: &str, errors: &mut Vec<RuleError>| -> Vec<usize> {
        let mut found = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match matching(name, rules) {
                Ok(indexes) => found.extend(indexes),
                Err(e) => errors.push(config.error_at(&format!("{key}[{i}]"), e.to_string(), select_help())),
            }
        }
        found
    };
    let disabled = resolve(&config.disable, "rules.disable", errors);
    let enabled = resolve(&config.enable, "rules.enable", errors);
    let mut severities: Vec<(Vec<usize>, Severity)> = Vec::new();
    for (name, severity) in &config.severity {
        match matching(name, rules) {
            Ok(indexes) => severities.push((indexes, *severity)),
            Err(e) => errors.push(config.error_at(&format!("severity.{name}"), e.to_string(), select_help())),
        }
    }
    for i in disabled {
        rules[i].enabled = false;
        changes.push((rules[i].full_id(), "disabled".into()));
    }
    for i in enabled {
        rules[i].enabled = true;
        changes.push((rules[i].full_id(), "enabled".into()));
    }
    for (indexes, severity) in severities {
        for i in indexes {
            rules[i].severity = severity;
            changes.push((rules[i].full_id(), format!("severity {severity}")));
        }
    }
}

fn select_help() -> String {
    "name rules by full id (`acme/refund-loop`), glob (`acme/*`) or bare id when only one pack has it".into()
}

fn clash(rule: &Rule, first: &str) -> RuleError {
    RuleError {
        code: codes::PACK_CLASH,
        message: format!("rule id `{}` is defined twice: in {first} and in {}", rule.id, rule.file),
        file: rule.file.clone(),
        line: 1,
        column: 1,
        source_line: None,
        label: None,
        help: Some(
            "rule ids are unique among the loaded rules: rename one, or put the team's rules in a pack (a folder with pack.yaml) so its ids get the pack's prefix"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "id: refund-loop\nkind: classify\ntitle: Refund loop\ndocs: {what: w, why: w, fix: f, example: e}\nlabel: { support: refund_loop }\nwhen: { field: usage.latency, gt: \"{{ params.slow_s }}\" }\nmessage: \"over {{ params.slow_s }} s\"\n";

    fn acme(dir: &Path) -> PathBuf {
        let root = dir.join("acme");
        std::fs::create_dir_all(root.join("rules")).unwrap();
        std::fs::write(
            root.join("pack.yaml"),
            "name: acme\nversion: 1.2.0\nparams:\n  slow_s: { default: 8, doc: seconds }\n",
        )
        .unwrap();
        std::fs::write(root.join("rules/refund-loop.yaml"), RULE).unwrap();
        root
    }

    fn config(dir: &Path, text: &str) -> Config {
        let path = dir.join("rules.yaml");
        std::fs::write(&path, text).unwrap();
        Config::read(&path).unwrap()
    }

    #[test]
    fn a_configured_pack_loads_with_overrides_and_switches() {
        let dir = tempfile::tempdir().unwrap();
        acme(dir.path());
        let config = config(
            dir.path(),
            "packs: [{ path: acme, version: \"^1.2\" }]\nparams: { acme: { slow_s: 5 } }\nseverity: { acme/*: error }\nrules: { disable: [slow-model] }\n",
        );
        let project = load(LoadRequest {
            config: Some(config),
            ..LoadRequest::default()
        })
        .unwrap();
        let rule = project
            .rules
            .iter()
            .find(|r| r.id == "acme/refund-loop")
            .expect("namespaced id");
        assert_eq!(rule.severity, Severity::Error);
        assert_eq!(rule.full_id(), "acme/refund-loop");
        let shipped = project
            .rules
            .iter()
            .find(|r| r.id == "slow-model")
            .expect("shipped, bare");
        assert!(!shipped.enabled);
        let acme = project.packs.iter().find(|p| p.pack.name() == "acme").unwrap();
        assert_eq!(acme.params[0].value, serde_json::json!(5));
        match &rule.body {
            crate::rule::RuleBody::Classify(c) => assert_eq!(c.message.source(), "over 5 s"),
            _ => panic!("a classify rule"),
        }
    }

    #[test]
    fn bad_overrides_versions_and_clashes_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        acme(dir.path());
        let bad = config(
            dir.path(),
            "packs: [{ path: acme }]\nparams: { acme: { slow: 5 }, beta: {} }\n",
        );
        let error = load(LoadRequest {
            config: Some(bad),
            default_pack: Some(false),
            ..LoadRequest::default()
        })
        .unwrap_err()
        .to_string();
        assert!(error.contains("pack `acme` has no parameter `slow`"), "{error}");
        assert!(error.contains("it declares slow_s"), "{error}");
        assert!(error.contains("no loaded pack is named `beta`"), "{error}");

        let old = config(dir.path(), "packs: [{ path: acme, version: \"^2\" }]\n");
        let error = load(LoadRequest {
            config: Some(old),
            ..LoadRequest::default()
        })
        .unwrap_err()
        .to_string();
        assert!(error.contains("version 1.2.0, but"), "{error}");

        let loose = dir.path().join("loose");
        std::fs::create_dir_all(&loose).unwrap();
        std::fs::write(
            loose.join("slow-model.yaml"),
            RULE.replace("refund-loop", "slow-model")
                .replace("\"{{ params.slow_s }}\"", "8")
                .replace("{{ params.slow_s }}", "8"),
        )
        .unwrap();
        let error = load(LoadRequest {
            extra: vec![loose],
            ..LoadRequest::default()
        })
        .unwrap_err()
        .to_string();
        assert!(
            error
                .contains("rule id `slow-model` is defined twice: in rules/optimizer/slow-model.yaml and in"),
            "{error}"
        );
    }

    #[test]
    fn packs_lower_the_run_limits_and_the_lowest_wins() {
        let dir = tempfile::tempdir().unwrap();
        let root = acme(dir.path());
        let manifest = std::fs::read_to_string(root.join("pack.yaml")).unwrap();
        std::fs::write(
            root.join("pack.yaml"),
            manifest + "script_limits: { call_depth: 8, operations: 5000 }\n",
        )
        .unwrap();
        let beta = dir.path().join("beta");
        std::fs::create_dir_all(&beta).unwrap();
        std::fs::write(
            beta.join("pack.yaml"),
            "name: beta\nversion: 1.0.0\nscript_limits: { call_depth: 4 }\n",
        )
        .unwrap();
        let project = load(LoadRequest {
            extra: vec![root, beta],
            ..LoadRequest::default()
        })
        .unwrap();
        let limits = project.script_limits().unwrap();
        assert_eq!((limits.call_depth, limits.operations), (4, 5000));
        assert_eq!(limits.string_bytes, crate::script::Limits::default().string_bytes);
    }

    #[test]
    fn a_loose_rule_using_a_parameter_is_told_to_join_a_pack() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("refund-loop.yaml"), RULE).unwrap();
        let error = load(LoadRequest {
            extra: vec![dir.path().to_path_buf()],
            default_pack: Some(false),
            ..LoadRequest::default()
        })
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("error[pack::unknown-param]: unknown parameter `slow_s`"),
            "{error}"
        );
        assert!(error.contains("refund-loop.yaml:6:"), "{error}");
    }
}
