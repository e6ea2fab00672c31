//! The plain reference: a login server on the same stack (axum, reqwest, rusqlite or the
//! redis crate) with no mp-session logic. `POST /auth/login` takes `{code, platform}`, calls
//! code2Session once, makes a token of 32 random bytes in hex, stores `token → openid` and
//! answers `{openid, token, expires_in}`; `GET /api/me` looks the bearer token up and answers
//! `{openid}` or 401. SQLite is used as mp-session uses it (one connection behind a mutex,
//! each statement in `spawn_blocking`, WAL, `execute`/`query_row`), but each login is
//! committed alone, where mp-session commits the logins that arrive together in one; Redis
//! through one `ConnectionManager`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use redis::aio::ConnectionManager;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};

/// A session's lifetime, as mp-session's default.
const TTL_SECONDS: u64 = 7 * 24 * 3600;

/// Where the plain server keeps `token → openid`.
#[derive(Clone)]
pub enum PlainStore {
    /// One SQLite connection (a file, WAL), shared behind a mutex.
    Sqlite(Arc<Mutex<Connection>>),
    /// One multiplexed Redis connection.
    Redis(ConnectionManager),
}

impl PlainStore {
    /// Opens `sqlite://FILE` (creating its table) or `redis://HOST:PORT`.
    pub async fn open(url: &str) -> Result<PlainStore, String> {
        if url.starts_with("redis://") {
            let client = redis::Client::open(url).map_err(|e| format!("{url}: {e}"))?;
            let manager = ConnectionManager::new(client)
                .await
                .map_err(|e| format!("{url}: {e}"))?;
            return Ok(PlainStore::Redis(manager));
        }
        let file = url
            .strip_prefix("sqlite://")
            .ok_or_else(|| format!("not a store: {url}"))?;
        let failed = |e: rusqlite::Error| format!("{url}: {e}");
        let connection = Connection::open(file).map_err(failed)?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(failed)?;
        connection.busy_timeout(Duration::from_secs(5)).map_err(failed)?;
        connection
            .execute_batch("CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, openid TEXT NOT NULL)")
            .map_err(failed)?;
        Ok(PlainStore::Sqlite(Arc::new(Mutex::new(connection))))
    }

    async fn insert(&self, token: String, openid: String) -> Result<(), String> {
        match self {
            PlainStore::Sqlite(connection) => {
                blocking(connection, move |c| {
                    c.execute(
                        "INSERT INTO tokens (token, openid) VALUES (?1, ?2)",
                        params![token, openid],
                    )
                    .map(drop)
                })
                .await
            }
            PlainStore::Redis(manager) => {
                let mut manager = manager.clone();
                redis::cmd("SET")
                    .arg(format!("plain:{token}"))
                    .arg(openid)
                    .arg("EX")
                    .arg(TTL_SECONDS)
                    .query_async::<()>(&mut manager)
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    }

    async fn find(&self, token: String) -> Result<Option<String>, String> {
        match self {
            PlainStore::Sqlite(connection) => {
                blocking(connection, move |c| {
                    c.query_row(
                        "SELECT openid FROM tokens WHERE token = ?1",
                        params![token],
                        |row| row.get(0),
                    )
                    .optional()
                })
                .await
            }
            PlainStore::Redis(manager) => {
                let mut manager = manager.clone();
                redis::cmd("GET")
                    .arg(format!("plain:{token}"))
                    .query_async(&mut manager)
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// Runs `work` on the connection in `spawn_blocking`, as mp-session's SQLite store does.
async fn blocking<T: Send + 'static>(
    connection: &Arc<Mutex<Connection>>,
    work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, String> {
    let connection = Arc::clone(connection);
    tokio::task::spawn_blocking(move || {
        let connection = connection.lock().map_err(|_| "a writer panicked".to_owned())?;
        work(&connection).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

#[derive(Clone)]
struct Plain {
    client: reqwest::Client,
    code2session: String,
    store: PlainStore,
}

/// The plain server's routes, calling code2Session at `wechat_api` (with mp-session's
/// default timeout) and keeping tokens in `store`.
pub fn router(wechat_api: &str, store: PlainStore) -> Result<Router, String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(5000))
        .build()
        .map_err(|e| format!("the HTTP client: {e}"))?;
    let plain = Plain {
        client,
        code2session: format!("{wechat_api}/sns/jscode2session"),
        store,
    };
    Ok(Router::new()
        .route("/auth/login", post(login))
        .route("/api/me", get(me))
        .with_state(plain))
}

#[derive(Deserialize)]
struct LoginBody {
    code: String,
    platform: String,
}

#[derive(Deserialize)]
struct Code2Session {
    openid: String,
}

type Answer = Result<Json<Value>, (StatusCode, String)>;

fn failed(status: StatusCode) -> impl FnOnce(String) -> (StatusCode, String) {
    move |why| (status, why)
}

async fn login(State(plain): State<Plain>, Json(body): Json<LoginBody>) -> Answer {
    if body.platform != "wx" {
        return Err((StatusCode::BAD_REQUEST, "this server serves wx".to_owned()));
    }
    let query = [
        ("appid", "wxbench"),
        ("secret", "bench-secret"),
        ("js_code", body.code.as_str()),
        ("grant_type", "authorization_code"),
    ];
    let answer: Code2Session = async {
        let response = plain.client.get(&plain.code2session).query(&query).send().await?;
        response.error_for_status()?.json().await
    }
    .await
    .map_err(|e| (StatusCode::BAD_GATEWAY, e.to_string()))?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    plain
        .store
        .insert(token.clone(), answer.openid.clone())
        .await
        .map_err(failed(StatusCode::SERVICE_UNAVAILABLE))?;
    Ok(Json(
        json!({ "openid": answer.openid, "token": token, "expires_in": TTL_SECONDS }),
    ))
}

async fn me(State(plain): State<Plain>, headers: HeaderMap) -> Answer {
    let unauthorized = || (StatusCode::UNAUTHORIZED, "log in again".to_owned());
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(unauthorized)?;
    match plain
        .store
        .find(token.to_owned())
        .await
        .map_err(failed(StatusCode::SERVICE_UNAVAILABLE))?
    {
        Some(openid) => Ok(Json(json!({ "openid": openid }))),
        None => Err(unauthorized()),
    }
}
