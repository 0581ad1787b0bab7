//! The JSON message of an answer (chapters 3.3.2 "Answers" and 3.3.3 "Error answers"): an
//! ordered JSON value model, a writer that produces the bytes PHP's `json_encode` produces,
//! and the checks every answer must pass before it is sent. [`crate::http_answer`] then
//! makes it ready for HTTP.
//!
//! The writer is `json_encode($answer)` with no flags and PHP's default
//! `serialize_precision = -1`, which is what GLPI itself sends: ASCII-only output (`\uXXXX`
//! for anything else, surrogate pairs above U+FFFF), `/` written `\/`, floats in their
//! shortest round-trip form without a trailing `.0` (`1.0` is written `1`). It writes the
//! answers the extension makes itself (error answers, from `ProtocolException::getAnswer()`
//! or a subclass's, and PROLOG answers); `Response::forRequest()` leaves the agent's answer
//! to PHP's own `json_encode`.

use std::fmt::Write as _;

use crate::error::{ProtocolError, UsageError};
use crate::expiration::{expiration_from_hours, parse_expiration};

/// A JSON value as PHP code builds answers: arrays become [`Value::List`] (keys 0..n-1 in
/// order) or [`Value::Map`] (any other keys, in insertion order).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A PHP int.
    Int(i64),
    /// A PHP float; NaN and infinities cannot be written.
    Float(f64),
    /// A string, written with `\uXXXX` escapes for anything not ASCII.
    Str(String),
    /// A PHP list, written as a JSON array.
    List(Vec<Value>),
    /// A PHP array with other keys, written as a JSON object.
    Map(Map),
}

/// A JSON object that keeps insertion order, as PHP arrays do. Inserting an existing key
/// replaces its value in place, as `$a[$k] = $v` does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Map {
    entries: Vec<(String, Value)>,
}

impl Map {
    /// An empty map (written `{}`, never `[]`).
    pub fn new() -> Self {
        Map::default()
    }

    /// An empty map with room for `capacity` members before it reallocates.
    pub fn with_capacity(capacity: usize) -> Self {
        Map {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// Sets `key`, keeping its position if present; returns the previous value.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Value>) -> Option<Value> {
        let key = key.into();
        let value = value.into();
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => Some(std::mem::replace(slot, value)),
            None => {
                self.entries.push((key, value));
                None
            }
        }
    }

    /// The value under `key`, if any.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Removes `key` and returns its value; the members after it move up, in order.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let pos = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(pos).1)
    }

    /// How many members the map holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map holds no member.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The members in insertion order, the order they are written in.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Map {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = Map::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v.into())
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Str(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Str(v)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::List(v)
    }
}

impl From<Map> for Value {
    fn from(v: Map) -> Self {
        Value::Map(v)
    }
}

/// Deepest nesting written, counted as `json_encode`'s default `$depth` counts it.
const MAX_DEPTH: u32 = 512;

/// `json_encode($value)` with PHP's defaults. NaN and infinite floats and values nested past
/// 512 levels are refused, as `json_encode` refuses them.
pub fn to_json(value: &Value) -> Result<String, UsageError> {
    let mut out = String::new();
    write_value(&mut out, value, 0)?;
    Ok(out)
}

fn write_value(out: &mut String, value: &Value, depth: u32) -> Result<(), UsageError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(UsageError::new(
                    "NaN and infinite floats cannot be written as JSON",
                ));
            }
            write_float(out, *f);
        }
        Value::Str(s) => write_string(out, s),
        Value::List(items) => {
            let depth = enter(depth)?;
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, depth)?;
            }
            out.push(']');
        }
        Value::Map(map) => {
            let depth = enter(depth)?;
            out.push('{');
            for (i, (key, item)) in map.entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item, depth)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn enter(depth: u32) -> Result<u32, UsageError> {
    let depth = depth + 1;
    if depth > MAX_DEPTH {
        return Err(UsageError::new(format!(
            "the answer nests deeper than {MAX_DEPTH} levels"
        )));
    }
    Ok(depth)
}

fn write_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => push_unicode_escapes(out, c),
            c if !c.is_ascii() => push_unicode_escapes(out, c),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn push_unicode_escapes(out: &mut String, c: char) {
    let mut units = [0u16; 2];
    for unit in c.encode_utf16(&mut units) {
        let _ = write!(out, "\\u{unit:04x}");
    }
}

/// A finite float as PHP writes it with `serialize_precision = -1`: the shortest digits that
/// read back to the same double, in fixed notation when the decimal exponent is within
/// [-4, 16] and as `d.ddde+N` otherwise (PHP's `zend_gcvt` with 17 digits).
fn write_float(out: &mut String, f: f64) {
    let sci = shortest_digits(f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    // PHP's decpt: the value is 0.DIGITS times 10^decpt.
    let decpt = exp + 1;
    if f.is_sign_negative() {
        out.push('-');
    }
    let n = digits.len() as i32;
    if !(-3..=17).contains(&decpt) {
        out.push_str(&digits[..1]);
        out.push('.');
        out.push_str(if n > 1 { &digits[1..] } else { "0" });
        let _ = write!(out, "e{}{}", if exp < 0 { '-' } else { '+' }, exp.abs());
    } else if decpt <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-decpt) as usize));
        out.push_str(&digits);
    } else if decpt < n {
        out.push_str(&digits[..decpt as usize]);
        out.push('.');
        out.push_str(&digits[decpt as usize..]);
    } else {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (decpt - n) as usize));
    }
}

/// `d.ddde[-]N` with the fewest digits that read back to `f`, and among those the one nearest
/// to `f`'s exact value, ties to even: what PHP's `zend_dtoa` mode 0 returns. Rust's `{:e}`
/// gives the fewest digits but may break an exact tie upwards (-840847321408031.25 prints as
/// ...031.3 where PHP prints ...031.2), so the correctly rounded string of that length, which
/// Rust's fixed-precision formatting produces, is preferred whenever it reads back exactly.
fn shortest_digits(f: f64) -> String {
    let shortest = format!("{f:e}");
    let digits = shortest
        .split_once('e')
        .map_or(shortest.len(), |(m, _)| m.len() - m.contains('.') as usize);
    let nearest = format!("{:.*e}", digits.saturating_sub(1), f);
    if nearest != shortest && nearest.parse::<f64>().is_ok_and(|g| g == f) {
        nearest
    } else {
        shortest
    }
}

/// Longest status token accepted.
const MAX_STATUS_LEN: usize = 64;

/// A status token: lower-case ASCII letter first, then lower-case letters, digits, `-`, `_`
/// (`ok`, `error`, `pending`, `registered`, ...).
fn is_status_token(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && s.len() <= MAX_STATUS_LEN
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_'))
}

/// Seconds meant by an answer's `expiration` value: an integer counts hours, a string is a
/// delay definition. Anything else, zero or negative, is refused.
pub fn expiration_seconds(value: &Value) -> Result<u64, UsageError> {
    let parsed = match value {
        Value::Int(hours) => expiration_from_hours(*hours),
        Value::Str(text) => parse_expiration(text),
        _ => Err(ProtocolError::BadFormat),
    };
    parsed.map_err(|_| {
        UsageError::new("the answer's expiration must be a positive delay such as 24, \"1d\", \"30m\" or \"45s\"")
    })
}

/// The checks of spec 3.3.2 on an answer about to be sent: `status` present and a lower-case
/// token; `expiration`, if present, a positive delay (integer hours or a delay string);
/// `message`, if present, a string. Other keys are the action's business.
pub fn validate_answer(answer: &Map) -> Result<(), UsageError> {
    match answer.get("status") {
        Some(Value::Str(s)) if is_status_token(s) => {}
        Some(_) => {
            return Err(UsageError::new(
                "the answer's status must be a lower-case token such as \"ok\", \"error\" or \"pending\"",
            ))
        }
        None => return Err(UsageError::new("the answer has no status")),
    }
    if let Some(expiration) = answer.get("expiration") {
        expiration_seconds(expiration)?;
    }
    match answer.get("message") {
        None | Some(Value::Str(_)) => Ok(()),
        Some(_) => Err(UsageError::new("the answer's message must be a string")),
    }
}

/// [`validate_answer`], then the JSON text with `json_encode`'s defaults.
pub fn encode_answer(answer: &Map) -> Result<String, UsageError> {
    validate_answer(answer)?;
    to_json(&Value::Map(answer.clone()))
}

/// The expiration an error answer carries by default. Spec examples: a busy server asks for a
/// retry in `"30m"` (4.3); a failed REGISTER challenge waits `"1h"` (6.1.4), and so do the
/// other REGISTER and encryption errors, after which the agent must register again soon.
/// Everything else gets `24` (hours), GLPI's own default frequency for its error answers.
pub fn default_error_expiration(error: &ProtocolError) -> Value {
    use ProtocolError::*;
    match error {
        BusyServer => Value::from("30m"),
        ChallengeFailed
        | ChallengeForAnotherAgent
        | UnknownCryptoKey
        | EncryptionRequired
        | DecryptionFailed
        | ReplayedMessage
        | StaleMessage
        | KeyExpired
        | CertificateRequired
        | UnknownCertificateAuthority
        | CertificateExpired
        | CertificateNotYetValid
        | CertificateRevoked
        | CertificateNotForClients
        | CertificateSubjectRefused
        | CertificateAgentMismatch => Value::from("1h"),
        _ => Value::Int(24),
    }
}

/// `{"status":"error","message":<token>,"expiration":<default>}` for an error (spec 3.3.3).
pub fn error_answer(error: &ProtocolError) -> Map {
    let mut answer = Map::with_capacity(3);
    answer.insert("status", "error");
    answer.insert("message", error.token());
    answer.insert("expiration", default_error_expiration(error));
    answer
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn json(v: impl Into<Value>) -> String {
        to_json(&v.into()).unwrap()
    }

    fn map(entries: &[(&str, Value)]) -> Map {
        entries.iter().cloned().collect()
    }

    #[test]
    fn captured_answer_bytes() {
        // The answer the wire-capture server gave and glpi-agent 1.12 accepted.
        let answer = map(&[("expiration", Value::Int(24)), ("status", "ok".into())]);
        assert_eq!(
            encode_answer(&answer).unwrap(),
            r#"{"expiration":24,"status":"ok"}"#
        );
    }

    #[test]
    fn floats_print_like_php_serialize_precision_minus_one() {
        // Each pair checked with PHP 8.2: json_encode($f) with serialize_precision=-1.
        let cases = [
            (1.0, "1"),
            (0.1, "0.1"),
            (2.5, "2.5"),
            (-0.0, "-0"),
            (0.0, "0"),
            (1e15, "1000000000000000"),
            (1e16, "10000000000000000"),
            (1e17, "1.0e+17"),
            (1e22, "1.0e+22"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (1e-4, "0.0001"),
            (1e-5, "1.0e-5"),
            (0.00012, "0.00012"),
            (1.5e300, "1.5e+300"),
            (5e-324, "5.0e-324"),
            (100000.0, "100000"),
            (f64::MAX, "1.7976931348623157e+308"),
            (-2.5e-7, "-2.5e-7"),
            // An exact tie between two shortest forms: PHP rounds to even.
            (f64::from_bits(0xc307_e5f8_2f39_10fa), "-840847321408031.2"), // -840847321408031.25
        ];
        for (f, text) in cases {
            assert_eq!(json(f), text, "{f:e}");
        }
    }

    #[test]
    fn strings_escape_like_json_encode() {
        assert_eq!(json("a/b"), r#""a\/b""#);
        assert_eq!(json("é"), r#""\u00e9""#);
        assert_eq!(json("\u{1F600}"), r#""\ud83d\ude00""#);
        assert_eq!(json("\u{7f}"), "\"\u{7f}\"");
        assert_eq!(json("\u{1}\u{1f}"), r#""\u0001\u001f""#);
        assert_eq!(json("<>&'\""), r#""<>&'\"""#);
        assert_eq!(json("\t\n\r\u{8}\u{c}\\"), r#""\t\n\r\b\f\\""#);
        assert_eq!(json("\u{2028}\u{2029}"), r#""\u2028\u2029""#);
    }

    #[test]
    fn containers_and_scalars() {
        assert_eq!(json(Value::Null), "null");
        assert_eq!(json(true), "true");
        assert_eq!(json(i64::MIN), "-9223372036854775808");
        assert_eq!(json(Value::List(vec![])), "[]");
        assert_eq!(json(Map::new()), "{}");
        let nested = map(&[
            (
                "tasks",
                map(&[("inventory", map(&[("server", "glpi".into())]).into())]).into(),
            ),
            ("n", vec![Value::Int(1), Value::Null].into()),
        ]);
        assert_eq!(
            json(nested),
            r#"{"tasks":{"inventory":{"server":"glpi"}},"n":[1,null]}"#
        );
    }

    #[test]
    fn depth_is_counted_like_json_encode() {
        let mut deep = Value::Null;
        for _ in 0..512 {
            deep = Value::List(vec![deep]);
        }
        assert!(to_json(&deep).is_ok());
        assert!(to_json(&Value::List(vec![deep])).is_err());
    }

    #[test]
    fn non_finite_floats_are_refused() {
        for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(to_json(&Value::Float(f)).is_err());
        }
    }

    #[test]
    fn map_keeps_insertion_order_and_replaces_in_place() {
        let mut m = Map::new();
        m.insert("status", "pending");
        m.insert("expiration", "1m");
        assert_eq!(m.insert("status", "ok"), Some(Value::from("pending")));
        assert_eq!(json(m.clone()), r#"{"status":"ok","expiration":"1m"}"#);
        assert_eq!(m.remove("status"), Some(Value::from("ok")));
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn spec_answers_validate() {
        let examples = [
            map(&[("status", "ok".into()), ("expiration", 24.into())]),
            map(&[
                ("status", "registered".into()),
                ("expiration", "30d".into()),
            ]),
            map(&[
                ("status", "pending".into()),
                ("needs", "token-validation".into()),
                ("expiration", "1m".into()),
                ("challenge", "a3540c0e-ac3c-46cf-892f-692ca02209f8".into()),
            ]),
            map(&[
                ("status", "error".into()),
                ("message", "busy server".into()),
                ("expiration", 1.into()),
            ]),
            map(&[("status", "ok".into())]),
            map(&[
                ("status", "some_other-token2".into()),
                ("message", "".into()),
            ]),
        ];
        for answer in examples {
            assert_eq!(validate_answer(&answer), Ok(()), "{answer:?}");
        }
    }

    #[test]
    fn bad_answers_are_refused() {
        let bad = [
            map(&[]),
            map(&[("expiration", 24.into())]),
            map(&[("status", "".into())]),
            map(&[("status", "OK".into())]),
            map(&[("status", "ok ".into())]),
            map(&[("status", "1ok".into())]),
            map(&[("status", "a".repeat(65).into())]),
            map(&[("status", Value::Null)]),
            map(&[("status", true.into())]),
            map(&[("status", 1.into())]),
            map(&[("status", "ok".into()), ("expiration", 0.into())]),
            map(&[("status", "ok".into()), ("expiration", (-1).into())]),
            map(&[("status", "ok".into()), ("expiration", "0".into())]),
            map(&[("status", "ok".into()), ("expiration", "1w".into())]),
            map(&[("status", "ok".into()), ("expiration", "".into())]),
            map(&[("status", "ok".into()), ("expiration", 24.0.into())]),
            map(&[("status", "ok".into()), ("expiration", Value::Null)]),
            map(&[("status", "ok".into()), ("expiration", i64::MAX.into())]),
            map(&[("status", "ok".into()), ("message", 3.into())]),
        ];
        for answer in bad {
            assert!(validate_answer(&answer).is_err(), "{answer:?} accepted");
            assert!(encode_answer(&answer).is_err());
        }
    }

    #[test]
    fn error_answers() {
        let e = error_answer(&ProtocolError::MalformedJson { offset: 3 });
        assert_eq!(
            encode_answer(&e).unwrap(),
            r#"{"status":"error","message":"malformed json","expiration":24}"#
        );
        let busy = error_answer(&ProtocolError::BusyServer);
        assert_eq!(
            encode_answer(&busy).unwrap(),
            r#"{"status":"error","message":"busy server","expiration":"30m"}"#
        );
        let challenge = error_answer(&ProtocolError::ChallengeFailed);
        assert_eq!(
            encode_answer(&challenge).unwrap(),
            r#"{"status":"error","message":"challenge failed","expiration":"1h"}"#
        );
        for err in ProtocolError::all() {
            let answer = error_answer(&err);
            assert_eq!(validate_answer(&answer), Ok(()), "{err:?}");
            assert_eq!(answer.get("message"), Some(&Value::from(err.token())));
        }
    }

    #[test]
    fn expiration_values() {
        assert_eq!(expiration_seconds(&Value::Int(24)), Ok(86_400));
        assert_eq!(expiration_seconds(&"30m".into()), Ok(1_800));
        assert!(expiration_seconds(&Value::Float(1.0)).is_err());
        assert!(expiration_seconds(&Value::Bool(true)).is_err());
    }

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Int),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::Float),
            ".{0,12}".prop_map(Value::Str),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::List),
                proptest::collection::vec((".{0,6}", inner), 0..6)
                    .prop_map(|entries| Value::Map(entries.into_iter().collect())),
            ]
        })
    }

    /// The value serde_json should read back from our text.
    fn to_serde(v: &Value) -> serde_json::Value {
        match v {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Int(i) => (*i).into(),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap(),
            Value::Str(s) => s.clone().into(),
            Value::List(items) => items.iter().map(to_serde).collect(),
            Value::Map(m) => serde_json::Value::Object(
                m.iter().map(|(k, v)| (k.to_owned(), to_serde(v))).collect(),
            ),
        }
    }

    /// Numbers compared by value: our integral floats are written without a fraction, so
    /// serde_json reads some of them back as integers.
    fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
        use serde_json::Value as J;
        match (a, b) {
            (J::Number(x), J::Number(y)) => match (x.as_i64(), y.as_i64()) {
                (Some(i), Some(j)) => i == j,
                _ => x.as_f64() == y.as_f64(),
            },
            (J::Array(x), J::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
            }
            (J::Object(x), J::Object(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
            }
            _ => a == b,
        }
    }

    proptest! {
        #[test]
        fn serde_json_reads_back_the_same_value(v in any_value()) {
            let text = to_json(&v).unwrap();
            prop_assert!(text.is_ascii());
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            let expected = to_serde(&v);
            prop_assert!(same(&back, &expected), "{} read back as {:?}", text, back);
        }

        #[test]
        fn floats_read_back_exactly(bits in any::<u64>()) {
            let f = f64::from_bits(bits);
            if f.is_finite() {
                let text = json(f);
                let back: f64 = text.parse().unwrap();
                prop_assert_eq!(back.to_bits(), f.to_bits(), "{}", text);
            }
        }
    }
}
