//! The date handling of the conversion: PHP's `DateTime::createFromFormat()` for the
//! formats the conversion tries, `new DateTime()` and `strtotime()` for the shapes it
//! gives them, and `DateTime::format()` of the result.
//!
//! As PHP does, a parsed date out of range is not an error: it overflows (the 31st of
//! February is the 2nd or 3rd of March, month 13 is January of the next year, day 0 the
//! last day of the month before), and a field the format does not give is taken from
//! the current time (UTC).

/// A broken-down date and time, possibly out of range until normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    pub y: i64,
    pub m: i64,
    pub d: i64,
    pub h: i64,
    pub i: i64,
    pub s: i64,
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (month 1..=12).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl DateTime {
    /// Carries every out-of-range field into the next one up.
    pub fn normalised(self) -> DateTime {
        let total_s = self.h * 3600 + self.i * 60 + self.s;
        let day_carry = total_s.div_euclid(86_400);
        let secs = total_s.rem_euclid(86_400);
        let months = self.y * 12 + (self.m - 1);
        let (y, m) = (months.div_euclid(12), months.rem_euclid(12) + 1);
        let days = days_from_civil(y, m, 1) + self.d - 1 + day_carry;
        let (y, m, d) = civil_from_days(days);
        DateTime {
            y,
            m,
            d,
            h: secs / 3600,
            i: secs % 3600 / 60,
            s: secs % 60,
        }
    }

    fn weekday(&self) -> i64 {
        // 1970-01-01 was a Thursday (4); Sunday is 0.
        (days_from_civil(self.y, self.m, self.d) + 4).rem_euclid(7)
    }

    fn year(&self) -> String {
        if self.y < 0 {
            format!("-{:04}", -self.y)
        } else {
            format!("{:04}", self.y)
        }
    }

    /// `format('Y-m-d')`.
    pub fn date(&self) -> String {
        format!("{}-{:02}-{:02}", self.year(), self.m, self.d)
    }

    /// `format('Y-m-d H:i:s')`.
    pub fn date_time(&self) -> String {
        format!("{} {:02}:{:02}:{:02}", self.date(), self.h, self.i, self.s)
    }
}

fn now() -> DateTime {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    DateTime {
        y,
        m,
        d,
        h: t / 3600,
        i: t % 3600 / 60,
        s: t % 60,
    }
}

/// Up to `max` digits at `*pos` (at least one, or exactly `max` when `exact`).
fn digits(s: &[u8], pos: &mut usize, max: usize, exact: bool) -> Option<i64> {
    let start = *pos;
    while *pos < s.len() && *pos - start < max && s[*pos].is_ascii_digit() {
        *pos += 1;
    }
    let n = *pos - start;
    if n == 0 || (exact && n != max) {
        return None;
    }
    std::str::from_utf8(&s[start..*pos]).ok()?.parse().ok()
}

/// A word of letters at `*pos`, as timelib reads names (up to a separator).
fn word<'a>(s: &'a [u8], pos: &mut usize) -> &'a [u8] {
    let start = *pos;
    while *pos < s.len()
        && !matches!(
            s[*pos],
            b' ' | b',' | b'\t' | b';' | b':' | b'/' | b'.' | b'-' | b'(' | b')'
        )
    {
        *pos += 1;
    }
    &s[start..*pos]
}

fn month_named(w: &[u8]) -> Option<i64> {
    const NAMES: [(&str, i64); 37] = [
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("sept", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
        ("january", 1),
        ("february", 2),
        ("march", 3),
        ("april", 4),
        ("june", 6),
        ("july", 7),
        ("august", 8),
        ("september", 9),
        ("october", 10),
        ("november", 11),
        ("december", 12),
        ("i", 1),
        ("ii", 2),
        ("iii", 3),
        ("iv", 4),
        ("v", 5),
        ("vi", 6),
        ("vii", 7),
        ("viii", 8),
        ("ix", 9),
        ("x", 10),
        ("xi", 11),
        ("xii", 12),
        ("", 0),
    ];
    let w = std::str::from_utf8(w).ok()?.to_ascii_lowercase();
    NAMES
        .iter()
        .find(|(n, _)| !n.is_empty() && *n == w)
        .map(|(_, m)| *m)
}

fn weekday_named(w: &[u8]) -> Option<i64> {
    const NAMES: [(&str, i64); 14] = [
        ("sun", 0),
        ("sunday", 0),
        ("mon", 1),
        ("monday", 1),
        ("tue", 2),
        ("tuesday", 2),
        ("wed", 3),
        ("wednesday", 3),
        ("thu", 4),
        ("thursday", 4),
        ("fri", 5),
        ("friday", 5),
        ("sat", 6),
        ("saturday", 6),
    ];
    let w = std::str::from_utf8(w).ok()?.to_ascii_lowercase();
    NAMES.iter().find(|(n, _)| *n == w).map(|(_, d)| *d)
}

/// `DateTime::createFromFormat($format, $value)`, for formats made of `Y m d H i s D M`,
/// escaped letters and literal separators. `None` where PHP returns false.
pub fn create_from_format(format: &str, value: &str) -> Option<DateTime> {
    let s = value.as_bytes();
    let f = format.as_bytes();
    let (mut y, mut m, mut d) = (None, None, None);
    let (mut h, mut i, mut sec) = (None, None, None);
    let mut weekday = None;
    let mut pos = 0;
    let mut k = 0;
    while k < f.len() {
        let c = f[k];
        k += 1;
        match c {
            b'Y' => y = Some(digits(s, &mut pos, 4, false)?),
            b'm' => m = Some(digits(s, &mut pos, 2, false)?),
            b'd' => d = Some(digits(s, &mut pos, 2, false)?),
            b'H' => h = Some(digits(s, &mut pos, 2, false)?),
            b'i' => i = Some(digits(s, &mut pos, 2, true)?),
            b's' => sec = Some(digits(s, &mut pos, 2, true)?),
            b'M' => m = Some(month_named(word(s, &mut pos))?),
            b'D' => weekday = Some(weekday_named(word(s, &mut pos))?),
            b'\\' => {
                let lit = *f.get(k)?;
                k += 1;
                if s.get(pos) != Some(&lit) {
                    return None;
                }
                pos += 1;
            }
            lit => {
                if s.get(pos) != Some(&lit) {
                    return None;
                }
                pos += 1;
            }
        }
    }
    if pos != s.len() {
        return None;
    }
    let now = now();
    let any_time = h.is_some() || i.is_some() || sec.is_some();
    let (h, i, sec) = if any_time {
        (h.unwrap_or(0), i.unwrap_or(0), sec.unwrap_or(0))
    } else {
        (now.h, now.i, now.s)
    };
    let mut t = DateTime {
        y: y.unwrap_or(now.y),
        m: m.unwrap_or(now.m),
        d: d.unwrap_or(now.d),
        h,
        i,
        s: sec,
    }
    .normalised();
    if let Some(target) = weekday {
        // A day name moves the date forward to that weekday (0 to 6 days).
        let diff = (target - t.weekday()).rem_euclid(7);
        t.d += diff;
        t = t.normalised();
    }
    Some(t)
}

/// Parses `Y-M-D H:I[:S]` (1 to 2 digits each but a 4-digit year, as the caller's pattern
/// ensures) as `new DateTime()` does: `None` where it throws.
pub fn construct(value: &str) -> Option<DateTime> {
    let v = value.strip_suffix('\n').unwrap_or(value);
    let (date, time) = v.split_once(' ')?;
    let mut dp = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (dp.next()??, dp.next()??, dp.next()??);
    let mut tp = time.split(':');
    let (h, i) = (tp.next()?, tp.next()?);
    let s = tp.next();
    let h_ok = h.len() <= 2 && h.parse::<i64>().is_ok_and(|n| n <= 24);
    let i_ok = i.len() <= 2 && i.parse::<i64>().is_ok_and(|n| n <= 59);
    let s_ok = s.is_none_or(|s| s.parse::<i64>().is_ok_and(|n| n <= 60));
    if !(m <= 12 && d <= 31 && h_ok && i_ok && s_ok) {
        return None;
    }
    Some(
        DateTime {
            y,
            m,
            d,
            h: h.parse().ok()?,
            i: i.parse().ok()?,
            s: s.map_or(Some(0), |s| s.parse().ok())?,
        }
        .normalised(),
    )
}

/// Whether `strtotime()` reads a value that `createFromFormat('Y-d-m H:i:s')` read: its
/// scanner wants a month of 0 to 12, a day of 0 to 31 and a valid clock time.
pub fn strtotime_reads(value: &str) -> bool {
    let Some((date, time)) = value.split_once(' ') else {
        return false;
    };
    let parts: Vec<i64> = date.split('-').filter_map(|p| p.parse().ok()).collect();
    let clock: Vec<i64> = time.split(':').filter_map(|p| p.parse().ok()).collect();
    matches!(parts.as_slice(), [_, m, d] if *m <= 12 && *d <= 31)
        && matches!(clock.as_slice(), [h, i, s] if *h <= 24 && *i <= 59 && *s <= 60)
}
