//! The options of `createSession`, checked once into a [`Config`].

use crate::core::effect::TokenHeader;
use crate::core::error::Error;
use crate::core::limits::MAX_TTL_MS;
use crate::core::secret::Secret;

mod check;
pub(crate) mod login;
mod options;

use check::check;
pub use login::{
    AnswerOptions, AnswerShape, Fact, LoginMethod, LoginOptions, LoginShape, StatusValue, TokenCarrier,
    EXPIRES_IN_CAMEL,
};
pub use options::{FailureToast, Options};

/// Default for `leewaySeconds`: refresh a session this long before it expires.
pub const DEFAULT_LEEWAY_SECONDS: u32 = 300;
/// Default for `defaultTtlSeconds`: how long a session lasts when the backend gives no expiry.
pub const DEFAULT_TTL_SECONDS: u32 = 7200;
/// Default for `timeoutMs`: how long `wx.login` and the login request may take.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
/// How much longer than the machine's own deadline the platform's call is given
/// ([`Config::platform_timeout_ms`]): the machine's deadline decides, never the platform's.
pub const PLATFORM_GRACE_MS: u32 = 1000;
/// Default for `maxRetries`: how many times a retryable failure is tried again.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default for `namespace`.
pub const DEFAULT_NAMESPACE: &str = "default";
/// What every storage key of a session starts with.
const STORAGE_KEY_PREFIX: &str = "mp-session:";

const MAX_LEEWAY_SECONDS: f64 = 86_400.0;
const MAX_TTL_SECONDS: f64 = (MAX_TTL_MS / 1000) as f64;
const MIN_TIMEOUT_MS: f64 = 100.0;
/// WeChat's own limit for `wx.request`.
const MAX_TIMEOUT_MS: f64 = 60_000.0;
const MAX_RETRIES: f64 = 10.0;
const MAX_NAMESPACE_LEN: usize = 64;
const MAX_TOAST_LEN: usize = 64;
const MAX_HEADER_NAME_LEN: usize = 64;
const MAX_ALLOWED_ORIGINS: usize = 16;
/// WeChat's limit on a cloud function's name.
const MAX_CLOUD_FUNCTION_LEN: usize = 60;
/// Default for `tokenHeader`.
pub const DEFAULT_TOKEN_HEADER: &str = "Authorization";

pub use crate::protocol::Platform;

/// Where a login turns into a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoginEndpoint {
    /// The backend endpoint the platform's code is posted to (`loginUrl`).
    Url(String),
    /// The WeChat cloud function that answers with the session (`cloudFunction`): it reads
    /// the user's openid from its own context, so no code is made.
    CloudFunction(String),
}

/// The header `request()` puts the token in, and what goes before the token there:
/// `tokenHeader` when given; else where the login's answer carried it (the same header, bare,
/// or `Cookie` with `NAME=`); else `Authorization` with `Bearer `.
fn token_header_and_scheme(token_header: Option<String>, shape: &LoginShape) -> (String, String) {
    let bearer = |name: String| {
        let scheme = if name.eq_ignore_ascii_case("authorization") {
            "Bearer "
        } else {
            ""
        };
        (name, scheme.to_owned())
    };
    match (token_header, shape.answer.token_carrier()) {
        (Some(name), _) => bearer(name),
        // The value as the header carried it (an `Authorization` answered has its scheme).
        (None, Some(TokenCarrier::Header(name))) => (name.clone(), String::new()),
        (None, Some(TokenCarrier::Cookie(name))) => {
            let mut scheme = name.clone();
            scheme.push('=');
            (COOKIE_HEADER.to_owned(), scheme)
        }
        (None, None) => bearer(DEFAULT_TOKEN_HEADER.to_owned()),
    }
}

/// The header a cookie session's token goes back in.
const COOKIE_HEADER: &str = "Cookie";

/// Checked settings of one session. Build it with [`Config::from_options`] or [`Config::new`].
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    login_endpoint: LoginEndpoint,
    /// `mp-session:<namespace>`.
    storage_key: String,
    leeway_ms: u64,
    default_ttl_ms: u64,
    timeout_ms: u32,
    max_retries: u32,
    failure_toast: Option<String>,
    token_header: String,
    /// What goes before the token in that header ([`Config::token_scheme`]).
    token_scheme: String,
    allowed_origins: Vec<String>,
    platform: Platform,
    login_shape: LoginShape,
    background_fetch_token: bool,
}

impl Config {
    /// A config for `login_url` with every other setting at its default.
    pub fn new(login_url: &str) -> Result<Config, Error> {
        Config::from_options(Options::new(login_url))
    }

    /// Checks every option; the error names the first one that is wrong and says what it
    /// must be.
    pub fn from_options(options: Options) -> Result<Config, Error> {
        // Every check reads the options in place; the config takes their strings at the end.
        let checked = check(&options).map_err(Error::invalid_config)?;
        let Options {
            login_url,
            cloud_function,
            namespace,
            failure_toast,
            token_header,
            login,
            background_fetch_token,
            ..
        } = options;
        let login_shape = login::check_login(login).map_err(Error::invalid_config)?;
        let (token_header, token_scheme) = token_header_and_scheme(token_header, &login_shape);
        let login_endpoint = match (login_url, cloud_function) {
            (Some(url), _) => LoginEndpoint::Url(url),
            (None, name) => LoginEndpoint::CloudFunction(name.unwrap_or_default()),
        };
        let namespace = namespace.as_deref().unwrap_or(DEFAULT_NAMESPACE);
        let mut storage_key = String::with_capacity(STORAGE_KEY_PREFIX.len() + namespace.len());
        storage_key.push_str(STORAGE_KEY_PREFIX);
        storage_key.push_str(namespace);
        Ok(Config {
            login_endpoint,
            storage_key,
            leeway_ms: u64::from(checked.leeway) * 1000,
            default_ttl_ms: u64::from(checked.ttl) * 1000,
            timeout_ms: checked.timeout_ms,
            max_retries: checked.max_retries,
            failure_toast: match failure_toast {
                Some(FailureToast::Text(text)) => Some(text),
                _ => None,
            },
            token_header,
            token_scheme,
            allowed_origins: checked.allowed_origins,
            platform: checked.platform,
            login_shape,
            background_fetch_token: background_fetch_token == Some(true),
        })
    }

    /// The same config for `platform`: for a web page, codes come from the OAuth redirect
    /// and the login request says `"platform": "web"`.
    pub fn for_platform(mut self, platform: Platform) -> Config {
        self.platform = platform;
        self
    }

    /// Where login codes come from.
    pub fn platform(&self) -> Platform {
        self.platform
    }

    /// Where a login turns into a session: the backend's URL or a cloud function.
    pub fn login_endpoint(&self) -> &LoginEndpoint {
        &self.login_endpoint
    }

    /// How the login request is sent and where the answer's facts are (`login`; without
    /// it, mp-session's own shape).
    pub fn login_shape(&self) -> &LoginShape {
        &self.login_shape
    }

    /// The backend endpoint the login code is posted to (`None` with a cloud function).
    pub fn login_url(&self) -> Option<&str> {
        match &self.login_endpoint {
            LoginEndpoint::Url(url) => Some(url),
            LoginEndpoint::CloudFunction(_) => None,
        }
    }

    /// The timeout to give the platform's own call (`wx.login`, `wx.request` of the login):
    /// [`PLATFORM_GRACE_MS`] past the machine's deadline, so that the deadline decides.
    pub fn platform_timeout_ms(&self) -> u32 {
        self.timeout_ms().saturating_add(PLATFORM_GRACE_MS)
    }

    /// The WeChat cloud function that answers with the session (`None` with a `loginUrl`).
    pub fn cloud_function(&self) -> Option<&str> {
        match &self.login_endpoint {
            LoginEndpoint::Url(_) => None,
            LoginEndpoint::CloudFunction(name) => Some(name),
        }
    }

    /// The namespace that keeps this session apart from others.
    pub fn namespace(&self) -> &str {
        &self.storage_key[STORAGE_KEY_PREFIX.len()..]
    }

    /// The storage key of this namespace's session record: `mp-session:<namespace>`.
    pub fn storage_key(&self) -> &str {
        &self.storage_key
    }

    /// How long before expiry a session is refreshed, in milliseconds.
    pub fn leeway_ms(&self) -> u64 {
        self.leeway_ms
    }

    /// Session lifetime when the backend gives none, in milliseconds.
    pub fn default_ttl_ms(&self) -> u64 {
        self.default_ttl_ms
    }

    /// Time allowed for `wx.login` and for the login request, each, in milliseconds.
    pub fn timeout_ms(&self) -> u32 {
        self.timeout_ms
    }

    /// Retries after a retryable failure.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The text of the toast shown when a login finally fails, if any.
    pub fn failure_toast(&self) -> Option<&str> {
        self.failure_toast.as_deref()
    }

    /// The header `request()` puts the token in.
    pub fn token_header(&self) -> &str {
        &self.token_header
    }

    /// What goes before the token in that header: `"Bearer "` for `Authorization`, `NAME=`
    /// for the `Cookie` of a cookie session, nothing for any other header.
    pub fn token_scheme(&self) -> &str {
        &self.token_scheme
    }

    /// The header that carries `token` on an app request: `Authorization: Bearer <token>`,
    /// the bare token in the header named by `tokenHeader`, or where the login's answer had
    /// it (`login.answer.token`: the same header, or `Cookie: NAME=<token>`).
    pub fn token_header_for(&self, token: &Secret) -> TokenHeader {
        let scheme = self.token_scheme();
        let mut value = String::with_capacity(scheme.len() + token.len());
        value.push_str(scheme);
        value.push_str(token.expose());
        TokenHeader {
            name: self.token_header.clone(),
            value: Secret::new(value),
        }
    }

    /// Whether each login hands its token to `wx.setBackgroundFetchToken`
    /// (`backgroundFetchToken`).
    pub fn background_fetch_token(&self) -> bool {
        self.background_fetch_token
    }

    /// The origins `request()` may send the token to, normalised.
    pub fn allowed_origins(&self) -> &[String] {
        &self.allowed_origins
    }
}
