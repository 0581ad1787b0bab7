//! JSON message bodies (spec 3.3, RFC 8259) decoded exactly as PHP 8.2's `json_decode`
//! decodes them, without PHP types.
//!
//! [`parse`] validates the text into a reusable [`Scratch`] and returns a [`Tape`]: the events of the document in
//! order, each array and object carrying its element count before its children, strings
//! borrowed from the input unless they had escapes, numbers converted with PHP's rules,
//! and object keys interned so that a key repeated across the document has one
//! [`KeyId`]. A builder (the PHP one in `crate::php::json`, or [`value::build`]) then
//! creates every container once, at its final size.
//!
//! PHP's rules kept here, each checked against `json_decode` itself:
//! - grammar: top-level scalars allowed; whitespace is space, tab, LF, CR only; empty
//!   input is an error;
//! - integers `-?(0|[1-9][0-9]*)` that fit `i64` are ints (`-0` is int 0), other numbers
//!   are correctly rounded doubles (`-0.0` keeps its sign, `1e400` is INF);
//! - `$depth` counts like PHP: `[[1]]` needs a depth of 3, not 2;
//! - invalid UTF-8 is an error, also outside strings, or inside strings becomes one
//!   U+FFFD per offending byte with [`InvalidUtf8::Substitute`](crate::limits::InvalidUtf8);
//!   a lone UTF-16 surrogate escape is malformed;
//! - in object mode a key starting with NUL is refused (after its value is read, as PHP
//!   does); in assoc mode keys like `"12"` become integer keys (see [`Key::index`]);
//! - a repeated key keeps its first position and takes the last value.

pub mod cost;
mod keys;
mod scan;
mod simd;
mod tape;
pub mod value;

#[cfg(test)]
mod tests;

pub use keys::php_integer_key;
#[cfg(feature = "php")]
pub(crate) use keys::{fingerprint, hash_key, Fingerprint};
pub use scan::{parse, Scratch};
pub use tape::{Event, Events, Key, KeyId, Tape};

use crate::limits::{InvalidUtf8, Limits};

/// What `json_decode`'s arguments choose, plus the invalid UTF-8 policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// Objects become PHP arrays (`json_decode($json, true)`). The scanner needs it only
    /// to know whether NUL-prefixed keys are allowed.
    pub assoc: bool,
    /// `json_decode`'s `$depth`: this many nested containers or more is an error.
    pub max_depth: u32,
    /// Invalid UTF-8 in strings: an error, as `json_decode` by default, or U+FFFD as with
    /// `JSON_INVALID_UTF8_SUBSTITUTE`.
    pub invalid_utf8: InvalidUtf8,
    /// Most events (values and keys) a document may have: [`Limits::max_values`], and in
    /// PHP no more than the memory a request has left could hold. Every event costs the
    /// tape 16 bytes, outside PHP's `memory_limit`, so a body made of `[0,0,0,...` cannot
    /// make the tape larger than that. Past it:
    /// [`ProtocolError::TooManyValues`](crate::ProtocolError::TooManyValues).
    pub max_events: usize,
}

impl ParseOptions {
    /// The options for `json_decode($json, $assoc)` under `limits`.
    pub fn new(assoc: bool, limits: &Limits) -> ParseOptions {
        ParseOptions {
            assoc,
            max_depth: limits.max_depth,
            invalid_utf8: limits.invalid_utf8,
            max_events: usize::try_from(limits.max_values).unwrap_or(usize::MAX),
        }
    }
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions::new(false, &Limits::DEFAULT)
    }
}
