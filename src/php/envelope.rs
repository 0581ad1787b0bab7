//! `GlpiAgentProtocol\seal_message()` and `open_message()`: the encrypted-exchange
//! envelope (docs/encrypted-exchanges.md) for agents, proxies and tests. A server does
//! not need them: `Request::decode()` opens and `Response::forRequest()` seals.

use ext_php_rs::binary::Binary;
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use super::errors::IntoPhp;
use crate::envelope::{self, Binding, Direction};
use crate::error::UsageError;
use crate::secret::Key128;

/// The parties of a message; a key without another owner belongs to the agent itself.
fn direction_named(name: &str) -> Result<Direction, UsageError> {
    Direction::from_name(name).ok_or_else(|| {
        UsageError::new(format!(
            "unknown direction '{name}' (agent-to-server, server-to-agent)"
        ))
    })
}

/// Encrypts `$body` (already compressed, if it is to be; `$content_type` says how) under
/// the 16-byte session `$key`, for the message of `$agent_id` whose key belongs to
/// `$cryptokey_id` (null: the agent itself). `$direction` is `agent-to-server` or
/// `server-to-agent`. Send the result with `Content-Type: application/x-glpi-encrypted`.
///
/// @param `string` $body the message bytes, compressed already if they are to be
/// @param `string` $content_type the content type of `$body`, such as `application/json`
/// @param `string` $key the 16-byte session key
/// @param `string` $agent_id the agent the message is for or from (a UUID string)
/// @param `string|null` $cryptokey_id the agent whose key it is; null for `$agent_id` itself
/// @param `'agent-to-server'|'server-to-agent'` $direction which way the message goes
/// @return `string` the envelope
/// @throws `\ValueError` for a key that is not 16 bytes, an unknown direction, an agent id or
///   cryptokey id that is not a UUID string, or a content type that cannot be sealed
/// @throws `\Random\RandomException` when the operating system's random generator fails
#[php_function]
#[php(name = "GlpiAgentProtocol\\seal_message")]
#[php(defaults(cryptokey_id = None, direction = String::from("agent-to-server")))]
pub fn seal_message(
    body: BinarySlice<u8>,
    content_type: &str,
    key: BinarySlice<u8>,
    agent_id: &str,
    cryptokey_id: Option<String>,
    direction: String,
) -> PhpResult<Binary<u8>> {
    let key = Key128::from_slice(&key).php()?;
    let binding = Binding::parse(
        agent_id,
        cryptokey_id.as_deref().unwrap_or(agent_id),
        direction_named(&direction).php()?,
    )
    .map_err(|_| UsageError::new("the agent id and the cryptokey id must be UUID strings"))
    .php()?;
    envelope::seal(&key, &binding, content_type, &body, super::unix_now())
        .php()
        .map(Binary::from)
}

/// Opens an envelope made by `seal_message()` (or any implementation of the format),
/// checking its authenticity, its binding to `$agent_id` / `$cryptokey_id` /
/// `$direction`, and its freshness (`$max_age` seconds; 0: the INI default). Returns
/// `['content_type' => inner type, 'body' => bytes, 'message_id' => 24 hex digits,
/// 'timestamp' => int, 'keep_until' => int]`. Replays are the caller's to refuse: record
/// `message_id` until `keep_until` before acting on the body.
///
/// @param `string` $envelope what `seal_message()` made
/// @param `string` $key the 16-byte session key
/// @param `string` $agent_id the agent the message is for or from (a UUID string)
/// @param `string|null` $cryptokey_id the agent whose key it is; null for `$agent_id` itself
/// @param `'agent-to-server'|'server-to-agent'` $direction which way the message goes
/// @param `int` $max_age the oldest envelope accepted, in seconds; 0 for
///   `glpi_agent_protocol.message_max_age`
/// @return `array{content_type: string, body: string, message_id: non-empty-string,
///   timestamp: int, keep_until: int}` the inner message and what a replay check needs
/// @throws `\GlpiAgentProtocol\ProtocolException` `decryption failed` for a wrong key,
///   binding or altered envelope; `stale message` for one older than `$max_age`; 400
///   `bad agent id` or `bad cryptokey id` for an id that is not a UUID string
/// @throws `\ValueError` for a key that is not 16 bytes, an unknown direction or a negative
///   `$max_age`
#[php_function]
#[php(name = "GlpiAgentProtocol\\open_message")]
#[php(defaults(cryptokey_id = None, direction = String::from("server-to-agent"), max_age = 0))]
pub fn open_message(
    envelope: BinarySlice<u8>,
    key: BinarySlice<u8>,
    agent_id: &str,
    cryptokey_id: Option<String>,
    direction: String,
    max_age: i64,
) -> PhpResult<ZBox<ZendHashTable>> {
    let key = Key128::from_slice(&key).php()?;
    let max_age = super::seconds_or_default(max_age, super::ini::limits().message_max_age).php()?;
    let binding = Binding::parse(
        agent_id,
        cryptokey_id.as_deref().unwrap_or(agent_id),
        direction_named(&direction).php()?,
    )
    .php()?;
    let opened = envelope::open(&key, &binding, &envelope, super::unix_now(), max_age).php()?;
    let mut ht = ZendHashTable::with_capacity(5);
    ht.insert("content_type", opened.inner_content_type.as_str())?;
    ht.insert("body", Binary::from(opened.plaintext).into_zval(false)?)?;
    ht.insert("message_id", opened.message_id.as_str())?;
    ht.insert(
        "timestamp",
        i64::try_from(opened.timestamp).unwrap_or(i64::MAX),
    )?;
    ht.insert(
        "keep_until",
        i64::try_from(opened.keep_until).unwrap_or(i64::MAX),
    )?;
    Ok(ht)
}

/// Adds the envelope functions to the module.
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(seal_message))
        .function(wrap_function!(open_message))
}
