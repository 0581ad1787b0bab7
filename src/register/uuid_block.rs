//! RFC 4122 section 3 string form of a 128-bit block: the 16 bytes in network order,
//! written as 32 hex digits grouped 8-4-4-4-12. The REGISTER exchange (spec 6.2) moves
//! every AES block as such a string, so "UUID bytes" here means exactly those 16 bytes,
//! with no version or variant bits interpreted or required.
//!
//! Tokens and session keys are written this way too, so the digits go through the one
//! constant-time codec of [`crate::uuid`]: no branch and no table index depends on them.

use zeroize::Zeroizing;

use crate::uuid::{secret, UUID_TEXT_LEN};

/// Parses `8-4-4-4-12` hex (either case) into `out`; false on any other shape, with `out`
/// zeroed. Secrets are parsed straight into a wiping buffer.
pub(crate) fn parse_into(text: &[u8], out: &mut [u8; 16]) -> bool {
    secret::decode(text, out).is_ok()
}

/// The block of a UUID string, or `None` when the text is not one.
pub(crate) fn parse(text: &str) -> Option<[u8; 16]> {
    let mut out = [0u8; 16];
    parse_into(text.as_bytes(), &mut out).then_some(out)
}

/// Lower-case UUID string of a public block (challenges, ids).
pub(crate) fn format(block: &[u8; 16]) -> String {
    let mut out = [0u8; UUID_TEXT_LEN];
    secret::encode(block, &mut out);
    out.iter().map(|&b| char::from(b)).collect()
}

/// Lower-case UUID string of a secret block, wiped when dropped; the digits pass through
/// no buffer that is not wiped.
pub(crate) fn format_secret(block: &[u8; 16]) -> Zeroizing<String> {
    let mut out = Zeroizing::new([0u8; UUID_TEXT_LEN]);
    secret::encode(block, &mut out);
    let mut s = Zeroizing::new(String::with_capacity(UUID_TEXT_LEN));
    s.extend(out.iter().map(|&b| char::from(b)));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_secret_leaves_nothing_behind() {
        let mut out = [0xaau8; 16];
        assert!(!parse_into(
            b"3a609a2e-947f-4e6a-9af9-32c024ac394g",
            &mut out
        ));
        assert_eq!(out, [0; 16]);
    }

    #[test]
    fn round_trip_keeps_network_byte_order() {
        // The spec's own example agent id: the first string byte pair is byte 0.
        let b = parse("3a609a2e-947f-4e6a-9af9-32c024ac3944").unwrap();
        assert_eq!(b[0], 0x3a);
        assert_eq!(b[15], 0x44);
        assert_eq!(&b[8..], &[0x9a, 0xf9, 0x32, 0xc0, 0x24, 0xac, 0x39, 0x44]);
        assert_eq!(format(&b), "3a609a2e-947f-4e6a-9af9-32c024ac3944");
        assert_eq!(
            format_secret(&b).as_str(),
            "3a609a2e-947f-4e6a-9af9-32c024ac3944"
        );
    }

    #[test]
    fn upper_case_is_read_and_lower_case_written() {
        let b = parse("3A609A2E-947F-4E6A-9AF9-32C024AC3944").unwrap();
        assert_eq!(format(&b), "3a609a2e-947f-4e6a-9af9-32c024ac3944");
    }

    #[test]
    fn other_shapes_are_refused() {
        for bad in [
            "",
            "failure",
            "3a609a2e947f4e6a9af932c024ac3944",
            "{3a609a2e-947f-4e6a-9af9-32c024ac3944}",
            "3a609a2e-947f-4e6a-9af9-32c024ac394",
            "3a609a2e-947f-4e6a-9af9-32c024ac39444",
            "3a609a2e-947f-4e6a-9af9x32c024ac3944",
            "3a609a2e-947f-4e6a-9af9-32c024ac394g",
            "3a609a2e-947f-4e6a-9af9-32c024ac394é",
            " 3a609a2e-947f-4e6a-9af9-32c024ac394",
        ] {
            assert!(parse(bad).is_none(), "{bad:?}");
        }
    }
}
