//! The CA, issuance and verification together, cross-checked with the `openssl` tool
//! (requests it makes, certificates it verifies and prints); those tests skip without it.

use std::path::PathBuf;

use super::*;
use crate::error::Error;
use crate::test_support::run_tool;

const AGENT: &str = "3e0e1a52-35c2-4d2c-a53b-0e9a6c5f1c27";
const OTHER_AGENT: &str = "8b5b2f1e-0c3a-4e4f-9a6d-2b7c1d0e9f10";
const NOW: i64 = 1_800_000_000;
const DAY: i64 = 86_400;
const MAX: usize = 16 * 1024;

fn ca(alg: CaAlgorithm) -> NewCa {
    create_ca("Test agents CA", alg, NOW - DAY, NOW + 3650 * DAY).unwrap()
}

/// A request made by rcgen with a fresh key of `alg`.
fn rcgen_csr(alg: &'static rcgen::SignatureAlgorithm) -> String {
    let key = rcgen::KeyPair::generate_for(alg).unwrap();
    let params = rcgen::CertificateParams::new(vec!["ignored.example".to_string()]).unwrap();
    params.serialize_request(&key).unwrap().pem().unwrap()
}

fn issue_for(
    ca: &NewCa,
    csr: &[u8],
    agent: &str,
    not_before: i64,
    not_after: i64,
) -> Result<Issued, Error> {
    issue(&IssueRequest {
        ca_certificate: ca.certificate_pem.as_bytes(),
        ca_key: ca.key_pem.as_bytes(),
        csr,
        agent_id: agent,
        not_before,
        not_after,
        max_bytes: MAX,
    })
}

fn options() -> VerifyOptions {
    VerifyOptions {
        now: NOW,
        max_bytes: MAX,
        ..Default::default()
    }
}

fn refused(cert: &[u8], ca: &NewCa, opts: &VerifyOptions) -> ProtocolError {
    match verify_client(cert, ca.certificate_pem.as_bytes(), opts) {
        Err(Error::Protocol(e)) => e,
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

#[test]
fn issued_certificates_verify_for_every_ca_and_key_type() {
    for ca_alg in [
        CaAlgorithm::EcdsaP256,
        CaAlgorithm::EcdsaP384,
        CaAlgorithm::Ed25519,
    ] {
        let ca = ca(ca_alg);
        for key_alg in [
            &rcgen::PKCS_ECDSA_P256_SHA256,
            &rcgen::PKCS_ECDSA_P384_SHA384,
            &rcgen::PKCS_ED25519,
        ] {
            let csr = rcgen_csr(key_alg);
            let issued = issue_for(
                &ca,
                csr.as_bytes(),
                &AGENT.to_uppercase(),
                NOW,
                NOW + 30 * DAY,
            )
            .unwrap();
            assert_eq!(issued.agent_id, AGENT);
            let id = verify_client(
                issued.certificate_pem.as_bytes(),
                ca.certificate_pem.as_bytes(),
                &options(),
            )
            .unwrap();
            assert_eq!(id.agent_id, AGENT);
            assert_eq!(id.cn.as_deref(), Some(AGENT));
            assert_eq!(id.serial, issued.serial);
            assert_eq!(id.fingerprint, issued.fingerprint);
            assert_eq!((id.not_before, id.not_after), (NOW, NOW + 30 * DAY));
            assert_eq!(id.subject, format!("CN={AGENT}"));
            assert_eq!((id.ou, id.o, id.email), (None, None, None));
        }
    }
}

#[test]
fn serials_are_random_and_128_bits() {
    let ca = ca(CaAlgorithm::EcdsaP256);
    let csr = rcgen_csr(&rcgen::PKCS_ECDSA_P256_SHA256);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..16 {
        let s = issue_for(&ca, csr.as_bytes(), AGENT, NOW, NOW + DAY)
            .unwrap()
            .serial;
        assert!(s.len() <= 32 && s.len() >= 28, "{s}");
        assert!(seen.insert(s));
    }
}

#[test]
fn verification_refusals_each_have_their_token() {
    let ca1 = ca(CaAlgorithm::EcdsaP256);
    let ca2 = ca(CaAlgorithm::EcdsaP256);
    let csr = rcgen_csr(&rcgen::PKCS_ECDSA_P256_SHA256);
    let good = issue_for(&ca1, csr.as_bytes(), AGENT, NOW - DAY, NOW + DAY).unwrap();
    let cert = good.certificate_pem.as_bytes();
    let from_ca2 = issue_for(&ca2, csr.as_bytes(), AGENT, NOW - DAY, NOW + DAY).unwrap();

    assert_eq!(
        refused(b"", &ca1, &options()),
        ProtocolError::CertificateRequired
    );
    assert_eq!(
        refused(b"  \n", &ca1, &options()),
        ProtocolError::CertificateRequired
    );
    assert_eq!(
        refused(b"hello", &ca1, &options()),
        ProtocolError::BadCertificate
    );
    assert_eq!(
        refused(from_ca2.certificate_pem.as_bytes(), &ca1, &options()),
        ProtocolError::UnknownCertificateAuthority
    );
    // The same name as the CA but another key: the signature decides.
    assert_eq!(
        refused(cert, &ca2, &options()),
        ProtocolError::UnknownCertificateAuthority
    );
    let at = |now| VerifyOptions { now, ..options() };
    assert_eq!(
        refused(cert, &ca1, &at(NOW + DAY + 1)),
        ProtocolError::CertificateExpired
    );
    assert_eq!(
        refused(cert, &ca1, &at(NOW - DAY - 1)),
        ProtocolError::CertificateNotYetValid
    );
    assert!(verify_client(cert, ca1.certificate_pem.as_bytes(), &at(NOW + DAY)).is_ok());

    let colons: String = good
        .serial
        .to_uppercase()
        .as_bytes()
        .chunks(2)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(":");
    for form in [
        good.serial.clone(),
        colons,
        format!("serial=00{}", good.serial.to_uppercase()),
    ] {
        let opts = VerifyOptions {
            revoked: vec!["ab".into(), form.clone()],
            ..options()
        };
        assert_eq!(
            refused(cert, &ca1, &opts),
            ProtocolError::CertificateRevoked,
            "{form}"
        );
    }
    let opts = VerifyOptions {
        revoked: vec!["0102".into(), "not hex".into()],
        ..options()
    };
    assert!(verify_client(cert, ca1.certificate_pem.as_bytes(), &opts).is_ok());

    let opts = VerifyOptions {
        expected_agent_id: Some(OTHER_AGENT.into()),
        ..options()
    };
    assert_eq!(
        refused(cert, &ca1, &opts),
        ProtocolError::CertificateAgentMismatch
    );
    let opts = VerifyOptions {
        expected_agent_id: Some("nope".into()),
        ..options()
    };
    assert_eq!(
        refused(cert, &ca1, &opts),
        ProtocolError::CertificateAgentMismatch
    );
    let opts = VerifyOptions {
        expected_agent_id: Some(AGENT.to_uppercase()),
        ..options()
    };
    assert!(verify_client(cert, ca1.certificate_pem.as_bytes(), &opts).is_ok());

    // The CA's own certificate is no client's.
    assert_eq!(
        refused(ca1.certificate_pem.as_bytes(), &ca1, &options()),
        ProtocolError::CertificateNotForClients
    );
    let opts = VerifyOptions {
        max_bytes: cert.len() - 1,
        ..options()
    };
    assert!(matches!(
        verify_client(cert, ca1.certificate_pem.as_bytes(), &opts),
        Err(Error::Usage(_)) | Err(Error::Protocol(ProtocolError::BadCertificate))
    ));
}

#[test]
fn restrictions_follow_the_itsm_style() {
    let ca = ca(CaAlgorithm::EcdsaP256);
    let csr = rcgen_csr(&rcgen::PKCS_ECDSA_P256_SHA256);
    let cert = issue_for(&ca, csr.as_bytes(), AGENT, NOW - DAY, NOW + DAY)
        .unwrap()
        .certificate_pem;
    let with = |r: Restrictions| VerifyOptions {
        restrictions: r,
        ..options()
    };
    let ok = with(Restrictions {
        cn: vec!["x".into(), AGENT.into()],
        ..Default::default()
    });
    assert!(verify_client(cert.as_bytes(), ca.certificate_pem.as_bytes(), &ok).is_ok());
    for r in [
        Restrictions {
            cn: vec!["x".into()],
            ..Default::default()
        },
        Restrictions {
            ou: vec!["IT".into()],
            ..Default::default()
        },
        Restrictions {
            o: vec!["Company".into()],
            ..Default::default()
        },
        Restrictions {
            email: vec!["a@b.c".into()],
            ..Default::default()
        },
    ] {
        assert_eq!(
            refused(cert.as_bytes(), &ca, &with(r.clone())),
            ProtocolError::CertificateSubjectRefused,
            "{r:?}"
        );
    }
}

#[test]
fn issuance_misuse_is_the_callers_error() {
    let ca1 = ca(CaAlgorithm::EcdsaP256);
    let ca2 = ca(CaAlgorithm::EcdsaP256);
    let csr = rcgen_csr(&rcgen::PKCS_ECDSA_P256_SHA256);
    assert!(matches!(
        issue_for(&ca1, csr.as_bytes(), "nope", NOW, NOW + DAY),
        Err(Error::Usage(_))
    ));
    assert!(matches!(
        issue_for(&ca1, csr.as_bytes(), AGENT, NOW, NOW),
        Err(Error::Usage(_))
    ));
    let mixed = IssueRequest {
        ca_certificate: ca1.certificate_pem.as_bytes(),
        ca_key: ca2.key_pem.as_bytes(),
        csr: csr.as_bytes(),
        agent_id: AGENT,
        not_before: NOW,
        not_after: NOW + DAY,
        max_bytes: MAX,
    };
    let e = issue(&mixed).unwrap_err();
    assert!(
        matches!(&e, Error::Usage(u) if u.0.contains("does not belong")),
        "{e:?}"
    );
    assert!(!format!("{e:?}{e}").contains("PRIVATE"));
    assert!(!format!("{ca1:?}").contains("PRIVATE"));
    assert_eq!(
        issue_for(&ca1, b"garbage", AGENT, NOW, NOW + DAY),
        Err(Error::Protocol(ProtocolError::BadCsr))
    );
}

#[test]
fn fingerprint_forms() {
    let ca = ca(CaAlgorithm::Ed25519);
    let f = fingerprint(
        ca.certificate_pem.as_bytes(),
        FingerprintAlgorithm::Sha256,
        MAX,
    )
    .unwrap();
    assert_eq!(f, ca.fingerprint);
    assert!(f.starts_with("sha256$") && f.len() == 7 + 64);
    let f1 = fingerprint(
        ca.certificate_pem.as_bytes(),
        FingerprintAlgorithm::Sha1,
        MAX,
    )
    .unwrap();
    assert!(f1.starts_with("sha1$") && f1.len() == 5 + 40);
    assert_eq!(
        fingerprint(
            b"-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----",
            FingerprintAlgorithm::Sha256,
            MAX
        ),
        Err(ProtocolError::BadCertificate)
    );
}

#[test]
fn normalized_serials() {
    assert_eq!(normalize_serial("0A:1B").as_deref(), Some("0a1b"));
    assert_eq!(normalize_serial("serial=000A1B").as_deref(), Some("0a1b"));
    assert_eq!(normalize_serial("a1b").as_deref(), Some("0a1b"));
    assert_eq!(normalize_serial("00").as_deref(), Some("00"));
    assert_eq!(normalize_serial(""), None);
    assert_eq!(normalize_serial("0x12"), None);
}

// ---- against openssl ----

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let mut b = [0u8; 8];
        crate::secret::fill_random(&mut b).unwrap();
        let dir =
            std::env::temp_dir().join(format!("gap-x509-{name}-{}", crate::test_support::hex(&b)));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, data: &[u8]) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, data).unwrap();
        p.to_string_lossy().into_owned()
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn openssl(args: &[&str]) -> Option<Vec<u8>> {
    run_tool("openssl", args, b"")
}

/// `openssl req` with a fresh key made by `newkey` (`rsa:2048`, `ec`, `ed25519`).
fn openssl_csr(s: &Scratch, newkey: &str, extra: &[&str]) -> Option<Vec<u8>> {
    let key = s.path(&format!("{}.key", newkey.replace(':', "")));
    let mut args = vec![
        "req",
        "-new",
        "-newkey",
        newkey,
        "-nodes",
        "-keyout",
        key.as_str(),
        "-subj",
        "/CN=admin/O=Evil Corp",
    ];
    args.extend_from_slice(extra);
    openssl(&args)
}

#[test]
fn openssl_requests_are_issued_and_openssl_verifies_the_certificates() {
    let s = Scratch::new("req");
    let ca = ca(CaAlgorithm::EcdsaP256);
    let ca_file = s.write("ca.pem", ca.certificate_pem.as_bytes());
    let cases: [(&str, &[&str], &str); 5] = [
        ("rsa:2048", &[], "rsa-2048"),
        ("rsa:3072", &["-sha384"], "rsa-3072"),
        ("ec", &["-pkeyopt", "ec_paramgen_curve:P-256"], "ecdsa-p256"),
        // openssl signs this one with SHA-256: the key decides the certificate's algorithm.
        ("ec", &["-pkeyopt", "ec_paramgen_curve:P-384"], "ecdsa-p384"),
        ("ed25519", &[], "ed25519"),
    ];
    for (newkey, extra, key_type) in cases {
        let mut extra = extra.to_vec();
        // A request for a CA certificate and other names: none of it may be granted.
        extra.extend_from_slice(&[
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "subjectAltName=DNS:glpi.example",
        ]);
        let Some(csr) = openssl_csr(&s, newkey, &extra) else {
            return;
        };
        let checked = check_csr(&csr, MAX).unwrap();
        assert_eq!(checked.key_type.name(), key_type);
        assert_eq!(checked.requested_subject, "CN=admin, O=Evil Corp");
        let issued = issue_for(&ca, &csr, AGENT, NOW - DAY, 4_000_000_000).unwrap();
        assert_eq!(issued.key_type, key_type);
        let cert_file = s.write("agent.pem", issued.certificate_pem.as_bytes());
        let out = openssl(&[
            "verify",
            "-attime",
            &NOW.to_string(),
            "-CAfile",
            &ca_file,
            "-purpose",
            "sslclient",
            &cert_file,
        ])
        .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out).trim(),
            format!("{cert_file}: OK")
        );
        let text =
            String::from_utf8(openssl(&["x509", "-in", &cert_file, "-noout", "-text"]).unwrap())
                .unwrap();
        for needle in [
            format!("Subject: CN = {AGENT}\n"),
            format!("URI:urn:uuid:{AGENT}\n"),
            "TLS Web Client Authentication\n".to_string(),
            "CA:FALSE".to_string(),
            "Digital Signature".to_string(),
            "X509v3 Authority Key Identifier".to_string(),
        ] {
            assert!(text.contains(&needle), "{newkey}: no {needle:?} in\n{text}");
        }
        for absent in ["Evil", "glpi.example", "CA:TRUE"] {
            assert!(
                !text.contains(absent),
                "{newkey}: {absent} copied from the request"
            );
        }
        let serial =
            String::from_utf8(openssl(&["x509", "-in", &cert_file, "-noout", "-serial"]).unwrap())
                .unwrap();
        assert_eq!(normalize_serial(&serial).unwrap(), issued.serial);
        let key = s.path(&format!("{}.key", newkey.replace(':', "")));
        let modulus_check = openssl(&["pkey", "-in", &key, "-pubout"]).unwrap();
        let cert_pub = openssl(&["x509", "-in", &cert_file, "-noout", "-pubkey"]).unwrap();
        assert_eq!(
            modulus_check, cert_pub,
            "{newkey}: the certificate holds the request's key"
        );
    }
}

#[test]
fn openssl_agrees_on_fingerprints_and_ca() {
    let s = Scratch::new("fp");
    for alg in [
        CaAlgorithm::EcdsaP256,
        CaAlgorithm::EcdsaP384,
        CaAlgorithm::Ed25519,
    ] {
        let ca = ca(alg);
        let ca_file = s.write("ca.pem", ca.certificate_pem.as_bytes());
        let Some(out) = openssl(&["x509", "-in", &ca_file, "-noout", "-fingerprint", "-sha256"])
        else {
            return;
        };
        let theirs = String::from_utf8(out).unwrap();
        let theirs = theirs
            .trim()
            .rsplit('=')
            .next()
            .unwrap()
            .replace(':', "")
            .to_lowercase();
        assert_eq!(ca.fingerprint, format!("sha256${theirs}"));
        let out = openssl(&[
            "verify",
            "-attime",
            &NOW.to_string(),
            "-CAfile",
            &ca_file,
            &ca_file,
        ])
        .unwrap();
        assert!(String::from_utf8_lossy(&out).ends_with(": OK\n"));
        let text =
            String::from_utf8(openssl(&["x509", "-in", &ca_file, "-noout", "-text"]).unwrap())
                .unwrap();
        assert!(
            text.contains("CA:TRUE, pathlen:0") && text.contains("Certificate Sign, CRL Sign"),
            "{text}"
        );
        // The ECDSA keys are PKCS#8 that openssl reads; ring writes Ed25519 keys as
        // PKCS#8 v2 (RFC 5958, with the public key), which OpenSSL 3.0 does not read.
        if alg != CaAlgorithm::Ed25519 {
            let key_file = s.write("ca.key", ca.key_pem.as_bytes());
            let key_pub = openssl(&["pkey", "-in", &key_file, "-pubout"]).unwrap();
            let cert_pub = openssl(&["x509", "-in", &ca_file, "-noout", "-pubkey"]).unwrap();
            assert_eq!(key_pub, cert_pub);
        }
    }
}

#[test]
fn openssl_bad_requests_are_refused() {
    let s = Scratch::new("bad");
    let Some(weak) = openssl_csr(&s, "rsa:1024", &[]) else {
        return;
    };
    assert_eq!(check_csr(&weak, MAX), Err(ProtocolError::CsrKeyRefused));
    let sha1 = openssl_csr(&s, "rsa:2048", &["-sha1"]).unwrap();
    assert_eq!(
        check_csr(&sha1, MAX),
        Err(ProtocolError::CsrSignatureInvalid)
    );
    let ec = openssl_csr(&s, "ec", &["-pkeyopt", "ec_paramgen_curve:secp256k1"]).unwrap();
    assert_eq!(check_csr(&ec, MAX), Err(ProtocolError::CsrKeyRefused));

    // A signature broken in its last byte, in DER.
    for newkey in ["rsa:2048", "ed25519"] {
        let good = openssl_csr(&s, newkey, &["-outform", "DER"]).unwrap();
        assert!(check_csr(&good, MAX).is_ok());
        let mut broken = good.clone();
        *broken.last_mut().unwrap() ^= 1;
        assert_eq!(
            check_csr(&broken, MAX),
            Err(ProtocolError::CsrSignatureInvalid),
            "{newkey}"
        );
        // A changed subject under the old signature.
        let mut forged = good.clone();
        let at = forged.windows(5).position(|w| w == b"admin").unwrap();
        forged[at] = b'A';
        assert_eq!(
            check_csr(&forged, MAX),
            Err(ProtocolError::CsrSignatureInvalid),
            "{newkey}"
        );
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(check_csr(&trailing, MAX), Err(ProtocolError::BadCsr));
        assert_eq!(
            check_csr(&good[..good.len() - 1], MAX),
            Err(ProtocolError::BadCsr)
        );
    }
}

#[test]
fn certificates_of_other_issuers_are_judged_by_their_content() {
    // An operator's own CA made with openssl, a server certificate and a client one.
    let s = Scratch::new("foreign");
    let ca_key = s.path("ca.key");
    let ca_file = s.path("ca.pem");
    if openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &ca_key,
        "-out",
        &ca_file,
        "-subj",
        "/CN=Operator CA",
        "-days",
        "2",
    ])
    .is_none()
    {
        return;
    }
    let ca_pem = std::fs::read(&ca_file).unwrap();
    let sign = |name: &str, subj: &str, ext: &str| -> Vec<u8> {
        let csr = s.path(&format!("{name}.csr"));
        let cert = s.path(&format!("{name}.pem"));
        let extfile = s.write(&format!("{name}.ext"), ext.as_bytes());
        openssl(&[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &s.path(&format!("{name}.key")),
            "-subj",
            subj,
            "-out",
            &csr,
        ])
        .unwrap();
        openssl(&[
            "x509", "-req", "-in", &csr, "-CA", &ca_file, "-CAkey", &ca_key, "-days", "1", "-out",
            &cert, "-extfile", &extfile,
        ])
        .unwrap();
        std::fs::read(&cert).unwrap()
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    // A minute on: openssl starts each certificate's validity when it signs it.
    let opts = VerifyOptions {
        now: now + 60,
        max_bytes: MAX,
        ..Default::default()
    };
    let client = sign(
        "client",
        &format!("/O=Company/OU=IT/CN={AGENT}/emailAddress=it@example.org"),
        "extendedKeyUsage=clientAuth\n",
    );
    let id = verify_client(&client, &ca_pem, &opts).unwrap();
    assert_eq!(id.agent_id, AGENT);
    assert_eq!(
        (id.o.as_deref(), id.ou.as_deref(), id.email.as_deref()),
        (Some("Company"), Some("IT"), Some("it@example.org"))
    );
    let r = Restrictions {
        o: vec!["Company".into()],
        ou: vec!["IT".into(), "Ops".into()],
        email: vec!["it@example.org".into()],
        cn: vec![],
    };
    assert!(verify_client(
        &client,
        &ca_pem,
        &VerifyOptions {
            restrictions: r,
            ..opts.clone()
        }
    )
    .is_ok());
    let r = Restrictions {
        ou: vec!["Ops".into()],
        ..Default::default()
    };
    assert!(matches!(
        verify_client(
            &client,
            &ca_pem,
            &VerifyOptions {
                restrictions: r,
                ..opts.clone()
            }
        ),
        Err(Error::Protocol(ProtocolError::CertificateSubjectRefused))
    ));

    for (name, subject, extensions) in [
        (
            "server",
            format!("/CN={AGENT}"),
            "extendedKeyUsage=serverAuth\n".to_string(),
        ),
        (
            "named",
            "/CN=pc-42.example".to_string(),
            "extendedKeyUsage=clientAuth\n".to_string(),
        ),
        (
            "lying",
            format!("/CN={AGENT}"),
            format!("subjectAltName=URI:urn:uuid:{OTHER_AGENT}\n"),
        ),
    ] {
        let cert = sign(name, &subject, &extensions);
        assert!(
            matches!(
                verify_client(&cert, &ca_pem, &opts),
                Err(Error::Protocol(ProtocolError::CertificateNotForClients))
            ),
            "{name}"
        );
    }
    // Without any extended key usage a certificate serves any purpose, as for openssl.
    let plain = sign(
        "plain",
        &format!("/CN={AGENT}"),
        "basicConstraints=CA:FALSE\n",
    );
    assert!(verify_client(&plain, &ca_pem, &opts).is_ok());
}
