use super::*;
use std::io::Write;
use std::path::PathBuf;

fn data(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn inventory() -> Vec<u8> {
    data("wire/glpi-agent/04-inventory-partial.request.json")
}

const FORMATS: [Compression; 4] = [
    Compression::Zlib,
    Compression::Gzip,
    Compression::Deflate,
    Compression::Brotli,
];

fn lim() -> Limits {
    Limits::default()
}

fn limits_with(max: u64, ratio: u32) -> Limits {
    Limits {
        max_decoded_bytes: max,
        max_ratio: ratio,
        max_ratio_brotli: ratio,
        ..Limits::default()
    }
}

/// Inflates with miniz_oxide, an implementation independent of zlib-rs.
fn oracle_inflate(input: &[u8], zlib: bool) -> Vec<u8> {
    if zlib {
        miniz_oxide::inflate::decompress_to_vec_zlib(input).expect("oracle")
    } else {
        miniz_oxide::inflate::decompress_to_vec(input).expect("oracle")
    }
}

#[test]
fn names_round_trip_in_any_case() {
    for c in Compression::ALL {
        assert_eq!(Compression::from_name(c.as_str()), Some(c));
        assert_eq!(Compression::from_name(&c.as_str().to_uppercase()), Some(c));
        assert_eq!(c.as_str().parse::<Compression>(), Ok(c));
        assert_eq!(
            Compression::from_glpi_code(i64::from(c.glpi_code())),
            Some(c)
        );
    }
    assert_eq!(Compression::from_name("brotli"), None);
    assert_eq!(Compression::from_name(" zlib"), None);
    assert!("x-gzip".parse::<Compression>().is_err());
    // GLPI's AbstractRequest constants.
    assert_eq!(Compression::None.glpi_code(), 0);
    assert_eq!(Compression::Zlib.glpi_code(), 1);
    assert_eq!(Compression::Gzip.glpi_code(), 2);
    assert_eq!(Compression::Brotli.glpi_code(), 3);
    assert_eq!(Compression::Deflate.glpi_code(), 4);
}

#[test]
fn round_trip_every_format_and_level() {
    let inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"x".to_vec(),
        inventory(),
        (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect(),
    ];
    for c in Compression::ALL {
        let mut levels: Vec<i32> = c.levels().collect();
        levels.push(-1);
        for level in levels {
            for input in &inputs {
                let z = compress(input, c, level).unwrap();
                let back = decompress(&z, c, &lim()).unwrap();
                assert_eq!(&back, input, "{c} level {level}");
            }
        }
    }
}

#[test]
fn default_zlib_header_is_78_9c() {
    let z = compress(&inventory(), Compression::Zlib, -1).unwrap();
    assert_eq!(&z[..2], &[0x78, 0x9c]);
    let z = compress(b"", Compression::Zlib, -1).unwrap();
    assert_eq!(&z[..2], &[0x78, 0x9c]);
}

#[test]
fn our_streams_decode_with_an_independent_inflater() {
    let input = inventory();
    for level in [-1, 0, 1, 6, 9] {
        let z = compress(&input, Compression::Zlib, level).unwrap();
        assert_eq!(oracle_inflate(&z, true), input);
        let d = compress(&input, Compression::Deflate, level).unwrap();
        assert_eq!(oracle_inflate(&d, false), input);
        let g = compress(&input, Compression::Gzip, level).unwrap();
        assert_eq!(&g[..3], &[0x1f, 0x8b, 0x08]);
        // A gzip member is a 10-byte header (no optional fields), raw deflate, then CRC and size.
        assert_eq!(g[3], 0, "no optional header fields");
        assert_eq!(oracle_inflate(&g[10..g.len() - 8], false), input);
        let isize = u32::from_le_bytes(g[g.len() - 4..].try_into().unwrap());
        assert_eq!(isize as usize, input.len());
    }
}

#[test]
fn out_of_range_levels_are_usage_errors() {
    for (c, bad) in [
        (Compression::Zlib, 10),
        (Compression::Zlib, -2),
        (Compression::Gzip, 10),
        (Compression::Deflate, 42),
        (Compression::Brotli, 12),
        (Compression::Brotli, -5),
        (Compression::None, 1),
    ] {
        assert!(compress(b"abc", c, bad).is_err(), "{c} {bad}");
    }
}

/// Made by PHP 8.2's gzcompress/gzencode/gzdeflate/zlib_encode; see tests/data/php/make.php.
#[test]
fn php_made_streams_decode() {
    let want = inventory();
    for l in ["default", "0", "1", "6", "9"] {
        for (file, c) in [
            (format!("php/gzcompress-{l}.zlib"), Compression::Zlib),
            (format!("php/gzencode-{l}.gz"), Compression::Gzip),
            (format!("php/gzdeflate-{l}.deflate"), Compression::Deflate),
        ] {
            assert_eq!(decompress(&data(&file), c, &lim()).unwrap(), want, "{file}");
        }
    }
    for (file, c) in [
        ("php/zlib_encode-raw.deflate", Compression::Deflate),
        ("php/zlib_encode-gzip.gz", Compression::Gzip),
        ("php/zlib_encode-deflate.zlib", Compression::Zlib),
    ] {
        assert_eq!(decompress(&data(file), c, &lim()).unwrap(), want, "{file}");
    }
}

#[test]
fn our_default_zlib_equals_php_gzcompress_length_class() {
    // Same format and header as PHP's default; the bytes may differ (another deflate
    // implementation), the decoded content may not.
    let php = data("php/gzcompress-default.zlib");
    let ours = compress(&inventory(), Compression::Zlib, -1).unwrap();
    assert_eq!(&php[..2], &ours[..2]);
}

/// Made by the reference brotli CLI; see tests/data/other/make.sh.
#[test]
fn reference_brotli_streams_decode() {
    for q in [0, 5, 11] {
        let got = decompress(
            &data(&format!("other/brotli-{q}.br")),
            Compression::Brotli,
            &lim(),
        );
        assert_eq!(got.unwrap(), inventory(), "quality {q}");
    }
}

#[test]
fn gzip_optional_header_fields_are_skipped() {
    let got = decompress(
        &data("other/gzip-header-fields.gz"),
        Compression::Gzip,
        &lim(),
    );
    assert_eq!(got.unwrap(), inventory());
}

/// Real request bodies captured from glpi-agent 1.12 and fusioninventory-agent 2.6.
#[test]
fn captured_agent_bodies_decode() {
    let cases = [
        ("wire/glpi-agent/01-prolog.request", "xml"),
        ("wire/glpi-agent/02-inventory-full.request", "json"),
        ("wire/glpi-agent/03-contact.request", "json"),
        ("wire/glpi-agent/04-inventory-partial.request", "json"),
        ("wire/glpi-agent/05-contact-nodebug.request", "json"),
        (
            "wire/glpi-agent/06-inventory-partial-nodebug.request",
            "json",
        ),
        ("wire/fusioninventory-agent/01-prolog.request", "xml"),
        ("wire/fusioninventory-agent/02-inventory-xml.request", "xml"),
    ];
    for (stem, ext) in cases {
        let raw = data(&format!("{stem}.zlib"));
        let want = data(&format!("{stem}.{ext}"));
        assert_eq!(&raw[..2], &[0x78, 0x9c]);
        assert_eq!(
            decompress(&raw, Compression::Zlib, &lim()).unwrap(),
            want,
            "{stem}"
        );
    }
}

#[test]
fn trailing_bytes_after_the_stream_are_ignored_like_php() {
    let input = inventory();
    for c in FORMATS {
        let mut z = compress(&input, c, -1).unwrap();
        z.extend_from_slice(b"garbage after the end");
        assert_eq!(decompress(&z, c, &lim()).unwrap(), input, "{c}");
    }
}

#[test]
fn only_the_first_gzip_member_is_decoded_like_php() {
    let got = decompress(&data("php/two-members.gz"), Compression::Gzip, &lim()).unwrap();
    assert_eq!(got, b"first member\n");
}

#[test]
fn empty_input_is_truncated() {
    for c in FORMATS {
        assert_eq!(
            decompress(b"", c, &lim()),
            Err(ProtocolError::TruncatedCompressedData),
            "{c}"
        );
    }
    assert_eq!(decompress(b"", Compression::None, &lim()).unwrap(), b"");
}

#[test]
fn every_truncation_is_an_error() {
    let input = &inventory()[..600];
    for c in FORMATS {
        let z = compress(input, c, -1).unwrap();
        for cut in 0..z.len() {
            let r = decompress(&z[..cut], c, &lim());
            // A cut that removes only zlib's or gzip's checksum still loses the check, so it
            // must fail; the exact kind depends on where the cut lands.
            match r {
                Err(ProtocolError::TruncatedCompressedData) => {}
                Err(ProtocolError::CorruptCompressedData) => {}
                other => panic!("{c}: cut at {cut} of {}: {other:?}", z.len()),
            }
        }
    }
}

#[test]
fn truncation_inside_the_data_says_truncated() {
    let input = inventory();
    for c in FORMATS {
        let z = compress(&input, c, -1).unwrap();
        let r = decompress(&z[..z.len() / 2], c, &lim());
        assert_eq!(r, Err(ProtocolError::TruncatedCompressedData), "{c}");
        if c != Compression::Brotli {
            // Without the last byte of its checksum or size trailer.
            let r = decompress(&z[..z.len() - 1], c, &lim());
            assert_eq!(r, Err(ProtocolError::TruncatedCompressedData), "{c}");
        }
    }
}

#[test]
fn corrupt_headers_and_checksums() {
    let input = inventory();
    let z = compress(&input, Compression::Zlib, -1).unwrap();
    let corrupt = |mut v: Vec<u8>, i: usize, x: u8, c: Compression| {
        v[i] ^= x;
        decompress(&v, c, &lim())
    };
    let bad = Err(ProtocolError::CorruptCompressedData);
    // Header check bits, compression method, preset dictionary flag.
    assert_eq!(corrupt(z.clone(), 1, 0x01, Compression::Zlib), bad);
    assert_eq!(corrupt(z.clone(), 0, 0x01, Compression::Zlib), bad);
    let mut fdict = z.clone();
    fdict[1] = 0xbb; // 0x78bb: FDICT set, FCHECK valid
    assert_eq!((0x78u16 * 256 + 0xbb) % 31, 0);
    assert_eq!(decompress(&fdict, Compression::Zlib, &lim()), bad);
    // Adler-32.
    let n = z.len();
    assert_eq!(corrupt(z.clone(), n - 1, 0x40, Compression::Zlib), bad);

    let g = compress(&input, Compression::Gzip, -1).unwrap();
    let n = g.len();
    assert_eq!(corrupt(g.clone(), 0, 0xff, Compression::Gzip), bad);
    assert_eq!(corrupt(g.clone(), 2, 0x01, Compression::Gzip), bad);
    assert_eq!(
        corrupt(g.clone(), n - 6, 0x10, Compression::Gzip),
        bad,
        "crc"
    );
    assert_eq!(
        corrupt(g.clone(), n - 2, 0x10, Compression::Gzip),
        bad,
        "isize"
    );

    // A zlib body given as gzip and the other way round.
    assert_eq!(decompress(&z, Compression::Gzip, &lim()), bad);
    assert_eq!(decompress(&g, Compression::Zlib, &lim()), bad);
    // Invalid block type 3 in raw deflate.
    assert_eq!(decompress(&[0x07, 0x00], Compression::Deflate, &lim()), bad);
    // Brotli: WBITS pattern reserved by RFC 7932 (large window marker without support).
    assert_eq!(
        decompress(&[0x11, 0x01, 0x8c, 0xc1], Compression::Brotli, &lim()),
        bad
    );
}

#[test]
fn flipped_bytes_never_pass_silently_for_checksummed_formats() {
    let input = &inventory()[..800];
    for c in [Compression::Zlib, Compression::Gzip] {
        let z = compress(input, c, 9).unwrap();
        for i in 0..z.len() {
            let mut v = z.clone();
            v[i] ^= 0x55;
            if let Ok(out) = decompress(&v, c, &lim()) {
                assert!(
                    // Header bytes with no effect on the data (gzip MTIME, XFL, OS).
                    out == input && c == Compression::Gzip && (4..10).contains(&i),
                    "{c}: flip at {i} decoded to something"
                );
            }
        }
    }
    // Brotli and raw deflate have no checksum: corruption may decode to other bytes, but
    // must never panic or exceed the cap.
    let small = limits_with(4096, 200);
    for c in [Compression::Deflate, Compression::Brotli] {
        let z = compress(input, c, -1).unwrap();
        for i in 0..z.len() {
            for x in [0x01, 0x80, 0xff] {
                let mut v = z.clone();
                v[i] ^= x;
                if let Ok(out) = decompress(&v, c, &small) {
                    assert!(out.len() <= 4096);
                }
            }
        }
    }
}

#[test]
fn cap_is_exact() {
    let input = inventory();
    for c in Compression::ALL {
        let z = compress(&input, c, -1).unwrap();
        let n = input.len() as u64;
        assert_eq!(
            decompress(&z, c, &limits_with(n, 200)).unwrap(),
            input,
            "{c}"
        );
        assert_eq!(
            decompress(&z, c, &limits_with(n - 1, 200)),
            Err(ProtocolError::PayloadTooLarge { limit: n - 1 }),
            "{c}"
        );
    }
}

#[test]
fn caps_below_the_initial_buffer_size_are_exact_too() {
    // The first reservation has a floor of 64 bytes; a smaller cap must still apply (it once
    // made the size computation panic).
    let input = b"0123456789";
    for c in Compression::ALL {
        let z = compress(input, c, -1).unwrap();
        for max in [0u64, 1, 9, 10, 11, 63, 64, 65] {
            let got = decompress(&z, c, &limits_with(max, 200));
            if max >= 10 {
                assert_eq!(got.as_deref(), Ok(&input[..]), "{c} cap {max}");
            } else {
                assert_eq!(
                    got,
                    Err(ProtocolError::PayloadTooLarge { limit: max }),
                    "{c} cap {max}"
                );
            }
        }
    }
    let big = compress(&inventory(), Compression::Gzip, -1).unwrap();
    assert_eq!(
        decompress(&big, Compression::Gzip, &limits_with(10, 200)),
        Err(ProtocolError::PayloadTooLarge { limit: 10 })
    );
}

#[test]
fn decompress_into_reuses_and_clears_the_buffer() {
    let input = inventory();
    let z = compress(&input, Compression::Zlib, -1).unwrap();
    let mut out = b"left over".to_vec();
    decompress_into(&z, Compression::Zlib, &lim(), &mut out).unwrap();
    assert_eq!(out, input);
}

#[test]
fn small_repetitive_bodies_are_within_the_grace() {
    // 1 MiB of one byte compresses about 1000 times: tiny bodies like this are legitimate.
    let ones = vec![b'1'; Limits::RATIO_GRACE_BYTES as usize];
    for c in FORMATS {
        let z = compress(&ones, c, 9).unwrap();
        assert!(ones.len() / z.len() > 200, "{c}: {}", z.len());
        assert_eq!(decompress(&z, c, &lim()).unwrap(), ones, "{c}");
    }
}

/// Streams `total` zero bytes through an encoder without ever holding them.
fn zeros_through<W: Write>(mut w: W, total: u64) -> W {
    let chunk = vec![0u8; 1 << 20];
    let mut left = total;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        w.write_all(&chunk[..n]).unwrap();
        left -= n as u64;
    }
    w
}

fn zlib_bomb(total: u64, level: u32) -> Vec<u8> {
    let enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
    zeros_through(enc, total).finish().unwrap()
}

/// 2 GiB of zeros at the best level is a 2 MB body: the ratio stops it after the grace.
#[test]
fn zlib_bomb_of_2_gib_is_stopped_by_the_ratio() {
    let bomb = zlib_bomb(2 << 30, 9);
    assert!(bomb.len() < 4 << 20, "bomb is {} bytes", bomb.len());
    let limits = lim();
    let mut out = Vec::new();
    let r = decompress_into(&bomb, Compression::Zlib, &limits, &mut out);
    assert_eq!(
        r,
        Err(ProtocolError::CompressionRatio {
            limit: limits.max_ratio
        })
    );
    // Stopped right after the grace: one decoder step past it at most.
    assert!(
        out.len() as u64 <= Limits::RATIO_GRACE_BYTES + STEP as u64,
        "{}",
        out.len()
    );
    assert!(out.capacity() as u64 <= limits.max_decoded_bytes + 1);
}

/// zlib-rs at level 1 expands zeros only about 100 times, under the ratio limit: a 20 MB
/// body for 2 GiB. The cap stops it, and the buffer never grows past the cap.
#[test]
fn zlib_bomb_under_the_ratio_is_stopped_by_the_cap() {
    let bomb = zlib_bomb(2 << 30, 1);
    let ratio = (2u64 << 30) / bomb.len() as u64;
    let limits = lim();
    assert!(ratio < u64::from(limits.max_ratio), "ratio {ratio}");
    let mut out = Vec::new();
    let r = decompress_into(&bomb, Compression::Zlib, &limits, &mut out);
    assert_eq!(
        r,
        Err(ProtocolError::PayloadTooLarge {
            limit: limits.max_decoded_bytes
        })
    );
    assert!(out.capacity() as u64 <= limits.max_decoded_bytes + 1);
}

#[test]
fn brotli_and_gzip_bombs_are_stopped_by_the_ratio() {
    let gz = {
        let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        zeros_through(enc, 256 << 20).finish().unwrap()
    };
    let br = {
        let enc = brotli::CompressorWriter::new(Vec::new(), 1 << 16, 5, 22);
        zeros_through(enc, 256 << 20).into_inner()
    };
    let limits = lim();
    for (c, bomb) in [(Compression::Gzip, gz), (Compression::Brotli, br)] {
        let mut out = Vec::new();
        let r = decompress_into(&bomb, c, &limits, &mut out);
        let limit = match c {
            Compression::Brotli => limits.max_ratio_brotli,
            _ => limits.max_ratio,
        };
        assert_eq!(r, Err(ProtocolError::CompressionRatio { limit }), "{c}");
        assert!(
            out.len() as u64 <= Limits::RATIO_GRACE_BYTES + STEP as u64,
            "{c}"
        );
        assert!(out.capacity() as u64 <= limits.max_decoded_bytes + 1, "{c}");
    }
}

/// A forged gzip size trailer must not make the buffer larger than the limits allow.
#[test]
fn gzip_size_hint_is_capped() {
    let mut g = compress(b"tiny", Compression::Gzip, -1).unwrap();
    let n = g.len();
    g[n - 4..].copy_from_slice(&u32::MAX.to_le_bytes());
    let mut out = Vec::new();
    let r = decompress_into(&g, Compression::Gzip, &lim(), &mut out);
    assert_eq!(r, Err(ProtocolError::CorruptCompressedData));
    assert!(out.capacity() <= g.len() * 200 + 1);
}

/// Data that expands less than the ratio but more than the cap: the cap stops it, and
/// the buffer never grows past it.
#[test]
fn cap_stops_a_body_under_the_ratio() {
    // Random-ish bytes over a small alphabet expand about 3 to 4 times.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let body: Vec<u8> = (0..12 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b"abcd"[(x % 4) as usize]
        })
        .collect();
    let limits = limits_with(8 << 20, 200);
    for c in FORMATS {
        let z = compress(&body, c, 1).unwrap();
        let mut out = Vec::new();
        let r = decompress_into(&z, c, &limits, &mut out);
        assert_eq!(
            r,
            Err(ProtocolError::PayloadTooLarge { limit: 8 << 20 }),
            "{c}"
        );
        assert!(
            out.capacity() as u64 <= (8 << 20) + 1,
            "{c}: {}",
            out.capacity()
        );
    }
}

/// Every real body at hand, compressed as hard as each format allows, stays at least three
/// times under the default ratio limits. Uses the shared corpus when it is there (beside a
/// clone, or two levels up from a worktree).
#[test]
fn real_bodies_stay_far_below_the_ratio_limits() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        root.join("tests/data/wire/glpi-agent"),
        root.join("tests/data/wire/fusioninventory-agent"),
        root.join("../shared/corpus/inventories"),
        root.join("../../shared/corpus/inventories"),
    ] {
        if let Ok(rd) = std::fs::read_dir(&dir) {
            for e in rd.flatten() {
                let p = e.path();
                if matches!(p.extension().and_then(|x| x.to_str()), Some("json" | "xml")) {
                    files.push(p);
                }
            }
        }
    }
    assert!(files.len() >= 8);
    let limits = lim();
    for p in files {
        let body = std::fs::read(&p).unwrap();
        // Brotli's best quality runs at about 1 MB/s: larger files get quality 9 (ratios a
        // few percent lower, far inside the margin), the largest are left to zlib.
        let quality = if body.len() <= 256 << 10 { 11 } else { 9 };
        let brotli = (body.len() <= 1 << 20).then_some((
            Compression::Brotli,
            quality,
            limits.max_ratio_brotli,
        ));
        for (c, level, limit) in [(Compression::Zlib, 9, limits.max_ratio)]
            .into_iter()
            .chain(brotli)
        {
            let z = compress(&body, c, level).unwrap();
            let ratio = body.len() / z.len();
            assert!(
                ratio * 3 < limit as usize,
                "{}: {c} ratio {ratio}",
                p.display()
            );
            assert_eq!(decompress(&z, c, &limits).unwrap(), body);
        }
    }
}

/// Brotli bodies are judged by their own ratio limit, deflate bodies by theirs.
#[test]
fn each_family_has_its_ratio_limit() {
    let port = |i: u32| {
        format!(
            "{{\"ifdescr\": \"GigabitEthernet1/0/{i}\", \"ifinerrors\": 0, \"ifmtu\": 1500, \
             \"ifnumber\": {i}, \"ifspeed\": 1000000000, \"ifstatus\": 2, \"iftype\": 6}},\n"
        )
    };
    let body: Vec<u8> = (0..20_000).flat_map(|i| port(i).into_bytes()).collect();
    assert!(body.len() as u64 > 2 * Limits::RATIO_GRACE_BYTES);
    let limits = Limits {
        max_ratio: 10,
        max_ratio_brotli: 1000,
        ..Limits::default()
    };
    let z = compress(&body, Compression::Zlib, 9).unwrap();
    let b = compress(&body, Compression::Brotli, 5).unwrap();
    assert!(body.len() / z.len() > 10 && body.len() / b.len() > 10);
    assert_eq!(
        decompress(&z, Compression::Zlib, &limits),
        Err(ProtocolError::CompressionRatio { limit: 10 })
    );
    assert_eq!(decompress(&b, Compression::Brotli, &limits).unwrap(), body);
}

/// Decoders are kept per thread and reset between bodies: alternating formats, and a
/// body that failed half way, must leave nothing behind for the next one.
#[test]
fn kept_decoders_start_clean_for_every_body() {
    let limits = Limits::DEFAULT;
    let text = br#"{"action":"contact","deviceid":"reuse"}"#.repeat(50);
    let bodies: Vec<(Compression, Vec<u8>)> =
        [Compression::Gzip, Compression::Zlib, Compression::Deflate]
            .into_iter()
            .map(|c| (c, compress(&text, c, -1).unwrap()))
            .collect();
    for round in 0..3 {
        for (c, body) in &bodies {
            assert_eq!(
                decompress(body, *c, &limits).unwrap(),
                text,
                "{c} round {round}"
            );
            // A cut body fails, and the next full one still decodes.
            assert!(decompress(&body[..body.len() / 2], *c, &limits).is_err());
        }
    }
}

/// Text that repeats like an answer: the same records with a counter, so that matches of
/// every length and distance occur.
fn records(n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n + 64);
    let mut i = 0u32;
    while out.len() < n {
        write!(
            out,
            r#"{{"task":"networkinventory","jobid":"job-{i}","ip":"10.0.{}.{}"}},"#,
            i / 250,
            i % 250
        )
        .unwrap();
        i += 1;
    }
    out.truncate(n);
    out
}

/// A pseudo-random byte sequence (xorshift), incompressible.
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// The default level of every deflate format, checked by two independent inflaters
/// (miniz_oxide, and flate2's readers, which verify the gzip CRC) besides our own.
fn check_default_level(input: &[u8]) {
    use std::io::Read;
    let z = compress(input, Compression::Zlib, -1).unwrap();
    assert_eq!(&z[..2], &[0x78, 0x9c], "len {}", input.len());
    assert_eq!(oracle_inflate(&z, true), input, "zlib len {}", input.len());
    let d = compress(input, Compression::Deflate, -1).unwrap();
    assert_eq!(
        oracle_inflate(&d, false),
        input,
        "deflate len {}",
        input.len()
    );
    let g = compress(input, Compression::Gzip, -1).unwrap();
    assert_eq!(&g[..10], &GZIP_HEADER);
    assert_eq!(oracle_inflate(&g[10..g.len() - 8], false), input);
    let mut back = Vec::new();
    flate2::read::GzDecoder::new(&g[..])
        .read_to_end(&mut back)
        .expect("gzip CRC and size");
    assert_eq!(back, input, "gzip len {}", input.len());
    for (c, body) in [
        (Compression::Zlib, &z),
        (Compression::Deflate, &d),
        (Compression::Gzip, &g),
    ] {
        assert_eq!(decompress(body, c, &lim()).unwrap(), input, "{c}");
    }
    // Never worse than a stored block of the whole input (and the closing marker).
    assert!(
        input.len() > SHORT_BODY || d.len() <= input.len() + 10,
        "len {} gave {}",
        input.len(),
        d.len()
    );
}

#[test]
fn default_level_decodes_at_every_short_size() {
    let text = records(600);
    let bytes = noise(600, 7);
    for n in 0..=600 {
        check_default_level(&text[..n]);
        check_default_level(&bytes[..n]);
        check_default_level(&vec![b'a'; n]);
    }
}

#[test]
fn default_level_decodes_around_the_short_body_limit() {
    for n in [
        SHORT_BODY - 1,
        SHORT_BODY,
        SHORT_BODY + 1,
        2 * SHORT_BODY,
        70_000,
    ] {
        check_default_level(&records(n));
        check_default_level(&noise(n, n as u64));
        check_default_level(&vec![0; n]);
    }
    check_default_level(&inventory());
}

#[test]
fn short_answers_compress_like_zlib() {
    // The inventory answer and a CONTACT answer: as small as PHP's gzcompress makes them
    // (38 and 142 bytes), give or take a few bytes of fixed against dynamic codes.
    let ok = compress(br#"{"status":"ok","expiration":24}"#, Compression::Zlib, -1).unwrap();
    assert!(ok.len() <= 40, "{}", ok.len());
    let jobs = records(4000);
    let z = compress(&jobs, Compression::Zlib, -1).unwrap();
    assert!(z.len() < jobs.len() / 5, "{}", z.len());
}

#[test]
fn fixed_blocks_cover_every_length_and_distance() {
    // Runs of each length from 3 to 260 after a varying gap, then one match at the
    // farthest distance a window allows and one just beyond it, which must not be used.
    let mut input = Vec::new();
    for len in (3..=40usize).chain(250..=260) {
        let run = noise(len, len as u64);
        input.extend_from_slice(&run);
        input.extend_from_slice(&noise(len % 17, 99));
        input.extend_from_slice(&run);
    }
    // A random block repeated at the farthest distance a window allows (the filler
    // between matches itself, leaving the block's table slots alone), and just beyond.
    let far = noise(300, 1);
    let at_distance = |d: usize| {
        let mut v = far.clone();
        v.resize(d, b'z');
        v.extend_from_slice(&far);
        v
    };
    for input in [input, at_distance(32768)] {
        assert!(input.len() <= fixed::MAX_INPUT);
        let mut raw = Vec::new();
        fixed::deflate(&input, &mut raw, false);
        assert_eq!(oracle_inflate(&raw, false), input);
        assert!(raw.len() < input.len() / 2, "matches are used");
    }
    let beyond = at_distance(32769);
    let mut raw = Vec::new();
    fixed::deflate(&beyond, &mut raw, false);
    assert_eq!(oracle_inflate(&raw, false), beyond);
    assert!(raw.len() > 2 * far.len(), "the block is sent twice");
    let longest = records(fixed::MAX_INPUT);
    let mut raw = Vec::new();
    fixed::deflate(&longest, &mut raw, true);
    assert_eq!(oracle_inflate(&raw, false), longest);
}

#[test]
fn incompressible_short_bodies_go_out_stored() {
    for n in [200, SHORT_BODY] {
        let input = noise(n, 5);
        let z = compress(&input, Compression::Zlib, -1).unwrap();
        let d = &z[2..z.len() - 4];
        assert_eq!(d.len(), n + 5);
        // BFINAL set, BTYPE 00, then LEN and its complement.
        assert_eq!(d[0], 1);
        assert_eq!(u16::from_le_bytes([d[1], d[2]]) as usize, n);
        assert_eq!(&d[5..], &input[..]);
        // Raw deflate: a non-final stored block, then the closing empty one.
        let raw = compress(&input, Compression::Deflate, -1).unwrap();
        assert_eq!(raw.len(), n + 10);
        assert_eq!(raw[0], 0);
        assert_eq!(&raw[n + 5..], &[1, 0, 0, 0xff, 0xff]);
    }
}

mod default_level {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_bytes_round_trip(input in proptest::collection::vec(any::<u8>(), 0..6000)) {
            check_default_level(&input);
        }

        #[test]
        fn repetitive_text_round_trips(
            words in proptest::collection::vec("[a-c\"{}:,]{1,12}", 0..800),
            picks in proptest::collection::vec(any::<prop::sample::Index>(), 0..1500),
        ) {
            let input: Vec<u8> = if words.is_empty() {
                Vec::new()
            } else {
                picks.iter().flat_map(|i| i.get(&words).bytes()).collect()
            };
            check_default_level(&input);
        }
    }
}

#[test]
fn cut_raw_deflate_bodies_stay_cut_with_a_nul_after_them() {
    // PHP's gzinflate passes zlib the string's terminating NUL too; a cut fixed-Huffman
    // block would end on its zero bits. The closing empty stored block keeps it refused.
    for input in [records(600), records(40), b"{}".to_vec()] {
        let d = compress(&input, Compression::Deflate, -1).unwrap();
        // Coded, or (for "{}") stored, the marker is there.
        assert_eq!(&d[d.len() - 4..], &[0, 0, 0xff, 0xff]);
        for cut in 0..d.len() {
            let mut prefix = d[..cut].to_vec();
            prefix.push(0);
            assert!(
                decompress(&prefix, Compression::Deflate, &lim()).is_err(),
                "cut at {cut} of {}",
                d.len()
            );
            assert!(miniz_oxide::inflate::decompress_to_vec(&prefix).is_err());
        }
    }
}
