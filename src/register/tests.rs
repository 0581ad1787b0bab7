use super::*;
use crate::test_support::{openssl_aes128_block, unhex};

const TOKEN: &str = "9f4c3b7e-1d2a-4e5f-8a6b-7c8d9e0f1a2b";
const OTHER_TOKEN: &str = "9f4c3b7e-1d2a-4e5f-8a6b-7c8d9e0f1a2c";
/// The agent id example of spec 3.2.1.
const AGENT: &str = "3a609a2e-947f-4e6a-9af9-32c024ac3944";
const OTHER_AGENT: &str = "3a609a2e-947f-4e6a-9af9-32c024ac3945";
const NOW: u64 = 1_700_000_000;

fn token() -> Token {
    Token::parse(TOKEN).unwrap()
}

fn protocol(e: Error) -> ProtocolError {
    match e {
        Error::Protocol(p) => p,
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

/// Known-answer vector for the spec 6.2 arithmetic, computed with
/// `openssl enc -aes-128-ecb -nopad -K 9f4c3b7e1d2a4e5f8a6b7c8d9e0f1a2b` on the blocks
/// below (see `vector_matches_openssl`):
///
/// | step | plaintext block | UUID |
/// |---|---|---|
/// | challenge | `0001020304050607` ‖ `9af932c024ac3944` | beba4853-ce1f-2fcf-583f-f8be019ac5f6 |
/// | answer | `0001020304050607` ‖ `f0e1d2c3b4a59687` | 27533acf-417d-83f3-3a2e-b2c0c2f9639a |
/// | final | `f0e1d2c3b4a59687` ‖ `0001020304050607` | 87936188-f5b7-8bcd-072a-86935fec8810 |
/// | crypto | `00112233445566778899aabbccddeeff` | 38e4fa3d-d11c-c268-2eb8-2c54a5f7132c |
mod vector {
    pub const SERVER_SECRET: [u8; 8] = [0, 1, 2, 3, 4, 5, 6, 7];
    pub const AGENT_SECRET: [u8; 8] = [0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87];
    pub const KEY: &str = "00112233445566778899aabbccddeeff";
    pub const CHALLENGE: &str = "beba4853-ce1f-2fcf-583f-f8be019ac5f6";
    pub const ANSWER: &str = "27533acf-417d-83f3-3a2e-b2c0c2f9639a";
    pub const FINAL: &str = "87936188-f5b7-8bcd-072a-86935fec8810";
    pub const CRYPTO: &str = "38e4fa3d-d11c-c268-2eb8-2c54a5f7132c";
}

fn block_of(uuid: &str) -> [u8; 16] {
    uuid_block::parse(uuid).unwrap()
}

fn decrypt(uuid: &str) -> [u8; 16] {
    *BlockCipher::new(token().key()).decrypt(&block_of(uuid))
}

#[test]
fn vector_challenge_is_what_the_agent_expects() {
    let plain = decrypt(vector::CHALLENGE);
    assert_eq!(plain[..8], vector::SERVER_SECRET);
    assert_eq!(plain[8..], block_of(AGENT)[8..]);
    // And our agent accepts it, answering with the server secret first.
    let a = answer(&token(), AGENT, vector::CHALLENGE).unwrap();
    assert_eq!(decrypt(&a.answer)[..8], vector::SERVER_SECRET);
}

#[test]
fn vector_verify_gives_the_final_challenge() {
    let state = server_state_for_test(&token(), &block_of(AGENT), &vector::SERVER_SECRET, NOW);
    let v = verify(&token(), state.as_bytes(), vector::ANSWER, 60, NOW).unwrap();
    assert_eq!(v.final_challenge, vector::FINAL);
    assert_eq!(v.target_agent_id, AGENT);
    assert_eq!(&decrypt(&v.crypto), v.key.as_bytes());
}

#[test]
fn vector_finish_gives_the_key() {
    let state = agent_state_for_test(&token(), &vector::SERVER_SECRET, &vector::AGENT_SECRET);
    let key = finish(
        &token(),
        state.as_bytes(),
        vector::FINAL,
        Some(vector::CRYPTO),
    )
    .unwrap()
    .unwrap();
    assert_eq!(key.as_bytes()[..], unhex(vector::KEY)[..]);
    let state = agent_state_for_test(&token(), &vector::SERVER_SECRET, &vector::AGENT_SECRET);
    assert!(finish(&token(), state.as_bytes(), vector::FINAL, None)
        .unwrap()
        .is_none());
}

#[test]
fn vector_matches_openssl() {
    let key: [u8; 16] = *token().key().as_bytes();
    let mut rows = vec![];
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&vector::SERVER_SECRET);
    b[8..].copy_from_slice(&block_of(AGENT)[8..]);
    rows.push((b, vector::CHALLENGE));
    b[8..].copy_from_slice(&vector::AGENT_SECRET);
    rows.push((b, vector::ANSWER));
    let mut f = [0u8; 16];
    f[..8].copy_from_slice(&vector::AGENT_SECRET);
    f[8..].copy_from_slice(&vector::SERVER_SECRET);
    rows.push((f, vector::FINAL));
    rows.push((unhex(vector::KEY).try_into().unwrap(), vector::CRYPTO));
    for (plain, uuid) in rows {
        let Some(ct) = openssl_aes128_block(&key, &plain, false) else {
            return;
        };
        assert_eq!(uuid_block::format(&ct), uuid);
        assert_eq!(BlockCipher::new(token().key()).encrypt(&plain), ct);
    }
}

#[test]
fn full_handshake() {
    let t = token();
    let c = challenge(&t, AGENT, NOW).unwrap();
    assert_eq!(
        state_id(c.state.as_bytes()).as_deref(),
        Some(c.state_id.as_str())
    );
    let a = answer(&t, AGENT, &c.challenge).unwrap();
    // The sizes the module documentation promises to callers sizing a column.
    assert_eq!((c.state.len(), a.state.len()), (87, 66));
    let v = verify(&t, c.state.as_bytes(), &a.answer, 60, NOW + 5).unwrap();
    assert_eq!(v.state_id, c.state_id);
    assert_eq!(v.target_agent_id, AGENT);
    let key = finish(&t, a.state.as_bytes(), &v.final_challenge, Some(&v.crypto))
        .unwrap()
        .unwrap();
    assert!(key == v.key);
    // Each run uses fresh secrets: the wire values never repeat.
    let c2 = challenge(&t, AGENT, NOW).unwrap();
    assert_ne!(c.challenge, c2.challenge);
    assert_ne!(c.state_id, c2.state_id);
}

#[test]
fn upper_case_ids_are_accepted_and_canonicalised() {
    let t = token();
    let c = challenge(&t, &AGENT.to_uppercase(), NOW).unwrap();
    let a = answer(&t, &AGENT.to_uppercase(), &c.challenge.to_uppercase()).unwrap();
    let v = verify(&t, c.state.as_bytes(), &a.answer.to_uppercase(), 60, NOW).unwrap();
    assert_eq!(v.target_agent_id, AGENT);
    let k = finish(
        &t,
        a.state.as_bytes(),
        &v.final_challenge.to_uppercase(),
        Some(&v.crypto.to_uppercase()),
    );
    assert!(k.unwrap().unwrap() == v.key);
}

/// The whole exchange with openssl playing the agent: an implementation written from
/// the spec with nothing but single-block AES must interoperate with ours.
#[test]
fn openssl_as_the_agent_and_as_the_server() {
    let t = token();
    let key = *t.key().as_bytes();
    // Our server, openssl agent.
    let c = challenge(&t, AGENT, NOW).unwrap();
    let Some(plain) = openssl_aes128_block(&key, &block_of(&c.challenge), true) else {
        return;
    };
    assert_eq!(plain[8..], block_of(AGENT)[8..]);
    let mut ans = plain;
    ans[8..].copy_from_slice(&[0x55; 8]);
    let ans = openssl_aes128_block(&key, &ans, false).unwrap();
    let v = verify(&t, c.state.as_bytes(), &uuid_block::format(&ans), 60, NOW).unwrap();
    let fin = openssl_aes128_block(&key, &block_of(&v.final_challenge), true).unwrap();
    assert_eq!(fin[..8], [0x55; 8]);
    assert_eq!(fin[..8], [0x55; 8]);
    assert_eq!(fin[8..], plain[..8]);
    let session = openssl_aes128_block(&key, &block_of(&v.crypto), true).unwrap();
    assert_eq!(&session, v.key.as_bytes());

    // openssl server, our agent.
    let mut ch = [0u8; 16];
    ch[..8].copy_from_slice(&[0x11; 8]);
    ch[8..].copy_from_slice(&block_of(AGENT)[8..]);
    let ch = openssl_aes128_block(&key, &ch, false).unwrap();
    let a = answer(&t, AGENT, &uuid_block::format(&ch)).unwrap();
    let got = openssl_aes128_block(&key, &block_of(&a.answer), true).unwrap();
    assert_eq!(got[..8], [0x11; 8]);
    let mut fin = [0u8; 16];
    fin[..8].copy_from_slice(&got[8..]);
    fin[8..].copy_from_slice(&[0x11; 8]);
    let fin = openssl_aes128_block(&key, &fin, false).unwrap();
    let crypto = openssl_aes128_block(&key, &[0x42; 16], false).unwrap();
    let k = finish(
        &t,
        a.state.as_bytes(),
        &uuid_block::format(&fin),
        Some(&uuid_block::format(&crypto)),
    );
    assert_eq!(k.unwrap().unwrap().as_bytes(), &[0x42; 16]);
}

#[test]
fn a_proxy_id_can_be_the_target() {
    // Spec 6.2.1: the server may target a trusted proxy from GLPI-Proxy-ID instead.
    let proxy = "0b8e2a1c-5d4f-4a3b-9c2d-1e0f9a8b7c6d";
    let t = token();
    let c = challenge(&t, proxy, NOW).unwrap();
    assert_eq!(
        protocol(answer(&t, AGENT, &c.challenge).unwrap_err()),
        ProtocolError::ChallengeForAnotherAgent
    );
    let a = answer(&t, proxy, &c.challenge).unwrap();
    let v = verify(&t, c.state.as_bytes(), &a.answer, 60, NOW).unwrap();
    assert_eq!(v.target_agent_id, proxy);
}

#[test]
fn challenge_for_another_agent() {
    let t = token();
    let c = challenge(&t, OTHER_AGENT, NOW).unwrap();
    assert_eq!(
        protocol(answer(&t, AGENT, &c.challenge).unwrap_err()),
        ProtocolError::ChallengeForAnotherAgent
    );
}

#[test]
fn agent_with_another_token_sees_a_foreign_challenge() {
    let c = challenge(&token(), AGENT, NOW).unwrap();
    let other = Token::parse(OTHER_TOKEN).unwrap();
    assert_eq!(
        protocol(answer(&other, AGENT, &c.challenge).unwrap_err()),
        ProtocolError::ChallengeForAnotherAgent
    );
}

#[test]
fn bad_inputs_to_challenge_and_answer() {
    let t = token();
    assert_eq!(
        protocol(challenge(&t, "not-a-uuid", NOW).unwrap_err()),
        ProtocolError::BadAgentId
    );
    assert!(matches!(
        answer(&t, "nope", vector::CHALLENGE),
        Err(Error::Usage(_))
    ));
    assert_eq!(
        protocol(answer(&t, AGENT, "failure").unwrap_err()),
        ProtocolError::ChallengeFailed
    );
}

#[test]
fn server_with_another_token_refuses_the_answer() {
    // The agent holds the wrong token: its answer cannot carry the server secret.
    let t = token();
    let c = challenge(&t, AGENT, NOW).unwrap();
    let other = Token::parse(OTHER_TOKEN).unwrap();
    // A wrong-token agent usually stops at ChallengeForAnotherAgent; forge what it would
    // send if it answered anyway.
    let bogus = BlockCipher::new(other.key()).encrypt(&[3u8; 16]);
    let e = verify(&t, c.state.as_bytes(), &uuid_block::format(&bogus), 60, NOW).unwrap_err();
    assert_eq!(protocol(e), ProtocolError::ChallengeFailed);
}

#[test]
fn state_under_another_token_fails() {
    let t = token();
    let other = Token::parse(OTHER_TOKEN).unwrap();
    let c = challenge(&t, AGENT, NOW).unwrap();
    let a = answer(&t, AGENT, &c.challenge).unwrap();
    let e = verify(&other, c.state.as_bytes(), &a.answer, 60, NOW).unwrap_err();
    assert_eq!(protocol(e), ProtocolError::ChallengeFailed);
    let v = verify(&t, c.state.as_bytes(), &a.answer, 60, NOW).unwrap();
    let e = finish(
        &other,
        a.state.as_bytes(),
        &v.final_challenge,
        Some(&v.crypto),
    )
    .unwrap_err();
    assert_eq!(protocol(e), ProtocolError::ChallengeFailed);
}

#[test]
fn tampered_answer_fails() {
    let t = token();
    let c = challenge(&t, AGENT, NOW).unwrap();
    let a = answer(&t, AGENT, &c.challenge).unwrap();
    let mut b = block_of(&a.answer);
    for i in 0..16 {
        b[i] ^= 0x01;
        let e = verify(&t, c.state.as_bytes(), &uuid_block::format(&b), 60, NOW).unwrap_err();
        assert_eq!(protocol(e), ProtocolError::ChallengeFailed, "byte {i}");
        b[i] ^= 0x01;
    }
    for bad in ["failure", "", "27533acf-417d-83f3-3a2e-b2c0c2f9639", "x"] {
        let e = verify(&t, c.state.as_bytes(), bad, 60, NOW).unwrap_err();
        assert_eq!(protocol(e), ProtocolError::ChallengeFailed);
    }
}

#[test]
fn reflected_challenge_is_refused() {
    // Sending the challenge back as the answer passes the spec's only check (the first
    // half is the server secret); the extra check must stop it.
    let t = token();
    let c = challenge(&t, AGENT, NOW).unwrap();
    let e = verify(&t, c.state.as_bytes(), &c.challenge, 60, NOW).unwrap_err();
    assert_eq!(protocol(e), ProtocolError::ChallengeFailed);
}

#[test]
fn reflected_answer_is_refused_by_the_agent() {
    let t = token();
    let c = challenge(&t, AGENT, NOW).unwrap();
    let a = answer(&t, AGENT, &c.challenge).unwrap();
    let e = finish(&t, a.state.as_bytes(), &a.answer, None).unwrap_err();
    assert_eq!(protocol(e), ProtocolError::ChallengeFailed);
}

#[test]
fn expired_and_future_states_fail() {
    let t = token();
    let c = challenge(&t, AGENT, NOW).unwrap();
    let a = answer(&t, AGENT, &c.challenge).unwrap();
    let state = c.state.as_bytes();
    assert!(verify(&t, state, &a.answer, 60, NOW + 60).is_ok());
    assert_eq!(
        protocol(verify(&t, state, &a.answer, 60, NOW + 61).unwrap_err()),
        ProtocolError::ChallengeFailed
    );
    assert_eq!(
        protocol(verify(&t, state, &a.answer, 0, NOW + 1).unwrap_err()),
        ProtocolError::ChallengeFailed
    );
    assert!(verify(&t, state, &a.answer, 60, NOW - STATE_CLOCK_SKEW).is_ok());
    let e = verify(&t, state, &a.answer, 60, NOW - STATE_CLOCK_SKEW - 1).unwrap_err();
    assert_eq!(protocol(e), ProtocolError::ChallengeFailed);
    assert_eq!(
        protocol(verify(&t, state, &a.answer, u32::MAX, 0).unwrap_err()),
        ProtocolError::ChallengeFailed
    );
    assert!(verify(&t, state, &a.answer, u32::MAX, u64::MAX).is_err());
}

#[test]
fn tampered_or_truncated_states_fail() {
    let t = token();
    let c = challenge(&t, AGENT, NOW).unwrap();
    let a = answer(&t, AGENT, &c.challenge).unwrap();
    let s = c.state.as_bytes();
    for i in 0..s.len() {
        let mut m = s.to_vec();
        m[i] = if m[i] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            protocol(verify(&t, &m, &a.answer, 60, NOW).unwrap_err()),
            ProtocolError::ChallengeFailed
        );
        assert_eq!(
            protocol(verify(&t, &s[..i], &a.answer, 60, NOW).unwrap_err()),
            ProtocolError::ChallengeFailed
        );
    }
    for junk in [&b""[..], b"\x00", b"====", &[0xff; 200], &[b'A'; 100_000]] {
        assert_eq!(
            protocol(verify(&t, junk, &a.answer, 60, NOW).unwrap_err()),
            ProtocolError::ChallengeFailed
        );
        assert_eq!(
            protocol(finish(&t, junk, &a.answer, None).unwrap_err()),
            ProtocolError::ChallengeFailed
        );
    }
    // A server state is no agent state and the other way round.
    assert_eq!(
        protocol(finish(&t, s, &a.answer, None).unwrap_err()),
        ProtocolError::ChallengeFailed
    );
    let e = verify(&t, a.state.as_bytes(), &a.answer, 60, NOW).unwrap_err();
    assert_eq!(protocol(e), ProtocolError::ChallengeFailed);
}

#[test]
fn a_state_from_another_challenge_fails() {
    let t = token();
    let c1 = challenge(&t, AGENT, NOW).unwrap();
    let c2 = challenge(&t, AGENT, NOW).unwrap();
    let a1 = answer(&t, AGENT, &c1.challenge).unwrap();
    let e = verify(&t, c2.state.as_bytes(), &a1.answer, 60, NOW).unwrap_err();
    assert_eq!(protocol(e), ProtocolError::ChallengeFailed);
}

#[test]
fn finish_with_a_wrong_final_challenge() {
    let t = token();
    let c = challenge(&t, AGENT, NOW).unwrap();
    let a = answer(&t, AGENT, &c.challenge).unwrap();
    let v = verify(&t, c.state.as_bytes(), &a.answer, 60, NOW).unwrap();
    let good = block_of(&v.final_challenge);
    let plain = decrypt(&v.final_challenge);
    let cipher = BlockCipher::new(t.key());
    // Either half wrong, decrypted under the right token.
    for half in [0usize, 8] {
        let mut p = plain;
        p[half] ^= 0x80;
        let f = uuid_block::format(&cipher.encrypt(&p));
        assert_eq!(
            protocol(finish(&t, a.state.as_bytes(), &f, Some(&v.crypto)).unwrap_err()),
            ProtocolError::ChallengeFailed
        );
    }
    let mut g = good;
    g[15] ^= 1;
    let f = uuid_block::format(&g);
    assert_eq!(
        protocol(finish(&t, a.state.as_bytes(), &f, None).unwrap_err()),
        ProtocolError::ChallengeFailed
    );
    assert_eq!(
        protocol(finish(&t, a.state.as_bytes(), "failure", None).unwrap_err()),
        ProtocolError::ChallengeFailed
    );
    let e = finish(
        &t,
        a.state.as_bytes(),
        &v.final_challenge,
        Some("not a uuid"),
    )
    .unwrap_err();
    assert_eq!(protocol(e), ProtocolError::ChallengeFailed);
    // The final challenge of another run fails too.
    let c2 = challenge(&t, AGENT, NOW).unwrap();
    let a2 = answer(&t, AGENT, &c2.challenge).unwrap();
    let v2 = verify(&t, c2.state.as_bytes(), &a2.answer, 60, NOW).unwrap();
    let e = finish(&t, a.state.as_bytes(), &v2.final_challenge, None).unwrap_err();
    assert_eq!(protocol(e), ProtocolError::ChallengeFailed);
}

#[test]
fn nothing_secret_in_debug_or_errors() {
    let t = token();
    let c = challenge(&t, AGENT, NOW).unwrap();
    let a = answer(&t, AGENT, &c.challenge).unwrap();
    let v = verify(&t, c.state.as_bytes(), &a.answer, 60, NOW).unwrap();
    let key_hex = crate::test_support::hex(v.key.as_bytes());
    let dbg = format!("{v:?}");
    assert!(!dbg.contains(&key_hex));
    let e = verify(&t, c.state.as_bytes(), TOKEN, 60, NOW).unwrap_err();
    let msg = format!("{e} {e:?}");
    assert!(!msg.contains(TOKEN) && !msg.contains("9f4c3b7e"), "{msg}");
}

#[test]
fn state_id_of_garbage_is_none() {
    assert!(state_id(b"").is_none());
    assert!(state_id(b"!!!").is_none());
    assert!(state_id(b"AAAA").is_none());
}

/// The fuzz seeds are genuine states of the known-answer vector, so the fuzz target's
/// success paths are reachable; a change of the state format must renew them.
#[test]
fn fuzz_seed_states_open() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/register_state");
    let server = std::fs::read(dir.join("server-state")).unwrap();
    let v = verify(&token(), &server, vector::ANSWER, 60, NOW).unwrap();
    assert_eq!(v.final_challenge, vector::FINAL);
    let agent = std::fs::read(dir.join("agent-state")).unwrap();
    let key = finish(&token(), &agent, vector::FINAL, Some(vector::CRYPTO))
        .unwrap()
        .unwrap();
    assert_eq!(key.as_bytes()[..], unhex(vector::KEY)[..]);
}
