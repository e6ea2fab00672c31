//! `mp-session-server block OPENID`, as an operator runs it beside the servers: the user's
//! sessions end on every server (their session_keys with them) and the user's logins are
//! refused with 403 BLOCKED until `unblock`. Over SQLite and over a real redis-server.

mod common;

use common::{Kind, World};
use serde_json::json;

with_each_store!(a_blocked_user_loses_every_session_and_is_refused_until_unblocked);

/// The binary's operator command against the world's store: its exit code and output.
fn operator(world: &World, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mp-session-server"))
        .args(args)
        .args(["--store", &world.config.store])
        .env_remove("MP_SESSION_STORE")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

async fn a_blocked_user_loses_every_session_and_is_refused_until_unblocked(kind: Kind) {
    let mut world = World::new(kind).await;
    world.start().await;
    let servers = world.servers.clone();
    let login = |server: usize| {
        let body = json!({ "code": world.issue("o-dan"), "platform": "wx" }).to_string();
        let server = servers[server].clone();
        let world = &world;
        async move { world.post_to(&server, "/auth/login", &body, None).await }
    };
    let first = login(0).await.1["token"].as_str().unwrap().to_owned();
    let second = login(1).await.1["token"].as_str().unwrap().to_owned();
    let other = world.token("o-eve").await;

    let (code, said) = operator(&world, &["block", "o-dan"]);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("blocked o-dan: 2 sessions ended"), "{said}");
    for token in [&first, &second] {
        assert_eq!(world.get("/auth/session", token).await.0, 401);
    }
    assert_eq!(
        world.get("/auth/session", &other).await.0,
        200,
        "another user's session stays"
    );
    for server in 0..2 {
        let (status, answer) = login(server).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (403, Some("BLOCKED")),
            "{answer}"
        );
    }
    // No session of the blocked user was written, and none is left: a session_key lives in
    // its session's row or entry, and goes with it.
    let store = world.store().await;
    assert!(store.sessions("o-dan".into(), 0).await.unwrap().is_empty());
    assert_eq!(
        common::sessions(kind, &world.config.store).await,
        1,
        "o-eve's session alone"
    );

    let (code, said) = operator(&world, &["unblock", "o-dan"]);
    assert_eq!((code, said.contains("unblocked o-dan")), (0, true), "{said}");
    assert_eq!(login(1).await.0, 200);
    let (_, said) = operator(&world, &["unblock", "o-dan"]);
    assert!(said.contains("o-dan was not blocked"), "{said}");
    // A store that is not the servers': refused, not made.
    let elsewhere = world.db.path().join("elsewhere.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mp-session-server"))
        .args([
            "block",
            "o-dan",
            "--store",
            &format!("sqlite://{}", elsewhere.display()),
        ])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("no such file; name the servers' own store"),
        "{said}"
    );
    assert!(!elsewhere.exists());
    let (code, said) = operator(&world, &["block", "has space"]);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("OPENID must be 1 to 128 characters"), "{said}");
}
