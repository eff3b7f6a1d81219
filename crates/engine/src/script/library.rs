//! A pack's helper libraries (`plugins/*.rhai`): compiled once at load,
//! evaluated into modules once per worker thread.
//!
//! Why per thread: the functions of a helper module share one lock guarding
//! the module's constants (`global::NAME` reads take it for writing), and
//! Rhai built with `sync` gives up after a few failed tries to take a lock,
//! which ends the process. Worker threads calling the same module contend on
//! it. Each thread evaluating the helpers into modules of its own has locks
//! of its own, so no two threads ever wait on each other.

use rhai::{Engine, EvalAltResult, Module, Scope, Shared, AST};

use super::limits::{Limits, LOAD_FACTOR};
use super::sandbox;

/// The helper libraries of one pack, by file stem.
#[derive(Debug, Default)]
pub struct Library {
    /// The compiled helper files, in load order.
    sources: Vec<(String, Shared<AST>)>,
    /// The modules evaluated at load (which proved the top-level code
    /// runs); a thread uses them only if evaluating its own copy fails.
    loaded: Vec<(String, Shared<Module>)>,
}

impl Library {
    /// A library of helpers already evaluated by [`evaluate`].
    pub(crate) fn new(helpers: Vec<(String, Shared<AST>, Shared<Module>)>) -> Library {
        let (sources, loaded) = helpers
            .into_iter()
            .map(|(stem, ast, module)| ((stem.clone(), ast), (stem, module)))
            .unzip();
        Library { sources, loaded }
    }

    /// The helper names, usable as `name::f()`.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.sources.iter().map(|(stem, _)| stem.as_str())
    }

    /// Modules of this thread's own: the helpers evaluated again.
    pub(crate) fn thread_modules(&self) -> Vec<(String, Shared<Module>)> {
        if self.sources.is_empty() {
            return Vec::new();
        }
        let stems: Vec<String> = self.names().map(str::to_string).collect();
        let engine = placeholder_engine(&stems, &Limits::default());
        self.sources
            .iter()
            .zip(&self.loaded)
            .map(|((stem, ast), (_, loaded))| {
                let module = evaluate(ast, &engine).map_or_else(|_| Shared::clone(loaded), Shared::new);
                (stem.clone(), module)
            })
            .collect()
    }
}

/// An engine that knows every helper name (as an empty module), so scripts
/// and helpers that call any helper of the pack compile and evaluate, under
/// `limits` (see [`Limits::for_compiling`]).
pub(crate) fn placeholder_engine(stems: &[String], limits: &Limits) -> Engine {
    let placeholders: Vec<(String, Shared<Module>)> = stems
        .iter()
        .map(|s| (s.clone(), Shared::new(Module::new())))
        .collect();
    sandbox::build(limits, &placeholders)
}

/// Runs a helper file's top-level code (constants, functions) into a
/// module, under the load budget.
pub(crate) fn evaluate(ast: &AST, engine: &Engine) -> Result<Module, Box<EvalAltResult>> {
    let limits = Limits::default();
    sandbox::with_budget(
        limits.operations * u64::from(LOAD_FACTOR),
        limits.timeout * LOAD_FACTOR,
        || Module::eval_ast_as_new(Scope::new(), ast, engine),
    )
}
