//! The server's settings, from flags or environment variables; a wrong or missing one stops
//! it with a message that names it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::address::Network;
use crate::limits::{Limits, Rate, MAX_PER_MINUTE};

/// The largest request body taken (a login body is well under 1 KiB).
pub const MAX_BODY_BYTES: usize = 4096;

/// Where sessions are kept unless `--store` says.
pub const DEFAULT_STORE: &str = "sqlite://mp-session.db";

/// `mp-session-server`'s command line. Secrets are never flags (a flag shows in `ps`): each
/// comes from a file or from an environment variable.
#[derive(Debug, Parser)]
#[command(
    name = "mp-session-server",
    version,
    about = "The login service of mp-session: code2Session, tokens, sessions, phone numbers.",
    after_help = "An operator's commands, against the store the servers use while they run:\n  \
                  mp-session-server block OPENID --store URL    end the user's sessions, refuse their logins (403 BLOCKED)\n  \
                  mp-session-server unblock OPENID --store URL  let the user log in again"
)]
pub struct Settings {
    /// Where to listen.
    #[arg(long, env = "MP_SESSION_LISTEN", default_value = "127.0.0.1:8787")]
    pub listen: String,
    /// Where sessions are kept: sqlite://FILE, or redis://HOST:PORT for more than one server.
    #[arg(long, env = "MP_SESSION_STORE", default_value = DEFAULT_STORE)]
    pub store: String,
    /// The WeChat mini-program's AppID (logins with "platform": "wx", and phone numbers).
    #[arg(long, env = "MP_SESSION_APPID")]
    pub appid: Option<String>,
    /// A file holding the mini-program's AppSecret (else MP_SESSION_SECRET).
    #[arg(long)]
    pub secret_file: Option<PathBuf>,
    /// The official account's AppID (logins with "platform": "web", from its OAuth pages).
    #[arg(long, env = "MP_SESSION_WEB_APPID")]
    pub web_appid: Option<String>,
    /// A file holding the official account's AppSecret (else MP_SESSION_WEB_SECRET).
    #[arg(long)]
    pub web_secret_file: Option<PathBuf>,
    /// The Douyin mini-program's AppID (logins with "platform": "tt").
    #[arg(long, env = "MP_SESSION_DOUYIN_APPID")]
    pub douyin_appid: Option<String>,
    /// A file holding the Douyin mini-program's AppSecret (else MP_SESSION_DOUYIN_SECRET).
    #[arg(long)]
    pub douyin_secret_file: Option<PathBuf>,
    /// WeChat's API (the tests and the demo point it at a mock).
    #[arg(
        long,
        env = "MP_SESSION_WECHAT_API",
        default_value = "https://api.weixin.qq.com"
    )]
    pub wechat_api: String,
    /// Douyin's API.
    #[arg(
        long,
        env = "MP_SESSION_DOUYIN_API",
        default_value = "https://developer.toutiao.com"
    )]
    pub douyin_api: String,
    /// Web pages allowed to call this server from a browser (CORS), e.g. an official
    /// account's page on https://h5.example.com; comma-separated. None by default.
    #[arg(long = "cors-origin", env = "MP_SESSION_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// How long a session lasts, in seconds.
    #[arg(long, env = "MP_SESSION_TTL", default_value_t = 7 * 24 * 3600)]
    pub session_ttl: u64,
    /// How long one call to WeChat or Douyin may take, in milliseconds. A login tries up to
    /// three times, so it answers within about 3× this (+ 0.3 s of backoff): keep that under
    /// the client's timeoutMs (10 s by default), or the client gives up first.
    #[arg(long, env = "MP_SESSION_UPSTREAM_TIMEOUT_MS", default_value_t = 2500)]
    pub upstream_timeout_ms: u64,
    /// The most sessions one user keeps (1 to 100): a login beyond it ends that user's oldest.
    #[arg(long, env = "MP_SESSION_MAX_SESSIONS_PER_USER", default_value_t = 10)]
    pub max_sessions_per_user: u32,
    /// Logins a minute from one client address (an IPv6 client's /64); 0 is no limit.
    #[arg(long, env = "MP_SESSION_LOGINS_PER_MINUTE_PER_IP", default_value_t = 120)]
    pub logins_per_minute_per_ip: u32,
    /// Logins a minute of one user (WeChat's own limit is 100); 0 is no limit.
    #[arg(long, env = "MP_SESSION_LOGINS_PER_MINUTE_PER_USER", default_value_t = 20)]
    pub logins_per_minute_per_user: u32,
    /// Authenticated requests a minute carrying one token; 0 is no limit.
    #[arg(long, env = "MP_SESSION_CALLS_PER_MINUTE_PER_TOKEN", default_value_t = 600)]
    pub calls_per_minute_per_token: u32,
    /// Proxies whose X-Forwarded-For names the client (the HTTPS front, a load balancer):
    /// addresses or networks such as 10.0.0.0/8, comma-separated. By default this machine's
    /// own (an nginx beside the server); any other peer is the client itself.
    #[arg(
        long = "trusted-proxy",
        env = "MP_SESSION_TRUSTED_PROXIES",
        value_delimiter = ',',
        default_value = "127.0.0.0/8,::1"
    )]
    pub trusted_proxies: Vec<String>,
    /// How the log is written on standard error: text, or json (one object a line).
    #[arg(long, env = "MP_SESSION_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// How the log is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// A line of text an event.
    Text,
    /// A JSON object a line: `timestamp`, `level`, `fields` (`message` among them), `target`.
    Json,
}

/// `mp-session-server block OPENID` / `unblock OPENID`: an operator's command, run against the
/// store the servers use, while they run.
#[derive(Debug, Parser)]
#[command(name = "mp-session-server block|unblock", version)]
pub struct Operator {
    /// The user's openid.
    pub openid: String,
    /// The servers' store: sqlite://FILE or redis://HOST:PORT (no default: the servers' own,
    /// named, so that a command run elsewhere never acts on another file).
    #[arg(long, env = "MP_SESSION_STORE")]
    pub store: String,
}

impl Operator {
    /// The openid, checked: 1 to 128 characters, no space or control.
    pub fn openid(&self) -> Result<&str, String> {
        let ok = !self.openid.is_empty()
            && self.openid.chars().count() <= 128
            && !self.openid.chars().any(|c| c.is_whitespace() || c.is_control());
        ok.then_some(self.openid.as_str()).ok_or_else(|| {
            format!(
                "OPENID must be 1 to 128 characters with no space, not {:?}",
                self.openid
            )
        })
    }

    /// The store, checked: a SQLite file must be there already (the servers made it), or the
    /// command would make a new one and act on nothing.
    pub fn store(&self) -> Result<&str, String> {
        match self.store.strip_prefix("sqlite://") {
            Some(file) if !std::path::Path::new(file).is_file() => Err(format!(
                "--store {}: no such file; name the servers' own store (its path is relative to where the command runs)",
                self.store
            )),
            _ => Ok(&self.store),
        }
    }
}

/// An app's AppID and AppSecret. Its `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct App {
    /// The AppID.
    pub appid: String,
    /// The AppSecret.
    pub secret: String,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "App {{ appid: {:?}, secret: <hidden> }}", self.appid)
    }
}

/// Checked settings. At least one of `wx`, `web` and `douyin` is set.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The store's URL.
    pub store: String,
    /// The WeChat mini-program, if this server serves `"platform": "wx"`.
    pub wx: Option<App>,
    /// The official account, if this server serves `"platform": "web"`.
    pub web: Option<App>,
    /// The Douyin mini-program, if this server serves `"platform": "tt"`.
    pub douyin: Option<App>,
    /// WeChat's API.
    pub wechat_api: String,
    /// Douyin's API.
    pub douyin_api: String,
    /// Origins whose pages may call this server from a browser (`https://host[:port]`).
    pub cors_origins: Vec<String>,
    /// Session lifetime.
    pub session_ttl: Duration,
    /// Time allowed for one call upstream.
    pub upstream_timeout: Duration,
    /// The most sessions one user keeps.
    pub max_sessions_per_user: u32,
    /// The abuse limits, and the proxies trusted to name the client.
    pub limits: Limits,
}

impl Config {
    /// The platforms this server logs in, as the login body names them.
    pub fn platforms(&self) -> Vec<&'static str> {
        [
            ("wx", self.wx.is_some()),
            ("web", self.web.is_some()),
            ("tt", self.douyin.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, served)| served.then_some(name))
        .collect()
    }
}

/// How one platform's app is named: by the login body, in messages, on the command line and
/// in the environment.
#[derive(Debug)]
pub(crate) struct Names {
    /// The login body's `platform`.
    platform: &'static str,
    what: &'static str,
    /// The AppID's flag and variable.
    pub(crate) appid: &'static str,
    secret_file: &'static str,
    secret_env: &'static str,
}

/// The WeChat mini-program's names.
const WX: Names = Names {
    platform: "wx",
    what: "the mini-program's",
    appid: "--appid / MP_SESSION_APPID",
    secret_file: "--secret-file",
    secret_env: "MP_SESSION_SECRET",
};
/// The official account's names.
const WEB: Names = Names {
    platform: "web",
    what: "the official account's",
    appid: "--web-appid / MP_SESSION_WEB_APPID",
    secret_file: "--web-secret-file",
    secret_env: "MP_SESSION_WEB_SECRET",
};
/// The Douyin mini-program's names.
const DOUYIN: Names = Names {
    platform: "tt",
    what: "the Douyin mini-program's",
    appid: "--douyin-appid / MP_SESSION_DOUYIN_APPID",
    secret_file: "--douyin-secret-file",
    secret_env: "MP_SESSION_DOUYIN_SECRET",
};

impl Names {
    /// The names of the app serving `platform` (`wx`, `web`, `tt`), if this server can.
    pub(crate) fn of(platform: &str) -> Option<&'static Names> {
        [&WX, &WEB, &DOUYIN]
            .into_iter()
            .find(|names| names.platform == platform)
    }

    /// The settings that give this app's credentials, as a message names them.
    pub(crate) fn credentials(&self) -> String {
        format!("{} and {} / {}", self.appid, self.secret_file, self.secret_env)
    }
}

impl Settings {
    /// The settings checked; `env` reads an environment variable (the AppSecrets'
    /// `MP_SESSION_SECRET`, `MP_SESSION_WEB_SECRET`, `MP_SESSION_DOUYIN_SECRET`).
    pub fn check(self, env: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let listen = listen_address(&self.listen)?;
        let limits = limits(&self)?;
        let wx = app(self.appid, self.secret_file, &env, &WX)?;
        let web = app(self.web_appid, self.web_secret_file, &env, &WEB)?;
        let douyin = app(self.douyin_appid, self.douyin_secret_file, &env, &DOUYIN)?;
        if wx.is_none() && web.is_none() && douyin.is_none() {
            return Err(
                "--appid / MP_SESSION_APPID is required: the mini-program's AppID \
                 (or --web-appid / --douyin-appid for a server of those alone)"
                    .into(),
            );
        }
        for (setting, url) in [
            ("--wechat-api / MP_SESSION_WECHAT_API", &self.wechat_api),
            ("--douyin-api / MP_SESSION_DOUYIN_API", &self.douyin_api),
        ] {
            if !is_upstream_url(url) {
                return Err(format!(
                    "{setting} must be https:// (http:// only for 127.0.0.1 or localhost), not {url:?}"
                ));
            }
        }
        for origin in &self.cors_origins {
            if !is_origin(origin) {
                return Err(format!(
                    "--cors-origin / MP_SESSION_CORS_ORIGINS takes origins like https://h5.example.com (a scheme, a host, maybe a port; no path), not {origin:?}"
                ));
            }
        }
        if !(60..=366 * 24 * 3600).contains(&self.session_ttl) {
            return Err("--session-ttl / MP_SESSION_TTL must be from 60 seconds to a year".into());
        }
        if !(100..=60_000).contains(&self.upstream_timeout_ms) {
            return Err(
                "--upstream-timeout-ms / MP_SESSION_UPSTREAM_TIMEOUT_MS must be from 100 to 60000".into(),
            );
        }
        if !(1..=100).contains(&self.max_sessions_per_user) {
            return Err(
                "--max-sessions-per-user / MP_SESSION_MAX_SESSIONS_PER_USER must be from 1 to 100".into(),
            );
        }
        Ok(Config {
            listen,
            store: self.store,
            wx,
            web,
            douyin,
            wechat_api: self.wechat_api,
            douyin_api: self.douyin_api,
            cors_origins: self.cors_origins,
            session_ttl: Duration::from_secs(self.session_ttl),
            upstream_timeout: Duration::from_millis(self.upstream_timeout_ms),
            max_sessions_per_user: self.max_sessions_per_user,
            limits,
        })
    }
}

/// The abuse limits of `settings`: each rate 0 (off) to [`MAX_PER_MINUTE`], each proxy an
/// address or a network.
fn limits(settings: &Settings) -> Result<Limits, String> {
    let rate = |per_minute: u32, names: &str| {
        if per_minute > MAX_PER_MINUTE {
            return Err(format!(
                "{names} must be from 0 (no limit) to {MAX_PER_MINUTE}, not {per_minute}"
            ));
        }
        Ok(Rate { per_minute })
    };
    let trusted_proxies = settings
        .trusted_proxies
        .iter()
        .map(|proxy| {
            Network::parse(proxy).map_err(|e| format!("--trusted-proxy / MP_SESSION_TRUSTED_PROXIES: {e}"))
        })
        .collect::<Result<_, _>>()?;
    Ok(Limits {
        logins_per_ip: rate(
            settings.logins_per_minute_per_ip,
            "--logins-per-minute-per-ip / MP_SESSION_LOGINS_PER_MINUTE_PER_IP",
        )?,
        logins_per_user: rate(
            settings.logins_per_minute_per_user,
            "--logins-per-minute-per-user / MP_SESSION_LOGINS_PER_MINUTE_PER_USER",
        )?,
        calls_per_token: rate(
            settings.calls_per_minute_per_token,
            "--calls-per-minute-per-token / MP_SESSION_CALLS_PER_MINUTE_PER_TOKEN",
        )?,
        trusted_proxies,
    })
}

/// Where to listen: `IP:PORT`, or `HOST:PORT` with the host's first address (`localhost`).
fn listen_address(listen: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    listen
        .to_socket_addrs()
        .ok()
        .and_then(|mut addresses| addresses.next())
        .ok_or_else(|| {
            format!(
                "--listen / MP_SESSION_LISTEN must be IP:PORT or HOST:PORT (127.0.0.1:8787, \
                 localhost:8787, [::]:8787), not {listen:?}"
            )
        })
}

/// One app's credentials: none without an AppID; with one, its secret from the file or else
/// the environment variable, required and not empty.
fn app(
    appid: Option<String>,
    secret_file: Option<PathBuf>,
    env: &impl Fn(&str) -> Option<String>,
    names: &Names,
) -> Result<Option<App>, String> {
    let Some(appid) = appid else {
        return match secret_file {
            Some(_) => Err(format!(
                "{} is given but {} is not",
                names.secret_file, names.appid
            )),
            None => Ok(None),
        };
    };
    if !is_appid(&appid) {
        return Err(format!(
            "{} must be 1 to 64 letters, digits, '-' or '_', not {appid:?}",
            names.appid
        ));
    }
    let secret = match (secret_file, env(names.secret_env)) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "{} AppSecret is given twice, by {} and by {}: keep one",
                names.what, names.secret_file, names.secret_env
            ))
        }
        (Some(file), None) => std::fs::read_to_string(&file)
            .map(|text| text.trim().to_owned())
            .map_err(|e| format!("{} {}: {e}", names.secret_file, file.display()))?,
        (None, Some(secret)) => secret.trim().to_owned(),
        (None, None) => {
            return Err(format!(
                "{} AppSecret is required: {} FILE or {}",
                names.what, names.secret_file, names.secret_env
            ))
        }
    };
    if secret.is_empty() {
        return Err(format!(
            "{} AppSecret ({} / {}) is empty",
            names.what, names.secret_file, names.secret_env
        ));
    }
    Ok(Some(App { appid, secret }))
}

/// An API's base URL the AppSecrets may be sent to: https, or plain http to this machine only
/// (a mock in tests), with no `user@` part, query or fragment.
fn is_upstream_url(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return false;
    };
    let local = matches!(
        parsed.host(),
        Some(url::Host::Ipv4(ip)) if ip.is_loopback()
    ) || matches!(parsed.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
        || parsed.host_str() == Some("localhost");
    let scheme_ok = parsed.scheme() == "https" || (parsed.scheme() == "http" && local);
    scheme_ok
        && parsed.host().is_some()
        && parsed.username().is_empty()
        && parsed.password().is_none()
        && parsed.query().is_none()
        && parsed.fragment().is_none()
}

/// A web origin as a browser sends it: `http(s)://host[:port]`, nothing more.
fn is_origin(origin: &str) -> bool {
    reqwest::Url::parse(origin).is_ok_and(|url| {
        matches!(url.scheme(), "http" | "https") && url.origin().ascii_serialization() == origin
    })
}

/// An AppID as WeChat writes them (`wx` and 16 hex digits), Douyin's (`tt` ...), or a test's.
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

    fn only(name: &'static str, value: &'static str) -> impl Fn(&str) -> Option<String> {
        move |asked| (asked == name).then(|| value.to_owned())
    }

    #[test]
    fn a_wrong_or_missing_setting_is_named() {
        let cases: [(&[&str], &str, &str); 16] = [
            (&[], "MP_SESSION_SECRET", "--appid / MP_SESSION_APPID is required"),
            (&["--appid", "wx 1"], "MP_SESSION_SECRET", "--appid / MP_SESSION_APPID must be"),
            (&["--appid", "wx1"], "NONE", "--secret-file FILE or MP_SESSION_SECRET"),
            (
                &["--appid", "wx1", "--listen", "here"],
                "MP_SESSION_SECRET",
                "--listen / MP_SESSION_LISTEN",
            ),
            (
                &["--appid", "wx1", "--wechat-api", "http://example.com"],
                "MP_SESSION_SECRET",
                "--wechat-api",
            ),
            (
                &["--appid", "wx1", "--secret-file", "/no/such/file"],
                "NONE",
                "--secret-file /no/such/file",
            ),
            (
                &["--appid", "wx1", "--web-appid", "wxoa"],
                "MP_SESSION_SECRET",
                "the official account's AppSecret is required: --web-secret-file FILE or MP_SESSION_WEB_SECRET",
            ),
            (
                &["--douyin-appid", "tt1", "--douyin-api", "http://x.com"],
                "MP_SESSION_DOUYIN_SECRET",
                "--douyin-api / MP_SESSION_DOUYIN_API",
            ),
            (
                &["--appid", "wx1", "--wechat-api", "http://127.0.0.1.evil.example"],
                "MP_SESSION_SECRET",
                "--wechat-api",
            ),
            (
                &["--appid", "wx1", "--wechat-api", "http://127.0.0.1@evil.example"],
                "MP_SESSION_SECRET",
                "--wechat-api",
            ),
            (
                &["--appid", "wx1", "--cors-origin", "https://h5.example.com/page"],
                "MP_SESSION_SECRET",
                "--cors-origin / MP_SESSION_CORS_ORIGINS takes origins",
            ),
            (
                &["--appid", "wx1", "--secret-file", "/etc/hostname"],
                "MP_SESSION_SECRET",
                "the mini-program's AppSecret is given twice, by --secret-file and by MP_SESSION_SECRET",
            ),
            (
                &["--appid", "wx1", "--listen", "localhost:http"],
                "MP_SESSION_SECRET",
                "--listen / MP_SESSION_LISTEN must be IP:PORT or HOST:PORT",
            ),
            (
                &["--web-secret-file", "/etc/hostname"],
                "NONE",
                "--web-secret-file is given but --web-appid / MP_SESSION_WEB_APPID is not",
            ),
            (
                &["--appid", "wx1", "--logins-per-minute-per-ip", "60001"],
                "MP_SESSION_SECRET",
                "--logins-per-minute-per-ip / MP_SESSION_LOGINS_PER_MINUTE_PER_IP must be from 0 (no limit) to 60000, not 60001",
            ),
            (
                &["--appid", "wx1", "--trusted-proxy", "10.0.0.0/8,nginx"],
                "MP_SESSION_SECRET",
                "--trusted-proxy / MP_SESSION_TRUSTED_PROXIES: \"nginx\" is not an IP address or a network",
            ),
        ];
        for (args, secret, expected) in cases {
            let error = settings(args).check(only(secret, "s")).unwrap_err();
            assert!(error.contains(expected), "{args:?}: {error}");
        }
    }

    #[test]
    fn each_platform_is_served_when_its_app_is_set() {
        let config = settings(&["--appid", "wx1"])
            .check(only("MP_SESSION_SECRET", " s \n"))
            .unwrap();
        assert_eq!(config.wx.as_ref().unwrap().secret, "s");
        assert_eq!((config.platforms(), config.listen.port()), (vec!["wx"], 8787));
        let named = settings(&["--appid", "wx1", "--listen", "localhost:8788"])
            .check(only("MP_SESSION_SECRET", "s"))
            .unwrap();
        assert!(named.listen.ip().is_loopback(), "{}", named.listen);
        assert_eq!(named.listen.port(), 8788);
        let env = |name: &str| Some(format!("{name}-value"));
        let all = settings(&["--appid", "wx1", "--web-appid", "wxoa", "--douyin-appid", "tt1"])
            .check(env)
            .unwrap();
        assert_eq!(all.platforms(), ["wx", "web", "tt"]);
        assert_eq!(
            all.douyin.as_ref().unwrap().secret,
            "MP_SESSION_DOUYIN_SECRET-value"
        );
        let douyin_only = settings(&["--douyin-appid", "tt1"]).check(env).unwrap();
        assert_eq!(douyin_only.platforms(), ["tt"]);
        assert!(!format!("{all:?}").contains("-value"), "no secret in Debug");
        let cors = settings(&[
            "--appid",
            "wx1",
            "--cors-origin",
            "https://h5.example.com,http://127.0.0.1:8080",
        ])
        .check(only("MP_SESSION_SECRET", "s"))
        .unwrap();
        assert_eq!(
            cors.cors_origins,
            ["https://h5.example.com", "http://127.0.0.1:8080"]
        );
        for local in [
            "http://127.0.0.1:9",
            "http://localhost:9/",
            "http://[::1]:9",
            "https://api.weixin.qq.com",
        ] {
            assert!(is_upstream_url(local), "{local}");
        }
    }
}
