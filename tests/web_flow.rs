//! The web flow in the core (the same core as every build's; a web page is a `Platform`):
//! codes from the OAuth redirect, posted as `"web"`, and a code whose `state` did not match is
//! never posted.

use std::cell::RefCell;
use std::rc::Rc;

use mp_session::testing::{Harness, LoginMode};
use mp_session::{
    Answer, Config, Effect, ErrorCode, Input, LoginResult, Machine, Options, Platform, Refusal, Reply,
    Secret, Source, StoredSession,
};
use wasm_bindgen_test::wasm_bindgen_test;

fn page() -> Harness {
    let config = Config::from_options(Options::new("https://api.example.com/auth/login"))
        .unwrap()
        .for_platform(Platform::Web);
    Harness::with_config(config)
}

#[wasm_bindgen_test(unsupported = test)]
fn a_code_from_the_redirect_is_posted_as_web() {
    let mut page = page();
    let codes = Rc::new(RefCell::new(Vec::new()));
    let seen = Rc::clone(&codes);
    page.set_backend(move |code| {
        seen.borrow_mut().push(code.to_owned());
        Reply::ok(Answer::session("oa-1").with_unionid("u-1")).into()
    });

    let session = page.ensure().unwrap();

    assert_eq!(
        (
            session.openid.as_deref().unwrap_or_default(),
            session.unionid.as_deref(),
            session.source
        ),
        ("oa-1", Some("u-1"), Source::Login)
    );
    assert_eq!(codes.borrow().len(), 1);
}

#[wasm_bindgen_test(unsupported = test)]
fn the_login_request_says_platform_web() {
    let config = Config::from_options(Options::new("https://api.example.com/auth/login")).unwrap();
    let mut machine = Machine::new(config.for_platform(Platform::Web), [1; 16]);
    machine.handle(1, Input::Ensure { call: 1 });
    let mut platform = None;
    for _ in 0..3 {
        while let Some(effect) = machine.poll_effect() {
            match effect {
                Effect::ReadSession { op, .. } => machine.handle(
                    1,
                    Input::SessionRead {
                        op,
                        found: StoredSession::Absent,
                    },
                ),
                Effect::Login { op, .. } => machine.handle(
                    1,
                    Input::LoginResult {
                        op,
                        result: LoginResult::Code(Secret::new("c")),
                    },
                ),
                Effect::PostCode { body, .. } => platform = Some(body.platform),
                _ => {}
            }
        }
    }
    assert_eq!(platform, Some("web"));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_code_with_a_wrong_state_fails_at_once_and_is_never_posted() {
    let mut page = page();
    page.set_login(LoginMode::Refused(Refusal::StateMismatch));

    let error = page.ensure().unwrap_err();

    assert_eq!(
        (error.code(), error.is_retryable()),
        (ErrorCode::StateMismatch, false)
    );
    assert_eq!(
        (page.counts().logins, page.counts().posts, page.counts().writes),
        (1, 0, 0)
    );
    assert!(page.codes_posted().is_empty());
}

#[wasm_bindgen_test(unsupported = test)]
fn a_declined_authorization_is_a_login_failure_without_retries() {
    let mut page = page();
    page.set_login(LoginMode::Refused(Refusal::Declined));

    let error = page.ensure().unwrap_err();

    assert_eq!(
        (error.code(), error.is_retryable()),
        (ErrorCode::LoginFailed, false)
    );
    assert_eq!(page.counts().logins, 1);
}
