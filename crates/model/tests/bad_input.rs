//! Inputs that are not (entirely) readable: every problem names where it is,
//! and reading goes on wherever it can.

mod support;

use support::{ids, read};

#[test]
fn empty_files_are_fatal() {
    for text in ["", "   \n\t", "\u{FEFF}", "\u{FEFF}  \n"] {
        let (all, problems) = read(text);
        assert!(all.is_empty());
        assert_eq!(problems.len(), 1, "{text:?}");
        assert!(problems[0].fatal);
        assert_eq!(problems[0].message, "the file is empty");
    }
}

#[test]
fn files_that_are_not_json_are_fatal() {
    for (text, starts) in [
        ("hello world\n{\"id\": \"a\"}", "hello world"),
        (
            "<html><body>502 Bad Gateway</body></html>",
            "<html><body>502 Bad Gateway</body></html...",
        ),
        ("<html>\n</html>", "<html>"),
        ("id,query,answer\n1,q,a\n", "id,query,answer"),
    ] {
        let (all, problems) = read(text);
        assert!(all.is_empty(), "{text}");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].fatal);
        assert_eq!(
            problems[0].message,
            format!("not JSON: the file starts with `{starts}`")
        );
        assert_eq!(
            (problems[0].line, problems[0].column, problems[0].byte_offset),
            (1, 1, 0)
        );
    }
}

#[test]
fn a_broken_record_among_good_ones() {
    let text =
        "[\n  {\"id\": \"a\", \"answer\": \"x\"},\n  {\"id\": tru},\n  {\"id\": \"c\", \"answer\": \"y\"}\n]";
    let (all, problems) = read(text);
    assert_eq!(ids(&all), ["a", "c"]);
    assert_eq!(problems.len(), 1);
    let p = &problems[0];
    assert!(!p.fatal);
    assert_eq!(p.index, Some(1));
    assert_eq!((p.line, p.column), (3, 13), "at the bad token");
    assert!(p.message.starts_with("$[1]: broken JSON: "), "{}", p.message);
    assert_eq!(p.file.as_ref(), "test.json");
}

#[test]
fn truncated_array_keeps_earlier_records() {
    let text = "[{\"id\": \"a\", \"answer\": \"x\"},\n {\"id\": \"b\", \"answer\": \"unfinish";
    let (all, problems) = read(text);
    assert_eq!(ids(&all), ["a"]);
    assert_eq!(problems.len(), 1);
    let p = &problems[0];
    assert!(p.fatal);
    assert_eq!((p.index, p.line, p.column), (Some(1), 2, 2));
    assert_eq!(
        p.message,
        format!(
            "$[1]: the file ends at byte {} inside this record (truncated?)",
            text.len()
        )
    );
}

#[test]
fn truncation_between_records_and_inside_pages() {
    let (all, problems) = read("[{\"id\": \"a\", \"answer\": \"x\"},\n");
    assert_eq!(ids(&all), ["a"]);
    assert!(problems[0].fatal);
    assert!(problems[0]
        .message
        .starts_with("the file ends before the top-level array is closed"));
    assert_eq!(problems[0].line, 2);

    let (all, problems) =
        read(r#"{"limit": 2, "data": [{"id": "a", "answer": "x"}, {"id": "b", "answer": "y"}"#);
    assert_eq!(ids(&all), ["a", "b"]);
    assert!(problems[0].fatal);
    assert!(problems[0]
        .message
        .starts_with("the file ends before the array at $.data is closed"));

    let (all, problems) = read(r#"{"id": "a", "answer": "x""#);
    assert!(all.is_empty());
    assert!(problems[0].fatal);
    assert_eq!(
        (problems[0].index, problems[0].line, problems[0].column),
        (Some(0), 1, 1)
    );
}

#[test]
fn json_lines_with_broken_lines_read_on() {
    let text = "{\"id\": \"a\", \"answer\": \"x\"}\n{\"id\": \"b\", \"answer\": \"cut\n{\"id\": \"c\", \"answer\": tru}\nnot json at all\n42\n{\"id\": \"d\", \"answer\": \"y\"}\n";
    let (all, problems) = read(text);
    assert_eq!(ids(&all), ["a", "d"]);
    let summary: Vec<(u64, Option<u64>, bool)> =
        problems.iter().map(|p| (p.line, p.index, p.fatal)).collect();
    assert_eq!(
        summary,
        [
            (2, Some(1), false),
            (3, Some(2), false),
            (4, None, false),
            (5, None, false)
        ]
    );
    assert_eq!(problems[0].message, "$: the line ends before this record does");
    assert!(problems[2]
        .message
        .starts_with("not JSON, skipped to the next line"));
    assert_eq!(all[1].origin.index, 3);
}

#[test]
fn stray_commas_and_missing_commas_in_arrays() {
    let (all, problems) =
        read(r#"[{"id": "a", "answer": "x"} {"id": "b", "answer": "y"},, {"id": "c", "answer": "z"}]"#);
    assert_eq!(ids(&all), ["a", "b", "c"]);
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "missing `,` before this array element",
            "unexpected `,` in an array"
        ]
    );
    assert!(problems.iter().all(|p| !p.fatal && p.index.is_none()));
    assert_eq!(problems[0].column, 29);
}

#[test]
fn malformed_objects_are_cut_by_balance() {
    let (all, problems) = read(r#"[{"id": "a" "answer": "x"}, {id: "b"}, {"id": "c", "answer": "y"}]"#);
    assert_eq!(ids(&all), ["c"]);
    assert_eq!(problems.len(), 2);
    assert!(problems
        .iter()
        .all(|p| p.message.contains("broken JSON") && !p.fatal));
}

/// A value serde_json cannot hold (a number beyond f64) in a field the
/// model does not read does not cost the record: the record is read with
/// everything it has. (`record.raw` as a whole is `null` for such a record.)
#[test]
fn an_unreadable_number_in_an_unused_field_keeps_the_record() {
    let text =
        "[\n  {\"id\": \"a\", \"answer\": \"x\", \"extra\": 1e400},\n  {\"id\": \"b\", \"answer\": \"y\"}\n]";
    let all = support::records(text);
    assert_eq!(ids(&all), ["a", "b"]);
    assert_eq!(all[0].answer.as_deref(), Some("x"));
}
