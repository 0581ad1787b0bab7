//! Fuzz target for inventory validation against the bundled inventory_format schema.
//! Oracle: no panic on any JSON, alone or placed inside an otherwise valid inventory;
//! strict and lenient report the same violations; a lenient result that keeps the
//! message, once its removals are applied, validates in strict mode.
#![no_main]

use std::sync::OnceLock;

use glpi_agent_protocol::json::value::{decode, ArrayKey, PhpValue};
use glpi_agent_protocol::json::ParseOptions;
use glpi_agent_protocol::schema::salvage::apply_to_value;
use glpi_agent_protocol::schema::{validate, Extras, Mode, Options, Schema};
use libfuzzer_sys::fuzz_target;

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| Schema::from_json(Schema::bundled_text(), &Extras::default()).unwrap())
}

/// Where the fuzzed value goes inside a valid inventory.
const SLOTS: &[&[u8]] = &[
    b"hardware", b"storages", b"networks", b"cpus", b"bios", b"network_ports",
    b"virtualmachines", b"modems", b"softwares", b"operatingsystem", b"my_plugin",
];

fn inventory_with(slot: &[u8], value: PhpValue) -> PhpValue {
    PhpValue::Object(vec![
        (b"deviceid".to_vec(), PhpValue::String(b"fuzz-host".to_vec())),
        (
            b"content".to_vec(),
            PhpValue::Object(vec![
                (b"versionclient".to_vec(), PhpValue::String(b"GLPI-Agent_v1".to_vec())),
                (slot.to_vec(), value),
            ]),
        ),
    ])
}

fn check(doc: &PhpValue) {
    let strict_opts = Options::default();
    let strict = validate(schema(), doc, &strict_opts);
    let lenient = validate(schema(), doc, &Options { mode: Mode::Lenient, ..strict_opts });
    assert_eq!(strict.violations, lenient.violations);
    assert_eq!(strict.violation_count, lenient.violation_count);
    if let Some(removals) = &lenient.removals {
        assert_eq!(removals.is_empty(), strict.is_valid());
        let salvaged = apply_to_value(doc, removals);
        let again = validate(schema(), &salvaged, &strict_opts);
        assert!(again.is_valid(), "salvaged message still invalid: {:?}", again.violations);
    } else {
        assert!(!strict.is_valid());
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, json)) = data.split_first() else { return };
    for assoc in [false, true] {
        let opts = ParseOptions { assoc, ..ParseOptions::default() };
        let Ok(value) = decode(json, &opts) else { return };
        check(&value);
        let slot = SLOTS[usize::from(selector) % SLOTS.len()];
        let wrapped = inventory_with(slot, value.clone());
        check(&wrapped);
        // Also as the only element of a list, where removal takes the element.
        check(&inventory_with(slot, PhpValue::Array(vec![(ArrayKey::Int(0), value)])));
    }
});
