//! The login contract between the app and its backend, written once: what the app posts to
//! `loginUrl`, what the backend answers, and what each `errcode` in an answer means to the
//! app. The core judges answers by it and `mp-session-server` is built on it (it depends on
//! this crate for nothing else). `tests/contract/*.json` holds examples of each exchange
//! with the verdict the app must reach; the core's tests, the server's and the shim's read
//! the same files.

use serde::{Deserialize, Serialize};

use crate::core::user_info::UserInfo;

/// The login body's field for the single-use code.
pub const CODE_FIELD: &str = "code";
/// The login body's field for Douyin's `anonymousCode` (a user not logged in to Douyin).
pub const ANONYMOUS_CODE_FIELD: &str = "anonymousCode";
/// The field that names the platform, in the login body and in a cloud function's data.
pub const PLATFORM_FIELD: &str = "platform";

/// What the app posts to `loginUrl`, as JSON: `{ "code": "…", "platform": "wx" }`, or
/// `{ "anonymousCode": "…", "platform": "tt" }`, and the device's model when the app sends
/// it (`login.fields`). No other field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The code of the platform's login call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Douyin's `anonymousCode`, in place of `code`.
    #[serde(rename = "anonymousCode", default, skip_serializing_if = "Option::is_none")]
    pub anonymous_code: Option<String>,
    /// The platform the code comes from ([`Platform::as_str`]); none is `wx`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The device's model, as the app read it (`wx.getDeviceInfo().model`), for the list of
    /// a user's sessions: at most [`MAX_DEVICE_CHARS`] characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

/// The longest `device` a login may name.
pub const MAX_DEVICE_CHARS: usize = 64;

/// A session, as the backend answers a login (HTTP 2xx). The app stores it; `session_key`
/// is never part of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginAnswer {
    /// The user's openid for this app.
    pub openid: String,
    /// The user's unionid, when the app is bound to an Open Platform account.
    #[serde(default)]
    pub unionid: Option<String>,
    /// The backend's own token, sent back on the app's requests.
    #[serde(default)]
    pub token: Option<String>,
    /// How long the session lasts, in seconds (the app's `defaultTtlSeconds` when absent).
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// A profile the backend keeps, if any.
    #[serde(rename = "userInfo", default)]
    pub user_info: Option<UserInfo>,
}

/// A refused login, in WeChat's own shape (any HTTP status): the app's rules read `errcode`
/// ([`meaning`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    /// The platform's (or the backend's) code; see [`errcode`].
    pub errcode: i64,
    /// What it said.
    pub errmsg: String,
}

/// A failure of the backend's own, in any HTTP status and at any endpoint:
/// `{ "error": { "code": "STORE", "message": "…" } }` (a body it cannot read, a platform it
/// does not serve, its store down). mp-session-server answers every failure of its own in
/// this shape, with WeChat's `errcode` beside the code where WeChat's answer caused it; a
/// login refused by WeChat itself is [`Refused`]. The app's error carries `code` as
/// `backendCode` and `message` as `detail`; the HTTP status decides whether to try again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What failed.
    pub error: BackendError,
}

/// What failed, in an [`ErrorBody`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendError {
    /// A stable code: `BAD_REQUEST`, `UNKNOWN_PLATFORM`, `STORE`, …
    pub code: String,
    /// What a developer reads.
    pub message: String,
    /// WeChat's `errcode`, where its answer caused the failure (the app reads no more than
    /// `code` and `message`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errcode: Option<i64>,
}

/// The `errcode`s the app's rules name: code2Session's documented codes, and `40163` (a code
/// used twice) seen in the field.
pub mod errcode {
    /// The platform was busy: try again.
    pub const BUSY: i64 = -1;
    /// The code is not valid: try once with a fresh code.
    pub const INVALID_CODE: i64 = 40029;
    /// The code was used already: try once with a fresh code.
    pub const CODE_USED: i64 = 40163;
    /// Too many logins of this user (100 a minute): try again later.
    pub const RATE_LIMITED: i64 = 45011;
    /// The platform blocked this user as high-risk: give up.
    pub const HIGH_RISK: i64 = 40226;
}

/// What an `errcode` in the backend's answer means to the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Meaning {
    /// Passing trouble: back off and try again, while retries remain.
    Retry,
    /// The code was refused: try once more with a fresh code.
    FreshCode,
    /// Give up now.
    Fail,
}

/// What `errcode` means to the app (`0` is no error and never asked).
pub fn meaning(errcode: i64) -> Meaning {
    match errcode {
        errcode::BUSY | errcode::RATE_LIMITED => Meaning::Retry,
        errcode::INVALID_CODE | errcode::CODE_USED => Meaning::FreshCode,
        _ => Meaning::Fail,
    }
}

/// Where login codes come from, as the login request tells the backend (`"platform"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Platform {
    /// A WeChat mini-program: codes from `wx.login`.
    #[default]
    Wx,
    /// A WeChat official-account web page: codes from the OAuth redirect.
    Web,
    /// A Douyin (ByteDance) mini-program: `tt.login` (a `code`, or only an `anonymousCode`
    /// when the user is not logged in to Douyin).
    Tt,
    /// An Alipay mini-program: `my.getAuthCode` (an `authCode`).
    My,
    /// A Baidu smart program: `swan.login`.
    Swan,
    /// A QQ mini-program: `qq.login`.
    Qq,
    /// A Kuaishou mini-program: `ks.login`.
    Ks,
}

impl Platform {
    /// Every platform the `platform` option names (a web page is made by its own entry).
    pub const MINI_PROGRAMS: [Platform; 6] = [
        Platform::Wx,
        Platform::Tt,
        Platform::My,
        Platform::Swan,
        Platform::Qq,
        Platform::Ks,
    ];

    /// Every platform a login request may name.
    pub const ALL: [Platform; 7] = [
        Platform::Wx,
        Platform::Web,
        Platform::Tt,
        Platform::My,
        Platform::Swan,
        Platform::Qq,
        Platform::Ks,
    ];

    /// The name the login request carries: `"wx"`, `"web"`, `"tt"`, `"my"`, `"swan"`,
    /// `"qq"` or `"ks"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Platform::Wx => "wx",
            Platform::Web => "web",
            Platform::Tt => "tt",
            Platform::My => "my",
            Platform::Swan => "swan",
            Platform::Qq => "qq",
            Platform::Ks => "ks",
        }
    }

    /// The mini-program platform of this name (not `web`: see [`Platform::named`]).
    pub fn from_name(name: &str) -> Option<Platform> {
        Platform::MINI_PROGRAMS.into_iter().find(|p| p.as_str() == name)
    }

    /// The platform a login request names (`web` included).
    pub fn named(name: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == name)
    }
}
