//! The binding of [`crate::converter`]: its tree made into the PHP values `json_decode`
//! would give of GLPI's JSON text.

#![allow(
    unsafe_code,
    reason = "converted values are built straight into the engine's hash tables"
)]

use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::ffi::zend_string;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, ZendObject, Zval};
use std::collections::HashMap;
use std::rc::Rc;

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
    let tree = converter::convert_bytes(xml, &opts.limits).php()?;
    let mut keys = Keys {
        strings: HashMap::with_capacity_and_hasher(128, BuildAddress),
    };
    let z = keys.zval_of(tree, opts.assoc);
    Ok(z)
}

/// The PHP strings of the keys, one per distinct key: the tree's keys are shared, and a
/// table that holds a key takes a reference to the same string. Each key is known by its
/// address, and kept alive so that the address stays its own.
#[derive(Default)]
struct Keys {
    strings: HashMap<*const u8, (Rc<str>, *mut zend_string, Option<i64>), BuildAddress>,
}

/// Addresses need no keyed hash: they are not the peer's to choose.
#[derive(Default, Clone, Copy)]
struct BuildAddress;

#[derive(Default)]
struct AddressHasher(u64);

impl std::hash::BuildHasher for BuildAddress {
    type Hasher = AddressHasher;
    fn build_hasher(&self) -> AddressHasher {
        AddressHasher(0)
    }
}

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(26);
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        for (_, zs, _) in self.strings.values() {
            // SAFETY: each string was made by `key` with one reference, ours; the tables
            // that hold it took their own.
            unsafe { ext_php_rs::ffi::ext_php_rs_zend_string_release(*zs) };
        }
    }
}

impl Keys {
    /// The string of `key`, and the integer a symbol table reads it as, if any.
    fn key(&mut self, key: &Rc<str>) -> (*mut zend_string, Option<i64>) {
        let (_, zs, int) = self.strings.entry(key.as_ptr()).or_insert_with(|| {
            // SAFETY: the bytes are live for the call, which copies them.
            let zs = unsafe {
                ext_php_rs::ffi::ext_php_rs_zend_string_init(key.as_ptr().cast(), key.len(), false)
            };
            (
                Rc::clone(key),
                zs,
                crate::json::php_integer_key(key.as_bytes()),
            )
        });
        (*zs, *int)
    }

    /// A value as `json_decode(json_encode($value), $assoc)` returns it: lists and empty
    /// arrays are arrays, other arrays objects unless `assoc`.
    fn zval_of(&mut self, v: Value, assoc: bool) -> Zval {
        let z = match v {
            Value::Null => Ok(Zval::new()),
            Value::Bool(b) => b.into_zval(false),
            Value::Int(i) => i.into_zval(false),
            Value::Float(f) => f.into_zval(false),
            Value::Str(s) => s.as_str().into_zval(false),
            Value::Arr(a) if a.is_empty() || a.is_list() => {
                let mut ht = ZendHashTable::with_capacity(a.len() as u32);
                for item in a.into_values() {
                    let _ = ht.push(self.zval_of(item, assoc));
                }
                ht.into_zval(false)
            }
            Value::Arr(a) => {
                let mut ht = ZendHashTable::with_capacity(a.len() as u32);
                for (k, item) in a.into_entries() {
                    let item = self.zval_of(item, assoc);
                    match k {
                        Key::Int(i) if assoc => {
                            let _ = ht.insert_at_index(i, item);
                        }
                        Key::Int(i) => property(&mut ht, &i.to_string(), item),
                        Key::Str(s) => match self.key(&s) {
                            (_, Some(i)) if assoc => {
                                let _ = ht.insert_at_index(i, item);
                            }
                            (zs, _) => update(&mut ht, zs, item),
                        },
                    }
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
}

/// `$table[$key] = $value` with a string key, also for keys that look like numbers, as
/// in the property tables `json_decode` makes.
fn update(ht: &mut ZendHashTable, key: *mut zend_string, mut value: Zval) {
    // SAFETY: the table and the key are live; zend_hash_update takes its own reference to
    // the key and copies the zval into the table, which then owns its content, so the Rust
    // side must not release it.
    unsafe {
        ext_php_rs::ffi::zend_hash_update(
            std::ptr::from_mut::<ZendHashTable>(ht),
            key,
            &raw mut value,
        );
    }
    std::mem::forget(value);
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
