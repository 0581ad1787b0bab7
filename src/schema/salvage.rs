//! Lenient mode: each violation inside `content` removes the smallest part that holds it
//! (the array element, or the property its object does not require); a violation with no
//! such part (at the top level, or in a chain of required members up to `content`) leaves
//! the message unsalvageable.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::{pointer, Doc, Kind, Seg, Violation};
use crate::json::value::{ArrayKey, PhpValue};

/// What to remove from a message: a tree of member names and indexes, in the message's own
/// coordinates (indexes before any removal).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removals(pub BTreeMap<Seg<'static>, Removal>);

/// What happens to one member or element of a message in lenient mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    /// Remove this member or element.
    Remove,
    /// Keep it, with removals inside.
    Within(Removals),
}

impl Removals {
    fn insert(&mut self, path: &[Seg<'static>]) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        if rest.is_empty() {
            self.0.insert(first.clone(), Removal::Remove);
            return;
        }
        let entry = self
            .0
            .entry(first.clone())
            .or_insert_with(|| Removal::Within(Removals::default()));
        if let Removal::Within(inner) = entry {
            inner.insert(rest);
        }
    }

    /// Whether nothing is to be removed (the message is valid as it is).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Debug, Default)]
pub(crate) struct Salvage {
    units: Vec<(Vec<Seg<'static>>, Violation)>,
    unsalvageable: bool,
}

impl Salvage {
    pub(crate) fn record(&mut self, path: &[Seg<'_>], removable: &[bool], v: &Violation) {
        if self.unsalvageable {
            return;
        }
        let in_content = matches!(path.first(), Some(Seg::Key(k)) if k.as_ref() == b"content");
        let unit = (2..=path.len()).rev().find(|&i| removable[i - 1]);
        match (in_content, unit) {
            (true, Some(len)) => self.units.push((
                path[..len].iter().cloned().map(Seg::into_owned).collect(),
                v.clone(),
            )),
            _ => {
                self.unsalvageable = true;
                self.units = Vec::new();
            }
        }
    }

    /// The removals (None when the message cannot be salvaged) and what each removes.
    pub(crate) fn finish(mut self, max_reported: usize) -> (Option<Removals>, Vec<Violation>) {
        if self.unsalvageable {
            return (None, Vec::new());
        }
        // Stable: for one part, the first violation recorded in it explains it.
        self.units.sort_by(|a, b| a.0.cmp(&b.0));
        let mut removals = Removals::default();
        let mut dropped = Vec::new();
        let mut last: Option<&[Seg<'static>]> = None;
        for (path, v) in &self.units {
            if last.is_some_and(|l| path.starts_with(l)) {
                continue;
            }
            last = Some(path);
            removals.insert(path);
            if dropped.len() < max_reported {
                let at = pointer(path);
                let message = if at == v.pointer {
                    v.message.clone()
                } else {
                    format!("{} (at {})", v.message, v.pointer)
                };
                dropped.push(Violation {
                    pointer: at,
                    keyword: v.keyword,
                    message,
                });
            }
        }
        (Some(removals), dropped)
    }
}

/// `value` without what `removals` removes (lists renumbered, as a JSON array would be).
pub fn apply_to_value(value: &PhpValue, removals: &Removals) -> PhpValue {
    match value {
        PhpValue::Array(items) => {
            let list = is_list(items);
            let mut out = Vec::with_capacity(items.len());
            for (i, (k, v)) in items.iter().enumerate() {
                let seg = if list {
                    Seg::Index(i)
                } else {
                    Seg::Key(Cow::Owned(array_key_bytes(k)))
                };
                let kept = match removals.0.get(&seg) {
                    Some(Removal::Remove) => continue,
                    Some(Removal::Within(inner)) => apply_to_value(v, inner),
                    None => v.clone(),
                };
                let key = if list {
                    ArrayKey::Int(out.len() as i64)
                } else {
                    k.clone()
                };
                out.push((key, kept));
            }
            PhpValue::Array(out)
        }
        PhpValue::Object(members) => PhpValue::Object(
            members
                .iter()
                .filter_map(
                    |(k, v)| match removals.0.get(&Seg::Key(Cow::Borrowed(k.as_slice()))) {
                        Some(Removal::Remove) => None,
                        Some(Removal::Within(inner)) => Some((k.clone(), apply_to_value(v, inner))),
                        None => Some((k.clone(), v.clone())),
                    },
                )
                .collect(),
        ),
        other => other.clone(),
    }
}

fn is_list(items: &[(ArrayKey, PhpValue)]) -> bool {
    items
        .iter()
        .enumerate()
        .all(|(i, (k, _))| matches!(k, ArrayKey::Int(n) if *n == i as i64))
}

fn array_key_bytes(k: &ArrayKey) -> Vec<u8> {
    match k {
        ArrayKey::Int(i) => i.to_string().into_bytes(),
        ArrayKey::Str(s) => s.clone(),
    }
}

/// A decoded value read as a message: what the fuzz target and the schema tests walk.
impl<'a> Doc<'a> for &'a PhpValue {
    fn kind(self) -> Kind<'a> {
        match self {
            PhpValue::Null => Kind::Null,
            PhpValue::Bool(b) => Kind::Bool(*b),
            PhpValue::Int(i) => Kind::Int(*i),
            PhpValue::Float(f) => Kind::Float(*f),
            PhpValue::String(s) => Kind::Str(s),
            PhpValue::Array(items) if items.is_empty() => Kind::Empty,
            PhpValue::Array(items) if is_list(items) => Kind::List,
            PhpValue::Array(_) | PhpValue::Object(_) => Kind::Map,
        }
    }

    fn for_each_item(self, f: &mut dyn FnMut(usize, Self)) {
        if let PhpValue::Array(items) = self {
            if is_list(items) {
                for (i, (_, v)) in items.iter().enumerate() {
                    f(i, v);
                }
            }
        }
    }

    fn for_each_member(self, f: &mut dyn FnMut(Cow<'a, [u8]>, Self)) {
        match self {
            PhpValue::Object(members) => {
                for (k, v) in members {
                    f(Cow::Borrowed(k.as_slice()), v);
                }
            }
            PhpValue::Array(items) if !is_list(items) => {
                for (k, v) in items {
                    let key = match k {
                        ArrayKey::Int(i) => Cow::Owned(i.to_string().into_bytes()),
                        ArrayKey::Str(s) => Cow::Borrowed(s.as_slice()),
                    };
                    f(key, v);
                }
            }
            _ => {}
        }
    }

    fn has_member(self, key: &[u8]) -> bool {
        match self {
            PhpValue::Object(members) => members.iter().any(|(k, _)| k == key),
            PhpValue::Array(items) => {
                let int = crate::json::php_integer_key(key);
                items.iter().any(|(k, _)| match (k, int) {
                    (ArrayKey::Int(i), Some(j)) => *i == j,
                    (ArrayKey::Str(s), None) => s == key,
                    _ => false,
                })
            }
            _ => false,
        }
    }
}
