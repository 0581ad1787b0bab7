//! Delay definitions from arbitrary bytes, with the round-trip oracle: whatever parses
//! formats to a delay that parses back to the same seconds, never longer than needed.
#![no_main]

use glpi_agent_protocol::expiration::{self, MAX_SECONDS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(secs) = expiration::parse_expiration(text) {
            assert!(secs > 0 && secs <= MAX_SECONDS);
            let formatted = expiration::format_expiration(secs).expect("a parsed delay formats");
            assert_eq!(expiration::parse_expiration(&formatted), Ok(secs));
            let digits = text.trim_start_matches('0');
            assert!(formatted.len() <= digits.len() + 1, "{text:?} formatted as {formatted:?}");
        }
    }
    if data.len() >= 8 {
        let n = u64::from_le_bytes(data[..8].try_into().unwrap());
        match expiration::format_expiration(n) {
            Ok(text) => assert_eq!(expiration::parse_expiration(&text), Ok(n)),
            Err(_) => assert!(n == 0 || n > MAX_SECONDS),
        }
        let _ = expiration::expiration_from_hours(n as i64);
    }
});
