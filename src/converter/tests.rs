use super::dates::{self, create_from_format};
use super::php;
use super::reshape::{cast_integer, convert_date, convert_memory};
use super::*;

fn data(rel: &str) -> Vec<u8> {
    let p = format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// The converted value as JSON, lists as arrays and other arrays as objects, the way
/// GLPI's `json_encode` writes it.
fn to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => J::from(*f),
        Value::Str(s) => J::String(s.clone()),
        Value::Arr(a) if a.is_list() => J::Array(a.values().map(to_json).collect()),
        Value::Arr(a) => J::Object(
            a.iter()
                .map(|(k, v)| {
                    let k = match k {
                        Key::Int(i) => i.to_string(),
                        Key::Str(s) => s.to_string(),
                    };
                    (k, to_json(v))
                })
                .collect(),
        ),
    }
}

/// GLPI's recorded conversion of a case (tests/data/converter/expected.jsonl).
fn recorded(name: &str) -> Option<serde_json::Value> {
    let text = String::from_utf8(data("tests/data/converter/expected.jsonl")).unwrap();
    text.lines().find_map(|l| {
        let (n, json) = l.split_once('\t')?;
        (n == name).then(|| serde_json::from_str(json).unwrap())
    })
}

fn convert_str(xml: &str) -> Result<Value, ProtocolError> {
    convert(xml.as_bytes().to_vec(), &Limits::default())
}

#[test]
fn the_sample_and_the_wire_capture_convert_as_glpi_converts_them() {
    for (name, file) in [
        ("sample", "samples/inventory.xml"),
        (
            "fusioninventory-agent-wire",
            "tests/data/wire/fusioninventory-agent/02-inventory-xml.request.xml",
        ),
    ] {
        let expected = recorded(name).expect("recorded");
        let mine = convert(data(file), &Limits::default()).expect(name);
        // serde_json keeps the members' order: equality is order-sensitive.
        assert_eq!(
            serde_json::to_string(&to_json(&mine)).unwrap(),
            serde_json::to_string(&expected).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn simplexml_shapes() {
    let v = convert_str(
        "<R a=\"1\"><A>x</A><A>y</A><B>t<C>u</C>v</B><D>  <E>1</E></D><F><!--c--></F><G>  <H/>z</G></R>",
    )
    .unwrap();
    let j = serde_json::to_string(&to_json(&v)).unwrap();
    assert_eq!(
        j,
        r#"{"@attributes":{"a":"1"},"a":["x","y"],"b":"tv","d":{"e":"1"},"g":[],"action":"inventory","itemtype":"Computer"}"#
    );
    // A root with nothing in it is no document for GLPI; one with only blank text is.
    assert_eq!(convert_str("<R/>"), Err(ProtocolError::MalformedXml));
    assert!(convert_str("<R> </R>").is_ok());
    assert_eq!(
        convert_str("<!DOCTYPE R><R/>"),
        Err(ProtocolError::MalformedXml)
    );
}

#[test]
fn names_that_differ_in_case_meet_at_the_first_place() {
    let v = convert_str("<R><A>1</A><B>2</B><a>3</a></R>").unwrap();
    let j = serde_json::to_string(&to_json(&v)).unwrap();
    assert_eq!(
        j,
        r#"{"a":"3","b":"2","action":"inventory","itemtype":"Computer"}"#
    );
    // Several such names among others; and siblings whose children come in other orders
    // and cases than the first sibling's.
    for (xml, json) in [
        (
            "<R><A>1</A><x>2</x><a>3</a><y>4</y><A>5</A><Y>6</Y></R>",
            r#"{"a":"3","x":"2","y":"6","action":"inventory","itemtype":"Computer"}"#,
        ),
        (
            "<R><P><A>1</A><B>2</B></P><P><B>3</B><A>4</A><b>5</b></P><P><A>6</A></P><P><C>7</C><a>8</a><A>9</A></P></R>",
            r#"{"p":[{"a":"1","b":"2"},{"b":"5","a":"4"},{"a":"6"},{"c":"7","a":"9"}],"action":"inventory","itemtype":"Computer"}"#,
        ),
    ] {
        let v = convert_str(xml).unwrap();
        assert_eq!(serde_json::to_string(&to_json(&v)).unwrap(), json, "{xml}");
    }
}

#[test]
fn dates_in_every_format() {
    // Values checked once against PHP 8.2's DateTime::createFromFormat().
    for (input, out) in [
        ("Thu Mar 14 15:05:41 2013", "2013-03-14"),
        ("Mon Mar 14 15:05:41 2013", "2013-03-18"),
        ("2020-01-02T03:04:05Z", "2020-01-02"),
        ("02/01/2020 03:04:05", "2020-01-02"),
        ("12/25/2020", "2022-01-12"),
        ("31/02/2020", "2020-03-02"),
        ("2020-13-45", "2021-02-14"),
        ("0000-00-00", "-0001-11-30"),
        ("1/2/20", "0020-02-01"),
        ("2020012", "2020-01-02"),
        ("02.01.2020", "2020-01-02"),
        ("2020-01-02 3:4:5", "2020-01-02 3:4:5"),
        ("2020/01/02", "2020/01/02"),
    ] {
        assert_eq!(convert_date(input, false).as_deref(), Some(out), "{input}");
    }
    for none in ["", "0", "n/a", "N/A", "boot_time"] {
        assert_eq!(convert_date(none, false), None);
    }
    let t = create_from_format("Y-m-d H:i:s", "2020-01-02 25:61:61").unwrap();
    assert_eq!(t.date_time(), "2020-01-03 02:02:01");
    assert_eq!(
        dates::construct("2020-00-10 10:00").map(|t| t.date_time()),
        Some("2019-12-10 10:00:00".into())
    );
    assert_eq!(dates::construct("2020-01-01 25:00"), None);
    assert!(!dates::strtotime_reads("2022-21-09 05:21:23"));
    assert!(dates::strtotime_reads("2022-10-04 05:21:23"));
}

#[test]
fn memory_units() {
    let m = |s: &str| convert_memory(&Value::Str(s.into())).unwrap();
    assert_eq!(m("2048"), Value::Int(2048));
    assert_eq!(m("2 GB"), Value::Int(2048));
    assert_eq!(m("1048576 B"), Value::Int(1));
    assert_eq!(m("1.5 GB"), Value::Int(0));
    assert_eq!(m("12 B"), Value::Float(12.0 / 1024.0 / 1024.0));
    assert_eq!(m("2048 MB\n"), Value::Int(2048));
    assert_eq!(m("7 XB"), Value::Null);
    assert_eq!(m("lots"), Value::Null);
    assert!(convert_memory(&Value::Arr(Array::new())).is_err());
}

#[test]
fn php_numbers() {
    assert_eq!(php::str_to_int("12abc"), 12);
    assert_eq!(php::str_to_int("1e3"), 1000);
    assert_eq!(php::str_to_int("9999999999999999999999"), i64::MAX);
    assert_eq!(php::float_to_int(1e19), -8446744073709551616);
    assert_eq!(php::round(1.0005 * 1000.0), 1001.0);
    assert_eq!(cast_integer("42"), Value::Int(42));
    assert_eq!(cast_integer(" 42"), Value::Int(42));
    assert_eq!(cast_integer("42.0"), Value::Int(42));
    assert_eq!(cast_integer("42.5"), Value::Null);
    assert_eq!(cast_integer("0x2A"), Value::Null);
    assert_eq!(cast_integer("9223372036854775808"), Value::Int(i64::MAX));
    assert_eq!(cast_integer("99999999999999999999"), Value::Null);
}

#[test]
fn refusals_where_glpi_throws() {
    for xml in [
        "<R><CONTENT><CPUS>text</CPUS></CONTENT></R>",
        "<R><CONTENT>text</CONTENT></R>",
        "<R><QUERY><A>1</A></QUERY></R>",
        "<R><CONTENT><DEVICE><INFO><TYPE>toaster</TYPE></INFO></DEVICE></CONTENT></R>",
        "<R><CONTENT><DEVICE><X>1</X></DEVICE></CONTENT></R>",
    ] {
        assert_eq!(convert_str(xml), Err(ProtocolError::BadFormat), "{xml}");
    }
}

#[test]
fn nesting_past_libxml2s_limit_is_refused() {
    // n elements under the root: GLPI reads 256 and refuses 257.
    let deep = |n: usize| format!("<R>{}x{}</R>", "<A>".repeat(n), "</A>".repeat(n));
    assert!(convert_str(&deep(256)).is_ok());
    assert_eq!(convert_str(&deep(257)), Err(ProtocolError::MalformedXml));
}
