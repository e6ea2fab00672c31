//! Where each fact and each effect sits in the exchange's slots: the one description of the
//! boundary. `js-shim/layout.js` is generated from it (`javascript.rs`; a test fails when
//! the committed file differs), so both halves read and write by the same description.
//!
//! The slots are `f64`s. An input's facts describe values as JavaScript parsed them: a kind,
//! then a number, a text pair, or where an object's entries are, each entry its key and its
//! value ([`ENTRY_SLOTS`]); the core finds the fields it reads by their names ([`fields`]).
//! After a call, the first [`HEADER`] slots say how many are used, whether more effects wait
//! ([`kind::MORE`]), the machine's deadline and where the texts are; the effects follow, each
//! its tag (its place in [`parts::EFFECTS`]) and then its parts, in the order and the shapes
//! that table gives.

// The generator runs as a test: natively, where it can read and write the file.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod javascript;
pub mod parts;

/// Declares numbered constants and the table of their names, in one listing (in
/// `js-shim/layout.js` each is a constant named after its module and itself:
/// `kind::SESSION_READ` is `KIND_SESSION_READ`).
macro_rules! numbered {
    ($(#[$doc:meta])* $name:ident: $ty:ty { $($(#[$d:meta])* $konst:ident = $value:expr,)* }) => {
        $(#[$doc])*
        pub mod $name {
            $($(#[$d])* pub const $konst: $ty = $value;)*
            /// Each constant's name, with its number.
            pub const ALL: &[(&str, $ty)] = &[$((stringify!($konst), $konst)),*];
        }
    };
}

numbered! {
    /// What a value is, as JavaScript describes it (`typeof`, with JSON's eyes: `undefined`
    /// is absent, as `JSON.stringify` leaves it out; a function is a kind of its own).
    value: f64 {
        /// No value (`undefined`, a symbol; a missing field).
        ABSENT = 0.0,
        /// `null`.
        NULL = 1.0,
        /// `false`.
        FALSE = 2.0,
        /// `true`.
        TRUE = 3.0,
        /// A number: the next slot holds it.
        NUMBER = 4.0,
        /// A string: the next two slots name it (a text pair, see [`super::pair`]).
        STRING = 5.0,
        /// An array: the next slot holds its length, the one after the slot of its first
        /// entry ([`super::ENTRY_SLOTS`] each, with no key), or -1 when they did not fit.
        ARRAY = 6.0,
        /// Any other object: the next slot holds how many own keys it has, the one after the
        /// slot of its first entry ([`super::ENTRY_SLOTS`] each), or -1 when they did not fit.
        OBJECT = 7.0,
        /// Something JSON cannot hold (a `BigInt`).
        OTHER = 8.0,
        /// A function (JSON leaves it out; among the options, the app's hooks): no value the
        /// core reads, but a key that is there.
        FUNCTION = 9.0,
    }
}

numbered! {
    /// How a text crosses: two slots. `(offset, length)` names code units in the texts area;
    /// `(id, -1)` a string in JavaScript's table (a [`crate::wire::Handle`]; in an input the
    /// second slot is then its length in UTF-8 bytes, and the id is given as `id`); `(-1, _)`
    /// no text at all.
    pair: f64 {
        /// The second slot of a pair that names a string in JavaScript's table, in an output.
        IN_TABLE = -1.0,
        /// The first slot of a pair that names no text.
        NONE = -1.0,
    }
}

numbered! {
    /// What `kind` of [`crate::host::input`] says happened. `arg` is the call or the effect's
    /// id; `flag` is a number the kind gives a meaning.
    kind: u32 {
        /// `launch()` / `ensure()`.
        ENSURE = 0,
        /// `setUserInfo(info)`: the facts describe `info` ([`super::fields::USER_INFO`]).
        SET_USER_INFO = 1,
        /// `logout()`.
        LOGOUT = 2,
        /// `request(options)`: the first pair is the URL.
        REQUEST = 3,
        /// `deviceId()`.
        DEVICE_ID = 4,
        /// `current()` (no call id): the output's last effect says what it returns.
        CURRENT = 5,
        /// A session read: the facts describe the stored value ([`super::fields::RECORD`]).
        SESSION_READ = 6,
        /// A device id read: slot 0 the value's kind, then its text pair.
        DEVICE_ID_READ = 7,
        /// A write or removal: when storage refused it, the first pair is what it said.
        STORAGE_RESULT = 8,
        /// `wx.login`: slot 0 describes what `success` got, or the first pair is the
        /// failure's `errMsg`, as `flag` says ([`super::login_flag`]).
        LOGIN_RESULT = 9,
        /// The login request (or the cloud function): `flag` the HTTP status (200 for a cloud
        /// function's result) and the facts of the parsed body ([`super::fields::ANSWER`]),
        /// or [`super::post_flag::FAILED`] and the first pair `errMsg`.
        POST_RESULT = 10,
        /// The app's request: `flag` its HTTP status, or [`super::send_flag::UNANSWERED`];
        /// slot 0 describes what the app's `isSessionExpired` answered: absent (the app has
        /// none), `true`, `false`, or `null` when it threw.
        SEND_RESULT = 11,
        /// The timer set for the output's deadline fired.
        TIMEOUT = 12,
        /// `flag` 1 when the app has `onChange` listeners, 0 when it has none left.
        LISTENERS = 13,
        /// The effects the last output had no room for.
        MORE = 14,
    }
}

numbered! {
    /// A storage input's `flag` ([`kind::SESSION_READ`], [`kind::DEVICE_ID_READ`],
    /// [`kind::STORAGE_RESULT`]).
    storage_flag: i32 {
        /// The read, the write or the removal went through.
        OK = 0,
        /// The read threw, or storage refused the write (the first pair says what it said).
        FAILED = 1,
    }
}

numbered! {
    /// [`kind::LOGIN_RESULT`]'s `flag`: what slot 0 describes.
    login_flag: i32 {
        /// The platform called `success`: slot 0 describes its answer
        /// ([`super::fields::LOGIN_ANSWER`]), and the core takes its code from it.
        ANSWERED = 0,
        /// The failure's `errMsg` (or no text, when the platform said nothing).
        FAILED = 1,
    }
}

numbered! {
    /// [`kind::SEND_RESULT`]'s `flag` when there is no HTTP status.
    send_flag: i32 {
        /// No answer (network, timeout).
        UNANSWERED = -1,
    }
}

numbered! {
    /// [`kind::POST_RESULT`]'s `flag` when there is no HTTP status.
    post_flag: i32 {
        /// The request or the cloud function failed before any answer: the first pair is
        /// its `errMsg`.
        FAILED = -1,
    }
}

numbered! {
    /// The slots at the start of every output, in this order.
    header: usize {
        /// How many slots the output uses (the effects end there).
        USED = 0,
        /// 1 when effects wait for room: ask for them with [`super::kind::MORE`].
        MORE = 1,
        /// The machine's deadline (Unix ms), or [`super::NO_DEADLINE`].
        DEADLINE = 2,
        /// Where the texts area starts (it moves when it grows).
        TEXTS = 3,
    }
}

/// Slots at the start of every output ([`header`]).
pub const HEADER: usize = header::ALL.len();
/// The deadline slot when the machine waits for no time.
pub const NO_DEADLINE: f64 = -1.0;
/// All the slots: room for the effects of a launch, and for an input's values whose keys and
/// entries number about 200 (an object that does not fit comes without its entries).
pub const SLOTS: usize = 1024;
/// The most slots one effect takes (a login request with every constant field `login` may
/// give; a compaction's table is written only when it fits).
pub const MAX_EFFECT_SLOTS: usize = 128;

/// The names of the fields the core reads of each described object, in the order its
/// readers name them (`field!`). JavaScript describes every own key of an object with its
/// name ([`ENTRY_SLOTS`]); the core finds its fields among them by these names, and any
/// other key is one it does not know.
pub mod fields {
    /// The stored record, as its parts name its fields ([`super::parts::RECORD`]: the record
    /// is written with the same names it is read by).
    pub const RECORD: [&str; super::parts::object_len(&super::parts::RECORD)] =
        super::parts::object_names(&super::parts::RECORD);
    /// The backend's answer.
    pub const ANSWER: [&str; 7] = [
        "openid",
        "unionid",
        "token",
        "expires_in",
        "expiresIn",
        "errcode",
        "userInfo",
    ];
    /// The answer's field that holds a failure of the backend's own
    /// ([`crate::protocol::ErrorBody`]): the first path a request names to copy.
    pub const FAILURE: &str = "error";
    /// What `wx.login` (`tt.login`, …) answered: `code`, or Douyin's `anonymousCode` for a
    /// user not logged in to Douyin, strings passed on.
    pub const LOGIN_ANSWER: [&str; 2] = ["code", "anonymousCode"];
    /// A cookie the login's answer sets, as JavaScript parses its `Set-Cookie` (described at
    /// [`super::answer::COOKIES_AT`], by the cookie's name): its value, `Max-Age` in seconds
    /// and `Expires` in Unix milliseconds (each only when it is there and parsed).
    pub const COOKIE: [&str; 3] = ["value", "maxAge", "expires"];
    /// A failure of the backend's own (the answer's `error`).
    pub const BACKEND_FAILURE: [&str; 2] = ["code", "message"];
    /// A profile: `setUserInfo`'s argument and the `userInfo` of a record or an answer.
    pub const USER_INFO: [&str; 2] = ["nickName", "avatarUrl"];
    /// `createSession`'s options that the core reads (with the shim's own, [`SHIM_OPTIONS`],
    /// every key an app may pass).
    pub const OPTIONS: [&str; 13] = [
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
        "login",
        "backgroundFetchToken",
    ];
    /// The `login` option's settings ([`crate::LoginOptions`]).
    pub const LOGIN: [&str; 6] = ["method", "body", "codeField", "platformField", "fields", "answer"];
    /// `login.answer`'s settings ([`crate::AnswerOptions`]): each [`crate::Fact`]'s, in its
    /// order, then `success`.
    pub const LOGIN_ANSWER_SETTINGS: [&str; 11] = [
        "openid",
        "unionid",
        "userId",
        "token",
        "expiresIn",
        "expiresAt",
        "userInfo",
        "errcode",
        "status",
        "message",
        "success",
    ];
    /// `login.answer.token` as an object ([`crate::TokenCarrier`]): the header or the cookie
    /// the token is in.
    pub const TOKEN_CARRIER: [&str; 2] = ["header", "cookie"];
    /// The options the mini-program shim reads itself (the app's hooks, the platform's API,
    /// where the module is, encrypted storage, the JavaScript core's loader, the trace): known to the core, so that a misspelt one is
    /// named with them, and left to the shim, which checks them.
    pub const SHIM_OPTIONS: [&str; 7] = [
        "isSessionExpired",
        "attachToken",
        "api",
        "wasmPath",
        "encryptStorage",
        "fallback",
        "trace",
    ];
    /// A web page's own options, described at [`super::WEB_OPTIONS_AT`].
    pub const WEB_OPTIONS: [&str; 4] = ["appid", "scope", "authorizeUrl", "redirectUri"];
}

/// Whether two names are the same (`==` on `str` is not `const`).
pub(crate) const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The place of field `name` among `names` (`field!(fields::RECORD, "openid")`), computed
/// at compile time: a name not there is a compile error.
macro_rules! field {
    ($names:expr, $name:expr) => {
        const { $crate::wire::layout::parts::place(&$names, $name) }
    };
}

pub(crate) use field;

/// The slots of one entry of a described object or array: its key's text pair (no text in
/// an array), then its value (three slots: a kind, then a number or a text pair, or where
/// an object's or an array's entries are).
pub const ENTRY_SLOTS: usize = 5;
/// Where the entries of the described objects and arrays start: the slots before are the
/// input's own values ([`answer`], [`WEB_OPTIONS_AT`], [`HOST_PLATFORM_AT`]). Each object's
/// entries are placed together, before those of the objects in it, as long as they fit in
/// [`SLOTS`]; an object whose entries do not fit is described without them.
pub const TREE_AT: usize = answer::RETRY_AFTER_AT + 3;

/// A session read's facts: the stored value at slot 0, and this.
pub mod record {
    /// The length slot of a stored value that is a string (`''` is nothing stored): the
    /// second slot of its pair.
    pub const STRING_LENGTH: usize = 2;
}

/// A login request's facts: the parsed answer at slot 0 (the strings the core passes on by
/// handle), then these.
pub mod answer {
    /// The body's length in code units.
    pub const LENGTH: usize = 3;
    /// The values at the paths the request named to copy (`copy` of `postCode` and
    /// `callFunction`: the ones whose texts the core reads), described again in turn from
    /// here, three slots each, their texts copied.
    pub const COPIES_AT: usize = 4;
    /// The most paths one request names to copy.
    pub const MAX_COPIES: usize = crate::core::config::login::copied::COUNT;
    /// The answer's headers (`wx.request`'s `header`, its values passed on by handle): where
    /// `login.answer.token` names a header, the token is its value.
    pub const HEADER_AT: usize = COPIES_AT + 3 * MAX_COPIES;
    /// The cookies the answer sets, as JavaScript parsed its `Set-Cookie` (`cookies`, or the
    /// header): an object by cookie name, each `{ value, maxAge?, expires? }` (the value passed
    /// on by handle; `Max-Age` in seconds, `Expires` in Unix milliseconds, each only when it
    /// parsed).
    pub const COOKIES_AT: usize = HEADER_AT + 3;
    /// The answer's `Retry-After` header (its name in any case), described again with its
    /// text copied: the core reads the seconds it asks to wait.
    pub const RETRY_AFTER_AT: usize = COOKIES_AT + 3;
    /// That header's name, as the shim compares it (in lower case).
    pub const RETRY_AFTER: &str = "retry-after";
}

/// `setUserInfo`'s facts: its argument at slot 0 (the strings the core passes on by handle),
/// then this.
pub mod user_info {
    /// The argument's `avatarUrl` described again, its text copied: the core reads it.
    pub const COPY_AT: usize = super::answer::COPIES_AT;
}

/// The slot where a web page's options are described (the options themselves: at 0).
pub const WEB_OPTIONS_AT: usize = 3;
/// The slot of the pair that names the platform whose globals the shim found (none on a web
/// page): the core's platform when the options name none.
pub const HOST_PLATFORM_AT: usize = 6;

// The input's own values (three slots each, a pair two, a length one) lie apart, before the
// entries.
const _: () = {
    // A stored string's length sits in the root value's own slots.
    assert!(record::STRING_LENGTH < 3);
    assert!(
        3 <= answer::LENGTH
            && answer::LENGTH < answer::COPIES_AT
            && answer::COPIES_AT + 3 * answer::MAX_COPIES <= answer::HEADER_AT
            && answer::COOKIES_AT + 3 <= answer::RETRY_AFTER_AT
            && answer::RETRY_AFTER_AT + 3 <= TREE_AT
    );
    assert!(3 <= WEB_OPTIONS_AT && WEB_OPTIONS_AT + 3 <= HOST_PLATFORM_AT && HOST_PLATFORM_AT + 2 <= TREE_AT);
};

/// The tag of each effect: its place in [`parts::EFFECTS`].
pub mod effect {
    use super::parts::tag;
    /// Read the session; answer with `SESSION_READ`.
    pub const READ_SESSION: f64 = tag("readSession");
    /// Write the record.
    pub const WRITE_SESSION: f64 = tag("writeSession");
    /// Remove the session.
    pub const REMOVE_SESSION: f64 = tag("removeSession");
    /// Read the device id; answer with `DEVICE_ID_READ`.
    pub const READ_DEVICE_ID: f64 = tag("readDeviceId");
    /// Write the device id.
    pub const WRITE_DEVICE_ID: f64 = tag("writeDeviceId");
    /// Call `wx.login`.
    pub const LOGIN: f64 = tag("login");
    /// POST the code to `loginUrl`.
    pub const POST_CODE: f64 = tag("postCode");
    /// Abort the login request.
    pub const ABORT: f64 = tag("abort");
    /// Send the oldest request waiting, or again the one first sent as `again`.
    pub const SEND_REQUEST: f64 = tag("sendRequest");
    /// Resolve calls.
    pub const RESOLVE: f64 = tag("resolve");
    /// Reject calls.
    pub const REJECT: f64 = tag("reject");
    /// Tell the `onChange` listeners.
    pub const CHANGED: f64 = tag("changed");
    /// Show the `failureToast` text.
    pub const TOAST: f64 = tag("toast");
    /// Web pages: leave for the OAuth authorize page.
    pub const REDIRECT: f64 = tag("redirect");
    /// What `current()` returns.
    pub const CURRENT: f64 = tag("current");
    /// Call the cloud function; answer with `POST_RESULT`.
    pub const CALL_FUNCTION: f64 = tag("callFunction");
    /// Keep only these strings of the table, in this order.
    pub const TABLE: f64 = tag("table");
    /// The session made by `mps_create`, and the texts of its config JavaScript uses.
    pub const CREATED: f64 = tag("created");
    /// The calls waiting for a session now wait for the write `op`.
    pub const HOLD: f64 = tag("hold");
    /// The call waits for the effect `op`.
    pub const WAIT: f64 = tag("wait");
    /// Hand the token to `wx.setBackgroundFetchToken`.
    pub const SET_FETCH_TOKEN: f64 = tag("setFetchToken");
    /// Tell the developer, on the console.
    pub const WARN: f64 = tag("warn");
}

/// An input's kind by its number, as a trace's timeline and live log name it
/// ([`kind::SESSION_READ`] is `sessionRead`); `None` past the last.
pub fn kind_name(number: u32) -> Option<String> {
    let (name, _) = kind::ALL.iter().find(|(_, k)| *k == number)?;
    let mut out = String::new();
    for (i, word) in name.split('_').enumerate() {
        let lower = word.to_ascii_lowercase();
        match (i, lower.split_at(1)) {
            (0, _) => out.push_str(&lower),
            (_, (first, rest)) => {
                out.push_str(&first.to_ascii_uppercase());
                out.push_str(rest);
            }
        }
    }
    Some(out)
}

/// The boundary's layout as 16 hexadecimal digits: a digest of every number and table above
/// that says where a fact or an effect sits and what it means (not the option names: an
/// option added reads a trace recorded without it the same). A trace carries the one it was
/// recorded with (`LAYOUT` of `js-shim/layout.js`, generated from this), and replays only
/// against a core with the same.
pub fn layout_id() -> String {
    let description = format!(
        "{:?}",
        (
            (value::ALL, pair::ALL, kind::ALL, header::ALL),
            (storage_flag::ALL, login_flag::ALL, send_flag::ALL, post_flag::ALL),
            (
                NO_DEADLINE,
                SLOTS,
                MAX_EFFECT_SLOTS,
                ENTRY_SLOTS,
                TREE_AT,
                WEB_OPTIONS_AT,
                HOST_PLATFORM_AT
            ),
            (
                record::STRING_LENGTH,
                answer::LENGTH,
                answer::COPIES_AT,
                answer::MAX_COPIES
            ),
            (
                answer::HEADER_AT,
                answer::COOKIES_AT,
                answer::RETRY_AFTER_AT,
                answer::RETRY_AFTER
            ),
            user_info::COPY_AT,
            (
                fields::RECORD,
                fields::ANSWER,
                fields::FAILURE,
                fields::LOGIN_ANSWER
            ),
            (fields::COOKIE, fields::BACKEND_FAILURE, fields::USER_INFO),
            parts::EFFECTS,
        )
    );
    // FNV-1a, 64 bits.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in description.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}
