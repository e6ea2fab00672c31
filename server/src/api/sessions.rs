//! A user's sessions: `GET /auth/sessions` lists them, `DELETE /auth/sessions/{id}` ends one,
//! `POST /auth/logout` ends the caller's, or with `{ "all": true }` every one of the user's.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Authenticated;
use crate::clock::now;
use crate::failure::Failure;
use crate::metrics;
use crate::AppState;

/// `POST /auth/logout`'s body, when it has one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Logout {
    #[serde(default)]
    all: bool,
}

pub(super) async fn logout(
    State(state): State<AppState>,
    user: Authenticated,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, Failure> {
    let body = body.map_err(|rejection| {
        Failure::new(
            rejection.status(),
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                "TOO_LARGE"
            } else {
                "BAD_REQUEST"
            },
            format!(
                "logout takes no body, or {{ \"all\": true }}: {}",
                rejection.body_text()
            ),
        )
    })?;
    let all = if body.iter().all(u8::is_ascii_whitespace) {
        false
    } else {
        // An object only: serde reads a struct from an array too (`[true]`).
        serde_json::from_slice::<serde_json::Map<String, Value>>(&body)
            .and_then(|object| serde_json::from_value::<Logout>(Value::Object(object)))
            .map_err(|e| {
                Failure::new(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    format!(
                        "logout takes no body, or {{ \"all\": true }} to end every session of the user ({e})"
                    ),
                )
            })?
            .all
    };
    let ended = if all {
        state.store.remove_all(user.openid).await
    } else {
        state
            .store
            .remove(user.openid, user.token_id)
            .await
            .map(u64::from)
    }
    .map_err(Failure::store)?;
    let reason = if all { "logout_all" } else { "logout" };
    metrics::count(metrics::SESSIONS_ENDED, &[("reason", reason)], ended);
    Ok(Json(json!({ "ok": true, "ended": ended })))
}

pub(super) async fn list(State(state): State<AppState>, user: Authenticated) -> Result<Json<Value>, Failure> {
    let sessions = state
        .store
        .sessions(user.openid, now())
        .await
        .map_err(Failure::store)?;
    let sessions: Vec<Value> = sessions
        .into_iter()
        .map(|s| {
            json!({
                "id": s.id,
                "platform": s.platform,
                "created_at": s.created_ms / 1000,
                "last_used_at": s.last_used,
                "expires_at": s.expires_at,
                "device": s.device,
                "current": s.id == user.token_id,
            })
        })
        .collect();
    Ok(Json(json!({ "sessions": sessions })))
}

pub(super) async fn end(
    State(state): State<AppState>,
    user: Authenticated,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, Failure> {
    // An id is a token's first part: 22 URL-safe characters. Any other is no session's.
    let id = id.map(|Path(id)| id).unwrap_or_default();
    let shaped = id.len() == 22
        && id
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
    if shaped
        && state
            .store
            .remove(user.openid, id)
            .await
            .map_err(Failure::store)?
    {
        metrics::count(metrics::SESSIONS_ENDED, &[("reason", "deleted")], 1);
        Ok(Json(json!({ "ok": true, "ended": 1 })))
    } else {
        Err(Failure::new(
            StatusCode::NOT_FOUND,
            "NO_SUCH_SESSION",
            "no session of this user has this id (GET /auth/sessions lists them)",
        ))
    }
}
