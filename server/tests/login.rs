//! The login service over real HTTP: the server on 127.0.0.1 and an ephemeral port, in front
//! of a mock code2Session (single-use codes it issued, scripted failures). Every test runs
//! twice: with SQLite in a fresh temp folder, and with a real redis-server (Debian's,
//! installed by `scripts/setup --redis`) started on an ephemeral port and stopped after it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use mp_session_server::{router, state, Authenticated, Config, Settings, Store};
use serde_json::{json, Value};

const SECRET: &str = "app-secret-DO-NOT-LEAK";

/// What the mock answers next, instead of code2Session's own answer.
#[derive(Clone)]
enum Scripted {
    Errcode(i64),
    Http500,
    Garbage,
    Hang,
}

#[derive(Default)]
struct Mock {
    codes: HashMap<String, (String, bool)>,
    script: VecDeque<Scripted>,
    calls: usize,
    issued: usize,
}

type Shared = Arc<Mutex<Mock>>;

async fn code2session(
    State(mock): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let next = {
        let mut mock = mock.lock().unwrap();
        mock.calls += 1;
        assert_eq!(query.get("secret").map(String::as_str), Some(SECRET));
        mock.script.pop_front()
    };
    match next {
        Some(Scripted::Errcode(errcode)) => {
            return Json(json!({ "errcode": errcode, "errmsg": "scripted" })).into_response()
        }
        Some(Scripted::Http500) => {
            return (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "down").into_response()
        }
        Some(Scripted::Garbage) => return "<html>not json</html>".into_response(),
        Some(Scripted::Hang) => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            return Json(json!({})).into_response();
        }
        None => {}
    }
    let mut mock = mock.lock().unwrap();
    let code = query.get("js_code").cloned().unwrap_or_default();
    match mock.codes.get_mut(&code) {
        None => Json(json!({ "errcode": 40029, "errmsg": "invalid code" })).into_response(),
        Some((_, true)) => Json(json!({ "errcode": 40163, "errmsg": "code been used" })).into_response(),
        Some((openid, used)) => {
            *used = true;
            Json(
                json!({ "openid": openid.clone(), "unionid": "u-1", "session_key": "SK-secret-session-key" }),
            )
            .into_response()
        }
    }
}

/// Where the sessions are kept in a test.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Sqlite,
    Redis,
}

/// A redis-server of this test's own, persisting to `dir` (append-only file); stopped on drop.
struct RedisServer {
    child: std::process::Child,
    url: String,
}

impl RedisServer {
    /// A redis-server on a free port.
    fn start(dir: &std::path::Path) -> RedisServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        RedisServer::on(dir, port)
    }

    /// A redis-server on `port`, persisting every write to `dir` before answering it (a
    /// restart over the same `dir` finds what the last one held).
    fn on(dir: &std::path::Path, port: u16) -> RedisServer {
        let port_text = port.to_string();
        let args = [
            "--port",
            &port_text,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
        ];
        let child = std::process::Command::new("redis-server")
            .args(args)
            .arg("--dir")
            .arg(dir)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is not installed: run scripts/setup --redis");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "redis-server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        RedisServer {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the check `$name(kind)` once per store.
macro_rules! with_each_store {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(super::Kind::Sqlite).await
            }
            #[tokio::test]
            async fn redis() {
                super::$name(super::Kind::Redis).await
            }
        }
    )*};
}

with_each_store!(
    a_code_becomes_a_session_whose_token_the_extractor_accepts,
    code2sessions_refusals_pass_through_and_a_code_works_once,
    passing_trouble_upstream_is_retried_then_reported_as_the_contract_says,
    bad_input_gets_a_clear_4xx_and_changes_nothing,
    a_forged_or_ended_token_is_401_with_json_and_logout_ends_only_its_session,
    sessions_survive_a_restart_and_the_stores_files_hold_no_secret_in_clear,
);

/// The mock WeChat, the server, and a client.
struct World {
    mock: Shared,
    server: String,
    client: reqwest::Client,
    db: tempfile::TempDir,
    config: Config,
    redis: Option<RedisServer>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl World {
    async fn new(kind: Kind) -> World {
        let mock: Shared = Arc::default();
        let upstream = serve(
            Router::new()
                .route("/sns/jscode2session", get(code2session))
                .with_state(Arc::clone(&mock)),
        )
        .await;
        let db = tempfile::tempdir().unwrap();
        let redis = (kind == Kind::Redis).then(|| RedisServer::start(db.path()));
        let store_url = match &redis {
            Some(redis) => redis.url.clone(),
            None => format!("sqlite://{}", db.path().join("sessions.db").display()),
        };
        let settings = Settings::try_parse_from_args(&[
            "--appid",
            "wx1234",
            "--store",
            &store_url,
            "--wechat-api",
            &upstream.0,
            "--upstream-timeout-ms",
            "300",
        ]);
        let config = settings.check(Some(SECRET.into())).unwrap();
        let mut world = World {
            mock,
            server: String::new(),
            client: reqwest::Client::new(),
            db,
            config,
            redis,
            tasks: vec![upstream.1],
        };
        world.start().await;
        world
    }

    /// (Re)starts the server over the same database file.
    async fn start(&mut self) {
        let store = Store::open(&self.config.store).await.unwrap();
        let own = Router::new()
            .route(
                "/api/me",
                get(|user: Authenticated| async move { Json(json!({ "openid": user.openid })) }),
            )
            .with_state(state(&self.config, store.clone()).unwrap());
        let (url, task) = serve(router(&self.config, store).unwrap().merge(own)).await;
        self.server = url;
        self.tasks.push(task);
    }

    /// Every byte the store wrote to disk (SQLite's files, or Redis' append-only files), as text.
    fn stored_text(&self) -> String {
        fn read(dir: &std::path::Path, into: &mut Vec<u8>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    read(&path, into);
                } else {
                    into.extend(std::fs::read(&path).unwrap());
                }
            }
        }
        let mut bytes = Vec::new();
        read(self.db.path(), &mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn issue(&self, openid: &str) -> String {
        let mut mock = self.mock.lock().unwrap();
        mock.issued += 1;
        let code = format!("code-{}", mock.issued);
        mock.codes.insert(code.clone(), (openid.into(), false));
        code
    }

    async fn post(&self, path: &str, body: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self
            .client
            .post(format!("{}{path}", self.server))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.server))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    async fn login(&self, code: &str) -> (u16, Value) {
        self.post(
            "/auth/login",
            &json!({ "code": code, "platform": "wx" }).to_string(),
            None,
        )
        .await
    }
}

impl Drop for World {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Serves `app` on 127.0.0.1 and an ephemeral port.
async fn serve(app: Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (
        url,
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() }),
    )
}

trait ParseArgs {
    fn try_parse_from_args(args: &[&str]) -> Settings;
}

impl ParseArgs for Settings {
    fn try_parse_from_args(args: &[&str]) -> Settings {
        use clap::Parser;
        Settings::try_parse_from(std::iter::once("mp-session-server").chain(args.iter().copied())).unwrap()
    }
}

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
        (Scripted::Http500, 502),
        (Scripted::Garbage, 502),
        (Scripted::Hang, 504),
        (Scripted::Errcode(45011), 400),
    ];
    for (trouble, status) in cases {
        world
            .mock
            .lock()
            .unwrap()
            .script
            .extend(std::iter::repeat_n(trouble, 3));
        let (got, answer) = world.login(&world.issue("o-dave")).await;
        assert_eq!(got, status, "{answer}");
        assert!(
            matches!(answer["errcode"].as_i64(), Some(-1) | Some(45011)),
            "{answer}"
        );
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
    assert_eq!(world.post("/auth/login", &huge, None).await.0, 413);
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
}

async fn sessions_survive_a_restart_and_the_stores_files_hold_no_secret_in_clear(kind: Kind) {
    let mut world = World::new(kind).await;
    let token = world.login(&world.issue("o-frank")).await.1["token"]
        .as_str()
        .unwrap()
        .to_owned();
    world.start().await;
    assert_eq!(world.get("/auth/session", &token).await.1["openid"], "o-frank");
    if kind == Kind::Redis {
        // Redis itself restarted: its append-only file brings the session back.
        let url = world.redis.take().map(|redis| redis.url.clone());
        let port: u16 = url.unwrap().rsplit(':').next().unwrap().parse().unwrap();
        std::thread::sleep(Duration::from_millis(100));
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
        let connection = rusqlite::Connection::open(world.db.path().join("sessions.db")).unwrap();
        let key: String = connection
            .query_row("SELECT session_key FROM sessions", [], |row| row.get(0))
            .unwrap();
        assert_eq!(
            key, "SK-secret-session-key",
            "session_key is kept in its own column"
        );
    }
}
