//! `--log-format json`: the binary's log, one JSON object a line (what a log shipper reads),
//! with the same events as the text log, and no code, token or session_key in any line.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{mock, serve, Shared};
use serde_json::{json, Value};

#[tokio::test]
async fn the_json_log_is_a_json_object_a_line_and_holds_no_secret() {
    let mock_state: Shared = std::sync::Arc::default();
    let (upstream, _task) = serve(mock::routes(std::sync::Arc::clone(&mock_state))).await;
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite://{}", dir.path().join("sessions.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_mp-session-server"))
        .args([
            "--appid",
            mock::APPID,
            "--listen",
            "127.0.0.1:0",
            "--store",
            &store,
        ])
        .args(["--wechat-api", &upstream, "--log-format", "json"])
        .env("MP_SESSION_SECRET", mock::SECRET)
        .env_remove("MP_SESSION_LOG_FORMAT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = receiver
        .recv_timeout(Duration::from_secs(15))
        .expect("the server did not start");
    let server = line.trim().strip_prefix("listening on ").expect(&line).to_owned();

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

    child.kill().unwrap();
    child.wait().unwrap();
    let mut log = String::new();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
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
