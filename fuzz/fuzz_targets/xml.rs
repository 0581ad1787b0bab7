//! Legacy XML requests (GLPI agent protocol 4.1.1): well-formedness, encodings, QUERY and
//! DEVICEID.
//!
//! Oracles: never panics; an accepted document converted to UTF-8 is accepted again with
//! the same root, QUERY and DEVICEID (conversion is idempotent); text escaped for XML reads
//! back as itself.
#![no_main]

use glpi_agent_protocol::xml::{escape, parse_request, SourceEncoding};
use glpi_agent_protocol::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(r) = parse_request(data.to_vec(), &limits) {
        let again = parse_request(r.body.clone().into_bytes(), &limits).expect("converted document reparses");
        assert_eq!(again.encoding, SourceEncoding::Utf8);
        assert_eq!(again.body, r.body);
        assert_eq!((&again.root, &again.query, &again.device_id), (&r.root, &r.query, &r.device_id));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let doc = format!("<REQUEST><DEVICEID>{}</DEVICEID></REQUEST>", escape(text));
        let r = parse_request(doc.into_bytes(), &limits).expect("escaped text is well-formed");
        let kept: String = text
            .chars()
            .filter(|c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..))
            .collect();
        assert_eq!(r.device_id.as_deref(), Some(kept.as_str()));
    }
});
