//! The shape of every effect in an output: its parts, in the order they are written, each a
//! number, a text pair, or a composite of those. The core's writer (`wire/output.rs`) writes
//! them in this order; the shim's reader is generated from these tables (`javascript.rs`, into
//! `js-shim/layout.js`) and the tests' reader (`crate::testing::outputs`) walks them, so an
//! effect's slots are never counted by hand.

/// How one part of an effect is written, and what JavaScript reads it as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// One slot: a number.
    Number,
    /// One slot: a number, or NaN for none (JavaScript: `null`).
    MaybeNumber,
    /// One slot: 1 or 0 (JavaScript: `true` or `false`).
    Flag,
    /// Two slots: a text pair (JavaScript: the string, or `null` for none).
    Text,
    /// No slot (JavaScript: `undefined`).
    Nothing,
    /// One slot: the place of a name in the list (JavaScript: the name).
    Name(&'static [&'static str]),
    /// Its fields, in order (JavaScript: an object with them).
    Object(&'static [(&'static str, Part)]),
    /// One slot, 1 when the part follows (JavaScript: it, or `null`).
    Optional(&'static Part),
    /// One slot, 1 when the part follows (JavaScript: it, or the key is left out of its
    /// object, as a stored record leaves out what it does not have). It comes last in its
    /// object, an object of `NAMED` (`javascript.rs`), so that the key is set only when it is
    /// read.
    Omitted(&'static Part),
    /// One slot choosing one of the parts, which follows (JavaScript: it).
    Choice(&'static [Part]),
    /// One slot, a count, then that many of the part (JavaScript: an array).
    List(&'static Part),
}

use Part::{Choice, Flag, List, MaybeNumber, Name, Nothing, Number, Object, Omitted, Optional, Text};

/// A profile: `nickName`, `avatarUrl`.
pub const USER_INFO: Part = Object(&[("nickName", Text), ("avatarUrl", Text)]);

/// Where a session came from ([`crate::Source`], in its order).
pub const SOURCES: [&str; 2] = ["cache", "login"];

/// Where a session came from, as a part.
pub const SOURCE: Part = Name(&SOURCES);

/// The backend's id of the user: a string or a whole number ([`crate::UserId`]; the choice
/// slot is [`user_id`]'s).
pub const USER_ID: Part = Choice(&[Text, Number]);

/// The choice slot written for a user id (its place in [`USER_ID`]).
pub mod user_id {
    /// A string.
    pub const TEXT: f64 = 0.0;
    /// A whole number.
    pub const NUMBER: f64 = 1.0;
}

/// A session, as the app is given it.
pub const SESSION: Part = Object(&[
    ("openid", Text),
    ("unionid", Text),
    ("token", Text),
    ("expiresAt", Number),
    ("userInfo", Optional(&USER_INFO)),
    ("source", SOURCE),
    ("userId", Omitted(&USER_ID)),
]);

/// The record as it is stored (its facts are described by the same names:
/// [`super::fields::RECORD`]).
pub const RECORD: Part = Object(&[
    ("v", Number),
    ("openid", Text),
    ("unionid", Text),
    ("token", Text),
    ("expiresAt", Number),
    ("obtainedAt", Number),
    ("userInfo", Optional(&USER_INFO)),
    ("userId", Omitted(&USER_ID)),
]);

/// An error as the shim turns it into an `Error`.
pub const ERROR: Part = Object(&[
    ("code", Text),
    ("message", Text),
    ("retryable", Flag),
    ("errcode", MaybeNumber),
    ("status", MaybeNumber),
    ("detail", Text),
    ("backendCode", Text),
    ("session", Optional(&SESSION)),
]);

/// A field of a JSON body: its name and its string.
pub const FIELD: Part = Object(&[("name", Text), ("value", Text)]);

/// The header that carries the token on an app's request: its name, what goes before the
/// token in it, and the token.
pub const TOKEN_HEADER: Part = Object(&[("name", Text), ("prefix", Text), ("token", Text)]);

/// Which calls settle ([`crate::Calls`], in its order).
pub const GROUPS: [&str; 5] = ["one", "waiting", "of", "requests", "deviceIds"];

/// Which calls, as two parts of the effect itself: the group, and the call (`one`) or the
/// effect (`of`) it names (the reader makes no object of its own for them).
pub const GROUP: Part = Name(&GROUPS);

/// What resolved calls get ([`crate::Settled`], in its order): a session, the device id,
/// nothing, or the answer to the request sent as an effect (its op).
pub const SETTLED: Part = Choice(&[SESSION, Text, Nothing, Number]);

/// Each effect's name and parts; its tag is its place here.
pub const EFFECTS: [(&str, &[(&str, Part)]); 22] = [
    ("readSession", &[("op", Number)]),
    ("writeSession", &[("op", Number), ("record", RECORD)]),
    ("removeSession", &[("op", Number)]),
    ("readDeviceId", &[("op", Number)]),
    ("writeDeviceId", &[("op", Number), ("id", Text)]),
    (
        "login",
        &[("op", Number), ("timeoutMs", Number), ("silent", Flag)],
    ),
    (
        "postCode",
        &[
            ("op", Number),
            ("url", Text),
            ("method", Text),
            ("contentType", Text),
            ("body", List(&FIELD)),
            ("copy", List(&Text)),
            ("timeoutMs", Number),
        ],
    ),
    ("abort", &[("op", Number)]),
    (
        "sendRequest",
        &[
            ("op", Number),
            ("again", MaybeNumber),
            ("header", Optional(&TOKEN_HEADER)),
        ],
    ),
    ("resolve", &[("group", GROUP), ("id", Number), ("value", SETTLED)]),
    ("reject", &[("group", GROUP), ("id", Number), ("error", ERROR)]),
    ("changed", &[("session", Optional(&SESSION))]),
    ("toast", &[("text", Text)]),
    ("redirect", &[("url", Text)]),
    ("current", &[("session", Optional(&SESSION))]),
    (
        "callFunction",
        &[
            ("op", Number),
            ("name", Text),
            ("data", List(&FIELD)),
            ("copy", List(&Text)),
            ("timeoutMs", Number),
        ],
    ),
    ("table", &[("keep", List(&Number))]),
    (
        "created",
        &[("id", Number), ("storageKey", Text), ("deviceIdKey", Text)],
    ),
    ("hold", &[("op", Number)]),
    ("wait", &[("call", Number), ("group", GROUP), ("id", Number)]),
    ("setFetchToken", &[("token", Text)]),
    ("warn", &[("text", Text)]),
];

/// The tag of the effect `name` (a name not in [`EFFECTS`] is a compile error where this is
/// a constant).
pub const fn tag(name: &str) -> f64 {
    place(&effect_names(), name) as f64
}

/// The place of `name` in `names` (a name not there is a compile error where this is a
/// constant).
pub const fn place(names: &[&str], name: &str) -> usize {
    let mut i = 0;
    while i < names.len() {
        if super::same(names[i], name) {
            return i;
        }
        i += 1;
    }
    panic!("no such name")
}

const fn effect_names() -> [&'static str; EFFECTS.len()] {
    let mut names = [""; EFFECTS.len()];
    let mut i = 0;
    while i < EFFECTS.len() {
        names[i] = EFFECTS[i].0;
        i += 1;
    }
    names
}

/// The slot written for a [`crate::Calls`] group.
pub mod group {
    use super::{place, GROUPS};
    /// One call, which settles at once.
    pub const ONE: f64 = place(&GROUPS, "one") as f64;
    /// The `ensure()`s and `setUserInfo()`s waiting for a session.
    pub const WAITING: f64 = place(&GROUPS, "waiting") as f64;
    /// The calls waiting for an effect.
    pub const OF: f64 = place(&GROUPS, "of") as f64;
    /// The requests waiting to be sent.
    pub const REQUESTS: f64 = place(&GROUPS, "requests") as f64;
    /// The `deviceId()`s waiting.
    pub const DEVICE_IDS: f64 = place(&GROUPS, "deviceIds") as f64;
}

/// The choice slot written for a [`crate::Settled`] (its place in [`SETTLED`]).
pub mod settled {
    /// A session.
    pub const SESSION: f64 = 0.0;
    /// The device id.
    pub const DEVICE_ID: f64 = 1.0;
    /// Nothing.
    pub const DONE: f64 = 2.0;
    /// The answer to a request.
    pub const RESPONSE: f64 = 3.0;
}

/// The slot written for a [`crate::Source`] (its place in [`SOURCES`]).
pub mod source {
    use super::{place, SOURCES};
    /// Read from storage.
    pub const CACHE: f64 = place(&SOURCES, "cache") as f64;
    /// Obtained by a login.
    pub const LOGIN: f64 = place(&SOURCES, "login") as f64;
}

/// How many fields an object part has (0 for any other part).
pub const fn object_len(part: &Part) -> usize {
    match part {
        Object(fields) => fields.len(),
        _ => 0,
    }
}

/// The names of an object part's fields, in order (`N` is [`object_len`]).
pub const fn object_names<const N: usize>(part: &Part) -> [&'static str; N] {
    let mut names = [""; N];
    if let Object(fields) = part {
        let mut i = 0;
        while i < N && i < fields.len() {
            names[i] = fields[i].0;
            i += 1;
        }
    }
    names
}

// The choices of what a settled call gets are those of `SETTLED`, in its order.
const _: () = {
    let Choice(choices) = SETTLED else { panic!() };
    assert!(matches!(choices[settled::SESSION as usize], Object(_)));
    assert!(matches!(choices[settled::DEVICE_ID as usize], Text));
    let Choice(ids) = USER_ID else { panic!() };
    assert!(matches!(ids[user_id::TEXT as usize], Text));
    assert!(matches!(ids[user_id::NUMBER as usize], Number));
    assert!(matches!(choices[settled::DONE as usize], Nothing));
    assert!(matches!(choices[settled::RESPONSE as usize], Number));
    assert!(choices.len() == 4);
};
