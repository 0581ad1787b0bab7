//! One agent request decoded end to end (GLPI agent protocol 3.2 and 3.3.1): headers,
//! content type, decryption (3.2.6, see `docs/encrypted-exchanges.md`), bounded
//! decompression, mode, and the message's action and device id.
//!
//! JSON bodies are checked by the caller's single parse: [`decode`] stops at the plain
//! bytes, and [`message_fields`] reads `action`, `query` and `deviceid` from the tape the
//! caller builds its values from, so no body is parsed twice.

use crate::compression::{self, Compression};
use crate::content_type::BodyType;
use crate::envelope::{self, Binding, Direction};
use crate::error::ProtocolError;
use crate::headers::Headers;
use crate::json::{Event, Tape};
use crate::limits::Limits;
use crate::media_type::{Mode, Spelling};
use crate::secret::Key128;
use crate::uuid::{AgentId, Uuid};
use crate::xml;

/// What the caller chooses for one request.
pub struct DecodeOptions<'k> {
    /// Bounds on what the request may make the decoder read and build, and the freshness window
    /// of encrypted messages.
    pub limits: Limits,
    /// The session key of the agent named by `GLPI-CryptoKey-ID`, when the caller has one.
    pub key: Option<&'k Key128>,
    /// Unix seconds, for the freshness window of encrypted messages.
    pub now: u64,
}

/// What an encrypted request carried besides its plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encryption {
    /// Unique per message: the caller records it until `keep_until` to refuse replays.
    pub message_id: String,
    /// When the agent sealed the message, Unix seconds (already checked for freshness).
    pub timestamp: u64,
    /// Unix seconds until which `message_id` must be remembered; later, the message is refused
    /// as stale anyway.
    pub keep_until: u64,
}

/// A request after decryption and decompression, before its JSON is built.
#[derive(Debug)]
pub struct DecodedRequest {
    /// JSON, or the legacy XML, as declared or guessed from the plain body.
    pub mode: Mode,
    /// How the body (the plaintext, when encrypted) was compressed, as declared or sniffed.
    pub compression: Compression,
    /// How the request spelled brotli, so that the answer spells it alike.
    pub spelling: Spelling,
    /// The plain message: JSON as sent, XML converted to UTF-8.
    pub body: Vec<u8>,
    /// `GLPI-Agent-ID` (spec 3.2.1); None when absent, as with legacy agents.
    pub agent_id: Option<AgentId>,
    /// `GLPI-Request-ID` (spec 3.2.2) when well-formed, to be set back in the answer.
    pub request_id: Option<String>,
    /// `GLPI-Proxy-ID` (spec 3.2.7): the proxies the request went through, in header order.
    pub proxy_ids: Vec<AgentId>,
    /// `GLPI-CryptoKey-ID` (spec 3.2.6): the owner of the key the body was encrypted with; None
    /// for a plain body.
    pub cryptokey_id: Option<Uuid>,
    /// Set when the body was encrypted (and opened): what the replay check needs.
    pub encryption: Option<Encryption>,
    /// `QUERY` and `DEVICEID` of an XML message.
    pub xml_query: Option<String>,
    /// `DEVICEID` of an XML message.
    pub xml_device_id: Option<String>,
    /// The content type of the (inner) message, which an answer mirrors.
    pub content_type: Option<String>,
    /// The raw `Accept` header, for choosing the answer's content type.
    pub accept: Option<String>,
}

/// Decodes headers and body. Every failure is something the peer caused.
pub fn decode(
    raw: &[u8],
    headers: &Headers,
    opts: &DecodeOptions<'_>,
) -> Result<DecodedRequest, ProtocolError> {
    let agent_id = headers.agent_id()?;
    let request_id = headers.request_id().map(str::to_owned);
    let proxy_ids = headers.proxy_ids(&opts.limits)?;
    let cryptokey_id = headers.crypto_key_id()?;
    let accept = headers.accept().map(str::to_owned);

    let (content_type, encryption, opened);
    let body: &[u8] = match cryptokey_id {
        None => {
            if headers
                .content_type()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case(envelope::CONTENT_TYPE))
            {
                return Err(ProtocolError::BadCryptoKeyId);
            }
            content_type = headers.content_type().map(str::to_owned);
            encryption = None;
            raw
        }
        Some(key_id) => {
            let key = opts.key.ok_or(ProtocolError::UnknownCryptoKey)?;
            let agent = agent_id.ok_or(ProtocolError::BadAgentId)?;
            let binding = Binding {
                agent_id: agent,
                cryptokey_id: key_id,
                direction: Direction::AgentToServer,
            };
            let o = envelope::open(key, &binding, raw, opts.now, opts.limits.message_max_age)
                .map_err(|e| match e {
                    crate::Error::Protocol(p) => p,
                    crate::Error::Usage(_) | crate::Error::Rng(_) => {
                        ProtocolError::DecryptionFailed
                    }
                })?;
            content_type = Some(o.inner_content_type.clone());
            encryption = Some(Encryption {
                message_id: o.message_id.clone(),
                timestamp: o.timestamp,
                keep_until: o.keep_until,
            });
            opened = o;
            &opened.plaintext
        }
    };

    let body_type = BodyType::parse(content_type.as_deref())?;
    let compression = body_type.compression_of(body);
    let plain = compression::decompress(body, compression, &opts.limits)?;
    let mode = body_type.mode_of(&plain);
    let (plain, xml_query, xml_device_id) = match mode {
        Mode::Json => (plain, None, None),
        Mode::Xml => {
            let doc = xml::parse_request(plain, &opts.limits)?;
            (doc.body.into_bytes(), doc.query, doc.device_id)
        }
    };
    Ok(DecodedRequest {
        mode,
        compression,
        spelling: body_type.spelling,
        body: plain,
        agent_id,
        request_id,
        proxy_ids,
        cryptokey_id,
        encryption,
        xml_query,
        xml_device_id,
        content_type,
        accept,
    })
}

/// The members of a JSON message the protocol routes on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageFields {
    /// `action` (spec 3.3.1), the protocol's name of the request.
    pub action: Option<String>,
    /// `query`, the legacy name of the request kind (XML `QUERY`), used when `action` is absent.
    pub query: Option<String>,
    /// `deviceid`, the agent's name for itself; None when absent or null.
    pub device_id: Option<String>,
}

impl MessageFields {
    /// The action as the contract defines it: `action`, else `query`, else `inventory`,
    /// in lower case.
    pub fn action(&self) -> String {
        self.action
            .as_deref()
            .or(self.query.as_deref())
            .unwrap_or("inventory")
            .to_ascii_lowercase()
    }
}

/// Whether the answer to a request refused before it was decoded goes to a legacy agent,
/// which reads only XML: a request without `GLPI-Agent-ID` and without a key whose
/// `Content-Type` is XML or a compression the legacy agents use (`application/x-compress-zlib`
/// and its kin, which do not say what they hold). A GLPI agent always sends its id (spec
/// 3.2.1), so it is never taken for one; a request with no content type, or one no agent
/// sends, gets the JSON answer.
pub fn from_legacy_agent(headers: &Headers) -> bool {
    headers.get(crate::headers::AGENT_ID).is_none()
        && headers.get(crate::headers::CRYPTOKEY_ID).is_none()
        && headers.content_type().is_some()
        && BodyType::parse(headers.content_type()).is_ok_and(|t| {
            t.mode == Some(Mode::Xml) || (t.mode.is_none() && t.compression.is_some())
        })
}

/// Reads `action`, `query` and `deviceid` from a parsed message. Every protocol message
/// is a JSON object (spec 3.3.1) whose routing members are strings: anything else is
/// `bad-format`.
pub fn message_fields(tape: &Tape<'_>) -> Result<MessageFields, ProtocolError> {
    let mut events = tape.events();
    let Some(Event::Object { len, .. }) = events.next() else {
        return Err(ProtocolError::BadFormat);
    };
    let mut fields = MessageFields::default();
    for _ in 0..len {
        let Some(Event::Key(id)) = events.next() else {
            return Err(ProtocolError::BadFormat);
        };
        let slot = match tape.key(id).bytes {
            b"action" => Some(&mut fields.action),
            b"query" => Some(&mut fields.query),
            b"deviceid" => Some(&mut fields.device_id),
            _ => None,
        };
        let value = events.next().ok_or(ProtocolError::BadFormat)?;
        match (slot, value) {
            (Some(slot), Event::Str(s)) => {
                *slot = Some(String::from_utf8_lossy(s).into_owned());
            }
            // `deviceid` may be null in some injectors' messages; routing members may not.
            (Some(_), Event::Null) => {}
            (Some(_), _) => return Err(ProtocolError::BadFormat),
            (None, v) => skip_children(&mut events, v),
        }
    }
    Ok(fields)
}

/// Consumes the descendants of a container event so the walk stays on its level.
fn skip_children(events: &mut crate::json::Events<'_>, first: Event<'_>) {
    let mut pending = match first {
        Event::Array { len } => len,
        Event::Object { len, .. } => 2 * len,
        _ => 0,
    };
    while pending > 0 {
        pending -= 1;
        match events.next() {
            Some(Event::Array { len }) => pending += len,
            Some(Event::Object { len, .. }) => pending += 2 * len,
            Some(_) => {}
            None => return,
        }
    }
}

#[cfg(test)]
mod tests;
