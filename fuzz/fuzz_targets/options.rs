//! The options object of `createSession`, as any JSON: checking it must never panic, and a
//! config it accepts must give a working machine.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mp_session::decode::decode_object;
use mp_session::{Config, Input, Machine, Options};

fuzz_target!(|data: &[u8]| {
    let Ok(options) = decode_object::<Options, _>(&mut serde_json::Deserializer::from_slice(data)) else {
        return;
    };
    let Ok(config) = Config::from_options(options) else {
        return;
    };
    assert!(config.timeout_ms() >= 100 && config.timeout_ms() <= 60_000);
    assert!(!config.allowed_origins().is_empty());
    let url = config.login_url().to_owned();
    let mut machine = Machine::new(config, [3; 16]);
    machine.handle(common::NOW, Input::Request { call: 1, url });
    machine.handle(common::NOW, Input::Ensure { call: 2 });
    common::drain(&mut machine, common::NOW);
});
