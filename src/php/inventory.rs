//! `GlpiAgentProtocol\Inventory`: inventory messages as GLPI's inventory_format defines them.

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use super::validation::{validate_message, Validation};

/// Inventory messages as GLPI's inventory_format defines them: validation, and the
/// conversion of legacy XML inventories. Static methods only.
#[php_class]
#[php(name = "GlpiAgentProtocol\\Inventory")]
pub struct Inventory;

#[php_impl]
impl Inventory {
    /// Validates an inventory message (`json_decode` output, objects or arrays) against
    /// inventory_format: GLPI's verdict, every violation, and in lenient mode the message
    /// with each offending part removed. Options: `mode`, `tolerate_strings`,
    /// `max_violations`, `schema`, `extra_itemtypes`, `extra_properties`,
    /// `extra_sub_properties`; defaults from the `glpi_agent_protocol.validation_*` INI
    /// directives. The engine-level type of `$message` is `mixed`: anything but an array or
    /// an object is a `\TypeError`.
    ///
    /// @param `array<array-key, mixed>|object` $message the whole message (`deviceid`, `content`, ...)
    /// @param `array{mode?: 'strict'|'lenient', tolerate_strings?: bool, max_violations?: positive-int,
    ///   schema?: string|null, extra_itemtypes?: list<string>, extra_properties?: array<string, mixed>,
    ///   extra_sub_properties?: array<string, array<string, mixed>>}|null` $options
    ///   `mode`: `'strict'` (GLPI's verdict) or `'lenient'` (salvage); `tolerate_strings`: GLPI's
    ///   string coercion of numbers and booleans; `schema`: the path of an
    ///   `inventory.schema.json`; the `extra_*` options as `Glpi\Inventory\Schema`'s setters
    ///   take them
    /// @return `Validation` the verdict, the violations and, in lenient mode, the salvaged message
    /// @throws `\TypeError` when `$message` is neither an array nor an object
    /// @throws `\ValueError` for an unknown option, an option of the wrong type, or a schema
    ///   that cannot be read or compiled
    pub fn validate(message: &Zval, options: Option<&ZendHashTable>) -> PhpResult<Validation> {
        validate_message(message, options)
    }

    /// The message GLPI's converter makes of a legacy XML inventory, equal to
    /// `json_decode($converter->convert($xml), $assoc)`: objects by default, arrays with
    /// `'assoc' => true`. Options: `assoc`, `max_decoded_bytes`, `max_depth`.
    /// Throws `ProtocolException` (400) for malformed XML, a DTD or an entity, and where
    /// GLPI's conversion fails.
    ///
    /// @param `string` $xml the XML inventory (`<REQUEST>` with `<CONTENT>`)
    /// @param `array{assoc?: bool, max_decoded_bytes?: positive-int, max_depth?: positive-int}|null` $options
    ///   objects or arrays, and the limits (defaults from the INI directives)
    /// @return `array<array-key, mixed>|object` the message, objects unless `'assoc' => true`
    /// @throws `\GlpiAgentProtocol\ProtocolException` 400 `malformed xml` for XML that is
    ///   malformed or holds a DTD or an entity; 413 for XML past `max_decoded_bytes`
    /// @throws `\ValueError` for an unknown option or an option of the wrong type
    #[php(name = "fromXml")]
    pub fn from_xml(xml: BinarySlice<u8>, options: Option<&ZendHashTable>) -> PhpResult<Zval> {
        super::converter::from_xml(&xml, options)
    }
}
