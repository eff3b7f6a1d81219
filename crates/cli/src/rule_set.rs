//! Loading the rules a command asked for: the project configuration
//! (`rules.yaml`, found or given with `--config`), the shipped pack, the
//! configured packs and `--rules` paths. Command-line flags win over the file.

use std::path::PathBuf;

use anyhow::{Context, Result};
use rules_engine::project::{self, Config, LoadRequest, Project, ProjectError};
use rules_engine::script::LimitValues;

use crate::args::RuleArgs;

/// Rule files could not be loaded; the message already lists every error
/// with its file, line and column.
#[derive(Debug)]
pub struct RuleLoadFailed(pub String);

impl std::fmt::Display for RuleLoadFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RuleLoadFailed {}

/// The project configuration to use: `--config FILE`, else the nearest
/// `rules.yaml` from the working directory up (unless `--no-config`).
pub fn config_path(args: &RuleArgs) -> Result<Option<PathBuf>> {
    if let Some(path) = &args.config {
        return Ok(Some(path.clone()));
    }
    if args.no_config {
        return Ok(None);
    }
    let here = std::env::current_dir().context("finding the working directory")?;
    Ok(project::discover(&here))
}

/// Reads the project configuration, if there is one.
pub fn config(args: &RuleArgs) -> Result<Option<Config>> {
    match config_path(args)? {
        Some(path) => Config::read(&path).map(Some).map_err(|e| match e {
            project::ConfigError::Invalid(errors) => RuleLoadFailed(errors.to_string()).into(),
            other => anyhow::Error::new(other),
        }),
        None => Ok(None),
    }
}

/// Loads and compiles the project's rules.
pub fn load(args: &RuleArgs) -> Result<Project> {
    load_with_limits(args, LimitValues::new())
}

/// Loads and compiles the project's rules with the user's `--script-limit`s,
/// whose expression depths scripts compile under.
pub fn load_with_limits(args: &RuleArgs, script_limits: LimitValues) -> Result<Project> {
    let request = LoadRequest {
        config: config(args)?,
        default_pack: args.no_default_rules.then_some(false),
        extra: args.rules.clone(),
        script_limits,
    };
    project::load(request).map_err(|e| match e {
        ProjectError::Rules(errors) => RuleLoadFailed(errors.to_string()).into(),
        ProjectError::Pack(rules_engine::pack::PackError::Manifest(errors)) => {
            RuleLoadFailed(errors.to_string()).into()
        }
        other => anyhow::Error::new(other),
    })
}
