//! JavaScript's half of the boundary, in Rust: how `js-shim/boundary.js` describes a value it
//! parsed, step for step. The module never runs it; tests and the fuzz targets do, to feed
//! the core's real decoders (`wire/facts/`) the facts JavaScript would write, from any
//! value, and to play JavaScript against the exported functions natively
//! (`crate::host::exchange`); [`crate::testing::outputs`] reads what those write.

use std::collections::VecDeque;

use crate::core::answer::ReplyBody;
use crate::core::config::{AnswerShape, Options};
use crate::core::error::Error;
use crate::core::input::LoginResult;
use crate::core::oauth::WebOptions;
use crate::core::record::StoredSession;
use crate::core::user_info::UserInfo;
use crate::wire::facts::{self, Facts};
use crate::wire::layout::{
    answer, fields, record, user_info, value, ENTRY_SLOTS, HOST_PLATFORM_AT, SLOTS, TREE_AT, WEB_OPTIONS_AT,
};

/// A JavaScript value, as far as JSON goes (`Absent` is `undefined`, or a missing field).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `undefined`.
    Absent,
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string (of UTF-16 code units, as JavaScript's: a lone surrogate is possible).
    String(Vec<u16>),
    /// An array.
    Array(Vec<Value>),
    /// An object: its own keys in order.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// A string value.
    pub fn string(text: &str) -> Value {
        Value::String(text.encode_utf16().collect())
    }

    /// An object's keys as `Object.keys` gives them for the object `JSON.parse` makes: each
    /// key once, where it first came, with the value it last had; the keys that are array
    /// indices first, in ascending order.
    pub fn keys(entries: &[(String, Value)]) -> Vec<(&str, &Value)> {
        let mut keys: Vec<(&str, &Value)> = Vec::new();
        for (key, value) in entries {
            match keys.iter_mut().find(|(k, _)| k == key) {
                Some(kept) => kept.1 = value,
                None => keys.push((key, value)),
            }
        }
        let index = |key: &str| {
            let canonical = key == "0"
                || (!key.starts_with('0') && !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()));
            key.parse::<u32>().ok().filter(|&i| canonical && i < u32::MAX)
        };
        let (mut indices, names): (Vec<_>, Vec<_>) = keys.into_iter().partition(|(k, _)| index(k).is_some());
        indices.sort_by_key(|(k, _)| index(k));
        indices.into_iter().chain(names).collect()
    }

    /// The value at `path` (names separated by dots), as boundary.js walks it: `Absent` where
    /// a name is not there or a value on the way is no object.
    pub fn walk(&self, path: &str) -> &Value {
        path.split('.').fold(self, |value, name| match value {
            Value::Object(_) => value.get(name),
            _ => &Value::Absent,
        })
    }

    /// The field `name` of an object (`Absent` for anything else, or no such field).
    pub fn get(&self, name: &str) -> &Value {
        match self {
            Value::Object(fields) => fields
                .iter()
                .rev()
                .find(|(key, _)| key == name)
                .map_or(&Value::Absent, |(_, value)| value),
            _ => &Value::Absent,
        }
    }
}

/// JavaScript's table of the strings a session passes on: one place per distinct string.
#[derive(Clone, Debug, Default)]
pub struct Strings {
    strings: Vec<Vec<u16>>,
}

impl Strings {
    /// The handle of `text` (a new place if it is new) and its length in UTF-8 bytes.
    pub fn handle(&mut self, text: &[u16]) -> (u32, u32) {
        let id = match self.strings.iter().position(|s| s == text) {
            Some(id) => id,
            None => {
                self.strings.push(text.to_vec());
                self.strings.len() - 1
            }
        };
        // As boundary.js: up to 42 units, their count will do (see `Handle`).
        let bytes = if text.len() <= 42 {
            text.len()
        } else {
            utf8_len(text)
        };
        (id as u32, bytes as u32)
    }

    /// The string at place `id`.
    pub fn get(&self, id: u32) -> Option<String> {
        self.strings.get(id as usize).map(|s| String::from_utf16_lossy(s))
    }

    /// How many strings the table holds.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    /// Keeps the strings at `ids`, in that order (a `TABLE` effect).
    pub fn keep(&mut self, ids: &[u32]) {
        self.strings = ids
            .iter()
            .filter_map(|&id| self.strings.get(id as usize).cloned())
            .collect();
    }
}

/// UTF-8 bytes of code units; a lone surrogate counts as the 3 of U+FFFD (boundary.js's
/// `utf8Length`).
pub fn utf8_len(units: &[u16]) -> usize {
    char::decode_utf16(units.iter().copied())
        .map(|c| c.map_or(3, char::len_utf8))
        .sum()
}

/// The facts of one input, as JavaScript writes them.
#[derive(Debug)]
pub struct Described<'t> {
    /// The slots.
    pub slots: Vec<f64>,
    /// The texts area.
    pub texts: Vec<u16>,
    /// The session's table when strings pass by handle; `None`: as code units (a web page).
    table: Option<&'t mut Strings>,
    /// The slot where the next object's entries go.
    top: usize,
}

impl<'t> Described<'t> {
    /// Empty facts; strings the core passes on go into `table`, or cross as code units.
    pub fn new(table: Option<&'t mut Strings>) -> Described<'t> {
        Described {
            slots: vec![0.0; SLOTS],
            texts: Vec::new(),
            table,
            top: TREE_AT,
        }
    }

    fn set(&mut self, at: usize, x: f64) {
        if let Some(slot) = self.slots.get_mut(at) {
            *slot = x;
        }
    }

    /// `inline`: the text copied into the texts area.
    pub fn inline(&mut self, at: usize, text: &[u16]) {
        self.set(at, self.texts.len() as f64);
        self.set(at + 1, text.len() as f64);
        self.texts.extend_from_slice(text);
    }

    /// `pass`: a string the core passes on.
    pub fn pass(&mut self, at: usize, text: &[u16]) {
        match self.table.as_deref_mut() {
            Some(table) => {
                let (id, bytes) = table.handle(text);
                self.set(at, f64::from(id));
                self.set(at + 1, f64::from(bytes));
            }
            None => self.inline(at, text),
        }
    }

    /// `put`: a value's kind, then its number or its string's pair; an object or an array
    /// waits in `later` for [`Described::describe`] to place its entries.
    fn put<'v>(&mut self, at: usize, v: &'v Value, passed: bool, later: &mut VecDeque<(usize, &'v Value)>) {
        match v {
            Value::Absent => self.set(at, value::ABSENT),
            Value::Null => self.set(at, value::NULL),
            Value::Bool(false) => self.set(at, value::FALSE),
            Value::Bool(true) => self.set(at, value::TRUE),
            Value::Number(n) => {
                self.set(at, value::NUMBER);
                self.set(at + 1, *n);
            }
            Value::String(text) => {
                self.set(at, value::STRING);
                if passed {
                    self.pass(at + 1, text);
                } else {
                    self.inline(at + 1, text);
                }
            }
            Value::Array(_) | Value::Object(_) => {
                let kind = if matches!(v, Value::Array(_)) {
                    value::ARRAY
                } else {
                    value::OBJECT
                };
                self.set(at, kind);
                later.push_back((at, v));
            }
        }
    }

    /// `describe`: `v` at slot `at`, then the entries of the objects and arrays in it, the
    /// nearest first (each entry its key's pair, then its value; the entries of one object
    /// together, as long as they fit in the slots).
    pub fn describe(&mut self, at: usize, v: &Value, passed: bool) {
        let mut later = VecDeque::new();
        self.put(at, v, passed, &mut later);
        while let Some((at, v)) = later.pop_front() {
            let entries: Vec<(Option<&str>, &Value)> = match v {
                Value::Array(items) => items.iter().map(|item| (None, item)).collect(),
                Value::Object(fields) => Value::keys(fields)
                    .into_iter()
                    .map(|(k, v)| (Some(k), v))
                    .collect(),
                _ => Vec::new(),
            };
            let first = self.top;
            self.set(at + 1, entries.len() as f64);
            if first + ENTRY_SLOTS * entries.len() > SLOTS {
                self.set(at + 2, -1.0);
                continue;
            }
            self.set(at + 2, first as f64);
            self.top += ENTRY_SLOTS * entries.len();
            for (i, (key, value)) in entries.into_iter().enumerate() {
                let entry = first + ENTRY_SLOTS * i;
                match key {
                    Some(key) => {
                        let key: Vec<u16> = key.encode_utf16().collect();
                        self.inline(entry, &key);
                    }
                    None => self.set(entry, -1.0),
                }
                self.put(entry + 2, value, passed, &mut later);
            }
        }
    }

    /// A stored value (`SESSION_READ`).
    pub fn stored(&mut self, v: &Value) {
        match v {
            Value::String(text) => {
                self.set(0, value::STRING);
                self.set(record::STRING_LENGTH, text.len() as f64);
            }
            _ => self.describe(0, v, true),
        }
    }

    /// The backend's answer (`POST_RESULT`): the value `JSON.parse` made of a body of
    /// `length` code units (`None`: it did not parse, or was not parsed).
    pub fn answer(&mut self, parsed: Option<&Value>, length: usize) {
        self.shaped_answer(parsed, length, &[fields::FAILURE]);
    }

    /// The backend's answer, and the values at the paths the request named to `copy` (the
    /// `copy` of `postCode`), described again with their texts copied.
    pub fn shaped_answer(&mut self, parsed: Option<&Value>, length: usize, copy: &[&str]) {
        let body = parsed.unwrap_or(&Value::Absent);
        // The copies first, as boundary.js describes them (so that they find room).
        for (k, path) in copy.iter().enumerate() {
            self.describe(answer::COPIES_AT + 3 * k, body.walk(path), false);
        }
        self.describe(0, body, true);
        if parsed.is_none() {
            self.set(0, value::OTHER);
        }
        self.set(answer::LENGTH, length as f64);
        self.set(answer::HEADER_AT, value::ABSENT);
        self.set(answer::COOKIES_AT, value::ABSENT);
    }

    /// A login answer's headers and the cookies it sets (as boundary.js parses them: by
    /// name, each `{ value, maxAge?, expires? }`), after [`Described::shaped_answer`].
    pub fn carriers(&mut self, header: &Value, cookies: &Value) {
        self.describe(answer::HEADER_AT, header, true);
        self.describe(answer::COOKIES_AT, cookies, true);
    }

    /// What the platform's login answered (`LOGIN_RESULT`, flag `ANSWERED`).
    pub fn login_answer(&mut self, v: &Value) {
        self.describe(0, v, true);
    }

    /// `setUserInfo`'s argument, and its `avatarUrl` again with its text copied.
    pub fn patch(&mut self, v: &Value) {
        self.describe(0, v, true);
        self.describe(user_info::COPY_AT, v.get(fields::USER_INFO[1]), false);
    }

    /// `createSession`'s options, and a web page's own options (on a runtime whose platform
    /// the shim did not find: see [`Described::host_platform`]).
    pub fn options(&mut self, options: &Value, web: Option<&Value>) {
        self.set(HOST_PLATFORM_AT, -1.0);
        self.describe(0, options, false);
        match web {
            Some(web) => self.describe(WEB_OPTIONS_AT, web, false),
            None => self.set(WEB_OPTIONS_AT, value::ABSENT),
        }
    }

    /// The platform whose globals the shim found, after the options.
    pub fn host_platform(&mut self, name: &str) {
        let name: Vec<u16> = name.encode_utf16().collect();
        self.inline(HOST_PLATFORM_AT, &name);
    }

    fn facts(&self) -> Facts<'_> {
        Facts::new(&self.slots, &self.texts)
    }
}

/// Whether every object and array of the values `described` in one input finds room for its
/// entries from [`TREE_AT`] on (beyond that, the core is given an object without its
/// entries).
pub fn fits(described: &[&Value]) -> bool {
    fn slots(v: &Value) -> usize {
        match v {
            Value::Array(items) => items.iter().map(|i| ENTRY_SLOTS + slots(i)).sum(),
            Value::Object(fields) => Value::keys(fields)
                .iter()
                .map(|(_, v)| ENTRY_SLOTS + slots(v))
                .sum(),
            _ => 0,
        }
    }
    TREE_AT + described.iter().map(|v| slots(v)).sum::<usize>() <= SLOTS
}

/// What the core makes of a stored value, described as JavaScript describes it.
pub fn stored_session(v: &Value) -> StoredSession {
    let mut described = Described::new(None);
    described.stored(v);
    facts::stored_session(described.facts())
}

/// What the core makes of the backend's answer: the value `JSON.parse` gave for a body of
/// `length` code units (`None`: the body did not parse).
pub fn reply_body(parsed: Option<&Value>, length: usize) -> ReplyBody {
    shaped_reply_body(parsed, length, &AnswerShape::default())
}

/// What the core makes of the answer of a backend whose answer has `shape` (`login.answer`).
pub fn shaped_reply_body(parsed: Option<&Value>, length: usize, shape: &AnswerShape) -> ReplyBody {
    let mut described = Described::new(None);
    let copy: Vec<&str> = shape.copied().into_iter().flatten().collect();
    described.shaped_answer(parsed, length, &copy);
    facts::reply_body(described.facts(), shape)
}

/// The same, with the answer's headers and the cookies it sets (`login.answer.token` as a
/// header or a cookie).
pub fn carried_reply_body(
    parsed: Option<&Value>,
    length: usize,
    shape: &AnswerShape,
    header: &Value,
    cookies: &Value,
) -> ReplyBody {
    let mut described = Described::new(None);
    let copy: Vec<&str> = shape.copied().into_iter().flatten().collect();
    described.shaped_answer(parsed, length, &copy);
    described.carriers(header, cookies);
    facts::reply_body(described.facts(), shape)
}

/// What the core makes of what the platform's login answered.
pub fn login_answer(v: &Value) -> LoginResult {
    let mut described = Described::new(None);
    described.login_answer(v);
    facts::login_answer(described.facts())
}

/// What the core makes of `setUserInfo`'s argument.
pub fn user_info_patch(v: &Value) -> Result<UserInfo, Error> {
    let mut described = Described::new(None);
    described.patch(v);
    facts::user_info_patch(described.facts())
}

/// What the core makes of `createSession`'s options.
pub fn options(v: &Value) -> Result<Options, Error> {
    let mut described = Described::new(None);
    described.options(v, None);
    facts::options(described.facts())
}

/// What the core makes of a web page's own options.
pub fn web_options(v: &Value) -> Result<WebOptions, Error> {
    let mut described = Described::new(None);
    described.options(&Value::Object(Vec::new()), Some(v));
    facts::web_options(described.facts())
}
