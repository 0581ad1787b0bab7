//! The parts of the Zend engine's C API that ext-php-rs does not wrap, declared once. Every
//! declaration matches PHP 8.x's headers (`Zend/zend_API.h`, `zend_hash.h`, `zend_ini.h`,
//! `zend_attributes.h`, `zend.h`, `ext/spl/spl_exceptions.h`); the modules that call them
//! say why each call is sound.

#![allow(
    unsafe_code,
    reason = "foreign declarations of the engine's C functions and globals"
)]

use std::ffi::{c_char, c_int, c_void};

use ext_php_rs::ffi::{
    zend_class_entry, zend_object, zend_string, zval, HashTable, ZEND_MODULE_API_NO,
};

/// `HASH_FLAG_PACKED`: the table is a list stored without keys.
pub const HASH_FLAG_PACKED: u32 = 1 << 2;

/// `HASH_FLAG_STATIC_KEYS`: the table holds only integer and interned string keys.
pub const HASH_FLAG_STATIC_KEYS: u32 = 1 << 4;

/// PHP 8.2 (module API 20220829) stores packed arrays as bare zvals; before, as buckets.
pub const PACKED_ZVALS: bool = ZEND_MODULE_API_NO >= 20_220_829;

/// `ZEND_ATTRIBUTE_PERSISTENT`: the attribute of an internal function lives as long as it.
pub const ATTRIBUTE_PERSISTENT: u32 = 1;

/// The engine's hook run once every module has started (`zend_post_startup_cb`).
pub type PostStartup = unsafe extern "C" fn() -> i32;

// Exported by the PHP binary (ZEND_API) and resolved when the extension loads.
// ZEND_FASTCALL is empty on the 64-bit targets PHP supports, so the C ABI is right.
extern "C" {
    pub fn zend_hash_real_init_packed(ht: *mut HashTable);
    pub fn zend_hash_real_init_mixed(ht: *mut HashTable);
    pub fn zend_hash_index_add_new(ht: *mut HashTable, h: u64, data: *mut zval) -> *mut zval;
    pub fn zend_string_hash_func(s: *mut zend_string) -> u64;
    pub fn zend_memory_usage(real_usage: bool) -> usize;
    pub static zend_empty_string: *mut zend_string;
    pub static zend_one_char_string: [*mut zend_string; 256];

    /// `\RuntimeException`, which `ProtocolException` extends.
    pub static mut spl_ce_RuntimeException: *mut zend_class_entry;
    pub fn zend_update_property_ex(
        scope: *mut zend_class_entry,
        object: *mut zend_object,
        name: *mut zend_string,
        value: *mut zval,
    );
    pub fn zend_read_property(
        scope: *mut zend_class_entry,
        object: *mut zend_object,
        name: *const c_char,
        name_length: usize,
        silent: bool,
        rv: *mut zval,
    ) -> *mut zval;

    pub fn zend_unregister_ini_entries(module_number: c_int);
    pub fn display_ini_entries(module: *mut c_void);

    pub static mut zend_post_startup_cb: Option<PostStartup>;
    pub fn zend_add_attribute(
        attributes: *mut *mut HashTable,
        name: *mut zend_string,
        argc: u32,
        flags: u32,
        offset: u32,
        lineno: u32,
    ) -> *mut c_void;
}
