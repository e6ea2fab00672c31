//! The backend's answer to the login POST: any status, any bytes as the body, and half the time
//! a `Retry-After` of up to 18 hours (the first two bytes). What JavaScript
//! describes of what `JSON.parse` made of it, the core judges as the reference does, never
//! panics over, and whatever it stores is a well-formed record.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mp_session::testing::script;
use mp_session::{Answer, Effect, Input, Reply, ReplyBody, Standing};

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let raw = u16::from_le_bytes(*status);
    let status = raw % 700;
    let retry_after_ms = (raw & 1 == 1).then_some(u64::from(raw) * 1000);
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    let value = common::parsed(text).filter(|_| !common::too_deep(text));
    let body = script::reply_body(value.as_ref(), text.encode_utf16().count());
    if let Some(value) = &value {
        let written = common::stringify(value);
        match (&body, common::reference::<Answer>(&written)) {
            (ReplyBody::Answer(a), Some(b)) => {
                assert!(
                    common::answers_agree(a, &b),
                    "the decoders disagree: {a:?} / {b:?}"
                );
            }
            (ReplyBody::Unreadable, None) | (ReplyBody::TooLarge, _) => {}
            (ReplyBody::Unreadable, Some(_)) if common::user_info_as_array(value) => {}
            // Beyond what the slots hold the core reads no entries, where serde reads any width.
            (ReplyBody::Unreadable, Some(_)) if !common::answer_fits(value) => {}
            (ours, theirs) => panic!("the decoders disagree: {ours:?} / {theirs:?}"),
        }
    }
    let (mut machine, op) = common::machine_waiting_for_answer();
    machine.handle(
        common::NOW,
        Input::PostResult {
            op,
            result: Ok(Reply {
                status,
                body,
                retry_after_ms,
            }),
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
