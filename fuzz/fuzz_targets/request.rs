//! A whole request, as the PHP layer decodes it: headers, content type, bounded
//! decompression, XML or JSON, routing fields. Never panics; every refusal is a
//! `ProtocolError` whose status is a 4xx or 5xx; an accepted body stays within the cap.
#![no_main]

use glpi_agent_protocol::headers::Headers;
use glpi_agent_protocol::json::{self, ParseOptions, Scratch};
use glpi_agent_protocol::request::{decode, message_fields, DecodeOptions};
use glpi_agent_protocol::media_type::Mode;
use glpi_agent_protocol::Limits;
use libfuzzer_sys::fuzz_target;

const TYPES: [&str; 12] = [
    "application/json",
    "application/x-compress-zlib",
    "application/x-zlib",
    "application/x-compress-gzip",
    "application/x-compress-deflate",
    "application/x-compress-br",
    "application/x-br",
    "application/xml",
    "text/plain",
    "",
    "Application/X-Compress-Zlib; charset=utf-8",
    "application/x-glpi-encrypted",
];

const AGENT_IDS: [&str; 4] = ["", "3a609a2e-947f-4e6a-9af9-32c024ac3944", "3A609A2E-947F-4E6A-9AF9-32C024AC3944", "nope"];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let content_type = TYPES[usize::from(selector & 0x0f) % TYPES.len()];
    let agent = AGENT_IDS[usize::from(selector >> 4) % AGENT_IDS.len()];
    let mut pairs = vec![("Content-Type", content_type)];
    if !agent.is_empty() {
        pairs.push(("GLPI-Agent-ID", agent));
    }
    let headers = Headers::from_fields(pairs.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())));
    // A small cap so that the fuzzer reaches the limits often.
    let limits = Limits { max_decoded_bytes: 1 << 20, ..Limits::default() };
    let opts = DecodeOptions { limits: limits.clone(), key: None, now: 1_700_000_000 };
    match decode(body, &headers, &opts) {
        Err(e) => assert!((400..600).contains(&e.http_status()), "{e:?}"),
        Ok(r) => {
            assert!(r.body.len() as u64 <= limits.max_decoded_bytes);
            if r.mode == Mode::Json {
                let mut scratch = Scratch::new();
                if let Ok(tape) = json::parse(&r.body, &ParseOptions::new(false, &limits), &mut scratch) {
                    if let Ok(fields) = message_fields(&tape) {
                        let action = fields.action();
                        assert_eq!(action, action.to_ascii_lowercase());
                    }
                }
            }
        }
    }
});
