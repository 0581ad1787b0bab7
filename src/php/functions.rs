//! The building-block functions of the `GlpiAgentProtocol` namespace.

use ext_php_rs::binary::Binary;
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::prelude::*;
use ext_php_rs::types::Zval;

use super::errors::{random_error, IntoPhp};
use crate::compression::{self, Compression};
use crate::error::UsageError;
use crate::limits::{InvalidUtf8, Limits};
use crate::{accept, auth, expiration, keywrap, secret};

fn encoding(name: &str) -> Result<Compression, UsageError> {
    Compression::from_name(name).ok_or_else(|| {
        UsageError::new(format!(
            "unknown encoding '{name}' (none, zlib, gzip, deflate, br)"
        ))
    })
}

/// Compresses `$data` in one of `none`, `zlib`, `gzip`, `deflate`, `br`; `$level` -1 is
/// each format's default (zlib's default level gives the `78 9c` header old agents need).
///
/// @param `string` $data the bytes to compress
/// @param `string` $encoding `'none'`, `'zlib'`, `'gzip'`, `'deflate'` or `'br'`
/// @param `int` $level the format's compression level, -1 for its default
/// @return `string` the compressed bytes
/// @throws `\ValueError` for an unknown encoding or a level the format does not have
#[php_function]
#[php(name = "GlpiAgentProtocol\\compress")]
#[php(defaults(level = -1))]
pub fn compress(data: BinarySlice<u8>, encoding: &str, level: i64) -> PhpResult<Binary<u8>> {
    let c = self::encoding(encoding).php()?;
    let level = i32::try_from(level)
        .map_err(|_| UsageError::new("level out of range"))
        .php()?;
    compression::compress(&data, c, level)
        .php()
        .map(Binary::from)
}

/// Decompresses `$data`, bounded: more than `$max_bytes` of output (0: the INI default)
/// or an absurd compression ratio throws a 413 `ProtocolException` early.
///
/// @param `string` $data the compressed bytes
/// @param `string` $encoding `'none'`, `'zlib'`, `'gzip'`, `'deflate'` or `'br'`
/// @param `int` $max_bytes the most output accepted; 0 for `glpi_agent_protocol.max_decoded_bytes`
/// @return `string` the decompressed bytes
/// @throws `\GlpiAgentProtocol\ProtocolException` 413 `payload too large` or `compression ratio
///   too high`; 400 `corrupt compressed data` or `truncated compressed data`
/// @throws `\ValueError` for an unknown encoding or a negative `$max_bytes`
#[php_function]
#[php(name = "GlpiAgentProtocol\\decompress")]
#[php(defaults(max_bytes = 0))]
pub fn decompress(data: BinarySlice<u8>, encoding: &str, max_bytes: i64) -> PhpResult<Binary<u8>> {
    let c = self::encoding(encoding).php()?;
    let mut limits = super::ini::limits();
    match max_bytes {
        0 => {}
        n if n > 0 => limits.max_decoded_bytes = n as u64,
        _ => {
            return Err(UsageError::new(
                "max_bytes must be 0 (the INI default) or positive",
            ))
            .php()
        }
    }
    compression::decompress(&data, c, &limits)
        .php()
        .map(Binary::from)
}

/// The content type to answer with, from the request's `Accept` (RFC 7231) and its own
/// content type (mirrored when there is no `Accept`).
///
/// @param `string|null` $accept the request's `Accept` header, null when it has none
/// @param `string|null` $content_type the request's `Content-Type`, null when it has none
/// @return `string` a content type this extension can answer in
/// @throws `\GlpiAgentProtocol\ProtocolException` 406 `not acceptable` when `Accept` rules out
///   every type the protocol answers in
#[php_function]
#[php(name = "GlpiAgentProtocol\\negotiate")]
#[php(defaults(content_type = None))]
pub fn negotiate(accept: Option<&str>, content_type: Option<&str>) -> PhpResult<String> {
    accept::negotiate_for_content_type(accept, content_type)
        .map(|a| a.content_type.to_owned())
        .php()
}

/// Seconds in a delay definition (spec 3.3.2): `"1d"`, `"30s"`, `"24"` or `24` (hours).
/// The engine-level type is `mixed`; any other type than string or int is a `\ValueError`.
///
/// @param `string|int` $delay a positive integer with an optional unit `s`, `m`, `h` or `d`
///   (none: hours), or an int of hours
/// @return `positive-int` the delay in seconds
/// @throws `\ValueError` for anything that is not a positive delay
#[php_function]
#[php(name = "GlpiAgentProtocol\\parse_expiration")]
pub fn parse_expiration(delay: &Zval) -> PhpResult<i64> {
    let seconds = if delay.is_long() {
        expiration::expiration_from_hours(delay.long().unwrap_or_default())
    } else if let Some(s) = delay.str().filter(|_| delay.is_string()) {
        expiration::parse_expiration(s)
    } else {
        return Err(UsageError::new(
            "a delay is a string such as \"1d\" or an int of hours",
        ))
        .php();
    };
    seconds
        .map(|s| s as i64)
        .map_err(|_| {
            UsageError::new(
                "not a positive delay: a positive integer with an optional unit s, m, h or d",
            )
        })
        .php()
}

/// The shortest exact delay definition for `$seconds` (`86400` is `"1d"`); 0 and negative
/// values are refused, since agents reject an expiration of 0.
///
/// @param `int` $seconds a positive number of seconds
/// @return `non-empty-string` a delay such as `"1d"`, `"90m"` or `"45s"`
/// @throws `\ValueError` for 0, a negative `$seconds`, or one past the longest delay allowed
#[php_function]
#[php(name = "GlpiAgentProtocol\\format_expiration")]
pub fn format_expiration(seconds: i64) -> PhpResult<String> {
    let s = u64::try_from(seconds)
        .map_err(|_| UsageError::new("seconds must be positive"))
        .php()?;
    expiration::format_expiration(s).php()
}

/// Checks an `Authorization: Basic` header in constant time. Strings are bytes: a header
/// that is not UTF-8 is wrong credentials, not a `TypeError`.
///
/// @param `string|null` $authorization_header the request's `Authorization` header, or null
/// @param `string` $login the expected login
/// @param `string` $password the expected password
/// @return `bool` whether the header carries exactly these credentials
#[php_function]
#[php(name = "GlpiAgentProtocol\\check_basic_auth")]
pub fn check_basic_auth(
    authorization_header: Option<BinarySlice<u8>>,
    login: BinarySlice<u8>,
    password: BinarySlice<u8>,
) -> bool {
    auth::check_basic_auth_bytes(authorization_header.as_deref().copied(), &login, &password)
}

/// 128 bits from the OS CSPRNG, written as a UUID string: a REGISTER token.
///
/// @return `non-empty-string` the token, 36 characters (lower-case hex and dashes)
/// @throws `\Random\RandomException` when the operating system's random generator fails
#[php_function]
#[php(name = "GlpiAgentProtocol\\generate_token")]
pub fn generate_token() -> PhpResult<String> {
    secret::generate_token()
        .map(|t| t.as_str().to_owned())
        .map_err(|_| random_error())
}

/// RFC 3394 AES key wrap of `$key` under `$kek` (16, 24 or 32 bytes).
///
/// @param `string` $key the key to wrap: raw bytes, a multiple of 8 bytes, at least 16
/// @param `string` $kek the key-encryption key: 16, 24 or 32 raw bytes
/// @return `string` the wrapped key, 8 bytes longer than `$key`
/// @throws `\ValueError` for a key or KEK of a wrong length
#[php_function]
#[php(name = "GlpiAgentProtocol\\wrap_key")]
pub fn wrap_key(key: BinarySlice<u8>, kek: BinarySlice<u8>) -> PhpResult<Binary<u8>> {
    keywrap::wrap_key(&key, &kek).php().map(Binary::from)
}

/// RFC 3394 unwrap; a wrong KEK or altered input throws `decryption failed`.
///
/// @param `string` $wrapped what `wrap_key()` returned
/// @param `string` $kek the key-encryption key it was wrapped under: 16, 24 or 32 raw bytes
/// @return `string` the key
/// @throws `\GlpiAgentProtocol\ProtocolException` `decryption failed` for a wrong KEK or
///   altered input
/// @throws `\ValueError` for a KEK or wrapped key of a wrong length
#[php_function]
#[php(name = "GlpiAgentProtocol\\unwrap_key")]
pub fn unwrap_key(wrapped: BinarySlice<u8>, kek: BinarySlice<u8>) -> PhpResult<Binary<u8>> {
    keywrap::unwrap_key(&wrapped, &kek)
        .php()
        .map(|k| Binary::from(k.to_vec()))
}

/// `json_decode($json, $assoc, $depth)` with the same result, faster; errors throw a
/// `ProtocolException`. `$invalid_utf8` is `'error'` or `'substitute'` (as
/// `JSON_INVALID_UTF8_SUBSTITUTE`).
///
/// @param `string` $json the JSON text
/// @param `bool` $assoc objects as arrays, as `json_decode`'s `$associative`
/// @param `positive-int` $depth the deepest nesting accepted, as `json_decode`'s `$depth`
/// @param `'error'|'substitute'` $invalid_utf8 refuse invalid UTF-8, or replace it with U+FFFD
/// @return `array<array-key, mixed>|object|string|int|float|bool|null` the decoded value
/// @throws `\GlpiAgentProtocol\ProtocolException` 400 `malformed json`, `json too deep` or
///   `invalid utf-8`; 413 for a document past the limits
/// @throws `\ValueError` for a `$depth` or `$invalid_utf8` that `json_decode` would refuse
#[php_function]
#[php(name = "GlpiAgentProtocol\\decode_json")]
#[php(defaults(assoc = false, depth = 512, invalid_utf8 = String::from("error")))]
pub fn decode_json(
    json: BinarySlice<u8>,
    assoc: bool,
    depth: i64,
    invalid_utf8: String,
) -> PhpResult<Zval> {
    // The same argument checks as json_decode's.
    if depth <= 0 {
        return Err(UsageError::new(
            "GlpiAgentProtocol\\decode_json(): Argument #3 ($depth) must be greater than 0",
        ))
        .php();
    }
    let Some(max_depth) = u32::try_from(depth).ok().filter(|&d| d <= i32::MAX as u32) else {
        return Err(UsageError::new(
            "GlpiAgentProtocol\\decode_json(): Argument #3 ($depth) must be less than 2147483647",
        ))
        .php();
    };
    let Some(invalid_utf8) = InvalidUtf8::parse(&invalid_utf8) else {
        return Err(UsageError::new(
            "GlpiAgentProtocol\\decode_json(): Argument #4 ($invalid_utf8) must be \"error\" or \"substitute\"",
        ))
        .php();
    };
    let limits = Limits {
        max_depth,
        invalid_utf8,
        ..super::ini::limits()
    };
    super::json::decode_to_zval(&json, assoc, &limits).php()
}

/// Adds every function of this module to the extension.
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(compress))
        .function(wrap_function!(decompress))
        .function(wrap_function!(negotiate))
        .function(wrap_function!(parse_expiration))
        .function(wrap_function!(format_expiration))
        .function(wrap_function!(check_basic_auth))
        .function(wrap_function!(generate_token))
        .function(wrap_function!(wrap_key))
        .function(wrap_function!(unwrap_key))
        .function(wrap_function!(decode_json))
}
