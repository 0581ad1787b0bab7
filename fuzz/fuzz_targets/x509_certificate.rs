//! Client certificate verification on arbitrary bytes, as a web server could pass them
//! on (PEM, URL-escaped PEM, DER or garbage): never a panic, only certificate errors, and
//! an input that verifies names the agent its CN says. The CA is made once.
#![no_main]

use std::sync::OnceLock;

use glpi_agent_protocol::error::{Error, ProtocolError};
use glpi_agent_protocol::x509::{create_ca, verify_client, CaAlgorithm, NewCa, VerifyOptions};
use libfuzzer_sys::fuzz_target;

fn ca() -> &'static NewCa {
    static CA: OnceLock<NewCa> = OnceLock::new();
    CA.get_or_init(|| create_ca("Fuzz CA", CaAlgorithm::EcdsaP256, 0, 4_000_000_000).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let options = VerifyOptions {
        now: 1_800_000_000,
        max_bytes: 16384,
        revoked: vec!["01".into()],
        ..Default::default()
    };
    match verify_client(data, ca().certificate_pem.as_bytes(), &options) {
        Ok(id) => {
            assert_eq!(id.cn.as_deref().map(str::to_ascii_lowercase).as_deref(), Some(id.agent_id.as_str()));
            assert!(id.fingerprint.starts_with("sha256$"));
        }
        Err(Error::Protocol(e)) => assert!(matches!(
            e,
            ProtocolError::BadCertificate
                | ProtocolError::CertificateRequired
                | ProtocolError::UnknownCertificateAuthority
                | ProtocolError::CertificateExpired
                | ProtocolError::CertificateNotYetValid
                | ProtocolError::CertificateRevoked
                | ProtocolError::CertificateNotForClients
                | ProtocolError::CertificateSubjectRefused
        ), "{e:?}"),
        Err(other) => panic!("the CA is fine, yet {other:?}"),
    }
});
