//! Every bound the decoder and the REGISTER code enforce, in one value with safe defaults.
//!
//! The PHP layer fills a `Limits` from the INI directives `glpi_agent_protocol.*` and then
//! applies per-call options on top, so every limit has a default, a directive and an option.

/// What to do with bytes that are not UTF-8 inside JSON strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidUtf8 {
    /// Refuse the body (`invalid utf-8`, 400), as `json_decode` does by default.
    Error,
    /// Replace each invalid sequence by U+FFFD, as `JSON_INVALID_UTF8_SUBSTITUTE` does,
    /// so that an inventory with one bad byte is not lost.
    Substitute,
}

impl InvalidUtf8 {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "error" => Some(InvalidUtf8::Error),
            "substitute" => Some(InvalidUtf8::Substitute),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            InvalidUtf8::Error => "error",
            InvalidUtf8::Substitute => "substitute",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest body after decompression (and the largest plain body). Real network
    /// inventories reach 20 MB; the default leaves room for three times that.
    pub max_decoded_bytes: u64,
    /// Largest expansion (decoded bytes per compressed byte) of a zlib, gzip or deflate body
    /// once the output passes [`Limits::RATIO_GRACE_BYTES`]. Measured: real inventories, and
    /// 20 MB network inventories made of hundreds of near-identical ports, expand at most 31
    /// times at level 9; a stream of zeros expands 229 times at level 1 and 1029 times at
    /// level 6, and deflate cannot exceed 1032.
    pub max_ratio: u32,
    /// The same for brotli bodies, whose 4 MiB window turns repetition into far larger
    /// ratios. Measured at quality 11: real inventories up to 46, a 17 MB network inventory of
    /// ports identical but for their number 315; zeros expand 1475 times at quality 0 and
    /// about a million times at quality 5.
    pub max_ratio_brotli: u32,
    /// Deepest JSON nesting, counted as `json_decode` counts its `$depth`.
    pub max_depth: u32,
    /// Most JSON values in one message, object keys counted too: what PHP's values will
    /// cost grows with their number, not with the bytes (`[{},{},...]` costs PHP some 70
    /// bytes of memory per 3 bytes of text). Measured on the corpus: real inventories hold
    /// one value or key per 16 to 26 bytes of JSON, so a 20 MB network inventory holds about
    /// 1.1 million; the default admits a real inventory of `max_decoded_bytes`.
    pub max_values: u64,
    /// Most entries accepted in `GLPI-Proxy-ID` (spec 3.2.7 suggests 5).
    pub max_proxies: u32,
    /// Seconds a REGISTER challenge stays answerable.
    pub challenge_max_age: u32,
    /// Seconds an encrypted message may be older (or newer) than the receiver's clock.
    pub message_max_age: u32,
    pub invalid_utf8: InvalidUtf8,
    /// Largest certificate or certificate signing request text read (PEM, URL-escaped
    /// PEM or DER). An 8192-bit RSA certificate URL-escaped takes about 4 KB.
    pub max_certificate_bytes: u32,
}

impl Limits {
    /// Output below this size is never judged by its ratio: tiny bodies of repeated
    /// bytes are legitimate and cost nothing.
    pub const RATIO_GRACE_BYTES: u64 = 1 << 20;

    pub const DEFAULT: Limits = Limits {
        max_decoded_bytes: 64 << 20,
        max_ratio: 200,
        max_ratio_brotli: 1000,
        max_depth: 512,
        max_values: 4_000_000,
        max_proxies: 5,
        challenge_max_age: 60,
        message_max_age: 300,
        invalid_utf8: InvalidUtf8::Error,
        max_certificate_bytes: 16384,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
