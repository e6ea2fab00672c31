//! `bench-server`: mp-session-server against a plain axum login server on the same stack,
//! over SQLite and over Redis, at 1, 16 and 256 concurrent clients: logins per second and
//! authenticated requests per second, with p50 and p99 latency, printed as Markdown tables.
//! A benchmark, not a test: it fails only when it cannot measure.

mod load;
mod plain;
mod upstream;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Json;
use clap::{Parser, ValueEnum};
use load::{Figures, Request};
use serde_json::json;

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "bench-server",
    about = "Measures mp-session-server against a plain axum login server."
)]
struct Flags {
    /// Seconds measured per cell.
    #[arg(long, env = "BENCH_SECONDS", default_value_t = 2.0)]
    seconds: f64,
    /// Seconds of warm-up per cell, not measured.
    #[arg(long, env = "BENCH_WARMUP", default_value_t = 0.5)]
    warmup: f64,
    /// Concurrent clients, one cell each (comma-separated).
    #[arg(long, env = "BENCH_CLIENTS", value_delimiter = ',', default_values_t = [1, 16, 256])]
    clients: Vec<usize>,
    /// The stores to measure (comma-separated).
    #[arg(long, env = "BENCH_STORES", value_delimiter = ',', default_values_t = [StoreKind::Sqlite, StoreKind::Redis])]
    stores: Vec<StoreKind>,
    /// Turns per cell: the measured seconds are cut in this many rounds, the two servers
    /// alternating (mp-session first in even rounds, plain first in odd ones).
    #[arg(long, env = "BENCH_ROUNDS", default_value_t = 4)]
    rounds: usize,
    /// Users logged in on each server before the authenticated requests (client i goes round them from token i).
    #[arg(long, env = "BENCH_USERS", default_value_t = 256)]
    users: usize,
    /// Whether mp-session-server's abuse limits are on (at rates the load never reaches) or
    /// off: run both to see what the checks cost.
    #[arg(long, env = "BENCH_LIMITS", value_enum, default_value_t = Switch::On)]
    limits: Switch,
}

/// On or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Switch {
    On,
    Off,
}

/// Where the sessions are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum StoreKind {
    Sqlite,
    Redis,
}

impl std::fmt::Display for StoreKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StoreKind::Sqlite => "sqlite",
            StoreKind::Redis => "redis",
        })
    }
}

/// One table row: a store and a client count, both servers' figures.
struct Row {
    store: StoreKind,
    clients: usize,
    ours: Figures,
    plain: Figures,
}

fn main() -> ExitCode {
    let flags = Flags::parse();
    match run(&flags) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench-server: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(flags: &Flags) -> Result<(), String> {
    if !(flags.seconds > 0.0 && flags.warmup >= 0.0)
        || flags.clients.contains(&0)
        || flags.users == 0
        || flags.rounds == 0
    {
        return Err(
            "--seconds, --clients, --rounds and --users must be positive, --warmup not negative".into(),
        );
    }
    if flags.stores.contains(&StoreKind::Redis) && !upstream::redis_installed() {
        return Err(
            "redis-server is not installed: run scripts/setup --redis (or pass --stores sqlite)".into(),
        );
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = |name: &str| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name(name)
            .enable_all()
            .build()
            .map_err(|e| format!("a tokio runtime: {e}"))
    };
    let driver = runtime("driver")?;
    let timing = Timing {
        warmup: Duration::from_secs_f64(flags.warmup),
        round: Duration::from_secs_f64(flags.seconds / flags.rounds as f64),
        rounds: flags.rounds,
    };
    let started = Instant::now();
    let (mut logins, mut requests) = (Vec::new(), Vec::new());
    for &store in &flags.stores {
        // A fresh temp dir, redis-server and server runtime per store; all go at the end.
        let dir = tempfile::tempdir().map_err(|e| format!("a temp dir: {e}"))?;
        let redis = match store {
            StoreKind::Redis => Some(upstream::RedisServer::start(dir.path())?),
            StoreKind::Sqlite => None,
        };
        let url = |file: &str| match &redis {
            Some(redis) => redis.url.clone(),
            None => format!("sqlite://{}", dir.path().join(file).display()),
        };
        let servers = runtime("server")?;
        let (ours_url, plain_url) =
            servers.block_on(start(url("mp-session.db"), url("plain.db"), flags.limits))?;
        for request in [Request::Login, Request::Me] {
            let tokens = match request {
                Request::Login => (Arc::default(), Arc::default()),
                Request::Me => driver.block_on(async {
                    let ours = load::log_in(&ours_url, flags.users).await?;
                    Ok::<_, String>((
                        Arc::new(ours),
                        Arc::new(load::log_in(&plain_url, flags.users).await?),
                    ))
                })?,
            };
            for &clients in &flags.clients {
                let bases = [ours_url.as_str(), plain_url.as_str()];
                let (ours, plain) = driver.block_on(pair(
                    bases,
                    request,
                    [&tokens.0, &tokens.1],
                    clients,
                    timing,
                    redis.as_ref(),
                ))?;
                for (name, figures) in [("mp-session", &ours), ("plain", &plain)] {
                    eprintln!(
                        "  {store} {request:?} {clients} clients {name}: {:.0}/s ({} in {:.2} s), p50 {}, p99 {}, max {}, {} errors",
                        figures.per_second,
                        figures.answered,
                        figures.elapsed.as_secs_f64(),
                        ms(figures.p50),
                        ms(figures.p99),
                        ms(figures.max),
                        figures.errors
                    );
                }
                let row = Row {
                    store,
                    clients,
                    ours,
                    plain,
                };
                match request {
                    Request::Login => logins.push(row),
                    Request::Me => requests.push(row),
                }
            }
        }
        servers.shutdown_timeout(Duration::from_secs(1));
        drop(redis);
    }
    println!(
        "# mp-session-server vs plain axum: {threads} CPUs (nproc), {}, {} build",
        machine(),
        if cfg!(debug_assertions) {
            "debug (not representative)"
        } else {
            "release"
        }
    );
    println!();
    println!(
        "Servers (mock code2Session, mp-session, plain) share one tokio runtime of {threads} worker threads; \
         the load driver (one reqwest client per server per cell, HTTP/1.1 keep-alive) runs on another of {threads}. \
         Each cell: {}s warm-up per server, then {}s measured per server in {} rounds, mp-session and plain taking turns (ABBA…). \
         Stores in a fresh temp dir under {} (SQLite WAL, one connection; redis-server with no persistence). \
         \"/s\" counts 2xx answers; latencies are of those; errors are non-2xx or no answer.",
        flags.warmup,
        flags.seconds,
        flags.rounds,
        std::env::temp_dir().display()
    );
    table(
        "Logins (`POST /auth/login`, a fresh code each, through the mock code2Session)",
        "logins/s",
        &logins,
    );
    table(
        &format!(
            "Authenticated requests (`GET /api/me`, {} users' tokens)",
            flags.users
        ),
        "requests/s",
        &requests,
    );
    store_cpu(&[("logins", &logins), ("authenticated requests", &requests)]);
    println!();
    println!("Measured in {:.0} s.", started.elapsed().as_secs_f64());
    let failures: Vec<_> = logins
        .iter()
        .chain(&requests)
        .filter(|row| row.ours.errors + row.plain.errors > 0)
        .collect();
    for row in failures {
        for (name, figures) in [("mp-session", &row.ours), ("plain", &row.plain)] {
            if let Some(why) = &figures.first_error {
                println!(
                    "- {} at {} clients, {name}: first error: {why}",
                    row.store, row.clients
                );
            }
        }
    }
    Ok(())
}

/// How a cell is measured.
#[derive(Clone, Copy)]
struct Timing {
    /// Before each server's first round, not measured.
    warmup: Duration,
    /// Each round's measured window.
    round: Duration,
    /// Rounds per server.
    rounds: usize,
}

/// Measures the two servers at `bases` (mp-session's, plain's) in turns; their figures, with
/// `redis`'s CPU time over each one's turns.
async fn pair(
    bases: [&str; 2],
    request: Request,
    tokens: [&Arc<Vec<String>>; 2],
    clients: usize,
    timing: Timing,
    redis: Option<&upstream::RedisServer>,
) -> Result<(Figures, Figures), String> {
    let http = [load::client()?, load::client()?];
    let mut samples = [load::Sample::default(), load::Sample::default()];
    // redis-server's CPU time over each server's turns: none if a turn could not read it.
    let mut store_cpu = [redis.map(|_| Duration::ZERO); 2];
    for round in 0..timing.rounds {
        let warmup = if round == 0 { timing.warmup } else { Duration::ZERO };
        for side in if round % 2 == 0 { [0, 1] } else { [1, 0] } {
            let cpu_before = redis.and_then(upstream::RedisServer::cpu);
            let sample = load::run(
                &http[side],
                bases[side],
                request,
                tokens[side],
                clients,
                warmup,
                timing.round,
            )
            .await?;
            let cpu_after = redis.and_then(upstream::RedisServer::cpu);
            let turn = cpu_before
                .zip(cpu_after)
                .map(|(from, to)| to.saturating_sub(from));
            store_cpu[side] = store_cpu[side].zip(turn).map(|(sum, turn)| sum + turn);
            samples[side].add(sample);
        }
    }
    let [mut ours, mut plain] = samples;
    (ours.store_cpu, plain.store_cpu) = (store_cpu[0], store_cpu[1]);
    Ok((ours.figures(), plain.figures()))
}

/// Starts the mock, mp-session-server (with `/api/me` on [`mp_session_server::Authenticated`])
/// and the plain server, on the current runtime; their base URLs.
async fn start(ours_store: String, plain_store: String, limits: Switch) -> Result<(String, String), String> {
    use clap::Parser;
    let mock = upstream::serve(upstream::mock()).await?;
    // Every abuse limit on (the address as the proxy forwards it, the user, the token), at
    // rates the load never reaches: their cost, never their refusals. Or every one off.
    let (per_ip, per_user, per_token) = match limits {
        Switch::On => ("120", "20", "60000"),
        Switch::Off => ("0", "0", "0"),
    };
    let settings = mp_session_server::Settings::try_parse_from([
        "mp-session-server",
        "--appid",
        "wxbench",
        "--store",
        &ours_store,
        "--wechat-api",
        &mock,
        "--upstream-timeout-ms",
        "5000",
        "--trusted-proxy",
        "127.0.0.1",
        "--logins-per-minute-per-ip",
        per_ip,
        "--logins-per-minute-per-user",
        per_user,
        "--calls-per-minute-per-token",
        per_token,
    ])
    .map_err(|e| e.to_string())?;
    // The AppSecret as if from MP_SESSION_SECRET; no other variable is read.
    let config = settings.check(|name| (name == "MP_SESSION_SECRET").then(|| "bench-secret".to_owned()))?;
    let store = mp_session_server::Store::open(&config.store).await?;
    let api =
        axum::Router::new()
            .route(
                "/api/me",
                get(|user: mp_session_server::Authenticated| async move {
                    Json(json!({ "openid": user.openid }))
                }),
            )
            .with_state(mp_session_server::state(&config, store.clone())?);
    let ours = upstream::serve(mp_session_server::router(&config, store)?.merge(api)).await?;
    let plain_store = plain::PlainStore::open(&plain_store).await?;
    let plain = upstream::serve(plain::router(&mock, plain_store)?).await?;
    Ok((ours, plain))
}

/// A Markdown table of `rows`.
fn table(title: &str, unit: &str, rows: &[Row]) {
    println!();
    println!("## {title}");
    println!();
    println!(
        "| store | clients | mp-session {unit} | p50 | p99 | errors | plain {unit} | p50 | p99 | errors | mp-session ÷ plain ({unit}) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let ratio = if row.plain.per_second > 0.0 {
            format!("{:.2}", row.ours.per_second / row.plain.per_second)
        } else {
            "n/a".to_owned()
        };
        println!(
            "| {} | {} | {:.0} | {} | {} | {} | {:.0} | {} | {} | {} | {ratio} |",
            row.store,
            row.clients,
            row.ours.per_second,
            ms(row.ours.p50),
            ms(row.ours.p99),
            errors(row.ours.errors),
            row.plain.per_second,
            ms(row.plain.p50),
            ms(row.plain.p99),
            errors(row.plain.errors),
        );
    }
}

/// A Markdown table of redis-server's own CPU time per request, where it was measured: what
/// each server's requests cost the store, apart from the CPUs the whole bench shares.
fn store_cpu(kinds: &[(&str, &Vec<Row>)]) {
    let measured: Vec<(&str, &Row)> = kinds
        .iter()
        .flat_map(|(kind, rows)| rows.iter().map(move |row| (*kind, row)))
        .filter(|(_, row)| row.ours.store_cpu_per_request.is_some())
        .collect();
    if measured.is_empty() {
        return;
    }
    println!();
    println!("## redis-server's CPU time per request (its main thread, which runs every command; warm-ups included)");
    println!();
    println!("| request | clients | mp-session | plain |");
    println!("|---|---:|---:|---:|");
    let us = |cpu: Option<Duration>| {
        cpu.map_or("n/a".to_owned(), |cpu| {
            format!("{:.1} µs", cpu.as_secs_f64() * 1e6)
        })
    };
    for (kind, row) in measured {
        println!(
            "| {kind} | {} | {} | {} |",
            row.clients,
            us(row.ours.store_cpu_per_request),
            us(row.plain.store_cpu_per_request)
        );
    }
}

/// An error count, in bold when not zero.
fn errors(count: usize) -> String {
    if count == 0 {
        "0".into()
    } else {
        format!("**{count}**")
    }
}

/// A latency in milliseconds.
fn ms(latency: Duration) -> String {
    let ms = latency.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

/// `uname -m`, or Rust's name for the architecture.
fn machine() -> String {
    std::process::Command::new("uname")
        .arg("-m")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned())
}
