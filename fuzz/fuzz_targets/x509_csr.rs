//! PKCS#10 request checks on arbitrary bytes (PEM, DER or garbage): never a panic, only
//! the three request errors, and a request that passes can be issued.
#![no_main]

use std::sync::OnceLock;

use glpi_agent_protocol::error::ProtocolError;
use glpi_agent_protocol::x509::{check_csr, create_ca, issue, CaAlgorithm, IssueRequest, NewCa};
use libfuzzer_sys::fuzz_target;

fn ca() -> &'static NewCa {
    static CA: OnceLock<NewCa> = OnceLock::new();
    CA.get_or_init(|| create_ca("Fuzz CA", CaAlgorithm::EcdsaP256, 0, 4_000_000_000).unwrap())
}

fuzz_target!(|data: &[u8]| {
    match check_csr(data, 16384) {
        Ok(_) => {
            let ca = ca();
            let issued = issue(&IssueRequest {
                ca_certificate: ca.certificate_pem.as_bytes(),
                ca_key: ca.key_pem.as_bytes(),
                csr: data,
                agent_id: "3e0e1a52-35c2-4d2c-a53b-0e9a6c5f1c27",
                not_before: 0,
                not_after: 86_400,
                max_bytes: 16384,
            });
            assert!(issued.is_ok(), "{issued:?}");
        }
        Err(e) => assert!(matches!(
            e,
            ProtocolError::BadCsr | ProtocolError::CsrSignatureInvalid | ProtocolError::CsrKeyRefused
        ), "{e:?}"),
    }
});
