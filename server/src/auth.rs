//! `Authenticated`: the extractor a Rust backend puts on its own handlers. A request without
//! a live session's token is answered 401 with JSON, which the client's default
//! `isSessionExpired` (status 401) takes for "log in again". A token's requests are held to
//! `--calls-per-minute-per-token` (`429 RATE_LIMITED` beyond it).

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::StatusCode;

use crate::clock::now;
use crate::failure::Failure;
use crate::limits::Limit;
use crate::store::Found;
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
        // The secret is checked, and the request counted against the token's budget, in one
        // call to the store; a wrong secret spends nothing.
        let per_token = state.config.limits.calls_per_token;
        let found = state
            .store
            .authenticate(id.clone(), verifier, now(), per_token)
            .await
            .map_err(Failure::store)?;
        match found {
            Found::Session(session) => {
                state.store.note_use(session.openid.clone(), id.clone(), now());
                Ok(Authenticated {
                    openid: session.openid,
                    unionid: session.unionid,
                    platform: session.platform,
                    expires_at: session.expires_at,
                    token_id: id,
                })
            }
            Found::Limited { retry_after_ms } => {
                metrics::count(metrics::LIMITS_HIT, &[("limit", Limit::Token.label())], 1);
                Err(Failure::limited(Limit::Token.words(), retry_after_ms))
            }
            Found::Nothing => Err(expired()),
        }
    }
}
