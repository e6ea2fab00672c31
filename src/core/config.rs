//! The options of `createSession`, checked once into a [`Config`].

use std::borrow::Cow;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::core::effect::TokenHeader;
use crate::core::error::Error;
use crate::core::limits::MAX_TTL_MS;
use crate::core::secret::Secret;
use crate::core::url::{check_allowed_origin, secure_origin};

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

/// The options as a mini-program passes them to `createSession` (JavaScript names in
/// camelCase), every field optional. [`Config::from_options`] checks them.
///
/// Unknown fields are refused when decoding, so a misspelt option (`loginURL`) is an
/// `INVALID_CONFIG` error instead of a silently ignored setting.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    /// The backend endpoint that takes `{ code, platform }` (this or `cloudFunction`).
    #[serde(default)]
    pub login_url: Option<String>,
    /// Instead of `loginUrl`: the WeChat cloud function that answers with the session
    /// (`wx.cloud.callFunction`; no `wx.login` code is made).
    #[serde(default)]
    pub cloud_function: Option<String>,
    /// The mini-program platform: `wx`, `tt`, `my`, `swan`, `qq` or `ks`. The login request
    /// says it to the backend. Not given: the platform the app runs on
    /// ([`Options::running_on`]), or `wx`.
    #[serde(default)]
    pub platform: Option<String>,
    /// Keeps sessions of different backends apart; the storage key derives from it.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Refresh a session this many seconds before it expires.
    #[serde(default)]
    pub leeway_seconds: Option<f64>,
    /// Session lifetime when the backend's answer has no `expires_in`.
    #[serde(default)]
    pub default_ttl_seconds: Option<f64>,
    /// Time allowed for `wx.login` and for the login request, each.
    #[serde(default)]
    pub timeout_ms: Option<f64>,
    /// Retries after a retryable failure (network, timeout, 5xx, errcode -1 or 45011).
    #[serde(default)]
    pub max_retries: Option<f64>,
    /// `false`, or a text shown with `wx.showToast` when a login finally fails.
    #[serde(default)]
    pub failure_toast: Option<FailureToast>,
    /// The header `request()` puts the token in; `Authorization` (the default) gets
    /// `Bearer <token>`, any other header the bare token.
    #[serde(default)]
    pub token_header: Option<String>,
    /// The origins `request()` may send the token to; default: the origin of `loginUrl`
    /// (none with `cloudFunction`).
    #[serde(default)]
    pub allowed_origins: Option<Vec<String>>,
}

impl Options {
    /// Options with the given `loginUrl` and every other field at its default.
    pub fn new(login_url: impl Into<String>) -> Self {
        Options {
            login_url: Some(login_url.into()),
            ..Options::default()
        }
    }

    /// The options of an app running on `host` (the platform whose API the shim found, by
    /// its name): when they name no platform, that one.
    pub fn running_on(mut self, host: Option<&str>) -> Self {
        if self.platform.is_none() {
            self.platform = host
                .filter(|name| Platform::from_name(name).is_some())
                .map(str::to_owned);
        }
        self
    }
}

/// The `failureToast` option: `false`, or the text to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureToast {
    /// No toast (`false`).
    Off,
    /// Show this text.
    Text(String),
}

impl<'de> Deserialize<'de> for FailureToast {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ToastVisitor;
        impl Visitor<'_> for ToastVisitor {
            type Value = FailureToast;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("false or the text to show")
            }
            fn visit_bool<E: de::Error>(self, on: bool) -> Result<FailureToast, E> {
                if on {
                    Err(E::custom(
                        "failureToast must be false or the text to show, not true",
                    ))
                } else {
                    Ok(FailureToast::Off)
                }
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<FailureToast, E> {
                Ok(FailureToast::Text(text.to_owned()))
            }
        }
        deserializer.deserialize_any(ToastVisitor)
    }
}

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

/// Checked settings of one session. Build it with [`Config::from_options`] or [`Config::new`].
#[derive(Clone, Debug, PartialEq, Eq)]
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
    allowed_origins: Vec<String>,
    platform: Platform,
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
            ..
        } = options;
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
            token_header: token_header.unwrap_or_else(|| DEFAULT_TOKEN_HEADER.to_owned()),
            allowed_origins: checked.allowed_origins,
            platform: checked.platform,
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

    /// What goes before the token in that header: `"Bearer "` for `Authorization`, nothing
    /// for any other header.
    pub fn token_scheme(&self) -> &'static str {
        if self.token_header.eq_ignore_ascii_case("authorization") {
            "Bearer "
        } else {
            ""
        }
    }

    /// The header that carries `token` on an app request: `Authorization: Bearer <token>`,
    /// or the bare token in the header named by `tokenHeader`.
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

    /// The origins `request()` may send the token to, normalised.
    pub fn allowed_origins(&self) -> &[String] {
        &self.allowed_origins
    }
}

/// What [`check`] works out of the options, besides the strings the config takes as given.
struct Checked {
    platform: Platform,
    leeway: u32,
    ttl: u32,
    timeout_ms: u32,
    max_retries: u32,
    allowed_origins: Vec<String>,
}

/// Checks every option in place; the message names the first one that is wrong.
fn check(options: &Options) -> Result<Checked, Cow<'static, str>> {
    let login_origin = match (&options.login_url, &options.cloud_function) {
        (Some(_), Some(_)) => return Err("give loginUrl or cloudFunction, not both".into()),
        (Some(url), None) => Some(secure_origin(url).map_err(|why| named("loginUrl ", why))?),
        (None, Some(name)) if is_cloud_function_name(name) => None,
        (None, Some(_)) => {
            return Err(
                "cloudFunction must be a cloud function's name: a letter, then up to 59 letters, digits, '_' or '-'".into(),
            )
        }
        (None, None) => {
            return Err("loginUrl is required (or cloudFunction, the name of a WeChat cloud function)".into())
        }
    };
    let platform = match options.platform.as_deref() {
        None => Platform::Wx,
        Some(name) => Platform::from_name(name).ok_or("platform must be one of wx, tt, my, swan, qq, ks")?,
    };
    if options.cloud_function.is_some() && platform != Platform::Wx {
        return Err("cloudFunction is WeChat cloud development: only with platform wx".into());
    }
    if !options.namespace.as_deref().is_none_or(is_valid_namespace) {
        return Err("namespace must be 1 to 64 characters of a-z, A-Z, 0-9, '_', '-' or '.'".into());
    }
    let leeway = whole_number(
        options.leeway_seconds,
        DEFAULT_LEEWAY_SECONDS,
        0.0,
        MAX_LEEWAY_SECONDS,
    )
    .ok_or("leewaySeconds must be a whole number from 0 to 86400")?;
    let ttl = whole_number(
        options.default_ttl_seconds,
        DEFAULT_TTL_SECONDS,
        1.0,
        MAX_TTL_SECONDS,
    )
    .ok_or("defaultTtlSeconds must be a whole number from 1 to 31536000")?;
    let timeout_ms = whole_number(
        options.timeout_ms,
        DEFAULT_TIMEOUT_MS,
        MIN_TIMEOUT_MS,
        MAX_TIMEOUT_MS,
    )
    .ok_or("timeoutMs must be a whole number from 100 to 60000")?;
    let max_retries = whole_number(options.max_retries, DEFAULT_MAX_RETRIES, 0.0, MAX_RETRIES)
        .ok_or("maxRetries must be a whole number from 0 to 10")?;
    if let Some(FailureToast::Text(text)) = &options.failure_toast {
        if text.is_empty() || text.chars().count() > MAX_TOAST_LEN {
            return Err("failureToast must be false or a text of 1 to 64 characters".into());
        }
    }
    if !options.token_header.as_deref().is_none_or(is_header_name) {
        return Err("tokenHeader must be an HTTP header name of 1 to 64 characters".into());
    }
    let allowed_origins = match &options.allowed_origins {
        None => login_origin.into_iter().collect(),
        Some(entries) if entries.is_empty() || entries.len() > MAX_ALLOWED_ORIGINS => {
            return Err("allowedOrigins must list 1 to 16 origins".into());
        }
        Some(entries) => {
            let mut origins = Vec::with_capacity(entries.len());
            for entry in entries {
                origins.push(check_allowed_origin(entry).map_err(|why| named("allowedOrigins entry ", why))?);
            }
            origins
        }
    };
    Ok(Checked {
        platform,
        leeway,
        ttl,
        timeout_ms,
        max_retries,
        allowed_origins,
    })
}

/// The setting's name in front of what is wrong with it.
fn named(setting: &str, why: &str) -> Cow<'static, str> {
    let mut message = String::with_capacity(setting.len() + why.len());
    message.push_str(setting);
    message.push_str(why);
    message.into()
}

/// An HTTP header name (RFC 9110 token), at most 64 characters.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_HEADER_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A WeChat cloud function's name: a letter, then letters, digits, `_` or `-`; at most 60.
fn is_cloud_function_name(name: &str) -> bool {
    name.len() <= MAX_CLOUD_FUNCTION_LEN
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn is_valid_namespace(namespace: &str) -> bool {
    !namespace.is_empty()
        && namespace.len() <= MAX_NAMESPACE_LEN
        && namespace
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// `value` (or `default` when absent) if it is a whole number within `min..=max`.
fn whole_number(value: Option<f64>, default: u32, min: f64, max: f64) -> Option<u32> {
    match value {
        None => Some(default),
        Some(v) if v.is_finite() && v.trunc() == v && v >= min && v <= max => Some(v as u32),
        Some(_) => None,
    }
}
