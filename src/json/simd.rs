//! Byte searches of the JSON scanner (RFC 8259 section 2 whitespace, section 7 string
//! bodies), 16 bytes at a time with SSE2 on x86-64 and a byte loop elsewhere.
//!
//! Real inventories are more than half indentation, and most of the rest is string
//! bodies, so these two loops decide the scanner's speed.

#![allow(
    unsafe_code,
    reason = "the AVX2 scanner uses CPU intrinsics behind a runtime feature check"
)]

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

    /// Bit i set when `p[i]` is JSON whitespace.
    /// SAFETY: `p` must point to 16 readable bytes.
    #[inline(always)]
    unsafe fn ws_mask(p: *const u8) -> u32 {
        let v = _mm_loadu_si128(p.cast());
        let ws = _mm_or_si128(
            _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)),
            ),
            _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\t' as i8)),
            ),
        );
        _mm_movemask_epi8(ws) as u32
    }

    /// Bit i set when `p[i]` is `"`, `\\` or a control character.
    /// SAFETY: `p` must point to 16 readable bytes.
    #[inline(always)]
    unsafe fn special_mask(p: *const u8) -> u32 {
        let v = _mm_loadu_si128(p.cast());
        let ctrl_max = _mm_set1_epi8(0x1F);
        // Unsigned v <= 0x1F exactly when max(v, 0x1F) == 0x1F.
        let ctrl = _mm_cmpeq_epi8(_mm_max_epu8(v, ctrl_max), ctrl_max);
        let hit = _mm_or_si128(
            _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8)),
            ),
            ctrl,
        );
        _mm_movemask_epi8(hit) as u32
    }

    // Both searches test 32 bytes per step (two vectors, one branch): indentation
    // runs and string values are often longer than 16 bytes.

    #[inline(always)]
    pub(super) fn skip_ws(s: &[u8], mut i: usize) -> usize {
        // SAFETY: every mask reads 16 bytes inside `s`, as the loop conditions check.
        unsafe {
            let p = s.as_ptr();
            while i + 32 <= s.len() {
                let other = !(ws_mask(p.add(i)) | ws_mask(p.add(i + 16)) << 16);
                if other != 0 {
                    return i + other.trailing_zeros() as usize;
                }
                i += 32;
            }
            if i + 16 <= s.len() {
                let other = !ws_mask(p.add(i)) & 0xFFFF;
                if other != 0 {
                    return i + other.trailing_zeros() as usize;
                }
                i += 16;
            }
        }
        super::scalar_skip_ws(s, i)
    }

    #[inline(always)]
    pub(super) fn string_body_end(s: &[u8], mut i: usize) -> usize {
        // SAFETY: as in `skip_ws`.
        unsafe {
            let p = s.as_ptr();
            while i + 32 <= s.len() {
                let m = special_mask(p.add(i)) | special_mask(p.add(i + 16)) << 16;
                if m != 0 {
                    return i + m.trailing_zeros() as usize;
                }
                i += 32;
            }
            if i + 16 <= s.len() {
                let m = special_mask(p.add(i));
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
