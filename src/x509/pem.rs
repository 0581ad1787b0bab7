//! The text armour around certificates, requests and keys, as web servers and files
//! hand them over: PEM (RFC 7468), PEM URL-escaped (nginx `$ssl_client_escaped_cert`),
//! PEM with its line breaks turned into spaces or tab-indented (a header, nginx's older
//! `$ssl_client_cert`), or bare DER.

use base64::Engine;
use zeroize::Zeroizing;

use crate::error::{ProtocolError, UsageError};

/// A DER value starts with a SEQUENCE tag: anything else is taken for text.
const SEQUENCE: u8 = 0x30;

pub(crate) fn certificate_der(text: &[u8], max_bytes: usize) -> Result<Vec<u8>, ProtocolError> {
    if text.len() > max_bytes {
        return Err(ProtocolError::BadCertificate);
    }
    der(text, &["CERTIFICATE"]).ok_or(ProtocolError::BadCertificate)
}

pub(crate) fn csr_der(text: &[u8], max_bytes: usize) -> Result<Vec<u8>, ProtocolError> {
    if text.len() > max_bytes {
        return Err(ProtocolError::BadCsr);
    }
    der(text, &["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"]).ok_or(ProtocolError::BadCsr)
}

/// A PKCS#8 private key in PEM or DER, kept in memory that is wiped when dropped.
pub(crate) fn private_key_der(text: &[u8]) -> Result<Zeroizing<Vec<u8>>, UsageError> {
    let bad = || UsageError::new("the CA key is not a PKCS#8 (\"PRIVATE KEY\") PEM or DER key");
    if text.first() == Some(&SEQUENCE) {
        return Ok(Zeroizing::new(text.to_vec()));
    }
    let body = armoured_body(text, &["PRIVATE KEY"]).ok_or_else(bad)?;
    let compact: Zeroizing<Vec<u8>> = Zeroizing::new(
        body.iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect(),
    );
    let mut out = Zeroizing::new(Vec::with_capacity(compact.len()));
    base64::engine::general_purpose::STANDARD
        .decode_vec(&compact[..], &mut out)
        .map_err(|_| bad())?;
    Ok(out)
}

fn der(text: &[u8], labels: &[&str]) -> Option<Vec<u8>> {
    if text.first() == Some(&SEQUENCE) {
        return Some(text.to_vec());
    }
    let unescaped;
    let text = if text.contains(&b'%') {
        unescaped = percent_decode(text)?;
        &unescaped[..]
    } else {
        text
    };
    let body = armoured_body(text, labels)?;
    let compact: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()?;
    (der.first() == Some(&SEQUENCE)).then_some(der)
}

/// The text between the first `-----BEGIN <label>-----` of one of `labels` and its
/// matching END line. Headers (RFC 1421 `Proc-Type:`) are not PEM of RFC 7468 and make
/// the base64 fail.
fn armoured_body<'a>(text: &'a [u8], labels: &[&str]) -> Option<&'a [u8]> {
    for label in labels {
        let begin = format!("-----BEGIN {label}-----");
        let end = format!("-----END {label}-----");
        if let Some(start) = find(text, begin.as_bytes()) {
            let rest = &text[start + begin.len()..];
            let stop = find(rest, end.as_bytes())?;
            return Some(&rest[..stop]);
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Strict percent-decoding: `%` must be followed by two hex digits. `+` stays `+`: it is
/// a base64 digit, and nginx escapes it as `%2B` anyway.
fn percent_decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'%' {
            let hi = hex_digit(*text.get(i + 1)?)?;
            let lo = hex_digit(*text.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    Some(out)
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEM: &str = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n";

    #[test]
    fn forms_web_servers_pass() {
        let der = vec![0x30, 0x03, 0x02, 0x01, 0x01];
        let escaped = "-----BEGIN%20CERTIFICATE-----%0AMAMCAQE%3D%0A-----END%20CERTIFICATE-----%0A";
        let spaced = "-----BEGIN CERTIFICATE----- MAMCAQE= -----END CERTIFICATE-----";
        let tabbed = "-----BEGIN CERTIFICATE-----\n\tMAMCAQE=\n\t-----END CERTIFICATE-----";
        for text in [PEM, escaped, spaced, tabbed] {
            assert_eq!(
                certificate_der(text.as_bytes(), 1000),
                Ok(der.clone()),
                "{text}"
            );
        }
        assert_eq!(certificate_der(&der, 1000), Ok(der.clone()));
    }

    #[test]
    fn refusals() {
        let bad = Err(ProtocolError::BadCertificate);
        for text in [
            "",
            "MAMCAQE=",
            "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n",
            "-----BEGIN CERTIFICATE-----\nMAMCAQ!=\n-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----%zz-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----%0-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----",
            "-----BEGIN PRIVATE KEY-----\nMAMCAQE=\n-----END PRIVATE KEY-----",
        ] {
            assert_eq!(certificate_der(text.as_bytes(), 1000), bad, "{text:?}");
        }
        assert_eq!(certificate_der(PEM.as_bytes(), PEM.len() - 1), bad);
        assert_eq!(
            csr_der(PEM.as_bytes(), 1000),
            Err(ProtocolError::BadCsr),
            "a certificate is not a request"
        );
    }
}
