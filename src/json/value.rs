//! PHP values as PHP 8.2's `json_decode` returns them (RFC 8259 values mapped by PHP's
//! rules), built from a [`Tape`] in plain Rust: the reference model that tests and fuzz
//! targets compare the scanner and the PHP builder against.

use std::collections::HashMap;

use super::tape::{Event, KeyId, Tape};
use super::{parse, ParseOptions, Scratch};
use crate::error::ProtocolError;

/// A key of a PHP array.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ArrayKey {
    /// An integer key, as assoc mode makes of `"12"` and as lists have.
    Int(i64),
    /// A string key, as PHP stores it (bytes).
    Str(Vec<u8>),
}

/// A PHP value. Equality is identity as `===` sees it, plus the order of members and
/// the sign of zero: `-0.0` differs from `0.0`.
#[derive(Debug, Clone)]
pub enum PhpValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// `int`: an integer literal within `i64`.
    Int(i64),
    /// `float`: any other number, `INF` when it overflows.
    Float(f64),
    /// `string`, as PHP stores it (bytes).
    String(Vec<u8>),
    /// A PHP array in insertion order.
    Array(Vec<(ArrayKey, PhpValue)>),
    /// A `stdClass` object: properties in insertion order, names always strings.
    Object(Vec<(Vec<u8>, PhpValue)>),
}

impl PartialEq for PhpValue {
    fn eq(&self, other: &PhpValue) -> bool {
        use PhpValue::*;
        match (self, other) {
            (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a.to_bits() == b.to_bits(),
            (String(a), String(b)) => a == b,
            (Array(a), Array(b)) => a == b,
            (Object(a), Object(b)) => a == b,
            _ => false,
        }
    }
}

/// Decodes `input` to the value `json_decode($input, $opts->assoc, $opts->max_depth)` returns.
pub fn decode(input: &[u8], opts: &ParseOptions) -> Result<PhpValue, ProtocolError> {
    let mut scratch = Scratch::new();
    Ok(build(&parse(input, opts, &mut scratch)?, opts.assoc))
}

enum Members {
    List(Vec<(ArrayKey, PhpValue)>),
    Map(Vec<(ArrayKey, PhpValue)>, HashMap<ArrayKey, usize>),
    Props(Vec<(Vec<u8>, PhpValue)>, HashMap<Vec<u8>, usize>),
}

struct Open {
    remaining: usize,
    key: Option<KeyId>,
    members: Members,
}

/// Replaces the value of an existing key in place, else appends: PHP's hash update.
fn upsert<K: Clone + Eq + std::hash::Hash>(
    list: &mut Vec<(K, PhpValue)>,
    index: &mut HashMap<K, usize>,
    key: K,
    value: PhpValue,
) {
    match index.get(&key) {
        Some(&i) => list[i].1 = value,
        None => {
            index.insert(key.clone(), list.len());
            list.push((key, value));
        }
    }
}

impl Open {
    fn insert(&mut self, tape: &Tape<'_>, value: PhpValue) {
        let key = self.key.take().map(|id| tape.key(id));
        match (&mut self.members, key) {
            (Members::List(items), _) => items.push((ArrayKey::Int(items.len() as i64), value)),
            (Members::Map(items, index), Some(k)) => {
                let key = match k.index {
                    Some(i) => ArrayKey::Int(i),
                    None => ArrayKey::Str(k.bytes.to_vec()),
                };
                upsert(items, index, key, value);
            }
            (Members::Props(items, index), Some(k)) => {
                upsert(items, index, k.bytes.to_vec(), value)
            }
            // A tape from `parse` puts a key before every member value.
            (_, None) => {}
        }
    }

    fn finish(self) -> PhpValue {
        match self.members {
            Members::List(items) | Members::Map(items, _) => PhpValue::Array(items),
            Members::Props(items, _) => PhpValue::Object(items),
        }
    }
}

/// Builds the PHP value of a tape without recursion, so depth costs no stack.
pub fn build(tape: &Tape<'_>, assoc: bool) -> PhpValue {
    let mut stack: Vec<Open> = Vec::new();
    for event in tape.events() {
        let mut value = match event {
            Event::Null => PhpValue::Null,
            Event::Bool(b) => PhpValue::Bool(b),
            Event::Int(i) => PhpValue::Int(i),
            Event::Float(f) => PhpValue::Float(f),
            Event::Str(s) => PhpValue::String(s.to_vec()),
            Event::Key(id) => {
                if let Some(top) = stack.last_mut() {
                    top.key = Some(id);
                }
                continue;
            }
            Event::Array { len: 0 } => PhpValue::Array(Vec::new()),
            Event::Object { len: 0, .. } if assoc => PhpValue::Array(Vec::new()),
            Event::Object { len: 0, .. } => PhpValue::Object(Vec::new()),
            Event::Array { len } => {
                stack.push(Open {
                    remaining: len,
                    key: None,
                    members: Members::List(Vec::with_capacity(len)),
                });
                continue;
            }
            Event::Object { len, .. } => {
                let members = if assoc {
                    Members::Map(Vec::with_capacity(len), HashMap::new())
                } else {
                    Members::Props(Vec::with_capacity(len), HashMap::new())
                };
                stack.push(Open {
                    remaining: len,
                    key: None,
                    members,
                });
                continue;
            }
        };
        // Insert the value, then close every container it completes.
        loop {
            let Some(top) = stack.last_mut() else {
                return value;
            };
            top.insert(tape, value);
            top.remaining -= 1;
            if top.remaining > 0 {
                break;
            }
            let Some(done) = stack.pop() else { break };
            value = done.finish();
        }
    }
    PhpValue::Null
}
