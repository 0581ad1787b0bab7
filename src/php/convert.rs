//! Conversions between PHP values and the core's plain types: answer values, header
//! lists and per-call options.

#![allow(
    unsafe_code,
    reason = "header and option tables are read through the engine's hash table API"
)]

use ext_php_rs::convert::IntoZval;
use ext_php_rs::types::array::Iter;
use ext_php_rs::types::{ZendHashTable, Zval};

use crate::error::UsageError;
use crate::headers::Headers;
use crate::limits::{Limit, Limits, LIMITS};
use crate::message::{Map, Value};

/// An answer value as PHP code wrote it. Lists are arrays keyed 0..n-1 in order; any
/// other array, and a `stdClass` object, is a map. Strings and keys must be UTF-8, as for
/// `json_encode`. PHP references (left in arrays by `foreach ($a as &$v)`, or made by
/// `$a['k'] = &$x`) stand for the value they point to.
pub fn zval_to_value(z: &Zval, depth: u32) -> Result<Value, UsageError> {
    if depth > 512 {
        return Err(UsageError::new("the answer nests deeper than 512 levels"));
    }
    let z = z.dereference();
    if z.is_null() {
        return Ok(Value::Null);
    }
    if let Some(b) = z.bool() {
        if z.is_bool() {
            return Ok(Value::Bool(b));
        }
    }
    if z.is_long() {
        return Ok(Value::Int(z.long().unwrap_or_default()));
    }
    if z.is_double() {
        return Ok(Value::Float(z.double().unwrap_or_default()));
    }
    if z.is_string() {
        let bytes = z.binary_slice::<u8>().unwrap_or_default();
        return String::from_utf8(bytes.to_vec())
            .map(Value::Str)
            .map_err(|_| UsageError::new("answer strings must be UTF-8"));
    }
    if let Some(ht) = z.array() {
        return table_to_value(ht, depth);
    }
    if let Some(obj) = z.object() {
        // Only stdClass: other classes have hidden or computed members (private properties,
        // JsonSerializable, DateTime's date) that json_encode shows differently.
        if obj.get_class_name().ok().as_deref() != Some("stdClass") {
            return Err(UsageError::new(
                "answer objects must be stdClass: convert others to arrays first (get_object_vars(), jsonSerialize())",
            ));
        }
        let props = obj
            .get_properties()
            .map_err(|_| UsageError::new("an answer object must have readable properties"))?;
        let mut map = Map::with_capacity(props.len());
        for (k, v) in entries(props) {
            map.insert(answer_key(k)?, zval_to_value(v, depth + 1)?);
        }
        return Ok(Value::Map(map));
    }
    Err(UsageError::new(
        "answers hold only null, bool, int, float, string, array and stdClass objects",
    ))
}

/// A key of an answer map: UTF-8, as `json_encode` requires of keys too.
fn answer_key(k: RawKey) -> Result<String, UsageError> {
    match k {
        RawKey::Int(i) => Ok(i.to_string()),
        RawKey::Bytes(b) => {
            String::from_utf8(b).map_err(|_| UsageError::new("answer keys must be UTF-8"))
        }
    }
}

/// An array key as PHP holds it: bytes in any encoding, not only UTF-8.
pub enum RawKey {
    /// An integer key (a list index, or a numeric string PHP turned into one).
    Int(i64),
    /// A string key's bytes.
    Bytes(Vec<u8>),
}

impl RawKey {
    /// The key as text, for messages and option names.
    pub(crate) fn lossy(&self) -> String {
        match self {
            RawKey::Int(i) => i.to_string(),
            RawKey::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        }
    }
}

/// Every entry of a PHP array in order, with its raw key. ext-php-rs's `iter()` panics on a
/// string key that is not UTF-8, and these keys come from the peer (header names) or from
/// the caller (answers, options).
pub fn entries(ht: &ZendHashTable) -> Vec<(RawKey, &Zval)> {
    let mut iter = Iter::new(ht);
    let mut out = Vec::with_capacity(ht.len());
    while let Some((key, value)) = iter.next_zval() {
        let key = match key.long() {
            Some(i) if key.is_long() => RawKey::Int(i),
            _ => RawKey::Bytes(
                key.binary_slice::<u8>()
                    .map(<[u8]>::to_vec)
                    .unwrap_or_default(),
            ),
        };
        out.push((key, value));
    }
    out
}

fn table_to_value(ht: &ZendHashTable, depth: u32) -> Result<Value, UsageError> {
    let entries = entries(ht);
    let is_list = entries
        .iter()
        .enumerate()
        .all(|(i, (k, _))| matches!(k, RawKey::Int(n) if *n == i as i64));
    if is_list {
        let items = entries
            .iter()
            .map(|(_, v)| zval_to_value(v, depth + 1))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Value::List(items));
    }
    let mut map = Map::with_capacity(entries.len());
    for (k, v) in entries {
        map.insert(answer_key(k)?, zval_to_value(v, depth + 1)?);
    }
    Ok(Value::Map(map))
}

/// The members of an answer that the protocol itself reads (spec 3.3.2), for validation.
pub fn answer_envelope(ht: &ZendHashTable) -> Result<Map, UsageError> {
    let mut map = Map::with_capacity(3);
    for name in ["status", "message", "expiration"] {
        if let Some(v) = ht.get(name) {
            map.insert(name, zval_to_value(v, 1)?);
        }
    }
    Ok(map)
}

/// An answer array: must be a map (or empty) at the top.
pub fn answer_map(ht: &ZendHashTable) -> Result<Map, UsageError> {
    match table_to_value(ht, 0)? {
        Value::Map(m) => Ok(m),
        Value::List(l) if l.is_empty() => Ok(Map::new()),
        Value::List(_) => Err(UsageError::new(
            "an answer is an array with string keys such as 'status'",
        )),
        _ => unreachable!("a table converts to a list or a map"),
    }
}

/// The PHP value of an answer value (an error answer's expiration, a test's answer).
pub fn value_to_zval(v: &Value) -> Zval {
    let z = match v {
        Value::Null => Ok(Zval::new()),
        Value::Bool(b) => b.into_zval(false),
        Value::Int(i) => i.into_zval(false),
        Value::Float(f) => f.into_zval(false),
        Value::Str(s) => s.as_str().into_zval(false),
        Value::List(items) => {
            let mut ht = ZendHashTable::with_capacity(items.len() as u32);
            for item in items {
                let _ = ht.push(value_to_zval(item));
            }
            ht.into_zval(false)
        }
        Value::Map(map) => map_to_zval(map),
    };
    z.unwrap_or_default()
}

fn map_to_zval(map: &Map) -> ext_php_rs::error::Result<Zval> {
    let mut ht = ZendHashTable::with_capacity(map.len() as u32);
    for (k, v) in map.iter() {
        // Numeric keys become integer keys, as PHP's own array literals do.
        match crate::json::php_integer_key(k.as_bytes()) {
            Some(i) => ht.insert_at_index(i, value_to_zval(v))?,
            None => ht.insert(k, value_to_zval(v))?,
        }
    }
    ht.into_zval(false)
}

/// A header's name and value, borrowed from a PHP array.
type NameValue<'a> = (&'a [u8], &'a [u8]);

/// The string-keyed string entries of a table, read straight from its buckets (no key is
/// copied, which matters for `$_SERVER`, passed whole on every request), and whether the
/// table also holds a value that is not a string. Packed tables (lists) have no string keys
/// and give nothing.
fn string_entries(ht: &ZendHashTable) -> (Vec<NameValue<'_>>, bool) {
    use ext_php_rs::ffi::Bucket;
    let ptr = std::ptr::from_ref(ht).cast_mut();
    let mut out = Vec::new();
    let mut other_values = false;
    // SAFETY: `ht` is a live table; a non-packed table's data is `nNumUsed` buckets, some
    // of them holes (IS_UNDEF), each with an optional key string owned by the table.
    unsafe {
        if super::json::is_packed(ptr.cast()) {
            return (out, false);
        }
        let buckets = super::json::data(ptr.cast()).cast::<Bucket>();
        for i in 0..(*ptr).nNumUsed as usize {
            let b = &*buckets.add(i);
            let raw = &*std::ptr::from_ref(&b.val).cast::<Zval>();
            if raw.get_type() == ext_php_rs::flags::DataType::Undef {
                // A hole left by a deleted entry.
                continue;
            }
            let value = raw.dereference();
            if !value.is_string() {
                other_values = true;
                continue;
            }
            let Some(key) = b.key.as_ref() else { continue };
            let name = std::slice::from_raw_parts(key.val.as_ptr().cast::<u8>(), key.len);
            if let Some(v) = value.binary_slice::<u8>() {
                out.push((name, v));
            }
        }
    }
    (out, other_values)
}

/// Request headers from what `getallheaders()` or `$_SERVER` gives. The two are told apart
/// by a fact no client controls: `getallheaders()` holds only strings, while every `$_SERVER`
/// holds `REQUEST_TIME` (an int) and `REQUEST_TIME_FLOAT` (a float). Names cannot decide it,
/// since a client may send a header called `HTTP_X` or `REQUEST_METHOD`.
pub fn headers_from_table(ht: &ZendHashTable) -> Headers {
    let (pairs, other_values) = string_entries(ht);
    if other_values {
        Headers::from_cgi(pairs)
    } else {
        Headers::from_fields(pairs)
    }
}

/// Per-call options shared by the functions that take an `$options` array: each limit
/// by its INI name, plus what the call itself needs.
pub struct CallOptions {
    /// The INI limits, with the call's own on top.
    pub limits: Limits,
    /// `assoc`: arrays instead of objects, as `json_decode`'s second argument.
    pub assoc: bool,
    /// `key`: the 16-byte session key of an encrypted body.
    pub key: Option<Vec<u8>>,
}

/// Options besides the limits of the [`LIMITS`] table that `Request::decode()` takes.
const CALL_OPTIONS: [&str; 2] = ["assoc", "key"];

fn option_names() -> String {
    LIMITS
        .iter()
        .filter(|l| l.decode_option)
        .map(|l| l.name)
        .chain(CALL_OPTIONS)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sets the limit `limit` from a per-call option: a PHP int for sizes and counts, a string
/// for the others.
fn set_limit(limits: &mut Limits, limit: &Limit, v: &Zval) -> Result<(), UsageError> {
    let text = if limit.numeric {
        v.is_long()
            .then(|| v.long())
            .flatten()
            .map(|n| n.to_string())
    } else {
        v.str().map(str::to_owned)
    };
    if text.is_some_and(|t| (limit.set)(limits, &t)) {
        Ok(())
    } else {
        Err(UsageError::new(format!(
            "option '{}' must be {}",
            limit.name, limit.expected
        )))
    }
}

/// The `$options` array of a call, over the INI defaults; `\ValueError` for an unknown option
/// or one of the wrong type.
pub fn call_options(options: Option<&ZendHashTable>) -> Result<CallOptions, UsageError> {
    let mut out = CallOptions {
        limits: super::ini::limits(),
        assoc: false,
        key: None,
    };
    let Some(options) = options else {
        return Ok(out);
    };
    for (k, v) in entries(options) {
        let name = k.lossy();
        if let Some(limit) = Limit::named(&name).filter(|l| l.decode_option) {
            set_limit(&mut out.limits, limit, v)?;
            continue;
        }
        match name.as_str() {
            "assoc" => {
                out.assoc = match v.bool() {
                    Some(b) if v.is_bool() => b,
                    _ => return Err(UsageError::new("option 'assoc' must be a bool")),
                }
            }
            "key" => {
                out.key = if v.is_null() {
                    None
                } else {
                    match v.binary_slice::<u8>() {
                        Some(b) if v.is_string() && b.len() == 16 => Some(b.to_vec()),
                        _ => {
                            return Err(UsageError::new(
                                "option 'key' must be a 16-byte binary string",
                            ))
                        }
                    }
                }
            }
            other => {
                return Err(UsageError::new(format!(
                    "unknown option '{other}' (known: {})",
                    option_names()
                )));
            }
        }
    }
    Ok(out)
}
