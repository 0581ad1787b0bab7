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

enum Node {
    Text(String),
    /// A kept child element: its name (lower case) and value.
    Element(String, Value),
    /// A kept child element with a namespace prefix: it counts, but is not shown.
    Hidden,
    /// A comment (`comment`) or processing instruction (its target).
    Other(String),
}

struct Frame {
    attributes: Vec<(String, String)>,
    nodes: Vec<Node>,
    /// The last node is text that the next text continues.
    text_open: bool,
    hidden: bool,
    name: String,
}

impl Frame {
    fn kept(&self) -> bool {
        self.nodes.iter().any(|n| match n {
            Node::Element(..) | Node::Hidden => true,
            Node::Text(t) => !is_blank(t),
            Node::Other(_) => false,
        })
    }
}

fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

#[derive(Default)]
pub struct TreeBuilder {
    stack: Vec<Frame>,
    /// The root has a child node of any kind (GLPI takes a root without child nodes and
    /// without attributes, a false SimpleXML element, as no document).
    root_has_nodes: bool,
    pub root: Option<Value>,
}

/// One entry of a map being built: SimpleXML makes a list of a name's second value.
enum Entry {
    One(Value),
    Many(Vec<Value>),
}

impl Entry {
    fn into_value(self) -> Value {
        match self {
            Entry::One(v) => v,
            Entry::Many(vs) => Value::Arr(Array::list(vs)),
        }
    }
}

fn refused<T>(_: T) -> ProtocolError {
    ProtocolError::MalformedXml
}

impl TreeBuilder {
    /// The element's value, and whether it is kept.
    fn finish(frame: Frame, root: bool) -> Value {
        if !root {
            if let Some(Node::Text(first)) = frame.nodes.first() {
                if !is_blank(first) {
                    let mut texts = frame.nodes.into_iter().filter_map(|n| match n {
                        Node::Text(t) => Some(t),
                        _ => None,
                    });
                    let mut s = texts.next().unwrap_or_default();
                    for t in texts {
                        s.push_str(&t);
                    }
                    return Value::Str(s);
                }
            }
        }
        let sole = frame.nodes.len() == 1;
        let mut entries: Vec<(Key, Entry)> = Vec::with_capacity(frame.nodes.len());
        // Names are looked up linearly while few, through an index past that.
        let mut index: Option<HashMap<String, usize>> = None;
        if !frame.attributes.is_empty() {
            let mut attrs = Array::with_capacity(frame.attributes.len());
            for (k, v) in frame.attributes {
                attrs.push_new(Key::Str(k), Value::Str(v));
            }
            entries.push((
                Key::Str("@attributes".into()),
                Entry::One(Value::Arr(attrs.lowercase_keys())),
            ));
        }
        for node in frame.nodes {
            let (name, value) = match node {
                Node::Element(name, value) => (name, value),
                Node::Other(name) => (name, Value::Arr(Array::new())),
                Node::Text(t) if sole && !is_blank(&t) => {
                    entries.push((Key::Int(0), Entry::One(Value::Str(t))));
                    continue;
                }
                Node::Text(_) | Node::Hidden => continue,
            };
            if index.is_none() && entries.len() >= 16 {
                index = Some(
                    entries
                        .iter()
                        .enumerate()
                        .filter_map(|(i, (k, _))| k.as_str().map(|s| (s.to_owned(), i)))
                        .collect(),
                );
            }
            let found = match &index {
                Some(ix) => ix.get(&name).copied(),
                None => entries
                    .iter()
                    .position(|(k, _)| k.as_str() == Some(name.as_str())),
            };
            match found {
                Some(i) => match &mut entries[i].1 {
                    Entry::Many(vs) => vs.push(value),
                    entry => {
                        let Entry::One(first) = std::mem::replace(entry, Entry::Many(Vec::new()))
                        else {
                            unreachable!("matched above")
                        };
                        *entry = Entry::Many(vec![first, value]);
                    }
                },
                None => {
                    if let Some(ix) = index.as_mut() {
                        ix.insert(name.clone(), entries.len());
                    }
                    entries.push((Key::Str(name), Entry::One(value)));
                }
            }
        }
        let mut arr = Array::with_capacity(entries.len());
        for (k, e) in entries {
            arr.push_new(k, e.into_value());
        }
        Value::Arr(arr.lowercase_keys())
    }
}

impl Visitor for TreeBuilder {
    fn open(&mut self, tag: &BytesStart<'_>, depth: usize) -> Result<(), ProtocolError> {
        if depth > LIBXML_MAX_DEPTH {
            return Err(ProtocolError::MalformedXml);
        }
        let hidden = tag.name().prefix().is_some();
        let mut attributes = Vec::new();
        for a in tag.attributes() {
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
        if let Some(parent) = self.stack.last_mut() {
            parent.text_open = false;
        }
        self.root_has_nodes |= self.stack.len() == 1;
        self.stack.push(Frame {
            attributes,
            nodes: Vec::new(),
            text_open: false,
            hidden,
            name: std::str::from_utf8(tag.name().as_ref())
                .map_err(refused)?
                .to_owned(),
        });
        Ok(())
    }

    fn text(&mut self, text: &str, _: usize) -> Result<(), ProtocolError> {
        self.root_has_nodes |= self.stack.len() == 1;
        let Some(frame) = self.stack.last_mut() else {
            return Ok(());
        };
        if frame.text_open {
            if let Some(Node::Text(t)) = frame.nodes.last_mut() {
                t.push_str(text);
                if t.len() > LIBXML_MAX_TEXT {
                    return Err(ProtocolError::MalformedXml);
                }
                return Ok(());
            }
        }
        frame.nodes.push(Node::Text(text.to_owned()));
        frame.text_open = true;
        Ok(())
    }

    fn other(&mut self, pi_target: Option<&str>, _: usize) -> Result<(), ProtocolError> {
        let name = match pi_target {
            Some(t) => t.to_owned(),
            None => "comment".to_owned(),
        };
        self.root_has_nodes |= self.stack.len() == 1;
        if let Some(frame) = self.stack.last_mut() {
            frame.nodes.push(Node::Other(name));
            frame.text_open = false;
        }
        Ok(())
    }

    fn close(&mut self, _: usize) -> Result<(), ProtocolError> {
        let Some(mut frame) = self.stack.pop() else {
            return Err(ProtocolError::MalformedXml);
        };
        let is_root = self.stack.is_empty();
        if is_root {
            if !self.root_has_nodes && frame.attributes.is_empty() {
                return Err(ProtocolError::MalformedXml);
            }
            let value = Self::finish(frame, true);
            if value.depth() > JSON_MAX_DEPTH {
                return Err(ProtocolError::MalformedXml);
            }
            self.root = Some(value);
            return Ok(());
        }
        let kept = frame.kept();
        let hidden = frame.hidden;
        let name = std::mem::take(&mut frame.name);
        let node = if !kept {
            None
        } else if hidden {
            Some(Node::Hidden)
        } else {
            Some(Node::Element(name, Self::finish(frame, false)))
        };
        let parent = self.stack.last_mut().ok_or(ProtocolError::MalformedXml)?;
        parent.text_open = false;
        if let Some(node) = node {
            parent.nodes.push(node);
        }
        Ok(())
    }
}
