//! The PHP binding layer: classes, functions, INI directives, phpinfo and the mapping
//! of core errors to PHP exceptions. No protocol logic lives here.

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::prelude::*;
use ext_php_rs::types::Zval;
use ext_php_rs::zend::ce;

use crate::limits::{InvalidUtf8, Limits};

pub(crate) mod json;

#[php_function]
#[php(name = "GlpiAgentProtocol\\version")]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// `json_decode($json, $assoc, $depth)` with the same result, faster; errors throw.
/// `$invalid_utf8` is `'error'` or `'substitute'` (as `JSON_INVALID_UTF8_SUBSTITUTE`).
#[php_function]
#[php(name = "GlpiAgentProtocol\\decode_json")]
#[php(defaults(assoc = false, depth = 512, invalid_utf8 = String::from("error")))]
pub fn decode_json(
    json: BinarySlice<u8>,
    assoc: bool,
    depth: i64,
    invalid_utf8: String,
) -> PhpResult<Zval> {
    // The same argument checks, and messages, as json_decode's.
    if depth <= 0 {
        return Err(value_error(
            "GlpiAgentProtocol\\decode_json(): Argument #3 ($depth) must be greater than 0",
        ));
    }
    let Some(max_depth) = u32::try_from(depth).ok().filter(|&d| d <= i32::MAX as u32) else {
        return Err(value_error(
            "GlpiAgentProtocol\\decode_json(): Argument #3 ($depth) must be less than 2147483647",
        ));
    };
    let Some(invalid_utf8) = InvalidUtf8::parse(&invalid_utf8) else {
        return Err(value_error(
            "GlpiAgentProtocol\\decode_json(): Argument #4 ($invalid_utf8) must be \"error\" or \"substitute\"",
        ));
    };
    let limits = Limits {
        max_depth,
        invalid_utf8,
        ..Limits::default()
    };
    json::decode_to_zval(&json, assoc, &limits)
        .map_err(|e| PhpException::new(e.detail(), i32::from(e.http_status()), ce::exception()))
}

fn value_error(message: &str) -> PhpException {
    PhpException::new(message.to_string(), 0, ce::value_error())
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(version))
        .function(wrap_function!(decode_json))
}
