//! What the server's tests share: a mock of WeChat's and Douyin's APIs over real HTTP (codes it
//! issued, single use; scripted failures), a redis-server of the test's own, and the server on
//! 127.0.0.1 and an ephemeral port over either store.
#![allow(dead_code)] // each test file uses part of it

pub mod mock;

use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::{Json, Router};
use mp_session_server::{router, state, Authenticated, Config, Settings, Store};
use serde_json::{json, Value};

#[allow(unused_imports)] // each test file uses part of it
pub use mock::{Scripted, Shared};

/// Where the sessions are kept in a test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Sqlite,
    Redis,
}

/// Runs the check `$name(kind)` once per store.
#[macro_export]
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

/// A redis-server of this test's own, persisting to `dir` (append-only file); stopped on drop.
pub struct RedisServer {
    child: std::process::Child,
    pub url: String,
}

impl RedisServer {
    /// A redis-server on a free port.
    pub fn start(dir: &std::path::Path) -> RedisServer {
        RedisServer::on(dir, free_port())
    }

    /// A redis-server on `port`, persisting every write to `dir` before answering it (a
    /// restart over the same `dir` finds what the last one held).
    pub fn on(dir: &std::path::Path, port: u16) -> RedisServer {
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

/// The `mp-session-server` binary, listening on 127.0.0.1 and an ephemeral port for the mock's
/// app over `store`; killed on drop. Its log (standard error) is kept for `log()`.
pub struct Binary {
    pub child: std::process::Child,
    pub url: String,
}

impl Binary {
    /// Started with `--store store --wechat-api upstream` and `extra` flags; waits (15 s at
    /// most) for its `listening on http://ADDR`.
    pub fn start(store: &str, upstream: &str, extra: &[&str]) -> Binary {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_mp-session-server"))
            .args([
                "--appid",
                mock::APPID,
                "--listen",
                "127.0.0.1:0",
                "--store",
                store,
            ])
            .args(["--wechat-api", upstream])
            .args(extra)
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
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = receiver
            .recv_timeout(Duration::from_secs(15))
            .expect("the server did not start");
        let url = line.trim().strip_prefix("listening on ").expect(&line).to_owned();
        Binary { child, url }
    }

    /// SIGKILL: no graceful shutdown.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Stopped (killed), its whole log.
    pub fn log(mut self) -> String {
        use std::io::Read;
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut log = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            stderr.read_to_string(&mut log).unwrap();
        }
        log
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port on 127.0.0.1 that nothing listens on (just now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A client that gives up on an answer after 30 s: a server that hangs fails the test.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// The abuse limits' settings.
pub const LIMITS: [&str; 3] = [
    "--logins-per-minute-per-ip",
    "--logins-per-minute-per-user",
    "--calls-per-minute-per-token",
];

/// The mock upstream, the server (as many instances over one store as started), and a client.
pub struct World {
    pub mock: Shared,
    pub server: String,
    pub servers: Vec<String>,
    pub client: reqwest::Client,
    pub db: tempfile::TempDir,
    pub config: Config,
    pub redis: Option<RedisServer>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl World {
    /// The mini-program alone (`--appid`).
    pub async fn new(kind: Kind) -> World {
        World::with(kind, &[]).await
    }

    /// With `extra` settings too (`--web-appid`, `--douyin-appid`, ...; the upstream timeout
    /// is 300 ms, and each abuse limit off, unless given).
    pub async fn with(kind: Kind, extra: &[&str]) -> World {
        let mock: Shared = Arc::default();
        let upstream = serve(mock::routes(Arc::clone(&mock))).await;
        let db = tempfile::tempdir().unwrap();
        let redis = (kind == Kind::Redis).then(|| RedisServer::start(db.path()));
        let store_url = match &redis {
            Some(redis) => redis.url.clone(),
            None => format!("sqlite://{}", db.path().join("sessions.db").display()),
        };
        let mut args = vec![
            "--appid",
            mock::APPID,
            "--store",
            &store_url,
            "--wechat-api",
            &upstream.0,
            "--douyin-api",
            &upstream.0,
        ];
        if !extra.contains(&"--upstream-timeout-ms") {
            args.extend(["--upstream-timeout-ms", "300"]);
        }
        // The abuse limits are off unless the test sets them (its logins all come from here).
        for limit in LIMITS {
            if !extra.contains(&limit) {
                args.extend([limit, "0"]);
            }
        }
        args.extend_from_slice(extra);
        let config = settings(&args).check(mock::secrets).unwrap();
        let mut world = World {
            mock,
            server: String::new(),
            servers: Vec::new(),
            client: client(),
            db,
            config,
            redis,
            tasks: vec![upstream.1],
        };
        world.start().await;
        world
    }

    /// (Re)starts the server over the same store; the instances started before keep serving
    /// (as other servers of one app would).
    pub async fn start(&mut self) {
        let store = Store::open(&self.config.store).await.unwrap();
        let own = Router::new()
            .route(
                "/api/me",
                get(|user: Authenticated| async move { Json(json!({ "openid": user.openid })) }),
            )
            .route(
                "/api/echo",
                post(|user: Authenticated, body: String| async move {
                    Json(json!({ "openid": user.openid, "body": body }))
                }),
            )
            .with_state(state(&self.config, store.clone()).unwrap());
        let (url, task) = serve(router(&self.config, store).unwrap().merge(own)).await;
        self.server = url.clone();
        self.servers.push(url);
        self.tasks.push(task);
    }

    /// Every byte the store wrote to disk (SQLite's files, or Redis' append-only files), as text.
    pub fn stored_text(&self) -> String {
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

    /// The store the servers use, opened again (as an operator's command does).
    pub async fn store(&self) -> Store {
        Store::open(&self.config.store).await.unwrap()
    }

    /// A login code for `openid`, as `wx.login` (or `tt.login`, or an OAuth redirect) gives.
    pub fn issue(&self, openid: &str) -> String {
        self.mock.lock().unwrap().issue(openid)
    }

    pub async fn post(&self, path: &str, body: &str, token: Option<&str>) -> (u16, Value) {
        self.post_to(&self.server, path, body, token).await
    }

    pub async fn post_to(&self, server: &str, path: &str, body: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self
            .client
            .post(format!("{server}{path}"))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// `DELETE path` with `token`.
    pub async fn delete(&self, path: &str, token: &str) -> (u16, Value) {
        self.with_token(reqwest::Method::DELETE, path, token).await
    }

    /// `GET path` with `token`.
    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.with_token(reqwest::Method::GET, path, token).await
    }

    /// `method path` with `token`, no body: the status and the JSON answered (`null` if none).
    async fn with_token(&self, method: reqwest::Method, path: &str, token: &str) -> (u16, Value) {
        let response = self
            .client
            .request(method, format!("{}{path}", self.server))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.json().await.unwrap_or(Value::Null),
        )
    }

    /// `POST /auth/login` with a mini-program code.
    pub async fn login(&self, code: &str) -> (u16, Value) {
        self.post(
            "/auth/login",
            &json!({ "code": code, "platform": "wx" }).to_string(),
            None,
        )
        .await
    }

    /// A session's token for `openid`, logged in through the mini-program.
    pub async fn token(&self, openid: &str) -> String {
        let (status, answer) = self.login(&self.issue(openid)).await;
        assert_eq!(status, 200, "{answer}");
        answer["token"].as_str().unwrap().to_owned()
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
pub async fn serve(app: Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (
        url,
        tokio::spawn(async move {
            let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, app).await.unwrap()
        }),
    )
}

/// `mp-session-server ARGS`, parsed.
pub fn settings(args: &[&str]) -> Settings {
    use clap::Parser;
    Settings::try_parse_from(std::iter::once("mp-session-server").chain(args.iter().copied())).unwrap()
}

/// How many sessions the store holds.
pub async fn sessions(kind: Kind, store: &str) -> usize {
    match kind {
        Kind::Sqlite => {
            let file = store.strip_prefix("sqlite://").unwrap();
            let connection = rusqlite::Connection::open(file).unwrap();
            connection
                .query_row("SELECT count(*) FROM sessions", [], |row| row.get(0))
                .unwrap()
        }
        Kind::Redis => {
            let client = redis::Client::open(store).unwrap();
            let mut connection = client.get_multiplexed_async_connection().await.unwrap();
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg("mp-session:session:*")
                .query_async(&mut connection)
                .await
                .unwrap();
            keys.len()
        }
    }
}
