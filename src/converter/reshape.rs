//! The reshaping GLPI applies to the decoded XML tree (inventory format 1.0), step by
//! step in GLPI's order, since later steps read what earlier ones wrote.

use super::dates;
use super::ops::*;
use super::php::{self, Number};
use super::value::{Array, Value};

/// Fields cast to booleans, as `parent/child`, in GLPI's order.
const BOOLEAN_FIELDS: &[(&str, &str)] = &[
    ("antivirus", "enabled"),
    ("antivirus", "enabled"),
    ("antivirus", "uptodate"),
    ("drives", "systemdrive"),
    ("networks", "virtualdev"),
    ("printers", "network"),
    ("printers", "shared"),
    ("networks", "management"),
    ("softwares", "no_remove"),
    ("licenseinfos", "trial"),
    ("network_ports", "trunk"),
    ("cameras", "flashunit"),
    ("powersupplies", "hotreplaceable"),
    ("powersupplies", "plugged"),
    ("memories", "removable"),
];

/// Fields cast to integers (null when they are not integers).
const INTEGER_FIELDS: &[(&str, &str)] = &[
    ("cpus", "core"),
    ("cpus", "speed"),
    ("cpus", "stepping"),
    ("cpus", "thread"),
    ("cpus", "external_clock"),
    ("cpus", "corecount"),
    ("drives", "free"),
    ("drives", "total"),
    ("hardware", "etime"),
    ("storages", "disksize"),
    ("physical_volumes", "free"),
    ("physical_volumes", "pe_size"),
    ("physical_volumes", "pv_pe_count"),
    ("physical_volumes", "size"),
    ("volume_groups", "lv_count"),
    ("volume_groups", "pv_count"),
    ("volume_groups", "free"),
    ("volume_groups", "size"),
    ("logical_volumes", "seg_count"),
    ("logical_volumes", "size"),
    ("memories", "numslots"),
    ("processes", "pid"),
    ("processes", "virtualmemory"),
    ("networks", "mtu"),
    ("softwares", "filesize"),
    ("virtualmachines", "vcpu"),
    ("network_ports", "ifinerrors"),
    ("network_ports", "ifinoctets"),
    ("network_ports", "ifinbytes"),
    ("network_ports", "ifinternalstatus"),
    ("network_ports", "ifmtu"),
    ("network_ports", "ifnumber"),
    ("network_ports", "ifouterrors"),
    ("network_ports", "ifoutoctets"),
    ("network_ports", "ifoutbytes"),
    ("network_ports", "ifspeed"),
    ("network_ports", "ifportduplex"),
    ("network_ports", "ifstatus"),
    ("network_ports", "iftype"),
    ("network_components", "fru"),
    ("network_components", "index"),
    ("network_components", "stack_number"),
    ("network_device", "credentials"),
    ("pagecounters", "total"),
    ("pagecounters", "black"),
    ("pagecounters", "color"),
    ("pagecounters", "total"),
    ("pagecounters", "rectoverso"),
    ("pagecounters", "scanned"),
    ("pagecounters", "printtotal"),
    ("pagecounters", "printblack"),
    ("pagecounters", "printcolor"),
    ("pagecounters", "copytotal"),
    ("pagecounters", "copyblack"),
];

/// Content members that are lists of items, a single item being made a list of one.
const LISTS: &[&str] = &[
    "cpus",
    "local_users",
    "local_groups",
    "ports",
    "sounds",
    "usbdevices",
    "batteries",
    "firewall",
    "monitors",
    "printers",
    "storages",
    "slots",
    "modems",
    "licenseinfos",
    "antivirus",
    "drives",
    "users",
    "networks",
    "controllers",
    "envs",
    "inputs",
    "logical_volumes",
    "physical_volumes",
    "volume_groups",
    "memories",
    "processes",
    "softwares",
    "virtualmachines",
    "firmwares",
    "simcards",
    "sensors",
    "powersupplies",
    "videos",
    "remote_mgmt",
    "cartridges",
    "cameras",
    "user",
];

/// Members of items that are lists of values.
const SUB_LISTS: &[(&str, &str)] = &[
    ("local_groups", "member"),
    ("versionprovider", "comments"),
    ("cameras", "resolution"),
    ("cameras", "imageformats"),
    ("cameras", "resolutionvideo"),
];

/// The `networks[].type` values the schema knows.
const NETWORK_TYPES: &[&str] = &[
    "ethernet",
    "wifi",
    "infiniband",
    "aggregate",
    "alias",
    "dialup",
    "loopback",
    "bridge",
    "fibrechannel",
    "bluetooth",
];

const DROPPED: &[&str] = &[
    "registry",
    "userslist",
    "mib_applications",
    "mib_components",
    "jvms",
];

const DROPPED_IN_OBJECTS: &[(&str, &[&str])] = &[
    (
        "hardware",
        &[
            "archname",
            "osname",
            "checksum",
            "etime",
            "ipaddr",
            "osversion",
            "oscomments",
            "processorn",
            "processors",
            "processort",
            "userid",
            "lastdate",
            "userdomain",
        ],
    ),
    ("operatingsystem", &["boot_date"]),
    ("bios", &["type"]),
    ("network_device", &["comments", "id"]),
];

const DROPPED_IN_ITEMS: &[(&str, &[&str])] = &[
    ("licenseinfos", &["oem"]),
    ("drives", &["numfiles"]),
    ("inputs", &["pointtype"]),
    ("networks", &["typemib"]),
    (
        "softwares",
        &["filename", "source", "language", "is64bit", "releasetype"],
    ),
    ("controllers", &["description", "version"]),
    ("slots", &["shared"]),
    ("physical_volumes", &["pv_name"]),
    ("videos", &["pciid"]),
    ("cpus", &["type"]),
    ("sensors", &["power"]),
    ("batteries", &["temperature", "level", "health", "status"]),
    ("network_components", &["ip", "mac"]),
    ("virtualmachines", &["vmid"]),
];

const DROPPED_AT_TOP: &[&str] = &[
    "uuid",
    "user",
    "userdefinedproperties",
    "agentsname",
    "machineid",
    "cfkey",
    "policies",
    "hostname",
    "processors",
    "policy_server",
];

/// Where a conversion step would throw in PHP, [`refuse`] says so.
pub fn convert(data: &mut Value) -> R<()> {
    set_action(data)?;
    super::network::convert(data)?;
    cast_fields(data)?;
    let content = data.arr_mut().and_then(|a| a.get_mut("content"));
    let mut none = Value::Null;
    let content = content.unwrap_or(&mut none);
    make_lists(content)?;
    normalise_items(data)?;
    Ok(())
}

fn set_action(data: &mut Value) -> R<()> {
    let root = data.arr_mut().ok_or(crate::ProtocolError::BadFormat)?;
    if root.get("action").is_none_or(|v| *v == Value::Null) {
        let network = root.get("content").is_some_and(|c| c.has("device"));
        let query = match root.get("query").filter(|v| **v != Value::Null) {
            Some(q) => string_arg(q)?.to_ascii_lowercase(),
            None if network => "snmp".into(),
            None => "inventory".into(),
        };
        let action = match query.as_str() {
            "snmp" | "snmpquery" => "netinventory",
            "netdiscovery" => "netdiscovery",
            _ => "inventory",
        };
        root.set("action", Value::Str(action.into()));
    }
    root.remove("query");
    Ok(())
}

/// `getCastedValue($value, 'integer')`: the integer the string is, else null.
pub fn cast_integer(value: &str) -> Value {
    // The usual case, a few plain digits: an integer by any reading.
    if (1..=18).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()) {
        return Value::Int(value.parse().unwrap_or_default());
    }
    let casted = php::str_to_int(value);
    match php::numeric(value) {
        Some(Number::Int(i)) if i == casted => Value::Int(casted),
        Some(Number::Float(f)) if f == casted as f64 => Value::Int(casted),
        _ => Value::Null,
    }
}

fn cast(value: &Value, integer: bool) -> R<Value> {
    // Most values are strings already: read in place.
    if let Value::Str(s) = value {
        return Ok(if integer {
            cast_integer(s)
        } else {
            Value::Bool(php::to_bool(value))
        });
    }
    let s = string_arg(value)?;
    Ok(if integer {
        cast_integer(&s)
    } else {
        Value::Bool(php::to_bool(&Value::Str(s)))
    })
}

fn cast_fields(data: &mut Value) -> R<()> {
    let Some(content) = data.arr_mut().and_then(|a| a.get_mut("content")) else {
        return Ok(());
    };
    let fields: Vec<(&str, &str, bool)> = BOOLEAN_FIELDS
        .iter()
        .map(|&(p, c)| (p, c, false))
        .chain(INTEGER_FIELDS.iter().map(|&(p, c)| (p, c, true)))
        .collect();
    // GLPI goes field by field; each cast only reads and writes its own member (and a
    // cast of a cast value gives it back), so going parent by parent, each item's
    // members once, gives the same values, and fails where GLPI fails.
    let mut parents: Vec<&str> = Vec::new();
    for &(parent, _, _) in &fields {
        if !parents.contains(&parent) {
            parents.push(parent);
        }
    }
    for parent in parents {
        let Some(Value::Arr(group)) = content.arr_mut().and_then(|a| a.get_mut(parent)) else {
            continue;
        };
        let casts: Vec<(&str, bool)> = fields
            .iter()
            .filter(|f| f.0 == parent)
            .map(|&(_, c, integer)| (c, integer))
            .collect();
        // Each item of the group, and the group itself when it is a single item.
        for item in group.values_mut() {
            let Value::Arr(members) = item else {
                continue;
            };
            for (key, v) in members.iter_mut() {
                let Some(key) = key.as_str() else {
                    continue;
                };
                for &(child, integer) in &casts {
                    if child.len() == key.len() && child == key && *v != Value::Null {
                        *v = cast(v, integer)?;
                    }
                }
            }
        }
        for &(child, integer) in &casts {
            if let Some(v) = group.get(child).filter(|v| **v != Value::Null) {
                let casted = cast(v, integer)?;
                group.set(child, casted);
            }
        }
    }
    Ok(())
}

fn make_lists(content: &mut Value) -> R<()> {
    let Value::Arr(c) = content else {
        return Ok(());
    };
    for name in LISTS {
        if let Some(v) = c.get_mut(name).filter(|v| **v != Value::Null) {
            if !is_list(Some(v))? {
                let item = std::mem::replace(v, Value::Null);
                *v = Value::Arr(Array::list(vec![item]));
            }
        }
    }
    for (parent, child) in SUB_LISTS {
        let Some(Value::Arr(group)) = c.get_mut(parent) else {
            continue;
        };
        for (key, item) in group.iter_mut() {
            let wrap = |v: &mut Value| {
                let inner = std::mem::replace(v, Value::Null);
                *v = Value::Arr(Array::list(vec![inner]));
            };
            if key.as_str() == Some(child) && !matches!(item, Value::Arr(_)) {
                wrap(item);
            } else if let Some(inner) = item
                .arr_mut()
                .and_then(|a| a.get_mut(child))
                .filter(|v| !matches!(v, Value::Null | Value::Arr(_)))
            {
                wrap(inner);
            }
        }
    }
    Ok(())
}

fn lower_field(item: &mut Value, key: &str) -> R<Option<String>> {
    match item.at(key) {
        Some(v) => {
            let s = string_arg(v)?.to_ascii_lowercase();
            Ok(Some(s))
        }
        None => Ok(None),
    }
}

/// `convertDate()`: `None` for no date, else the date in the output format (or the
/// value unchanged when no known format reads it).
pub fn convert_date(value: &str, with_time: bool) -> Option<String> {
    if value.is_empty() || value == "0" {
        return None;
    }
    let lower = value.to_ascii_lowercase();
    if lower == "n/a" || lower == "boot_time" {
        return None;
    }
    const FORMATS: &[&str] = &[
        "D M d H:i:s Y",
        "Y-m-d\\TH:i:sZ",
        "d/m/Y H:i:s",
        "Y-m-d H:i:s",
        "d/m/Y H:i",
        "Y-m-d H:i",
        "d/m/Y",
        "m/d/Y",
        "Y-m-d",
        "d.m.Y",
        "Ymd",
    ];
    let found = FORMATS
        .iter()
        .find_map(|f| dates::create_from_format(f, value));
    Some(match found {
        Some(t) if with_time => t.date_time(),
        Some(t) => t.date(),
        None => value.to_owned(),
    })
}

/// `$item[$key] = convertDate($item[$key] ?? '')`, or unset when there is no date.
fn date_field(item: &mut Value, key: &str, with_time: bool) -> R<()> {
    let value = match item.at(key) {
        Some(v) => string_arg(v)?,
        None => String::new(),
    };
    match convert_date(&value, with_time) {
        Some(d) => assign(item, key, Value::Str(d)),
        None => unset(item, key),
    }
}

/// `convertBatteryPower()`: mWh, or `None` (false).
fn battery_power(v: &Value) -> R<Option<i64>> {
    if let Value::Int(i) = v {
        return Ok(Some(*i));
    }
    let s = string_arg(v)?;
    let body = strip_final_newline(&s);
    let lower = body.to_ascii_lowercase();
    if let Some(n) = lower.strip_suffix(" wh").filter(|n| is_decimal(n)) {
        return Ok(Some(php::float_to_int(php::round(
            n.parse::<f64>().unwrap_or(0.0) * 1000.0,
        ))));
    }
    if let Some(n) = lower.strip_suffix(" mwh").filter(|n| php::ctype_digit(n)) {
        return Ok(Some(php::str_to_int(n)));
    }
    if php::ctype_digit(&s) {
        return Ok(Some(php::str_to_int(&s)));
    }
    if let Some((int, zeros)) = body.split_once('.') {
        if php::ctype_digit(int) && !zeros.is_empty() && zeros.bytes().all(|b| b == b'0') {
            return Ok(Some(php::str_to_int(int)));
        }
    }
    Ok(None)
}

/// `convertBatteryVoltage()`: mV, or `None` (false).
fn battery_voltage(v: &Value) -> R<Option<i64>> {
    let s = string_arg(v)?;
    let body = strip_final_newline(&s);
    let lower = body.to_ascii_lowercase();
    if let Some(n) = lower.strip_suffix('v') {
        let n = n.strip_suffix(' ').unwrap_or(n);
        if is_decimal(n) {
            return Ok(Some(php::float_to_int(php::round(
                n.parse::<f64>().unwrap_or(0.0) * 1000.0,
            ))));
        }
    }
    if let Some(n) = lower.strip_suffix(" mv").filter(|n| php::ctype_digit(n)) {
        return Ok(Some(php::str_to_int(n)));
    }
    if php::ctype_digit(&s) {
        return Ok(Some(php::str_to_int(&s)));
    }
    Ok(None)
}

/// PCRE's `$` also matches before a final newline.
fn strip_final_newline(s: &str) -> &str {
    s.strip_suffix('\n').unwrap_or(s)
}

/// `[0-9]+(\.[0-9]+)?`
fn is_decimal(s: &str) -> bool {
    match s.split_once('.') {
        Some((a, b)) => php::ctype_digit(a) && php::ctype_digit(b),
        None => php::ctype_digit(s),
    }
}

/// `^([0-9]+([\.|,][0-9])?) ?(.?B)$` with `/i`, tried in PCRE's order (longest number,
/// then with the space, then with a unit prefix): the number and the unit prefix.
fn memory_with_unit(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let tail_matches = |r: &[u8]| -> Option<usize> {
        // `.?B$`: the prefix length, where `$` may stand before a final newline.
        let r = r.strip_suffix(b"\n").unwrap_or(r);
        let ends_b = r.last().is_some_and(|b| b.eq_ignore_ascii_case(&b'b'));
        match r.len() {
            2 if ends_b && r[0] != b'\n' => Some(1),
            1 if ends_b => Some(0),
            _ => None,
        }
    };
    for k in (1..=digits).rev() {
        let mut ends = Vec::with_capacity(2);
        if s.len() > k + 1 && matches!(s[k], b'.' | b'|' | b',') && s[k + 1].is_ascii_digit() {
            ends.push(k + 2);
        }
        ends.push(k);
        for end in ends {
            let rest = &s[end..];
            let candidates = [rest.strip_prefix(b" "), Some(rest)];
            for r in candidates.into_iter().flatten() {
                if let Some(unit_len) = tail_matches(r) {
                    return Some((&s[..end], &r[..unit_len]));
                }
            }
        }
    }
    None
}

/// `convertMemory()`: MB as an integer (or a float when not whole), else null.
pub fn convert_memory(v: &Value) -> R<Value> {
    let s = string_arg(v)?;
    if let v @ Value::Int(_) = cast_integer(&s) {
        return Ok(v);
    }
    let Some((number, unit)) = memory_with_unit(s.as_bytes()) else {
        return Ok(Value::Null);
    };
    let number = std::str::from_utf8(number).unwrap_or("");
    let mut value = match cast_integer(number) {
        Value::Int(i) => Number::Int(i),
        _ => Number::Int(0),
    };
    let times = match unit.to_ascii_lowercase().as_slice() {
        b"p" => 5,
        b"t" => 4,
        b"g" => 3,
        b"m" => 2,
        b"k" => 1,
        b"" => 0,
        _ => return Ok(Value::Null),
    };
    for _ in 0..times {
        value = match value {
            Number::Int(i) => match i.checked_mul(1024) {
                Some(n) => Number::Int(n),
                None => Number::Float(i as f64 * 1024.0),
            },
            Number::Float(f) => Number::Float(f * 1024.0),
        };
    }
    for _ in 0..2 {
        value = match value {
            Number::Int(i) if i % 1024 == 0 => Number::Int(i / 1024),
            Number::Int(i) => Number::Float(i as f64 / 1024.0),
            Number::Float(f) => Number::Float(f / 1024.0),
        };
    }
    Ok(match value {
        Number::Int(i) => Value::Int(i),
        // json_encode writes a whole float below 1e17 as an integer, which json_decode
        // reads back as one.
        Number::Float(f) if f == f.trunc() && f.abs() < 1e17 => Value::Int(f as i64),
        Number::Float(f) => Value::Float(f),
    })
}

fn content_of(data: &mut Value) -> Option<&mut Value> {
    data.arr_mut().and_then(|a| a.get_mut("content"))
}

fn normalise_items(data: &mut Value) -> R<()> {
    let mut null = Value::Null;
    let content: &mut Value = match content_of(data) {
        Some(c) => c,
        None => &mut null,
    };

    each_of(content, "networks", |network| {
        if let Some(status) = lower_field(network, "status")? {
            assign(network, "status", Value::Str(status))?;
        }
        if let Some(mut ty) = lower_field(network, "type")? {
            if ty == "local" {
                ty = "loopback".into();
            }
            let known = NETWORK_TYPES.iter().any(|t| php::str_loose_eq(&ty, t));
            assign(network, "type", Value::Str(ty))?;
            if !known {
                unset(network, "type")?;
            }
        }
        Ok(())
    })?;
    each_of(content, "cpus", |cpu| {
        if let Some(arch) = lower_field(cpu, "arch")? {
            assign(cpu, "arch", Value::Str(arch))?;
        }
        Ok(())
    })?;
    if content.has("firewall") {
        let v = content.at("firewall").cloned().unwrap_or(Value::Null);
        assign(content, "firewalls", v)?;
        unset(content, "firewall")?;
    }
    each_of(content, "local_groups", |group| {
        if group.has("member") {
            let v = group.at("member").cloned().unwrap_or(Value::Null);
            assign(group, "members", v)?;
            unset(group, "member")?;
        }
        Ok(())
    })?;
    each_of(content, "processes", |process| {
        if let Some(v) = process.at("started") {
            let s = string_arg(v)?;
            match started_pattern(&s).then(|| dates::construct(&s)).flatten() {
                Some(t) => assign(process, "started", Value::Str(t.date_time()))?,
                None => unset(process, "started")?,
            }
        }
        Ok(())
    })?;
    each_of(content, "softwares", |soft| {
        let current = match soft.at("install_date") {
            Some(v) => string_arg(v)?,
            None => String::new(),
        };
        let mut date = convert_date(&current, false);
        if let Some(old) = soft.at("installdate") {
            if date.is_none() {
                date = convert_date(&string_arg(old)?, false);
            }
            unset(soft, "installdate")?;
        }
        match date {
            Some(d) => assign(soft, "install_date", Value::Str(d)),
            None => unset(soft, "install_date"),
        }
    })?;
    each_of(content, "batteries", |b| date_field(b, "date", false))?;
    if content.has("bios") {
        let bios = content.arr_mut().and_then(|c| c.get_mut("bios"));
        if let Some(bios) = bios {
            date_field(bios, "bdate", false)?;
        }
    }
    if let Some(os) = content
        .arr_mut()
        .and_then(|c| c.get_mut("operatingsystem"))
        .filter(|os| os.has("boot_time"))
    {
        let boot = string_arg(os.at("boot_time").unwrap_or(&Value::Null))?;
        if let Some(t) = dates::create_from_format("Y-d-m H:i:s", &boot) {
            if !dates::strtotime_reads(&boot) {
                assign(os, "boot_time", Value::Str(t.date_time()))?;
            }
        }
        let boot = string_arg(os.at("boot_time").unwrap_or(&Value::Null))?;
        match convert_date(&boot, true) {
            Some(d) => assign(os, "boot_time", Value::Str(d))?,
            None => unset(os, "boot_time")?,
        }
    }
    each_of(content, "antivirus", |av| {
        date_field(av, "expiration", false)?;
        rename_unless_set(av, "datfilecreation", "base_creation")?;
        rename_unless_set(av, "datfileversion", "base_version")?;
        rename_unless_set(av, "engineversion64", "base_version")?;
        rename_unless_set(av, "engineversion32", "base_version")
    })?;
    each_of(content, "firmwares", |fw| date_field(fw, "date", false))?;
    each_of(content, "storages", |storage| {
        if let Some(i) = lower_field(storage, "interface")? {
            if i == "serial-ata" {
                assign(storage, "interface", Value::Str("SATA".into()))?;
            }
        }
        rename_unless_set(storage, "serialnumber", "serial")
    })?;
    each_of(content, "envs", |env| {
        if !env.has("val") {
            assign(env, "val", Value::Str(String::new()))?;
        }
        Ok(())
    })?;
    each_of(content, "slots", |slot| {
        if let Some(status) = lower_field(slot, "status")? {
            match status.as_str() {
                "in use" => assign(slot, "status", Value::Str("used".into()))?,
                "available" => assign(slot, "status", Value::Str("free".into()))?,
                _ => unset(slot, "status")?,
            }
        }
        Ok(())
    })?;
    each_of(content, "virtualmachines", |vm| {
        if let Some(mut ty) = lower_field(vm, "vmtype")? {
            match ty.as_str() {
                "hyper-v" => ty = "hyperv".into(),
                "solaris zones" | "solaris zone" => ty = "solariszone".into(),
                _ => {}
            }
            assign(vm, "vmtype", Value::Str(ty))?;
        }
        if let Some(status) = lower_field(vm, "status")? {
            match status.as_str() {
                "pause" => assign(vm, "status", Value::Str("paused".into()))?,
                "stopped" => assign(vm, "status", Value::Str("off".into()))?,
                "unknown" => unset(vm, "status")?,
                _ => {}
            }
        }
        Ok(())
    })?;
    let client = content
        .at("hardware")
        .and_then(|h| h.at("versionclient"))
        .cloned();
    if let Some(client) = client {
        if !content.has("versionclient") {
            assign(content, "versionclient", client)?;
        }
        unset2(content, "hardware", "versionclient")?;
    }
    let mut tag = None;
    if let Some(info) = content.at("accountinfo") {
        let is_tag = match info.at("keyname") {
            Some(Value::Str(k)) => php::str_loose_eq(k, "TAG"),
            _ => false,
        };
        if is_tag {
            if let Some(v) = info.at("keyvalue") {
                if !matches!(v, Value::Str(s) if s.is_empty()) {
                    tag = Some(v.clone());
                }
            }
        }
        unset(content, "accountinfo")?;
    }
    normalise_os(content)?;
    each_of(content, "batteries", |battery| {
        for power in ["capacity", "real_capacity", "power_max"] {
            if let Some(v) = battery.at(power) {
                match battery_power(v)? {
                    Some(n) if n != 0 => assign(battery, power, Value::Int(n))?,
                    _ => unset(battery, power)?,
                }
            }
        }
        if let Some(v) = battery.at("voltage") {
            match battery_voltage(v)? {
                Some(n) if n != 0 => assign(battery, "voltage", Value::Int(n))?,
                _ => unset(battery, "voltage")?,
            }
        }
        Ok(())
    })?;
    each_of(content, "powersupplies", |ps| {
        if let Some(v) = ps.at("power_max") {
            match battery_power(v)? {
                Some(n) if n != 0 => assign(ps, "power_max", Value::Int(n))?,
                _ => unset(ps, "power_max")?,
            }
        }
        Ok(())
    })?;
    each_of(content, "ports", |port| {
        if !port.has("type") {
            assign(port, "type", Value::Str("None".into()))?;
        }
        Ok(())
    })?;

    each_of(content, "networks", |n| {
        rename_unless_set(n, "macaddr", "mac")
    })?;
    if let Some(hw) = content.arr_mut().and_then(|c| c.get_mut("hardware")) {
        for key in ["memory", "swap"] {
            if let Some(v) = hw.at(key) {
                let m = convert_memory(v)?;
                assign(hw, key, m)?;
            }
        }
    }
    for (group, key) in [
        ("memories", "capacity"),
        ("videos", "memory"),
        ("virtualmachines", "memory"),
    ] {
        each_of(content, group, |item| {
            if let Some(v) = item.at(key) {
                let m = convert_memory(v)?;
                assign(item, key, m)?;
            }
            Ok(())
        })?;
    }
    if let Some(netdev) = content
        .arr_mut()
        .and_then(|c| c.get_mut("network_device"))
        .filter(|v| **v != Value::Null)
    {
        for key in ["memory", "ram"] {
            if let Some(v) = netdev.at(key) {
                let m = convert_memory(v)?;
                assign(netdev, key, m)?;
            }
        }
    }

    for name in DROPPED {
        unset(content, name)?;
    }
    for (parent, children) in DROPPED_IN_OBJECTS {
        for child in *children {
            unset2(content, parent, child)?;
        }
    }
    for (parent, children) in DROPPED_IN_ITEMS {
        each_of(content, parent, |entry| {
            for child in *children {
                unset(entry, child)?;
            }
            Ok(())
        })?;
    }
    each_of(content, "controllers", split_pciid)?;
    if content.has("user") {
        if !content.has("users") {
            let v = content.at("user").cloned().unwrap_or(Value::Null);
            assign(content, "users", v)?;
        }
        unset(content, "user")?;
    }
    each_of(content, "simcards", |sim| {
        rename_unless_set(sim, "line_number", "phone_number")
    })?;

    // The top level: nothing above writes it, so the tag (set when the account info was
    // read) and the default itemtype land where GLPI puts them.
    let root = data.arr_mut().ok_or(crate::ProtocolError::BadFormat)?;
    if let Some(tag) = tag {
        if root.get("tag").is_none_or(|v| *v == Value::Null) {
            root.set("tag", tag);
        }
    }
    if root.get("itemtype").is_none_or(|v| *v == Value::Null) {
        root.set("itemtype", Value::Str("Computer".into()));
    }
    for key in DROPPED_AT_TOP {
        root.remove(key);
    }
    Ok(())
}

fn normalise_os(content: &mut Value) -> R<()> {
    let Some(os) = content
        .arr_mut()
        .and_then(|c| c.get_mut("operatingsystem"))
        .filter(|v| **v != Value::Null)
    else {
        return Ok(());
    };
    if let Some(tz) = os
        .arr_mut()
        .and_then(|o| o.get_mut("timezone"))
        .filter(|v| **v != Value::Null)
    {
        let offset = read(tz, "offset")?.cloned();
        let offset_text = internal_string_arg(offset.as_ref())?;
        let mut offset = offset;
        if short_offset(&offset_text) {
            let mut s = offset_text.clone();
            s.push_str("00");
            offset = Some(Value::Str(s.clone()));
            assign(tz, "offset", Value::Str(s))?;
        }
        if !tz.has("name") {
            assign(tz, "name", offset.unwrap_or(Value::Null))?;
        }
    }
    // GLPI converts the installation date twice; a date read by a format that does not
    // write it back the same way may change again.
    date_field(os, "install_date", false)?;
    date_field(os, "install_date", false)
}

/// `^[+-][0-9]{2}$`
fn short_offset(s: &str) -> bool {
    let b = strip_final_newline(s).as_bytes();
    b.len() == 3 && matches!(b[0], b'+' | b'-') && b[1].is_ascii_digit() && b[2].is_ascii_digit()
}

/// `^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2} [0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?$`
fn started_pattern(s: &str) -> bool {
    let s = strip_final_newline(s);
    let Some((date, time)) = s.split_once(' ') else {
        return false;
    };
    let ok = |p: &str, min: usize, max: usize| {
        (min..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    let d: Vec<&str> = date.split('-').collect();
    let t: Vec<&str> = time.split(':').collect();
    d.len() == 3
        && ok(d[0], 4, 4)
        && ok(d[1], 1, 2)
        && ok(d[2], 1, 2)
        && (t.len() == 2 || t.len() == 3)
        && t.iter().all(|p| ok(p, 1, 2))
}

/// `pciid` (`vendor:product`) split into `vendorid` and `productid`.
fn split_pciid(node: &mut Value) -> R<()> {
    let Some(pciid) = node.at("pciid") else {
        return Ok(());
    };
    let pciid = string_arg(pciid)?;
    let mut parts = pciid.split(':');
    let vendor = parts.next().unwrap_or("").to_owned();
    let product = parts.next().map(str::to_owned);
    let truthy = |s: &str| !(s.is_empty() || s == "0");
    if !node.has("vendorid") && truthy(&vendor) {
        assign(node, "vendorid", Value::Str(vendor))?;
    }
    if let Some(p) = product.filter(|p| truthy(p)) {
        if !node.has("productid") {
            assign(node, "productid", Value::Str(p))?;
        }
    }
    unset(node, "pciid")
}
