use super::*;
use crate::json::{self, ParseOptions};

const AGENT: &str = "8d4cd9d8-e630-11f1-84c8-420f0d1cbbf9";

fn wire(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/data/wire/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn headers(pairs: &[(&str, &str)]) -> Headers {
    Headers::from_fields(pairs.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())))
}

fn opts() -> DecodeOptions<'static> {
    DecodeOptions {
        limits: Limits::DEFAULT,
        key: None,
        now: 1_700_000_000,
    }
}

fn fields(body: &[u8]) -> MessageFields {
    let mut scratch = json::Scratch::new();
    let tape = json::parse(body, &ParseOptions::default(), &mut scratch).expect("valid json");
    message_fields(&tape).expect("routable message")
}

#[test]
fn real_glpi_agent_exchanges_decode_to_their_captured_plain_bodies() {
    for (name, action) in [
        ("02-inventory-full", "inventory"),
        ("03-contact", "contact"),
        ("04-inventory-partial", "inventory"),
        ("05-contact-nodebug", "contact"),
        ("06-inventory-partial-nodebug", "inventory"),
    ] {
        let raw = wire(&format!("glpi-agent/{name}.request.zlib"));
        let h = headers(&[
            ("Content-Type", "application/x-compress-zlib"),
            ("GLPI-Agent-ID", AGENT),
        ]);
        let r = decode(&raw, &h, &opts()).unwrap();
        assert_eq!(r.mode, Mode::Json, "{name}");
        assert_eq!(r.compression, Compression::Zlib);
        assert_eq!(
            r.body,
            wire(&format!("glpi-agent/{name}.request.json")),
            "{name}"
        );
        assert_eq!(r.agent_id.map(|a| a.to_string()).as_deref(), Some(AGENT));
        let f = fields(&r.body);
        assert_eq!(f.action(), action, "{name}");
        assert!(
            f.device_id.is_some_and(|d| !d.is_empty()),
            "{name} has a deviceid"
        );
    }
}

#[test]
fn real_xml_prologs_and_inventory_give_query_and_deviceid() {
    for (path, query) in [
        ("glpi-agent/01-prolog", "PROLOG"),
        ("fusioninventory-agent/01-prolog", "PROLOG"),
        ("fusioninventory-agent/02-inventory-xml", "INVENTORY"),
    ] {
        let raw = wire(&format!("{path}.request.zlib"));
        let h = headers(&[("Content-Type", "application/x-compress-zlib")]);
        let r = decode(&raw, &h, &opts()).unwrap();
        assert_eq!(r.mode, Mode::Xml, "{path}");
        assert_eq!(r.xml_query.as_deref(), Some(query), "{path}");
        assert!(r.xml_device_id.is_some(), "{path}");
        assert_eq!(
            r.body,
            wire(&format!("{path}.request.xml")),
            "{path}: already UTF-8"
        );
    }
}

#[test]
fn a_missing_content_type_is_guessed_from_the_body() {
    let raw = wire("glpi-agent/03-contact.request.zlib");
    let r = decode(&raw, &headers(&[]), &opts()).unwrap();
    assert_eq!((r.mode, r.compression), (Mode::Json, Compression::Zlib));
    let r = decode(
        b"{\"action\":\"contact\"}",
        &headers(&[("Content-Type", "text/plain")]),
        &opts(),
    )
    .unwrap();
    assert_eq!((r.mode, r.compression), (Mode::Json, Compression::None));
}

#[test]
fn header_errors_come_before_the_body_is_touched() {
    let body = b"not even compressed";
    let zlib = [("Content-Type", "application/x-compress-zlib")];
    let with = |extra: (&str, &str)| {
        let mut h = zlib.to_vec();
        h.push(extra);
        decode(body, &headers(&h), &opts()).unwrap_err()
    };
    assert_eq!(
        with(("GLPI-Agent-ID", "not-a-uuid")),
        ProtocolError::BadAgentId
    );
    assert_eq!(
        with(("GLPI-CryptoKey-ID", "zz")),
        ProtocolError::BadCryptoKeyId
    );
    assert_eq!(with(("GLPI-Proxy-ID", "x,y")), ProtocolError::BadProxyId);
    assert_eq!(
        decode(
            body,
            &headers(&[("Content-Type", "application/pdf")]),
            &opts()
        )
        .unwrap_err(),
        ProtocolError::UnsupportedContentType
    );
}

#[test]
fn an_encrypted_body_without_a_key_is_refused_and_with_it_is_opened() {
    let key = Key128::from_slice(&[7u8; 16]).unwrap();
    let inner = compression::compress(
        b"{\"action\":\"contact\",\"deviceid\":\"d\"}",
        Compression::Zlib,
        -1,
    )
    .unwrap();
    let binding = Binding::parse(AGENT, AGENT, Direction::AgentToServer).unwrap();
    let sealed = envelope::seal(
        &key,
        &binding,
        "application/x-compress-zlib",
        &inner,
        1_700_000_000,
    )
    .unwrap();
    let h = headers(&[
        ("Content-Type", envelope::CONTENT_TYPE),
        ("GLPI-Agent-ID", AGENT),
        ("GLPI-CryptoKey-ID", AGENT),
    ]);
    assert_eq!(
        decode(&sealed, &h, &opts()).unwrap_err(),
        ProtocolError::UnknownCryptoKey
    );
    let with_key = DecodeOptions {
        key: Some(&key),
        ..opts()
    };
    let r = decode(&sealed, &h, &with_key).unwrap();
    assert_eq!(r.compression, Compression::Zlib);
    assert_eq!(fields(&r.body).action(), "contact");
    let enc = r.encryption.expect("flagged as encrypted");
    assert_eq!(enc.message_id.len(), 24);

    let wrong = Key128::from_slice(&[8u8; 16]).unwrap();
    let wrong_key = DecodeOptions {
        key: Some(&wrong),
        ..opts()
    };
    assert_eq!(
        decode(&sealed, &h, &wrong_key).unwrap_err(),
        ProtocolError::DecryptionFailed
    );

    let mut tampered = sealed.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert_eq!(
        decode(&tampered, &h, &with_key).unwrap_err(),
        ProtocolError::DecryptionFailed
    );

    let late = DecodeOptions {
        key: Some(&key),
        now: 1_700_000_000 + 3600,
        ..opts()
    };
    assert_eq!(
        decode(&sealed, &h, &late).unwrap_err(),
        ProtocolError::StaleMessage
    );

    // The envelope type without the header announcing the key cannot be read.
    let no_key_id = headers(&[
        ("Content-Type", envelope::CONTENT_TYPE),
        ("GLPI-Agent-ID", AGENT),
    ]);
    assert_eq!(
        decode(&sealed, &no_key_id, &with_key).unwrap_err(),
        ProtocolError::BadCryptoKeyId
    );
}

#[test]
fn message_fields_follow_the_contract_and_skip_nested_members() {
    let f = fields(
        br#"{"content":{"action":"nested","x":[{"query":"no"}]},"query":"PROLOG","deviceid":"d1"}"#,
    );
    assert_eq!(f.action(), "prolog");
    assert_eq!(f.device_id.as_deref(), Some("d1"));
    assert_eq!(fields(br#"{"deviceid":"d"}"#).action(), "inventory");
    assert_eq!(
        fields(br#"{"action":"NetDiscovery","query":"x"}"#).action(),
        "netdiscovery"
    );
    for bad in [
        &b"[1,2]"[..],
        b"\"x\"",
        br#"{"action":5}"#,
        br#"{"deviceid":{"a":1}}"#,
    ] {
        let mut scratch = json::Scratch::new();
        let tape = json::parse(bad, &ParseOptions::default(), &mut scratch).unwrap();
        assert_eq!(
            message_fields(&tape),
            Err(ProtocolError::BadFormat),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn refusals_of_requests_without_agent_id_go_to_legacy_agents_unless_they_say_json() {
    for (pairs, legacy) in [
        (vec![("Content-Type", "application/x-compress-zlib")], true),
        (vec![("Content-Type", "application/xml")], true),
        (vec![("Content-Type", "application/x-br")], true),
        (vec![], false),
        (vec![("Content-Type", "text/plain")], false),
        (vec![("Content-Type", "text/html")], false),
        (vec![("Content-Type", "application/json")], false),
        (
            vec![
                ("Content-Type", "application/x-compress-zlib"),
                ("GLPI-Agent-ID", AGENT),
            ],
            false,
        ),
        (
            vec![
                ("Content-Type", "application/xml"),
                ("GLPI-Agent-ID", "junk"),
            ],
            false,
        ),
    ] {
        assert_eq!(from_legacy_agent(&headers(&pairs)), legacy, "{pairs:?}");
    }
}
