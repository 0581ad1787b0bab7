//! AES-128 on one 16-byte block (FIPS-197), the only cipher operation of spec 6.2:
//! every challenge, answer and wrapped key is one block encrypted under the token.

use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use aes::Aes128;
use zeroize::Zeroizing;

use crate::secret::Key128;

/// The cipher keyed once per operation; the round keys are wiped on drop (the `aes`
/// crate's `zeroize` feature).
pub(crate) struct BlockCipher(Aes128);

impl BlockCipher {
    pub(crate) fn new(key: &Key128) -> Self {
        BlockCipher(Aes128::new(key.as_bytes().into()))
    }

    pub(crate) fn encrypt(&self, block: &[u8; 16]) -> [u8; 16] {
        let mut b = (*block).into();
        self.0.encrypt_block(&mut b);
        b.into()
    }

    /// Decrypts into a wiping buffer: the result of every decryption here is a secret.
    pub(crate) fn decrypt(&self, block: &[u8; 16]) -> Zeroizing<[u8; 16]> {
        let mut b = (*block).into();
        self.0.decrypt_block(&mut b);
        let out = Zeroizing::new(b.into());
        zeroize::Zeroize::zeroize(b.as_mut_slice());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FIPS-197 appendix C.1 (AES-128): key 000102..0f, plaintext 00112233..ff.
    #[test]
    fn fips_197_appendix_c1() {
        let key = Key128::from_slice(&hex16("000102030405060708090a0b0c0d0e0f")).unwrap();
        let c = BlockCipher::new(&key);
        let pt = hex16("00112233445566778899aabbccddeeff");
        let ct = c.encrypt(&pt);
        assert_eq!(ct, hex16("69c4e0d86a7b0430d8cdb78070b4c55a"));
        assert_eq!(*c.decrypt(&ct), pt);
    }

    /// FIPS-197 appendix B: key 2b7e1516..., input 3243f6a8....
    #[test]
    fn fips_197_appendix_b() {
        let key = Key128::from_slice(&hex16("2b7e151628aed2a6abf7158809cf4f3c")).unwrap();
        let ct = BlockCipher::new(&key).encrypt(&hex16("3243f6a8885a308d313198a2e0370734"));
        assert_eq!(ct, hex16("3925841d02dc09fbdc118597196a0b32"));
    }

    pub(crate) fn hex16(s: &str) -> [u8; 16] {
        let mut out = [0u8; 16];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }
}
