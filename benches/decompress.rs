//! Inflate and brotli decoding throughput (decoded bytes per second) on real agent bodies
//! and on a ~20 MB network inventory built from networkequipment_2.json's ports.
//!
//!   cargo bench --no-default-features --bench decompress
//!
//! miniz_oxide, another pure-Rust inflater, runs beside zlib-rs as a baseline. The corpus
//! inventories and the large input need the shared corpus (skipped without it).

#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented public function"
)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use glpi_agent_protocol::compression::{compress, decompress, Compression};
use glpi_agent_protocol::Limits;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared corpus: beside a clone (`../shared`), or two levels up from a worktree.
fn shared() -> PathBuf {
    let near = root().join("../shared/corpus");
    if near.is_dir() {
        near
    } else {
        root().join("../../shared/corpus")
    }
}

/// A network inventory of about `target` bytes: networkequipment_2.json with its port list
/// repeated, each copy's `ifdescr` values numbered so that copies differ as real ports do.
fn large_inventory(target: usize) -> Option<Vec<u8>> {
    let text =
        std::fs::read_to_string(shared().join("inventories/networkequipment_2.json")).ok()?;
    let key = "\"network_ports\": [";
    let start = text.find(key)? + key.len();
    let mut depth = 1usize;
    let mut end = start;
    for (i, b) in text[start..].bytes().enumerate() {
        match b {
            b'[' => depth += 1,
            b']' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            end = start + i;
            break;
        }
    }
    let ports = text[start..end].trim_end();
    let mut out = String::with_capacity(target + text.len());
    out.push_str(&text[..start]);
    let mut copy = 0;
    while out.len() < target {
        if copy > 0 {
            out.push(',');
        }
        out.push_str(&ports.replace("\"ifdescr\": \"", &format!("\"ifdescr\": \"{copy}-")));
        copy += 1;
    }
    out.push_str(&text[end..]);
    Some(out.into_bytes())
}

fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    for stem in [
        "glpi-agent/02-inventory-full.request.json",
        "fusioninventory-agent/02-inventory-xml.request.xml",
    ] {
        let p = root().join("tests/data/wire").join(stem);
        v.push((
            stem.rsplit('/').next().unwrap_or(stem).to_string(),
            std::fs::read(p).expect("test data"),
        ));
    }
    for name in ["computer_3.json", "networkequipment_2.json"] {
        if let Ok(b) = std::fs::read(shared().join("inventories").join(name)) {
            v.push((name.to_string(), b));
        }
    }
    if let Some(b) = large_inventory(20_000_000) {
        v.push(("networkequipment-20MB.json".to_string(), b));
    }
    v
}

fn bench(c: &mut Criterion) {
    let limits = Limits::default();
    let mut group = c.benchmark_group("decompress");
    group.sample_size(20);
    for (name, plain) in inputs() {
        group.throughput(Throughput::Bytes(plain.len() as u64));
        let zlib = compress(&plain, Compression::Zlib, -1).expect("compress");
        group.bench_with_input(BenchmarkId::new("zlib-rs", &name), &zlib, |b, z| {
            b.iter(|| decompress(z, Compression::Zlib, &limits).expect("inflate"))
        });
        group.bench_with_input(BenchmarkId::new("miniz_oxide", &name), &zlib, |b, z| {
            b.iter(|| miniz_oxide::inflate::decompress_to_vec_zlib(z).expect("inflate"))
        });
        let gzip = compress(&plain, Compression::Gzip, -1).expect("compress");
        group.bench_with_input(BenchmarkId::new("gzip", &name), &gzip, |b, z| {
            b.iter(|| decompress(z, Compression::Gzip, &limits).expect("inflate"))
        });
        // Quality 5: 11 would take minutes to prepare the 20 MB input.
        let br = compress(&plain, Compression::Brotli, 5).expect("compress");
        group.bench_with_input(BenchmarkId::new("brotli", &name), &br, |b, z| {
            b.iter(|| decompress(z, Compression::Brotli, &limits).expect("unbrotli"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
