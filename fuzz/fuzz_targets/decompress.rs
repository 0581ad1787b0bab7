//! Decompression of every encoding (RFC 1950, 1951, 1952, 7932) on hostile bytes.
//!
//! Input: one selector byte (encoding = byte % 5 in GLPI's order none, zlib, gzip, br,
//! deflate; level from byte / 5), then the body.
//! Oracles: decoding never panics and never returns more than the cap; compressing the
//! body and decoding it gives the body back.
#![no_main]

use glpi_agent_protocol::compression::{compress, decompress, Compression};
use glpi_agent_protocol::{Limits, ProtocolError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let c = Compression::ALL[usize::from(selector) % Compression::ALL.len()];

    // A cap well below the fuzzer's memory limit, so that an overflow is caught by the
    // assertion rather than by the out-of-memory killer.
    let limits = Limits {
        max_decoded_bytes: 1 << 20,
        ..Limits::default()
    };
    match decompress(body, c, &limits) {
        Ok(out) => assert!(out.len() as u64 <= limits.max_decoded_bytes),
        Err(
            ProtocolError::PayloadTooLarge { .. }
            | ProtocolError::CompressionRatio { .. }
            | ProtocolError::CorruptCompressedData
            | ProtocolError::TruncatedCompressedData,
        ) => {}
        Err(e) => panic!("unexpected error {e:?}"),
    }

    // The round trip is for structure, not size: long bodies at brotli's slowest qualities
    // would cut the executions a hundredfold (those qualities are covered by unit tests).
    if body.len() > 4096 {
        return;
    }
    let levels = c.levels();
    let top = if c == Compression::Brotli { 9 } else { *levels.end() };
    let raw = i32::from(selector / 5) - 1;
    let level = if raw < 0 && c != Compression::Brotli {
        -1
    } else {
        levels.start() + raw.max(0) % (top - levels.start() + 1)
    };
    let packed = compress(body, c, level).expect("level in range");
    let back = decompress(&packed, c, &Limits::default()).expect("round trip");
    assert_eq!(back, body);
});
