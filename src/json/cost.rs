//! What the PHP values of a parsed document will cost the Zend engine's allocator (PHP 8.2,
//! 64-bit), told from the tape before a single value is built, so that a message PHP cannot
//! hold under `memory_limit` is refused with a protocol error instead of ending the request
//! in PHP's fatal "Allowed memory size exhausted".
//!
//! The model follows the engine's own structures: every value is a 16-byte zval in its
//! parent's table; a string longer than one byte is a `zend_string` (24-byte header, the
//! bytes and a NUL); an array is a 56-byte `zend_array` plus its data, sized to a power of
//! two and at least 8 slots (16 bytes per slot when packed, 32 per bucket plus 8 of hash
//! slots when keyed); an object adds its 56-byte `zend_object` to the table of its
//! properties. Allocations are rounded up as the Zend allocator's bins round them. It is an
//! estimate within some percent, checked against `memory_get_usage()` by the PHP tests.

use super::{Event, Tape};

const ZEND_STRING_HEADER: u64 = 24;
const ZEND_ARRAY: u64 = 56;
const ZEND_OBJECT: u64 = 56;
const PACKED_SLOT: u64 = 16;
/// A bucket (zval, hash, key) and its two 4-byte hash slots.
const HASHED_SLOT: u64 = 32 + 8;
const MIN_TABLE: u64 = 8;

/// The size the Zend allocator gives a request of `n` bytes: 8-byte steps up to 64, then
/// four bins per power of two, then whole pages.
fn allocated(n: u64) -> u64 {
    let step = match n {
        0..=64 => 8,
        65..=3072 => n.next_power_of_two() / 8,
        _ => 4096,
    };
    n.div_ceil(step) * step
}

fn table_slots(len: u64) -> u64 {
    len.max(MIN_TABLE).next_power_of_two()
}

fn string_cost(len: u64) -> u64 {
    // The empty string and single bytes are the engine's interned strings.
    if len <= 1 {
        0
    } else {
        allocated(ZEND_STRING_HEADER + len + 1)
    }
}

/// Bytes the engine allocates to build the document's values (the root zval excluded):
/// objects as `stdClass` instances, or as arrays when `assoc`.
pub fn zend_bytes(tape: &Tape<'_>, assoc: bool) -> u64 {
    let mut total = 0u64;
    for event in tape.events() {
        total += match event {
            Event::Str(s) => string_cost(s.len() as u64),
            Event::Array { len: 0 } => ZEND_ARRAY,
            Event::Array { len } => ZEND_ARRAY + allocated(table_slots(len as u64) * PACKED_SLOT),
            Event::Object { len, .. } => {
                let table = if len == 0 {
                    0
                } else {
                    ZEND_ARRAY + allocated(table_slots(len as u64) * HASHED_SLOT)
                };
                if assoc {
                    table.max(ZEND_ARRAY)
                } else {
                    allocated(ZEND_OBJECT) + table
                }
            }
            Event::Key(_) | Event::Null | Event::Bool(_) | Event::Int(_) | Event::Float(_) => 0,
        };
    }
    // Each distinct key is one string, shared by every table that uses it.
    for i in 0..tape.key_count() {
        total += string_cost(tape.key(super::KeyId(i as u32)).bytes.len() as u64);
    }
    total
}

/// A bound above [`zend_bytes`] that costs nothing to compute: no event costs more than a
/// one-member object (its object, and a table of 8 buckets) plus what its text holds. When
/// it is below what the request has left, the exact walk is not needed.
pub fn zend_bytes_bound(tape: &Tape<'_>) -> u64 {
    let per_event = allocated(ZEND_OBJECT) + ZEND_ARRAY + allocated(MIN_TABLE * HASHED_SLOT);
    tape.len() as u64 * per_event + 2 * tape.input.len() as u64 + 2 * tape.strings.len() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{parse, ParseOptions, Scratch};

    fn cost(json: &str, assoc: bool) -> (u64, u64) {
        let mut scratch = Scratch::new();
        let tape = parse(json.as_bytes(), &ParseOptions::default(), &mut scratch).unwrap();
        (zend_bytes(&tape, assoc), zend_bytes_bound(&tape))
    }

    #[test]
    fn allocator_bins() {
        assert_eq!(allocated(1), 8);
        assert_eq!(allocated(56), 56);
        assert_eq!(allocated(65), 80);
        assert_eq!(allocated(100), 112);
        assert_eq!(allocated(129), 160);
        assert_eq!(allocated(320), 320);
        assert_eq!(allocated(3000), 3072);
        assert_eq!(allocated(5000), 8192);
    }

    #[test]
    fn scalars_cost_only_their_slot_and_short_strings_nothing() {
        assert_eq!(cost("1", false).0, 0);
        assert_eq!(cost("\"a\"", false).0, 0);
        assert_eq!(cost("\"abc\"", false).0, 32);
    }

    #[test]
    fn empty_objects_cost_an_object_and_lists_a_table() {
        // [{},{}]: one packed table of 8 slots, two bare stdClass objects.
        assert_eq!(cost("[{},{}]", false).0, 56 + 128 + 2 * 56);
        // As arrays, each {} is an empty zend_array.
        assert_eq!(cost("[{},{}]", true).0, 56 + 128 + 2 * 56);
        // {"ab":1}: an object, its properties table of 8 buckets, and the key string.
        assert_eq!(cost(r#"{"ab":1}"#, false).0, 56 + 56 + 320 + 32);
        assert_eq!(cost(r#"{"ab":1}"#, true).0, 56 + 320 + 32);
    }

    #[test]
    fn the_bound_is_never_below_the_estimate() {
        for json in [
            "[{},{},{},{}]",
            r#"{"a":{"b":{"c":[1,2,3,"long string here"]}}}"#,
            r#"[[],[[]],{"x":"yy"},"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"]"#,
            "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]",
        ] {
            for assoc in [false, true] {
                let (exact, bound) = cost(json, assoc);
                assert!(exact <= bound, "{json}: {exact} > {bound}");
            }
        }
    }
}
