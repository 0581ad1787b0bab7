//! `#[\SensitiveParameter]` (PHP 8.2) on every parameter that carries a token, a key, a
//! KEK, a password or credentials, so that the engine replaces its value with a
//! `SensitiveParameterValue` in every trace: the `\TypeError` that PHP's own argument parsing
//! raises included, which this extension never gets to see.
//!
//! ext-php-rs has no way to declare parameter attributes, and registers the classes only after
//! the module's startup function has run. So the attributes are added once every module has
//! started, from the engine's post-startup hook, before any request and any thread exists.

#![allow(
    unsafe_code,
    reason = "the #[\\SensitiveParameter] attribute is added to the engine's function tables from its post-startup hook"
)]

use std::ffi::{c_char, CStr};

use super::zend::{zend_add_attribute, zend_post_startup_cb, PostStartup, ATTRIBUTE_PERSISTENT};

use ext_php_rs::ffi::{
    ext_php_rs_compiler_globals, ext_php_rs_zend_string_init, ext_php_rs_zend_string_release,
    zend_class_entry, zend_function, zend_hash_str_find, HashTable, ZEND_MODULE_API_NO,
};

/// Every function (class `None`) or method whose parameters listed hold secrets. Names are
/// the engine's lower-case keys; parameters go by name.
pub(crate) const SENSITIVE: &[(Option<&str>, &str, &[&str])] = &[
    (
        None,
        "glpiagentprotocol\\check_basic_auth",
        &["authorization_header", "password"],
    ),
    (None, "glpiagentprotocol\\wrap_key", &["key", "kek"]),
    (None, "glpiagentprotocol\\unwrap_key", &["kek"]),
    (None, "glpiagentprotocol\\seal_message", &["key"]),
    (None, "glpiagentprotocol\\open_message", &["key"]),
    (
        Some("glpiagentprotocol\\registerserver"),
        "challenge",
        &["token"],
    ),
    (
        Some("glpiagentprotocol\\registerserver"),
        "verify",
        &["token"],
    ),
    (
        Some("glpiagentprotocol\\registeragent"),
        "answer",
        &["token"],
    ),
    (
        Some("glpiagentprotocol\\registeragent"),
        "finish",
        &["token"],
    ),
    (
        Some("glpiagentprotocol\\certificateauthority"),
        "issue",
        &["ca_key"],
    ),
    // The headers may hold `Authorization`, the options the session key.
    (
        Some("glpiagentprotocol\\request"),
        "decode",
        &["headers", "options"],
    ),
];

/// PHP 8.2 (module API 20220829) is the first to honour the attribute.
const HONOURED: bool = ZEND_MODULE_API_NO >= 20_220_829;

static mut CHAINED: Option<PostStartup> = None;

/// Called from the module's startup: asks the engine to call [`mark`] once all modules have
/// started, keeping whatever hook another extension set before.
pub(crate) fn schedule() {
    if !HONOURED {
        return;
    }
    // SAFETY: MINIT runs on one thread, before the engine reads the hook.
    unsafe {
        CHAINED = zend_post_startup_cb;
        zend_post_startup_cb = Some(post_startup);
    }
}

unsafe extern "C" fn post_startup() -> i32 {
    // No panic may cross into the engine: a failure leaves the parameters unmarked, which the
    // test suite reports, rather than stopping PHP.
    let _ = std::panic::catch_unwind(|| mark());
    match CHAINED {
        Some(next) => next(),
        None => 0,
    }
}

/// Adds the attribute to each listed parameter that exists.
unsafe fn mark() {
    let name_text = "SensitiveParameter";
    let name = ext_php_rs_zend_string_init(name_text.as_ptr().cast(), name_text.len(), true);
    let cg = ext_php_rs_compiler_globals();
    for (class, function, params) in SENSITIVE {
        let table = match class {
            None => (*cg).function_table,
            Some(class) => match find_ptr::<zend_class_entry>((*cg).class_table, class) {
                Some(ce) => std::ptr::addr_of_mut!((*ce).function_table),
                None => continue,
            },
        };
        let Some(func) = find_ptr::<zend_function>(table, function) else {
            continue;
        };
        let args = (*func).internal_function.arg_info;
        for i in 0..(*func).common.num_args {
            let arg_name = (*args.add(i as usize)).name;
            if arg_name.is_null() {
                continue;
            }
            let arg_name = CStr::from_ptr(arg_name.cast::<c_char>());
            if params.iter().any(|p| p.as_bytes() == arg_name.to_bytes()) {
                // Offsets count from 1: 0 is the function itself.
                zend_add_attribute(
                    std::ptr::addr_of_mut!((*func).common.attributes),
                    name,
                    0,
                    ATTRIBUTE_PERSISTENT,
                    i + 1,
                    0,
                );
            }
        }
    }
    ext_php_rs_zend_string_release(name);
}

/// The pointer a table of functions or classes holds under `key` (an `IS_PTR` zval).
unsafe fn find_ptr<T>(table: *mut HashTable, key: &str) -> Option<*mut T> {
    let zv = zend_hash_str_find(table, key.as_ptr().cast(), key.len());
    if zv.is_null() {
        return None;
    }
    let ptr = (*zv).value.ptr.cast::<T>();
    (!ptr.is_null()).then_some(ptr)
}
