//! Legacy XML inventories converted to the JSON inventory format, with the result GLPI's
//! own converter (`Glpi\\Inventory\\Converter` of inventory_format 1.2) gives: the same
//! members in the same order with the same values and types, or a refusal where GLPI's
//! conversion fails.
//!
//! The document is read once by the extension's XML reader ([`crate::xml`]: encoding
//! declarations honoured, no DTD, no entity); `build` makes the tree GLPI decodes from
//! SimpleXML as the elements close, and `reshape` applies GLPI's rules to it in place.

mod build;
mod dates;
mod network;
mod ops;
mod php;
mod reshape;
pub mod value;

pub use value::{Array, Key, Value};

use crate::error::ProtocolError;
use crate::limits::Limits;

/// Converts an XML inventory (already decompressed, any supported encoding).
///
/// Errors: [`ProtocolError::MalformedXml`] for XML GLPI (or the reader) refuses;
/// [`ProtocolError::BadFormat`] where GLPI's conversion throws (an element that is text
/// where a rule needs children, a network device member GLPI does not handle, ...).
pub fn convert(xml: Vec<u8>, limits: &Limits) -> Result<Value, ProtocolError> {
    convert_bytes(&xml, limits)
}

/// [`convert`] of a document that stays the caller's.
pub fn convert_bytes(xml: &[u8], limits: &Limits) -> Result<Value, ProtocolError> {
    let mut builder = build::TreeBuilder::default();
    crate::xml::walk(xml, limits, &mut builder)?;
    let mut data = builder.root.ok_or(ProtocolError::MalformedXml)?;
    reshape::convert(&mut data)?;
    if data.depth() > build::JSON_MAX_DEPTH {
        return Err(ProtocolError::BadFormat);
    }
    Ok(data)
}

#[cfg(test)]
mod tests;
