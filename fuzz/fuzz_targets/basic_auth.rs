//! `Authorization` values from arbitrary bytes: the check never panics, and credentials
//! encoded from the input itself are accepted exactly when they are the expected ones.
#![no_main]

use glpi_agent_protocol::auth::{check_basic_auth, www_authenticate};
use libfuzzer_sys::fuzz_target;

const LOGIN: &str = "agent";
const PASSWORD: &str = "s3cr:et";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = check_basic_auth(Some(&text), LOGIN, PASSWORD);
    let _ = check_basic_auth(Some(&text), "", "");

    // Read the input as "login:password" and send it the way a client would.
    if let Some((login, password)) = text.split_once(':') {
        let header = format!("Basic {}", encode(text.as_bytes()));
        let expected = !login.is_empty();
        assert_eq!(check_basic_auth(Some(&header), login, password), expected);
        let same = login == LOGIN && password == PASSWORD;
        assert_eq!(check_basic_auth(Some(&header), LOGIN, PASSWORD), same);
    }

    let challenge = www_authenticate(&text);
    assert!(!challenge.contains(['\r', '\n', '\0']));
});

/// Standard base64 with padding, written out here so that the oracle does not share code
/// with the checker.
fn encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
