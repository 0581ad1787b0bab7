//! Content negotiation: the `Accept` header of RFC 7231 section 5.3.2, applied to the content
//! types of the GLPI agent protocol (chapters 3.2.3 "Content-Type" and 3.2.4 "Accept").
//!
//! The answer's content type is chosen among the ones this extension writes (the table of
//! [`crate::media_type`], whose names and aliases both match `Accept` ranges). Without a
//! usable `Accept`, the answer mirrors the request, as GLPI does.

use crate::compression::Compression;
use crate::error::ProtocolError;
use crate::headers::trim_ows;
use crate::media_type::{self, AnswerType, Mode, Spelling};

/// One entry of an `Accept` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRange {
    /// Lower case; `*` for any.
    pub main: String,
    /// Lower case; `*` for any.
    pub sub: String,
    /// Media type parameters (before `q`), names in lower case.
    pub params: Vec<(String, String)>,
    /// The weight in thousandths: 0 (not acceptable) to 1000.
    pub q: u16,
}

impl MediaRange {
    /// How closely this range names `essence` (a lower-case `type/subtype`): `None` if it
    /// does not apply, else a rank where a named type beats `type/*`, which beats `*/*`, and
    /// more parameters beat fewer (RFC 7231: the most specific reference wins).
    fn specificity(&self, essence: &str) -> Option<(u8, usize)> {
        let (main, sub) = essence.split_once('/')?;
        let level = if self.main == "*" {
            0
        } else if self.main != main {
            return None;
        } else if self.sub == "*" {
            1
        } else if self.sub == sub {
            2
        } else {
            return None;
        };
        Some((level, self.params.len()))
    }
}

/// RFC 7230 `tchar`.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Splits on `sep` outside quoted strings. The flag is true when a quoted string is left
/// open; the last part then holds it and everything after it.
fn split_outside_quotes(s: &str, sep: u8) -> (Vec<&str>, bool) {
    let bytes = s.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut i, mut quoted) = (0, 0, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b if b == sep && !quoted => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&s[start..]);
    (parts, quoted)
}

/// RFC 7231 `qvalue`: `0[.ddd]` or `1[.000]`, as thousandths.
fn parse_qvalue(s: &str) -> Option<u16> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += u16::from(b - b'0') * [100, 10, 1][i];
    }
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// A parameter value: a token, or a quoted string with its escapes removed.
fn parse_param_value(s: &str) -> Option<String> {
    if let Some(inner) = s.strip_prefix('"') {
        let inner = inner.strip_suffix('"')?;
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.push(chars.next()?),
                '"' => return None,
                c => out.push(c),
            }
        }
        Some(out)
    } else {
        is_token(s).then(|| s.to_owned())
    }
}

fn parse_range(element: &str) -> Option<MediaRange> {
    let (pieces, open_quote) = split_outside_quotes(element, b';');
    if open_quote {
        return None;
    }
    let mut pieces = pieces.into_iter().map(trim_ows);
    let (main, sub) = pieces.next()?.split_once('/')?;
    if !is_token(main) || !is_token(sub) || (main == "*" && sub != "*") {
        return None;
    }
    let mut range = MediaRange {
        main: main.to_ascii_lowercase(),
        sub: sub.to_ascii_lowercase(),
        params: Vec::new(),
        q: 1000,
    };
    let mut after_q = false;
    for piece in pieces {
        let (name, value) = piece.split_once('=')?;
        let (name, value) = (trim_ows(name), trim_ows(value));
        if !is_token(name) {
            return None;
        }
        let value = parse_param_value(value)?;
        if after_q {
            // accept-ext: allowed by the grammar, meaningless to us.
            continue;
        }
        if name.eq_ignore_ascii_case("q") {
            range.q = parse_qvalue(&value)?;
            after_q = true;
        } else {
            range.params.push((name.to_ascii_lowercase(), value));
        }
    }
    Some(range)
}

/// The entries of an `Accept` value, in order. Malformed entries (no `/`, bad token, bad
/// `q`, open quote, `*/json`) are skipped; empty list elements are allowed, as RFC 7230
/// section 7 asks.
pub fn parse_accept(value: &str) -> Vec<MediaRange> {
    let (mut elements, open_quote) = split_outside_quotes(value, b',');
    if open_quote {
        // Where the open quote was meant to end is unknowable: keep what lies before it.
        elements.pop();
    }
    elements
        .into_iter()
        .map(trim_ows)
        .filter(|e| !e.is_empty())
        .filter_map(parse_range)
        .collect()
}

/// How acceptable an answer known by `names` is under `ranges`: (q, level of the range that
/// decided it). The most specific applicable range decides; among equally specific ones (a
/// type listed twice, or under an alias) the lowest q, so that a refusal is never outvoted.
fn quality(ranges: &[MediaRange], names: impl Iterator<Item = &'static str> + Clone) -> (u16, u8) {
    let mut best: Option<((u8, usize), u16)> = None;
    for range in ranges {
        for name in names.clone() {
            if let Some(spec) = range.specificity(name) {
                best = match best {
                    Some((s, q)) if s > spec || (s == spec && q <= range.q) => Some((s, q)),
                    _ => Some((spec, range.q)),
                };
            }
        }
    }
    best.map_or((0, 0), |((level, _), q)| (q, level))
}

/// The compressions an answer can use, in the server's order of preference (uncompressed
/// first, as GLPI answers when it knows no better).
const ORDER: [Compression; 5] = [
    Compression::None,
    Compression::Zlib,
    Compression::Gzip,
    Compression::Deflate,
    Compression::Brotli,
];

/// How to answer a request in `mode` whose body came with `mirror` compression (`None`
/// when its content type named none) under the name `spelling`.
///
/// Without `Accept`, or with one that holds no valid entry: the request's own compression,
/// else none. With `Accept`: the type of highest q (q=0 is refused); ties go to the type the
/// client named more specifically, then to the request's own compression, then to the
/// server's order (uncompressed, zlib, gzip, deflate, br). Nothing acceptable is
/// `not acceptable` (406).
pub fn negotiate(
    accept: Option<&str>,
    mode: Mode,
    mirror: Option<Compression>,
    spelling: Spelling,
) -> Result<AnswerType, ProtocolError> {
    let ranges = accept.map(parse_accept).unwrap_or_default();
    if ranges.is_empty() {
        return Ok(AnswerType::new(
            mode,
            mirror.unwrap_or(Compression::None),
            spelling,
        ));
    }
    ORDER
        .iter()
        .enumerate()
        .map(|(order, &c)| {
            let (q, level) = quality(&ranges, media_type::names(mode, c));
            (q, level, Some(c) == mirror, std::cmp::Reverse(order))
        })
        .filter(|(q, ..)| *q > 0)
        .max()
        .map(|(.., std::cmp::Reverse(order))| AnswerType::new(mode, ORDER[order], spelling))
        .ok_or(ProtocolError::NotAcceptable)
}

/// [`negotiate`] for a request known only by its `Content-Type` (`GlpiAgentProtocol\negotiate()`):
/// XML for the XML types, JSON for every other (compressed bodies are JSON unless the
/// decoded body says otherwise, which only the decoder knows).
pub fn negotiate_for_content_type(
    accept: Option<&str>,
    request_content_type: Option<&str>,
) -> Result<AnswerType, ProtocolError> {
    let known = request_content_type.and_then(media_type::lookup);
    negotiate(
        accept,
        known.and_then(|k| k.mode).unwrap_or(Mode::Json),
        known.map(|k| k.compression),
        known.map_or(Spelling::XCompress, |k| k.spelling),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media_type::{BR, DEFLATE, GZIP, JSON, XML, ZLIB};
    use proptest::prelude::*;

    /// The content type answered to a request of type `ct`.
    fn nc(accept: Option<&str>, ct: Option<&str>) -> Result<String, ProtocolError> {
        negotiate_for_content_type(accept, ct).map(|a| a.content_type.to_owned())
    }

    fn n(accept: &str, ct: Option<&str>) -> Result<String, ProtocolError> {
        nc(Some(accept), ct)
    }

    /// The content type of an XML answer (a PROLOG reply) to a request of type `ct`.
    fn xml(accept: Option<&str>, ct: &str) -> Result<&'static str, ProtocolError> {
        let known = media_type::lookup(ct).unwrap();
        negotiate(accept, Mode::Xml, Some(known.compression), known.spelling)
            .map(|a| a.content_type)
    }

    /// Every answer type of `mode`, by the names that match it.
    fn answers(mode: Mode) -> impl Iterator<Item = Compression> {
        ORDER
            .into_iter()
            .inspect(move |c| assert!(media_type::names(mode, *c).next().is_some()))
    }

    #[test]
    fn spec_3_2_4_examples() {
        assert_eq!(n("application/json", None).as_deref(), Ok(JSON));
        let spec = "application/xml; q=0.1, application/json; q=0.5, application/x-compress-zlib; q=0.7, application/x-compress-gzip; q=0.8, application/x-compress-br";
        assert_eq!(n(spec, Some(ZLIB)).as_deref(), Ok(BR));
        let without_br = "application/xml; q=0.1, application/json; q=0.5, application/x-compress-zlib; q=0.7, application/x-compress-gzip; q=0.8";
        assert_eq!(n(without_br, Some(ZLIB)).as_deref(), Ok(GZIP));
    }

    #[test]
    fn without_accept_the_request_is_mirrored() {
        assert_eq!(nc(None, Some(ZLIB)).as_deref(), Ok(ZLIB));
        assert_eq!(nc(None, Some("application/x-zlib")).as_deref(), Ok(ZLIB));
        assert_eq!(nc(None, Some("Application/X-GZIP")).as_deref(), Ok(GZIP));
        // A brotli answer keeps the request's spelling, as Response::forRequest() writes it.
        assert_eq!(
            nc(None, Some("application/x-br")).as_deref(),
            Ok("application/x-br")
        );
        assert_eq!(nc(None, Some(BR)).as_deref(), Ok(BR));
        assert_eq!(
            nc(None, Some("application/x-deflate")).as_deref(),
            Ok(DEFLATE)
        );
        assert_eq!(
            nc(None, Some("application/json; charset=UTF-8")).as_deref(),
            Ok(JSON)
        );
        assert_eq!(nc(None, Some("application/xml")).as_deref(), Ok(XML));
        assert_eq!(nc(None, Some("text/xml")).as_deref(), Ok(XML));
        assert_eq!(nc(None, Some("text/plain")).as_deref(), Ok(JSON));
        assert_eq!(nc(None, Some("garbage")).as_deref(), Ok(JSON));
        assert_eq!(nc(None, None).as_deref(), Ok(JSON));
        assert_eq!(nc(Some(""), Some(GZIP)).as_deref(), Ok(GZIP));
        assert_eq!(nc(Some(" , ,"), Some(GZIP)).as_deref(), Ok(GZIP));
        assert_eq!(nc(Some("nonsense"), Some(GZIP)).as_deref(), Ok(GZIP));
    }

    #[test]
    fn compressed_xml_prolog_is_answered_compressed_xml() {
        // The mode comes from the decoded body; the PROLOG of the wire captures is zlib.
        assert_eq!(xml(None, ZLIB), Ok(ZLIB));
        assert_eq!(
            xml(Some("application/json"), ZLIB),
            Err(ProtocolError::NotAcceptable)
        );
        assert_eq!(xml(Some("application/*"), XML), Ok(XML));
        assert_eq!(xml(Some("text/xml"), ZLIB), Ok(XML), "the alias names XML");
        assert_eq!(xml(None, JSON), Ok(XML));
    }

    #[test]
    fn wildcards() {
        assert_eq!(n("*/*", Some(GZIP)).as_deref(), Ok(GZIP));
        assert_eq!(n("*/*", None).as_deref(), Ok(JSON));
        assert_eq!(n("application/*", Some(BR)).as_deref(), Ok(BR));
        assert_eq!(n("text/*", Some(BR)), Err(ProtocolError::NotAcceptable));
        assert_eq!(n("text/html", None), Err(ProtocolError::NotAcceptable));
        // A named type beats one reached through a wildcard at the same q.
        assert_eq!(
            n("application/x-compress-gzip, */*", Some(ZLIB)).as_deref(),
            Ok(GZIP)
        );
        // A more specific range overrides a wildcard, whatever their order.
        assert_eq!(
            n("*/*, application/json;q=0", Some(JSON)).as_deref(),
            Ok(ZLIB)
        );
        assert_eq!(
            n("application/json;q=0, */*", Some(JSON)).as_deref(),
            Ok(ZLIB)
        );
        assert_eq!(
            n(
                "application/*;q=0.5, application/x-compress-zlib;q=0, */*;q=0.9",
                Some(ZLIB)
            )
            .as_deref(),
            Ok(JSON)
        );
        // "*/json" is not a media range.
        assert_eq!(n("*/json", None).as_deref(), Ok(JSON));
        assert_eq!(
            n("*/json, text/html", None),
            Err(ProtocolError::NotAcceptable)
        );
    }

    #[test]
    fn q_zero_means_not_acceptable() {
        assert_eq!(
            n("application/json;q=0", Some(JSON)),
            Err(ProtocolError::NotAcceptable)
        );
        assert_eq!(n("*/*;q=0", Some(JSON)), Err(ProtocolError::NotAcceptable));
        assert_eq!(
            n("application/json;q=0.000", None),
            Err(ProtocolError::NotAcceptable)
        );
        assert_eq!(n("application/json;q=0.001", None).as_deref(), Ok(JSON));
    }

    #[test]
    fn aliases_in_accept_are_answered_with_canonical_names() {
        assert_eq!(n("application/x-zlib", Some(JSON)).as_deref(), Ok(ZLIB));
        assert_eq!(
            n(
                "application/x-gzip;q=0.9, application/json;q=0.1",
                Some(JSON)
            )
            .as_deref(),
            Ok(GZIP)
        );
    }

    #[test]
    fn ties_go_to_the_mirror_then_to_the_server_order() {
        let both = "application/json, application/x-compress-zlib";
        assert_eq!(n(both, Some(ZLIB)).as_deref(), Ok(ZLIB));
        assert_eq!(n(both, Some(JSON)).as_deref(), Ok(JSON));
        assert_eq!(n(both, None).as_deref(), Ok(JSON));
        assert_eq!(n("application/x-compress-br, application/x-compress-deflate, application/x-compress-gzip", None).as_deref(), Ok(GZIP));
    }

    #[test]
    fn case_whitespace_and_parameters() {
        assert_eq!(
            n(
                "APPLICATION/X-COMPRESS-GZIP ; Q=0.9 , application/json;q=0.2",
                None
            )
            .as_deref(),
            Ok(GZIP)
        );
        assert_eq!(
            n("\tapplication/json\t;\tq=1.000", None).as_deref(),
            Ok(JSON)
        );
        assert_eq!(n("application/json; charset=\"utf-8, really\"; q=0.4, application/x-compress-zlib;q=0.3", None).as_deref(), Ok(JSON));
        // More parameters make a range more specific (RFC 7231 example with text/plain;format=flowed).
        assert_eq!(
            n("application/json;charset=utf-8, application/json;q=0", None).as_deref(),
            Ok(JSON)
        );
        // The same type twice: the refusal stands.
        assert_eq!(
            n("application/json, application/json;q=0", None),
            Err(ProtocolError::NotAcceptable)
        );
        assert_eq!(
            n(
                "application/x-zlib;q=0, application/x-compress-zlib, application/json;q=0.1",
                None
            )
            .as_deref(),
            Ok(JSON)
        );
        // Extension parameters after q do not count.
        let ext = "application/json;charset=utf-8;q=0, application/json;q=0.9;ext=1;more=2, application/x-compress-gzip;q=0.5";
        assert_eq!(n(ext, None).as_deref(), Ok(GZIP));
    }

    #[test]
    fn malformed_entries_are_skipped() {
        for accept in [
            "application/json;q=2, application/x-compress-gzip",
            "application/json;q=0.5000, application/x-compress-gzip",
            "application/json;q=.5, application/x-compress-gzip",
            "application/json;q=-1, application/x-compress-gzip",
            "application/json;q, application/x-compress-gzip",
            "application/json;=x, application/x-compress-gzip",
            "application/json;a=\"x\"y, application/x-compress-gzip",
            "application, application/x-compress-gzip",
            "application/js on, application/x-compress-gzip",
            "/json, application/x-compress-gzip",
            "application/json/x, application/x-compress-gzip",
        ] {
            let got = n(accept, None);
            assert!(got.as_deref() == Ok(GZIP), "{accept:?} gave {got:?}");
        }
        // An open quote hides what follows it.
        let open =
            "application/x-compress-gzip;q=0.5, application/json;a=\"x, application/x-compress-br";
        assert_eq!(parse_accept(open).len(), 1);
        // An escaped quote does not close the string, so this whole value is one open quote.
        assert_eq!(
            parse_accept("application/json;a=\"x\\\", application/x-compress-gzip;b=\"\""),
            vec![]
        );
        assert_eq!(n(open, None).as_deref(), Ok(GZIP));
    }

    #[test]
    fn qvalues() {
        assert_eq!(parse_qvalue("1"), Some(1000));
        assert_eq!(parse_qvalue("1."), Some(1000));
        assert_eq!(parse_qvalue("1.000"), Some(1000));
        assert_eq!(parse_qvalue("1.001"), None);
        assert_eq!(parse_qvalue("0.5"), Some(500));
        assert_eq!(parse_qvalue("0.05"), Some(50));
        assert_eq!(parse_qvalue("0.123"), Some(123));
        assert_eq!(parse_qvalue("0"), Some(0));
        assert_eq!(parse_qvalue("2"), None);
        assert_eq!(parse_qvalue("01"), None);
        assert_eq!(parse_qvalue(""), None);
    }

    #[test]
    fn the_mode_follows_the_xml_types() {
        let t = negotiate_for_content_type(None, Some("TEXT/XML; charset=ISO-8859-1")).unwrap();
        assert_eq!((t.mode, t.content_type), (Mode::Xml, XML));
        let t = negotiate_for_content_type(None, Some(ZLIB)).unwrap();
        assert_eq!((t.mode, t.compression), (Mode::Json, Compression::Zlib));
        assert_eq!(
            negotiate_for_content_type(None, None).unwrap().mode,
            Mode::Json
        );
    }

    const KNOWN: [&str; 10] = [
        "application/json",
        "application/xml",
        "application/x-compress-zlib",
        "application/x-compress-gzip",
        "application/x-compress-deflate",
        "application/x-compress-br",
        "application/x-zlib",
        "application/*",
        "*/*",
        "text/html",
    ];

    fn entry() -> impl Strategy<Value = (usize, Option<u16>)> {
        (0..KNOWN.len(), proptest::option::of(0u16..=1000))
    }

    fn render(entries: &[(usize, Option<u16>)], sep: &str) -> String {
        entries
            .iter()
            .map(|(i, q)| match q {
                Some(q) => format!("{}{sep};{sep}q={}.{:03}", KNOWN[*i], q / 1000, q % 1000),
                None => KNOWN[*i].to_owned(),
            })
            .collect::<Vec<_>>()
            .join(&format!("{sep},{sep}"))
    }

    fn request_type() -> impl Strategy<Value = Option<&'static str>> {
        proptest::option::of(proptest::sample::select(vec![
            JSON,
            XML,
            ZLIB,
            GZIP,
            BR,
            "application/x-zlib",
            "text/plain",
        ]))
    }

    proptest! {
        #[test]
        fn never_panics_and_answers_a_writable_type(accept in ".{0,200}", ct in proptest::option::of(".{0,40}")) {
            if let Ok(t) = negotiate_for_content_type(Some(&accept), ct.as_deref()) {
                prop_assert!(media_type::names(t.mode, t.compression).any(|n| n == t.content_type));
            }
        }

        #[test]
        fn the_answer_has_the_highest_q(entries in proptest::collection::vec(entry(), 0..8), ct in request_type()) {
            let accept = render(&entries, "");
            let ranges = parse_accept(&accept);
            match negotiate_for_content_type(Some(&accept), ct) {
                Ok(t) => {
                    if !ranges.is_empty() {
                        let q = quality(&ranges, media_type::names(t.mode, t.compression)).0;
                        prop_assert!(q > 0);
                        for other in answers(t.mode) {
                            prop_assert!(quality(&ranges, media_type::names(t.mode, other)).0 <= q);
                        }
                    }
                }
                Err(e) => {
                    prop_assert_eq!(e, ProtocolError::NotAcceptable);
                    let mode = ct.and_then(media_type::lookup).and_then(|k| k.mode).unwrap_or(Mode::Json);
                    for other in answers(mode) {
                        prop_assert_eq!(quality(&ranges, media_type::names(mode, other)).0, 0);
                    }
                }
            }
        }

        #[test]
        fn order_case_and_whitespace_do_not_matter(
            entries in proptest::collection::vec(entry(), 1..8),
            ct in request_type(),
            rotate in 0usize..8,
        ) {
            let plain = nc(Some(&render(&entries, "")), ct);
            let mut turned = entries.clone();
            let len = turned.len();
            turned.rotate_left(rotate % len);
            prop_assert_eq!(&nc(Some(&render(&turned, "")), ct), &plain);
            prop_assert_eq!(&nc(Some(&render(&entries, " \t")), ct), &plain);
            prop_assert_eq!(&nc(Some(&render(&entries, "").to_uppercase()), ct), &plain);
        }

        #[test]
        fn refusing_the_answer_changes_it(entries in proptest::collection::vec(entry(), 1..8), ct in request_type()) {
            let accept = render(&entries, "");
            if let Ok(t) = nc(Some(&accept), ct) {
                let refused = format!("{accept}, {t};q=0");
                let again = nc(Some(&refused), ct);
                prop_assert_ne!(again, Ok(t));
            }
        }
    }
}
