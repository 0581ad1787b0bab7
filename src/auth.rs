//! HTTP Basic authentication (RFC 7617) for endpoints that protect agent submissions with a
//! login and password, checked in constant time.
//!
//! The received and expected credentials are reduced to SHA-256 digests and the digests are
//! compared with `subtle`: the time taken does not depend on where the strings differ, nor on
//! the login being right, and equal-size digests hide the expected lengths (hashing itself
//! costs time per 64-byte block, which is the unavoidable part). Comparison is on bytes,
//! never PHP's loose `==`, so `"1e3"` does not match `"1000"`.

use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// The `user-pass` bytes of a Basic `Authorization` value: the scheme in any case, one or more
/// spaces, then standard base64 with its padding and no stray bits (RFC 4648 section 3.5
/// canonical form). Anything else is `None`.
fn decode_basic(header: &str) -> Option<Zeroizing<Vec<u8>>> {
    let header = crate::headers::trim_ows(header);
    let (scheme, token) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let token = token.trim_start_matches(' ');
    let mut decoded = Zeroizing::new(Vec::with_capacity(token.len()));
    base64::engine::general_purpose::STANDARD
        .decode_vec(token, &mut decoded)
        .ok()?;
    Some(decoded)
}

/// Constant-time equality of two byte strings of any lengths, through their digests.
fn digests_equal(received: &[u8], expected: &[u8]) -> subtle::Choice {
    let mut a = Sha256::digest(received);
    let mut b = Sha256::digest(expected);
    let equal = a.as_slice().ct_eq(b.as_slice());
    a.as_mut_slice().zeroize();
    b.as_mut_slice().zeroize();
    equal
}

/// True when `authorization_header` carries Basic credentials equal to `login` and
/// `password`. The first colon of the decoded credentials ends the login, so passwords may
/// contain colons (and a login with a colon can never match, as RFC 7617 forbids it).
/// An empty expected `login` never matches: an unset configuration must not open the door.
pub fn check_basic_auth(authorization_header: Option<&str>, login: &str, password: &str) -> bool {
    check_basic_auth_bytes(
        authorization_header.map(str::as_bytes),
        login.as_bytes(),
        password.as_bytes(),
    )
}

/// [`check_basic_auth`] on raw bytes, as PHP strings are: a header that is not UTF-8 (and
/// so not base64) is simply wrong credentials, and the expected login and password may be
/// in any encoding.
pub fn check_basic_auth_bytes(
    authorization_header: Option<&[u8]>,
    login: &[u8],
    password: &[u8],
) -> bool {
    let Some(decoded) = authorization_header
        .and_then(|h| std::str::from_utf8(h).ok())
        .and_then(decode_basic)
    else {
        return false;
    };
    let Some(colon) = decoded.iter().position(|&b| b == b':') else {
        return false;
    };
    let (user, pass) = (&decoded[..colon], &decoded[colon + 1..]);
    // Both comparisons always run: the login being right must not be observable.
    let matches = digests_equal(user, login) & digests_equal(pass, password);
    bool::from(matches) && !login.is_empty()
}

/// The `WWW-Authenticate` value that asks for Basic credentials: `Basic realm="..."`, with
/// `"` and `\` escaped and control characters (which could split the header) removed.
pub fn www_authenticate(realm: &str) -> String {
    let mut out = String::with_capacity(realm.len() + 16);
    out.push_str("Basic realm=\"");
    for c in realm.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\t' => out.push(c),
            c if c.is_ascii_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn basic(user_pass: &[u8]) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(user_pass)
        )
    }

    #[test]
    fn rfc_7617_examples() {
        // Section 2: Aladdin / open sesame.
        let header = "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==";
        assert!(check_basic_auth(Some(header), "Aladdin", "open sesame"));
        assert!(!check_basic_auth(Some(header), "Aladdin", "open sesame "));
        assert!(!check_basic_auth(Some(header), "aladdin", "open sesame"));
        // Section 2.1: test / 123£ in UTF-8.
        assert!(check_basic_auth(
            Some("Basic dGVzdDoxMjPCow=="),
            "test",
            "123£"
        ));
    }

    #[test]
    fn php_loose_equality_traps_do_not_apply() {
        assert!(!check_basic_auth(
            Some(&basic(b"agent:1e3")),
            "agent",
            "1000"
        ));
        assert!(!check_basic_auth(Some(&basic(b"agent:0")), "agent", "0.0"));
        assert!(!check_basic_auth(
            Some(&basic(b"agent:0e1")),
            "agent",
            "0e2"
        ));
        assert!(!check_basic_auth(Some(&basic(b"1e3:pw")), "1000", "pw"));
        assert!(check_basic_auth(Some(&basic(b"agent:1e3")), "agent", "1e3"));
    }

    #[test]
    fn scheme_in_any_case_and_spacing() {
        let token = base64::engine::general_purpose::STANDARD.encode(b"user:pass");
        for header in [
            format!("Basic {token}"),
            format!("basic {token}"),
            format!("BASIC {token}"),
            format!("bAsIc   {token}"),
            format!(" Basic {token}\t"),
        ] {
            assert!(
                check_basic_auth(Some(&header), "user", "pass"),
                "{header:?}"
            );
        }
        for header in [
            format!("Bearer {token}"),
            format!("Basic\t{token}"),
            format!("Basic{token}"),
            token.clone(),
        ] {
            assert!(
                !check_basic_auth(Some(&header), "user", "pass"),
                "{header:?}"
            );
        }
    }

    #[test]
    fn passwords_may_hold_colons_logins_may_not() {
        assert!(check_basic_auth(
            Some(&basic(b"user:pa:ss:")),
            "user",
            "pa:ss:"
        ));
        assert!(check_basic_auth(Some(&basic(b"user:")), "user", ""));
        assert!(!check_basic_auth(
            Some(&basic(b"us:er:pass")),
            "us:er",
            "pass"
        ));
    }

    #[test]
    fn strict_base64() {
        // "user:pass" is dXNlcjpwYXNz (no padding needed); "user:pas" needs one '='.
        assert!(check_basic_auth(Some("Basic dXNlcjpwYXM="), "user", "pas"));
        for bad in [
            "Basic dXNlcjpwYXM",    // padding missing
            "Basic dXNlcjpwYXM==",  // too much padding
            "Basic dXNlcjpwYXN=",   // non-zero trailing bits
            "Basic dXNl cjpwYXM=",  // space inside
            "Basic dXNlcjpwYXM=\n", // line break
            "Basic dXNlcjpwYXM=.",  // stray character
            "Basic ",
            "Basic",
            "",
        ] {
            assert!(!check_basic_auth(Some(bad), "user", "pas"), "{bad:?}");
        }
        // The URL-safe alphabet is not Basic's: "u:??>" is dTo/Pz4= in standard base64, dTo_Pz4= url-safe.
        assert!(check_basic_auth(Some(&basic(b"u:??>")), "u", "??>"));
        assert!(!check_basic_auth(Some("Basic dTo_Pz4="), "u", "??>"));
    }

    #[test]
    fn missing_header_or_missing_colon_or_empty_login() {
        assert!(!check_basic_auth(None, "user", "pass"));
        assert!(!check_basic_auth(Some(&basic(b"userpass")), "user", "pass"));
        assert!(!check_basic_auth(Some(&basic(b":")), "", ""));
        assert!(!check_basic_auth(Some(&basic(b":pass")), "", "pass"));
    }

    #[test]
    fn binary_credentials_compare_as_bytes() {
        assert!(!check_basic_auth(
            Some(&basic(b"user:\xff")),
            "user",
            "\u{fffd}"
        ));
        assert!(check_basic_auth(
            Some(&basic("user:\u{0}x".as_bytes())),
            "user",
            "\u{0}x"
        ));
    }

    #[test]
    fn bytes_that_are_not_utf8_are_wrong_credentials() {
        let mut header = basic(b"user:pass").into_bytes();
        assert!(check_basic_auth_bytes(Some(&header), b"user", b"pass"));
        header.push(0xff);
        assert!(!check_basic_auth_bytes(Some(&header), b"user", b"pass"));
        let latin1 = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(b"user:p\xe4ss")
        );
        assert!(check_basic_auth_bytes(
            Some(latin1.as_bytes()),
            b"user",
            b"p\xe4ss"
        ));
    }

    #[test]
    fn credentials_rebuilt_from_php_auth_check_out() {
        let hs = crate::headers::Headers::from_cgi([
            ("PHP_AUTH_USER", "agent"),
            ("PHP_AUTH_PW", "p:w é"),
        ]);
        assert!(check_basic_auth(hs.authorization(), "agent", "p:w é"));
        assert!(!check_basic_auth(hs.authorization(), "agent", "p:w"));
    }

    #[test]
    fn realm_is_quoted_safely() {
        assert_eq!(www_authenticate("GLPI"), r#"Basic realm="GLPI""#);
        assert_eq!(
            www_authenticate(r#"a "b" \c"#),
            r#"Basic realm="a \"b\" \\c""#
        );
        assert_eq!(
            www_authenticate("x\r\nSet-Cookie: y"),
            r#"Basic realm="xSet-Cookie: y""#
        );
        assert_eq!(
            www_authenticate("tab\there\u{7f}\u{0}"),
            "Basic realm=\"tab\there\""
        );
        assert_eq!(www_authenticate("Parc é"), "Basic realm=\"Parc é\"");
        assert_eq!(www_authenticate(""), r#"Basic realm="""#);
    }

    proptest! {
        #[test]
        fn right_credentials_pass_wrong_ones_fail(
            login in "[^:]{1,20}",
            password in ".{0,40}",
            other in ".{0,40}",
        ) {
            let header = basic(format!("{login}:{password}").as_bytes());
            prop_assert!(check_basic_auth(Some(&header), &login, &password));
            prop_assert_eq!(check_basic_auth(Some(&header), &login, &other), other == password);
            let wrong_login = format!("{login}x");
            prop_assert!(!check_basic_auth(Some(&header), &wrong_login, &password));
        }

        #[test]
        fn arbitrary_headers_never_panic(header in ".{0,80}", login in ".{0,8}", password in ".{0,8}") {
            let _ = check_basic_auth(Some(&header), &login, &password);
        }

        #[test]
        fn quoted_realm_has_no_line_break_and_unescapes_back(realm in ".{0,40}") {
            let value = www_authenticate(&realm);
            prop_assert!(!value.contains(['\r', '\n', '\0']));
            let inner = value.strip_prefix("Basic realm=\"").and_then(|v| v.strip_suffix('"')).unwrap();
            let mut unescaped = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                prop_assert_ne!(c, '"');
                unescaped.push(if c == '\\' { chars.next().unwrap() } else { c });
            }
            let kept: String = realm.chars().filter(|c| *c == '\t' || !c.is_ascii_control()).collect();
            prop_assert_eq!(unescaped, kept);
        }
    }
}
