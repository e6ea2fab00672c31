//! The HTTP endpoints: `POST /auth/login`, `POST /auth/logout`, `GET /auth/session`; and the
//! JSON every error is answered with.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Authenticated;
use crate::store::StoredSession;
use crate::wechat::Exchange;
use crate::{token, AppState};

/// The largest request body taken (a login body is well under 1 KiB).
pub const MAX_BODY_BYTES: usize = 4096;

/// The endpoints on `state`.
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/session", get(session))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// An answer that is not a session: a status and a JSON body.
#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    body: Value,
}

impl Failure {
    /// `{ "error": { "code", "message" } }` with `status`.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Failure {
        Failure {
            status,
            body: json!({ "error": { "code": code, "message": message.into() } }),
        }
    }

    /// The contract's failure: `{ "errcode", "errmsg" }` (the client's rules read `errcode`).
    fn errcode(status: StatusCode, errcode: i64, errmsg: impl Into<String>) -> Failure {
        Failure {
            status,
            body: json!({ "errcode": errcode, "errmsg": errmsg.into() }),
        }
    }

    fn store(error: crate::store::StoreError) -> Failure {
        tracing::error!("{error}");
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "STORE",
            "the session store failed; try again",
        )
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    code: Option<String>,
    platform: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    body: Result<Json<LoginBody>, JsonRejection>,
) -> Result<Json<Value>, Failure> {
    let Json(body) = body.map_err(|rejection| {
        let status = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        Failure::new(
            status,
            "BAD_REQUEST",
            format!(
                "the body must be JSON {{ code, platform }}: {}",
                rejection.body_text()
            ),
        )
    })?;
    let platform = body.platform.unwrap_or_else(|| "wx".to_owned());
    if platform != "wx" {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "UNKNOWN_PLATFORM",
            format!("platform {platform:?} is not served here (this server serves wx)"),
        ));
    }
    let code = match body.code {
        Some(code) if !code.is_empty() && code.len() <= 256 => code,
        _ => {
            return Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "code must be the wx.login code, 1 to 256 characters",
            ))
        }
    };
    let (openid, unionid, session_key) = match state.upstream.code2session(&code).await {
        Exchange::Session {
            openid,
            unionid,
            session_key,
        } => (openid, unionid, session_key),
        Exchange::Refused { errcode, errmsg } => {
            return Err(Failure::errcode(StatusCode::BAD_REQUEST, errcode, errmsg))
        }
        Exchange::Unavailable { timed_out, why } => {
            tracing::warn!("code2Session: {why}");
            let status = if timed_out {
                StatusCode::GATEWAY_TIMEOUT
            } else {
                StatusCode::BAD_GATEWAY
            };
            return Err(Failure::errcode(status, -1, why));
        }
    };
    let issued = token::issue().map_err(|e| {
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "RANDOM",
            format!("no random bytes: {e}"),
        )
    })?;
    let ttl = state.config.session_ttl.as_secs();
    let session = StoredSession {
        openid: openid.clone(),
        unionid: unionid.clone(),
        platform,
        expires_at: now() + ttl as i64,
    };
    state
        .store
        .insert(issued.id, issued.verifier, session, session_key)
        .await
        .map_err(Failure::store)?;
    tracing::info!(openid = %openid, "logged in");
    Ok(Json(
        json!({ "openid": openid, "unionid": unionid, "token": issued.token, "expires_in": ttl, "userInfo": null }),
    ))
}

async fn logout(State(state): State<AppState>, user: Authenticated) -> Result<Json<Value>, Failure> {
    state.store.remove(user.token_id).await.map_err(Failure::store)?;
    Ok(Json(json!({ "ok": true })))
}

async fn session(user: Authenticated) -> Json<Value> {
    Json(json!({
        "openid": user.openid,
        "unionid": user.unionid,
        "platform": user.platform,
        "expires_at": user.expires_at,
    }))
}

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
