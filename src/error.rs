//! Everything a remote party can cause, with the HTTP status and the error token
//! that the GLPI agent protocol (chapter 3.3.3, "Error answers") sends back for it.
//!
//! Misuse by the calling code (a key of the wrong length, an unknown option) is not a
//! `ProtocolError`: it is a [`UsageError`], which the PHP layer raises as `\ValueError`.
//!
//! Messages never carry secret material: variants hold only public facts (sizes,
//! names of encodings, positions).

use std::fmt;

/// Declares [`ProtocolError`] from one table (variant, fields, HTTP status, token), so that
/// a variant cannot exist without its status, its token and its place in
/// [`ProtocolError::all`].
macro_rules! protocol_errors {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident $({ $($field:ident : $ty:ty),* $(,)? })? => $status:literal, $token:literal;
    )*) => {
        /// An error caused by what a peer sent. Each variant maps to one HTTP status and one
        /// spec-style token; [`ProtocolError::detail`] adds a human-readable explanation.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum ProtocolError {
            $(
                $(#[doc = $doc])*
                $name $({ $(#[allow(missing_docs)] $field: $ty),* })?,
            )*
        }

        impl ProtocolError {
            /// The HTTP status to answer with.
            pub fn http_status(&self) -> u16 {
                match self {
                    $(ProtocolError::$name { .. } => $status,)*
                }
            }

            /// The error token sent as the answer's `message`. The spec's own tokens are
            /// used where it names one; the others follow their style (short, lower case).
            pub fn token(&self) -> &'static str {
                match self {
                    $(ProtocolError::$name { .. } => $token,)*
                }
            }

            /// The variant's name, e.g. `UnsupportedContentType`.
            pub fn name(&self) -> &'static str {
                match self {
                    $(ProtocolError::$name { .. } => stringify!($name),)*
                }
            }

            /// Every variant once (fields zero), for tables (README, PHP class constants,
            /// tests) that must list them all.
            pub fn all() -> Vec<ProtocolError> {
                vec![$(ProtocolError::$name $({ $($field: <$ty>::default()),* })?,)*]
            }
        }
    };
}

protocol_errors! {
    /// The `Content-Type` names no encoding this implementation reads.
    UnsupportedContentType => 415, "unsupported content-type";
    /// No content type in `Accept` can be answered with.
    NotAcceptable => 406, "not acceptable";
    /// The body decodes to more bytes than the configured cap.
    PayloadTooLarge { limit: u64 } => 413, "payload too large";
    /// The JSON message holds more values (keys included) than the configured maximum.
    TooManyValues { limit: u64 } => 413, "too many values";
    /// The PHP values of the message would need more memory than the request has left
    /// under `memory_limit`: refused before building any, instead of PHP's fatal error.
    OverMemoryLimit { needed: u64, available: u64 } => 413, "values exceed memory limit";
    /// The compressed stream expands faster than any real inventory does.
    CompressionRatio { limit: u32 } => 413, "compression ratio too high";
    /// The compressed stream is damaged (bad header, bad checksum, invalid codes).
    CorruptCompressedData => 400, "corrupt compressed data";
    /// The compressed stream stops before its end marker.
    TruncatedCompressedData => 400, "truncated compressed data";
    /// The JSON text is not valid JSON.
    MalformedJson { offset: usize } => 400, "malformed json";
    /// The JSON text nests deeper than the configured depth.
    JsonTooDeep { limit: u32 } => 400, "json too deep";
    /// The JSON text holds bytes that are not UTF-8: inside a string (when substitution
    /// was not asked for) or anywhere else, as `json_decode` reports `JSON_ERROR_UTF8`.
    InvalidUtf8 { offset: usize } => 400, "invalid utf-8";
    /// A JSON object key that PHP refuses as a property name (it starts with NUL).
    InvalidPropertyName => 400, "invalid property name";
    /// The XML document is not well-formed, declares a DTD, or has an unknown encoding.
    MalformedXml => 400, "malformed xml";
    /// A message lacks a mandatory field or has one of the wrong type.
    BadFormat => 400, "bad-format";
    /// `GLPI-Agent-ID` is missing where required or is not a UUID.
    BadAgentId => 400, "bad agent id";
    /// `GLPI-CryptoKey-ID` is not a UUID.
    BadCryptoKeyId => 400, "bad cryptokey id";
    /// `GLPI-Proxy-ID` is not a comma list of UUIDs.
    BadProxyId => 400, "bad proxy id";
    /// The proxy chain already holds this proxy's own id (spec 3.2.7).
    ProxyLoopDetected => 404, "proxy-loop-detected";
    /// The proxy chain is at its configured maximum (spec 3.2.7).
    TooManyProxy => 404, "too-many-proxy";
    /// Credentials are missing or wrong (answered with `WWW-Authenticate`).
    Unauthorized => 401, "unauthorized";
    /// The party is known and refused: revoked token, tag mismatch, rejected agent.
    Forbidden => 403, "forbidden";
    /// The server cannot take the request now; the agent keeps its data and retries.
    BusyServer => 503, "busy server";
    /// A REGISTER challenge answer is wrong, replayed or too old (spec 6.2.3).
    ChallengeFailed => 403, "challenge failed";
    /// A REGISTER challenge targets another agent id (spec 6.2.2): a proxy keeps it.
    ChallengeForAnotherAgent => 409, "challenge for another agent";
    /// An encrypted body was sent without a key to read it, or with an unknown key id.
    UnknownCryptoKey => 403, "unknown cryptokey";
    /// The agent is registered and must encrypt, but sent a plain body.
    EncryptionRequired => 403, "encryption required";
    /// An encrypted message fails authentication (wrong key, tampered, bad layout).
    DecryptionFailed => 400, "decryption failed";
    /// An encrypted message was seen before.
    ReplayedMessage => 400, "replayed message";
    /// An encrypted message is outside the freshness window.
    StaleMessage => 400, "stale message";
    /// The session key has expired: the agent must register again.
    KeyExpired => 403, "key expired";
    /// The HTTP method is not one the protocol uses.
    MethodNotAllowed => 405, "method not allowed";
    /// The action is not one this server implements.
    UnsupportedAction => 501, "unsupported action";
    /// A client certificate that is not a PEM (or URL-escaped PEM) X.509 certificate.
    BadCertificate => 400, "bad certificate";
    /// The endpoint requires a client certificate and none was presented.
    CertificateRequired => 403, "certificate required";
    /// The client certificate was not issued (and signed) by the configured CA.
    UnknownCertificateAuthority => 403, "unknown certificate authority";
    /// The client certificate is past its `notAfter`.
    CertificateExpired => 403, "certificate expired";
    /// The client certificate is before its `notBefore`.
    CertificateNotYetValid => 403, "certificate not yet valid";
    /// The client certificate's serial is on the revocation list.
    CertificateRevoked => 403, "certificate revoked";
    /// The certificate is a CA, or its extended key usage excludes client authentication,
    /// or its subject names no agent id.
    CertificateNotForClients => 403, "certificate not for clients";
    /// A subject field is outside the configured restrictions (`cn`, `ou`, `o`, `email`).
    CertificateSubjectRefused => 403, "certificate subject refused";
    /// The certificate's agent id is not the request's `GLPI-Agent-ID`.
    CertificateAgentMismatch => 403, "certificate agent mismatch";
    /// A certificate signing request that is not a PEM or DER PKCS#10 request.
    BadCsr => 400, "bad csr";
    /// The request's signature does not verify under its own key (or uses SHA-1).
    CsrSignatureInvalid => 400, "csr signature invalid";
    /// The request's key is of a type or size this CA does not certify.
    CsrKeyRefused => 400, "csr key refused";
}

impl ProtocolError {
    /// The name of the PHP class constant holding the token: the variant's name in upper
    /// snake case (`UnsupportedContentType` is `UNSUPPORTED_CONTENT_TYPE`).
    pub fn constant_name(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.name().chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
        }
        out
    }

    /// A sentence for logs and exception messages: the token plus the public facts.
    pub fn detail(&self) -> String {
        use ProtocolError::*;
        match self {
            PayloadTooLarge { limit } => format!("decoded body exceeds the limit of {limit} bytes"),
            TooManyValues { limit } => format!("json holds more than {limit} values"),
            OverMemoryLimit { needed, available } => format!(
                "json values would need about {needed} bytes of PHP memory, memory_limit leaves {available}"
            ),
            CompressionRatio { limit } => {
                format!("compressed body expands more than {limit} times its size")
            }
            MalformedJson { offset } => format!("malformed json at byte {offset}"),
            JsonTooDeep { limit } => format!("json nests deeper than {limit} levels"),
            InvalidUtf8 { offset } => format!("invalid utf-8 in json at byte {offset}"),
            InvalidPropertyName => {
                "a json object key starts with a NUL byte, which PHP refuses as a property name"
                    .into()
            }
            other => other.token().to_string(),
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail())
    }
}

impl std::error::Error for ProtocolError {}

/// Wrong use by the calling code, not by a peer: raised in PHP as `\ValueError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl UsageError {
    /// A usage error with the message PHP's `\ValueError` will carry.
    pub fn new(message: impl Into<String>) -> Self {
        UsageError(message.into())
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Either side of the split, for operations that can fail both ways.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The peer's fault: answered with the error's HTTP status and token.
    Protocol(ProtocolError),
    /// The calling code's fault: raised in PHP as `\ValueError`.
    Usage(UsageError),
    /// The OS random generator failed while making a secret: neither side's fault,
    /// and never papered over with a weaker source.
    Rng(crate::secret::RngError),
}

impl From<ProtocolError> for Error {
    fn from(e: ProtocolError) -> Self {
        Error::Protocol(e)
    }
}

impl From<UsageError> for Error {
    fn from(e: UsageError) -> Self {
        Error::Usage(e)
    }
}

impl From<crate::secret::RngError> for Error {
    fn from(e: crate::secret::RngError) -> Self {
        Error::Rng(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Protocol(e) => e.fmt(f),
            Error::Usage(e) => e.fmt(f),
            Error::Rng(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_is_a_client_or_server_error() {
        for e in ProtocolError::all() {
            let s = e.http_status();
            assert!((400..600).contains(&s), "{e:?} has status {s}");
        }
    }

    #[test]
    fn tokens_are_distinct_short_and_lower_case() {
        let all = ProtocolError::all();
        let mut seen = std::collections::HashSet::new();
        for e in &all {
            let t = e.token();
            assert!(seen.insert(t), "token {t} used twice");
            assert_eq!(t, t.to_lowercase());
            assert!(t.len() <= 32);
        }
    }

    #[test]
    fn constant_names_are_distinct_php_identifiers() {
        let mut seen = std::collections::HashSet::new();
        for e in ProtocolError::all() {
            let c = e.constant_name();
            assert!(
                c.chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_')
                    && !c.starts_with('_'),
                "{c}"
            );
            assert!(seen.insert(c.clone()), "constant {c} twice");
        }
        assert_eq!(
            ProtocolError::UnsupportedContentType.constant_name(),
            "UNSUPPORTED_CONTENT_TYPE"
        );
        assert_eq!(
            ProtocolError::InvalidUtf8 { offset: 1 }.constant_name(),
            "INVALID_UTF8"
        );
        assert_eq!(ProtocolError::BadCsr.constant_name(), "BAD_CSR");
    }

    #[test]
    fn spec_tokens_keep_their_spelling_and_status() {
        assert_eq!(
            ProtocolError::UnsupportedContentType.token(),
            "unsupported content-type"
        );
        assert_eq!(ProtocolError::UnsupportedContentType.http_status(), 415);
        assert_eq!(
            ProtocolError::MalformedJson { offset: 3 }.token(),
            "malformed json"
        );
        assert_eq!(
            ProtocolError::ProxyLoopDetected.token(),
            "proxy-loop-detected"
        );
        assert_eq!(ProtocolError::ProxyLoopDetected.http_status(), 404);
        assert_eq!(ProtocolError::TooManyProxy.token(), "too-many-proxy");
        assert_eq!(ProtocolError::TooManyProxy.http_status(), 404);
        assert_eq!(ProtocolError::BadFormat.token(), "bad-format");
        assert_eq!(ProtocolError::ChallengeFailed.token(), "challenge failed");
        assert_eq!(ProtocolError::BusyServer.token(), "busy server");
        assert_eq!(ProtocolError::Forbidden.token(), "forbidden");
    }
}

#[cfg(test)]
mod readme {
    use super::ProtocolError;

    /// The README's error table is what PHP users read: it must list every token with
    /// the status the code answers.
    #[test]
    fn readme_error_table_matches_the_code() {
        let readme = include_str!("../README.md");
        let table = readme
            .split("<!-- errors:begin")
            .nth(1)
            .and_then(|rest| rest.split("<!-- errors:end -->").next())
            .expect("README has the errors table markers");
        let rows: Vec<(u16, String)> = table
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let status = cells.get(1)?.parse().ok()?;
                Some((status, cells.get(2)?.trim_matches('`').to_string()))
            })
            .collect();
        for e in ProtocolError::all() {
            assert!(
                rows.contains(&(e.http_status(), e.token().to_string())),
                "README lacks `{}` with status {}",
                e.token(),
                e.http_status()
            );
        }
        assert_eq!(
            rows.len(),
            ProtocolError::all().len(),
            "README lists tokens the code does not have"
        );
    }
}
