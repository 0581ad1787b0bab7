//! Body compression: RFC 1950 (zlib), RFC 1951 (raw deflate), RFC 1952 (gzip) and
//! RFC 7932 (brotli), as named by the GLPI agent protocol's content types (spec 3.2.3).
//!
//! Decompression is streaming and bounded: the output never exceeds
//! [`Limits::max_decoded_bytes`], and once it passes [`Limits::RATIO_GRACE_BYTES`] it may not
//! outgrow the compressed bytes read so far by more than [`Limits::max_ratio`]
//! ([`Limits::max_ratio_brotli`] for brotli). A bomb is therefore stopped after about a
//! megabyte of output, whatever it claims to expand to. Memory stays near the output
//! produced: the buffer is reserved once from the input size and written a step at a time,
//! and the brotli window is at most 16 MiB (the large-window extension is refused).
//!
//! Behaviour at the edges mirrors PHP's `gzuncompress`/`gzdecode`/`gzinflate` (checked with
//! PHP 8.2 against its bundled zlib):
//! - bytes after the end of a complete stream are ignored;
//! - a gzip body made of several members yields the first member only;
//! - an empty or cut stream is an error (PHP returns `false`), including a gzip stream cut
//!   inside its 8-byte trailer: PHP accepts some of those, this decoder does not.

use crate::error::{ProtocolError, UsageError};
use crate::limits::Limits;
use std::fmt;
use std::str::FromStr;

/// How a body is compressed. The discriminants are GLPI's `COMPRESS_*` constants
/// (`Glpi\Agent\Communication\AbstractRequest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// Uncompressed: `application/json` (or `application/xml`) sent as is.
    None = 0,
    /// RFC 1950 zlib, `application/x-compress-zlib` (PHP's `gzcompress`).
    Zlib = 1,
    /// RFC 1952 gzip, `application/x-compress-gzip` (PHP's `gzencode`).
    Gzip = 2,
    /// RFC 7932 brotli, `application/x-compress-br`.
    Brotli = 3,
    /// RFC 1951 raw deflate (PHP's `gzdeflate`): GLPI has a constant for it, the protocol no
    /// content type.
    Deflate = 4,
}

impl Compression {
    /// Every variant, in GLPI's constant order.
    pub const ALL: [Compression; 5] = [
        Compression::None,
        Compression::Zlib,
        Compression::Gzip,
        Compression::Brotli,
        Compression::Deflate,
    ];

    /// The name used by the PHP functions `compress()`/`decompress()` and `Request::compression()`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Zlib => "zlib",
            Compression::Gzip => "gzip",
            Compression::Deflate => "deflate",
            Compression::Brotli => "br",
        }
    }

    /// Reads one of the names of [`Compression::as_str`], in any letter case.
    pub fn from_name(name: &str) -> Option<Compression> {
        Compression::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(name))
    }

    /// GLPI's `COMPRESS_*` value.
    pub fn glpi_code(&self) -> u8 {
        *self as u8
    }

    /// The variant of a GLPI `COMPRESS_*` value; `None` for any other integer.
    pub fn from_glpi_code(code: i64) -> Option<Compression> {
        Compression::ALL
            .into_iter()
            .find(|c| i64::from(c.glpi_code()) == code)
    }

    /// The accepted range of `level` for [`compress`]; -1 (the format's default) is
    /// accepted as well.
    pub fn levels(&self) -> std::ops::RangeInclusive<i32> {
        match self {
            Compression::None => 0..=0,
            Compression::Zlib | Compression::Gzip | Compression::Deflate => 0..=9,
            Compression::Brotli => 0..=11,
        }
    }

    /// The level -1 stands for: zlib's 6 (whose zlib header is `78 9c`, the only one
    /// fusioninventory-agent recognises) and brotli's 11 (the default of the brotli
    /// library and of PHP's brotli extension). For the deflate formats, [`compress`]
    /// writes -1 with zlib's framing at 6 around a faster encoder's stream.
    pub fn default_level(&self) -> i32 {
        match self {
            Compression::None => 0,
            Compression::Zlib | Compression::Gzip | Compression::Deflate => 6,
            Compression::Brotli => 11,
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Compression {
    type Err = UsageError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Compression::from_name(s).ok_or_else(|| {
            UsageError::new(format!(
                "unknown compression {s:?}: expected one of none, zlib, gzip, deflate, br"
            ))
        })
    }
}

/// Output is produced at most this many bytes per decoder call, so that the ratio check
/// runs before a bomb has had the chance to write much.
const STEP: usize = 256 << 10;

/// A first guess of the expansion of a real body, to size the output buffer once.
/// Inventories compress 8 to 30 times at zlib's default level; untouched capacity
/// costs address space, not memory.
const EXPECTED_RATIO: usize = 16;

/// Decompresses a whole body. See [`decompress_into`].
pub fn decompress(input: &[u8], c: Compression, limits: &Limits) -> Result<Vec<u8>, ProtocolError> {
    let mut out = Vec::new();
    decompress_into(input, c, limits, &mut out)?;
    Ok(out)
}

/// Decompresses a whole body, appending it to `out` (which is cleared first).
///
/// Errors: [`ProtocolError::PayloadTooLarge`] past `limits.max_decoded_bytes`,
/// [`ProtocolError::CompressionRatio`] past `limits.max_ratio` (once the output is over
/// [`Limits::RATIO_GRACE_BYTES`]), [`ProtocolError::TruncatedCompressedData`] when the
/// input ends before the stream does, [`ProtocolError::CorruptCompressedData`] otherwise.
/// The capacity of `out` never exceeds `max_decoded_bytes + 1` because of this call.
pub fn decompress_into(
    input: &[u8],
    c: Compression,
    limits: &Limits,
    out: &mut Vec<u8>,
) -> Result<(), ProtocolError> {
    out.clear();
    let guard = Guard::new(limits, c);
    match c {
        Compression::None => {
            guard.check_size(input.len())?;
            out.extend_from_slice(input);
            Ok(())
        }
        Compression::Zlib | Compression::Deflate => {
            with_decoder(c, |dec| inflate(dec, input, &guard, out, None))
        }
        Compression::Gzip => {
            let hint = gzip_size_hint(input);
            with_decoder(c, |dec| inflate(dec, input, &guard, out, hint))
        }
        Compression::Brotli => unbrotli(input, &guard, out),
    }
}

/// The limits of one decompression, in `usize`.
struct Guard {
    max_len: usize,
    max_decoded_bytes: u64,
    max_ratio: u32,
}

impl Guard {
    fn new(limits: &Limits, c: Compression) -> Guard {
        Guard {
            max_len: usize::try_from(limits.max_decoded_bytes).unwrap_or(usize::MAX),
            max_decoded_bytes: limits.max_decoded_bytes,
            max_ratio: match c {
                Compression::Brotli => limits.max_ratio_brotli,
                _ => limits.max_ratio,
            },
        }
    }

    /// The buffer may hold one byte more than allowed: that byte is how an overflow shows.
    fn buffer_bound(&self) -> usize {
        self.max_len.saturating_add(1)
    }

    fn check_size(&self, produced: usize) -> Result<(), ProtocolError> {
        if produced > self.max_len {
            return Err(ProtocolError::PayloadTooLarge {
                limit: self.max_decoded_bytes,
            });
        }
        Ok(())
    }

    fn check(&self, produced: usize, consumed: usize) -> Result<(), ProtocolError> {
        self.check_size(produced)?;
        let produced = produced as u64;
        if produced > Limits::RATIO_GRACE_BYTES
            && produced > (consumed as u64).saturating_mul(u64::from(self.max_ratio))
        {
            return Err(ProtocolError::CompressionRatio {
                limit: self.max_ratio,
            });
        }
        Ok(())
    }

    /// The first capacity for a body of `input_len` compressed bytes.
    fn initial_capacity(&self, input_len: usize, hint: Option<usize>) -> usize {
        let by_ratio = input_len.saturating_mul(self.max_ratio as usize);
        let guess = match hint {
            Some(h) => h.min(by_ratio).saturating_add(1),
            None => input_len.saturating_mul(EXPECTED_RATIO),
        };
        // Not `clamp`: a cap below the floor (a tiny `max_decoded_bytes`) must win, not panic.
        guess.max(64).min(self.buffer_bound())
    }

    /// Makes sure `out` has room for at least one more step, doubling its capacity when
    /// it is full but never past [`Guard::buffer_bound`].
    fn make_room(&self, out: &mut Vec<u8>) {
        let len = out.len();
        if out.capacity() > len {
            return;
        }
        let target = len
            .saturating_mul(2)
            .max(len.saturating_add(STEP))
            .min(self.buffer_bound());
        out.reserve_exact(target.saturating_sub(len));
    }
}

/// The uncompressed size recorded in a gzip trailer, a hint only: it is the size modulo
/// 2^32 and the sender chose it.
fn gzip_size_hint(input: &[u8]) -> Option<usize> {
    let tail: [u8; 4] = input.get(input.len().checked_sub(4)?..)?.try_into().ok()?;
    usize::try_from(u32::from_le_bytes(tail)).ok()
}

thread_local! {
    /// A raw deflate, a zlib and a gzip decoder kept between calls and reset instead of
    /// rebuilt: setting one up costs as much as inflating a small agent message.
    static DECODERS: std::cell::RefCell<[Option<flate2::Decompress>; 3]> =
        const { std::cell::RefCell::new([None, None, None]) };
}

fn with_decoder<R>(c: Compression, f: impl FnOnce(&mut flate2::Decompress) -> R) -> R {
    let slot = match c {
        Compression::Deflate => 0,
        Compression::Zlib => 1,
        _ => 2,
    };
    let kept = DECODERS.with(|cell| cell.borrow_mut()[slot].take());
    let mut dec = match kept {
        // A reset with a header keeps the decoder's own framing (zlib or gzip); without,
        // it reads raw deflate.
        Some(mut dec) => {
            dec.reset(slot != 0);
            dec
        }
        None => match c {
            Compression::Deflate => flate2::Decompress::new(false),
            Compression::Zlib => flate2::Decompress::new(true),
            _ => flate2::Decompress::new_gzip(15),
        },
    };
    let out = f(&mut dec);
    DECODERS.with(|cell| cell.borrow_mut()[slot] = Some(dec));
    out
}

#[allow(
    unsafe_code,
    reason = "the decoder writes into the vector's spare capacity, which is then marked initialised"
)]
fn inflate(
    dec: &mut flate2::Decompress,
    input: &[u8],
    guard: &Guard,
    out: &mut Vec<u8>,
    hint: Option<usize>,
) -> Result<(), ProtocolError> {
    out.reserve_exact(guard.initial_capacity(input.len(), hint));
    loop {
        guard.make_room(out);
        let len = out.len();
        let room = (out.capacity() - len).min(STEP);
        let consumed = dec.total_in() as usize;
        let rest = input.get(consumed..).unwrap_or_default();
        let before_out = dec.total_out();
        let status = dec
            .decompress_uninit(
                rest,
                &mut out.spare_capacity_mut()[..room],
                flate2::FlushDecompress::None,
            )
            .map_err(|_| ProtocolError::CorruptCompressedData)?;
        let written = (dec.total_out() - before_out) as usize;
        // SAFETY: the decoder reports through total_out exactly how many bytes of the
        // slice it initialised, and it cannot report more than the `room` bytes it was given.
        unsafe { out.set_len(len + written.min(room)) };
        let now_consumed = dec.total_in() as usize;
        guard.check(out.len(), now_consumed)?;
        match status {
            flate2::Status::StreamEnd => return Ok(()),
            flate2::Status::Ok | flate2::Status::BufError => {
                let input_done = now_consumed >= input.len();
                let stalled = written == 0 && now_consumed == consumed;
                if (input_done && written < room) || stalled {
                    return Err(ProtocolError::TruncatedCompressedData);
                }
            }
        }
    }
}

fn unbrotli(input: &[u8], guard: &Guard, out: &mut Vec<u8>) -> Result<(), ProtocolError> {
    use brotli::{BrotliDecompressStream, BrotliResult, BrotliState, HeapAlloc};

    // `new_strict` refuses the large-window extension, whose windows of up to 1 GiB are not
    // RFC 7932 and would let a tiny body reserve that much memory.
    let mut state = BrotliState::new_strict(
        HeapAlloc::<u8>::default(),
        HeapAlloc::<u32>::default(),
        HeapAlloc::<brotli::HuffmanCode>::default(),
    );
    out.reserve_exact(guard.initial_capacity(input.len(), None));
    let mut available_in = input.len();
    let mut input_offset = 0usize;
    let mut total_out = 0usize;
    // Bytes of `out` past `written` are zeroed room, cut off before returning.
    let mut written = 0usize;
    let result = loop {
        if written == out.len() {
            guard.make_room(out);
            let room = (out.capacity() - out.len()).min(STEP);
            out.resize(out.len() + room, 0);
        }
        let mut available_out = out.len() - written;
        let before = written;
        let consumed_before = input_offset;
        let r = BrotliDecompressStream(
            &mut available_in,
            &mut input_offset,
            input,
            &mut available_out,
            &mut written,
            out,
            &mut total_out,
            &mut state,
        );
        if let Err(e) = guard.check(written, input_offset) {
            break Err(e);
        }
        match r {
            BrotliResult::ResultSuccess => break Ok(()),
            BrotliResult::ResultFailure => break Err(ProtocolError::CorruptCompressedData),
            BrotliResult::NeedsMoreInput => break Err(ProtocolError::TruncatedCompressedData),
            BrotliResult::NeedsMoreOutput => {
                if written == before && input_offset == consumed_before && written < out.len() {
                    break Err(ProtocolError::CorruptCompressedData);
                }
            }
        }
    };
    out.truncate(written);
    result
}

/// Compresses `input`. `level` -1 means the format's default (see
/// [`Compression::default_level`]); other levels outside [`Compression::levels`] are a
/// [`UsageError`]. [`Compression::None`] returns the input unchanged.
pub fn compress(input: &[u8], c: Compression, level: i32) -> Result<Vec<u8>, UsageError> {
    let default = level == -1;
    let level = match level {
        -1 => c.default_level(),
        l if c.levels().contains(&l) => l,
        l => {
            let r = c.levels();
            return Err(UsageError::new(format!(
                "compression level {l} is out of range for {c}: expected -1 or {} to {}",
                r.start(),
                r.end()
            )));
        }
    };
    match c {
        Compression::None => Ok(input.to_vec()),
        Compression::Zlib | Compression::Deflate | Compression::Gzip if default => {
            Ok(deflate_default(input, c))
        }
        Compression::Zlib | Compression::Deflate | Compression::Gzip => {
            let mut out = Vec::with_capacity(deflate_bound(input.len()));
            with_encoder(c, level, |enc| deflate(input, enc, &mut out));
            Ok(out)
        }
        Compression::Brotli => Ok(enbrotli(input, level)),
    }
}

/// Bodies up to this size go through [`fixed::deflate`]; longer ones through zlib-rs,
/// whose reset then costs less than its better coding saves.
const SHORT_BODY: usize = 4 << 10;

/// The zlib-rs level for longer bodies at the default level: as small as zlib's 6 on
/// answers and inventories (within a few percent), and about three times as fast.
const FAST_LEVEL: i32 = 2;

/// The gzip member header zlib writes: no name, no time, no extra flags, OS 3 (Unix).
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];

/// The zlib header of the default level, `78 9c`: fusioninventory-agent recognises no
/// other. Its level field is informative only (RFC 1950, section 2.2): decoders ignore it.
const ZLIB_HEADER: [u8; 2] = [0x78, 0x9c];

/// The default level of the deflate formats: the framing zlib writes at its level 6,
/// around a raw deflate stream made by the fastest encoder for the body's size.
fn deflate_default(input: &[u8], c: Compression) -> Vec<u8> {
    let mut out = Vec::with_capacity(deflate_bound(input.len()));
    match c {
        Compression::Zlib => out.extend_from_slice(&ZLIB_HEADER),
        Compression::Gzip => out.extend_from_slice(&GZIP_HEADER),
        _ => {}
    }
    if input.len() <= SHORT_BODY {
        fixed::deflate(input, &mut out, c == Compression::Deflate);
    } else {
        with_encoder(Compression::Deflate, FAST_LEVEL, |enc| {
            deflate(input, enc, &mut out)
        });
    }
    match c {
        Compression::Zlib => {
            out.extend_from_slice(&zlib_rs::adler32::adler32(1, input).to_be_bytes());
        }
        Compression::Gzip => {
            out.extend_from_slice(&zlib_rs::crc32::crc32(0, input).to_le_bytes());
            // ISIZE is the length modulo 2^32 (RFC 1952, section 2.3.1).
            out.extend_from_slice(&(input.len() as u32).to_le_bytes());
        }
        _ => {}
    }
    out
}

/// zlib's compressBound plus room for a gzip header and trailer: one pass in practice.
fn deflate_bound(n: usize) -> usize {
    n + (n >> 12) + (n >> 14) + (n >> 25) + 32
}

fn flate_level(level: i32) -> flate2::Compression {
    flate2::Compression::new(level.clamp(0, 9) as u32)
}

thread_local! {
    /// Encoders kept between calls, reset instead of rebuilt: setting one up (window and
    /// hash tables) costs more than compressing a typical answer of a few dozen bytes.
    static ENCODERS: std::cell::RefCell<Vec<((Compression, i32), flate2::Compress)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// How many (format, level) encoders a thread keeps; answers use one or two.
const KEPT_ENCODERS: usize = 3;

fn with_encoder<R>(c: Compression, level: i32, f: impl FnOnce(&mut flate2::Compress) -> R) -> R {
    let fresh = || match c {
        Compression::Zlib => flate2::Compress::new(flate_level(level), true),
        Compression::Gzip => flate2::Compress::new_gzip(flate_level(level), 15),
        _ => flate2::Compress::new(flate_level(level), false),
    };
    let kept = ENCODERS.with(|cell| {
        let mut list = cell.borrow_mut();
        let pos = list.iter().position(|(key, _)| *key == (c, level));
        pos.map(|i| list.swap_remove(i).1)
    });
    let mut enc = match kept {
        Some(mut enc) => {
            enc.reset();
            enc
        }
        None => fresh(),
    };
    let out = f(&mut enc);
    ENCODERS.with(|cell| {
        let mut list = cell.borrow_mut();
        if list.len() >= KEPT_ENCODERS {
            list.remove(0);
        }
        list.push(((c, level), enc));
    });
    out
}

/// Appends the whole stream of `input` to `out`.
fn deflate(input: &[u8], enc: &mut flate2::Compress, out: &mut Vec<u8>) {
    loop {
        let consumed = enc.total_in() as usize;
        let status = enc.compress_vec(&input[consumed..], out, flate2::FlushCompress::Finish);
        match status {
            Ok(flate2::Status::StreamEnd) => return,
            Ok(_) => out.reserve(out.capacity().max(64)),
            // The encoder is fresh and only ever asked to finish: it has no error to report.
            Err(e) => unreachable!("deflate refused to finish: {e}"),
        }
    }
}

fn enbrotli(input: &[u8], quality: i32) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams {
        quality,
        lgwin: 22,
        size_hint: input.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(input.len() / 4 + 64);
    let mut reader = input;
    // Reading a slice and writing a Vec cannot fail.
    let _ = brotli::BrotliCompress(&mut reader, &mut out, &params);
    out
}

mod fixed;

#[cfg(test)]
mod tests;
