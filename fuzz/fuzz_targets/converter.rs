//! Legacy XML inventories converted to the JSON inventory format.
//!
//! Oracles: never panics, whatever the document; a converted inventory always has its
//! `action` and `itemtype` as strings (GLPI sets both); conversion is deterministic; an
//! inventory the XML reader refuses is refused by the converter too.
#![no_main]

use glpi_agent_protocol::converter::{convert, Value};
use glpi_agent_protocol::xml::parse_request;
use glpi_agent_protocol::{Limits, ProtocolError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    match convert(data.to_vec(), &limits) {
        Ok(message) => {
            let Value::Arr(root) = &message else {
                panic!("a converted inventory is a map");
            };
            for key in ["action", "itemtype"] {
                assert!(matches!(root.get(key), Some(Value::Str(_))), "{key} is set");
            }
            assert_eq!(convert(data.to_vec(), &limits).as_ref(), Ok(&message));
            assert!(parse_request(data.to_vec(), &limits).is_ok());
        }
        Err(e) => {
            assert!(matches!(e, ProtocolError::MalformedXml | ProtocolError::BadFormat), "{e:?}");
        }
    }
});
