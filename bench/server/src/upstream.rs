//! What both servers stand on: the mock code2Session, a redis-server of the bench's own, and
//! a way to serve an axum app on 127.0.0.1 and an ephemeral port.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::extract::Query;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

/// The mock WeChat: `GET /sns/jscode2session` answers a session for any code, the openid
/// being `o-<code>`. It keeps no state, so it costs both servers the same.
pub fn mock() -> Router {
    Router::new().route("/sns/jscode2session", get(code2session))
}

async fn code2session(Query(query): Query<HashMap<String, String>>) -> Json<Value> {
    let code = query.get("js_code").map_or("", String::as_str);
    Json(json!({ "openid": format!("o-{code}"), "session_key": "sk", "unionid": "u" }))
}

/// Serves `app` on 127.0.0.1 and an ephemeral port, on the current runtime; its base URL.
pub async fn serve(app: Router) -> Result<String, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("listening on 127.0.0.1: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("bench-server: the server on {address} stopped: {e}");
        }
    });
    Ok(format!("http://{address}"))
}

/// A redis-server of the bench's own on 127.0.0.1 and a free port, persisting nothing;
/// killed when dropped (also when the bench fails).
pub struct RedisServer {
    child: Child,
    /// `redis://127.0.0.1:PORT`.
    pub url: String,
}

/// Where Debian's redis-server is (installed by `scripts/setup --redis`).
const REDIS_SERVER: &str = "redis-server";

impl RedisServer {
    /// Starts one with `dir` as its working directory and waits (at most 10 s) until it
    /// accepts connections.
    pub fn start(dir: &Path) -> Result<RedisServer, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|e| format!("finding a free port: {e}"))?
            .port();
        let child = Command::new(REDIS_SERVER)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("cannot start {REDIS_SERVER} ({e}): run scripts/setup --redis to install it")
            })?;
        let server = RedisServer {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() >= deadline {
                return Err(format!(
                    "{REDIS_SERVER} did not accept connections on port {port} within 10 s"
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }
}

impl RedisServer {
    /// The CPU time the server's main thread, which runs every command, has spent so far
    /// (Linux' `/proc/PID/schedstat`, in nanoseconds); `None` where that cannot be read.
    pub fn cpu(&self) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/schedstat", self.child.id())).ok()?;
        let nanoseconds = stat.split_whitespace().next()?.parse().ok()?;
        Some(Duration::from_nanos(nanoseconds))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether redis-server can be run at all (`redis-server --version`).
pub fn redis_installed() -> bool {
    Command::new(REDIS_SERVER)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}
