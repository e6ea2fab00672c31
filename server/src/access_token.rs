//! One `access_token` per AppID for every server on the store: read from the store while it
//! has more than `REFRESH_MARGIN` left; else fetched from `cgi-bin/stable_token` by the one
//! server that takes the store's refresh lock, while the others keep using the old token (if
//! it still works) or wait for the new one.

use std::time::{Duration, Instant};

use crate::api::now;
use crate::config::App;
use crate::store::StoreError;
use crate::upstream::{Failed, Unavailable};
use crate::{token, AppState};

/// A token with less than this left (seconds) is refreshed.
const REFRESH_MARGIN: i64 = 300;
/// A token with less than this left (seconds) is not used while another server refreshes.
const USABLE_MARGIN: i64 = 30;
/// How often a server waiting for another's refresh looks again.
const POLL: Duration = Duration::from_millis(50);

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
    // A holder's time: every try of stable_token, its backoff, and a margin.
    let hold = state.config.upstream_timeout * 4 + Duration::from_secs(1);
    let deadline = Instant::now() + hold + Duration::from_secs(1);
    let holder = token::nonce().map_err(|e| StoreError(format!("no random bytes: {e}")))?;
    loop {
        let kept = store.access_token(app.appid.clone()).await?;
        let left = |(token, expires_at): &(String, i64), margin: i64| {
            Some(token.as_str()) != refused && expires_at - now() > margin
        };
        match &kept {
            Some(kept) if left(kept, REFRESH_MARGIN) => return Ok(kept.0.clone()),
            _ => {}
        }
        let hold_ms = u64::try_from(hold.as_millis()).unwrap_or(u64::MAX);
        if store.try_lock(lock.clone(), holder.clone(), hold_ms).await? {
            // Refreshed in a task of its own: a request that goes away does not leave the
            // lock held.
            let (state, app, refused) = (state.clone(), app.clone(), refused.map(str::to_owned));
            let refresh = tokio::spawn(async move {
                let refreshed = refresh(&state, &app, refused.as_deref()).await;
                let unlocked = state.store.unlock(lock, holder).await;
                let token = refreshed?;
                unlocked?;
                Ok(token)
            });
            return refresh
                .await
                .unwrap_or_else(|e| Err(TokenError::Store(StoreError(format!("the refresh stopped: {e}")))));
        }
        match &kept {
            Some(kept) if left(kept, USABLE_MARGIN) => return Ok(kept.0.clone()),
            _ => {}
        }
        if Instant::now() >= deadline {
            return Err(TokenError::Upstream(Failed::Unavailable(Unavailable {
                timed_out: true,
                why: "another server is refreshing the access_token and has not finished".into(),
            })));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Under the lock: the kept token if another server refreshed it meanwhile, else a new one
/// from WeChat, kept for every server.
async fn refresh(state: &AppState, app: &App, refused: Option<&str>) -> Result<String, TokenError> {
    if let Some((token, expires_at)) = state.store.access_token(app.appid.clone()).await? {
        if Some(token.as_str()) != refused && expires_at - now() > REFRESH_MARGIN {
            return Ok(token);
        }
    }
    let fresh = state
        .upstream
        .stable_token(app, refused.is_some())
        .await
        .map_err(TokenError::Upstream)?;
    tracing::info!(appid = %app.appid, expires_in = fresh.expires_in, "access_token refreshed");
    state
        .store
        .put_access_token(
            app.appid.clone(),
            fresh.access_token.clone(),
            now() + fresh.expires_in,
        )
        .await?;
    Ok(fresh.access_token)
}
