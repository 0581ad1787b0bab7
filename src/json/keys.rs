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

/// The first and last bytes of a key, in two words. For keys of 16 bytes or less the
/// two words and the length determine the key, so comparing them replaces comparing
/// the bytes (object keys are nearly always that short).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) struct Fingerprint {
    pub(crate) head: u64,
    pub(crate) tail: u64,
}

#[inline]
pub(crate) fn fingerprint(b: &[u8]) -> Fingerprint {
    let n = b.len();
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let half = |at: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(&b[at..at + 4]);
        u64::from(u32::from_le_bytes(w))
    };
    if n >= 8 {
        Fingerprint {
            head: word(0),
            tail: word(n - 8),
        }
    } else if n >= 4 {
        Fingerprint {
            head: half(0),
            tail: half(n - 4),
        }
    } else if n > 0 {
        let head = u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16;
        Fingerprint { head, tail: 0 }
    } else {
        Fingerprint { head: 0, tail: 0 }
    }
}

/// A fast, unkeyed hash of the fingerprint and length. Longer keys that share both
/// ends collide, and so can keys built to collide: interning stays linear all the same
/// because probing stops after [`MAX_PROBES`].
#[inline]
pub(crate) fn hash_key(f: Fingerprint, len: usize) -> u64 {
    // One folded 64x64->128 multiply mixes every input bit into the low bits.
    let a = f.head ^ 0x243F_6A88_85A3_08D3;
    let b = f.tail ^ (len as u64).rotate_left(40) ^ 0x1319_8A2E_0370_7344;
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
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
    /// For each id, the id of the key that last followed it in an object.
    successor: Vec<u32>,
    /// The id of the key that last opened an object.
    first: u32,
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
            successor: Vec::new(),
            first: EMPTY,
            slots: vec![EMPTY; MIN_SLOTS],
        }
    }

    /// Forgets every key, keeping the allocations of a table of ordinary size.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.last_object.clear();
        self.successor.clear();
        self.first = EMPTY;
        if self.slots.len() > MAX_KEPT_SLOTS {
            self.slots = vec![EMPTY; MIN_SLOTS];
        } else {
            self.slots.fill(EMPTY);
        }
    }

    pub(crate) fn capacity_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<KeyEntry>()
            + self.last_object.capacity() * 8
            + self.successor.capacity() * 4
            + self.slots.capacity() * 4
    }

    /// Like [`KeyTable::intern`], for a key that follows key `after` in its object (or
    /// opens it, for `None`). Objects in one array nearly always list the same keys in
    /// the same order, so the key that followed `after` last time is tried first, which
    /// spares the hash and the table lookup.
    #[inline]
    pub(crate) fn intern_after(
        &mut self,
        after: Option<u32>,
        bytes: &[u8],
        offset: usize,
        owned: bool,
        input: &[u8],
        strings: &[u8],
    ) -> Option<Interned> {
        let guess = match after {
            Some(k) => self.successor[k as usize],
            None => self.first,
        };
        let fp = fingerprint(bytes);
        if let Some(e) = self.entries.get(guess as usize) {
            if e.fp == fp && e.len == bytes.len() {
                let src = if e.owned { strings } else { input };
                if e.len <= 16 || &src[e.offset..e.offset + e.len] == bytes {
                    return Some(Interned {
                        id: guess,
                        shared: e.in_table,
                        is_new: false,
                    });
                }
            }
        }
        let found = self.lookup(fp, bytes, offset, owned, input, strings)?;
        match after {
            Some(k) => self.successor[k as usize] = found.id,
            None => self.first = found.id,
        }
        Some(found)
    }

    /// Finds or adds `bytes`, found at `offset` in the input (`owned == false`) or in
    /// `strings`. Ids are dense; `None` once four billion ids are taken.
    fn lookup(
        &mut self,
        fp: Fingerprint,
        bytes: &[u8],
        offset: usize,
        owned: bool,
        input: &[u8],
        strings: &[u8],
    ) -> Option<Interned> {
        let hash = hash_key(fp, bytes.len());
        let mask = self.slots.len() - 1;
        let mut slot = hash as usize & mask;
        let mut probes = 0;
        loop {
            let id = self.slots[slot];
            if id == EMPTY {
                break;
            }
            let e = &self.entries[id as usize];
            if e.fp == fp && e.len == bytes.len() {
                let src = if e.owned { strings } else { input };
                if e.len <= 16 || &src[e.offset..e.offset + e.len] == bytes {
                    return Some(Interned {
                        id,
                        shared: true,
                        is_new: false,
                    });
                }
            }
            probes += 1;
            if probes == MAX_PROBES {
                return self.push(bytes, offset, owned, fp, hash, None);
            }
            slot = (slot + 1) & mask;
        }
        self.push(bytes, offset, owned, fp, hash, Some(slot))
    }

    fn push(
        &mut self,
        bytes: &[u8],
        offset: usize,
        owned: bool,
        fp: Fingerprint,
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
            fp,
            hash,
            index: php_integer_key(bytes),
            in_table: slot.is_some(),
        });
        self.last_object.push(0);
        self.successor.push(EMPTY);
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
    fn short_keys_are_told_apart_by_their_fingerprint() {
        // Every key of up to 16 bytes over a small alphabet: equal fingerprints and
        // lengths must mean equal bytes.
        let mut seen = std::collections::HashMap::new();
        let alphabet = [b'a', b'b', 0u8, 0xff];
        for len in 0..=16usize {
            for n in 0..4u64.pow(len.min(6) as u32) {
                let mut key = vec![b'x'; len];
                let mut m = n;
                for i in 0..len.min(6) {
                    key[(i * 5) % len.max(1)] = alphabet[(m % 4) as usize];
                    m /= 4;
                }
                let f = fingerprint(&key);
                if let Some(other) = seen.insert((f, len), key.clone()) {
                    assert_eq!(other, key);
                }
            }
        }
    }

    #[test]
    fn interning_gives_one_id_per_distinct_key() {
        let input = b"abcabcxyzab";
        let mut t = KeyTable::new();
        let a = t
            .intern_after(None, &input[0..3], 0, false, input, &[])
            .unwrap();
        let b = t
            .intern_after(None, &input[3..6], 3, false, input, &[])
            .unwrap();
        let c = t
            .intern_after(None, &input[6..9], 6, false, input, &[])
            .unwrap();
        let d = t
            .intern_after(None, &input[9..11], 9, false, input, &[])
            .unwrap();
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
                t.intern_after(None, k.as_bytes(), at, false, input.as_bytes(), &[])
                    .unwrap()
                    .id,
            );
            at += k.len();
        }
        let mut at = 0;
        for (k, id) in keys.iter().zip(&ids) {
            let again = t
                .intern_after(None, k.as_bytes(), at, false, input.as_bytes(), &[])
                .unwrap();
            assert!(!again.is_new && again.shared);
            assert_eq!(again.id, *id);
            at += k.len();
        }
    }
}
