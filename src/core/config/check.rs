//! The rules every option is checked by: what [`super::Config::from_options`] refuses, with a
//! message that names the option.

use std::borrow::Cow;

use super::{
    FailureToast, Options, Platform, DEFAULT_LEEWAY_SECONDS, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS,
    DEFAULT_TTL_SECONDS, MAX_ALLOWED_ORIGINS, MAX_CLOUD_FUNCTION_LEN, MAX_HEADER_NAME_LEN,
    MAX_LEEWAY_SECONDS, MAX_NAMESPACE_LEN, MAX_RETRIES, MAX_TIMEOUT_MS, MAX_TOAST_LEN, MAX_TTL_SECONDS,
    MIN_TIMEOUT_MS,
};
use crate::core::url::{check_allowed_origin, secure_origin};

/// What [`check`] works out of the options, besides the strings the config takes as given.
pub(super) struct Checked {
    pub(super) platform: Platform,
    pub(super) leeway: u32,
    pub(super) ttl: u32,
    pub(super) timeout_ms: u32,
    pub(super) max_retries: u32,
    pub(super) allowed_origins: Vec<String>,
}

/// Checks every option in place; the message names the first one that is wrong.
pub(super) fn check(options: &Options) -> Result<Checked, Cow<'static, str>> {
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
    if options.cloud_function.is_some() && options.login.is_some() {
        return Err(
            "login describes a loginUrl endpoint: a cloud function answers in mp-session's shape".into(),
        );
    }
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

/// An HTTP header name (RFC 9110 token, as a cookie's name is), at most 64 characters.
pub(super) fn is_header_name(name: &str) -> bool {
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
