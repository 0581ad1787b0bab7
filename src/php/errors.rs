//! The one place where core errors become PHP exceptions.
//!
//! `GlpiAgentProtocol\ProtocolException` is registered by hand rather than as a Rust-backed
//! class: a plain subclass of `\RuntimeException` keeps the engine's own exception
//! constructor, so file, line and trace are filled in exactly as for any PHP exception.
//! Its extra state (token, expiration) lives in ordinary protected properties.

#![allow(
    unsafe_code,
    reason = "ProtocolException is built with the engine's property functions, which take raw pointers"
)]

use std::sync::atomic::{AtomicPtr, Ordering};

use ext_php_rs::args::Arg;
use ext_php_rs::builders::{ClassBuilder, ClassProperty, FunctionBuilder};
use ext_php_rs::convert::IntoZval;
use ext_php_rs::exception::PhpException;
use ext_php_rs::ffi::zend_class_entry;
use ext_php_rs::flags::{ConstantFlags, DataType, MethodFlags, PropertyFlags};
use ext_php_rs::types::{ZendHashTable, ZendObject, Zval};
use ext_php_rs::zend::{ce, ClassEntry, ExecuteData, ExecutorGlobals};

use super::zend::{spl_ce_RuntimeException, zend_read_property, zend_update_property_ex};
use crate::error::{Error, ProtocolError, UsageError};

/// What a remote party got wrong (bad bytes, bad headers, a failed challenge, an expired
/// key, an oversize payload): the HTTP status to answer is `getCode()`, the spec's error
/// token `getToken()`, and `Response::forError()` turns it into the answer. Messages and
/// traces never hold a token, key, secret or password.
pub const PROTOCOL_EXCEPTION: &str = "GlpiAgentProtocol\\ProtocolException";

static PROTOCOL_EXCEPTION_CE: AtomicPtr<zend_class_entry> = AtomicPtr::new(std::ptr::null_mut());

fn runtime_exception() -> &'static ClassEntry {
    // SAFETY: SPL is always compiled into PHP and registers this class before any extension
    // module starts up.
    unsafe { &*spl_ce_RuntimeException.cast::<ClassEntry>() }
}

/// The class entry of `ProtocolException`, available once the module has started.
pub fn protocol_exception_ce() -> &'static ClassEntry {
    let ptr = PROTOCOL_EXCEPTION_CE.load(Ordering::Acquire);
    assert!(
        !ptr.is_null(),
        "ProtocolException used before module startup"
    );
    // SAFETY: set once at MINIT to a class entry that lives as long as the process.
    unsafe { &*ptr.cast::<ClassEntry>() }
}

fn update_property(scope: &ClassEntry, obj: &mut ZendObject, name: &str, value: Zval) {
    let mut name = ext_php_rs::types::ZendStr::new(name, false);
    let mut value = value;
    // SAFETY: all pointers are valid for the call; the engine copies the value.
    unsafe {
        zend_update_property_ex(
            std::ptr::from_ref(scope).cast_mut().cast(),
            std::ptr::from_mut(obj).cast(),
            std::ptr::from_mut(&mut *name).cast(),
            std::ptr::from_mut(&mut value).cast(),
        );
    }
}

pub(crate) fn read_property(scope: &ClassEntry, obj: &ZendObject, name: &str) -> Option<Zval> {
    let mut rv = Zval::new();
    // SAFETY: silent read of a declared property; the result is copied before `rv` drops.
    let ptr = unsafe {
        zend_read_property(
            std::ptr::from_ref(scope).cast_mut().cast(),
            std::ptr::from_ref(obj).cast_mut().cast(),
            name.as_ptr().cast(),
            name.len(),
            true,
            std::ptr::from_mut(&mut rv).cast(),
        )
    };
    // SAFETY: the engine returns either null or a pointer to a live zval.
    unsafe { ptr.cast::<Zval>().as_ref() }.map(Zval::shallow_clone)
}

/// Creates an exception object whose trace records no arguments: the frames it would show
/// are this extension's functions, whose arguments are request bodies, tokens and keys.
fn new_exception_object(class: &ClassEntry) -> ext_php_rs::boxed::ZBox<ZendObject> {
    let saved = {
        let mut eg = ExecutorGlobals::get_mut();
        std::mem::replace(&mut eg.exception_ignore_args, true)
    };
    let obj = ZendObject::new(class);
    ExecutorGlobals::get_mut().exception_ignore_args = saved;
    obj
}

/// Builds a `ProtocolException` object without throwing it.
fn new_protocol_exception(
    token: &str,
    status: u16,
    message: &str,
    expiration: Zval,
    legacy_agent: bool,
) -> Zval {
    let class = protocol_exception_ce();
    let mut obj = new_exception_object(class);
    let base = ce::exception();
    update_property(
        base,
        &mut obj,
        "message",
        message.into_zval(false).unwrap_or_default(),
    );
    update_property(
        base,
        &mut obj,
        "code",
        i64::from(status).into_zval(false).unwrap_or_default(),
    );
    update_property(
        class,
        &mut obj,
        "token",
        token.into_zval(false).unwrap_or_default(),
    );
    update_property(class, &mut obj, "expiration", expiration);
    if legacy_agent {
        update_property(
            class,
            &mut obj,
            LEGACY_AGENT,
            true.into_zval(false).unwrap_or_default(),
        );
    }
    obj.into_zval(false).unwrap_or_default()
}

/// The protected property that marks a refusal of a legacy agent's request, made before
/// any `Request` existed: `Response::forError()` answers it in XML.
pub const LEGACY_AGENT: &str = "legacyAgent";

/// The PHP exception for a core protocol error.
pub fn protocol_exception(e: &ProtocolError) -> PhpException {
    refusal(e, false)
}

/// The PHP exception for a request refused while it was decoded; `legacy_agent` when the
/// answer must be the XML a legacy agent reads.
pub fn refusal(e: &ProtocolError, legacy_agent: bool) -> PhpException {
    let expiration = super::convert::value_to_zval(&crate::message::default_error_expiration(e));
    let object = new_protocol_exception(
        e.token(),
        e.http_status(),
        &e.detail(),
        expiration,
        legacy_agent,
    );
    PhpException::new(
        e.detail(),
        i32::from(e.http_status()),
        protocol_exception_ce(),
    )
    .with_object(object)
}

/// The PHP `\ValueError` for caller misuse. Misuse often means a secret of the wrong
/// size, so this trace, too, leaves out the call's arguments.
pub fn value_error(e: &UsageError) -> PhpException {
    let mut obj = new_exception_object(ce::value_error());
    update_property(
        ce::error(),
        &mut obj,
        "message",
        e.to_string().into_zval(false).unwrap_or_default(),
    );
    let object = obj.into_zval(false).unwrap_or_default();
    PhpException::new(e.to_string(), 0, ce::value_error()).with_object(object)
}

/// The OS random generator failed: PHP's own exception for that case, never a fallback.
pub fn random_error() -> PhpException {
    let ce = ClassEntry::try_find("Random\\RandomException").unwrap_or_else(ce::exception);
    PhpException::new(
        "the operating system's random generator failed".into(),
        0,
        ce,
    )
}

/// Maps a core error of any kind.
pub fn php_error(e: Error) -> PhpException {
    match e {
        Error::Protocol(p) => protocol_exception(&p),
        Error::Usage(u) => value_error(&u),
        Error::Rng(_) => random_error(),
    }
}

/// Lets `?` convert core errors inside `PhpResult` functions.
pub trait IntoPhp<T> {
    /// The result with its error as the PHP exception it maps to.
    fn php(self) -> Result<T, PhpException>;
}

impl<T> IntoPhp<T> for Result<T, ProtocolError> {
    fn php(self) -> Result<T, PhpException> {
        self.map_err(|e| protocol_exception(&e))
    }
}

impl<T> IntoPhp<T> for Result<T, UsageError> {
    fn php(self) -> Result<T, PhpException> {
        self.map_err(|e| value_error(&e))
    }
}

impl<T> IntoPhp<T> for Result<T, Error> {
    fn php(self) -> Result<T, PhpException> {
        self.map_err(php_error)
    }
}

/// Runs the body of a handler the engine calls directly (not through ext-php-rs's macros,
/// which guard their own): a panic unwinding out of an `extern "C"` function would abort
/// the process, so it becomes a PHP `\Error` here instead. `fallback` is what the handler
/// returns then.
pub(crate) fn guard<R>(fallback: R, body: impl FnOnce() -> R) -> R {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(r) => r,
        Err(_) => {
            PhpException::new(
                "internal error in the glpi_agent_protocol extension".into(),
                0,
                ce::error(),
            )
            .throw();
            fallback
        }
    }
}

fn this_object(ex: &mut ExecuteData) -> Option<&mut ZendObject> {
    ex.get_self()
}

/// A refusal to answer with: `$token` the error token sent as the answer's `message`,
/// `$code` its HTTP status, `$message` the exception message (default the token), and
/// `$expiration` the delay after which the agent may try again.
///
/// @param `string` $token the spec's error token, such as `'forbidden'`
/// @param `int<400, 599>` $code the HTTP status to answer with
/// @param `string|null` $message the exception message; null for the token
/// @param `string|int|null` $expiration a delay definition (`'1h'`, or an int of hours) for
///   the answer's `expiration`; null for none
/// @throws `\ValueError` for a `$code` that is not an HTTP status from 400 to 599
extern "C" fn pe_construct(ex: &mut ExecuteData, _retval: &mut Zval) {
    guard((), || {
        let mut token = Arg::new("token", DataType::String);
        let mut code = Arg::new("code", DataType::Long).default("400");
        let mut message = Arg::new("message", DataType::String)
            .allow_null()
            .default("null");
        let mut expiration = Arg::new("expiration", DataType::Mixed)
            .allow_null()
            .default("null");
        let parsed = ex
            .parser()
            .arg(&mut token)
            .not_required()
            .arg(&mut code)
            .arg(&mut message)
            .arg(&mut expiration)
            .parse();
        if parsed.is_err() {
            return;
        }
        let token: String = token.val().unwrap_or_default();
        let code: i64 = code.val().unwrap_or(400);
        let message: Option<String> = message.val();
        let expiration = expiration
            .zval()
            .map(|z| z.shallow_clone())
            .unwrap_or_default();
        if !(400..600).contains(&code) {
            PhpException::new(
                "ProtocolException code must be an HTTP status from 400 to 599".into(),
                0,
                ce::value_error(),
            )
            .throw();
            return;
        }
        let Some(this) = this_object(ex) else { return };
        let class = protocol_exception_ce();
        update_property(
            ce::exception(),
            this,
            "message",
            message
                .unwrap_or_else(|| token.clone())
                .into_zval(false)
                .unwrap_or_default(),
        );
        update_property(
            ce::exception(),
            this,
            "code",
            code.into_zval(false).unwrap_or_default(),
        );
        update_property(
            class,
            this,
            "token",
            token.into_zval(false).unwrap_or_default(),
        );
        update_property(class, this, "expiration", expiration);
    })
}

/// The spec's error token, sent as the answer's `message`.
///
/// @return `string` the token, such as `'challenge failed'`
extern "C" fn pe_get_token(ex: &mut ExecuteData, retval: &mut Zval) {
    guard((), || {
        let class = protocol_exception_ce();
        if let Some(this) = this_object(ex) {
            if let Some(v) = read_property(class, this, "token") {
                *retval = v;
            }
        }
    })
}

/// The delay after which the agent may try again, as the answer's `expiration` gives it.
///
/// @return `string|int|null` a delay definition (`'30m'`, or an int of hours), or null for none
extern "C" fn pe_get_expiration(ex: &mut ExecuteData, retval: &mut Zval) {
    guard((), || {
        let class = protocol_exception_ce();
        if let Some(this) = this_object(ex) {
            if let Some(v) = read_property(class, this, "expiration") {
                *retval = v;
            }
        }
    })
}

/// The JSON answer to send, as `Response::forError()` sends it.
///
/// @return `array{status: 'error', message: string, expiration?: string|int}` the answer;
///   `expiration` only when there is one
extern "C" fn pe_get_answer(ex: &mut ExecuteData, retval: &mut Zval) {
    guard((), || {
        let class = protocol_exception_ce();
        let Some(this) = this_object(ex) else { return };
        let token = read_property(class, this, "token").unwrap_or_default();
        let expiration = read_property(class, this, "expiration").unwrap_or_default();
        let mut answer = ZendHashTable::new();
        let _ = answer.insert("status", "error");
        let _ = answer.insert("message", token);
        if !expiration.is_null() {
            let _ = answer.insert("expiration", expiration);
        }
        if let Ok(z) = answer.into_zval(false) {
            *retval = z;
        }
    })
}

/// The HTTP status the extension answers `$token` with: `ProtocolException::statusOf(
/// ProtocolException::BUSY_SERVER)` is 503. Every token is also a class constant named
/// after it (`BAD_FORMAT` for `'bad-format'`).
///
/// @param `string` $token an error token, as `getToken()` returns it
/// @return `int|null` its status, or null when it is not a token of the extension
extern "C" fn pe_status_of(ex: &mut ExecuteData, retval: &mut Zval) {
    guard((), || {
        let mut token = Arg::new("token", DataType::String);
        if ex.parser().arg(&mut token).parse().is_err() {
            return;
        }
        let token: String = token.val().unwrap_or_default();
        match ProtocolError::all().iter().find(|e| e.token() == token) {
            Some(e) => retval.set_long(i64::from(e.http_status())),
            None => retval.set_null(),
        }
    })
}

/// Registers the exception class; called from module startup.
pub fn register_classes() -> ext_php_rs::error::Result<()> {
    let ce_fn: fn() -> &'static ClassEntry = runtime_exception;
    let mut builder = ClassBuilder::new(PROTOCOL_EXCEPTION);
    // Every token as a class constant, so PHP code names a refusal instead of retyping it.
    for e in ProtocolError::all() {
        builder = builder.constant(e.constant_name(), e.token(), &[], ConstantFlags::Public)?;
    }
    let builder = builder
        .extends((ce_fn, "\\RuntimeException"))
        .property(ClassProperty {
            name: "token".into(),
            flags: PropertyFlags::Protected,
            default: Some(Box::new(|| "".into_zval(false))),
            docs: &[],
            ty: Some(DataType::String),
            nullable: false,
            readonly: false,
            default_stub: Some("''".into()),
        })
        .property(ClassProperty {
            name: LEGACY_AGENT.into(),
            flags: PropertyFlags::Protected,
            default: Some(Box::new(|| false.into_zval(false))),
            docs: &[],
            ty: Some(DataType::Bool),
            nullable: false,
            readonly: false,
            default_stub: Some("false".into()),
        })
        .property(ClassProperty {
            name: "expiration".into(),
            flags: PropertyFlags::Protected,
            default: Some(Box::new(|| Ok(Zval::new()))),
            docs: &[],
            ty: Some(DataType::Mixed),
            nullable: true,
            readonly: false,
            default_stub: Some("null".into()),
        })
        .method(
            FunctionBuilder::constructor(pe_construct)
                .arg(Arg::new("token", DataType::String))
                .not_required()
                .arg(Arg::new("code", DataType::Long).default("400"))
                .arg(
                    Arg::new("message", DataType::String)
                        .allow_null()
                        .default("null"),
                )
                .arg(
                    Arg::new("expiration", DataType::Mixed)
                        .allow_null()
                        .default("null"),
                ),
            MethodFlags::Public,
        )
        .method(
            FunctionBuilder::new("getToken", pe_get_token).returns(DataType::String, false, false),
            MethodFlags::Public,
        )
        .method(
            FunctionBuilder::new("getExpiration", pe_get_expiration).returns(
                DataType::Mixed,
                false,
                true,
            ),
            MethodFlags::Public,
        )
        .method(
            FunctionBuilder::new("getAnswer", pe_get_answer).returns(DataType::Array, false, false),
            MethodFlags::Public,
        )
        .method(
            FunctionBuilder::new("statusOf", pe_status_of)
                .arg(Arg::new("token", DataType::String))
                .returns(DataType::Long, false, true),
            MethodFlags::Public | MethodFlags::Static,
        );
    let registration: fn(&'static mut ClassEntry, _) = |class, _| {
        PROTOCOL_EXCEPTION_CE.store(std::ptr::from_mut(class).cast(), Ordering::Release);
    };
    builder.registration(registration).register()
}
