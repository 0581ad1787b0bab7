//! The decoded tree of an XML document as GLPI first sees it: what `json_decode` gives of
//! `json_encode` of the SimpleXML document once every element without element children
//! and without non-blank text has been removed (repeatedly, so that an element left
//! empty by the removal goes too). Built as the document is read, element by element.
//!
//! SimpleXML's rules, as measured on PHP 8.2 with libxml2 2.9.14:
//! - an element whose first remaining child node is non-blank text is a string: all of
//!   its own text nodes joined, its child elements ignored;
//! - any other element is a map: its attributes under `@attributes` (those without a
//!   namespace prefix), then one entry per child name in order of first appearance (a name
//!   seen twice becomes a list), comments as `comment` and processing instructions as
//!   their target, each an empty map; elements with a namespace prefix are not shown;
//! - text is shown in a map only when it is the element's sole child node (the root's
//!   case), under the key 0.
//!
//! Keys are then lower-cased as the conversion's first step does, keeping the place of
//! the first of two names that differ only in case.

use quick_xml::events::BytesStart;
use quick_xml::XmlVersion;
use std::collections::HashMap;
use std::rc::Rc;

use super::value::{Array, Key, Value};
use crate::error::ProtocolError;
use crate::xml::Visitor;

/// The deepest element GLPI's `simplexml_load_string` accepts (libxml2's default limit,
/// without `XML_PARSE_HUGE`), the root being at depth 1: measured, 257 passes, 258 fails.
pub const LIBXML_MAX_DEPTH: usize = 257;

/// libxml2's default longest text node (`XML_MAX_TEXT_LENGTH`).
pub const LIBXML_MAX_TEXT: usize = 10_000_000;

/// `json_encode`'s and `json_decode`'s default depth.
pub const JSON_MAX_DEPTH: usize = 512;

/// No slot yet for a name in the map being finished.
const NONE: u32 = u32::MAX;

/// The element names of one document, each stored once: a document repeats a few dozen
/// names thousands of times, so names are compared as numbers and every key of the tree
/// shares its name's one lower-case string.
struct Names {
    ids: HashMap<Rc<[u8]>, u32>,
    /// Per name: its bytes.
    bytes: Vec<Rc<[u8]>>,
    /// Per name: the name of the element that followed it last time among its siblings,
    /// and the name of its own first child last time (else [`NONE`]). Documents repeat
    /// the same shapes, so this predicts most names without hashing them.
    next: Vec<u32>,
    first: Vec<u32>,
    /// Per name: the id of its lower-case form.
    lower: Vec<u32>,
    /// Per lower-case form: the key.
    keys: Vec<Rc<str>>,
    lower_ids: HashMap<Rc<str>, u32>,
    /// Where a name is lower-cased.
    scratch: String,
}

impl Default for Names {
    /// Room for the names of a usual inventory, so that their tables do not grow.
    fn default() -> Self {
        const NAMES: usize = 128;
        Names {
            ids: HashMap::with_capacity(NAMES),
            bytes: Vec::with_capacity(NAMES),
            next: Vec::with_capacity(NAMES),
            first: Vec::with_capacity(NAMES),
            lower: Vec::with_capacity(NAMES),
            keys: Vec::with_capacity(NAMES),
            lower_ids: HashMap::with_capacity(NAMES),
            scratch: String::new(),
        }
    }
}

impl Names {
    fn id(&mut self, name: &[u8]) -> Result<u32, ProtocolError> {
        if let Some(&id) = self.ids.get(name) {
            return Ok(id);
        }
        let text = std::str::from_utf8(name).map_err(refused)?;
        self.scratch.clear();
        self.scratch.push_str(text);
        self.scratch.make_ascii_lowercase();
        let lower_id = match self.lower_ids.get(self.scratch.as_str()) {
            Some(&lower_id) => lower_id,
            None => {
                let lower: Rc<str> = Rc::from(self.scratch.as_str());
                let lower_id = self.keys.len() as u32;
                self.lower_ids.insert(Rc::clone(&lower), lower_id);
                self.keys.push(lower);
                lower_id
            }
        };
        let id = self.lower.len() as u32;
        self.lower.push(lower_id);
        let bytes: Rc<[u8]> = Rc::from(name);
        self.ids.insert(Rc::clone(&bytes), id);
        self.bytes.push(bytes);
        self.next.push(NONE);
        self.first.push(NONE);
        Ok(id)
    }

    /// The id of the name of an element opened after `previous` (the parent's previous
    /// child, else [`NONE`]) in a `parent` element.
    fn child(&mut self, name: &[u8], parent: u32, previous: u32) -> Result<u32, ProtocolError> {
        let hint = match previous {
            NONE => &mut self.first[parent as usize],
            p => &mut self.next[p as usize],
        };
        let predicted = *hint;
        if predicted != NONE && *self.bytes[predicted as usize] == *name {
            return Ok(predicted);
        }
        let id = self.id(name)?;
        match previous {
            NONE => self.first[parent as usize] = id,
            p => self.next[p as usize] = id,
        }
        Ok(id)
    }
}

/// A child node of an element being read. Texts are ranges of [`TreeBuilder::texts`].
enum Node {
    Text(usize, usize),
    /// A kept child element: its name and value.
    Element(u32, Value),
    /// A kept child element with a namespace prefix: it counts, but is not shown.
    Hidden,
    /// A comment (`comment`) or processing instruction (its target), by name.
    Other(u32),
}

struct Frame {
    attributes: Vec<(String, String)>,
    /// Where this element's nodes start in [`TreeBuilder::nodes`].
    nodes: usize,
    /// Where this element's texts start in [`TreeBuilder::texts`].
    texts: usize,
    /// The last node is text that the next text continues.
    text_open: bool,
    hidden: bool,
    name: u32,
    /// The name of the last child element opened, else [`NONE`].
    last_child: u32,
}

fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// The tree is built on stacks shared by all open elements (their nodes and texts), so
/// that reading an element allocates nothing but its value.
#[derive(Default)]
pub struct TreeBuilder {
    stack: Vec<Frame>,
    nodes: Vec<Node>,
    texts: String,
    names: Names,
    /// While a map is finished: per name, and per lower-case form, its slot (else
    /// [`NONE`]); reset after each map.
    slot_of: Vec<u32>,
    lower_slot_of: Vec<u32>,
    slots: Vec<(u32, Entry)>,
    deepest: usize,
    /// The root has a child node of any kind (GLPI takes a root without child nodes and
    /// without attributes, a false SimpleXML element, as no document).
    root_has_nodes: bool,
    pub root: Option<Value>,
}

/// One entry of a map being built: SimpleXML makes a list of a name's second value.
enum Entry {
    One(Value),
    Many(Array),
}

impl Entry {
    fn into_value(self) -> Value {
        match self {
            Entry::One(v) => v,
            Entry::Many(list) => Value::Arr(list),
        }
    }

    fn push(&mut self, value: Value) {
        match self {
            Entry::Many(list) => list.push_new(Key::Int(list.len() as i64), value),
            Entry::One(_) => {
                let Entry::One(first) = std::mem::replace(self, Entry::Many(Array::new())) else {
                    unreachable!("matched above")
                };
                *self = Entry::Many(Array::list(vec![first, value]));
            }
        }
    }
}

fn refused<T>(_: T) -> ProtocolError {
    ProtocolError::MalformedXml
}

impl TreeBuilder {
    fn kept(&self, frame: &Frame) -> bool {
        self.nodes[frame.nodes..].iter().any(|n| match n {
            Node::Element(..) | Node::Hidden => true,
            Node::Text(a, b) => !is_blank(&self.texts[*a..*b]),
            Node::Other(_) => false,
        })
    }

    /// The element's value; its nodes and texts leave the stacks.
    fn finish(&mut self, frame: Frame, root: bool) -> Value {
        let value = self.value_of(&frame, root);
        self.nodes.truncate(frame.nodes);
        self.texts.truncate(frame.texts);
        value
    }

    fn value_of(&mut self, frame: &Frame, root: bool) -> Value {
        let nodes = &self.nodes[frame.nodes..];
        if !root {
            if let Some(Node::Text(a, b)) = nodes.first() {
                if !is_blank(&self.texts[*a..*b]) {
                    let ranges = || {
                        nodes.iter().filter_map(|n| match n {
                            Node::Text(a, b) => Some(*a..*b),
                            _ => None,
                        })
                    };
                    let mut s = String::with_capacity(ranges().map(|r| r.len()).sum());
                    for r in ranges() {
                        s.push_str(&self.texts[r]);
                    }
                    return Value::Str(s);
                }
            }
        }
        let sole = nodes.len() == 1;
        let names = self.names.lower.len();
        if self.slot_of.len() < names {
            self.slot_of.resize(names, NONE);
        }
        if self.lower_slot_of.len() < self.names.keys.len() {
            self.lower_slot_of.resize(self.names.keys.len(), NONE);
        }
        // The children grouped by name, in order of first appearance (in a vector kept
        // from one map to the next).
        let mut slots = std::mem::take(&mut self.slots);
        let mut text = None;
        let mut collide = false;
        for node in self.nodes.drain(frame.nodes..) {
            let (name, value) = match node {
                Node::Element(name, value) => (name, value),
                Node::Other(name) => (name, Value::Arr(Array::new())),
                Node::Text(a, b) if sole && !is_blank(&self.texts[a..b]) => {
                    text = Some(self.texts[a..b].to_owned());
                    continue;
                }
                Node::Text(..) | Node::Hidden => continue,
            };
            let slot = &mut self.slot_of[name as usize];
            if *slot != NONE {
                slots[*slot as usize].1.push(value);
                continue;
            }
            *slot = slots.len() as u32;
            let lower = &mut self.lower_slot_of[self.names.lower[name as usize] as usize];
            if *lower == NONE {
                *lower = *slot;
            } else {
                collide = true;
            }
            slots.push((name, Entry::One(value)));
        }
        let attributes = usize::from(!frame.attributes.is_empty());
        let mut arr = Array::with_capacity(attributes + slots.len() + usize::from(text.is_some()));
        if !frame.attributes.is_empty() {
            let mut attrs = Array::with_capacity(frame.attributes.len());
            for (k, v) in &frame.attributes {
                attrs.push_new(Key::Str(Rc::from(k.as_str())), Value::Str(v.clone()));
            }
            arr.push_new(
                Key::Str(Rc::from("@attributes")),
                Value::Arr(attrs.lowercase_keys()),
            );
        }
        if let Some(t) = text {
            arr.push_new(Key::Int(0), Value::Str(t));
        }
        if !collide {
            for (name, entry) in slots.drain(..) {
                self.slot_of[name as usize] = NONE;
                let lower = self.names.lower[name as usize] as usize;
                self.lower_slot_of[lower] = NONE;
                let key = Key::Str(Rc::clone(&self.names.keys[lower]));
                arr.push_new(key, entry.into_value());
            }
            self.slots = slots;
            return Value::Arr(arr);
        }
        // Two names that differ only in case: the later one's value, at the earlier
        // one's place (`array_change_key_case()`). The lower-case slots now hold places.
        let lowers: Vec<usize> = slots
            .iter()
            .map(|(name, _)| self.names.lower[*name as usize] as usize)
            .collect();
        for &lower in &lowers {
            self.lower_slot_of[lower] = NONE;
        }
        for ((name, entry), &lower) in slots.drain(..).zip(&lowers) {
            self.slot_of[name as usize] = NONE;
            match self.lower_slot_of[lower] {
                NONE => {
                    self.lower_slot_of[lower] = arr.len() as u32;
                    let key = Key::Str(Rc::clone(&self.names.keys[lower]));
                    arr.push_new(key, entry.into_value());
                }
                place => *arr.value_at_mut(place as usize) = entry.into_value(),
            }
        }
        for &lower in &lowers {
            self.lower_slot_of[lower] = NONE;
        }
        self.slots = slots;
        Value::Arr(arr)
    }
}

impl Visitor for TreeBuilder {
    fn open(&mut self, tag: &BytesStart<'_>, depth: usize) -> Result<(), ProtocolError> {
        if depth > LIBXML_MAX_DEPTH {
            return Err(ProtocolError::MalformedXml);
        }
        self.deepest = self.deepest.max(depth);
        // A prefix is what comes before a colon.
        let hidden = tag.name().as_ref().contains(&b':');
        let mut attributes = Vec::new();
        let listed = if crate::xml::has_attributes(tag) {
            Some(tag.attributes())
        } else {
            None
        };
        for a in listed.into_iter().flatten() {
            let a = a.map_err(refused)?;
            if a.key.prefix().is_some() || a.key.as_ref().starts_with(b"xmlns") {
                continue;
            }
            let key = std::str::from_utf8(a.key.as_ref()).map_err(refused)?;
            let value = a
                .normalized_value(XmlVersion::Explicit1_0)
                .map_err(refused)?;
            attributes.push((key.to_owned(), value.into_owned()));
        }
        self.root_has_nodes |= self.stack.len() == 1;
        let name = match self.stack.last_mut() {
            Some(parent) => {
                parent.text_open = false;
                let name = self
                    .names
                    .child(tag.name().as_ref(), parent.name, parent.last_child)?;
                parent.last_child = name;
                name
            }
            None => self.names.id(tag.name().as_ref())?,
        };
        self.stack.push(Frame {
            attributes,
            nodes: self.nodes.len(),
            texts: self.texts.len(),
            text_open: false,
            hidden,
            name,
            last_child: NONE,
        });
        Ok(())
    }

    fn text(&mut self, text: &str, _: usize) -> Result<(), ProtocolError> {
        self.root_has_nodes |= self.stack.len() == 1;
        let Some(frame) = self.stack.last_mut() else {
            return Ok(());
        };
        // An open text is the last one on the stack: it grows in place.
        if frame.text_open {
            if let Some(Node::Text(a, b)) = self.nodes.last_mut() {
                self.texts.push_str(text);
                *b = self.texts.len();
                if *b - *a > LIBXML_MAX_TEXT {
                    return Err(ProtocolError::MalformedXml);
                }
                return Ok(());
            }
        }
        let a = self.texts.len();
        self.texts.push_str(text);
        self.nodes.push(Node::Text(a, self.texts.len()));
        frame.text_open = true;
        Ok(())
    }

    fn other(&mut self, pi_target: Option<&str>, _: usize) -> Result<(), ProtocolError> {
        let name = self.names.id(pi_target.unwrap_or("comment").as_bytes())?;
        self.root_has_nodes |= self.stack.len() == 1;
        if let Some(frame) = self.stack.last_mut() {
            self.nodes.push(Node::Other(name));
            frame.text_open = false;
        }
        Ok(())
    }

    fn close(&mut self, _: usize) -> Result<(), ProtocolError> {
        let Some(frame) = self.stack.pop() else {
            return Err(ProtocolError::MalformedXml);
        };
        if self.stack.is_empty() {
            if !self.root_has_nodes && frame.attributes.is_empty() {
                return Err(ProtocolError::MalformedXml);
            }
            let value = self.finish(frame, true);
            // An element adds at most two levels (its map, and the list of its name):
            // only a document nested past half the limit can reach it.
            if 2 * self.deepest > JSON_MAX_DEPTH && value.depth() > JSON_MAX_DEPTH {
                return Err(ProtocolError::MalformedXml);
            }
            self.root = Some(value);
            return Ok(());
        }
        let node = if !self.kept(&frame) {
            self.nodes.truncate(frame.nodes);
            self.texts.truncate(frame.texts);
            None
        } else if frame.hidden {
            self.nodes.truncate(frame.nodes);
            self.texts.truncate(frame.texts);
            Some(Node::Hidden)
        } else {
            let name = frame.name;
            Some(Node::Element(name, self.finish(frame, false)))
        };
        let parent = self.stack.last_mut().ok_or(ProtocolError::MalformedXml)?;
        parent.text_open = false;
        if let Some(node) = node {
            self.nodes.push(node);
        }
        Ok(())
    }
}
