//! The `login` option: a backend's own login endpoint, described as data (the request it
//! takes, where each fact sits in its answer), and the shape the core asks and reads by.
//! Without it, the shape is mp-session's own: `POST {code, platform}` as JSON, answered
//! `{ openid, unionid?, userId?, token?, expires_in?, userInfo?, errcode? }`.

use std::borrow::Cow;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::check::is_header_name;
use crate::protocol::{CODE_FIELD, PLATFORM_FIELD};
use crate::wire::layout::fields;

/// The most constant fields `login.fields` may hold.
const MAX_FIELDS: usize = 16;
/// The longest field name (`codeField`, `platformField`, a name in `fields`).
const MAX_FIELD_NAME_LEN: usize = 64;
/// The longest value in `fields`.
const MAX_FIELD_VALUE_LEN: usize = 256;
/// The longest path in `login.answer`, and the most names in one.
const MAX_PATH_LEN: usize = 128;
const MAX_PATH_NAMES: usize = 8;
/// The most values `login.answer.success` may list.
const MAX_SUCCESS_VALUES: usize = 8;

/// `login` as an app passes it: how its backend's login endpoint is asked, and where each
/// fact sits in the answer. Every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoginOptions {
    /// `POST` (the default) or `GET` (the code, and `fields`, in the query).
    #[serde(default)]
    pub method: Option<String>,
    /// A POST's body: `json` (the default) or `form` (`application/x-www-form-urlencoded`).
    #[serde(default)]
    pub body: Option<String>,
    /// The field the code is sent in: `code` unless it says (`js_code`, …).
    #[serde(default)]
    pub code_field: Option<String>,
    /// The field the platform (`wx`, `tt`, …) is sent in; with `login`, none unless it says.
    #[serde(default)]
    pub platform_field: Option<String>,
    /// Fields sent with the code as they are, by name (`{ "appid": "wx123" }`).
    #[serde(default, deserialize_with = "string_map")]
    pub fields: Option<Vec<(String, String)>>,
    /// Where each fact sits in the answer.
    #[serde(default, deserialize_with = "crate::decode::decode_optional_object")]
    pub answer: Option<AnswerOptions>,
}

/// A fact the backend's answer may hold, each where `login.answer` says (or mp-session's own
/// answer has it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fact {
    /// The user's openid (`openid`).
    Openid,
    /// The user's unionid (`unionid`).
    Unionid,
    /// The backend's own id of the user, a string or a number (`userId`).
    UserId,
    /// The backend's token (`token`).
    Token,
    /// The session's time to live in seconds (`expires_in`, then `expiresIn`).
    ExpiresIn,
    /// When the session expires: Unix seconds, or milliseconds from 10^11 up (nowhere by
    /// default).
    ExpiresAt,
    /// The profile, `{ nickName, avatarUrl }` (`userInfo`).
    UserInfo,
    /// code2Session's errcode passed through (`errcode`).
    Errcode,
    /// An envelope's status: the answer is a success only when it is one of `success`
    /// (nowhere by default).
    Status,
    /// An envelope's message: the `detail` of the error when the status is no success
    /// (nowhere by default).
    Message,
}

/// How many [`Fact`]s there are.
pub const FACTS: usize = 10;

impl Fact {
    /// Every fact, in order: `login.answer`'s settings are their names
    /// ([`crate::wire::layout::fields::LOGIN_ANSWER_SETTINGS`], then `success`).
    pub const ALL: [Fact; FACTS] = [
        Fact::Openid,
        Fact::Unionid,
        Fact::UserId,
        Fact::Token,
        Fact::ExpiresIn,
        Fact::ExpiresAt,
        Fact::UserInfo,
        Fact::Errcode,
        Fact::Status,
        Fact::Message,
    ];

    /// Its setting in `login.answer`.
    pub const fn setting(self) -> &'static str {
        SETTINGS[self as usize]
    }

    /// Where mp-session's own answer has it, if anywhere.
    pub const fn own(self) -> Option<&'static str> {
        OWN[self as usize]
    }
}

/// `expires_in`'s other spelling in mp-session's own answer (`expires_in` wins).
pub const EXPIRES_IN_CAMEL: &str = "expiresIn";

/// Each fact's setting in `login.answer`, in the order of [`Fact::ALL`] (then `success`).
const SETTINGS: &[&str] = &fields::LOGIN_ANSWER_SETTINGS;

/// Where mp-session's own answer has each fact.
const OWN: [Option<&str>; FACTS] = [
    Some("openid"),
    Some("unionid"),
    Some("userId"),
    Some("token"),
    Some("expires_in"),
    None,
    Some("userInfo"),
    Some("errcode"),
    None,
    None,
];

/// `login.answer`: where each fact sits in the backend's answer, as a field name or a dotted
/// path (`data.token`), by [`Fact`]; a fact it does not place is where mp-session's own
/// answer has it. Read from `{ token: "data.token", status: "code", success: [0], … }`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnswerOptions {
    /// Each fact's path, in the order of [`Fact::ALL`].
    pub paths: [Option<String>; FACTS],
    /// The status values that mean success (default `[0]`).
    pub success: Option<Vec<StatusValue>>,
    /// The header or cookie the token is in, when it is not in the body (then the token has
    /// no path).
    pub token_carrier: Option<TokenCarrier>,
}

impl AnswerOptions {
    /// Places `fact` at `path`.
    pub fn with(mut self, fact: Fact, path: impl Into<String>) -> AnswerOptions {
        self.paths[fact as usize] = Some(path.into());
        self
    }
}

impl<'de> Deserialize<'de> for AnswerOptions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<AnswerOptions, D::Error> {
        struct Settings;
        impl<'de> Visitor<'de> for Settings {
            type Value = AnswerOptions;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of paths")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnswerOptions, A::Error> {
                let mut answer = AnswerOptions::default();
                while let Some(name) = map.next_key::<String>()? {
                    if name == "success" {
                        answer.success = map.next_value()?;
                    } else if name == Fact::Token.setting() {
                        match map.next_value()? {
                            Some(TokenSetting::Path(path)) => answer.paths[Fact::Token as usize] = Some(path),
                            Some(TokenSetting::Carrier(carrier)) => answer.token_carrier = Some(carrier),
                            None => {}
                        }
                    } else if let Some(at) = SETTINGS[..FACTS].iter().position(|s| *s == name) {
                        answer.paths[at] = map.next_value()?;
                    } else {
                        return Err(serde::de::Error::unknown_field(&name, SETTINGS));
                    }
                }
                Ok(answer)
            }
        }
        deserializer.deserialize_map(Settings)
    }
}

/// Where the token is when the answer's body does not hold it: `login.answer.token` given as
/// `{ header: NAME }` or `{ cookie: NAME }` (a path is the body's).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum TokenCarrier {
    /// A header of the answer, by name (in any case): the token is its value, and
    /// `request()` sends it back in the same header.
    Header(String),
    /// A cookie the answer sets (`Set-Cookie`), by name: the token is its value, sent back as
    /// `Cookie: NAME=value`; its `Max-Age` or `Expires` is the session's lifetime where the
    /// body gives none.
    Cookie(String),
}

/// `login.answer.token` as given: a path in the body, or a header or a cookie.
#[derive(Deserialize)]
#[serde(untagged)]
enum TokenSetting {
    Path(String),
    Carrier(TokenCarrier),
}

/// A value an envelope's status may have.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum StatusValue {
    /// A number (`0`, `200`).
    Number(f64),
    /// A text (`"ok"`, `"SUCCESS"`).
    Text(String),
    /// `true` or `false`.
    Flag(bool),
}

/// An object of strings, its entries in order.
fn string_map<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<(String, String)>>, D::Error> {
    struct Entries;
    impl<'de> Visitor<'de> for Entries {
        type Value = Option<Vec<(String, String)>>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of strings")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut entries: Vec<(String, String)> = Vec::new();
            while let Some((name, value)) = map.next_entry::<String, String>()? {
                // A name given twice keeps its place and its last value, as JSON.parse does.
                match entries.iter_mut().find(|(n, _)| *n == name) {
                    Some(entry) => entry.1 = value,
                    None => entries.push((name, value)),
                }
            }
            Ok(Some(entries))
        }
    }
    deserializer.deserialize_any(Entries)
}

/// How the login request is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginMethod {
    /// `POST` with a JSON body.
    PostJson,
    /// `POST` with a form body (`application/x-www-form-urlencoded`).
    PostForm,
    /// `GET` with the fields in the query.
    Get,
}

impl LoginMethod {
    /// The HTTP method.
    pub fn http_method(self) -> &'static str {
        match self {
            LoginMethod::PostJson | LoginMethod::PostForm => "POST",
            LoginMethod::Get => "GET",
        }
    }

    /// The `content-type` the request says (the platform encodes the fields by it).
    pub fn content_type(self) -> &'static str {
        match self {
            LoginMethod::PostForm => "application/x-www-form-urlencoded",
            LoginMethod::PostJson | LoginMethod::Get => "application/json",
        }
    }
}

/// Where each fact sits in the answer, checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnswerShape {
    /// Each fact's path as `login.answer` gives it, in the order of [`Fact::ALL`].
    paths: [Option<String>; FACTS],
    /// The status values that mean success.
    success: Vec<StatusValue>,
    /// The header or cookie the token is in, if it is not in the body.
    token_carrier: Option<TokenCarrier>,
}

impl AnswerShape {
    /// Where `fact` is in the body: the path `login.answer` gives, else where mp-session's own
    /// answer has it (`None`: nowhere; the token, when a header or a cookie carries it).
    pub fn path(&self, fact: Fact) -> Option<&str> {
        match &self.paths[fact as usize] {
            Some(path) => Some(path),
            None if fact == Fact::Token && self.token_carrier.is_some() => None,
            None => fact.own(),
        }
    }

    /// Whether `login.answer` places `fact` itself (the token: in the body, a header or a
    /// cookie).
    pub fn places(&self, fact: Fact) -> bool {
        self.paths[fact as usize].is_some() || (fact == Fact::Token && self.token_carrier.is_some())
    }

    /// The header or cookie the token is in, if `login.answer.token` names one.
    pub fn token_carrier(&self) -> Option<&TokenCarrier> {
        self.token_carrier.as_ref()
    }

    /// The status values that mean success (with an envelope's status).
    pub fn success(&self) -> &[StatusValue] {
        &self.success
    }

    /// Whether `status` is one of the values that mean success.
    pub fn is_success(&self, status: &StatusValue) -> bool {
        let mut i = 0;
        while i < self.success.len() {
            if self.success[i] == *status {
                return true;
            }
            i += 1;
        }
        false
    }

    /// The paths whose values the core reads as text, in order (their places are `copied`'s):
    /// a failure of the backend's own (`error`), then an envelope's status and message, where
    /// they are.
    pub fn copied(&self) -> [Option<&str>; copied::COUNT] {
        let place = |fact| self.places(fact).then(|| self.path(fact)).flatten();
        [Some(fields::FAILURE), place(Fact::Status), place(Fact::Message)]
    }
}

/// What each of [`AnswerShape::copied`]'s places holds.
pub mod copied {
    /// A failure of the backend's own.
    pub const FAILURE: usize = 0;
    /// An envelope's status.
    pub const STATUS: usize = 1;
    /// An envelope's message.
    pub const MESSAGE: usize = 2;
    /// How many places there are.
    pub const COUNT: usize = 3;
}

/// The login endpoint's shape: the request and where the answer's facts are.
#[derive(Clone, Debug, PartialEq)]
pub struct LoginShape {
    /// How the request is sent.
    pub method: LoginMethod,
    /// The field the code goes in (Douyin's `anonymousCode` keeps its own name).
    pub code_field: String,
    /// The field the platform goes in, if any.
    pub platform_field: Option<String>,
    /// Fields sent as they are, in order.
    pub fields: Vec<(String, String)>,
    /// Where the answer's facts are.
    pub answer: AnswerShape,
}

impl Default for LoginShape {
    /// mp-session's own: `POST {code, platform}` as JSON, answered in its own shape.
    fn default() -> LoginShape {
        LoginShape {
            method: LoginMethod::PostJson,
            code_field: CODE_FIELD.to_owned(),
            platform_field: Some(PLATFORM_FIELD.to_owned()),
            fields: Vec::new(),
            answer: AnswerShape::default(),
        }
    }
}

/// `login` checked into the shape the core asks and reads by; the message names the setting.
pub(super) fn check_login(login: Option<Box<LoginOptions>>) -> Result<LoginShape, Cow<'static, str>> {
    let Some(login) = login else {
        return Ok(LoginShape::default());
    };
    let LoginOptions {
        method,
        body,
        code_field,
        platform_field,
        fields,
        answer,
    } = *login;
    let method = request_method(method.as_deref(), body.as_deref())?;
    let code_field = code_field.unwrap_or_else(|| CODE_FIELD.to_owned());
    let fields = fields.unwrap_or_default();
    check_names(&code_field, platform_field.as_deref(), &fields)?;
    let answer = check_answer(answer)?;
    Ok(LoginShape {
        method,
        code_field,
        platform_field,
        fields,
        answer,
    })
}

/// `login.method` and `login.body`.
fn request_method(method: Option<&str>, body: Option<&str>) -> Result<LoginMethod, &'static str> {
    Ok(match (method, body) {
        (None | Some("POST"), None | Some("json")) => LoginMethod::PostJson,
        (None | Some("POST"), Some("form")) => LoginMethod::PostForm,
        (Some("GET"), None) => LoginMethod::Get,
        (Some("GET"), Some(_)) => return Err("login.body is a POST's: a GET sends its fields in the query"),
        (Some(_), _) => return Err("login.method must be POST or GET"),
        (_, Some(_)) => return Err("login.body must be json or form"),
    })
}

/// The names the request sends: the code's field, the platform's, the constant fields.
fn check_names(
    code_field: &str,
    platform_field: Option<&str>,
    fields: &[(String, String)],
) -> Result<(), &'static str> {
    if !is_field_name(code_field) {
        return Err("login.codeField must be a field name of 1 to 64 bytes");
    }
    if let Some(field) = platform_field {
        if !is_field_name(field) {
            return Err("login.platformField must be a field name of 1 to 64 bytes");
        }
        if field == code_field {
            return Err("login.platformField must not be the code's field");
        }
    }
    if fields.len() > MAX_FIELDS {
        return Err("login.fields may hold up to 16 fields");
    }
    for (name, value) in fields {
        if !is_field_name(name) || value.len() > MAX_FIELD_VALUE_LEN {
            return Err("login.fields must map field names of 1 to 64 bytes to texts of up to 256");
        }
        if name == code_field || Some(name.as_str()) == platform_field {
            return Err("login.fields must not name the code's field or the platform's");
        }
    }
    Ok(())
}

fn check_answer(answer: Option<AnswerOptions>) -> Result<AnswerShape, Cow<'static, str>> {
    let mut shape = AnswerShape::default();
    let Some(AnswerOptions {
        paths,
        success,
        token_carrier,
    }) = answer
    else {
        return Ok(shape);
    };
    for (at, path) in paths.iter().enumerate() {
        if path.as_deref().is_some_and(|path| !is_path(path)) {
            return Err(named(
                Fact::ALL[at].setting(),
                " must be a field name or a dotted path (data.token): up to 8 names, 128 bytes",
            ));
        }
    }
    shape.paths = paths;
    shape.token_carrier = token_carrier.map(check_carrier).transpose()?;
    let status = shape.places(Fact::Status);
    if shape.places(Fact::Message) && !status {
        return Err("login.answer.message needs login.answer.status".into());
    }
    shape.success = match success {
        None => vec![StatusValue::Number(0.0)],
        Some(_) if !status => return Err("login.answer.success needs login.answer.status".into()),
        Some(values) if values.is_empty() || values.len() > MAX_SUCCESS_VALUES => {
            return Err("login.answer.success must list 1 to 8 values".into())
        }
        Some(values) => values,
    };
    Ok(shape)
}

/// `login.answer.token`'s header or cookie: a name an answer can carry.
fn check_carrier(carrier: TokenCarrier) -> Result<TokenCarrier, &'static str> {
    match &carrier {
        TokenCarrier::Header(name) if name.eq_ignore_ascii_case("set-cookie") => {
            Err("login.answer.token.header cannot be Set-Cookie: name the cookie, { cookie: NAME }")
        }
        TokenCarrier::Header(name) if !is_header_name(name) => {
            Err("login.answer.token.header must be an HTTP header name of 1 to 64 characters")
        }
        TokenCarrier::Cookie(name) if !is_header_name(name) => {
            Err("login.answer.token.cookie must be a cookie name of 1 to 64 characters (an HTTP token)")
        }
        _ => Ok(carrier),
    }
}

/// `login.answer.<setting>` in front of what is wrong with it.
fn named(setting: &str, why: &str) -> Cow<'static, str> {
    let mut message = String::from("login.answer.");
    message.push_str(setting);
    message.push_str(why);
    message.into()
}

/// A field name: 1 to 64 bytes, no control character; a dot only between two names.
fn is_field_name(name: &str) -> bool {
    name.len() <= MAX_FIELD_NAME_LEN && names(name).is_some()
}

/// A field name or a dotted path: up to 8 names of at least one byte, 128 bytes in all.
fn is_path(path: &str) -> bool {
    path.len() <= MAX_PATH_LEN && names(path).is_some_and(|n| n <= MAX_PATH_NAMES)
}

/// How many names `path` has (`data.token`: 2), when each has a byte and none an ASCII
/// control character.
fn names(path: &str) -> Option<usize> {
    let (mut count, mut empty) = (1, true);
    for &byte in path.as_bytes() {
        match byte {
            b'.' if empty => return None,
            b'.' => (count, empty) = (count + 1, true),
            0..=0x1f | 0x7f => return None,
            _ => empty = false,
        }
    }
    (!empty).then_some(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(json: &str) -> LoginOptions {
        serde_json::from_str(json).expect("login options")
    }

    #[test]
    fn without_login_the_shape_is_mp_sessions_own() {
        let shape = check_login(None).unwrap();
        assert_eq!(shape.method, LoginMethod::PostJson);
        assert_eq!(
            (shape.code_field.as_str(), shape.platform_field.as_deref()),
            ("code", Some("platform"))
        );
        assert_eq!(shape.answer.path(Fact::ExpiresIn), Some("expires_in"));
        assert_eq!(shape.answer.path(Fact::Status), None);
    }

    #[test]
    fn an_envelope_backend_is_described() {
        let shape = check_login(Some(Box::new(options(
            r#"{"method":"GET","codeField":"js_code","fields":{"appid":"wx1"},
                "answer":{"status":"code","message":"msg","token":"data.token","userId":"data.userId","expiresIn":"data.expire"}}"#,
        ))))
        .unwrap();
        assert_eq!(shape.method, LoginMethod::Get);
        assert_eq!(shape.code_field, "js_code");
        assert_eq!(shape.platform_field, None);
        assert_eq!(shape.fields, vec![("appid".to_owned(), "wx1".to_owned())]);
        let answer = &shape.answer;
        assert_eq!(answer.path(Fact::Token), Some("data.token"));
        assert_eq!(
            (answer.path(Fact::Status), answer.success()),
            (Some("code"), &[StatusValue::Number(0.0)][..])
        );
        assert_eq!(answer.path(Fact::Message), Some("msg"));
        // What it does not place is where mp-session's own answer has it.
        assert_eq!(answer.path(Fact::Openid), Some("openid"));
        assert!(!answer.places(Fact::Openid));
    }

    #[test]
    fn a_wrong_setting_is_named() {
        let wrong = |json: &str| {
            check_login(Some(Box::new(options(json))))
                .unwrap_err()
                .into_owned()
        };
        assert!(wrong(r#"{"method":"PUT"}"#).starts_with("login.method "));
        assert!(wrong(r#"{"body":"xml"}"#).starts_with("login.body must"));
        assert!(wrong(r#"{"method":"GET","body":"form"}"#).starts_with("login.body is a POST's"));
        assert!(wrong(r#"{"codeField":""}"#).starts_with("login.codeField "));
        assert!(wrong(r#"{"fields":{"code":"x"}}"#).starts_with("login.fields must not"));
        assert!(wrong(r#"{"answer":{"token":"data..token"}}"#).starts_with("login.answer.token "));
        // No control character in a name.
        assert!(wrong(r#"{"answer":{"token":"data\ntoken"}}"#).starts_with("login.answer.token "));
        assert!(wrong(r#"{"answer":{"success":[0]}}"#).starts_with("login.answer.success needs"));
        assert!(wrong(r#"{"answer":{"message":"msg"}}"#).starts_with("login.answer.message needs"));
        assert!(
            wrong(r#"{"answer":{"status":"code","success":[]}}"#).starts_with("login.answer.success must")
        );
        assert!(wrong(r#"{"answer":{"token":{"header":"Set-Cookie"}}}"#)
            .starts_with("login.answer.token.header cannot be Set-Cookie"));
        assert!(wrong(r#"{"answer":{"token":{"header":"X Token"}}}"#)
            .starts_with("login.answer.token.header must"));
        assert!(wrong(r#"{"answer":{"token":{"cookie":""}}}"#).starts_with("login.answer.token.cookie must"));
        assert!(
            wrong(r#"{"answer":{"token":{"cookie":"a;b"}}}"#).starts_with("login.answer.token.cookie must")
        );
    }

    #[test]
    fn a_token_in_a_header_or_a_cookie_is_nowhere_in_the_body() {
        let shape = |json: &str| check_login(Some(Box::new(options(json)))).unwrap().answer;
        let cookie = shape(r#"{"answer":{"token":{"cookie":"JSESSIONID"},"userId":"id"}}"#);
        assert_eq!(
            cookie.token_carrier(),
            Some(&TokenCarrier::Cookie("JSESSIONID".into()))
        );
        // Not read from the body, not even at mp-session's own `token`; and required.
        assert_eq!(cookie.path(Fact::Token), None);
        assert!(cookie.places(Fact::Token));
        let header = shape(r#"{"answer":{"token":{"header":"X-Auth-Token"}}}"#);
        assert_eq!(
            header.token_carrier(),
            Some(&TokenCarrier::Header("X-Auth-Token".into()))
        );
        // A path is the body's, as before.
        let path = shape(r#"{"answer":{"token":"data.token"}}"#);
        assert_eq!(
            (path.token_carrier(), path.path(Fact::Token)),
            (None, Some("data.token"))
        );
        // Both, or neither, is no carrier.
        assert!(
            serde_json::from_str::<LoginOptions>(r#"{"answer":{"token":{"cookie":"a","header":"b"}}}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<LoginOptions>(r#"{"answer":{"token":{}}}"#).is_err());
    }
}
