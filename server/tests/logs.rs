//! `--log-format json`: the binary's log, one JSON object a line (what a log shipper reads),
//! with the same events as the text log, and no code, token or session_key in any line.

mod common;

use common::{mock, serve, Binary, Shared};
use serde_json::{json, Value};

#[tokio::test]
async fn the_json_log_is_a_json_object_a_line_and_holds_no_secret() {
    let mock_state: Shared = std::sync::Arc::default();
    let (upstream, _task) = serve(mock::routes(std::sync::Arc::clone(&mock_state))).await;
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite://{}", dir.path().join("sessions.db").display());
    let binary = Binary::start(&store, &upstream, &["--log-format", "json"]);
    let server = binary.url.clone();

    let client = common::client();
    let code = mock_state.lock().unwrap().issue("o-gus");
    let answer: Value = client
        .post(format!("{server}/auth/login"))
        .json(&json!({ "code": code, "platform": "wx" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = answer["token"].as_str().unwrap().to_owned();
    // A refused code, logged too.
    mock_state
        .lock()
        .unwrap()
        .script
        .push_back(common::Scripted::Errcode(40029));
    let refused = mock_state.lock().unwrap().issue("o-gus");
    let status = client
        .post(format!("{server}/auth/login"))
        .json(&json!({ "code": refused, "platform": "wx" }))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 400);

    let log = binary.log();
    let events: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let messages: Vec<&str> = events
        .iter()
        .filter_map(|e| e["fields"]["message"].as_str())
        .collect();
    assert!(messages.contains(&"logged in"), "{log}");
    assert!(messages.contains(&"login refused"), "{log}");
    assert!(
        events
            .iter()
            .all(|e| e["level"].is_string() && e["timestamp"].is_string()),
        "{log}"
    );
    for secret in [
        code.as_str(),
        refused.as_str(),
        token.as_str(),
        "SK-secret-session-key",
        mock::SECRET,
    ] {
        assert!(!log.contains(secret), "{secret} in the log");
    }
}
