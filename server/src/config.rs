//! The server's settings, from flags or environment variables; a wrong or missing one stops
//! it with a message that names it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// `mp-session-server`'s command line.
#[derive(Debug, Parser)]
#[command(
    name = "mp-session-server",
    version,
    about = "The login service of mp-session: code2Session, tokens, sessions."
)]
pub struct Settings {
    /// Where to listen.
    #[arg(long, env = "MP_SESSION_LISTEN", default_value = "127.0.0.1:8787")]
    pub listen: String,
    /// Where sessions are kept: sqlite://FILE, or redis://HOST:PORT for more than one server.
    #[arg(long, env = "MP_SESSION_STORE", default_value = "sqlite://mp-session.db")]
    pub store: String,
    /// The mini-program's AppID.
    #[arg(long, env = "MP_SESSION_APPID")]
    pub appid: Option<String>,
    /// A file holding the AppSecret (else the MP_SESSION_SECRET environment variable).
    #[arg(long)]
    pub secret_file: Option<PathBuf>,
    /// WeChat's API (the tests and the demo point it at a mock).
    #[arg(
        long,
        env = "MP_SESSION_WECHAT_API",
        default_value = "https://api.weixin.qq.com"
    )]
    pub wechat_api: String,
    /// How long a session lasts, in seconds.
    #[arg(long, env = "MP_SESSION_TTL", default_value_t = 7 * 24 * 3600)]
    pub session_ttl: u64,
    /// How long one call to WeChat may take, in milliseconds.
    #[arg(long, env = "MP_SESSION_UPSTREAM_TIMEOUT_MS", default_value_t = 5000)]
    pub upstream_timeout_ms: u64,
}

/// Checked settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The store's URL.
    pub store: String,
    /// The mini-program's AppID.
    pub appid: String,
    /// Its AppSecret (never logged).
    pub secret: String,
    /// WeChat's API.
    pub wechat_api: String,
    /// Session lifetime.
    pub session_ttl: Duration,
    /// Time allowed for one call to WeChat.
    pub upstream_timeout: Duration,
}

impl Settings {
    /// The settings checked; `secret_from_env` is MP_SESSION_SECRET's value.
    pub fn check(self, secret_from_env: Option<String>) -> Result<Config, String> {
        let listen = self.listen.parse().map_err(|_| {
            format!(
                "--listen / MP_SESSION_LISTEN must be HOST:PORT, not {:?}",
                self.listen
            )
        })?;
        let appid = match self.appid {
            Some(appid) if is_appid(&appid) => appid,
            Some(appid) => {
                return Err(format!(
                    "--appid / MP_SESSION_APPID must be 1 to 64 letters, digits, '-' or '_', not {appid:?}"
                ))
            }
            None => return Err("--appid / MP_SESSION_APPID is required: the mini-program's AppID".into()),
        };
        let secret = match (self.secret_file, secret_from_env) {
            (Some(file), _) => std::fs::read_to_string(&file)
                .map(|text| text.trim().to_owned())
                .map_err(|e| format!("--secret-file {}: {e}", file.display()))?,
            (None, Some(secret)) => secret.trim().to_owned(),
            (None, None) => {
                return Err("the AppSecret is required: --secret-file FILE or MP_SESSION_SECRET".into())
            }
        };
        if secret.is_empty() {
            return Err("the AppSecret (--secret-file / MP_SESSION_SECRET) is empty".into());
        }
        if !(self.wechat_api.starts_with("https://") || self.wechat_api.starts_with("http://127.0.0.1")) {
            return Err(format!(
                "--wechat-api / MP_SESSION_WECHAT_API must be https:// (http:// only for 127.0.0.1), not {:?}",
                self.wechat_api
            ));
        }
        if !(60..=366 * 24 * 3600).contains(&self.session_ttl) {
            return Err("--session-ttl / MP_SESSION_TTL must be from 60 seconds to a year".into());
        }
        if !(100..=60_000).contains(&self.upstream_timeout_ms) {
            return Err(
                "--upstream-timeout-ms / MP_SESSION_UPSTREAM_TIMEOUT_MS must be from 100 to 60000".into(),
            );
        }
        Ok(Config {
            listen,
            store: self.store,
            appid,
            secret,
            wechat_api: self.wechat_api,
            session_ttl: Duration::from_secs(self.session_ttl),
            upstream_timeout: Duration::from_millis(self.upstream_timeout_ms),
        })
    }
}

/// An AppID as WeChat writes them (`wx` and 16 hex digits), or a test's.
fn is_appid(appid: &str) -> bool {
    (1..=64).contains(&appid.len())
        && appid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(args: &[&str]) -> Settings {
        Settings::try_parse_from([&["mp-session-server"], args].concat()).unwrap()
    }

    #[test]
    fn a_wrong_or_missing_setting_is_named() {
        let cases: [(&[&str], Option<&str>, &str); 6] = [
            (&[], Some("s"), "--appid / MP_SESSION_APPID is required"),
            (
                &["--appid", "wx 1"],
                Some("s"),
                "--appid / MP_SESSION_APPID must be",
            ),
            (
                &["--appid", "wx1"],
                None,
                "--secret-file FILE or MP_SESSION_SECRET",
            ),
            (
                &["--appid", "wx1", "--listen", "here"],
                Some("s"),
                "--listen / MP_SESSION_LISTEN",
            ),
            (
                &["--appid", "wx1", "--wechat-api", "http://example.com"],
                Some("s"),
                "--wechat-api",
            ),
            (
                &["--appid", "wx1", "--secret-file", "/no/such/file"],
                None,
                "--secret-file /no/such/file",
            ),
        ];
        for (args, secret, expected) in cases {
            let error = settings(args).check(secret.map(String::from)).unwrap_err();
            assert!(error.contains(expected), "{args:?}: {error}");
        }
        let config = settings(&["--appid", "wx1"]).check(Some(" s \n".into())).unwrap();
        assert_eq!((config.secret.as_str(), config.listen.port()), ("s", 8787));
    }
}
