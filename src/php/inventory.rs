//! `GlpiAgentProtocol\Inventory`: inventory messages.

use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

#[php_class]
#[php(name = "GlpiAgentProtocol\\Inventory")]
pub struct Inventory;

#[php_impl]
impl Inventory {
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
