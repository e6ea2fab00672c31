//! Reading an input's facts: what JavaScript saw in a value it parsed (the stored record, the
//! backend's answer, `setUserInfo`'s argument, the options), key by key, into the core's
//! typed values. JavaScript judges nothing: it gives every key's name and every value's kind,
//! number or text pair; which keys are read, which are unknown, and the rules of what is a
//! record or an answer are all here.
//!
//! The decoders accept what the serde derives on the same types accept from the JSON text of
//! the same value (unknown fields ignored, or refused where the derive refuses them), with
//! three differences on purpose: a nested `userInfo` is read only from an object (the derive
//! also takes an array, as a tuple); a string holding a lone surrogate is taken (JavaScript's
//! strings hold them; the derive refuses their `\u` escape): passed on by handle it stays as
//! it is, and read as a Rust `String` (the web build, the tests) it holds U+FFFD there; and a
//! value whose entries do not fit in the slots is unreadable where serde reads any width.
//! `tests/facts.rs` and the fuzz targets hold them to that against `serde_json`.

use std::borrow::Cow;

mod options;
pub(crate) use options::{options, web_options};

use crate::core::answer::{retry_after_ms, Answer, BackendFailure, Envelope, ReplyBody};
use crate::core::config::login::copied as login_copied;
use crate::core::config::{AnswerShape, Fact, StatusValue, TokenCarrier, EXPIRES_IN_CAMEL};
use crate::core::error::Error;
use crate::core::input::{LoginResult, PlatformError};
use crate::core::limits::MAX_ANSWER_CHARS;
use crate::core::record::{Record, StoredSession};
use crate::core::secret::Secret;
use crate::core::session::UserId;
use crate::core::user_info::{is_local_file, UserInfo, LOCAL_AVATAR};
use crate::wire::layout::{answer, field, fields, record, user_info, value, ENTRY_SLOTS, SLOTS};
use crate::wire::text::{inline, units, whole_u32, WireText};

/// The slots and texts of one input.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Facts<'a> {
    slots: &'a [f64],
    texts: &'a [u16],
}

/// One described field: its kind, then a number or a text pair.
#[derive(Clone, Copy, Debug)]
struct Field {
    kind: f64,
    a: f64,
    b: f64,
}

/// A slot past every slot: what is read there is absent (a field an object does not have).
const NOWHERE: usize = usize::MAX / 2;

/// The fields of one described object, found among its entries by their names.
#[derive(Clone, Copy, Debug)]
struct ObjectFacts<'a> {
    facts: Facts<'a>,
    /// Whether the value is an object.
    object: bool,
    /// The slot of its first entry.
    first: usize,
    /// How many entries it has ([`ENTRY_SLOTS`] each; none when it is no object, or crowded).
    count: usize,
    /// An object whose entries did not fit in the slots: a reader that needs them takes it
    /// as unreadable, never as empty.
    crowded: bool,
    names: &'static [&'static str],
}

/// Whether a key's code units spell `name` (an ASCII name).
fn same_name(name: &str, key: &[u16]) -> bool {
    let name = name.as_bytes();
    if name.len() != key.len() {
        return false;
    }
    let mut i = 0;
    while i < name.len() {
        if u16::from(name[i]) != key[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Why a value did not decode: which field (a path such as `userInfo.nickName`) and what.
#[derive(Debug)]
struct Wrong {
    /// The field's path, outermost first (`login`, `answer`, `token`).
    path: [Option<&'static str>; 3],
    problem: Cow<'static, str>,
}

impl Wrong {
    fn new(problem: impl Into<Cow<'static, str>>) -> Wrong {
        Wrong {
            path: [None; 3],
            problem: problem.into(),
        }
    }

    fn in_field(mut self, name: &'static str) -> Wrong {
        self.path = [Some(name), self.path[0], self.path[1]];
        self
    }

    /// "`path` what is wrong", after `prefix`.
    fn describe(&self, prefix: &str) -> String {
        let mut text = String::from(prefix);
        for (i, name) in self.path.iter().flatten().enumerate() {
            if i > 0 {
                text.push('.');
            }
            text.push_str(name);
        }
        if self.path[0].is_some() {
            text.push(' ');
        }
        text.push_str(&self.problem);
        text
    }
}

impl<'a> Facts<'a> {
    /// The facts in `slots`, whose text pairs name code units of `texts`.
    pub(crate) fn new(slots: &'a [f64], texts: &'a [u16]) -> Facts<'a> {
        Facts { slots, texts }
    }

    fn slot(&self, at: usize) -> f64 {
        self.slots.get(at).copied().unwrap_or(value::ABSENT)
    }

    /// The inline text of the pair at `at`, if there is one.
    pub(crate) fn text(&self, at: usize) -> Option<String> {
        inline(self.slot(at), self.slot(at + 1), self.texts)
    }

    /// The kind of the value described at `at` (an input's own value: at 0).
    pub(crate) fn kind(&self, at: usize) -> f64 {
        self.slot(at)
    }

    /// The object described at `at`, whose fields are `names`.
    fn object(self, at: usize, names: &'static [&'static str]) -> ObjectFacts<'a> {
        let object = self.slot(at) == value::OBJECT;
        let (count, first) = (self.slot(at + 1), self.slot(at + 2));
        let first = whole_u32(first)
            .map(|f| f as usize)
            .filter(|&f| object && f < SLOTS);
        ObjectFacts {
            facts: self,
            object,
            first: first.unwrap_or(NOWHERE),
            // No more entries than the slots hold, whatever the count says.
            count: match first {
                Some(_) => whole_u32(count).map_or(0, |c| (c as usize).min(SLOTS)),
                None => 0,
            },
            crowded: object && first.is_none() && count > 0.0,
            names,
        }
    }
}

impl<'a> ObjectFacts<'a> {
    /// The key of entry `entry` (no key: none).
    fn key(&self, entry: usize) -> &'a [u16] {
        let at = self.first + ENTRY_SLOTS * entry;
        units(self.facts.slot(at), self.facts.slot(at + 1), self.facts.texts).unwrap_or(&[])
    }

    /// Its entries: each key's text (`None`: too long to have crossed) and its value's slot.
    fn entries(&self) -> impl Iterator<Item = (Option<String>, usize)> + '_ {
        (0..self.count).map(|entry| {
            let at = self.first + ENTRY_SLOTS * entry;
            (self.facts.text(at), at + 2)
        })
    }

    /// The slot of the value of the key `name` (any text: a path's name), [`NOWHERE`] when
    /// the object has none.
    fn find(&self, name: &str) -> usize {
        self.find_as(name, false)
    }

    /// The same, ASCII letters in any case (a header's name, as platforms give it:
    /// `Set-Cookie`, `set-cookie`) when `any_case`.
    fn find_as(&self, name: &str, any_case: bool) -> usize {
        let same = |a: u16, b: u16| {
            a == b
                || (any_case
                    && a < 0x80
                    && b < 0x80
                    && (a | 0x20) == (b | 0x20)
                    && (a | 0x20).wrapping_sub(u16::from(b'a')) < 26)
        };
        (0..self.count)
            .find(|&entry| {
                let key = self.key(entry);
                let mut units = name.encode_utf16();
                key.iter()
                    .all(|&unit| units.next().is_some_and(|u| same(unit, u)))
                    && units.next().is_none()
            })
            .map_or(NOWHERE, |entry| self.first + ENTRY_SLOTS * entry + 2)
    }

    /// The slot of field `index`'s value ([`NOWHERE`] when the object has no such key).
    #[cfg_attr(mp_session_tuned, optimize(speed))]
    fn at(&self, index: usize) -> usize {
        let Some(name) = self.names.get(index) else {
            return NOWHERE;
        };
        // What mp-session writes comes in the order of its names: that entry first.
        let entry = if index < self.count && same_name(name, self.key(index)) {
            Some(index)
        } else {
            (0..self.count).find(|&entry| same_name(name, self.key(entry)))
        };
        entry.map_or(NOWHERE, |entry| self.first + ENTRY_SLOTS * entry + 2)
    }

    /// Field `index` of `names`.
    #[cfg_attr(mp_session_tuned, optimize(speed))]
    fn field(&self, index: usize) -> Field {
        let at = self.at(index);
        Field {
            kind: self.facts.slot(at),
            a: self.facts.slot(at + 1),
            b: self.facts.slot(at + 2),
        }
    }

    fn is_object(&self) -> bool {
        self.object
    }

    /// Refuses anything but an object whose keys are all among `names` and `also` (a key
    /// whose value is absent, as JSON leaves it out, is not there), naming the first other.
    fn known_object(&self, also: &[&str]) -> Result<(), Wrong> {
        if !self.object {
            return Err(Wrong::new("must be an object"));
        }
        if self.crowded {
            return Err(Wrong::new("has more keys and entries than are read (about 200)"));
        }
        let known = |key: &[u16]| self.names.iter().chain(also).any(|name| same_name(name, key));
        let unknown = (0..self.count).find(|&entry| {
            let value = self.first + ENTRY_SLOTS * entry + 2;
            self.facts.slot(value) != value::ABSENT && !known(self.key(entry))
        });
        let Some(entry) = unknown else {
            return Ok(());
        };
        let mut problem = self
            .facts
            .text(self.first + ENTRY_SLOTS * entry)
            .unwrap_or_else(|| "a key too long to show".to_owned());
        problem.push_str(" is not a known field; expected one of ");
        for (i, name) in self.names.iter().chain(also).enumerate() {
            problem.push_str(if i == 0 { "" } else { ", " });
            problem.push_str(name);
        }
        Err(Wrong::new(problem))
    }

    fn name(&self, index: usize) -> &'static str {
        self.names.get(index).copied().unwrap_or("?")
    }

    /// An optional field: `None` when absent or `null`, else `decode`'s reading of it.
    fn read<T>(
        &self,
        index: usize,
        decode: impl FnOnce(Field) -> Result<T, Wrong>,
    ) -> Result<Option<T>, Wrong> {
        let field = self.field(index);
        if field.kind == value::ABSENT || field.kind == value::NULL {
            return Ok(None);
        }
        decode(field)
            .map(Some)
            .map_err(|wrong| wrong.in_field(self.name(index)))
    }

    /// An optional string field, as the core's text type `T`.
    #[cfg_attr(mp_session_tuned, optimize(speed))]
    fn passed<T: WireText>(&self, index: usize) -> Result<Option<T>, Wrong> {
        let texts = self.facts.texts;
        self.read(index, |f| {
            let text = (f.kind == value::STRING)
                .then(|| T::read(f.a, f.b, texts))
                .flatten();
            text.ok_or_else(|| Wrong::new("must be a string"))
        })
    }

    /// An optional string field the core reads itself (an option).
    fn string(&self, index: usize) -> Result<Option<String>, Wrong> {
        self.passed::<String>(index)
    }

    /// The text of a string field already checked, if it is given.
    fn text_of(&self, index: usize) -> Option<String> {
        let f = self.field(index);
        (f.kind == value::STRING)
            .then(|| inline(f.a, f.b, self.facts.texts))
            .flatten()
    }
}

/// A number field's value.
fn number(field: Field) -> Result<f64, Wrong> {
    match field.kind {
        // As serde_json: a number beyond the largest f64 is well-formed JSON, but no number.
        k if k == value::NUMBER && field.a.is_infinite() => Err(Wrong::new("is out of range")),
        k if k == value::NUMBER => Ok(field.a),
        _ => Err(Wrong::new("must be a number")),
    }
}

/// A whole, non-negative number no larger than `max`: one that `JSON.stringify` writes as an
/// integer that fits a `u64`, as the derive reads whole numbers.
#[allow(unsafe_code)]
fn whole(field: Field, max: u64) -> Result<u64, Wrong> {
    let n = number(field)?;
    // 2^64 as an f64: every integer-valued f64 below it fits a u64 exactly.
    const TWO_TO_64: f64 = 18_446_744_073_709_551_616.0;
    if !((0.0..TWO_TO_64).contains(&n) && n.fract() == 0.0) {
        return Err(Wrong::new("must be a whole number"));
    }
    // SAFETY: `n` is a whole number within u64's range (checked just above); the plain
    // conversion would check the range again, an interpreter paying for every instruction.
    let n = unsafe { n.to_int_unchecked::<u64>() };
    if n <= max {
        Ok(n)
    } else {
        Err(Wrong::new("must be a whole number"))
    }
}

/// What a storage read found: `''`, `null` and nothing at all are nothing.
#[cfg_attr(mp_session_tuned, optimize(speed))]
pub(crate) fn stored_session<T: WireText>(facts: Facts<'_>) -> StoredSession<T> {
    match facts.kind(0) {
        k if k == value::ABSENT || k == value::NULL => StoredSession::Absent,
        k if k == value::STRING && facts.slot(record::STRING_LENGTH) == 0.0 => StoredSession::Absent,
        k if k == value::OBJECT => match record(facts) {
            Some(record) => StoredSession::Found(record),
            None => StoredSession::Unreadable,
        },
        _ => StoredSession::Unreadable,
    }
}

/// The record described at slot 0; `None` when it is not one. (A launch reads it: no message
/// is made for a record that is not one.)
#[cfg_attr(mp_session_tuned, optimize(speed))]
fn record<T: WireText>(facts: Facts<'_>) -> Option<Record<T>> {
    let r = facts.object(0, &fields::RECORD);
    (!r.crowded).then_some(())?;
    let at = |name| r.at(name);
    Some(Record {
        v: facts.whole_in(at(field!(fields::RECORD, "v")), u64::from(u32::MAX))? as u32,
        openid: facts.text_in(at(field!(fields::RECORD, "openid")))?,
        unionid: facts.text_in(at(field!(fields::RECORD, "unionid")))?,
        token: facts
            .text_in(at(field!(fields::RECORD, "token")))?
            .map(Secret::hide),
        expires_at: facts.whole_in(at(field!(fields::RECORD, "expiresAt")), u64::MAX)?,
        obtained_at: facts.whole_in(at(field!(fields::RECORD, "obtainedAt")), u64::MAX)?,
        user_info: facts.user_info_in(at(field!(fields::RECORD, "userInfo")))?,
        user_id: facts.user_id_in(at(field!(fields::RECORD, "userId")))?,
    })
}

/// The body of the backend's answer, described at slot 0 (its length after it), each fact
/// read where `shape` places it, and the texts the request named to copy
/// ([`AnswerShape::copied`]) from [`answer::COPIES_AT`].
pub(crate) fn reply_body<T: WireText>(facts: Facts<'_>, shape: &AnswerShape) -> ReplyBody<T> {
    if facts.slot(answer::LENGTH) > MAX_ANSWER_CHARS as f64 {
        return ReplyBody::TooLarge;
    }
    if facts.object(0, &[]).crowded {
        return ReplyBody::TooLarge;
    }
    let answer = || {
        let top = facts.object(0, &[]);
        top.is_object().then_some(())?;
        let at = |fact: Fact| shape.path(fact).map_or(NOWHERE, |path| facts.walk(0, path));
        // mp-session's own answer spells the time to live both ways (`expires_in` wins).
        let camel = if shape.places(Fact::ExpiresIn) {
            NOWHERE
        } else {
            facts.walk(0, EXPIRES_IN_CAMEL)
        };
        let carried = facts.carried(shape.token_carrier());
        let token = match carried.token {
            Some(token) => Some(token),
            None => facts.text_in(at(Fact::Token))?.map(Secret::hide),
        };
        Some(Answer {
            openid: facts.text_in(at(Fact::Openid))?,
            user_id: facts.user_id_in(at(Fact::UserId))?,
            unionid: facts.text_in(at(Fact::Unionid))?,
            token,
            cookie_max_age: carried.max_age,
            cookie_expires: carried.expires,
            expires_in: facts.number_in(at(Fact::ExpiresIn))?,
            expires_in_camel: facts.number_in(camel)?,
            expires_at: facts.number_in(at(Fact::ExpiresAt))?,
            errcode: facts.number_in(at(Fact::Errcode))?,
            user_info: facts.user_info_in(at(Fact::UserInfo))?,
            error: backend_failure(facts),
            envelope: shape
                .places(Fact::Status)
                .then(|| envelope(facts, shape, at(Fact::Status))),
        })
    };
    match answer() {
        Some(answer) => ReplyBody::Answer(Box::new(answer)),
        None => ReplyBody::Unreadable,
    }
}

/// The slot of the `k`th value the request named to copy.
fn copied(k: usize) -> usize {
    answer::COPIES_AT + 3 * k
}

/// The answer's `error`, copied first: a failure of the backend's own when it is an object
/// whose `code` and `message` are strings; anything else there is none (an envelope's
/// `"error": 0`).
fn backend_failure(facts: Facts<'_>) -> Option<BackendFailure> {
    let failure = facts.object(copied(login_copied::FAILURE), &fields::BACKEND_FAILURE);
    failure.is_object().then_some(())?;
    Some(BackendFailure {
        code: failure.text_of(field!(fields::BACKEND_FAILURE, "code"))?,
        message: failure.text_of(field!(fields::BACKEND_FAILURE, "message"))?,
    })
}

/// An envelope's verdict: its status (at `status`, a number, or a text read from its copy) and
/// whether it is one of the values that mean success, and its message (copied).
fn envelope(facts: Facts<'_>, shape: &AnswerShape, status: usize) -> Envelope {
    let text = |k: usize| {
        let at = copied(k);
        (facts.kind(at) == value::STRING)
            .then(|| facts.text(at + 1))
            .flatten()
    };
    let status = match facts.kind(status) {
        k if k == value::NUMBER => Some(StatusValue::Number(facts.slot(status + 1))),
        k if k == value::STRING => text(login_copied::STATUS).map(StatusValue::Text),
        k if k == value::TRUE => Some(StatusValue::Flag(true)),
        k if k == value::FALSE => Some(StatusValue::Flag(false)),
        _ => None,
    };
    Envelope {
        success: status.as_ref().is_some_and(|s| shape.is_success(s)),
        status,
        message: if shape.places(Fact::Message) {
            text(login_copied::MESSAGE)
        } else {
            None
        },
    }
}

/// What a login answer's `Retry-After` asks to wait, in milliseconds (described at
/// [`answer::RETRY_AFTER_AT`], its text copied): whole seconds; `None` when it has none the
/// core reads (platforms give headers as strings).
pub(crate) fn retry_after(facts: Facts<'_>) -> Option<u64> {
    let at = answer::RETRY_AFTER_AT;
    if facts.kind(at) != value::STRING {
        return None;
    }
    retry_after_ms(units(facts.slot(at + 1), facts.slot(at + 2), facts.texts)?)
}

/// The token a header or a cookie carries, and that cookie's lifetime.
struct Carried<T> {
    token: Option<Secret<T>>,
    max_age: Option<f64>,
    expires: Option<f64>,
}

impl Facts<'_> {
    /// The token in the header or the cookie `carrier` names (described at
    /// [`answer::HEADER_AT`] and [`answer::COOKIES_AT`]), and the cookie's `Max-Age` and
    /// `Expires`; nothing without a carrier, or when it is not there or is no string.
    fn carried<T: WireText>(&self, carrier: Option<&TokenCarrier>) -> Carried<T> {
        let mut carried = Carried {
            token: None,
            max_age: None,
            expires: None,
        };
        let at = match carrier {
            None => return carried,
            // A header's name in any case, as platforms give it (`Set-Cookie`, `set-cookie`).
            Some(TokenCarrier::Header(name)) => self.object(answer::HEADER_AT, &[]).find_as(name, true),
            Some(TokenCarrier::Cookie(name)) => {
                let cookie = self.object(self.object(answer::COOKIES_AT, &[]).find(name), &fields::COOKIE);
                let number = |index| {
                    let f = cookie.field(index);
                    (f.kind == value::NUMBER && f.a.is_finite()).then_some(f.a)
                };
                carried.max_age = number(field!(fields::COOKIE, "maxAge"));
                carried.expires = number(field!(fields::COOKIE, "expires"));
                cookie.at(field!(fields::COOKIE, "value"))
            }
        };
        carried.token = self.text_in(at).flatten().map(Secret::hide);
        carried
    }

    /// The slot of the value at `path` (names separated by dots) from the value at `at`
    /// ([`NOWHERE`] when it is not there).
    #[allow(unsafe_code)]
    fn walk(&self, mut at: usize, path: &str) -> usize {
        // Split at the dots as bytes (a dot is never part of a longer character).
        for name in path.as_bytes().split(|&byte| byte == b'.') {
            let object = self.object(at, &[]);
            if !object.is_object() {
                return NOWHERE;
            }
            // SAFETY: `path` is UTF-8 split at an ASCII byte, so each piece is UTF-8.
            at = object.find(unsafe { std::str::from_utf8_unchecked(name) });
        }
        at
    }

    /// The optional string at `at`: `Some(None)` when absent or `null`, `None` when it is
    /// something else.
    fn text_in<T: WireText>(&self, at: usize) -> Option<Option<T>> {
        match self.slot(at) {
            k if k == value::ABSENT || k == value::NULL => Some(None),
            k if k == value::STRING => T::read(self.slot(at + 1), self.slot(at + 2), self.texts).map(Some),
            _ => None,
        }
    }

    /// The optional number at `at` (`None`: not a number, or beyond a double).
    fn number_in(&self, at: usize) -> Option<Option<f64>> {
        match self.slot(at) {
            k if k == value::ABSENT || k == value::NULL => Some(None),
            k if k == value::NUMBER && self.slot(at + 1).is_finite() => Some(Some(self.slot(at + 1))),
            _ => None,
        }
    }

    /// The required whole number at `at`, `0..=max`.
    fn whole_in(&self, at: usize, max: u64) -> Option<u64> {
        let field = Field {
            kind: self.slot(at),
            a: self.slot(at + 1),
            b: 0.0,
        };
        whole(field, max).ok()
    }

    /// The optional user id at `at`: a string, or a whole number an `i64` holds, as the
    /// derive reads the JSON text `JSON.stringify` writes of it (`None`: anything else). One
    /// beyond JavaScript's exact integers is read, and refused where a session is made of it.
    fn user_id_in<T: WireText>(&self, at: usize) -> Option<Option<UserId<T>>> {
        // -2^63 and 2^63, exactly.
        const I64_RANGE: std::ops::Range<f64> = -9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0;
        match self.slot(at) {
            k if k == value::NUMBER => {
                let n = self.slot(at + 1);
                (n.trunc() == n && I64_RANGE.contains(&n)).then_some(Some(UserId::Number(n as i64)))
            }
            _ => self.text_in(at).map(|text| text.map(UserId::Text)),
        }
    }

    /// The optional `userInfo` at `at` (only an object; its other keys ignored).
    fn user_info_in<T: WireText>(&self, at: usize) -> Option<Option<UserInfo<T>>> {
        match self.slot(at) {
            k if k == value::ABSENT || k == value::NULL => Some(None),
            k if k == value::OBJECT => {
                let info = self.object(at, &fields::USER_INFO);
                (!info.crowded).then_some(())?;
                Some(Some(UserInfo {
                    nick_name: self.text_in(info.at(field!(fields::USER_INFO, "nickName")))?,
                    avatar_url: self.text_in(info.at(field!(fields::USER_INFO, "avatarUrl")))?,
                }))
            }
            _ => None,
        }
    }
}

/// The code in what the platform's login answered: `code` when it is a string that is not
/// empty, else Douyin's `anonymousCode` (a user not logged in to Douyin); neither is a
/// failure the platform said nothing about.
pub(crate) fn login_answer<T: WireText>(facts: Facts<'_>) -> LoginResult<T> {
    let answer = facts.object(0, &fields::LOGIN_ANSWER);
    let given = |index: usize| {
        answer
            .is_object()
            .then(|| answer.passed::<T>(index).ok().flatten())
            .flatten()
            .filter(|code| !code.is_empty())
    };
    match (given(0), given(1)) {
        (Some(code), _) => LoginResult::Code(Secret::hide(code)),
        (None, Some(code)) => LoginResult::AnonymousCode(Secret::hide(code)),
        (None, None) => LoginResult::Failed(PlatformError::silent()),
    }
}

/// `setUserInfo`'s argument: only `nickName` and `avatarUrl`, strings; an avatar that is a
/// file on the phone is refused, read from its copy ([`user_info::COPY_AT`]: the avatar's
/// text, the one the core reads; the nickname is passed on only).
pub(crate) fn user_info_patch<T: WireText>(facts: Facts<'_>) -> Result<UserInfo<T>, Error<T>> {
    let avatar = (facts.kind(user_info::COPY_AT) == value::STRING)
        .then(|| facts.text(user_info::COPY_AT + 1))
        .flatten();
    if avatar.is_some_and(|url| is_local_file(&url)) {
        return Err(Error::invalid_argument(LOCAL_AVATAR));
    }
    let patch = facts.object(0, &fields::USER_INFO);
    let decoded = (|| -> Result<_, Wrong> {
        patch.known_object(&[])?;
        Ok(UserInfo {
            nick_name: patch.passed(0)?,
            avatar_url: patch.passed(1)?,
        })
    })();
    decoded.map_err(|wrong| {
        Error::invalid_argument(wrong.describe("setUserInfo takes { nickName?, avatarUrl? } of strings: "))
    })
}
