//! Everything that can happen to the machine: the app's calls, and the result of each effect.

use crate::core::answer::Reply;
use crate::core::error::{Error, ErrorCode};
use crate::core::limits::clipped;
use crate::core::record::StoredSession;
use crate::core::secret::Secret;
use crate::core::user_info::UserInfo;

/// Names one call of the app (`ensure`, `logout`, ...). The driver chooses it; the machine
/// answers it once, with [`crate::Effect::Settle`].
pub type CallId = u32;

/// Names one effect the machine asked for. Its result must carry the same id; a result
/// whose id the machine no longer waits for (after a logout, a timeout or a retry) is stale
/// and dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpId(pub u32);

/// What the platform said when one of its calls failed: `wx.login`'s or `wx.request`'s
/// `errMsg`, or a storage exception's message. It is added to the error the app sees, so
/// that "the login request failed" also says why. Kept to 200 characters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlatformError {
    detail: Option<String>,
}

impl PlatformError {
    /// A failure the platform said nothing about.
    pub fn silent() -> PlatformError {
        PlatformError { detail: None }
    }

    /// A failure with the platform's words (an empty text counts as none).
    pub fn said(detail: &str) -> PlatformError {
        let detail = clipped(detail);
        PlatformError {
            detail: (!detail.is_empty()).then(|| detail.to_owned()),
        }
    }

    /// What the platform said, if anything.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// What the platform said, as the error keeps it.
    pub(crate) fn into_detail(self) -> Option<String> {
        self.detail
    }

    /// `error` with what the platform said added.
    pub(crate) fn explain<T>(&self, error: Error<T>) -> Error<T> {
        match &self.detail {
            Some(detail) => error.with_detail(detail.clone()),
            None => error,
        }
    }
}

/// Why the code an OAuth redirect brought back may not be used (web pages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The `state` is missing or is not the one this page stored: the code may be an
    /// attacker's (CSRF), so it is not posted.
    StateMismatch,
    /// The user declined the authorization (the redirect came back without a code).
    Declined,
}

impl Refusal {
    pub(crate) fn error<T>(self) -> Error<T> {
        match self {
            Refusal::StateMismatch => Error::new(
                ErrorCode::StateMismatch,
                "the OAuth redirect came back with a missing or wrong state; its code was not posted",
            ),
            Refusal::Declined => Error::new(ErrorCode::LoginFailed, "the user declined the authorization"),
        }
    }
}

/// The result of [`crate::Effect::Login`].
#[derive(Clone, Debug, PartialEq)]
pub enum LoginResult<T = String> {
    /// A single-use code.
    Code(Secret<T>),
    /// Douyin, for a user not logged in to Douyin: only a single-use `anonymousCode`.
    AnonymousCode(Secret<T>),
    /// `wx.login` failed, or gave no code that is a non-empty string.
    Failed(PlatformError),
    /// Web pages: the OAuth redirect came back, but its code may not be used. The login
    /// fails at once; nothing is posted.
    Refused(Refusal),
}

/// The result of [`crate::Effect::SendRequest`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendResult {
    /// An HTTP answer that accepts the session: the app gets it.
    Answered,
    /// An HTTP answer that says the session is not accepted (see [`SendResult::of_answer`]).
    SessionRejected,
    /// No answer (`wx.request` called `fail`). Its `errMsg` is not kept: the URL of an app
    /// request may carry the token.
    Failed,
}

/// The HTTP status that says an app's request was refused for its session, unless the app's
/// `isSessionExpired` says otherwise.
pub const SESSION_REJECTED_STATUS: u16 = 401;

impl SendResult {
    /// What an HTTP answer to an app's request says of the session: what the app's
    /// `isSessionExpired` answered, if it has one; else rejected on HTTP 401 alone.
    pub fn of_answer(status: u16, app_says_expired: Option<bool>) -> SendResult {
        if app_says_expired.unwrap_or(status == SESSION_REJECTED_STATUS) {
            SendResult::SessionRejected
        } else {
            SendResult::Answered
        }
    }
}

/// An input to [`crate::Machine::handle`].
#[derive(Clone, Debug, PartialEq)]
pub enum Input<T = String> {
    /// The app wants a session (`launch()` or `ensure()`).
    Ensure {
        /// The call to settle.
        call: CallId,
    },
    /// Read the stored session if it has not been read yet, and nothing more: lets a
    /// synchronous `current()` see a cached session before any `launch()`.
    Load,
    /// The app sets profile fields (`setUserInfo`); waits for a session like `ensure()`.
    SetUserInfo {
        /// The call to settle.
        call: CallId,
        /// The fields to change.
        info: UserInfo<T>,
    },
    /// The app logs out: the stored session is removed, a login under way is dropped.
    Logout {
        /// The call to settle.
        call: CallId,
    },
    /// Whether anyone listens for changes (`onChange`): [`crate::Effect::Changed`] is given
    /// only while someone does. Nobody does at first.
    Listeners {
        /// Someone listens.
        any: bool,
    },
    /// The app sends a request with the session's token (`request`). The driver keeps its
    /// options; the machine needs the URL, to check where the token would go.
    Request {
        /// The call to settle.
        call: CallId,
        /// The request's URL.
        url: String,
    },
    /// The app wants the anonymous device id.
    DeviceId {
        /// The call to settle.
        call: CallId,
    },
    /// The result of [`crate::Effect::ReadSession`].
    SessionRead {
        /// The effect answered.
        op: OpId,
        /// What the read found.
        found: StoredSession<T>,
    },
    /// The result of [`crate::Effect::ReadDeviceId`]: the stored string, or `None` when the
    /// read found nothing, found something that is not a string, or threw.
    DeviceIdRead {
        /// The effect answered.
        op: OpId,
        /// The stored value, if it is a string.
        found: Option<String>,
    },
    /// The result of a write or a removal: `Err` when storage refused it.
    StorageResult {
        /// The effect answered.
        op: OpId,
        /// Whether storage accepted it.
        result: Result<(), PlatformError>,
    },
    /// The result of [`crate::Effect::Login`].
    LoginResult {
        /// The effect answered.
        op: OpId,
        /// The code, or why there is none.
        result: LoginResult<T>,
    },
    /// The result of [`crate::Effect::PostCode`]: the backend's HTTP answer (any status), or
    /// `Err` when the request failed (`wx.request` called `fail`). Also the result of
    /// [`crate::Effect::CallFunction`]: status 200 with the function's result, or `Err`.
    PostResult {
        /// The effect answered.
        op: OpId,
        /// The answer.
        result: Result<Reply<T>, PlatformError>,
    },
    /// The result of [`crate::Effect::SendRequest`].
    SendResult {
        /// The effect answered.
        op: OpId,
        /// How the app's request ended.
        result: SendResult,
    },
}

#[cfg(test)]
mod tests {
    use super::SendResult;

    #[test]
    fn a_401_rejects_the_session_unless_the_app_says_otherwise() {
        assert_eq!(SendResult::of_answer(401, None), SendResult::SessionRejected);
        assert_eq!(SendResult::of_answer(403, None), SendResult::Answered);
        assert_eq!(SendResult::of_answer(200, None), SendResult::Answered);
        assert_eq!(SendResult::of_answer(401, Some(false)), SendResult::Answered);
        assert_eq!(
            SendResult::of_answer(200, Some(true)),
            SendResult::SessionRejected
        );
    }
}
