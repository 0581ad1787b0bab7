//! Fuzz target for the JSON decoder (RFC 8259 with PHP 8.2's `json_decode` rules).
//! Oracle: no panic; a document is accepted only if it is UTF-8; substitution never
//! changes an accepted document; a reused scratch gives the result of a fresh one; the
//! free bound on the values' PHP memory is never below its estimate; and
//! where serde_json accepts the input, the values agree (mapped by PHP's rules).
#![no_main]

use std::cell::RefCell;

use glpi_agent_protocol::json::value::{build, decode, ArrayKey, PhpValue};
use glpi_agent_protocol::json::{cost, parse, php_integer_key, ParseOptions, Scratch};
use glpi_agent_protocol::limits::InvalidUtf8;
use glpi_agent_protocol::ProtocolError;
use libfuzzer_sys::fuzz_target;

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::new());
}

fn from_serde(v: &serde_json::Value, assoc: bool) -> PhpValue {
    use serde_json::Value;
    match v {
        Value::Null => PhpValue::Null,
        Value::Bool(b) => PhpValue::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => PhpValue::Int(i),
            (None, Some(u), _) => PhpValue::Float(u as f64),
            (_, _, f) => PhpValue::Float(f.unwrap_or(f64::NAN)),
        },
        Value::String(s) => PhpValue::String(s.as_bytes().to_vec()),
        Value::Array(a) => PhpValue::Array(
            a.iter()
                .enumerate()
                .map(|(i, v)| (ArrayKey::Int(i as i64), from_serde(v, assoc)))
                .collect(),
        ),
        Value::Object(m) if assoc => PhpValue::Array(
            m.iter()
                .map(|(k, v)| {
                    let key = match php_integer_key(k.as_bytes()) {
                        Some(i) => ArrayKey::Int(i),
                        None => ArrayKey::Str(k.as_bytes().to_vec()),
                    };
                    (key, from_serde(v, assoc))
                })
                .collect(),
        ),
        Value::Object(m) => PhpValue::Object(
            m.iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), from_serde(v, assoc)))
                .collect(),
        ),
    }
}

/// Equality, except that PHP's int 0 for `-0` matches serde_json's -0.0.
fn agree(ours: &PhpValue, oracle: &PhpValue) -> bool {
    match (ours, oracle) {
        (PhpValue::Int(0), PhpValue::Float(f)) => f.to_bits() == (-0.0f64).to_bits(),
        (PhpValue::Array(a), PhpValue::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.0 == y.0 && agree(&x.1, &y.1))
        }
        (PhpValue::Object(a), PhpValue::Object(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.0 == y.0 && agree(&x.1, &y.1))
        }
        _ => ours == oracle,
    }
}

fuzz_target!(|data: &[u8]| {
    let oracle = serde_json::from_slice::<serde_json::Value>(data);
    for assoc in [false, true] {
        let strict = ParseOptions { assoc, ..ParseOptions::default() };
        let ours = decode(data, &strict);
        if ours.is_ok() {
            assert!(std::str::from_utf8(data).is_ok(), "accepted bytes that are not UTF-8");
        }

        let lenient = ParseOptions { invalid_utf8: InvalidUtf8::Substitute, ..strict };
        let substituted = decode(data, &lenient);
        if let Ok(v) = &ours {
            assert_eq!(substituted.as_ref(), Ok(v), "substitution changed a valid document");
        }

        let reused = SCRATCH.with(|s| {
            parse(data, &lenient, &mut s.borrow_mut()).map(|t| {
                // The free bound decides when the memory estimate can be skipped: it may
                // never be below the estimate.
                assert!(cost::zend_bytes(&t, assoc) <= cost::zend_bytes_bound(&t), "memory bound below the estimate");
                build(&t, assoc)
            })
        });
        assert_eq!(reused, substituted, "a reused scratch decoded differently");

        let shallow = ParseOptions { max_depth: 3, ..strict };
        match decode(data, &shallow) {
            Ok(v) => assert_eq!(Ok(&v), ours.as_ref()),
            Err(ProtocolError::JsonTooDeep { limit: 3 }) => {}
            Err(e) => assert!(ours.is_err(), "depth 3 failed with {e:?} where depth 512 passed"),
        }

        match &oracle {
            Ok(v) => match &ours {
                Ok(o) => assert!(agree(o, &from_serde(v, assoc)), "values differ from serde_json"),
                // serde_json takes NUL-led keys, PHP refuses them as property names.
                Err(ProtocolError::InvalidPropertyName) if !assoc => {}
                Err(e) => panic!("serde_json accepts, we refuse with {e:?}"),
            },
            Err(e) => {
                let msg = e.to_string();
                // serde_json refuses numbers that overflow to INF (PHP takes them) and
                // stops at 128 levels (PHP at 512).
                if !msg.contains("out of range") && !msg.contains("recursion limit") {
                    assert!(ours.is_err(), "serde_json refuses ({msg}), we accept");
                }
            }
        }
    }
});
