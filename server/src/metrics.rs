//! `GET /metrics`: what the service did, as counters and latency histograms in Prometheus'
//! text format (version 0.0.4). Kept per process, as Prometheus' own client libraries keep
//! them: each server of a store is scraped on its own, and the scraper adds them up. Labels
//! carry platforms, errcodes, API and store operation names, never a user, a code or a token.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

/// Logins by platform and outcome: `session`, `refused` (the platform refused the code),
/// `unavailable` (the platform did not answer), `blocked`, `rejected` (a body or platform this
/// server does not take), `limited` (over an abuse limit), `store` (the store failed).
pub const LOGINS: &str = "mp_session_logins_total";
/// Codes the platform refused, by platform and errcode.
pub const REFUSALS: &str = "mp_session_login_refusals_total";
/// Sessions ended, by reason: `cap`, `logout`, `logout_all`, `deleted`.
pub const SESSIONS_ENDED: &str = "mp_session_sessions_ended_total";
/// The app's `access_token` fetched from `stable_token`, by whether this server's store kept it.
pub const ACCESS_TOKEN_REFRESHES: &str = "mp_session_access_token_refreshes_total";
/// Requests refused for an abuse limit, by limit: `login_ip`, `login_user`, `token`.
pub const LIMITS_HIT: &str = "mp_session_limits_hit_total";
/// Calls to WeChat's and Douyin's APIs, by API, in seconds (each try).
pub const UPSTREAM_SECONDS: &str = "mp_session_upstream_seconds";
/// Calls to the store, by operation, in seconds.
pub const STORE_SECONDS: &str = "mp_session_store_seconds";

/// Each metric: its name, its type, what it counts.
const METRICS: [(&str, &str, &str); 7] = [
    (LOGINS, "counter", "Logins, by platform and outcome."),
    (
        REFUSALS,
        "counter",
        "Login codes the platform refused, by platform and errcode.",
    ),
    (
        SESSIONS_ENDED,
        "counter",
        "Sessions ended, by reason (cap, logout, logout_all, deleted).",
    ),
    (
        ACCESS_TOKEN_REFRESHES,
        "counter",
        "access_token fetched from stable_token, by whether the store kept it.",
    ),
    (
        LIMITS_HIT,
        "counter",
        "Requests refused 429 for an abuse limit, by limit (login_ip, login_user, token).",
    ),
    (
        UPSTREAM_SECONDS,
        "histogram",
        "Calls to WeChat's and Douyin's APIs, in seconds, by API.",
    ),
    (
        STORE_SECONDS,
        "histogram",
        "Calls to the session store, in seconds, by operation.",
    ),
];

/// The upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Histogram {
    /// Observations at or under each bound (not cumulative: summed when rendered).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Registry {
    counters: BTreeMap<(&'static str, String), u64>,
    histograms: BTreeMap<(&'static str, String), Histogram>,
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(Mutex::default);

/// `{a="x",b="y"}`, each value escaped as the format asks.
fn labels(pairs: &[(&str, &str)]) -> String {
    let mut out = String::from("{");
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(name);
        out.push_str("=\"");
        for c in value.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push('}');
    out
}

/// Adds `n` to the counter `name` with `pairs`.
pub fn count(name: &'static str, pairs: &[(&str, &str)], n: u64) {
    if let Ok(mut registry) = REGISTRY.lock() {
        *registry.counters.entry((name, labels(pairs))).or_default() += n;
    }
}

/// Observes `took` in the histogram `name` with `pairs`.
pub fn observe(name: &'static str, pairs: &[(&str, &str)], took: Duration) {
    let seconds = took.as_secs_f64();
    if let Ok(mut registry) = REGISTRY.lock() {
        let histogram = registry.histograms.entry((name, labels(pairs))).or_default();
        if let Some(bucket) = BUCKETS.iter().position(|&bound| seconds <= bound) {
            histogram.buckets[bucket] += 1;
        }
        histogram.count += 1;
        histogram.sum += seconds;
    }
}

/// Every metric, in the text format: its HELP and TYPE, then its samples.
pub fn render() -> String {
    let Ok(registry) = REGISTRY.lock() else {
        return String::new();
    };
    let mut out = String::new();
    for (name, kind, help) in METRICS {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for ((_, pairs), value) in registry
            .counters
            .iter()
            .filter(|((metric, _), _)| *metric == name)
        {
            let _ = writeln!(out, "{name}{pairs} {value}");
        }
        for ((_, pairs), histogram) in registry
            .histograms
            .iter()
            .filter(|((metric, _), _)| *metric == name)
        {
            let inner = &pairs[1..pairs.len() - 1];
            let join = if inner.is_empty() { "" } else { "," };
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(histogram.buckets) {
                cumulative += n;
                let _ = writeln!(out, "{name}_bucket{{{inner}{join}le=\"{bound}\"}} {cumulative}");
            }
            let _ = writeln!(
                out,
                "{name}_bucket{{{inner}{join}le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(out, "{name}_sum{pairs} {}", histogram.sum);
            let _ = writeln!(out, "{name}_count{pairs} {}", histogram.count);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_buckets_cumulative() {
        assert_eq!(labels(&[("a", "x\"y\\z\n")]), "{a=\"x\\\"y\\\\z\\n\"}");
        observe(STORE_SECONDS, &[("op", "unit-test")], Duration::from_millis(3));
        observe(STORE_SECONDS, &[("op", "unit-test")], Duration::from_secs(9));
        let text = render();
        assert!(
            text.contains("mp_session_store_seconds_bucket{op=\"unit-test\",le=\"0.005\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("mp_session_store_seconds_bucket{op=\"unit-test\",le=\"5\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("mp_session_store_seconds_bucket{op=\"unit-test\",le=\"+Inf\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("mp_session_store_seconds_count{op=\"unit-test\"} 2"),
            "{text}"
        );
    }
}
