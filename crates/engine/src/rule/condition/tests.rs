//! Operator semantics on a sample record: match, no match, missing field,
//! type mismatch, list "any" semantics, ignore_case (ASCII and not), and
//! field-vs-field comparisons.

use crate::rule::compile::Scope;
use crate::rule::test_support::{compile_condition, condition, holds, GroupSubject};
use crate::rule::Operand;

fn check(cases: &[(&str, bool)]) {
    for (yaml, expected) in cases {
        assert_eq!(holds(yaml), *expected, "{yaml}");
    }
}

#[test]
fn equals() {
    check(&[
        ("{ field: answer, equals: Paris is the capital of France. }", true),
        ("{ field: answer, equals: Paris }", false),
        // missing field
        ("{ field: annotation, equals: x }", false),
        ("{ not: { field: annotation, equals: x } }", true),
        // type mismatch: number vs text, text vs number, bool vs text
        ("{ field: usage.latency, equals: '3.5' }", false),
        ("{ field: inputs.category, equals: 2 }", false),
        ("{ field: inputs.vip, equals: 'true' }", false),
        ("{ field: inputs.priority, equals: 2 }", true),
        ("{ field: usage.latency, equals: 3.5 }", true),
        ("{ field: inputs.vip, equals: true }", true),
        // list: any element
        ("{ field: feedback.rating, equals: dislike }", true),
        ("{ field: feedback.rating, equals: like }", true),
        ("{ field: feedback.rating, equals: meh }", false),
        // ignore_case, ASCII and not
        ("{ field: model.provider, equals: OpenAI }", false),
        (
            "{ field: model.provider, equals: OpenAI, ignore_case: true }",
            true,
        ),
        (
            "{ field: query, equals: WARUM IST DER DIENST ÜBERLASTET?, ignore_case: true }",
            true,
        ),
        (
            "{ field: query, equals: WARUM IST DER DIENST ÜBERLASTET?, ignore_case: false }",
            false,
        ),
        // field vs field
        (
            "{ field: usage.completion_tokens, equals: { field: model.max_tokens } }",
            true,
        ),
        (
            "{ field: usage.prompt_tokens, equals: { field: model.max_tokens } }",
            false,
        ),
        (
            "{ field: usage.prompt_tokens, equals: { field: workflow.steps } }",
            false,
        ),
        (
            "{ field: inputs.city_upper, equals: { field: inputs.city }, ignore_case: true }",
            true,
        ),
        // labels
        ("{ field: labels.failure, equals: rate_limited }", true),
        ("{ field: labels.quality, equals: rate_limited }", false),
    ]);
}

#[test]
fn not_equals() {
    check(&[
        ("{ field: model.name, not_equals: gpt-4o-mini }", true),
        ("{ field: model.name, not_equals: gpt-4o }", false),
        (
            "{ field: model.name, not_equals: GPT-4o, ignore_case: true }",
            false,
        ),
        // missing and mismatched types never hold
        ("{ field: annotation, not_equals: x }", false),
        ("{ field: usage.latency, not_equals: fast }", false),
        ("{ field: inputs.category, not_equals: 3 }", false),
        // list: some element differs
        ("{ field: feedback.rating, not_equals: like }", true),
        (
            "{ field: usage.prompt_tokens, not_equals: { field: model.max_tokens } }",
            true,
        ),
    ]);
}

#[test]
fn in_list() {
    check(&[
        ("{ field: model.name, in: [claude-3-5-sonnet, gpt-4o] }", true),
        (
            "{ field: model.name, in: [claude-3-5-sonnet, qwen-turbo] }",
            false,
        ),
        ("{ field: annotation, in: [a, b] }", false),
        ("{ field: inputs.priority, in: [1, 2, 3] }", true),
        ("{ field: inputs.priority, in: ['2'] }", false),
        ("{ field: model.name, in: [GPT-4O], ignore_case: true }", true),
        ("{ field: model.name, in: [GPT-4O] }", false),
        ("{ field: feedback.rating, in: [dislike, meh] }", true),
        // references: a list field, or one element per reference
        ("{ field: inputs.first_tag, in: { field: inputs.tags } }", true),
        (
            "{ field: inputs.category, in: [x, { field: inputs.first_tag }] }",
            false,
        ),
        (
            "{ field: inputs.category, in: [x, { field: inputs.tags }] }",
            true,
        ),
    ]);
}

#[test]
fn contains_starts_with_ends_with() {
    check(&[
        ("{ field: answer, contains: capital }", true),
        ("{ field: answer, contains: Berlin }", false),
        ("{ field: annotation, contains: x }", false),
        ("{ field: usage.latency, contains: '3' }", false),
        ("{ field: error, contains: 429 }", true),
        ("{ field: error, contains: 请求过于频繁 }", true),
        ("{ field: answer, contains: PARIS }", false),
        ("{ field: answer, contains: PARIS, ignore_case: true }", true),
        ("{ field: query, contains: ÜBERLASTET, ignore_case: true }", true),
        ("{ field: query, contains: ÜBERLASTET }", false),
        ("{ field: feedback.comment, contains: langsam }", true),
        ("{ field: answer, contains: { field: inputs.city } }", true),
        ("{ field: answer, contains: { field: inputs.city_upper } }", false),
        (
            "{ field: answer, contains: { field: inputs.city_upper }, ignore_case: true }",
            true,
        ),
        ("{ field: answer, contains: { field: annotation } }", false),
        ("{ field: answer, starts_with: Paris }", true),
        ("{ field: answer, starts_with: France }", false),
        ("{ field: answer, starts_with: paris, ignore_case: true }", true),
        (
            "{ field: query, starts_with: WARUM IST, ignore_case: true }",
            true,
        ),
        ("{ field: usage.latency, starts_with: '3' }", false),
        ("{ field: annotation, starts_with: P }", false),
        (
            "{ field: query, ends_with: ÜBERLASTET?, ignore_case: true }",
            true,
        ),
        ("{ field: query, ends_with: ÜBERLASTET? }", false),
        ("{ field: answer, ends_with: France. }", true),
        ("{ field: feedback.comment, ends_with: langsam }", true),
        ("{ field: answer, starts_with: { field: inputs.city } }", true),
        ("{ field: answer, ends_with: { field: inputs.city } }", false),
    ]);
}

#[test]
fn keyword_lists() {
    check(&[
        ("{ field: error, contains_any: [timeout, '429'] }", true),
        ("{ field: error, contains_any: [timeout, '503'] }", false),
        ("{ field: error, contains_any: [timeout, 429] }", true),
        ("{ field: annotation, contains_any: [a] }", false),
        ("{ field: usage.latency, contains_any: ['3'] }", false),
        ("{ field: error, contains_any: [RATE LIMIT] }", false),
        (
            "{ field: error, contains_any: [RATE LIMIT], ignore_case: true }",
            true,
        ),
        (
            "{ field: query, contains_any: [ÜBERLASTET, zeitüberschreitung], ignore_case: true }",
            true,
        ),
        (
            "{ field: query, contains_any: [ÜBERLASTET, zeitüberschreitung] }",
            false,
        ),
        ("{ field: error, contains_any: [限流, 请求过于频繁] }", true),
        (
            "{ field: feedback.comment, contains_any: [LANGSAM], ignore_case: true }",
            true,
        ),
        (
            "{ field: error, contains_all: [rate limit, '429'], ignore_case: true }",
            true,
        ),
        ("{ field: error, contains_all: [rate limit, '429'] }", false),
        ("{ field: error, contains_all: ['429', timeout] }", false),
        ("{ field: error, contains_all: [Rate Limit, 请求过于频繁] }", true),
    ]);
}

#[test]
fn matches() {
    check(&[
        ("{ field: error, matches: 'code: \\d{3}' }", true),
        ("{ field: error, matches: '^timeout' }", false),
        ("{ field: annotation, matches: '.*' }", false),
        ("{ field: usage.latency, matches: '3' }", false),
        ("{ field: error, matches: 'RATE LIMIT' }", false),
        ("{ field: error, matches: 'RATE LIMIT', ignore_case: true }", true),
        (
            "{ field: query, matches: 'ÜBERLASTET\\?$', ignore_case: true }",
            true,
        ),
        ("{ field: feedback.comment, matches: '^zu ' }", true),
    ]);
}

#[test]
fn presence() {
    check(&[
        ("{ field: answer, exists: true }", true),
        ("{ field: annotation, exists: true }", false),
        ("{ field: annotation, exists: false }", true),
        ("{ field: annotation, missing: true }", true),
        ("{ field: answer, missing: true }", false),
        ("{ field: answer, missing: false }", true),
        // lists: present when some element is
        ("{ field: feedback.comment, exists: true }", true),
        ("{ field: retriever_resources.content, exists: true }", false),
        ("{ field: retriever_resources.content, missing: true }", true),
        ("{ field: labels.quality, missing: true }", true),
        ("{ field: labels.failure, exists: true }", true),
        ("{ field: inputs.blank, is_empty: true }", true),
        ("{ field: inputs.empty_list, is_empty: true }", true),
        ("{ field: annotation, is_empty: true }", true),
        ("{ field: answer, is_empty: true }", false),
        ("{ field: answer, is_empty: false }", true),
        ("{ field: annotation, is_empty: false }", false),
        ("{ field: usage.latency, is_empty: false }", true),
        ("{ field: feedback.comment, is_empty: false }", true),
        ("{ field: retriever_resources.content, is_empty: true }", true),
    ]);
}

#[test]
fn numbers() {
    check(&[
        ("{ field: usage.latency, gt: 3 }", true),
        ("{ field: usage.latency, gt: 3.5 }", false),
        ("{ field: usage.latency, gte: 3.5 }", true),
        ("{ field: usage.latency, lt: 3.5 }", false),
        ("{ field: usage.latency, lte: 3.5 }", true),
        ("{ field: usage.time_to_first_token, lt: 100 }", false),
        ("{ not: { field: usage.time_to_first_token, lt: 100 } }", true),
        ("{ field: answer, gt: 1 }", false),
        ("{ field: inputs.category, lt: 1 }", false),
        ("{ field: retriever_resources.score, gt: 0.8 }", true),
        ("{ field: retriever_resources.score, lt: 0.1 }", false),
        (
            "{ field: usage.completion_tokens, gte: { field: model.max_tokens } }",
            true,
        ),
        (
            "{ field: usage.completion_tokens, gt: { field: model.max_tokens } }",
            false,
        ),
        (
            "{ field: usage.completion_tokens, gt: { field: usage.total_tokens } }",
            false,
        ),
        ("{ field: usage.latency, between: [3, 4] }", true),
        ("{ field: usage.latency, between: [3.5, 3.5] }", true),
        ("{ field: usage.latency, between: [4, 5] }", false),
        ("{ field: annotation, between: [0, 1] }", false),
        ("{ field: answer, between: [0, 100] }", false),
        ("{ field: retriever_resources.score, between: [0.5, 1] }", true),
        (
            "{ field: usage.prompt_tokens, between: [0, { field: model.max_tokens }] }",
            true,
        ),
        (
            "{ field: usage.completion_tokens, between: [0, { field: usage.prompt_tokens }] }",
            false,
        ),
    ]);
}

#[test]
fn length() {
    check(&[
        ("{ field: answer, length: { gt: 10 } }", true),
        ("{ field: answer, length: { lt: 10 } }", false),
        // characters, not bytes: "Warum ist der Dienst überlastet?" is 32 characters
        ("{ field: query, length: { equals: 32 } }", true),
        ("{ field: feedback.rating, length: { equals: 2 } }", true),
        ("{ field: feedback.rating, length: { between: [3, 5] } }", false),
        ("{ field: inputs.empty_list, length: { equals: 0 } }", true),
        ("{ field: annotation, length: { gte: 0 } }", false),
        ("{ field: usage.latency, length: { gte: 0 } }", false),
        ("{ field: answer, length: { between: [10, 40] } }", true),
        ("{ field: answer, length: { lte: 31 } }", true),
        ("{ field: answer, length: { gte: 32 } }", false),
    ]);
}

#[test]
fn is_json() {
    check(&[
        ("{ field: inputs.reply, is_json: true }", true),
        ("{ field: answer, is_json: true }", false),
        ("{ field: answer, is_json: false }", true),
        ("{ field: annotation, is_json: false }", false),
        ("{ field: usage.latency, is_json: false }", false),
    ]);
}

#[test]
fn combinators_nest() {
    check(&[
        ("{ all: [] }", true),
        ("{ any: [] }", false),
        ("{ not: { all: [] } }", false),
        ("{ not: { any: [] } }", true),
        (
            "all:\n  - { field: status, equals: error }\n  - any:\n      - { field: error, contains: timeout }\n      - { field: error, contains: '429' }\n",
            true,
        ),
        (
            "all:\n  - { field: status, equals: error }\n  - not:\n      any:\n        - { field: error, contains: timeout }\n        - { field: error, contains: '429' }\n",
            false,
        ),
        ("any: [{ field: answer, is_empty: true }, { field: finish_reason, equals: length }]", true),
        ("any: [{ field: answer, is_empty: true }, { field: finish_reason, equals: stop }]", false),
        ("not: { not: { field: answer, exists: true } }", true),
    ]);
}

#[test]
fn operands_lists_every_read_in_order() {
    let c = condition(
        "all:\n  - { field: usage.completion_tokens, gte: { field: model.max_tokens } }\n  - not: { field: labels.failure, exists: true }\n  - { field: usage.latency, between: [0, { field: workflow.elapsed }] }\n",
    );
    let names: Vec<String> = c.operands().iter().map(|o| o.to_string()).collect();
    assert_eq!(
        names,
        [
            "usage.completion_tokens",
            "model.max_tokens",
            "labels.failure",
            "usage.latency",
            "workflow.elapsed"
        ]
    );
    assert!(matches!(c.operands()[2], Operand::Label(d) if d == "failure"));
}

#[test]
fn metric_conditions_read_a_group() {
    let group = GroupSubject::default()
        .with_metric("error_rate", 0.25)
        .with_metric("count", 40.0)
        .with_metric("latency.p95", 12.0)
        .with_metric("latency.p50", 3.0);
    let eval = |yaml: &str| {
        compile_condition(yaml, Scope::Metrics)
            .unwrap_or_else(|e| panic!("{yaml}: {}", crate::rule::LoadErrors(e)))
            .eval(&group)
    };
    assert!(eval(
        "all: [{ metric: error_rate, gt: 0.2 }, { metric: count, gte: 20 }]"
    ));
    assert!(!eval("{ metric: error_rate, gt: 0.3 }"));
    assert!(eval("{ metric: latency.p95, gt: { metric: latency.p50 } }"));
    // A metric the group lacks is missing: comparisons are false.
    assert!(!eval("{ metric: dislike_rate, gte: 0 }"));
    assert!(eval("{ metric: dislike_rate, missing: true }"));
}

#[test]
fn leaf_reports_its_operator() {
    let crate::rule::Condition::Leaf(leaf) = condition("{ field: answer, missing: false }") else {
        panic!("expected a leaf");
    };
    assert_eq!(leaf.operator(), "missing");
    assert_eq!(leaf.operand.to_string(), "answer");
}

/// The sample record with a per-record memo of folded field texts, as the
/// engine evaluates records.
struct MemoSubject {
    inner: crate::rule::test_support::RecordSubject,
    texts: crate::eval::TextMemo,
}

impl crate::rule::Subject for MemoSubject {
    fn value(&self, operand: &Operand) -> rules_model::Value<'_> {
        self.inner.value(operand)
    }

    fn text_memo(&self) -> Option<&crate::eval::TextMemo> {
        Some(&self.texts)
    }
}

#[test]
fn folded_field_texts_shared_across_conditions_give_the_same_verdicts() {
    let memo = MemoSubject {
        inner: crate::rule::test_support::sample_record(),
        texts: crate::eval::TextMemo::new(),
    };
    let plain = crate::rule::test_support::sample_record();
    let cases = [
        (
            "{ field: error, contains_any: [请求过于频繁, überlastet], ignore_case: true }",
            true,
        ),
        (
            "{ field: error, contains_any: [RATE LIMIT, überlastet], ignore_case: true }",
            true,
        ),
        (
            "{ field: error, contains_all: [rate limit, 请求], ignore_case: true }",
            true,
        ),
        (
            "{ field: error, contains_all: [rate limit, überlastet], ignore_case: true }",
            false,
        ),
        ("{ field: query, contains: ÜBERLASTET, ignore_case: true }", true),
        ("{ field: query, contains: ÜBERLASTET }", false),
        (
            "{ field: query, contains_any: [DIENST, ärger], ignore_case: true }",
            true,
        ),
        ("{ field: query, contains_any: [DIENST, ärger] }", false),
        (
            "{ field: query, contains: { field: feedback.comment }, ignore_case: true }",
            false,
        ),
        (
            "{ field: error, contains: { field: model.name }, ignore_case: true }",
            false,
        ),
        (
            "{ field: error, contains: { field: model.provider }, ignore_case: true }",
            true,
        ),
        ("{ field: error, contains: { field: model.provider } }", true),
        (
            "{ field: feedback.comment, contains_any: [LANGSAM, größe], ignore_case: true }",
            true,
        ),
    ];
    // Twice over the same memo: the second round reads remembered texts.
    for _ in 0..2 {
        for (yaml, expected) in cases {
            let c = condition(yaml);
            assert_eq!(c.eval(&memo), expected, "{yaml} (memo)");
            assert_eq!(c.eval(&plain), expected, "{yaml}");
        }
    }
}
