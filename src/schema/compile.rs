//! An `inventory.schema.json` (or any draft-07 schema using the same keywords) compiled
//! into a flat table of checks, with GLPI's `Schema::setExtra*` applied first.
//!
//! Keywords that swaggest/json-schema validates and this compiler supports: `type`, `enum`,
//! `const`, `not`, `minLength`, `maxLength`, `pattern`, `format` (`ipv4`, `ipv6`),
//! `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `oneOf`, `anyOf`,
//! `allOf`, `required`, `properties`, `additionalProperties`, `items` (one schema),
//! `minItems`, `maxItems`, local `$ref` (which replaces its siblings, as swaggest imports
//! it). Annotations and unknown members are ignored, as swaggest ignores them. A keyword
//! that swaggest would check and this compiler does not know is refused, so that a newer
//! schema never validates silently differently.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::pattern::Pattern;
use crate::json::value::{ArrayKey, PhpValue};

pub type NodeId = usize;

/// A word-at-a-time multiplicative hash (the scheme of rustc's FxHasher): property names
/// are short and trusted (they come from the schema; a message's keys are only looked up),
/// and a SipHash per member of a 20 MB inventory costs more than the rest of the check.
#[derive(Default)]
pub struct WordHasher(u64);

impl WordHasher {
    const SEED: u64 = 0x517c_c1b7_2722_0a95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

/// Property name => (its schema, whether the object requires it).
pub type PropMap = HashMap<Vec<u8>, (NodeId, bool), BuildHasherDefault<WordHasher>>;

pub const T_NULL: u8 = 1;
pub const T_BOOLEAN: u8 = 2;
pub const T_INTEGER: u8 = 4;
pub const T_NUMBER: u8 = 8;
pub const T_STRING: u8 = 16;
pub const T_ARRAY: u8 = 32;
pub const T_OBJECT: u8 = 64;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ipv4,
    Ipv6,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Additional {
    Any,
    Deny,
    Schema(NodeId),
}

#[derive(Debug, Clone)]
pub struct Node {
    /// `T_*` bits in the order the schema lists them (swaggest coerces a string to the
    /// first that accepts it); empty when the schema has no `type`.
    pub types: Vec<u8>,
    pub type_names: String,
    pub enumeration: Option<Vec<PhpValue>>,
    pub constant: Option<PhpValue>,
    pub not: Option<NodeId>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<Pattern>,
    pub format: Option<Format>,
    pub minimum: Option<Number>,
    pub maximum: Option<Number>,
    pub exclusive_minimum: Option<Number>,
    pub exclusive_maximum: Option<Number>,
    /// Draft-04 booleans: `minimum` / `maximum` themselves are exclusive.
    pub minimum_exclusive: bool,
    pub maximum_exclusive: bool,
    pub one_of: Vec<NodeId>,
    pub any_of: Vec<NodeId>,
    pub all_of: Vec<NodeId>,
    pub required: Vec<Vec<u8>>,
    pub properties: PropMap,
    pub additional: Additional,
    pub items: Option<NodeId>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    /// The `false` schema.
    pub deny_all: bool,
    /// Nothing but `type` to check on a scalar: most of the schema's leaves, which the walk
    /// then settles after the type check.
    pub type_only: bool,
}

impl Node {
    fn empty() -> Node {
        Node {
            types: Vec::new(),
            type_names: String::new(),
            enumeration: None,
            constant: None,
            not: None,
            min_length: None,
            max_length: None,
            pattern: None,
            format: None,
            minimum: None,
            maximum: None,
            exclusive_minimum: None,
            exclusive_maximum: None,
            minimum_exclusive: false,
            maximum_exclusive: false,
            one_of: Vec::new(),
            any_of: Vec::new(),
            all_of: Vec::new(),
            required: Vec::new(),
            properties: PropMap::default(),
            additional: Additional::Any,
            items: None,
            min_items: None,
            max_items: None,
            deny_all: false,
            type_only: false,
        }
    }
}

/// Property name => its schema, as `setExtraProperties` takes them.
pub type NamedSchemas = Vec<(Vec<u8>, PhpValue)>;

/// What `Glpi\Inventory\Schema::setExtraItemtypes` / `setExtraProperties` /
/// `setExtraSubProperties` take, as JSON values (objects for PHP's associative arrays).
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// Names added to the `itemtype` pattern's alternatives (already-known ones are skipped).
    pub itemtypes: Vec<Vec<u8>>,
    /// `[(property, schema)]` added to `content` when it has no such property.
    pub properties: NamedSchemas,
    /// `[(content property, [(sub-property, schema)])]`.
    pub sub_properties: Vec<(Vec<u8>, NamedSchemas)>,
}

/// A compiled schema.
#[derive(Debug, Clone)]
pub struct Schema {
    pub(crate) nodes: Vec<Node>,
    pub(crate) root: NodeId,
}

fn member<'v>(v: &'v PhpValue, key: &str) -> Option<&'v PhpValue> {
    match v {
        PhpValue::Object(m) => m.iter().find(|(k, _)| k == key.as_bytes()).map(|(_, v)| v),
        PhpValue::Array(m) => m
            .iter()
            .find(|(k, _)| matches!(k, ArrayKey::Str(s) if s == key.as_bytes()))
            .map(|(_, v)| v),
        _ => None,
    }
}

fn member_mut<'v>(v: &'v mut PhpValue, key: &str) -> Option<&'v mut PhpValue> {
    match v {
        PhpValue::Object(m) => m
            .iter_mut()
            .find(|(k, _)| k == key.as_bytes())
            .map(|(_, v)| v),
        _ => None,
    }
}

fn has_member(v: &PhpValue, key: &[u8]) -> bool {
    matches!(v, PhpValue::Object(m) if m.iter().any(|(k, _)| k == key))
}

fn insert_member(v: &mut PhpValue, key: &[u8], value: PhpValue) {
    if let PhpValue::Object(m) = v {
        m.push((key.to_vec(), value));
    }
}

/// PHP's `addslashes`.
fn addslashes(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for &b in s {
        match b {
            b'\'' | b'"' | b'\\' => {
                out.push(b'\\');
                out.push(b);
            }
            0 => out.extend_from_slice(b"\\0"),
            _ => out.push(b),
        }
    }
    out
}

/// `Schema::build()`'s rewriting of the schema document, step for step.
pub fn apply_extras(doc: &mut PhpValue, extras: &Extras) {
    if !extras.itemtypes.is_empty() {
        let pattern = member_mut(doc, "properties")
            .and_then(|p| member_mut(p, "itemtype"))
            .and_then(|i| member_mut(i, "pattern"));
        if let Some(PhpValue::String(pattern)) = pattern {
            // preg_match('/\^\((.+)\)\$/'): the first "^(" up to the last ")$", on one line.
            let start = pattern.windows(2).position(|w| w == b"^(");
            let end = pattern.windows(2).rposition(|w| w == b")$");
            if let (Some(s), Some(e)) = (start, end) {
                let inner = &pattern[s + 2..e.max(s + 2)];
                if e > s + 2 && !inner.contains(&b'\n') {
                    let mut known: Vec<Vec<u8>> =
                        inner.split(|&b| b == b'|').map(<[u8]>::to_vec).collect();
                    for extra in &extras.itemtypes {
                        if !known.contains(extra) {
                            known.push(addslashes(extra));
                        }
                    }
                    let mut rebuilt = b"^(".to_vec();
                    rebuilt.extend_from_slice(&known.join(&b'|'));
                    rebuilt.extend_from_slice(b")$");
                    *pattern = rebuilt;
                }
            }
        }
    }
    let Some(content_props) = member_mut(doc, "properties")
        .and_then(|p| member_mut(p, "content"))
        .and_then(|c| member_mut(c, "properties"))
    else {
        return;
    };
    for (name, config) in &extras.properties {
        // An existing property is kept (GLPI warns and keeps it).
        if !has_member(content_props, name) {
            insert_member(content_props, name, config.clone());
        }
    }
    for (name, subs) in &extras.sub_properties {
        let Some(prop) = (match content_props {
            PhpValue::Object(m) => m.iter_mut().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }) else {
            continue;
        };
        let is_array = matches!(member(prop, "type"), Some(PhpValue::String(t)) if t == b"array");
        let is_object = matches!(member(prop, "type"), Some(PhpValue::String(t)) if t == b"object");
        let target = if is_array {
            member_mut(prop, "items").and_then(|i| member_mut(i, "properties"))
        } else if is_object {
            member_mut(prop, "properties")
        } else {
            None
        };
        if let Some(target) = target {
            for (sub, config) in subs {
                if !has_member(target, sub) {
                    insert_member(target, sub, config.clone());
                }
            }
        }
    }
}

/// Keywords swaggest checks that this compiler does not implement.
const UNSUPPORTED: &[&str] = &[
    "multipleOf",
    "uniqueItems",
    "contains",
    "additionalItems",
    "minProperties",
    "maxProperties",
    "patternProperties",
    "propertyNames",
    "dependencies",
    "if",
    "then",
    "else",
    "contentEncoding",
    "contentMediaType",
];

struct Compiler<'s> {
    root: &'s PhpValue,
    nodes: Vec<Node>,
    refs: HashMap<String, NodeId>,
    depth: u32,
}

fn number(v: &PhpValue) -> Option<Number> {
    match v {
        PhpValue::Int(i) => Some(Number::Int(*i)),
        PhpValue::Float(f) => Some(Number::Float(*f)),
        _ => None,
    }
}

fn count(v: &PhpValue, name: &str) -> Result<u64, String> {
    match v {
        PhpValue::Int(i) if *i >= 0 => Ok(*i as u64),
        _ => Err(format!("{name} must be a non-negative integer")),
    }
}

fn resolve_pointer<'s>(root: &'s PhpValue, pointer: &str) -> Option<&'s PhpValue> {
    let mut cur = root;
    if pointer.is_empty() {
        return Some(cur);
    }
    for token in pointer.strip_prefix('/')?.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        cur = match cur {
            PhpValue::Object(_) => member(cur, &token)?,
            PhpValue::Array(items) => {
                let i: usize = token.parse().ok()?;
                &items.get(i)?.1
            }
            _ => return None,
        };
    }
    Some(cur)
}

impl Compiler<'_> {
    fn compile(&mut self, v: &PhpValue) -> Result<NodeId, String> {
        self.depth += 1;
        if self.depth > 64 {
            return Err("the schema nests deeper than 64 levels".into());
        }
        let r = self.compile_inner(v);
        self.depth -= 1;
        r
    }

    fn compile_inner(&mut self, v: &PhpValue) -> Result<NodeId, String> {
        match v {
            PhpValue::Bool(true) => {
                self.nodes.push(Node::empty());
                return Ok(self.nodes.len() - 1);
            }
            PhpValue::Bool(false) => {
                let mut n = Node::empty();
                n.deny_all = true;
                self.nodes.push(n);
                return Ok(self.nodes.len() - 1);
            }
            PhpValue::Object(_) => {}
            _ => return Err("a schema must be an object or a boolean".into()),
        }
        if let Some(r) = member(v, "$ref") {
            let PhpValue::String(r) = r else {
                return Err("$ref must be a string".into());
            };
            let r = String::from_utf8_lossy(r).into_owned();
            if let Some(&id) = self.refs.get(&r) {
                return Ok(id);
            }
            let pointer = r
                .strip_prefix('#')
                .ok_or_else(|| format!("only local references are supported: {r}"))?;
            let target = resolve_pointer(self.root, pointer)
                .ok_or_else(|| format!("unresolved reference {r}"))?;
            // Reserve the id first so that a reference cycle ends at it.
            let id = self.nodes.len();
            self.nodes.push(Node::empty());
            self.refs.insert(r, id);
            let compiled = self.compile(target)?;
            self.nodes[id] = self.nodes[compiled].clone();
            return Ok(id);
        }
        for k in UNSUPPORTED {
            if member(v, k).is_some() {
                return Err(format!("schema keyword {k} is not supported"));
            }
        }
        let mut n = Node::empty();
        if let Some(t) = member(v, "type") {
            let names: Vec<&[u8]> = match t {
                PhpValue::String(s) => vec![s.as_slice()],
                PhpValue::Array(list) => list
                    .iter()
                    .map(|(_, x)| match x {
                        PhpValue::String(s) => Ok(s.as_slice()),
                        _ => Err("type entries must be strings".to_string()),
                    })
                    .collect::<Result<_, _>>()?,
                _ => return Err("type must be a string or a list".into()),
            };
            for name in &names {
                let bit = match *name {
                    b"null" => T_NULL,
                    b"boolean" => T_BOOLEAN,
                    b"integer" => T_INTEGER,
                    b"number" => T_NUMBER,
                    b"string" => T_STRING,
                    b"array" => T_ARRAY,
                    b"object" => T_OBJECT,
                    other => {
                        return Err(format!("unknown type {}", String::from_utf8_lossy(other)))
                    }
                };
                n.types.push(bit);
            }
            // swaggest's message: "Integer expected", "String, null expected".
            let joined = names
                .iter()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect::<Vec<_>>()
                .join(", ");
            let mut c = joined.chars();
            n.type_names = match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            };
        }
        if let Some(e) = member(v, "enum") {
            let PhpValue::Array(items) = e else {
                return Err("enum must be a list".into());
            };
            n.enumeration = Some(items.iter().map(|(_, x)| x.clone()).collect());
        }
        n.constant = member(v, "const").cloned();
        if let Some(not) = member(v, "not") {
            n.not = Some(self.compile(not)?);
        }
        if let Some(x) = member(v, "minLength") {
            n.min_length = Some(count(x, "minLength")?);
        }
        if let Some(x) = member(v, "maxLength") {
            n.max_length = Some(count(x, "maxLength")?);
        }
        if let Some(p) = member(v, "pattern") {
            let PhpValue::String(p) = p else {
                return Err("pattern must be a string".into());
            };
            let p = std::str::from_utf8(p).map_err(|_| "pattern must be UTF-8".to_string())?;
            n.pattern = Some(Pattern::compile(p)?);
        }
        if let Some(f) = member(v, "format") {
            n.format = match f {
                PhpValue::String(s) if s == b"ipv4" => Some(Format::Ipv4),
                PhpValue::String(s) if s == b"ipv6" => Some(Format::Ipv6),
                PhpValue::String(s) => {
                    return Err(format!(
                        "format {} is not supported",
                        String::from_utf8_lossy(s)
                    ))
                }
                _ => return Err("format must be a string".into()),
            };
        }
        for (name, slot, flag) in [
            ("minimum", &mut n.minimum, &mut n.minimum_exclusive),
            ("maximum", &mut n.maximum, &mut n.maximum_exclusive),
        ] {
            if let Some(x) = member(v, name) {
                *slot = Some(number(x).ok_or_else(|| format!("{name} must be a number"))?);
            }
            let ex = format!("exclusive{}{}", name[..1].to_uppercase(), &name[1..]);
            match member(v, &ex) {
                Some(PhpValue::Bool(b)) => *flag = *b,
                Some(x) => {
                    let num = number(x).ok_or_else(|| format!("{ex} must be a number"))?;
                    if name == "minimum" {
                        n.exclusive_minimum = Some(num);
                    } else {
                        n.exclusive_maximum = Some(num);
                    }
                }
                None => {}
            }
        }
        for (name, list) in [("oneOf", 0), ("anyOf", 1), ("allOf", 2)] {
            if let Some(x) = member(v, name) {
                let PhpValue::Array(items) = x else {
                    return Err(format!("{name} must be a list"));
                };
                let mut ids = Vec::with_capacity(items.len());
                for (_, s) in items {
                    ids.push(self.compile(s)?);
                }
                match list {
                    0 => n.one_of = ids,
                    1 => n.any_of = ids,
                    _ => n.all_of = ids,
                }
            }
        }
        if let Some(r) = member(v, "required") {
            let PhpValue::Array(items) = r else {
                return Err("required must be a list".into());
            };
            for (_, k) in items {
                let PhpValue::String(k) = k else {
                    return Err("required entries must be strings".into());
                };
                n.required.push(k.clone());
            }
        }
        if let Some(p) = member(v, "properties") {
            let PhpValue::Object(props) = p else {
                return Err("properties must be an object".into());
            };
            for (k, s) in props {
                let id = self.compile(s)?;
                n.properties.insert(k.clone(), (id, false));
            }
        }
        for key in &n.required {
            if let Some(entry) = n.properties.get_mut(key) {
                entry.1 = true;
            }
        }
        match member(v, "additionalProperties") {
            None | Some(PhpValue::Bool(true)) => {}
            Some(PhpValue::Bool(false)) => n.additional = Additional::Deny,
            Some(s) => n.additional = Additional::Schema(self.compile(s)?),
        }
        match member(v, "items") {
            None => {}
            Some(PhpValue::Array(_)) => return Err("tuple items are not supported".into()),
            Some(s) => n.items = Some(self.compile(s)?),
        }
        if let Some(x) = member(v, "minItems") {
            n.min_items = Some(count(x, "minItems")?);
        }
        if let Some(x) = member(v, "maxItems") {
            n.max_items = Some(count(x, "maxItems")?);
        }
        n.type_only = n.enumeration.is_none()
            && n.constant.is_none()
            && n.not.is_none()
            && n.min_length.is_none()
            && n.max_length.is_none()
            && n.pattern.is_none()
            && n.format.is_none()
            && n.minimum.is_none()
            && n.maximum.is_none()
            && n.exclusive_minimum.is_none()
            && n.exclusive_maximum.is_none()
            && n.one_of.is_empty()
            && n.any_of.is_empty()
            && n.all_of.is_empty();
        self.nodes.push(n);
        Ok(self.nodes.len() - 1)
    }
}

impl Schema {
    /// Compiles a schema document (as `json_decode` gives it), extras applied first.
    pub fn compile(doc: &PhpValue, extras: &Extras) -> Result<Schema, String> {
        let mut doc = doc.clone();
        apply_extras(&mut doc, extras);
        let mut c = Compiler {
            root: &doc,
            nodes: Vec::new(),
            refs: HashMap::new(),
            depth: 0,
        };
        let root = c.compile(&doc)?;
        Ok(Schema {
            nodes: c.nodes,
            root,
        })
    }

    /// Compiles the text of a schema file.
    pub fn from_json(text: &[u8], extras: &Extras) -> Result<Schema, String> {
        let opts = crate::json::ParseOptions::default();
        let doc = crate::json::value::decode(text, &opts)
            .map_err(|e| format!("the schema is not JSON: {e}"))?;
        Schema::compile(&doc, extras)
    }

    /// The inventory_format 1.2.3 schema bundled with the extension.
    pub fn bundled_text() -> &'static [u8] {
        include_bytes!("../../schema/inventory.schema.json")
    }

    pub(crate) fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }
}
