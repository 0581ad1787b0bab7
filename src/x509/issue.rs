//! The operator's CA and the certificates it issues to agents.
//!
//! An agent certificate carries only what the CA decides: the agent id as its only
//! subject field (CN) and as a `urn:uuid:` URI subjectAltName, `clientAuth` as its only
//! extended key usage, `digitalSignature` as its key usage, a random 128-bit serial and
//! the validity the operator chose. Of the request, only the key is kept.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use time::OffsetDateTime;
use zeroize::{Zeroize, Zeroizing};

use super::csr::check_csr;
use super::{ca_der, fingerprint_der, hex, pem, FingerprintAlgorithm};
use crate::error::{Error, UsageError};
use crate::secret::fill_random;
use crate::uuid::parse_id;

/// The CA's key type. RSA is not offered: ring signs with RSA keys but does not make them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaAlgorithm {
    /// ECDSA on NIST P-256, signing with SHA-256.
    EcdsaP256,
    /// ECDSA on NIST P-384, signing with SHA-384.
    EcdsaP384,
    /// Ed25519.
    Ed25519,
}

impl CaAlgorithm {
    /// Reads `ecdsa-p256`, `ecdsa-p384` or `ed25519` (any case); None for anything else, RSA
    /// included.
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "ecdsa-p256" => Some(Self::EcdsaP256),
            "ecdsa-p384" => Some(Self::EcdsaP384),
            "ed25519" => Some(Self::Ed25519),
            _ => None,
        }
    }

    fn rcgen(self) -> &'static rcgen::SignatureAlgorithm {
        match self {
            Self::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            Self::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            Self::Ed25519 => &rcgen::PKCS_ED25519,
        }
    }
}

/// A new CA: its self-signed certificate (public) and its PKCS#8 key (secret: keep it in
/// a file of its own, mode 0600, never in a database or a log).
pub struct NewCa {
    /// The self-signed CA certificate, PEM: what agents and the web server are given to trust.
    pub certificate_pem: String,
    /// The CA's private key, PKCS#8 PEM, wiped from memory when dropped.
    pub key_pem: Zeroizing<String>,
    /// The certificate's random 128-bit serial, lower-case hex.
    pub serial: String,
    /// End of the validity, seconds since the Unix epoch, as asked.
    pub not_after: i64,
    /// `sha256$hex`, the form of glpi-agent's `ssl-fingerprint`.
    pub fingerprint: String,
}

impl std::fmt::Debug for NewCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewCa")
            .field("serial", &self.serial)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

/// rcgen's key pair, wiped when dropped (rcgen offers `Zeroize` but does not call it).
struct CaKey(KeyPair);

impl Drop for CaKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

fn rcgen_error(what: &str) -> impl FnOnce(rcgen::Error) -> UsageError + '_ {
    move |e| UsageError::new(format!("{what}: {e}"))
}

fn date(unix: i64) -> Result<OffsetDateTime, UsageError> {
    OffsetDateTime::from_unix_timestamp(unix)
        .map_err(|_| UsageError::new("a validity date is out of range"))
}

fn validity(params: &mut CertificateParams, not_before: i64, not_after: i64) -> Result<(), Error> {
    if not_after <= not_before {
        return Err(UsageError::new("the validity must end after it starts").into());
    }
    params.not_before = date(not_before)?;
    params.not_after = date(not_after)?;
    Ok(())
}

/// 128 bits from the OS CSPRNG. DER writes a leading zero when the top bit is set, so the
/// serial takes 16 or 17 bytes, within RFC 5280's 20.
fn random_serial() -> Result<SerialNumber, Error> {
    let mut serial = [0u8; 16];
    fill_random(&mut serial)?;
    Ok(SerialNumber::from_slice(&serial))
}

/// Creates a CA: a self-signed certificate (`CN=common_name`, `CA:TRUE` with path length
/// 0, keyCertSign and cRLSign) and its key.
pub fn create_ca(
    common_name: &str,
    algorithm: CaAlgorithm,
    not_before: i64,
    not_after: i64,
) -> Result<NewCa, Error> {
    if common_name.is_empty() || common_name.len() > 64 {
        return Err(UsageError::new("the CA name must be 1 to 64 characters").into());
    }
    let key = CaKey(KeyPair::generate_for(algorithm.rcgen()).map_err(rcgen_error("CA key"))?);
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.serial_number = Some(random_serial()?);
    validity(&mut params, not_before, not_after)?;
    let cert = params
        .self_signed(&key.0)
        .map_err(rcgen_error("CA certificate"))?;
    let serial = params
        .serial_number
        .as_ref()
        .map(|s| hex(&s.to_bytes()))
        .unwrap_or_default();
    Ok(NewCa {
        certificate_pem: cert.pem(),
        key_pem: Zeroizing::new(key.0.serialize_pem()),
        serial,
        not_after,
        fingerprint: fingerprint_der(cert.der(), FingerprintAlgorithm::Sha256),
    })
}

/// What an agent certificate is made from.
pub struct IssueRequest<'a> {
    /// The CA certificate (PEM or DER); it must have `CA:TRUE`.
    pub ca_certificate: &'a [u8],
    /// The CA's PKCS#8 private key (PEM or DER), which must match `ca_certificate`.
    pub ca_key: &'a [u8],
    /// The agent's PKCS#10 request (PEM or DER); only its key is used.
    pub csr: &'a [u8],
    /// The agent's id (a UUID string), written as the subject CN and a `urn:uuid:` subjectAltName.
    pub agent_id: &'a str,
    /// Start of the validity, seconds since the Unix epoch.
    pub not_before: i64,
    /// End of the validity, seconds since the Unix epoch; must be after `not_before`.
    pub not_after: i64,
    /// Largest request text read.
    pub max_bytes: usize,
}

/// An agent certificate made by [`issue`], with what the operator records of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The certificate, PEM, to send back to the agent.
    pub certificate_pem: String,
    /// The agent id it certifies, in lower-case canonical form.
    pub agent_id: String,
    /// Lower-case hex without leading zero bytes, as [`super::normalize_serial`] writes it.
    pub serial: String,
    /// Start of the validity, seconds since the Unix epoch.
    pub not_before: i64,
    /// End of the validity, seconds since the Unix epoch.
    pub not_after: i64,
    /// `sha256$hex` of the certificate, the form of glpi-agent's `ssl-fingerprint`.
    pub fingerprint: String,
    /// The certified key's type as [`KeyType::name`](super::KeyType::name) writes it
    /// (`rsa-2048`, `ecdsa-p256`, ...).
    pub key_type: String,
}

/// Issues an agent certificate from a PKCS#10 request. A bad request is the agent's
/// fault (`ProtocolError`); a bad CA certificate, key or agent id is the caller's.
pub fn issue(req: &IssueRequest<'_>) -> Result<Issued, Error> {
    let agent = parse_id(req.agent_id.as_bytes())
        .map_err(|_| UsageError::new("the agent id must be a UUID string"))?
        .to_string();
    let ca = ca_der(req.ca_certificate)?;
    let key_der = pem::private_key_der(req.ca_key)?;
    let key = CaKey(
        KeyPair::try_from(&key_der[..])
            .map_err(|_| UsageError::new("the CA key is not a key rcgen can sign with"))?,
    );
    let (_, ca_parsed) = x509_parser::parse_x509_certificate(&ca)
        .map_err(|_| UsageError::new("the CA certificate does not parse"))?;
    if ca_parsed.public_key().subject_public_key.data.as_ref() != key.0.public_key_raw() {
        return Err(UsageError::new("the CA key does not belong to the CA certificate").into());
    }
    let csr = check_csr(req.csr, req.max_bytes)?;

    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, agent.as_str());
    let uri = format!("urn:uuid:{agent}");
    params.subject_alt_names = vec![SanType::URI(
        uri.as_str()
            .try_into()
            .map_err(|_| UsageError::new("agent id URI"))?,
    )];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.is_ca = IsCa::ExplicitNoCa;
    params.use_authority_key_identifier_extension = true;
    let serial = random_serial()?;
    params.serial_number = Some(serial.clone());
    validity(&mut params, req.not_before, req.not_after)?;

    let issuer = Issuer::from_ca_cert_der(&ca.as_slice().into(), &key.0)
        .map_err(rcgen_error("CA certificate"))?;
    let cert = params
        .signed_by(&csr, &issuer)
        .map_err(rcgen_error("signing"))?;
    Ok(Issued {
        certificate_pem: cert.pem(),
        agent_id: agent,
        serial: super::normalize_serial(&hex(&serial.to_bytes())).unwrap_or_default(),
        not_before: req.not_before,
        not_after: req.not_after,
        fingerprint: fingerprint_der(cert.der(), FingerprintAlgorithm::Sha256),
        key_type: csr.key_type.name(),
    })
}
