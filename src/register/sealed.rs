//! The opaque states REGISTER callers keep between two messages (spec 6.2 steps 1→3
//! on the server, 2→4 on the agent): small records sealed with AES-128-GCM under a key
//! derived from the token with HKDF-SHA256 (RFC 5869).
//!
//! Layout before encoding, all fixed size for a given kind:
//!
//! ```text
//! version (1, = 1) | salt (16, random) | AES-128-GCM ciphertext | tag (16)
//! ```
//!
//! The key is `HKDF-SHA256(salt = salt, IKM = token bytes, info = kind label)`, 16
//! bytes. A fresh random salt per state gives every state its own key, so the GCM nonce
//! can be the constant zero block without any risk of reuse; the AAD is `version ||
//! salt`. The salt doubles as the state id: random, unique, public, and bound to the
//! ciphertext because it selects the key. The text form is base64url without padding
//! (RFC 4648 section 5), so a state fits a text column and a PHP binary string alike.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::ProtocolError;
use crate::gcm;
use crate::secret::{fill_random, RngError, Token};

const VERSION: u8 = 1;
const SALT_LEN: usize = 16;
const TAG_LEN: usize = gcm::TAG_LEN;
/// Every state has a key of its own (see above): the nonce can be constant.
const NONCE: [u8; gcm::NONCE_LEN] = [0; gcm::NONCE_LEN];
const HEADER_LEN: usize = 1 + SALT_LEN;

/// What a state holds; each kind has its own key derivation label, so a server state
/// never opens as an agent state or the other way round.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Server,
    Agent,
}

impl Kind {
    fn label(self) -> &'static [u8] {
        match self {
            Kind::Server => b"glpi-agent-protocol register server-state v1",
            Kind::Agent => b"glpi-agent-protocol register agent-state v1",
        }
    }
}

fn state_key(token: &Token, kind: Kind, salt: &[u8; SALT_LEN]) -> Zeroizing<[u8; 16]> {
    let hk = Hkdf::<Sha256>::new(Some(salt), token.key().as_bytes());
    let mut okm = Zeroizing::new([0u8; 16]);
    // 16 bytes is far below HKDF-SHA256's 8160-byte ceiling: expand cannot fail.
    hk.expand(kind.label(), &mut okm[..])
        .expect("16-byte HKDF output");
    okm
}

/// Seals `plain` and returns the text form and the state id (the salt).
pub(crate) fn seal(
    token: &Token,
    kind: Kind,
    plain: &[u8],
) -> Result<(String, [u8; 16]), RngError> {
    let mut salt = [0u8; SALT_LEN];
    fill_random(&mut salt)?;
    let mut header = [0u8; HEADER_LEN];
    header[0] = VERSION;
    header[1..].copy_from_slice(&salt);

    let mut buf = Zeroizing::new(plain.to_vec());
    let tag = gcm::seal_in_place(&state_key(token, kind, &salt), &NONCE, &header, &mut buf)
        .expect("a state is far below the GCM length limit");

    let mut raw = Vec::with_capacity(HEADER_LEN + buf.len() + TAG_LEN);
    raw.extend_from_slice(&header);
    raw.extend_from_slice(&buf);
    raw.extend_from_slice(&tag);
    Ok((URL_SAFE_NO_PAD.encode(&raw), salt))
}

/// The state id of a text state without opening it (it is public), or `None` when the
/// text is not a state of this format.
pub(crate) fn state_id(text: &[u8]) -> Option<[u8; 16]> {
    let raw = URL_SAFE_NO_PAD.decode(text).ok()?;
    if raw.len() < HEADER_LEN + TAG_LEN || raw[0] != VERSION {
        return None;
    }
    raw[1..HEADER_LEN].try_into().ok()
}

/// Opens a state of `plain_len` plaintext bytes. Anything else than an intact state
/// sealed under this token for this kind — bad encoding, other length, other version,
/// other token, any flipped bit — is `ChallengeFailed`, with no hint of which.
pub(crate) fn open(
    token: &Token,
    kind: Kind,
    text: &[u8],
    plain_len: usize,
) -> Result<(Zeroizing<Vec<u8>>, [u8; 16]), ProtocolError> {
    let fail = ProtocolError::ChallengeFailed;
    let expected = HEADER_LEN + plain_len + TAG_LEN;
    // Refuse long input before decoding it: a state is a few dozen bytes.
    if text.len() > expected.div_ceil(3) * 4 {
        return Err(fail);
    }
    let raw = Zeroizing::new(URL_SAFE_NO_PAD.decode(text).map_err(|_| fail.clone())?);
    if raw.len() != expected || raw[0] != VERSION {
        return Err(fail);
    }
    let header = &raw[..HEADER_LEN];
    let mut salt = [0u8; SALT_LEN];
    salt.copy_from_slice(&raw[1..HEADER_LEN]);
    let mut buf = Zeroizing::new(raw[HEADER_LEN..HEADER_LEN + plain_len].to_vec());
    let tag: &[u8; TAG_LEN] = raw[HEADER_LEN + plain_len..]
        .try_into()
        .map_err(|_| fail.clone())?;
    gcm::open_in_place(
        &state_key(token, kind, &salt),
        &NONCE,
        header,
        &mut buf,
        tag,
    )
    .map_err(|_| fail)?;
    Ok((buf, salt))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(s: &str) -> Token {
        Token::parse(s).unwrap()
    }

    const T1: &str = "0f0e0d0c-0b0a-0908-0706-050403020100";
    const T2: &str = "0f0e0d0c-0b0a-0908-0706-050403020101";

    #[test]
    fn round_trip_and_id() {
        let t = token(T1);
        let (text, id) = seal(&t, Kind::Server, b"0123456789abcdef").unwrap();
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(state_id(text.as_bytes()), Some(id));
        let (plain, id2) = open(&t, Kind::Server, text.as_bytes(), 16).unwrap();
        assert_eq!(&plain[..], b"0123456789abcdef");
        assert_eq!(id, id2);
    }

    #[test]
    fn other_token_kind_length_or_any_flip_fails() {
        let t = token(T1);
        let (text, _) = seal(&t, Kind::Server, &[9u8; 32]).unwrap();
        let fail = Err(ProtocolError::ChallengeFailed);
        assert_eq!(
            open(&token(T2), Kind::Server, text.as_bytes(), 32).map(|_| ()),
            fail
        );
        assert_eq!(open(&t, Kind::Agent, text.as_bytes(), 32).map(|_| ()), fail);
        assert_eq!(
            open(&t, Kind::Server, text.as_bytes(), 31).map(|_| ()),
            fail
        );
        let raw = URL_SAFE_NO_PAD.decode(&text).unwrap();
        for i in 0..raw.len() {
            for bit in 0..8 {
                let mut r = raw.clone();
                r[i] ^= 1 << bit;
                let t2 = URL_SAFE_NO_PAD.encode(&r);
                assert_eq!(
                    open(&t, Kind::Server, t2.as_bytes(), 32).map(|_| ()),
                    fail,
                    "byte {i} bit {bit}"
                );
            }
        }
        for cut in 0..text.len() {
            assert_eq!(
                open(&t, Kind::Server, &text.as_bytes()[..cut], 32).map(|_| ()),
                fail
            );
        }
        let mut longer = text.clone();
        longer.push('A');
        assert_eq!(
            open(&t, Kind::Server, longer.as_bytes(), 32).map(|_| ()),
            fail
        );
        assert_eq!(
            open(&t, Kind::Server, b"\xff\x00garbage", 32).map(|_| ()),
            fail
        );
    }
}
