//! Content-Type parsing (GLPI agent protocol 3.2.3), compression sniffing and mode guessing.
//!
//! Oracles: never panics; an accepted type gives an answer type that reads back as the
//! same compression (and spelling for brotli); a sniffed zlib header is one RFC 1950 allows.
#![no_main]

use glpi_agent_protocol::compression::Compression;
use glpi_agent_protocol::content_type::{guess_mode, sniff_compression, BodyType};
use glpi_agent_protocol::media_type::{AnswerType, Mode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = BodyType::parse_bytes(Some(data)) {
        let header = std::str::from_utf8(data).expect("accepted headers are UTF-8");
        assert_eq!(BodyType::parse(Some(header)), Ok(t));
        let mode = t.mode.unwrap_or(Mode::Json);
        let c = t.compression.unwrap_or(Compression::None);
        let answer = AnswerType::new(mode, c, t.spelling).content_type;
        let back = BodyType::parse(Some(answer)).expect("answer types parse");
        assert_eq!(back.compression, Some(c));
        if c == Compression::Brotli {
            assert_eq!(back.spelling, t.spelling);
        }
    }
    match sniff_compression(data) {
        Compression::Zlib => {
            assert_eq!(data[0] & 0x0f, 8);
            assert!(data[0] >> 4 <= 7);
            assert_eq!((u16::from(data[0]) << 8 | u16::from(data[1])) % 31, 0);
        }
        Compression::Gzip => assert_eq!(&data[..3], &[0x1f, 0x8b, 0x08]),
        Compression::None => {}
        other => panic!("sniffed {other}"),
    }
    let _ = guess_mode(data);
});
