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
        /// The machine gives up after this long (its own deadline); pass a little more to
        /// `wx.login` so that the machine's deadline decides.
        timeout_ms: u32,
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
    /// Call the config's WeChat cloud function with `{ platform }` (`wx.cloud.callFunction`);
    /// answer with [`crate::Input::PostResult`]: status 200 and the function's `result` as
    /// the body, or `Err` when the call failed. It stands for both `wx.login` and the login
    /// request when the config names a cloud function.
    CallFunction {
        /// The effect's id.
        op: OpId,
        /// As for [`Effect::Login`].
        timeout_ms: u32,
    },
    /// The machine no longer waits for the login request `op` (it timed out, or the user
    /// logged out): abort it if possible. Nothing answers this.
    Abort {
        /// The request to abort.
        op: OpId,
    },
    /// Send the app's request `call` (the driver holds its options) with the token, in the
    /// header the config names ([`crate::Config::token_header_for`]) or where the app's
    /// `attachToken` puts it; answer with [`crate::Input::SendResult`].
    SendRequest {
        /// The effect's id.
        op: OpId,
        /// The app's `request()` call.
        call: CallId,
        /// The token, or `None` when the backend issued none (the request goes without).
        token: Option<Secret<T>>,
    },
    /// Finish the app's call `call`.
    Settle {
        /// The call.
        call: CallId,
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
}
