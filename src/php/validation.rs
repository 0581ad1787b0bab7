//! `GlpiAgentProtocol\Validation` and the zval side of inventory validation: the message
//! is read in place through [`crate::schema::Doc`] (no copy), schemas are compiled once per
//! process and (path, extras), and a lenient result shares every untouched part with the
//! message it came from.

#![allow(
    unsafe_code,
    reason = "reading PHP arrays and objects in place walks the engine's hash tables through raw pointers"
)]

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi::{self, zval, Bucket, HashTable, IS_ARRAY_EX, IS_OBJECT_EX, IS_UNDEF};
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use super::convert::{entries, RawKey};
use super::errors::IntoPhp;
use crate::error::UsageError;
use crate::json::value::{ArrayKey, PhpValue};
use crate::schema::salvage::Removal;
use crate::schema::{self, Doc, Extras, Kind, Mode, Options, Removals, Schema, Seg, Violation};

use super::zend::{HASH_FLAG_PACKED, PACKED_ZVALS};

/// A zval of the message: arrays and `stdClass` objects read straight from their tables.
#[derive(Clone, Copy)]
struct ZDoc<'a>(&'a Zval);

enum Table<'a> {
    List(&'a HashTable),
    Map(&'a HashTable, bool),
}

fn data(ht: &HashTable) -> *mut u8 {
    // SAFETY: a live table; `data` reads its arData / arPacked pointer.
    unsafe { super::json::data(std::ptr::from_ref(ht).cast_mut()) }
}

fn is_packed(ht: &HashTable) -> bool {
    // SAFETY: reading the flags word of a live table.
    unsafe { ht.u.flags & HASH_FLAG_PACKED != 0 }
}

/// Calls `f` with each live slot of `ht`: its key (None for an integer key, with the
/// integer) and its value.
fn for_each_slot<'a>(ht: &'a HashTable, mut f: impl FnMut(Option<&'a [u8]>, u64, &'a Zval)) {
    let used = ht.nNumUsed as usize;
    let base = data(ht);
    // SAFETY: `used` slots of a live table: zvals when packed (PHP 8.2), else buckets;
    // holes are IS_UNDEF and skipped; keys are owned by the table.
    unsafe {
        if is_packed(ht) && PACKED_ZVALS {
            let slots = base.cast::<Zval>();
            for i in 0..used {
                let z = &*slots.add(i);
                if z.u1.type_info != IS_UNDEF {
                    f(None, i as u64, z);
                }
            }
        } else {
            let buckets = base.cast::<Bucket>();
            for i in 0..used {
                let b = &*buckets.add(i);
                let z = &*std::ptr::from_ref(&b.val).cast::<Zval>();
                if z.u1.type_info == IS_UNDEF {
                    continue;
                }
                match b.key.as_ref() {
                    Some(k) => f(
                        Some(std::slice::from_raw_parts(
                            k.val.as_ptr().cast::<u8>(),
                            k.len,
                        )),
                        b.h,
                        z,
                    ),
                    None => f(None, b.h, z),
                }
            }
        }
    }
}

fn is_list(ht: &HashTable) -> bool {
    if is_packed(ht) && ht.nNumUsed == ht.nNumOfElements {
        return true;
    }
    let mut expected = 0u64;
    let mut list = true;
    for_each_slot(ht, |k, h, _| {
        list = list && k.is_none() && h == expected;
        expected += 1;
    });
    list
}

impl<'a> ZDoc<'a> {
    fn table(self) -> Option<Table<'a>> {
        let z = self.0.dereference();
        if let Some(ht) = z.array() {
            return Some(if is_list(ht) {
                Table::List(ht)
            } else {
                Table::Map(ht, false)
            });
        }
        let obj = z.object()?;
        obj.get_properties().ok().map(|ht| Table::Map(ht, true))
    }
}

impl<'a> Doc<'a> for ZDoc<'a> {
    fn kind(self) -> Kind<'a> {
        let z = self.0.dereference();
        // SAFETY: the type byte of a live zval says which member of its value is set.
        unsafe {
            match u32::from(z.u1.v.type_) {
                ffi::IS_NULL => Kind::Null,
                ffi::IS_TRUE => Kind::Bool(true),
                ffi::IS_FALSE => Kind::Bool(false),
                ffi::IS_LONG => Kind::Int(z.value.lval),
                ffi::IS_DOUBLE => Kind::Float(z.value.dval),
                ffi::IS_STRING => Kind::Str(z.binary_slice::<u8>().unwrap_or_default()),
                ffi::IS_ARRAY => {
                    let ht = &*z.value.arr;
                    if ht.nNumOfElements == 0 {
                        Kind::Empty
                    } else if is_list(ht) {
                        Kind::List
                    } else {
                        Kind::Map
                    }
                }
                ffi::IS_OBJECT => Kind::Map,
                _ => Kind::Other,
            }
        }
    }

    fn for_each_item(self, f: &mut dyn FnMut(usize, Self)) {
        if let Some(Table::List(ht)) = self.table() {
            let mut i = 0;
            for_each_slot(ht, |_, _, z| {
                f(i, ZDoc(z));
                i += 1;
            });
        }
    }

    fn for_each_member(self, f: &mut dyn FnMut(Cow<'a, [u8]>, Self)) {
        let ht = match self.table() {
            Some(Table::Map(ht, _)) => ht,
            Some(Table::List(ht)) if self.0.dereference().is_object() => ht,
            _ => return,
        };
        for_each_slot(ht, |k, h, z| {
            let key = match k {
                Some(k) => Cow::Borrowed(k),
                None => Cow::Owned((h as i64).to_string().into_bytes()),
            };
            f(key, ZDoc(z));
        });
    }

    fn has_member(self, key: &[u8]) -> bool {
        let Some(Table::Map(ht, is_object)) = self.table() else {
            return false;
        };
        // SAFETY: lookups in a live table.
        let found = unsafe {
            match crate::json::php_integer_key(key) {
                // An array holds "12" under the integer 12; an object's table keeps strings.
                Some(i) if !is_object => ffi::zend_hash_index_find(ht, i as u64),
                _ => ffi::zend_hash_str_find(ht, key.as_ptr().cast(), key.len()),
            }
        };
        // SAFETY: a non-null result points into the table.
        !found.is_null() && unsafe { (*found).u1.type_info != IS_UNDEF }
    }
}

thread_local! {
    /// Compiled schemas of this process (PHP-FPM workers are processes; a threaded PHP
    /// keeps one cache per thread), by schema path and extras.
    static SCHEMAS: RefCell<HashMap<String, Rc<Schema>>> = RefCell::new(HashMap::new());
}

/// Distinct compiled schemas kept at most; past it the cache starts again.
const MAX_CACHED_SCHEMAS: usize = 32;

fn compiled(path: Option<&str>, extras: &Extras) -> Result<Rc<Schema>, UsageError> {
    // A file replaced in place (a GLPI upgrade) is compiled again: its size and time are
    // part of the key, for the price of one stat() per call.
    let stamp = path
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| (m.len(), m.modified().ok()));
    let key = format!("{path:?}\u{0}{stamp:?}\u{0}{extras:?}");
    if let Some(s) = SCHEMAS.with(|c| c.borrow().get(&key).cloned()) {
        return Ok(s);
    }
    let schema = match path {
        None => Schema::from_json(Schema::bundled_text(), extras),
        Some(p) => {
            let text = std::fs::read(p)
                .map_err(|e| UsageError::new(format!("cannot read the schema {p}: {e}")))?;
            Schema::from_json(&text, extras)
        }
    }
    .map_err(|e| UsageError::new(format!("cannot compile the schema: {e}")))?;
    let schema = Rc::new(schema);
    SCHEMAS.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= MAX_CACHED_SCHEMAS {
            c.clear();
        }
        c.insert(key, Rc::clone(&schema));
    });
    Ok(schema)
}

/// A PHP value as `json_decode(json_encode($v))` gives it: lists stay arrays, other
/// arrays become objects (what GLPI does to the extra schemas it is given).
fn to_json_value(z: &Zval, depth: u32) -> Result<PhpValue, UsageError> {
    if depth > 64 {
        return Err(UsageError::new(
            "an extra schema nests deeper than 64 levels",
        ));
    }
    let z = z.dereference();
    Ok(if z.is_null() {
        PhpValue::Null
    } else if z.is_true() {
        PhpValue::Bool(true)
    } else if z.is_false() {
        PhpValue::Bool(false)
    } else if z.is_long() {
        PhpValue::Int(z.long().unwrap_or_default())
    } else if z.is_double() {
        PhpValue::Float(z.double().unwrap_or_default())
    } else if z.is_string() {
        PhpValue::String(z.binary_slice::<u8>().unwrap_or_default().to_vec())
    } else if let Some(ht) = z.array() {
        let list = is_list(ht);
        let mut items = Vec::new();
        let mut members = Vec::new();
        for (i, (k, v)) in entries(ht).into_iter().enumerate() {
            let v = to_json_value(v, depth + 1)?;
            if list {
                items.push((ArrayKey::Int(i as i64), v));
            } else {
                members.push((raw_key_bytes(k), v));
            }
        }
        if list {
            PhpValue::Array(items)
        } else {
            PhpValue::Object(members)
        }
    } else if let Some(obj) = z.object() {
        let props = obj
            .get_properties()
            .map_err(|_| UsageError::new("an extra schema object has no readable properties"))?;
        let mut members = Vec::new();
        for (k, v) in entries(props) {
            members.push((raw_key_bytes(k), to_json_value(v, depth + 1)?));
        }
        PhpValue::Object(members)
    } else {
        return Err(UsageError::new(
            "extra schemas hold only arrays, objects and scalars",
        ));
    })
}

fn raw_key_bytes(k: RawKey) -> Vec<u8> {
    match k {
        RawKey::Int(i) => i.to_string().into_bytes(),
        RawKey::Bytes(b) => b,
    }
}

fn string_list(name: &str, v: &Zval) -> Result<Vec<Vec<u8>>, UsageError> {
    let ht = v
        .array()
        .ok_or_else(|| UsageError::new(format!("option '{name}' must be an array of strings")))?;
    entries(ht)
        .into_iter()
        .map(|(_, s)| {
            s.binary_slice::<u8>()
                .filter(|_| s.is_string())
                .map(<[u8]>::to_vec)
                .ok_or_else(|| {
                    UsageError::new(format!("option '{name}' must be an array of strings"))
                })
        })
        .collect()
}

fn schema_map(name: &str, v: &Zval) -> Result<Vec<(Vec<u8>, PhpValue)>, UsageError> {
    let ht = v.array().ok_or_else(|| {
        UsageError::new(format!(
            "option '{name}' must be an array keyed by property"
        ))
    })?;
    entries(ht)
        .into_iter()
        .map(|(k, s)| Ok((raw_key_bytes(k), to_json_value(s, 1)?)))
        .collect()
}

struct CallSettings {
    options: Options,
    schema_path: Option<String>,
    extras: Extras,
}

const OPTION_NAMES: &str = "mode, tolerate_strings, max_violations, schema, extra_itemtypes, extra_properties, extra_sub_properties";

fn call_settings(options: Option<&ZendHashTable>) -> Result<CallSettings, UsageError> {
    let ini = super::ini::validation();
    let mut out = CallSettings {
        options: Options {
            mode: ini.mode,
            tolerate_strings: ini.tolerate_strings,
            max_violations: ini.max_violations,
        },
        schema_path: ini.schema_path,
        extras: Extras::default(),
    };
    let Some(options) = options else {
        return Ok(out);
    };
    for (k, v) in entries(options) {
        let RawKey::Bytes(name) = k else {
            return Err(UsageError::new(format!(
                "options are named (known: {OPTION_NAMES})"
            )));
        };
        match name.as_slice() {
            b"mode" => {
                out.options.mode = v.str().and_then(Mode::parse).ok_or_else(|| {
                    UsageError::new("option 'mode' must be 'strict' or 'lenient'")
                })?;
            }
            b"tolerate_strings" => {
                out.options.tolerate_strings = match v.bool() {
                    Some(b) if v.is_bool() => b,
                    _ => return Err(UsageError::new("option 'tolerate_strings' must be a bool")),
                };
            }
            b"max_violations" => {
                out.options.max_violations = match v.long() {
                    Some(n) if v.is_long() && n > 0 => usize::try_from(n).unwrap_or(usize::MAX),
                    _ => {
                        return Err(UsageError::new(
                            "option 'max_violations' must be a positive integer",
                        ))
                    }
                };
            }
            b"schema" => {
                out.schema_path = if v.is_null() {
                    None
                } else {
                    Some(
                        v.str()
                            .filter(|s| !s.is_empty())
                            .ok_or_else(|| {
                                UsageError::new("option 'schema' must be the path of a schema file")
                            })?
                            .to_owned(),
                    )
                };
            }
            b"extra_itemtypes" => out.extras.itemtypes = string_list("extra_itemtypes", v)?,
            b"extra_properties" => {
                out.extras.properties = schema_map("extra_properties", v)?;
            }
            b"extra_sub_properties" => {
                let ht = v.array().ok_or_else(|| {
                    UsageError::new(
                        "option 'extra_sub_properties' must be an array keyed by property",
                    )
                })?;
                for (k, subs) in entries(ht) {
                    out.extras
                        .sub_properties
                        .push((raw_key_bytes(k), schema_map("extra_sub_properties", subs)?));
                }
            }
            other => {
                return Err(UsageError::new(format!(
                    "unknown option '{}' (known: {OPTION_NAMES})",
                    String::from_utf8_lossy(other)
                )))
            }
        }
    }
    Ok(out)
}

/// A copy of `z` without what `r` removes: new tables only along the way to the removed
/// parts, everything else shared (refcounted) with the original.
fn apply(z: &Zval, r: &Removals) -> Zval {
    let zd = z.dereference();
    let is_object = zd.is_object();
    let Some(table) = ZDoc(zd).table() else {
        return zd.shallow_clone();
    };
    let (ht, list) = match table {
        Table::List(ht) => (ht, !is_object),
        Table::Map(ht, _) => (ht, false),
    };
    // SAFETY: a new table filled with values whose references are handed over; for an
    // object, the table becomes the properties of a new stdClass (which has no declared
    // properties), as json_decode builds them.
    unsafe {
        let out = ffi::_zend_new_array(ht.nNumOfElements);
        let mut index = 0usize;
        for_each_slot(ht, |k, h, v| {
            let seg = if list {
                Seg::Index(index)
            } else {
                Seg::Key(match k {
                    Some(k) => Cow::Borrowed(k),
                    None => Cow::Owned((h as i64).to_string().into_bytes()),
                })
            };
            index += 1;
            let value = match r.0.get(&seg) {
                Some(Removal::Remove) => return,
                Some(Removal::Within(inner)) => apply(v, inner),
                None => v.shallow_clone(),
            };
            // `zend_hash_*_update` take the zval over: the clone's own reference is handed to
            // the table rather than dropped.
            let mut value = std::mem::ManuallyDrop::new(value);
            let slot = std::ptr::from_mut::<Zval>(&mut value).cast::<zval>();
            if list {
                ffi::zend_hash_next_index_insert(out, slot);
            } else if let Some(k) = k {
                ffi::zend_hash_str_update(out, k.as_ptr().cast(), k.len(), slot);
            } else {
                ffi::zend_hash_index_update(out, h, slot);
            }
        });
        let mut result = Zval::new();
        if is_object {
            let obj = ffi::zend_objects_new(ffi::zend_standard_class_def);
            (*obj).properties = out;
            result.value.obj = obj;
            result.u1.type_info = IS_OBJECT_EX;
        } else {
            result.value.arr = out;
            result.u1.type_info = IS_ARRAY_EX;
        }
        result
    }
}

/// The result of validating an inventory: GLPI's verdict, every violation, and in lenient
/// mode the message with each offending part removed. Built by `Inventory::validate()` and
/// `Request::validate()`.
#[php_class]
#[php(name = "GlpiAgentProtocol\\Validation")]
pub struct Validation {
    valid: bool,
    violations: Vec<Violation>,
    content: Option<Zval>,
    dropped: Vec<Violation>,
}

fn violation_list(list: &[Violation]) -> ZBox<ZendHashTable> {
    let mut out = ZendHashTable::with_capacity(u32::try_from(list.len()).unwrap_or(u32::MAX));
    for v in list {
        let mut entry = ZendHashTable::with_capacity(3);
        let _ = entry.insert("pointer", v.pointer.as_str());
        let _ = entry.insert("keyword", v.keyword.as_str());
        let _ = entry.insert("message", v.message.as_str());
        let _ = out.push(entry);
    }
    out
}

#[php_impl]
impl Validation {
    /// The verdict GLPI's server gives (strict), or whether the message could be salvaged
    /// (lenient).
    ///
    /// @return `bool` true when GLPI accepts the message (strict), or it could be salvaged (lenient)
    #[php(name = "isValid")]
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// Every violation, the one GLPI reports first at index 0: `pointer`, `keyword`, `message`.
    ///
    /// @return `list<array{pointer: string, keyword: string, message: string}>` each violation:
    ///   an RFC 6901 pointer into the message, the JSON Schema keyword that failed (`depth` for
    ///   nesting beyond what GLPI accepts), and a message that never embeds whole objects
    pub fn violations(&self) -> ZBox<ZendHashTable> {
        violation_list(&self.violations)
    }

    /// Strict: the message as given. Lenient: the message without the offending parts, or
    /// null when it cannot be salvaged.
    ///
    /// @return `array<array-key, mixed>|object|null` the message, in the form it was given in
    pub fn content(&self) -> Zval {
        self.content
            .as_ref()
            .map(Zval::shallow_clone)
            .unwrap_or_default()
    }

    /// Lenient: each removed part (`pointer`) with the first violation it held.
    ///
    /// @return `list<array{pointer: string, keyword: string, message: string}>` what was
    ///   removed; empty in strict mode
    pub fn dropped(&self) -> ZBox<ZendHashTable> {
        violation_list(&self.dropped)
    }
}

/// `Inventory::validate()` and `Request::validate()`.
pub fn validate_message(message: &Zval, options: Option<&ZendHashTable>) -> PhpResult<Validation> {
    let m = message.dereference();
    if !m.is_array() && !m.is_object() {
        return Err(PhpException::new(
            "the inventory message must be an array or an object".into(),
            0,
            ext_php_rs::zend::ce::type_error(),
        ));
    }
    let settings = call_settings(options).php()?;
    let schema = compiled(settings.schema_path.as_deref(), &settings.extras).php()?;
    let report = schema::validate(&schema, ZDoc(m), &settings.options);
    Ok(match settings.options.mode {
        Mode::Strict => Validation {
            valid: report.is_valid(),
            content: Some(m.shallow_clone()),
            violations: report.violations,
            dropped: Vec::new(),
        },
        Mode::Lenient => {
            let content = report.removals.as_ref().map(|r| {
                if r.is_empty() {
                    m.shallow_clone()
                } else {
                    apply(m, r)
                }
            });
            Validation {
                valid: content.is_some(),
                content,
                violations: report.violations,
                dropped: report.dropped,
            }
        }
    })
}
