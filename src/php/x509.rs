//! `GlpiAgentProtocol\CertificateAuthority` and the client certificate functions: thin
//! wrappers over [`crate::x509`].

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use super::convert::entries;
use super::errors::IntoPhp;
use super::register::{table, text};
use crate::error::UsageError;
use crate::x509::{self, CaAlgorithm, FingerprintAlgorithm, Restrictions, VerifyOptions};

fn int(i: i64) -> Zval {
    i.into_zval(false).unwrap_or_default()
}

fn optional(s: Option<String>) -> Zval {
    s.map(|s| text(&s)).unwrap_or_default()
}

fn max_bytes(value: i64) -> Result<usize, UsageError> {
    match value {
        0 => Ok(super::ini::limits().max_certificate_bytes as usize),
        n if n > 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        _ => Err(UsageError::new(
            "max_certificate_bytes must be 0 (the INI default) or positive",
        )),
    }
}

/// The operator's certificate authority for agents: creates the CA and issues agent
/// certificates. Static methods only.
#[php_class]
#[php(name = "GlpiAgentProtocol\\CertificateAuthority")]
pub struct CertificateAuthority;

#[php_impl]
impl CertificateAuthority {
    /// A new CA: a self-signed certificate `CN=$common_name` (CA:TRUE, path length 0)
    /// valid `$validity_days` from now, and its key (`ecdsa-p256`, `ecdsa-p384` or
    /// `ed25519`). Returns `['certificate' => PEM, 'key' => PKCS#8 PEM, 'serial' => hex,
    /// 'not_after' => Unix time, 'fingerprint' => 'sha256$hex']`. Keep the key in a file
    /// of its own (mode 0600), never in a database.
    ///
    /// @param `string` $common_name the CA's subject CN
    /// @param `int<1, 36500>` $validity_days how long the CA certificate is valid
    /// @param `'ecdsa-p256'|'ecdsa-p384'|'ed25519'` $algorithm the CA key's algorithm
    /// @return `array{certificate: string, key: string, serial: string, not_after: int,
    ///   fingerprint: string}` the CA certificate and key (PEM), its serial (hex), expiry
    ///   (Unix time) and fingerprint
    /// @throws `\ValueError` for an unknown algorithm, a validity out of range, or a common
    ///   name that is not 1 to 64 characters
    #[php(defaults(validity_days = 3650, algorithm = "ecdsa-p256".to_string()))]
    pub fn create(
        common_name: &str,
        validity_days: i64,
        algorithm: String,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let alg = CaAlgorithm::from_name(&algorithm)
            .ok_or_else(|| UsageError::new("algorithm must be ecdsa-p256, ecdsa-p384 or ed25519"))
            .php()?;
        if !(1..=36_500).contains(&validity_days) {
            return Err(UsageError::new("validity_days must be 1 to 36500")).php();
        }
        let now = super::unix_now() as i64;
        let ca = x509::create_ca(common_name, alg, now - 60, now + validity_days * 86_400).php()?;
        table(vec![
            ("certificate", text(&ca.certificate_pem)),
            ("key", text(&ca.key_pem)),
            ("serial", text(&ca.serial)),
            ("not_after", int(ca.not_after)),
            ("fingerprint", text(&ca.fingerprint)),
        ])
    }

    /// Issues the certificate of agent `$agent_id` from its PKCS#10 request `$csr` (PEM or
    /// DER), valid from `$not_before` (Unix time; null: a minute ago, for clock skew) for
    /// `$validity_seconds`. Only the request's key is used: the subject (CN = agent id),
    /// the `urn:uuid:` subjectAltName, `clientAuth` and the random serial are the CA's.
    /// Returns `['certificate' => PEM, 'agent_id', 'serial' => hex, 'not_before',
    /// 'not_after', 'fingerprint' => 'sha256$hex', 'key_type']`. A bad request throws a
    /// 400 `ProtocolException` (`bad csr`, `csr signature invalid`, `csr key refused`).
    ///
    /// @param `string` $ca_certificate the CA certificate (PEM)
    /// @param `string` $ca_key the CA key (PKCS#8 PEM)
    /// @param `string` $csr the agent's PKCS#10 request (PEM or DER)
    /// @param `string` $agent_id the agent's id (a UUID string), named by the certificate
    /// @param `positive-int` $validity_seconds how long the certificate is valid
    /// @param `int|null` $not_before the start of validity (Unix time); null for a minute ago
    /// @param `int` $max_certificate_bytes the largest request accepted; 0 for
    ///   `glpi_agent_protocol.max_certificate_bytes`
    /// @return `array{certificate: string, agent_id: string, serial: string, not_before: int,
    ///   not_after: int, fingerprint: string, key_type: string}` the certificate (PEM) and
    ///   what to record of it
    /// @throws `\GlpiAgentProtocol\ProtocolException` 400 `bad csr`, `csr signature invalid`
    ///   or `csr key refused`
    /// @throws `\ValueError` for a CA certificate or key that cannot be used, an agent id that
    ///   is not a UUID string, or a validity that is not positive
    #[php(defaults(not_before = None, max_certificate_bytes = 0))]
    pub fn issue(
        ca_certificate: BinarySlice<u8>,
        ca_key: BinarySlice<u8>,
        csr: BinarySlice<u8>,
        agent_id: &str,
        validity_seconds: i64,
        not_before: Option<i64>,
        max_certificate_bytes: i64,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        if validity_seconds <= 0 {
            return Err(UsageError::new("validity_seconds must be positive")).php();
        }
        let not_before = not_before.unwrap_or(super::unix_now() as i64 - 60);
        let issued = x509::issue(&x509::IssueRequest {
            ca_certificate: &ca_certificate,
            ca_key: &ca_key,
            csr: &csr,
            agent_id,
            not_before,
            not_after: not_before.saturating_add(validity_seconds),
            max_bytes: max_bytes(max_certificate_bytes).php()?,
        })
        .php()?;
        table(vec![
            ("certificate", text(&issued.certificate_pem)),
            ("agent_id", text(&issued.agent_id)),
            ("serial", text(&issued.serial)),
            ("not_before", int(issued.not_before)),
            ("not_after", int(issued.not_after)),
            ("fingerprint", text(&issued.fingerprint)),
            ("key_type", text(&issued.key_type)),
        ])
    }
}

/// Checks a PKCS#10 request (PEM or DER): its key (RSA 2048 to 8192 bits, ECDSA P-256 or
/// P-384, Ed25519) and its signature. Returns `['key_type' => 'rsa-2048'|'ecdsa-p256'|
/// 'ecdsa-p384'|'ed25519', 'requested_subject' => the subject asked for, which is never
/// granted]`; throws 400 `bad csr`, `csr signature invalid` or `csr key refused`.
///
/// @param `string` $csr the PKCS#10 request (PEM or DER)
/// @param `int` $max_certificate_bytes the largest request accepted; 0 for
///   `glpi_agent_protocol.max_certificate_bytes`
/// @return `array{key_type: non-empty-string, requested_subject: string}`
///   the request's key type (`rsa-<bits>`, `ecdsa-p256`, `ecdsa-p384` or `ed25519`) and the
///   subject it asks for
/// @throws `\GlpiAgentProtocol\ProtocolException` 400 `bad csr`, `csr signature invalid` or
///   `csr key refused`
/// @throws `\ValueError` for a negative `$max_certificate_bytes`
#[php_function]
#[php(name = "GlpiAgentProtocol\\check_csr")]
#[php(defaults(max_certificate_bytes = 0))]
pub fn check_csr(
    csr: BinarySlice<u8>,
    max_certificate_bytes: i64,
) -> PhpResult<ZBox<ZendHashTable>> {
    let checked = x509::check_csr(&csr, max_bytes(max_certificate_bytes).php()?).php()?;
    table(vec![
        ("key_type", text(&checked.key_type.name())),
        ("requested_subject", text(&checked.requested_subject)),
    ])
}

fn string_list(name: &str, v: &Zval) -> Result<Vec<String>, UsageError> {
    let v = v.dereference();
    if v.is_null() {
        return Ok(Vec::new());
    }
    // ITSM-NG keeps each restriction as one `$`-separated string.
    if let Some(s) = v.str() {
        return Ok(s
            .split('$')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect());
    }
    let Some(ht) = v.array() else {
        return Err(UsageError::new(format!(
            "option '{name}' must be a list of strings or a '$'-separated string"
        )));
    };
    ht.values()
        .map(|item| {
            item.str()
                .map(String::from)
                .ok_or_else(|| UsageError::new(format!("option '{name}' must hold strings only")))
        })
        .collect()
}

fn verify_options(options: Option<&ZendHashTable>) -> Result<VerifyOptions, UsageError> {
    let mut out = VerifyOptions {
        now: super::unix_now() as i64,
        max_bytes: super::ini::limits().max_certificate_bytes as usize,
        ..Default::default()
    };
    let Some(options) = options else {
        return Ok(out);
    };
    for (k, v) in entries(options) {
        let name = k.lossy();
        match name.as_str() {
            "revoked" => out.revoked = string_list("revoked", v)?,
            "agent_id" => {
                out.expected_agent_id = if v.is_null() {
                    None
                } else {
                    Some(v.str().map(String::from).ok_or_else(|| {
                        UsageError::new("option 'agent_id' must be a string or null")
                    })?)
                }
            }
            "time" => {
                out.now = v
                    .long()
                    .filter(|_| v.is_long())
                    .ok_or_else(|| UsageError::new("option 'time' must be an int"))?
            }
            "max_certificate_bytes" => {
                out.max_bytes = match v.long().filter(|n| v.is_long() && *n > 0) {
                    Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
                    None => {
                        return Err(UsageError::new(
                            "option 'max_certificate_bytes' must be a positive int",
                        ))
                    }
                }
            }
            "restrict" => {
                let Some(r) = v.array() else {
                    return Err(UsageError::new(
                        "option 'restrict' must be an array with keys cn, ou, o, email",
                    ));
                };
                let mut restrictions = Restrictions::default();
                for (field, list) in entries(r) {
                    let field = field.lossy();
                    let slot = match field.as_str() {
                        "cn" => &mut restrictions.cn,
                        "ou" => &mut restrictions.ou,
                        "o" => &mut restrictions.o,
                        "email" => &mut restrictions.email,
                        other => {
                            return Err(UsageError::new(format!(
                                "unknown restriction '{other}' (cn, ou, o, email)"
                            )))
                        }
                    };
                    *slot = string_list(&field, list)?;
                }
                out.restrictions = restrictions;
            }
            other => {
                return Err(UsageError::new(format!(
                    "unknown option '{other}' (known: revoked, agent_id, restrict, time, max_certificate_bytes)"
                )))
            }
        }
    }
    Ok(out)
}

/// Verifies the client certificate the web server passed on (nginx
/// `$ssl_client_escaped_cert`, Apache `SSL_CLIENT_CERT`: PEM, URL-escaped or not; an
/// empty string means none was presented) against the CA certificate. Options:
/// `revoked` (serials, hex in any case, colons allowed), `agent_id` (the request's
/// `GLPI-Agent-ID`, which the certificate must name), `restrict` (`['cn' => [...], 'ou'
/// => [...], 'o' => [...], 'email' => [...]]`, each a list or a `$`-separated string of
/// allowed values), `time` (Unix time to judge validity at), `max_certificate_bytes`.
/// Returns `['agent_id', 'serial', 'subject', 'cn', 'ou', 'o', 'email', 'not_before',
/// 'not_after', 'fingerprint']`; any refusal is a `ProtocolException` with its own token.
///
/// @param `string` $certificate the client certificate as the web server passes it on
/// @param `string` $ca_certificate the CA certificate (PEM)
/// @param `array{revoked?: list<string>|string, agent_id?: string|null,
///   restrict?: array{cn?: list<string>|string, ou?: list<string>|string,
///   o?: list<string>|string, email?: list<string>|string}, time?: int,
///   max_certificate_bytes?: positive-int}|null` $options the checks beyond the chain and
///   validity period
/// @return `array{agent_id: string, serial: string, subject: string, cn: string|null,
///   ou: string|null, o: string|null, email: string|null, not_before: int, not_after: int,
///   fingerprint: string}` who the certificate names and what to record of it
/// @throws `\GlpiAgentProtocol\ProtocolException` `certificate required`, `bad certificate`,
///   `unknown certificate authority`, `certificate expired`, `certificate not yet valid`,
///   `certificate revoked`, `certificate not for clients`, `certificate subject refused` or
///   `certificate agent mismatch`
/// @throws `\ValueError` for an unknown option, an option of the wrong type, or a CA
///   certificate that does not parse
#[php_function]
#[php(name = "GlpiAgentProtocol\\verify_client_certificate")]
pub fn verify_client_certificate(
    certificate: BinarySlice<u8>,
    ca_certificate: BinarySlice<u8>,
    options: Option<&ZendHashTable>,
) -> PhpResult<ZBox<ZendHashTable>> {
    let opts = verify_options(options).php()?;
    let id = x509::verify_client(&certificate, &ca_certificate, &opts).php()?;
    table(vec![
        ("agent_id", text(&id.agent_id)),
        ("serial", text(&id.serial)),
        ("subject", text(&id.subject)),
        ("cn", optional(id.cn)),
        ("ou", optional(id.ou)),
        ("o", optional(id.o)),
        ("email", optional(id.email)),
        ("not_before", int(id.not_before)),
        ("not_after", int(id.not_after)),
        ("fingerprint", text(&id.fingerprint)),
    ])
}

/// The certificate's fingerprint as glpi-agent's `ssl-fingerprint` option takes it
/// (IO::Socket::SSL's `algo$hex`, e.g. `sha256$af04...`): configure agents with it
/// instead of running them once with `no-ssl-check`. `$algorithm`: sha256 (default),
/// sha1, sha384, sha512.
///
/// @param `string` $certificate the certificate (PEM or DER)
/// @param `'sha256'|'sha1'|'sha384'|'sha512'` $algorithm the digest
/// @return `non-empty-string` `algo$hex`, the hex in lower case
/// @throws `\GlpiAgentProtocol\ProtocolException` 400 `bad certificate` for bytes that are
///   not one certificate
/// @throws `\ValueError` for an unknown algorithm
#[php_function]
#[php(name = "GlpiAgentProtocol\\certificate_fingerprint")]
#[php(defaults(algorithm = "sha256".to_string()))]
pub fn certificate_fingerprint(
    certificate: BinarySlice<u8>,
    algorithm: String,
) -> PhpResult<String> {
    let alg = FingerprintAlgorithm::from_name(&algorithm)
        .ok_or_else(|| UsageError::new("algorithm must be sha256, sha1, sha384 or sha512"))
        .php()?;
    let max = super::ini::limits().max_certificate_bytes as usize;
    x509::fingerprint(&certificate, alg, max).php()
}

/// Adds the client certificate functions to the module.
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(check_csr))
        .function(wrap_function!(verify_client_certificate))
        .function(wrap_function!(certificate_fingerprint))
        .class::<CertificateAuthority>()
}
