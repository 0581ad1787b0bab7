//! UUID strings as the GLPI agent protocol uses them (chapter 3.2.1, "agentid"; chapter 6 for
//! challenges and tokens): RFC 4122 text form `8-4-4-4-12`, read strictly, written lower case.
//!
//! Two readers of the one text form, for two kinds of value:
//! - public identifiers (agent ids, cryptokey ids, proxy ids, REGISTER state ids) are
//!   [`Uuid`]s of the `uuid` crate, read by [`parse_id`] and written by [`write_id`];
//! - secrets written as UUID strings (REGISTER tokens, session keys, the AES blocks of the
//!   REGISTER exchange) go through [`secret`], which decodes and encodes without branches or
//!   table look-ups that depend on the digits, into buffers the caller owns and wipes.
//!
//! Either way the 16 bytes are the string's hex digits in order (RFC 4122 byte order,
//! "network order"), which is what the REGISTER arithmetic of spec 6.2 works on.

use std::fmt;

pub use ::uuid::Uuid;

/// The agent identity of spec 3.2.1 (also the format of `GLPI-CryptoKey-ID` and of each
/// `GLPI-Proxy-ID` entry). Any version and variant is accepted: agents generate version 1
/// ids, and the protocol only needs 128 bits.
pub type AgentId = Uuid;

/// Length of the text form: 32 hex digits and 4 hyphens.
pub const UUID_TEXT_LEN: usize = 36;

/// Offsets of the hyphens in the text form.
const HYPHENS: [usize; 4] = [8, 13, 18, 23];

/// The text is not a UUID in the `8-4-4-4-12` hex form. Carries nothing of the input, so it
/// is safe to log even when the input was a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MalformedUuid;

impl fmt::Display for MalformedUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a UUID string (expected 8-4-4-4-12 hex digits)")
    }
}

impl std::error::Error for MalformedUuid {}

/// Reads a public identifier: exactly 36 characters `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`,
/// hex digits in either case. The length check keeps out the other forms the `uuid` crate
/// reads (32 bare digits, braces, `urn:uuid:`); callers trim header whitespace before.
pub fn parse_id(text: &[u8]) -> Result<Uuid, MalformedUuid> {
    if text.len() != UUID_TEXT_LEN {
        return Err(MalformedUuid);
    }
    Uuid::try_parse_ascii(text).map_err(|_| MalformedUuid)
}

/// Writes the lower-case text form of a public identifier into `out` and returns it.
pub fn write_id<'a>(id: &Uuid, out: &'a mut [u8; UUID_TEXT_LEN]) -> &'a str {
    id.hyphenated().encode_lower(out)
}

/// The constant-time codec for secrets written as UUID strings.
pub mod secret {
    use super::{MalformedUuid, HYPHENS, UUID_TEXT_LEN};

    /// `-1` (all bits) when `lo <= x <= hi`, else `0`, without a branch.
    #[inline(always)]
    fn in_range(x: i16, lo: i16, hi: i16) -> i16 {
        !(((x - lo) | (hi - x)) >> 15)
    }

    /// One hex digit to its value; the second value is `-1` for a hex digit and `0` otherwise.
    #[inline(always)]
    fn hex_value(c: u8) -> (i16, i16) {
        let c = c as i16;
        let digit = c - 0x30;
        // Folding to lower case maps 'A'..'F' onto 'a'..'f' and moves nothing else into that range.
        let letter = (c | 0x20) - 0x61;
        let is_digit = in_range(digit, 0, 9);
        let is_letter = in_range(letter, 0, 5);
        (
            (digit & is_digit) | ((letter + 10) & is_letter),
            is_digit | is_letter,
        )
    }

    /// Decodes a UUID string into `out` (RFC 4122 byte order). The time taken depends only on
    /// the length of `text`; on error `out` is zeroed, so no half-decoded secret stays behind.
    pub fn decode(text: &[u8], out: &mut [u8; 16]) -> Result<(), MalformedUuid> {
        if text.len() != UUID_TEXT_LEN {
            *out = [0; 16];
            return Err(MalformedUuid);
        }
        // Accumulates 0 while every character is where it belongs.
        let mut bad: i16 = 0;
        for &h in &HYPHENS {
            bad |= (text[h] ^ b'-') as i16;
        }
        let mut pos = 0;
        for byte in out.iter_mut() {
            if HYPHENS.contains(&pos) {
                pos += 1;
            }
            let (hi, hi_ok) = hex_value(text[pos]);
            let (lo, lo_ok) = hex_value(text[pos + 1]);
            bad |= !hi_ok | !lo_ok;
            *byte = ((hi << 4) | lo) as u8;
            pos += 2;
        }
        if bad != 0 {
            *out = [0; 16];
            return Err(MalformedUuid);
        }
        Ok(())
    }

    /// One nibble to its lower-case hex digit, without a branch.
    #[inline(always)]
    fn hex_digit(n: u8) -> u8 {
        let n = n as i16;
        // For n >= 10 the mask adds the gap between '9'+1 and 'a'.
        (n + 0x30 + (((9 - n) >> 8) & (0x61 - 0x3a))) as u8
    }

    /// Writes the canonical lower-case text form of `bytes` into `out`.
    pub fn encode(bytes: &[u8; 16], out: &mut [u8; UUID_TEXT_LEN]) {
        let mut pos = 0;
        for &b in bytes {
            if HYPHENS.contains(&pos) {
                out[pos] = b'-';
                pos += 1;
            }
            out[pos] = hex_digit(b >> 4);
            out[pos + 1] = hex_digit(b & 0x0f);
            pos += 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The example agent id of spec 3.2.1.
    const SPEC_ID: &str = "3a609a2e-947f-4e6a-9af9-32c024ac3944";

    fn parse(text: &str) -> Result<Uuid, MalformedUuid> {
        parse_id(text.as_bytes())
    }

    fn decode_secret(text: &str) -> Result<[u8; 16], MalformedUuid> {
        let mut out = [0u8; 16];
        secret::decode(text.as_bytes(), &mut out).map(|()| out)
    }

    fn encode_secret(bytes: &[u8; 16]) -> String {
        let mut out = [0u8; UUID_TEXT_LEN];
        secret::encode(bytes, &mut out);
        String::from_utf8(out.to_vec()).unwrap()
    }

    #[test]
    fn spec_example_reads_in_rfc_4122_byte_order_both_ways() {
        let expected = [
            0x3a, 0x60, 0x9a, 0x2e, 0x94, 0x7f, 0x4e, 0x6a, 0x9a, 0xf9, 0x32, 0xc0, 0x24, 0xac,
            0x39, 0x44,
        ];
        let id = parse(SPEC_ID).unwrap();
        assert_eq!(id.as_bytes(), &expected);
        assert_eq!(decode_secret(SPEC_ID), Ok(expected));
        let mut buf = [0u8; UUID_TEXT_LEN];
        assert_eq!(write_id(&id, &mut buf), SPEC_ID);
        assert_eq!(encode_secret(&expected), SPEC_ID);
        assert_eq!(id.to_string(), SPEC_ID);
    }

    #[test]
    fn upper_and_mixed_case_are_read_and_written_lower_case() {
        let up = parse("3A609A2E-947F-4E6A-9AF9-32C024AC3944").unwrap();
        let mixed = parse("3a609A2e-947f-4E6a-9aF9-32c024Ac3944").unwrap();
        assert_eq!(up, mixed);
        assert_eq!(up.to_string(), SPEC_ID);
        assert_eq!(
            decode_secret("3A609A2E-947F-4E6A-9AF9-32C024AC3944"),
            Ok(*up.as_bytes())
        );
    }

    #[test]
    fn captured_agent_id_parses() {
        // GLPI-Agent-ID sent by glpi-agent 1.12 in the wire captures (a version 1 UUID).
        let id = parse("8d4cd9d8-e630-11f1-84c8-420f0d1cbbf9").unwrap();
        assert_eq!(id.get_version_num(), 1);
    }

    #[test]
    fn other_forms_are_refused_by_both_readers() {
        for bad in [
            "",
            "3a609a2e947f4e6a9af932c024ac3944",
            "{3a609a2e-947f-4e6a-9af9-32c024ac3944}",
            "urn:uuid:3a609a2e-947f-4e6a-9af9-32c024ac3944",
            " 3a609a2e-947f-4e6a-9af9-32c024ac3944",
            "3a609a2e-947f-4e6a-9af9-32c024ac3944 ",
            "3a609a2e-947f-4e6a-9af9-32c024ac394",
            "3a609a2e-947f-4e6a-9af9-32c024ac39444",
            "3a609a2e_947f-4e6a-9af9-32c024ac3944",
            "3a609a2e-947f4-e6a-9af9-32c024ac3944",
            "3a609a2g-947f-4e6a-9af9-32c024ac3944",
            "3a609a2e-947f-4e6a-9af9-32c024ac394G",
            "+a609a2e-947f-4e6a-9af9-32c024ac3944",
            "3a609a2e-947f-4e6a-9af9-32c024ac39:4",
            "3a609a2e-947f-4e6a-9af9-32c024ac39@4",
            "3a609a2e-947f-4e6a-9af9-32c024ac39`4",
            "3a609a2e-947f-4e6a-9af9-32c024ac39/4",
            "3a609a2e-947f-4e6a-9af9-32c024ac39\u{0}4",
            "3a609a2e-947f-4e6a-9af9-32c024ac39é",
            "3a609a2e947f-4e6a-9af9-32c024ac3944--",
        ] {
            assert_eq!(parse(bad), Err(MalformedUuid), "{bad:?} accepted");
            assert_eq!(decode_secret(bad), Err(MalformedUuid), "{bad:?} accepted");
        }
    }

    #[test]
    fn failed_secret_decode_leaves_no_partial_output() {
        let mut out = [0xaau8; 16];
        assert!(secret::decode(b"3a609a2e-947f-4e6a-9af9-32c024ac394x", &mut out).is_err());
        assert_eq!(out, [0; 16]);
        let mut out = [0xaau8; 16];
        assert!(secret::decode(b"short", &mut out).is_err());
        assert_eq!(out, [0; 16]);
    }

    #[test]
    fn every_byte_value_encodes_like_format() {
        for b in 0..=255u8 {
            let expected = format!("{b:02x}").repeat(16);
            let digits: String = encode_secret(&[b; 16])
                .chars()
                .filter(|c| *c != '-')
                .collect();
            assert_eq!(digits, expected);
        }
    }

    proptest! {
        #[test]
        fn the_two_codecs_agree_and_round_trip(bytes in any::<[u8; 16]>()) {
            let id = Uuid::from_bytes(bytes);
            let mut buf = [0u8; UUID_TEXT_LEN];
            let text = write_id(&id, &mut buf).to_string();
            prop_assert_eq!(&text, &encode_secret(&bytes));
            prop_assert_eq!(parse(&text), Ok(id));
            prop_assert_eq!(parse(&text.to_uppercase()), Ok(id));
            prop_assert_eq!(decode_secret(&text.to_uppercase()), Ok(bytes));
        }

        #[test]
        fn both_agree_with_a_plain_reference_parser(text in "[0-9a-fA-F-]{36}|[ -~]{0,40}") {
            let reference = reference_parse(&text);
            prop_assert_eq!(parse(&text).ok().map(|u| u.into_bytes()), reference);
            prop_assert_eq!(decode_secret(&text).ok(), reference);
        }
    }

    /// A straightforward (branching) reading of the same grammar, as an oracle.
    fn reference_parse(text: &str) -> Option<[u8; 16]> {
        let groups: Vec<&str> = text.split('-').collect();
        let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        if lens != [8, 4, 4, 4, 12]
            || !groups
                .iter()
                .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
        {
            return None;
        }
        let hex: String = groups.concat();
        let mut out = [0u8; 16];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(out)
    }
}
