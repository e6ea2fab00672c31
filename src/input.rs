//! Everything that can happen to the machine: the app's calls and the answers to effects.

use crate::answer::Reply;
use crate::record::StoredSession;
use crate::secret::Secret;
use crate::user_info::UserInfo;

/// Names one call of the app (`ensure`, `logout`, ...). The driver chooses it; the machine
/// answers it once, with [`crate::Effect::Settle`].
pub type CallId = u32;

/// Names one effect the machine asked for. Its answer must carry the same id; an answer
/// whose id the machine no longer waits for (after a logout, a timeout or a retry) is stale
/// and dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpId(pub u32);

/// Why the code an OAuth redirect brought back may not be used.
#[cfg(feature = "web")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The `state` is missing or is not the one this page stored: the code may be an
    /// attacker's (CSRF), so it is not posted.
    StateMismatch,
    /// The user declined the authorization (the redirect came back without a code).
    Declined,
}

#[cfg(feature = "web")]
impl Refusal {
    pub(crate) fn error(self) -> crate::Error {
        use crate::ErrorCode;
        match self {
            Refusal::StateMismatch => crate::Error::new(
                ErrorCode::StateMismatch,
                "the OAuth redirect came back with a missing or wrong state; its code was not posted",
            ),
            Refusal::Declined => {
                crate::Error::new(ErrorCode::LoginFailed, "the user declined the authorization")
            }
        }
    }
}

/// An input to [`crate::Machine::handle`].
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
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
        info: UserInfo,
    },
    /// The app logs out: the stored session is removed, a login under way is dropped.
    Logout {
        /// The call to settle.
        call: CallId,
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
    /// Answer to [`crate::Effect::ReadSession`].
    SessionRead {
        /// The effect answered.
        op: OpId,
        /// What the read found.
        found: StoredSession,
    },
    /// Answer to [`crate::Effect::ReadDeviceId`]: the stored string, or `None` when the
    /// read found nothing, found something that is not a string, or threw.
    DeviceIdRead {
        /// The effect answered.
        op: OpId,
        /// The stored value, if it is a string.
        found: Option<String>,
    },
    /// Answer to a write or remove effect: `ok` is false when storage threw.
    Saved {
        /// The effect answered.
        op: OpId,
        /// Whether storage accepted it.
        ok: bool,
    },
    /// Answer to [`crate::Effect::Login`]: the code, or `None` when `wx.login` failed or
    /// its result had no code that is a non-empty string.
    LoginCode {
        /// The effect answered.
        op: OpId,
        /// The single-use code.
        code: Option<Secret>,
    },
    /// Answer to [`crate::Effect::Login`] on a web page: the OAuth redirect came back, but its
    /// code may not be used. The login fails at once; nothing is posted.
    #[cfg(feature = "web")]
    LoginRefused {
        /// The effect answered.
        op: OpId,
        /// Why the code may not be used.
        reason: Refusal,
    },
    /// Answer to [`crate::Effect::Post`]: the backend answered (any HTTP status).
    Replied {
        /// The effect answered.
        op: OpId,
        /// The answer.
        reply: Reply,
    },
    /// Answer to [`crate::Effect::Post`]: the request failed (`wx.request` called `fail`).
    PostFailed {
        /// The effect answered.
        op: OpId,
    },
    /// Answer to [`crate::Effect::Send`]: an HTTP answer arrived; `rejected` when it says the
    /// session is not accepted (HTTP 401 by default, or the app's `isSessionExpired`).
    Responded {
        /// The effect answered.
        op: OpId,
        /// Whether the backend rejected the session.
        rejected: bool,
    },
    /// Answer to [`crate::Effect::Send`]: the request failed (`wx.request` called `fail`).
    RequestFailed {
        /// The effect answered.
        op: OpId,
    },
    /// A timer started by [`crate::Effect::StartTimer`] fired.
    TimerFired {
        /// The timer.
        timer: OpId,
    },
}
