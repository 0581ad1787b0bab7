//! The JSON grammar of RFC 8259 as PHP 8.2's `ext/json` scanner and parser accept it,
//! including which error `json_last_error()` would report first, turned into a [`Tape`].

use super::keys::KeyTable;
use super::simd::{skip_ws, string_body_end};
use super::tape::{
    Node, Tape, K_ARRAY, K_FALSE, K_FLOAT, K_INT, K_KEY, K_NULL, K_OBJECT, K_OWNED, K_STR, K_TRUE,
    OBJ_REPEATS,
};
use super::ParseOptions;
use crate::error::ProtocolError;
use crate::limits::InvalidUtf8;

/// U+FFFD, which `JSON_INVALID_UTF8_SUBSTITUTE` writes for each byte that does not start
/// a valid UTF-8 sequence.
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// Bison's default `YYMAXDEPTH`, which PHP's JSON parser keeps.
const PARSER_STACK_LIMIT: usize = 10_000;

/// Buffers a parse fills: reusing one across documents saves most allocations.
#[derive(Default)]
pub struct Scratch {
    nodes: Vec<Node>,
    strings: Vec<u8>,
    keys: Option<KeyTable>,
    stack: Vec<Frame>,
}

impl Scratch {
    /// An empty scratch; it allocates on the first parse.
    pub fn new() -> Scratch {
        Scratch::default()
    }

    /// Heap bytes held, so that a caller can decide not to keep a large scratch.
    pub fn capacity_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>()
            + self.strings.capacity()
            + self.keys.as_ref().map_or(0, KeyTable::capacity_bytes)
            + self.stack.capacity() * std::mem::size_of::<Frame>()
    }
}

/// Validates `input` and returns its events, or the error PHP would report first.
pub fn parse<'a>(
    input: &'a [u8],
    opts: &ParseOptions,
    scratch: &'a mut Scratch,
) -> Result<Tape<'a>, ProtocolError> {
    let mut keys = scratch.keys.take().unwrap_or_else(KeyTable::new);
    keys.clear();
    let mut nodes = std::mem::take(&mut scratch.nodes);
    nodes.clear();
    // Real inventories hold about one value or key per 12 to 20 bytes.
    nodes.reserve(input.len() / 12 + 4);
    let mut strings = std::mem::take(&mut scratch.strings);
    strings.clear();
    let mut stack = std::mem::take(&mut scratch.stack);
    stack.clear();
    let mut s = Scanner {
        input,
        pos: 0,
        assoc: opts.assoc,
        max_depth: opts.max_depth,
        max_events: opts.max_events,
        substitute: opts.invalid_utf8 == InvalidUtf8::Substitute,
        next_bad: first_invalid_utf8(input),
        nodes,
        strings,
        keys,
        stack,
        serial: 0,
        height: 1,
    };
    let result = s.run();
    scratch.nodes = s.nodes;
    scratch.strings = s.strings;
    scratch.stack = s.stack;
    let keys = scratch.keys.insert(s.keys);
    result?;
    Ok(Tape::new(
        input,
        &mut scratch.nodes,
        &scratch.strings,
        &keys.entries,
    ))
}

/// Index of the first byte that does not belong to a valid UTF-8 sequence when decoding
/// from the start of `s` (`s.len()` when all of it is valid).
fn first_invalid_utf8(s: &[u8]) -> usize {
    match simdutf8::compat::from_utf8(s) {
        Ok(_) => s.len(),
        Err(e) => e.valid_up_to(),
    }
}

/// An open array or object.
struct Frame {
    /// Index of the container's node, patched with the count when it closes.
    node: usize,
    count: u64,
    object: bool,
    /// Objects only: a number that grows with each object opened, to tell which keys
    /// this object has already used.
    serial: u64,
    /// The current member's key starts with NUL, which PHP refuses as a property name.
    key_nul: bool,
    repeats: bool,
    /// Height of PHP's parser stack just before this container's bracket.
    base: usize,
    /// Objects only: the id of the key read last.
    last_key: Option<u32>,
}

enum Str {
    Input(usize, usize),
    Owned(usize, usize),
}

struct Scanner<'a> {
    input: &'a [u8],
    pos: usize,
    assoc: bool,
    max_depth: u32,
    max_events: usize,
    substitute: bool,
    /// Everything before this index is valid UTF-8 as decoded from the start; the byte
    /// here (if any) is not.
    next_bad: usize,
    nodes: Vec<Node>,
    strings: Vec<u8>,
    keys: KeyTable,
    stack: Vec<Frame>,
    serial: u64,
    /// Height of PHP's parser stack where the next value is read (see `parser_push`).
    height: usize,
}

impl Scanner<'_> {
    fn run(&mut self) -> Result<(), ProtocolError> {
        let input = self.input;
        'value: loop {
            self.pos = skip_ws(input, self.pos);
            let Some(&b) = input.get(self.pos) else {
                return Err(self.unexpected(self.pos));
            };
            match b {
                b'{' => {
                    let base = self.open(true)?;
                    self.pos = skip_ws(input, self.pos);
                    match input.get(self.pos) {
                        Some(b'}') => {
                            self.parser_push(base + 4)?;
                            self.pos += 1;
                            self.close();
                        }
                        Some(b'"') => {
                            self.pos += 1;
                            self.member_key(base + 3)?;
                            continue 'value;
                        }
                        _ => return Err(self.unexpected(self.pos)),
                    }
                }
                b'[' => {
                    let base = self.open(false)?;
                    self.pos = skip_ws(input, self.pos);
                    if input.get(self.pos) == Some(&b']') {
                        self.parser_push(base + 4)?;
                        self.pos += 1;
                        self.close();
                    } else {
                        continue 'value;
                    }
                }
                b'"' => {
                    self.pos += 1;
                    let node = match self.string()? {
                        Str::Input(at, len) => Node::string(K_STR, at, len),
                        Str::Owned(at, len) => Node::string(K_OWNED, at, len),
                    };
                    self.parser_push(self.height + 1)?;
                    self.push(node)?;
                }
                b'-' | b'0'..=b'9' => {
                    let node = self.number()?;
                    self.parser_push(self.height + 1)?;
                    self.push(node)?;
                }
                b't' => self.literal(b"true", K_TRUE)?,
                b'f' => self.literal(b"false", K_FALSE)?,
                b'n' => self.literal(b"null", K_NULL)?,
                _ => return Err(self.unexpected(self.pos)),
            }
            // A value is complete; it may complete its containers in turn.
            loop {
                let Some(frame) = self.stack.last_mut() else {
                    self.pos = skip_ws(input, self.pos);
                    if self.pos < input.len() {
                        return Err(self.unexpected(self.pos));
                    }
                    return Ok(());
                };
                frame.count += 1;
                // PHP checks the name when it stores the member, after its value.
                if frame.object && frame.key_nul && !self.assoc {
                    return Err(ProtocolError::InvalidPropertyName);
                }
                let (object, base) = (frame.object, frame.base);
                self.pos = skip_ws(input, self.pos);
                match input.get(self.pos) {
                    Some(b',') => {
                        self.parser_push(base + 4)?;
                        self.height = base + 4;
                        self.pos = skip_ws(input, self.pos + 1);
                        if object {
                            if input.get(self.pos) != Some(&b'"') {
                                return Err(self.unexpected(self.pos));
                            }
                            self.pos += 1;
                            self.member_key(base + 5)?;
                        }
                        continue 'value;
                    }
                    Some(b']') if !object => {
                        self.parser_push(base + 4)?;
                        self.pos += 1;
                        self.close();
                    }
                    Some(b'}') if object => {
                        self.parser_push(base + 4)?;
                        self.pos += 1;
                        self.close();
                    }
                    _ => return Err(self.unexpected(self.pos)),
                }
            }
        }
    }

    #[inline(always)]
    fn push(&mut self, node: Node) -> Result<(), ProtocolError> {
        if self.nodes.len() >= self.max_events {
            return Err(ProtocolError::TooManyValues {
                limit: self.max_events as u64,
            });
        }
        self.nodes.push(node);
        Ok(())
    }

    /// PHP's parser is a Bison parser whose state stack stops at `YYMAXDEPTH` (10000)
    /// entries; reaching it is a syntax error. Only depths far above the default 512
    /// get there, but `json_decode` reports it, so the scanner counts the same states:
    /// reading a value at height h, a scalar takes h+1; a container opened there takes
    /// h+1 and h+2 for its bracket, h+4 for a later element's comma, h+6 for a later
    /// member's colon, and h+4 to close.
    #[inline(always)]
    fn parser_push(&self, height: usize) -> Result<(), ProtocolError> {
        if height >= PARSER_STACK_LIMIT {
            return Err(ProtocolError::MalformedJson { offset: self.pos });
        }
        Ok(())
    }

    /// The error for a byte that cannot start the expected token. Like PHP, a byte that
    /// does not start a valid UTF-8 sequence is a UTF-8 error even outside strings.
    fn unexpected(&self, at: usize) -> ProtocolError {
        match self.input.get(at) {
            Some(&b) if b >= 0x80 && !starts_valid_utf8(&self.input[at..]) => {
                ProtocolError::InvalidUtf8 { offset: at }
            }
            _ => ProtocolError::MalformedJson { offset: at },
        }
    }

    /// Opens a container at the current token; returns the parser height it sits on.
    #[inline(always)]
    fn open(&mut self, object: bool) -> Result<usize, ProtocolError> {
        let base = self.height;
        // Bracket first, then PHP's depth check, then the state that follows it.
        self.parser_push(base + 1)?;
        // `json_decode($json, depth: $d)` refuses $d or more nested containers:
        // `[[1]]` needs a depth of 3.
        if self.stack.len() + 1 >= self.max_depth as usize {
            return Err(ProtocolError::JsonTooDeep {
                limit: self.max_depth,
            });
        }
        self.parser_push(base + 2)?;
        let serial = if object {
            self.serial += 1;
            self.serial
        } else {
            0
        };
        self.stack.push(Frame {
            node: self.nodes.len(),
            count: 0,
            object,
            serial,
            key_nul: false,
            repeats: false,
            base,
            last_key: None,
        });
        self.push(Node::new(if object { K_OBJECT } else { K_ARRAY }, 0))?;
        self.pos += 1;
        self.height = base + 2;
        Ok(base)
    }

    #[inline(always)]
    fn close(&mut self) {
        if let Some(f) = self.stack.pop() {
            let node = &mut self.nodes[f.node];
            node.payload = f.count;
            if f.repeats {
                node.head |= OBJ_REPEATS;
            }
        }
    }

    /// Reads a member's key (the opening quote is consumed) and the colon after it;
    /// `height` is the parser height the key string takes.
    #[inline(always)]
    fn member_key(&mut self, height: usize) -> Result<(), ProtocolError> {
        let (offset, len, owned) = match self.string()? {
            Str::Input(at, len) => (at, len, false),
            Str::Owned(at, len) => (at, len, true),
        };
        let bytes = if owned {
            &self.strings[offset..offset + len]
        } else {
            &self.input[offset..offset + len]
        };
        let key_nul = bytes.first() == Some(&0);
        let Some(frame) = self.stack.last_mut() else {
            return Err(ProtocolError::MalformedJson { offset: self.pos });
        };
        let after = frame.last_key;
        let interned = self
            .keys
            .intern_after(after, bytes, offset, owned, self.input, &self.strings)
            .ok_or(ProtocolError::PayloadTooLarge {
                limit: self.input.len() as u64,
            })?;
        if owned && !interned.is_new {
            // The key is known: its unescaped copy is not needed.
            self.strings.truncate(offset);
        }
        let id = interned.id as usize;
        let Some(frame) = self.stack.last_mut() else {
            return Err(ProtocolError::MalformedJson { offset: self.pos });
        };
        frame.key_nul = key_nul;
        frame.last_key = Some(interned.id);
        // A key last used by this object, or by an object opened inside it (higher
        // serial), may repeat here; one used only by earlier siblings cannot.
        let last = &mut self.keys.last_object[id];
        if *last >= frame.serial || !interned.shared {
            frame.repeats = true;
        }
        *last = frame.serial;
        self.push(Node::new(K_KEY, u64::from(interned.id)))?;
        self.parser_push(height)?;

        self.pos = skip_ws(self.input, self.pos);
        if self.input.get(self.pos) != Some(&b':') {
            return Err(self.unexpected(self.pos));
        }
        self.parser_push(height + 1)?;
        self.height = height + 1;
        self.pos += 1;
        Ok(())
    }

    #[inline(always)]
    fn literal(&mut self, word: &[u8], kind: u64) -> Result<(), ProtocolError> {
        if !self.input[self.pos..].starts_with(word) {
            return Err(ProtocolError::MalformedJson { offset: self.pos });
        }
        self.parser_push(self.height + 1)?;
        self.pos += word.len();
        self.push(Node::new(kind, 0))?;
        Ok(())
    }

    /// PHP's number rules: `-?(0|[1-9][0-9]*)` within `i64` is an integer (so `-0` is
    /// int 0); anything longer, or with a fraction or an exponent, is the correctly
    /// rounded double (`-0.0` stays negative, `1e400` is INF).
    #[inline(always)]
    fn number(&mut self) -> Result<Node, ProtocolError> {
        let s = self.input;
        let start = self.pos;
        let mut p = start;
        let negative = s[p] == b'-';
        if negative {
            p += 1;
        }
        let int_start = p;
        match s.get(p) {
            Some(b'0') => p += 1,
            Some(b'1'..=b'9') => p = skip_digits(s, p + 1),
            _ => return Err(ProtocolError::MalformedJson { offset: p }),
        }
        let int_end = p;
        let mut float = false;
        if s.get(p) == Some(&b'.') {
            let d = p + 1;
            p = skip_digits(s, d);
            if p == d {
                return Err(ProtocolError::MalformedJson { offset: p });
            }
            float = true;
        }
        if matches!(s.get(p), Some(b'e' | b'E')) {
            p += 1;
            if matches!(s.get(p), Some(b'+' | b'-')) {
                p += 1;
            }
            let d = p;
            p = skip_digits(s, d);
            if p == d {
                return Err(ProtocolError::MalformedJson { offset: p });
            }
            float = true;
        }
        self.pos = p;
        if !float && int_end - int_start <= 19 {
            // 19 digits cannot overflow u64.
            let magnitude = s[int_start..int_end]
                .iter()
                .fold(0u64, |acc, &d| acc * 10 + u64::from(d - b'0'));
            let value = if negative {
                0i64.checked_sub_unsigned(magnitude)
            } else {
                i64::try_from(magnitude).ok()
            };
            if let Some(v) = value {
                return Ok(Node::new(K_INT, v as u64));
            }
        }
        // The text is ASCII and matches Rust's float grammar; std's parser is correctly
        // rounded, as PHP's zend_strtod is.
        let value = std::str::from_utf8(&s[start..p])
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            .ok_or(ProtocolError::MalformedJson { offset: start })?;
        Ok(Node::new(K_FLOAT, value.to_bits()))
    }

    /// Reads a string body after its opening quote, up to and including the closing one.
    #[inline(always)]
    fn string(&mut self) -> Result<Str, ProtocolError> {
        let input = self.input;
        let start = self.pos;
        let end = string_body_end(input, start);
        if end <= self.next_bad && input.get(end) == Some(&b'"') {
            self.pos = end + 1;
            return Ok(Str::Input(start, end - start));
        }
        self.string_slow(start, end)
    }

    /// A string with escapes or bytes to replace: its value is built in the side buffer.
    #[cold]
    #[inline(never)]
    fn string_slow(&mut self, start: usize, end: usize) -> Result<Str, ProtocolError> {
        let input = self.input;
        let out = self.strings.len();
        let mut seg = start;
        let mut end = end;
        loop {
            self.copy_body(seg, end)?;
            match input.get(end) {
                Some(b'"') => {
                    self.pos = end + 1;
                    return Ok(Str::Owned(out, self.strings.len() - out));
                }
                Some(b'\\') => seg = self.escape(end)?,
                // A control character, or the end of the input inside a string.
                _ => return Err(ProtocolError::MalformedJson { offset: end }),
            }
            end = string_body_end(input, seg);
        }
    }

    /// Appends `input[from..to]` (no quote, backslash or control byte in it) to the side
    /// buffer, checking its UTF-8.
    fn copy_body(&mut self, from: usize, to: usize) -> Result<(), ProtocolError> {
        let input = self.input;
        if to <= self.next_bad {
            self.strings.extend_from_slice(&input[from..to]);
            return Ok(());
        }
        if !self.substitute {
            return Err(ProtocolError::InvalidUtf8 {
                offset: self.next_bad,
            });
        }
        self.strings.extend_from_slice(&input[from..self.next_bad]);
        // Each byte that does not start a complete, valid sequence becomes one U+FFFD:
        // PHP's scanner replaces byte by byte, not by maximal subpart.
        for chunk in input[self.next_bad..to].utf8_chunks() {
            self.strings.extend_from_slice(chunk.valid().as_bytes());
            for _ in chunk.invalid() {
                self.strings.extend_from_slice(REPLACEMENT);
            }
        }
        // `to` holds an ASCII byte (or is the end), so decoding can resume there.
        self.next_bad = to + first_invalid_utf8(&input[to..]);
        Ok(())
    }

    /// Decodes the escape whose backslash is at `at`; returns the index after it.
    fn escape(&mut self, at: usize) -> Result<usize, ProtocolError> {
        let s = self.input;
        let bad = ProtocolError::MalformedJson { offset: at };
        let simple = match s.get(at + 1) {
            Some(b'"') => b'"',
            Some(b'\\') => b'\\',
            Some(b'/') => b'/',
            Some(b'b') => 0x08,
            Some(b'f') => 0x0C,
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            Some(b'u') => {
                let unit = hex4(s, at + 2).ok_or(bad.clone())?;
                let (code, next) = match unit {
                    0xD800..=0xDBFF => {
                        // Only a high surrogate directly followed by an escaped low one
                        // makes a character; PHP refuses any other surrogate.
                        let low = match s.get(at + 6..at + 8) {
                            Some(b"\\u") => {
                                hex4(s, at + 8).filter(|l| (0xDC00..=0xDFFF).contains(l))
                            }
                            _ => None,
                        }
                        .ok_or(bad)?;
                        (0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), at + 12)
                    }
                    0xDC00..=0xDFFF => return Err(bad),
                    _ => (unit, at + 6),
                };
                let c = char::from_u32(code).ok_or(ProtocolError::MalformedJson { offset: at })?;
                let mut buf = [0u8; 4];
                self.strings
                    .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                return Ok(next);
            }
            _ => return Err(bad),
        };
        self.strings.push(simple);
        Ok(at + 2)
    }
}

#[inline]
fn skip_digits(s: &[u8], mut p: usize) -> usize {
    while matches!(s.get(p), Some(b'0'..=b'9')) {
        p += 1;
    }
    p
}

fn hex4(s: &[u8], at: usize) -> Option<u32> {
    let digits = s.get(at..at + 4)?;
    digits
        .iter()
        .try_fold(0u32, |acc, &d| Some(acc * 16 + (d as char).to_digit(16)?))
}

fn starts_valid_utf8(s: &[u8]) -> bool {
    match std::str::from_utf8(&s[..s.len().min(4)]) {
        Ok(_) => true,
        Err(e) => e.valid_up_to() > 0,
    }
}
