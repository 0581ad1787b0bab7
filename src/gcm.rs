//! AES-128-GCM (NIST SP 800-38D, 96-bit nonce, 128-bit tag) under the encrypted
//! envelopes and the REGISTER states, with detached tags as both formats lay them out.
//!
//! It runs on `ring`, whose AES-NI, VAES and carry-less multiply code seals and opens
//! 64 KiB and larger bodies about six times faster than RustCrypto's `aes-gcm` here,
//! and faster than PHP's openssl (bench/results/register.md).
//!
//! Key hygiene: ring's key types hold the expanded AES key and the GHASH key and do not
//! implement `Zeroize`, so a key object here lives for one call and is dropped without
//! being wiped. The raw key bytes stay in the callers' own zeroizing types (`Key128`,
//! `Zeroizing`), which are wiped as before.

use ring::aead::{Aad, LessSafeKey, Nonce, Tag, UnboundKey, AES_128_GCM};
use zeroize::Zeroize;

pub(crate) const NONCE_LEN: usize = 12;
pub(crate) const TAG_LEN: usize = 16;

/// The plaintext is beyond GCM's limit for one message (about 64 GiB).
#[derive(Debug)]
pub(crate) struct TooLong;

/// Wrong key, nonce, associated data, ciphertext or tag: nothing says which.
#[derive(Debug)]
pub(crate) struct Unauthentic;

fn cipher(key: &[u8; 16]) -> LessSafeKey {
    // Only a key of another length than the algorithm's is refused.
    LessSafeKey::new(UnboundKey::new(&AES_128_GCM, key).expect("16 bytes is an AES-128 key"))
}

/// Encrypts `buf` in place and returns the tag over `aad` and the ciphertext.
pub(crate) fn seal_in_place(
    key: &[u8; 16],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut [u8],
) -> Result<[u8; TAG_LEN], TooLong> {
    let tag = cipher(key)
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(*nonce), Aad::from(aad), buf)
        .map_err(|_| TooLong)?;
    let mut out = [0u8; TAG_LEN];
    out.copy_from_slice(tag.as_ref());
    Ok(out)
}

/// Checks `tag` and decrypts `buf` in place. On failure `buf` is wiped: the keystream
/// may have run over it before the tags were compared, and unauthenticated plaintext
/// must not outlive the call.
pub(crate) fn open_in_place(
    key: &[u8; 16],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8; TAG_LEN],
) -> Result<(), Unauthentic> {
    let verdict = cipher(key).open_in_place_separate_tag(
        Nonce::assume_unique_for_key(*nonce),
        Aad::from(aad),
        Tag::from(*tag),
        buf,
        0..,
    );
    match verdict {
        Ok(_) => Ok(()),
        Err(_) => {
            // ring clears it with plain stores; zeroize's volatile writes cannot be elided.
            buf.zeroize();
            Err(Unauthentic)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::unhex;

    /// The GCM paper's test case 4, opened (the envelope tests seal it): then any
    /// flipped bit of ciphertext, tag or AAD is refused and leaves the buffer zeroed.
    #[test]
    fn opens_test_case_4_and_wipes_on_failure() {
        let key: [u8; 16] = unhex("feffe9928665731c6d6a8f9467308308")
            .try_into()
            .unwrap();
        let nonce: [u8; 12] = unhex("cafebabefacedbaddecaf888").try_into().unwrap();
        let aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        let plain = unhex(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
             1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
        );
        let ct = unhex(
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e\
             21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
        );
        let tag: [u8; 16] = unhex("5bc94fbc3221a5db94fae95ae7121a47")
            .try_into()
            .unwrap();

        let mut buf = ct.clone();
        open_in_place(&key, &nonce, &aad, &mut buf, &tag).unwrap();
        assert_eq!(buf, plain);

        for i in 0..ct.len() {
            let mut buf = ct.clone();
            buf[i] ^= 1;
            assert!(open_in_place(&key, &nonce, &aad, &mut buf, &tag).is_err());
            assert!(buf.iter().all(|&b| b == 0), "ciphertext byte {i}");
        }
        for i in 0..16 {
            let mut bad_tag = tag;
            bad_tag[i] ^= 0x80;
            let mut buf = ct.clone();
            assert!(open_in_place(&key, &nonce, &aad, &mut buf, &bad_tag).is_err());
            assert!(buf.iter().all(|&b| b == 0), "tag byte {i}");
        }
        let mut bad_aad = aad.clone();
        bad_aad[0] ^= 1;
        let mut buf = ct.clone();
        assert!(open_in_place(&key, &nonce, &bad_aad, &mut buf, &tag).is_err());
        assert!(buf.iter().all(|&b| b == 0));
    }
}
