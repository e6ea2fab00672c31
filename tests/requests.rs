//! The app's own requests: the token they carry, where it may go, how many run at once, and
//! the one shared re-login after a rejected session. No loops, ever.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use mp_session::testing::{ApiRequest, ApiResponse, Harness};
use mp_session::{
    Answer, AnswerOptions, ErrorCode, LoginOptions, Options, Reply, TokenCarrier, MAX_REQUESTS_IN_FLIGHT,
};
use wasm_bindgen_test::wasm_bindgen_test;

const API: &str = "https://api.example.com/v1/orders";

fn app() -> Harness {
    let mut app = Harness::new(Options::new("https://api.example.com/auth/login"));
    app.set_backend(|code| Reply::ok(Answer::session("o-1").with_token(format!("tok-{code}"))).into());
    app
}

/// An API that answers `status` to every request and keeps the token header of the last.
fn header_sent(app: &mut Harness, status: u16) -> Rc<RefCell<Option<(String, String)>>> {
    let seen = Rc::new(RefCell::new(None));
    let log = Rc::clone(&seen);
    app.set_api(move |request| {
        *log.borrow_mut() = request.header.clone();
        ApiResponse::Status(status)
    });
    seen
}

/// A backend that accepts only the tokens in `valid` and records every request.
fn api_accepting(app: &mut Harness, valid: Rc<RefCell<BTreeSet<String>>>) -> Rc<RefCell<Vec<ApiRequest>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let log = Rc::clone(&seen);
    app.set_api(move |request| {
        log.borrow_mut().push(request.clone());
        let token = request
            .header
            .as_ref()
            .map(|(_, v)| v.trim_start_matches("Bearer ").to_owned());
        match token {
            Some(token) if valid.borrow().contains(&token) => ApiResponse::Status(200),
            _ => ApiResponse::Status(401),
        }
    });
    seen
}

#[wasm_bindgen_test(unsupported = test)]
fn a_request_waits_for_the_session_and_carries_its_token() {
    let mut app = app();
    let seen = api_accepting(
        &mut app,
        Rc::new(RefCell::new(BTreeSet::from(["tok-code-1".to_owned()]))),
    );

    assert_eq!(app.request(API), Ok(200));

    let seen = seen.borrow();
    assert_eq!(seen[0].url, API);
    assert_eq!(
        seen[0].header,
        Some(("Authorization".to_owned(), "Bearer tok-code-1".to_owned()))
    );
    assert_eq!((app.counts().logins, app.counts().sends), (1, 1));
}

#[wasm_bindgen_test(unsupported = test)]
fn token_header_puts_the_bare_token_in_another_header() {
    let mut app = Harness::new(Options {
        token_header: Some("X-Session".into()),
        ..Options::new("https://api.example.com/auth/login")
    });
    let seen = header_sent(&mut app, 204);

    assert_eq!(app.request(API), Ok(204));
    let header = seen.borrow().clone().unwrap();
    assert_eq!(header.0, "X-Session");
    assert!(header.1.starts_with("token-for-code-"), "{header:?}");
}

#[wasm_bindgen_test(unsupported = test)]
fn the_token_never_goes_to_another_origin_or_over_plain_http() {
    let mut app = app();
    for url in [
        "https://evil.example.net/steal",
        "https://api.example.com.evil.net/",
        "http://api.example.com/v1/orders",
        "https://api.example.com:8443/v1",
        "not a url",
    ] {
        let error = app.request(url).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidArgument, "{url}");
    }
    assert_eq!((app.counts().logins, app.counts().sends), (0, 0));
}

#[wasm_bindgen_test(unsupported = test)]
fn allowed_origins_names_every_origin_that_may_receive_the_token() {
    let mut app = Harness::new(Options {
        allowed_origins: Some(vec![
            "https://api.example.com".into(),
            "https://files.example.com".into(),
        ]),
        ..Options::new("https://api.example.com/auth/login")
    });
    assert_eq!(app.request("https://files.example.com/upload"), Ok(200));
    assert_eq!(app.request("https://api.example.com:443/v1"), Ok(200));
    assert_eq!(
        app.request("https://other.example.com/").unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn a_rejected_session_is_replaced_by_one_login_and_the_request_retried_once() {
    let mut app = app();
    let valid = Rc::new(RefCell::new(BTreeSet::from(["tok-code-1".to_owned()])));
    let seen = api_accepting(&mut app, Rc::clone(&valid));
    app.ensure().unwrap();
    // The backend forgets the first token and will accept the next one.
    *valid.borrow_mut() = BTreeSet::from(["tok-code-2".to_owned()]);

    assert_eq!(app.request(API), Ok(200));

    assert_eq!(app.counts().logins, 2);
    let tokens: Vec<_> = seen
        .borrow()
        .iter()
        .map(|r| r.header.clone().unwrap().1)
        .collect();
    assert_eq!(tokens, ["Bearer tok-code-1", "Bearer tok-code-2"]);
    assert_eq!(
        app.stored_record().unwrap().token.as_ref().unwrap().expose(),
        "tok-code-2"
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn twenty_requests_rejected_at_once_share_one_login() {
    let mut app = app();
    let valid = Rc::new(RefCell::new(BTreeSet::from(["tok-code-1".to_owned()])));
    api_accepting(&mut app, Rc::clone(&valid));
    app.ensure().unwrap();
    *valid.borrow_mut() = BTreeSet::from(["tok-code-2".to_owned()]);

    let calls: Vec<_> = (0..20).map(|_| app.start_request(API)).collect();
    app.run();

    for call in calls {
        assert_eq!(
            app.response_status(call),
            Some(200),
            "call {call}: {:?}",
            app.outcome(call)
        );
    }
    assert_eq!(app.counts().logins, 2, "the launch login and one re-login");
    // The nine under way are rejected and retried once; the eleven queued behind them are
    // never sent with the rejected token: they wait for the new session.
    assert_eq!(
        app.counts().sends,
        2 * MAX_REQUESTS_IN_FLIGHT + (20 - MAX_REQUESTS_IN_FLIGHT)
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn a_fresh_session_rejected_again_is_an_error_not_another_login() {
    let mut app = app();
    api_accepting(&mut app, Rc::new(RefCell::new(BTreeSet::new())));

    let error = app.request(API).unwrap_err();

    assert_eq!(
        (error.code(), error.is_retryable()),
        (ErrorCode::SessionRejected, false)
    );
    assert_eq!(app.counts().logins, 2);
    assert_eq!(app.counts().sends, 2);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_backend_that_rejects_every_session_gets_at_most_one_login_a_minute() {
    let mut app = app();
    api_accepting(&mut app, Rc::new(RefCell::new(BTreeSet::new())));

    for _ in 0..10 {
        assert_eq!(app.request(API).unwrap_err().code(), ErrorCode::SessionRejected);
    }
    assert_eq!(
        app.counts().logins,
        2,
        "the first login and one re-login, then no more"
    );
    app.advance(60_000);
    app.request(API).unwrap_err();
    assert_eq!(app.counts().logins, 3, "a minute later, one more try");
}

#[wasm_bindgen_test(unsupported = test)]
fn no_more_than_nine_requests_run_at_once_and_none_of_the_queued_fails() {
    let mut app = app();
    app.ensure().unwrap();

    let calls: Vec<_> = (0..30).map(|_| app.start_request(API)).collect();
    app.run();

    assert!(calls.iter().all(|&c| app.response_status(c) == Some(200)));
    assert_eq!(app.counts().most_sends_in_flight, MAX_REQUESTS_IN_FLIGHT);
    assert_eq!(app.counts().sends, 30);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_failed_request_is_a_network_error_without_a_login() {
    let mut app = app();
    app.ensure().unwrap();
    app.set_api(|_| ApiResponse::NetworkFailure);

    let error = app.request(API).unwrap_err();

    assert_eq!((error.code(), error.is_retryable()), (ErrorCode::Network, true));
    assert_eq!(app.counts().logins, 1);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_rejection_that_arrives_after_logout_logs_nobody_in() {
    let mut app = app();
    app.ensure().unwrap();
    app.set_api(|_| ApiResponse::Status(401));
    let request = app.start_request(API);
    app.logout().unwrap();
    app.run();

    assert_eq!(
        app.outcome(request).unwrap().as_ref().unwrap_err().code(),
        ErrorCode::LoggedOut
    );
    assert_eq!(app.counts().logins, 1);
    assert!(app.stored_record().is_none());
}

#[wasm_bindgen_test(unsupported = test)]
fn requests_waiting_at_logout_end_with_logged_out() {
    let mut app = app();
    let waiting: Vec<_> = (0..3).map(|_| app.start_request(API)).collect();
    app.logout().unwrap();
    app.run();

    for call in waiting {
        assert_eq!(
            app.outcome(call).unwrap().as_ref().unwrap_err().code(),
            ErrorCode::LoggedOut
        );
    }
    assert_eq!(app.counts().sends, 0);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_session_without_a_token_sends_requests_without_one() {
    let mut app = app();
    app.set_backend(|_| Reply::ok(Answer::session("o-1")).into());
    let seen = Rc::new(RefCell::new(Vec::new()));
    let log = Rc::clone(&seen);
    app.set_api(move |request| {
        log.borrow_mut().push(request.header.clone());
        ApiResponse::Status(200)
    });

    assert_eq!(app.request(API), Ok(200));
    assert_eq!(*seen.borrow(), [None]);
}

/// Options of a backend whose login answer carries the token in `carrier` (`login.answer.token`
/// as `{ cookie }` or `{ header }`), its user id in the body.
fn carried_by(carrier: TokenCarrier) -> Options {
    Options {
        login: Some(Box::new(LoginOptions {
            answer: Some(AnswerOptions {
                token_carrier: Some(carrier),
                ..AnswerOptions::default()
            }),
            ..LoginOptions::default()
        })),
        ..Options::new("https://api.example.com/login")
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn a_cookie_session_sends_its_cookie_back_and_lasts_its_max_age() {
    let mut app = Harness::new(carried_by(TokenCarrier::Cookie("JSESSIONID".into())));
    app.set_backend(|code| {
        Reply::ok(Answer {
            cookie_max_age: Some(1800.0),
            ..Answer::session("o-1").with_token(format!("JS-{code}"))
        })
        .into()
    });
    let seen = header_sent(&mut app, 200);

    let session = app.ensure().unwrap();
    assert_eq!(session.expires_at, app.now() + 1_800_000);
    assert_eq!(app.request(API), Ok(200));
    assert_eq!(
        seen.borrow().clone(),
        Some(("Cookie".to_owned(), "JSESSIONID=JS-code-1".to_owned()))
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn a_header_session_sends_the_token_back_in_the_same_header_unless_token_header_says() {
    let mut app = Harness::new(carried_by(TokenCarrier::Header("X-Auth-Token".into())));
    let seen = header_sent(&mut app, 200);
    assert_eq!(app.request(API), Ok(200));
    let header = seen.borrow().clone().unwrap();
    assert_eq!(header.0, "X-Auth-Token");
    assert!(
        header.1.starts_with("token-for-code-"),
        "the bare token: {header:?}"
    );

    // tokenHeader still decides where request() puts it.
    let mut app = Harness::new(Options {
        token_header: Some("Authorization".into()),
        ..carried_by(TokenCarrier::Cookie("sid".into()))
    });
    let seen = header_sent(&mut app, 200);
    assert_eq!(app.request(API), Ok(200));
    assert!(seen
        .borrow()
        .clone()
        .unwrap()
        .1
        .starts_with("Bearer token-for-code-"));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_login_answer_without_the_cookie_it_names_is_a_bad_response_not_a_session_without_token() {
    let mut app = Harness::new(carried_by(TokenCarrier::Cookie("JSESSIONID".into())));
    app.set_backend(|_| Reply::ok(Answer::session("o-1")).into());
    let error = app.ensure().unwrap_err();
    assert_eq!(error.code(), ErrorCode::BadResponse);
    assert!(
        error.message().contains("login.answer.token"),
        "{}",
        error.message()
    );
    assert_eq!(app.counts().logins, 1);
}
