//! REGISTER cryptographic exchanges, glpi-agent-json-protocol chapter 6.2, exactly as
//! written there so that any implementation made from the spec alone interoperates:
//!
//! * every value is one 16-byte block encrypted with AES-128 (single block, no mode)
//!   under the token, the token being the 16 bytes of its UUID string;
//! * blocks travel as lower-case UUID strings in RFC 4122 byte order (the hex digits
//!   in string order are the bytes in order);
//! * secrets are 8 bytes; "the last 8 bytes of the agent id" are bytes 8..16 of that
//!   order.
//!
//! ```text
//! server  challenge = AES(token, server_secret || agent_id[8..16])      (6.2.1)
//! agent   answer    = AES(token, server_secret || agent_secret)         (6.2.2)
//! server  final     = AES(token, agent_secret  || server_secret)        (6.2.3)
//!         crypto    = AES(token, session_key)
//! agent   checks final, decrypts crypto                                  (6.2.4)
//! ```
//!
//! Between steps each side keeps an opaque *state*: base64url text (no padding) of
//! `version 1 || salt (16, random, the state id) || AES-128-GCM ciphertext || tag`,
//! under the key `HKDF-SHA256(salt, token bytes, "glpi-agent-protocol register
//! server-state v1")` (or `agent-state`), zero nonce since every state has its own key.
//! A server state holds the server secret, the target agent id and the creation time
//! (87 characters); an agent state the server and agent secrets (66 characters). So it
//! is confidential and tamper-proof for anyone who lacks the token. Anyone who holds the token can already
//! run the whole exchange, so the state adds no new trust; it still belongs in server
//! storage (database, session), never in a cookie or a hidden form field.
//!
//! Two checks go beyond the text of the spec and cannot break interoperation (an honest
//! peer fails them with probability 2^-64):
//!
//! * [`verify`] refuses an answer equal to the challenge it was given. Such an
//!   answer decrypts to `server_secret || agent_id[8..16]`, which passes the spec's
//!   only check, so without this anyone could reflect the challenge back and make the
//!   server hand out (and bind to the agent) a key nobody can read.
//! * [`answer`] never draws an agent secret equal to the server secret or to the
//!   agent id tail, which keeps its own answer out of both reflections.
//!
//! Replay: a server state together with a good answer yields a fresh session key each
//! time it is verified, and the core cannot remember what it has seen. The caller must
//! therefore consume the state **before** it answers: load it, delete it in the same
//! transaction (e.g. `DELETE ... WHERE state_id = ?` and go on only when one row went),
//! then call [`verify`]. A failed verify aborts the registration, as spec 6.2.3 says;
//! the agent starts again from its first message. The state id ([`state_id`]) is public
//! and unique, so it can serve as the primary key, or be recorded in a table of spent
//! ids kept for `max_age` seconds. The agent state is consumed the same way by
//! [`finish`].

mod block;
pub mod message;
mod sealed;
pub(crate) mod uuid_block;

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, Zeroizing};

use crate::error::{Error, ProtocolError, UsageError};
use crate::secret::{random8, Key128, Token};
use crate::uuid::Uuid;
use block::BlockCipher;
use sealed::Kind;

/// How far in the future a server state's creation time may lie before it is refused.
/// States are made by this server (or its cluster), so only clock differences between
/// the web nodes are forgiven.
pub const STATE_CLOCK_SKEW: u64 = 30;

/// Plaintext of a server state: server secret (8), target agent id (16), creation time
/// (8, big-endian Unix seconds).
const SERVER_STATE_LEN: usize = 8 + 16 + 8;
/// Plaintext of an agent state: server secret (8), agent secret (8).
const AGENT_STATE_LEN: usize = 8 + 8;

/// What the server sends and keeps after step 6.2.1.
#[derive(Debug, Clone)]
pub struct ServerChallenge {
    /// The `challenge` of the `pending` / `token-validation` answer.
    pub challenge: String,
    /// Opaque, printable (base64url) state to keep server-side until the answer.
    pub state: String,
    /// The state's public unique id, a UUID string: a primary key for the stored state.
    pub state_id: String,
}

/// What the server sends after a successful step 6.2.3.
pub struct Verified {
    /// The final `challenge` of the `registered` answer.
    pub final_challenge: String,
    /// The `crypto` of the `registered` answer: the session key encrypted under the
    /// token (spec 6.2.3). Leave it out of the answer to register without encryption.
    pub crypto: String,
    /// The fresh session key, to store for the target agent (e.g. RFC 3394-wrapped).
    pub key: Key128,
    /// The agent id the challenge was made for, canonical lower case: the caller binds
    /// the key to it and checks it against the request's `GLPI-Agent-ID` or
    /// `GLPI-Proxy-ID`.
    pub target_agent_id: String,
    /// The id of the state that was consumed.
    pub state_id: String,
}

impl std::fmt::Debug for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verified")
            .field("final_challenge", &self.final_challenge)
            .field("crypto", &self.crypto)
            .field("key", &self.key)
            .field("target_agent_id", &self.target_agent_id)
            .field("state_id", &self.state_id)
            .finish()
    }
}

/// What the agent sends and keeps after step 6.2.2.
#[derive(Debug, Clone)]
pub struct AgentAnswer {
    /// The `challenge` of the agent's token validation message.
    pub answer: String,
    /// Opaque, printable (base64url) state to keep until the server's final answer.
    pub state: String,
}

/// Spec 6.2.1: a challenge for `target_agent_id` (the `GLPI-Agent-ID`, or one id of
/// `GLPI-Proxy-ID` when a proxy is trusted instead), under the token the server
/// expects that agent to know. `now` is Unix time in seconds.
///
/// Errors: `BadAgentId` when the id is not a UUID string; `Rng` when the OS random
/// generator fails.
pub fn challenge(token: &Token, target_agent_id: &str, now: u64) -> Result<ServerChallenge, Error> {
    let target = crate::uuid::parse_id(target_agent_id.as_bytes())
        .map_err(|_| ProtocolError::BadAgentId)?
        .into_bytes();
    let server_secret = random8()?;

    let mut block = Zeroizing::new([0u8; 16]);
    block[..8].copy_from_slice(&*server_secret);
    block[8..].copy_from_slice(&target[8..]);
    let challenge = BlockCipher::new(token.key()).encrypt(&block);

    let mut plain = Zeroizing::new([0u8; SERVER_STATE_LEN]);
    plain[..8].copy_from_slice(&*server_secret);
    plain[8..24].copy_from_slice(&target);
    plain[24..].copy_from_slice(&now.to_be_bytes());
    let (state, id) = sealed::seal(token, Kind::Server, &*plain)?;

    Ok(ServerChallenge {
        challenge: uuid_block::format(&challenge),
        state,
        state_id: Uuid::from_bytes(id).to_string(),
    })
}

/// Spec 6.2.2, on the agent: answers `challenge` for the agent `own_agent_id`.
///
/// Errors: `ChallengeForAnotherAgent` when the challenge decrypts to another agent id
/// tail (a proxy keeps the challenge for that agent; a plain agent sends `failure`) —
/// which is also what a challenge made under another token looks like;
/// `ChallengeFailed` when `challenge` is not a UUID string; `Usage` when
/// `own_agent_id` is not one; `Rng` on random generator failure.
pub fn answer(token: &Token, own_agent_id: &str, challenge: &str) -> Result<AgentAnswer, Error> {
    let own = crate::uuid::parse_id(own_agent_id.as_bytes())
        .map_err(|_| UsageError::new("the agent id must be a UUID string"))?
        .into_bytes();
    let c = uuid_block::parse(challenge).ok_or(ProtocolError::ChallengeFailed)?;
    let cipher = BlockCipher::new(token.key());
    let secret = cipher.decrypt(&c);
    let for_me: bool = secret[8..].ct_eq(&own[8..]).into();
    if !for_me {
        return Err(ProtocolError::ChallengeForAnotherAgent.into());
    }
    let server_secret = &secret[..8];

    let agent_secret = loop {
        let candidate = random8()?;
        let reflects = candidate[..].ct_eq(server_secret) | candidate[..].ct_eq(&own[8..]);
        if !bool::from(reflects) {
            break candidate;
        }
    };

    let mut block = Zeroizing::new([0u8; 16]);
    block[..8].copy_from_slice(server_secret);
    block[8..].copy_from_slice(&*agent_secret);
    let answer = cipher.encrypt(&block);

    // The agent state is the answer's plaintext, which is exactly `server || agent`.
    let (state, _) = sealed::seal(token, Kind::Agent, &block[..])?;
    Ok(AgentAnswer {
        answer: uuid_block::format(&answer),
        state,
    })
}

/// Spec 6.2.3, on the final server: checks the agent's `answer` against the kept
/// `state` and makes the final challenge and a fresh session key.
///
/// `max_age` (seconds, normally `Limits::challenge_max_age`) bounds the state's age;
/// a state from more than [`STATE_CLOCK_SKEW`] seconds in the future also fails.
///
/// The caller must have consumed the state (see the module documentation) before it
/// sends anything back: this function cannot tell a replay from a first use.
///
/// Errors: `ChallengeFailed` for every kind of failure — an answer that is not a UUID
/// string (the agent's `failure` included), a wrong server secret, an answer that
/// reflects the challenge, an expired, damaged, truncated or foreign state, a state
/// sealed under another token; `Rng` on random generator failure.
pub fn verify(
    token: &Token,
    state: &[u8],
    answer: &str,
    max_age: u32,
    now: u64,
) -> Result<Verified, Error> {
    let fail = || Error::Protocol(ProtocolError::ChallengeFailed);
    let (plain, id) = sealed::open(token, Kind::Server, state, SERVER_STATE_LEN)?;
    let server_secret = &plain[..8];
    let mut target = [0u8; 16];
    target.copy_from_slice(&plain[8..24]);
    let mut created = [0u8; 8];
    created.copy_from_slice(&plain[24..]);
    let created = u64::from_be_bytes(created);
    if created > now.saturating_add(STATE_CLOCK_SKEW)
        || now.saturating_sub(created) > u64::from(max_age)
    {
        return Err(fail());
    }

    let a = uuid_block::parse(answer).ok_or_else(fail)?;
    let cipher = BlockCipher::new(token.key());
    let secret = cipher.decrypt(&a);
    let good: Choice = secret[..8].ct_eq(server_secret) & !secret[8..].ct_eq(&target[8..]);
    if !bool::from(good) {
        return Err(fail());
    }

    let mut block = Zeroizing::new([0u8; 16]);
    block[..8].copy_from_slice(&secret[8..]);
    block[8..].copy_from_slice(server_secret);
    let final_challenge = cipher.encrypt(&block);

    let key = Key128::generate()?;
    let crypto = cipher.encrypt(key.as_bytes());

    Ok(Verified {
        final_challenge: uuid_block::format(&final_challenge),
        crypto: uuid_block::format(&crypto),
        key,
        target_agent_id: Uuid::from_bytes(target).to_string(),
        state_id: Uuid::from_bytes(id).to_string(),
    })
}

/// Spec 6.2.4, on the target agent: checks the server's final `challenge` against the
/// kept `state` (agent secret first, then server secret, both in constant time) and,
/// when `crypto` is present, decrypts the session key.
///
/// Errors: `ChallengeFailed` when either half differs, when a string is not a UUID, or
/// when the state is damaged or sealed under another token. The agent then sends
/// `failure` as its challenge.
pub fn finish(
    token: &Token,
    state: &[u8],
    final_challenge: &str,
    crypto: Option<&str>,
) -> Result<Option<Key128>, Error> {
    let fail = || Error::Protocol(ProtocolError::ChallengeFailed);
    let (plain, _) = sealed::open(token, Kind::Agent, state, AGENT_STATE_LEN)?;
    let (server_secret, agent_secret) = plain.split_at(8);

    let f = uuid_block::parse(final_challenge).ok_or_else(fail)?;
    let cipher = BlockCipher::new(token.key());
    let secret = cipher.decrypt(&f);
    let good = secret[..8].ct_eq(agent_secret) & secret[8..].ct_eq(server_secret);
    if !bool::from(good) {
        return Err(fail());
    }

    match crypto {
        None => Ok(None),
        Some(c) => {
            let c = uuid_block::parse(c).ok_or_else(fail)?;
            let mut k = cipher.decrypt(&c);
            let key = Key128::from_block(&mut k);
            k.zeroize();
            Ok(Some(key))
        }
    }
}

/// The public id of a state, read without the token: for a server state the id that
/// [`challenge`] and [`verify`] return, for an agent state an id of the same kind (to
/// key the agent's own store). `None` when `state` is not a state of this format.
pub fn state_id(state: &[u8]) -> Option<String> {
    sealed::state_id(state).map(|id| Uuid::from_bytes(id).to_string())
}

/// Test hooks: states with chosen secrets, so that known-answer vectors can drive
/// [`verify`] and [`finish`].
#[cfg(test)]
pub(crate) fn server_state_for_test(
    token: &Token,
    target: &[u8; 16],
    server_secret: &[u8; 8],
    created: u64,
) -> String {
    let mut plain = [0u8; SERVER_STATE_LEN];
    plain[..8].copy_from_slice(server_secret);
    plain[8..24].copy_from_slice(target);
    plain[24..].copy_from_slice(&created.to_be_bytes());
    sealed::seal(token, Kind::Server, &plain).unwrap().0
}

#[cfg(test)]
pub(crate) fn agent_state_for_test(
    token: &Token,
    server_secret: &[u8; 8],
    agent_secret: &[u8; 8],
) -> String {
    let mut plain = [0u8; AGENT_STATE_LEN];
    plain[..8].copy_from_slice(server_secret);
    plain[8..].copy_from_slice(agent_secret);
    sealed::seal(token, Kind::Agent, &plain).unwrap().0
}

#[cfg(test)]
mod tests;
