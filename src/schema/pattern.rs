//! JSON Schema `pattern`s as GLPI runs them: PHP's `preg_match('{' . $pattern . '}u', $s)`.
//!
//! The `regex` crate agrees with PCRE2 (UTF and UCP mode, as PHP's `u` sets both) on the
//! constructs the inventory schema uses, except one: outside a character class, PCRE's `$`
//! also matches before a final newline. The translation below rewrites it (and `\Z`) as
//! `\n?\z`; a construct the crate cannot run (look-around, back-references) is refused when
//! the schema is compiled rather than checked differently. PHPUnit checks every pattern of
//! the bundled schema against `preg_match` on generated strings.

use regex::Regex;

#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    regex: Regex,
}

impl Pattern {
    pub fn compile(source: &str) -> Result<Pattern, String> {
        let translated = translate(source);
        let regex = regex::RegexBuilder::new(&translated)
            .size_limit(1 << 22)
            .build()
            .map_err(|e| format!("pattern {source:?} cannot be run: {e}"))?;
        Ok(Pattern {
            source: source.to_owned(),
            regex,
        })
    }

    /// Whether `preg_match` finds the pattern in `subject`. A subject that is not UTF-8 makes
    /// `preg_match` fail with an error, which GLPI's check (`0 === preg_match(...)`) lets pass.
    pub fn matches(&self, subject: &[u8]) -> bool {
        match std::str::from_utf8(subject) {
            Ok(s) => self.regex.is_match(s),
            Err(_) => true,
        }
    }
}

fn translate(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 8);
    let mut chars = source.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('Z') if !in_class => out.push_str(r"(?:\n?\z)"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push_str(r"\\"),
            },
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                // A `]` or `^]` right after the opening bracket is a literal in both engines.
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str(r"\]");
                    chars.next();
                }
            }
            '[' if in_class => out.push_str(r"\["),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '$' if !in_class => out.push_str(r"(?:\n?\z)"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollar_matches_before_one_final_newline() {
        let p = Pattern::compile("^(Unmanaged|Computer)$").unwrap();
        assert!(p.matches(b"Computer"));
        assert!(p.matches(b"Computer\n"));
        assert!(!p.matches(b"Computer\n\n"));
        assert!(!p.matches(b"Computers"));
        assert!(!p.matches(b"\nComputer"));
    }

    #[test]
    fn classes_and_unicode_digits() {
        let p = Pattern::compile("^[+|-][0-9]{4}$").unwrap();
        assert!(p.matches(b"+0100"));
        assert!(p.matches(b"|0100"));
        assert!(!p.matches(b"0100"));
        let arch = Pattern::compile(r"^(i\d86|arm.*)$").unwrap();
        assert!(arch.matches(b"i686"));
        assert!(
            arch.matches("i\u{0663}86".as_bytes()),
            "\\d is Unicode under PHP's u"
        );
        assert!(arch.matches(b"armv7l"));
        assert!(!arch.matches(b"arm\nx"));
        let dollar_class = Pattern::compile("^a[$]$").unwrap();
        assert!(dollar_class.matches(b"a$"));
    }

    #[test]
    fn invalid_utf8_subject_passes_as_preg_match_errors() {
        let p = Pattern::compile("^x$").unwrap();
        assert!(p.matches(b"\xff"));
    }

    #[test]
    fn unsupported_constructs_are_refused() {
        assert!(Pattern::compile("(?=a)b").is_err());
        assert!(Pattern::compile(r"(a)\1").is_err());
    }
}
