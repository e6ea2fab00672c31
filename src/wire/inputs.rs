//! One input, from what `kind` says happened, its `arg` and `flag`, and its facts.

use crate::core::answer::Reply;
use crate::core::error::Error;
use crate::core::input::{CallId, Input, LoginResult, OpId, PlatformError, SendResult};
use crate::core::machine::Machine;
use crate::core::record::StoredSession;
use crate::core::secret::Secret;
use crate::wire::facts::{self, Facts};
use crate::wire::layout::{kind, login_flag, post_flag, send_flag, storage_flag, value};
use crate::wire::text::WireText;

/// What an input is to the host, once the machine has had it.
#[derive(Debug)]
pub(crate) enum Decoded<T> {
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
pub(crate) fn decode<T: WireText>(
    kind: u32,
    arg: u32,
    flag: i32,
    facts: Facts<'_>,
    machine: &mut Machine<T>,
    now: u64,
) -> Decoded<T> {
    let op = OpId(arg);
    let said = || match facts.text(0) {
        Some(text) => PlatformError::said(&text),
        None => PlatformError::silent(),
    };
    let input = match kind {
        kind::ENSURE => Input::Ensure { call: arg },
        kind::SET_USER_INFO => match facts::user_info_patch(facts) {
            Ok(info) => Input::SetUserInfo { call: arg, info },
            Err(error) => return Decoded::Rejected(arg, error),
        },
        kind::LOGOUT => Input::Logout { call: arg },
        kind::REQUEST => Input::Request {
            call: arg,
            url: facts.text(0).unwrap_or_default(),
        },
        kind::DEVICE_ID => Input::DeviceId { call: arg },
        kind::CURRENT => return Decoded::Current,
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
            result: match (flag, facts.passed::<T>(0)) {
                (login_flag::CODE, Some(code)) if !code.is_empty() => LoginResult::Code(Secret::hide(code)),
                (login_flag::ANONYMOUS, Some(code)) if !code.is_empty() => {
                    LoginResult::AnonymousCode(Secret::hide(code))
                }
                (login_flag::CODE | login_flag::ANONYMOUS, _) => LoginResult::Failed(PlatformError::silent()),
                _ => LoginResult::Failed(said()),
            },
        },
        kind::POST_RESULT => Input::PostResult {
            op,
            result: match u16::try_from(flag) {
                Ok(status) if flag != post_flag::FAILED => Ok(Reply {
                    status,
                    body: facts::reply_body::<T>(facts),
                }),
                _ => Err(said()),
            },
        },
        kind::SEND_RESULT => Input::SendResult {
            op,
            result: match flag {
                send_flag::ANSWERED => SendResult::Answered,
                send_flag::REJECTED => SendResult::SessionRejected,
                _ => SendResult::Failed,
            },
        },
        kind::TIMEOUT => return Decoded::Timeout,
        kind::LISTENERS => Input::Listeners { any: flag != 0 },
        kind::MORE => return Decoded::More,
        _ => return Decoded::Nothing,
    };
    machine.handle(now, input);
    Decoded::Handled
}
