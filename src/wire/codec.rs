//! The JSON shapes of every value that crosses between JavaScript and the core: the stored
//! record, the backend's answer, the options and `setUserInfo`'s argument in; the record, the
//! session, errors and the login request's body out.
//!
//! The decoders accept what the serde derives on the same types accept (unknown fields
//! ignored or refused alike, a field given twice refused), with two differences on purpose: a
//! nested `userInfo` is read only from an object (the derive also takes an array, as a
//! tuple), and a `\u` escape of a lone surrogate is refused wherever it stands (serde skips it
//! in a field it ignores). `tests/codec.rs` and the fuzz targets hold them to that against
//! `serde_json`.

use crate::core::answer::{Answer, ReplyBody};
use crate::core::config::{FailureToast, Options};
use crate::core::digits::push_number;
use crate::core::error::Error;
use crate::core::limits::MAX_ANSWER_CHARS;
use crate::core::record::{Record, StoredSession};
use crate::core::secret::Secret;
use crate::core::session::{Session, Source};
use crate::core::user_info::{UserInfo, UserInfoPatch};
use crate::wire::json::{self, push_key, push_opt_string, push_string, Fields, Json, Wrong};

/// The names `createSession` takes (besides the shim's own).
const OPTION_NAMES: [&str; 11] = [
    "loginUrl",
    "cloudFunction",
    "platform",
    "namespace",
    "leewaySeconds",
    "defaultTtlSeconds",
    "timeoutMs",
    "maxRetries",
    "failureToast",
    "tokenHeader",
    "allowedOrigins",
];

/// What a storage read found, from the JSON text of the stored value: `""`, `null` (and a
/// missing key, which JavaScript reads as `undefined` and sends as `null`) are nothing.
pub fn stored_session(text: &str) -> StoredSession {
    match json::parse(text) {
        Some(Json::Null) => StoredSession::Absent,
        Some(Json::String(s)) if s.is_empty() => StoredSession::Absent,
        Some(value) => match record(&value) {
            Ok(record) => StoredSession::Found(record),
            Err(_) => StoredSession::Unreadable,
        },
        None => StoredSession::Unreadable,
    }
}

fn record(value: &Json) -> Result<Record, Wrong> {
    let fields = Fields::of(value, None)?;
    let openid = fields.string("openid")?;
    Ok(Record {
        v: fields.whole("v", u64::from(u32::MAX))? as u32,
        openid: openid.ok_or_else(|| Wrong::new("openid is required"))?,
        unionid: fields.string("unionid")?,
        token: fields.string("token")?.map(Secret::new),
        expires_at: fields.whole("expiresAt", u64::MAX)?,
        obtained_at: fields.whole("obtainedAt", u64::MAX)?,
        user_info: fields.read("userInfo", user_info)?,
    })
}

fn user_info(value: &Json) -> Result<UserInfo, Wrong> {
    let fields = Fields::of(value, None)?;
    Ok(UserInfo {
        nick_name: fields.string("nickName")?,
        avatar_url: fields.string("avatarUrl")?,
    })
}

/// The body of the backend's answer, from its text.
pub fn reply_body(text: &str) -> ReplyBody {
    if text.encode_utf16().count() > MAX_ANSWER_CHARS {
        return ReplyBody::TooLarge;
    }
    match json::parse(text).as_ref().map(answer) {
        Some(Ok(answer)) => ReplyBody::Answer(answer),
        _ => ReplyBody::Unreadable,
    }
}

fn answer(value: &Json) -> Result<Answer, Wrong> {
    let fields = Fields::of(value, None)?;
    Ok(Answer {
        openid: fields.string("openid")?,
        unionid: fields.string("unionid")?,
        token: fields.string("token")?.map(Secret::new),
        expires_in: fields.number("expires_in")?,
        expires_in_camel: fields.number("expiresIn")?,
        user_info: fields.read("userInfo", user_info)?,
        errcode: fields.number("errcode")?,
    })
}

/// The options of `createSession`, from their JSON text; the error names the option.
pub fn options(text: &str) -> Result<Options, Error> {
    options_value(&json::parse(text).unwrap_or(Json::Null))
}

/// The options from a value already parsed.
pub(crate) fn options_value(value: &Json) -> Result<Options, Error> {
    decode_options(value).map_err(|wrong| {
        let mut message = String::from("options are not valid: ");
        message.push_str(&wrong.describe());
        Error::invalid_config(message)
    })
}

fn decode_options(value: &Json) -> Result<Options, Wrong> {
    let fields = Fields::of(value, Some(&OPTION_NAMES))?;
    Ok(Options {
        login_url: fields.string("loginUrl")?,
        cloud_function: fields.string("cloudFunction")?,
        platform: fields.string("platform")?,
        namespace: fields.string("namespace")?,
        leeway_seconds: fields.number("leewaySeconds")?,
        default_ttl_seconds: fields.number("defaultTtlSeconds")?,
        timeout_ms: fields.number("timeoutMs")?,
        max_retries: fields.number("maxRetries")?,
        failure_toast: fields.read("failureToast", |value| match value {
            Json::Bool(false) => Ok(FailureToast::Off),
            Json::String(text) => Ok(FailureToast::Text(text.clone())),
            _ => Err(Wrong::new("must be false or the text to show")),
        })?,
        token_header: fields.string("tokenHeader")?,
        allowed_origins: fields.read("allowedOrigins", |value| match value {
            Json::Array(items) => items.iter().map(json::string).collect(),
            _ => Err(Wrong::new("must be an array of strings")),
        })?,
    })
}

/// `setUserInfo`'s argument, from its JSON text: only `nickName` and `avatarUrl`, strings.
pub fn user_info_patch(text: &str) -> Result<UserInfoPatch, Error> {
    let decoded = match json::parse(text) {
        Some(value) => Fields::of(&value, Some(&["nickName", "avatarUrl"])).and_then(|fields| {
            Ok(UserInfoPatch {
                nick_name: fields.string("nickName")?,
                avatar_url: fields.string("avatarUrl")?,
            })
        }),
        None => Err(Wrong::new("must be an object")),
    };
    decoded.map_err(|wrong| {
        let mut message = String::from("setUserInfo takes { nickName?, avatarUrl? } of strings: ");
        message.push_str(&wrong.describe());
        Error::invalid_argument(message)
    })
}

/// Appends the record as stored: `{"v":1,"openid":...,"userInfo":...}`.
pub fn push_record(out: &mut String, record: &Record) {
    out.push('{');
    push_key(out, "v");
    push_number(out, u64::from(record.v));
    push_key(out, "openid");
    push_string(out, &record.openid);
    push_ids(out, record.unionid.as_deref(), record.token.as_ref());
    push_key(out, "expiresAt");
    push_number(out, record.expires_at);
    push_key(out, "obtainedAt");
    push_number(out, record.obtained_at);
    push_key(out, "userInfo");
    push_user_info(out, record.user_info.as_ref());
    out.push('}');
}

fn push_ids(out: &mut String, unionid: Option<&str>, token: Option<&Secret>) {
    push_key(out, "unionid");
    push_opt_string(out, unionid);
    push_key(out, "token");
    push_opt_string(out, token.map(Secret::expose));
}

fn push_user_info(out: &mut String, info: Option<&UserInfo>) {
    match info {
        Some(info) => {
            out.push('{');
            push_key(out, "nickName");
            push_opt_string(out, info.nick_name.as_deref());
            push_key(out, "avatarUrl");
            push_opt_string(out, info.avatar_url.as_deref());
            out.push('}');
        }
        None => out.push_str("null"),
    }
}

/// Appends the session the app sees: `{"openid","unionid","token","expiresAt","userInfo","source"}`.
pub fn push_session(out: &mut String, session: &Session) {
    out.push('{');
    push_key(out, "openid");
    push_string(out, &session.openid);
    push_ids(out, session.unionid.as_deref(), session.token.as_ref());
    push_key(out, "expiresAt");
    push_number(out, session.expires_at);
    push_key(out, "userInfo");
    push_user_info(out, session.user_info.as_ref());
    push_key(out, "source");
    push_string(
        out,
        match session.source {
            Source::Cache => "cache",
            Source::Login => "login",
        },
    );
    out.push('}');
}

/// Appends an error as the shim turns it into an `Error`:
/// `{"code","message","retryable","errcode","status","detail","session"}`.
pub fn push_error(out: &mut String, error: &Error) {
    out.push('{');
    push_key(out, "code");
    push_string(out, error.code().as_str());
    push_key(out, "message");
    push_string(out, error.message());
    push_key(out, "retryable");
    out.push_str(if error.is_retryable() { "true" } else { "false" });
    push_key(out, "errcode");
    match error.errcode() {
        Some(errcode) => {
            if errcode < 0 {
                out.push('-');
            }
            push_number(out, errcode.unsigned_abs());
        }
        None => out.push_str("null"),
    }
    push_key(out, "status");
    match error.status() {
        Some(status) => push_number(out, u64::from(status)),
        None => out.push_str("null"),
    }
    push_key(out, "detail");
    push_opt_string(out, error.detail());
    push_key(out, "session");
    match error.session() {
        Some(session) => push_session(out, session),
        None => out.push_str("null"),
    }
    out.push('}');
}
