//! The options object of `createSession`, as any JSON: checking it must never panic, and a
//! config it accepts must give a working machine.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mp_session::{codec, Config, Input, Machine, Options};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ours = codec::options(text).ok();
    if !common::too_deep(text) {
        let theirs = common::reference::<Options>(text);
        let stricter = ours.is_none() && common::lone_surrogate_escape(text);
        assert!(
            ours.is_some() == theirs.is_some() || stricter,
            "the decoders disagree"
        );
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
    let url = config.login_url().unwrap_or("https://api.example.com/orders").to_owned();
    let mut machine = Machine::new(config, [3; 16]);
    machine.handle(common::NOW, Input::Request { call: 1, url });
    machine.handle(common::NOW, Input::Ensure { call: 2 });
    common::drain(&mut machine, common::NOW);
});
