//! Everything a remote party can cause, with the HTTP status and the error token
//! that the GLPI agent protocol (chapter 3.3.3, "Error answers") sends back for it.
//!
//! Misuse by the calling code (a key of the wrong length, an unknown option) is not a
//! `ProtocolError`: it is a [`UsageError`], which the PHP layer raises as `\ValueError`.
//!
//! Messages never carry secret material: variants hold only public facts (sizes,
//! names of encodings, positions).

use std::fmt;

/// An error caused by what a peer sent. Each variant maps to one HTTP status and one
/// spec-style token; [`ProtocolError::detail`] adds a human-readable explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The `Content-Type` names no encoding this implementation reads.
    UnsupportedContentType,
    /// No content type in `Accept` can be answered with.
    NotAcceptable,
    /// The body decodes to more bytes than the configured cap.
    PayloadTooLarge { limit: u64 },
    /// The JSON message holds more values (keys included) than the configured maximum.
    TooManyValues { limit: u64 },
    /// The PHP values of the message would need more memory than the request has left
    /// under `memory_limit`: refused before building any, instead of PHP's fatal error.
    OverMemoryLimit { needed: u64, available: u64 },
    /// The compressed stream expands faster than any real inventory does.
    CompressionRatio { limit: u32 },
    /// The compressed stream is damaged (bad header, bad checksum, invalid codes).
    CorruptCompressedData,
    /// The compressed stream stops before its end marker.
    TruncatedCompressedData,
    /// The JSON text is not valid JSON.
    MalformedJson { offset: usize },
    /// The JSON text nests deeper than the configured depth.
    JsonTooDeep { limit: u32 },
    /// The JSON text holds bytes that are not UTF-8: inside a string (when substitution
    /// was not asked for) or anywhere else, as `json_decode` reports `JSON_ERROR_UTF8`.
    InvalidUtf8 { offset: usize },
    /// A JSON object key that PHP refuses as a property name (it starts with NUL).
    InvalidPropertyName,
    /// The XML document is not well-formed, declares a DTD, or has an unknown encoding.
    MalformedXml,
    /// A message lacks a mandatory field or has one of the wrong type.
    BadFormat,
    /// `GLPI-Agent-ID` is missing where required or is not a UUID.
    BadAgentId,
    /// `GLPI-CryptoKey-ID` is not a UUID.
    BadCryptoKeyId,
    /// `GLPI-Proxy-ID` is not a comma list of UUIDs.
    BadProxyId,
    /// The proxy chain already holds this proxy's own id (spec 3.2.7).
    ProxyLoopDetected,
    /// The proxy chain is at its configured maximum (spec 3.2.7).
    TooManyProxy,
    /// Credentials are missing or wrong (answered with `WWW-Authenticate`).
    Unauthorized,
    /// The party is known and refused: revoked token, tag mismatch, rejected agent.
    Forbidden,
    /// The server cannot take the request now; the agent keeps its data and retries.
    BusyServer,
    /// A REGISTER challenge answer is wrong, replayed or too old (spec 6.2.3).
    ChallengeFailed,
    /// A REGISTER challenge targets another agent id (spec 6.2.2): a proxy keeps it.
    ChallengeForAnotherAgent,
    /// An encrypted body was sent without a key to read it, or with an unknown key id.
    UnknownCryptoKey,
    /// The agent is registered and must encrypt, but sent a plain body.
    EncryptionRequired,
    /// An encrypted message fails authentication (wrong key, tampered, bad layout).
    DecryptionFailed,
    /// An encrypted message was seen before.
    ReplayedMessage,
    /// An encrypted message is outside the freshness window.
    StaleMessage,
    /// The session key has expired: the agent must register again.
    KeyExpired,
    /// The HTTP method is not one the protocol uses.
    MethodNotAllowed,
    /// The action is not one this server implements.
    UnsupportedAction,
    /// A client certificate that is not a PEM (or URL-escaped PEM) X.509 certificate.
    BadCertificate,
    /// The endpoint requires a client certificate and none was presented.
    CertificateRequired,
    /// The client certificate was not issued (and signed) by the configured CA.
    UnknownCertificateAuthority,
    /// The client certificate is past its `notAfter`.
    CertificateExpired,
    /// The client certificate is before its `notBefore`.
    CertificateNotYetValid,
    /// The client certificate's serial is on the revocation list.
    CertificateRevoked,
    /// The certificate is a CA, or its extended key usage excludes client authentication,
    /// or its subject names no agent id.
    CertificateNotForClients,
    /// A subject field is outside the configured restrictions (`cn`, `ou`, `o`, `email`).
    CertificateSubjectRefused,
    /// The certificate's agent id is not the request's `GLPI-Agent-ID`.
    CertificateAgentMismatch,
    /// A certificate signing request that is not a PEM or DER PKCS#10 request.
    BadCsr,
    /// The request's signature does not verify under its own key (or uses SHA-1).
    CsrSignatureInvalid,
    /// The request's key is of a type or size this CA does not certify.
    CsrKeyRefused,
}

impl ProtocolError {
    /// The HTTP status to answer with.
    pub fn http_status(&self) -> u16 {
        use ProtocolError::*;
        match self {
            UnsupportedContentType => 415,
            NotAcceptable => 406,
            PayloadTooLarge { .. }
            | CompressionRatio { .. }
            | TooManyValues { .. }
            | OverMemoryLimit { .. } => 413,
            CorruptCompressedData | TruncatedCompressedData => 400,
            MalformedJson { .. }
            | JsonTooDeep { .. }
            | InvalidUtf8 { .. }
            | InvalidPropertyName => 400,
            MalformedXml | BadFormat => 400,
            BadAgentId | BadCryptoKeyId | BadProxyId => 400,
            ProxyLoopDetected | TooManyProxy => 404,
            Unauthorized => 401,
            Forbidden => 403,
            BusyServer => 503,
            ChallengeFailed => 403,
            ChallengeForAnotherAgent => 409,
            UnknownCryptoKey | EncryptionRequired | KeyExpired => 403,
            DecryptionFailed | ReplayedMessage | StaleMessage => 400,
            MethodNotAllowed => 405,
            UnsupportedAction => 501,
            BadCertificate | BadCsr | CsrSignatureInvalid | CsrKeyRefused => 400,
            CertificateRequired
            | UnknownCertificateAuthority
            | CertificateExpired
            | CertificateNotYetValid
            | CertificateRevoked
            | CertificateNotForClients
            | CertificateSubjectRefused
            | CertificateAgentMismatch => 403,
        }
    }

    /// The error token sent as the answer's `message`. The spec's own tokens are used
    /// where it names one; the others follow their style (short, lower case).
    pub fn token(&self) -> &'static str {
        use ProtocolError::*;
        match self {
            UnsupportedContentType => "unsupported content-type",
            NotAcceptable => "not acceptable",
            PayloadTooLarge { .. } => "payload too large",
            OverMemoryLimit { .. } => "values exceed memory limit",
            TooManyValues { .. } => "too many values",
            CompressionRatio { .. } => "compression ratio too high",
            CorruptCompressedData => "corrupt compressed data",
            TruncatedCompressedData => "truncated compressed data",
            MalformedJson { .. } => "malformed json",
            JsonTooDeep { .. } => "json too deep",
            InvalidUtf8 { .. } => "invalid utf-8",
            InvalidPropertyName => "invalid property name",
            MalformedXml => "malformed xml",
            BadFormat => "bad-format",
            BadAgentId => "bad agent id",
            BadCryptoKeyId => "bad cryptokey id",
            BadProxyId => "bad proxy id",
            ProxyLoopDetected => "proxy-loop-detected",
            TooManyProxy => "too-many-proxy",
            Unauthorized => "unauthorized",
            Forbidden => "forbidden",
            BusyServer => "busy server",
            ChallengeFailed => "challenge failed",
            ChallengeForAnotherAgent => "challenge for another agent",
            UnknownCryptoKey => "unknown cryptokey",
            EncryptionRequired => "encryption required",
            DecryptionFailed => "decryption failed",
            ReplayedMessage => "replayed message",
            StaleMessage => "stale message",
            KeyExpired => "key expired",
            MethodNotAllowed => "method not allowed",
            UnsupportedAction => "unsupported action",
            BadCertificate => "bad certificate",
            CertificateRequired => "certificate required",
            UnknownCertificateAuthority => "unknown certificate authority",
            CertificateExpired => "certificate expired",
            CertificateNotYetValid => "certificate not yet valid",
            CertificateRevoked => "certificate revoked",
            CertificateNotForClients => "certificate not for clients",
            CertificateSubjectRefused => "certificate subject refused",
            CertificateAgentMismatch => "certificate agent mismatch",
            BadCsr => "bad csr",
            CsrSignatureInvalid => "csr signature invalid",
            CsrKeyRefused => "csr key refused",
        }
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

    /// Every variant once, for tables (README, tests) that must list them all.
    pub fn all() -> Vec<ProtocolError> {
        use ProtocolError::*;
        vec![
            UnsupportedContentType,
            NotAcceptable,
            PayloadTooLarge { limit: 0 },
            TooManyValues { limit: 0 },
            OverMemoryLimit {
                needed: 0,
                available: 0,
            },
            CompressionRatio { limit: 0 },
            CorruptCompressedData,
            TruncatedCompressedData,
            MalformedJson { offset: 0 },
            JsonTooDeep { limit: 0 },
            InvalidUtf8 { offset: 0 },
            InvalidPropertyName,
            MalformedXml,
            BadFormat,
            BadAgentId,
            BadCryptoKeyId,
            BadProxyId,
            ProxyLoopDetected,
            TooManyProxy,
            Unauthorized,
            Forbidden,
            BusyServer,
            ChallengeFailed,
            ChallengeForAnotherAgent,
            UnknownCryptoKey,
            EncryptionRequired,
            DecryptionFailed,
            ReplayedMessage,
            StaleMessage,
            KeyExpired,
            MethodNotAllowed,
            UnsupportedAction,
            BadCertificate,
            CertificateRequired,
            UnknownCertificateAuthority,
            CertificateExpired,
            CertificateNotYetValid,
            CertificateRevoked,
            CertificateNotForClients,
            CertificateSubjectRefused,
            CertificateAgentMismatch,
            BadCsr,
            CsrSignatureInvalid,
            CsrKeyRefused,
        ]
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
    Protocol(ProtocolError),
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
