//! The check of a client certificate that the web server passes on after the TLS
//! handshake (nginx `$ssl_client_escaped_cert`, Apache `SSL_CLIENT_CERT`).
//!
//! The web server is best configured not to judge the chain itself (nginx
//! `ssl_verify_client optional_no_ca`), and it knows nothing of revocation unless given
//! a CRL: this check is the one that counts. It accepts certificates issued directly by
//! the configured CA (no intermediates).

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;

use super::{ca_der, fingerprint_der, hex, pem, FingerprintAlgorithm};
use crate::error::{Error, ProtocolError};
use crate::uuid::parse_id;

/// Allowed values of subject fields, in the manner of ITSM-NG's `x509_cn_restrict`,
/// `x509_ou_restrict`, `x509_o_restrict` and its email field: an empty list allows any
/// value; otherwise the certificate must carry the field with one of the listed values
/// (compared exactly). A field the certificate repeats must match on every occurrence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restrictions {
    /// Allowed subject CNs (`x509_cn_restrict`).
    pub cn: Vec<String>,
    /// Allowed organizational units (`x509_ou_restrict`).
    pub ou: Vec<String>,
    /// Allowed organizations (`x509_o_restrict`).
    pub o: Vec<String>,
    /// Allowed e-mail addresses, from the subject's emailAddress or an rfc822Name subjectAltName.
    pub email: Vec<String>,
}

/// What [`verify_client`] checks a client certificate against, besides its CA.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Revoked serials, in any form [`normalize_serial`] reads.
    pub revoked: Vec<String>,
    /// The request's `GLPI-Agent-ID`: when set, the certificate must be that agent's.
    pub expected_agent_id: Option<String>,
    /// Which subjects are let in.
    pub restrictions: Restrictions,
    /// Unix time the validity period is judged at.
    pub now: i64,
    /// Largest certificate text read.
    pub max_bytes: usize,
}

/// What a verified certificate says about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    /// The agent id of its CN, in lower-case canonical form.
    pub agent_id: String,
    /// Its serial as [`normalize_serial`] writes it, the form revocation lists are matched in.
    pub serial: String,
    /// The subject in RFC 4514 style, for logs and the operator.
    pub subject: String,
    /// The subject's CN as written (its case may differ from `agent_id`'s).
    pub cn: Option<String>,
    /// The subject's first organizational unit, if any.
    pub ou: Option<String>,
    /// The subject's first organization, if any.
    pub o: Option<String>,
    /// The first e-mail address: the subject's emailAddress, else an rfc822Name subjectAltName.
    pub email: Option<String>,
    /// Start of the validity, seconds since the Unix epoch.
    pub not_before: i64,
    /// End of the validity, seconds since the Unix epoch.
    pub not_after: i64,
    /// `sha256$hex`.
    pub fingerprint: String,
}

/// A serial in lower-case hex without leading zero bytes; reads upper or lower case,
/// with or without colons (`openssl x509 -serial` writes `serial=0A1B...`). `None` for
/// anything that is not hex.
pub fn normalize_serial(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text.strip_prefix("serial=").unwrap_or(text);
    let digits: String = text.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let trimmed = digits.trim_start_matches('0').to_ascii_lowercase();
    let even = if trimmed.len() % 2 == 1 {
        format!("0{trimmed}")
    } else {
        trimmed
    };
    Some(if even.is_empty() { "00".into() } else { even })
}

pub(crate) fn parse_certificate(der: &[u8]) -> Result<X509Certificate<'_>, ProtocolError> {
    match x509_parser::parse_x509_certificate(der) {
        Ok(([], cert)) => Ok(cert),
        _ => Err(ProtocolError::BadCertificate),
    }
}

fn first(values: &[Option<&str>]) -> Result<Option<String>, ProtocolError> {
    match values.first() {
        None => Ok(None),
        Some(Some(v)) => Ok(Some((*v).to_string())),
        // A field that is not a string type (or not UTF-8) names nobody.
        Some(None) => Err(ProtocolError::CertificateNotForClients),
    }
}

fn strings<'a>(
    it: impl Iterator<Item = &'a x509_parser::x509::AttributeTypeAndValue<'a>>,
) -> Vec<Option<&'a str>> {
    it.map(|a| a.as_str().ok()).collect()
}

fn allowed(values: &[Option<&str>], allow: &[String]) -> bool {
    if allow.is_empty() {
        return true;
    }
    !values.is_empty()
        && values
            .iter()
            .all(|v| v.is_some_and(|v| allow.iter().any(|a| a == v)))
}

/// Verifies `certificate` (PEM, URL-escaped PEM or DER; empty means none was presented)
/// against `ca_certificate`. The checks, each with its own error: it parses; its issuer
/// is the CA and the CA's signature verifies; the validity period holds at `now`; its
/// serial is not revoked; it is not a CA and its extended key usage, when present,
/// allows client authentication; its CN is an agent id (a UUID) that its `urn:uuid:`
/// subjectAltNames, if any, repeat; its subject passes the restrictions; its agent id is
/// the expected one.
pub fn verify_client(
    certificate: &[u8],
    ca_certificate: &[u8],
    options: &VerifyOptions,
) -> Result<ClientIdentity, Error> {
    if certificate.iter().all(u8::is_ascii_whitespace) {
        return Err(ProtocolError::CertificateRequired.into());
    }
    let ca = ca_der(ca_certificate)?;
    let (_, ca) = x509_parser::parse_x509_certificate(&ca)
        .map_err(|_| crate::UsageError::new("the CA certificate does not parse"))?;
    let der = pem::certificate_der(certificate, options.max_bytes)?;
    let cert = parse_certificate(&der)?;

    if cert.issuer().as_raw() != ca.subject().as_raw()
        || cert.verify_signature(Some(ca.public_key())).is_err()
    {
        return Err(ProtocolError::UnknownCertificateAuthority.into());
    }
    let not_before = cert.validity().not_before.timestamp();
    let not_after = cert.validity().not_after.timestamp();
    if options.now < not_before {
        return Err(ProtocolError::CertificateNotYetValid.into());
    }
    if options.now > not_after {
        return Err(ProtocolError::CertificateExpired.into());
    }
    let serial = normalize_serial(&hex(cert.raw_serial())).unwrap_or_default();
    if options
        .revoked
        .iter()
        .any(|r| normalize_serial(r).as_deref() == Some(serial.as_str()))
    {
        return Err(ProtocolError::CertificateRevoked.into());
    }

    let not_for_clients = ProtocolError::CertificateNotForClients;
    if cert.is_ca() {
        return Err(not_for_clients.into());
    }
    match cert.extended_key_usage() {
        Ok(None) => {}
        Ok(Some(eku)) if eku.value.client_auth || eku.value.any => {}
        _ => return Err(not_for_clients.into()),
    }
    let subject = cert.subject();
    let cns = strings(subject.iter_common_name());
    let ous = strings(subject.iter_organizational_unit());
    let os = strings(subject.iter_organization());
    let mut emails = strings(subject.iter_email());
    let mut uris = Vec::new();
    match cert.subject_alternative_name() {
        Ok(None) => {}
        Ok(Some(san)) => {
            for name in &san.value.general_names {
                match name {
                    GeneralName::URI(u) => uris.push(*u),
                    GeneralName::RFC822Name(e) => emails.push(Some(*e)),
                    _ => {}
                }
            }
        }
        Err(_) => return Err(ProtocolError::BadCertificate.into()),
    }

    let cn = first(&cns)?;
    let agent_id = cn
        .as_deref()
        .filter(|_| cns.len() == 1)
        .and_then(|c| parse_id(c.as_bytes()).ok())
        .ok_or(not_for_clients.clone())?;
    for uri in uris {
        if let Some(id) = uri.strip_prefix("urn:uuid:") {
            if parse_id(id.as_bytes()).ok() != Some(agent_id) {
                return Err(not_for_clients.into());
            }
        }
    }
    let r = &options.restrictions;
    if !(allowed(&cns, &r.cn)
        && allowed(&ous, &r.ou)
        && allowed(&os, &r.o)
        && allowed(&emails, &r.email))
    {
        return Err(ProtocolError::CertificateSubjectRefused.into());
    }
    let agent_id = agent_id.to_string();
    if let Some(expected) = &options.expected_agent_id {
        if parse_id(expected.as_bytes())
            .ok()
            .map(|u| u.to_string())
            .as_deref()
            != Some(agent_id.as_str())
        {
            return Err(ProtocolError::CertificateAgentMismatch.into());
        }
    }
    Ok(ClientIdentity {
        agent_id,
        serial,
        subject: subject.to_string(),
        cn,
        ou: first(&ous)?,
        o: first(&os)?,
        email: first(&emails)?,
        not_before,
        not_after,
        fingerprint: fingerprint_der(&der, FingerprintAlgorithm::Sha256),
    })
}
