//! The pool against the plain definition: every line through [`LineSchema`] in order, an
//! overlong line through [`crate::structured::unread`].

use super::*;
use crate::structured::NOT_A_RECORD;
use proptest::prelude::*;

fn pool(input: &[u8], threads: usize, piece: usize) -> (Vec<u8>, Counts, u64) {
    pool_of(FileKind::ShareableDebug, input, threads, piece)
}

fn pool_of(kind: FileKind, input: &[u8], threads: usize, piece: usize) -> (Vec<u8>, Counts, u64) {
    let tally = Rc::new(RefCell::new(Tally::default()));
    let mut r = SchemaPool::with_piece(
        input,
        kind,
        Pseudonymizer::with_key(&[1; 32]),
        SchemaOptions { drop_bodies: true },
        tally.clone(),
        threads,
        piece,
    );
    let mut out = Vec::new();
    r.read_to_end(&mut out).expect("read");
    drop(r);
    let t = tally.borrow();
    (out, t.counts.clone(), t.bytes_read)
}

/// One line after another on this thread.
fn serial(input: &[u8]) -> (Vec<u8>, Counts) {
    let p = Pseudonymizer::with_key(&[1; 32]);
    let mut memo = Memo::default();
    let mut schema = LineSchema {
        kind: FileKind::ShareableDebug,
        p: &p,
        options: SchemaOptions { drop_bodies: true },
        memo: &mut memo,
    };
    let (mut out, mut counts) = (Vec::new(), Counts::default());
    for line in input.split_inclusive(|&b| b == b'\n') {
        if overlong(line) {
            crate::structured::unread(FileKind::ShareableDebug, line, true, &mut out, &mut counts);
        } else {
            schema.line(line, &mut out, &mut counts);
        }
    }
    (out, counts)
}

#[test]
fn json_lines_go_through_the_schema_and_other_lines_pass_or_are_left_out() {
    let input = "{\"event\":\"fetch_attempt_response\",\"status\":429,\"who\":\"bob\"}\nplain text line\n\n{\"event\":\"zorvtorn\"\n{\"event\":\"x\"}";
    for threads in [1, 2] {
        // The plugin's own file: a line that reads like JSON but no schema reads (a torn
        // record) is left out, text stays for the engine; `x` is no shareable-debug event
        // (its catalogue keeps only the plugin's).
        let (out, counts, read) = pool(input.as_bytes(), threads, PIECE);
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            format!("{{\"event\":\"fetch_attempt_response\",\"status\":429,\"who\":\"<string:3>\"}}\nplain text line\n\n{NOT_A_RECORD}\n{{\"event\":\"<string:1>\"}}")
        );
        assert_eq!(read, input.len() as u64);
        assert!(counts.total() >= 3, "{counts:?}");
        // Generic JSON Lines: such lines go to the engine as they are.
        let (out, _, _) = pool_of(FileKind::Generic, input.as_bytes(), threads, PIECE);
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "{\"event\":\"fetch_attempt_response\",\"status\":429,\"who\":\"<string:3>\"}\nplain text line\n\n{\"event\":\"zorvtorn\"\n{\"event\":\"x\"}"
        );
    }
}

#[test]
fn an_overlong_line_is_left_out_of_the_plugins_files_and_passes_in_generic_ones() {
    let long = format!(
        "{{\"event\":\"zorvlong\",\"x\":\"{}\"}}\n{{\"n\":\"y\"}}\n",
        "a".repeat(MAX_SCHEMA_LINE as usize + 10)
    );
    for (threads, piece) in [(1, PIECE), (2, 4096), (3, 100_000)] {
        let (out, _, read) = pool(long.as_bytes(), threads, piece);
        let out = String::from_utf8(out).expect("utf-8");
        assert_eq!(out, format!("{NOT_A_RECORD}\n{{\"n\":\"<string:1>\"}}\n"));
        assert_eq!(read, long.len() as u64);
        let (out, _, read) = pool_of(FileKind::Generic, long.as_bytes(), threads, piece);
        let out = String::from_utf8(out).expect("utf-8");
        assert!(
            out.ends_with("\n{\"n\":\"<string:1>\"}\n"),
            "{}",
            &out[out.len() - 40..]
        );
        assert_eq!(out.len(), long.len() + 9);
        assert_eq!(read, long.len() as u64);
    }
}

#[test]
fn many_pieces_on_many_threads_give_the_serial_output() {
    let mut input = String::new();
    for i in 0..3000 {
        match i % 4 {
            0 => input.push_str(&format!(
                "{{\"event\":\"fetch_attempt_response\",\"status\":429,\"session\":\"s{i}\"}}\n"
            )),
            1 => input.push_str(&format!("plain line {i} with words\n")),
            2 => input.push_str(&format!(
                "{{\"meta\":{{\"email\":\"u{i}@example.com\"}}}}\r\n"
            )),
            _ => input.push_str("[1,2,3]\n"),
        }
    }
    input.push_str("{\"last\":\"no newline\"}");
    let (want, want_counts) = serial(input.as_bytes());
    for (threads, piece) in [(1, PIECE), (2, 1), (2, 777), (3, 10_000), (4, 64 * 1024)] {
        let (out, counts, read) = pool(input.as_bytes(), threads, piece);
        assert!(out == want, "threads {threads}, piece {piece}");
        assert_eq!(counts, want_counts, "threads {threads}, piece {piece}");
        assert_eq!(read, input.len() as u64);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Lines of any length around the schema's limit, cut anywhere: the serial output.
    #[test]
    fn any_cut_gives_the_serial_output(
        lens in proptest::collection::vec(prop_oneof![
            0usize..40,
            (MAX_SCHEMA_LINE as usize - 3)..(MAX_SCHEMA_LINE as usize + 3),
        ], 1..6),
        json in proptest::collection::vec(any::<bool>(), 6),
        end_newline in any::<bool>(),
        threads in 1usize..4,
        piece in prop_oneof![1usize..64, 1000usize..2_000_000],
    ) {
        let mut input = Vec::new();
        for (i, n) in lens.iter().enumerate() {
            if json[i % json.len()] && *n >= 10 {
                input.extend_from_slice(b"{\"k\":\"");
                input.extend(std::iter::repeat_n(b'v', n - 8));
                input.extend_from_slice(b"\"}");
            } else {
                input.extend(std::iter::repeat_n(b'x', *n));
            }
            input.push(b'\n');
        }
        if !end_newline {
            input.pop();
        }
        let (want, _) = serial(&input);
        let (out, _, read) = pool(&input, threads, piece);
        prop_assert!(out == want);
        prop_assert_eq!(read, input.len() as u64);
    }
}
