//! The server half of mp-session: `POST /auth/login` turns a `wx.login` code (or an official
//! account's OAuth code, or Douyin's `tt.login` code) into a session (code2Session with the
//! AppSecret; the `session_key` stays here; the client gets a token), `POST /auth/logout`
//! ends one, `GET /auth/session` says whose a token is, `POST /auth/phone` binds a
//! `getPhoneNumber` code's number to the user, `GET /health` says whether the store answers.
//! Sessions, phone numbers and the app's shared `access_token` live in SQLite or Redis. Use
//! it as the `mp-session-server` binary, or mount [`router`] in your own axum app and put
//! [`Authenticated`] on your handlers (`examples/own_app.rs`).
//!
//! ```no_run
//! # async fn run() -> Result<(), String> {
//! use mp_session_server::{router, Settings, Store};
//! use clap::Parser;
//! let config = Settings::parse().check(|name| std::env::var(name).ok())?;
//! let store = Store::open(&config.store).await?;
//! let app = router(&config, store)?;
//! # Ok(()) }
//! ```

mod access_token;
pub mod address;
mod api;
mod auth;
mod clock;
mod config;
mod failure;
pub mod limits;
pub mod metrics;
pub mod store;
mod token;
mod upstream;

use std::sync::Arc;

pub use auth::Authenticated;
pub use config::MAX_BODY_BYTES;
pub use config::{App, Config, LogFormat, Operator, Settings};
pub use store::Store;
pub use upstream::PhoneNumber;

/// What every handler shares: the settings, the store, the way to WeChat.
#[derive(Clone, Debug)]
pub struct AppState {
    config: Arc<Config>,
    store: Store,
    upstream: upstream::Upstream,
    /// This server's own budgets of client addresses, checked before WeChat is asked.
    addresses: limits::LocalBudgets,
}

/// The login service's routes, ready to serve or to merge into your own `Router` (give your
/// router the same [`AppState`] to use [`Authenticated`]: see [`state`]).
pub fn router(config: &Config, store: Store) -> Result<axum::Router, String> {
    Ok(api::routes(state(config, store)?))
}

/// The state the routes and [`Authenticated`] use, for a router of your own.
pub fn state(config: &Config, store: Store) -> Result<AppState, String> {
    let upstream = upstream::Upstream::new(&config.wechat_api, &config.douyin_api, config.upstream_timeout)?;
    Ok(AppState {
        config: Arc::new(config.clone()),
        store,
        upstream,
        addresses: limits::LocalBudgets::default(),
    })
}
