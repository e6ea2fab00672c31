//! One `access_token` per AppID for every server on the store: read from the store while it
//! has more than `REFRESH_MARGIN` left; else fetched from `cgi-bin/stable_token` by the one
//! server that takes the store's refresh lock, while the others (and the holder itself, if the
//! old token still works) keep using the old token, or wait for the new one.

use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use crate::clock::now;
use crate::config::App;
use crate::store::StoreError;
use crate::upstream::{Failed, Unavailable};
use crate::{token, AppState};

/// A token with less than this left (seconds) is refreshed: WeChat's `stable_token` gives a
/// new one in the last 5 minutes of the old.
const REFRESH_MARGIN: i64 = 300;
/// A token with less than this left (seconds) is not used while another server refreshes.
const USABLE_MARGIN: i64 = 30;
/// How often a server waiting for another's refresh looks again.
const POLL: Duration = Duration::from_millis(50);
/// The store's share of a refresh (SQLite waits up to 5 s for a busy file; Redis calls time
/// out after 5 s), on top of the calls to WeChat.
const STORE_ALLOWANCE: Duration = Duration::from_secs(10);

/// Why there is no `access_token`.
#[derive(Debug)]
pub enum TokenError {
    /// WeChat did not give one.
    Upstream(Failed),
    /// The store failed.
    Store(StoreError),
}

impl From<StoreError> for TokenError {
    fn from(error: StoreError) -> TokenError {
        TokenError::Store(error)
    }
}

/// `app`'s `access_token`; `refused` is one WeChat just refused as invalid (it is replaced,
/// with `force_refresh`, unless another server already did).
pub async fn access_token(state: &AppState, app: &App, refused: Option<&str>) -> Result<String, TokenError> {
    let store = &state.store;
    let lock = format!("access-token:{}", app.appid);
    // A holder's time: every try of stable_token, its backoff, the store's calls.
    let hold = state.config.upstream_timeout * 4 + STORE_ALLOWANCE;
    let deadline = Instant::now() + hold + Duration::from_secs(1);
    let holder = token::nonce().map_err(|e| StoreError(format!("no random bytes: {e}")))?;
    loop {
        let usable = store
            .access_token(app.appid.clone())
            .await?
            .filter(|(token, expires_at)| {
                Some(token.as_str()) != refused && expires_at - now() > USABLE_MARGIN
            });
        if let Some((token, expires_at)) = &usable {
            if expires_at - now() > REFRESH_MARGIN {
                return Ok(token.clone());
            }
        }
        let hold_ms = u64::try_from(hold.as_millis()).unwrap_or(u64::MAX);
        if store.try_lock(lock.clone(), holder.clone(), hold_ms).await? {
            let refresh = refresh_under_lock(state, app, refused, lock, holder);
            return match usable {
                // The old token works meanwhile: the refresh goes on without this request.
                Some((token, _)) => Ok(token),
                None => refresh.await.unwrap_or_else(|e| Err(stopped(e))),
            };
        }
        if let Some((token, _)) = usable {
            return Ok(token);
        }
        if Instant::now() >= deadline {
            return Err(TokenError::Upstream(Failed::Unavailable(Unavailable {
                timed_out: true,
                unsent: true,
                why: "another server is refreshing the access_token and has not finished".into(),
            })));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The refresh, by the holder of `lock`, in a task of its own (a request that goes away does
/// not stop it), and the refresh itself in another (a panic in it still lets the lock go).
fn refresh_under_lock(
    state: &AppState,
    app: &App,
    refused: Option<&str>,
    lock: String,
    holder: String,
) -> JoinHandle<Result<String, TokenError>> {
    let (state, app, refused) = (state.clone(), app.clone(), refused.map(str::to_owned));
    tokio::spawn(async move {
        let work = tokio::spawn({
            let (state, lock, holder) = (state.clone(), lock.clone(), holder.clone());
            async move { refresh(&state, &app, refused.as_deref(), lock, holder).await }
        });
        let refreshed = work.await.unwrap_or_else(|e| Err(stopped(e)));
        let unlocked = state.store.unlock(lock, holder).await;
        if let Err(error) = &refreshed {
            tracing::error!("the access_token refresh failed: {error:?}");
        }
        let token = refreshed?;
        unlocked?;
        Ok(token)
    })
}

/// Under the lock: the kept token if another server refreshed it meanwhile, else a new one
/// from WeChat, kept for every server if this one still holds the lock.
async fn refresh(
    state: &AppState,
    app: &App,
    refused: Option<&str>,
    lock: String,
    holder: String,
) -> Result<String, TokenError> {
    if let Some((token, expires_at)) = state.store.access_token(app.appid.clone()).await? {
        if Some(token.as_str()) != refused && expires_at - now() > REFRESH_MARGIN {
            return Ok(token);
        }
    }
    let asked_at = now();
    let fresh = state
        .upstream
        .stable_token(app, refused.is_some())
        .await
        .map_err(TokenError::Upstream)?;
    let kept = state
        .store
        .put_access_token(
            app.appid.clone(),
            fresh.access_token.clone(),
            asked_at + fresh.expires_in,
            (lock, holder),
        )
        .await?;
    let outcome = if kept { "kept" } else { "not_kept" };
    crate::metrics::count(crate::metrics::ACCESS_TOKEN_REFRESHES, &[("outcome", outcome)], 1);
    if kept {
        tracing::info!(appid = %app.appid, expires_in = fresh.expires_in, "access_token refreshed");
    } else {
        tracing::warn!(appid = %app.appid, "access_token refreshed after the lock ran out: not kept");
    }
    Ok(fresh.access_token)
}

fn stopped(error: tokio::task::JoinError) -> TokenError {
    TokenError::Upstream(Failed::Unavailable(Unavailable {
        timed_out: false,
        unsent: false,
        why: format!("the access_token refresh stopped: {error}"),
    }))
}
