//! `mp-session-server`: the login service, from flags or environment variables. It prints
//! `listening on http://ADDR` once it listens; a wrong setting stops it with a message that
//! names the setting.

use clap::Parser;
use mp_session_server::{router, LogFormat, Operator, Settings, Store};

#[tokio::main]
async fn main() {
    let command = std::env::args().nth(1);
    let done = match command.as_deref() {
        Some(verb @ ("block" | "unblock")) => {
            logs(LogFormat::Text);
            operate(verb).await
        }
        _ => run().await,
    };
    if let Err(message) = done {
        eprintln!("mp-session-server: {message}");
        std::process::exit(2);
    }
}

/// `block OPENID` or `unblock OPENID`, against the store the servers use: what it did, on
/// standard output.
async fn operate(verb: &str) -> Result<(), String> {
    let name = format!("mp-session-server {verb}");
    let operator = Operator::parse_from(std::iter::once(name).chain(std::env::args().skip(2)));
    let openid = operator.openid()?.to_owned();
    let store = Store::open(operator.store()?).await?;
    if verb == "block" {
        let ended = store.block(openid.clone()).await.map_err(|e| e.to_string())?;
        println!(
            "blocked {openid}: {ended} sessions ended; its logins are refused (403 BLOCKED) until unblock"
        );
    } else if store.unblock(openid.clone()).await.map_err(|e| e.to_string())? {
        println!("unblocked {openid}: it may log in again");
    } else {
        println!("{openid} was not blocked");
    }
    Ok(())
}

/// The log, on standard error, as `format` says.
fn logs(format: LogFormat) {
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn run() -> Result<(), String> {
    let settings = Settings::parse();
    logs(settings.log_format);
    let config = settings.check(|name| std::env::var(name).ok())?;
    // The address first: a start that cannot listen leaves no store file behind.
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("--listen {}: {e}", config.listen))?;
    let store = Store::open(&config.store).await?;
    let app = router(&config, store)?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening on http://{address}");
    // The peer's address, which the per-address login limit reads.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(stopped())
        .await
        .map_err(|e| e.to_string())
}

/// Ctrl-C, or SIGTERM (what a service manager sends): requests under way finish first.
async fn stopped() {
    let terminate = async {
        #[cfg(unix)]
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
            return;
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
}
