//! Legacy FusionInventory XML (GLPI agent protocol 4.1.1, the PROLOG, and XML inventories):
//! well-formedness check, conversion to UTF-8, the `QUERY` and `DEVICEID` of a request, and
//! the `<REPLY>` answers.
//!
//! The reader is strict where libxml2 (which GLPI's `simplexml_load_string` uses) is strict,
//! so that a document GLPI would refuse is refused here too, and it is safe on hostile
//! input: a `<!DOCTYPE` is refused outright (no DTD, hence no entity but the five predefined
//! ones and character references), nesting is bounded by [`Limits::max_depth`], and memory
//! stays proportional to the input.
//!
//! Encodings: a UTF-8 or UTF-16 byte order mark, else the declaration's `encoding` (UTF-8,
//! US-ASCII, ISO-8859-1, ISO-8859-15, Windows-1252, and their usual aliases), else UTF-8.
//! Like GLPI (`AbstractRequest::handleXMLRequest`), a document meant as UTF-8 that is not
//! valid UTF-8 is read as ISO-8859-1 rather than refused. The converted document declares
//! `encoding="UTF-8"` and has no byte order mark, so that it reads back the same in PHP.

use crate::error::ProtocolError;
use crate::limits::Limits;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::XmlVersion;
use std::borrow::Cow;
use std::ops::Range;

/// The character encoding a document arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceEncoding {
    /// UTF-8, declared, undeclared or with its byte order mark.
    Utf8,
    /// Declared UTF-8 (or undeclared) but not valid UTF-8: read as ISO-8859-1, as GLPI does.
    Utf8FallbackLatin1,
    /// US-ASCII: a byte above 0x7F is an error.
    UsAscii,
    /// ISO-8859-1.
    Latin1,
    /// ISO-8859-15.
    Latin9,
    /// Windows-1252.
    Windows1252,
    /// UTF-16, little-endian, from its byte order mark.
    Utf16Le,
    /// UTF-16, big-endian, from its byte order mark.
    Utf16Be,
}

impl SourceEncoding {
    /// A name for logs.
    pub fn as_str(&self) -> &'static str {
        match self {
            SourceEncoding::Utf8 => "UTF-8",
            SourceEncoding::Utf8FallbackLatin1 => "ISO-8859-1 (not UTF-8 as declared)",
            SourceEncoding::UsAscii => "US-ASCII",
            SourceEncoding::Latin1 => "ISO-8859-1",
            SourceEncoding::Latin9 => "ISO-8859-15",
            SourceEncoding::Windows1252 => "Windows-1252",
            SourceEncoding::Utf16Le => "UTF-16LE",
            SourceEncoding::Utf16Be => "UTF-16BE",
        }
    }

    /// The encoding a declaration's label names (IANA names and the aliases libxml2 and
    /// iconv accept), in any letter case.
    fn from_label(label: &str) -> Option<SourceEncoding> {
        let l = label.to_ascii_lowercase();
        Some(match l.as_str() {
            "utf-8" | "utf8" => SourceEncoding::Utf8,
            "us-ascii" | "ascii" | "iso646-us" | "ansi_x3.4-1968" => SourceEncoding::UsAscii,
            "iso-8859-1" | "iso8859-1" | "iso_8859-1" | "latin1" | "latin-1" | "l1" => {
                SourceEncoding::Latin1
            }
            "iso-8859-15" | "iso8859-15" | "iso_8859-15" | "latin-9" | "latin9" => {
                SourceEncoding::Latin9
            }
            "windows-1252" | "cp1252" | "x-cp1252" => SourceEncoding::Windows1252,
            _ => return None,
        })
    }
}

/// A well-formed XML request converted to UTF-8, with the values GLPI reads from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlRequest {
    /// The whole document in UTF-8, without byte order mark, declaring `encoding="UTF-8"`
    /// when it has a declaration.
    pub body: String,
    /// The encoding the body was converted from.
    pub encoding: SourceEncoding,
    /// The root element's name (`REQUEST` in every agent message).
    pub root: String,
    /// The text of the root's first `QUERY` child, as written (GLPI lower-cases it and
    /// takes a missing one as `inventory`).
    pub query: Option<String>,
    /// The text of the root's first `DEVICEID` child, as written.
    pub device_id: Option<String>,
}

/// Checks and converts an XML request body (already decompressed).
/// Errors: [`ProtocolError::MalformedXml`] for anything not well-formed, a DTD, an unknown
/// encoding or nesting deeper than `limits.max_depth`.
pub fn parse_request(bytes: Vec<u8>, limits: &Limits) -> Result<XmlRequest, ProtocolError> {
    let (body, encoding) = to_utf8(bytes)?;
    let found = scan(&body, limits)?;
    Ok(XmlRequest {
        body,
        encoding,
        root: found.root,
        query: found.query,
        device_id: found.device_id,
    })
}

fn malformed<T>(_: T) -> ProtocolError {
    ProtocolError::MalformedXml
}

/// Converts a document to UTF-8 and makes its declaration say so.
fn to_utf8(mut bytes: Vec<u8>) -> Result<(String, SourceEncoding), ProtocolError> {
    if let Some(le) = match bytes.get(..2) {
        Some([0xff, 0xfe]) => Some(true),
        Some([0xfe, 0xff]) => Some(false),
        _ => None,
    } {
        let text = utf16(&bytes[2..], le)?;
        let enc = if le {
            SourceEncoding::Utf16Le
        } else {
            SourceEncoding::Utf16Be
        };
        if let Some(label) = declared_encoding(text.as_bytes())? {
            let l = text[label].to_ascii_lowercase();
            if !matches!(l.as_str(), "utf-16" | "utf-16le" | "utf-16be" | "utf16") {
                return Err(ProtocolError::MalformedXml);
            }
        }
        return Ok((declare_utf8(text)?, enc));
    }
    let bom = bytes.starts_with(&[0xef, 0xbb, 0xbf]);
    if bom {
        bytes.drain(..3);
    }
    let declared = match declared_encoding(&bytes)? {
        Some(label) => {
            let label = std::str::from_utf8(&bytes[label]).map_err(malformed)?;
            SourceEncoding::from_label(label).ok_or(ProtocolError::MalformedXml)?
        }
        None => SourceEncoding::Utf8,
    };
    let (text, enc) = match declared {
        SourceEncoding::Utf8 if bom => (String::from_utf8(bytes).map_err(malformed)?, declared),
        SourceEncoding::Utf8 => match String::from_utf8(bytes) {
            Ok(s) => (s, declared),
            Err(e) => (latin1(e.as_bytes()), SourceEncoding::Utf8FallbackLatin1),
        },
        _ if bom => return Err(ProtocolError::MalformedXml),
        SourceEncoding::UsAscii if bytes.is_ascii() => {
            (String::from_utf8(bytes).map_err(malformed)?, declared)
        }
        SourceEncoding::UsAscii => return Err(ProtocolError::MalformedXml),
        SourceEncoding::Latin1 => (latin1(&bytes), declared),
        SourceEncoding::Latin9 => (single_byte(&bytes, latin9_char), declared),
        SourceEncoding::Windows1252 => (single_byte(&bytes, windows1252_char), declared),
        _ => return Err(ProtocolError::MalformedXml),
    };
    Ok((declare_utf8(text)?, enc))
}

fn utf16(bytes: &[u8], le: bool) -> Result<String, ProtocolError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(ProtocolError::MalformedXml);
    }
    let units = bytes.chunks_exact(2).map(|p| {
        let pair = [p[0], p[1]];
        if le {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(malformed)
}

fn latin1(bytes: &[u8]) -> String {
    single_byte(bytes, char::from)
}

fn single_byte(bytes: &[u8], map: impl Fn(u8) -> char) -> String {
    let high = bytes.iter().filter(|b| **b >= 0x80).count();
    let mut s = String::with_capacity(bytes.len() + 2 * high);
    s.extend(
        bytes
            .iter()
            .map(|&b| if b < 0x80 { char::from(b) } else { map(b) }),
    );
    s
}

/// ISO-8859-15 differs from ISO-8859-1 in eight places (the euro sign, Š, Ž, Œ, Ÿ and
/// their small letters).
fn latin9_char(b: u8) -> char {
    match b {
        0xa4 => '\u{20ac}',
        0xa6 => '\u{0160}',
        0xa8 => '\u{0161}',
        0xb4 => '\u{017d}',
        0xb8 => '\u{017e}',
        0xbc => '\u{0152}',
        0xbd => '\u{0153}',
        0xbe => '\u{0178}',
        _ => char::from(b),
    }
}

/// Windows-1252: printable characters in 0x80..0xA0 where ISO-8859-1 has C1 controls;
/// the five unassigned bytes keep their C1 control, as the WHATWG encoding standard does.
fn windows1252_char(b: u8) -> char {
    const HIGH: [char; 32] = [
        '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2c6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}',
        '\u{8f}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}', '\u{17e}',
        '\u{178}',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// Rewrites the declaration's encoding, if any, to `UTF-8`.
fn declare_utf8(mut text: String) -> Result<String, ProtocolError> {
    // A second byte order mark is a character before the root, which XML does not allow
    // (and which the pull parser would silently skip).
    if text.starts_with('\u{feff}') {
        return Err(ProtocolError::MalformedXml);
    }
    if let Some(label) = declared_encoding(text.as_bytes())? {
        if !text[label.clone()].eq_ignore_ascii_case("utf-8") {
            text.replace_range(label, "UTF-8");
        }
    }
    Ok(text)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The byte range of the `encoding` value in the XML declaration that opens `doc`, if
/// it has one. Only the declaration's ASCII structure is read, so this works before the
/// document's encoding is known. The declaration is checked as XML 1.0 section 2.8 writes
/// it: `version`, then optionally `encoding`, then optionally `standalone`, nothing else.
fn declared_encoding(doc: &[u8]) -> Result<Option<Range<usize>>, ProtocolError> {
    let Some(rest) = doc.strip_prefix(b"<?xml") else {
        return Ok(None);
    };
    if !rest.first().copied().is_some_and(is_space) {
        return Ok(None);
    }
    let mut i = 5;
    let mut expected: &[&[u8]] = &[b"version", b"encoding", b"standalone"];
    let mut encoding = None;
    loop {
        let start = i;
        while doc.get(i).copied().is_some_and(is_space) {
            i += 1;
        }
        if doc.get(i..i + 2) == Some(b"?>") {
            // `version` is mandatory: it is no longer expected once seen.
            return match expected.first() {
                Some(&b"version") => Err(ProtocolError::MalformedXml),
                _ => Ok(encoding),
            };
        }
        if i == start {
            return Err(ProtocolError::MalformedXml);
        }
        let name_start = i;
        while doc.get(i).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
        }
        let name = &doc[name_start..i];
        // Pseudo-attributes come in order; optional ones may be skipped.
        let at = match expected.iter().position(|n| *n == name) {
            Some(at) if at == 0 || name != b"version" => at,
            _ => return Err(ProtocolError::MalformedXml),
        };
        if at > 0 && expected[0] == b"version" {
            return Err(ProtocolError::MalformedXml);
        }
        expected = &expected[at + 1..];
        while doc.get(i).copied().is_some_and(is_space) {
            i += 1;
        }
        if doc.get(i) != Some(&b'=') {
            return Err(ProtocolError::MalformedXml);
        }
        i += 1;
        while doc.get(i).copied().is_some_and(is_space) {
            i += 1;
        }
        let quote = match doc.get(i) {
            Some(q @ (b'"' | b'\'')) => *q,
            _ => return Err(ProtocolError::MalformedXml),
        };
        i += 1;
        let value_start = i;
        let len = doc[i..]
            .iter()
            .position(|b| *b == quote)
            .ok_or(ProtocolError::MalformedXml)?;
        i += len;
        let value = &doc[value_start..i];
        let valid = match name {
            b"version" => {
                value.len() > 2
                    && value.starts_with(b"1.")
                    && value[2..].iter().all(u8::is_ascii_digit)
            }
            b"encoding" => {
                value.first().is_some_and(u8::is_ascii_alphabetic)
                    && value
                        .iter()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            }
            _ => value == b"yes" || value == b"no",
        };
        if !valid {
            return Err(ProtocolError::MalformedXml);
        }
        if name == b"encoding" {
            encoding = Some(value_start..i);
        }
        i += 1;
    }
}

/// XML 1.0 `Char`: tab, newline, carriage return, and everything from U+0020 but
/// surrogates, U+FFFE and U+FFFF.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// XML 1.0 (fifth edition) `Name`, which libxml2 applies: a `NameStartChar` then
/// `NameChar`s.
fn is_xml_name(name: &[u8]) -> bool {
    fn start(c: char) -> bool {
        matches!(c,
            ':' | 'A'..='Z' | '_' | 'a'..='z' | '\u{c0}'..='\u{d6}' | '\u{d8}'..='\u{f6}'
            | '\u{f8}'..='\u{2ff}' | '\u{370}'..='\u{37d}' | '\u{37f}'..='\u{1fff}'
            | '\u{200c}'..='\u{200d}' | '\u{2070}'..='\u{218f}' | '\u{2c00}'..='\u{2fef}'
            | '\u{3001}'..='\u{d7ff}' | '\u{f900}'..='\u{fdcf}' | '\u{fdf0}'..='\u{fffd}'
            | '\u{10000}'..='\u{effff}')
    }
    fn rest(c: char) -> bool {
        start(c)
            || matches!(c, '-' | '.' | '0'..='9' | '\u{b7}' | '\u{300}'..='\u{36f}' | '\u{203f}'..='\u{2040}')
    }
    // The common case, an ASCII name, in one pass without decoding characters.
    fn ascii_rest(b: u8) -> bool {
        b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-' | b'.')
    }
    match name.first() {
        Some(b) if b.is_ascii_alphabetic() || matches!(b, b'_' | b':') => {
            if name[1..].iter().all(|&b| ascii_rest(b)) {
                return true;
            }
            if name.is_ascii() {
                return false;
            }
        }
        Some(b) if b.is_ascii() => return false,
        _ => {}
    }
    let Ok(name) = std::str::from_utf8(name) else {
        return false;
    };
    let mut chars = name.chars();
    chars.next().is_some_and(start) && chars.all(rest)
}

struct Found {
    root: String,
    query: Option<String>,
    device_id: Option<String>,
}

/// Which direct child of the root is being read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Query,
    DeviceId,
}

/// What [`walk`] reports of a well-formed document, element by element. Comments and
/// processing instructions inside the root are reported because they split the text
/// around them into separate nodes, as libxml2 keeps them.
pub(crate) trait Visitor {
    /// A start tag (or an empty-element tag, closed at once) at `depth` (the root is 1).
    fn open(&mut self, tag: &BytesStart<'_>, depth: usize) -> Result<(), ProtocolError>;
    /// Character data inside the element at `depth`, with references resolved.
    fn text(&mut self, text: &str, depth: usize) -> Result<(), ProtocolError>;
    /// A comment (`None`) or processing instruction (its target) inside the root.
    fn other(&mut self, pi_target: Option<&str>, depth: usize) -> Result<(), ProtocolError>;
    /// The end of the element opened at `depth`.
    fn close(&mut self, depth: usize) -> Result<(), ProtocolError>;
}

/// Reads a whole document (any encoding [`parse_request`] reads) with the same checks,
/// reporting it to `visitor`.
pub(crate) fn walk(
    bytes: &[u8],
    limits: &Limits,
    visitor: &mut impl Visitor,
) -> Result<(), ProtocolError> {
    // A document that is UTF-8 as it says (or as it is by default) is read where it is.
    if let Some(text) = as_utf8(bytes)? {
        return read(text, limits, visitor).map(|_| ());
    }
    let (text, _) = to_utf8(bytes.to_vec())?;
    read(&text, limits, visitor).map(|_| ())
}

/// The document itself, when [`to_utf8`] would give it back unchanged but for its
/// declaration's label (which the reader does not read): no byte order mark, UTF-8 by
/// declaration or default, and valid UTF-8. `None` for any other document.
fn as_utf8(bytes: &[u8]) -> Result<Option<&str>, ProtocolError> {
    if matches!(bytes.get(..2), Some([0xff, 0xfe] | [0xfe, 0xff]))
        || bytes.starts_with(&[0xef, 0xbb, 0xbf])
    {
        return Ok(None);
    }
    if let Some(label) = declared_encoding(bytes)? {
        let label = std::str::from_utf8(&bytes[label]).map_err(malformed)?;
        if SourceEncoding::from_label(label).ok_or(ProtocolError::MalformedXml)?
            != SourceEncoding::Utf8
        {
            return Ok(None);
        }
    }
    Ok(std::str::from_utf8(bytes).ok())
}

struct Fields {
    query: Option<String>,
    device_id: Option<String>,
    // The field being read, when the reader is inside a QUERY or DEVICEID child of the root.
    reading: Option<(Field, String)>,
}

impl Visitor for Fields {
    fn open(&mut self, tag: &BytesStart<'_>, depth: usize) -> Result<(), ProtocolError> {
        if depth == 2 {
            self.reading = field(tag, &self.query, &self.device_id).map(|f| (f, String::new()));
        }
        Ok(())
    }

    fn text(&mut self, text: &str, depth: usize) -> Result<(), ProtocolError> {
        if depth == 2 {
            if let Some((_, v)) = self.reading.as_mut() {
                v.push_str(text);
            }
        }
        Ok(())
    }

    fn other(&mut self, _: Option<&str>, _: usize) -> Result<(), ProtocolError> {
        Ok(())
    }

    fn close(&mut self, depth: usize) -> Result<(), ProtocolError> {
        if depth == 2 {
            match self.reading.take() {
                Some((Field::Query, v)) => self.query = Some(v),
                Some((Field::DeviceId, v)) => self.device_id = Some(v),
                None => {}
            }
        }
        Ok(())
    }
}

fn scan(text: &str, limits: &Limits) -> Result<Found, ProtocolError> {
    let mut fields = Fields {
        query: None,
        device_id: None,
        reading: None,
    };
    let root = read(text, limits, &mut fields)?;
    Ok(Found {
        root,
        query: fields.query,
        device_id: fields.device_id,
    })
}

const LOW7: u64 = u64::from_ne_bytes([0x7f; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// 0x80 in each byte of `w` that is zero, and 0 in the others.
fn zeros(w: u64) -> u64 {
    !(((w & LOW7).wrapping_add(LOW7)) | w | LOW7)
}

/// `b` in every byte.
fn splat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// `bytes` has neither a carriage return nor a `]`, eight bytes at a time.
fn without_cr_nor_bracket(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    for chunk in words.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_ne_bytes(word);
        if zeros(w ^ splat(b'\r')) | zeros(w ^ splat(b']')) != 0 {
            return false;
        }
    }
    !words.remainder().iter().any(|&b| b == b'\r' || b == b']')
}

/// Every character of `text` is an XML character. In UTF-8 (which `text` is, so without
/// surrogates), that is: no control character but tab, newline and carriage return, and
/// neither U+FFFE nor U+FFFF (`EF BF BE`, `EF BF BF`). Eight bytes are looked at a time,
/// with masks exact per byte: most words are printable ASCII and line ends, without 0xEF.
fn all_xml_chars(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in words.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_ne_bytes(word);
        // Bytes below 0x20: high bit clear, and no carry into it from adding 0x60.
        let low = !((w & LOW7).wrapping_add(splat(0x60))) & !w & HIGHS;
        if low != 0 {
            let spaces =
                zeros(w ^ splat(b'\t')) | zeros(w ^ splat(b'\n')) | zeros(w ^ splat(b'\r'));
            if low & !spaces != 0 {
                return false;
            }
        }
        if w & HIGHS != 0
            && zeros(w ^ splat(0xef)) != 0
            && !(at..at + 8).all(|i| xml_byte_at(bytes, i))
        {
            return false;
        }
        at += 8;
    }
    (at..bytes.len()).all(|i| xml_byte_at(bytes, i))
}

/// The byte at `i` starts no character outside XML's `Char` (see [`all_xml_chars`]).
fn xml_byte_at(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'\t' | b'\n' | b'\r' => true,
        0..=0x1f => false,
        0xef => !matches!(bytes.get(i + 1..i + 3), Some([0xbf, 0xbe | 0xbf])),
        _ => true,
    }
}

/// The part of `doc` that `bytes` is, when the reader lent it from the document: then
/// it is text already known to be UTF-8.
fn lent<'a>(doc: &'a str, bytes: &[u8]) -> Option<&'a str> {
    let start = (bytes.as_ptr() as usize).checked_sub(doc.as_ptr() as usize)?;
    doc.get(start..start.checked_add(bytes.len())?)
}

/// Reads the whole document, reporting it to `visitor`; returns the root's name.
fn read(text: &str, limits: &Limits, visitor: &mut impl Visitor) -> Result<String, ProtocolError> {
    if !all_xml_chars(text) {
        return Err(ProtocolError::MalformedXml);
    }
    let mut reader = quick_xml::Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    config.allow_dangling_amp = false;
    config.allow_unmatched_ends = false;
    config.expand_empty_elements = false;
    config.trim_text(false);

    let max_depth = usize::try_from(limits.max_depth).unwrap_or(usize::MAX);
    let mut depth = 0usize;
    let mut root: Option<String> = None;
    let mut first = true;
    let mut buf = [0u8; 4];

    loop {
        let event = reader.read_event().map_err(malformed)?;
        let was_first = std::mem::replace(&mut first, false);
        match event {
            Event::Decl(decl) => {
                if !was_first {
                    return Err(ProtocolError::MalformedXml);
                }
                let version = decl.version().map_err(malformed)?;
                if !version.starts_with(b"1.") {
                    return Err(ProtocolError::MalformedXml);
                }
            }
            Event::DocType(_) => return Err(ProtocolError::MalformedXml),
            Event::PI(pi) => {
                if pi.target().eq_ignore_ascii_case(b"xml") || !is_xml_name(pi.target()) {
                    return Err(ProtocolError::MalformedXml);
                }
                if depth > 0 {
                    let target = std::str::from_utf8(pi.target()).map_err(malformed)?;
                    visitor.other(Some(target), depth)?;
                }
            }
            Event::Comment(_) => {
                if depth > 0 {
                    visitor.other(None, depth)?;
                }
            }
            Event::Start(_) | Event::Empty(_) if depth == 0 && root.is_some() => {
                return Err(ProtocolError::MalformedXml);
            }
            Event::Start(e) => {
                check_tag(&e)?;
                depth += 1;
                if depth > max_depth {
                    return Err(ProtocolError::MalformedXml);
                }
                if depth == 1 {
                    root = Some(name_of(&e)?);
                }
                visitor.open(&e, depth)?;
            }
            Event::Empty(e) => {
                check_tag(&e)?;
                if depth == 0 {
                    root = Some(name_of(&e)?);
                }
                visitor.open(&e, depth + 1)?;
                visitor.close(depth + 1)?;
            }
            Event::End(_) => {
                if depth == 0 {
                    return Err(ProtocolError::MalformedXml);
                }
                visitor.close(depth)?;
                depth -= 1;
            }
            Event::Text(t) => {
                // Text without carriage returns (no line end to normalise) is the
                // document's own, as it is.
                let content = match lent(text, &t) {
                    Some(s) if without_cr_nor_bracket(s.as_bytes()) => Cow::Borrowed(s),
                    _ => {
                        if t.windows(3).any(|w| w == b"]]>") {
                            return Err(ProtocolError::MalformedXml);
                        }
                        t.xml10_content().map_err(malformed)?
                    }
                };
                if depth == 0 {
                    if !content.bytes().all(is_space) {
                        return Err(ProtocolError::MalformedXml);
                    }
                } else {
                    visitor.text(&content, depth)?;
                }
            }
            Event::GeneralRef(r) => {
                if depth == 0 {
                    return Err(ProtocolError::MalformedXml);
                }
                let c = resolve(&r)?;
                visitor.text(c.encode_utf8(&mut buf), depth)?;
            }
            Event::CData(c) => {
                if depth == 0 {
                    return Err(ProtocolError::MalformedXml);
                }
                visitor.text(&c.decode().map_err(malformed)?, depth)?;
            }
            Event::Eof => {
                return match root {
                    Some(root) if depth == 0 => Ok(root),
                    _ => Err(ProtocolError::MalformedXml),
                };
            }
        }
    }
}

/// The root child a start tag opens, if it is a first `QUERY` or `DEVICEID`.
fn field(e: &BytesStart<'_>, query: &Option<String>, device_id: &Option<String>) -> Option<Field> {
    match e.name().as_ref() {
        b"QUERY" if query.is_none() => Some(Field::Query),
        b"DEVICEID" if device_id.is_none() => Some(Field::DeviceId),
        _ => None,
    }
}

fn name_of(e: &BytesStart<'_>) -> Result<String, ProtocolError> {
    Ok(std::str::from_utf8(e.name().as_ref())
        .map_err(malformed)?
        .to_owned())
}

/// A tag's name and attributes: well-formed names, no duplicate attribute, quoted
/// values without `<`, and only known references inside them.
fn check_tag(e: &BytesStart<'_>) -> Result<(), ProtocolError> {
    if !is_xml_name(e.name().as_ref()) {
        return Err(ProtocolError::MalformedXml);
    }
    if !has_attributes(e) {
        return Ok(());
    }
    let mut attrs = e.attributes();
    attrs.with_checks(true);
    for a in attrs {
        let a = a.map_err(malformed)?;
        if !is_xml_name(a.key.as_ref()) || a.value.contains(&b'<') {
            return Err(ProtocolError::MalformedXml);
        }
        let value = a
            .normalized_value(XmlVersion::Explicit1_0)
            .map_err(malformed)?;
        if !value.chars().all(is_xml_char) {
            return Err(ProtocolError::MalformedXml);
        }
    }
    Ok(())
}

/// The tag has something after its name (most have not: then there is no attribute to
/// read).
pub(crate) fn has_attributes(e: &BytesStart<'_>) -> bool {
    !e.attributes_raw().iter().all(|&b| is_space(b))
}

/// A reference in text: one of the five predefined entities or a character reference
/// to an XML character; anything else would need a DTD.
fn resolve(r: &BytesRef<'_>) -> Result<char, ProtocolError> {
    if r.is_char_ref() {
        return r
            .resolve_char_ref()
            .map_err(malformed)?
            .filter(|c| is_xml_char(*c))
            .ok_or(ProtocolError::MalformedXml);
    }
    match r.as_ref() {
        b"lt" => Ok('<'),
        b"gt" => Ok('>'),
        b"amp" => Ok('&'),
        b"apos" => Ok('\''),
        b"quot" => Ok('"'),
        _ => Err(ProtocolError::MalformedXml),
    }
}

/// Escapes text for XML content and attribute values, dropping characters XML 1.0 cannot
/// carry. Carriage returns are written as references, which line-end normalisation keeps.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' => out.push_str("&#13;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

const REPLY_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<REPLY>";

/// The answer to a PROLOG: send an inventory now, and contact again in `freq_hours` hours.
pub fn prolog_reply(freq_hours: u32) -> String {
    format!("{REPLY_HEAD}<PROLOG_FREQ>{freq_hours}</PROLOG_FREQ><RESPONSE>SEND</RESPONSE></REPLY>")
}

/// The acknowledgement of an XML inventory.
pub fn ack_reply() -> String {
    format!("{REPLY_HEAD}<RESPONSE>SEND</RESPONSE></REPLY>")
}

/// An XML error answer, as GLPI writes one (`<ERROR>` under `<REPLY>`).
pub fn error_reply(message: &str) -> String {
    format!("{REPLY_HEAD}<ERROR>{}</ERROR></REPLY>", escape(message))
}

#[cfg(test)]
mod tests;
