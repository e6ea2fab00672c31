//! Everything the machine asks its driver to do.

use crate::core::error::Error;
use crate::core::input::{CallId, OpId};
use crate::core::record::Record;
use crate::core::secret::Secret;
use crate::core::session::Session;

/// The storage key of the anonymous device id, shared by every namespace.
pub const DEVICE_ID_KEY: &str = "mp-session:device-id";

/// The JSON body posted to `loginUrl`: `{ "code": "...", "platform": "wx" }`, or
/// `{ "anonymousCode": "...", "platform": "tt" }` on Douyin for a user not logged in to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginBody<T = String> {
    /// The single-use code from the platform's login call.
    pub code: Secret<T>,
    /// The code is Douyin's `anonymousCode` (posted under that name).
    pub anonymous: bool,
    /// The platform the code comes from.
    pub platform: &'static str,
}

impl<T> LoginBody<T> {
    /// The field the code is posted under: `code`, or Douyin's `anonymousCode`.
    pub fn code_field(&self) -> &'static str {
        if self.anonymous {
            ANONYMOUS_CODE_FIELD
        } else {
            CODE_FIELD
        }
    }
}

pub use crate::protocol::{ANONYMOUS_CODE_FIELD, CODE_FIELD, PLATFORM_FIELD};

/// The header that carries the token on an app request ([`crate::Config::token_header_for`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenHeader {
    /// The header name (`tokenHeader`, default `Authorization`).
    pub name: String,
    /// Its value: `Bearer <token>` for `Authorization`, else the bare token.
    pub value: Secret,
}

/// What a settled call gives back.
#[derive(Clone, Debug, PartialEq)]
pub enum Settled<T = String> {
    /// A session (`ensure`, `setUserInfo`).
    Session(Session<T>),
    /// The device id (`deviceId`).
    DeviceId(String),
    /// Nothing (`logout`).
    Done,
    /// The answer to the app's request sent as effect `op` (`request`): the driver kept it.
    Response {
        /// The [`Effect::SendRequest`] whose answer it is.
        op: OpId,
    },
}

/// A group of calls: where a call waits ([`Effect::Wait`]), and the calls an
/// [`Effect::Settle`] finishes. The machine keeps no list of calls: the driver does, and the
/// machine names each move.
///
/// - A call that does not settle in the output of its own input is told where it waits
///   ([`Effect::Wait`]): `ensure()` and `setUserInfo()` with [`Calls::Waiting`], `request()`
///   in line with [`Calls::Requests`] (oldest first), `deviceId()` with [`Calls::DeviceIds`],
///   `logout()` with its removal ([`Calls::Of`]).
/// - [`Effect::Hold`] moves the [`Calls::Waiting`] to a write: [`Calls::Of`] its `op`.
/// - [`Effect::SendRequest`] takes the oldest of [`Calls::Requests`] (or the calls of the
///   request sent again), which then wait for that effect: [`Calls::Of`] its `op`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calls {
    /// One call, which settles at once.
    One(CallId),
    /// Every `ensure()` and `setUserInfo()` waiting for a session.
    Waiting,
    /// Every call that waits for the effect `op`.
    Of(OpId),
    /// Every request waiting to be sent.
    Requests,
    /// Every `deviceId()` waiting for the device id.
    DeviceIds,
}

/// An output of [`crate::Machine::poll_effect`]. Storage effects are synchronous on WeChat,
/// so a driver may answer them at once; the others are answered later, by id. The machine
/// asks for no timers: [`crate::Machine::poll_timeout`] says when to wake it.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect<T = String> {
    /// Read the session record under the config's storage key
    /// ([`crate::Config::storage_key`]); answer with [`crate::Input::SessionRead`].
    ReadSession {
        /// The effect's id.
        op: OpId,
    },
    /// Write `record` under the storage key in one call; answer with
    /// [`crate::Input::StorageResult`].
    WriteSession {
        /// The effect's id.
        op: OpId,
        /// The whole record.
        record: Record<T>,
    },
    /// Remove the record under the storage key; answer with [`crate::Input::StorageResult`].
    RemoveSession {
        /// The effect's id.
        op: OpId,
    },
    /// Read the device id under [`DEVICE_ID_KEY`]; answer with [`crate::Input::DeviceIdRead`].
    ReadDeviceId {
        /// The effect's id.
        op: OpId,
    },
    /// Write `id` under [`DEVICE_ID_KEY`]; answer with [`crate::Input::StorageResult`].
    WriteDeviceId {
        /// The effect's id.
        op: OpId,
        /// The new device id.
        id: String,
    },
    /// Call `wx.login`; answer with [`crate::Input::LoginResult`].
    Login {
        /// The effect's id.
        op: OpId,
        /// The timeout to give `wx.login`: a little past the machine's own deadline, so that
        /// the deadline decides ([`crate::Config::platform_timeout_ms`]).
        timeout_ms: u32,
        /// Ask the platform to show no login dialog: on Douyin (`force: false`), a launch stays
        /// silent, and a user not logged in to Douyin gets only an `anonymousCode`.
        silent: bool,
    },
    /// POST `body` as JSON to the config's `loginUrl` ([`crate::Config::login_url`]); answer
    /// with [`crate::Input::PostResult`].
    PostCode {
        /// The effect's id.
        op: OpId,
        /// The body.
        body: LoginBody<T>,
        /// As for [`Effect::Login`].
        timeout_ms: u32,
    },
    /// Call the config's WeChat cloud function with `{ platform }` ([`PLATFORM_FIELD`];
    /// `wx.cloud.callFunction`, which takes no timeout: the machine's deadline ends it);
    /// answer with [`crate::Input::PostResult`]: status 200 and the function's `result` as
    /// the body, or `Err` when the call failed. It stands for both `wx.login` and the login
    /// request when the config names a cloud function.
    CallFunction {
        /// The effect's id.
        op: OpId,
        /// The machine's own timeout.
        timeout_ms: u32,
    },
    /// The machine no longer waits for the login request `op` (it timed out, or the user
    /// logged out): abort it if possible. Nothing answers this.
    Abort {
        /// The request to abort.
        op: OpId,
    },
    /// Send the oldest of the app's requests waiting (the driver holds their options), or
    /// send again the one first sent as `again`, with the token in the header the config
    /// names (`tokenHeader`, its prefix from the scheme) or where the app's `attachToken` puts it;
    /// answer with [`crate::Input::SendResult`]. The request's call then waits for `op`.
    SendRequest {
        /// The effect's id.
        op: OpId,
        /// The request sent before as this effect, now sent again; `None`: the oldest
        /// waiting.
        again: Option<OpId>,
        /// The token, or `None` when the backend issued none (the request goes without).
        token: Option<Secret<T>>,
    },
    /// The calls waiting for a session ([`Calls::Waiting`]) now wait for the write `op`.
    Hold {
        /// The write.
        op: OpId,
    },
    /// The call `call` waits with the calls `on` (never [`Calls::One`]): it did not settle
    /// in the output of its own input.
    Wait {
        /// The call.
        call: CallId,
        /// Where it waits.
        on: Calls,
    },
    /// Finish the app's calls `calls`.
    Settle {
        /// The calls.
        calls: Calls,
        /// Its outcome.
        result: Result<Settled<T>, Error<T>>,
    },
    /// What `current()` returns has changed: tell the `onChange` listeners (given only while
    /// there are any: [`crate::Input::Listeners`]).
    Changed {
        /// The new session, or `None` after a logout.
        session: Option<Session<T>>,
    },
    /// Show the config's `failureToast` text with `wx.showToast`, once per failed login.
    Toast,
    /// Hand the new session's token to `wx.setBackgroundFetchToken` (`backgroundFetchToken`),
    /// after a login. Nothing answers this.
    SetFetchToken {
        /// The token.
        token: Secret<T>,
    },
    /// Tell the developer (the console): something the app asked for could not be done, and
    /// nothing failed for it. Nothing answers this.
    Warn {
        /// What, and why.
        text: String,
    },
}
