//! A one-block deflate encoder (RFC 1951, section 3.2.6: fixed Huffman codes) for short
//! bodies such as protocol answers.
//!
//! Setting up or resetting a general deflate encoder (its window and hash tables) costs
//! several microseconds, more than compressing a `{"status":"ok","expiration":24}` answer.
//! This encoder has nothing to set up: a greedy LZ77 over a small hash table sized from the
//! input, coded with the fixed Huffman tables that need no code description in the block.
//! When that would come out larger than the input, the body goes out as stored blocks.

/// Longest input taken: positions are kept in `u16` (plus one, 0 meaning empty).
pub const MAX_INPUT: usize = u16::MAX as usize - 1;

const WINDOW: usize = 32 << 10;
const MIN_MATCH: usize = 4;
const MAX_MATCH: usize = 258;

/// Bit order reversed: Huffman codes are sent from their most significant bit, while the
/// stream packs bits from the least significant one (RFC 1951, section 3.1.1).
const fn reverse(code: u32, len: u32) -> u32 {
    let mut out = 0;
    let mut i = 0;
    while i < len {
        out |= ((code >> i) & 1) << (len - 1 - i);
        i += 1;
    }
    out
}

/// The fixed literal/length code of `sym` (RFC 1951, section 3.2.6), reversed, and its length.
const fn fixed_code(sym: u32) -> (u32, u32) {
    match sym {
        0..=143 => (reverse(0x30 + sym, 8), 8),
        144..=255 => (reverse(0x190 + sym - 144, 9), 9),
        256..=279 => (reverse(sym - 256, 7), 7),
        _ => (reverse(0xc0 + sym - 280, 8), 8),
    }
}

/// Literal `b`: its code in the low 16 bits, its length above.
const LITERALS: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let (code, len) = fixed_code(i as u32);
        t[i] = code | (len << 16);
        i += 1;
    }
    t
};

/// Match length `3 + i`: its length code followed by the extra bits, all in the low 24 bits,
/// the total bit count in the high 8.
const LENGTHS: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0u32;
    while i < 256 {
        let (sym, extra_len, extra) = if i == 255 {
            (285, 0, 0)
        } else if i < 8 {
            (257 + i, 0, 0)
        } else {
            let top = 31 - i.leading_zeros();
            let extra_len = top - 2;
            (
                257 + 4 * (top - 1) + ((i >> extra_len) & 3),
                extra_len,
                i & ((1 << extra_len) - 1),
            )
        };
        let (code, len) = fixed_code(sym);
        t[i as usize] = (code | (extra << len)) | ((len + extra_len) << 24);
        i += 1;
    }
    t
};

const END_OF_BLOCK: (u32, u32) = fixed_code(256);

/// Distance `d` (1 to 32768): its fixed 5-bit code then the extra bits, and the bit count.
#[inline]
fn distance_code(d: usize) -> (u64, u32) {
    let x = (d - 1) as u32;
    if x < 4 {
        return (u64::from(reverse5(x)), 5);
    }
    let top = 31 - x.leading_zeros();
    let extra_len = top - 1;
    let sym = 2 * top + ((x >> extra_len) & 1);
    let extra = x & ((1 << extra_len) - 1);
    (
        u64::from(reverse5(sym)) | (u64::from(extra) << 5),
        5 + extra_len,
    )
}

#[inline]
fn reverse5(x: u32) -> u32 {
    (x.reverse_bits() >> 27) & 31
}

/// Packs bits from the least significant end, as deflate does.
struct Bits<'a> {
    out: &'a mut Vec<u8>,
    acc: u64,
    len: u32,
}

impl Bits<'_> {
    /// `n` is at most 32 bits.
    #[inline]
    fn put(&mut self, bits: u64, n: u32) {
        self.acc |= bits << self.len;
        self.len += n;
        if self.len >= 32 {
            self.out.extend_from_slice(&(self.acc as u32).to_le_bytes());
            self.acc >>= 32;
            self.len -= 32;
        }
    }

    fn finish(self) {
        let bytes = self.len.div_ceil(8) as usize;
        self.out.extend_from_slice(&self.acc.to_le_bytes()[..bytes]);
    }
}

#[inline]
fn read4(input: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([input[i], input[i + 1], input[i + 2], input[i + 3]])
}

/// Appends to `out` a complete raw deflate stream of `input` (at most [`MAX_INPUT`] bytes).
///
/// `closing_marker` ends the stream with an empty stored block after a non-final coded
/// block, for raw deflate bodies, which have no checksum: PHP's `gzinflate` hands zlib the
/// string's terminating NUL with the data, and seven zero bits are a fixed block's end code.
/// A cut coded block would then inflate as a complete shorter body; with the marker, zlib
/// still waits for the final block and refuses it.
pub fn deflate(input: &[u8], out: &mut Vec<u8>, closing_marker: bool) {
    debug_assert!(input.len() <= MAX_INPUT);
    let start = out.len();
    out.reserve(input.len() + input.len() / 8 + 16);
    let n = input.len();
    let mut bits = Bits {
        out,
        acc: 0,
        len: 0,
    };
    // BFINAL, then BTYPE 01 (fixed Huffman), least significant bit first.
    bits.put(if closing_marker { 0b010 } else { 0b011 }, 3);
    if n >= MIN_MATCH {
        // About one slot per input byte, between 256 and 4096 slots: a short answer
        // clears a few hundred bytes, not a full window's worth.
        let table_bits = (usize::BITS - n.leading_zeros()).clamp(8, 12);
        let shift = 32 - table_bits;
        let mut table = vec![0u16; 1 << table_bits];
        let hash = |v: u32| (v.wrapping_mul(0x9E37_79B1) >> shift) as usize;
        let last = n - MIN_MATCH;
        let mut i = 0;
        let mut literal_from = 0;
        while i <= last {
            let v = read4(input, i);
            let h = hash(v);
            let candidate = table[h] as usize;
            table[h] = (i + 1) as u16;
            if candidate != 0 {
                let c = candidate - 1;
                if i - c <= WINDOW && read4(input, c) == v {
                    let limit = (n - i).min(MAX_MATCH);
                    let mut len = MIN_MATCH;
                    while len < limit && input[c + len] == input[i + len] {
                        len += 1;
                    }
                    for &b in &input[literal_from..i] {
                        let l = LITERALS[b as usize];
                        bits.put(u64::from(l & 0xffff), l >> 16);
                    }
                    let l = LENGTHS[len - 3];
                    bits.put(u64::from(l & 0x00ff_ffff), l >> 24);
                    let (d, dn) = distance_code(i - c);
                    bits.put(d, dn);
                    // Positions inside the match go into the table too: answers repeat
                    // whole records, and the next record matches best against the last.
                    let end = i + len;
                    let mut j = i + 1;
                    while j < end && j <= last {
                        table[hash(read4(input, j))] = (j + 1) as u16;
                        j += 1;
                    }
                    i = end;
                    literal_from = end;
                    continue;
                }
            }
            i += 1;
        }
        for &b in &input[literal_from..] {
            let l = LITERALS[b as usize];
            bits.put(u64::from(l & 0xffff), l >> 16);
        }
    } else {
        for &b in input {
            let l = LITERALS[b as usize];
            bits.put(u64::from(l & 0xffff), l >> 16);
        }
    }
    bits.put(u64::from(END_OF_BLOCK.0), END_OF_BLOCK.1);
    if closing_marker {
        // BFINAL and BTYPE 00, then up to the byte boundary, then LEN 0 and its complement.
        bits.put(0b001, 3);
        bits.finish();
        out.extend_from_slice(&[0, 0, 0xff, 0xff]);
    } else {
        bits.finish();
    }
    // A stored block is the input plus 5 bytes (one block: the input is under 64 KiB).
    let marker = if closing_marker { 5 } else { 0 };
    if out.len() - start > n + 5 + marker {
        out.truncate(start);
        stored(input, out, !closing_marker);
        if closing_marker {
            stored(&[], out, true);
        }
    }
}

/// One stored block (RFC 1951, section 3.2.4).
fn stored(input: &[u8], out: &mut Vec<u8>, last: bool) {
    let len = input.len() as u16;
    out.push(u8::from(last));
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(input);
}
