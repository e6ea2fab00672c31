//! The login service over real HTTP: the server on 127.0.0.1 and an ephemeral port, in front
//! of a mock of WeChat's and Douyin's APIs (tests/common/mock.rs). Every check runs twice: with
//! SQLite in a fresh temp folder, and with a real redis-server (Debian's, installed by
//! `scripts/setup --redis`) started on an ephemeral port and stopped after it.

mod common;

use std::time::Duration;

use common::mock::SECRET;
use common::{sessions, Kind, RedisServer, Scripted, World};
use serde_json::{json, Value};

with_each_store!(
    a_code_becomes_a_session_whose_token_the_extractor_accepts,
    code2sessions_refusals_pass_through_and_a_code_works_once,
    passing_trouble_upstream_is_retried_then_reported_as_the_contract_says,
    bad_input_gets_a_clear_4xx_and_changes_nothing,
    a_forged_or_ended_token_is_401_with_json_and_logout_ends_only_its_session,
    sessions_survive_a_restart_and_the_stores_files_hold_no_secret_in_clear,
    official_account_and_douyin_codes_become_sessions_too,
    ended_sessions_leave_the_store,
);

async fn a_code_becomes_a_session_whose_token_the_extractor_accepts(kind: Kind) {
    let world = World::new(kind).await;
    let (status, answer) = world.login(&world.issue("o-alice")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (&answer["openid"], &answer["unionid"]),
        (&json!("o-alice"), &json!("u-1"))
    );
    assert_eq!(answer["expires_in"], 7 * 24 * 3600);
    assert!(answer.get("session_key").is_none() && !answer.to_string().contains("SK-secret"));
    let token = answer["token"].as_str().unwrap();
    assert_eq!(world.get("/auth/session", token).await.1["openid"], "o-alice");
    assert_eq!(
        world.get("/api/me", token).await,
        (200, json!({ "openid": "o-alice" }))
    );
}

async fn code2sessions_refusals_pass_through_and_a_code_works_once(kind: Kind) {
    let world = World::new(kind).await;
    let code = world.issue("o-bob");
    assert_eq!(world.login(&code).await.0, 200);
    assert_eq!(
        world.login(&code).await,
        (400, json!({ "errcode": 40163, "errmsg": "code been used" }))
    );
    assert_eq!(world.login("never-issued").await.1["errcode"], 40029);
    world
        .mock
        .lock()
        .unwrap()
        .script
        .push_back(Scripted::Errcode(40226));
    assert_eq!(world.login(&world.issue("o-bob")).await.1["errcode"], 40226);
}

async fn passing_trouble_upstream_is_retried_then_reported_as_the_contract_says(kind: Kind) {
    let world = World::new(kind).await;
    world
        .mock
        .lock()
        .unwrap()
        .script
        .extend([Scripted::Errcode(-1), Scripted::Http500]);
    assert_eq!(world.login(&world.issue("o-carol")).await.0, 200);
    assert_eq!(world.mock.lock().unwrap().calls, 3);

    let cases = [
        (Scripted::Http500, 502, -1),
        (Scripted::Garbage, 502, -1),
        (Scripted::Hang, 504, -1),
        (Scripted::Errcode(45011), 400, 45011),
        (Scripted::Errcode(-1), 400, -1),
    ];
    for (trouble, status, errcode) in cases {
        let calls = world.mock.lock().unwrap().calls;
        world
            .mock
            .lock()
            .unwrap()
            .script
            .extend(std::iter::repeat_n(trouble, 3));
        let (got, answer) = world.login(&world.issue("o-dave")).await;
        assert_eq!((got, &answer["errcode"]), (status, &json!(errcode)), "{answer}");
        assert_eq!(world.mock.lock().unwrap().calls - calls, 3, "three tries");
        world.mock.lock().unwrap().script.clear();
    }
    assert!(
        !world.stored_text().contains("o-dave"),
        "no session from a failed exchange"
    );
}

async fn bad_input_gets_a_clear_4xx_and_changes_nothing(kind: Kind) {
    let world = World::new(kind).await;
    let cases = [
        ("{not json", 400, "BAD_REQUEST"),
        (r#"{"code":"c","platform":"wx","extra":1}"#, 400, "BAD_REQUEST"),
        (r#"{"platform":"wx"}"#, 400, "BAD_REQUEST"),
        (r#"{"code":"c","platform":"alipay"}"#, 400, "UNKNOWN_PLATFORM"),
    ];
    for (body, status, code) in cases {
        let (got, answer) = world.post("/auth/login", body, None).await;
        assert_eq!(
            (got, answer["error"]["code"].as_str()),
            (status, Some(code)),
            "{body}: {answer}"
        );
    }
    let huge = json!({ "code": "x".repeat(mp_session_server::MAX_BODY_BYTES), "platform": "wx" }).to_string();
    let (status, answer) = world.post("/auth/login", &huge, None).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (413, Some("TOO_LARGE"))
    );
    assert_eq!(world.mock.lock().unwrap().calls, 0, "nothing reached WeChat");
}

async fn a_forged_or_ended_token_is_401_with_json_and_logout_ends_only_its_session(kind: Kind) {
    let world = World::new(kind).await;
    let phone = world.login(&world.issue("o-erin")).await.1["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let tablet = world.login(&world.issue("o-erin")).await.1["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut forged = phone.clone();
    forged.replace_range(30..31, if &phone[30..31] == "A" { "B" } else { "A" });
    for token in ["", "nonsense", forged.as_str()] {
        let (status, answer) = world.get("/auth/session", token).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (401, Some("SESSION_EXPIRED")),
            "{token:?}"
        );
    }
    assert_eq!(world.post("/auth/logout", "", Some(&phone)).await.0, 200);
    assert_eq!(world.get("/auth/session", &phone).await.0, 401);
    assert_eq!(
        world.get("/auth/session", &tablet).await.0,
        200,
        "another device keeps its session"
    );
    let lower_case = world
        .client
        .get(format!("{}/auth/session", world.server))
        .header("authorization", format!("bearer {tablet}"))
        .send()
        .await
        .unwrap();
    assert_eq!(lower_case.status(), 200, "the scheme in any case, as HTTP has it");
}

async fn sessions_survive_a_restart_and_the_stores_files_hold_no_secret_in_clear(kind: Kind) {
    let mut world = World::new(kind).await;
    let token = world.login(&world.issue("o-frank")).await.1["token"]
        .as_str()
        .unwrap()
        .to_owned();
    world.start().await;
    assert_eq!(world.get("/auth/session", &token).await.1["openid"], "o-frank");
    assert_eq!(world.get("/health", "").await, (200, json!({ "ok": true })));
    if kind == Kind::Redis {
        // Redis itself restarted: its append-only file brings the session back.
        let url = world.redis.take().map(|redis| redis.url.clone());
        let port: u16 = url.unwrap().rsplit(':').next().unwrap().parse().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let asked = std::time::Instant::now();
        let response = world
            .client
            .get(format!("{}/health", world.server))
            .send()
            .await
            .unwrap();
        let retry_after = response.headers().get("retry-after").cloned();
        let (status, answer) = (
            response.status().as_u16(),
            response.json::<Value>().await.unwrap(),
        );
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (503, Some("STORE")),
            "Redis is down"
        );
        assert_eq!(
            retry_after.as_ref().map(|v| v.to_str().unwrap()),
            Some("1"),
            "a 503 says when to try again"
        );
        assert!(
            asked.elapsed() < Duration::from_secs(8),
            "Redis down is answered within the store's time limit, not after minutes of reconnecting: {:?}",
            asked.elapsed()
        );
        world.redis = Some(RedisServer::on(world.db.path(), port));
        assert_eq!(world.get("/auth/session", &token).await.1["openid"], "o-frank");
    }

    let text = world.stored_text();
    assert!(
        text.contains("SK-secret-session-key"),
        "session_key is kept with the session"
    );
    assert!(!text.contains(SECRET), "no AppSecret in the store's files");
    assert!(
        !text.contains(token.split_once('.').unwrap().1),
        "no token secret in clear"
    );
    if kind == Kind::Sqlite {
        // Every value of every table: the session_key in its own column, nowhere else.
        let connection = rusqlite::Connection::open(world.db.path().join("sessions.db")).unwrap();
        let mut tables = connection
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .unwrap();
        let tables: Vec<String> = tables
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut kept_in = Vec::new();
        for table in &tables {
            let mut select = connection.prepare(&format!("SELECT * FROM {table}")).unwrap();
            let columns: Vec<String> = select.column_names().into_iter().map(String::from).collect();
            let mut rows = select.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                for (i, column) in columns.iter().enumerate() {
                    let value: rusqlite::types::Value = row.get(i).unwrap();
                    if matches!(&value, rusqlite::types::Value::Text(text) if text.contains("SK-secret")) {
                        kept_in.push(format!("{table}.{column}"));
                    }
                }
            }
        }
        assert_eq!(
            kept_in,
            ["sessions.session_key"],
            "session_key is kept in its own column alone"
        );
    }
}

async fn official_account_and_douyin_codes_become_sessions_too(kind: Kind) {
    let world = World::with(
        kind,
        &[
            "--web-appid",
            common::mock::WEB_APPID,
            "--douyin-appid",
            common::mock::DOUYIN_APPID,
        ],
    )
    .await;
    let login = |body: serde_json::Value| {
        let world = &world;
        async move { world.post("/auth/login", &body.to_string(), None).await }
    };
    let (status, web) = login(json!({ "code": world.issue("grace"), "platform": "web" })).await;
    assert_eq!(
        (status, &web["openid"], &web["unionid"]),
        (200, &json!("oa-grace"), &json!("u-1")),
        "{web}"
    );
    let (status, known) = login(json!({ "code": world.issue("grace"), "platform": "tt" })).await;
    assert_eq!((status, &known["openid"]), (200, &json!("tt-grace")), "{known}");
    let (status, anonymous) = login(json!({ "anonymousCode": world.issue("grace"), "platform": "tt" })).await;
    assert_eq!(
        (status, &anonymous["openid"], &anonymous["unionid"]),
        (200, &json!("anon-grace"), &json!(null))
    );
    let token = anonymous["token"].as_str().unwrap();
    assert_eq!(world.get("/auth/session", token).await.1["platform"], "tt");

    // Douyin's bad-code errors read as the contract's 40029 (one fresh code); -1 is retried.
    let (status, refused) = login(json!({ "code": "never-issued", "platform": "tt" })).await;
    assert_eq!((status, &refused["errcode"]), (400, &json!(40029)), "{refused}");
    world.mock.lock().unwrap().script.push_back(Scripted::Errcode(-1));
    assert_eq!(
        login(json!({ "anonymousCode": world.issue("h"), "platform": "tt" }))
            .await
            .0,
        200
    );
    let (status, used) = login(json!({ "code": "code-1", "platform": "web" })).await;
    assert_eq!((status, &used["errcode"]), (400, &json!(40163)));

    for (body, expected) in [
        (
            json!({ "code": "c", "anonymousCode": "a", "platform": "tt" }),
            "one of code and anonymousCode",
        ),
        (
            json!({ "anonymousCode": "a", "platform": "wx" }),
            "code, wx.login's",
        ),
        (
            json!({ "anonymousCode": "a", "platform": "web" }),
            "code, the OAuth redirect's",
        ),
        (
            json!({ "code": "c", "platform": "qq" }),
            "this server serves wx, web, tt",
        ),
    ] {
        let (status, answer) = login(body.clone()).await;
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(status == 400 && message.contains(expected), "{body}: {answer}");
    }
    let wx_only = World::new(kind).await;
    let (_, answer) = wx_only
        .post("/auth/login", r#"{"code":"c","platform":"tt"}"#, None)
        .await;
    assert_eq!(
        answer["error"]["message"],
        "platform \"tt\" is not served here: this server serves wx (start it with --douyin-appid / MP_SESSION_DOUYIN_APPID to serve it)"
    );
    let text = world.stored_text();
    assert!(
        text.contains("USER-AT-secret") && text.contains("SK-secret-douyin"),
        "each user's key is kept"
    );
    for secret in [SECRET, common::mock::WEB_SECRET, common::mock::DOUYIN_SECRET] {
        assert!(!text.contains(secret), "no AppSecret in the store's files");
    }
}

async fn ended_sessions_leave_the_store(kind: Kind) {
    let world = World::new(kind).await;
    let store = mp_session_server::Store::open(&world.config.store).await.unwrap();
    let ended = mp_session_server::store::SessionEntry {
        openid: "o-old".into(),
        unionid: None,
        platform: "wx".into(),
        expires_at: 1,
        device: None,
    };
    for id in ["a", "b", "c"] {
        store
            .insert(
                format!("ended-{id}"),
                "v".into(),
                ended.clone(),
                "k".into(),
                mp_session_server::store::LoginRules::capped(10),
            )
            .await
            .unwrap();
    }
    // A token of an ended session is refused like a forged one; the same kept as live works.
    use sha2::Digest;
    let (secret, live, gone) = ("S".repeat(43), "L".repeat(22), "E".repeat(22));
    let verifier: String = sha2::Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let alive = mp_session_server::store::SessionEntry {
        expires_at: i64::from(u32::MAX),
        ..ended.clone()
    };
    store
        .insert(
            live.clone(),
            verifier.clone(),
            alive,
            "k".into(),
            mp_session_server::store::LoginRules::capped(10),
        )
        .await
        .unwrap();
    match kind {
        // Written behind the store's back: its own insert removes ended rows at once.
        Kind::Sqlite => {
            let file = world.db.path().join("sessions.db");
            let connection = rusqlite::Connection::open(file).unwrap();
            let insert = "INSERT INTO sessions (token_id, verifier, openid, unionid, platform, session_key, created_at, expires_at)
                 VALUES (?1, ?2, 'o-old', NULL, 'wx', 'k', 0, 1)";
            connection.execute(insert, [&gone, &verifier]).unwrap();
            let count = "SELECT count(*) FROM sessions WHERE token_id = ?1";
            let kept: i64 = connection.query_row(count, [&gone], |row| row.get(0)).unwrap();
            assert_eq!(kept, 1, "the ended session is still there: find must refuse it");
        }
        Kind::Redis => {
            store
                .insert(
                    gone.clone(),
                    verifier.clone(),
                    ended.clone(),
                    "k".into(),
                    mp_session_server::store::LoginRules::capped(10),
                )
                .await
                .unwrap();
        }
    }
    let (status, answer) = world.get("/auth/session", &format!("{gone}.{secret}")).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (401, Some("SESSION_EXPIRED"))
    );
    assert_eq!(
        world.get("/auth/session", &format!("{live}.{secret}")).await.1["openid"],
        "o-old"
    );
    world
        .post("/auth/logout", "", Some(&format!("{live}.{secret}")))
        .await;

    let token = world.token("o-liam").await;
    if kind == Kind::Redis {
        tokio::time::sleep(Duration::from_millis(1100)).await; // Redis' own expiry
    }
    assert_eq!(
        sessions(kind, &world.config.store).await,
        1,
        "only the live session is kept"
    );
    assert_eq!(world.get("/auth/session", &token).await.0, 200);
}

/// A login's write retried over a new connection after the first try's answer was lost finds
/// its own first write; a session of another verifier under the same id is never replaced.
#[tokio::test]
async fn redis_a_retried_session_write_finds_its_own_first_try() {
    let world = World::new(Kind::Redis).await;
    let store = mp_session_server::Store::open(&world.config.store).await.unwrap();
    let session = mp_session_server::store::SessionEntry {
        openid: "o-mia".into(),
        unionid: None,
        platform: "wx".into(),
        expires_at: i64::from(u32::MAX),
        device: None,
    };
    let write = |verifier: &str| {
        store.insert(
            "I".repeat(22),
            verifier.into(),
            session.clone(),
            "k".into(),
            mp_session_server::store::LoginRules::capped(10),
        )
    };
    write("v1").await.unwrap();
    write("v1").await.unwrap();
    assert!(write("v2").await.is_err(), "another session's verifier");
    assert_eq!(sessions(Kind::Redis, &world.config.store).await, 1);
}

/// A Redis that is not there stops the server at its start with a message naming the store
/// (and its password never), in seconds.
#[tokio::test]
async fn a_redis_that_is_not_there_is_named_at_once() {
    let port = common::free_port();
    let asked = std::time::Instant::now();
    let error = mp_session_server::Store::open(&format!("redis://:hunter2@127.0.0.1:{port}"))
        .await
        .unwrap_err();
    assert!(
        error.starts_with(&format!("--store redis://:***@127.0.0.1:{port}: ")),
        "{error}"
    );
    assert!(!error.contains("hunter2"), "{error}");
    assert!(asked.elapsed() < Duration::from_secs(8), "{:?}", asked.elapsed());
}

/// A Redis that wants a password the URL does not give is named at the start too (it accepts
/// the connection and refuses every command); with the password, the store opens.
#[tokio::test]
async fn a_redis_that_wants_a_password_not_given_is_named_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let redis = RedisServer::start(dir.path());
    let client = redis::Client::open(redis.url.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("CONFIG")
        .arg(&["SET", "requirepass", "hunter2"])
        .query_async(&mut connection)
        .await
        .unwrap();
    let error = mp_session_server::Store::open(&redis.url).await.unwrap_err();
    assert!(error.starts_with(&format!("--store {}: ", redis.url)), "{error}");
    assert!(error.contains("NOAUTH"), "{error}");
    let with_password = redis.url.replace("redis://", "redis://:hunter2@");
    assert!(mp_session_server::Store::open(&with_password).await.is_ok());
}

/// An official account's page on another origin may call the server when that origin is
/// given (`--cors-origin`); a page of any other origin may not.
#[tokio::test]
async fn pages_of_the_given_origins_alone_may_call_from_a_browser() {
    let world = World::with(Kind::Sqlite, &["--cors-origin", "https://h5.example.com"]).await;
    let preflight = |origin: &'static str| {
        world
            .client
            .request(reqwest::Method::OPTIONS, format!("{}/auth/login", world.server))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let allowed = preflight("https://h5.example.com").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://h5.example.com"
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    let none = World::new(Kind::Sqlite).await;
    let plain = none
        .client
        .get(format!("{}/auth/session", none.server))
        .header("origin", "https://h5.example.com")
        .send()
        .await
        .unwrap();
    assert!(
        plain.headers().get("access-control-allow-origin").is_none(),
        "none by default"
    );
}
