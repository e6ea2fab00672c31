//! The calls this server makes to WeChat and Douyin: each with a timeout, retried with
//! backoff on passing trouble (errcode `-1`, `45011`, HTTP 5xx, no answer), never naming a
//! URL (its query holds the AppSecret) in an error.

mod login;
mod wxa;

use mp_session::protocol::{meaning, Meaning};
use std::future::Future;
use std::time::Duration;

use serde::de::DeserializeOwned;

pub use login::CodeOutcome;
pub use login::DouyinCode;
pub use wxa::{Failed, PhoneNumber};

/// Retries after the first call for passing trouble.
const RETRIES: u32 = 2;
/// The first wait before a retry; each next one doubles.
const BACKOFF: Duration = Duration::from_millis(100);

/// How to reach WeChat and Douyin.
#[derive(Clone, Debug)]
pub struct Upstream {
    client: reqwest::Client,
    wechat: String,
    douyin: String,
}

/// No usable answer, after the retries: `timed_out` tells a 504 from a 502.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unavailable {
    /// Whether the last try ran out of time (504) rather than failed (502).
    pub timed_out: bool,
    /// Whether the request surely never reached the platform (no connection was made), so
    /// that trying again cannot do twice what the first try did.
    pub unsent: bool,
    /// What went wrong, for the log and the client's errmsg (never a URL).
    pub why: String,
}

impl Unavailable {
    fn new(timed_out: bool, why: impl Into<String>) -> Unavailable {
        Unavailable {
            timed_out,
            unsent: false,
            why: why.into(),
        }
    }
}

impl Upstream {
    /// WeChat's API at `wechat` (`https://api.weixin.qq.com`) and Douyin's at `douyin`, each
    /// call given `timeout`.
    pub fn new(wechat: &str, douyin: &str, timeout: Duration) -> Result<Upstream, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| format!("the HTTP client: {e}"))?;
        Ok(Upstream {
            client,
            wechat: wechat.trim_end_matches('/').to_owned(),
            douyin: douyin.trim_end_matches('/').to_owned(),
        })
    }

    /// Sends `request` and reads its JSON answer as `T`; `what` names the API in errors.
    async fn json<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<T, Unavailable> {
        let started = std::time::Instant::now();
        let answer = self.answer(request, what).await;
        crate::metrics::observe(
            crate::metrics::UPSTREAM_SECONDS,
            &[("api", api(what))],
            started.elapsed(),
        );
        answer
    }

    /// [`Upstream::json`], untimed.
    async fn answer<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<T, Unavailable> {
        let response = request.send().await.map_err(|e| {
            if e.is_connect() {
                Unavailable {
                    unsent: true,
                    ..Unavailable::new(e.is_timeout(), format!("{what} is unreachable"))
                }
            } else if e.is_timeout() {
                Unavailable::new(true, format!("{what} did not answer in time"))
            } else {
                Unavailable::new(false, format!("{what} is unreachable"))
            }
        })?;
        let status = response.status();
        if status.is_server_error() {
            return Err(Unavailable::new(
                false,
                format!("{what} answered HTTP {}", status.as_u16()),
            ));
        }
        response.json().await.map_err(|e| {
            if e.is_timeout() {
                Unavailable::new(true, format!("{what} did not answer in time"))
            } else {
                Unavailable::new(false, format!("{what} answered what is not its JSON"))
            }
        })
    }
}

/// The metrics' name of the API an error names `what`.
fn api(what: &str) -> &'static str {
    match what {
        "code2Session" => "code2session",
        "the OAuth exchange" => "oauth",
        "Douyin's code2Session" => "douyin_code2session",
        "stable_token" => "stable_token",
        "getuserphonenumber" => "getuserphonenumber",
        _ => "other",
    }
}

/// Runs `once` until it gives what `passing` does not call passing trouble, or `RETRIES`
/// more times, waiting `BACKOFF`, then twice that, between tries.
async fn retrying<T, F: Future<Output = T>>(mut once: impl FnMut() -> F, passing: impl Fn(&T) -> bool) -> T {
    let mut wait = BACKOFF;
    let mut attempt = 0;
    loop {
        let outcome = once().await;
        if !passing(&outcome) || attempt == RETRIES {
            return outcome;
        }
        attempt += 1;
        tokio::time::sleep(wait).await;
        wait *= 2;
    }
}

/// WeChat's passing trouble (busy, rate limited): what the app would retry too
/// (`mp_session::protocol::meaning`).
fn is_passing(errcode: i64) -> bool {
    meaning(errcode) == Meaning::Retry
}
