//! JavaScript values to core types and back.

use super::from_js::{DecodeError, FromJs};
use super::to_js::ToJs;
use js_sys::{JsString, JSON};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::decode::decode_object;
use crate::limits::MAX_SAFE_INTEGER;
use crate::MAX_ANSWER_CHARS;
use crate::{
    Answer, Error, Options, PlatformError, Record, Reply, ReplyBody, Secret, Session, StoredSession,
    UserInfoPatch,
};

/// A time from JavaScript (`Date.now()`) as Unix milliseconds; anything that is not one is 0.
pub(crate) fn time(now: f64) -> u64 {
    if now.is_finite() && now > 0.0 && now <= MAX_SAFE_INTEGER as f64 {
        now as u64
    } else {
        0
    }
}

/// What the platform said: an `errMsg` string, or nothing.
pub(crate) fn platform_error(err_msg: &JsValue) -> PlatformError {
    match err_msg.as_string() {
        Some(text) => PlatformError::said(&text),
        None => PlatformError::silent(),
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// Anything thrown: an `Error` of any realm (the simulator's, the app's) has a `message`.
    type Thrown;

    #[wasm_bindgen(method, getter, structural)]
    fn message(this: &Thrown) -> JsValue;
}

/// What a thrown value said: its `message`, or the value itself if it is a string.
pub(crate) fn thrown(value: &JsValue) -> PlatformError {
    if value.is_object() {
        platform_error(&value.unchecked_ref::<Thrown>().message())
    } else {
        platform_error(value)
    }
}

/// Whether a storage value means "nothing stored": `''` (WeChat's answer for a missing
/// key), `undefined` or `null`.
fn is_absent(value: &JsValue) -> bool {
    value.is_null_or_undefined() || value.as_string().is_some_and(|s| s.is_empty())
}

pub(crate) fn stored_session(read: Result<JsValue, JsValue>) -> StoredSession {
    match read {
        Err(_) => StoredSession::Failed,
        Ok(value) if is_absent(&value) => StoredSession::Absent,
        Ok(value) => match decode_object::<Record, _>(FromJs(value)) {
            Ok(record) => StoredSession::Found(record),
            Err(_) => StoredSession::Unreadable,
        },
    }
}

pub(crate) fn device_id(read: Result<JsValue, JsValue>) -> Option<String> {
    read.ok().and_then(|value| value.as_string())
}

/// A non-empty string code, or `None` for anything else (a failed `wx.login`).
pub(crate) fn login_code(code: JsValue) -> Option<Secret> {
    code.as_string().filter(|code| !code.is_empty()).map(Secret::new)
}

/// The backend's answer: a text body is refused over [`MAX_ANSWER_CHARS`], else parsed with
/// the runtime's own `JSON.parse`; a value `wx.request` already parsed is decoded as it is.
pub(crate) fn reply(status: u32, data: JsValue) -> Reply {
    let status = u16::try_from(status).unwrap_or(0);
    let value = match data.dyn_ref::<JsString>() {
        Some(text) if text.length() as usize > MAX_ANSWER_CHARS => {
            return Reply {
                status,
                body: ReplyBody::TooLarge,
            };
        }
        Some(text) => match JSON::parse(&String::from(text)) {
            Ok(value) => value,
            Err(_) => {
                return Reply {
                    status,
                    body: ReplyBody::Unreadable,
                }
            }
        },
        None => data,
    };
    let body = match decode_object::<Answer, _>(FromJs(value)) {
        Ok(answer) => ReplyBody::Answer(answer),
        Err(_) => ReplyBody::Unreadable,
    };
    Reply { status, body }
}

pub(crate) fn options(value: JsValue) -> Result<Options, Error> {
    decode_object::<Options, _>(FromJs(value))
        .map_err(|e| Error::invalid_config(explained("options are not valid: ", &e)))
}

pub(crate) fn user_info(value: JsValue) -> Result<UserInfoPatch, Error> {
    decode_object::<UserInfoPatch, _>(FromJs(value)).map_err(|e| {
        Error::invalid_argument(explained(
            "setUserInfo takes { nickName?, avatarUrl? } of strings: ",
            &e,
        ))
    })
}

/// `context` followed by what the decoder found wrong, naming the field.
fn explained(context: &str, error: &DecodeError) -> String {
    let mut message = String::from(context);
    message.push_str(&error.describe());
    message
}

/// Any serialisable core value as a JavaScript value (`null` if it cannot be converted,
/// which the core's own types never cause).
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value.serialize(ToJs).unwrap_or(JsValue::NULL)
}

/// The shape the shim turns into an `Error` with `code`, `message`, `retryable`, ...
#[derive(Serialize)]
struct ErrorView<'a> {
    code: &'static str,
    message: &'a str,
    retryable: bool,
    errcode: Option<i64>,
    status: Option<u16>,
    detail: Option<&'a str>,
    session: Option<&'a Session>,
}

pub(crate) fn error(error: &Error) -> JsValue {
    to_js(&ErrorView {
        code: error.code().as_str(),
        message: error.message(),
        retryable: error.is_retryable(),
        errcode: error.errcode(),
        status: error.status(),
        detail: error.detail(),
        session: error.session(),
    })
}
