//! The cutting half of reading: detects the format and cuts the input into
//! [`Piece`]s (one value's bytes, or a problem with the file's structure)
//! without parsing them.
//!
//! Cutting is sequential by nature (a byte's meaning depends on every byte
//! before it) but cheap; parsing a piece depends on nothing else, so pieces
//! can be parsed on every core and put back in order afterwards.

use std::io::{self, Read};

use super::cursor::{Cursor, Position, Sink};
use super::json_scan::{JsonScanner, Member, ScanItem};
use super::sse_scan::{looks_like_sse, SseItem, SseScanner};

/// One value cut from an input, or a problem found while cutting. Pieces
/// are parsed with [`Piece::parse`], on any thread.
#[derive(Debug)]
pub struct Piece(pub(crate) PieceKind);

#[derive(Debug)]
pub(crate) enum PieceKind {
    /// The bytes of one value that should be a record, a stream frame, an
    /// error map or an export without interactions.
    Value {
        bytes: Vec<u8>,
        at: Position,
        path: String,
        carrier: Carrier,
        /// The members of an object the scanner cut member by member.
        members: Option<Vec<Member>>,
    },
    /// A value meant as a record whose bytes could not be cut out: it takes an index.
    Broken {
        at: Position,
        path: String,
        message: String,
        fatal: bool,
    },
    /// A problem with the input's structure, not with one record.
    Problem {
        at: Position,
        message: String,
        fatal: bool,
    },
    /// The source failed; reading this input stops after what came before.
    Failed { at: Position, message: String },
}

impl Piece {
    /// Bytes this piece holds (batches are sized by them).
    pub fn len(&self) -> usize {
        match &self.0 {
            PieceKind::Value { bytes, .. } => bytes.len(),
            _ => 0,
        }
    }

    /// True for a piece that holds no bytes (a problem).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where a value came from: JSON input, or a frame of an SSE capture (with
/// the `event:` name before it).
#[derive(Debug)]
pub(crate) enum Carrier {
    Json,
    Sse(Option<String>),
}

enum State {
    Start,
    Json(JsonScanner),
    Sse(SseScanner),
    Done,
}

/// Cuts one input into pieces, in input order.
pub struct Splitter {
    cursor: Cursor,
    state: State,
}

/// Splitters are handed to reader threads.
const _: () = {
    const fn assert_send<T: Send>() {}
    assert_send::<Splitter>();
    assert_send::<Piece>();
};

impl Splitter {
    pub(crate) fn new(source: Box<dyn Read + Send>) -> Splitter {
        Splitter {
            cursor: Cursor::new(source),
            state: State::Start,
        }
    }

    #[cfg(test)]
    pub(crate) fn set_max_value_bytes(&mut self, max: usize) {
        self.cursor.set_max_value_bytes(max);
    }

    /// The next piece; `None` once the input is done.
    pub fn next_piece(&mut self) -> Option<Piece> {
        loop {
            let result = match &mut self.state {
                State::Done => return None,
                State::Start => self.detect(),
                State::Json(scanner) => match scanner.next_item(&mut self.cursor) {
                    Ok(Some(item)) => Ok(Some(json_piece(item))),
                    Ok(None) => {
                        self.state = State::Done;
                        Ok(None)
                    }
                    Err(e) => Err(e),
                },
                State::Sse(scanner) => match scanner.next_item(&mut self.cursor) {
                    Ok(Some(item)) => Ok(Some(sse_piece(item))),
                    Ok(None) => {
                        self.state = State::Done;
                        Ok(None)
                    }
                    Err(e) => Err(e),
                },
            };
            match result {
                Ok(Some(piece)) => return Some(Piece(piece)),
                Ok(None) => {}
                Err(e) => {
                    self.state = State::Done;
                    return Some(Piece(PieceKind::Failed {
                        at: self.cursor.position(),
                        message: format!("reading stopped: {e}"),
                    }));
                }
            }
        }
    }

    /// Pieces up to `max_pieces` or about `max_bytes`, whichever comes first;
    /// empty once the input is done.
    pub fn next_batch(&mut self, max_pieces: usize, max_bytes: usize) -> Vec<Piece> {
        let mut batch = Vec::new();
        let mut bytes = 0;
        while batch.len() < max_pieces && bytes < max_bytes {
            let Some(piece) = self.next_piece() else { break };
            bytes += piece.len();
            batch.push(piece);
        }
        batch
    }

    fn detect(&mut self) -> io::Result<Option<PieceKind>> {
        self.cursor.skip_bom()?;
        self.cursor.skip_whitespace(&mut Sink::Discard)?;
        if self.cursor.peek()?.is_none() {
            self.state = State::Done;
            return Ok(Some(PieceKind::Problem {
                at: self.cursor.position(),
                message: "the file is empty".into(),
                fatal: true,
            }));
        }
        self.state = if looks_like_sse(&mut self.cursor)? {
            State::Sse(SseScanner::new())
        } else {
            State::Json(JsonScanner::new())
        };
        Ok(None)
    }
}

fn json_piece(item: ScanItem) -> PieceKind {
    match item {
        ScanItem::Value(chunk) => PieceKind::Value {
            bytes: chunk.bytes,
            at: chunk.at,
            path: chunk.path,
            carrier: Carrier::Json,
            members: chunk.members,
        },
        ScanItem::Broken {
            at,
            path,
            message,
            fatal,
        } => PieceKind::Broken {
            at,
            path,
            message,
            fatal,
        },
        ScanItem::Problem { at, message, fatal } => PieceKind::Problem { at, message, fatal },
    }
}

fn sse_piece(item: SseItem) -> PieceKind {
    match item {
        SseItem::Frame { bytes, at, event } => PieceKind::Value {
            bytes,
            at,
            path: "$".into(),
            carrier: Carrier::Sse(event),
            members: None,
        },
        SseItem::Problem { at, message, fatal } => PieceKind::Problem { at, message, fatal },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn splitter(text: &str) -> Splitter {
        Splitter::new(Box::new(io::Cursor::new(text.as_bytes().to_vec())))
    }

    #[test]
    fn cuts_values_without_parsing_them() {
        let mut s = splitter(r#"[{"id": "a"}, {"id": tru}, 7]"#);
        let pieces: Vec<Piece> = std::iter::from_fn(|| s.next_piece()).collect();
        let texts: Vec<String> = pieces
            .iter()
            .map(|p| match &p.0 {
                PieceKind::Value { bytes, path, .. } => {
                    format!("{path} {}", String::from_utf8_lossy(bytes))
                }
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(texts, [r#"$[0] {"id": "a"}"#, r#"$[1] {"id": tru}"#, "$[2] 7"]);
    }

    #[test]
    fn objects_come_with_where_their_members_lie() {
        let text = "[{\"id\" : \"a\", \"n\":12 ,\"o\": {\"k\": [1]}}, {\"id\": tru}, {\"a\" 1}]";
        let mut s = splitter(text);
        let members: Vec<Option<Vec<(String, String)>>> = std::iter::from_fn(|| s.next_piece())
            .filter_map(|p| match p.0 {
                PieceKind::Value { bytes, members, .. } => Some(members.map(|members| {
                    let text = |r: std::ops::Range<usize>| String::from_utf8_lossy(&bytes[r]).into_owned();
                    members
                        .into_iter()
                        .map(|m| (text(m.key), text(m.value)))
                        .collect()
                })),
                _ => None,
            })
            .collect();
        let pairs = |list: &[(&str, &str)]| -> Option<Vec<(String, String)>> {
            Some(list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
        };
        assert_eq!(
            members,
            [
                pairs(&[("\"id\"", "\"a\""), ("\"n\"", "12"), ("\"o\"", "{\"k\": [1]}")]),
                // Cut by balance: the scanner cannot vouch for its members.
                pairs(&[("\"id\"", "tru")]),
                None,
            ]
        );
    }

    /// Every piece of an input, as text, with or without the one-pass cut
    /// of plain objects, read a few bytes at a time or all at once.
    fn pieces(text: &[u8], plain_objects: bool, read_size: usize) -> Vec<String> {
        struct Trickle(Vec<u8>, usize);
        impl Read for Trickle {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(self.1);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0.drain(..n);
                Ok(n)
            }
        }
        let mut s = Splitter::new(Box::new(Trickle(text.to_vec(), read_size)));
        if !plain_objects {
            s.cursor.walk_only();
        }
        std::iter::from_fn(|| s.next_piece())
            .map(|p| format!("{:?}", p.0))
            .collect()
    }

    #[test]
    fn the_one_pass_cut_gives_the_pieces_the_walk_gives() {
        let record = br#"{"id": "m1", "query": "q \"x\" \\", "n": -1.5, "t": true, "o": {"data": [1, {"a": "]"}]}, "e": null}"#;
        let mut inputs: Vec<Vec<u8>> = vec![
            [&b"["[..], record, b",\n", record, b"]"].concat(),
            [&record[..], b"\n", record, b"\n"].concat(),
            br#"[{"data": [{"id": 1}], "has_more": false}, {"a": 1,}, {"a" 1}, {"a": tru"x"}]"#.to_vec(),
            b"{\"id\": \"a\",\n \"n\": 1}\n{\"id\": \"b\", \"q\": \"x\ny\"}\n{\"id\": \"c\"}\n".to_vec(),
            b"{\"id\": 1}\n{\"id\": [1,\n2]}\n{\"id\": 3}".to_vec(),
            br#"[{"id": "cut short", "q": "#.to_vec(),
        ];
        // Deterministic damage: bytes dropped, doubled or replaced, or the
        // input cut short.
        let sample = [&b"["[..], record, b",", record, b",\n", record, b"]"].concat();
        let mut seed = 7u64;
        for _ in 0..300 {
            let mut bytes = sample.clone();
            for _ in 0..3 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let at = (seed >> 33) as usize % bytes.len().max(1);
                if bytes.is_empty() {
                    break;
                }
                match (seed >> 20) % 4 {
                    0 => {
                        bytes.remove(at);
                    }
                    1 => bytes.insert(at, bytes[at]),
                    2 => bytes[at] = b"{}[]\",:\n \\x1"[(seed >> 40) as usize % 12],
                    _ => bytes.truncate(at),
                }
            }
            inputs.push(bytes);
        }
        for input in &inputs {
            for read_size in [usize::MAX, 7] {
                assert_eq!(
                    pieces(input, true, read_size),
                    pieces(input, false, read_size),
                    "{}",
                    String::from_utf8_lossy(input)
                );
            }
        }
    }

    #[test]
    fn batches_stop_at_the_piece_or_byte_limit() {
        let text = format!("[{}]", [r#"{"id": "abcdefgh"}"#; 10].join(","));
        let mut s = splitter(&text);
        assert_eq!(s.next_batch(3, usize::MAX).len(), 3);
        // 18 bytes a piece: the batch closes once 40 bytes are reached.
        assert_eq!(s.next_batch(100, 40).len(), 3);
        assert_eq!(s.next_batch(100, usize::MAX).len(), 4);
        assert!(s.next_batch(100, usize::MAX).is_empty());
    }

    #[test]
    fn an_empty_input_is_one_fatal_problem() {
        let mut s = splitter("  \n ");
        match s.next_piece().map(|p| p.0) {
            Some(PieceKind::Problem { message, fatal, .. }) => {
                assert_eq!(message, "the file is empty");
                assert!(fatal);
            }
            other => panic!("expected a problem, got {other:?}"),
        }
        assert!(s.next_piece().is_none());
    }

    struct FailingAfter(Vec<u8>);

    impl Read for FailingAfter {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::other("disk gone"));
            }
            let n = self.0.len().min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0.drain(..n);
            Ok(n)
        }
    }

    #[test]
    fn a_failing_source_ends_with_a_failed_piece() {
        let mut s = Splitter::new(Box::new(FailingAfter(br#"[{"id": "a"}, {"id""#.to_vec())));
        assert!(matches!(
            s.next_piece().map(|p| p.0),
            Some(PieceKind::Value { .. })
        ));
        match s.next_piece().map(|p| p.0) {
            Some(PieceKind::Failed { message, .. }) => assert_eq!(message, "reading stopped: disk gone"),
            other => panic!("expected a failure, got {other:?}"),
        }
        assert!(s.next_piece().is_none());
    }
}
