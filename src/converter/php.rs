//! PHP 8.2's scalar semantics that the conversion's rules rely on: numeric strings, casts,
//! loose comparison and `round()`.

use super::value::Value;

/// PHP's whitespace around numeric strings.
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}

/// The longest numeric prefix of `s` after leading whitespace (`is_numeric_string` with
/// errors allowed), and where it ends.
fn numeric_prefix(s: &[u8]) -> Option<(Number, usize)> {
    let mut i = 0;
    while i < s.len() && is_ws(s[i]) {
        i += 1;
    }
    let start = i;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut is_float = false;
    let mut frac_digits = 0;
    if i < s.len() && s[i] == b'.' {
        let mut j = i + 1;
        while j < s.len() && s[j].is_ascii_digit() {
            j += 1;
        }
        frac_digits = j - i - 1;
        if int_digits > 0 || frac_digits > 0 {
            is_float = true;
            i = j;
        }
    }
    if int_digits == 0 && frac_digits == 0 {
        return None;
    }
    if i < s.len() && (s[i] == b'e' || s[i] == b'E') {
        let mut j = i + 1;
        if j < s.len() && (s[j] == b'+' || s[j] == b'-') {
            j += 1;
        }
        let exp_start = j;
        while j < s.len() && s[j].is_ascii_digit() {
            j += 1;
        }
        if j > exp_start {
            is_float = true;
            i = j;
        }
    }
    let text = std::str::from_utf8(&s[start..i]).ok()?;
    if !is_float {
        if let Ok(n) = text.parse::<i64>() {
            return Some((Number::Int(n), i));
        }
    }
    let f = text.parse::<f64>().ok()?;
    Some((Number::Float(f), i))
}

/// `is_numeric()`: a number with optional surrounding whitespace and nothing else.
pub fn numeric(s: &str) -> Option<Number> {
    let b = s.as_bytes();
    let (n, end) = numeric_prefix(b)?;
    b[end..].iter().all(|c| is_ws(*c)).then_some(n)
}

/// 2^63, the first float past `PHP_INT_MAX`.
const TWO_63: f64 = 9_223_372_036_854_775_808.0;

/// A float to int the way a cast of a numeric string does it (saturating).
fn float_to_int_capped(f: f64) -> i64 {
    if !f.is_finite() {
        0
    } else if f >= TWO_63 {
        i64::MAX
    } else if f <= -TWO_63 {
        i64::MIN
    } else {
        f as i64
    }
}

/// `(int)$float`: out-of-range values wrap modulo 2^64, as PHP 8 does on 64-bit.
pub fn float_to_int(f: f64) -> i64 {
    if !f.is_finite() {
        return 0;
    }
    if f > -TWO_63 && f < TWO_63 {
        return f as i64;
    }
    let two64 = 18_446_744_073_709_551_616.0_f64;
    let mut m = f.trunc() % two64;
    if m < 0.0 {
        m += two64;
    }
    // m is in [0, 2^64): reinterpret as two's complement.
    (m as u64) as i64
}

/// `(int)$string`.
pub fn str_to_int(s: &str) -> i64 {
    match numeric_prefix(s.as_bytes()) {
        Some((Number::Int(n), _)) => n,
        Some((Number::Float(f), _)) => float_to_int_capped(f),
        None => 0,
    }
}

/// `(int)$value` for any value.
pub fn to_int(v: &Value) -> i64 {
    match v {
        Value::Null => 0,
        Value::Bool(b) => i64::from(*b),
        Value::Int(i) => *i,
        Value::Float(f) => float_to_int(*f),
        Value::Str(s) => str_to_int(s),
        Value::Arr(a) => i64::from(!a.is_empty()),
    }
}

/// `(bool)$value`.
pub fn to_bool(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !(s.is_empty() || s == "0"),
        Value::Arr(a) => !a.is_empty(),
    }
}

/// `empty($value)` of a set value.
pub fn is_empty(v: &Value) -> bool {
    !to_bool(v)
}

/// A PHP float as a string (`precision` -1): the shortest text that reads back the same.
pub fn float_to_string(f: f64) -> String {
    if f.is_nan() {
        return "NAN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "INF" } else { "-INF" }.into();
    }
    if f == f.trunc() && f.abs() < 1e15 {
        if f == 0.0 && f.is_sign_negative() {
            return "-0".into();
        }
        return format!("{}", f as i64);
    }
    let s = format!("{f:e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-5..15).contains(&exp) {
        format!("{f}")
    } else {
        let sign = if exp < 0 { "-" } else { "+" };
        let m = if mantissa.contains('.') {
            mantissa.to_string()
        } else {
            format!("{mantissa}.0")
        };
        format!("{m}E{sign}{}", exp.abs())
    }
}

/// A value passed to a `string` parameter in PHP's coercive mode; `None` where PHP
/// throws a `TypeError` (arrays; null for a user function's non-nullable parameter).
pub fn as_string(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(true) => Some("1".into()),
        Value::Bool(false) => Some(String::new()),
        Value::Float(f) => Some(float_to_string(*f)),
        Value::Null | Value::Arr(_) => None,
    }
}

/// `$a == $b` for two strings: numerically when both are numeric.
pub fn str_loose_eq(a: &str, b: &str) -> bool {
    match (numeric(a), numeric(b)) {
        (Some(x), Some(y)) => {
            let fx = |n: Number| match n {
                Number::Int(i) => i as f64,
                Number::Float(f) => f,
            };
            match (x, y) {
                (Number::Int(i), Number::Int(j)) => i == j,
                _ => fx(x) == fx(y),
            }
        }
        _ => a == b,
    }
}

/// `round($value)` of PHP before 8.3: the value is first rounded to 15 significant
/// digits, so that 1000.4999999999999 (1.0005 * 1000) rounds up as written.
pub fn round(value: f64) -> f64 {
    if !value.is_finite() || value == 0.0 {
        return value;
    }
    let helper = |v: f64| {
        if v >= 0.0 {
            (v + 0.5).floor()
        } else {
            (v - 0.5).ceil()
        }
    };
    let precision_places = 14 - value.abs().log10().floor() as i32;
    let mut tmp;
    if precision_places > 0 && precision_places - 15 < 0 {
        tmp = helper(value * 10f64.powi(precision_places));
        tmp /= 10f64.powi(precision_places);
    } else {
        tmp = value;
        if tmp.abs() >= 1e15 {
            return value;
        }
    }
    if (tmp - helper(tmp)).abs() >= 1e-9 {
        tmp = helper(tmp);
    }
    tmp
}

/// `ctype_digit($string)`.
pub fn ctype_digit(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}
