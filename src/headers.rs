//! Request headers of the GLPI agent protocol (chapter 3.2): `GLPI-Agent-ID`, `GLPI-Request-ID`,
//! `GLPI-CryptoKey-ID`, `GLPI-Proxy-ID`, plus `Content-Type`, `Accept` and `Authorization`
//! for the other modules.
//!
//! Headers arrive from PHP in one of two shapes: what `getallheaders()` returns (names as the
//! client wrote them, in any case: [`Headers::from_fields`]) or a `$_SERVER` array
//! (`HTTP_GLPI_AGENT_ID`, `CONTENT_TYPE`, `PHP_AUTH_USER`, mixed with non-header entries such
//! as `REQUEST_METHOD` or `PATH`: [`Headers::from_cgi`]). Which shape an array has is the
//! caller's to tell from what no client controls (see `src/php/convert.rs`); nothing a client
//! names a header may switch one reading for the other.

use std::fmt;

use base64::Engine;
use zeroize::{Zeroize, Zeroizing};

use crate::error::ProtocolError;
use crate::limits::Limits;
use crate::uuid::{parse_id, AgentId, Uuid};

/// `GLPI-Agent-ID` (spec 3.2.1), the agent's UUID; names here are in lower case, as
/// [`Headers`] stores them.
pub const AGENT_ID: &str = "glpi-agent-id";
/// `GLPI-Request-ID` (spec 3.2.2), 8 upper-case hex digits echoed in the answer.
pub const REQUEST_ID: &str = "glpi-request-id";
/// `GLPI-CryptoKey-ID` (spec 3.2.6), the owner of the key an encrypted body uses.
pub const CRYPTOKEY_ID: &str = "glpi-cryptokey-id";
/// `GLPI-Proxy-ID` (spec 3.2.7), the comma-separated agent ids of the proxies passed.
pub const PROXY_ID: &str = "glpi-proxy-id";
/// `Content-Type` (spec 3.2.3).
pub const CONTENT_TYPE: &str = "content-type";
/// `Accept` (spec 3.2.4).
pub const ACCEPT: &str = "accept";
/// `Authorization`, for HTTP Basic authentication of agents.
pub const AUTHORIZATION: &str = "authorization";

/// CGI meta-variables that are really headers but come without the `HTTP_` prefix.
const SERVER_CONTENT_HEADERS: [&str; 3] = ["CONTENT_TYPE", "CONTENT_LENGTH", "CONTENT_MD5"];

/// Headers whose values are credentials: wiped on drop, never shown by `Debug`.
const SENSITIVE: [&str; 3] = [AUTHORIZATION, "proxy-authorization", "cookie"];

/// Request headers with normalized names. Values are trimmed of surrounding spaces and tabs;
/// two entries that normalize to the same name are combined as HTTP combines repeated fields
/// (`a, b`), unless their values are equal.
#[derive(Clone, Default)]
pub struct Headers {
    fields: Vec<(String, String)>,
}

/// A CGI variable's header name: lower case, `_` read as `-` (`GLPI_AGENT_ID` is
/// `glpi-agent-id`), as the gateway wrote the header's hyphens as underscores.
fn cgi_name(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b == b'_' {
                '-'
            } else {
                b.to_ascii_lowercase() as char
            }
        })
        .collect()
}

/// Strips the optional whitespace (spaces, tabs) HTTP allows around field values and list items.
pub(crate) fn trim_ows(value: &str) -> &str {
    value.trim_matches(|c| c == ' ' || c == '\t')
}

/// Credentials found in a `$_SERVER` array besides the `Authorization` header itself.
#[derive(Default)]
struct ServerAuth {
    redirect: Option<Zeroizing<String>>,
    user: Option<Zeroizing<String>>,
    password: Option<Zeroizing<String>>,
}

impl Headers {
    /// Builds from header fields as `getallheaders()` gives them: (name, value) pairs with
    /// names as the client wrote them. Names are compared in any case; `_` and `-` stay
    /// distinct, so a field named `CONTENT_TYPE` or `GLPI_Agent_ID` is not the header of that
    /// name. Bytes that are not UTF-8 are replaced by U+FFFD, which no protocol header
    /// accepts, so they end as the header's own error.
    pub fn from_fields<I, N, V>(pairs: I) -> Headers
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let mut headers = Headers::default();
        for (name, value) in lossy_pairs(pairs) {
            headers.add(name.to_ascii_lowercase(), &value);
        }
        headers
    }

    /// Builds from the CGI variables of a `$_SERVER` array: only `HTTP_*`, `CONTENT_TYPE`,
    /// `CONTENT_LENGTH`, `CONTENT_MD5` and names containing a hyphen are headers. Where the
    /// SAPI hid `Authorization`, it is rebuilt from `REDIRECT_HTTP_AUTHORIZATION`, else from
    /// `PHP_AUTH_USER` and `PHP_AUTH_PW`.
    pub fn from_cgi<I, N, V>(pairs: I) -> Headers
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let mut headers = Headers::default();
        let mut auth = ServerAuth::default();
        for (name, value) in lossy_pairs(pairs) {
            match name.as_str() {
                "PHP_AUTH_USER" => auth.user = Some(value),
                "PHP_AUTH_PW" => auth.password = Some(value),
                "REDIRECT_HTTP_AUTHORIZATION" => auth.redirect = Some(value),
                n if SERVER_CONTENT_HEADERS.contains(&n) || n.contains('-') => {
                    headers.add(cgi_name(n), &value)
                }
                n => {
                    if let Some(rest) = n.strip_prefix("HTTP_").filter(|r| !r.is_empty()) {
                        headers.add(cgi_name(rest), &value);
                    }
                }
            }
        }
        if headers.get(AUTHORIZATION).is_none() {
            if let Some(value) = auth.redirect {
                headers.add(AUTHORIZATION.to_owned(), &value);
            } else if let Some(user) = auth.user {
                let mut pair = Zeroizing::new(format!("{}:", user.as_str()));
                pair.push_str(auth.password.as_ref().map(|p| p.as_str()).unwrap_or(""));
                let mut value = Zeroizing::new(String::from("Basic "));
                base64::engine::general_purpose::STANDARD
                    .encode_string(pair.as_bytes(), &mut value);
                headers.add(AUTHORIZATION.to_owned(), &value);
            }
        }
        headers
    }

    /// Adds a field under its already normalized name.
    fn add(&mut self, name: String, value: &str) {
        let value = trim_ows(value);
        match self.fields.iter_mut().find(|(n, _)| *n == name) {
            Some((_, existing)) if existing != value => {
                existing.push_str(", ");
                existing.push_str(value);
            }
            Some(_) => {}
            None => self.fields.push((name, value.to_owned())),
        }
    }

    /// The value of a header, by its name in any case (`GLPI-Agent-ID`, `glpi-agent-id`).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header as (normalized name, value), in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// `GLPI-Agent-ID` (spec 3.2.1): `None` when absent, `bad agent id` when not a UUID.
    pub fn agent_id(&self) -> Result<Option<AgentId>, ProtocolError> {
        self.get(AGENT_ID).map(parse_agent_id).transpose()
    }

    /// `GLPI-Agent-ID` where the protocol requires it: absent is `bad agent id` too.
    pub fn require_agent_id(&self) -> Result<AgentId, ProtocolError> {
        self.agent_id()?.ok_or(ProtocolError::BadAgentId)
    }

    /// `GLPI-Request-ID` (spec 3.2.2) when it is exactly 8 upper-case hex digits. Anything else
    /// is neither trusted nor echoed, as glpi-agent itself does with answers.
    pub fn request_id(&self) -> Option<&str> {
        self.get(REQUEST_ID).and_then(parse_request_id)
    }

    /// `GLPI-CryptoKey-ID` (spec 3.2.6): `None` when absent (the body is plain).
    pub fn crypto_key_id(&self) -> Result<Option<Uuid>, ProtocolError> {
        self.get(CRYPTOKEY_ID)
            .map(|v| parse_id(v.as_bytes()).map_err(|_| ProtocolError::BadCryptoKeyId))
            .transpose()
    }

    /// `GLPI-Proxy-ID` (spec 3.2.7), empty when absent.
    pub fn proxy_ids(&self, limits: &Limits) -> Result<Vec<AgentId>, ProtocolError> {
        match self.get(PROXY_ID) {
            Some(v) => parse_proxy_ids(v, limits.max_proxies),
            None => Ok(Vec::new()),
        }
    }

    /// The raw `Content-Type`, for the decoder.
    pub fn content_type(&self) -> Option<&str> {
        self.get(CONTENT_TYPE)
    }

    /// The raw `Accept`, for [`crate::accept::negotiate`].
    pub fn accept(&self) -> Option<&str> {
        self.get(ACCEPT)
    }

    /// The `Authorization` value (possibly rebuilt from `PHP_AUTH_*`), for
    /// [`crate::auth::check_basic_auth`].
    pub fn authorization(&self) -> Option<&str> {
        self.get(AUTHORIZATION)
    }
}

/// Names and values as text; bytes that are not UTF-8 become U+FFFD. Values are kept in
/// wiping strings, since some of them are credentials.
fn lossy_pairs<I, N, V>(pairs: I) -> impl Iterator<Item = (String, Zeroizing<String>)>
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<[u8]>,
    V: AsRef<[u8]>,
{
    pairs.into_iter().map(|(n, v)| {
        (
            String::from_utf8_lossy(n.as_ref()).into_owned(),
            Zeroizing::new(String::from_utf8_lossy(v.as_ref()).into_owned()),
        )
    })
}

impl Drop for Headers {
    fn drop(&mut self) {
        for (name, value) in &mut self.fields {
            if SENSITIVE.contains(&name.as_str()) {
                value.zeroize();
            }
        }
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in &self.fields {
            if SENSITIVE.contains(&name.as_str()) {
                map.entry(name, &"<redacted>");
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

/// A `GLPI-Agent-ID` value: a UUID string other than the nil UUID, else `bad agent id`
/// (400). The nil UUID is what a broken or unconfigured agent would send; every such agent
/// would share one identity.
pub fn parse_agent_id(value: &str) -> Result<AgentId, ProtocolError> {
    parse_id(trim_ows(value).as_bytes())
        .ok()
        .filter(|id| *id != Uuid::nil())
        .ok_or(ProtocolError::BadAgentId)
}

/// A `GLPI-Request-ID` value if it is exactly 8 upper-case hex digits.
pub fn parse_request_id(value: &str) -> Option<&str> {
    let ok = value.len() == 8
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'));
    ok.then_some(value)
}

/// A `GLPI-Proxy-ID` value: agent ids separated by commas, optional spaces around each.
/// Empty elements are skipped as RFC 7230 section 7 asks of list headers. More than `max`
/// entries is `too-many-proxy`; an entry that is not a UUID is `bad proxy id`. Parsing stops
/// at the first entry past `max`, so a huge header costs no more than `max + 1` entries.
pub fn parse_proxy_ids(value: &str, max: u32) -> Result<Vec<AgentId>, ProtocolError> {
    let mut ids = Vec::new();
    for entry in value.split(',').map(trim_ows).filter(|e| !e.is_empty()) {
        if ids.len() >= max as usize {
            return Err(ProtocolError::TooManyProxy);
        }
        let id = parse_id(entry.as_bytes()).map_err(|_| ProtocolError::BadProxyId)?;
        if id == Uuid::nil() {
            return Err(ProtocolError::BadProxyId);
        }
        ids.push(id);
    }
    Ok(ids)
}

/// Where a `GLPI-Proxy-ID` chain is checked (spec 3.2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainCheck {
    /// By a proxy about to add its own id: the chain must leave room for it.
    Forwarding,
    /// By the server the chain ends at: the chain as it arrived.
    Receiving,
}

/// The loop and length rules of spec 3.2.7, for a proxy and for a server alike. The request
/// went round in a circle (`proxy-loop-detected`) when the checking party's own id is in
/// the chain, when the requesting agent relays its own request, or when one proxy appears
/// twice. The chain is too long (`too-many-proxy`) past `max` ids as it arrived, or, for a
/// proxy, when adding itself would pass `max`. Both are answered with 404; a loop is
/// reported before the length.
pub fn check_proxy_chain(
    chain: &[AgentId],
    agent_id: Option<&AgentId>,
    own_id: Option<&AgentId>,
    max: u32,
    at: ChainCheck,
) -> Result<(), ProtocolError> {
    let in_chain = |id: Option<&AgentId>| id.is_some_and(|id| chain.contains(id));
    // Chains hold at most a few ids: the quadratic scan is cheaper than a set.
    let repeated = chain
        .iter()
        .enumerate()
        .any(|(i, id)| chain[i + 1..].contains(id));
    if in_chain(own_id) || in_chain(agent_id) || repeated {
        return Err(ProtocolError::ProxyLoopDetected);
    }
    let room = match at {
        ChainCheck::Forwarding => chain.len() < max as usize,
        ChainCheck::Receiving => chain.len() <= max as usize,
    };
    if !room {
        return Err(ProtocolError::TooManyProxy);
    }
    Ok(())
}

/// The `GLPI-Proxy-ID` value for a chain (canonical ids joined by commas), e.g. the incoming
/// chain with the forwarding proxy's own id appended.
pub fn format_proxy_ids(chain: &[AgentId]) -> String {
    chain
        .iter()
        .map(|id| id.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ID: &str = "8d4cd9d8-e630-11f1-84c8-420f0d1cbbf9";
    const ID2: &str = "3a609a2e-947f-4e6a-9af9-32c024ac3944";

    fn h(pairs: &[(&str, &str)]) -> Headers {
        Headers::from_fields(pairs.iter().copied())
    }

    fn cgi(pairs: &[(&str, &str)]) -> Headers {
        Headers::from_cgi(pairs.iter().copied())
    }

    fn id(s: &str) -> AgentId {
        parse_id(s.as_bytes()).unwrap()
    }

    /// The headers glpi-agent 1.12 sent with its full inventory in the wire captures, as
    /// `getallheaders()` returns them.
    fn captured() -> Headers {
        h(&[
            ("TE", "deflate,gzip;q=0.3"),
            ("Keep-Alive", "300"),
            ("Connection", "Keep-Alive, TE"),
            ("Pragma", "no-cache"),
            ("Host", "127.0.0.1:35975"),
            ("User-Agent", "GLPI-Agent_v1.12-dev"),
            ("Content-Type", "application/x-compress-zlib"),
            ("GLPI-Agent-ID", ID),
            ("GLPI-Request-ID", "F4CCE510"),
            ("Content-Length", "18837"),
        ])
    }

    #[test]
    fn getallheaders_form() {
        let hs = captured();
        assert_eq!(hs.agent_id(), Ok(Some(id(ID))));
        assert_eq!(hs.request_id(), Some("F4CCE510"));
        assert_eq!(hs.content_type(), Some("application/x-compress-zlib"));
        assert_eq!(hs.accept(), None);
        assert_eq!(hs.crypto_key_id(), Ok(None));
        assert_eq!(hs.proxy_ids(&Limits::default()), Ok(vec![]));
        assert_eq!(hs.get("user-agent"), Some("GLPI-Agent_v1.12-dev"));
        assert_eq!(hs.get("USER-AGENT"), Some("GLPI-Agent_v1.12-dev"));
        assert_eq!(hs.get("user_agent"), None);
    }

    #[test]
    fn field_names_a_client_chooses_are_only_field_names() {
        // Names that look like CGI variables do not turn header fields into a `$_SERVER`
        // reading: every field stays a header under its own name, and none stands for another.
        let hs = h(&[
            ("HTTP_X", "1"),
            ("REQUEST_METHOD", "POST"),
            ("Accept", "text/html"),
            ("CONTENT_TYPE", "text/html"),
            ("Glpi_Agent_Id", ID),
        ]);
        assert_eq!(hs.accept(), Some("text/html"));
        assert_eq!(hs.content_type(), None);
        assert_eq!(hs.agent_id(), Ok(None));
        assert_eq!(hs.get("http_x"), Some("1"));
        assert_eq!(hs.get("content_type"), Some("text/html"));
    }

    #[test]
    fn names_in_any_case() {
        for name in [
            "GLPI-Agent-ID",
            "glpi-agent-id",
            "Glpi-Agent-Id",
            "GLPI-AGENT-ID",
        ] {
            assert_eq!(h(&[(name, ID)]).agent_id(), Ok(Some(id(ID))), "{name}");
        }
    }

    #[test]
    fn server_form_ignores_non_headers() {
        let hs = cgi(&[
            ("PATH", "/usr/bin"),
            ("REQUEST_METHOD", "POST"),
            ("CONTENT_TYPE", "application/json"),
            ("CONTENT_LENGTH", "12"),
            ("HTTP_GLPI_AGENT_ID", ID),
            ("HTTP_GLPI_REQUEST_ID", "0123ABCD"),
            ("HTTP_ACCEPT", "application/json"),
            ("HTTP_GLPI_PROXY_ID", &format!("{ID}, {ID2}")),
            ("HTTP_GLPI_CRYPTOKEY_ID", ID2),
            ("SERVER_NAME", "glpi.example"),
            ("HTTP_", "x"),
        ]);
        assert_eq!(hs.agent_id(), Ok(Some(id(ID))));
        assert_eq!(hs.request_id(), Some("0123ABCD"));
        assert_eq!(hs.content_type(), Some("application/json"));
        assert_eq!(hs.accept(), Some("application/json"));
        assert_eq!(hs.crypto_key_id(), Ok(Some(id(ID2))));
        assert_eq!(hs.proxy_ids(&Limits::default()), Ok(vec![id(ID), id(ID2)]));
        assert_eq!(hs.get("path"), None);
        assert_eq!(hs.get("server-name"), None);
        assert_eq!(hs.get("request-method"), None);
        let names: Vec<&str> = hs.iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "content-type",
                "content-length",
                "glpi-agent-id",
                "glpi-request-id",
                "accept",
                "glpi-proxy-id",
                "glpi-cryptokey-id"
            ]
        );
    }

    #[test]
    fn server_form_duplicates_of_one_value_merge() {
        // PHP's built-in server sets both CONTENT_TYPE and HTTP_CONTENT_TYPE.
        let hs = cgi(&[
            ("CONTENT_TYPE", "application/json"),
            ("HTTP_CONTENT_TYPE", "application/json"),
        ]);
        assert_eq!(hs.content_type(), Some("application/json"));
    }

    #[test]
    fn conflicting_duplicates_combine_and_then_fail_their_own_check() {
        let hs = h(&[("GLPI-Agent-ID", ID), ("glpi-agent-id", ID2)]);
        assert_eq!(hs.get(AGENT_ID), Some(format!("{ID}, {ID2}").as_str()));
        assert_eq!(hs.agent_id(), Err(ProtocolError::BadAgentId));
    }

    #[test]
    fn agent_id_errors() {
        assert_eq!(h(&[]).agent_id(), Ok(None));
        assert_eq!(h(&[]).require_agent_id(), Err(ProtocolError::BadAgentId));
        assert_eq!(
            h(&[("GLPI-Agent-ID", "")]).agent_id(),
            Err(ProtocolError::BadAgentId)
        );
        assert_eq!(
            h(&[("GLPI-Agent-ID", "foo")]).agent_id(),
            Err(ProtocolError::BadAgentId)
        );
        assert_eq!(
            h(&[("GLPI-Agent-ID", &format!(" {ID}\t"))]).agent_id(),
            Ok(Some(id(ID)))
        );
        assert_eq!(
            h(&[("GLPI-Agent-ID", &format!("{{{ID}}}"))]).agent_id(),
            Err(ProtocolError::BadAgentId)
        );
        assert_eq!(
            h(&[("GLPI-Agent-ID", "00000000-0000-0000-0000-000000000000")]).agent_id(),
            Err(ProtocolError::BadAgentId)
        );
        assert_eq!(
            parse_proxy_ids(&format!("{ID},00000000-0000-0000-0000-000000000000"), 5),
            Err(ProtocolError::BadProxyId)
        );
        assert_eq!(ProtocolError::BadAgentId.http_status(), 400);
    }

    #[test]
    fn request_id_must_be_eight_upper_case_hex_digits() {
        for good in ["1234ABCD", "00000000", "FFFFFFFF", "F4CCE510"] {
            assert_eq!(parse_request_id(good), Some(good));
        }
        // The last is the spec's own 9-digit example: not 8 digits, so not echoed.
        for bad in [
            "",
            "1234abcd",
            "1234ABC",
            "1234ABCDE",
            "zz45TH7812xx",
            "1234ABC ",
            "1234ABCG",
            "42E6A9AF1",
        ] {
            assert_eq!(parse_request_id(bad), None, "{bad:?}");
        }
        // Surrounding spaces are header whitespace, not part of the value.
        assert_eq!(
            h(&[("GLPI-Request-ID", " 1234ABCD ")]).request_id(),
            Some("1234ABCD")
        );
    }

    #[test]
    fn crypto_key_id_errors() {
        assert_eq!(
            h(&[("GLPI-CryptoKey-ID", "x")]).crypto_key_id(),
            Err(ProtocolError::BadCryptoKeyId)
        );
        assert_eq!(
            cgi(&[("HTTP_GLPI_CRYPTOKEY_ID", ID)]).crypto_key_id(),
            Ok(Some(id(ID)))
        );
    }

    #[test]
    fn proxy_lists() {
        let max = 5;
        assert_eq!(parse_proxy_ids("", max), Ok(vec![]));
        assert_eq!(parse_proxy_ids(ID, max), Ok(vec![id(ID)]));
        assert_eq!(
            parse_proxy_ids(&format!("{ID},{ID2}"), max),
            Ok(vec![id(ID), id(ID2)])
        );
        assert_eq!(
            parse_proxy_ids(&format!(" {ID} ,\t{ID2} "), max),
            Ok(vec![id(ID), id(ID2)])
        );
        assert_eq!(
            parse_proxy_ids(&format!("{ID},,{ID2},"), max),
            Ok(vec![id(ID), id(ID2)])
        );
        assert_eq!(
            parse_proxy_ids(&format!("{ID};{ID2}"), max),
            Err(ProtocolError::BadProxyId)
        );
        // glpi-agent's own proxy test sends this list.
        assert_eq!(
            parse_proxy_ids("a,b,c", max),
            Err(ProtocolError::BadProxyId)
        );
        assert_eq!(
            parse_proxy_ids("a,b,c,d,e,f,g,h", max),
            Err(ProtocolError::BadProxyId)
        );
        let five = [ID; 5].join(",");
        assert_eq!(parse_proxy_ids(&five, max).map(|v| v.len()), Ok(5));
        let six = [ID; 6].join(",");
        assert_eq!(parse_proxy_ids(&six, max), Err(ProtocolError::TooManyProxy));
        let many = vec!["junk"; 100_000].join(",");
        assert_eq!(
            parse_proxy_ids(&format!("{five},{many}"), max),
            Err(ProtocolError::TooManyProxy)
        );
        let limits = Limits {
            max_proxies: 1,
            ..Limits::default()
        };
        assert_eq!(
            h(&[("GLPI-Proxy-ID", &format!("{ID},{ID2}"))]).proxy_ids(&limits),
            Err(ProtocolError::TooManyProxy)
        );
    }

    fn distinct_ids(n: u8) -> Vec<AgentId> {
        (1..=n).map(|i| Uuid::from_bytes([i; 16])).collect()
    }

    #[test]
    fn proxy_chain_checks_follow_spec_3_2_7() {
        use ChainCheck::{Forwarding, Receiving};
        let own = id(ID);
        let agent = id(ID2);
        let other = Uuid::from_bytes([0xee; 16]);
        for at in [Forwarding, Receiving] {
            assert_eq!(
                check_proxy_chain(&[], Some(&agent), Some(&own), 5, at),
                Ok(())
            );
            assert_eq!(
                check_proxy_chain(&[other], Some(&agent), Some(&own), 5, at),
                Ok(())
            );
            for (chain, why) in [
                (vec![own], "own id"),
                (vec![other, own], "own id further on"),
                (vec![agent], "the agent relays itself"),
                (vec![other, other], "one proxy twice"),
                (vec![own; 5], "a loop in a full chain"),
            ] {
                assert_eq!(
                    check_proxy_chain(&chain, Some(&agent), Some(&own), 5, at),
                    Err(ProtocolError::ProxyLoopDetected),
                    "{why} ({at:?})"
                );
            }
        }
        // Without ids to compare, only repetition is a loop.
        assert_eq!(check_proxy_chain(&[own], None, None, 5, Receiving), Ok(()));
        assert_eq!(
            check_proxy_chain(&[own, own], None, None, 5, Receiving),
            Err(ProtocolError::ProxyLoopDetected)
        );
        // A proxy needs room for itself; the server takes a chain at the maximum.
        let four = distinct_ids(4);
        let five = distinct_ids(5);
        let six = distinct_ids(6);
        assert_eq!(
            check_proxy_chain(&four, None, Some(&own), 5, Forwarding),
            Ok(())
        );
        assert_eq!(
            check_proxy_chain(&five, None, Some(&own), 5, Forwarding),
            Err(ProtocolError::TooManyProxy)
        );
        assert_eq!(
            check_proxy_chain(&five, None, Some(&own), 5, Receiving),
            Ok(())
        );
        assert_eq!(
            check_proxy_chain(&six, None, Some(&own), 5, Receiving),
            Err(ProtocolError::TooManyProxy)
        );
        assert_eq!(ProtocolError::ProxyLoopDetected.http_status(), 404);
        assert_eq!(ProtocolError::TooManyProxy.http_status(), 404);
    }

    #[test]
    fn proxy_chain_formats_back_to_what_it_parsed() {
        let chain = vec![id(ID), id(ID2)];
        let text = format_proxy_ids(&chain);
        assert_eq!(text, format!("{ID},{ID2}"));
        assert_eq!(parse_proxy_ids(&text, 5), Ok(chain));
    }

    #[test]
    fn authorization_from_the_header_or_rebuilt_from_php_auth() {
        let direct = h(&[("Authorization", "Basic dXNlcjpwYXNz")]);
        assert_eq!(direct.authorization(), Some("Basic dXNlcjpwYXNz"));
        let server = cgi(&[
            ("HTTP_AUTHORIZATION", "Basic dXNlcjpwYXNz"),
            ("PHP_AUTH_USER", "other"),
        ]);
        assert_eq!(server.authorization(), Some("Basic dXNlcjpwYXNz"));
        let redirect = cgi(&[
            ("REDIRECT_HTTP_AUTHORIZATION", "Basic dXNlcjpwYXNz"),
            ("PHP_AUTH_USER", "other"),
        ]);
        assert_eq!(redirect.authorization(), Some("Basic dXNlcjpwYXNz"));
        let php_auth = cgi(&[
            ("PHP_AUTH_USER", "user"),
            ("PHP_AUTH_PW", "pass"),
            ("REQUEST_METHOD", "POST"),
        ]);
        assert_eq!(php_auth.authorization(), Some("Basic dXNlcjpwYXNz"));
        let no_pw = cgi(&[("PHP_AUTH_USER", "user")]);
        assert_eq!(no_pw.authorization(), Some("Basic dXNlcjo="));
        // In a getallheaders() array these names are ordinary (odd) headers.
        assert_eq!(
            h(&[("Host", "x"), ("Php-Auth-User", "user")]).authorization(),
            None
        );
    }

    #[test]
    fn debug_hides_credentials() {
        let hs = h(&[
            ("Authorization", "Basic dXNlcjpwYXNz"),
            ("Cookie", "sid=1"),
            ("Host", "glpi"),
        ]);
        let shown = format!("{hs:?}");
        assert!(!shown.contains("dXNlcjpwYXNz"));
        assert!(!shown.contains("sid=1"));
        assert!(shown.contains("glpi"));
    }

    #[test]
    fn non_utf8_values_fail_as_their_header() {
        let hs = Headers::from_fields([(
            &b"GLPI-Agent-ID"[..],
            &b"8d4cd9d8-e630-11f1-84c8-420f0d1cbbf\xff"[..],
        )]);
        assert_eq!(hs.agent_id(), Err(ProtocolError::BadAgentId));
    }

    proptest! {
        #[test]
        fn arbitrary_pairs_never_panic(pairs in proptest::collection::vec(("[ -~]{0,24}", "[ -~\\t]{0,60}"), 0..12)) {
            for hs in [
                Headers::from_fields(pairs.iter().map(|(a, b)| (a.as_str(), b.as_str()))),
                Headers::from_cgi(pairs.iter().map(|(a, b)| (a.as_str(), b.as_str()))),
            ] {
                let _ = hs.agent_id();
                let _ = hs.request_id();
                let _ = hs.crypto_key_id();
                let _ = hs.proxy_ids(&Limits::default());
                let _ = format!("{hs:?}");
            }
        }

        #[test]
        fn proxy_lists_round_trip(ids in proptest::collection::vec(any::<[u8; 16]>(), 0..=5)) {
            let chain: Vec<AgentId> = ids.into_iter().map(Uuid::from_bytes).collect();
            prop_assert_eq!(parse_proxy_ids(&format_proxy_ids(&chain), 5), Ok(chain));
        }
    }
}
