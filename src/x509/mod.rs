//! Client certificates for agents: a CA the operator creates, certificates issued from
//! the agents' PKCS#10 requests, and the check of a certificate a web server passes on
//! after TLS client authentication.
//!
//! This serves three schemes that no GLPI server makes usable: the client certificate
//! authentication of GLPI's guide to securing agent exchanges (the agent's
//! `ssl-cert-file`), an enrollment in the style of Flyve MDM (a token and a CSR in, a
//! certificate out) and subject restrictions in the style of ITSM-NG's
//! `x509_*_restrict`. The server certificate's fingerprint is written as glpi-agent's
//! `ssl-fingerprint` option takes it.
//!
//! Parsing and signature checks are x509-parser's (with ring), building and signing
//! rcgen's; this module decides what is accepted and what goes in a certificate.

mod csr;
mod issue;
mod pem;
mod verify;

#[cfg(test)]
mod tests;

pub use csr::{check_csr, CheckedCsr, KeyType};
pub use issue::{create_ca, issue, CaAlgorithm, IssueRequest, Issued, NewCa};
pub use verify::{normalize_serial, verify_client, ClientIdentity, Restrictions, VerifyOptions};

use crate::error::{ProtocolError, UsageError};

/// Digests glpi-agent's `ssl-fingerprint` (IO::Socket::SSL) accepts, with the names it
/// writes before the `$`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FingerprintAlgorithm {
    /// SHA-1, for older agent configurations only.
    Sha1,
    /// SHA-256, what the certificates made here report.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl FingerprintAlgorithm {
    /// Reads the name before the `$` (`sha1`, `sha256`, `sha384`, `sha512`, any case); None for
    /// any other digest.
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "sha1" => Some(Self::Sha1),
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }

    /// The lower-case name written before the `$`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    fn ring(self) -> &'static ring::digest::Algorithm {
        match self {
            // A fingerprint names a certificate the operator already trusts; SHA-1 is
            // offered only because older agent configurations use it.
            Self::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            Self::Sha256 => &ring::digest::SHA256,
            Self::Sha384 => &ring::digest::SHA384,
            Self::Sha512 => &ring::digest::SHA512,
        }
    }
}

/// The fingerprint of a DER certificate as IO::Socket::SSL writes it: `algo$hex`, lower
/// case without separators (glpi-agent ignores case and colons when it compares).
pub fn fingerprint_der(der: &[u8], algorithm: FingerprintAlgorithm) -> String {
    let digest = ring::digest::digest(algorithm.ring(), der);
    format!("{}${}", algorithm.name(), hex(digest.as_ref()))
}

/// [`fingerprint_der`] of a certificate given as PEM (or DER, or URL-escaped PEM).
/// The certificate must parse: a fingerprint of garbage would configure agents to
/// trust nothing.
pub fn fingerprint(
    certificate: &[u8],
    algorithm: FingerprintAlgorithm,
    max_bytes: usize,
) -> Result<String, ProtocolError> {
    let der = pem::certificate_der(certificate, max_bytes)?;
    verify::parse_certificate(&der)?;
    Ok(fingerprint_der(&der, algorithm))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The operator's own files (CA certificate) are not bounded by the limit on what peers
/// send, only by this sanity cap.
const OPERATOR_FILE_MAX_BYTES: usize = 1 << 20;

/// Reads the operator's CA certificate (PEM or DER). A broken one is a configuration
/// error, not the peer's fault.
pub(crate) fn ca_der(ca_certificate: &[u8]) -> Result<Vec<u8>, UsageError> {
    let der = pem::certificate_der(ca_certificate, OPERATOR_FILE_MAX_BYTES)
        .map_err(|_| UsageError::new("the CA certificate is not a PEM or DER certificate"))?;
    let (_, parsed) = x509_parser::parse_x509_certificate(&der)
        .map_err(|_| UsageError::new("the CA certificate does not parse"))?;
    if !parsed.is_ca() {
        return Err(UsageError::new(
            "the CA certificate has no basicConstraints CA:TRUE",
        ));
    }
    Ok(der)
}
