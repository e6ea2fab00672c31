//! When the login fails: which failures are retried, how long the waits are, what is kept.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_test::wasm_bindgen_test;

use mp_session::testing::{Harness, LoginMode, Response, START_MS};
use mp_session::{
    Answer, ErrorCode, Options, Reply, Source, BACKOFF_BASE_MS, BACKOFF_CAP_MS, PLATFORM_GRACE_MS,
};

const HOUR_MS: u64 = 3_600_000;

/// A backend that gives the scripted responses in order, then a session for every code.
fn app_with_backend(script: Vec<Response>) -> (Harness, Rc<RefCell<Vec<String>>>) {
    let mut app = Harness::new(Options::new("https://api.example.com/auth/login"));
    let seen = Rc::new(RefCell::new(Vec::new()));
    let log = Rc::clone(&seen);
    let mut script = script.into_iter();
    app.set_backend(move |code| {
        log.borrow_mut().push(code.to_owned());
        script.next().unwrap_or_else(|| {
            Reply::ok(Answer::session("o-bob").with_token("tok").with_expires_in(7200.0)).into()
        })
    });
    (app, seen)
}

fn errcode(code: i64) -> Response {
    Reply::ok(Answer::errcode(code)).into()
}

#[wasm_bindgen_test(unsupported = test)]
fn retryable_failures_are_retried_with_a_fresh_code_each_time() {
    let retryable = [
        ("network failure", Response::NetworkFailure),
        ("http 500", Reply::unreadable(500).into()),
        ("http 503", Reply::with_status(503, Answer::default()).into()),
        ("errcode -1", errcode(-1)),
        ("errcode 45011", errcode(45011)),
        ("no answer", Response::NoAnswer),
    ];
    for (case, failure) in retryable {
        let (mut app, codes) = app_with_backend(vec![failure.clone(), failure]);

        let session = app.ensure().unwrap_or_else(|e| panic!("{case}: {e}"));

        assert_eq!(session.openid.as_deref(), Some("o-bob"), "{case}");
        assert_eq!(*codes.borrow(), ["code-1", "code-2", "code-3"], "{case}");
        assert_eq!((app.counts().logins, app.counts().writes), (3, 1), "{case}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn retries_stop_at_max_retries_with_a_typed_retryable_error_and_nothing_written() {
    let (mut app, codes) = app_with_backend(vec![Reply::unreadable(502).into(); 3]);

    let error = app.ensure().unwrap_err();

    assert_eq!(
        (error.code(), error.status(), error.is_retryable()),
        (ErrorCode::Backend, Some(502), true)
    );
    assert_eq!(
        codes.borrow().len(),
        3,
        "the first try and maxRetries = 2 retries"
    );
    assert_eq!(app.counts().writes, 0);
    assert!(app.stored_record().is_none());
}

#[wasm_bindgen_test(unsupported = test)]
fn backoff_waits_grow_and_are_skipped_instantly_by_the_fake_clock() {
    let mut app = Harness::new(Options {
        max_retries: Some(6.0),
        ..Options::new("https://api.example.com/auth/login")
    });
    let times = Rc::new(RefCell::new(Vec::new()));
    let log = Rc::clone(&times);
    let clock = Rc::new(RefCell::new(0u64));
    let now = Rc::clone(&clock);
    app.set_backend(move |_| {
        log.borrow_mut().push(*now.borrow());
        Response::NetworkFailure
    });
    // The backend closure cannot see the harness clock, so record it from outside each step.
    let call = app.start_ensure();
    while app.outcome(call).is_none() {
        *clock.borrow_mut() = app.now();
        assert!(app.step());
    }

    let times = times.borrow();
    assert_eq!(times.len(), 7);
    let waits: Vec<u64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    for (i, wait) in waits.iter().enumerate() {
        let full = (500u64 << i).min(u64::from(BACKOFF_CAP_MS));
        assert!(
            *wait >= full / 2 && *wait <= full,
            "wait {i} was {wait} ms, expected {}..={full}",
            full / 2
        );
    }
    assert_eq!(
        app.outcome(call).unwrap().as_ref().unwrap_err().code(),
        ErrorCode::Network
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn a_rejected_code_gets_one_fresh_code_then_succeeds() {
    for rejected in [40029, 40163] {
        let (mut app, codes) = app_with_backend(vec![errcode(rejected)]);

        assert_eq!(app.ensure().unwrap().openid.as_deref(), Some("o-bob"));
        assert_eq!(*codes.borrow(), ["code-1", "code-2"]);
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn a_rejected_fresh_code_is_a_failure_not_a_loop() {
    let (mut app, codes) = app_with_backend(vec![errcode(40029), errcode(40163), errcode(40029)]);

    let error = app.ensure().unwrap_err();

    assert_eq!(
        (error.code(), error.errcode(), error.is_retryable()),
        (ErrorCode::Backend, Some(40163), false)
    );
    assert_eq!(*codes.borrow(), ["code-1", "code-2"]);
}

#[wasm_bindgen_test(unsupported = test)]
fn permanent_failures_fail_at_once() {
    let permanent = [
        ("high-risk user", errcode(40226), ErrorCode::Backend),
        ("unknown errcode", errcode(99999), ErrorCode::Backend),
        (
            "http 400",
            Reply::with_status(400, Answer::default()).into(),
            ErrorCode::Backend,
        ),
        ("http 403", Reply::unreadable(403).into(), ErrorCode::Backend),
        (
            "2xx without openid",
            Reply::ok(Answer::default().with_token("t")).into(),
            ErrorCode::BadResponse,
        ),
        (
            "2xx not JSON",
            Reply::unreadable(200).into(),
            ErrorCode::BadResponse,
        ),
        (
            "negative expiry",
            Reply::ok(Answer::session("o").with_expires_in(-1.0)).into(),
            ErrorCode::BadResponse,
        ),
    ];
    for (case, failure, code) in permanent {
        let (mut app, codes) = app_with_backend(vec![failure]);

        let error = app.ensure().unwrap_err();

        assert_eq!((error.code(), error.is_retryable()), (code, false), "{case}");
        assert_eq!(codes.borrow().len(), 1, "{case}");
        assert_eq!(app.counts().writes, 0, "{case}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn wx_login_failures_and_silence_are_retried_then_reported() {
    for (mode, code) in [
        (LoginMode::Fail, ErrorCode::LoginFailed),
        (LoginMode::NoAnswer, ErrorCode::Timeout),
    ] {
        let (mut app, codes) = app_with_backend(vec![]);
        app.set_login(mode);

        let error = app.ensure().unwrap_err();

        assert_eq!((error.code(), error.is_retryable()), (code, true), "{mode:?}");
        assert_eq!(app.counts().logins, 3, "{mode:?}");
        assert!(codes.borrow().is_empty(), "{mode:?}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn a_request_that_never_answers_times_out_after_timeout_ms() {
    let (mut app, _) = app_with_backend(vec![Response::NoAnswer]);
    let call = app.start_ensure();
    app.step(); // wx.login answers
    let posted_at = app.now();
    app.step(); // the backend swallows the request
    app.step(); // the clock reaches the timeout

    assert_eq!(app.now() - posted_at, 10_000);
    assert!(app.outcome(call).is_none(), "a timeout is retried");
    app.run();
    assert!(matches!(app.outcome(call), Some(Ok(_))));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_wx_login_that_timed_out_is_surely_over_before_the_next_one_starts() {
    let (mut app, _) = app_with_backend(vec![]);
    app.set_login(LoginMode::NoAnswer);
    let call = app.start_ensure();
    let started = app.now();
    app.step(); // wx.login is called, and never answers
    app.step(); // the clock reaches timeoutMs: the attempt has timed out
    assert_eq!(app.now() - started, 10_000);

    // wx.login was given timeoutMs and the grace: the retry waits for it, however short the
    // backoff.
    app.advance(u64::from(PLATFORM_GRACE_MS) - 1);
    assert_eq!(
        app.counts().logins,
        1,
        "no second wx.login while the first may be under way"
    );
    app.advance(1);
    assert_eq!(app.counts().logins, 2);
    app.set_login(LoginMode::Codes);
    app.run();
    assert!(matches!(app.outcome(call), Some(Ok(_))));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_clock_moved_back_does_not_stretch_a_wait() {
    let (mut app, _) = app_with_backend(vec![Response::NoAnswer]);
    let call = app.start_ensure();
    app.step(); // wx.login answers
    app.step(); // the backend swallows the request
    app.set_clock(app.now() - 24 * HOUR_MS); // the user sets the phone's clock a day back

    app.advance(10_000 + u64::from(BACKOFF_BASE_MS)); // the timeout, then the first backoff

    assert_eq!(
        app.counts().logins,
        2,
        "the request timed out after timeoutMs, and a retry began"
    );
    app.run();
    assert!(matches!(app.outcome(call), Some(Ok(_))));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_failed_refresh_keeps_and_returns_the_still_valid_session() {
    let (mut app, _) = app_with_backend(vec![]);
    app.ensure().unwrap();
    app.set_backend(|_| Reply::unreadable(503).into());
    app.advance(2 * HOUR_MS - 60_000); // inside the leeway, not expired

    let session = app.ensure().unwrap();

    assert_eq!(session.openid.as_deref(), Some("o-bob"));
    assert_eq!(session.expires_at, START_MS + 2 * HOUR_MS);
    assert_eq!(app.stored_record().unwrap().expires_at, START_MS + 2 * HOUR_MS);
    assert_eq!(app.counts().logins, 4);
    assert!(
        app.toasts().is_empty(),
        "the app still has a session: no failure to show"
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn a_failure_toast_is_shown_once_per_failed_login_when_configured() {
    let mut app = Harness::new(Options {
        failure_toast: Some(mp_session::FailureToast::Text("登录失败".into())),
        max_retries: Some(0.0),
        ..Options::new("https://api.example.com/auth/login")
    });
    app.set_backend(|_| Reply::unreadable(500).into());
    let calls: Vec<_> = (0..5).map(|_| app.start_ensure()).collect();
    app.run();

    assert!(calls.iter().all(|c| matches!(app.outcome(*c), Some(Err(_)))));
    assert_eq!(app.toasts(), ["登录失败"]);
}

#[wasm_bindgen_test(unsupported = test)]
fn after_a_final_failure_the_next_call_starts_a_new_login() {
    let (mut app, codes) = app_with_backend(vec![Reply::unreadable(500).into(); 3]);
    app.ensure().unwrap_err();

    let session = app.ensure().unwrap();

    assert_eq!(session.source, Source::Login);
    assert_eq!(codes.borrow().len(), 4);
}

/// A `429` whose `Retry-After` a backoff covers: waited out, then tried again with a fresh
/// code; the backend's words are kept on the way.
#[wasm_bindgen_test(unsupported = test)]
fn a_429_is_retried_after_its_retry_after() {
    for (case, limited) in [
        (
            "429, Retry-After 3",
            Reply::with_status(429, Answer::default()).with_retry_after(3),
        ),
        ("503, Retry-After 3", Reply::unreadable(503).with_retry_after(3)),
    ] {
        let mut app = Harness::new(Options::new("https://api.example.com/auth/login"));
        let times = Rc::new(RefCell::new(Vec::new()));
        let (log, clock) = (Rc::clone(&times), Rc::new(RefCell::new(0u64)));
        let now = Rc::clone(&clock);
        let mut script = vec![limited.into()].into_iter();
        app.set_backend(move |_| {
            log.borrow_mut().push(*now.borrow());
            script
                .next()
                .unwrap_or_else(|| Reply::ok(Answer::session("o-bob").with_token("tok")).into())
        });
        let call = app.start_ensure();
        while app.outcome(call).is_none() {
            *clock.borrow_mut() = app.now();
            assert!(app.step(), "{case}");
        }
        assert!(app.outcome(call).unwrap().is_ok(), "{case}");
        let times = times.borrow();
        assert_eq!(times.len(), 2, "{case}");
        assert!(
            times[1] - times[0] >= 3_000,
            "{case}: retried after {} ms",
            times[1] - times[0]
        );
    }
}

/// A `Retry-After` longer than any backoff ends the login at once (no call waits a minute),
/// and until it has passed a login fails without a request: an app that calls `ensure()` in
/// a loop sends nothing.
#[wasm_bindgen_test(unsupported = test)]
fn a_long_retry_after_ends_the_login_and_holds_the_next_ones_off() {
    let limited = Reply::with_status(429, Answer::default()).with_retry_after(60);
    let (mut app, codes) = app_with_backend(vec![limited.into()]);

    let started = app.now();
    let error = app.ensure().unwrap_err();
    assert_eq!(
        (error.code(), error.status(), error.is_retryable()),
        (ErrorCode::Backend, Some(429), true)
    );
    assert!(app.now() - started < 1_000, "failed at once, not after the wait");
    for _ in 0..5 {
        let again = app.ensure().unwrap_err();
        assert_eq!((again.code(), again.status()), (ErrorCode::Backend, Some(429)));
    }
    assert_eq!(
        *codes.borrow(),
        ["code-1"],
        "no login while the backend asks to wait"
    );
    assert_eq!(app.counts().logins, 1);

    app.advance(60_000);
    assert_eq!(app.ensure().unwrap().openid.as_deref(), Some("o-bob"));
    assert_eq!(*codes.borrow(), ["code-1", "code-2"]);
}

/// The phone's clock set back an hour while a `Retry-After` holds logins off: the wait keeps
/// its length, it does not become an hour longer.
#[wasm_bindgen_test(unsupported = test)]
fn a_retry_after_keeps_its_length_when_the_clock_moves_back() {
    let limited = Reply::with_status(429, Answer::default()).with_retry_after(60);
    let (mut app, codes) = app_with_backend(vec![limited.into()]);
    assert!(app.ensure().is_err());

    let back = app.now() - HOUR_MS;
    app.set_clock(back);
    assert!(app.ensure().is_err(), "still held off just after the clock moved");
    app.advance(60_000);
    assert_eq!(app.ensure().unwrap().openid.as_deref(), Some("o-bob"));
    assert_eq!(*codes.borrow(), ["code-1", "code-2"]);
}
