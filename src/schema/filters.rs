//! PHP's `filter_var` rules that GLPI's validation relies on, byte for byte: the string
//! coercions of `tolerateStrings` (`FILTER_VALIDATE_INT`, `_FLOAT`, `_BOOLEAN`) and the
//! `ipv4` / `ipv6` formats (`FILTER_VALIDATE_IP`). PHPUnit checks each against
//! `filter_var` itself on generated strings.

/// The whitespace `PHP_FILTER_TRIM_DEFAULT` strips: no form feed and no NUL.
fn is_filter_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0b | b'\n')
}

fn filter_trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|&b| !is_filter_space(b))
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| !is_filter_space(b))
        .map_or(start, |i| i + 1);
    &s[start..end.max(start)]
}

/// `filter_var($s, FILTER_VALIDATE_INT)` without flags: an optional sign, no leading zero,
/// no octal or hex, nothing past `PHP_INT_MAX` / `PHP_INT_MIN`.
pub fn validate_int(s: &[u8]) -> Option<i64> {
    let s = filter_trim(s);
    let (negative, digits) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits == b"0" {
        return Some(0);
    }
    // A bare "0" above; otherwise a leading zero is refused, and a sign alone too.
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut value: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        let d = i64::from(d - b'0');
        value = value.checked_mul(10)?;
        value = if negative {
            value.checked_sub(d)?
        } else {
            value.checked_add(d)?
        };
    }
    Some(value)
}

/// `filter_var($s, FILTER_VALIDATE_BOOLEAN, FILTER_NULL_ON_FAILURE)`.
pub fn validate_bool(s: &[u8]) -> Option<bool> {
    let s = filter_trim(s);
    let lower: Vec<u8> = s.iter().map(u8::to_ascii_lowercase).collect();
    match lower.as_slice() {
        b"" | b"0" | b"false" | b"off" | b"no" => Some(false),
        b"1" | b"true" | b"on" | b"yes" => Some(true),
        _ => None,
    }
}

/// `filter_var($s, FILTER_VALIDATE_FLOAT)` without flags: a decimal number with an optional
/// sign, fraction and exponent, finite. (The inventory schema has no `number` field; this
/// serves schemas that do.)
pub fn validate_float(s: &[u8]) -> Option<f64> {
    let s = filter_trim(s);
    let mut i = 0;
    if matches!(s.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let int_digits = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(s.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp_digits = s[j..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exp_digits == 0 {
            return None;
        }
        i = j + exp_digits;
    }
    if i != s.len() {
        return None;
    }
    let v: f64 = std::str::from_utf8(s).ok()?.parse().ok()?;
    v.is_finite().then_some(v)
}

/// Dotted quad, each part 0 to 255 without a leading zero.
fn ipv4_parts(s: &[u8]) -> bool {
    let mut parts = 0;
    for part in s.split(|&b| b == b'.') {
        parts += 1;
        if parts > 4
            || part.is_empty()
            || part.len() > 3
            || !part.iter().all(u8::is_ascii_digit)
            || (part.len() > 1 && part[0] == b'0')
        {
            return false;
        }
        let n: u32 = part.iter().fold(0, |n, &d| n * 10 + u32::from(d - b'0'));
        if n > 255 {
            return false;
        }
    }
    parts == 4
}

/// `filter_var($s, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4) !== false`.
pub fn is_ipv4(s: &[u8]) -> bool {
    // PHP picks IPv6 when the text holds a colon, IPv4 when it holds a dot.
    !s.contains(&b':') && s.contains(&b'.') && ipv4_parts(s)
}

/// `filter_var($s, FILTER_VALIDATE_IP, FILTER_FLAG_IPV6) !== false`: up to eight groups of
/// one to four hex digits, one `::` at most, an optional dotted quad at the end, no zone.
pub fn is_ipv6(s: &[u8]) -> bool {
    if !s.contains(&b':') {
        return false;
    }
    let mut end = s.len();
    let mut blocks = 0usize;
    if let Some(dot) = s.iter().position(|&b| b == b'.') {
        let start = s[..dot]
            .iter()
            .rposition(|&b| b == b':')
            .map_or(0, |c| c + 1);
        if !ipv4_parts(&s[start..]) {
            return false;
        }
        if start < 2 {
            return false;
        }
        // The colon before the quad belongs to it unless it is the second of a `::`.
        end = if s[start - 2] == b':' {
            start
        } else {
            start - 1
        };
        blocks = 2;
    }
    let s = &s[..end];
    let mut compressed = false;
    let mut i = 0;
    while i < s.len() {
        if s[i] == b':' {
            i += 1;
            if i >= s.len() {
                return false;
            }
            if s[i] == b':' {
                if compressed {
                    return false;
                }
                compressed = true;
                blocks += 1;
                i += 1;
                if i == s.len() {
                    return blocks <= 8;
                }
            } else if i == 1 {
                return false;
            }
        }
        let digits = s[i..].iter().take_while(|b| b.is_ascii_hexdigit()).count();
        if digits == 0 || digits > 4 {
            return false;
        }
        i += digits;
        blocks += 1;
        if blocks > 8 {
            return false;
        }
    }
    (compressed && blocks <= 8) || blocks == 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_follows_filter_validate_int() {
        for (s, want) in [
            ("42", Some(42)),
            (" 42 ", Some(42)),
            ("+42", Some(42)),
            ("42\n", Some(42)),
            ("\x0b-7\t", Some(-7)),
            ("0", Some(0)),
            ("-0", Some(0)),
            ("+0", Some(0)),
            ("9223372036854775807", Some(i64::MAX)),
            ("-9223372036854775808", Some(i64::MIN)),
            ("9223372036854775808", None),
            ("42.0", None),
            ("007", None),
            ("0x2A", None),
            ("", None),
            ("  ", None),
            ("-", None),
            ("4 2", None),
            ("\x0c42", None),
            ("42\0", None),
            ("1e3", None),
        ] {
            assert_eq!(validate_int(s.as_bytes()), want, "{s:?}");
        }
    }

    #[test]
    fn bool_words_in_any_case() {
        for (s, want) in [
            ("yes", Some(true)),
            ("ON", Some(true)),
            (" True ", Some(true)),
            ("1", Some(true)),
            ("off", Some(false)),
            ("No", Some(false)),
            ("0", Some(false)),
            ("", Some(false)),
            (" ", Some(false)),
            ("FALSE", Some(false)),
            ("2", None),
            ("y", None),
            ("yes!", None),
        ] {
            assert_eq!(validate_bool(s.as_bytes()), want, "{s:?}");
        }
    }

    #[test]
    fn ip_formats_as_php_filters_them() {
        for (s, v4, v6) in [
            ("1.2.3.4", true, false),
            ("255.255.255.255", true, false),
            ("256.1.1.1", false, false),
            ("01.2.3.4", false, false),
            ("0.0.0.0", true, false),
            ("1.2.3", false, false),
            ("1.2.3.4.5", false, false),
            (" 1.2.3.4", false, false),
            ("::1", false, true),
            ("::", false, true),
            ("fe80::1", false, true),
            ("fe80::1%eth0", false, false),
            ("1:2:3:4:5:6:7:8", false, true),
            ("1:2:3:4:5:6:7:8:9", false, false),
            ("1:2:3:4:5:6:7", false, false),
            ("::ffff:1.2.3.4", false, true),
            ("1::2::3", false, false),
            (":1::2", false, false),
            ("1:", false, false),
            ("12345::", false, false),
            ("1:2:3:4:5:6:1.2.3.4", false, true),
        ] {
            assert_eq!(is_ipv4(s.as_bytes()), v4, "ipv4 {s:?}");
            assert_eq!(is_ipv6(s.as_bytes()), v6, "ipv6 {s:?}");
        }
    }

    #[test]
    fn float_filter() {
        assert_eq!(validate_float(b" 1.5 "), Some(1.5));
        assert_eq!(validate_float(b"1e3"), Some(1000.0));
        assert_eq!(validate_float(b".5"), Some(0.5));
        assert_eq!(validate_float(b"abc"), None);
        assert_eq!(validate_float(b"1e999"), None);
    }
}
