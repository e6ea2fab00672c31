//! The backend's answer to the login POST: any status, any bytes as the body. Decoding and
//! judging it must never panic, and whatever is stored must be a well-formed record.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mp_session::decode::decode_object;
use mp_session::{Answer, Effect, Input, Reply, ReplyBody, Standing};

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let status = u16::from_le_bytes(*status) % 700;
    let body = match decode_object::<Answer, _>(&mut serde_json::Deserializer::from_slice(body)) {
        Ok(answer) => ReplyBody::Answer(answer),
        Err(_) => ReplyBody::Unreadable,
    };
    let (mut machine, op) = common::machine_waiting_for_answer();
    machine.handle(
        common::NOW,
        Input::PostResult {
            op,
            result: Ok(Reply { status, body }),
        },
    );
    while let Some(effect) = machine.poll_effect() {
        if let Effect::WriteSession { record, .. } = effect {
            assert_ne!(
                record.standing(common::NOW, 0),
                Standing::Invalid,
                "stored an invalid record"
            );
        }
    }
});
