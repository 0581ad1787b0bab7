//! Server and agent REGISTER states (spec 6.2) from arbitrary bytes: never a panic,
//! never an error other than `challenge failed`, and only a genuine state opens.
#![no_main]

use glpi_agent_protocol::error::{Error, ProtocolError};
use glpi_agent_protocol::register;
use glpi_agent_protocol::secret::Token;
use libfuzzer_sys::fuzz_target;

// The known-answer vector of src/register/tests.rs; fuzz/seeds/register_state holds a
// server state and an agent state made with its secrets, so both success paths are
// reachable from the seeds.
const TOKEN: &str = "9f4c3b7e-1d2a-4e5f-8a6b-7c8d9e0f1a2b";
const AGENT: &str = "3a609a2e-947f-4e6a-9af9-32c024ac3944";
const ANSWER: &str = "27533acf-417d-83f3-3a2e-b2c0c2f9639a";
const FINAL: &str = "87936188-f5b7-8bcd-072a-86935fec8810";
const CRYPTO: &str = "38e4fa3d-d11c-c268-2eb8-2c54a5f7132c";
const NOW: u64 = 1_700_000_000;

fn only_challenge_failed(e: Error) {
    assert_eq!(e, Error::Protocol(ProtocolError::ChallengeFailed));
}

fuzz_target!(|data: &[u8]| {
    let token = Token::parse(TOKEN).unwrap();
    let _ = register::state_id(data);
    match register::verify(&token, data, ANSWER, 60, NOW) {
        Ok(v) => {
            assert_eq!(v.final_challenge, FINAL);
            assert_eq!(v.target_agent_id, AGENT);
            assert_eq!(register::state_id(data).as_deref(), Some(v.state_id.as_str()));
        }
        Err(e) => only_challenge_failed(e),
    }
    match register::finish(&token, data, FINAL, Some(CRYPTO)) {
        Ok(key) => assert_eq!(key.unwrap().as_bytes()[..], [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]),
        Err(e) => only_challenge_failed(e),
    }
});
