//! PHP's array operators on [`Value`], with the errors PHP 8.2 throws where the
//! conversion meets a string (or another scalar) where it expects an array. Every such
//! error makes GLPI's conversion fail, so it fails here too.

use super::value::{Array, Value};
use crate::error::ProtocolError;

pub type R<T> = Result<T, ProtocolError>;

/// What GLPI's conversion does not survive (a `TypeError`, an `Error` or its own
/// `RuntimeException`): the message is refused.
pub fn refuse<T>() -> R<T> {
    Err(ProtocolError::BadFormat)
}

/// `$v[$key]` read outside `isset()`/`??`: a string cannot be read with a string key.
pub fn read<'a>(v: &'a Value, key: &str) -> R<Option<&'a Value>> {
    match v {
        Value::Arr(a) => Ok(a.get(key)),
        Value::Str(_) => refuse(),
        _ => Ok(None),
    }
}

/// `$v[$key]` for writing, creating the array (from null) or the key as PHP does.
pub fn slot<'a>(v: &'a mut Value, key: &str) -> R<&'a mut Value> {
    if matches!(v, Value::Null | Value::Bool(false)) {
        *v = Value::Arr(Array::new());
    }
    match v {
        Value::Arr(a) => Ok(a.slot(key)),
        _ => refuse(),
    }
}

/// `$v[$key] = $value`.
pub fn assign(v: &mut Value, key: &str, value: Value) -> R<()> {
    *slot(v, key)? = value;
    Ok(())
}

/// `unset($v[$key])`.
pub fn unset(v: &mut Value, key: &str) -> R<()> {
    match v {
        Value::Arr(a) => {
            a.remove(key);
            Ok(())
        }
        Value::Null => Ok(()),
        _ => refuse(),
    }
}

/// `unset($v[$a][$b])`.
pub fn unset2(v: &mut Value, a: &str, b: &str) -> R<()> {
    match v {
        Value::Arr(arr) => match arr.get_mut(a) {
            Some(inner) => unset(inner, b),
            None => Ok(()),
        },
        Value::Null => Ok(()),
        _ => refuse(),
    }
}

/// `foreach ($v as &$item)`: arrays only (PHP warns and skips anything else).
pub fn each_mut(v: &mut Value, mut f: impl FnMut(&mut Value) -> R<()>) -> R<()> {
    if let Value::Arr(a) = v {
        for item in a.values_mut() {
            f(item)?;
        }
    }
    Ok(())
}

/// `foreach ($content[$name] as &$item)` guarded by `isset($content[$name])`.
pub fn each_of(content: &mut Value, name: &str, f: impl FnMut(&mut Value) -> R<()>) -> R<()> {
    match content.arr_mut().and_then(|a| a.get_mut(name)) {
        Some(v) => each_mut(v, f),
        None => Ok(()),
    }
}

/// `array_is_list($v)`: a `TypeError` for anything but an array.
pub fn is_list(v: Option<&Value>) -> R<bool> {
    match v {
        Some(Value::Arr(a)) => Ok(a.is_list()),
        _ => refuse(),
    }
}

/// A value given to a `string` parameter.
pub fn string_arg(v: &Value) -> R<String> {
    super::php::as_string(v).map_or_else(refuse, Ok)
}

/// A value given to an internal function's `string` parameter, where null is read as ''.
pub fn internal_string_arg(v: Option<&Value>) -> R<String> {
    match v {
        None | Some(Value::Null) => Ok(String::new()),
        Some(v) => string_arg(v),
    }
}

/// `$old ?? ... ; rename`: moves `from` to `to` unless `to` is set; `from` goes either way.
pub fn rename_unless_set(item: &mut Value, from: &str, to: &str) -> R<()> {
    if item.has(from) {
        if !item.has(to) {
            // `from` goes below: its value moves rather than being copied.
            let v = item
                .arr_mut()
                .and_then(|a| a.get_mut(from))
                .map_or(Value::Null, std::mem::take);
            assign(item, to, v)?;
        }
        unset(item, from)?;
    }
    Ok(())
}
