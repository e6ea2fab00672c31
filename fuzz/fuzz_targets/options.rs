//! The options object of `createSession`, as any JSON: checking it must never panic, and a
//! config it accepts must give a working machine.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mp_session::testing::script;
use mp_session::{Config, Input, Machine, Options};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(value) = common::parsed(text).filter(|_| !common::too_deep(text)) else {
        return;
    };
    let ours = script::options(&value).ok();
    // Beyond what the slots hold the core reads no entries, where serde reads any width.
    if common::fits(&value) {
        let theirs = common::reference::<Options>(&common::stringify(&common::without_shim_options(&value)));
        assert!(ours.is_some() == theirs.is_some(), "the decoders disagree");
        if let (Some(a), Some(b)) = (&ours, &theirs) {
            assert_eq!(
                (&a.login_url, &a.namespace, &a.failure_toast),
                (&b.login_url, &b.namespace, &b.failure_toast)
            );
            assert_eq!(
                (&a.token_header, &a.allowed_origins),
                (&b.token_header, &b.allowed_origins)
            );
            assert_eq!((&a.cloud_function, &a.platform), (&b.cloud_function, &b.platform));
            assert_eq!(a.background_fetch_token, b.background_fetch_token);
            assert!(common::close(a.timeout_ms, b.timeout_ms) && common::close(a.max_retries, b.max_retries));
            assert!(common::close(a.leeway_seconds, b.leeway_seconds));
            assert!(common::close(a.default_ttl_seconds, b.default_ttl_seconds));
        }
    }
    let Some(options) = ours else {
        return;
    };
    let Ok(config) = Config::from_options(options) else {
        return;
    };
    assert!(config.timeout_ms() >= 100 && config.timeout_ms() <= 60_000);
    // A loginUrl's origin is allowed by default; a cloud function has no origin to allow.
    assert!(!config.allowed_origins().is_empty() || config.login_url().is_none());
    let url = config
        .login_url()
        .unwrap_or("https://api.example.com/orders")
        .to_owned();
    let mut machine = Machine::new(config, [3; 16]);
    machine.handle(common::NOW, Input::Request { call: 1, url });
    machine.handle(common::NOW, Input::Ensure { call: 2 });
    common::drain(&mut machine, common::NOW);
});
