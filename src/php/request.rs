//! `GlpiAgentProtocol\Request`: one decoded agent request.

use ext_php_rs::binary::Binary;
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

use super::convert::{call_options, headers_from_table};
use super::errors::IntoPhp;
use crate::compression::Compression;
use crate::error::UsageError;
use crate::headers::{check_proxy_chain, ChainCheck};
use crate::media_type::{Mode, Spelling};
use crate::request::{self as core, DecodeOptions, Encryption};
use crate::secret::Key128;
use crate::uuid::{parse_id, AgentId, Uuid};

/// A decoded agent request: its mode, compression, routing headers and message. Built
/// only by `Request::decode()`.
#[php_class]
#[php(name = "GlpiAgentProtocol\\Request")]
pub struct Request {
    pub(crate) mode: Mode,
    pub(crate) compression: Compression,
    pub(crate) spelling: Spelling,
    pub(crate) body: Vec<u8>,
    pub(crate) content: Option<Zval>,
    pub(crate) action: String,
    pub(crate) device_id: Option<String>,
    pub(crate) agent_id: Option<AgentId>,
    pub(crate) request_id: Option<String>,
    pub(crate) proxy_ids: Vec<AgentId>,
    /// The `max_proxies` the request was decoded under.
    pub(crate) max_proxies: u32,
    pub(crate) cryptokey_id: Option<Uuid>,
    pub(crate) encryption: Option<Encryption>,
    /// The session key the request was opened with: its answer is sealed with it.
    pub(crate) key: Option<Key128>,
    pub(crate) content_type: Option<String>,
    pub(crate) accept: Option<String>,
}

#[php_impl]
impl Request {
    /// Decodes a request body with its headers (`getallheaders()` or `$_SERVER`).
    /// Options: `max_decoded_bytes`, `max_ratio`, `max_depth`, `max_proxies`,
    /// `message_max_age`, `invalid_utf8` ('error' or 'substitute'), `assoc` (bool),
    /// `key` (the 16-byte session key for a body sent with `GLPI-CryptoKey-ID`).
    /// Throws `ProtocolException` for anything the peer got wrong.
    ///
    /// @param `string` $body the raw request body (`file_get_contents('php://input')`)
    /// @param `array<string, mixed>` $headers `getallheaders()` (names in any case) or `$_SERVER`
    /// @param `array{max_decoded_bytes?: positive-int, max_ratio?: positive-int,
    ///   max_ratio_brotli?: positive-int, max_depth?: positive-int, max_values?: positive-int,
    ///   max_proxies?: positive-int, message_max_age?: positive-int,
    ///   invalid_utf8?: 'error'|'substitute', assoc?: bool, key?: string|null}|null` $options
    ///   per-call limits (defaults from the `glpi_agent_protocol.*` INI directives) and
    ///   the session key
    /// @return `Request` the decoded request
    /// @throws `\GlpiAgentProtocol\ProtocolException` for anything the peer got wrong (its
    ///   `getCode()` is the HTTP status to answer, `Response::forError()` writes the answer)
    /// @throws `\ValueError` for an unknown option, an option of the wrong type, or a `key`
    ///   that is not 16 bytes
    pub fn decode(
        body: BinarySlice<u8>,
        headers: &ZendHashTable,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<Self> {
        let opts = call_options(options).php()?;
        let key = opts
            .key
            .as_deref()
            .map(Key128::from_slice)
            .transpose()
            .php()?;
        let headers = headers_from_table(headers);
        let now = super::unix_now();
        let decoded = core::decode(
            &body,
            &headers,
            &DecodeOptions {
                limits: opts.limits,
                key: key.as_ref(),
                now,
            },
        )
        .map_err(|e| super::errors::refusal(&e, core::from_legacy_agent(&headers)))?;
        let (content, action, device_id) = match decoded.mode {
            Mode::Json => {
                let (zval, fields) =
                    super::json::decode_message(&decoded.body, opts.assoc, &opts.limits).php()?;
                (Some(zval), fields.action(), fields.device_id)
            }
            Mode::Xml => {
                let action = decoded
                    .xml_query
                    .as_deref()
                    .unwrap_or("inventory")
                    .to_ascii_lowercase();
                (None, action, decoded.xml_device_id.clone())
            }
        };
        Ok(Request {
            mode: decoded.mode,
            compression: decoded.compression,
            spelling: decoded.spelling,
            body: decoded.body,
            content,
            action,
            device_id,
            agent_id: decoded.agent_id,
            request_id: decoded.request_id,
            proxy_ids: decoded.proxy_ids,
            max_proxies: opts.limits.max_proxies,
            cryptokey_id: decoded.cryptokey_id,
            key: if decoded.encryption.is_some() {
                key
            } else {
                None
            },
            encryption: decoded.encryption,
            content_type: decoded.content_type,
            accept: decoded.accept,
        })
    }

    /// How the message was written: `'json'`, or `'xml'` for a legacy XML request.
    ///
    /// @return `'json'|'xml'` the request's mode
    pub fn mode(&self) -> &'static str {
        self.mode.as_str()
    }

    /// The compression of the request body, which its answer mirrors.
    ///
    /// @return `'none'|'zlib'|'gzip'|'deflate'|'br'` the compression the body was sent in
    pub fn compression(&self) -> &'static str {
        self.compression.as_str()
    }

    /// Lower case: JSON `action`, else `query`, else `'inventory'`; XML `QUERY`, else `'inventory'`.
    ///
    /// @return `non-empty-string` the request's action, such as `'contact'` or `'inventory'`
    pub fn action(&self) -> String {
        self.action.clone()
    }

    /// The message's `deviceid` (JSON) or `DEVICEID` (XML).
    ///
    /// @return `string|null` the device id, or null when the message has none
    #[php(name = "deviceId")]
    pub fn device_id(&self) -> Option<String> {
        self.device_id.clone()
    }

    /// `GLPI-Agent-ID` as a canonical lower-case UUID.
    ///
    /// @return `non-empty-string|null` the agent id, or null when the request has no `GLPI-Agent-ID`
    #[php(name = "agentId")]
    pub fn agent_id(&self) -> Option<String> {
        self.agent_id.map(|id| id.to_string())
    }

    /// `GLPI-Request-ID` when it is valid (8 upper-case hex digits); otherwise null.
    ///
    /// @return `non-empty-string|null` the request id, echoed in the answer
    #[php(name = "requestId")]
    pub fn request_id(&self) -> Option<String> {
        self.request_id.clone()
    }

    /// `GLPI-Proxy-ID`, first proxy first.
    ///
    /// @return `list<non-empty-string>` the proxies' agent ids, empty when the request came direct
    #[php(name = "proxyIds")]
    pub fn proxy_ids(&self) -> Vec<String> {
        self.proxy_ids.iter().map(ToString::to_string).collect()
    }

    /// Applies spec 3.2.7 to the request's `GLPI-Proxy-ID` chain, under the `max_proxies`
    /// it was decoded with: throws `ProtocolException` 404 `proxy-loop-detected` when
    /// `$own_id` (this server's or this proxy's agent id, if it has one) or the requesting
    /// agent is in the chain, or one proxy appears twice; 404 `too-many-proxy` when the
    /// chain is longer than `max_proxies`, or, with `$forwarding` (a proxy about to add
    /// its own id), when it has no room left.
    ///
    /// @param `string|null` $own_id this server's or this proxy's agent id, if it has one
    /// @param `bool` $forwarding true for a proxy about to add its own id to the chain
    /// @return `void`
    /// @throws `ProtocolException` 404 `proxy-loop-detected` or `too-many-proxy`
    /// @throws `\ValueError` when `$own_id` is not a UUID
    #[php(name = "checkProxyChain")]
    #[php(defaults(own_id = None, forwarding = false))]
    pub fn check_proxy_chain(&self, own_id: Option<String>, forwarding: bool) -> PhpResult<()> {
        let own = own_id
            .map(|id| {
                parse_id(id.as_bytes())
                    .map_err(|_| UsageError::new("checkProxyChain(): $own_id must be a UUID"))
            })
            .transpose()
            .php()?;
        let at = if forwarding {
            ChainCheck::Forwarding
        } else {
            ChainCheck::Receiving
        };
        check_proxy_chain(
            &self.proxy_ids,
            self.agent_id.as_ref(),
            own.as_ref(),
            self.max_proxies,
            at,
        )
        .php()
    }

    /// `GLPI-CryptoKey-ID`: whose session key the body is encrypted with.
    ///
    /// @return `non-empty-string|null` the key owner's agent id, or null for a plain request
    #[php(name = "cryptoKeyId")]
    pub fn crypto_key_id(&self) -> Option<String> {
        self.cryptokey_id.map(|id| id.to_string())
    }

    /// Whether the body came encrypted (and was opened with the `key` option); its answer
    /// is encrypted too.
    ///
    /// @return `bool` true for an encrypted request
    #[php(name = "isEncrypted")]
    pub fn is_encrypted(&self) -> bool {
        self.encryption.is_some()
    }

    /// For an encrypted request: its unique message id, to record until `messageKeepUntil()`
    /// so that a replay is refused; null for a plain request.
    ///
    /// @return `non-empty-string|null` 24 hex digits, or null for a plain request
    #[php(name = "messageId")]
    pub fn message_id(&self) -> Option<String> {
        self.encryption.as_ref().map(|e| e.message_id.clone())
    }

    /// Unix time until which `messageId()` must be remembered.
    ///
    /// @return `int|null` a Unix time, or null for a plain request
    #[php(name = "messageKeepUntil")]
    pub fn message_keep_until(&self) -> Option<i64> {
        self.encryption.as_ref().map(|e| e.keep_until as i64)
    }

    /// The whole JSON message, identical to `json_decode` of the plain JSON with the same
    /// `assoc`; null for XML.
    ///
    /// @return `array<array-key, mixed>|object|null` the message: an object, or an array with
    ///   `'assoc' => true`; null for an XML request
    pub fn content(&self) -> Zval {
        self.content
            .as_ref()
            .map(Zval::shallow_clone)
            .unwrap_or_default()
    }

    /// The plain bytes after decryption and decompression (XML converted to UTF-8).
    ///
    /// @return `string` the plain message text
    pub fn body(&self) -> Binary<u8> {
        Binary::from(self.body.clone())
    }

    /// Validates the request's message as `Inventory::validate()` does (same options): the
    /// JSON message, or a legacy XML inventory as `Inventory::fromXml()` converts it (whose
    /// refusals, a ProtocolException 400, it throws).
    ///
    /// @param `array{mode?: 'strict'|'lenient', tolerate_strings?: bool, max_violations?: positive-int,
    ///   schema?: string|null, extra_itemtypes?: list<string>, extra_properties?: array<string, mixed>,
    ///   extra_sub_properties?: array<string, array<string, mixed>>}|null` $options as for
    ///   `Inventory::validate()`
    /// @return `Validation` the verdict, the violations and, in lenient mode, the salvaged message
    /// @throws `\GlpiAgentProtocol\ProtocolException` 400 for a legacy XML inventory that
    ///   cannot be converted
    /// @throws `\ValueError` for an unknown option, an option of the wrong type, or a schema
    ///   that cannot be read or compiled
    pub fn validate(
        &self,
        options: Option<&ZendHashTable>,
    ) -> PhpResult<super::validation::Validation> {
        match &self.content {
            Some(content) => super::validation::validate_message(content, options),
            None => {
                let converted = super::converter::from_xml(&self.body, None)?;
                super::validation::validate_message(&converted, options)
            }
        }
    }

    /// The content type the request's message was sent with (inside the envelope when encrypted).
    ///
    /// @return `non-empty-string|null` the `Content-Type`, or null when the request had none
    #[php(name = "contentType")]
    pub fn content_type(&self) -> Option<String> {
        self.content_type.clone()
    }
}
