//! Reading an input's facts: what JavaScript saw in a value it parsed (the stored record, the
//! backend's answer, `setUserInfo`'s argument, the options), field by field, into the core's
//! typed values. JavaScript judges nothing: a field's kind, its number, its text's pair; the
//! rules of what is a record or an answer are all here.
//!
//! The decoders accept what the serde derives on the same types accept from the JSON text of
//! the same value (unknown fields ignored, or refused where the derive refuses them), with
//! two differences on purpose: a nested `userInfo` is read only from an object (the derive
//! also takes an array, as a tuple), and a string holding a lone surrogate is taken (JavaScript's
//! strings hold them; the derive refuses their `\u` escape): passed on by handle it stays as
//! it is, and read as a Rust `String` (the web build, the tests) it holds U+FFFD there. `tests/facts.rs`
//! and the fuzz targets hold them to that against `serde_json`.

use std::borrow::Cow;

mod options;
pub(crate) use options::{options, web_options};

use crate::core::answer::{Answer, BackendFailure, ReplyBody};
use crate::core::error::Error;
use crate::core::input::{LoginResult, PlatformError};
use crate::core::limits::MAX_ANSWER_CHARS;
use crate::core::record::{Record, StoredSession};
use crate::core::secret::Secret;
use crate::core::user_info::UserInfo;
use crate::wire::layout::{answer, fields, nested_slot, record, slot, value};
use crate::wire::text::{inline, WireText};

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

/// The fields of one described object, starting at a slot.
#[derive(Clone, Copy, Debug)]
struct ObjectFacts<'a> {
    facts: Facts<'a>,
    at: usize,
    names: &'static [&'static str],
}

/// Why a value did not decode: which field (a path such as `userInfo.nickName`) and what.
#[derive(Debug)]
struct Wrong {
    field: Option<&'static str>,
    inner: Option<&'static str>,
    problem: Cow<'static, str>,
}

impl Wrong {
    fn new(problem: impl Into<Cow<'static, str>>) -> Wrong {
        Wrong {
            field: None,
            inner: None,
            problem: problem.into(),
        }
    }

    fn in_field(mut self, name: &'static str) -> Wrong {
        self.inner = self.field.take();
        self.field = Some(name);
        self
    }

    /// "`field` what is wrong", after `prefix`.
    fn describe(&self, prefix: &str) -> String {
        let mut text = String::from(prefix);
        if let Some(field) = self.field {
            text.push_str(field);
            if let Some(inner) = self.inner {
                text.push('.');
                text.push_str(inner);
            }
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

    fn object(self, at: usize, names: &'static [&'static str]) -> ObjectFacts<'a> {
        ObjectFacts {
            facts: self,
            at,
            names,
        }
    }
}

impl ObjectFacts<'_> {
    /// The field `name` (one of `names`, or the nested fields after them).
    #[cfg_attr(mp_session_tuned, optimize(speed))]
    fn field(&self, index: usize) -> Field {
        let at = self.at + 1 + 3 * index;
        Field {
            kind: self.facts.slot(at),
            a: self.facts.slot(at + 1),
            b: self.facts.slot(at + 2),
        }
    }

    fn is_object(&self) -> bool {
        self.facts.slot(self.at) == value::OBJECT
    }

    /// The slot just after the fields (`nested` fields more than `names`).
    fn end(&self, nested: usize) -> usize {
        self.at + 1 + 3 * (self.names.len() + nested)
    }

    /// Refuses a key that is none of `names`: the pair at `at` names the first one.
    fn known_only(&self, at: usize) -> Result<(), Wrong> {
        let Some(key) = self.facts.text(at) else {
            return Ok(());
        };
        let mut problem = key;
        problem.push_str(" is not a known field; expected one of ");
        for (i, name) in self.names.iter().enumerate() {
            problem.push_str(if i == 0 { "" } else { ", " });
            problem.push_str(name);
        }
        Err(Wrong::new(problem))
    }

    fn name(&self, index: usize) -> &'static str {
        self.names.get(index).copied().unwrap_or("userInfo")
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

/// The record described from slot 0 (its fields where [`record`] says); `None` when it is
/// not one. (A launch reads it: the fields are read where they are, and no message is made
/// for a record that is not one.)
#[cfg_attr(mp_session_tuned, optimize(speed))]
fn record<T: WireText>(facts: Facts<'_>) -> Option<Record<T>> {
    Some(Record {
        v: facts.whole_at(slot!(fields::RECORD, "v"), u64::from(u32::MAX))? as u32,
        openid: facts.text_at(slot!(fields::RECORD, "openid"))??,
        unionid: facts.text_at(slot!(fields::RECORD, "unionid"))?,
        token: facts.text_at(slot!(fields::RECORD, "token"))?.map(Secret::hide),
        expires_at: facts.whole_at(slot!(fields::RECORD, "expiresAt"), u64::MAX)?,
        obtained_at: facts.whole_at(slot!(fields::RECORD, "obtainedAt"), u64::MAX)?,
        user_info: facts.user_info_at(
            slot!(fields::RECORD, "userInfo"),
            nested_slot!(fields::RECORD, "nickName"),
            nested_slot!(fields::RECORD, "avatarUrl"),
        )?,
    })
}

/// The body of the backend's answer, described as the record is (its fields where
/// [`answer`] says, and the body's length after them).
pub(crate) fn reply_body<T: WireText>(facts: Facts<'_>) -> ReplyBody<T> {
    if facts.slot(answer::LENGTH) > MAX_ANSWER_CHARS as f64 {
        return ReplyBody::TooLarge;
    }
    let answer = || {
        (facts.kind(0) == value::OBJECT).then_some(())?;
        Some(Answer {
            openid: facts.text_at(slot!(fields::ANSWER, "openid"))?,
            unionid: facts.text_at(slot!(fields::ANSWER, "unionid"))?,
            token: facts.text_at(slot!(fields::ANSWER, "token"))?.map(Secret::hide),
            expires_in: facts.number_at(slot!(fields::ANSWER, "expires_in"))?,
            expires_in_camel: facts.number_at(slot!(fields::ANSWER, "expiresIn"))?,
            errcode: facts.number_at(slot!(fields::ANSWER, "errcode"))?,
            user_info: facts.user_info_at(
                slot!(fields::ANSWER, "userInfo"),
                nested_slot!(fields::ANSWER, "nickName"),
                nested_slot!(fields::ANSWER, "avatarUrl"),
            )?,
            error: facts.backend_failure(),
        })
    };
    match answer() {
        Some(answer) => ReplyBody::Answer(Box::new(answer)),
        None => ReplyBody::Unreadable,
    }
}

impl Facts<'_> {
    /// The optional string field whose kind is at `at`: `Some(None)` when absent or `null`,
    /// `None` when it is something else.
    fn text_at<T: WireText>(&self, at: usize) -> Option<Option<T>> {
        match self.slot(at) {
            k if k == value::ABSENT || k == value::NULL => Some(None),
            k if k == value::STRING => T::read(self.slot(at + 1), self.slot(at + 2), self.texts).map(Some),
            _ => None,
        }
    }

    /// The answer's `error`: a failure of the backend's own when it is an object whose `code`
    /// and `message` are strings; anything else there is none (an envelope's `"error": 0`).
    fn backend_failure(&self) -> Option<BackendFailure> {
        let failure = self.object(answer::FAILURE, &fields::BACKEND_FAILURE);
        if self.slot(answer::FAILURE) != value::OBJECT {
            return None;
        }
        Some(BackendFailure {
            code: failure.text_of(0)?,
            message: failure.text_of(1)?,
        })
    }

    /// The optional number field at `at` (`None`: not a number, or beyond a double).
    fn number_at(&self, at: usize) -> Option<Option<f64>> {
        match self.slot(at) {
            k if k == value::ABSENT || k == value::NULL => Some(None),
            k if k == value::NUMBER && self.slot(at + 1).is_finite() => Some(Some(self.slot(at + 1))),
            _ => None,
        }
    }

    /// The required whole number field at `at`, `0..=max`.
    fn whole_at(&self, at: usize, max: u64) -> Option<u64> {
        let field = Field {
            kind: self.slot(at),
            a: self.slot(at + 1),
            b: 0.0,
        };
        whole(field, max).ok()
    }

    /// The optional `userInfo` field at `at`, its own fields at `nick_name` and `avatar_url`
    /// (only an object).
    fn user_info_at<T: WireText>(
        &self,
        at: usize,
        nick_name: usize,
        avatar_url: usize,
    ) -> Option<Option<UserInfo<T>>> {
        match self.slot(at) {
            k if k == value::ABSENT || k == value::NULL => Some(None),
            k if k == value::OBJECT => Some(Some(UserInfo {
                nick_name: self.text_at(nick_name)?,
                avatar_url: self.text_at(avatar_url)?,
            })),
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

/// `setUserInfo`'s argument: only `nickName` and `avatarUrl`, strings.
pub(crate) fn user_info_patch<T: WireText>(facts: Facts<'_>) -> Result<UserInfo<T>, Error<T>> {
    let patch = facts.object(0, &fields::USER_INFO);
    let decoded = (|| {
        if !patch.is_object() {
            return Err(Wrong::new("must be an object"));
        }
        patch.known_only(patch.end(0))?;
        Ok(UserInfo {
            nick_name: patch.passed(0)?,
            avatar_url: patch.passed(1)?,
        })
    })();
    decoded.map_err(|wrong| {
        Error::invalid_argument(wrong.describe("setUserInfo takes { nickName?, avatarUrl? } of strings: "))
    })
}
