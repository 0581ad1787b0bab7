use super::*;
use crate::test_support::{hex, run_tool, unhex};

const AGENT: Uuid = uuid::uuid!("3a609a2e-947f-4e6a-9af9-32c024ac3944");
const PROXY: Uuid = uuid::uuid!("0b8e2a1c-5d4f-4a3b-9c2d-1e0f9a8b7c6d");
const T: u64 = 1_700_000_000;

fn key() -> Key128 {
    Key128::from_slice(&unhex("000102030405060708090a0b0c0d0e0f")).unwrap()
}

fn up() -> Binding {
    Binding {
        agent_id: AGENT,
        cryptokey_id: AGENT,
        direction: Direction::AgentToServer,
    }
}

fn down_via_proxy() -> Binding {
    Binding {
        agent_id: AGENT,
        cryptokey_id: PROXY,
        direction: Direction::ServerToAgent,
    }
}

fn protocol(e: Error) -> ProtocolError {
    match e {
        Error::Protocol(p) => p,
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

/// A known-answer vector of docs/encrypted-exchanges.md.
struct Vector {
    binding: Binding,
    timestamp: u64,
    nonce: &'static str,
    inner_type: &'static str,
    plaintext: &'static str,
    sealed: &'static str,
}

/// The vectors of docs/encrypted-exchanges.md section "Test vectors"; key
/// 000102030405060708090a0b0c0d0e0f. Checked against PHP's openssl_encrypt in
/// `php_openssl_agrees`.
fn vectors() -> [Vector; 2] {
    [
        Vector {
            binding: up(),
            timestamp: T,
            nonce: "cafebabefacedbaddecaf888",
            inner_type: "application/json",
            // {"action":"contact"}
            plaintext: "7b22616374696f6e223a22636f6e74616374227d",
            sealed: "0101000000006553f100cafebabefacedbaddecaf888106170706c69636174696f6e2f6a736f6e\
                     f25ba6d5f19eee6f882aebeb3294d486e57f1a59\
                     270ad8216ba6b5e31ada80796d29489b",
        },
        Vector {
            binding: down_via_proxy(),
            timestamp: T + 1,
            nonce: "000102030405060708090a0b",
            inner_type: "application/x-compress-zlib",
            // zlib of {"status":"ok"}
            plaintext: "789cab562a2e492c292d56b252cacf56aa05002b810539",
            sealed: "0102000000006553f101000102030405060708090a0b1b6170706c69636174696f6e2f782d636f6d70726573732d7a6c6962\
                     ebf00c984c35be7862ff37386469bf5e19231acdd2e8c4\
                     8df5af86af89e3ed92739add139c5d96",
        },
    ]
}

#[test]
fn known_answer_vectors() {
    for v in vectors() {
        let nonce: [u8; 12] = unhex(v.nonce).try_into().unwrap();
        let sealed = seal_with_nonce(
            &key(),
            &v.binding,
            v.inner_type,
            &unhex(v.plaintext),
            v.timestamp,
            &nonce,
        )
        .unwrap();
        assert_eq!(hex(&sealed), hex(&unhex(v.sealed)));
        let o = open(&key(), &v.binding, &sealed, v.timestamp + 10, 300).unwrap();
        assert_eq!(o.inner_content_type, v.inner_type);
        assert_eq!(hex(&o.plaintext), v.plaintext);
        assert_eq!(o.message_id, v.nonce);
        assert_eq!(o.timestamp, v.timestamp);
        assert_eq!(o.keep_until, v.timestamp + 300);
    }
}

/// McGrew and Viega, "The Galois/Counter Mode of Operation", test case 4 (AES-128,
/// 96-bit IV, 20 bytes of AAD), as used by NIST's GCM validation: the primitive under
/// the envelope is plain AES-128-GCM.
#[test]
fn gcm_spec_test_case_4() {
    let k = unhex("feffe9928665731c6d6a8f9467308308");
    let p = unhex(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
         1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
    );
    let a = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    let iv = unhex("cafebabefacedbaddecaf888");
    let mut buf = p.clone();
    let tag = gcm::seal_in_place(
        k.as_slice().try_into().unwrap(),
        iv.as_slice().try_into().unwrap(),
        &a,
        &mut buf,
    )
    .unwrap();
    assert_eq!(
        hex(&buf),
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e\
         21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
            .replace(' ', "")
    );
    assert_eq!(hex(&tag), "5bc94fbc3221a5db94fae95ae7121a47");
}

/// Builds the vectors again with PHP's openssl extension from the byte layout alone,
/// and opens one of our random-nonce messages with it: an independent implementation
/// of the document must agree byte for byte.
#[test]
fn php_openssl_agrees() {
    let fresh = seal(&key(), &up(), "application/json", b"{\"x\":1}", T).unwrap();
    let mut script = String::from(
        "<?php\n\
         function id16($u) { return hex2bin(str_replace('-', '', $u)); }\n\
         $key = hex2bin('000102030405060708090a0b0c0d0e0f');\n",
    );
    for v in vectors() {
        let dir = match v.binding.direction {
            Direction::AgentToServer => 1,
            Direction::ServerToAgent => 2,
        };
        script.push_str(&format!(
            "$h = chr(1) . chr({dir}) . pack('J', {ts}) . hex2bin('{nonce}') . chr(strlen('{ty}')) . '{ty}';\n\
             $aad = $h . id16('{agent}') . id16('{kid}');\n\
             $ct = openssl_encrypt(hex2bin('{pt}'), 'aes-128-gcm', $key, OPENSSL_RAW_DATA, hex2bin('{nonce}'), $tag, $aad, 16);\n\
             echo bin2hex($h . $ct . $tag), \"\\n\";\n",
            ts = v.timestamp,
            nonce = v.nonce,
            ty = v.inner_type,
            agent = v.binding.agent_id,
            kid = v.binding.cryptokey_id,
            pt = v.plaintext,
        ));
    }
    script.push_str(&format!(
        "$m = hex2bin('{m}');\n\
         $l = ord($m[22]); $hl = 23 + $l;\n\
         $aad = substr($m, 0, $hl) . id16('{AGENT}') . id16('{AGENT}');\n\
         $pt = openssl_decrypt(substr($m, $hl, strlen($m) - $hl - 16), 'aes-128-gcm', $key, OPENSSL_RAW_DATA, substr($m, 10, 12), substr($m, -16), $aad);\n\
         echo $pt === false ? 'FAILED' : $pt, \"\\n\";\n",
        m = hex(&fresh),
    ));
    let Some(out) = run_tool("php", &[], script.as_bytes()) else {
        return;
    };
    let out = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    let v = vectors();
    assert_eq!(lines[0], hex(&unhex(v[0].sealed)));
    assert_eq!(lines[1], hex(&unhex(v[1].sealed)));
    assert_eq!(lines[2], "{\"x\":1}");
}

#[test]
fn round_trip_with_fresh_nonces() {
    let mut ids = std::collections::HashSet::new();
    for (i, b) in [up(), down_via_proxy()].iter().enumerate() {
        for len in [0usize, 1, 15, 16, 17, 1000] {
            let body: Vec<u8> = (0..len).map(|x| (x * 7 + i) as u8).collect();
            let m = seal(&key(), b, "application/x-compress-br", &body, T).unwrap();
            assert_eq!(
                m.len(),
                MIN_LEN - 1 + "application/x-compress-br".len() + len
            );
            let o = open(&key(), b, &m, T, 0).unwrap();
            assert_eq!(o.plaintext, body);
            assert!(ids.insert(o.message_id.clone()), "nonce repeated");
            assert_eq!(o.message_id.len(), 24);
        }
    }
}

#[test]
fn wrong_key_binding_or_any_flip_is_decryption_failed() {
    let v = &vectors()[0];
    let m = unhex(v.sealed);
    let fail = ProtocolError::DecryptionFailed;
    let other = Key128::from_slice(&[1u8; 16]).unwrap();
    assert_eq!(protocol(open(&other, &up(), &m, T, 300).unwrap_err()), fail);
    for b in [
        Binding {
            agent_id: PROXY,
            ..up()
        },
        Binding {
            cryptokey_id: PROXY,
            ..up()
        },
        Binding {
            direction: Direction::ServerToAgent,
            ..up()
        },
    ] {
        assert_eq!(protocol(open(&key(), &b, &m, T, 300).unwrap_err()), fail);
    }
    for i in 0..m.len() {
        for bit in 0..8 {
            let mut x = m.clone();
            x[i] ^= 1 << bit;
            assert_eq!(
                protocol(open(&key(), &up(), &x, T, 300).unwrap_err()),
                fail,
                "byte {i} bit {bit}"
            );
        }
    }
    for cut in 0..m.len() {
        assert_eq!(
            protocol(open(&key(), &up(), &m[..cut], T, 300).unwrap_err()),
            fail,
            "cut {cut}"
        );
    }
    let mut longer = m.clone();
    longer.push(0);
    assert_eq!(
        protocol(open(&key(), &up(), &longer, T, 300).unwrap_err()),
        fail
    );
}

#[test]
fn layout_damage_never_panics() {
    // A content type length pointing past the end, zero, or into the tag.
    let mut m = unhex(vectors()[0].sealed);
    for l in [
        0u8,
        0x7f,
        0x80,
        0xff,
        (m.len() - 23 - 16) as u8,
        (m.len() - 23 - 15) as u8,
    ] {
        m[22] = l;
        assert_eq!(
            protocol(open(&key(), &up(), &m, T, 300).unwrap_err()),
            ProtocolError::DecryptionFailed
        );
    }
}

#[test]
fn header_ids_that_are_not_uuids_are_named_for_their_header() {
    let agent = "3a609a2e-947f-4e6a-9af9-32c024ac3944";
    assert_eq!(
        Binding::parse(agent, agent, Direction::AgentToServer),
        Ok(up())
    );
    assert_eq!(
        Binding::parse("nope", agent, Direction::AgentToServer),
        Err(ProtocolError::BadAgentId)
    );
    assert_eq!(
        Binding::parse(agent, "nope", Direction::AgentToServer),
        Err(ProtocolError::BadCryptoKeyId)
    );
    // The braced form the uuid crate also reads is not a header value here.
    assert_eq!(
        Binding::parse(&format!("{{{agent}}}"), agent, Direction::AgentToServer),
        Err(ProtocolError::BadAgentId)
    );
}

#[test]
fn content_type_misuse() {
    for t in ["", "application/json\n", "é", &"a".repeat(128)] {
        assert!(
            matches!(seal(&key(), &up(), t, b"", T), Err(Error::Usage(_))),
            "{t:?}"
        );
    }
    assert!(seal(&key(), &up(), &"a".repeat(127), b"", T).is_ok());
    assert!(seal(&key(), &up(), "application/json; charset=utf-8", b"", T).is_ok());
}

#[test]
fn freshness_window_both_ways() {
    let m = seal(&key(), &up(), "application/json", b"{}", T).unwrap();
    assert!(open(&key(), &up(), &m, T + 300, 300).is_ok());
    assert!(open(&key(), &up(), &m, T - 300, 300).is_ok());
    for now in [T + 301, T - 301, 0, u64::MAX] {
        assert_eq!(
            protocol(open(&key(), &up(), &m, now, 300).unwrap_err()),
            ProtocolError::StaleMessage
        );
    }
    let late = seal(&key(), &up(), "application/json", b"{}", u64::MAX).unwrap();
    assert_eq!(
        open(&key(), &up(), &late, u64::MAX, 300)
            .unwrap()
            .keep_until,
        u64::MAX
    );
}

#[test]
fn direction_names_round_trip_and_nothing_else_parses() {
    assert_eq!(
        Direction::from_name("agent-to-server"),
        Some(Direction::AgentToServer)
    );
    assert_eq!(
        Direction::from_name("server-to-agent"),
        Some(Direction::ServerToAgent)
    );
    for other in ["", "agent", "server", "Agent-To-Server", "agent-to-server "] {
        assert_eq!(Direction::from_name(other), None, "{other:?}");
    }
}
