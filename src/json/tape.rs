//! The scanner's output (RFC 8259 values, spec 3.3 messages): a flat list of events in
//! document order, in which every array and object states its element count before its
//! children, so that a builder can allocate each container once at its final size.

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
    pub bytes: &'t [u8],
    /// The integer PHP's symbol tables use instead of the string (`ZEND_HANDLE_NUMERIC_STR`:
    /// `0` or `-?[1-9][0-9]*` within `i64`), as array keys in assoc mode take it.
    pub index: Option<i64>,
}

/// One step of the document, in order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event<'t> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'t [u8]),
    /// An array; its `len` values follow.
    Array {
        len: usize,
    },
    /// An object; `len` pairs of [`Event::Key`] and a value follow. When
    /// `distinct_keys` is true no key repeats, so members can be appended without lookup.
    Object {
        len: usize,
        distinct_keys: bool,
    },
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
#[derive(Debug, Clone, Copy)]
pub struct Tape<'a> {
    pub(crate) input: &'a [u8],
    pub(crate) nodes: &'a [Node],
    pub(crate) strings: &'a [u8],
    pub(crate) keys: &'a [KeyEntry],
}

impl<'a> Tape<'a> {
    /// The events in document order; the first one is the root value.
    pub fn events(&self) -> Events<'a> {
        Events {
            tape: *self,
            nodes: self.nodes.iter(),
        }
    }

    /// Number of events (values and keys).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// How many distinct keys the document uses (an upper bound when a pathological
    /// document defeats the interning table: a key may then have several ids).
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

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
    nodes: std::slice::Iter<'t, Node>,
}

impl<'t> Iterator for Events<'t> {
    type Item = Event<'t>;

    #[inline]
    fn next(&mut self) -> Option<Event<'t>> {
        self.nodes.next().map(|n| self.tape.event(n))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.nodes.size_hint()
    }
}

impl ExactSizeIterator for Events<'_> {}
