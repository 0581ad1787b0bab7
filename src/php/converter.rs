//! The binding of [`crate::converter`]: its tree made into the PHP values `json_decode`
//! would give of GLPI's JSON text.

#![allow(
    unsafe_code,
    reason = "converted values are built straight into the engine's hash tables"
)]

use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, ZendObject, Zval};

use super::convert::call_options;
use super::errors::IntoPhp;
use crate::converter::{self, Key, Value};
use crate::error::ProtocolError;

/// `Inventory::fromXml()`: the legacy XML inventory as the PHP values of its JSON form.
pub fn from_xml(xml: &[u8], options: Option<&ZendHashTable>) -> PhpResult<Zval> {
    let opts = call_options(options).php()?;
    if xml.len() as u64 > opts.limits.max_decoded_bytes {
        return Err(ProtocolError::PayloadTooLarge {
            limit: opts.limits.max_decoded_bytes,
        })
        .php();
    }
    let tree = converter::convert(xml.to_vec(), &opts.limits).php()?;
    Ok(to_zval(tree, opts.assoc))
}

/// A value as `json_decode(json_encode($value), $assoc)` returns it: lists and empty
/// arrays are arrays, other arrays objects unless `assoc`.
fn to_zval(v: Value, assoc: bool) -> Zval {
    let z = match v {
        Value::Null => Ok(Zval::new()),
        Value::Bool(b) => b.into_zval(false),
        Value::Int(i) => i.into_zval(false),
        Value::Float(f) => f.into_zval(false),
        Value::Str(s) => s.into_zval(false),
        Value::Arr(a) if a.is_empty() || a.is_list() => {
            let mut ht = ZendHashTable::with_capacity(a.len() as u32);
            for item in a.into_values() {
                let _ = ht.push(to_zval(item, assoc));
            }
            ht.into_zval(false)
        }
        Value::Arr(a) => {
            let mut ht = ZendHashTable::with_capacity(a.len() as u32);
            let entries: Vec<(Key, Value)> = a.into_entries();
            for (k, item) in entries {
                let item = to_zval(item, assoc);
                let _ = match (k, assoc) {
                    (Key::Int(i), true) => ht.insert_at_index(i, item),
                    (Key::Int(i), false) => {
                        property(&mut ht, &i.to_string(), item);
                        Ok(())
                    }
                    (Key::Str(s), true) => match crate::json::php_integer_key(s.as_bytes()) {
                        Some(i) => ht.insert_at_index(i, item),
                        None => ht.insert(s.as_str(), item),
                    },
                    (Key::Str(s), false) => {
                        property(&mut ht, &s, item);
                        Ok(())
                    }
                };
            }
            if assoc {
                ht.into_zval(false)
            } else {
                Ok(object_with(ht))
            }
        }
    };
    z.unwrap_or_default()
}

/// A property: always a string key, even when it looks like a number, as in the
/// property tables `json_decode` makes.
fn property(ht: &mut ZendHashTable, name: &str, mut value: Zval) {
    // SAFETY: the table is live; zend_hash_str_update copies the zval into the table,
    // which then owns its content, so the Rust side must not release it.
    unsafe {
        ext_php_rs::ffi::zend_hash_str_update(
            std::ptr::from_mut::<ZendHashTable>(ht),
            name.as_ptr().cast(),
            name.len(),
            &raw mut value,
        );
    }
    std::mem::forget(value);
}

/// A `stdClass` whose property table is `props`, as `json_decode` builds one.
fn object_with(props: ZBox<ZendHashTable>) -> Zval {
    let mut obj = ZendObject::new_stdclass();
    // SAFETY: a new stdClass has no property table yet; the object takes ownership of
    // the table, which holds only string keys.
    unsafe {
        (*std::ptr::from_mut::<ZendObject>(&mut obj)).properties = props.into_raw();
    }
    obj.into_zval(false).unwrap_or_default()
}
