//! Secret values of the REGISTER exchange (spec chapter 6): the registration token and
//! 128-bit keys.
//!
//! Both types wipe their bytes when dropped, compare in constant time, print nothing of
//! themselves, and come into being only from the operating system's random generator
//! or from a checked parse. A random generator failure is reported as [`RngError`]:
//! there is no fallback source.

use std::fmt;

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::UsageError;
use crate::register::uuid_block;

/// The operating system's random generator failed. Nothing a peer can cause, and
/// nothing to retry with a weaker source: the PHP layer raises it as an exception of
/// its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RngError;

impl fmt::Display for RngError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the operating system random generator failed")
    }
}

impl std::error::Error for RngError {}

/// Fills `buf` from the OS CSPRNG.
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<(), RngError> {
    getrandom::fill(buf).map_err(|_| RngError)
}

/// Eight fresh random bytes, the size of every REGISTER secret.
pub(crate) fn random8() -> Result<Zeroizing<[u8; 8]>, RngError> {
    let mut b = Zeroizing::new([0u8; 8]);
    fill_random(&mut b[..])?;
    Ok(b)
}

/// Constant-time equality and a `Debug` that names the type and nothing else.
macro_rules! secret_traits {
    ($ty:ident, $bytes:expr) => {
        impl ConstantTimeEq for $ty {
            fn ct_eq(&self, other: &Self) -> Choice {
                let bytes: fn(&$ty) -> &[u8; 16] = $bytes;
                bytes(self).ct_eq(bytes(other))
            }
        }

        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.ct_eq(other).into()
            }
        }

        impl Eq for $ty {}

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($ty), "(<redacted>)"))
            }
        }
    };
}

/// A 128-bit AES key: a session key handed out by REGISTER, or a key-encryption key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Key128([u8; 16]);

impl Key128 {
    /// Key length in bytes (AES-128).
    pub const LEN: usize = 16;

    /// A fresh key from the OS CSPRNG.
    pub fn generate() -> Result<Key128, RngError> {
        let mut k = Key128([0u8; 16]);
        fill_random(&mut k.0)?;
        Ok(k)
    }

    /// Takes a copy of exactly 16 raw bytes (a key the caller stored). Any other
    /// length is caller misuse; the message names only the length.
    pub fn from_slice(bytes: &[u8]) -> Result<Key128, UsageError> {
        if bytes.len() != Self::LEN {
            return Err(UsageError::new(format!(
                "a key must be {} bytes, got {}",
                Self::LEN,
                bytes.len()
            )));
        }
        let mut k = Key128([0u8; 16]);
        k.0.copy_from_slice(bytes);
        Ok(k)
    }

    /// Moves an already secret block (a decrypted key) into a key, wiping the source.
    pub(crate) fn from_block(block: &mut [u8; 16]) -> Key128 {
        let k = Key128(*block);
        block.zeroize();
        k
    }

    /// The raw bytes, for the cipher and for the caller that must store the key.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

secret_traits!(Key128, |k: &Key128| &k.0);

/// A registration token: a UUID string shared out of band between the server and
/// agents. Its 16 bytes in RFC 4122 order are the AES-128 key of every REGISTER block
/// (spec 6.2).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Token(Key128);

impl Token {
    /// A fresh token: 128 random bits. No RFC 4122 version or variant bits are set, so
    /// all 128 bits of the key are random; the string still has the UUID shape.
    pub fn generate() -> Result<Token, RngError> {
        Key128::generate().map(Token)
    }

    /// Reads a token written as a UUID string (hex digits in either case). Surrounding
    /// white space is refused rather than trimmed: the caller's configuration is wrong.
    pub fn parse(text: &str) -> Result<Token, UsageError> {
        let mut t = Token(Key128([0u8; 16]));
        if uuid_block::parse_into(text.as_bytes(), &mut (t.0).0) {
            Ok(t)
        } else {
            // `t` is dropped, and wiped, here.
            Err(UsageError::new(
                "a token must be a UUID string (8-4-4-4-12 hex digits)",
            ))
        }
    }

    /// The token as a lower-case UUID string, wiped when dropped.
    pub fn to_uuid_string(&self) -> Zeroizing<String> {
        uuid_block::format_secret(self.0.as_bytes())
    }

    /// The AES-128 key this token stands for.
    pub(crate) fn key(&self) -> &Key128 {
        &self.0
    }
}

secret_traits!(Token, |t: &Token| &(t.0).0);

/// A new registration token as a UUID string: 128 random bits from the OS CSPRNG,
/// with no version or variant bits forced.
pub fn generate_token() -> Result<Zeroizing<String>, RngError> {
    Ok(Token::generate()?.to_uuid_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_uuid_strings_that_parse_back() {
        let s = generate_token().unwrap();
        assert_eq!(s.len(), 36);
        let t = Token::parse(&s).unwrap();
        assert_eq!(t.to_uuid_string().as_str(), s.as_str());
        assert!(Token::parse(&s.to_uppercase()).unwrap() == t);
    }

    #[test]
    fn generated_tokens_differ_and_use_all_bits() {
        // The version nibble (byte 6 high) and variant bits (byte 8 high) are not
        // forced: over 64 tokens, each of those bits is seen both set and clear with
        // overwhelming probability (failure chance 2^-63 per bit).
        let mut or = [0u8; 16];
        let mut and = [0xffu8; 16];
        let mut seen = std::collections::HashSet::new();
        for _ in 0..64 {
            let t = Token::generate().unwrap();
            let b = *t.key().as_bytes();
            assert!(seen.insert(b));
            for i in 0..16 {
                or[i] |= b[i];
                and[i] &= b[i];
            }
        }
        assert_eq!(or, [0xff; 16]);
        assert_eq!(and, [0x00; 16]);
    }

    #[test]
    fn malformed_tokens_are_usage_errors_without_echo() {
        let secret_looking = "3a609a2e-947f-4e6a-9af9-32c024ac394";
        let e = Token::parse(secret_looking).unwrap_err();
        assert!(!e.0.contains(secret_looking));
        assert!(Token::parse(" 3a609a2e-947f-4e6a-9af9-32c024ac3944").is_err());
    }

    #[test]
    fn debug_never_prints_bytes() {
        let k = Key128::from_slice(&[0xab; 16]).unwrap();
        let d = format!("{k:?}");
        assert!(!d.contains("ab") && !d.contains("171"), "{d}");
        let t = Token::parse("abababab-abab-abab-abab-abababababab").unwrap();
        let d = format!("{t:?}");
        assert!(!d.contains("ab") && !d.contains("171"), "{d}");
    }

    #[test]
    fn key_length_is_checked() {
        assert!(Key128::from_slice(&[0; 15]).is_err());
        assert!(Key128::from_slice(&[0; 17]).is_err());
        let a = Key128::from_slice(&[1; 16]).unwrap();
        let b = Key128::from_slice(&[1; 16]).unwrap();
        let c = Key128::from_slice(&[2; 16]).unwrap();
        assert!(a == b && a != c);
    }

    #[test]
    fn from_block_wipes_its_source() {
        let mut block = [7u8; 16];
        let k = Key128::from_block(&mut block);
        assert_eq!(block, [0; 16]);
        assert_eq!(k.as_bytes(), &[7; 16]);
    }
}
