//! The `mp-session-server` binary killed (SIGKILL) in the middle of a login, while WeChat has
//! not answered yet: the store holds no part of that login, the sessions before it survive, and
//! the same code still logs in on the restarted server. Over SQLite and over Redis.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::mock::{self, Shared};
use common::{serve, sessions, Binary, Kind, RedisServer, Scripted};
use serde_json::{json, Value};

with_each_store!(a_server_killed_mid_login_leaves_no_half_session);

async fn login(client: &reqwest::Client, server: &str, code: &str) -> reqwest::Result<(u16, Value)> {
    let response = client
        .post(format!("{server}/auth/login"))
        .json(&json!({ "code": code, "platform": "wx" }))
        .send()
        .await?;
    Ok((
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    ))
}

async fn a_server_killed_mid_login_leaves_no_half_session(kind: Kind) {
    let mock_state: Shared = Arc::default();
    let (upstream, _task) = serve(mock::routes(Arc::clone(&mock_state))).await;
    let dir = tempfile::tempdir().unwrap();
    let _redis = (kind == Kind::Redis).then(|| RedisServer::start(dir.path()));
    let store = match &_redis {
        Some(redis) => redis.url.clone(),
        None => format!("sqlite://{}", dir.path().join("sessions.db").display()),
    };
    let client = common::client();
    let server = Binary::start(&store, &upstream, &["--upstream-timeout-ms", "10000"]);
    let first = mock_state.lock().unwrap().issue("o-kate");
    let (status, before) = login(&client, &server.url, &first).await.unwrap();
    assert_eq!(status, 200, "{before}");
    assert_eq!(sessions(kind, &store).await, 1);

    // WeChat is slow to answer; the server is killed while it waits.
    mock_state.lock().unwrap().script.push_back(Scripted::Hang);
    let code = mock_state.lock().unwrap().issue("o-kate");
    let calls = mock_state.lock().unwrap().calls;
    let pending = tokio::spawn({
        let (client, url, code) = (client.clone(), server.url.clone(), code.clone());
        async move { login(&client, &url, &code).await }
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while mock_state.lock().unwrap().calls == calls {
        assert!(Instant::now() < deadline, "the login never reached WeChat");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill();
    assert!(
        pending.await.unwrap().is_err(),
        "the client saw the connection end"
    );
    assert_eq!(
        sessions(kind, &store).await,
        1,
        "no part of the killed login was kept"
    );

    let server = Binary::start(&store, &upstream, &["--upstream-timeout-ms", "10000"]);
    let (status, after) = login(&client, &server.url, &code).await.unwrap();
    assert_eq!(status, 200, "the code was never spent: {after}");
    assert_eq!(sessions(kind, &store).await, 2);
    let token = before["token"].as_str().unwrap();
    let alive = client
        .get(format!("{}/auth/session", server.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(alive.status(), 200, "the session before the crash survives it");
}
