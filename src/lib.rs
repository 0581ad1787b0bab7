//! Native core of the GLPI Agent protocol
//! (`glpi-agent-json-protocol`, release 1.0): bounded request decoding, answer
//! encoding, header parsing and the REGISTER cryptography.
//!
//! Everything outside the `php` module is plain Rust with no PHP types, so `cargo test
//! --no-default-features` exercises the whole protocol without a PHP runtime.
//! The `php` feature (on by default) adds the binding layer that makes the crate
//! a PHP extension.

pub mod accept;
pub mod auth;
pub mod compression;
pub mod content_type;
pub mod converter;
pub mod envelope;
pub mod error;
pub mod expiration;
mod gcm;
pub mod headers;
pub mod http_answer;
pub mod json;
pub mod keywrap;
pub mod limits;
pub mod media_type;
pub mod message;
pub mod register;
pub mod request;
pub mod schema;
pub mod secret;
pub mod uuid;
pub mod x509;
pub mod xml;

/// Content encodings a request body may use, as listed by `phpinfo()`.
pub const SUPPORTED_ENCODINGS: &str =
    "json, xml, zlib (RFC 1950), gzip (RFC 1952), deflate (RFC 1951), brotli (RFC 7932, built in)";

pub use crate::uuid::{AgentId, Uuid};
pub use compression::Compression;
pub use error::{Error, ProtocolError, UsageError};
pub use limits::Limits;

#[cfg(test)]
pub(crate) mod test_support;

#[cfg(feature = "php")]
pub mod php;
