//! The answer writer against PHP's own `json_encode`, run through the `php` CLI on thousands
//! of floats and strings. Skipped (with a note) where no `php` binary is installed.

use std::io::Write;
use std::process::{Command, Stdio};

use glpi_agent_protocol::message::{to_json, Map, Value};

const SCRIPT: &str = r#"
while (($line = fgets(STDIN)) !== false) {
    [$kind, $hex] = explode(' ', rtrim($line, "\n")) + [1 => ''];
    $bytes = hex2bin($hex);
    $v = match ($kind) {
        'f' => unpack('E', $bytes)[1],
        'i' => unpack('J', $bytes)[1],
        's' => $bytes,
        'm' => ['status' => 'ok', 'message' => $bytes, 'list' => [1, 2.5, null, true], 'empty' => [], 'obj' => ['k/' => $bytes]],
    };
    echo json_encode($v), "\n";
}
"#;

/// splitmix64: a fixed, dependency-free sequence so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_string(rng: &mut Rng) -> String {
    let len = rng.next() % 12;
    (0..len)
        .map(|_| {
            let pick = rng.next();
            let c = match pick % 4 {
                0 => (pick >> 8) as u32 % 0x80,
                1 => (pick >> 8) as u32 % 0x800,
                2 => (pick >> 8) as u32 % 0x10000,
                _ => (pick >> 8) as u32 % 0x110000,
            };
            char::from_u32(c).unwrap_or('\u{fffd}')
        })
        .collect()
}

fn php_available() -> bool {
    Command::new("php")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn writer_matches_php_json_encode() {
    if !php_available() {
        eprintln!("php CLI not found: json_encode cross-check skipped");
        return;
    }
    let mut rng = Rng(0x5eed);
    let mut cases: Vec<(String, Value)> = Vec::new();
    let specials = [
        0.0,
        -0.0,
        1.0,
        0.1,
        1e15,
        1e16,
        1e17,
        1e-4,
        1e-5,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        24.0,
        0.3,
        2.0 / 3.0,
    ];
    for f in specials {
        cases.push((format!("f {}", hex(&f.to_be_bytes())), Value::Float(f)));
    }
    for i in 0..6000u64 {
        let f = match i % 3 {
            0 => f64::from_bits(rng.next()),
            // Short decimals, where shortest-digit choices matter most.
            1 => (rng.next() % 1_000_000) as f64 / 10f64.powi((rng.next() % 12) as i32),
            _ => (rng.next() % 1000) as f64 * 10f64.powi((rng.next() % 40) as i32 - 20),
        };
        if f.is_finite() {
            cases.push((format!("f {}", hex(&f.to_be_bytes())), Value::Float(f)));
        }
    }
    for n in [0i64, 1, -1, i64::MAX, i64::MIN, rng.next() as i64] {
        cases.push((format!("i {}", hex(&n.to_be_bytes())), Value::Int(n)));
    }
    for _ in 0..1500 {
        let s = random_string(&mut rng);
        cases.push((format!("s {}", hex(s.as_bytes())), Value::Str(s)));
    }
    for s in [
        "",
        "a/b",
        "\u{2028}\u{2029}",
        "\u{7f}\u{0}\u{1f}",
        "\"\\",
        "\u{1F600}é",
    ] {
        cases.push((format!("s {}", hex(s.as_bytes())), Value::Str(s.to_owned())));
    }
    for s in ["x", "é/\u{1F600}", "\n"] {
        let mut m: Map = [("status", Value::from("ok")), ("message", Value::from(s))]
            .into_iter()
            .collect();
        m.insert(
            "list",
            vec![
                Value::Int(1),
                Value::Float(2.5),
                Value::Null,
                Value::Bool(true),
            ],
        );
        m.insert("empty", Value::List(vec![]));
        m.insert("obj", [("k/", Value::from(s))].into_iter().collect::<Map>());
        cases.push((format!("m {}", hex(s.as_bytes())), Value::Map(m)));
    }

    let mut child = Command::new("php")
        .args([
            "-d",
            "serialize_precision=-1",
            "-d",
            "display_errors=stderr",
            "-r",
            SCRIPT,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("php starts");
    let input: String = cases.iter().map(|(line, _)| format!("{line}\n")).collect();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("php runs");
    writer.join().unwrap().unwrap();
    assert!(output.status.success(), "php failed");
    let text = String::from_utf8(output.stdout).expect("php output is UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), cases.len());

    for ((line, value), php) in cases.iter().zip(lines) {
        assert_eq!(to_json(value).unwrap(), php, "case {line}");
    }
}
