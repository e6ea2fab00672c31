//! Whatever storage holds under the session key, at any time: what JavaScript describes of
//! it, the core judges as the reference does, never panics over, and a launch from it
//! either uses an unexpired session or logs in.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mp_session::testing::script;
use mp_session::{Config, Effect, Input, Machine, Options, Record, Settled, StoredSession};

fuzz_target!(|data: &[u8]| {
    let Some((clock, json)) = data.split_first_chunk::<8>() else {
        return;
    };
    let now = u64::from_le_bytes(*clock) >> 12;
    let Ok(text) = std::str::from_utf8(json) else {
        return;
    };
    let Some(value) = common::parsed(text).filter(|_| !common::too_deep(text)) else {
        return;
    };
    let found = script::stored_session(&value);
    let written = common::stringify(&value);
    match (&found, common::reference::<Record>(&written)) {
        // Beyond what the slots hold the core reads no entries, where serde reads any width.
        (StoredSession::Unreadable, Some(_)) if !common::fits(&value) => {}
        (StoredSession::Found(ours), Some(theirs)) => assert_eq!(ours, &theirs),
        (StoredSession::Absent, None) => assert!(matches!(written.as_str(), "null" | "\"\"")),
        (StoredSession::Unreadable, None) => {}
        (StoredSession::Unreadable, Some(_)) if common::user_info_as_array(&value) => {}
        (ours, theirs) => panic!("the decoders disagree: {ours:?} / {theirs:?}"),
    }
    let config = Config::from_options(Options::new("https://api.example.com/login")).expect("valid");
    let mut machine = Machine::new(config, [2; 16]);
    machine.handle(now, Input::Ensure { call: 1 });
    while let Some(effect) = machine.poll_effect() {
        match effect {
            Effect::ReadSession { op, .. } => machine.handle(
                now,
                Input::SessionRead {
                    op,
                    found: found.clone(),
                },
            ),
            Effect::Settle {
                result: Ok(Settled::Session(session)),
                ..
            } => {
                let someone =
                    session.openid.as_ref().is_some_and(|o| !o.is_empty()) || session.user_id.is_some();
                assert!(now < session.expires_at && someone);
            }
            _ => {}
        }
    }
    let _ = machine.current(now);
    common::drain(&mut machine, now);
});
