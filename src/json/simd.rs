//! Byte searches of the JSON scanner (RFC 8259 section 2 whitespace, section 7 string
//! bodies), 16 bytes at a time with SSE2 on x86-64 and a byte loop elsewhere.
//!
//! Real inventories are more than half indentation, and most of the rest is string
//! bodies, so these two loops decide the scanner's speed.

#[inline(always)]
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

#[inline(always)]
fn ends_string_body(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// The first index at or after `i` that is not JSON whitespace (or `s.len()`).
#[inline(always)]
pub(crate) fn skip_ws(s: &[u8], i: usize) -> usize {
    match s.get(i) {
        Some(&b) if is_ws(b) => {}
        _ => return i,
    }
    match s.get(i + 1) {
        Some(&b) if is_ws(b) => skip_ws_run(s, i + 2),
        _ => i + 1,
    }
}

/// The first index at or after `i` holding `"`, `\` or a control character (or `s.len()`).
#[inline(always)]
pub(crate) fn string_body_end(s: &[u8], i: usize) -> usize {
    imp::string_body_end(s, i)
}

#[inline(always)]
fn skip_ws_run(s: &[u8], i: usize) -> usize {
    imp::skip_ws(s, i)
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use core::arch::x86_64::*;

    #[inline(always)]
    pub(super) fn skip_ws(s: &[u8], mut i: usize) -> usize {
        // SAFETY: SSE2 is part of the x86-64 baseline; every load reads 16 bytes that
        // lie inside `s` (checked by the loop condition), unaligned loads are allowed.
        unsafe {
            let space = _mm_set1_epi8(b' ' as i8);
            let lf = _mm_set1_epi8(b'\n' as i8);
            let cr = _mm_set1_epi8(b'\r' as i8);
            let tab = _mm_set1_epi8(b'\t' as i8);
            while i + 16 <= s.len() {
                let v = _mm_loadu_si128(s.as_ptr().add(i).cast());
                let ws = _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(v, space), _mm_cmpeq_epi8(v, lf)),
                    _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, tab)),
                );
                let other = !(_mm_movemask_epi8(ws) as u32) & 0xFFFF;
                if other != 0 {
                    return i + other.trailing_zeros() as usize;
                }
                i += 16;
            }
        }
        super::scalar_skip_ws(s, i)
    }

    pub(super) fn string_body_end(s: &[u8], mut i: usize) -> usize {
        // SAFETY: as in `skip_ws`.
        unsafe {
            let quote = _mm_set1_epi8(b'"' as i8);
            let backslash = _mm_set1_epi8(b'\\' as i8);
            let ctrl_max = _mm_set1_epi8(0x1F);
            while i + 16 <= s.len() {
                let v = _mm_loadu_si128(s.as_ptr().add(i).cast());
                // Unsigned v <= 0x1F exactly when max(v, 0x1F) == 0x1F.
                let ctrl = _mm_cmpeq_epi8(_mm_max_epu8(v, ctrl_max), ctrl_max);
                let hit = _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                    ctrl,
                );
                let m = _mm_movemask_epi8(hit) as u32;
                if m != 0 {
                    return i + m.trailing_zeros() as usize;
                }
                i += 16;
            }
        }
        super::scalar_string_body_end(s, i)
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod imp {
    pub(super) fn skip_ws(s: &[u8], i: usize) -> usize {
        super::scalar_skip_ws(s, i)
    }

    pub(super) fn string_body_end(s: &[u8], i: usize) -> usize {
        super::scalar_string_body_end(s, i)
    }
}

fn scalar_skip_ws(s: &[u8], i: usize) -> usize {
    s[i.min(s.len())..]
        .iter()
        .position(|&b| !is_ws(b))
        .map_or(s.len(), |p| i + p)
}

fn scalar_string_body_end(s: &[u8], i: usize) -> usize {
    s[i.min(s.len())..]
        .iter()
        .position(|&b| ends_string_body(b))
        .map_or(s.len(), |p| i + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_and_scalar_searches_agree_at_every_offset() {
        // Every special byte at every position of buffers longer than one vector,
        // so that both the 16-byte loop and the tail are exercised.
        let specials = [
            b'"', b'\\', 0x00, 0x1F, 0x7F, 0x80, 0xFF, b'a', b' ', b'\n', b'\r', b'\t', 0x0B, 0x0C,
        ];
        for len in [0usize, 1, 15, 16, 17, 31, 32, 33, 70] {
            for pos in 0..len {
                for &sp in &specials {
                    for fill in [b' ', b'x', b'\t'] {
                        let mut buf = vec![fill; len];
                        buf[pos] = sp;
                        for start in [0, 1, 5].into_iter().filter(|&s| s <= len) {
                            assert_eq!(
                                imp::skip_ws(&buf, start),
                                scalar_skip_ws(&buf, start),
                                "{buf:?} {start}"
                            );
                            assert_eq!(
                                skip_ws(&buf, start),
                                scalar_skip_ws(&buf, start),
                                "{buf:?} {start}"
                            );
                            assert_eq!(
                                string_body_end(&buf, start),
                                scalar_string_body_end(&buf, start),
                                "{buf:?} {start}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn only_the_four_json_whitespace_bytes_are_skipped() {
        assert_eq!(skip_ws(b" \t\r\n x", 0), 5);
        assert_eq!(skip_ws(b"\x0b", 0), 0);
        assert_eq!(skip_ws(b"\x0c", 0), 0);
        assert_eq!(skip_ws(b"\xa0", 0), 0);
        assert_eq!(skip_ws(b"   ", 0), 3);
        assert_eq!(skip_ws(b"   ", 3), 3);
    }
}
