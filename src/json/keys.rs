//! Object keys (RFC 8259 section 4): one id per distinct key, so that a builder makes one
//! string per key however often it repeats, and PHP's rule for keys that name integers.

use super::tape::KeyEntry;

/// Probes tried before giving up on sharing a key. A document built to collide in the
/// table then costs a bounded amount per key; its keys just are not shared.
const MAX_PROBES: usize = 32;

/// The integer a PHP symbol table uses for this key (`ZEND_HANDLE_NUMERIC_STR`): `0` or
/// `-?[1-9][0-9]*` whose value fits in `i64`. `-0`, `01`, `+1`, ` 1` and `1 ` stay strings.
pub fn php_integer_key(key: &[u8]) -> Option<i64> {
    let digits = key.strip_prefix(b"-").unwrap_or(key);
    let negative = digits.len() != key.len();
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // A leading zero is only allowed for "0" itself (so "-0" is a string too).
    if digits[0] == b'0' && key.len() > 1 {
        return None;
    }
    let magnitude = digits
        .iter()
        .fold(0u64, |acc, &d| acc * 10 + u64::from(d - b'0'));
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// A fast, unkeyed hash for short keys. Hash flooding cannot make interning quadratic
/// because probing stops after [`MAX_PROBES`].
#[inline]
fn hash_key(bytes: &[u8]) -> u64 {
    const M: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (bytes.len() as u64).wrapping_mul(M);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ w).wrapping_mul(M).rotate_left(31);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut buf = [0u8; 8];
        buf[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(buf))
            .wrapping_mul(M)
            .rotate_left(31);
    }
    h ^= h >> 32;
    h = h.wrapping_mul(M);
    h ^ (h >> 29)
}

/// Result of interning one key occurrence.
pub(crate) struct Interned {
    pub(crate) id: u32,
    /// False when the key got an id of its own because the table could not find a slot
    /// in time: the id may then duplicate another id's bytes.
    pub(crate) shared: bool,
    pub(crate) is_new: bool,
}

/// Open-addressing table from key bytes to ids. Entries point into the input or the
/// side buffer, so no key is copied.
pub(crate) struct KeyTable {
    pub(crate) entries: Vec<KeyEntry>,
    /// For each id, the serial of the last object that used it (0: none yet).
    pub(crate) last_object: Vec<u64>,
    slots: Vec<u32>,
}

const EMPTY: u32 = u32::MAX;
const MIN_SLOTS: usize = 64;
/// A table that grew past this for one document is not kept for the next one.
const MAX_KEPT_SLOTS: usize = 1 << 14;

impl KeyTable {
    pub(crate) fn new() -> KeyTable {
        KeyTable {
            entries: Vec::new(),
            last_object: Vec::new(),
            slots: vec![EMPTY; MIN_SLOTS],
        }
    }

    /// Forgets every key, keeping the allocations of a table of ordinary size.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.last_object.clear();
        if self.slots.len() > MAX_KEPT_SLOTS {
            self.slots = vec![EMPTY; MIN_SLOTS];
        } else {
            self.slots.fill(EMPTY);
        }
    }

    pub(crate) fn capacity_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<KeyEntry>()
            + self.last_object.capacity() * 8
            + self.slots.capacity() * 4
    }

    /// Finds or adds `bytes`, found at `offset` in the input (`owned == false`) or in
    /// `strings`. Ids are dense; `None` once four billion ids are taken.
    pub(crate) fn intern(
        &mut self,
        bytes: &[u8],
        offset: usize,
        owned: bool,
        input: &[u8],
        strings: &[u8],
    ) -> Option<Interned> {
        let hash = hash_key(bytes);
        let mask = self.slots.len() - 1;
        let mut slot = hash as usize & mask;
        let mut probes = 0;
        loop {
            let id = self.slots[slot];
            if id == EMPTY {
                break;
            }
            let e = &self.entries[id as usize];
            if e.hash == hash && e.len == bytes.len() {
                let src = if e.owned { strings } else { input };
                if &src[e.offset..e.offset + e.len] == bytes {
                    return Some(Interned {
                        id,
                        shared: true,
                        is_new: false,
                    });
                }
            }
            probes += 1;
            if probes == MAX_PROBES {
                return self.push(bytes, offset, owned, hash, None);
            }
            slot = (slot + 1) & mask;
        }
        self.push(bytes, offset, owned, hash, Some(slot))
    }

    fn push(
        &mut self,
        bytes: &[u8],
        offset: usize,
        owned: bool,
        hash: u64,
        slot: Option<usize>,
    ) -> Option<Interned> {
        let id = u32::try_from(self.entries.len())
            .ok()
            .filter(|&id| id != EMPTY)?;
        self.entries.push(KeyEntry {
            offset,
            len: bytes.len(),
            owned,
            hash,
            index: php_integer_key(bytes),
        });
        self.last_object.push(0);
        let shared = slot.is_some();
        if let Some(slot) = slot {
            self.slots[slot] = id;
            if self.entries.len() * 2 > self.slots.len() {
                self.grow();
            }
        }
        Some(Interned {
            id,
            shared,
            is_new: true,
        })
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let mask = size - 1;
        let mut slots = vec![EMPTY; size];
        for id in self.slots.iter().copied().filter(|&id| id != EMPTY) {
            let mut slot = self.entries[id as usize].hash as usize & mask;
            while slots[slot] != EMPTY {
                slot = (slot + 1) & mask;
            }
            slots[slot] = id;
        }
        self.slots = slots;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_keys_follow_zend_handle_numeric_str() {
        // Cross-checked with php -r 'var_export(json_decode($json, true));' on PHP 8.2.
        let cases: &[(&[u8], Option<i64>)] = &[
            (b"0", Some(0)),
            (b"1", Some(1)),
            (b"-1", Some(-1)),
            (b"123", Some(123)),
            (b"9223372036854775807", Some(i64::MAX)),
            (b"-9223372036854775808", Some(i64::MIN)),
            (b"9223372036854775808", None),
            (b"-9223372036854775809", None),
            (b"10000000000000000000", None),
            (b"-0", None),
            (b"01", None),
            (b"-01", None),
            (b"00", None),
            (b"+1", None),
            (b" 1", None),
            (b"1 ", None),
            (b"1.0", None),
            (b"1e3", None),
            (b"", None),
            (b"-", None),
            (b"1\0", None),
            (b"\xd9\xa1", None),
        ];
        for (key, want) in cases {
            assert_eq!(
                php_integer_key(key),
                *want,
                "{:?}",
                String::from_utf8_lossy(key)
            );
        }
    }

    #[test]
    fn interning_gives_one_id_per_distinct_key() {
        let input = b"abcabcxyzab";
        let mut t = KeyTable::new();
        let a = t.intern(&input[0..3], 0, false, input, &[]).unwrap();
        let b = t.intern(&input[3..6], 3, false, input, &[]).unwrap();
        let c = t.intern(&input[6..9], 6, false, input, &[]).unwrap();
        let d = t.intern(&input[9..11], 9, false, input, &[]).unwrap();
        assert!(a.is_new && !b.is_new && c.is_new && d.is_new);
        assert_eq!(a.id, b.id);
        assert_ne!(a.id, c.id);
        assert_ne!(a.id, d.id);
        assert_eq!(t.entries.len(), 3);
    }

    #[test]
    fn table_grows_and_keeps_every_key() {
        let keys: Vec<String> = (0..5000).map(|i| format!("key{i}")).collect();
        let input = keys.concat();
        let mut t = KeyTable::new();
        let mut at = 0;
        let mut ids = Vec::new();
        for k in &keys {
            ids.push(
                t.intern(k.as_bytes(), at, false, input.as_bytes(), &[])
                    .unwrap()
                    .id,
            );
            at += k.len();
        }
        let mut at = 0;
        for (k, id) in keys.iter().zip(&ids) {
            let again = t
                .intern(k.as_bytes(), at, false, input.as_bytes(), &[])
                .unwrap();
            assert!(!again.is_new && again.shared);
            assert_eq!(again.id, *id);
            at += k.len();
        }
    }
}
