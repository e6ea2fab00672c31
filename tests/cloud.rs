//! WeChat cloud development: a cloud function in place of `wx.login` and the backend. The
//! function reads the user's openid from its own context, so no code is made; its result is
//! judged by the backend's rules.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_test::wasm_bindgen_test;

use mp_session::testing::{Harness, Response, START_MS};
use mp_session::{Answer, ErrorCode, Options, Reply, Source};

/// A mini-program whose login is the cloud function `login`, answering with the scripted
/// results in order, then a session. Counts the calls.
fn cloud_app(script: Vec<Response>) -> (Harness, Rc<RefCell<usize>>) {
    let mut app = Harness::new(Options {
        cloud_function: Some("login".into()),
        ..Options::default()
    });
    let calls = Rc::new(RefCell::new(0));
    let counted = Rc::clone(&calls);
    let mut script = script.into_iter();
    app.set_backend(move |code| {
        assert_eq!(code, "", "a cloud function is called with no code");
        *counted.borrow_mut() += 1;
        script
            .next()
            .unwrap_or_else(|| Reply::ok(Answer::session("o-cloud").with_expires_in(7200.0)).into())
    });
    (app, calls)
}

#[wasm_bindgen_test(unsupported = test)]
fn a_cold_launch_calls_the_function_once_and_no_wx_login() {
    let (mut app, calls) = cloud_app(vec![]);
    let session = app.ensure().unwrap();
    assert_eq!(
        (session.openid.as_deref().unwrap_or_default(), session.source),
        ("o-cloud", Source::Login)
    );
    assert_eq!(session.token, None);
    assert_eq!(session.expires_at, START_MS + 7_200_000);
    assert_eq!(*calls.borrow(), 1);
    let counts = app.counts();
    assert_eq!((counts.logins, counts.writes), (0, 1));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_warm_launch_calls_nothing() {
    let (mut app, calls) = cloud_app(vec![]);
    app.ensure().unwrap();
    app.restart();
    let session = app.ensure().unwrap();
    assert_eq!(
        (session.openid.as_deref().unwrap_or_default(), session.source),
        ("o-cloud", Source::Cache)
    );
    assert_eq!(*calls.borrow(), 1);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_failed_call_is_retried_by_the_backend_rules() {
    let (mut app, calls) = cloud_app(vec![
        Response::NetworkFailure,
        Reply::ok(Answer::errcode(-1)).into(),
    ]);
    assert_eq!(app.ensure().unwrap().openid.as_deref(), Some("o-cloud"));
    assert_eq!(*calls.borrow(), 3);

    let (mut app, calls) = cloud_app(vec![Response::NetworkFailure; 3]);
    let error = app.ensure().unwrap_err();
    assert_eq!((error.code(), error.is_retryable()), (ErrorCode::Network, true));
    assert_eq!(*calls.borrow(), 3, "the first call and maxRetries (2) more");
    assert!(app.stored_record().is_none());
}

#[wasm_bindgen_test(unsupported = test)]
fn a_function_that_never_answers_times_out_and_is_retried() {
    let (mut app, calls) = cloud_app(vec![Response::NoAnswer]);
    assert_eq!(app.ensure().unwrap().openid.as_deref(), Some("o-cloud"));
    assert_eq!(*calls.borrow(), 2);
}

#[wasm_bindgen_test(unsupported = test)]
fn errcodes_in_the_result_follow_the_contract() {
    // A code rejected (40029): called once more, then it fails.
    let (mut app, calls) = cloud_app(vec![
        Reply::ok(Answer::errcode(40029)).into(),
        Reply::ok(Answer::errcode(40029)).into(),
    ]);
    let error = app.ensure().unwrap_err();
    assert_eq!(error.errcode(), Some(40029));
    assert_eq!(*calls.borrow(), 2);

    // A result with no openid is no session.
    let (mut app, _) = cloud_app(vec![Reply::ok(Answer::default()).into()]);
    assert!(app.ensure().is_err());
}

#[wasm_bindgen_test(unsupported = test)]
fn calls_at_once_share_one_function_call() {
    let (mut app, calls) = cloud_app(vec![]);
    let started: Vec<_> = (0..20).map(|_| app.start_ensure()).collect();
    app.run();
    for call in started {
        assert!(app.outcome(call).is_some_and(Result::is_ok));
    }
    assert_eq!(*calls.borrow(), 1);
}

#[wasm_bindgen_test(unsupported = test)]
fn logout_during_the_call_ends_it_and_nothing_is_stored() {
    let (mut app, _) = cloud_app(vec![Response::NoAnswer]);
    let waiting = app.start_ensure();
    app.step();
    app.logout().unwrap();
    assert_eq!(
        app.outcome(waiting)
            .and_then(|r| r.as_ref().err())
            .map(|e| e.code()),
        Some(ErrorCode::LoggedOut)
    );
    assert!(app.stored_record().is_none());
}
