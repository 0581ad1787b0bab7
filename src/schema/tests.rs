use std::borrow::Cow;

use proptest::prelude::*;
use serde_json::{json, Value};

use super::salvage::Removal;
use super::*;

impl<'a> Doc<'a> for &'a Value {
    fn kind(self) -> Kind<'a> {
        match self {
            Value::Null => Kind::Null,
            Value::Bool(b) => Kind::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Kind::Int(i),
                None => Kind::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Kind::Str(s.as_bytes()),
            Value::Array(_) => Kind::List,
            Value::Object(_) => Kind::Map,
        }
    }
    fn for_each_item(self, f: &mut dyn FnMut(usize, Self)) {
        if let Value::Array(items) = self {
            for (i, v) in items.iter().enumerate() {
                f(i, v);
            }
        }
    }
    fn for_each_member(self, f: &mut dyn FnMut(Cow<'a, [u8]>, Self)) {
        if let Value::Object(m) = self {
            for (k, v) in m {
                f(Cow::Borrowed(k.as_bytes()), v);
            }
        }
    }
    fn has_member(self, key: &[u8]) -> bool {
        matches!(self, Value::Object(m) if std::str::from_utf8(key).is_ok_and(|k| m.contains_key(k)))
    }
}

/// Applies lenient removals to a copy of `doc`.
fn apply(doc: &Value, removals: &Removals) -> Value {
    match doc {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| match removals.0.get(&Seg::Index(i)) {
                    Some(Removal::Remove) => None,
                    Some(Removal::Within(inner)) => Some(apply(v, inner)),
                    None => Some(v.clone()),
                })
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .filter_map(|(k, v)| {
                    match removals.0.get(&Seg::Key(Cow::Owned(k.as_bytes().to_vec()))) {
                        Some(Removal::Remove) => None,
                        Some(Removal::Within(inner)) => Some((k.clone(), apply(v, inner))),
                        None => Some((k.clone(), v.clone())),
                    }
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn bundled() -> Schema {
    Schema::from_json(Schema::bundled_text(), &Extras::default()).expect("bundled schema compiles")
}

fn strict(schema: &Schema, doc: &Value) -> Report {
    validate(schema, doc, &Options::default())
}

fn lenient(schema: &Schema, doc: &Value) -> Report {
    validate(
        schema,
        doc,
        &Options {
            mode: Mode::Lenient,
            ..Options::default()
        },
    )
}

fn first(r: &Report) -> (&str, &str) {
    let v = &r.violations[0];
    (v.pointer.as_str(), v.keyword.as_str())
}

fn base() -> Value {
    json!({
        "deviceid": "pc-2024-01-01-00-00-00",
        "itemtype": "Computer",
        "content": {
            "versionclient": "GLPI-Agent_v1.7",
            "hardware": {"name": "pc", "memory": 8192},
            "storages": [
                {"name": "sda", "interface": "SATA", "disksize": 512000},
                {"name": "sdb", "disksize": "1024"}
            ],
            "networks": [{"description": "eth0", "ipaddress": "10.0.0.2", "type": "ethernet"}],
            "cpus": [{"arch": "x86_64", "core": 4}]
        }
    })
}

#[test]
fn a_good_inventory_is_valid() {
    let r = strict(&bundled(), &base());
    assert!(r.is_valid(), "{:?}", r.violations);
}

#[test]
fn the_top_level_is_closed_and_required_comes_first() {
    let s = bundled();
    let mut doc = base();
    doc["httpd-port"] = json!(62354);
    doc.as_object_mut().unwrap().remove("deviceid");
    let r = strict(&s, &doc);
    assert_eq!(first(&r), ("", "required"));
    assert_eq!(r.violations[1].keyword, Keyword::AdditionalProperties);
    assert_eq!(r.violation_count, 2);
}

#[test]
fn string_coercion_is_filter_var() {
    let s = bundled();
    let mut doc = base();
    doc["content"]["storages"][0]["disksize"] = json!(" +42\n");
    assert!(strict(&s, &doc).is_valid());
    doc["content"]["storages"][0]["disksize"] = json!("N");
    let r = strict(&s, &doc);
    assert_eq!(first(&r), ("/content/storages/0/disksize", "type"));
    doc["content"]["storages"][0]["disksize"] = json!("007");
    assert!(!strict(&s, &doc).is_valid());
    doc["content"]["storages"][0]["disksize"] = json!(12.0);
    assert!(strict(&s, &doc).is_valid());
    doc["content"]["storages"][0]["disksize"] = json!(1e300);
    assert!(strict(&s, &doc).is_valid(), "floats past PHP_INT_MAX pass");
    doc["content"]["storages"][0]["disksize"] = json!(12.5);
    assert!(!strict(&s, &doc).is_valid());
    // Never the other way: a number where a string is expected fails.
    let mut doc = base();
    doc["content"]["hardware"]["name"] = json!(12);
    assert_eq!(first(&strict(&s, &doc)), ("/content/hardware/name", "type"));
    // Without tolerateStrings (GLPI's unit tests), "42" is not an integer.
    let mut doc = base();
    doc["content"]["hardware"]["memory"] = json!("42");
    let opts = Options {
        tolerate_strings: false,
        ..Options::default()
    };
    assert!(!validate(&s, &doc, &opts).is_valid());
    assert!(strict(&s, &doc).is_valid());
}

#[test]
fn coerced_values_are_range_checked() {
    let s = bundled();
    let mut doc = base();
    doc["content"]["network_ports"] = json!([{"ifstatus": "9"}]);
    let r = strict(&s, &doc);
    assert_eq!(first(&r), ("/content/network_ports/0/ifstatus", "maximum"));
    doc["content"]["network_ports"] = json!([{"ifstatus": "0"}]);
    assert_eq!(first(&strict(&s, &doc)).1, "minimum");
    doc["content"]["network_ports"] = json!([{"ifstatus": "7"}]);
    assert!(strict(&s, &doc).is_valid());
}

#[test]
fn patterns_formats_and_the_unchecked_item_schemas() {
    let s = bundled();
    let mut doc = base();
    doc["itemtype"] = json!("Computer\n");
    assert!(strict(&s, &doc).is_valid());
    doc["itemtype"] = json!("Computer\n\n");
    assert_eq!(first(&strict(&s, &doc)), ("/itemtype", "pattern"));
    let mut doc = base();
    doc["content"]["networks"][0]["ipaddress"] = json!("01.2.3.4");
    assert_eq!(
        first(&strict(&s, &doc)),
        ("/content/networks/0/ipaddress", "format")
    );
    let mut doc = base();
    doc["content"]["bios"] = json!({"bdate": "2019-54-17"});
    assert!(
        strict(&s, &doc).is_valid(),
        "dates are checked by pattern only"
    );
    doc["content"]["bios"] = json!({"bdate": "17/05/2019"});
    assert_eq!(first(&strict(&s, &doc)), ("/content/bios/bdate", "pattern"));
    let mut doc = base();
    doc["content"]["network_ports"] =
        json!([{"connections": [{"mac": 12, "ifnumber": "x"}], "vlans": [{"name": 3}]}]);
    assert!(
        strict(&s, &doc).is_valid(),
        "these item schemas check nothing"
    );
    let mut doc = base();
    doc["content"]["virtualmachines"] =
        json!([{"name": "vm", "vmtype": "kvm", "ipaddress": "fe80::1%eth0"}]);
    assert_eq!(
        first(&strict(&s, &doc)),
        ("/content/virtualmachines/0/ipaddress", "anyOf")
    );
    let mut doc = base();
    doc["content"]["modems"] = json!([{"name": "m", "imei": ["1", 2]}]);
    assert_eq!(
        first(&strict(&s, &doc)),
        ("/content/modems/0/imei", "oneOf")
    );
    doc["content"]["modems"] = json!([{"name": "m", "imei": ["1", "2"]}]);
    assert!(strict(&s, &doc).is_valid());
}

#[test]
fn unknown_content_members_are_accepted_but_not_too_deep() {
    let s = bundled();
    let mut doc = base();
    doc["content"]["my_plugin"] = json!({"anything": [1, "x", null]});
    assert!(strict(&s, &doc).is_valid());
    let mut deep = json!(1);
    for _ in 0..199 {
        deep = json!([deep]);
    }
    // content (1) + my_plugin (2) + 199 arrays: the scalar sits at level 201.
    doc["content"]["my_plugin"] = deep.clone();
    let r = strict(&s, &doc);
    assert_eq!(r.violations[0].keyword, Keyword::Depth);
    doc["content"]["my_plugin"] = deep[0].clone();
    assert!(strict(&s, &doc).is_valid(), "level 200 is accepted");
}

#[test]
fn every_violation_in_document_order_after_glpi_first() {
    let s = bundled();
    let mut doc = base();
    doc["content"]["storages"][1]["disksize"] = json!("N");
    doc["content"]["cpus"][0]["arch"] = json!("z80");
    doc["content"]["hardware"]["memory"] = json!("lots");
    let r = strict(&s, &doc);
    let got: Vec<_> = r
        .violations
        .iter()
        .map(|v| (v.pointer.as_str(), v.keyword.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("/content/hardware/memory", "type"),
            ("/content/storages/1/disksize", "type"),
            ("/content/cpus/0/arch", "pattern"),
        ]
    );
}

#[test]
fn lenient_removes_the_smallest_part() {
    let s = bundled();
    let mut doc = base();
    doc["content"]["storages"][0]["interface"] = json!(7);
    doc["content"]["networks"][0]
        .as_object_mut()
        .unwrap()
        .remove("description");
    doc["content"]["hardware"]["memory"] = json!("lots");
    let r = lenient(&s, &doc);
    assert_eq!(r.violation_count, 3);
    let removals = r.removals.as_ref().expect("salvageable");
    let dropped: Vec<_> = r.dropped.iter().map(|v| v.pointer.as_str()).collect();
    // The bad interface goes alone (optional), the network missing its description whole.
    assert_eq!(
        dropped,
        [
            "/content/hardware/memory",
            "/content/networks/0",
            "/content/storages/0/interface"
        ]
    );
    let salvaged = apply(&doc, removals);
    assert_eq!(salvaged["content"]["networks"], json!([]));
    assert_eq!(salvaged["content"]["storages"][0]["name"], json!("sda"));
    assert!(salvaged["content"]["storages"][0]
        .get("interface")
        .is_none());
    assert!(salvaged["content"]["hardware"].get("memory").is_none());
    assert!(strict(&s, &salvaged).is_valid());
}

#[test]
fn what_cannot_be_salvaged() {
    let s = bundled();
    for mutate in [
        |d: &mut Value| {
            d.as_object_mut().unwrap().remove("deviceid");
        },
        |d: &mut Value| d["content"] = json!([]),
        |d: &mut Value| d["itemtype"] = json!("Toaster"),
        |d: &mut Value| d["versionclient"] = json!("x"),
        |d: &mut Value| {
            d["content"]
                .as_object_mut()
                .unwrap()
                .remove("versionclient");
        },
    ] {
        let mut doc = base();
        mutate(&mut doc);
        let r = lenient(&s, &doc);
        assert!(!r.is_valid());
        assert!(r.removals.is_none(), "{:?}", r.violations);
    }
}

#[test]
fn extras_as_glpi_sets_them() {
    let mut extras = Extras {
        itemtypes: vec![b"Glpi\\Custom\\Asset\\Car".to_vec()],
        ..Extras::default()
    };
    let opts = crate::json::ParseOptions::default();
    let string_schema = crate::json::value::decode(br#"{"type":"string"}"#, &opts).unwrap();
    let int_schema = crate::json::value::decode(br#"{"type":"integer"}"#, &opts).unwrap();
    extras.properties = vec![(b"cars".to_vec(), string_schema.clone())];
    extras.sub_properties = vec![
        (
            b"storages".to_vec(),
            vec![(b"wheels".to_vec(), int_schema.clone())],
        ),
        (
            b"hardware".to_vec(),
            vec![(b"colour".to_vec(), string_schema)],
        ),
    ];
    let s = Schema::from_json(Schema::bundled_text(), &extras).unwrap();
    let mut doc = base();
    doc["itemtype"] = json!("Glpi\\Custom\\Asset\\Car");
    assert!(strict(&s, &doc).is_valid());
    doc["content"]["cars"] = json!(3);
    assert_eq!(first(&strict(&s, &doc)), ("/content/cars", "type"));
    let mut doc = base();
    doc["content"]["storages"][0]["wheels"] = json!("four");
    assert_eq!(
        first(&strict(&s, &doc)),
        ("/content/storages/0/wheels", "type")
    );
    let mut doc = base();
    doc["content"]["hardware"]["colour"] = json!(1);
    assert_eq!(
        first(&strict(&s, &doc)),
        ("/content/hardware/colour", "type")
    );
    assert!(!strict(&bundled(), &{
        let mut d = base();
        d["itemtype"] = json!("Glpi\\Custom\\Asset\\Car");
        d
    })
    .is_valid());
}

#[test]
fn schemas_with_unsupported_keywords_are_refused() {
    for text in [
        &br#"{"type":"object","patternProperties":{"^a":{}}}"#[..],
        br#"{"type":"string","format":"date-time"}"#,
        br#"{"$ref":"http://example.com/s.json"}"#,
        br#"{"type":"string","pattern":"(?=x)"}"#,
    ] {
        assert!(Schema::from_json(text, &Extras::default()).is_err());
    }
}

#[test]
fn the_violation_cap_keeps_the_count() {
    let s = bundled();
    let mut doc = base();
    doc["content"]["softwares"] = Value::Array((0..50).map(|_| json!({"name": 1})).collect());
    let r = validate(
        &s,
        &doc,
        &Options {
            max_violations: 10,
            ..Options::default()
        },
    );
    assert_eq!(r.violations.len(), 10);
    assert_eq!(r.violation_count, 50);
}

/// A value of the wrong type, a bad word or a nested structure, for the mutants.
fn bad_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(null)),
        Just(json!(true)),
        Just(json!("N")),
        Just(json!("yes")),
        Just(json!("42")),
        Just(json!(" 7 ")),
        Just(json!(-3)),
        Just(json!(12.5)),
        Just(json!(1e30)),
        Just(json!("NVME")),
        Just(json!("2019-54-17")),
        Just(json!("1.2.3.400")),
        Just(json!("::1")),
        Just(json!([])),
        Just(json!({})),
        Just(json!([1, "a"])),
        Just(json!({"name": 3})),
        "[a-z0-9 .:-]{0,12}".prop_map(Value::String),
        any::<i64>().prop_map(|i| json!(i)),
    ]
}

/// Paths into the base inventory (and members it does not have) to overwrite.
fn target() -> impl Strategy<Value = Vec<&'static str>> {
    prop_oneof![
        Just(vec!["content", "hardware", "memory"]),
        Just(vec!["content", "hardware", "name"]),
        Just(vec!["content", "hardware"]),
        Just(vec!["content", "storages", "0", "disksize"]),
        Just(vec!["content", "storages", "1", "name"]),
        Just(vec!["content", "storages", "1"]),
        Just(vec!["content", "storages"]),
        Just(vec!["content", "networks", "0", "ipaddress"]),
        Just(vec!["content", "networks", "0", "type"]),
        Just(vec!["content", "cpus", "0", "arch"]),
        Just(vec!["content", "bios"]),
        Just(vec!["content", "bios", "bdate"]),
        Just(vec!["content", "network_ports"]),
        Just(vec!["content", "virtualmachines"]),
        Just(vec!["content", "modems"]),
        Just(vec!["content", "operatingsystem", "timezone", "offset"]),
        Just(vec!["content", "batteries"]),
        Just(vec!["content", "versionclient"]),
        Just(vec!["itemtype"]),
        Just(vec!["partial"]),
        Just(vec!["jobid"]),
    ]
}

fn set(doc: &mut Value, path: &[&str], v: Value) {
    let mut cur = doc;
    for (i, seg) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        cur = match cur {
            Value::Object(m) => {
                if last {
                    m.insert((*seg).to_string(), v);
                    return;
                }
                m.entry((*seg).to_string()).or_insert(json!({}))
            }
            Value::Array(a) => {
                let Ok(idx) = seg.parse::<usize>() else {
                    return;
                };
                let Some(slot) = a.get_mut(idx) else { return };
                if last {
                    *slot = v;
                    return;
                }
                slot
            }
            _ => return,
        };
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The salvaged message of any mutant validates in strict mode, and lenient removal only
    /// happens when strict validation failed.
    #[test]
    fn salvaged_message_validates_in_strict_mode(
        edits in proptest::collection::vec((target(), bad_value()), 1..6),
        remove in proptest::collection::vec(target(), 0..2),
    ) {
        let s = bundled();
        let mut doc = base();
        for (path, v) in &edits {
            set(&mut doc, path, v.clone());
        }
        for path in &remove {
            if let Some((last, parent)) = path.split_last() {
                let at: String = parent.iter().map(|p| format!("/{p}")).collect();
                if let Some(Value::Object(m)) = doc.pointer_mut(&at) {
                    m.remove(*last);
                }
            }
        }
        let strict_report = strict(&s, &doc);
        let report = lenient(&s, &doc);
        prop_assert_eq!(strict_report.violations.clone(), report.violations.clone());
        if let Some(removals) = &report.removals {
            prop_assert_eq!(removals.is_empty(), strict_report.is_valid());
            let salvaged = apply(&doc, removals);
            let again = strict(&s, &salvaged);
            prop_assert!(again.is_valid(), "salvaged still invalid: {:?}", again.violations);
        } else {
            prop_assert!(!strict_report.is_valid());
        }
    }
}
