//! The scanner's output (RFC 8259 values, spec 3.3 messages): a flat list of events in
//! document order, in which every array and object states its element count before its
//! children, so that a builder can allocate each container once at its final size.

#![allow(
    unsafe_code,
    reason = "the builder walks the events through a raw cursor, and pages already built are handed back to the system with madvise"
)]

/// One event, 16 bytes: a kind and a small number in `head`, a 64-bit payload.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    pub(crate) head: u64,
    pub(crate) payload: u64,
}

pub(crate) const KIND_BITS: u32 = 4;
const KIND_MASK: u64 = (1 << KIND_BITS) - 1;

pub(crate) const K_NULL: u64 = 0;
pub(crate) const K_FALSE: u64 = 1;
pub(crate) const K_TRUE: u64 = 2;
pub(crate) const K_INT: u64 = 3;
pub(crate) const K_FLOAT: u64 = 4;
/// A string with no escapes: `payload` is its offset in the input, `head >> 4` its length.
pub(crate) const K_STR: u64 = 5;
/// A string that had escapes (or substituted bytes): offset in the side buffer.
pub(crate) const K_OWNED: u64 = 6;
pub(crate) const K_ARRAY: u64 = 7;
/// `payload` is the member count; [`OBJ_REPEATS`] in `head` when keys may repeat.
pub(crate) const K_OBJECT: u64 = 8;
pub(crate) const K_KEY: u64 = 9;

/// Set on an object whose keys are not known to be distinct.
pub(crate) const OBJ_REPEATS: u64 = 1 << KIND_BITS;

impl Node {
    #[inline]
    pub(crate) fn new(kind: u64, payload: u64) -> Node {
        Node {
            head: kind,
            payload,
        }
    }

    #[inline]
    pub(crate) fn string(kind: u64, offset: usize, len: usize) -> Node {
        Node {
            head: kind | ((len as u64) << KIND_BITS),
            payload: offset as u64,
        }
    }
}

/// Identifies one distinct object key of a document; see [`Tape::key`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyId(pub(crate) u32);

impl KeyId {
    /// Dense index in `0..tape.key_count()`, for a per-key cache in a builder.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An object key once unescaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key<'t> {
    /// The key unescaped, as PHP stores it.
    pub bytes: &'t [u8],
    /// The integer PHP's symbol tables use instead of the string (`ZEND_HANDLE_NUMERIC_STR`:
    /// `0` or `-?[1-9][0-9]*` within `i64`), as array keys in assoc mode take it.
    pub index: Option<i64>,
}

/// One step of the document, in order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event<'t> {
    /// JSON `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number PHP decodes as `int`.
    Int(i64),
    /// A number PHP decodes as `float`: fraction, exponent, or beyond `i64`.
    Float(f64),
    /// A string value, unescaped.
    Str(&'t [u8]),
    /// An array; its `len` values follow.
    Array {
        /// Number of values; 0 for `[]`.
        len: usize,
    },
    /// An object; `len` pairs of [`Event::Key`] and a value follow. When
    /// `distinct_keys` is true no key repeats, so members can be appended without lookup.
    Object {
        /// Number of members, repeated keys included.
        len: usize,
        /// No key of this object repeats.
        distinct_keys: bool,
    },
    /// An object member's key, followed by its value; resolve it with [`Tape::key`].
    Key(KeyId),
}

/// Where a distinct key's bytes live.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KeyEntry {
    pub(crate) offset: usize,
    pub(crate) len: usize,
    pub(crate) owned: bool,
    pub(crate) fp: super::keys::Fingerprint,
    pub(crate) hash: u64,
    pub(crate) index: Option<i64>,
    /// False for a key the table had no room to probe for: another id may have the
    /// same bytes.
    pub(crate) in_table: bool,
}

/// A decoded document: a view of the input and of the [`Scratch`](super::Scratch) it
/// was parsed into. Strings without escapes borrow from the input.
///
/// The events are reached through a pointer with the scratch's exclusive borrow, each
/// read one at a time, never through a slice: [`Tape::release_before`] may then hand the
/// memory of events already read back to the system while the tape is in use.
#[derive(Debug, Clone, Copy)]
pub struct Tape<'a> {
    pub(crate) input: &'a [u8],
    nodes: *mut Node,
    count: usize,
    pub(crate) strings: &'a [u8],
    pub(crate) keys: &'a [KeyEntry],
    _nodes: std::marker::PhantomData<&'a mut [Node]>,
}

impl<'a> Tape<'a> {
    pub(crate) fn new(
        input: &'a [u8],
        nodes: &'a mut [Node],
        strings: &'a [u8],
        keys: &'a [KeyEntry],
    ) -> Tape<'a> {
        Tape {
            input,
            count: nodes.len(),
            nodes: nodes.as_mut_ptr(),
            strings,
            keys,
            _nodes: std::marker::PhantomData,
        }
    }

    /// The events in document order; the first one is the root value.
    pub fn events(&self) -> Events<'a> {
        Events {
            tape: *self,
            next: self.nodes,
            // SAFETY: one past the last event of the allocation the pointer comes from.
            end: unsafe { self.nodes.add(self.count) },
        }
    }

    /// Number of events (values and keys).
    pub fn len(&self) -> usize {
        self.count
    }

    /// Never true for a tape [`parse`](super::parse) returned: a document has at least its root.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Returns to the system the whole memory pages holding only events before `index`
    /// (Linux; elsewhere nothing happens). The events of a large document take about as
    /// much memory as the PHP values built from them: released as the building goes, they
    /// never add up with the values.
    ///
    /// # Safety
    /// No event before `index` may be read again through this tape or a copy of it (their
    /// memory reads as zeros afterwards) until the scratch is parsed into again.
    pub unsafe fn release_before(&self, index: usize) {
        #[cfg(target_os = "linux")]
        {
            extern "C" {
                fn madvise(addr: *mut std::ffi::c_void, len: usize, advice: i32) -> i32;
            }
            const MADV_DONTNEED: i32 = 4;
            const PAGE: usize = 4096;
            let start = self.nodes as usize;
            let end = start + index.min(self.count) * std::mem::size_of::<Node>();
            // Only pages wholly inside the events: the allocator's own data around the
            // block stays untouched.
            let first = start.next_multiple_of(PAGE);
            let last = end - end % PAGE;
            if last > first {
                // SAFETY: the range lies inside the events' allocation, which the tape
                // borrows exclusively; an anonymous private mapping reads as zeros after
                // MADV_DONTNEED, and all-zero bytes are a valid `Node`.
                madvise(first as *mut std::ffi::c_void, last - first, MADV_DONTNEED);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = index;
    }

    /// How many distinct keys the document uses (an upper bound when a pathological
    /// document defeats the interning table: a key may then have several ids).
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// The bytes and integer form of a key the tape's events refer to.
    pub fn key(&self, id: KeyId) -> Key<'a> {
        let e = &self.keys[id.index()];
        let src = if e.owned { self.strings } else { self.input };
        Key {
            bytes: &src[e.offset..e.offset + e.len],
            index: e.index,
        }
    }

    #[inline]
    fn event(&self, n: &Node) -> Event<'a> {
        let len = (n.head >> KIND_BITS) as usize;
        match n.head & KIND_MASK {
            K_NULL => Event::Null,
            K_FALSE => Event::Bool(false),
            K_TRUE => Event::Bool(true),
            K_INT => Event::Int(n.payload as i64),
            K_FLOAT => Event::Float(f64::from_bits(n.payload)),
            K_STR => {
                let at = n.payload as usize;
                Event::Str(&self.input[at..at + len])
            }
            K_OWNED => {
                let at = n.payload as usize;
                Event::Str(&self.strings[at..at + len])
            }
            K_ARRAY => Event::Array {
                len: n.payload as usize,
            },
            K_OBJECT => Event::Object {
                len: n.payload as usize,
                distinct_keys: n.head & OBJ_REPEATS == 0,
            },
            _ => Event::Key(KeyId(n.payload as u32)),
        }
    }
}

/// Iterator over a [`Tape`]'s events.
pub struct Events<'t> {
    tape: Tape<'t>,
    next: *mut Node,
    end: *mut Node,
}

impl<'t> Iterator for Events<'t> {
    type Item = Event<'t>;

    #[inline]
    fn next(&mut self) -> Option<Event<'t>> {
        if self.next == self.end {
            return None;
        }
        // SAFETY: `next` is before `end`, inside the events the pointers were made from.
        let n = unsafe { self.next.read() };
        self.next = unsafe { self.next.add(1) };
        Some(self.tape.event(&n))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        // SAFETY: both pointers come from the same allocation, `next` never past `end`.
        let left = unsafe { self.end.offset_from(self.next) } as usize;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Events<'_> {}
