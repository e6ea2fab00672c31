//! An example to copy into your own crate: your app's login flow, tested in Rust.
//!
//! Each test describes what your users live through, with your backend's answers scripted.
//! `#[wasm_bindgen_test(unsupported = test)]` runs it under `wasm-bindgen-test` in wasm and
//! as a plain `#[test]` natively; the fake clock makes timeouts and backoff instant.

use std::cell::Cell;
use std::rc::Rc;

use mp_session::testing::{Harness, Response};
use mp_session::{Answer, ErrorCode, FailureToast, Options, Reply, Source, UserInfo};
use wasm_bindgen_test::wasm_bindgen_test;

const LOGIN_URL: &str = "https://api.example.com/auth/login";

/// Our backend: answers like production does, with a one-day token.
fn our_backend(_code: &str) -> Response {
    let answer = Answer::session("o-1")
        .with_unionid("u-1")
        .with_token("t")
        .with_expires_in(86400.0);
    Reply::ok(answer).into()
}

#[wasm_bindgen_test(unsupported = test)]
fn a_returning_user_opens_the_app_while_our_backend_is_down() {
    let mut app = Harness::new(Options::new(LOGIN_URL));
    app.set_backend(|_code| {
        Reply::ok(Answer::session("o-1").with_token("t").with_expires_in(86400.0)).into()
    });
    app.ensure().unwrap();

    app.restart();
    app.set_backend(|_code| Response::NetworkFailure);
    let session = app.ensure().unwrap();

    assert_eq!(session.source, Source::Cache);
    assert_eq!(app.counts().logins, 0);
}

#[wasm_bindgen_test(unsupported = test)]
fn the_home_page_and_the_profile_page_asking_at_launch_cost_one_login() {
    let mut app = Harness::new(Options::new(LOGIN_URL));
    app.set_backend(our_backend);

    let on_launch = app.start_ensure();
    let home_page = app.start_ensure();
    let profile_page = app.start_set_user_info(UserInfo {
        nick_name: Some("小明".into()),
        avatar_url: None,
    });
    app.run();

    for call in [on_launch, home_page, profile_page] {
        assert!(matches!(app.outcome(call), Some(Ok(_))));
    }
    assert_eq!(
        (app.counts().logins, app.counts().posts, app.counts().writes),
        (1, 1, 1)
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn when_our_backend_is_down_at_first_launch_users_see_one_toast_and_no_loop() {
    let mut app = Harness::new(Options {
        failure_toast: Some(FailureToast::Text("网络不佳，请稍后重试".into())),
        ..Options::new(LOGIN_URL)
    });
    let attempts = Rc::new(Cell::new(0));
    let seen = Rc::clone(&attempts);
    app.set_backend(move |_code| {
        seen.set(seen.get() + 1);
        Reply::unreadable(503).into()
    });

    let error = app.ensure().unwrap_err();

    assert_eq!((error.code(), error.is_retryable()), (ErrorCode::Backend, true));
    assert_eq!(attempts.get(), 3, "the first try and two retries, then it stops");
    assert_eq!(app.toasts().len(), 1);
}

#[wasm_bindgen_test(unsupported = test)]
fn our_token_is_refreshed_five_minutes_before_it_expires() {
    let mut app = Harness::new(Options::new(LOGIN_URL));
    app.set_backend(our_backend);
    app.ensure().unwrap();

    app.advance(86_400_000 - 5 * 60_000 - 1);
    assert_eq!(
        app.ensure().unwrap().source,
        Source::Login,
        "still the first session"
    );
    assert_eq!(app.counts().logins, 1);
    app.advance(1);
    app.ensure().unwrap();
    assert_eq!(app.counts().logins, 2);
}
