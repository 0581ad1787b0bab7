//! One answer made ready for HTTP (GLPI agent protocol 3.2 and 3.3.2): body in the request's
//! compression or the negotiated one (3.2.4), the identifying headers echoed (3.2.1,
//! 3.2.2), `Pragma: no-cache` (3.2.5), and the same encryption as the request (3.2.6).

use crate::accept;
use crate::compression::{self, Compression};
use crate::envelope::{self, Binding, Direction};
use crate::error::{Error, UsageError};
use crate::media_type::{AnswerType, Mode, Spelling};
use crate::message::{self, Map};
use crate::secret::Key128;
use crate::uuid::{AgentId, Uuid};

/// What an answer inherits from its request.
#[derive(Clone, Copy)]
pub struct AnswerContext<'a> {
    /// The request body's compression, which the answer uses unless `Accept` says otherwise.
    pub compression: Compression,
    /// How the request named its compressed type, so that the answer names it alike.
    pub spelling: Spelling,
    /// Echoed as `GLPI-Agent-ID` (spec 3.2.1), so that a proxy can route the answer.
    pub agent_id: Option<AgentId>,
    /// Echoed as `GLPI-Request-ID` (spec 3.2.2).
    pub request_id: Option<&'a str>,
    /// The request's `GLPI-CryptoKey-ID`: a sealed answer names the same key owner.
    pub cryptokey_id: Option<Uuid>,
    /// Present when the request was encrypted: the answer is sealed with it.
    pub key: Option<&'a Key128>,
    /// The request's raw `Accept`, to choose the answer's content type (spec 3.2.4).
    pub accept: Option<&'a str>,
    /// Unix seconds, the timestamp of a sealed answer (unused otherwise).
    pub now: u64,
}

impl AnswerContext<'_> {
    /// For answers to no decoded request (its decoding failed): plain JSON.
    pub const PLAIN: AnswerContext<'static> = AnswerContext {
        compression: Compression::None,
        spelling: Spelling::XCompress,
        agent_id: None,
        request_id: None,
        cryptokey_id: None,
        key: None,
        accept: None,
        now: 0,
    };
}

/// An answer ready for the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedAnswer {
    /// The HTTP status code.
    pub status: u16,
    /// (name, value) pairs to send: `Content-Type` first, then the key, `Pragma` and id headers.
    pub headers: Vec<(String, String)>,
    /// The body as sent: compressed, then sealed when the request was.
    pub body: Vec<u8>,
}

/// Encodes `text` (a JSON or XML answer) for the request described by `ctx`.
pub fn encode(
    ctx: &AnswerContext<'_>,
    mode: Mode,
    status: u16,
    text: &[u8],
) -> Result<EncodedAnswer, Error> {
    let AnswerType {
        content_type,
        compression,
        ..
    } = accept::negotiate(ctx.accept, mode, Some(ctx.compression), ctx.spelling)?;
    // Default level: some agents accept no zlib header but `78 9c`.
    let mut body = compression::compress(text, compression, -1)?;
    let mut headers = Vec::with_capacity(5);
    let mut outer_type = content_type.to_owned();
    if let (Some(key), Some(agent_id), Some(cryptokey_id)) =
        (ctx.key, ctx.agent_id, ctx.cryptokey_id)
    {
        let binding = Binding {
            agent_id,
            cryptokey_id,
            direction: Direction::ServerToAgent,
        };
        body = envelope::seal(key, &binding, content_type, &body, ctx.now)?;
        outer_type = envelope::CONTENT_TYPE.to_owned();
        headers.push(("GLPI-CryptoKey-ID".to_owned(), cryptokey_id.to_string()));
    } else if ctx.key.is_some() {
        return Err(
            UsageError::new("an encrypted answer needs the agent id and cryptokey id").into(),
        );
    }
    headers.insert(0, ("Content-Type".to_owned(), outer_type));
    headers.push(("Pragma".to_owned(), "no-cache".to_owned()));
    if let Some(id) = ctx.agent_id {
        headers.push(("GLPI-Agent-ID".to_owned(), id.to_string()));
    }
    if let Some(id) = ctx.request_id {
        headers.push(("GLPI-Request-ID".to_owned(), id.to_owned()));
    }
    Ok(EncodedAnswer {
        status,
        headers,
        body,
    })
}

/// A JSON answer after the checks of spec 3.3.2 (`status`, a positive `expiration`).
pub fn json_answer(
    ctx: &AnswerContext<'_>,
    answer: &Map,
    status: u16,
) -> Result<EncodedAnswer, Error> {
    let text = message::encode_answer(answer)?;
    encode(ctx, Mode::Json, status, text.as_bytes())
}

/// The JSON error answer for `error`, with its status. When the error is the request's
/// own content type, or the negotiation itself, the answer falls back to plain JSON:
/// that is the one type every agent reads (spec 3.2.3).
pub fn error_answer(
    ctx: &AnswerContext<'_>,
    status: u16,
    answer: &Map,
) -> Result<EncodedAnswer, Error> {
    match json_answer(ctx, answer, status) {
        Err(Error::Protocol(_)) => json_answer(&AnswerContext::PLAIN, answer, status),
        other => other,
    }
}

/// The XML error reply (`<REPLY><ERROR>token</ERROR></REPLY>`) for a legacy agent, with the
/// fallback of [`error_answer`]: when the request's `Accept` admits no XML type, plain XML,
/// the one type a legacy agent reads.
pub fn xml_error_answer(
    ctx: &AnswerContext<'_>,
    status: u16,
    token: &str,
) -> Result<EncodedAnswer, Error> {
    let text = crate::xml::error_reply(token);
    match encode(ctx, Mode::Xml, status, text.as_bytes()) {
        Err(Error::Protocol(_)) => {
            encode(&AnswerContext::PLAIN, Mode::Xml, status, text.as_bytes())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ProtocolError;
    use crate::message::Value;

    fn ctx() -> AnswerContext<'static> {
        AnswerContext {
            compression: Compression::Zlib,
            agent_id: Some(uuid::uuid!("3a609a2e-947f-4e6a-9af9-32c024ac3944")),
            request_id: Some("F4CCE510"),
            ..AnswerContext::PLAIN
        }
    }

    fn ok_answer() -> Map {
        [
            ("status", Value::from("ok")),
            ("expiration", Value::Int(24)),
        ]
        .into_iter()
        .collect()
    }

    fn header<'a>(a: &'a EncodedAnswer, name: &str) -> Option<&'a str> {
        a.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn mirrors_zlib_at_the_default_level_and_echoes_ids() {
        let a = json_answer(&ctx(), &ok_answer(), 200).unwrap();
        assert_eq!(&a.body[..2], &[0x78, 0x9c]);
        let plain =
            compression::decompress(&a.body, Compression::Zlib, &crate::Limits::DEFAULT).unwrap();
        assert_eq!(plain, br#"{"status":"ok","expiration":24}"#);
        assert_eq!(
            header(&a, "Content-Type"),
            Some("application/x-compress-zlib")
        );
        assert_eq!(header(&a, "Pragma"), Some("no-cache"));
        assert_eq!(
            header(&a, "GLPI-Agent-ID"),
            Some("3a609a2e-947f-4e6a-9af9-32c024ac3944")
        );
        assert_eq!(header(&a, "GLPI-Request-ID"), Some("F4CCE510"));
    }

    #[test]
    fn accept_overrides_the_mirror() {
        let c = AnswerContext {
            accept: Some("application/x-compress-gzip"),
            ..ctx()
        };
        let a = json_answer(&c, &ok_answer(), 200).unwrap();
        assert_eq!(
            header(&a, "Content-Type"),
            Some("application/x-compress-gzip")
        );
        assert_eq!(&a.body[..2], &[0x1f, 0x8b]);
        let refused = AnswerContext {
            accept: Some("text/html"),
            ..ctx()
        };
        assert_eq!(
            json_answer(&refused, &ok_answer(), 200),
            Err(Error::Protocol(ProtocolError::NotAcceptable))
        );
        let e = error_answer(
            &refused,
            406,
            &message::error_answer(&ProtocolError::NotAcceptable),
        )
        .unwrap();
        assert_eq!(header(&e, "Content-Type"), Some("application/json"));
        assert_eq!(e.status, 406);
    }

    #[test]
    fn brotli_answers_follow_the_request_spelling() {
        let c = AnswerContext {
            compression: Compression::Brotli,
            spelling: Spelling::Short,
            ..ctx()
        };
        let a = json_answer(&c, &ok_answer(), 200).unwrap();
        assert_eq!(header(&a, "Content-Type"), Some("application/x-br"));
    }

    #[test]
    fn an_answer_without_status_or_with_zero_expiration_is_refused() {
        let no_status: Map = [("expiration", Value::Int(24))].into_iter().collect();
        assert!(matches!(
            json_answer(&ctx(), &no_status, 200),
            Err(Error::Usage(_))
        ));
        let zero: Map = [("status", Value::from("ok")), ("expiration", Value::Int(0))]
            .into_iter()
            .collect();
        assert!(matches!(
            json_answer(&ctx(), &zero, 200),
            Err(Error::Usage(_))
        ));
    }

    #[test]
    fn xml_errors_fall_back_to_plain_xml_when_accept_refuses_xml() {
        let legacy = AnswerContext {
            agent_id: None,
            request_id: None,
            ..ctx()
        };
        let a = xml_error_answer(&legacy, 403, "forbidden").unwrap();
        assert_eq!(
            header(&a, "Content-Type"),
            Some("application/x-compress-zlib")
        );
        let plain =
            compression::decompress(&a.body, Compression::Zlib, &crate::Limits::DEFAULT).unwrap();
        assert_eq!(plain, crate::xml::error_reply("forbidden").as_bytes());
        // An Accept that names only JSON types: the XML reply goes out uncompressed instead of
        // the error answer failing in turn.
        let json_only = AnswerContext {
            accept: Some("application/json"),
            ..legacy
        };
        assert_eq!(
            encode(&json_only, Mode::Xml, 406, b"<REPLY/>"),
            Err(Error::Protocol(ProtocolError::NotAcceptable))
        );
        let e = xml_error_answer(&json_only, 406, "not acceptable").unwrap();
        assert_eq!(e.status, 406);
        assert_eq!(header(&e, "Content-Type"), Some("application/xml"));
        assert_eq!(e.body, crate::xml::error_reply("not acceptable").as_bytes());
    }

    #[test]
    fn encrypted_requests_get_sealed_answers_the_agent_can_open() {
        let key = Key128::from_slice(&[3u8; 16]).unwrap();
        let id = uuid::uuid!("3a609a2e-947f-4e6a-9af9-32c024ac3944");
        let c = AnswerContext {
            key: Some(&key),
            cryptokey_id: Some(id),
            now: 1_800_000_000,
            ..ctx()
        };
        let a = json_answer(&c, &ok_answer(), 200).unwrap();
        assert_eq!(header(&a, "Content-Type"), Some(envelope::CONTENT_TYPE));
        assert_eq!(
            header(&a, "GLPI-CryptoKey-ID"),
            Some(id.to_string().as_str())
        );
        let binding = Binding {
            agent_id: id,
            cryptokey_id: id,
            direction: Direction::ServerToAgent,
        };
        let opened = envelope::open(&key, &binding, &a.body, 1_800_000_000, 60).unwrap();
        assert_eq!(opened.inner_content_type, "application/x-compress-zlib");
        // The agent cannot mistake it for one of its own messages.
        let reflected = Binding {
            direction: Direction::AgentToServer,
            ..binding
        };
        assert!(envelope::open(&key, &reflected, &a.body, 1_800_000_000, 60).is_err());
    }
}
