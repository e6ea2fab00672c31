//! mp-session-server mounted in an app of your own: its login routes, and a route of yours
//! that knows the user of each request. The settings come from the `MP_SESSION_*`
//! environment variables alone, so the app's command line stays its own.
//!
//! ```sh
//! MP_SESSION_APPID=wx0123456789abcdef MP_SESSION_SECRET=... cargo run -p mp-session-server --example own_app
//! ```

use axum::routing::get;
use axum::Router;
use clap::Parser;
use mp_session_server::{router, state, Authenticated, Settings, Store};

#[tokio::main]
async fn main() -> Result<(), String> {
    // `parse_from` with only a program name: the environment and the defaults, no flags.
    let config = Settings::parse_from(["own_app"]).check(|name| std::env::var(name).ok())?;
    let store = Store::open(&config.store).await?;
    let api = Router::new()
        .route(
            "/orders",
            get(|user: Authenticated| async move { format!("orders of {}", user.openid) }),
        )
        .with_state(state(&config, store.clone())?);
    let app = router(&config, store)?.merge(api);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening on http://{address}");
    // With the connection's peer, which the per-address login limit reads (without it, logins
    // are not limited by address).
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}
