//! A user's sessions: capped per user (a login beyond the cap ends the oldest), listed with
//! the device the app named and their last use, ended one by one or all at once; the cap
//! holding under concurrent logins of one user on two servers over one store. Each check runs
//! over SQLite and over a real redis-server.

mod common;

use common::{Kind, World};
use serde_json::{json, Value};

with_each_store!(
    a_users_sessions_are_capped_listed_and_ended_one_or_all,
    the_cap_holds_under_concurrent_logins_on_two_servers,
    logins_in_one_millisecond_keep_the_order_they_were_made_in,
);

/// `POST /auth/login` for `openid`, naming `device`: the token.
async fn login_on(world: &World, server: &str, openid: &str, device: Option<&str>) -> String {
    let body = json!({ "code": world.issue(openid), "platform": "wx", "device": device });
    let (status, answer) = world
        .post_to(server, "/auth/login", &body.to_string(), None)
        .await;
    assert_eq!(status, 200, "{answer}");
    answer["token"].as_str().unwrap().to_owned()
}

fn id_of(token: &str) -> &str {
    token.split_once('.').unwrap().0
}

async fn a_users_sessions_are_capped_listed_and_ended_one_or_all(kind: Kind) {
    let world = World::with(kind, &["--max-sessions-per-user", "3"]).await;
    let server = world.server.clone();
    let mut tokens = Vec::new();
    for device in ["iPhone 15", "HUAWEI Mate 60", "Pixel 8", "iPad Pro"] {
        tokens.push(login_on(&world, &server, "o-ann", Some(device)).await);
    }
    if kind == Kind::Redis {
        // A Redis that lost its scripts (restarted): the next login loads them again.
        let client = redis::Client::open(world.config.store.as_str()).unwrap();
        let mut connection = client.get_multiplexed_async_connection().await.unwrap();
        let () = redis::cmd("SCRIPT")
            .arg("FLUSH")
            .query_async(&mut connection)
            .await
            .unwrap();
    }
    let other = login_on(&world, &server, "o-ben", None).await;

    // The fourth login ended the oldest: the first token is refused, the others work.
    assert_eq!(world.get("/auth/session", &tokens[0]).await.0, 401);
    for token in &tokens[1..] {
        assert_eq!(world.get("/auth/session", token).await.0, 200);
    }

    // Listed newest first, with the device, the caller's marked, its last use noted (written
    // beside the request that used it: waited for, 5 s at most).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let listed = loop {
        let (status, listed) = world.get("/auth/sessions", &tokens[3]).await;
        assert_eq!(status, 200, "{listed}");
        if listed["sessions"][0]["last_used_at"].is_i64() || std::time::Instant::now() > deadline {
            break listed;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let sessions = listed["sessions"].as_array().unwrap();
    let ids: Vec<&str> = sessions.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id_of(&tokens[3]), id_of(&tokens[2]), id_of(&tokens[1])]);
    let devices: Vec<&str> = sessions.iter().map(|s| s["device"].as_str().unwrap()).collect();
    assert_eq!(devices, ["iPad Pro", "Pixel 8", "HUAWEI Mate 60"]);
    let current: Vec<bool> = sessions.iter().map(|s| s["current"].as_bool().unwrap()).collect();
    assert_eq!(current, [true, false, false]);
    assert!(sessions
        .iter()
        .all(|s| s["platform"] == "wx" && s["created_at"].as_i64().unwrap() > 0));
    assert!(sessions[0]["last_used_at"].as_i64().is_some(), "{listed}");
    assert!(sessions[0]["expires_at"].as_i64().unwrap() > sessions[0]["created_at"].as_i64().unwrap());
    assert!(
        !listed.to_string().contains(tokens[3].split_once('.').unwrap().1),
        "no token's secret in a list"
    );
    assert_eq!(
        world.get("/auth/sessions", &other).await.1["sessions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // One ended by its id; again, or another user's, is 404 and ends nothing.
    assert_eq!(
        world
            .delete(&format!("/auth/sessions/{}", id_of(&tokens[1])), &tokens[3])
            .await
            .0,
        200
    );
    assert_eq!(world.get("/auth/session", &tokens[1]).await.0, 401);
    let (status, answer) = world
        .delete(&format!("/auth/sessions/{}", id_of(&tokens[1])), &tokens[3])
        .await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (404, Some("NO_SUCH_SESSION")),
        "{answer}"
    );
    assert_eq!(
        world
            .delete(&format!("/auth/sessions/{}", id_of(&other)), &tokens[3])
            .await
            .0,
        404
    );
    assert_eq!(world.get("/auth/session", &other).await.0, 200);

    // A body logout does not know is refused, and ends nothing.
    for body in [r#"{"all":"yes"}"#, "[]", "[true]"] {
        let (status, answer) = world.post("/auth/logout", body, Some(&tokens[3])).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (400, Some("BAD_REQUEST")),
            "{body}: {answer}"
        );
    }
    assert_eq!(world.get("/auth/session", &tokens[3]).await.0, 200);

    // Logout everywhere: the user's every session, no one else's.
    let (status, answer) = world
        .post("/auth/logout", r#"{"all":true}"#, Some(&tokens[3]))
        .await;
    assert_eq!((status, answer["ended"].as_u64()), (200, Some(2)), "{answer}");
    for token in &tokens {
        assert_eq!(world.get("/auth/session", token).await.0, 401);
    }
    assert_eq!(world.get("/auth/session", &other).await.0, 200);
    // The plain logout ends the caller's session alone.
    let (status, answer) = world.post("/auth/logout", "", Some(&other)).await;
    assert_eq!((status, answer["ended"].as_u64()), (200, Some(1)), "{answer}");
    assert_eq!(world.get("/auth/session", &other).await.0, 401);

    // A forged secret with a real id is refused and notes no use of the session.
    let fresh = login_on(&world, &server, "o-hal", None).await;
    let forged = format!("{}.{}", id_of(&fresh), "A".repeat(43));
    assert_eq!(world.get("/auth/session", &forged).await.0, 401);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let kept = world.store().await.sessions("o-hal".into(), 0).await.unwrap();
    assert_eq!((kept.len(), kept[0].last_used), (1, None), "{kept:?}");
    // An id of another shape, or not even a path segment, is no session's.
    for path in ["/auth/sessions/not-an-id", "/auth/sessions/%ZZ"] {
        let (status, answer) = world.delete(path, &fresh).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (404, Some("NO_SUCH_SESSION")),
            "{path}: {answer}"
        );
    }

    // A device that is not a model is refused at login.
    let body = json!({ "code": world.issue("o-ann"), "platform": "wx", "device": "x".repeat(65) });
    let (status, answer) = world.post("/auth/login", &body.to_string(), None).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("BAD_REQUEST")),
        "{answer}"
    );
}

async fn the_cap_holds_under_concurrent_logins_on_two_servers(kind: Kind) {
    let mut world = World::with(kind, &["--max-sessions-per-user", "2"]).await;
    world.start().await;
    let servers = world.servers.clone();
    let codes: Vec<String> = (0..16).map(|_| world.issue("o-cal")).collect();
    let logins = codes.iter().enumerate().map(|(i, code)| {
        let body = json!({ "code": code, "platform": "wx" }).to_string();
        let server = servers[i % servers.len()].clone();
        let world = &world;
        async move { world.post_to(&server, "/auth/login", &body, None).await }
    });
    let answers = futures::future::join_all(logins).await;
    let mut live = 0;
    for (status, answer) in &answers {
        assert_eq!(*status, 200, "{answer}");
        if world
            .get("/auth/session", answer["token"].as_str().unwrap())
            .await
            .0
            == 200
        {
            live += 1;
        }
    }
    assert_eq!(live, 2, "16 logins at once on two servers, a cap of 2");
    // Listed the same from either server: the two left, by each of them.
    for (_, answer) in &answers {
        let token = answer["token"].as_str().unwrap();
        for server in &servers {
            let response = world
                .client
                .get(format!("{server}/auth/sessions"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            if response.status().as_u16() == 200 {
                let listed: Value = response.json().await.unwrap();
                assert_eq!(
                    listed["sessions"].as_array().unwrap().len(),
                    2,
                    "{server}: {listed}"
                );
            }
        }
    }
}

/// Sessions written back to back (several in one millisecond, most runs): listed newest
/// first and ended oldest first in the order they were written, never by their random ids.
async fn logins_in_one_millisecond_keep_the_order_they_were_made_in(kind: Kind) {
    let world = World::new(kind).await;
    let store = mp_session_server::Store::open(&world.config.store).await.unwrap();
    let session = mp_session_server::store::SessionEntry {
        openid: "o-quick".into(),
        unionid: None,
        platform: "wx".into(),
        expires_at: i64::from(u32::MAX),
        device: None,
    };
    let ids: Vec<String> = (0..12).map(|n| format!("{n:0>22}")).rev().collect();
    for id in &ids {
        store
            .insert(
                id.clone(),
                "v".into(),
                session.clone(),
                "k".into(),
                mp_session_server::store::LoginRules::capped(4),
            )
            .await
            .unwrap();
    }
    let listed = store.sessions("o-quick".into(), 0).await.unwrap();
    let listed: Vec<&str> = listed.iter().map(|s| s.id.as_str()).collect();
    let newest: Vec<&str> = ids.iter().rev().take(4).map(String::as_str).collect();
    assert_eq!(listed, newest);
}
