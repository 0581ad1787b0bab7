//! Helpers shared by unit tests: hex, and independent implementations run as
//! processes (the `openssl` and `php` command-line tools) that tests skip without.

use std::io::Write;
use std::process::{Command, Stdio};

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// Runs a tool with `input` on stdin. `None` when the tool is not installed, so the
/// calling test can skip; a tool that runs and fails is a test failure.
pub(crate) fn run_tool(program: &str, args: &[&str], input: &[u8]) -> Option<Vec<u8>> {
    let mut child = match Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("skipped: {program} is not installed");
            return None;
        }
        Err(e) => panic!("cannot run {program}: {e}"),
    };
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(out.stdout)
}

/// `openssl enc` with the given cipher and hex key; `None` without openssl.
pub(crate) fn openssl_enc(
    cipher: &str,
    decrypt: bool,
    key: &[u8],
    extra: &[&str],
    input: &[u8],
) -> Option<Vec<u8>> {
    let key_hex = hex(key);
    let mut args = vec!["enc", cipher, "-K", key_hex.as_str()];
    if decrypt {
        args.push("-d");
    }
    args.extend_from_slice(extra);
    run_tool("openssl", &args, input)
}

/// One AES-128 block through `openssl enc -aes-128-ecb -nopad`.
pub(crate) fn openssl_aes128_block(
    key: &[u8; 16],
    block: &[u8; 16],
    decrypt: bool,
) -> Option<[u8; 16]> {
    let out = openssl_enc("-aes-128-ecb", decrypt, key, &["-nopad"], block)?;
    Some(out.as_slice().try_into().expect("one block out"))
}
