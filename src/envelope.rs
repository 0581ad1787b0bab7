//! Encrypted exchanges announced by `GLPI-CryptoKey-ID` (glpi-agent-json-protocol
//! 3.2.6), which the spec names but does not lay out. The format is specified in
//! `docs/encrypted-exchanges.md`; in short:
//!
//! ```text
//! off  len  field
//! 0    1    version = 0x01
//! 1    1    direction: 0x01 agent to server, 0x02 server to agent
//! 2    8    timestamp, Unix seconds, unsigned big-endian
//! 10   12   nonce, random per message (also the message id)
//! 22   1    L, length of the inner content type, 1..=127
//! 23   L    inner content type, ASCII 0x20..=0x7e (e.g. application/x-compress-zlib)
//! 23+L n    AES-128-GCM ciphertext of the body (compressed first, if at all)
//! end  16   GCM tag
//! ```
//!
//! The key is the 16-byte session key from REGISTER, used directly. The associated data
//! is the 23+L header bytes followed by the 16 bytes of the `GLPI-Agent-ID` and the 16
//! bytes of the `GLPI-CryptoKey-ID`, so a message moved to another agent, another key,
//! the other direction, another content type or another time fails to open.
//!
//! Order of checks in [`open`]: layout, then authentication (`DecryptionFailed`), then
//! freshness (`StaleMessage`); the caller then refuses replays (`ReplayedMessage`) by
//! recording [`Opened::message_id`]. Only authenticated messages reach the freshness and
//! replay checks, so forged messages cannot fill the replay store or probe the clock.

use crate::error::{Error, ProtocolError, UsageError};
use crate::gcm;
use crate::secret::{fill_random, Key128};
use crate::uuid::{parse_id, AgentId, Uuid};

/// The outer `Content-Type` of an encrypted body. The inner one travels, authenticated,
/// inside the envelope.
pub const CONTENT_TYPE: &str = "application/x-glpi-encrypted";

/// The envelope's format version, its first byte.
pub const VERSION: u8 = 1;
const NONCE_LEN: usize = gcm::NONCE_LEN;
const TAG_LEN: usize = gcm::TAG_LEN;
/// Bytes before the content type: version, direction, timestamp, nonce, its length.
const FIXED_LEN: usize = 1 + 1 + 8 + NONCE_LEN + 1;
const MAX_TYPE_LEN: usize = 127;
/// The smallest envelope: a one-byte content type and an empty body.
pub const MIN_LEN: usize = FIXED_LEN + 1 + TAG_LEN;

/// Which way a message goes; authenticated, so a message cannot be reflected back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A request, from the agent (or a proxy) to the server.
    AgentToServer,
    /// An answer, from the server to the agent.
    ServerToAgent,
}

impl Direction {
    /// `agent-to-server` or `server-to-agent`, the names the PHP functions take.
    pub fn from_name(name: &str) -> Option<Direction> {
        match name {
            "agent-to-server" => Some(Direction::AgentToServer),
            "server-to-agent" => Some(Direction::ServerToAgent),
            _ => None,
        }
    }

    fn byte(self) -> u8 {
        match self {
            Direction::AgentToServer => 1,
            Direction::ServerToAgent => 2,
        }
    }
}

/// The parties a message belongs to, from (or for) its HTTP headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    /// `GLPI-Agent-ID`: the agent the message is from or for.
    pub agent_id: AgentId,
    /// `GLPI-CryptoKey-ID`: the owner of the key (the agent itself, or a proxy).
    pub cryptokey_id: Uuid,
    /// Which way the message travels.
    pub direction: Direction,
}

impl Binding {
    /// The binding of header values: `BadAgentId` / `BadCryptoKeyId` when one is not a
    /// UUID string.
    pub fn parse(
        agent_id: &str,
        cryptokey_id: &str,
        direction: Direction,
    ) -> Result<Binding, ProtocolError> {
        Ok(Binding {
            agent_id: parse_id(agent_id.as_bytes()).map_err(|_| ProtocolError::BadAgentId)?,
            cryptokey_id: parse_id(cryptokey_id.as_bytes())
                .map_err(|_| ProtocolError::BadCryptoKeyId)?,
            direction,
        })
    }
}

/// An authenticated, fresh message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// What the body is, e.g. `application/x-compress-zlib`: decode it as if it had
    /// come with that `Content-Type`.
    pub inner_content_type: String,
    /// The body as sealed: still compressed if the inner content type says so.
    pub plaintext: Vec<u8>,
    /// The nonce as 24 lower-case hex digits: unique per message, for the replay store.
    pub message_id: String,
    /// The sender's timestamp, Unix seconds.
    pub timestamp: u64,
    /// Until when the message id must be remembered: after that the message is stale
    /// anyway (`timestamp + max_age`).
    pub keep_until: u64,
}

fn aad(header: &[u8], binding: &Binding) -> Vec<u8> {
    let mut a = Vec::with_capacity(header.len() + 32);
    a.extend_from_slice(header);
    a.extend_from_slice(binding.agent_id.as_bytes());
    a.extend_from_slice(binding.cryptokey_id.as_bytes());
    a
}

fn valid_type(t: &[u8]) -> bool {
    (1..=MAX_TYPE_LEN).contains(&t.len()) && t.iter().all(|b| (0x20..=0x7e).contains(b))
}

/// Encrypts `plaintext` (already compressed, if it is to be) for the parties in
/// `binding`, with a fresh random nonce. `now` is Unix time in seconds.
///
/// Errors: `Usage` for a content type that is empty,
/// longer than 127 bytes or not printable ASCII; `Rng` when the OS random generator
/// fails.
pub fn seal(
    key: &Key128,
    binding: &Binding,
    inner_content_type: &str,
    plaintext: &[u8],
    now: u64,
) -> Result<Vec<u8>, Error> {
    let mut nonce = [0u8; NONCE_LEN];
    fill_random(&mut nonce)?;
    seal_with_nonce(key, binding, inner_content_type, plaintext, now, &nonce)
}

/// [`seal`] with a chosen nonce, for known-answer vectors only: a nonce must never be
/// used twice under one key.
pub(crate) fn seal_with_nonce(
    key: &Key128,
    binding: &Binding,
    inner_content_type: &str,
    plaintext: &[u8],
    now: u64,
    nonce: &[u8; NONCE_LEN],
) -> Result<Vec<u8>, Error> {
    let ct = inner_content_type.as_bytes();
    if !valid_type(ct) {
        return Err(UsageError::new(
            "the inner content type must be 1 to 127 printable ASCII characters",
        )
        .into());
    }
    let header_len = FIXED_LEN + ct.len();
    let mut out = Vec::with_capacity(header_len + plaintext.len() + TAG_LEN);
    out.push(VERSION);
    out.push(binding.direction.byte());
    out.extend_from_slice(&now.to_be_bytes());
    out.extend_from_slice(nonce);
    out.push(ct.len() as u8);
    out.extend_from_slice(ct);
    out.extend_from_slice(plaintext);
    let aad = aad(&out[..header_len], binding);
    let tag = gcm::seal_in_place(key.as_bytes(), nonce, &aad, &mut out[header_len..])
        .map_err(|_| UsageError::new("the body is too large for one AES-GCM message"))?;
    out.extend_from_slice(&tag);
    Ok(out)
}

/// Opens a message for the parties in `binding`, checking that it is authentic and that
/// its timestamp is within `max_age` seconds of `now` either way (normally
/// `Limits::message_max_age`). It does not check replays: record
/// [`Opened::message_id`] before acting on the message.
///
/// Errors: `DecryptionFailed` for a wrong key, any alteration, a wrong binding, another version
/// or a broken layout; `StaleMessage` outside the window.
pub fn open(
    key: &Key128,
    binding: &Binding,
    bytes: &[u8],
    now: u64,
    max_age: u32,
) -> Result<Opened, Error> {
    let fail = || Error::Protocol(ProtocolError::DecryptionFailed);

    if bytes.len() < MIN_LEN || bytes[0] != VERSION || bytes[1] != binding.direction.byte() {
        return Err(fail());
    }
    let timestamp = u64::from_be_bytes(bytes[2..10].try_into().map_err(|_| fail())?);
    let nonce: &[u8; NONCE_LEN] = bytes[10..10 + NONCE_LEN].try_into().map_err(|_| fail())?;
    let type_len = usize::from(bytes[FIXED_LEN - 1]);
    let header_len = FIXED_LEN + type_len;
    if bytes.len() < header_len + TAG_LEN {
        return Err(fail());
    }
    let content_type = &bytes[FIXED_LEN..header_len];
    if !valid_type(content_type) {
        return Err(fail());
    }
    let body_end = bytes.len() - TAG_LEN;
    let aad = aad(&bytes[..header_len], binding);
    let tag: &[u8; TAG_LEN] = bytes[body_end..].try_into().map_err(|_| fail())?;
    let mut plaintext = bytes[header_len..body_end].to_vec();
    // On failure the buffer comes back wiped: no unauthenticated plaintext survives.
    gcm::open_in_place(key.as_bytes(), nonce, &aad, &mut plaintext, tag).map_err(|_| fail())?;

    if timestamp.abs_diff(now) > u64::from(max_age) {
        return Err(ProtocolError::StaleMessage.into());
    }
    Ok(Opened {
        // Checked printable ASCII above.
        inner_content_type: content_type.iter().map(|&b| char::from(b)).collect(),
        plaintext,
        message_id: nonce.iter().map(|b| format!("{b:02x}")).collect(),
        timestamp,
        keep_until: timestamp.saturating_add(u64::from(max_age)),
    })
}

#[cfg(test)]
mod tests;
