//! The walk: a message checked against a compiled schema in swaggest's order, every
//! violation recorded where swaggest would stop at the first.

use super::compile::{
    Additional, Format, Node, NodeId, Number, Schema, T_ARRAY, T_BOOLEAN, T_INTEGER, T_NULL,
    T_NUMBER, T_OBJECT, T_STRING,
};
use super::filters;
use super::salvage::Salvage;
use super::{pointer, Doc, Keyword, Kind, Mode, Options, Report, Seg, Violation, MAX_LEVEL};
use crate::json::value::PhpValue;

struct Walker<'s, 'a> {
    schema: &'s Schema,
    opts: Options,
    path: Vec<Seg<'a>>,
    /// Parallel to `path`: whether the part it leads to may be removed (an array element,
    /// or a property its object does not require).
    removable: Vec<bool>,
    /// Above 0 inside `not`, `oneOf` and `anyOf` branches: only the outcome counts.
    probing: u32,
    depth_violations: Vec<Violation>,
    violations: Vec<Violation>,
    count: usize,
    salvage: Option<Salvage>,
}

/// Validates `doc` against `schema`.
pub fn validate<'a, D: Doc<'a>>(schema: &Schema, doc: D, opts: &Options) -> Report {
    let mut w = Walker {
        schema,
        opts: *opts,
        path: Vec::with_capacity(16),
        removable: Vec::with_capacity(16),
        probing: 0,
        depth_violations: Vec::new(),
        violations: Vec::new(),
        count: 0,
        salvage: (opts.mode == Mode::Lenient).then(Salvage::default),
    };
    w.check(schema.root, doc, 0);
    let mut violations = w.depth_violations;
    violations.append(&mut w.violations);
    violations.truncate(opts.max_violations);
    let (removals, dropped) = match w.salvage {
        Some(s) => s.finish(opts.max_violations),
        None => (None, Vec::new()),
    };
    Report {
        violations,
        violation_count: w.count,
        removals,
        dropped,
    }
}

/// A short JSON-ish rendering of a value for messages: never a whole object.
fn describe(kind: Kind<'_>) -> String {
    match kind {
        Kind::Null => "null".into(),
        Kind::Bool(b) => b.to_string(),
        Kind::Int(i) => i.to_string(),
        Kind::Float(f) => {
            if f.is_finite() && f == f.trunc() && f.abs() < 1e15 {
                format!("{f:.1}")
            } else {
                f.to_string()
            }
        }
        Kind::Str(s) => {
            let text = String::from_utf8_lossy(s);
            let mut short: String = text.chars().take(64).collect();
            if short.len() < text.len() {
                short.push_str("...");
            }
            format!("{short:?}")
        }
        Kind::List => "an array".into(),
        Kind::Map => "an object".into(),
        Kind::Empty => "an empty array".into(),
        Kind::Other => "a value JSON cannot hold".into(),
    }
}

/// swaggest's `Type::isValid` / `Type::readString`: whether `kind` is one of `types`, and the
/// value later checks see (a string coerced to a number or a boolean).
fn type_check<'a>(types: &[u8], kind: Kind<'a>, tolerate: bool) -> Option<Kind<'a>> {
    if let (true, Kind::Str(s)) = (tolerate, kind) {
        for &t in types {
            match t {
                T_STRING => return Some(kind),
                T_INTEGER => {
                    if let Some(i) = filters::validate_int(s) {
                        return Some(Kind::Int(i));
                    }
                }
                T_NUMBER => {
                    if let Some(f) = filters::validate_float(s) {
                        return Some(Kind::Float(f));
                    }
                }
                T_BOOLEAN => {
                    if let Some(b) = filters::validate_bool(s) {
                        return Some(Kind::Bool(b));
                    }
                }
                _ => {}
            }
        }
        return None;
    }
    let ok = types.iter().any(|&t| match t {
        T_OBJECT => matches!(kind, Kind::Map | Kind::Empty),
        T_ARRAY => matches!(kind, Kind::List | Kind::Empty),
        T_STRING => matches!(kind, Kind::Str(_)),
        T_INTEGER => match kind {
            Kind::Int(_) => true,
            // A float without fraction, or beyond PHP_INT_MAX (compared as PHP does, in float).
            Kind::Float(f) => f.ceil() == f || f.abs() > i64::MAX as f64,
            _ => false,
        },
        T_NUMBER => matches!(kind, Kind::Int(_) | Kind::Float(_)),
        T_BOOLEAN => matches!(kind, Kind::Bool(_)),
        T_NULL => matches!(kind, Kind::Null),
        _ => false,
    });
    ok.then_some(kind)
}

/// PHP's `<=>` between two numbers (an int meeting a float is compared as a float).
fn cmp_num(a: Number, b: Number) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Number::Int(x), Number::Int(y)) => Some(x.cmp(&y)),
        _ => a.as_f64().partial_cmp(&b.as_f64()),
    }
}

/// swaggest's enum / const equality: `===`, ints and floats compared by value, arrays and
/// objects member by member.
fn equals<'a, D: Doc<'a>>(kind: Kind<'a>, doc: D, want: &PhpValue) -> bool {
    match (kind, want) {
        (Kind::Null, PhpValue::Null) => true,
        (Kind::Bool(a), PhpValue::Bool(b)) => a == *b,
        (Kind::Int(a), PhpValue::Int(b)) => a == *b,
        (Kind::Int(_) | Kind::Float(_), PhpValue::Int(_) | PhpValue::Float(_)) => {
            let a = match kind {
                Kind::Int(i) => Number::Int(i),
                Kind::Float(f) => Number::Float(f),
                _ => return false,
            };
            let b = match want {
                PhpValue::Int(i) => Number::Int(*i),
                PhpValue::Float(f) => Number::Float(*f),
                _ => return false,
            };
            cmp_num(a, b) == Some(std::cmp::Ordering::Equal)
        }
        (Kind::Str(a), PhpValue::String(b)) => a == b.as_slice(),
        (Kind::List | Kind::Empty, PhpValue::Array(items)) => {
            let mut i = 0;
            let mut same = true;
            doc.for_each_item(&mut |idx, item| {
                same = same
                    && items
                        .get(idx)
                        .is_some_and(|(_, w)| equals(item.kind(), item, w));
                i += 1;
            });
            same && i == items.len()
        }
        (Kind::Map | Kind::Empty, PhpValue::Object(members)) => {
            let mut n = 0;
            let mut same = true;
            doc.for_each_member(&mut |k, v| {
                same = same
                    && members
                        .iter()
                        .find(|(name, _)| name.as_slice() == k.as_ref())
                        .is_some_and(|(_, w)| equals(v.kind(), v, w));
                n += 1;
            });
            same && n == members.len()
        }
        _ => false,
    }
}

fn utf8_len(s: &[u8]) -> u64 {
    s.iter().filter(|&&b| (b & 0xc0) != 0x80).count() as u64
}

impl<'a> Walker<'_, 'a> {
    /// Records a violation at the current path (its pointer is the first `pointer_len`
    /// segments), unless inside a probe.
    fn fail(&mut self, pointer_len: usize, keyword: Keyword, message: impl FnOnce() -> String) {
        if self.probing > 0 {
            return;
        }
        self.count += 1;
        let want_report = self.count <= self.opts.max_violations;
        if !want_report && self.salvage.is_none() {
            return;
        }
        let v = Violation {
            pointer: pointer(&self.path[..pointer_len]),
            keyword,
            message: message(),
        };
        if let Some(s) = self.salvage.as_mut() {
            s.record(&self.path, &self.removable, &v);
        }
        if want_report {
            if keyword == Keyword::Depth {
                self.depth_violations.push(v);
            } else {
                self.violations.push(v);
            }
        }
    }

    fn push(&mut self, seg: Seg<'a>, removable: bool) {
        self.path.push(seg);
        self.removable.push(removable);
    }

    fn pop(&mut self) {
        self.path.pop();
        self.removable.pop();
    }

    /// Only the nesting limit applies to what no schema describes.
    fn depth_walk<D: Doc<'a>>(&mut self, doc: D, level: u32) {
        if self.probing > 0 {
            return;
        }
        let kind = doc.kind();
        if !matches!(kind, Kind::List | Kind::Map) {
            if level > MAX_LEVEL {
                self.fail(self.path.len(), Keyword::Depth, || {
                    format!("Too deep nesting level: more than {MAX_LEVEL} levels")
                });
            }
            return;
        }
        if level > MAX_LEVEL {
            self.fail(self.path.len(), Keyword::Depth, || {
                format!("Too deep nesting level: more than {MAX_LEVEL} levels")
            });
            return;
        }
        self.walk_children(doc, kind, level);
    }

    fn walk_children<D: Doc<'a>>(&mut self, doc: D, kind: Kind<'a>, level: u32) {
        match kind {
            Kind::List => doc.for_each_item(&mut |i, item| {
                self.push(Seg::Index(i), true);
                self.depth_walk(item, level + 1);
                self.pop();
            }),
            Kind::Map => doc.for_each_member(&mut |k, v| {
                self.push(Seg::Key(k), true);
                self.depth_walk(v, level + 1);
                self.pop();
            }),
            _ => {}
        }
    }

    /// Whether `doc` satisfies node `id`; records what it does not satisfy.
    fn check<D: Doc<'a>>(&mut self, id: NodeId, doc: D, level: u32) -> bool {
        let schema = self.schema;
        let n: &Node = schema.node(id);
        let original = doc.kind();
        if level > MAX_LEVEL && self.probing == 0 {
            self.fail(self.path.len(), Keyword::Depth, || {
                format!("Too deep nesting level: more than {MAX_LEVEL} levels")
            });
            return false;
        }
        let here = self.path.len();
        let mut ok = true;
        macro_rules! failed {
            ($kw:expr, $msg:expr) => {{
                ok = false;
                if self.probing > 0 {
                    return false;
                }
                self.fail(here, $kw, $msg);
            }};
        }
        if n.deny_all {
            if self.probing > 0 {
                return false;
            }
            self.fail(here, Keyword::FalseSchema, || {
                "Denied by false schema".to_string()
            });
            self.walk_children(doc, original, level);
            return false;
        }
        let mut kind = original;
        if !n.types.is_empty() {
            match type_check(&n.types, original, self.opts.tolerate_strings) {
                Some(k) => kind = k,
                None => {
                    if self.probing > 0 {
                        return false;
                    }
                    let names = &n.type_names;
                    self.fail(here, Keyword::Type, || {
                        format!("{names} expected, {} received", describe(original))
                    });
                    self.walk_children(doc, original, level);
                    return false;
                }
            }
        }
        if n.type_only && !matches!(original, Kind::List | Kind::Map | Kind::Empty) {
            return true;
        }
        if let Some(values) = &n.enumeration {
            if !values.iter().any(|v| equals(kind, doc, v)) {
                failed!(Keyword::Enum, || format!(
                    "Enum failed, data: {}",
                    describe(kind)
                ));
            }
        }
        if let Some(c) = &n.constant {
            if !equals(kind, doc, c) {
                failed!(Keyword::Const, || "Const failed".to_string());
            }
        }
        if let Some(not) = n.not {
            self.probing += 1;
            let matched = self.check(not, doc, level);
            self.probing -= 1;
            if matched {
                failed!(Keyword::Not, || format!(
                    "Not expected, {} received",
                    describe(kind)
                ));
            }
        }
        if let Kind::Str(s) = kind {
            if let Some(min) = n.min_length {
                if utf8_len(s) < min {
                    failed!(Keyword::MinLength, || "String is too short".to_string());
                }
            }
            if let Some(max) = n.max_length {
                if utf8_len(s) > max {
                    failed!(Keyword::MaxLength, || "String is too long".to_string());
                }
            }
            if let Some(p) = &n.pattern {
                if !p.matches(s) {
                    failed!(Keyword::Pattern, || format!(
                        "{} does not match to {}",
                        describe(kind),
                        p.source
                    ));
                }
            }
            if let Some(f) = n.format {
                let (valid, name) = match f {
                    Format::Ipv4 => (filters::is_ipv4(s), "ipv4"),
                    Format::Ipv6 => (filters::is_ipv6(s), "ipv6"),
                };
                if !valid {
                    failed!(Keyword::Format, || format!(
                        "Invalid {name}: {}",
                        describe(kind)
                    ));
                }
            }
        }
        let num = match kind {
            Kind::Int(i) => Some(Number::Int(i)),
            Kind::Float(f) => Some(Number::Float(f)),
            _ => None,
        };
        if let Some(x) = num {
            use std::cmp::Ordering::{Greater, Less};
            let d = || describe(kind);
            if let Some(m) = n.exclusive_maximum {
                if cmp_num(x, m) != Some(Less) {
                    failed!(Keyword::ExclusiveMaximum, || format!(
                        "Value less than {m} expected, {} received",
                        d()
                    ));
                }
            }
            if let Some(m) = n.exclusive_minimum {
                if cmp_num(x, m) != Some(Greater) {
                    failed!(Keyword::ExclusiveMinimum, || format!(
                        "Value more than {m} expected, {} received",
                        d()
                    ));
                }
            }
            if let Some(m) = n.maximum {
                let c = cmp_num(x, m);
                let bad = if n.maximum_exclusive {
                    c != Some(Less)
                } else {
                    c == Some(Greater)
                };
                if bad {
                    failed!(Keyword::Maximum, || format!(
                        "Value less than {m} expected, {} received",
                        d()
                    ));
                }
            }
            if let Some(m) = n.minimum {
                let c = cmp_num(x, m);
                let bad = if n.minimum_exclusive {
                    c != Some(Greater)
                } else {
                    c == Some(Less)
                };
                if bad {
                    failed!(Keyword::Minimum, || format!(
                        "Value more than {m} expected, {} received",
                        d()
                    ));
                }
            }
        }
        if !n.one_of.is_empty() {
            self.probing += 1;
            let mut successes = 0;
            for &branch in &n.one_of {
                if self.check(branch, doc, level) {
                    successes += 1;
                    if successes > 1 {
                        break;
                    }
                }
            }
            self.probing -= 1;
            if successes == 0 {
                failed!(Keyword::OneOf, || "No valid results for oneOf".to_string());
            } else if successes > 1 {
                failed!(Keyword::OneOf, || "More than 1 valid result for oneOf"
                    .to_string());
            }
        }
        if !n.any_of.is_empty() {
            self.probing += 1;
            let any = n
                .any_of
                .iter()
                .any(|&branch| self.check(branch, doc, level));
            self.probing -= 1;
            if !any {
                failed!(Keyword::AnyOf, || "No valid results for anyOf".to_string());
            }
        }
        for &part in &n.all_of {
            if !self.check(part, doc, level) {
                ok = false;
                if self.probing > 0 {
                    return false;
                }
            }
        }
        let as_object = match original {
            Kind::Map => true,
            // An empty PHP array stands for `{}` where the schema describes an object.
            Kind::Empty => n.types.contains(&T_OBJECT) || !n.required.is_empty(),
            _ => false,
        };
        if as_object {
            for key in &n.required {
                if !doc.has_member(key) {
                    failed!(Keyword::Required, || format!(
                        "Required property missing: {}",
                        String::from_utf8_lossy(key)
                    ));
                }
            }
            doc.for_each_member(&mut |k, v| {
                if self.probing > 0 && !ok {
                    return;
                }
                let (child, required) = match n.properties.get(k.as_ref()) {
                    Some(&(id, required)) => (Some(id), required),
                    None => (None, n.required.iter().any(|r| r.as_slice() == k.as_ref())),
                };
                self.push(Seg::Key(k), !required);
                match (child, n.additional) {
                    (Some(child), _) | (None, Additional::Schema(child)) => {
                        if !self.check(child, v, level + 1) {
                            ok = false;
                        }
                    }
                    (None, Additional::Deny) => {
                        ok = false;
                        if self.probing == 0 {
                            let Some(Seg::Key(name)) = self.path.last() else {
                                unreachable!("a member was just pushed")
                            };
                            let name = String::from_utf8_lossy(name).into_owned();
                            self.fail(here, Keyword::AdditionalProperties, || {
                                format!("Additional properties not allowed: {name}")
                            });
                        }
                        self.depth_walk(v, level + 1);
                    }
                    (None, Additional::Any) => self.depth_walk(v, level + 1),
                }
                self.pop();
            });
        } else if matches!(original, Kind::List | Kind::Empty) {
            if n.min_items.is_some() || n.max_items.is_some() {
                let mut len = 0u64;
                doc.for_each_item(&mut |_, _| len += 1);
                if n.min_items.is_some_and(|m| len < m) {
                    failed!(Keyword::MinItems, || "Not enough items in array"
                        .to_string());
                }
                if n.max_items.is_some_and(|m| len > m) {
                    failed!(Keyword::MaxItems, || "Too many items in array".to_string());
                }
            }
            doc.for_each_item(&mut |i, item| {
                if self.probing > 0 && !ok {
                    return;
                }
                self.push(Seg::Index(i), true);
                match n.items {
                    Some(items) => {
                        if !self.check(items, item, level + 1) {
                            ok = false;
                        }
                    }
                    None => self.depth_walk(item, level + 1),
                }
                self.pop();
            });
        }
        ok
    }
}
