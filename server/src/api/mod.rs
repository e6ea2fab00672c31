//! The HTTP endpoints: `POST /auth/login`, `POST /auth/logout`, `GET /auth/session`,
//! `POST /auth/phone`, `GET /health`; and the JSON every error is answered with.

mod login;
mod phone;

use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_http::cors::CorsLayer;

use crate::auth::Authenticated;
use crate::upstream::Unavailable;
use crate::AppState;

/// The largest request body taken (a login body is well under 1 KiB).
pub const MAX_BODY_BYTES: usize = 4096;

/// The endpoints on `state`; pages of the configured origins may call them from a browser.
pub fn routes(state: AppState) -> Router {
    let origins: Vec<HeaderValue> = state
        .config
        .cors_origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    let routes = Router::new()
        .route("/auth/login", post(login::login))
        .route("/auth/logout", post(logout))
        .route("/auth/session", get(session))
        .route("/auth/phone", post(phone::phone))
        .route("/health", get(health))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state);
    if origins.is_empty() {
        return routes;
    }
    routes.layer(
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
            .max_age(std::time::Duration::from_secs(3600)),
    )
}

/// An answer that is not a success: a status and a JSON body.
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

    /// The same, with the upstream's `errcode` beside the code.
    fn with_errcode(status: StatusCode, code: &str, message: impl Into<String>, errcode: i64) -> Failure {
        let mut failure = Failure::new(status, code, message);
        failure.body["error"]["errcode"] = errcode.into();
        failure
    }

    /// The contract's failure: `{ "errcode", "errmsg" }` (the client's rules read `errcode`).
    fn errcode(status: StatusCode, errcode: i64, errmsg: impl Into<String>) -> Failure {
        Failure {
            status,
            body: json!({ "errcode": errcode, "errmsg": errmsg.into() }),
        }
    }

    /// The upstream gave no usable answer: 504 if it ran out of time, else 502, with the
    /// contract's `errcode: -1`.
    fn unavailable(what: &str, unavailable: Unavailable) -> Failure {
        tracing::warn!("{what}: {}", unavailable.why);
        let status = if unavailable.timed_out {
            StatusCode::GATEWAY_TIMEOUT
        } else {
            StatusCode::BAD_GATEWAY
        };
        Failure::errcode(status, -1, unavailable.why)
    }

    /// The store failed: 503, the details in the log only.
    pub fn store(error: crate::store::StoreError) -> Failure {
        tracing::error!("{error}");
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "STORE",
            "the session store failed; try again",
        )
    }

    /// A request body that is not the JSON `shape` names: 413 `TOO_LARGE` if over
    /// `MAX_BODY_BYTES`, else 400 `BAD_REQUEST`.
    fn body(rejection: JsonRejection, shape: &str) -> Failure {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Failure::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "TOO_LARGE",
                format!("the body must be JSON {shape} of at most {MAX_BODY_BYTES} bytes"),
            );
        }
        Failure::new(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            format!("the body must be JSON {shape}: {}", rejection.body_text()),
        )
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

async fn logout(State(state): State<AppState>, user: Authenticated) -> Result<Json<Value>, Failure> {
    state.store.remove(user.token_id).await.map_err(Failure::store)?;
    Ok(Json(json!({ "ok": true })))
}

async fn session(State(state): State<AppState>, user: Authenticated) -> Result<Json<Value>, Failure> {
    let phone = state
        .store
        .phone(user.openid.clone())
        .await
        .map_err(Failure::store)?;
    Ok(Json(json!({
        "openid": user.openid,
        "unionid": user.unionid,
        "platform": user.platform,
        "expires_at": user.expires_at,
        "phone": phone,
    })))
}

/// For a load balancer: 200 while the store answers, else 503.
async fn health(State(state): State<AppState>) -> Result<Json<Value>, Failure> {
    state.store.ping().await.map_err(Failure::store)?;
    Ok(Json(json!({ "ok": true })))
}

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
