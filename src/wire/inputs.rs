//! One input, from what `kind` says happened, its `arg` and `flag`, and its facts.

use crate::core::answer::Reply;
use crate::core::error::Error;
use crate::core::input::{CallId, Input, LoginResult, OpId, PlatformError, SendResult};
use crate::core::machine::Machine;
use crate::core::record::StoredSession;
use crate::wire::facts::{self, Facts};
use crate::wire::layout::{kind, login_flag, storage_flag, value};
use crate::wire::text::WireText;

/// What an input is to the host, once the machine has had it.
#[derive(Debug)]
pub(crate) enum Fed<T> {
    /// An input the machine has handled.
    Handled,
    /// The timer for the deadline fired.
    Timeout,
    /// `current()`.
    Current,
    /// The effects the last output had no room for.
    More,
    /// A call whose argument is not valid: it fails at once.
    Rejected(CallId, Error<T>),
    /// An unknown kind: nothing happens.
    Nothing,
}

/// The input `kind` says happened, with its `arg`, `flag` and facts, handed to `machine` at
/// `now` as it is made (a value moved is a copy, on an interpreter).
#[cfg_attr(mp_session_tuned, optimize(speed))]
pub(crate) fn feed<T: WireText>(
    kind: u32,
    arg: u32,
    flag: i32,
    facts: Facts<'_>,
    machine: &mut Machine<T>,
    now: u64,
) -> Fed<T> {
    let op = OpId(arg);
    let said = || match facts.text(0) {
        Some(text) => PlatformError::said(&text),
        None => PlatformError::silent(),
    };
    let input = match kind {
        kind::ENSURE => Input::Ensure { call: arg },
        kind::SET_USER_INFO => match facts::user_info_patch(facts) {
            Ok(info) => Input::SetUserInfo { call: arg, info },
            Err(error) => return Fed::Rejected(arg, error),
        },
        kind::LOGOUT => Input::Logout { call: arg },
        kind::REQUEST => Input::Request {
            call: arg,
            url: facts.text(0).unwrap_or_default(),
        },
        kind::DEVICE_ID => Input::DeviceId { call: arg },
        kind::CURRENT => return Fed::Current,
        kind::SESSION_READ => Input::SessionRead {
            op,
            found: match flag {
                storage_flag::OK => facts::stored_session(facts),
                _ => StoredSession::Failed,
            },
        },
        kind::DEVICE_ID_READ => Input::DeviceIdRead {
            op,
            found: match (flag, facts.kind(0)) {
                (storage_flag::OK, k) if k == value::STRING => facts.text(1),
                _ => None,
            },
        },
        kind::STORAGE_RESULT => Input::StorageResult {
            op,
            result: if flag == storage_flag::OK {
                Ok(())
            } else {
                Err(said())
            },
        },
        kind::LOGIN_RESULT => Input::LoginResult {
            op,
            result: match flag {
                login_flag::ANSWERED => facts::login_answer(facts),
                _ => LoginResult::Failed(said()),
            },
        },
        kind::POST_RESULT => Input::PostResult {
            op,
            result: match u16::try_from(flag) {
                Ok(status) => Ok(Reply {
                    status,
                    body: facts::reply_body::<T>(facts, &machine.config().login_shape().answer),
                    retry_after_ms: facts::retry_after(facts),
                }),
                // post_flag::FAILED, below any status.
                Err(_) => Err(said()),
            },
        },
        kind::SEND_RESULT => Input::SendResult {
            op,
            result: match u16::try_from(flag) {
                Ok(status) => SendResult::of_answer(status, app_says_expired(facts)),
                // send_flag::UNANSWERED, below any status.
                Err(_) => SendResult::Failed,
            },
        },
        kind::TIMEOUT => return Fed::Timeout,
        kind::LISTENERS => Input::Listeners { any: flag != 0 },
        kind::MORE => return Fed::More,
        _ => return Fed::Nothing,
    };
    machine.handle(now, input);
    Fed::Handled
}

/// What the app's `isSessionExpired` answered, as slot 0 of a `SEND_RESULT` describes it:
/// `None` when the app has none. A hook that threw leaves the answer as it came: not expired
/// (the shim has said so in the console).
fn app_says_expired(facts: Facts<'_>) -> Option<bool> {
    match facts.kind(0) {
        k if k == value::TRUE => Some(true),
        k if k == value::ABSENT => None,
        _ => Some(false),
    }
}
