//! REGISTER messages, glpi-agent-json-protocol chapter 6.1: checking the agent's two
//! messages (6.1.1 first message, 6.1.3 token validation) and building the server's
//! answers (6.1.2, 6.1.4).
//!
//! The core has no JSON model of its own here: the caller copies the few members it
//! decoded into a [`RegisterMessage`], saying for each whether it was absent, a string,
//! an integer or anything else, and gets back a typed request or `BadFormat`.
//! Answers come out as ordered `(name, value)` pairs, in the member order of the
//! spec's examples, for the caller to put in an array.

use crate::error::{ProtocolError, UsageError};
use crate::register::uuid_block;

/// One member of the decoded JSON message, as the caller found it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Field {
    /// Not in the message (or JSON `null`, which says the same thing).
    #[default]
    Missing,
    /// A JSON string.
    Str(String),
    /// A JSON integer.
    Int(i64),
    /// Any other JSON type: boolean, float, array, object.
    Other,
}

/// The members of a REGISTER message that the spec defines; others are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegisterMessage {
    /// Must be the string `register` (any ASCII case) in both messages.
    pub action: Field,
    /// Mandatory in a first message: the friendly name of the agent.
    pub deviceid: Field,
    /// Mandatory in a first message: the agent's TCP port, 0 when it cannot be reached.
    pub port: Field,
    /// Mandatory in a first message: the agent's product name (`GLPI-Agent`).
    pub name: Field,
    /// Mandatory in a first message: the agent's product version.
    pub version: Field,
    /// Optional: the tag set in the agent's configuration.
    pub tag: Field,
    /// Present only in a token validation message: the agent's answer to the challenge.
    pub challenge: Field,
    /// This project's extension of the draft (docs/register.md): a PKCS#10 request in
    /// PEM, answered with a client certificate once the challenge is answered.
    pub csr: Field,
}

/// Spec 6.1.1: an agent asks to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The friendly name the agent gives itself (not unique, not the agent id).
    pub deviceid: String,
    /// The agent's listening port, 0 when it listens on none.
    pub port: u16,
    /// The agent's product name, e.g. `GLPI-Agent`.
    pub name: String,
    /// The agent's product version.
    pub version: String,
    /// The agent's configured tag; an empty tag counts as none.
    pub tag: Option<String>,
    /// The enrollment request, checked (key and signature) by [`crate::x509::check_csr`].
    pub csr: Option<String>,
}

/// Spec 6.1.3: the agent's reply to a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChallengeReply {
    /// A UUID string, canonical lower case: pass it to `register::verify`.
    Answer(String),
    /// Any other text ("failure" in the spec's example): the agent gave up. The text is
    /// the agent's own words, for the log; the server answers `challenge failed`.
    Failure(String),
}

/// A REGISTER message once checked: which of the agent's two messages it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterRequest {
    /// A first message (6.1.1), answered `registered`, `error` or `pending`.
    Register(Registration),
    /// A token validation message (6.1.3), answering the challenge of a `pending` answer.
    Challenge(ChallengeReply),
}

/// Checks a REGISTER message. A message with a `challenge` member is a token
/// validation message (6.1.3), which needs only `action` besides; any other is a first
/// message (6.1.1).
///
/// Leniency, all of it unambiguous: `action` is compared without regard to ASCII case
/// (as the request's action is lower-cased elsewhere); `port` may be a JSON integer or a
/// string of decimal digits (agents that read the port from a configuration file may
/// send it quoted); the text members may be integers, kept as their decimal text.
/// Everything else that breaks the spec is `BadFormat`: a missing or empty mandatory
/// member, a port outside 0..=65535, a member of another JSON type.
pub fn validate(msg: RegisterMessage) -> Result<RegisterRequest, ProtocolError> {
    validate_with(msg, crate::Limits::DEFAULT.max_certificate_bytes as usize)
}

/// [`validate`], reading a `csr` of at most `max_csr_bytes`. A `csr` that is not a
/// string is `BadFormat`; one that is not an acceptable request has the request's own
/// error (`bad csr`, `csr signature invalid`, `csr key refused`). In a token validation
/// message the member means nothing and is ignored.
pub fn validate_with(
    msg: RegisterMessage,
    max_csr_bytes: usize,
) -> Result<RegisterRequest, ProtocolError> {
    let bad = ProtocolError::BadFormat;
    match &msg.action {
        Field::Str(a) if a.eq_ignore_ascii_case("register") => {}
        _ => return Err(bad),
    }
    match msg.challenge {
        Field::Missing => {}
        Field::Str(c) if !c.is_empty() => {
            return Ok(RegisterRequest::Challenge(match uuid_block::parse(&c) {
                Some(b) => ChallengeReply::Answer(uuid_block::format(&b)),
                None => ChallengeReply::Failure(c),
            }));
        }
        _ => return Err(bad),
    }
    let tag = match text(msg.tag)? {
        Some(t) if !t.is_empty() => Some(t),
        _ => None,
    };
    let csr = match msg.csr {
        Field::Missing => None,
        Field::Str(pem) => {
            crate::x509::check_csr(pem.as_bytes(), max_csr_bytes)?;
            Some(pem)
        }
        _ => return Err(bad),
    };
    Ok(RegisterRequest::Register(Registration {
        deviceid: mandatory(msg.deviceid)?,
        port: port(msg.port)?,
        name: mandatory(msg.name)?,
        version: mandatory(msg.version)?,
        tag,
        csr,
    }))
}

fn text(f: Field) -> Result<Option<String>, ProtocolError> {
    match f {
        Field::Missing => Ok(None),
        Field::Str(s) => Ok(Some(s)),
        Field::Int(i) => Ok(Some(i.to_string())),
        Field::Other => Err(ProtocolError::BadFormat),
    }
}

fn mandatory(f: Field) -> Result<String, ProtocolError> {
    match text(f)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ProtocolError::BadFormat),
    }
}

fn port(f: Field) -> Result<u16, ProtocolError> {
    let bad = ProtocolError::BadFormat;
    match f {
        Field::Int(i) => u16::try_from(i).map_err(|_| bad),
        // At most five digits, so the parse cannot overflow; a sign or a blank is refused.
        Field::Str(s) if (1..=5).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) => s
            .parse::<u32>()
            .ok()
            .and_then(|p| u16::try_from(p).ok())
            .ok_or(bad),
        _ => Err(bad),
    }
}

/// The status of a REGISTER answer (spec 6.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The agent is registered until `expiration`.
    Registered,
    /// Refused: the agent must not try again before `expiration`.
    Error,
    /// Not decided yet; `needs` says what is awaited.
    Pending,
}

impl Status {
    /// The `status` value as the spec writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Registered => "registered",
            Status::Error => "error",
            Status::Pending => "pending",
        }
    }
}

/// Why a REGISTER answer is `pending` (spec 6.1.2 `needs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// The agent must answer the enclosed challenge; `expiration` is the challenge's
    /// lifetime.
    TokenValidation,
    /// An administrator must accept the agent; `expiration` is the delay before the
    /// agent asks again.
    ManualValidation,
    /// A proxy waits for its server; `expiration` is the delay before the agent asks
    /// again. Meant for proxies, not for the GLPI server.
    ServerValidation,
}

impl Needs {
    /// The `needs` value as the spec writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Needs::TokenValidation => "token-validation",
            Needs::ManualValidation => "manual-validation",
            Needs::ServerValidation => "server-validation",
        }
    }
}

/// A REGISTER answer (spec 6.1.2 and 6.1.4). Built only through the constructors, which
/// enforce the spec's rules: `expiration` always present and positive, a challenge with
/// every `token-validation`, UUID strings where the spec wants UUIDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterAnswer {
    status: Status,
    message: Option<String>,
    needs: Option<Needs>,
    /// Seconds.
    expiration: u64,
    challenge: Option<String>,
    crypto: Option<String>,
}

impl RegisterAnswer {
    /// `registered` (6.1.2): the agent registers again before `expiration` seconds,
    /// by default after half of it.
    pub fn registered(expiration: u64) -> Result<Self, UsageError> {
        Self::base(Status::Registered, expiration)
    }

    /// `registered` after a challenge (6.1.4): the final challenge and, when the server
    /// encrypts, the `crypto` block (both from `register::verify`).
    pub fn registered_after_challenge(
        expiration: u64,
        final_challenge: &str,
        crypto: Option<&str>,
    ) -> Result<Self, UsageError> {
        let mut a = Self::base(Status::Registered, expiration)?;
        a.challenge = Some(uuid_arg(final_challenge, "final challenge")?);
        a.crypto = crypto.map(|c| uuid_arg(c, "crypto")).transpose()?;
        Ok(a)
    }

    /// `error` (6.1.2, 6.1.4): the agent must not try again before `expiration`.
    /// `message` is the token, e.g. `forbidden` or `challenge failed`.
    pub fn error(message: &str, expiration: u64) -> Result<Self, UsageError> {
        Ok(Self::base(Status::Error, expiration)?.with_message(message))
    }

    /// `pending` / `token-validation` with the challenge from `register::challenge`;
    /// `expiration` is the challenge's lifetime.
    pub fn pending_challenge(challenge: &str, expiration: u64) -> Result<Self, UsageError> {
        let mut a = Self::base(Status::Pending, expiration)?;
        a.needs = Some(Needs::TokenValidation);
        a.challenge = Some(uuid_arg(challenge, "challenge")?);
        Ok(a)
    }

    /// `pending` without a challenge: `manual-validation` or `server-validation`, or no
    /// `needs` at all (a proxy's answer to a challenge reply, 6.1.4).
    pub fn pending(needs: Option<Needs>, expiration: u64) -> Result<Self, UsageError> {
        if needs == Some(Needs::TokenValidation) {
            return Err(UsageError::new(
                "token-validation needs a challenge: use pending_challenge",
            ));
        }
        let mut a = Self::base(Status::Pending, expiration)?;
        a.needs = needs;
        Ok(a)
    }

    /// Adds or replaces the optional `message` (a note for the agent's log).
    pub fn with_message(mut self, message: &str) -> Self {
        self.message = Some(message.to_string());
        self
    }

    fn base(status: Status, expiration: u64) -> Result<Self, UsageError> {
        if expiration == 0 {
            return Err(UsageError::new(
                "a REGISTER answer needs a positive expiration",
            ));
        }
        Ok(RegisterAnswer {
            status,
            message: None,
            needs: None,
            expiration,
            challenge: None,
            crypto: None,
        })
    }

    /// Whether the agent is registered, refused or waiting.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The `expiration` delay in seconds (always positive), before [`delay_text`] writes it
    /// with a unit.
    pub fn expiration_seconds(&self) -> u64 {
        self.expiration
    }

    /// The members in the order of the spec's examples: `status`, `message`, `needs`,
    /// `expiration` (written with its unit, see [`delay_text`]), `challenge`, `crypto`.
    pub fn entries(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![("status", self.status.as_str().to_string())];
        if let Some(m) = &self.message {
            out.push(("message", m.clone()));
        }
        if let Some(n) = self.needs {
            out.push(("needs", n.as_str().to_string()));
        }
        out.push(("expiration", delay_text(self.expiration)));
        if let Some(c) = &self.challenge {
            out.push(("challenge", c.clone()));
        }
        if let Some(c) = &self.crypto {
            out.push(("crypto", c.clone()));
        }
        out
    }
}

fn uuid_arg(s: &str, what: &str) -> Result<String, UsageError> {
    uuid_block::parse(s)
        .map(|b| uuid_block::format(&b))
        .ok_or_else(|| UsageError::new(format!("the {what} must be a UUID string")))
}

/// A delay in the spec 3.3.2 notation, always with its unit (a bare number would mean
/// hours): the largest of `d`, `h`, `m`, `s` that divides the delay exactly.
pub fn delay_text(seconds: u64) -> String {
    match seconds {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Field {
        Field::Str(v.to_string())
    }

    /// The spec 6.1.1 example.
    fn first() -> RegisterMessage {
        RegisterMessage {
            action: s("register"),
            deviceid: s("classic-agent-deviceid"),
            port: Field::Int(62354),
            name: s("GLPI-Agent"),
            version: s("1.0"),
            tag: s("awesome-tag"),
            challenge: Field::Missing,
            csr: Field::Missing,
        }
    }

    #[test]
    fn spec_first_message() {
        let r = validate(first()).unwrap();
        assert_eq!(
            r,
            RegisterRequest::Register(Registration {
                deviceid: "classic-agent-deviceid".into(),
                port: 62354,
                name: "GLPI-Agent".into(),
                version: "1.0".into(),
                tag: Some("awesome-tag".into()),
                csr: None,
            })
        );
    }

    #[test]
    fn spec_token_validation_messages() {
        let m = RegisterMessage {
            action: s("register"),
            challenge: s("07F2CC8B-194C-45B9-A4E8-68A78129B8E6"),
            ..Default::default()
        };
        assert_eq!(
            validate(m).unwrap(),
            RegisterRequest::Challenge(ChallengeReply::Answer(
                "07f2cc8b-194c-45b9-a4e8-68a78129b8e6".into()
            ))
        );
        let m = RegisterMessage {
            action: s("register"),
            challenge: s("failure"),
            ..Default::default()
        };
        assert_eq!(
            validate(m).unwrap(),
            RegisterRequest::Challenge(ChallengeReply::Failure("failure".into()))
        );
    }

    #[test]
    fn optional_tag_and_lenient_types() {
        let mut m = first();
        m.tag = Field::Missing;
        m.port = s("0");
        m.version = Field::Int(2);
        m.action = s("REGISTER");
        match validate(m).unwrap() {
            RegisterRequest::Register(r) => {
                assert_eq!((r.port, r.tag, r.version.as_str()), (0, None, "2"));
            }
            other => panic!("{other:?}"),
        }
        let mut m = first();
        m.tag = s("");
        m.port = s("65535");
        match validate(m).unwrap() {
            RegisterRequest::Register(r) => assert_eq!((r.port, r.tag), (65535, None)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn violations_are_bad_format() {
        let cases: Vec<fn(&mut RegisterMessage)> = vec![
            |m| m.action = Field::Missing,
            |m| m.action = s("contact"),
            |m| m.action = Field::Other,
            |m| m.deviceid = Field::Missing,
            |m| m.deviceid = s(""),
            |m| m.deviceid = Field::Other,
            |m| m.name = Field::Missing,
            |m| m.version = Field::Missing,
            |m| m.tag = Field::Other,
            |m| m.port = Field::Missing,
            |m| m.port = Field::Int(-1),
            |m| m.port = Field::Int(65536),
            |m| m.port = Field::Int(i64::MAX),
            |m| m.port = s("65536"),
            |m| m.port = s("99999"),
            |m| m.port = s("123456"),
            |m| m.port = s(""),
            |m| m.port = s("+80"),
            |m| m.port = s(" 80"),
            |m| m.port = s("８０"),
            |m| m.port = Field::Other,
            |m| m.challenge = s(""),
            |m| m.challenge = Field::Int(1),
            |m| m.challenge = Field::Other,
            |m| m.csr = Field::Int(1),
            |m| m.csr = Field::Other,
        ];
        for (i, f) in cases.into_iter().enumerate() {
            let mut m = first();
            f(&mut m);
            assert_eq!(validate(m), Err(ProtocolError::BadFormat), "case {i}");
        }
    }

    #[test]
    fn csr_member_is_checked_as_a_request() {
        let key = rcgen::KeyPair::generate().unwrap();
        let pem = rcgen::CertificateParams::default()
            .serialize_request(&key)
            .unwrap()
            .pem()
            .unwrap();
        let mut m = first();
        m.csr = s(&pem);
        match validate(m).unwrap() {
            RegisterRequest::Register(r) => assert_eq!(r.csr.as_deref(), Some(pem.as_str())),
            other => panic!("{other:?}"),
        }
        let mut m = first();
        m.csr = s("not a request");
        assert_eq!(validate(m), Err(ProtocolError::BadCsr));
        let mut m = first();
        m.csr = s(&pem);
        assert_eq!(validate_with(m, 10), Err(ProtocolError::BadCsr));
        let mut broken = pem.clone().into_bytes();
        let at = broken.len() - 30;
        broken[at] = if broken[at] == b'A' { b'B' } else { b'A' };
        let mut m = first();
        m.csr = s(std::str::from_utf8(&broken).unwrap());
        assert!(matches!(
            validate(m),
            Err(ProtocolError::CsrSignatureInvalid) | Err(ProtocolError::BadCsr)
        ));
        // Meaningless beside a challenge answer.
        let m = RegisterMessage {
            action: s("register"),
            challenge: s("failure"),
            csr: s("junk"),
            ..Default::default()
        };
        assert!(validate(m).is_ok());
    }

    #[test]
    fn answers_follow_the_spec_examples() {
        let e = |a: RegisterAnswer| {
            a.entries()
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(
            e(RegisterAnswer::registered(30 * 86_400).unwrap()),
            "status=registered,expiration=30d"
        );
        assert_eq!(
            e(RegisterAnswer::error("forbidden", 4 * 3600).unwrap()),
            "status=error,message=forbidden,expiration=4h"
        );
        assert_eq!(
            e(RegisterAnswer::pending_challenge("A3540C0E-AC3C-46CF-892F-692CA02209F8", 60).unwrap()),
            "status=pending,needs=token-validation,expiration=1m,challenge=a3540c0e-ac3c-46cf-892f-692ca02209f8"
        );
        assert_eq!(
            e(RegisterAnswer::registered_after_challenge(
                30 * 86_400,
                "393c263e-1168-44a7-bbdc-6d2ce8514db0",
                Some("680ca885-e017-44a4-81c9-729f759ee3c6")
            )
            .unwrap()),
            "status=registered,expiration=30d,challenge=393c263e-1168-44a7-bbdc-6d2ce8514db0,crypto=680ca885-e017-44a4-81c9-729f759ee3c6"
        );
        assert_eq!(
            e(RegisterAnswer::pending(None, 60).unwrap()),
            "status=pending,expiration=1m"
        );
        assert_eq!(
            e(RegisterAnswer::error("challenge failed", 3600).unwrap()),
            "status=error,message=challenge failed,expiration=1h"
        );
        assert_eq!(
            e(RegisterAnswer::pending(Some(Needs::ManualValidation), 90)
                .unwrap()
                .with_message("wait")),
            "status=pending,message=wait,needs=manual-validation,expiration=90s"
        );
    }

    #[test]
    fn answer_misuse_is_a_usage_error() {
        assert!(RegisterAnswer::registered(0).is_err());
        assert!(RegisterAnswer::pending(Some(Needs::TokenValidation), 60).is_err());
        assert!(RegisterAnswer::pending_challenge("nope", 60).is_err());
        assert!(RegisterAnswer::registered_after_challenge(
            60,
            "393c263e-1168-44a7-bbdc-6d2ce8514db0",
            Some("x")
        )
        .is_err());
    }

    #[test]
    fn delays_keep_their_unit() {
        assert_eq!(delay_text(1), "1s");
        assert_eq!(delay_text(61), "61s");
        assert_eq!(delay_text(120), "2m");
        assert_eq!(delay_text(5400), "90m");
        assert_eq!(delay_text(7200), "2h");
        assert_eq!(delay_text(86_400), "1d");
        assert_eq!(delay_text(90_000), "25h");
    }
}
