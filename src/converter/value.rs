//! The values a converted inventory is made of: PHP's own model (ordered arrays whose keys
//! are integers or strings), because the conversion's rules are defined on PHP arrays and
//! their edge cases (a list that stops being one, a key that lands at the end) are part of
//! the result.

use std::collections::HashMap;
use std::rc::Rc;

/// A PHP value, as GLPI's converter handles it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// PHP `null`.
    #[default]
    Null,
    /// PHP `bool`.
    Bool(bool),
    /// PHP `int`.
    Int(i64),
    /// PHP `float`, such as the sizes GLPI converts to megabytes.
    Float(f64),
    /// PHP `string`: element text and attribute values, always UTF-8.
    Str(String),
    /// PHP `array`: an element's children and `@attributes`, or a list of repeated elements.
    Arr(Array),
}

/// A key of a PHP array.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// An integer key: a position in a list of repeated elements, or 0 for the text of an
    /// element that also has attributes (SimpleXML's `[0]`).
    Int(i64),
    /// Shared: the keys of a document are a few names repeated many times.
    Str(Rc<str>),
}

impl Key {
    /// The string of a string key; `None` for an integer key.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Key::Str(s) => Some(s),
            Key::Int(_) => None,
        }
    }
}

/// An ordered PHP array. Lookups are linear: the arrays of an inventory have few string
/// keys, and the few places where a peer could make one huge index it first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Array {
    entries: Vec<(Key, Value)>,
}

impl Array {
    /// `[]`.
    pub fn new() -> Self {
        Array::default()
    }

    /// `[]` with room for `n` entries.
    pub fn with_capacity(n: usize) -> Self {
        Array {
            entries: Vec::with_capacity(n),
        }
    }

    /// A list (keys 0..n-1) of `items`.
    pub fn list(items: Vec<Value>) -> Self {
        Array {
            entries: items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Key::Int(i as i64), v))
                .collect(),
        }
    }

    /// `count()`.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `$a === []`.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// `array_is_list()`.
    pub fn is_list(&self) -> bool {
        self.entries
            .iter()
            .enumerate()
            .all(|(i, (k, _))| *k == Key::Int(i as i64))
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = &(Key, Value)> {
        self.entries.iter()
    }

    /// The entries in order, values writable; keys stay as they are, and so does the order.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&Key, &mut Value)> {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    /// The values in order, writable.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// `array_values()`, without copying.
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The values in order, consuming the array.
    pub fn into_values(self) -> impl Iterator<Item = Value> {
        self.entries.into_iter().map(|(_, v)| v)
    }

    /// The entries in order, consuming the array.
    pub fn into_entries(self) -> Vec<(Key, Value)> {
        self.entries
    }

    /// `array_keys()`.
    pub fn keys(&self) -> Vec<Key> {
        self.entries.iter().map(|(k, _)| k.clone()).collect()
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|(k, _)| matches!(k, Key::Str(s) if **s == *key))
    }

    /// `$a[$key]` for a string key; `None` when absent (a present `null` is `Some`).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    /// `$a[$key]` for a string key, writable; `None` when absent.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.position(key).map(|i| &mut self.entries[i].1)
    }

    /// `$a[$key]` for a key of either kind, writable; `None` when absent.
    pub fn get_key_mut(&mut self, key: &Key) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// `$a[$key]` for a key of either kind; `None` when absent.
    pub fn get_key(&self, key: &Key) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// `$a[$key] = $value`: in place when the key exists, else at the end.
    pub fn set(&mut self, key: &str, value: Value) {
        match self.position(key) {
            Some(i) => self.entries[i].1 = value,
            None => self.entries.push((Key::Str(Rc::from(key)), value)),
        }
    }

    /// `$a[$key]` for writing: the existing slot, or a new null one at the end.
    pub fn slot(&mut self, key: &str) -> &mut Value {
        let i = match self.position(key) {
            Some(i) => i,
            None => {
                self.entries.push((Key::Str(Rc::from(key)), Value::Null));
                self.entries.len() - 1
            }
        };
        &mut self.entries[i].1
    }

    /// The value of the `i`-th entry.
    pub fn value_at_mut(&mut self, i: usize) -> &mut Value {
        &mut self.entries[i].1
    }

    /// Appends a key known to be absent.
    pub fn push_new(&mut self, key: Key, value: Value) {
        self.entries.push((key, value));
    }

    /// `unset($a[$key])`, returning the value it held; the other entries keep their order.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.position(key).map(|i| self.entries.remove(i).1)
    }

    /// `array_change_key_case()`: ASCII lower-case string keys; when two keys meet, the
    /// later value replaces the earlier one at the earlier one's place.
    pub fn lowercase_keys(mut self) -> Array {
        // Usually no two keys meet: lower-case in place, and rebuild only when they do.
        fn lower(k: &mut Key) {
            if let Key::Str(s) = k {
                if s.bytes().any(|b| b.is_ascii_uppercase()) {
                    *s = Rc::from(s.to_ascii_lowercase());
                }
            }
        }
        let small = self.entries.len() <= 16;
        if small {
            for (k, _) in self.entries.iter_mut() {
                lower(k);
            }
            let distinct = self
                .entries
                .iter()
                .enumerate()
                .all(|(i, (k, _))| self.entries[..i].iter().all(|(e, _)| e != k));
            if distinct {
                return self;
            }
        }
        let mut out = Array::with_capacity(self.entries.len());
        let mut index: Option<HashMap<Rc<str>, usize>> = None;
        for (mut k, v) in self.entries {
            lower(&mut k);
            if out.entries.len() == 16 && index.is_none() {
                index = Some(
                    out.entries
                        .iter()
                        .enumerate()
                        .filter_map(|(i, (k, _))| match k {
                            Key::Str(s) => Some((Rc::clone(s), i)),
                            Key::Int(_) => None,
                        })
                        .collect(),
                );
            }
            let found = match (&k, &index) {
                (Key::Str(s), Some(ix)) => ix.get(s).copied(),
                (Key::Str(s), None) => out.position(s),
                (Key::Int(_), _) => out.entries.iter().position(|(e, _)| *e == k),
            };
            match found {
                Some(i) => out.entries[i].1 = v,
                None => {
                    if let (Key::Str(s), Some(ix)) = (&k, index.as_mut()) {
                        ix.insert(Rc::clone(s), out.entries.len());
                    }
                    out.entries.push((k, v));
                }
            }
        }
        out
    }
}

impl Value {
    /// The array, or `None` for a scalar or null.
    pub fn arr(&self) -> Option<&Array> {
        match self {
            Value::Arr(a) => Some(a),
            _ => None,
        }
    }

    /// The array, writable, or `None` for a scalar or null.
    pub fn arr_mut(&mut self) -> Option<&mut Array> {
        match self {
            Value::Arr(a) => Some(a),
            _ => None,
        }
    }

    /// `isset($v[$key])`.
    pub fn has(&self, key: &str) -> bool {
        self.arr()
            .and_then(|a| a.get(key))
            .is_some_and(|v| !matches!(v, Value::Null))
    }

    /// `$v[$key] ?? null`.
    pub fn at(&self, key: &str) -> Option<&Value> {
        self.arr()
            .and_then(|a| a.get(key))
            .filter(|v| !matches!(v, Value::Null))
    }

    /// The nesting of arrays, counted as `json_encode` counts its depth.
    pub fn depth(&self) -> usize {
        match self {
            Value::Arr(a) => 1 + a.values().map(Value::depth).max().unwrap_or(0),
            _ => 0,
        }
    }
}
