//! The content types of the GLPI agent protocol (chapters 3.2.3 "Content-Type" and 3.2.4
//! "Accept") in one table: each type's canonical name, the alias it is also known by, and
//! what it says about a body (its mode, its compression).
//!
//! | canonical name | alias | mode | compression |
//! |---|---|---|---|
//! | `application/json` | | JSON | none |
//! | `application/xml` | `text/xml` | XML | none |
//! | `application/x-compress-zlib` | `application/x-zlib` | from the body | zlib |
//! | `application/x-compress-gzip` | `application/x-gzip` | from the body | gzip |
//! | `application/x-compress-deflate` | `application/x-deflate` | from the body | deflate |
//! | `application/x-compress-br` | `application/x-br` | from the body | brotli |
//!
//! Requests may use either name, in any letter case, with parameters. Answers use the
//! canonical names, with one exception: a brotli answer keeps the request's spelling.
//! glpi-agent decompresses an answer only when its type is exactly
//! `application/x-compress-zlib` or `application/x-compress-gzip` (or plain JSON), so an alias
//! would lose it; GLPI itself answers brotli as `application/x-br` while the spec writes
//! `application/x-compress-br`, and agents that asked with one spelling read that one.
//! `text/xml` (RFC 7303's other name for XML) is read as `application/xml`.

use crate::compression::Compression;
use crate::headers::trim_ows;

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
            Mode::Json => JSON,
            Mode::Xml => XML,
        }
    }
}

/// Which name of a compressed content type the request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Spelling {
    /// `application/x-compress-<name>`, the spec's spelling (the canonical name).
    #[default]
    XCompress,
    /// `application/x-<name>`, the alias.
    Short,
}

/// `application/json`.
pub const JSON: &str = "application/json";
/// `application/xml`.
pub const XML: &str = "application/xml";
/// `application/x-compress-zlib`.
pub const ZLIB: &str = "application/x-compress-zlib";
/// `application/x-compress-gzip`.
pub const GZIP: &str = "application/x-compress-gzip";
/// `application/x-compress-deflate`.
pub const DEFLATE: &str = "application/x-compress-deflate";
/// `application/x-compress-br`.
pub const BR: &str = "application/x-compress-br";

/// One row of the table.
struct MediaType {
    name: &'static str,
    alias: Option<&'static str>,
    /// `None`: a compressed body, whose mode is its decoded content's.
    mode: Option<Mode>,
    compression: Compression,
}

const TYPES: [MediaType; 6] = [
    MediaType {
        name: JSON,
        alias: None,
        mode: Some(Mode::Json),
        compression: Compression::None,
    },
    MediaType {
        name: XML,
        alias: Some("text/xml"),
        mode: Some(Mode::Xml),
        compression: Compression::None,
    },
    MediaType {
        name: ZLIB,
        alias: Some("application/x-zlib"),
        mode: None,
        compression: Compression::Zlib,
    },
    MediaType {
        name: GZIP,
        alias: Some("application/x-gzip"),
        mode: None,
        compression: Compression::Gzip,
    },
    MediaType {
        name: DEFLATE,
        alias: Some("application/x-deflate"),
        mode: None,
        compression: Compression::Deflate,
    },
    MediaType {
        name: BR,
        alias: Some("application/x-br"),
        mode: None,
        compression: Compression::Brotli,
    },
];

/// What a content type of the table says about a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Known {
    /// `None` for the compressed types: the decoded body decides.
    pub mode: Option<Mode>,
    /// The body's compression.
    pub compression: Compression,
    /// Which of the two names was used.
    pub spelling: Spelling,
}

/// The `type/subtype` of a header value, without parameters or surrounding white space.
pub fn essence(content_type: &str) -> &str {
    trim_ows(content_type.split(';').next().unwrap_or(""))
}

/// What `content_type` (a header value: any case, parameters ignored) says, when it is a
/// type of the table.
pub fn lookup(content_type: &str) -> Option<Known> {
    let essence = essence(content_type);
    TYPES.iter().find_map(|t| {
        let spelling = if t.name.eq_ignore_ascii_case(essence) {
            Spelling::XCompress
        } else if t.alias.is_some_and(|a| a.eq_ignore_ascii_case(essence)) {
            Spelling::Short
        } else {
            return None;
        };
        Some(Known {
            mode: t.mode,
            compression: t.compression,
            spelling,
        })
    })
}

/// The names an answer in `mode` compressed with `compression` is known by, canonical
/// first: what an `Accept` range may name it with.
pub fn names(mode: Mode, compression: Compression) -> impl Iterator<Item = &'static str> + Clone {
    TYPES
        .iter()
        .filter(move |t| {
            t.compression == compression
                && (compression != Compression::None || t.mode == Some(mode))
        })
        .flat_map(|t| std::iter::once(t.name).chain(t.alias))
}

/// How an answer is written: its mode, its compression and the `Content-Type` that says
/// both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerType {
    /// JSON, or an XML `<REPLY>`.
    pub mode: Mode,
    /// The body's compression.
    pub compression: Compression,
    /// The `Content-Type` header value.
    pub content_type: &'static str,
}

impl AnswerType {
    /// The answer type for `mode` and `compression`, named as the module docs say: the
    /// canonical name, but a brotli answer in the request's `spelling`.
    pub fn new(mode: Mode, compression: Compression, spelling: Spelling) -> AnswerType {
        let content_type = match (compression, spelling) {
            (Compression::None, _) => mode.media_type(),
            (Compression::Brotli, Spelling::Short) => "application/x-br",
            (c, _) => TYPES
                .iter()
                .find(|t| t.compression == c)
                .map_or(JSON, |t| t.name),
        };
        AnswerType {
            mode,
            compression,
            content_type,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_names_of_every_type_are_read_in_any_case_with_parameters() {
        for t in &TYPES {
            let known = lookup(&format!(" {} ; charset=UTF-8", t.name.to_uppercase())).unwrap();
            assert_eq!((known.mode, known.compression), (t.mode, t.compression));
            assert_eq!(known.spelling, Spelling::XCompress);
            if let Some(alias) = t.alias {
                let known = lookup(alias).unwrap();
                assert_eq!((known.mode, known.compression), (t.mode, t.compression));
                assert_eq!(known.spelling, Spelling::Short);
            }
        }
        for other in [
            "text/plain",
            "",
            "application/x-compress-none",
            "application/x-none",
            "text/html",
        ] {
            assert_eq!(lookup(other), None, "{other:?}");
        }
    }

    #[test]
    fn answers_use_canonical_names_but_brotli_keeps_the_spelling() {
        for (c, short, canonical) in [
            (Compression::Zlib, ZLIB, ZLIB),
            (Compression::Gzip, GZIP, GZIP),
            (Compression::Deflate, DEFLATE, DEFLATE),
            (Compression::Brotli, "application/x-br", BR),
        ] {
            assert_eq!(
                AnswerType::new(Mode::Json, c, Spelling::Short).content_type,
                short
            );
            assert_eq!(
                AnswerType::new(Mode::Xml, c, Spelling::XCompress).content_type,
                canonical
            );
        }
        assert_eq!(
            AnswerType::new(Mode::Xml, Compression::None, Spelling::Short).content_type,
            XML
        );
        assert_eq!(
            AnswerType::new(Mode::Json, Compression::None, Spelling::Short).content_type,
            JSON
        );
    }

    #[test]
    fn every_answer_type_is_read_back_as_itself() {
        for mode in [Mode::Json, Mode::Xml] {
            for c in Compression::ALL {
                for spelling in [Spelling::XCompress, Spelling::Short] {
                    let a = AnswerType::new(mode, c, spelling);
                    let known = lookup(a.content_type).unwrap();
                    assert_eq!(known.compression, c);
                    assert_eq!(known.mode.unwrap_or(mode), mode);
                    assert!(names(mode, c).any(|n| n == a.content_type), "{a:?}");
                }
            }
        }
        assert_eq!(
            names(Mode::Xml, Compression::None).collect::<Vec<_>>(),
            [XML, "text/xml"]
        );
        assert_eq!(
            names(Mode::Json, Compression::Zlib).collect::<Vec<_>>(),
            [ZLIB, "application/x-zlib"]
        );
    }
}
