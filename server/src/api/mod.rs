//! The HTTP endpoints: `POST /auth/login`, `POST /auth/logout`, `GET /auth/session`,
//! `GET /auth/sessions`, `DELETE /auth/sessions/{id}`, `POST /auth/phone`, `GET /health`,
//! `GET /metrics`, `GET /openapi.json` (their description, `server/openapi.json`).

mod login;
mod phone;
mod sessions;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue, Method};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tower_http::cors::CorsLayer;

use crate::auth::Authenticated;
use crate::config::MAX_BODY_BYTES;
use crate::failure::Failure;
use crate::AppState;

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
        .route("/auth/logout", post(sessions::logout))
        .route("/auth/session", get(session))
        .route("/auth/sessions", get(sessions::list))
        .route("/auth/sessions/{id}", delete(sessions::end))
        .route("/auth/phone", post(phone::phone))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state);
    if origins.is_empty() {
        return routes;
    }
    routes.layer(
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
            // A page reads a 429's or a 503's Retry-After, as the client core does.
            .expose_headers([header::RETRY_AFTER])
            .max_age(std::time::Duration::from_secs(3600)),
    )
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

/// For Prometheus: the text format, version 0.0.4.
async fn metrics() -> ([(header::HeaderName, &'static str); 1], String) {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        crate::metrics::render(),
    )
}

/// The endpoints described in OpenAPI 3.1 (`server/openapi.json`, which a test holds to
/// these routes).
pub const OPENAPI: &str = include_str!("../../openapi.json");

async fn openapi() -> ([(header::HeaderName, &'static str); 1], &'static str) {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// For a load balancer: 200 while the store answers, else 503.
async fn health(State(state): State<AppState>) -> Result<Json<Value>, Failure> {
    state.store.ping().await.map_err(Failure::store)?;
    Ok(Json(json!({ "ok": true })))
}
