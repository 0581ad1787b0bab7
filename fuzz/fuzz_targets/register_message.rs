//! REGISTER message checks (spec 6.1) on arbitrary member values. The input is text,
//! one member a line: `name=s:text` (a string), `name=i:123` (an integer, or another
//! type when it does not parse) or `name=o` (another JSON type); absent lines are
//! absent members. Never a panic, only `bad-format`, and what passes keeps the spec's
//! promises.
#![no_main]

use glpi_agent_protocol::error::ProtocolError;
use glpi_agent_protocol::register::message::{validate, ChallengeReply, Field, RegisterMessage, RegisterRequest};
use libfuzzer_sys::fuzz_target;

fn field(v: &str) -> Field {
    if let Some(s) = v.strip_prefix("s:") {
        Field::Str(s.to_string())
    } else if let Some(i) = v.strip_prefix("i:") {
        i.parse().map(Field::Int).unwrap_or(Field::Other)
    } else {
        Field::Other
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut m = RegisterMessage::default();
    for line in text.split('\n') {
        let Some((name, value)) = line.split_once('=') else { continue };
        let slot = match name {
            "action" => &mut m.action,
            "deviceid" => &mut m.deviceid,
            "port" => &mut m.port,
            "name" => &mut m.name,
            "version" => &mut m.version,
            "tag" => &mut m.tag,
            "challenge" => &mut m.challenge,
            _ => continue,
        };
        *slot = field(value);
    }
    let had_challenge = m.challenge != Field::Missing;
    match validate(m) {
        Ok(RegisterRequest::Register(r)) => {
            assert!(!had_challenge);
            assert!(!r.deviceid.is_empty() && !r.name.is_empty() && !r.version.is_empty());
            assert!(r.tag.as_deref() != Some(""));
        }
        Ok(RegisterRequest::Challenge(ChallengeReply::Answer(a))) => {
            assert_eq!(a.len(), 36);
            assert_eq!(a, a.to_ascii_lowercase());
        }
        Ok(RegisterRequest::Challenge(ChallengeReply::Failure(f))) => assert!(!f.is_empty()),
        Err(e) => assert_eq!(e, ProtocolError::BadFormat),
    }
});
