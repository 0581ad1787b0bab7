//! `GlpiAgentProtocol\Response`: an answer ready to send.

use ext_php_rs::binary::Binary;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendCallable, ZendHashTable, ZendObject, Zval};

use super::convert::{answer_envelope, answer_map};
use super::errors::{protocol_exception_ce, read_property, IntoPhp, LEGACY_AGENT};
use super::request::Request;
use crate::auth::www_authenticate;
use crate::error::UsageError;
use crate::http_answer::{self as core, AnswerContext, EncodedAnswer};
use crate::media_type::Mode;
use crate::message::{Map, Value};
use crate::xml;

/// An answer ready to send: status, headers and body, encoded as the request asked.
/// Built only by its static methods.
#[php_class]
#[php(name = "GlpiAgentProtocol\\Response")]
pub struct Response {
    answer: EncodedAnswer,
}

fn context(r: &Request) -> AnswerContext<'_> {
    AnswerContext {
        compression: r.compression,
        spelling: r.spelling,
        agent_id: r.agent_id,
        request_id: r.request_id.as_deref(),
        cryptokey_id: r.cryptokey_id,
        key: r.key.as_ref(),
        accept: r.accept.as_deref(),
        now: super::unix_now(),
    }
}

/// A legacy agent (an XML request without `GLPI-Agent-ID`) reads only XML answers.
fn wants_xml(r: &Request) -> bool {
    r.mode == Mode::Xml && r.agent_id.is_none()
}

fn call(name: &str, args: Vec<&dyn ext_php_rs::convert::IntoZvalDyn>) -> PhpResult<Zval> {
    ZendCallable::try_from_name(name)
        .and_then(|f| f.try_call(args))
        .map_err(|e| PhpException::from(format!("{name}() failed: {e}")))
}

#[php_impl]
impl Response {
    /// The answer to `$request`: JSON (validated: `status` required, `expiration` a positive
    /// delay), in the request's compression or the one its `Accept` prefers, with
    /// `GLPI-Agent-ID` and `GLPI-Request-ID` echoed, encrypted when the request was.
    ///
    /// @param `Request` $request the request being answered
    /// @param `array{status: non-empty-string, expiration?: string|int, message?: string, ...}` $answer
    ///   the JSON answer (spec 3.3.2): `status` a lower-case token such as `'ok'`, `'error'`
    ///   or `'pending'`; written as `json_encode` writes it
    /// @return `Response` the answer, status 200
    /// @throws `\ValueError` for an answer without a valid `status`, with an `expiration`
    ///   that is not a positive delay, or that `json_encode` cannot write
    #[php(name = "forRequest")]
    pub fn for_request(request: &Request, answer: &ZendHashTable) -> PhpResult<Self> {
        crate::message::validate_answer(&answer_envelope(answer).php()?).php()?;
        // PHP's own json_encode writes the text: the answer is byte for byte what GLPI sends,
        // at json_encode's speed, with no copy of the answer into Rust values.
        // json_encode takes a zval: a copy-on-write duplicate of the table, released after.
        let copy = answer.to_owned().into_zval(false)?;
        let text = call("json_encode", vec![&copy])?;
        let Some(text) = text.binary_slice::<u8>().filter(|_| text.is_string()) else {
            return Err(UsageError::new(
                "the answer cannot be written as JSON (invalid UTF-8, INF or NAN, or nested too deep)",
            ))
            .php();
        };
        core::encode(&context(request), Mode::Json, 200, text)
            .php()
            .map(|answer| Response { answer })
    }

    /// The error answer for `$e` with its status (`getCode()`) and `getAnswer()`; XML for a
    /// legacy agent's request, JSON otherwise. A 401 carries `WWW-Authenticate: Basic`
    /// with `$realm`, since agents retry with credentials only when it is present.
    /// The engine-level type of `$e` is `object`: another class is a `\ValueError`.
    ///
    /// @param `ProtocolException` $e the refusal to answer with
    /// @param `Request|null` $request the request refused, or null when it could not be decoded
    /// @param `string` $realm the realm of `WWW-Authenticate` in a 401 answer
    /// @return `Response` the error answer, with `$e`'s status
    /// @throws `\ValueError` when `$e` is not a `ProtocolException`, or its expiration is not a
    ///   positive delay
    #[php(name = "forError")]
    #[php(defaults(realm = String::from("GLPI")))]
    pub fn for_error(e: &ZendObject, request: Option<&Request>, realm: String) -> PhpResult<Self> {
        if !e.instance_of(protocol_exception_ce()) {
            return Err(UsageError::new(
                "forError() takes a GlpiAgentProtocol\\ProtocolException",
            ))
            .php();
        }
        let status = e
            .try_call_method("getCode", vec![])
            .ok()
            .and_then(|z| z.long())
            .and_then(|c| u16::try_from(c).ok())
            .filter(|c| (400..600).contains(c))
            .unwrap_or(500);
        let answer = e
            .try_call_method("getAnswer", vec![])
            .map_err(|_| PhpException::from("ProtocolException::getAnswer() failed".to_string()))?;
        let map = answer
            .array()
            .map(answer_map)
            .transpose()
            .php()?
            .unwrap_or_default();
        // Error answers go out unencrypted (docs/encrypted-exchanges.md, section 5): the
        // agent may not share a working key with the server at this point.
        let ctx = request
            .map(|r| AnswerContext {
                key: None,
                cryptokey_id: None,
                ..context(r)
            })
            .unwrap_or(AnswerContext::PLAIN);
        let legacy_agent = match request {
            Some(r) => wants_xml(r),
            None => {
                read_property(protocol_exception_ce(), e, LEGACY_AGENT).is_some_and(|v| v.is_true())
            }
        };
        let mut answer = if legacy_agent {
            let token = match map.get("message") {
                Some(Value::Str(s)) => s.clone(),
                _ => "error".to_owned(),
            };
            core::xml_error_answer(&ctx, status, &token).php()?
        } else {
            core::error_answer(&ctx, status, &map).php()?
        };
        if status == 401 {
            answer
                .headers
                .push(("WWW-Authenticate".to_owned(), www_authenticate(&realm)));
        }
        Ok(Response { answer })
    }

    /// The answer to a PROLOG, as GLPI gives it: JSON `{"status":"ok","expiration":N}` when
    /// the request carries `GLPI-Agent-ID`, else the legacy XML reply
    /// `<PROLOG_FREQ>N</PROLOG_FREQ><RESPONSE>SEND</RESPONSE>` (N in hours).
    ///
    /// @param `Request` $request the PROLOG request
    /// @param `positive-int` $freq_hours hours until the agent's next contact
    /// @return `Response` the answer, status 200
    /// @throws `\ValueError` for a `$freq_hours` that is not positive
    #[php(defaults(freq_hours = 24))]
    pub fn prolog(request: &Request, freq_hours: i64) -> PhpResult<Self> {
        let hours = u32::try_from(freq_hours)
            .ok()
            .filter(|h| *h > 0)
            .ok_or_else(|| UsageError::new("freq_hours must be a positive number of hours"))
            .php()?;
        let ctx = context(request);
        let answer = if wants_xml(request) {
            core::encode(&ctx, Mode::Xml, 200, xml::prolog_reply(hours).as_bytes()).php()?
        } else {
            let map: Map = [
                ("status", Value::from("ok")),
                ("expiration", Value::Int(i64::from(hours))),
            ]
            .into_iter()
            .collect();
            core::json_answer(&ctx, &map, 200).php()?
        };
        Ok(Response { answer })
    }

    /// The acknowledgement of a legacy XML inventory (`<RESPONSE>SEND</RESPONSE>`).
    ///
    /// @param `Request` $request the XML inventory request
    /// @return `Response` the answer, status 200, in the request's compression
    #[php(name = "xmlAck")]
    pub fn xml_ack(request: &Request) -> PhpResult<Self> {
        core::encode(
            &context(request),
            Mode::Xml,
            200,
            xml::ack_reply().as_bytes(),
        )
        .php()
        .map(|answer| Response { answer })
    }

    /// The HTTP status to send.
    ///
    /// @return `int<200, 599>` 200, or the refusal's 4xx or 5xx status
    pub fn status(&self) -> i64 {
        i64::from(self.answer.status)
    }

    /// Header name => value, `Content-Length` excepted (the web server or `send()` adds it).
    ///
    /// @return `array<string, string>` the headers to send, such as `Content-Type`
    pub fn headers(&self) -> PhpResult<Zval> {
        let mut ht = ZendHashTable::with_capacity(self.answer.headers.len() as u32);
        for (name, value) in &self.answer.headers {
            ht.insert(name.as_str(), value.as_str())?;
        }
        Ok(ht.into_zval(false)?)
    }

    /// The bytes to send: compressed and encrypted as the request was.
    ///
    /// @return `string` the body
    pub fn body(&self) -> Binary<u8> {
        Binary::from(self.answer.body.clone())
    }

    /// Drops any output PHP has buffered (a stray BOM or newline before a compressed body
    /// makes agents fail with "can't uncompress content"), then sends status, headers and body.
    ///
    /// @return `void`
    pub fn send(&self) -> PhpResult<()> {
        loop {
            let level = call("ob_get_level", vec![])?.long().unwrap_or(0);
            if level <= 0 {
                break;
            }
            let ended = call("ob_end_clean", vec![])?.bool().unwrap_or(false);
            if !ended {
                // A buffer that refuses removal: empty it at least.
                call("ob_clean", vec![])?;
                break;
            }
        }
        let status = i64::from(self.answer.status);
        call("http_response_code", vec![&status])?;
        for (name, value) in &self.answer.headers {
            let line = format!("{name}: {value}");
            call("header", vec![&line])?;
        }
        let length = format!("Content-Length: {}", self.answer.body.len());
        call("header", vec![&length])?;
        // Through PHP's output layer, not the SAPI's raw writer: the layer sends the status
        // line and headers before the first byte, while a raw write would put the body ahead
        // of them (the PHP development server then answers with no status line at all). Like
        // `echo`, a write to a client that went away is not an error.
        let _ = ext_php_rs::zend::output_write(&self.answer.body);
        Ok(())
    }
}
