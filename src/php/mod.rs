//! The PHP binding layer: classes, functions, INI directives, phpinfo and the mapping
//! of core errors to PHP exceptions. No protocol logic lives here.

#![allow(
    unsafe_code,
    reason = "the engine's module entry reaches phpinfo() as a raw pointer"
)]

use ext_php_rs::prelude::*;
use ext_php_rs::zend::ModuleEntry;

pub mod convert;
pub mod converter;
pub mod envelope;
pub mod errors;
pub mod functions;
pub mod ini;
pub mod inventory;
pub(crate) mod json;
pub mod register;
pub mod request;
pub mod response;
mod sensitive;
pub mod validation;
pub mod x509;
mod zend;

/// Unix time in seconds, for the freshness checks of states and envelopes.
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// A `$max_age`-style argument: 0 means the INI default, a positive value itself.
pub(crate) fn seconds_or_default(seconds: i64, default: u32) -> Result<u32, crate::UsageError> {
    match seconds {
        0 => Ok(default),
        n if n > 0 => Ok(u32::try_from(n).unwrap_or(u32::MAX)),
        _ => Err(crate::UsageError::new(
            "max_age must be 0 (the INI default) or positive",
        )),
    }
}

/// The extension's version, as `phpversion('glpi_agent_protocol')` gives it.
///
/// @return `non-empty-string` a semantic version such as `"0.1.0"`
#[php_function]
#[php(name = "GlpiAgentProtocol\\version")]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

// The engine calls these three directly: a panic must not unwind into it. At startup and
// shutdown no exception can be raised, so a panic is a failed step; in phpinfo() the section
// is cut short.
extern "C" fn startup(_ty: i32, module_number: i32) -> i32 {
    std::panic::catch_unwind(|| {
        ini::register(module_number);
        sensitive::schedule();
        errors::register_classes().is_ok()
    })
    .map_or(-1, |ok| if ok { 0 } else { -1 })
}

extern "C" fn shutdown(_ty: i32, module_number: i32) -> i32 {
    std::panic::catch_unwind(|| ini::unregister(module_number)).map_or(-1, |()| 0)
}

extern "C" fn info(module: *mut ModuleEntry) {
    // SAFETY: `module` is the entry the engine passes to this info function; a panic leaves
    // nothing of it half-changed, since printing only reads it.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| unsafe {
        ini::print_info(module.cast())
    }));
}

// Panics on purpose, in a build with the `panic-test` feature only, so that a test can show a
// panic reaching PHP as \Error with the process going on. `$site` is 'function' (inside a
// function ext-php-rs wraps) or 'handler' (inside a handler the engine calls directly, guarded
// by the extension itself). Not in the stubs: the extension users load does not have it.
#[cfg(feature = "panic-test")]
#[allow(
    missing_docs,
    reason = "a test hook, left out of the stubs and of the extension users load"
)]
#[php_function]
#[php(name = "GlpiAgentProtocol\\panic_for_test")]
pub fn panic_for_test(site: &str) {
    match site {
        "handler" => errors::guard((), || panic!("a test panic in a raw handler")),
        _ => panic!("a test panic in a function"),
    }
}

#[php_module]
#[php(startup = startup)]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    let module = envelope::register(functions::register(module));
    let module = x509::register(module);
    let module = register::register_functions(module)
        .shutdown_function(shutdown)
        .info_function(info)
        .function(wrap_function!(version));
    #[cfg(feature = "panic-test")]
    let module = module.function(wrap_function!(panic_for_test));
    module
        .class::<request::Request>()
        .class::<inventory::Inventory>()
        .class::<response::Response>()
        .class::<register::RegisterServer>()
        .class::<register::RegisterAgent>()
        .class::<validation::Validation>()
}
