//! The one error type of the core, with a stable code for JavaScript.

use std::borrow::Cow;
use std::fmt;

use crate::core::answer::BackendFailure;
use crate::core::input::PlatformError;
use crate::core::session::Session;

/// What kind of failure an [`Error`] is. JavaScript sees it as the string from
/// [`ErrorCode::as_str`], which never changes once released.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The options given to `createSession` are not valid.
    InvalidConfig,
    /// An argument of a call (such as `setUserInfo`) is not valid.
    InvalidArgument,
    /// `wx.login` failed or gave no usable code.
    LoginFailed,
    /// The login request did not complete (`wx.request` called `fail`).
    Network,
    /// `wx.login` or the login request took longer than `timeoutMs`.
    Timeout,
    /// The backend refused the login: a code2Session `errcode` or a non-2xx status.
    Backend,
    /// The backend answered 2xx, but not with a usable session.
    BadResponse,
    /// Storage refused to save or remove the session.
    Storage,
    /// `logout()` was called while this call was waiting for a session.
    LoggedOut,
    /// The backend rejected the session of a `request()` again after a fresh login.
    SessionRejected,
    /// Web pages: the OAuth redirect came back with a missing or wrong `state` (CSRF).
    StateMismatch,
}

impl ErrorCode {
    /// The stable string JavaScript sees as `error.code`, such as `"NETWORK"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidConfig => "INVALID_CONFIG",
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::LoginFailed => "LOGIN_FAILED",
            ErrorCode::Network => "NETWORK",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::Backend => "BACKEND",
            ErrorCode::BadResponse => "BAD_RESPONSE",
            ErrorCode::Storage => "STORAGE",
            ErrorCode::LoggedOut => "LOGGED_OUT",
            ErrorCode::SessionRejected => "SESSION_REJECTED",
            ErrorCode::StateMismatch => "STATE_MISMATCH",
        }
    }
}

/// An error message: almost always a literal, sometimes built (a decoder's own words).
type Message = Cow<'static, str>;

/// A failed call: a stable [`ErrorCode`], a short lowercase message that says what happened,
/// whether trying again later may succeed, the backend's `errcode` or HTTP status when they
/// are known, and what the platform said (`detail`, such as `wx.login`'s `errMsg`). Messages
/// never contain a token or a login code.
///
/// It is one pointer wide: a failure is rare, and a value this small moves cheaply through
/// every effect and result that could carry one.
#[derive(Clone, Debug, PartialEq)]
pub struct Error<T = String>(Box<Failure<T>>);

#[derive(Clone, Debug, PartialEq)]
struct Failure<T> {
    code: ErrorCode,
    message: Message,
    retryable: bool,
    errcode: Option<i64>,
    status: Option<u16>,
    detail: Option<String>,
    backend_code: Option<String>,
    session: Option<Session<T>>,
}

impl<T> Error<T> {
    /// An error that trying again will not fix.
    pub(crate) fn new(code: ErrorCode, message: impl Into<Message>) -> Self {
        Error::made(code, message.into(), false)
    }

    /// An error that may go away if the call is made again later.
    pub(crate) fn retryable(code: ErrorCode, message: impl Into<Message>) -> Self {
        Error::made(code, message.into(), true)
    }

    fn made(code: ErrorCode, message: Message, retryable: bool) -> Self {
        Error(Box::new(Failure {
            code,
            message,
            retryable,
            errcode: None,
            status: None,
            detail: None,
            backend_code: None,
            session: None,
        }))
    }

    /// An `INVALID_ARGUMENT` error, for drivers that decode a call's argument.
    pub fn invalid_argument(message: impl Into<Message>) -> Self {
        Error::new(ErrorCode::InvalidArgument, message)
    }

    /// An `INVALID_CONFIG` error, for drivers that decode the options.
    pub fn invalid_config(message: impl Into<Message>) -> Self {
        Error::new(ErrorCode::InvalidConfig, message)
    }

    pub(crate) fn with_errcode(mut self, errcode: i64) -> Self {
        self.0.errcode = Some(errcode);
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.0.status = Some(status);
        self
    }

    pub(crate) fn with_detail(mut self, detail: String) -> Self {
        self.0.detail = Some(detail);
        self
    }

    /// Names a failure of the backend's own: its code, and its message as the detail (each
    /// as long as a platform's words may be).
    pub(crate) fn name_backend(&mut self, failure: &BackendFailure) {
        self.0.backend_code = PlatformError::said(&failure.code).into_detail();
        self.0.detail = PlatformError::said(&failure.message).into_detail();
    }

    pub(crate) fn with_session(mut self, session: Session<T>) -> Self {
        self.0.session = Some(session);
        self
    }

    pub(crate) fn not_retryable(mut self) -> Self {
        self.0.retryable = false;
        self
    }

    /// The kind of failure.
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// What happened, in a few lowercase words.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Whether the same call may succeed if made again later.
    pub fn is_retryable(&self) -> bool {
        self.0.retryable
    }

    /// The code2Session `errcode` the backend passed through, if any.
    pub fn errcode(&self) -> Option<i64> {
        self.0.errcode
    }

    /// The HTTP status of the backend's answer, if one arrived.
    pub fn status(&self) -> Option<u16> {
        self.0.status
    }

    /// What the platform said about the failure (`wx.login`'s or `wx.request`'s `errMsg`, a
    /// storage exception's message), or the backend's message with [`Error::backend_code`],
    /// if either said anything.
    pub fn detail(&self) -> Option<&str> {
        self.0.detail.as_deref()
    }

    /// The code of a failure of the backend's own (`error: { code }` in its answer,
    /// [`crate::protocol::ErrorBody`]), such as `BAD_REQUEST` or `STORE`.
    pub fn backend_code(&self) -> Option<&str> {
        self.0.backend_code.as_deref()
    }

    /// For a `STORAGE` error after a successful login: the session, which stays usable in
    /// memory for this launch although it could not be saved.
    pub fn session(&self) -> Option<&Session<T>> {
        self.0.session.as_ref()
    }
}

/// The words of an error's message after its own: the errcode and the HTTP status in one
/// parenthesis, then what the backend or the platform said. The shim's `messageTail`
/// (generated into `js-shim/layout.js`) writes them as `Display` does; the contract's
/// examples (`messageEnds`) hold both to it.
pub mod words {
    /// Before the errcode.
    pub const ERRCODE: &str = "errcode ";
    /// Before the HTTP status.
    pub const STATUS: &str = "HTTP ";
    /// Between the errcode and the status.
    pub const AND: &str = ", ";
    /// Before the backend's code, and its message after [`AND_MESSAGE`].
    pub const BACKEND_SAID: &str = "; the backend said: ";
    /// Between the backend's code and its message.
    pub const AND_MESSAGE: &str = ": ";
    /// Before what the platform said.
    pub const PLATFORM_SAID: &str = "; the platform said: ";
}

impl<T> fmt::Display for Error<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use words::{AND, AND_MESSAGE, BACKEND_SAID, ERRCODE, PLATFORM_SAID, STATUS};
        write!(f, "{}: {}", self.0.code.as_str(), self.0.message)?;
        match (self.0.errcode, self.0.status) {
            (Some(errcode), Some(status)) => write!(f, " ({ERRCODE}{errcode}{AND}{STATUS}{status})")?,
            (Some(errcode), None) => write!(f, " ({ERRCODE}{errcode})")?,
            (None, Some(status)) => write!(f, " ({STATUS}{status})")?,
            (None, None) => {}
        }
        match (&self.0.backend_code, &self.0.detail) {
            (Some(code), Some(detail)) => write!(f, "{BACKEND_SAID}{code}{AND_MESSAGE}{detail}")?,
            (Some(code), None) => write!(f, "{BACKEND_SAID}{code}")?,
            (None, Some(detail)) => write!(f, "{PLATFORM_SAID}{detail}")?,
            (None, None) => {}
        }
        Ok(())
    }
}

impl<T: fmt::Debug> std::error::Error for Error<T> {}
