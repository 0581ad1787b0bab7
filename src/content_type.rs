//! GLPI agent protocol 3.2.3 (Content-Type): what a request's `Content-Type` says about its
//! body, what to guess when it says nothing, and the content type of an answer.
//!
//! The content types themselves (names, aliases, what each says) are the table of
//! [`crate::media_type`]; besides them, `text/plain` and an empty or missing header leave
//! the mode to be guessed and the compression to be sniffed.
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
use crate::headers::trim_ows;
use crate::media_type::{self, Mode, Spelling};

/// What a request's `Content-Type` header says about its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BodyType {
    /// `None`: the header does not say; guess it from the decoded body with [`guess_mode`].
    pub mode: Option<Mode>,
    /// `None`: the header does not say; sniff it from the raw body with [`sniff_compression`].
    pub compression: Option<Compression>,
    /// Which name of a compressed type the header used, so that the answer uses the same.
    pub spelling: Spelling,
}

impl BodyType {
    /// Reads a `Content-Type` header value; `None` when the header is absent.
    pub fn parse(header: Option<&str>) -> Result<BodyType, ProtocolError> {
        let header = trim_ows(header.unwrap_or(""));
        let media = media_type::essence(header);
        // A header of parameters only (`;`) names nothing: refused, unlike no header.
        if header.is_empty() || media.eq_ignore_ascii_case("text/plain") {
            return Ok(BodyType {
                mode: None,
                compression: None,
                spelling: Spelling::XCompress,
            });
        }
        let known = media_type::lookup(media).ok_or(ProtocolError::UnsupportedContentType)?;
        Ok(BodyType {
            mode: known.mode,
            compression: Some(known.compression),
            spelling: known.spelling,
        })
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
    fn text_xml_is_xml() {
        let xml = parse("Text/XML; charset=ISO-8859-1").unwrap();
        assert_eq!(xml.mode, Some(Mode::Xml));
        assert_eq!(xml.compression, Some(Compression::None));
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
}
