//! WeChat's code2Session (`sns/jscode2session`), called with a timeout, retried on what the
//! contract calls passing trouble (`-1`, `45011`, 5xx, no answer) with backoff.

use std::time::Duration;

use serde::Deserialize;

/// Retries after the first call for passing trouble.
const RETRIES: u32 = 2;
/// The first wait before a retry; each next one doubles.
const BACKOFF: Duration = Duration::from_millis(100);

/// How to reach code2Session.
#[derive(Clone, Debug)]
pub struct Upstream {
    client: reqwest::Client,
    base: String,
    appid: String,
    secret: String,
}

/// What code2Session made of a code.
#[derive(Debug, PartialEq, Eq)]
pub enum Exchange {
    /// A user: the session key stays on this server.
    Session {
        /// The user's openid.
        openid: String,
        /// The unionid, when the app is bound to an Open Platform account.
        unionid: Option<String>,
        /// code2Session's `session_key`.
        session_key: String,
    },
    /// WeChat refused the code: its errcode and errmsg, passed through to the client.
    Refused {
        /// code2Session's errcode (40029, 40163, 40226, ...).
        errcode: i64,
        /// Its errmsg.
        errmsg: String,
    },
    /// WeChat did not answer in time, was unreachable, or answered what is not JSON of
    /// code2Session's shape, after the retries: `timed_out` tells which status to answer.
    Unavailable {
        /// Whether the last try ran out of time (504) rather than failed (502).
        timed_out: bool,
        /// What went wrong, for the log and the client's errmsg.
        why: String,
    },
}

#[derive(Deserialize)]
struct Answer {
    openid: Option<String>,
    unionid: Option<String>,
    session_key: Option<String>,
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

impl Upstream {
    /// code2Session at `base` (`https://api.weixin.qq.com`) for the app `appid`, each call
    /// given `timeout`.
    pub fn new(base: &str, appid: &str, secret: &str, timeout: Duration) -> Result<Upstream, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| format!("the HTTP client: {e}"))?;
        Ok(Upstream {
            client,
            base: base.trim_end_matches('/').to_owned(),
            appid: appid.to_owned(),
            secret: secret.to_owned(),
        })
    }

    /// Exchanges `code` for a session.
    pub async fn code2session(&self, code: &str) -> Exchange {
        let mut wait = BACKOFF;
        let mut attempt = 0;
        loop {
            let exchange = self.once(code).await;
            let passing = match &exchange {
                Exchange::Refused { errcode, .. } => *errcode == -1 || *errcode == 45011,
                Exchange::Unavailable { .. } => true,
                Exchange::Session { .. } => false,
            };
            if !passing || attempt == RETRIES {
                return exchange;
            }
            attempt += 1;
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }

    async fn once(&self, code: &str) -> Exchange {
        let url = format!("{}/sns/jscode2session", self.base);
        let query = [
            ("appid", self.appid.as_str()),
            ("secret", self.secret.as_str()),
            ("js_code", code),
            ("grant_type", "authorization_code"),
        ];
        let response = match self.client.get(url).query(&query).send().await {
            Ok(response) => response,
            // reqwest's error names the URL with its query (the AppSecret): never say it.
            Err(e) => {
                return unavailable(
                    e.is_timeout(),
                    if e.is_timeout() {
                        "wechat did not answer in time"
                    } else {
                        "wechat is unreachable"
                    },
                )
            }
        };
        let status = response.status();
        if status.is_server_error() {
            return unavailable(false, &format!("wechat answered HTTP {}", status.as_u16()));
        }
        let answer: Answer = match response.json().await {
            Ok(answer) => answer,
            Err(e) if e.is_timeout() => return unavailable(true, "wechat did not answer in time"),
            Err(_) => return unavailable(false, "wechat answered what is not code2Session's JSON"),
        };
        match answer {
            Answer {
                errcode: 0,
                openid: Some(openid),
                session_key: Some(session_key),
                unionid,
                ..
            } if !openid.is_empty() => Exchange::Session {
                openid,
                unionid,
                session_key,
            },
            Answer { errcode: 0, .. } => unavailable(false, "wechat answered with no openid or session_key"),
            Answer { errcode, errmsg, .. } => Exchange::Refused { errcode, errmsg },
        }
    }
}

fn unavailable(timed_out: bool, why: &str) -> Exchange {
    Exchange::Unavailable {
        timed_out,
        why: why.to_owned(),
    }
}
