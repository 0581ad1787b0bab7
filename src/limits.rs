//! Every bound the decoder and the REGISTER code enforce, in one value with safe defaults.
//!
//! The PHP layer fills a `Limits` from the INI directives `glpi_agent_protocol.*` and then
//! applies per-call options on top, so every limit has a default, a directive and an option.
//! All of them are declared once, in the [`LIMITS`] table: the struct, its defaults, the
//! directives, the options and the `phpinfo()` rows are generated from it, and tests keep
//! `packaging/glpi_agent_protocol.ini` and the README's table equal to it.

use std::ffi::CStr;

/// What to do with bytes that are not UTF-8 inside JSON strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidUtf8 {
    /// Refuse the body (`invalid utf-8`, 400), as `json_decode` does by default.
    Error,
    /// Replace each invalid sequence by U+FFFD, as `JSON_INVALID_UTF8_SUBSTITUTE` does,
    /// so that an inventory with one bad byte is not lost.
    Substitute,
}

impl InvalidUtf8 {
    /// `error` or `substitute`, in any case, surrounding spaces ignored.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "error" => Some(InvalidUtf8::Error),
            "substitute" => Some(InvalidUtf8::Substitute),
            _ => None,
        }
    }

    /// The directive's spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            InvalidUtf8::Error => "error",
            InvalidUtf8::Substitute => "substitute",
        }
    }
}

/// A value a limit can take, read from an INI directive or written back for `phpinfo()`.
pub trait LimitValue: Sized {
    /// What the text must be, for error messages: `a positive integer`.
    const EXPECTED: &'static str;
    /// True when the per-call option is a PHP int (else a string).
    const NUMERIC: bool;
    /// The value of `text` (an INI value, or a per-call option), or `None` when invalid.
    fn parse(text: &str) -> Option<Self>;
    /// The value as an INI directive writes it.
    fn text(&self) -> String;
}

/// Sizes and counts: a whole number from 1 to `i64::MAX` (what PHP's ints hold).
impl LimitValue for u64 {
    const EXPECTED: &'static str = "a positive integer";
    const NUMERIC: bool = true;
    fn parse(text: &str) -> Option<Self> {
        let v: i64 = text.trim().parse().ok()?;
        (v > 0).then_some(v as u64)
    }
    fn text(&self) -> String {
        self.to_string()
    }
}

/// Counts and seconds kept in 32 bits: the same text, larger values saturate (a bound of
/// four billion is no bound in practice).
impl LimitValue for u32 {
    const EXPECTED: &'static str = "a positive integer";
    const NUMERIC: bool = true;
    fn parse(text: &str) -> Option<Self> {
        u64::parse(text).map(|v| u32::try_from(v).unwrap_or(u32::MAX))
    }
    fn text(&self) -> String {
        self.to_string()
    }
}

impl LimitValue for InvalidUtf8 {
    const EXPECTED: &'static str = "'error' or 'substitute'";
    const NUMERIC: bool = false;
    fn parse(text: &str) -> Option<Self> {
        InvalidUtf8::parse(text)
    }
    fn text(&self) -> String {
        self.as_str().to_owned()
    }
}

/// One bound of [`Limits`] as PHP sees it: the INI directive `glpi_agent_protocol.<name>`,
/// the per-call option `<name>` (where `Request::decode()` takes it), its default as the
/// directive writes it, and its `phpinfo()` label.
pub struct Limit {
    /// The field, option and directive name, e.g. `max_decoded_bytes`.
    pub name: &'static str,
    /// `glpi_agent_protocol.<name>`, as the engine keeps it.
    pub directive: &'static CStr,
    /// [`Limits::DEFAULT`]'s value as text (a test keeps the two equal).
    pub default: &'static CStr,
    /// The `phpinfo()` row.
    pub label: &'static str,
    /// Whether `Request::decode()` takes it as an option (the others belong to the
    /// functions that take their own argument for it).
    pub decode_option: bool,
    /// What a valid value is, for error messages.
    pub expected: &'static str,
    /// True when the per-call option is a PHP int.
    pub numeric: bool,
    /// The value in `limits`, as text.
    pub get: fn(&Limits) -> String,
    /// Sets the value from text; false (and `limits` unchanged) when it is not valid.
    pub set: fn(&mut Limits, &str) -> bool,
}

impl Limit {
    /// The limit called `name`.
    pub fn named(name: &str) -> Option<&'static Limit> {
        LIMITS.iter().find(|l| l.name == name)
    }

    /// The limit whose directive is `directive` (the full `glpi_agent_protocol.` name).
    pub fn for_directive(directive: &[u8]) -> Option<&'static Limit> {
        LIMITS.iter().find(|l| l.directive.to_bytes() == directive)
    }
}

const fn c_str(bytes: &'static str) -> &'static CStr {
    match CStr::from_bytes_with_nul(bytes.as_bytes()) {
        Ok(c) => c,
        Err(_) => panic!("a limit name or default holds a NUL byte"),
    }
}

/// Declares [`Limits`], [`Limits::DEFAULT`] and the [`LIMITS`] table from one list, so that
/// a limit's name, default, directive, option and `phpinfo()` row cannot drift apart.
macro_rules! limits {
    ($(
        $(#[doc = $doc:literal])*
        $field:ident: $ty:ty = $default:expr, $text:literal, $label:literal, decode_option: $option:literal;
    )*) => {
        /// Every bound the decoder and the REGISTER code enforce, with safe defaults.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct Limits {
            $($(#[doc = $doc])* pub $field: $ty,)*
        }

        impl Limits {
            /// The defaults, which the INI directives start from.
            pub const DEFAULT: Limits = Limits { $($field: $default,)* };
        }

        /// Every limit, in the order `phpinfo()`, `packaging/glpi_agent_protocol.ini` and the
        /// README list them.
        pub const LIMITS: &[Limit] = &[$(
            Limit {
                name: stringify!($field),
                directive: c_str(concat!("glpi_agent_protocol.", stringify!($field), "\0")),
                default: c_str(concat!($text, "\0")),
                label: $label,
                decode_option: $option,
                expected: <$ty as LimitValue>::EXPECTED,
                numeric: <$ty as LimitValue>::NUMERIC,
                get: |l: &Limits| LimitValue::text(&l.$field),
                set: |l: &mut Limits, text: &str| match <$ty as LimitValue>::parse(text) {
                    Some(v) => {
                        l.$field = v;
                        true
                    }
                    None => false,
                },
            },
        )*];
    };
}

limits! {
    /// Largest body after decompression (and the largest plain body). Real network
    /// inventories reach 20 MB; the default leaves room for three times that.
    max_decoded_bytes: u64 = 64 << 20, "67108864", "Active max decoded bytes", decode_option: true;
    /// Largest expansion (decoded bytes per compressed byte) of a zlib, gzip or deflate body
    /// once the output passes [`Limits::RATIO_GRACE_BYTES`]. Measured: real inventories, and
    /// 20 MB network inventories made of hundreds of near-identical ports, expand at most 31
    /// times at level 9; a stream of zeros expands 229 times at level 1 and 1029 times at
    /// level 6, and deflate cannot exceed 1032.
    max_ratio: u32 = 200, "200", "Active max compression ratio", decode_option: true;
    /// The same for brotli bodies, whose 4 MiB window turns repetition into far larger
    /// ratios. Measured at quality 11: real inventories up to 46, a 17 MB network inventory of
    /// ports identical but for their number 315; zeros expand 1475 times at quality 0 and
    /// about a million times at quality 5.
    max_ratio_brotli: u32 = 1000, "1000", "Active max brotli ratio", decode_option: true;
    /// Deepest JSON nesting, counted as `json_decode` counts its `$depth`; also the deepest
    /// XML element nesting (the root element is level 1).
    max_depth: u32 = 512, "512", "Active max JSON depth", decode_option: true;
    /// Most JSON values in one message, object keys counted too: what PHP's values will
    /// cost grows with their number, not with the bytes (`[{},{},...]` costs PHP some 70
    /// bytes of memory per 3 bytes of text). Measured on the corpus: real inventories hold
    /// one value or key per 16 to 26 bytes of JSON, so a 20 MB network inventory holds about
    /// 1.1 million; the default admits a real inventory of `max_decoded_bytes`.
    max_values: u64 = 4_000_000, "4000000", "Active max JSON values", decode_option: true;
    /// Most entries accepted in `GLPI-Proxy-ID` (spec 3.2.7 suggests 5).
    max_proxies: u32 = 5, "5", "Active max proxies", decode_option: true;
    /// Seconds a REGISTER challenge stays answerable.
    challenge_max_age: u32 = 60, "60", "Active challenge max age (s)", decode_option: false;
    /// Seconds an encrypted message may be older (or newer) than the receiver's clock.
    message_max_age: u32 = 300, "300", "Active message max age (s)", decode_option: true;
    /// What to do with bytes that are not UTF-8 inside JSON strings.
    invalid_utf8: InvalidUtf8 = InvalidUtf8::Error, "error", "Active invalid UTF-8 handling", decode_option: true;
    /// Largest certificate or certificate signing request text read (PEM, URL-escaped
    /// PEM or DER). An 8192-bit RSA certificate URL-escaped takes about 4 KB.
    max_certificate_bytes: u32 = 16384, "16384", "Active max certificate bytes", decode_option: false;
}

impl Limits {
    /// Output below this size is never judged by its ratio: tiny bodies of repeated
    /// bytes are legitimate and cost nothing.
    pub const RATIO_GRACE_BYTES: u64 = 1 << 20;
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project_file(path: &str) -> String {
        std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn each_default_text_is_the_default_value() {
        for l in LIMITS {
            let text = l.default.to_str().unwrap();
            assert_eq!((l.get)(&Limits::DEFAULT), text, "{}", l.name);
            let mut other = Limits::DEFAULT;
            assert!((l.set)(&mut other, text), "{}", l.name);
            assert_eq!(other, Limits::DEFAULT, "{}", l.name);
            assert_eq!(
                l.directive.to_str().unwrap(),
                format!("glpi_agent_protocol.{}", l.name)
            );
        }
    }

    #[test]
    fn invalid_values_leave_the_limits_unchanged() {
        for l in LIMITS {
            for bad in ["", "0", "-1", "x", "1.5", "9223372036854775808"] {
                let mut limits = Limits::DEFAULT;
                assert!(!(l.set)(&mut limits, bad), "{} = {bad:?}", l.name);
                assert_eq!(limits, Limits::DEFAULT);
            }
        }
        let mut limits = Limits::DEFAULT;
        assert!((Limit::named("max_proxies").unwrap().set)(
            &mut limits,
            " 9 "
        ));
        assert_eq!(limits.max_proxies, 9);
        assert!((Limit::named("max_depth").unwrap().set)(
            &mut limits,
            "9223372036854775807"
        ));
        assert_eq!(limits.max_depth, u32::MAX, "32-bit limits saturate");
        assert!((Limit::named("invalid_utf8").unwrap().set)(
            &mut limits,
            "SUBSTITUTE"
        ));
        assert_eq!(limits.invalid_utf8, InvalidUtf8::Substitute);
        assert!(Limit::named("max_values").is_some());
        assert!(Limit::named("assoc").is_none());
        assert_eq!(
            Limit::for_directive(b"glpi_agent_protocol.max_ratio").map(|l| l.name),
            Some("max_ratio")
        );
    }

    #[test]
    fn the_packaging_file_lists_every_limit_with_its_default() {
        let ini = project_file("packaging/glpi_agent_protocol.ini");
        let listed: Vec<(String, String)> = ini
            .lines()
            .filter_map(|line| line.strip_prefix(';'))
            .filter_map(|line| line.split_once(" = "))
            .filter(|(name, _)| Limit::for_directive(name.trim().as_bytes()).is_some())
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let expected: Vec<(String, String)> = LIMITS
            .iter()
            .map(|l| {
                (
                    l.directive.to_str().unwrap().to_owned(),
                    l.default.to_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(listed, expected);
    }

    #[test]
    fn the_readme_table_lists_every_limit_with_its_default() {
        let readme = project_file("README.md");
        let rows: Vec<(String, String)> = readme
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|line| {
                let (name, rest) = line.split_once("` | ")?;
                let default = rest.split(" | ").next()?;
                // "67108864 (64 MiB)" or "`error`": the value is the first word.
                let value = default.split_whitespace().next()?.trim_matches('`');
                Limit::named(name).map(|_| (name.to_owned(), value.to_owned()))
            })
            .collect();
        let expected: Vec<(String, String)> = LIMITS
            .iter()
            .map(|l| (l.name.to_owned(), l.default.to_str().unwrap().to_owned()))
            .collect();
        assert_eq!(rows, expected);
    }
}
