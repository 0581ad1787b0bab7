//! Delay definitions of the GLPI agent protocol (chapter 3.3.2, "expiration"): a positive
//! integer immediately followed by an optional unit `s`, `m`, `h` or `d`; no unit means hours.
//!
//! Read exactly as glpi-agent reads them (`^\d+[dshm]?$`, so leading zeros are fine), except
//! that zero is refused: agents treat an expiration of 0 as "none", which is not what a server
//! that writes one means. Results are capped at `i64::MAX` seconds so that they fit a PHP int.

use crate::error::{ProtocolError, UsageError};

/// Largest delay in seconds: PHP integers are signed 64-bit.
pub const MAX_SECONDS: u64 = i64::MAX as u64;

/// Units from the largest, as (suffix, seconds).
const UNITS: [(u8, u64); 4] = [(b'd', 86_400), (b'h', 3_600), (b'm', 60), (b's', 1)];

fn unit_seconds(suffix: u8) -> Option<u64> {
    UNITS
        .iter()
        .find(|(s, _)| *s == suffix)
        .map(|(_, secs)| *secs)
}

/// Seconds meant by a delay definition such as `"1d"`, `"24"`, `"30s"`, `"6h"`.
///
/// Refused (`bad-format`): empty text, a sign, spaces anywhere, a decimal point, an upper-case
/// or unknown unit, zero, and anything above [`MAX_SECONDS`].
pub fn parse_expiration(text: &str) -> Result<u64, ProtocolError> {
    let bytes = text.as_bytes();
    let (digits, unit) = match bytes.last() {
        Some(c) if c.is_ascii_digit() => (bytes, 3_600),
        Some(&c) => (
            &bytes[..bytes.len() - 1],
            unit_seconds(c).ok_or(ProtocolError::BadFormat)?,
        ),
        None => return Err(ProtocolError::BadFormat),
    };
    if digits.is_empty() {
        return Err(ProtocolError::BadFormat);
    }
    let mut count: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return Err(ProtocolError::BadFormat);
        }
        count = count
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(c - b'0')))
            .ok_or(ProtocolError::BadFormat)?;
    }
    scale(count, unit)
}

/// Seconds meant by a JSON integer expiration, which spec 3.3.2 reads as hours (`24` is a day).
pub fn expiration_from_hours(hours: i64) -> Result<u64, ProtocolError> {
    let hours = u64::try_from(hours).map_err(|_| ProtocolError::BadFormat)?;
    scale(hours, 3_600)
}

fn scale(count: u64, unit: u64) -> Result<u64, ProtocolError> {
    match count.checked_mul(unit) {
        Some(secs) if secs > 0 && secs <= MAX_SECONDS => Ok(secs),
        _ => Err(ProtocolError::BadFormat),
    }
}

/// The shortest exact delay definition for `seconds`, always with its unit: `86400` gives
/// `"1d"`, `3600` gives `"1h"`, `90` gives `"90s"`. The largest unit dividing `seconds` gives
/// the fewest digits, and every unit is one letter.
///
/// Zero (which agents read as "no expiration") and values above [`MAX_SECONDS`] are caller
/// errors.
pub fn format_expiration(seconds: u64) -> Result<String, UsageError> {
    if seconds == 0 {
        return Err(UsageError::new(
            "an expiration must be a positive number of seconds",
        ));
    }
    if seconds > MAX_SECONDS {
        return Err(UsageError::new(format!(
            "an expiration cannot exceed {MAX_SECONDS} seconds"
        )));
    }
    let (suffix, unit) = UNITS
        .iter()
        .copied()
        .find(|(_, unit)| seconds.is_multiple_of(*unit))
        .unwrap_or((b's', 1));
    Ok(format!("{}{}", seconds / unit, suffix as char))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spec_examples() {
        // Spec 3.3.2: "1d", "24", "1m", "30s", "6h"; 4.3 adds "30m", 6.1 "30d" and "4h".
        assert_eq!(parse_expiration("1d"), Ok(86_400));
        assert_eq!(parse_expiration("24"), Ok(86_400));
        assert_eq!(parse_expiration("1m"), Ok(60));
        assert_eq!(parse_expiration("30s"), Ok(30));
        assert_eq!(parse_expiration("6h"), Ok(21_600));
        assert_eq!(parse_expiration("30m"), Ok(1_800));
        assert_eq!(parse_expiration("30d"), Ok(2_592_000));
        assert_eq!(expiration_from_hours(24), Ok(86_400));
        assert_eq!(expiration_from_hours(1), Ok(3_600));
    }

    #[test]
    fn leading_zeros_are_read_like_the_agent_does() {
        assert_eq!(parse_expiration("024"), Ok(86_400));
        assert_eq!(parse_expiration("007s"), Ok(7));
    }

    #[test]
    fn refusals() {
        for bad in [
            "",
            "h",
            "s",
            "0",
            "0s",
            "00h",
            "0d",
            "-1",
            "-1h",
            "+1",
            "+1h",
            " 1h",
            "1h ",
            "1 h",
            "1.5h",
            "1e3",
            "1H",
            "1D",
            "1w",
            "1y",
            "1ms",
            "1hh",
            "h1",
            "0x10",
            "١",
            "1\u{0}",
            "\u{FF11}h",
        ] {
            assert_eq!(
                parse_expiration(bad),
                Err(ProtocolError::BadFormat),
                "{bad:?} accepted"
            );
        }
        assert_eq!(expiration_from_hours(0), Err(ProtocolError::BadFormat));
        assert_eq!(expiration_from_hours(-24), Err(ProtocolError::BadFormat));
        assert_eq!(
            expiration_from_hours(i64::MAX),
            Err(ProtocolError::BadFormat)
        );
    }

    #[test]
    fn overflow_is_refused_at_the_php_int_boundary() {
        assert_eq!(parse_expiration("9223372036854775807s"), Ok(MAX_SECONDS));
        assert_eq!(
            parse_expiration("9223372036854775808s"),
            Err(ProtocolError::BadFormat)
        );
        assert_eq!(
            parse_expiration("18446744073709551616s"),
            Err(ProtocolError::BadFormat)
        );
        assert_eq!(
            parse_expiration("106751991167300d"),
            Ok(106_751_991_167_300 * 86_400)
        );
        assert_eq!(
            parse_expiration("106751991167301d"),
            Err(ProtocolError::BadFormat)
        );
        assert_eq!(
            parse_expiration(&"9".repeat(400)),
            Err(ProtocolError::BadFormat)
        );
    }

    #[test]
    fn formatting_picks_the_largest_exact_unit() {
        let cases = [
            (1, "1s"),
            (59, "59s"),
            (60, "1m"),
            (90, "90s"),
            (120, "2m"),
            (1_800, "30m"),
            (3_600, "1h"),
            (5_400, "90m"),
            (7_200, "2h"),
            (86_400, "1d"),
            (90_000, "25h"),
            (2_592_000, "30d"),
            (MAX_SECONDS, "9223372036854775807s"),
        ];
        for (secs, text) in cases {
            assert_eq!(format_expiration(secs).as_deref(), Ok(text));
        }
        assert!(format_expiration(0).is_err());
        assert!(format_expiration(MAX_SECONDS + 1).is_err());
    }

    proptest! {
        #[test]
        fn format_then_parse_gives_back_the_seconds(secs in 1..=MAX_SECONDS) {
            let text = format_expiration(secs).unwrap();
            prop_assert_eq!(parse_expiration(&text), Ok(secs));
        }

        #[test]
        fn small_multiples_of_each_unit_round_trip(n in 1u64..1_000_000, unit in 0usize..4) {
            let secs = n * UNITS[unit].1;
            prop_assert_eq!(parse_expiration(&format_expiration(secs).unwrap()), Ok(secs));
        }

        #[test]
        fn parse_agrees_with_the_agents_regex(text in "[0-9]{0,6}[dhms]?|[ -~]{0,8}") {
            // glpi-agent's reading (Protocol::Message::expiration), minus its 0.
            let expected = reference_parse(&text);
            prop_assert_eq!(parse_expiration(&text).ok(), expected);
        }

        #[test]
        fn parsed_text_reformats_to_an_equal_delay(text in "[0-9]{1,19}[dhms]?") {
            if let Ok(secs) = parse_expiration(&text) {
                let again = format_expiration(secs).unwrap();
                prop_assert!(again.len() <= text.len() + 1);
                prop_assert_eq!(parse_expiration(&again), Ok(secs));
            }
        }
    }

    fn reference_parse(text: &str) -> Option<u64> {
        let (num, unit) = match text.char_indices().last() {
            Some((i, c)) if "dhms".contains(c) => (&text[..i], c),
            _ => (text, 'h'),
        };
        if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u64 = num.parse().ok()?;
        let mult = match unit {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            _ => 1,
        };
        let secs = n.checked_mul(mult)?;
        (secs > 0 && secs <= MAX_SECONDS).then_some(secs)
    }
}
