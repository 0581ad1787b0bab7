//! PKCS#10 certificate signing requests (RFC 2986): what an agent sends to enroll.
//!
//! Only the request's key is used; its subject, attributes and requested extensions are
//! read past and never copied into a certificate. The signature is checked so that the
//! sender is known to hold the private key.

use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_PKCS1_RSAENCRYPTION,
    OID_PKCS1_SHA1WITHRSA, OID_SHA1_WITH_RSA, OID_SIG_ED25519,
};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::pem;
use crate::error::ProtocolError;

/// Smallest and largest RSA moduli certified: 2048 bits is today's floor, and ring (which
/// checks the signatures) reads up to 8192.
const RSA_MIN_BITS: usize = 2048;
const RSA_MAX_BITS: usize = 8192;

/// The key types a certificate is issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// RSA, its modulus 2048 to 8192 bits.
    Rsa {
        /// Modulus size in bits, counted from its highest set bit.
        bits: u32,
    },
    /// ECDSA on NIST P-256, uncompressed point.
    EcdsaP256,
    /// ECDSA on NIST P-384, uncompressed point.
    EcdsaP384,
    /// Ed25519.
    Ed25519,
}

impl KeyType {
    /// `rsa-2048`, `ecdsa-p256`, `ecdsa-p384`, `ed25519`.
    pub fn name(&self) -> String {
        match self {
            KeyType::Rsa { bits } => format!("rsa-{bits}"),
            KeyType::EcdsaP256 => "ecdsa-p256".into(),
            KeyType::EcdsaP384 => "ecdsa-p384".into(),
            KeyType::Ed25519 => "ed25519".into(),
        }
    }

    /// rcgen writes a certificate's SubjectPublicKeyInfo from the algorithm it is given:
    /// the one matching the key itself, whatever digest the request was signed with
    /// (`openssl req` signs a P-384 request with SHA-256 by default).
    pub(crate) fn rcgen_algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        match self {
            KeyType::Rsa { .. } => &rcgen::PKCS_RSA_SHA256,
            KeyType::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            KeyType::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            KeyType::Ed25519 => &rcgen::PKCS_ED25519,
        }
    }
}

/// A request whose signature verified and whose key is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCsr {
    /// The request's key, which the certificate will certify.
    pub key_type: KeyType,
    /// The subject the agent asked for, for the operator's eyes only.
    pub requested_subject: String,
    /// The subjectPublicKey bits (the key without its algorithm identifier).
    pub(crate) public_key: Vec<u8>,
}

impl rcgen::PublicKeyData for CheckedCsr {
    fn der_bytes(&self) -> &[u8] {
        &self.public_key
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.key_type.rcgen_algorithm()
    }
}

/// Reads a request (PEM, or DER) of at most `max_bytes`, checks its key and its
/// signature. The key is judged first, so a 1024-bit RSA request is `csr key refused`
/// rather than a signature ring will not check.
pub fn check_csr(text: &[u8], max_bytes: usize) -> Result<CheckedCsr, ProtocolError> {
    let der = pem::csr_der(text, max_bytes)?;
    let (rest, csr) =
        X509CertificationRequest::from_der(&der).map_err(|_| ProtocolError::BadCsr)?;
    if !rest.is_empty() {
        return Err(ProtocolError::BadCsr);
    }
    let info = &csr.certification_request_info;
    let key_type = key_type(&info.subject_pki)?;
    let alg = &csr.signature_algorithm.algorithm;
    if *alg == OID_PKCS1_SHA1WITHRSA || *alg == OID_SHA1_WITH_RSA {
        return Err(ProtocolError::CsrSignatureInvalid);
    }
    csr.verify_signature()
        .map_err(|_| ProtocolError::CsrSignatureInvalid)?;
    Ok(CheckedCsr {
        key_type,
        requested_subject: info.subject.to_string(),
        public_key: info.subject_pki.subject_public_key.data.to_vec(),
    })
}

pub(crate) fn key_type(spki: &SubjectPublicKeyInfo) -> Result<KeyType, ProtocolError> {
    let refused = ProtocolError::CsrKeyRefused;
    let alg = &spki.algorithm.algorithm;
    let bits = &spki.subject_public_key.data;
    if *alg == OID_PKCS1_RSAENCRYPTION {
        let Ok(PublicKey::RSA(rsa)) = spki.parsed() else {
            return Err(refused);
        };
        let n = modulus_bits(rsa.modulus);
        if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&n) {
            return Err(refused);
        }
        return Ok(KeyType::Rsa { bits: n as u32 });
    }
    if *alg == OID_KEY_TYPE_EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok())
            .ok_or(refused.clone())?;
        // Uncompressed points only: ring verifies no other form.
        let (kind, coordinate) = if curve == OID_EC_P256 {
            (KeyType::EcdsaP256, 32)
        } else if curve == OID_NIST_EC_P384 {
            (KeyType::EcdsaP384, 48)
        } else {
            return Err(refused);
        };
        return match bits.first() {
            Some(4) if bits.len() == 1 + 2 * coordinate => Ok(kind),
            _ => Err(refused),
        };
    }
    if *alg == OID_SIG_ED25519 && bits.len() == 32 && spki.algorithm.parameters.is_none() {
        return Ok(KeyType::Ed25519);
    }
    Err(refused)
}

/// The modulus size as RSA counts it: from its highest set bit.
fn modulus_bits(modulus: &[u8]) -> usize {
    let trimmed = match modulus.iter().position(|&b| b != 0) {
        Some(i) => &modulus[i..],
        None => return 0,
    };
    trimmed.len() * 8 - trimmed[0].leading_zeros() as usize
}

#[cfg(test)]
mod tests {
    use super::modulus_bits;

    #[test]
    fn modulus_bits_count_from_the_top_bit() {
        assert_eq!(modulus_bits(&[]), 0);
        assert_eq!(modulus_bits(&[0, 0]), 0);
        assert_eq!(modulus_bits(&[0, 0x80, 0]), 16);
        assert_eq!(modulus_bits(&[0x7f, 0]), 15);
        assert_eq!(modulus_bits(&[0, 0, 1]), 1);
    }
}
