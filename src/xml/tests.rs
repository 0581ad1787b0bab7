use super::*;

fn data(rel: &str) -> Vec<u8> {
    let p = format!("{}/tests/data/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn parse(doc: &[u8]) -> Result<XmlRequest, ProtocolError> {
    parse_request(doc.to_vec(), &Limits::default())
}

/// Well-formed and malformed documents, each checked once against PHP 8.2's
/// `simplexml_load_string` (libxml2 2.9.14): see tests/data/xml/cases.php.
pub(crate) const WELL_FORMED: &[&str] = &[
    "<REQUEST/>",
    "<REQUEST></REQUEST>",
    "<?xml version=\"1.0\"?><REQUEST/>",
    "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<REQUEST/>\n",
    "<!-- c --><?pi data?><REQUEST a=\"1\" b='&lt;&#x41;'><!-- x --></REQUEST><!-- after -->\n",
    "<REQUEST><QUERY>PROLOG</QUERY><DEVICEID>d</DEVICEID></REQUEST>",
    "<REQUEST><QUERY><![CDATA[PRO]]>&#76;OG</QUERY></REQUEST>",
    "<REQUEST><X><QUERY>no</QUERY></X></REQUEST>",
    "<r:REQUEST xmlns:r=\"urn:x\"><_a.b-c/></r:REQUEST>",
    "<REQUEST>\u{e9}t\u{e9} \u{1F600}</REQUEST>",
    "<REQUEST>&amp;&lt;&gt;&apos;&quot;&#9;&#x10FFFF;</REQUEST>",
    "<REQUEST>a > b ]] c</REQUEST>",
    "<?xml version=\"1.0\" standalone=\"yes\"?><\u{e9}t\u{e9} a\u{b7}\u{300}-.9=\"\"/>",
];

pub(crate) const MALFORMED: &[&str] = &[
    "",
    "   ",
    "not xml",
    "<REQUEST>",
    "<REQUEST></request>",
    "<REQUEST></REQUEST><REQUEST/>",
    "<REQUEST/>text",
    "text<REQUEST/>",
    "<REQUEST>&unknown;</REQUEST>",
    "<REQUEST>&amp</REQUEST>",
    "<REQUEST>a & b</REQUEST>",
    "<REQUEST>&#0;</REQUEST>",
    "<REQUEST>&#1;</REQUEST>",
    "<REQUEST>&#xFFFE;</REQUEST>",
    "<REQUEST>&#xD800;</REQUEST>",
    "<REQUEST>&#x110000;</REQUEST>",
    "<REQUEST>\u{1}</REQUEST>",
    "<REQUEST>\u{b}</REQUEST>",
    "<REQUEST>\u{fffe}</REQUEST>",
    "<REQUEST>]]></REQUEST>",
    "<REQUEST a=\"1\" a=\"2\"/>",
    "<REQUEST a=1/>",
    "<REQUEST a/>",
    "<REQUEST a=\"<\"/>",
    "<REQUEST a=\"&foo;\"/>",
    "<REQUEST a=\"&#1;\"/>",
    "<1REQUEST/>",
    "<-REQUEST/>",
    "<REQUEST><!-- a -- b --></REQUEST>",
    " <?xml version=\"1.0\"?><REQUEST/>",
    "<REQUEST/><?xml version=\"1.0\"?>",
    "<?xml version=\"1.0\" encoding=\"klingon\"?><REQUEST/>",
    "<?xml version=\"2.0\"?><REQUEST/>",
    "<?xml encoding=\"UTF-8\"?><REQUEST/>",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"<REQUEST/>",
    "<?XML version=\"1.0\"?><REQUEST/>",
    "<?xml version=\"1.0\" enAcoding=\"x\"?><REQUEST/>",
    "<?xml version=\"1.0\" standalone=\"no\" encoding=\"UTF-8\"?><REQUEST/>",
    "<?\u{9b}xml version=\"1.0\"?><REQUEST/>",
    "<REQUEST><\u{b7}a/></REQUEST>",
    "<REQUEST \u{300}a=\"1\"/>",
    "<REQUEST><![CDATA[x]]</REQUEST>",
    "<![CDATA[x]]><REQUEST/>",
    "&amp;<REQUEST/>",
];

/// Well-formed for libxml2, refused here on purpose: a DTD.
pub(crate) const REFUSED: &[&str] = &[
    "<!DOCTYPE REQUEST><REQUEST/>",
    "<!DOCTYPE REQUEST [<!ENTITY a \"b\">]><REQUEST>&a;</REQUEST>",
];

#[test]
fn well_formed_documents_parse() {
    for doc in WELL_FORMED {
        assert!(
            parse(doc.as_bytes()).is_ok(),
            "{doc:?}: {:?}",
            parse(doc.as_bytes())
        );
    }
}

#[test]
fn malformed_documents_are_refused() {
    for doc in MALFORMED.iter().chain(REFUSED) {
        assert_eq!(
            parse(doc.as_bytes()),
            Err(ProtocolError::MalformedXml),
            "{doc:?}"
        );
    }
}

#[test]
fn query_and_device_id() {
    let r = parse(b"<REQUEST><QUERY>PROLOG</QUERY><DEVICEID>d-1</DEVICEID></REQUEST>").unwrap();
    assert_eq!(r.root, "REQUEST");
    assert_eq!(r.query.as_deref(), Some("PROLOG"));
    assert_eq!(r.device_id.as_deref(), Some("d-1"));

    // References, CDATA and line ends as libxml2 gives them; nested elements' text left out,
    // as SimpleXML's string cast does; the first of two children wins.
    let r = parse(
        b"<REQUEST><QUERY> a&amp;<![CDATA[<b>]]>&#x43;\r\n<X>skip</X>d </QUERY><QUERY>2</QUERY></REQUEST>",
    )
    .unwrap();
    assert_eq!(r.query.as_deref(), Some(" a&<b>C\nd "));

    let r =
        parse(b"<REQUEST><QUERY/><CONTENT><DEVICEID>deep</DEVICEID></CONTENT></REQUEST>").unwrap();
    assert_eq!(r.query.as_deref(), Some(""));
    assert_eq!(r.device_id, None);

    let r = parse(b"<REQUEST/>").unwrap();
    assert_eq!((r.query, r.device_id), (None, None));

    // Names are case-sensitive, as in GLPI.
    let r = parse(b"<REQUEST><query>x</query></REQUEST>").unwrap();
    assert_eq!(r.query, None);
}

/// The PROLOGs and the XML inventory captured from fusioninventory-agent 2.6 and
/// glpi-agent 1.12.
#[test]
fn captured_documents() {
    for (file, device) in [
        (
            "wire/glpi-agent/01-prolog.request.xml",
            "vm-2026-11-22-04-52-42",
        ),
        (
            "wire/fusioninventory-agent/01-prolog.request.xml",
            "vm-2026-11-22-04-52-46",
        ),
    ] {
        let doc = data(file);
        let r = parse(&doc).unwrap();
        assert_eq!(
            r.body.as_bytes(),
            &doc[..],
            "{file}: UTF-8 passes through unchanged"
        );
        assert_eq!(r.encoding, SourceEncoding::Utf8);
        assert_eq!(r.root, "REQUEST");
        assert_eq!(r.query.as_deref(), Some("PROLOG"));
        assert_eq!(r.device_id.as_deref(), Some(device), "{file}");
    }
    let doc = data("wire/fusioninventory-agent/02-inventory-xml.request.xml");
    let r = parse(&doc).unwrap();
    assert_eq!(r.body.as_bytes(), &doc[..]);
    assert_eq!(r.query.as_deref(), Some("INVENTORY"));
    assert_eq!(r.device_id.as_deref(), Some("vm-2026-11-22-04-52-46"));
}

#[test]
fn latin1_and_windows_1252_are_converted() {
    // "Société Générale – 5 €" with the dash and euro of Windows-1252 and Latin-1's é.
    let mut w = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n<REQUEST><DEVICEID>Soci\xe9t\xe9 G\xe9n\xe9rale \x96 5 \x80</DEVICEID></REQUEST>".to_vec();
    let r = parse(&w).unwrap();
    assert_eq!(r.encoding, SourceEncoding::Windows1252);
    assert_eq!(r.device_id.as_deref(), Some("Société Générale – 5 €"));
    assert_eq!(
        r.body,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<REQUEST><DEVICEID>Société Générale – 5 €</DEVICEID></REQUEST>"
    );

    // The same bytes as ISO-8859-1: 0x80 and 0x96 are C1 controls there.
    w.splice(30..42, b"ISO-8859-1".iter().copied());
    let r = parse(&w).unwrap();
    assert_eq!(r.encoding, SourceEncoding::Latin1);
    assert_eq!(
        r.device_id.as_deref(),
        Some("Société Générale \u{96} 5 \u{80}")
    );
    assert!(r
        .body
        .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));

    let r =
        parse(b"<?xml version='1.0' encoding='latin9'?><REQUEST>\xa4\xbd\xe9</REQUEST>").unwrap();
    assert_eq!(r.encoding, SourceEncoding::Latin9);
    assert_eq!(
        r.body,
        "<?xml version='1.0' encoding='UTF-8'?><REQUEST>€œé</REQUEST>"
    );

    // Every byte of Windows-1252 round-trips through the conversion.
    let all: Vec<u8> = (0x20..=0xffu8)
        .filter(|b| *b != b'<' && *b != b'&')
        .collect();
    let mut doc = b"<?xml version=\"1.0\" encoding=\"cp1252\"?><REQUEST><QUERY>".to_vec();
    doc.extend_from_slice(&all);
    doc.extend_from_slice(b"</QUERY></REQUEST>");
    let q = parse(&doc).unwrap().query.unwrap();
    assert_eq!(q.chars().count(), all.len());
    // Python's cp1252 codec gives these for 0x80..0xA0, leaving the five unassigned bytes
    // undecoded; they stay C1 controls here.
    let c1: String = q.chars().skip(0x80 - 0x20 - 2).take(32).collect();
    assert_eq!(
        c1,
        "€\u{81}‚ƒ„…†‡ˆ‰Š‹Œ\u{8d}Ž\u{8f}\u{90}‘’“”•–—˜™š›œ\u{9d}žŸ"
    );
}

#[test]
fn us_ascii_is_strict() {
    let r = parse(b"<?xml version=\"1.0\" encoding=\"US-ASCII\"?><REQUEST/>").unwrap();
    assert_eq!(r.encoding, SourceEncoding::UsAscii);
    assert_eq!(
        r.body,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><REQUEST/>"
    );
    let bad = b"<?xml version=\"1.0\" encoding=\"US-ASCII\"?><REQUEST>\xe9</REQUEST>";
    assert_eq!(parse(bad), Err(ProtocolError::MalformedXml));
}

#[test]
fn invalid_utf8_falls_back_to_latin1_like_glpi() {
    for doc in [
        &b"<REQUEST><DEVICEID>caf\xe9</DEVICEID></REQUEST>"[..],
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><REQUEST><DEVICEID>caf\xe9</DEVICEID></REQUEST>",
    ] {
        let r = parse(doc).unwrap();
        assert_eq!(r.encoding, SourceEncoding::Utf8FallbackLatin1);
        assert_eq!(r.device_id.as_deref(), Some("café"));
    }
    // With a BOM, the document is certainly meant as UTF-8: no second guess.
    let doc = b"\xef\xbb\xbf<REQUEST>caf\xe9</REQUEST>";
    assert_eq!(parse(doc), Err(ProtocolError::MalformedXml));
}

#[test]
fn byte_order_marks() {
    let r =
        parse(b"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?><REQUEST>\xc3\xa9</REQUEST>")
            .unwrap();
    assert_eq!(
        r.body,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><REQUEST>é</REQUEST>"
    );
    assert_eq!(r.encoding, SourceEncoding::Utf8);
    let bom_and_latin1 = b"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><REQUEST/>";
    assert_eq!(parse(bom_and_latin1), Err(ProtocolError::MalformedXml));

    let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><REQUEST><QUERY>é😀</QUERY></REQUEST>";
    let mut le = vec![0xff, 0xfe];
    let mut be = vec![0xfe, 0xff];
    for u in text.encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
        be.extend_from_slice(&u.to_be_bytes());
    }
    let want = text.replace("UTF-16", "UTF-8");
    for (doc, enc) in [
        (&le, SourceEncoding::Utf16Le),
        (&be, SourceEncoding::Utf16Be),
    ] {
        let r = parse(doc).unwrap();
        assert_eq!(r.encoding, enc);
        assert_eq!(r.body, want);
        assert_eq!(r.query.as_deref(), Some("é😀"));
    }
    // Two byte order marks, found by fuzzing: the second is a character before the root.
    assert_eq!(
        parse(b"\xff\xfe\xff\xfe<\x00r\x00/\x00>\x00"),
        Err(ProtocolError::MalformedXml)
    );
    assert_eq!(
        parse(b"\xef\xbb\xbf\xef\xbb\xbf<r/>"),
        Err(ProtocolError::MalformedXml)
    );
    // Odd length, a lone surrogate, a declaration naming another encoding.
    assert_eq!(parse(&le[..le.len() - 1]), Err(ProtocolError::MalformedXml));
    assert_eq!(
        parse(b"\xff\xfe<\x00\x00\xd8"),
        Err(ProtocolError::MalformedXml)
    );
    let mut wrong = vec![0xff, 0xfe];
    for u in "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><R/>".encode_utf16() {
        wrong.extend_from_slice(&u.to_le_bytes());
    }
    assert_eq!(parse(&wrong), Err(ProtocolError::MalformedXml));
}

#[test]
fn dtds_and_entity_bombs_are_refused() {
    let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n \
        <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n]>\n<lolz>&lol2;</lolz>";
    assert_eq!(parse(laughs.as_bytes()), Err(ProtocolError::MalformedXml));
    let external = "<!DOCTYPE r SYSTEM \"file:///etc/passwd\"><r/>";
    assert_eq!(parse(external.as_bytes()), Err(ProtocolError::MalformedXml));
    let xxe =
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>";
    assert_eq!(parse(xxe.as_bytes()), Err(ProtocolError::MalformedXml));
}

#[test]
fn nesting_is_bounded() {
    let limits = Limits {
        max_depth: 64,
        ..Limits::default()
    };
    let nest = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
    assert!(parse_request(nest(64).into_bytes(), &limits).is_ok());
    assert_eq!(
        parse_request(nest(65).into_bytes(), &limits),
        Err(ProtocolError::MalformedXml)
    );
    // Deep but unclosed, and a million opened tags: refused without trouble.
    assert_eq!(
        parse("<a>".repeat(1_000_000).as_bytes()),
        Err(ProtocolError::MalformedXml)
    );
}

#[test]
fn declaration_scanner() {
    let enc = |d: &str| declared_encoding(d.as_bytes()).map(|r| r.map(|r| d[r].to_string()));
    assert_eq!(
        enc("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        Ok(Some("UTF-8".into()))
    );
    assert_eq!(
        enc("<?xml version='1.0'\n\tencoding = 'latin1' ?><r/>"),
        Ok(Some("latin1".into()))
    );
    assert_eq!(enc("<?xml version=\"1.0\"?><r encoding=\"x\"/>"), Ok(None));
    assert_eq!(enc("<r/>"), Ok(None));
    assert_eq!(enc("<?xml-stylesheet href=\"a\"?><r/>"), Ok(None));
    assert_eq!(
        enc("<?xml version=\"1.0\""),
        Err(ProtocolError::MalformedXml)
    );
    assert_eq!(
        enc("<?xml version=\"1.0\"encoding=\"x\"?>"),
        Err(ProtocolError::MalformedXml)
    );
    assert_eq!(
        enc("<?xml version=\"1.0\" encoding=\"x?>"),
        Err(ProtocolError::MalformedXml)
    );
    assert_eq!(enc("<?xml version=1.0?>"), Err(ProtocolError::MalformedXml));
    // Only version, encoding and standalone, in that order, version first and required.
    assert_eq!(enc("<?xml version='1.0' standalone='no'?>"), Ok(None));
    assert_eq!(
        enc("<?xml version='1.0' encoding='a' standalone='yes' ?>"),
        Ok(Some("a".into()))
    );
    for bad in [
        "<?xml encoding='UTF-8'?>",
        "<?xml encoding='UTF-8' version='1.0'?>",
        "<?xml version='1.0' standalone='no' encoding='UTF-8'?>",
        "<?xml version='1.0' version='1.0'?>",
        "<?xml version='1.0' enAcoding='UTF-8'?>",
        "<?xml version='1.0' standalone='maybe'?>",
        "<?xml version='1.x'?>",
        "<?xml version='1.0' encoding='8bit'?>",
        "<?xml version='1.0' encoding=''?>",
        "<?xml ?>",
    ] {
        assert_eq!(enc(bad), Err(ProtocolError::MalformedXml), "{bad}");
    }
}

#[test]
fn replies() {
    assert_eq!(
        prolog_reply(24),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<REPLY><PROLOG_FREQ>24</PROLOG_FREQ><RESPONSE>SEND</RESPONSE></REPLY>"
    );
    assert_eq!(
        ack_reply(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<REPLY><RESPONSE>SEND</RESPONSE></REPLY>"
    );
    assert_eq!(
        error_reply("bad <\"&'> \u{1}"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<REPLY><ERROR>bad &lt;&quot;&amp;&apos;&gt; </ERROR></REPLY>"
    );
    // Every reply is a well-formed document that reads back.
    for r in [
        prolog_reply(0),
        prolog_reply(u32::MAX),
        ack_reply(),
        error_reply("x]]>&#1;\u{fffe}"),
    ] {
        let doc = parse(r.as_bytes()).unwrap();
        assert_eq!(doc.root, "REPLY");
        assert_eq!(doc.body, r);
    }
}

#[test]
fn escape_round_trips_through_the_reader() {
    let text = "a<b>&c\"d'e]]>f\tg\u{e9}\u{1F600}\r\nh\ri";
    let doc = format!("<REQUEST><QUERY>{}</QUERY></REQUEST>", escape(text));
    assert_eq!(parse(doc.as_bytes()).unwrap().query.as_deref(), Some(text));
}

/// Writes WELL_FORMED, MALFORMED and REFUSED to tests/data/xml/cases.json for the PHP cross-check
/// (tests/data/xml/cases.php). Run after changing them:
/// `cargo test --no-default-features --lib -- --ignored write_cases_for_php`
#[test]
#[ignore]
fn write_cases_for_php() {
    let json_str = |s: &str| {
        let mut o = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => o.push_str("\\\""),
                '\\' => o.push_str("\\\\"),
                c if (c as u32) < 0x20 || c == '\u{fffe}' => {
                    o.push_str(&format!("\\u{:04x}", c as u32))
                }
                c => o.push(c),
            }
        }
        o.push('"');
        o
    };
    let list = |v: &[&str]| {
        v.iter()
            .map(|s| format!("    {}", json_str(s)))
            .collect::<Vec<_>>()
            .join(",\n")
    };
    let out = format!(
        "{{\n  \"well_formed\": [\n{}\n  ],\n  \"malformed\": [\n{}\n  ],\n  \"refused\": [\n{}\n  ]\n}}\n",
        list(WELL_FORMED),
        list(MALFORMED),
        list(REFUSED)
    );
    let p = format!("{}/tests/data/xml/cases.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::write(p, out).unwrap();
}

/// Documents in legacy encodings, with the DEVICEID that libxml2 reads from them
/// (tests/data/xml/make.php).
#[test]
fn legacy_encodings_read_like_libxml2() {
    for (name, enc) in [
        ("windows-1252", SourceEncoding::Windows1252),
        ("iso-8859-1", SourceEncoding::Latin1),
        ("iso-8859-15", SourceEncoding::Latin9),
    ] {
        let r = parse(&data(&format!("xml/{name}.xml"))).unwrap();
        let want = String::from_utf8(data(&format!("xml/{name}.deviceid"))).unwrap();
        assert_eq!(r.encoding, enc, "{name}");
        assert_eq!(r.device_id.as_deref(), Some(want.as_str()), "{name}");
        assert!(r
            .body
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        // The converted body reads the same again, now as UTF-8.
        let again = parse(r.body.as_bytes()).unwrap();
        assert_eq!(again.encoding, SourceEncoding::Utf8);
        assert_eq!(again.device_id, r.device_id);
    }
}

#[test]
fn characters_are_checked_at_every_place_of_a_word() {
    // The check reads eight bytes at a time: each character at each offset in a word,
    // and across two words.
    let refused = ['\u{1}', '\u{b}', '\u{1f}', '\u{fffe}', '\u{ffff}'];
    let accepted = [
        '\t',
        '\n',
        '\r',
        ' ',
        '\u{7f}',
        '\u{feff}',
        '\u{fffd}',
        '\u{efbf}',
        '\u{10000}',
    ];
    for pad in 0..17 {
        for (chars, ok) in [(&refused[..], false), (&accepted[..], true)] {
            for c in chars {
                let doc = format!("<REQUEST>{}{c}x</REQUEST>", "a".repeat(pad));
                assert_eq!(parse(doc.as_bytes()).is_ok(), ok, "{c:?} after {pad} bytes");
            }
        }
    }
}

#[test]
fn text_with_line_ends_and_cdata_ends() {
    let q = |doc: &str| parse(doc.as_bytes()).map(|r| r.query);
    assert_eq!(
        q("<REQUEST><QUERY>a\r\nb\rc</QUERY></REQUEST>"),
        Ok(Some("a\nb\nc".into()))
    );
    assert_eq!(
        q("<REQUEST><QUERY>a]]b</QUERY></REQUEST>"),
        Ok(Some("a]]b".into()))
    );
    assert!(q("<REQUEST><QUERY>a\r]]>b</QUERY></REQUEST>").is_err());
    assert!(q("<REQUEST><QUERY>a]]>b</QUERY></REQUEST>").is_err());
}

#[test]
fn carriage_returns_and_brackets_are_found_at_every_place() {
    for len in 0..20 {
        for at in 0..len {
            for c in [b'\r', b']'] {
                let mut text = vec![b'a'; len];
                text[at] = c;
                assert!(!super::without_cr_nor_bracket(&text), "{len} {at}");
            }
        }
        assert!(super::without_cr_nor_bracket(&vec![b'a'; len]));
    }
}
