//! The options as a mini-program passes them to `createSession`, before they are checked.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::login::LoginOptions;
use super::Platform;

/// The options as a mini-program passes them to `createSession` (JavaScript names in
/// camelCase), every field optional. [`super::Config::from_options`] checks them.
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
    /// Hand the token to `wx.setBackgroundFetchToken` after each login, so that WeChat's data
    /// pre-fetch and periodic updates carry it (and never a login code).
    #[serde(default)]
    pub background_fetch_token: Option<bool>,
    /// The backend's own login endpoint, described: the request it takes and where each fact
    /// sits in its answer (`loginUrl` only).
    #[serde(default, deserialize_with = "crate::decode::decode_optional_object")]
    pub login: Option<Box<LoginOptions>>,
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
