//! Vectors for every PHP rule of the decoder (expected values and errors were read from
//! `php -r 'var_export(json_decode(...)); echo json_last_error();'` on PHP 8.2.36), and
//! random documents compared with serde_json as an independent parser.

use super::value::{build, decode, ArrayKey, PhpValue};
use super::{parse, Event, ParseOptions, Scratch};
use crate::error::ProtocolError;
use crate::limits::InvalidUtf8;

fn opts(assoc: bool) -> ParseOptions {
    ParseOptions {
        assoc,
        ..ParseOptions::default()
    }
}

fn ok(json: &[u8], assoc: bool) -> PhpValue {
    match decode(json, &opts(assoc)) {
        Ok(v) => v,
        Err(e) => panic!("{:?} failed: {e:?}", String::from_utf8_lossy(json)),
    }
}

fn err_with(json: &[u8], o: ParseOptions) -> ProtocolError {
    match decode(json, &o) {
        Ok(v) => panic!("{:?} decoded to {v:?}", String::from_utf8_lossy(json)),
        Err(e) => e,
    }
}

fn err(json: &[u8]) -> ProtocolError {
    err_with(json, opts(false))
}

fn s(v: &str) -> PhpValue {
    PhpValue::String(v.as_bytes().to_vec())
}

fn list(items: Vec<PhpValue>) -> PhpValue {
    PhpValue::Array(
        items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (ArrayKey::Int(i as i64), v))
            .collect(),
    )
}

fn obj(items: Vec<(&str, PhpValue)>) -> PhpValue {
    PhpValue::Object(
        items
            .into_iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), v))
            .collect(),
    )
}

fn key(k: &str) -> ArrayKey {
    ArrayKey::Str(k.as_bytes().to_vec())
}

fn is_malformed(e: &ProtocolError) -> bool {
    matches!(e, ProtocolError::MalformedJson { .. })
}

fn is_utf8(e: &ProtocolError) -> bool {
    matches!(e, ProtocolError::InvalidUtf8 { .. })
}

#[test]
fn numbers_follow_php() {
    use PhpValue::{Float, Int};
    let cases: &[(&str, PhpValue)] = &[
        ("0", Int(0)),
        ("-0", Int(0)),
        ("-0.0", Float(-0.0)),
        ("-0e1", Float(-0.0)),
        ("0.0", Float(0.0)),
        ("1e400", Float(f64::INFINITY)),
        ("-1e400", Float(f64::NEG_INFINITY)),
        ("1e-400", Float(0.0)),
        ("-1e-400", Float(-0.0)),
        ("9223372036854775807", Int(i64::MAX)),
        ("9223372036854775808", Float(9.223372036854776e18)),
        ("-9223372036854775808", Int(i64::MIN)),
        ("-9223372036854775809", Float(-9.223372036854776e18)),
        ("12345678901234567890123", Float(1.2345678901234568e22)),
        (
            "123456789012345678901234567890e-10",
            Float(1.2345678901234567e19),
        ),
        ("1e5", Float(100000.0)),
        ("1E+5", Float(100000.0)),
        ("1e-5", Float(1.0e-5)),
        ("0.1e1", Float(1.0)),
        ("1.5e308", Float(1.5e308)),
        ("4.9e-324", Float(5.0e-324)),
        // Just above half the smallest subnormal: correct rounding goes up.
        ("2.4703282292062328e-324", Float(5.0e-324)),
        ("1e99999999999999999999", Float(f64::INFINITY)),
        ("0.30000000000000004", Float(0.30000000000000004)),
        ("1000000000000000000", Int(1_000_000_000_000_000_000)),
        ("-1000000000000000000", Int(-1_000_000_000_000_000_000)),
        ("99999999999999999999", Float(1e20)),
    ];
    for (json, want) in cases {
        assert_eq!(ok(json.as_bytes(), false), *want, "{json}");
    }
}

#[test]
fn scalars_strings_and_whitespace() {
    assert_eq!(ok(b"true", false), PhpValue::Bool(true));
    assert_eq!(ok(b" \t\r\nfalse\n", false), PhpValue::Bool(false));
    assert_eq!(ok(b"null", false), PhpValue::Null);
    assert_eq!(
        ok(b"[true,false,null]", false),
        list(vec![
            PhpValue::Bool(true),
            PhpValue::Bool(false),
            PhpValue::Null
        ])
    );
    assert_eq!(ok(br#""\u00e9""#, false), s("é"));
    assert_eq!(ok(br#""\u00E9\u20aC""#, false), s("é€"));
    assert_eq!(ok(br#""\uD83D\uDE00""#, false), s("😀"));
    assert_eq!(
        ok(br#""\/\b\f\n\r\t\"\\""#, false),
        s("/\u{8}\u{c}\n\r\t\"\\")
    );
    assert_eq!(ok(br#""\u0000a""#, false), s("\0a"));
    assert_eq!(ok("\"é\u{10FFFF}\"".as_bytes(), false), s("é\u{10FFFF}"));
    assert_eq!(ok(b"\"\x7f\"", false), s("\x7f"));
    assert_eq!(ok(b"\"\"", false), s(""));
    assert_eq!(
        ok(b" [ 1 , [ ] , { } ] ", false),
        list(vec![PhpValue::Int(1), list(vec![]), obj(vec![])])
    );
    assert_eq!(ok(b"{}", true), PhpValue::Array(vec![]));
    let long = format!("\"{}\\n{}\"", "a".repeat(100), "é".repeat(40));
    assert_eq!(
        ok(long.as_bytes(), false),
        s(&format!("{}\n{}", "a".repeat(100), "é".repeat(40)))
    );
}

#[test]
fn repeated_keys_keep_the_first_position_and_the_last_value() {
    use PhpValue::Int;
    assert_eq!(
        ok(br#"{"a":1,"a":2,"b":3}"#, false),
        obj(vec![("a", Int(2)), ("b", Int(3))])
    );
    assert_eq!(
        ok(br#"{"b":1,"a":2,"b":3}"#, false),
        obj(vec![("b", Int(3)), ("a", Int(2))])
    );
    // An escaped spelling is the same key.
    assert_eq!(
        ok(br#"{"a":1,"\u0061":2}"#, false),
        obj(vec![("a", Int(2))])
    );
    assert_eq!(ok(br#"{"":1,"":2}"#, false), obj(vec![("", Int(2))]));
    assert_eq!(
        ok(br#"{"1":1,"01":2,"1":3}"#, true),
        PhpValue::Array(vec![(ArrayKey::Int(1), Int(3)), (key("01"), Int(2))])
    );
    // A replaced value may be a whole container.
    assert_eq!(
        ok(br#"{"a":[1,2],"a":{"x":1}}"#, false),
        obj(vec![("a", obj(vec![("x", Int(1))]))])
    );
}

#[test]
fn numeric_keys_become_integers_only_in_assoc_mode() {
    use PhpValue::Int;
    let json = br#"{"1":1,"01":2,"-0":3,"-1":4, "9223372036854775807":5, "9223372036854775808":6, "-9223372036854775808": 7, "":8, " 1":9}"#;
    assert_eq!(
        ok(json, true),
        PhpValue::Array(vec![
            (ArrayKey::Int(1), Int(1)),
            (key("01"), Int(2)),
            (key("-0"), Int(3)),
            (ArrayKey::Int(-1), Int(4)),
            (ArrayKey::Int(i64::MAX), Int(5)),
            (key("9223372036854775808"), Int(6)),
            (ArrayKey::Int(i64::MIN), Int(7)),
            (key(""), Int(8)),
            (key(" 1"), Int(9)),
        ])
    );
    assert_eq!(
        ok(br#"{"1":1,"-1":2}"#, false),
        obj(vec![("1", Int(1)), ("-1", Int(2))])
    );
}

#[test]
fn nul_prefixed_keys_are_refused_as_properties_only() {
    assert_eq!(err(br#"{"\u0000a":1}"#), ProtocolError::InvalidPropertyName);
    assert_eq!(
        ok(br#"{"\u0000a":1}"#, true),
        PhpValue::Array(vec![(key("\0a"), PhpValue::Int(1))])
    );
    // NUL elsewhere in a name is fine.
    assert_eq!(
        ok(br#"{"a\u0000":1}"#, false),
        obj(vec![("a\0", PhpValue::Int(1))])
    );
    // PHP stores a member once its value is read: errors inside the value come first,
    // errors after it come second.
    assert!(is_utf8(&err(b"{\"\\u0000\":\"\xff\"}")));
    assert!(is_malformed(&err(br#"{"\u0000":[1 x}"#)));
    assert_eq!(err(br#"{"\u0000":1x}"#), ProtocolError::InvalidPropertyName);
    assert_eq!(
        err(br#"{"\u0000":{"b":1} x"#),
        ProtocolError::InvalidPropertyName
    );
    let depth3 = ParseOptions {
        max_depth: 3,
        ..opts(false)
    };
    assert_eq!(
        err_with(br#"{"\u0000":{"a":[[[]]]}}"#, depth3),
        ProtocolError::JsonTooDeep { limit: 3 }
    );
    assert_eq!(
        err_with(br#"{"\u0000":{}}"#, depth3),
        ProtocolError::InvalidPropertyName
    );
    assert!(is_malformed(&err_with(
        br#"{"a":{"\u0000":1} x"#,
        opts(true)
    )));
}

#[test]
fn depth_counts_as_php_does() {
    let with = |d| ParseOptions {
        max_depth: d,
        ..opts(false)
    };
    assert_eq!(
        err_with(b"[[1]]", with(1)),
        ProtocolError::JsonTooDeep { limit: 1 }
    );
    assert_eq!(
        err_with(b"[[1]]", with(2)),
        ProtocolError::JsonTooDeep { limit: 2 }
    );
    assert!(decode(b"[[1]]", &with(3)).is_ok());
    assert_eq!(
        err_with(b"[]", with(1)),
        ProtocolError::JsonTooDeep { limit: 1 }
    );
    assert!(decode(b"[]", &with(2)).is_ok());
    assert!(decode(b"1", &with(1)).is_ok());
    assert_eq!(
        err_with(b"{\"a\":{}}", with(2)),
        ProtocolError::JsonTooDeep { limit: 2 }
    );
    // The depth error comes as soon as the bracket is read.
    assert_eq!(
        err_with(b"[[\xff", with(2)),
        ProtocolError::JsonTooDeep { limit: 2 }
    );
    assert_eq!(
        err_with(b"[[", with(2)),
        ProtocolError::JsonTooDeep { limit: 2 }
    );
    for n in [510usize, 511, 512, 513] {
        let arrays = format!("{}{}", "[".repeat(n), "]".repeat(n));
        let objects = format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
        for doc in [arrays, objects] {
            let r = decode(doc.as_bytes(), &opts(true));
            if n < 512 {
                assert!(r.is_ok(), "{n}");
            } else {
                assert_eq!(r, Err(ProtocolError::JsonTooDeep { limit: 512 }), "{n}");
            }
        }
    }
    // Past PHP's own parser limit (see below) documents fail whatever the depth.
    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    assert!(is_malformed(&err_with(deep.as_bytes(), with(u32::MAX))));
    let deep = format!("{}{}", "[".repeat(4_998), "]".repeat(4_998));
    let mut scratch = Scratch::new();
    assert_eq!(
        parse(deep.as_bytes(), &with(u32::MAX), &mut scratch)
            .unwrap()
            .len(),
        4_998
    );
}

#[test]
fn very_deep_documents_fail_where_php_parser_stack_ends() {
    // Largest nesting json_decode($json, true, 100000) accepts per shape, found by
    // bisection with PHP 8.2: its Bison stack holds 9999 states.
    let unlimited = ParseOptions {
        max_depth: 100_000,
        ..opts(true)
    };
    let nest = |open: &str, inner: &str, close: &str, n: usize| {
        format!("{}{}{}", open.repeat(n), inner, close.repeat(n))
    };
    let shapes: &[(&str, &str, &str, usize)] = &[
        ("[", "", "]", 4998),
        ("[", "1", "]", 4998),
        ("{\"a\":", "1", "}", 2499),
        ("{\"x\":1,\"a\":", "1", "}", 1666),
        ("[{\"a\":", "1", "}]", 1666),
        ("[1,", "[]", "]", 2498),
        ("{\"a\":", "{}", "}", 2498),
        ("[", "{\"a\":1}", "]", 4996),
    ];
    for &(open, inner, close, max) in shapes {
        assert!(
            decode(nest(open, inner, close, max).as_bytes(), &unlimited).is_ok(),
            "{open} {max}"
        );
        let e = err_with(nest(open, inner, close, max + 1).as_bytes(), unlimited);
        assert!(is_malformed(&e), "{open} {max}: {e:?}");
    }
}

#[test]
fn event_budget_bounds_the_tape() {
    let with = |n| ParseOptions {
        max_events: n,
        ..opts(false)
    };
    // [1,2,3] is 4 events; {"a":[]} is 3.
    assert!(decode(b"[1,2,3]", &with(4)).is_ok());
    assert_eq!(
        err_with(b"[1,2,3]", with(3)),
        ProtocolError::TooManyValues { limit: 3 }
    );
    assert!(decode(br#"{"a":[]}"#, &with(3)).is_ok());
    assert_eq!(
        err_with(br#"{"a":[]}"#, with(2)),
        ProtocolError::TooManyValues { limit: 2 }
    );
    assert_eq!(
        err_with(b"1", with(0)),
        ProtocolError::TooManyValues { limit: 0 }
    );
}

#[test]
fn malformed_documents() {
    let cases: &[&[u8]] = &[
        b"",
        b" ",
        b"\x0c1",
        b"[1,]",
        b"01",
        b"1.",
        b".5",
        b"1.e5",
        b"+1",
        b"TRUE",
        b"[1] [2]",
        b"\"\\u00\"",
        b"\"\\u12G4\"",
        b"\"\\x\"",
        b"\"\\",
        b"\"abc",
        b"[\"a\x00\"]",
        b"[\"a\tb\"]",
        b"[1]\x00",
        b"[1]\x01",
        b"[1]\x7f",
        b"{\"a\" 1}",
        b"{\"a\":1,}",
        b"{,}",
        b"{1:1}",
        b"{'a':1}",
        b"[1 2]",
        b"nul",
        b"nullx",
        b"null x",
        b"1e",
        b"1e+",
        b"-",
        b"-a",
        b"[",
        b"]",
        b"{\"a\"",
        b"{\"a\":",
        b"[1}",
        b"{\"a\":1]",
        b"\xef\xbb\xbf[]",
        b"[1 \xc3\xa9]",
        b"[\"\\ud800\xff\"]",
    ];
    for json in cases {
        let e = err(json);
        assert!(
            is_malformed(&e),
            "{:?} gave {e:?}",
            String::from_utf8_lossy(json)
        );
    }
}

#[test]
fn lone_surrogates_are_malformed() {
    for json in [
        br#""\uD800""#.as_slice(),
        br#""\uDC00""#,
        br#""\uD800\u0041""#,
        br#""\uD800\uDBFF""#,
        br#""\u0041\uDC00""#,
        br#""\uD800\n""#,
        br#""\uDBFF""#,
        br#""\uD800x""#,
    ] {
        assert!(
            is_malformed(&err(json)),
            "{}",
            String::from_utf8_lossy(json)
        );
        let sub = ParseOptions {
            invalid_utf8: InvalidUtf8::Substitute,
            ..opts(false)
        };
        assert!(is_malformed(&err_with(json, sub)));
    }
}

#[test]
fn invalid_utf8_is_an_error_inside_and_outside_strings() {
    for json in [
        b"\xff".as_slice(),
        b"[\xff]",
        b"[1]\xff",
        b"[1 \xc3]",
        b"\"\xff\"",
        b"[\"\xff\\ud800\"]",
        b"[\"\xff\x01\"]",
        b"\"abc\xff",
        b"\"\xed\xa0\x80\"",
        b"\"\xc0\xaf\"",
        b"\"\xf4\x90\x80\x80\"",
        b"{\"\xe2\x82\":1}",
    ] {
        assert!(is_utf8(&err(json)), "{json:?}");
    }
    assert_eq!(
        err(b"[1, \"ab\xffc\"]"),
        ProtocolError::InvalidUtf8 { offset: 7 }
    );
    // A control character before the bad byte is reported first.
    assert!(is_malformed(&err(b"[\"\x01\xff\"]")));
    // Substitution happens in strings only.
    let sub = ParseOptions {
        invalid_utf8: InvalidUtf8::Substitute,
        ..opts(false)
    };
    assert!(is_utf8(&err_with(b"[\xff]", sub)));
    assert!(is_malformed(&err_with(b"[\"\xff\x01\"]", sub)));
}

#[test]
fn substitution_replaces_each_offending_byte() {
    let sub = |json: &[u8], assoc| {
        decode(
            json,
            &ParseOptions {
                assoc,
                invalid_utf8: InvalidUtf8::Substitute,
                ..opts(assoc)
            },
        )
        .unwrap()
    };
    let cases: &[(&[u8], &str)] = &[
        (b"\"\xe2\x82\"", "\u{FFFD}\u{FFFD}"),
        (b"\"\xe2\x82x\"", "\u{FFFD}\u{FFFD}x"),
        (b"\"\xf0\x9f\x98\"", "\u{FFFD}\u{FFFD}\u{FFFD}"),
        (b"\"\xed\xa0\x80\"", "\u{FFFD}\u{FFFD}\u{FFFD}"),
        (b"\"\xc0\xaf\"", "\u{FFFD}\u{FFFD}"),
        (b"\"\xff\"", "\u{FFFD}"),
        (b"\"a\xffb\\u00e9\xfe\xc3\xa9\"", "a\u{FFFD}bé\u{FFFD}é"),
        (
            b"\"\x80\x80\xf0\x9f\x98\x80\xf0\"",
            "\u{FFFD}\u{FFFD}😀\u{FFFD}",
        ),
    ];
    for (json, want) in cases {
        assert_eq!(sub(json, false), s(want), "{json:?}");
    }
    assert_eq!(
        sub(b"[\"\xff\",\"ok\",\"\xfe\"]", false),
        list(vec![s("\u{FFFD}"), s("ok"), s("\u{FFFD}")])
    );
    // Substituted keys are compared after substitution.
    assert_eq!(
        sub(b"{\"\xff\":1,\"\\ufffd\":2,\"\xfe\":3}", true),
        PhpValue::Array(vec![(key("\u{FFFD}"), PhpValue::Int(3))])
    );
}

#[test]
fn containers_state_their_size_first_and_keys_are_shared() {
    let json = br#"[{"a":1,"b":[true]},{"a":"x\ny","b":"plain"}]"#;
    let mut scratch = Scratch::new();
    let tape = parse(json, &opts(false), &mut scratch).unwrap();
    let ev: Vec<Event> = tape.events().collect();
    let Event::Key(a) = ev[2] else {
        panic!("{ev:?}")
    };
    let Event::Key(b) = ev[4] else {
        panic!("{ev:?}")
    };
    assert_eq!(
        ev,
        vec![
            Event::Array { len: 2 },
            Event::Object {
                len: 2,
                distinct_keys: true
            },
            Event::Key(a),
            Event::Int(1),
            Event::Key(b),
            Event::Array { len: 1 },
            Event::Bool(true),
            Event::Object {
                len: 2,
                distinct_keys: true
            },
            Event::Key(a),
            Event::Str(b"x\ny"),
            Event::Key(b),
            Event::Str(b"plain"),
        ]
    );
    assert_eq!(tape.key_count(), 2);
    assert_eq!(tape.key(a).bytes, b"a");
    // Strings without escapes point into the input.
    let Event::Str(plain) = ev[11] else { panic!() };
    assert!(json.as_ptr_range().contains(&plain.as_ptr()));
    let Event::Str(escaped) = ev[9] else { panic!() };
    assert!(!json.as_ptr_range().contains(&escaped.as_ptr()));
}

#[test]
fn objects_that_may_repeat_a_key_are_marked() {
    let flags = |json: &[u8]| -> Vec<bool> {
        let mut scratch = Scratch::new();
        let tape = parse(json, &opts(false), &mut scratch).unwrap();
        tape.events()
            .filter_map(|e| match e {
                Event::Object { distinct_keys, .. } => Some(distinct_keys),
                _ => None,
            })
            .collect()
    };
    assert_eq!(flags(br#"{"a":1,"a":2}"#), [false]);
    assert_eq!(flags(br#"[{"a":1},{"a":2}]"#), [true, true]);
    assert_eq!(flags(br#"{"a":{"a":1},"b":2}"#), [true, true]);
    assert_eq!(flags(br#"{"a":{"a":1},"a":2}"#), [false, true]);
    assert_eq!(flags(br#"{"a":1,"\u0061":2}"#), [false]);
}

#[test]
fn integer_key_of_each_distinct_key() {
    let mut scratch = Scratch::new();
    let tape = parse(
        br#"{"12":1,"x":2,"-3":3,"12":4}"#,
        &opts(true),
        &mut scratch,
    )
    .unwrap();
    let keys: Vec<_> = (0..tape.key_count())
        .map(|i| tape.key(super::KeyId(i as u32)).index)
        .collect();
    assert_eq!(keys, [Some(12), None, Some(-3)]);
}

// ---- random documents against serde_json ----

/// xorshift64*: a seeded generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

fn gen_ws(r: &mut Rng, out: &mut String) {
    if r.below(3) == 0 {
        for _ in 0..r.below(20) {
            out.push(r.pick(&[' ', '\n', '\r', '\t', ' ', ' ']));
        }
    }
}

fn gen_string(r: &mut Rng, out: &mut String, keyish: bool) {
    out.push('"');
    let len = if keyish { r.below(4) } else { r.below(40) };
    for _ in 0..len {
        match r.below(12) {
            0 => out.push_str(r.pick(&["\\n", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\r", "\\t"])),
            1 => {
                let c = r.pick(&[
                    'é',
                    '€',
                    '😀',
                    'ß',
                    '\u{7f}',
                    '\u{ffff}',
                    '\u{10ffff}',
                    'ア',
                ]);
                if r.below(2) == 0 {
                    out.push(c);
                } else {
                    let mut units = [0u16; 2];
                    for u in c.encode_utf16(&mut units) {
                        let hex = format!("\\u{:04x}", u);
                        out.push_str(&if r.below(2) == 0 {
                            hex.to_uppercase().replace("\\U", "\\u")
                        } else {
                            hex
                        });
                    }
                }
            }
            2 => out.push_str(&format!("\\u{:04x}", 1 + r.below(0x1f))),
            3 => out.push(r.pick(&['0', '1', '-', ' ', '9'])),
            _ => out.push(r.pick(&['a', 'b', 'x', 'K', 'e', '_', '.'])),
        }
    }
    out.push('"');
}

fn gen_number(r: &mut Rng, out: &mut String) {
    let digits = |r: &mut Rng, n: usize| -> String {
        let mut s = String::new();
        s.push(char::from(b'1' + r.below(9) as u8));
        for _ in 1..n {
            s.push(char::from(b'0' + r.below(10) as u8));
        }
        s
    };
    let start = out.len();
    let shape = r.below(8);
    // serde_json reads "-0" as a float; PHP's int -0 is checked by the vectors.
    if shape != 0 && r.below(2) == 0 {
        out.push('-');
    }
    match shape {
        0 => out.push('0'),
        1 => {
            let n = 1 + r.below(18);
            out.push_str(&digits(r, n));
        }
        2 => out.push_str(&digits(r, 19)),
        3 => {
            let n = 20 + r.below(30);
            out.push_str(&digits(r, n));
        }
        4 => out.push_str(r.pick(&[
            "9223372036854775807",
            "9223372036854775808",
            "18446744073709551615",
            "18446744073709551616",
        ])),
        _ => {
            let n = 1 + r.below(20);
            out.push_str(&if r.below(3) == 0 {
                "0".to_string()
            } else {
                digits(r, n)
            });
            if r.below(3) != 0 {
                out.push('.');
                for _ in 0..1 + r.below(25) {
                    out.push(char::from(b'0' + r.below(10) as u8));
                }
            }
            if r.below(2) == 0 {
                out.push(r.pick(&['e', 'E']));
                out.push_str(r.pick(&["", "+", "-"]));
                out.push_str(&r.below(280).to_string());
            }
        }
    }
    if &out[start..] == "-0" {
        out.push_str(".5");
    }
}

const KEYS: &[&str] = &[
    "\"a\"",
    "\"b\"",
    "\"\"",
    "\"1\"",
    "\"-1\"",
    "\"01\"",
    "\"-0\"",
    "\"0\"",
    "\"9223372036854775808\"",
    "\"\\u0061\"",
    "\"name\"",
    "\"ifdescr\"",
];

fn gen_value(r: &mut Rng, out: &mut String, depth: usize) {
    gen_ws(r, out);
    let container = depth < 8 && r.below(3) == 0;
    match if container {
        r.below(2)
    } else {
        2 + r.below(6)
    } {
        0 => {
            out.push('[');
            let n = r.below(6);
            for i in 0..n {
                if i > 0 {
                    out.push(',');
                }
                gen_value(r, out, depth + 1);
            }
            gen_ws(r, out);
            out.push(']');
        }
        1 => {
            out.push('{');
            let n = r.below(6);
            for i in 0..n {
                if i > 0 {
                    out.push(',');
                }
                gen_ws(r, out);
                if r.below(2) == 0 {
                    out.push_str(r.pick(KEYS));
                } else {
                    gen_string(r, out, true);
                }
                gen_ws(r, out);
                out.push(':');
                gen_value(r, out, depth + 1);
            }
            gen_ws(r, out);
            out.push('}');
        }
        2 | 3 => gen_string(r, out, false),
        4 | 5 => gen_number(r, out),
        _ => out.push_str(r.pick(&["true", "false", "null"])),
    }
    gen_ws(r, out);
}

/// serde_json's value mapped by PHP's rules.
fn from_serde(v: &serde_json::Value, assoc: bool) -> PhpValue {
    use serde_json::Value;
    match v {
        Value::Null => PhpValue::Null,
        Value::Bool(b) => PhpValue::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                PhpValue::Int(i)
            } else if let Some(u) = n.as_u64() {
                PhpValue::Float(u as f64)
            } else {
                PhpValue::Float(n.as_f64().unwrap())
            }
        }
        Value::String(s) => PhpValue::String(s.as_bytes().to_vec()),
        Value::Array(a) => list(a.iter().map(|v| from_serde(v, assoc)).collect()),
        Value::Object(m) if assoc => PhpValue::Array(
            m.iter()
                .map(|(k, v)| {
                    let key = match super::php_integer_key(k.as_bytes()) {
                        Some(i) => ArrayKey::Int(i),
                        None => ArrayKey::Str(k.as_bytes().to_vec()),
                    };
                    (key, from_serde(v, assoc))
                })
                .collect(),
        ),
        Value::Object(m) => PhpValue::Object(
            m.iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), from_serde(v, assoc)))
                .collect(),
        ),
    }
}

#[test]
fn random_documents_agree_with_serde_json() {
    let mut r = Rng(0x5eed_1234_abcd_0001);
    let mut checked = 0;
    for _ in 0..4000 {
        let mut doc = String::new();
        gen_value(&mut r, &mut doc, 0);
        let oracle: serde_json::Value =
            serde_json::from_str(&doc).unwrap_or_else(|e| panic!("{doc}: {e}"));
        for assoc in [false, true] {
            let ours =
                decode(doc.as_bytes(), &opts(assoc)).unwrap_or_else(|e| panic!("{doc}: {e:?}"));
            assert_eq!(ours, from_serde(&oracle, assoc), "{doc}");
            checked += 1;
        }
    }
    assert_eq!(checked, 8000);
}

/// Equality, except that PHP's int 0 for `-0` (which a damaged document can produce)
/// matches serde_json's -0.0.
fn same_but_minus_zero(ours: &PhpValue, oracle: &PhpValue) -> bool {
    match (ours, oracle) {
        (PhpValue::Int(0), PhpValue::Float(f)) => f.to_bits() == (-0.0f64).to_bits(),
        (PhpValue::Array(a), PhpValue::Array(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| x.0 == y.0 && same_but_minus_zero(&x.1, &y.1))
        }
        (PhpValue::Object(a), PhpValue::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| x.0 == y.0 && same_but_minus_zero(&x.1, &y.1))
        }
        _ => ours == oracle,
    }
}

#[test]
fn damaged_documents_are_refused_when_serde_json_refuses_them() {
    let mut r = Rng(0xdead_beef_0000_0042);
    let mut refused = 0;
    for _ in 0..4000 {
        let mut doc = String::new();
        gen_value(&mut r, &mut doc, 0);
        let mut bytes = doc.into_bytes();
        match r.below(3) {
            0 => bytes.truncate(r.below(bytes.len() + 1)),
            1 => {
                let at = r.below(bytes.len() + 1);
                let b = r.pick(b"{}[],:\"\\ 0-e.tx\x00\x1f\x80\xff");
                bytes.insert(at, b);
            }
            _ => {
                if !bytes.is_empty() {
                    bytes.remove(r.below(bytes.len()));
                }
            }
        }
        let ours = decode(&bytes, &opts(false));
        match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(v) => {
                let Ok(ours) = ours else {
                    // serde_json does not refuse NUL-led keys in objects; PHP does.
                    assert_eq!(
                        ours,
                        Err(ProtocolError::InvalidPropertyName),
                        "{:?}",
                        String::from_utf8_lossy(&bytes)
                    );
                    continue;
                };
                assert!(
                    same_but_minus_zero(&ours, &from_serde(&v, false)),
                    "{:?}",
                    String::from_utf8_lossy(&bytes)
                );
            }
            // serde_json refuses numbers that overflow to infinity, PHP takes INF: no oracle.
            Err(e) if e.to_string().contains("out of range") => {}
            Err(_) => {
                assert!(
                    ours.is_err(),
                    "{:?} accepted",
                    String::from_utf8_lossy(&bytes)
                );
                refused += 1;
            }
        }
    }
    assert!(refused > 1000, "{refused}");
}

#[test]
fn reference_builder_handles_every_event() {
    let json = br#"{"list":[1,-2.5,"s",true,false,null,[],{}],"obj":{"k":{"1":[]}}}"#;
    let mut scratch = Scratch::new();
    let tape = parse(json, &opts(true), &mut scratch).unwrap();
    let v = build(&tape, true);
    let PhpValue::Array(top) = v else { panic!() };
    assert_eq!(top.len(), 2);
    assert_eq!(
        top[1].1,
        PhpValue::Array(vec![(
            key("k"),
            PhpValue::Array(vec![(ArrayKey::Int(1), PhpValue::Array(vec![]))])
        )])
    );
}

#[test]
fn a_scratch_serves_many_documents_even_after_errors() {
    let mut scratch = Scratch::new();
    let docs: &[&[u8]] = &[
        br#"{"a":"x\ny","b":[1,2]}"#,
        b"[\"\xff\"",
        br#"{"b":"plain","a":{"a":null}}"#,
        br#"[{"c":1},{"c":"\u00e9"}]"#,
    ];
    for _ in 0..3 {
        for json in docs {
            let fresh = decode(json, &opts(true));
            let reused = parse(json, &opts(true), &mut scratch).map(|t| build(&t, true));
            assert_eq!(reused, fresh);
        }
    }
    assert!(scratch.capacity_bytes() > 0);
}

#[test]
#[allow(
    unsafe_code,
    reason = "the test drives the tape's page release as the builder does"
)]
fn events_after_a_release_are_intact_and_the_scratch_parses_again() {
    let doc: String = format!(
        "[{}]",
        (0..50_000)
            .map(|i| format!(r#"{{"n":{i},"s":"v{i}","f":{i}.5}}"#))
            .collect::<Vec<_>>()
            .join(",")
    );
    let o = opts(false);
    let mut fresh = Scratch::new();
    let want: Vec<String> = parse(doc.as_bytes(), &o, &mut fresh)
        .unwrap()
        .events()
        .map(|e| format!("{e:?}"))
        .collect();
    let mut scratch = Scratch::new();
    for _ in 0..2 {
        let tape = parse(doc.as_bytes(), &o, &mut scratch).unwrap();
        let mut got = Vec::new();
        for (at, e) in tape.events().enumerate() {
            if at % 1000 == 0 {
                // SAFETY: events before `at` were read already and are not read again.
                unsafe { tape.release_before(at) };
            }
            got.push(format!("{e:?}"));
        }
        assert_eq!(got, want);
        // The whole tape, past its end even: a no-op for what lies outside it.
        unsafe { tape.release_before(usize::MAX) };
    }
}
