//! The backend's answer to the login request, and what the flow does with it.

use crate::protocol::{errcode, meaning, Meaning};
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};

use crate::decode::decode_object;

use crate::core::config::StatusValue;
use crate::core::digits::push_number;
use crate::core::error::{Error, ErrorCode};
use crate::core::limits::{MAX_ID_BYTES, MAX_SAFE_INTEGER, MAX_TOKEN_BYTES, MAX_TTL_MS};
use crate::core::record::{Record, RECORD_VERSION};
use crate::core::secret::Secret;
use crate::core::session::UserId;
use crate::core::text::Text;
use crate::core::user_info::UserInfo;

/// The backend's JSON answer, as far as mp-session reads it:
/// `{ openid, unionid?, token?, expires_in? | expiresIn?, userInfo?, errcode? }`.
///
/// Every other field is ignored and never kept: a `session_key` that a backend wrongly
/// sends is not even decoded.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Answer<T = String> {
    /// The user's openid.
    #[serde(default)]
    pub openid: Option<T>,
    /// The backend's own id of the user (`userId`), a string or a whole number.
    #[serde(default, rename = "userId")]
    pub user_id: Option<UserId<T>>,
    /// When the session expires, if the answer says (`login.answer.expiresAt`; not in
    /// mp-session's own answer): Unix seconds, or milliseconds from 10^11 up.
    #[serde(skip)]
    pub expires_at: Option<f64>,
    /// An envelope's status and message, when `login.answer.status` places one.
    #[serde(skip)]
    pub envelope: Option<Envelope>,
    /// The user's unionid.
    #[serde(default)]
    pub unionid: Option<T>,
    /// The backend's own token (where `login.answer.token` says: in the body, a header or a
    /// cookie).
    #[serde(default)]
    pub token: Option<Secret<T>>,
    /// The `Max-Age` of the cookie the token came in, in seconds (`login.answer.token` as
    /// `{ cookie }`): the session's lifetime where the body gives none.
    #[serde(skip)]
    pub cookie_max_age: Option<f64>,
    /// The `Expires` of that cookie, in Unix milliseconds (its `Max-Age` wins).
    #[serde(skip)]
    pub cookie_expires: Option<f64>,
    /// Session lifetime in seconds (`expires_in`).
    #[serde(default)]
    pub expires_in: Option<f64>,
    /// The same, spelt `expiresIn`; `expires_in` wins when both are present.
    #[serde(default, rename = "expiresIn")]
    pub expires_in_camel: Option<f64>,
    /// The profile, if the backend knows it.
    #[serde(default, rename = "userInfo")]
    pub user_info: Option<UserInfo<T>>,
    /// code2Session's `errcode`, passed through by the backend; `0` or absent is success.
    #[serde(default)]
    pub errcode: Option<f64>,
    /// A failure of the backend's own (`error: { code, message }`,
    /// [`crate::protocol::ErrorBody`]). Anything else under `error` (an envelope's
    /// `"error": 0` or `""`) is no failure, and the rest of the answer reads as it is.
    #[serde(default, deserialize_with = "failure_or_none")]
    pub error: Option<BackendFailure>,
}

/// `error` as the app reads it: an object whose `code` and `message` are strings, or none for
/// anything else.
fn failure_or_none<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<BackendFailure>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Field {
        Failure(#[serde(deserialize_with = "decode_object")] BackendFailure),
        Other(IgnoredAny),
    }
    Ok(match Field::deserialize(deserializer)? {
        Field::Failure(failure) => Some(failure),
        Field::Other(_) => None,
    })
}

/// An envelope's verdict (`{ "code": 0, "msg": "ok", "data": … }`): whether its status is one
/// of the values that mean success, the status, and the message.
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope {
    /// The status is one of `login.answer.success`.
    pub success: bool,
    /// The status, as the answer gave it (`None`: the answer has none).
    pub status: Option<StatusValue>,
    /// The message, if the answer has one as a string.
    pub message: Option<String>,
}

/// What the app reads of a failure of the backend's own ([`crate::protocol::ErrorBody`]):
/// its code and its message (anything else in it is ignored). The app's error carries them
/// as `backendCode` and `detail`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct BackendFailure {
    /// A stable code, such as `BAD_REQUEST` or `STORE`.
    pub code: String,
    /// What a developer reads.
    pub message: String,
}

impl<T> Answer<T> {
    /// An answer carrying a code2Session `errcode`.
    pub fn errcode(errcode: i64) -> Answer<T> {
        Answer {
            errcode: Some(errcode as f64),
            ..Answer::default()
        }
    }

    /// Adds `expires_in`, in seconds.
    pub fn with_expires_in(mut self, seconds: f64) -> Answer<T> {
        self.expires_in = Some(seconds);
        self
    }
}

/// An answer with no field at all.
impl<T> Default for Answer<T> {
    fn default() -> Answer<T> {
        Answer {
            openid: None,
            user_id: None,
            expires_at: None,
            envelope: None,
            unionid: None,
            token: None,
            cookie_max_age: None,
            cookie_expires: None,
            expires_in: None,
            expires_in_camel: None,
            user_info: None,
            errcode: None,
            error: None,
        }
    }
}

impl Answer {
    /// A successful answer for `openid`.
    pub fn session(openid: impl Into<String>) -> Answer {
        Answer {
            openid: Some(openid.into()),
            ..Answer::default()
        }
    }

    /// Adds a unionid.
    pub fn with_unionid(mut self, unionid: impl Into<String>) -> Answer {
        self.unionid = Some(unionid.into());
        self
    }

    /// Adds a token.
    pub fn with_token(mut self, token: impl Into<String>) -> Answer {
        self.token = Some(Secret::new(token));
        self
    }

    /// Adds a profile.
    pub fn with_user_info(mut self, user_info: UserInfo) -> Answer {
        self.user_info = Some(user_info);
        self
    }
}

/// The body of the backend's HTTP answer.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplyBody<T = String> {
    /// A JSON object that decoded as an [`Answer`] (boxed: every input that can carry one
    /// stays small).
    Answer(Box<Answer<T>>),
    /// Anything else: not JSON, or JSON of the wrong shape.
    Unreadable,
    /// A body longer than [`crate::MAX_ANSWER_CHARS`], not parsed, or with more keys and
    /// entries than JavaScript describes to the core (about 200).
    TooLarge,
}

/// The backend's HTTP answer (`wx.request` calls `success` for every status).
#[derive(Clone, Debug, PartialEq)]
pub struct Reply<T = String> {
    /// The HTTP status.
    pub status: u16,
    /// The decoded body.
    pub body: ReplyBody<T>,
    /// The answer's `Retry-After` in milliseconds, when it gives one in seconds (an HTTP date
    /// is not read): with a `429` or a `503`, no login starts before it has passed.
    pub retry_after_ms: Option<u64>,
}

impl<T> Reply<T> {
    /// A 200 answer with this body.
    pub fn ok(answer: Answer<T>) -> Reply<T> {
        Reply {
            status: 200,
            body: ReplyBody::Answer(Box::new(answer)),
            retry_after_ms: None,
        }
    }

    /// An answer with this status and JSON body.
    pub fn with_status(status: u16, answer: Answer<T>) -> Reply<T> {
        Reply {
            status,
            body: ReplyBody::Answer(Box::new(answer)),
            retry_after_ms: None,
        }
    }

    /// An answer with this status and a body that is not a JSON object.
    pub fn unreadable(status: u16) -> Reply<T> {
        Reply {
            status,
            body: ReplyBody::Unreadable,
            retry_after_ms: None,
        }
    }

    /// With a `Retry-After` of `seconds`.
    pub fn with_retry_after(mut self, seconds: u32) -> Reply<T> {
        self.retry_after_ms = Some(u64::from(seconds) * 1000);
        self
    }

    /// The time this answer asks the client to wait before another login: its
    /// `Retry-After`, with a `429` (too many requests) or a `503` (unavailable).
    pub(crate) fn asks_to_wait(&self) -> Option<u64> {
        self.retry_after_ms.filter(|_| matches!(self.status, 429 | 503))
    }
}

/// The milliseconds a `Retry-After` header's value (its UTF-16 code units, as it crossed) asks
/// for: whole seconds (`delta-seconds`, up to [`MAX_RETRY_AFTER_MS`]); `None` for anything
/// else, an HTTP date among them. Read unit by unit: no text is made of it.
pub(crate) fn retry_after_ms(value: &[u16]) -> Option<u64> {
    const SPACE: u16 = b' ' as u16;
    const TAB: u16 = b'\t' as u16;
    let mut digits = value;
    while let [SPACE | TAB, rest @ ..] = digits {
        digits = rest;
    }
    while let [rest @ .., SPACE | TAB] = digits {
        digits = rest;
    }
    if digits.is_empty() || digits.len() > 10 {
        return None;
    }
    let mut seconds = 0u64;
    for &unit in digits {
        let digit = unit.wrapping_sub(u16::from(b'0'));
        if digit > 9 {
            return None;
        }
        seconds = seconds * 10 + u64::from(digit);
    }
    Some((seconds * 1000).min(MAX_RETRY_AFTER_MS))
}

/// What an error says when the backend asked the app to slow down (`429`, or a
/// `Retry-After` that holds the next login off).
pub(crate) const RATE_LIMITED: &str = "backend asked to wait before the next login";

/// The longest wait a `Retry-After` sets: an hour.
pub const MAX_RETRY_AFTER_MS: u64 = 3_600_000;

/// What the flow does after an answer or a failure.
#[derive(Debug)]
pub(crate) enum Verdict<T> {
    /// A session: store it.
    Session(Record<T>),
    /// Try again after a backoff, while retries remain.
    Retry(Error<T>),
    /// The code was bad or used: try once with a fresh `wx.login` code.
    FreshCode(Error<T>),
    /// Give up now.
    Fail(Error<T>),
}

/// What a session made of an answer must have, by the config: its lifetime when the answer
/// gives none, and whether it must carry a token (`login.answer.token` places one).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Expected {
    pub(crate) default_ttl_ms: u64,
    pub(crate) token: bool,
}

/// Judges the backend's answer: an `errcode` decides first, then the HTTP status. A failure
/// of the backend's own (`error: { code, message }`) is named in the error it gives.
pub(crate) fn judge<T: Text>(reply: &Reply<T>, now: u64, expected: Expected) -> Verdict<T> {
    let mut verdict = judge_reply(reply, now, expected);
    if let (ReplyBody::Answer(answer), Verdict::Retry(e) | Verdict::FreshCode(e) | Verdict::Fail(e)) =
        (&reply.body, &mut verdict)
    {
        if let Some(failure) = &answer.error {
            e.name_backend(failure);
        }
    }
    verdict
}

fn judge_reply<T: Text>(reply: &Reply<T>, now: u64, expected: Expected) -> Verdict<T> {
    let answer = match &reply.body {
        ReplyBody::Answer(answer) => Some(answer),
        ReplyBody::Unreadable | ReplyBody::TooLarge => None,
    };
    if let Some(errcode) = answer.and_then(|a| a.errcode).filter(|&e| e != 0.0) {
        return judge_errcode(errcode, reply.status);
    }
    if let Some(envelope) = answer.and_then(|a| a.envelope.as_ref()) {
        match &envelope.status {
            Some(status) if !envelope.success => return judge_envelope(status, envelope, reply.status),
            // No status where login says: a misplaced path, not the backend's refusal. Under
            // any other HTTP status (a gateway's own answer) the status decides, as below.
            None if (200..=299).contains(&reply.status) => {
                let message = "backend answer has no envelope status where login.answer.status says it is";
                return Verdict::Fail(Error::new(ErrorCode::BadResponse, message).with_status(reply.status));
            }
            _ => {}
        }
    }
    match reply.status {
        200..=299 => match answer {
            Some(answer) => match new_record(answer, now, expected) {
                Ok(record) => Verdict::Session(record),
                Err(error) => Verdict::Fail(error.with_status(reply.status)),
            },
            None => {
                let message = if matches!(reply.body, ReplyBody::TooLarge) {
                    "backend answer is too large to read: over 65536 characters, or over about 200 keys and entries"
                } else {
                    "backend answer is not a JSON object of the documented shape"
                };
                Verdict::Fail(Error::new(ErrorCode::BadResponse, message).with_status(reply.status))
            }
        },
        429 => Verdict::Retry(Error::retryable(ErrorCode::Backend, RATE_LIMITED).with_status(429)),
        500..=599 => {
            Verdict::Retry(Error::retryable(ErrorCode::Backend, "backend failed").with_status(reply.status))
        }
        status => {
            Verdict::Fail(Error::new(ErrorCode::Backend, "backend refused the login").with_status(status))
        }
    }
}

/// An envelope whose status (`envelope_status`) is no success: a number is judged as an
/// errcode passed through (WeChat's own get their rules: retry, a fresh code, fail), anything
/// else fails; the error names the status (`backendCode`) and carries the message (`detail`).
fn judge_envelope<T: Text>(envelope_status: &StatusValue, envelope: &Envelope, status: u16) -> Verdict<T> {
    let mut verdict = match envelope_status {
        StatusValue::Number(n) => judge_errcode(*n, status),
        _ => Verdict::Fail(Error::new(ErrorCode::Backend, "backend refused the login").with_status(status)),
    };
    if let Verdict::Retry(e) | Verdict::FreshCode(e) | Verdict::Fail(e) = &mut verdict {
        let code = match envelope_status {
            StatusValue::Number(n) => number_text(*n),
            StatusValue::Text(text) => text.clone(),
            StatusValue::Flag(flag) => if *flag { "true" } else { "false" }.to_owned(),
        };
        e.name_backend(&BackendFailure {
            code,
            message: envelope.message.clone().unwrap_or_default(),
        });
    }
    verdict
}

/// A whole number as JSON writes it (an envelope's status); any other number is named so
/// (`core::fmt`'s float machinery would cost the module more than this whole feature).
fn number_text(n: f64) -> String {
    let mut text = String::new();
    if n.trunc() == n && n.abs() <= MAX_SAFE_INTEGER as f64 {
        if n < 0.0 {
            text.push('-');
        }
        push_number(&mut text, n.abs() as u64);
    } else {
        text.push_str("a number that is not whole");
    }
    text
}

fn judge_errcode<T: Text>(errcode: f64, status: u16) -> Verdict<T> {
    let whole =
        (errcode.is_finite() && errcode.trunc() == errcode && errcode.abs() <= MAX_SAFE_INTEGER as f64)
            .then_some(errcode as i64);
    let error = |message: &'static str, retryable: bool| {
        let error = if retryable {
            Error::retryable(ErrorCode::Backend, message)
        } else {
            Error::new(ErrorCode::Backend, message)
        };
        match whole {
            Some(errcode) => error.with_status(status).with_errcode(errcode),
            None => error.with_status(status),
        }
    };
    // What each errcode means is the contract's (crate::protocol); the words are the core's.
    let Some(code) = whole else {
        return Verdict::Fail(error("backend refused the login", false));
    };
    match (meaning(code), code) {
        (Meaning::Retry, errcode::BUSY) => Verdict::Retry(error("wechat was busy", true)),
        (Meaning::Retry, _) => Verdict::Retry(error("wechat rate limit reached", true)),
        (Meaning::FreshCode, _) => Verdict::FreshCode(error("wechat rejected the login code", true)),
        (Meaning::Fail, errcode::HIGH_RISK) => {
            Verdict::Fail(error("wechat blocked this high-risk user", false))
        }
        (Meaning::Fail, _) => Verdict::Fail(error("backend refused the login", false)),
    }
}

/// An absolute expiry from this value up is in milliseconds (10^11 seconds is the year 5138).
const EXPIRES_AT_MS_FROM: f64 = 1e11;
/// What is wrong with an absolute expiry that is past, or too near.
const EXPIRES_AT_PAST: &str = "an expiresAt that is not at least 1 second ahead";
/// What is wrong with a cookie that expires at once (`Max-Age=0` deletes it).
const COOKIE_PAST: &str = "a token cookie whose Max-Age or Expires is not at least 1 second ahead";

/// Builds the record for a successful answer; says what is wrong with an unusable one.
fn new_record<T: Text>(answer: &Answer<T>, now: u64, expected: Expected) -> Result<Record<T>, Error<T>> {
    let bad = |message: &'static str| Error::new(ErrorCode::BadResponse, message);
    let openid = match &answer.openid {
        Some(openid) if openid.byte_len() > MAX_ID_BYTES => {
            return Err(bad("backend answer has an openid longer than 128 bytes"))
        }
        Some(openid) if !openid.is_empty() => Some(openid.clone()),
        _ => None,
    };
    let user_id = match &answer.user_id {
        Some(UserId::Text(id)) if id.is_empty() => None,
        Some(id) if !id.is_well_formed() => {
            return Err(bad(
                "backend answer has a userId longer than 128 bytes or beyond 2^53",
            ))
        }
        id => id.clone(),
    };
    if openid.is_none() && user_id.is_none() {
        return Err(bad(
            "backend answer has no openid and no userId, at their own names or where login.answer says",
        ));
    }
    let unionid = match &answer.unionid {
        Some(u) if u.byte_len() > MAX_ID_BYTES => {
            return Err(bad("backend answer has a unionid longer than 128 bytes"))
        }
        Some(u) if !u.is_empty() => Some(u.clone()),
        _ => None,
    };
    let token = match &answer.token {
        Some(t) if t.byte_len() > MAX_TOKEN_BYTES => {
            return Err(bad("backend answer has a token longer than 8192 bytes"))
        }
        Some(t) if !t.is_empty() => Some(t.clone()),
        _ if expected.token => return Err(bad(
            "backend answer has no token where login.answer.token says it is (a path, a header or a cookie)",
        )),
        _ => None,
    };
    // A time to live wins; else an absolute expiry (Unix seconds, or milliseconds from 10^11
    // up); else the cookie's own Max-Age, then its Expires; else the config's default.
    let now_ms = now as f64;
    let (ttl, wrong) = match (answer.expires_in.or(answer.expires_in_camel), answer.expires_at) {
        (Some(seconds), _) => (
            Some(seconds * 1000.0),
            "an expires_in that is not at least 1 second",
        ),
        (None, Some(at)) if at < EXPIRES_AT_MS_FROM => (Some(at * 1000.0 - now_ms), EXPIRES_AT_PAST),
        (None, Some(at)) => (Some(at - now_ms), EXPIRES_AT_PAST),
        (None, None) => match (answer.cookie_max_age, answer.cookie_expires) {
            (Some(seconds), _) => (Some(seconds * 1000.0), COOKIE_PAST),
            (None, Some(at)) => (Some(at - now_ms), COOKIE_PAST),
            (None, None) => (None, ""),
        },
    };
    let ttl_ms = match ttl {
        None => expected.default_ttl_ms,
        Some(ms) if ms.is_finite() && ms >= 1000.0 => {
            if ms >= MAX_TTL_MS as f64 {
                MAX_TTL_MS
            } else {
                ms as u64
            }
        }
        Some(_) => {
            let mut message = String::from("backend answer has ");
            message.push_str(wrong);
            return Err(Error::new(ErrorCode::BadResponse, message));
        }
    };
    if let Some(user_info) = &answer.user_info {
        if !user_info.is_within_limits() {
            return Err(bad("backend answer has a userInfo field that is too long"));
        }
    }
    Ok(Record {
        v: RECORD_VERSION,
        openid,
        user_id,
        unionid,
        token,
        expires_at: now.saturating_add(ttl_ms),
        obtained_at: now,
        user_info: answer.user_info.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: u64 = 7_200_000;
    const EXPECTED: Expected = Expected {
        default_ttl_ms: TTL,
        token: false,
    };

    fn verdict(status: u16, json: &str) -> Verdict<String> {
        let body = match serde_json::from_str::<Answer>(json) {
            Ok(answer) => ReplyBody::Answer(Box::new(answer)),
            Err(_) => ReplyBody::Unreadable,
        };
        judge(
            &Reply {
                status,
                body,
                retry_after_ms: None,
            },
            1_000,
            EXPECTED,
        )
    }

    #[test]
    fn a_2xx_with_an_openid_is_a_session_and_session_key_is_not_kept() {
        let json = r#"{"openid":"o-1","unionid":"u-1","token":"t-1","expires_in":3600,
                       "session_key":"SK-must-not-survive"}"#;
        let Verdict::Session(record) = verdict(200, json) else {
            panic!()
        };
        assert_eq!(record.openid.as_deref(), Some("o-1"));
        assert_eq!(record.unionid.as_deref(), Some("u-1"));
        assert_eq!(record.expires_at, 1_000 + 3_600_000);
        assert_eq!(record.obtained_at, 1_000);
        let stored = serde_json::to_string(&record).unwrap();
        assert!(
            !stored.contains("SK-must-not-survive") && !stored.contains("session_key"),
            "{stored}"
        );
    }

    #[test]
    fn expiry_defaults_accepts_camel_case_and_is_capped() {
        let Verdict::Session(r) = verdict(200, r#"{"openid":"o"}"#) else {
            panic!()
        };
        assert_eq!(r.expires_at, 1_000 + TTL);
        let Verdict::Session(r) = verdict(200, r#"{"openid":"o","expiresIn":60}"#) else {
            panic!()
        };
        assert_eq!(r.expires_at, 61_000);
        let Verdict::Session(r) = verdict(200, r#"{"openid":"o","expires_in":1e300}"#) else {
            panic!()
        };
        assert_eq!(r.expires_at, 1_000 + MAX_TTL_MS);
    }

    #[test]
    fn an_unusable_2xx_fails_at_once() {
        for json in [
            r#"{}"#,
            r#"{"openid":""}"#,
            r#"{"openid":null,"token":"t"}"#,
            r#"{"openid":"o","expires_in":0}"#,
            r#"{"openid":"o","expires_in":-5}"#,
            r#"{"openid":"o","expires_in":"3600"}"#,
            r#"not json"#,
            r#"[1,2]"#,
        ] {
            match verdict(200, json) {
                Verdict::Fail(e) => assert_eq!(e.code(), ErrorCode::BadResponse, "{json}"),
                other => panic!("{json}: {other:?}"),
            }
        }
        // An envelope's `error` that is no failure: the answer reads as it is.
        for envelope in [r#""""#, "0", "false", r#"{"code":0}"#, r#"["STORE","m"]"#] {
            let json = format!(r#"{{"openid":"o-1","token":"t","error":{envelope}}}"#);
            assert!(matches!(verdict(200, &json), Verdict::Session(_)), "{json}");
        }
        let long = format!(r#"{{"openid":"{}"}}"#, "o".repeat(129));
        assert!(matches!(verdict(200, &long), Verdict::Fail(e) if e.message().contains("128")));
    }

    #[test]
    fn a_429_is_retried_and_retry_after_is_read_in_whole_seconds() {
        assert!(
            matches!(verdict(429, "{}"), Verdict::Retry(e) if e.status() == Some(429) && e.is_retryable())
        );
        // An errcode in the body decides first, as under any status.
        assert!(matches!(verdict(429, r#"{"errcode":40226}"#), Verdict::Fail(_)));
        let read = |value: &str| retry_after_ms(&value.encode_utf16().collect::<Vec<u16>>());
        for (value, ms) in [("3", Some(3000)), (" 120\t", Some(120_000)), ("0", Some(0))] {
            assert_eq!(read(value), ms, "{value:?}");
        }
        assert_eq!(read("99999999"), Some(MAX_RETRY_AFTER_MS));
        for value in [
            "",
            " ",
            "-1",
            "1.5",
            "3s",
            "Wed, 21 Oct 2026 07:28:00 GMT",
            "99999999999",
            "+3",
            "٣",
        ] {
            assert_eq!(read(value), None, "{value:?}");
        }
        let asked = |status| {
            Reply::<String>::unreadable(status)
                .with_retry_after(2)
                .asks_to_wait()
        };
        assert_eq!(
            (asked(429), asked(503), asked(502), asked(200)),
            (Some(2000), Some(2000), None, None)
        );
    }

    #[test]
    fn an_answer_too_long_to_read_is_a_bad_response() {
        let reply: Reply = Reply {
            status: 200,
            body: ReplyBody::TooLarge,
            retry_after_ms: None,
        };
        assert!(matches!(judge(&reply, 0, EXPECTED), Verdict::Fail(e) if e.message().contains("65536")));
        let reply: Reply = Reply {
            status: 502,
            body: ReplyBody::TooLarge,
            retry_after_ms: None,
        };
        assert!(matches!(judge(&reply, 0, EXPECTED), Verdict::Retry(_)));
    }

    #[test]
    fn errcodes_decide_before_the_status() {
        assert!(matches!(verdict(200, r#"{"errcode":-1}"#), Verdict::Retry(e) if e.errcode() == Some(-1)));
        assert!(matches!(verdict(400, r#"{"errcode":45011}"#), Verdict::Retry(_)));
        assert!(matches!(
            verdict(400, r#"{"errcode":40029}"#),
            Verdict::FreshCode(_)
        ));
        assert!(matches!(
            verdict(200, r#"{"errcode":40163,"openid":"o"}"#),
            Verdict::FreshCode(_)
        ));
        assert!(matches!(verdict(403, r#"{"errcode":40226}"#), Verdict::Fail(e) if !e.is_retryable()));
        assert!(
            matches!(verdict(200, r#"{"errcode":12345}"#), Verdict::Fail(e) if e.errcode() == Some(12345))
        );
        assert!(matches!(
            verdict(200, r#"{"errcode":0,"openid":"o"}"#),
            Verdict::Session(_)
        ));
    }

    #[test]
    fn statuses_without_errcode() {
        assert!(matches!(verdict(500, "<html>"), Verdict::Retry(e) if e.status() == Some(500)));
        assert!(matches!(verdict(503, "{}"), Verdict::Retry(_)));
        assert!(matches!(verdict(404, "{}"), Verdict::Fail(e) if e.code() == ErrorCode::Backend));
        assert!(matches!(verdict(401, "nope"), Verdict::Fail(_)));
        assert!(matches!(verdict(302, "{}"), Verdict::Fail(_)));
    }

    #[test]
    fn a_failure_of_the_backends_own_is_named_and_its_status_decides() {
        let store = r#"{"error":{"code":"STORE","message":"the session store failed; try again"}}"#;
        let Verdict::Retry(error) = verdict(503, store) else {
            panic!("a 503 is tried again")
        };
        assert_eq!(
            (error.backend_code(), error.detail(), error.status()),
            (
                Some("STORE"),
                Some("the session store failed; try again"),
                Some(503)
            )
        );
        assert_eq!(
            error.to_string(),
            "BACKEND: backend failed (HTTP 503); the backend said: STORE: the session store failed; try again"
        );
        let blocked = r#"{"error":{"code":"BLOCKED","message":"","errcode":40226}}"#;
        let Verdict::Fail(error) = verdict(403, blocked) else {
            panic!("a 403 fails")
        };
        assert_eq!((error.backend_code(), error.detail()), (Some("BLOCKED"), None));
        // Both with WeChat's errcode: the errcode decides, the backend's words are kept.
        let both = r#"{"errcode":40029,"error":{"code":"WECHAT","message":"invalid code"}}"#;
        assert!(matches!(verdict(400, both), Verdict::FreshCode(e) if e.backend_code() == Some("WECHAT")));
        let long = format!(r#"{{"error":{{"code":"X","message":"{}"}}}}"#, "m".repeat(1000));
        let Verdict::Fail(error) = verdict(400, &long) else {
            panic!()
        };
        assert_eq!(
            error.detail().map(str::len),
            Some(200),
            "clipped as a platform's words are"
        );
    }

    #[test]
    fn an_envelope_without_its_status_is_a_misplaced_path_unless_the_http_status_decides() {
        let envelope = |status: Option<StatusValue>, success: bool| Answer {
            openid: Some("o".to_owned()),
            envelope: Some(Envelope {
                success,
                status,
                message: Some("m".to_owned()),
            }),
            ..Answer::default()
        };
        let judged = |http: u16, answer: Answer| judge(&Reply::with_status(http, answer), 1_000, EXPECTED);
        assert!(matches!(
            judged(200, envelope(None, false)),
            Verdict::Fail(e) if e.code() == ErrorCode::BadResponse && e.message().contains("login.answer.status")
        ));
        // A gateway's 503 without the envelope is tried again, as any 5xx.
        assert!(matches!(judged(503, envelope(None, false)), Verdict::Retry(_)));
        assert!(matches!(
            judged(200, envelope(Some(StatusValue::Text("FAIL".into())), false)),
            Verdict::Fail(e) if e.code() == ErrorCode::Backend && e.backend_code() == Some("FAIL") && e.detail() == Some("m")
        ));
        assert!(matches!(
            judged(200, envelope(Some(StatusValue::Number(0.0)), true)),
            Verdict::Session(_)
        ));
    }

    #[test]
    fn a_token_cookie_lasts_its_max_age_then_its_expires_and_the_body_wins() {
        let judged = |answer: Answer| match judge(&Reply::ok(answer), 1_000, EXPECTED) {
            Verdict::Session(record) => Ok(record.expires_at),
            Verdict::Fail(e) | Verdict::Retry(e) | Verdict::FreshCode(e) => Err(e.message().to_owned()),
        };
        let cookie = |max_age: Option<f64>, expires: Option<f64>| Answer {
            cookie_max_age: max_age,
            cookie_expires: expires,
            ..Answer::session("o-1").with_token("JS-1")
        };
        assert_eq!(
            judged(cookie(Some(1800.0), Some(99_000_000.0))),
            Ok(1_000 + 1_800_000)
        );
        assert_eq!(judged(cookie(None, Some(61_000.0))), Ok(61_000));
        assert_eq!(judged(cookie(None, None)), Ok(1_000 + TTL));
        // The body's own time to live wins over the cookie's.
        assert_eq!(
            judged(cookie(Some(1800.0), None).with_expires_in(60.0)),
            Ok(61_000)
        );
        // Max-Age=0 deletes the cookie: no session can be made of it.
        let gone = judged(cookie(Some(0.0), None)).unwrap_err();
        assert!(gone.contains("token cookie whose Max-Age or Expires"), "{gone}");
        assert!(judged(cookie(None, Some(500.0))).is_err());
    }

    #[test]
    fn a_token_login_answer_places_is_required() {
        let expected = Expected {
            default_ttl_ms: TTL,
            token: true,
        };
        let Verdict::Fail(e) = judge(&Reply::ok(Answer::session("o-1")), 1_000, expected) else {
            panic!("a session without its token")
        };
        assert_eq!(e.code(), ErrorCode::BadResponse);
        assert!(
            e.message().contains("no token where login.answer.token says"),
            "{}",
            e.message()
        );
        assert!(matches!(
            judge(
                &Reply::ok(Answer::session("o-1").with_token("t")),
                1_000,
                expected
            ),
            Verdict::Session(_)
        ));
        // Without login.answer.token, a token stays optional.
        assert!(matches!(
            judge(&Reply::ok(Answer::session("o-1")), 1_000, EXPECTED),
            Verdict::Session(_)
        ));
    }
}
