//! `Accept` and `Content-Type` from arbitrary bytes: negotiation never panics, answers only
//! a type it writes, and the type it answers is one the client did not refuse.
#![no_main]

use glpi_agent_protocol::accept::{self, AnswerMode};
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
    for mode in [AnswerMode::Json, AnswerMode::Xml] {
        match accept::negotiate_for(Some(accept_value), content_type, mode) {
            Ok(t) => {
                assert!(mode.answer_types().contains(&t));
                // Refusing the chosen type outright must change the answer (unless a range
                // with parameters, more specific than the refusal, still names it).
                let refused = format!("{accept_value},{t};q=0");
                let plain = ranges.iter().all(|r| r.params.is_empty());
                if plain && !ranges.is_empty() && accept::parse_accept(&refused).len() > ranges.len() {
                    assert_ne!(accept::negotiate_for(Some(&refused), content_type, mode), Ok(t));
                }
            }
            Err(e) => {
                assert_eq!(e, ProtocolError::NotAcceptable);
                assert!(!ranges.is_empty());
            }
        }
    }
    let _ = accept::negotiate(Some(accept_value), content_type);
    if let Some(ct) = content_type {
        let _ = accept::canonical_content_type(ct);
    }
});
