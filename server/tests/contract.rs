//! The login contract's examples (tests/contract/login.json), on the server's side: every
//! request of the contract logs in, and for each thing the platform's exchange may do, the
//! server answers what the contract writes (the core's and the shim's tests read the same
//! file and hold the app's verdict on each answer).

mod common;

use common::{Kind, Scripted, World};
use serde_json::Value;

fn contract() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/contract/login.json"
    ))
    .expect("tests/contract/login.json");
    serde_json::from_str(&text).expect("the contract is JSON")
}

/// Whether `got` is what `want` writes: `"<token>"` and `"*"` stand for any string.
fn matches(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::String(_), Value::String(w)) if w == "<token>" || w == "*" => true,
        (Value::Object(g), Value::Object(w)) => {
            g.len() == w.len() && w.iter().all(|(k, w)| g.get(k).is_some_and(|g| matches(g, w)))
        }
        _ => got == want,
    }
}

#[tokio::test]
async fn the_server_answers_every_exchange_as_the_contract_writes() {
    let world = World::new(Kind::Sqlite).await;
    for case in contract()["answers"].as_array().unwrap() {
        let name = &case["name"];
        let scripted = match &case["upstream"] {
            Value::String(s) if s == "session" => None,
            Value::String(s) if s == "http-500" => Some(Scripted::Http500),
            upstream => Some(Scripted::Errcode(
                upstream["errcode"].as_i64().expect("an errcode"),
            )),
        };
        // Passing trouble is tried three times; a script longer than the tries is cleared.
        if let Some(scripted) = scripted {
            world
                .mock
                .lock()
                .unwrap()
                .script
                .extend(std::iter::repeat_n(scripted, 3));
        }
        let blocked = case["blocked"] == true;
        if blocked {
            world.store().await.block("o-contract".into()).await.unwrap();
        }
        let code = world.issue("o-contract");
        let (status, body) = match &case["post"] {
            // A body of the case's own, in place of a login request.
            Value::Object(_) => {
                let posted = case["post"].to_string().replace("<code>", &code);
                world.post("/auth/login", &posted, None).await
            }
            _ => world.login(&code).await,
        };
        world.mock.lock().unwrap().script.clear();
        if blocked {
            world.store().await.unblock("o-contract".into()).await.unwrap();
        }
        let want = &case["answer"];
        assert_eq!(
            u64::from(status),
            want["status"].as_u64().unwrap(),
            "{name}: {body}"
        );
        assert!(
            matches(&body, &want["body"]),
            "{name}: {body}, not {}",
            want["body"]
        );
    }
}

#[tokio::test]
async fn every_request_of_the_contract_is_one_the_server_reads() {
    let world = World::with(Kind::Sqlite, &["--douyin-appid", common::mock::DOUYIN_APPID]).await;
    for case in contract()["requests"].as_array().unwrap() {
        let name = &case["name"];
        let code = world.issue("o-contract");
        let body = case["body"].to_string().replace("<code>", &code);
        let (status, answer) = world.post("/auth/login", &body, None).await;
        // Read as the contract's request: a login, or a platform this server does not serve.
        let served = matches!(case["platform"].as_str(), Some("wx" | "tt"));
        if served {
            assert_eq!(status, 200, "{name}: {answer}");
        } else {
            assert_eq!(answer["error"]["code"], "UNKNOWN_PLATFORM", "{name}: {answer}");
        }
    }
}
