//! PHP values of a JSON body (spec 3.3, RFC 8259), built straight from the core's tape
//! into zvals: every hash table is created once at its final size, and each distinct
//! object key becomes one `zend_string` shared by all the tables that use it.
//!
//! The result is identical to what `json_decode($json, $assoc, $depth)` returns on
//! PHP 8.2: JSON arrays are packed arrays, objects are `stdClass` instances (property
//! names always strings) or, with `$assoc`, arrays whose numeric-string keys are integers.

#![allow(
    unsafe_code,
    reason = "PHP values are built straight into the engine's hash tables and strings"
)]

use std::cell::Cell;
use std::mem::{offset_of, size_of, MaybeUninit};
use std::os::raw::c_char;
use std::ptr;

use ext_php_rs::ffi::{
    self, ext_php_rs_zend_string_init, ext_php_rs_zend_string_release, zend_object, zend_string,
    zend_value, zval, Bucket, HashTable, IS_ARRAY_EX, IS_DOUBLE, IS_FALSE, IS_INTERNED_STRING_EX,
    IS_LONG, IS_NULL, IS_OBJECT_EX, IS_STRING_EX, IS_TRUE,
};
use ext_php_rs::types::Zval;
use ext_php_rs::zend::BailoutGuard;

use super::zend::{
    zend_empty_string, zend_hash_index_add_new, zend_hash_real_init_mixed,
    zend_hash_real_init_packed, zend_memory_usage, zend_one_char_string, zend_string_hash_func,
    HASH_FLAG_PACKED, HASH_FLAG_STATIC_KEYS, PACKED_ZVALS,
};
use crate::error::ProtocolError;
use crate::json::{self, Event, KeyId, ParseOptions, Scratch, Tape};
use crate::limits::Limits;
use crate::request::{message_fields, MessageFields};

/// Offset of the data pointer (`arData`/`arPacked`): a plain field before PHP 8.2, a
/// union after, in both cases the pointer just before `nNumUsed`.
const DATA_OFFSET: usize = offset_of!(HashTable, nNumUsed) - size_of::<*mut Bucket>();
const _: () = assert!(DATA_OFFSET == offset_of!(HashTable, nTableMask) + size_of::<u32>());

/// Events between two releases of the memory of those already built (1 MiB of them).
const RELEASE_EVERY: usize = 1 << 16;

/// Scratch buffers above this size are freed after the call instead of kept.
const MAX_KEPT_BYTES: usize = 8 << 20;

/// Decodes `input` as `json_decode($input, $assoc, $limits->max_depth)` would, with
/// the invalid UTF-8 policy of `limits`.
pub(crate) fn decode_to_zval(
    input: &[u8],
    assoc: bool,
    limits: &Limits,
) -> Result<Zval, ProtocolError> {
    decode_inspecting(input, assoc, limits, |_| Ok(())).map(|(z, ())| z)
}

/// Decodes a protocol message: its PHP value and its routing members, from one parse.
pub(crate) fn decode_message(
    input: &[u8],
    assoc: bool,
    limits: &Limits,
) -> Result<(Zval, MessageFields), ProtocolError> {
    decode_inspecting(input, assoc, limits, message_fields)
}

/// Parses once, lets `inspect` read the tape (it may refuse the document), then builds.
fn decode_inspecting<R>(
    input: &[u8],
    assoc: bool,
    limits: &Limits,
    inspect: impl FnOnce(&Tape<'_>) -> Result<R, ProtocolError>,
) -> Result<(Zval, R), ProtocolError> {
    let mut opts = ParseOptions::new(assoc, limits);
    let left = memory_left();
    // The tape lives outside memory_limit: no more events than PHP could hold values for.
    // PHP needs at least 16 bytes per value (its zval in the parent table) and a document
    // has at most one key per value, so past memory left / 8 events it could not build them.
    let budget = left.map_or(usize::MAX, |l| l / 8);
    opts.max_events = opts.max_events.min(budget);
    // Everything this call allocates on the Rust heap sits in the guard, so that a
    // bailout (memory_limit) while building frees it instead of leaking it, and the
    // spare kept between calls is only ever taken whole or put back whole.
    let mut state = BailoutGuard::new(CallState::take());
    let CallState { scratch, builder } = &mut *state;
    let result = json::parse(input, &opts, scratch)
        .map_err(|e| match (e, left) {
            (ProtocolError::TooManyValues { .. }, Some(left))
                if budget < limits.max_values as usize =>
            {
                ProtocolError::OverMemoryLimit {
                    needed: (budget as u64 + 1) * 8,
                    available: left as u64,
                }
            }
            (e, _) => e,
        })
        .and_then(|tape| {
            let seen = inspect(&tape)?;
            if let Some(left) = left {
                check_memory(&tape, assoc, left)?;
            }
            // SAFETY: called from a PHP request, where the Zend allocator may be used.
            Ok((unsafe { builder.build(&tape, assoc) }, seen))
        });
    state.into_inner().give_back();
    result
}

/// Bytes the request may still allocate under `memory_limit`; `None` without a limit.
fn memory_left() -> Option<usize> {
    // SAFETY: the core globals and the allocator exist while a request runs.
    let (limit, used) = unsafe {
        (
            (*ffi::ext_php_rs_process_globals()).memory_limit,
            zend_memory_usage(false),
        )
    };
    match usize::try_from(limit) {
        Ok(limit) if limit > 0 => Some(limit.saturating_sub(used)),
        // -1: no limit.
        _ => None,
    }
}

/// Refuses a document whose values would not fit in what `memory_limit` leaves: PHP would
/// end the request with a fatal error half-way through building them.
fn check_memory(tape: &Tape<'_>, assoc: bool, left: usize) -> Result<(), ProtocolError> {
    let left = left as u64;
    if json::cost::zend_bytes_bound(tape) <= left {
        return Ok(());
    }
    let needed = json::cost::zend_bytes(tape, assoc);
    if needed > left {
        return Err(ProtocolError::OverMemoryLimit {
            needed,
            available: left,
        });
    }
    Ok(())
}

thread_local! {
    static SPARE: Cell<Option<CallState>> = const { Cell::new(None) };
}

#[derive(Default)]
struct CallState {
    scratch: Scratch,
    builder: Builder,
}

impl CallState {
    fn take() -> CallState {
        SPARE.with(Cell::take).unwrap_or_default()
    }

    fn give_back(self) {
        let bytes = self.scratch.capacity_bytes()
            + self.builder.keys.capacity() * size_of::<*mut zend_string>()
            + self.builder.stack.capacity() * size_of::<Open>()
            + self.builder.strings.slots.capacity() * size_of::<CachedString>();
        if bytes <= MAX_KEPT_BYTES {
            SPARE.with(|s| s.set(Some(self)));
        }
    }
}

/// A container being filled.
struct Open {
    ht: *mut HashTable,
    remaining: usize,
    kind: Kind,
    key: Option<KeyId>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A JSON array: a packed table filled in order.
    List,
    /// An object whose keys are known distinct: members are appended without lookup.
    Distinct,
    /// An object that may repeat a key: members go through the hash update functions.
    Update,
}

#[derive(Default)]
struct Builder {
    /// One string per distinct key, made on first use; this builder owns one reference.
    keys: Vec<*mut zend_string>,
    stack: Vec<Open>,
    strings: StringCache,
}

/// String values up to this length are shared through [`StringCache`]: inventories
/// repeat short values (`"default"`, `"0.00 seconds"`, port types, speeds) thousands of
/// times, and a `zend_string` costs 32 bytes or more each. Up to 16 bytes the key
/// fingerprint identifies the bytes, so a hit costs no comparison.
const MAX_SHARED_LEN: usize = 16;

/// At most this many cached strings (a power of two).
const MAX_CACHE_SLOTS: usize = 4096;

/// A direct-mapped cache of the short string values of one document: a value seen again
/// while still in its slot gets the same `zend_string`, one more reference to it. PHP
/// separates a string with several references before changing it, so sharing cannot be
/// seen, except in memory. The cache owns one reference to each string it holds.
///
/// Only documents of [`SHARE_FROM_EVENTS`] events or more use it: a lookup per string
/// costs about 7% of the decoding time, which buys memory where there is much to save.
#[derive(Default)]
struct StringCache {
    slots: Vec<CachedString>,
}

/// Documents with fewer events (about 1 MB of JSON) make all their strings anew.
const SHARE_FROM_EVENTS: usize = 1 << 16;

#[derive(Clone, Copy)]
struct CachedString {
    fp: json::Fingerprint,
    s: *mut zend_string,
}

impl StringCache {
    /// Empties the cache and sizes it for a document of `events` events (none for a
    /// short document).
    fn reset(&mut self, events: usize) {
        self.slots.clear();
        if events < SHARE_FROM_EVENTS {
            return;
        }
        let size = (events / 8).next_power_of_two().min(MAX_CACHE_SLOTS);
        self.slots.resize(
            size,
            CachedString {
                fp: json::Fingerprint { head: 0, tail: 0 },
                s: ptr::null_mut(),
            },
        );
    }

    /// The string for `bytes` (2 to [`MAX_SHARED_LEN`] bytes), with a reference for the caller.
    unsafe fn get(&mut self, bytes: &[u8]) -> *mut zend_string {
        let fp = json::fingerprint(bytes);
        let at = json::hash_key(fp, bytes.len()) as usize & (self.slots.len() - 1);
        let slot = &mut self.slots[at];
        let s = slot.s;
        // Up to 16 bytes the fingerprint and the length are the bytes themselves.
        if !s.is_null() && slot.fp == fp && (*s).len == bytes.len() {
            (*s).gc.refcount += 1;
            return s;
        }
        let new = ext_php_rs_zend_string_init(bytes.as_ptr().cast::<c_char>(), bytes.len(), false);
        if !s.is_null() {
            ext_php_rs_zend_string_release(s);
        }
        // One reference for the value, one for the cache.
        (*new).gc.refcount += 1;
        *slot = CachedString { fp, s: new };
        new
    }

    /// Drops the cache's references; the values keep theirs.
    unsafe fn release(&mut self) {
        for slot in &mut self.slots {
            if !slot.s.is_null() {
                ext_php_rs_zend_string_release(slot.s);
                slot.s = ptr::null_mut();
            }
        }
    }
}

/// Where a value is written: straight into its final slot, or into a temporary that a
/// Zend hash function then stores (keys that may repeat, integer keys).
enum Commit {
    Done,
    Update(*mut HashTable, *mut zend_string),
    IndexUpdate(*mut HashTable, i64),
    IndexAdd(*mut HashTable, i64),
}

impl Builder {
    /// # Safety
    /// The Zend engine must be running a request (the allocator must be usable).
    unsafe fn build(&mut self, tape: &Tape<'_>, assoc: bool) -> Zval {
        // Two copies of the loop: short documents pay nothing for the string cache.
        if tape.len() < SHARE_FROM_EVENTS {
            self.build_with::<false>(tape, assoc)
        } else {
            self.build_with::<true>(tape, assoc)
        }
    }

    /// # Safety
    /// As [`Builder::build`].
    unsafe fn build_with<const SHARE: bool>(&mut self, tape: &Tape<'_>, assoc: bool) -> Zval {
        self.keys.clear();
        self.keys.resize(tape.key_count(), ptr::null_mut());
        self.stack.clear();
        self.strings.reset(tape.len());
        let mut root = Zval::new();
        let mut tmp = MaybeUninit::<zval>::uninit();
        let mut at = 0;
        let mut next_release = RELEASE_EVERY;
        for event in tape.events() {
            at += 1;
            if at == next_release {
                // SAFETY: the events before `at` have been read; nothing reads them again.
                tape.release_before(at - 1);
                next_release += RELEASE_EVERY;
            }
            if let Event::Key(id) = event {
                if let Some(top) = self.stack.last_mut() {
                    top.key = Some(id);
                }
                continue;
            }
            let (dst, commit) = self.destination(tape, assoc, &mut root, tmp.as_mut_ptr());
            let child = write_value::<SHARE>(dst, event, assoc, &mut self.strings);
            match commit {
                Commit::Done => {}
                Commit::Update(ht, key) => {
                    ffi::zend_hash_update(ht, key, dst);
                }
                Commit::IndexUpdate(ht, i) => {
                    ffi::zend_hash_index_update(ht, i as u64, dst);
                }
                Commit::IndexAdd(ht, i) => {
                    zend_hash_index_add_new(ht, i as u64, dst);
                }
            }
            if let Some((ht, remaining, kind)) = child {
                self.stack.push(Open {
                    ht,
                    remaining,
                    kind,
                    key: None,
                });
            } else {
                // Close every container this value completed (tables are counted as
                // they fill, so closing is just forgetting them).
                while self.stack.last().is_some_and(|top| top.remaining == 0) {
                    self.stack.pop();
                }
            }
        }
        self.release_keys();
        self.strings.release();
        root
    }

    /// The zval the next value goes to. Values are written in place rather than built
    /// and copied: a 16-byte copy of a zval just written in two parts stalls the CPU.
    #[inline(always)]
    unsafe fn destination(
        &mut self,
        tape: &Tape<'_>,
        assoc: bool,
        root: &mut Zval,
        tmp: *mut zval,
    ) -> (*mut zval, Commit) {
        let Some(top) = self.stack.last_mut() else {
            return (root, Commit::Done);
        };
        top.remaining -= 1;
        let ht = top.ht;
        let kind = top.kind;
        if kind == Kind::List {
            return (packed_slot(ht), Commit::Done);
        }
        let Some(id) = top.key.take() else {
            // A tape from `parse` puts a key before every member; should one be
            // missing, the value goes under the empty key rather than nowhere.
            return (tmp, Commit::Update(ht, zend_empty_string));
        };
        let index = if assoc { tape.key(id).index } else { None };
        match (index, kind) {
            (None, Kind::Distinct) => (bucket_slot(ht, self.key_string(tape, id)), Commit::Done),
            (None, _) => (tmp, Commit::Update(ht, self.key_string(tape, id))),
            (Some(i), Kind::Distinct) => (tmp, Commit::IndexAdd(ht, i)),
            (Some(i), _) => (tmp, Commit::IndexUpdate(ht, i)),
        }
    }

    unsafe fn key_string(&mut self, tape: &Tape<'_>, id: KeyId) -> *mut zend_string {
        let slot = &mut self.keys[id.index()];
        if slot.is_null() {
            let bytes = tape.key(id).bytes;
            let s =
                ext_php_rs_zend_string_init(bytes.as_ptr().cast::<c_char>(), bytes.len(), false);
            zend_string_hash_func(s);
            *slot = s;
        }
        *slot
    }

    /// Drops this builder's own reference to each key string; the tables keep theirs.
    unsafe fn release_keys(&mut self) {
        for s in self.keys.drain(..) {
            if !s.is_null() {
                ext_php_rs_zend_string_release(s);
            }
        }
    }
}

/// Writes one value into `dst` (its `u2` is left alone: in a bucket it chains the
/// hash). Returns the table to fill next when the value is a non-empty container.
#[inline(always)]
unsafe fn write_value<const SHARE: bool>(
    dst: *mut zval,
    event: Event<'_>,
    assoc: bool,
    strings: &mut StringCache,
) -> Option<(*mut HashTable, usize, Kind)> {
    let (value, type_info, child) = match event {
        Event::Null | Event::Key(_) => (zend_value { lval: 0 }, IS_NULL, None),
        Event::Bool(b) => (
            zend_value { lval: 0 },
            if b { IS_TRUE } else { IS_FALSE },
            None,
        ),
        Event::Int(i) => (zend_value { lval: i }, IS_LONG, None),
        Event::Float(f) => (zend_value { dval: f }, IS_DOUBLE, None),
        Event::Str(s) => {
            let (str_, type_info) = new_string::<SHARE>(s, strings);
            (zend_value { str_ }, type_info, None)
        }
        Event::Array { len } => {
            let ht = new_table(len, true);
            (
                zend_value { arr: ht },
                IS_ARRAY_EX,
                (len > 0).then_some((ht, len, Kind::List)),
            )
        }
        Event::Object { len, distinct_keys } => {
            let kind = if distinct_keys {
                Kind::Distinct
            } else {
                Kind::Update
            };
            if assoc {
                let ht = new_table(len, false);
                (
                    zend_value { arr: ht },
                    IS_ARRAY_EX,
                    (len > 0).then_some((ht, len, kind)),
                )
            } else {
                // stdClass has no declared properties: its property table is just a
                // hash table of string keys, which json_decode fills the same way.
                let obj: *mut zend_object = ffi::zend_objects_new(ffi::zend_standard_class_def);
                let mut child = None;
                if len > 0 {
                    let ht = new_table(len, false);
                    (*obj).properties = ht;
                    child = Some((ht, len, kind));
                }
                (zend_value { obj }, IS_OBJECT_EX, child)
            }
        }
    };
    (*dst).value = value;
    (*dst).u1.type_info = type_info;
    child
}

/// Whether `ht` is a packed table (a list: no keys).
pub(crate) unsafe fn is_packed(ht: *const HashTable) -> bool {
    (*ht).u.flags & HASH_FLAG_PACKED != 0
}

pub(crate) unsafe fn data(ht: *mut HashTable) -> *mut u8 {
    ptr::read(ht.cast::<u8>().add(DATA_OFFSET).cast::<*mut u8>())
}

/// A table with room for `len` elements, initialised so that elements can be written
/// directly. Sizes past the Zend maximum end in PHP's own fatal error, never in a
/// table smaller than `len`.
unsafe fn new_table(len: usize, packed: bool) -> *mut HashTable {
    let ht = ffi::_zend_new_array(u32::try_from(len).unwrap_or(u32::MAX));
    if len > 0 {
        if packed {
            zend_hash_real_init_packed(ht);
        } else {
            zend_hash_real_init_mixed(ht);
        }
    }
    ht
}

/// `ZEND_HASH_FILL_*` for one element, counted at once: the slot of the next element.
unsafe fn packed_slot(ht: *mut HashTable) -> *mut zval {
    let idx = (*ht).nNumUsed;
    (*ht).nNumUsed = idx + 1;
    (*ht).nNumOfElements = idx + 1;
    (*ht).nNextFreeElement = i64::from(idx) + 1;
    if PACKED_ZVALS {
        data(ht).cast::<zval>().add(idx as usize)
    } else {
        let b = data(ht).cast::<Bucket>().add(idx as usize);
        (*b).h = u64::from(idx);
        (*b).key = ptr::null_mut();
        ptr::addr_of_mut!((*b).val)
    }
}

/// `_zend_hash_append` for a key known to be absent and a non-interned, hashed key:
/// the slot of the new member's value.
unsafe fn bucket_slot(ht: *mut HashTable, key: *mut zend_string) -> *mut zval {
    let idx = (*ht).nNumUsed;
    let base = data(ht);
    let b = base.cast::<Bucket>().add(idx as usize);
    (*ht).u.flags &= !HASH_FLAG_STATIC_KEYS;
    (*key).gc.refcount += 1;
    (*b).key = key;
    (*b).h = (*key).h;
    // HT_HASH(ht, nIndex): the hash slots sit before arData, indexed by a negative int.
    let n_index = ((*key).h as u32 | (*ht).nTableMask) as i32;
    let slot = base.cast::<u32>().offset(n_index as isize);
    (*b).val.u2.next = *slot;
    // HT_IDX_TO_HASH: the index itself on 64-bit, a byte offset on 32-bit.
    *slot = if size_of::<usize>() == 8 {
        idx
    } else {
        idx * size_of::<Bucket>() as u32
    };
    (*ht).nNumUsed = idx + 1;
    (*ht).nNumOfElements += 1;
    ptr::addr_of_mut!((*b).val)
}

/// A string value: the interned empty and one-character strings as PHP has them, a
/// short one shared through the cache, else a new one.
unsafe fn new_string<const SHARE: bool>(
    s: &[u8],
    strings: &mut StringCache,
) -> (*mut zend_string, u32) {
    match s {
        [] => (zend_empty_string, IS_INTERNED_STRING_EX),
        [c] => (zend_one_char_string[usize::from(*c)], IS_INTERNED_STRING_EX),
        _ if SHARE && s.len() <= MAX_SHARED_LEN => (strings.get(s), IS_STRING_EX),
        _ => (
            ext_php_rs_zend_string_init(s.as_ptr().cast::<c_char>(), s.len(), false),
            IS_STRING_EX,
        ),
    }
}
