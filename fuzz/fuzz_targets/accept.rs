//! `Accept` and `Content-Type` from arbitrary bytes: negotiation never panics, answers only
//! a type it writes, and the type it answers is one the client did not refuse.
#![no_main]

use glpi_agent_protocol::accept;
use glpi_agent_protocol::media_type::{self, Mode, Spelling};
use glpi_agent_protocol::ProtocolError;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The first line is the request's Content-Type, the rest the Accept value.
    let (content_type, accept_value) = match text.split_once('\n') {
        Some((ct, a)) => (Some(ct), a),
        None => (None, text.as_ref()),
    };
    let ranges = accept::parse_accept(accept_value);
    let known = content_type.and_then(media_type::lookup);
    let mirror = known.map(|k| k.compression);
    let spelling = known.map_or(Spelling::XCompress, |k| k.spelling);
    for mode in [Mode::Json, Mode::Xml] {
        match accept::negotiate(Some(accept_value), mode, mirror, spelling) {
            Ok(t) => {
                assert_eq!(t.mode, mode);
                assert!(media_type::names(mode, t.compression).any(|n| n == t.content_type));
                // Refusing the chosen type outright must change the answer (unless a range
                // with parameters, more specific than the refusal, still names it).
                let refused = format!("{accept_value},{};q=0", t.content_type);
                let plain = ranges.iter().all(|r| r.params.is_empty());
                if plain && !ranges.is_empty() && accept::parse_accept(&refused).len() > ranges.len() {
                    assert_ne!(accept::negotiate(Some(&refused), mode, mirror, spelling), Ok(t));
                }
            }
            Err(e) => {
                assert_eq!(e, ProtocolError::NotAcceptable);
                assert!(!ranges.is_empty());
            }
        }
    }
    let _ = accept::negotiate_for_content_type(Some(accept_value), content_type);
});
