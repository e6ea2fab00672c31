//! The load driver: N tokio tasks sharing one `reqwest::Client`, each sending requests one
//! after the other through a warm-up and then a measured window, recording each latency.
//! A cell is measured in rounds, the two servers taking turns (see `main.rs`); the rounds'
//! samples add up.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a cell's clients ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// `POST /auth/login` with a code never used before.
    Login,
    /// `GET /api/me` with `Authorization: Bearer <token>`, client `i` going round the tokens
    /// from token `i`.
    Me,
}

/// The figures of one cell.
#[derive(Clone, Debug, Default)]
pub struct Figures {
    /// 2xx answers to requests started in the measured window, per second.
    pub per_second: f64,
    /// The median latency of those answers.
    pub p50: Duration,
    /// Their 99th percentile latency.
    pub p99: Duration,
    /// The slowest of them.
    pub max: Duration,
    /// How many there were.
    pub answered: usize,
    /// From the window's start to the last answer.
    pub elapsed: Duration,
    /// Requests started in the measured window that failed: a non-2xx status or no answer.
    pub errors: usize,
    /// What the first of those failures was.
    pub first_error: Option<String>,
    /// The CPU time redis-server spent per request this server was sent (its warm-ups
    /// included), when the store is a redis-server of the bench's own.
    pub store_cpu_per_request: Option<Duration>,
}

/// The next login code; every login of the run uses a fresh one.
static NEXT_CODE: AtomicU64 = AtomicU64::new(0);

/// The client address login `code` comes from, as a trusted proxy forwards it: one of its
/// own, so that the per-address limit is checked on every login and never reached.
fn address(code: u64) -> String {
    let [_, a, b, c] = (code as u32).to_be_bytes();
    format!("10.{a}.{b}.{c}")
}

/// A client for one server in one cell: its own connections, closed when it is dropped.
pub fn client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("the driver's HTTP client: {e}"))
}

/// One request to the server at `base`; `Err` says why it failed.
async fn once(client: &reqwest::Client, base: &str, request: Request, token: &str) -> Result<(), String> {
    let builder = match request {
        Request::Login => {
            let code = NEXT_CODE.fetch_add(1, Ordering::Relaxed);
            client
                .post(format!("{base}/auth/login"))
                .header("content-type", "application/json")
                .header("x-forwarded-for", address(code))
                .body(format!(r#"{{"code":"bench-{code}","platform":"wx"}}"#))
        }
        Request::Me => client.get(format!("{base}/api/me")).bearer_auth(token),
    };
    let response = builder.send().await.map_err(|e| format!("no answer: {e}"))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("HTTP {status}, body cut: {e}"))?;
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&body)))
    }
}

/// What clients saw in measured windows; samples of one server add up.
#[derive(Debug, Default)]
pub struct Sample {
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
    elapsed: Duration,
    /// Every request answered, or failed, in the run: its warm-up's too.
    sent: usize,
    /// The store's CPU time over the sample's runs, warm-ups included, when it was measured
    /// over every one of them.
    pub store_cpu: Option<Duration>,
}

impl Sample {
    /// This sample and `other` as one, their windows end to end.
    pub fn add(&mut self, other: Sample) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        self.first_error = self.first_error.take().or(other.first_error);
        self.elapsed += other.elapsed;
        self.sent += other.sent;
    }

    /// The figures of the sample.
    pub fn figures(mut self) -> Figures {
        self.latencies.sort_unstable();
        let seconds = self.elapsed.as_secs_f64();
        Figures {
            per_second: if seconds > 0.0 {
                self.latencies.len() as f64 / seconds
            } else {
                0.0
            },
            p50: percentile(&self.latencies, 0.50),
            p99: percentile(&self.latencies, 0.99),
            max: self.latencies.last().copied().unwrap_or_default(),
            answered: self.latencies.len(),
            elapsed: self.elapsed,
            errors: self.errors,
            first_error: self.first_error,
            store_cpu_per_request: self
                .store_cpu
                .filter(|_| self.sent > 0)
                .map(|cpu| cpu / self.sent as u32),
        }
    }
}

/// Runs `clients` concurrent clients of `client` against `base` for `warmup` then `measure`;
/// a client starts no request after the window ends, and the sample holds every request
/// started in the window, to its answer.
pub async fn run(
    client: &reqwest::Client,
    base: &str,
    request: Request,
    tokens: &Arc<Vec<String>>,
    clients: usize,
    warmup: Duration,
    measure: Duration,
) -> Result<Sample, String> {
    if request == Request::Me && tokens.is_empty() {
        return Err("no tokens to send".into());
    }
    let from = Instant::now() + warmup;
    let until = from + measure;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..clients {
        let (client, base, tokens) = (client.clone(), base.to_owned(), Arc::clone(tokens));
        tasks.spawn(async move {
            let mut seen = Sample::default();
            for n in 0.. {
                let start = Instant::now();
                if start >= until {
                    break;
                }
                // Client i's requests go round the tokens from token i: each token's share of
                // the load stays under the per-token limit, at any number of clients.
                let token = tokens
                    .get((i + n * clients) % tokens.len().max(1))
                    .map_or("", String::as_str);
                let outcome = once(&client, &base, request, token).await;
                seen.sent += 1;
                if start < from {
                    continue;
                }
                match outcome {
                    Ok(()) => seen.latencies.push(start.elapsed()),
                    Err(why) => {
                        seen.errors += 1;
                        seen.first_error.get_or_insert(why);
                    }
                }
            }
            seen
        });
    }
    let mut all = Sample::default();
    while let Some(joined) = tasks.join_next().await {
        all.add(joined.map_err(|e| format!("a client task failed: {e}"))?);
    }
    all.elapsed = from.elapsed();
    Ok(all)
}

/// The `q` quantile of `sorted` (nearest rank), zero if it is empty.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.saturating_sub(1).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

/// Logs `users` users in at `base`, 16 at a time; their tokens.
pub async fn log_in(base: &str, users: usize) -> Result<Vec<String>, String> {
    let client = client()?;
    let mut tasks = tokio::task::JoinSet::new();
    for lane in 0..16 {
        let (client, base) = (client.clone(), base.to_owned());
        tasks.spawn(async move {
            let mut tokens = Vec::new();
            for _ in (lane..users).step_by(16) {
                let code = NEXT_CODE.fetch_add(1, Ordering::Relaxed);
                let response = client
                    .post(format!("{base}/auth/login"))
                    .header("x-forwarded-for", address(code))
                    .json(&serde_json::json!({ "code": format!("user-{code}"), "platform": "wx" }))
                    .send()
                    .await
                    .map_err(|e| format!("logging a user in at {base}: {e}"))?;
                let status = response.status();
                let answer: serde_json::Value = response
                    .json()
                    .await
                    .map_err(|e| format!("logging a user in at {base}: HTTP {status}, {e}"))?;
                match answer["token"].as_str() {
                    Some(token) if status.is_success() => tokens.push(token.to_owned()),
                    _ => return Err(format!("logging a user in at {base}: HTTP {status}, {answer}")),
                }
            }
            Ok::<_, String>(tokens)
        });
    }
    let mut tokens = Vec::with_capacity(users);
    while let Some(joined) = tasks.join_next().await {
        tokens.extend(joined.map_err(|e| format!("a login task failed: {e}"))??);
    }
    Ok(tokens)
}
