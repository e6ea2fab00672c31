//! `Authenticated`: the extractor a Rust backend puts on its own handlers. A request without
//! a live session's token is answered 401 with JSON, which the client's default
//! `isSessionExpired` (status 401) takes for "log in again". A token's requests are held to
//! `--calls-per-minute-per-token` (`429 RATE_LIMITED` beyond it).

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::StatusCode;

use crate::clock::now;
use crate::failure::Failure;
use crate::limits::Admitted;
use crate::{metrics, token, AppState};

/// The token of an `Authorization: Bearer <token>` header (the scheme in any case, as HTTP
/// has it).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim_start())
}

/// The user of a request carrying `Authorization: Bearer <token>` of a live session.
#[derive(Clone, Debug)]
pub struct Authenticated {
    /// The user's openid.
    pub openid: String,
    /// The user's unionid, if WeChat gave one.
    pub unionid: Option<String>,
    /// The platform the session came from.
    pub platform: String,
    /// When the session ends (Unix seconds).
    pub expires_at: i64,
    /// The session's id (what logout removes).
    pub token_id: String,
}

impl<S> FromRequestParts<S> for Authenticated
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let expired = || {
            Failure::new(
                StatusCode::UNAUTHORIZED,
                "SESSION_EXPIRED",
                "no live session for this token: log in again",
            )
        };
        let presented = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer)
            .ok_or_else(expired)?;
        let (id, verifier) = token::split(presented).ok_or_else(expired)?;
        let found = state
            .store
            .find(id.clone(), now())
            .await
            .map_err(Failure::store)?;
        match found {
            Some((session, stored)) if token::constant_time_eq(stored.as_bytes(), verifier.as_bytes()) => {
                // Counted only once the token is proven: naming a session's id spends nothing.
                let admitted = state
                    .store
                    .admit(format!("token:{id}"), state.config.limits.calls_per_token)
                    .await
                    .map_err(Failure::store)?;
                if let Admitted::No { retry_after_ms } = admitted {
                    metrics::count(metrics::LIMITS_HIT, &[("limit", "token")], 1);
                    return Err(Failure::limited(
                        "too many requests with this token",
                        retry_after_ms,
                    ));
                }
                state.store.note_use(session.openid.clone(), id.clone(), now());
                Ok(Authenticated {
                    openid: session.openid,
                    unionid: session.unionid,
                    platform: session.platform,
                    expires_at: session.expires_at,
                    token_id: id,
                })
            }
            _ => Err(expired()),
        }
    }
}
