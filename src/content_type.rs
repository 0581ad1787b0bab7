//! GLPI agent protocol 3.2.3 (Content-Type): what a request's `Content-Type` says about its
//! body, what to guess when it says nothing, and the content type of an answer.
//!
//! Accepted (any letter case, surrounding whitespace and `;` parameters ignored):
//!
//! | media type | mode | compression |
//! |---|---|---|
//! | `application/json` | JSON | none |
//! | `application/xml` | XML | none |
//! | `application/x-compress-zlib`, `application/x-zlib` | guessed | zlib |
//! | `application/x-compress-gzip`, `application/x-gzip` | guessed | gzip |
//! | `application/x-compress-deflate`, `application/x-deflate` | guessed | deflate |
//! | `application/x-compress-br`, `application/x-br` | guessed | brotli |
//! | `text/plain`, empty or missing | guessed | sniffed |
//!
//! Anything else is [`ProtocolError::UnsupportedContentType`]. GLPI itself treats unknown
//! types like `text/plain`; refusing them lets the agent retry with a type from `Accept`.
//!
//! Guessing follows GLPI (`AbstractRequest::guessMode`: JSON if it parses, else XML) in a
//! cheaper form: a body whose first significant byte is `<` is XML, any other is JSON.
//! Sniffing goes beyond GLPI, which takes an unlabelled body as plain: a valid zlib header
//! (RFC 1950 section 2.2) or the gzip magic (RFC 1952 section 2.3.1) marks a compressed
//! body. Brotli and raw deflate have no magic and are never sniffed; a plain body can
//! never look compressed, since neither `{`, `[`, `<`, whitespace nor a BOM can open a
//! zlib or gzip stream.

use crate::compression::Compression;
use crate::error::ProtocolError;

/// The two message formats of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The GLPI agent JSON protocol.
    Json,
    /// The legacy FusionInventory XML (PROLOG, XML inventories).
    Xml,
}

impl Mode {
    /// `"json"` or `"xml"`, as `Request::mode()` returns it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Mode::Json => "json",
            Mode::Xml => "xml",
        }
    }

    /// The uncompressed content type of this mode.
    pub fn media_type(&self) -> &'static str {
        match self {
            Mode::Json => "application/json",
            Mode::Xml => "application/xml",
        }
    }
}

/// Which spelling of a compressed content type the request used. Only brotli answers
/// mirror it: GLPI answers brotli as `application/x-br` while the spec writes
/// `application/x-compress-br`, so the answer follows the agent's own spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Spelling {
    /// `application/x-compress-<name>`, the spec's spelling.
    #[default]
    XCompress,
    /// `application/x-<name>`.
    Short,
}

/// What a request's `Content-Type` header says about its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BodyType {
    /// `None`: the header does not say; guess it from the decoded body with [`guess_mode`].
    pub mode: Option<Mode>,
    /// `None`: the header does not say; sniff it from the raw body with [`sniff_compression`].
    pub compression: Option<Compression>,
    pub spelling: Spelling,
}

impl BodyType {
    /// Reads a `Content-Type` header value; `None` when the header is absent.
    pub fn parse(header: Option<&str>) -> Result<BodyType, ProtocolError> {
        let ows = |c: char| c == ' ' || c == '\t';
        let header = header.unwrap_or("").trim_matches(ows);
        let media = header.split(';').next().unwrap_or("").trim_matches(ows);
        let declared = |mode, compression, spelling| BodyType {
            mode,
            compression,
            spelling,
        };
        if header.is_empty() || media.eq_ignore_ascii_case("text/plain") {
            return Ok(declared(None, None, Spelling::XCompress));
        }
        if media.eq_ignore_ascii_case("application/json") {
            return Ok(declared(
                Some(Mode::Json),
                Some(Compression::None),
                Spelling::XCompress,
            ));
        }
        if media.eq_ignore_ascii_case("application/xml") {
            return Ok(declared(
                Some(Mode::Xml),
                Some(Compression::None),
                Spelling::XCompress,
            ));
        }
        let (sub, spelling) = match strip_prefix_ignore_case(media, "application/x-compress-") {
            Some(sub) => (sub, Spelling::XCompress),
            None => match strip_prefix_ignore_case(media, "application/x-") {
                Some(sub) => (sub, Spelling::Short),
                None => return Err(ProtocolError::UnsupportedContentType),
            },
        };
        match Compression::from_name(sub) {
            Some(c) if c != Compression::None => Ok(declared(None, Some(c), spelling)),
            _ => Err(ProtocolError::UnsupportedContentType),
        }
    }

    /// [`BodyType::parse`] for a header value given as bytes: one that is not UTF-8 names
    /// no supported type.
    pub fn parse_bytes(header: Option<&[u8]>) -> Result<BodyType, ProtocolError> {
        match header.map(std::str::from_utf8) {
            None => BodyType::parse(None),
            Some(Ok(h)) => BodyType::parse(Some(h)),
            Some(Err(_)) => Err(ProtocolError::UnsupportedContentType),
        }
    }

    /// The body's compression: the declared one, else what the raw body looks like.
    pub fn compression_of(&self, raw: &[u8]) -> Compression {
        self.compression.unwrap_or_else(|| sniff_compression(raw))
    }

    /// The body's mode: the declared one, else what the decoded body looks like.
    pub fn mode_of(&self, decoded: &[u8]) -> Mode {
        self.mode.unwrap_or_else(|| guess_mode(decoded))
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// The compression a raw body's first bytes announce; [`Compression::None`] when they
/// announce none.
pub fn sniff_compression(raw: &[u8]) -> Compression {
    match raw {
        [0x1f, 0x8b, 0x08, ..] => Compression::Gzip,
        [cmf, flg, ..] if is_zlib_header(*cmf, *flg) => Compression::Zlib,
        _ => Compression::None,
    }
}

/// RFC 1950 section 2.2: method 8 (deflate), a window of at most 32 KiB, no preset
/// dictionary, and the check bits making the 16-bit header a multiple of 31.
fn is_zlib_header(cmf: u8, flg: u8) -> bool {
    let method = cmf & 0x0f;
    let window = cmf >> 4;
    let preset_dictionary = flg & 0x20 != 0;
    method == 8
        && window <= 7
        && !preset_dictionary
        && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
}

/// The mode of a decoded body with no declared one: XML when its first significant byte
/// (after a UTF-8 BOM and XML white space) is `<`, or when it starts with a UTF-16 BOM,
/// which no JSON body may carry; JSON otherwise, so that a broken body is reported as
/// malformed JSON, the protocol's default format.
pub fn guess_mode(decoded: &[u8]) -> Mode {
    if decoded.starts_with(&[0xff, 0xfe]) || decoded.starts_with(&[0xfe, 0xff]) {
        return Mode::Xml;
    }
    let body = decoded.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(decoded);
    match body
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    {
        Some(b'<') => Mode::Xml,
        _ => Mode::Json,
    }
}

/// The `Content-Type` of an answer in `mode`, compressed with `compression`. Compressed
/// answers use the spec's `application/x-compress-*` names, except brotli, which follows
/// the request's spelling.
pub fn answer_content_type(
    mode: Mode,
    compression: Compression,
    spelling: Spelling,
) -> &'static str {
    match (compression, spelling) {
        (Compression::None, _) => mode.media_type(),
        (Compression::Zlib, _) => "application/x-compress-zlib",
        (Compression::Gzip, _) => "application/x-compress-gzip",
        (Compression::Deflate, _) => "application/x-compress-deflate",
        (Compression::Brotli, Spelling::XCompress) => "application/x-compress-br",
        (Compression::Brotli, Spelling::Short) => "application/x-br",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(h: &str) -> Result<BodyType, ProtocolError> {
        BodyType::parse(Some(h))
    }

    fn compressed(c: Compression, spelling: Spelling) -> BodyType {
        BodyType {
            mode: None,
            compression: Some(c),
            spelling,
        }
    }

    #[test]
    fn spec_and_glpi_types() {
        let json = BodyType {
            mode: Some(Mode::Json),
            compression: Some(Compression::None),
            spelling: Spelling::XCompress,
        };
        let xml = BodyType {
            mode: Some(Mode::Xml),
            ..json
        };
        let x = Spelling::XCompress;
        let s = Spelling::Short;
        let cases = [
            ("application/json", json),
            ("application/xml", xml),
            (
                "application/x-compress-zlib",
                compressed(Compression::Zlib, x),
            ),
            ("application/x-zlib", compressed(Compression::Zlib, s)),
            (
                "application/x-compress-gzip",
                compressed(Compression::Gzip, x),
            ),
            ("application/x-gzip", compressed(Compression::Gzip, s)),
            (
                "application/x-compress-deflate",
                compressed(Compression::Deflate, x),
            ),
            ("application/x-deflate", compressed(Compression::Deflate, s)),
            (
                "application/x-compress-br",
                compressed(Compression::Brotli, x),
            ),
            ("application/x-br", compressed(Compression::Brotli, s)),
        ];
        for (h, want) in cases {
            assert_eq!(parse(h), Ok(want), "{h}");
            assert_eq!(parse(&h.to_uppercase()), Ok(want), "{h}");
            assert_eq!(parse(&format!("  {h} ; charset=UTF-8")), Ok(want), "{h}");
            assert_eq!(parse(&format!("\t{h};q=1")), Ok(want), "{h}");
        }
    }

    #[test]
    fn missing_empty_and_text_plain_are_guessed() {
        let guess = BodyType {
            mode: None,
            compression: None,
            spelling: Spelling::XCompress,
        };
        for h in [
            None,
            Some(""),
            Some("   "),
            Some("text/plain"),
            Some("Text/Plain; charset=utf-8"),
        ] {
            assert_eq!(BodyType::parse(h), Ok(guess), "{h:?}");
        }
    }

    #[test]
    fn others_are_unsupported() {
        for h in [
            "application/x-compress",
            "application/x-compress-",
            "application/x-compress-none",
            "application/x-none",
            "application/x-compress-brotli",
            "application/x-compress-zstd",
            "application/octet-stream",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "text/xml",
            "application/jsonx",
            "application/json-seq",
            "application /json",
            "application/x-compress-zlib2",
            "json",
            ";",
            "é",
        ] {
            assert_eq!(parse(h), Err(ProtocolError::UnsupportedContentType), "{h}");
        }
    }

    #[test]
    fn header_bytes() {
        assert_eq!(
            BodyType::parse_bytes(Some(b"application/json")),
            parse("application/json")
        );
        assert_eq!(BodyType::parse_bytes(None), BodyType::parse(None));
        assert_eq!(
            BodyType::parse_bytes(Some(b"application/json\xff")),
            Err(ProtocolError::UnsupportedContentType)
        );
    }

    #[test]
    fn the_captured_agents_types() {
        // glpi-agent 1.12 and fusioninventory-agent 2.6, with and without --no-compression.
        assert_eq!(
            parse("application/x-compress-zlib").unwrap().compression,
            Some(Compression::Zlib)
        );
        assert_eq!(parse("application/json").unwrap().mode, Some(Mode::Json));
        assert_eq!(parse("application/xml").unwrap().mode, Some(Mode::Xml));
    }

    #[test]
    fn sniffing() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
        let read = |f: &str| std::fs::read(format!("{dir}{f}")).unwrap();
        assert_eq!(
            sniff_compression(&read("wire/glpi-agent/03-contact.request.zlib")),
            Compression::Zlib
        );
        assert_eq!(
            sniff_compression(&read("php/gzcompress-1.zlib")),
            Compression::Zlib
        );
        assert_eq!(
            sniff_compression(&read("php/gzcompress-9.zlib")),
            Compression::Zlib
        );
        assert_eq!(
            sniff_compression(&read("php/gzencode-default.gz")),
            Compression::Gzip
        );
        assert_eq!(
            sniff_compression(&read("other/gzip-header-fields.gz")),
            Compression::Gzip
        );
        assert_eq!(
            sniff_compression(&read("wire/glpi-agent/03-contact.request.json")),
            Compression::None
        );
        assert_eq!(
            sniff_compression(&read("wire/glpi-agent/01-prolog.request.xml")),
            Compression::None
        );
        assert_eq!(sniff_compression(b""), Compression::None);
        assert_eq!(sniff_compression(b"x"), Compression::None);
        assert_eq!(sniff_compression(&[0x1f, 0x8b]), Compression::None);
        // Valid check bits, but a preset dictionary or a window over 32 KiB.
        assert_eq!(sniff_compression(&[0x78, 0xbb, 0]), Compression::None);
        assert_eq!(sniff_compression(&[0x88, 0x1d, 0]), Compression::None);
        assert_eq!(sniff_compression(&[0x78, 0x9d, 0]), Compression::None);
        // Every header zlib can write.
        for level in 0..=9 {
            let z = crate::compression::compress(b"{}", Compression::Zlib, level).unwrap();
            assert_eq!(sniff_compression(&z), Compression::Zlib, "level {level}");
        }
    }

    #[test]
    fn no_plain_body_start_looks_compressed() {
        for first in [
            b'{', b'[', b'<', b' ', b'\t', b'\r', b'\n', b'"', 0xef, 0xff, 0xfe,
        ] {
            for second in 0..=255u8 {
                assert_eq!(sniff_compression(&[first, second, 0]), Compression::None);
            }
        }
    }

    #[test]
    fn guessing_the_mode() {
        assert_eq!(guess_mode(b"{\"action\":\"contact\"}"), Mode::Json);
        assert_eq!(guess_mode(b"  \r\n[1]"), Mode::Json);
        assert_eq!(guess_mode(b"<?xml version=\"1.0\"?><REQUEST/>"), Mode::Xml);
        assert_eq!(guess_mode(b"\n\t <REQUEST/>"), Mode::Xml);
        assert_eq!(guess_mode(b"\xef\xbb\xbf<REQUEST/>"), Mode::Xml);
        assert_eq!(guess_mode(b"\xff\xfe<\x00"), Mode::Xml);
        assert_eq!(guess_mode(b"\xfe\xff\x00<"), Mode::Xml);
        assert_eq!(guess_mode(b""), Mode::Json);
        assert_eq!(guess_mode(b"garbage"), Mode::Json);
        let g = BodyType::parse(None).unwrap();
        assert_eq!(g.mode_of(b"<REQUEST/>"), Mode::Xml);
        assert_eq!(
            parse("application/json").unwrap().mode_of(b"<REQUEST/>"),
            Mode::Json
        );
        assert_eq!(g.compression_of(&[0x78, 0x9c]), Compression::Zlib);
        assert_eq!(
            parse("application/json")
                .unwrap()
                .compression_of(&[0x78, 0x9c]),
            Compression::None
        );
    }

    #[test]
    fn answer_types() {
        use Compression::*;
        let x = Spelling::XCompress;
        assert_eq!(answer_content_type(Mode::Json, None, x), "application/json");
        assert_eq!(
            answer_content_type(Mode::Xml, None, Spelling::Short),
            "application/xml"
        );
        assert_eq!(
            answer_content_type(Mode::Xml, Zlib, Spelling::Short),
            "application/x-compress-zlib"
        );
        assert_eq!(
            answer_content_type(Mode::Json, Gzip, x),
            "application/x-compress-gzip"
        );
        assert_eq!(
            answer_content_type(Mode::Json, Deflate, x),
            "application/x-compress-deflate"
        );
        assert_eq!(
            answer_content_type(Mode::Json, Brotli, x),
            "application/x-compress-br"
        );
        assert_eq!(
            answer_content_type(Mode::Json, Brotli, Spelling::Short),
            "application/x-br"
        );
        // Every answer type reads back as what it says.
        for mode in [Mode::Json, Mode::Xml] {
            for c in Compression::ALL {
                for sp in [Spelling::XCompress, Spelling::Short] {
                    let t = parse(answer_content_type(mode, c, sp)).unwrap();
                    assert_eq!(t.compression, Some(c));
                    if c == Compression::None {
                        assert_eq!(t.mode, Some(mode));
                    }
                    if c == Compression::Brotli {
                        assert_eq!(t.spelling, sp);
                    }
                }
            }
        }
    }
}
