//! `GlpiAgentProtocol\RegisterServer` and `RegisterAgent`: the REGISTER challenge
//! exchange of spec 6.2, as static methods over opaque states the caller stores.

use ext_php_rs::binary::Binary;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use super::convert::{entries, RawKey};
use super::errors::IntoPhp;
use crate::register::{self, message};
use crate::secret::Token;

fn token(text: &str) -> PhpResult<Token> {
    Token::parse(text).php()
}

/// A PHP array of `entries`: returned as such, the engine-level return type is `array`.
pub(crate) fn table(entries: Vec<(&str, Zval)>) -> PhpResult<ZBox<ZendHashTable>> {
    let mut ht = ZendHashTable::with_capacity(entries.len() as u32);
    for (k, v) in entries {
        ht.insert(k, v)?;
    }
    Ok(ht)
}

pub(crate) fn text(s: &str) -> Zval {
    s.into_zval(false).unwrap_or_default()
}

/// The server side of REGISTER token validation (spec 6.2): static methods over opaque
/// states the caller stores.
#[php_class]
#[php(name = "GlpiAgentProtocol\\RegisterServer")]
pub struct RegisterServer;

#[php_impl]
impl RegisterServer {
    /// A challenge for `$agent_id` (the request's `GLPI-Agent-ID`, or an id from
    /// `GLPI-Proxy-ID` when a proxy is trusted instead) under `$token`. Returns
    /// `['challenge' => uuid, 'state' => opaque, 'state_id' => id]`: send the challenge,
    /// store the state (text) until the answer comes, and delete it before verifying.
    ///
    /// @param `string` $token the REGISTER token shared with the agent (a UUID string)
    /// @param `string` $agent_id the agent id the challenge is for (a UUID string)
    /// @return `array{challenge: non-empty-string, state: non-empty-string, state_id: non-empty-string}`
    ///   the challenge to send, the state to store, and an id to store it under
    /// @throws `\GlpiAgentProtocol\ProtocolException` 400 `bad agent id` for an agent id that
    ///   is not a UUID
    /// @throws `\ValueError` for a token that is not a UUID string
    /// @throws `\Random\RandomException` when the operating system's random generator fails
    pub fn challenge(token: &str, agent_id: &str) -> PhpResult<ZBox<ZendHashTable>> {
        let t = self::token(token)?;
        let c = register::challenge(&t, agent_id, super::unix_now()).php()?;
        table(vec![
            ("challenge", text(&c.challenge)),
            ("state", text(&c.state)),
            ("state_id", text(&c.state_id)),
        ])
    }

    /// Checks the agent's answer against the stored `$state` (at most `$max_age` seconds
    /// old; 0 means the INI default). Returns `['challenge' => final uuid, 'crypto' =>
    /// encrypted session key as uuid, 'key' => the 16-byte session key, 'agent_id' =>
    /// the id the challenge was for, 'state_id' => id]`. A wrong, tampered or expired
    /// answer throws `challenge failed`. A state verifies at most once only if the caller
    /// deletes it first: the state itself cannot know it was used.
    ///
    /// @param `string` $token the REGISTER token the challenge was made under
    /// @param `string` $state the state `challenge()` returned
    /// @param `string` $answer the agent's answer (a UUID string)
    /// @param `int` $max_age the oldest state accepted, in seconds; 0 for
    ///   `glpi_agent_protocol.challenge_max_age`
    /// @return `array{challenge: non-empty-string, crypto: non-empty-string, key: non-empty-string,
    ///   agent_id: non-empty-string, state_id: non-empty-string}` the final challenge and
    ///   `crypto` to send, the 16-byte session key to keep, and whom it is for
    /// @throws `\GlpiAgentProtocol\ProtocolException` 400 `challenge failed` for a wrong,
    ///   tampered or expired answer or state
    /// @throws `\ValueError` for a token that is not a UUID string or a negative `$max_age`
    /// @throws `\Random\RandomException` when the operating system's random generator fails
    #[php(defaults(max_age = 0))]
    pub fn verify(
        token: &str,
        state: &str,
        answer: &str,
        max_age: i64,
    ) -> PhpResult<ZBox<ZendHashTable>> {
        let t = self::token(token)?;
        let max_age =
            super::seconds_or_default(max_age, super::ini::limits().challenge_max_age).php()?;
        let v = register::verify(&t, state.as_bytes(), answer, max_age, super::unix_now()).php()?;
        let key = Binary::from(v.key.as_bytes().to_vec()).into_zval(false)?;
        table(vec![
            ("challenge", text(&v.final_challenge)),
            ("crypto", text(&v.crypto)),
            ("key", key),
            ("agent_id", text(&v.target_agent_id)),
            ("state_id", text(&v.state_id)),
        ])
    }
}

/// The agent (or proxy) side of REGISTER token validation (spec 6.2): static methods
/// over opaque states the caller keeps.
#[php_class]
#[php(name = "GlpiAgentProtocol\\RegisterAgent")]
pub struct RegisterAgent;

#[php_impl]
impl RegisterAgent {
    /// The answer to a server challenge. Returns `['answer' => uuid, 'state' => opaque]`;
    /// keep the state for `finish()`. A challenge meant for another agent throws a
    /// `ProtocolException` with token `challenge for another agent`: a proxy keeps it
    /// for that agent.
    ///
    /// @param `string` $token the REGISTER token (a UUID string)
    /// @param `string` $agent_id this agent's id (a UUID string)
    /// @param `string` $challenge the server's challenge (a UUID string)
    /// @return `array{answer: non-empty-string, state: non-empty-string}` the answer to send and
    ///   the state to keep for `finish()`
    /// @throws `\GlpiAgentProtocol\ProtocolException` `challenge for another agent` for a
    ///   challenge made for another agent id; 400 `challenge failed` for one that is not valid
    /// @throws `\ValueError` for a token or agent id that is not a UUID string
    /// @throws `\Random\RandomException` when the operating system's random generator fails
    pub fn answer(token: &str, agent_id: &str, challenge: &str) -> PhpResult<ZBox<ZendHashTable>> {
        let t = self::token(token)?;
        let a = register::answer(&t, agent_id, challenge).php()?;
        table(vec![("answer", text(&a.answer)), ("state", text(&a.state))])
    }

    /// Checks the server's final challenge and returns the 16-byte session key carried
    /// in `$crypto`, or null when the server sent none.
    ///
    /// @param `string` $token the REGISTER token (a UUID string)
    /// @param `string` $state the state `answer()` returned
    /// @param `string` $challenge the server's final challenge (a UUID string)
    /// @param `string|null` $crypto the server's `crypto` (a UUID string), or null when it sent none
    /// @return `string|null` the 16-byte session key, or null without `$crypto`
    /// @throws `\GlpiAgentProtocol\ProtocolException` 400 `challenge failed` when the final
    ///   challenge or `$crypto` does not match the state
    /// @throws `\ValueError` for a token that is not a UUID string
    pub fn finish(
        token: &str,
        state: &str,
        challenge: &str,
        crypto: Option<&str>,
    ) -> PhpResult<Option<Binary<u8>>> {
        let t = self::token(token)?;
        let key = register::finish(&t, state.as_bytes(), challenge, crypto).php()?;
        Ok(key.map(|k| Binary::from(k.as_bytes().to_vec())))
    }
}

fn field(z: &Zval) -> message::Field {
    let z = z.dereference();
    if z.is_null() {
        message::Field::Missing
    } else if z.is_long() {
        message::Field::Int(z.long().unwrap_or_default())
    } else if z.is_string() {
        // Bytes that are not UTF-8 cannot be a deviceid, name or UUID the spec allows.
        match std::str::from_utf8(z.binary_slice::<u8>().unwrap_or_default()) {
            Ok(s) => message::Field::Str(s.to_owned()),
            Err(_) => message::Field::Other,
        }
    } else {
        message::Field::Other
    }
}

/// Checks a decoded REGISTER message (`Request::content()`, as array or object) against
/// spec 6.1.1 and 6.1.3. Returns `['type' => 'register', 'deviceid', 'port' (int),
/// 'name', 'version', 'tag' (?string), 'csr' (only when sent: a PKCS#10 request whose key
/// and signature were checked, or a 400 `bad csr`, `csr signature invalid`, `csr key
/// refused`)]` for a first message, `['type' => 'answer',
/// 'answer' => uuid]` for a token validation message, or `['type' => 'failure', 'reason'
/// => the agent's text]` when the agent gave up on the challenge. Anything else throws a
/// 400 `ProtocolException` `bad-format`. The engine-level type of `$content` is `mixed`:
/// anything but an array or an object is `bad-format` too.
///
/// @param `array<array-key, mixed>|object` $content the decoded message
/// @return `array{type: 'register', deviceid: string, port: int, name: string, version: string,
///   tag: string|null, csr?: string}|array{type: 'answer', answer: string}|array{type:
///   'failure', reason: string}` what the message asks
/// @throws `\GlpiAgentProtocol\ProtocolException` 400 `bad-format` for a message that is not
///   a REGISTER message; 400 `bad csr`, `csr signature invalid` or `csr key refused` for a
///   refused `csr`
#[php_function]
#[php(name = "GlpiAgentProtocol\\register_message")]
pub fn register_message(content: &Zval) -> PhpResult<ZBox<ZendHashTable>> {
    let content = content.dereference();
    let members = if let Some(ht) = content.array() {
        entries(ht)
    } else if let Some(props) = content.object().and_then(|o| o.get_properties().ok()) {
        entries(props)
    } else {
        return Err(crate::error::ProtocolError::BadFormat).php();
    };
    let mut msg = message::RegisterMessage::default();
    for (key, value) in members {
        let RawKey::Bytes(name) = key else { continue };
        let slot = match name.as_slice() {
            b"action" => &mut msg.action,
            b"deviceid" => &mut msg.deviceid,
            b"port" => &mut msg.port,
            b"name" => &mut msg.name,
            b"version" => &mut msg.version,
            b"tag" => &mut msg.tag,
            b"challenge" => &mut msg.challenge,
            b"csr" => &mut msg.csr,
            _ => continue,
        };
        *slot = field(value);
    }
    let mut ht = ZendHashTable::with_capacity(6);
    let max_csr = super::ini::limits().max_certificate_bytes as usize;
    match message::validate_with(msg, max_csr).php()? {
        message::RegisterRequest::Register(r) => {
            ht.insert("type", "register")?;
            ht.insert("deviceid", r.deviceid.as_str())?;
            ht.insert("port", i64::from(r.port))?;
            ht.insert("name", r.name.as_str())?;
            ht.insert("version", r.version.as_str())?;
            match r.tag {
                Some(t) => ht.insert("tag", t.as_str())?,
                None => ht.insert("tag", ())?,
            }
            // Only when sent: the draft's members keep their shape.
            if let Some(csr) = r.csr {
                ht.insert("csr", csr.as_str())?;
            }
        }
        message::RegisterRequest::Challenge(message::ChallengeReply::Answer(a)) => {
            ht.insert("type", "answer")?;
            ht.insert("answer", a.as_str())?;
        }
        message::RegisterRequest::Challenge(message::ChallengeReply::Failure(f)) => {
            ht.insert("type", "failure")?;
            ht.insert("reason", f.as_str())?;
        }
    }
    Ok(ht)
}

/// Adds the REGISTER functions to the module.
pub fn register_functions(module: ModuleBuilder) -> ModuleBuilder {
    module.function(wrap_function!(register_message))
}
