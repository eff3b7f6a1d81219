//! Packs end to end, with the real binary: a team builds a pack
//! with `rules new`, validates and tests it, packs it, and a second project
//! uses the tarball with one rule disabled and one parameter overridden.
//! Also: tampered and path-traversal tarballs, `rules test` on the shipped
//! pack, the committed schemas, and per-pack helper namespaces.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use common::{rules_in, stderr, stdout, workspace_root};

/// Runs `rules ARGS` in `dir` and checks the exit code.
fn ok(dir: &Path, args: &[&str], code: i32) -> String {
    let output = rules_in(dir, args);
    assert_eq!(
        output.status.code(),
        Some(code),
        "rules {args:?} in {}:\n{}\n{}",
        dir.display(),
        stdout(&output),
        stderr(&output)
    );
    stdout(&output)
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("creatable");
    std::fs::write(path, text).expect("writable");
}

/// The team's parameter and the YAML rule using it.
const SLOW_RULE: &str = r#"# yaml-language-server: $schema=../schemas/rule.schema.json
id: slow-answer
kind: classify
title: An answer took longer than the team's target
severity: warning
label: { slow_answer: detected }
when:
  all:
    - field: status
      equals: ok
    - field: usage.latency
      gt: "{{ params.slow_s }}"
message: "the answer took {{ usage.latency }} s; the target is {{ params.slow_s }} s"
docs:
  what: An answer slower than the team's latency target.
  why: Users leave slow chats.
  fix: Stream answers or use a faster model.
  example: "latency 12 s with a target of 8 s"
"#;

const SLOW_TEST: &str = r#"# yaml-language-server: $schema=../schemas/test.schema.json
rules: [slow-answer]
cases:
  - name: over the default target of 8 s
    records:
      - { id: slow-1, query: "q", answer: "a", status: normal, created_at: 1705407629, provider_response_latency: 9.5 }
      - { id: fast-1, query: "q", answer: "a", status: normal, created_at: 1705407629, provider_response_latency: 3 }
    expect:
      findings: [{ rule: slow-answer, record: slow-1, message: "the target is 8 s" }]
"#;

/// Records of the second project: one per rule.
const LOGS: &str = r#"[
  {"id": "refund", "query": "q", "answer": "Sorry, this is an example trigger phrase.", "status": "normal", "created_at": 1705407629, "provider_response_latency": 1},
  {"id": "slowish", "query": "q", "answer": "Fine.", "status": "normal", "created_at": 1705407629, "provider_response_latency": 5},
  {"id": "quick", "query": "q", "answer": "Fine.", "status": "normal", "created_at": 1705407629, "provider_response_latency": 1}
]"#;

/// (rule, record) of every finding in a JSON report.
fn findings(report: &str) -> BTreeSet<(String, String)> {
    let report: serde_json::Value = serde_json::from_str(report).expect("a JSON report");
    let mut found = BTreeSet::new();
    for record in report["records"].as_array().expect("records") {
        for finding in record["findings"].as_array().expect("findings") {
            assert_eq!(
                finding["fingerprint"].as_str().map(str::len),
                Some(16),
                "{finding}"
            );
            found.insert((
                finding["rule"].as_str().unwrap_or_default().to_string(),
                record["id"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    found
}

#[test]
fn a_team_pack_is_built_tested_shared_and_tuned_by_another_project() {
    let (tmp, pack) = new_acme_pack();
    let root = tmp.path();
    ok(&pack, &["new", "rule", "refund-loop"], 0);
    ok(&pack, &["new", "rule", "order-ignored", "--rhai"], 0);
    // A parameter and a YAML rule using it, with its test.
    let manifest = std::fs::read_to_string(pack.join("pack.yaml")).expect("written by rules new");
    let manifest = manifest.replace(
        "params: {}",
        "params:\n  slow_s: { default: 8, doc: latency target in seconds }",
    );
    write(&pack.join("pack.yaml"), &manifest);
    write(&pack.join("rules/slow-answer.yaml"), SLOW_RULE);
    write(&pack.join("tests/slow-answer.yaml"), SLOW_TEST);

    let validated = ok(root, &["validate", "acme"], 0);
    assert!(
        validated.contains("acme 0.1.0: 3 rules, 0 errors, 0 warnings"),
        "{validated}"
    );
    let tested = ok(root, &["test", "acme"], 0);
    assert!(
        tested.contains("5 cases: 5 validated, 0 missing, 0 noisy, 0 wrong"),
        "{tested}"
    );

    // A deliberate break: the Rhai rule no longer fires.
    let script = pack.join("rules/order-ignored.rhai");
    let good = std::fs::read_to_string(&script).expect("written by rules new");
    write(&script, &good.replace("example trigger phrase", "another phrase"));
    let broken = ok(root, &["test", "acme", "--format", "json"], 1);
    let cases: serde_json::Value = serde_json::from_str(&broken).expect("JSON");
    let statuses: Vec<(&str, &str)> = cases
        .as_array()
        .expect("a list of cases")
        .iter()
        .map(|c| {
            (
                c["case"].as_str().unwrap_or(""),
                c["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(
        statuses.contains(&("fires on the trigger phrase", "missing")),
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|(_, s)| *s == "validated").count(),
        4,
        "{statuses:?}"
    );
    write(&script, &good);
    ok(root, &["test", "acme"], 0);

    let built = ok(root, &["pack", "build", "acme", "-o", "acme-0.1.0.tar.gz"], 0);
    assert!(built.contains("wrote acme-0.1.0.tar.gz (acme 0.1.0"), "{built}");

    // The second project: the tarball, one rule off, one parameter tuned.
    let app = root.join("app");
    write(
        &app.join("rules.yaml"),
        "# yaml-language-server: $schema=../acme/schemas/config.schema.json\npacks:\n  - path: ../acme-0.1.0.tar.gz\n    version: \"^0.1\"\ndefault_pack: false\nrules:\n  disable: [acme/order-ignored]\nparams:\n  acme: { slow_s: 2 }\n",
    );
    write(&app.join("logs.json"), LOGS);
    let report = ok(
        &app,
        &["check", "logs.json", "--format", "json", "--fail-on", "never"],
        0,
    );
    let expected: BTreeSet<(String, String)> =
        [("acme/refund-loop", "refund"), ("acme/slow-answer", "slowish")]
            .into_iter()
            .map(|(r, i)| (r.to_string(), i.to_string()))
            .collect();
    assert_eq!(findings(&report), expected);
    let text = ok(&app, &["check", "logs.json", "--fail-on", "never"], 0);
    assert!(text.contains("the answer took 5 s; the target is 2 s"), "{text}");
    let config = ok(&app, &["config"], 0);
    assert!(
        config.contains("acme.slow_s = 2  [") && config.contains("acme/order-ignored: disabled"),
        "{config}"
    );
}

#[test]
fn ignored_findings_and_a_baseline_are_not_reported_or_counted() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let root = tmp.path();
    ok(root, &["new", "pack", "acme"], 0);
    ok(&root.join("acme"), &["new", "rule", "refund-loop"], 0);
    write(&root.join("logs.json"), LOGS);
    write(
        &root.join("rules.yaml"),
        "packs: [{ path: acme }]\ndefault_pack: false\n",
    );
    let args = ["check", "logs.json", "--fail-on", "warning"];
    let report = ok(
        root,
        &[
            &args[..],
            &["--format", "json", "--write-baseline", "baseline.json"],
        ]
        .concat(),
        1,
    );
    assert_eq!(findings(&report).len(), 1);
    write(
        &root.join("rules.yaml"),
        "packs: [{ path: acme }]\ndefault_pack: false\nbaseline: baseline.json\n",
    );
    let quiet = ok(root, &args, 0);
    assert!(quiet.contains("findings: 0 error, 0 warning, 0 info"), "{quiet}");
    write(
        &root.join("rules.yaml"),
        "packs: [{ path: acme }]\ndefault_pack: false\nignore: { records: [refund] }\n",
    );
    ok(root, &args, 0);
    write(
        &root.join("rules.yaml"),
        "packs: [{ path: acme }]\ndefault_pack: false\n",
    );
    ok(root, &args, 1);
}

/// Rewrites the tarball with one entry's bytes changed (same length, so
/// only the checksum can tell).
fn tamper(tarball: &Path, entry: &str) {
    use flate2::read::GzDecoder;
    use std::io::Read;
    let mut bytes = Vec::new();
    GzDecoder::new(std::fs::File::open(tarball).expect("built"))
        .read_to_end(&mut bytes)
        .expect("gzip");
    let mut archive = tar::Archive::new(bytes.as_slice());
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for file in archive.entries().expect("tar") {
        let mut file = file.expect("entry");
        let path = file.path().expect("path").display().to_string();
        let mut data = Vec::new();
        file.read_to_end(&mut data).expect("data");
        if path == entry {
            data = String::from_utf8(data)
                .expect("text")
                .replace("warning", "error__")
                .into_bytes();
        }
        let mut header = file.header().clone();
        builder
            .append_data(&mut header, &path, data.as_slice())
            .expect("in memory");
    }
    let out = builder.into_inner().and_then(|e| e.finish()).expect("in memory");
    std::fs::File::create(tarball)
        .and_then(|mut f| f.write_all(&out))
        .expect("writable");
}

#[test]
fn a_tampered_tarball_is_refused_naming_the_entry() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let root = tmp.path();
    ok(root, &["new", "pack", "acme"], 0);
    ok(&root.join("acme"), &["new", "rule", "refund-loop"], 0);
    ok(root, &["pack", "build", "acme", "-o", "acme.tar.gz"], 0);
    tamper(&root.join("acme.tar.gz"), "rules/refund-loop.yaml");
    write(&root.join("logs.json"), LOGS);
    let output = rules_in(
        root,
        &["check", "logs.json", "--no-config", "--rules", "acme.tar.gz"],
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("acme.tar.gz: entry `rules/refund-loop.yaml`: does not match its checksum"),
        "{err}"
    );
}

#[test]
fn a_path_traversal_tarball_is_refused_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let root = tmp.path();
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (path, data) in [
        ("pack.yaml", &b"name: evil\nversion: 1.0.0\n"[..]),
        ("../escaped.yaml", b"id: x\n"),
    ] {
        let mut header = tar::Header::new_gnu();
        let name = &mut header.as_gnu_mut().expect("gnu").name;
        name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append(&header, data).expect("in memory");
    }
    let bytes = builder.into_inner().and_then(|e| e.finish()).expect("in memory");
    let packs = root.join("packs");
    std::fs::create_dir_all(&packs).expect("creatable");
    std::fs::write(packs.join("evil.tar.gz"), bytes).expect("writable");
    write(&root.join("logs.json"), LOGS);
    let output = rules_in(
        root,
        &[
            "check",
            "logs.json",
            "--no-config",
            "--rules",
            "packs/evil.tar.gz",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("entry `../escaped.yaml`: has `..` in its path"),
        "{err}"
    );
    assert!(!root.join("escaped.yaml").exists() && !packs.join("escaped.yaml").exists());
}

#[test]
fn helpers_are_visible_only_to_their_own_pack() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let root = tmp.path();
    for name in ["alpha", "beta"] {
        ok(root, &["new", "pack", name], 0);
        ok(&root.join(name), &["new", "plugin", "text"], 0);
    }
    // Both packs have a helper named `text`: no clash, each sees its own.
    write(
        &root.join("alpha/plugins/text.rhai"),
        "fn origin() { \"alpha\" }\n",
    );
    write(
        &root.join("beta/plugins/text.rhai"),
        "fn origin() { \"beta\" }\nfn only_beta() { true }\n",
    );
    let rule = |id: &str, script: &str| {
        format!(
            "id: {id}\nkind: classify\ntitle: t\nlabel: {{ {}: x }}\nwhen: {{ script: '{script}' }}\nmessage: m\ndocs: {{ what: w, why: w, fix: f, example: e }}\n",
            id.replace('-', "_")
        )
    };
    write(
        &root.join("alpha/rules/from-alpha.yaml"),
        &rule("from-alpha", "text::origin() == \"alpha\""),
    );
    write(
        &root.join("beta/rules/from-beta.yaml"),
        &rule("from-beta", "text::origin() == \"beta\""),
    );
    write(&root.join("logs.json"), LOGS);
    let both = [
        "check",
        "logs.json",
        "--no-config",
        "--no-default-rules",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--rules",
        "alpha",
        "--rules",
        "beta",
    ];
    let report = ok(root, &both, 0);
    let found = findings(&report);
    assert_eq!(
        found.iter().filter(|(r, _)| r == "alpha/from-alpha").count(),
        3,
        "{found:?}"
    );
    assert_eq!(
        found.iter().filter(|(r, _)| r == "beta/from-beta").count(),
        3,
        "{found:?}"
    );

    // alpha cannot reach beta's helpers, by namespace or by import.
    write(&root.join("beta/plugins/beta_only.rhai"), "fn f() { true }\n");
    write(
        &root.join("alpha/rules/from-alpha.yaml"),
        &rule("from-alpha", "beta_only::f()"),
    );
    let output = rules_in(root, &both);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(stderr(&output).contains("from-alpha.yaml"), "{}", stderr(&output));
    write(
        &root.join("alpha/rules/from-alpha.yaml"),
        &rule("from-alpha", "{ import \"beta_only\" as b; b::f() }"),
    );
    let text_args = [
        "check",
        "logs.json",
        "--no-config",
        "--no-default-rules",
        "--fail-on",
        "never",
        "--rules",
        "alpha",
        "--rules",
        "beta",
    ];
    let output = rules_in(root, &text_args);
    let err = stderr(&output);
    assert!(
        err.contains("cannot import `beta_only`: only helper files of the same pack"),
        "{err}"
    );
    assert!(
        !stdout(&output).contains("alpha/from-alpha"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn the_shipped_pack_passes_rules_test_and_validate() {
    let root = workspace_root();
    let output = rules_in(&root, &["test", "."]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}\n{}", stderr(&output));
    assert!(!text.contains("missing") || text.contains(" 0 missing"), "{text}");
    let validated = ok(&root, &["validate", "."], 0);
    assert!(validated.contains(", 0 errors, 0 warnings"), "{validated}");
}

#[test]
fn validate_locates_every_error_and_warns_about_untested_rules() {
    let (tmp, pack) = new_acme_pack();
    let root = tmp.path();
    ok(&pack, &["new", "rule", "refund-loop"], 0);
    let rule = std::fs::read_to_string(pack.join("rules/refund-loop.yaml")).expect("written");
    let broken = rule
        .replace("equals: ok", "equals: \"{{ params.statsu }}\"")
        .replace(
            "contains_any: [\"example trigger phrase\"]",
            "matches: \"(unclosed\"",
        );
    write(&pack.join("rules/refund-loop.yaml"), &broken);
    write(
        &pack.join("rules/untested.yaml"),
        &rule.replace("refund-loop", "untested"),
    );
    let output = rules_in(root, &["validate", "acme"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stdout(&output);
    assert!(
        text.contains("error[pack::unknown-param]: unknown parameter `statsu`"),
        "{text}"
    );
    assert!(text.contains("refund-loop.yaml:12:"), "{text}");
    assert!(text.contains("error[rule::bad-regex]"), "{text}");
    assert!(text.contains("pack `acme` declares no parameters"), "{text}");
    write(&pack.join("rules/refund-loop.yaml"), &rule);
    let warned = ok(root, &["validate", "acme", "--format", "json"], 1);
    assert!(warned.contains("\"code\": \"pack::no-tests\""), "{warned}");
}

#[test]
fn fixture_snapshots_are_written_by_update_and_then_validated() {
    let (_tmp, pack) = new_acme_pack();
    ok(&pack, &["new", "rule", "refund-loop"], 0);
    std::fs::remove_file(pack.join("tests/refund-loop.yaml")).expect("generated");
    let records = |answer: &str| {
        format!("[{{\"id\": \"r1\", \"query\": \"q\", \"answer\": \"{answer}\", \"status\": \"normal\", \"created_at\": 1705407629}}]")
    };
    write(
        &pack.join("tests/refund-loop/fires.json"),
        &records("An example trigger phrase."),
    );
    write(&pack.join("tests/refund-loop/clean.json"), &records("Fine."));
    let missing = ok(&pack, &["test"], 1);
    assert!(missing.contains("fires.snap is missing"), "{missing}");
    ok(&pack, &["test", "--update"], 0);
    let snap = std::fs::read_to_string(pack.join("tests/refund-loop/fires.snap")).expect("written");
    assert!(
        snap.starts_with("---\nsource: rules test\ndescription: rules check --select acme/refund-loop tests/refund-loop/fires.json\n---\n"),
        "{snap}"
    );
    assert!(
        snap.contains("warning[acme/refund-loop] [refund_loop/detected]"),
        "{snap}"
    );
    let passed = ok(&pack, &["test"], 0);
    assert!(passed.contains("2 cases: 2 validated"), "{passed}");
    // What `rules check` prints from the pack folder is the snapshot body.
    let printed = ok(
        &pack,
        &[
            "check",
            "--no-config",
            "--no-default-rules",
            "--rules",
            ".",
            "--select",
            "acme/refund-loop",
            "--fail-on",
            "never",
            "tests/refund-loop/fires.json",
        ],
        0,
    );
    let body = format!("{}\n", printed.trim_end());
    assert!(snap.ends_with(&body), "{snap}\n---\n{printed}");
}

/// A temporary directory holding a pack `acme` made by `rules new pack`;
/// returns the directory and the pack's path.
fn new_acme_pack() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    ok(tmp.path(), &["new", "pack", "acme"], 0);
    let pack = tmp.path().join("acme");
    (tmp, pack)
}

/// `rules check logs.json` with only the pack `acme` of
/// [`acme_pack_with_script_rule`], never failing on findings.
const CHECK_ACME: [&str; 8] = [
    "check",
    "logs.json",
    "--no-config",
    "--no-default-rules",
    "--rules",
    "acme",
    "--fail-on",
    "never",
];

/// A new pack `acme` in a temporary directory with one classify rule `id`
/// whose condition is `script`, and `logs.json` beside it; returns the
/// directory and the pack's generated `pack.yaml` text.
fn acme_pack_with_script_rule(id: &str, script: &str) -> (tempfile::TempDir, String) {
    let (tmp, pack) = new_acme_pack();
    let root = tmp.path();
    let manifest = std::fs::read_to_string(pack.join("pack.yaml")).expect("written");
    write(
        &pack.join(format!("rules/{id}.yaml")),
        &format!("id: {id}\nkind: classify\ntitle: t\nlabel: {{ {id}: x }}\nwhen: {{ script: '{script}' }}\nmessage: m\ndocs: {{ what: w, why: w, fix: f, example: e }}\n"),
    );
    write(&root.join("logs.json"), LOGS);
    (tmp, manifest)
}

#[test]
fn a_pack_lowers_the_sandbox_limits_of_the_run() {
    let (tmp, manifest) = acme_pack_with_script_rule("busy", "let n = 0; for i in 0..1000 { n += i; } n > 0");
    let (root, pack) = (tmp.path(), tmp.path().join("acme"));
    write(
        &pack.join("pack.yaml"),
        &format!("{manifest}script_limits: {{ operations: 50 }}\n"),
    );
    let args = CHECK_ACME;
    let output = rules_in(root, &args);
    let err = stderr(&output);
    assert!(err.contains("limit `operations` (50 per call"), "{err}");
    let raised = [&args[..], &["--script-limit", "operations=100000"]].concat();
    let output = rules_in(root, &raised);
    assert!(
        !stderr(&output).contains("limit `operations`"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("acme/busy"), "{}", stdout(&output));
    write(
        &pack.join("pack.yaml"),
        &format!("{manifest}script_limits: {{ operations: 999999999 }}\n"),
    );
    let output = rules_in(root, &args);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("above its default"),
        "{}",
        stderr(&output)
    );
}

/// Expression depth is checked while scripts compile: the user's
/// `--script-limit expr_depth=N` and a pack's lowered `expr_depth` reach the
/// load, where a script nested deeper fails at its position.
#[test]
fn expression_depth_limits_stop_a_deeply_nested_script_at_load() {
    let (tmp, manifest) = acme_pack_with_script_rule("nested", "((((((((1)))))))) > 0");
    let (root, pack) = (tmp.path(), tmp.path().join("acme"));
    let args = CHECK_ACME;
    let output = rules_in(root, &args);
    assert!(stdout(&output).contains("acme/nested"), "{}", stderr(&output));

    let lowered = [&args[..], &["--script-limit", "expr_depth=5"]].concat();
    let output = rules_in(root, &lowered);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("nested.yaml:5:"), "{err}");
    assert!(err.contains("limit `expr_depth` (5 levels"), "{err}");

    write(
        &pack.join("pack.yaml"),
        &format!("{manifest}script_limits: {{ expr_depth: 5 }}\n"),
    );
    let output = rules_in(root, &args);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("limit `expr_depth` (5 levels"),
        "{}",
        stderr(&output)
    );
    let raised = [&args[..], &["--script-limit", "expr_depth=64"]].concat();
    let output = rules_in(root, &raised);
    assert!(stdout(&output).contains("acme/nested"), "{}", stderr(&output));
}

#[test]
fn the_committed_schemas_are_up_to_date() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    ok(tmp.path(), &["schema", "--out", "."], 0);
    let committed = workspace_root().join("schemas");
    for name in ["rule", "pack", "config", "test"] {
        let file = format!("{name}.schema.json");
        let fresh = std::fs::read_to_string(tmp.path().join(&file)).expect("written");
        let old = std::fs::read_to_string(committed.join(&file)).unwrap_or_default();
        assert!(
            fresh == old,
            "schemas/{file} is out of date: run `cargo run -- schema --out schemas`"
        );
    }
}
