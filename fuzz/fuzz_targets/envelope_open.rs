//! Encrypted exchange envelopes (docs/encrypted-exchanges.md) from arbitrary bytes:
//! never a panic, only the documented errors, and seal/open round-trips any body.
#![no_main]

use glpi_agent_protocol::envelope::{self, Binding, Direction};
use glpi_agent_protocol::error::{Error, ProtocolError};
use glpi_agent_protocol::secret::Key128;
use libfuzzer_sys::fuzz_target;

// The key, ids and time of the document's test vectors, which seed the corpus.
const KEY: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
const AGENT: &str = "3a609a2e-947f-4e6a-9af9-32c024ac3944";
const PROXY: &str = "0b8e2a1c-5d4f-4a3b-9c2d-1e0f9a8b7c6d";

fn binding(agent: &str, key_owner: &str, direction: Direction) -> Binding {
    Binding::parse(agent, key_owner, direction).unwrap()
}
const NOW: u64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let key = Key128::from_slice(&KEY).unwrap();
    let bindings = [
        binding(AGENT, AGENT, Direction::AgentToServer),
        binding(AGENT, PROXY, Direction::ServerToAgent),
    ];
    for b in &bindings {
        match envelope::open(&key, b, data, NOW, 300) {
            Ok(o) => {
                assert!(data.len() >= envelope::MIN_LEN);
                assert_eq!(o.plaintext.len() + o.inner_content_type.len() + envelope::MIN_LEN - 1, data.len());
                assert_eq!(o.message_id.len(), 24);
            }
            Err(Error::Protocol(ProtocolError::DecryptionFailed | ProtocolError::StaleMessage)) => {}
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    // Round trip: any body, any printable content type taken from the input.
    let split = data.first().map_or(0, |&n| usize::from(n % 32)).min(data.len().saturating_sub(1));
    let ty: String = data.get(1..1 + split).unwrap_or(&[]).iter().map(|&c| char::from(b' ' + c % 95)).collect();
    let ty = if ty.is_empty() { "application/json".to_string() } else { ty };
    let body = data.get(1 + split..).unwrap_or(&[]);
    let sealed = envelope::seal(&key, &bindings[0], &ty, body, NOW).unwrap();
    let o = envelope::open(&key, &bindings[0], &sealed, NOW, 0).unwrap();
    assert_eq!(o.plaintext, body);
    assert_eq!(o.inner_content_type, ty);
    assert!(envelope::open(&key, &bindings[1], &sealed, NOW, 300).is_err());
});
