//! Network inventories and discoveries (SNMPQUERY and NETDISCOVERY results): the
//! `content.device` of the XML becomes `network_device`, `network_ports`,
//! `network_components` and the content lists, and the itemtype is guessed from the
//! device's type.

use super::ops::*;
use super::php;
use super::reshape::cast_integer;
use super::value::{Array, Key, Value};

/// Device members a discovery moves into the device's information as they are.
const DISCOVERY_INFO: &[&str] = &[
    "mac",
    "contact",
    "firmware",
    "location",
    "manufacturer",
    "model",
    "uptime",
    "type",
    "description",
    "serial",
    "assettag",
];

pub fn convert(data: &mut Value) -> R<()> {
    let is_network = data.at("content").is_some_and(|c| c.has("device"));
    if !is_network {
        return Ok(());
    }
    let discovery =
        matches!(data.at("action"), Some(Value::Str(a)) if php::str_loose_eq(a, "netdiscovery"));
    if discovery {
        convert_discovery(data)?;
    }
    let root = data.arr_mut().ok_or(crate::ProtocolError::BadFormat)?;
    let content = root.get_mut("content").expect("checked above");
    if !content.has("versionclient") && content.has("moduleversion") {
        let v = content.at("moduleversion").cloned().unwrap_or(Value::Null);
        assign(content, "versionclient", v)?;
        unset(content, "moduleversion")?;
    }
    if let Some(n) = content.at("processnumber") {
        let job = php::to_int(n);
        unset(content, "processnumber")?;
        root.set("jobid", Value::Int(job));
    }
    // The device is unset at the end and nothing reads it meanwhile: it is taken, not copied.
    let device = root
        .get_mut("content")
        .and_then(Value::arr_mut)
        .and_then(|c| c.remove("device"))
        .unwrap_or(Value::Null);
    if let Value::Arr(members) = device {
        let firmwares = match members.get("firmwares") {
            None | Some(Value::Null) => Firmwares::None,
            Some(Value::Arr(a)) if a.is_empty() => Firmwares::None,
            Some(Value::Arr(_)) => Firmwares::Some,
            Some(_) => Firmwares::Uncountable,
        };
        for (key, member) in members.into_entries() {
            let Key::Str(key) = key else {
                return refuse();
            };
            convert_member(root, firmwares, &key, member)?;
        }
    }
    let printer =
        matches!(root.get("itemtype"), Some(Value::Str(t)) if php::str_loose_eq(t, "Printer"));
    let content = root.get_mut("content").expect("checked above");
    if !content.has("versionclient") && printer {
        assign(content, "versionclient", Value::Str("missing".into()))?;
    }
    unset(content, "device")
}

/// What the device's own `firmwares` member is, for the firmware in its information.
#[derive(Clone, Copy)]
enum Firmwares {
    None,
    Some,
    /// Not an array: `count()` throws.
    Uncountable,
}

/// `$v[$key]` taken out of `$v` (a string cannot be read with a string key).
fn take(v: &mut Value, key: &str) -> R<Value> {
    match v {
        Value::Arr(a) => Ok(a.remove(key).unwrap_or(Value::Null)),
        Value::Str(_) => refuse(),
        _ => Ok(Value::Null),
    }
}

/// `$list['key']` made a list: a list as it is, anything else in a list of one.
fn into_list(v: Value) -> R<Vec<Value>> {
    if is_list(Some(&v))? {
        let Value::Arr(a) = v else { unreachable!() };
        Ok(a.into_values().collect())
    } else {
        Ok(vec![v])
    }
}

/// `is_array($v) ? $v : [$v]` (a map stays a map).
fn array_or_wrap(v: Option<&Value>) -> Value {
    match v {
        Some(a @ Value::Arr(_)) => a.clone(),
        other => Value::Arr(Array::list(vec![other.cloned().unwrap_or(Value::Null)])),
    }
}

fn convert_member(root: &mut Array, firmwares: Firmwares, key: &str, mut member: Value) -> R<()> {
    match key {
        "info" => convert_info(root, firmwares, member),
        "ports" => {
            let ports = into_list(take(&mut member, "port")?)?;
            let mut ports = Value::Arr(Array::list(ports));
            each_mut(&mut ports, convert_port)?;
            let content = root.get_mut("content").expect("network content");
            assign(content, "network_ports", ports)
        }
        "firmwares" | "modems" | "simcards" => {
            let elements = if is_list(Some(&member))? {
                member
            } else {
                Value::Arr(Array::list(vec![member]))
            };
            let content = root.get_mut("content").expect("network content");
            let existing = match content.at(key) {
                Some(v) if !is_list(Some(v))? => Value::Arr(Array::list(vec![v.clone()])),
                Some(v) => v.clone(),
                None => Value::Arr(Array::new()),
            };
            let merged = array_merge(&existing, &elements)?;
            assign(content, key, merged)
        }
        "components" => {
            let mut comps = Value::Arr(Array::list(into_list(take(&mut member, "component")?)?));
            each_mut(&mut comps, |c| {
                if let Some(v) = c.at("containedinindex") {
                    if !c.has("contained_index") {
                        let n = php::to_int(v);
                        assign(c, "contained_index", Value::Int(n))?;
                    }
                    unset(c, "containedinindex")?;
                }
                if c.has("revision") {
                    unset(c, "revision")?;
                }
                rename_unless_set(c, "version", "firmware")
            })?;
            let content = root.get_mut("content").expect("network content");
            assign(content, "network_components", comps)
        }
        "cartridges" | "pagecounters" | "drives" | "error" => {
            let content = root.get_mut("content").expect("network content");
            assign(content, key, member)
        }
        _ => refuse(),
    }
}

/// `array_merge()` of two arrays: integer keys renumbered, string keys replaced in place.
fn array_merge(a: &Value, b: &Value) -> R<Value> {
    let (Value::Arr(a), Value::Arr(b)) = (a, b) else {
        return refuse();
    };
    let mut out = Array::with_capacity(a.len() + b.len());
    // Indexed, so that a peer's huge array costs linear time.
    let mut strings: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut next = 0;
    for (k, v) in a.iter().chain(b.iter()) {
        match k {
            Key::Int(_) => {
                out.push_new(Key::Int(next), v.clone());
                next += 1;
            }
            Key::Str(s) => match strings.get(&**s) {
                Some(&i) => *out.value_at_mut(i) = v.clone(),
                None => {
                    strings.insert(s, out.len());
                    out.push_new(Key::Str(std::rc::Rc::clone(s)), v.clone());
                }
            },
        }
    }
    Ok(Value::Arr(out))
}

fn convert_info(root: &mut Array, firmwares: Firmwares, member: Value) -> R<()> {
    let mut info = member;
    for key in ["cpu", "id"] {
        if let Some(v) = info.at(key) {
            let n = php::to_int(v);
            assign(&mut info, key, Value::Int(n))?;
        }
    }
    if let Some(c) = info.at("comments").cloned() {
        assign(&mut info, "description", c)?;
    }
    if let Some(t) = info.at("type") {
        let t = string_arg(t)?.to_ascii_lowercase();
        let mut t = ucfirst(&t);
        if t == "Kvm" {
            t = "KVM".into();
        }
        assign(&mut info, "type", Value::Str(t))?;
    }
    if let Some(m) = info.at("macaddr").cloned() {
        assign(&mut info, "mac", m)?;
    }
    if info.has("ips") {
        let ips = info.at("ips").cloned().unwrap_or(Value::Null);
        let ip = read(&ips, "ip")?;
        let v = array_or_wrap(ip);
        assign(&mut info, "ips", v)?;
    }
    let content = root.get_mut("content").expect("network content");
    assign(content, "network_device", info)?;
    let info = content.at("network_device").cloned().unwrap_or(Value::Null);

    // Agents before 2.3.22 give only a firmware version in the device information.
    let no_firmwares = match firmwares {
        Firmwares::None => true,
        Firmwares::Some => false,
        Firmwares::Uncountable => return refuse(),
    };
    if no_firmwares {
        // The information's firmware, which the reshaping above leaves as it was.
        if let Some(fw) = info.at("firmware") {
            let existing = content
                .at("firmwares")
                .cloned()
                .unwrap_or(Value::Arr(Array::new()));
            let mut add = Array::new();
            add.set("version", fw.clone());
            add.set("name", fw.clone());
            let merged = array_merge(&existing, &Value::Arr(add))?;
            assign(content, "firmwares", merged)?;
        }
    }

    if root.get("itemtype").is_none_or(|v| *v == Value::Null) {
        let itemtype = match info.at("type") {
            None => "Computer".to_owned(),
            Some(t) => {
                let t = string_arg(t)?;
                match t.as_str() {
                    "Computer" | "Phone" | "Printer" | "Unmanaged" => t,
                    "Networking" | "Storage" | "Power" | "Video" | "KVM" => {
                        "NetworkEquipment".to_owned()
                    }
                    _ => return refuse(),
                }
            }
        };
        root.set("itemtype", Value::Str(itemtype));
    }
    Ok(())
}

fn ucfirst(s: &str) -> String {
    let mut out = s.to_owned();
    if let Some(first) = out.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    out
}

fn convert_port(port: &mut Value) -> R<()> {
    replace_member(port, "vlans", |mut vlans| {
        Ok(Value::Arr(Array::list(into_list(take(
            &mut vlans, "vlan",
        )?)?)))
    })?;
    let cdp = port
        .at("connections")
        .and_then(|c| c.at("cdp"))
        .map(php::to_bool);
    if let Some(cdp) = cdp {
        assign(port, "lldp", Value::Bool(cdp))?;
        let conns = slot(port, "connections")?;
        unset(conns, "cdp")?;
    }
    rename_unless_set(port, "ifinoctets", "ifinbytes")?;
    rename_unless_set(port, "ifoutoctets", "ifoutbytes")?;
    replace_member(port, "connections", |mut conns| {
        let mut list = Value::Arr(Array::list(into_list(take(&mut conns, "connection")?)?));
        each_mut(&mut list, |c| {
            if let Some(n) = c.at("ifnumber") {
                let n = cast_integer(&string_arg(n)?);
                assign(c, "ifnumber", n)?;
            }
            Ok(())
        })?;
        Ok(list)
    })?;
    if port.has("aggregate") {
        let agg = port.at("aggregate").cloned().unwrap_or(Value::Null);
        let p = read(&agg, "port")?;
        let items = match p {
            Some(Value::Arr(a)) if a.is_list() => a.values().cloned().collect(),
            other => vec![other.cloned().unwrap_or(Value::Null)],
        };
        let ints = items.iter().map(|v| Value::Int(php::to_int(v))).collect();
        assign(port, "aggregate", Value::Arr(Array::list(ints)))?;
    }
    if port.has("ip") {
        if !port.has("ips") {
            let ip = port.at("ip").cloned().unwrap_or(Value::Null);
            let ips = slot(port, "ips")?;
            assign(ips, "ip", Value::Arr(Array::list(vec![ip])))?;
        }
        unset(port, "ip")?;
    }
    replace_member(port, "ips", |mut ips| {
        let ip = take(&mut ips, "ip")?;
        Ok(match ip {
            a @ Value::Arr(_) => a,
            other => Value::Arr(Array::list(vec![other])),
        })
    })
}

/// `if (isset($item[$key])) $item[$key] = f($item[$key]);`, the member moved, not copied.
fn replace_member(item: &mut Value, key: &str, f: impl FnOnce(Value) -> R<Value>) -> R<()> {
    let Some(slot) = item
        .arr_mut()
        .and_then(|a| a.get_mut(key))
        .filter(|v| !matches!(v, Value::Null))
    else {
        return Ok(());
    };
    let value = std::mem::replace(slot, Value::Null);
    *slot = f(value)?;
    Ok(())
}

fn device_of(root: &mut Array) -> R<&mut Value> {
    let content = root
        .get_mut("content")
        .ok_or(crate::ProtocolError::BadFormat)?;
    slot(content, "device")
}

fn convert_discovery(data: &mut Value) -> R<()> {
    let root = data.arr_mut().ok_or(crate::ProtocolError::BadFormat)?;
    let device = device_of(root)?;
    if !device.has("info") {
        let mut info = Array::new();
        info.set("type", Value::Str("Unmanaged".into()));
        assign(device, "info", Value::Arr(info))?;
    }
    // The SNMP name wins over the NetBIOS name, which wins over the DNS name.
    if device.at("snmphostname").is_some_and(|v| !php::is_empty(v)) {
        unset(device, "dnshostname")?;
        unset(device, "netbiosname")?;
    }
    if device.at("netbiosname").is_some_and(|v| !php::is_empty(v)) && device.has("dnshostname") {
        unset(device, "dnshostname")?;
    }
    if device.has("ip") {
        if !device.has("ips") {
            let ip = device.at("ip").cloned().unwrap_or(Value::Null);
            let ips = slot(device, "ips")?;
            assign(ips, "ip", Value::Arr(Array::list(vec![ip])))?;
        }
        unset(device, "ip")?;
    }
    let Value::Arr(members) = device.clone() else {
        return Ok(());
    };
    for (key, value) in members.iter() {
        let Key::Str(key) = key else {
            return refuse();
        };
        let key = &**key;
        let device = device_of(root)?;
        let to_info = |device: &mut Value, name: &str, v: &Value| -> R<()> {
            let info = slot(device, "info")?;
            assign(info, name, v.clone())
        };
        match key {
            "info" => {}
            "dnshostname" | "snmphostname" | "netbiosname" => {
                to_info(device, "name", value)?;
                unset(device, key)?;
            }
            "entity" | "usersession" => unset(device, key)?,
            "ips" => {
                to_info(device, "ips", value)?;
                unset(device, key)?;
            }
            k if DISCOVERY_INFO.contains(&k) => {
                to_info(device, k, value)?;
                unset(device, k)?;
            }
            "netportvendor" => {
                if !device.has("manufacturer") {
                    to_info(device, "manufacturer", value)?;
                }
                unset(device, key)?;
            }
            "workgroup" => {
                let content = root
                    .get_mut("content")
                    .ok_or(crate::ProtocolError::BadFormat)?;
                let hardware = slot(content, "hardware")?;
                assign(hardware, "workgroup", value.clone())?;
                unset(device_of(root)?, key)?;
            }
            "authsnmp" => {
                to_info(device, "credentials", value)?;
                unset(device, key)?;
            }
            _ => return refuse(),
        }
    }
    Ok(())
}
