//! RFC 3394 AES key wrap, for keeping REGISTER session keys at rest under a
//! key-encryption key (KEK) of 16, 24 or 32 bytes.
//!
//! The wrapped form is 8 bytes longer than the key; unwrapping checks the RFC's
//! integrity value (the default IV `A6A6A6A6A6A6A6A6`) in constant time and wipes
//! everything it decrypted when the check fails.

use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use aes::{Aes128, Aes192, Aes256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, ProtocolError, UsageError};

/// RFC 3394 section 2.2.3.1, the default initial value.
const IV: [u8; 8] = [0xa6; 8];

enum Kek {
    A128(Aes128),
    A192(Aes192),
    A256(Aes256),
}

impl Kek {
    fn new(kek: &[u8]) -> Result<Kek, UsageError> {
        match kek.len() {
            16 => Ok(Kek::A128(Aes128::new(kek.into()))),
            24 => Ok(Kek::A192(Aes192::new(kek.into()))),
            32 => Ok(Kek::A256(Aes256::new(kek.into()))),
            n => Err(UsageError::new(format!(
                "a key-encryption key must be 16, 24 or 32 bytes, got {n}"
            ))),
        }
    }

    fn encrypt(&self, b: &mut [u8; 16]) {
        let b = b.into();
        match self {
            Kek::A128(c) => c.encrypt_block(b),
            Kek::A192(c) => c.encrypt_block(b),
            Kek::A256(c) => c.encrypt_block(b),
        }
    }

    fn decrypt(&self, b: &mut [u8; 16]) {
        let b = b.into();
        match self {
            Kek::A128(c) => c.decrypt_block(b),
            Kek::A192(c) => c.decrypt_block(b),
            Kek::A256(c) => c.decrypt_block(b),
        }
    }
}

/// Wraps `key` (a multiple of 8 bytes, at least 16) under `kek` (16, 24 or 32 bytes).
/// Errors are lengths only, and name no byte of either input.
pub fn wrap_key(key: &[u8], kek: &[u8]) -> Result<Vec<u8>, UsageError> {
    if key.len() < 16 || !key.len().is_multiple_of(8) {
        return Err(UsageError::new(format!(
            "key wrap needs a key of 16 or more bytes in a multiple of 8, got {}",
            key.len()
        )));
    }
    let kek = Kek::new(kek)?;
    let n = key.len() / 8;
    let mut out = vec![0u8; 8 + key.len()];
    out[..8].copy_from_slice(&IV);
    out[8..].copy_from_slice(key);
    let mut b = Zeroizing::new([0u8; 16]);
    // RFC 3394 section 2.2.1, index-based form: A is out[..8], R[i] is out[8i..8i+8].
    for j in 0..6u64 {
        for i in 1..=n {
            b[..8].copy_from_slice(&out[..8]);
            b[8..].copy_from_slice(&out[8 * i..8 * i + 8]);
            kek.encrypt(&mut b);
            let t = (n as u64) * j + i as u64;
            let a = u64::from_be_bytes(b[..8].try_into().expect("8 bytes")) ^ t;
            out[..8].copy_from_slice(&a.to_be_bytes());
            out[8 * i..8 * i + 8].copy_from_slice(&b[8..]);
        }
    }
    Ok(out)
}

/// Unwraps `wrapped` (a multiple of 8 bytes, at least 24) under `kek`.
///
/// Errors: `Usage` for lengths; `Protocol(DecryptionFailed)` when the integrity check
/// fails (wrong KEK, damaged or altered input), with the decrypted bytes wiped.
pub fn unwrap_key(wrapped: &[u8], kek: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    if wrapped.len() < 24 || !wrapped.len().is_multiple_of(8) {
        return Err(UsageError::new(format!(
            "a wrapped key is 24 or more bytes in a multiple of 8, got {}",
            wrapped.len()
        ))
        .into());
    }
    let kek = Kek::new(kek)?;
    let n = wrapped.len() / 8 - 1;
    let mut a = [0u8; 8];
    a.copy_from_slice(&wrapped[..8]);
    let mut r = Zeroizing::new(wrapped[8..].to_vec());
    let mut b = Zeroizing::new([0u8; 16]);
    // RFC 3394 section 2.2.2, index-based form.
    for j in (0..6u64).rev() {
        for i in (1..=n).rev() {
            let t = (n as u64) * j + i as u64;
            let x = u64::from_be_bytes(a) ^ t;
            b[..8].copy_from_slice(&x.to_be_bytes());
            b[8..].copy_from_slice(&r[8 * (i - 1)..8 * i]);
            kek.decrypt(&mut b);
            a.copy_from_slice(&b[..8]);
            r[8 * (i - 1)..8 * i].copy_from_slice(&b[8..]);
        }
    }
    let ok: bool = a.ct_eq(&IV).into();
    a.zeroize();
    if ok {
        Ok(r)
    } else {
        // `r` is wiped as it drops.
        Err(ProtocolError::DecryptionFailed.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{hex, openssl_enc, unhex};

    /// RFC 3394 section 4: (KEK, key data, wrapped), all six vectors.
    const VECTORS: [(&str, &str, &str); 6] = [
        // 4.1 Wrap 128 bits of Key Data with a 128-bit KEK
        (
            "000102030405060708090A0B0C0D0E0F",
            "00112233445566778899AABBCCDDEEFF",
            "1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5",
        ),
        // 4.2 Wrap 128 bits of Key Data with a 192-bit KEK
        (
            "000102030405060708090A0B0C0D0E0F1011121314151617",
            "00112233445566778899AABBCCDDEEFF",
            "96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D",
        ),
        // 4.3 Wrap 128 bits of Key Data with a 256-bit KEK
        (
            "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
            "00112233445566778899AABBCCDDEEFF",
            "64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7",
        ),
        // 4.4 Wrap 192 bits of Key Data with a 192-bit KEK
        (
            "000102030405060708090A0B0C0D0E0F1011121314151617",
            "00112233445566778899AABBCCDDEEFF0001020304050607",
            "031D33264E15D332 68F24EC260743EDC E1C6C7DDEE725A93 6BA814915C6762D2",
        ),
        // 4.5 Wrap 192 bits of Key Data with a 256-bit KEK
        (
            "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
            "00112233445566778899AABBCCDDEEFF0001020304050607",
            "A8F9BC1612C68B3F F6E6F4FBE30E71E4 769C8B80A32CB895 8CD5D17D6B254DA1",
        ),
        // 4.6 Wrap 256 bits of Key Data with a 256-bit KEK
        (
            "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
            "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
            "28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21",
        ),
    ];

    #[test]
    fn rfc_3394_section_4_vectors() {
        for (i, (kek, key, wrapped)) in VECTORS.iter().enumerate() {
            let (kek, key, wrapped) = (unhex(kek), unhex(key), unhex(wrapped));
            assert_eq!(wrap_key(&key, &kek).unwrap(), wrapped, "4.{}", i + 1);
            assert_eq!(
                &unwrap_key(&wrapped, &kek).unwrap()[..],
                &key[..],
                "4.{}",
                i + 1
            );
        }
    }

    #[test]
    fn any_flipped_bit_or_wrong_kek_fails_integrity() {
        let (kek, _, wrapped) = VECTORS[0];
        let (kek, wrapped) = (unhex(kek), unhex(wrapped));
        for i in 0..wrapped.len() {
            for bit in 0..8 {
                let mut w = wrapped.clone();
                w[i] ^= 1 << bit;
                assert_eq!(
                    unwrap_key(&w, &kek).unwrap_err(),
                    Error::Protocol(ProtocolError::DecryptionFailed)
                );
            }
        }
        let mut other = kek.clone();
        other[0] ^= 1;
        assert_eq!(
            unwrap_key(&wrapped, &other).unwrap_err(),
            Error::Protocol(ProtocolError::DecryptionFailed)
        );
        // A KEK of another size over the same bytes.
        let long = unhex(VECTORS[2].0);
        assert!(unwrap_key(&wrapped, &long).is_err());
    }

    #[test]
    fn lengths_are_usage_errors() {
        let kek = [0u8; 16];
        for n in [0, 8, 15, 17, 23] {
            assert!(wrap_key(&vec![0; n], &kek).is_err(), "key {n}");
        }
        for n in [0, 8, 16, 23, 25] {
            assert!(
                matches!(unwrap_key(&vec![0; n], &kek), Err(Error::Usage(_))),
                "wrapped {n}"
            );
        }
        for n in [0, 8, 15, 17, 31, 33, 64] {
            assert!(wrap_key(&[0; 16], &vec![0; n]).is_err(), "kek {n}");
            assert!(matches!(
                unwrap_key(&[0; 24], &vec![0; n]),
                Err(Error::Usage(_))
            ));
        }
    }

    #[test]
    fn longer_keys_round_trip() {
        let kek = [7u8; 16];
        for n in (16..=128).step_by(8) {
            let key: Vec<u8> = (0..n as u8).collect();
            let w = wrap_key(&key, &kek).unwrap();
            assert_eq!(w.len(), n + 8);
            assert_eq!(&unwrap_key(&w, &kek).unwrap()[..], &key[..]);
        }
    }

    /// Cross-check with OpenSSL's own implementation (`id-aesNNN-wrap`), both ways.
    #[test]
    fn openssl_agrees() {
        let iv = hex(&IV);
        for (kek, key, _) in VECTORS {
            let (kek, key) = (unhex(kek), unhex(key));
            let cipher = format!("-id-aes{}-wrap", kek.len() * 8);
            let Some(theirs) = openssl_enc(&cipher, false, &kek, &["-iv", &iv], &key) else {
                return;
            };
            assert_eq!(wrap_key(&key, &kek).unwrap(), theirs, "{cipher}");
            let ours = wrap_key(&key, &kek).unwrap();
            let back = openssl_enc(&cipher, true, &kek, &["-iv", &iv], &ours).unwrap();
            assert_eq!(back, key, "{cipher}");
        }
        // A fresh random session key, wrapped by us and unwrapped by openssl.
        let key = crate::secret::Key128::generate().unwrap();
        let kek = crate::secret::Key128::generate().unwrap();
        let ours = wrap_key(key.as_bytes(), kek.as_bytes()).unwrap();
        let back = openssl_enc(
            "-id-aes128-wrap",
            true,
            kek.as_bytes(),
            &["-iv", &iv],
            &ours,
        )
        .unwrap();
        assert_eq!(&back[..], key.as_bytes());
    }
}
