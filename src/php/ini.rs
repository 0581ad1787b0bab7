//! INI directives `glpi_agent_protocol.*`: one per limit, validated when set, read per call
//! into a [`Limits`] value, and shown by `phpinfo()`.

#![allow(
    unsafe_code,
    reason = "the engine calls the INI on-modify handlers with raw pointers and keeps the entry table"
)]

use std::cell::{Cell, RefCell};
use std::ffi::{c_int, c_void, CStr};

use ext_php_rs::ffi::{zend_ini_entry, zend_string};
use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};
use ext_php_rs::{info_table_end, info_table_header, info_table_row, info_table_start};

use super::zend::{display_ini_entries, zend_unregister_ini_entries};
use crate::limits::{Limit, LimitValue, Limits, LIMITS};
use crate::schema::{Mode, DEFAULT_MAX_VIOLATIONS};

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
    /// `validation_mode`: strict (GLPI's verdict) or lenient (salvage).
    pub mode: Mode,
    /// `validation_tolerate_strings`: GLPI's coercion of `"42"` and `"yes"`.
    pub tolerate_strings: bool,
    /// `validation_max_violations`: how many violations are reported.
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
    // As for the limits: a panic refuses the value rather than unwinding into the engine.
    std::panic::catch_unwind(|| validation_modified(entry, new_value)).unwrap_or(FAILURE)
}

fn validation_modified(entry: *mut zend_ini_entry, new_value: *mut zend_string) -> c_int {
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
            // The same positive integers the limits' directives accept.
            n if n == VALIDATION_MAX_VIOLATIONS.to_bytes() => <u64 as LimitValue>::parse(value)
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

/// Every limit's directive: the value is checked and stored by the [`LIMITS`] table's
/// setter, so a directive accepts exactly what the per-call option does.
unsafe extern "C" fn on_modify_limit(
    entry: *mut zend_ini_entry,
    new_value: *mut zend_string,
    _a1: *mut c_void,
    _a2: *mut c_void,
    _a3: *mut c_void,
    _stage: c_int,
) -> c_int {
    // The engine may call this at startup, where no exception can be thrown: a panic
    // refuses the value.
    std::panic::catch_unwind(|| {
        let limit = entry_name(entry).and_then(Limit::for_directive)?;
        let value = zend_string_bytes(new_value).and_then(|b| std::str::from_utf8(b).ok())?;
        ACTIVE.with(|active| {
            let mut l = active.get();
            (limit.set)(&mut l, value).then(|| active.set(l))
        })
    })
    .ok()
    .flatten()
    .map_or(FAILURE, |()| SUCCESS)
}

const fn entry(name: &'static CStr, default: &'static CStr, check: OnModify) -> IniEntryDef {
    let mut e = IniEntryDef::new(name, default, IniEntryPermission::All);
    e.on_modify = Some(check);
    e
}

/// The default mode of `Inventory::validate()`.
pub const VALIDATION_MODE: &CStr = c"glpi_agent_protocol.validation_mode";
/// Whether validation coerces strings as GLPI does in production.
pub const VALIDATION_TOLERATE_STRINGS: &CStr = c"glpi_agent_protocol.validation_tolerate_strings";
/// How many violations a validation reports.
pub const VALIDATION_MAX_VIOLATIONS: &CStr = c"glpi_agent_protocol.validation_max_violations";
/// The schema file validation uses; empty for the bundled one.
pub const VALIDATION_SCHEMA: &CStr = c"glpi_agent_protocol.validation_schema";

const VALIDATION_ENTRIES: [IniEntryDef; 4] = [
    entry(VALIDATION_MODE, c"strict", on_modify_validation),
    entry(VALIDATION_TOLERATE_STRINGS, c"1", on_modify_validation),
    entry(VALIDATION_MAX_VIOLATIONS, c"1000", on_modify_validation),
    entry(VALIDATION_SCHEMA, c"", on_modify_validation),
];

const ENTRY_COUNT: usize = LIMITS.len() + VALIDATION_ENTRIES.len() + 1;

/// The engine keeps the table for the life of the process, so it is a `static` built at
/// compile time: one entry per row of [`LIMITS`], then the validation defaults.
static ENTRIES: IniEntryDefs<ENTRY_COUNT> = IniEntryDefs::new({
    let mut out = [IniEntryDef::end(); ENTRY_COUNT];
    let mut i = 0;
    while i < LIMITS.len() {
        out[i] = entry(LIMITS[i].directive, LIMITS[i].default, on_modify_limit);
        i += 1;
    }
    let mut j = 0;
    while j < VALIDATION_ENTRIES.len() {
        out[i + j] = VALIDATION_ENTRIES[j];
        j += 1;
    }
    out
});

/// Registers every directive; called from module startup.
pub fn register(module_number: i32) {
    IniEntryDef::register(ENTRIES.as_slice(), module_number);
}

/// Removes the directives; called from module shutdown.
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
    for limit in LIMITS {
        info_table_row!(limit.label, (limit.get)(&l));
    }
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
