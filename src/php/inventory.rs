//! `GlpiAgentProtocol\Inventory`: inventory messages as GLPI's inventory_format defines them.

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use super::validation::{validate_message, Validation};

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
    /// directives.
    pub fn validate(message: &Zval, options: Option<&ZendHashTable>) -> PhpResult<Validation> {
        validate_message(message, options)
    }

    /// The message GLPI's converter makes of a legacy XML inventory, equal to
    /// `json_decode($converter->convert($xml), $assoc)`: objects by default, arrays with
    /// `'assoc' => true`. Options: `assoc`, `max_decoded_bytes`, `max_depth`.
    /// Throws `ProtocolException` (400) for malformed XML, a DTD or an entity, and where
    /// GLPI's conversion fails.
    #[php(name = "fromXml")]
    pub fn from_xml(xml: BinarySlice<u8>, options: Option<&ZendHashTable>) -> PhpResult<Zval> {
        super::converter::from_xml(&xml, options)
    }
}
