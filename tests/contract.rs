//! The login contract's examples (tests/contract/login.json), on the core's side: every
//! request is what the core posts, every answer gets the verdict written beside it. The
//! server's tests and the shim's read the same file.
#![cfg(not(target_arch = "wasm32"))]

use mp_session::decode::decode_object;
use mp_session::protocol::{LoginRequest, Platform, PLATFORM_FIELD};
use mp_session::testing::Harness;
use mp_session::{Answer, LoginBody, Options, Reply, Secret};
use serde_json::{json, Value};

fn contract() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/contract/login.json"))
        .expect("tests/contract/login.json");
    serde_json::from_str(&text).expect("the contract is JSON")
}

#[test]
fn every_request_of_the_contract_is_what_the_core_posts_and_what_the_protocol_reads() {
    for case in contract()["requests"].as_array().unwrap() {
        let name = &case["name"];
        let platform = Platform::from_name(case["platform"].as_str().unwrap()).unwrap();
        let body = LoginBody {
            code: Secret::new("<code>".to_owned()),
            anonymous: case["from"] == "anonymousCode",
            platform: platform.as_str(),
        };
        let posted = json!({ body.code_field(): body.code.expose(), PLATFORM_FIELD: body.platform });
        assert_eq!(posted, case["body"], "{name}");
        let read: LoginRequest = serde_json::from_value(case["body"].clone()).expect("the protocol reads it");
        assert_eq!(serde_json::to_value(&read).unwrap(), case["body"], "{name}");
    }
}

#[test]
fn every_answer_of_the_contract_gets_its_verdict() {
    for case in contract()["answers"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap().to_owned();
        let status = case["answer"]["status"].as_u64().unwrap() as u16;
        let text = case["answer"]["body"].to_string();
        let answer: Answer = decode_object(&mut serde_json::Deserializer::from_str(&text)).expect(&name);
        // No retries: a verdict to retry fails at once, and the one fresh code still comes.
        let mut options = Options::new("https://api.example.com/auth/login");
        options.max_retries = Some(0.0);
        let mut app = Harness::new(options);
        let mut first = Some(Reply::with_status(status, answer));
        app.set_backend(move |_| {
            first
                .take()
                .unwrap_or_else(|| Reply::ok(Answer::session("o-after").with_token("t")))
                .into()
        });
        let outcome = app.ensure();
        let logins = app.counts().logins;
        match case["verdict"].as_str().unwrap() {
            "session" => {
                let session = outcome.as_ref().unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(
                    (session.openid.as_deref().unwrap_or_default(), logins),
                    ("o-contract", 1),
                    "{name}"
                );
            }
            "fresh-code" => {
                let session = outcome.as_ref().unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(
                    (session.openid.as_deref().unwrap_or_default(), logins),
                    ("o-after", 2),
                    "{name}"
                );
            }
            "retry" => {
                let error = outcome.as_ref().expect_err(&name);
                assert!(
                    error.is_retryable() && logins == 1,
                    "{name}: {error:?}, {logins} logins"
                );
            }
            "fail" => {
                let error = outcome.as_ref().expect_err(&name);
                assert!(
                    !error.is_retryable() && logins == 1,
                    "{name}: {error:?}, {logins} logins"
                );
            }
            other => panic!("{name}: no verdict {other}"),
        }
        // A failure of the server's own reaches the app with its code and its message.
        if let Some(code) = case["backendCode"].as_str() {
            let error = outcome.as_ref().expect_err(&name);
            assert_eq!(error.backend_code(), Some(code), "{name}: {error}");
            assert_eq!(
                error.detail(),
                case["answer"]["body"]["error"]["message"].as_str(),
                "{name}"
            );
        }
        // The error's message ends as the contract writes it (the shim's, in the same words).
        if let Some(ends) = case["messageEnds"].as_str() {
            let error = outcome.as_ref().expect_err(&name);
            assert!(error.to_string().ends_with(ends), "{name}: {error}");
        }
    }
}
