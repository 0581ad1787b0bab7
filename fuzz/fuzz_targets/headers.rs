//! Header values from arbitrary bytes: UUIDs, proxy lists and request ids never panic, and
//! whatever parses writes back to text that parses to the same value.
#![no_main]

use glpi_agent_protocol::headers::{self, ChainCheck, Headers};
use glpi_agent_protocol::uuid::{parse_id, UUID_TEXT_LEN};
use glpi_agent_protocol::{Limits, ProtocolError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(id) = parse_id(data) {
        let mut buf = [0u8; UUID_TEXT_LEN];
        let text = glpi_agent_protocol::uuid::write_id(&id, &mut buf);
        assert_eq!(text.as_bytes(), data.to_ascii_lowercase().as_slice());
        assert_eq!(parse_id(text.as_bytes()), Ok(id));
        let mut secret = [0u8; 16];
        glpi_agent_protocol::uuid::secret::decode(data, &mut secret).unwrap();
        assert_eq!(&secret, id.as_bytes());
    }

    let text = String::from_utf8_lossy(data);
    let limits = Limits::default();
    match headers::parse_proxy_ids(&text, limits.max_proxies) {
        Ok(chain) => {
            assert!(chain.len() <= limits.max_proxies as usize);
            let again = headers::format_proxy_ids(&chain);
            assert_eq!(headers::parse_proxy_ids(&again, limits.max_proxies), Ok(chain.clone()));
            if let Some(first) = chain.first() {
                assert_eq!(
                    headers::check_proxy_chain(
                        &chain,
                        None,
                        Some(first),
                        limits.max_proxies,
                        ChainCheck::Receiving
                    ),
                    Err(ProtocolError::ProxyLoopDetected)
                );
            }
        }
        Err(e) => assert!(matches!(e, ProtocolError::BadProxyId | ProtocolError::TooManyProxy)),
    }

    if let Some(id) = headers::parse_request_id(&text) {
        assert_eq!(id.len(), 8);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_lowercase()));
    }

    // The same bytes as name/value pairs, split at NUL and '=' bytes, in both PHP shapes.
    let pairs: Vec<(&[u8], &[u8])> = data
        .split(|&b| b == 0)
        .map(|p| match p.iter().position(|&b| b == b'=') {
            Some(i) => (&p[..i], &p[i + 1..]),
            None => (p, &b""[..]),
        })
        .collect();
    for hs in [Headers::from_fields(pairs.iter().copied()), Headers::from_cgi(pairs.iter().copied())] {
        let _ = hs.agent_id();
        let _ = hs.request_id();
        let _ = hs.crypto_key_id();
        let _ = hs.proxy_ids(&limits);
        let _ = hs.authorization();
        let _ = format!("{hs:?}");
    }
});
