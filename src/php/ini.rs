//! INI directives `glpi_agent_protocol.*`: one per limit, validated when set, read per call
//! into a [`Limits`] value, and shown by `phpinfo()`.

use std::cell::{Cell, RefCell};
use std::ffi::{c_int, c_void, CStr};

use ext_php_rs::ffi::{zend_ini_entry, zend_string};
use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};
use ext_php_rs::{info_table_end, info_table_header, info_table_row, info_table_start};

use crate::limits::{InvalidUtf8, Limits};
use crate::schema::{Mode, DEFAULT_MAX_VIOLATIONS};

extern "C" {
    fn zend_unregister_ini_entries(module_number: c_int);
    fn display_ini_entries(module: *mut c_void);
}

type OnModify = unsafe extern "C" fn(
    entry: *mut zend_ini_entry,
    new_value: *mut zend_string,
    mh_arg1: *mut c_void,
    mh_arg2: *mut c_void,
    mh_arg3: *mut c_void,
    stage: c_int,
) -> c_int;

const SUCCESS: c_int = 0;
const FAILURE: c_int = -1;

fn zend_string_bytes(s: *mut zend_string) -> Option<&'static [u8]> {
    // SAFETY: the engine passes a live zend_string for the duration of the callback; the
    // slice is used only inside it.
    unsafe {
        let s = s.as_ref()?;
        Some(std::slice::from_raw_parts(
            s.val.as_ptr().cast::<u8>(),
            s.len,
        ))
    }
}

thread_local! {
    /// The limits in force, kept up to date by the engine's on-modify calls (at startup,
    /// on ini_set() and when a request ends and restores its values; in a threaded PHP,
    /// each thread's copy of the directives is refreshed the same way), so that reading
    /// them per call costs no lookup.
    static ACTIVE: Cell<Limits> = const { Cell::new(Limits::DEFAULT) };
}

/// The defaults of `Inventory::validate()`, from the `validation_*` directives.
#[derive(Debug, Clone)]
pub struct ValidationSettings {
    pub mode: Mode,
    pub tolerate_strings: bool,
    pub max_violations: usize,
    /// None: the bundled inventory_format schema.
    pub schema_path: Option<String>,
}

thread_local! {
    static VALIDATION: RefCell<ValidationSettings> = const {
        RefCell::new(ValidationSettings {
            mode: Mode::Strict,
            tolerate_strings: true,
            max_violations: DEFAULT_MAX_VIOLATIONS,
            schema_path: None,
        })
    };
}

/// The validation defaults in force for this request.
pub fn validation() -> ValidationSettings {
    VALIDATION.with(|v| v.borrow().clone())
}

fn parse_ini_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "on" | "yes" | "true" => Some(true),
        "0" | "off" | "no" | "false" | "" => Some(false),
        _ => None,
    }
}

unsafe extern "C" fn on_modify_validation(
    entry: *mut zend_ini_entry,
    new_value: *mut zend_string,
    _a1: *mut c_void,
    _a2: *mut c_void,
    _a3: *mut c_void,
    _stage: c_int,
) -> c_int {
    let Some(value) = zend_string_bytes(new_value).and_then(|b| std::str::from_utf8(b).ok()) else {
        return FAILURE;
    };
    let Some(name) = entry_name(entry) else {
        return FAILURE;
    };
    let ok = VALIDATION.with(|v| {
        let mut v = v.borrow_mut();
        match name {
            n if n == VALIDATION_MODE.to_bytes() => Mode::parse(value).map(|m| v.mode = m),
            n if n == VALIDATION_TOLERATE_STRINGS.to_bytes() => {
                parse_ini_bool(value).map(|b| v.tolerate_strings = b)
            }
            n if n == VALIDATION_MAX_VIOLATIONS.to_bytes() => parse_positive(value.as_bytes())
                .map(|n| v.max_violations = usize::try_from(n).unwrap_or(usize::MAX)),
            n if n == VALIDATION_SCHEMA.to_bytes() => {
                let path = value.trim();
                v.schema_path = (!path.is_empty()).then(|| path.to_owned());
                Some(())
            }
            _ => None,
        }
        .is_some()
    });
    if ok {
        SUCCESS
    } else {
        FAILURE
    }
}

fn entry_name(entry: *mut zend_ini_entry) -> Option<&'static [u8]> {
    // SAFETY: the engine passes its live entry; its name lives as long as the entry.
    unsafe { entry.as_ref().and_then(|e| zend_string_bytes(e.name)) }
}

fn store(name: &[u8], value: i64) {
    let v32 = u32::try_from(value).unwrap_or(u32::MAX);
    ACTIVE.with(|active| {
        let mut l = active.get();
        match name {
            n if n == MAX_DECODED_BYTES.to_bytes() => l.max_decoded_bytes = value as u64,
            n if n == MAX_RATIO.to_bytes() => l.max_ratio = v32,
            n if n == MAX_RATIO_BROTLI.to_bytes() => l.max_ratio_brotli = v32,
            n if n == MAX_DEPTH.to_bytes() => l.max_depth = v32,
            n if n == MAX_VALUES.to_bytes() => l.max_values = value as u64,
            n if n == MAX_PROXIES.to_bytes() => l.max_proxies = v32,
            n if n == CHALLENGE_MAX_AGE.to_bytes() => l.challenge_max_age = v32,
            n if n == MESSAGE_MAX_AGE.to_bytes() => l.message_max_age = v32,
            n if n == MAX_CERTIFICATE_BYTES.to_bytes() => l.max_certificate_bytes = v32,
            _ => return,
        }
        active.set(l);
    });
}

/// Accepts a whole number from 1 to `i64::MAX`, as every size and count limit needs.
unsafe extern "C" fn on_modify_positive(
    entry: *mut zend_ini_entry,
    new_value: *mut zend_string,
    _a1: *mut c_void,
    _a2: *mut c_void,
    _a3: *mut c_void,
    _stage: c_int,
) -> c_int {
    match zend_string_bytes(new_value).and_then(parse_positive) {
        Some(v) => {
            if let Some(name) = entry_name(entry) {
                store(name, v);
            }
            SUCCESS
        }
        None => FAILURE,
    }
}

unsafe extern "C" fn on_modify_utf8_mode(
    _entry: *mut zend_ini_entry,
    new_value: *mut zend_string,
    _a1: *mut c_void,
    _a2: *mut c_void,
    _a3: *mut c_void,
    _stage: c_int,
) -> c_int {
    match zend_string_bytes(new_value)
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(InvalidUtf8::parse)
    {
        Some(mode) => {
            ACTIVE.with(|active| {
                let mut l = active.get();
                l.invalid_utf8 = mode;
                active.set(l);
            });
            SUCCESS
        }
        None => FAILURE,
    }
}

fn parse_positive(b: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(b).ok()?.trim();
    let v: i64 = s.parse().ok()?;
    (v > 0).then_some(v)
}

const fn entry(name: &'static CStr, default: &'static CStr, check: OnModify) -> IniEntryDef {
    let mut e = IniEntryDef::new(name, default, IniEntryPermission::All);
    e.on_modify = Some(check);
    e
}

pub const MAX_DECODED_BYTES: &CStr = c"glpi_agent_protocol.max_decoded_bytes";
pub const MAX_RATIO: &CStr = c"glpi_agent_protocol.max_ratio";
pub const MAX_RATIO_BROTLI: &CStr = c"glpi_agent_protocol.max_ratio_brotli";
pub const MAX_DEPTH: &CStr = c"glpi_agent_protocol.max_depth";
pub const MAX_VALUES: &CStr = c"glpi_agent_protocol.max_values";
pub const MAX_PROXIES: &CStr = c"glpi_agent_protocol.max_proxies";
pub const CHALLENGE_MAX_AGE: &CStr = c"glpi_agent_protocol.challenge_max_age";
pub const MESSAGE_MAX_AGE: &CStr = c"glpi_agent_protocol.message_max_age";
pub const INVALID_UTF8: &CStr = c"glpi_agent_protocol.invalid_utf8";
pub const MAX_CERTIFICATE_BYTES: &CStr = c"glpi_agent_protocol.max_certificate_bytes";
pub const VALIDATION_MODE: &CStr = c"glpi_agent_protocol.validation_mode";
pub const VALIDATION_TOLERATE_STRINGS: &CStr = c"glpi_agent_protocol.validation_tolerate_strings";
pub const VALIDATION_MAX_VIOLATIONS: &CStr = c"glpi_agent_protocol.validation_max_violations";
pub const VALIDATION_SCHEMA: &CStr = c"glpi_agent_protocol.validation_schema";

// The defaults are written out as text because the engine keeps C strings; the test
// below keeps them equal to `Limits::DEFAULT`.
static ENTRIES: IniEntryDefs<15> = IniEntryDefs::new([
    entry(MAX_DECODED_BYTES, c"67108864", on_modify_positive),
    entry(MAX_RATIO, c"200", on_modify_positive),
    entry(MAX_RATIO_BROTLI, c"1000", on_modify_positive),
    entry(MAX_DEPTH, c"512", on_modify_positive),
    entry(MAX_VALUES, c"4000000", on_modify_positive),
    entry(MAX_PROXIES, c"5", on_modify_positive),
    entry(CHALLENGE_MAX_AGE, c"60", on_modify_positive),
    entry(MESSAGE_MAX_AGE, c"300", on_modify_positive),
    entry(INVALID_UTF8, c"error", on_modify_utf8_mode),
    entry(MAX_CERTIFICATE_BYTES, c"16384", on_modify_positive),
    entry(VALIDATION_MODE, c"strict", on_modify_validation),
    entry(VALIDATION_TOLERATE_STRINGS, c"1", on_modify_validation),
    entry(VALIDATION_MAX_VIOLATIONS, c"1000", on_modify_validation),
    entry(VALIDATION_SCHEMA, c"", on_modify_validation),
    IniEntryDef::end(),
]);

pub fn register(module_number: i32) {
    IniEntryDef::register(ENTRIES.as_slice(), module_number);
}

pub fn unregister(module_number: i32) {
    // SAFETY: called once at module shutdown with the number given at startup.
    unsafe { zend_unregister_ini_entries(module_number) };
}

/// The limits in force for this request, from the INI directives.
pub fn limits() -> Limits {
    ACTIVE.with(Cell::get)
}

/// The `phpinfo()` section: version, encodings and the limits in force.
///
/// # Safety
/// `module` must be the module entry the engine passed to the extension's info function.
pub unsafe fn print_info(module: *mut c_void) {
    info_table_start!();
    info_table_header!("GLPI Agent protocol support", "enabled");
    info_table_row!("Version", env!("CARGO_PKG_VERSION"));
    info_table_row!(
        "Protocol",
        "GLPI JSON protocol 1.0 (CONTACT, INVENTORY, REGISTER), legacy XML PROLOG"
    );
    info_table_row!("Encodings", crate::SUPPORTED_ENCODINGS);
    let l = limits();
    info_table_row!("Active max decoded bytes", l.max_decoded_bytes.to_string());
    info_table_row!("Active max compression ratio", l.max_ratio.to_string());
    info_table_row!("Active max brotli ratio", l.max_ratio_brotli.to_string());
    info_table_row!("Active max JSON depth", l.max_depth.to_string());
    info_table_row!("Active max JSON values", l.max_values.to_string());
    info_table_row!("Active max proxies", l.max_proxies.to_string());
    info_table_row!(
        "Active challenge max age (s)",
        l.challenge_max_age.to_string()
    );
    info_table_row!("Active message max age (s)", l.message_max_age.to_string());
    info_table_row!("Active invalid UTF-8 handling", l.invalid_utf8.as_str());
    info_table_row!(
        "Active max certificate bytes",
        l.max_certificate_bytes.to_string()
    );
    let v = validation();
    info_table_row!(
        "Inventory schema",
        v.schema_path
            .as_deref()
            .unwrap_or("bundled inventory_format 1.2.3")
    );
    info_table_end!();
    // SAFETY: the caller passes the entry the engine gave its info function.
    unsafe { display_ini_entries(module) };
}
