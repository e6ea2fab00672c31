//! Where each fact and each effect sits in the exchange's slots: the numbers both halves of
//! the boundary agree on (`js-shim/boundary.js` holds the same ones).
//!
//! The slots are `f64`s. After a call, the first [`HEADER`] slots say how many are used,
//! whether more effects wait ([`kind::MORE`]), the machine's deadline and where the texts
//! are; the effects follow, each starting with its [`effect`] number.

/// What a value is, as JavaScript describes it (`typeof`, with JSON's eyes: `undefined` and
/// functions are absent, as `JSON.stringify` leaves them out).
pub mod value {
    /// No value (`undefined`, a function, a symbol; a missing field).
    pub const ABSENT: f64 = 0.0;
    /// `null`.
    pub const NULL: f64 = 1.0;
    /// `false`.
    pub const FALSE: f64 = 2.0;
    /// `true`.
    pub const TRUE: f64 = 3.0;
    /// A number: the next slot holds it.
    pub const NUMBER: f64 = 4.0;
    /// A string: the next two slots name it (a text pair, see [`super::pair`]).
    pub const STRING: f64 = 5.0;
    /// An array: the next slot holds its length, the one after 1 when every entry is a
    /// string.
    pub const ARRAY: f64 = 6.0;
    /// Any other object.
    pub const OBJECT: f64 = 7.0;
    /// Something JSON cannot hold (a `BigInt`).
    pub const OTHER: f64 = 8.0;
}

/// How a text crosses: two slots. `(offset, length)` names code units in the texts area;
/// `(id, -1)` a string in JavaScript's table (a [`crate::wire::Handle`]; in an input the
/// second slot is then its length in UTF-8 bytes, and the id is given as `id`); `(-1, _)` no
/// text at all.
pub mod pair {
    /// The second slot of a pair that names a string in JavaScript's table, in an output.
    pub const IN_TABLE: f64 = -1.0;
    /// The first slot of a pair that names no text.
    pub const NONE: f64 = -1.0;
}

/// Slots at the start of every output.
pub const HEADER: usize = 4;
/// All the slots: room for the facts of any input and for the effects of a launch.
pub const SLOTS: usize = 256;
/// The most slots one effect takes (a rejection with a session, or a compaction's table is
/// written only when it fits).
pub const MAX_EFFECT_SLOTS: usize = 32;

/// What `kind` of [`crate::host::input`] says happened. `arg` is the call or the effect's id.
pub mod kind {
    /// `launch()` / `ensure()`.
    pub const ENSURE: u32 = 0;
    /// `setUserInfo(info)`: the facts describe `info` ([`super::fields::USER_INFO`]).
    pub const SET_USER_INFO: u32 = 1;
    /// `logout()`.
    pub const LOGOUT: u32 = 2;
    /// `request(options)`: the first pair is the URL.
    pub const REQUEST: u32 = 3;
    /// `deviceId()`.
    pub const DEVICE_ID: u32 = 4;
    /// `current()` (no call id): the output's last effect says what it returns.
    pub const CURRENT: u32 = 5;
    /// A session read: the facts describe the stored value ([`super::fields::RECORD`]);
    /// `flag` 1 when the read threw.
    pub const SESSION_READ: u32 = 6;
    /// A device id read: slot 0 the value's kind, then its text pair; `flag` 1 when it threw.
    pub const DEVICE_ID_READ: u32 = 7;
    /// A write or removal: `flag` 1 when storage refused it, the first pair then what it said.
    pub const STORAGE_RESULT: u32 = 8;
    /// `wx.login`: `flag` 0 and the code's pair, 2 and Douyin's `anonymousCode`, or 1 and
    /// the failure's `errMsg`.
    pub const LOGIN_RESULT: u32 = 9;
    /// The login request (or the cloud function): `flag` the HTTP status (200 for a cloud
    /// function's result) and the facts of the parsed body ([`super::fields::ANSWER`]), or
    /// -1 and the first pair `errMsg`.
    pub const POST_RESULT: u32 = 10;
    /// The app's request: `flag` 0 answered, 1 the session rejected, 2 failed.
    pub const SEND_RESULT: u32 = 11;
    /// The timer set for the output's deadline fired.
    pub const TIMEOUT: u32 = 12;
    /// `flag` 1 when the app has `onChange` listeners, 0 when it has none left.
    pub const LISTENERS: u32 = 13;
    /// The effects the last output had no room for.
    pub const MORE: u32 = 14;
}

/// Where each field of a described object sits: the object's own kind in its first slot,
/// then three slots a field (kind, and a number or a text pair), in this order.
pub mod fields {
    /// The stored record; `userInfo`'s two fields follow it as fields 7 and 8.
    pub const RECORD: [&str; 7] = [
        "v",
        "openid",
        "unionid",
        "token",
        "expiresAt",
        "obtainedAt",
        "userInfo",
    ];
    /// The backend's answer; `userInfo`'s two fields follow as fields 7 and 8. After them,
    /// the body's length in code units.
    pub const ANSWER: [&str; 7] = [
        "openid",
        "unionid",
        "token",
        "expires_in",
        "expiresIn",
        "errcode",
        "userInfo",
    ];
    /// A profile: `setUserInfo`'s argument and the nested `userInfo`. After the argument's
    /// two fields, the pair of its first key that is neither.
    pub const USER_INFO: [&str; 2] = ["nickName", "avatarUrl"];
    /// `createSession`'s options. After them, the pair of the first key that is none of
    /// these, then `allowedOrigins`' first [`super::MAX_ORIGINS_DESCRIBED`] entries, a pair
    /// each.
    pub const OPTIONS: [&str; 11] = [
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
    /// A web page's own options, described after the options' entries (at
    /// [`super::WEB_OPTIONS_AT`]), with the pair of a key that is none of these.
    pub const WEB_OPTIONS: [&str; 4] = ["appid", "scope", "authorizeUrl", "redirectUri"];
}

/// `allowedOrigins` entries described: one more than it may have, so that too many is seen.
pub const MAX_ORIGINS_DESCRIBED: usize = 17;
/// The slot where a web page's options are described.
pub const WEB_OPTIONS_AT: usize = 1 + 3 * fields::OPTIONS.len() + 2 + 2 * MAX_ORIGINS_DESCRIBED;

/// The first slot of each effect.
pub mod effect {
    /// `[0, op]`: read the session; answer with `SESSION_READ`.
    pub const READ_SESSION: f64 = 0.0;
    /// `[1, op, record]`: write the record (see `Output::record`).
    pub const WRITE_SESSION: f64 = 1.0;
    /// `[2, op]`: remove the session.
    pub const REMOVE_SESSION: f64 = 2.0;
    /// `[3, op]`: read the device id; answer with `DEVICE_ID_READ`.
    pub const READ_DEVICE_ID: f64 = 3.0;
    /// `[4, op, id]`: write the device id (a text pair).
    pub const WRITE_DEVICE_ID: f64 = 4.0;
    /// `[5, op, timeoutMs]`: call `wx.login`.
    pub const LOGIN: f64 = 5.0;
    /// `[6, op, code, anonymous, timeoutMs]`: POST the code to `loginUrl`.
    pub const POST_CODE: f64 = 6.0;
    /// `[7, op]`: abort the login request.
    pub const ABORT: f64 = 7.0;
    /// `[8, op, again, token]`: send the oldest request waiting (`again` -1), or again the
    /// one first sent as `again`, with the token (a pair, or none).
    pub const SEND_REQUEST: f64 = 8.0;
    /// `[9, calls, id, 0, session]` / `[.., 1, deviceId]` / `[.., 2]` / `[.., 3, op]`: resolve
    /// the calls (see `Output::calls`) with a session, the device id, nothing, or the answer
    /// to request `op`.
    pub const RESOLVE: f64 = 9.0;
    /// `[10, calls, id, error]`: reject the calls (see `Output::error`).
    pub const REJECT: f64 = 10.0;
    /// `[11, session?]`: tell the `onChange` listeners.
    pub const CHANGED: f64 = 11.0;
    /// `[12]`: show the `failureToast` text.
    pub const TOAST: f64 = 12.0;
    /// `[13, url]`: web pages: leave for the OAuth authorize page.
    pub const REDIRECT: f64 = 13.0;
    /// `[14, session?]`: what `current()` returns.
    pub const CURRENT: f64 = 14.0;
    /// `[15, op, timeoutMs]`: call the cloud function; answer with `POST_RESULT`.
    pub const CALL_FUNCTION: f64 = 15.0;
    /// `[16, n, id...]`: keep only these strings of the table, in this order: the string
    /// at place `id[i]` moves to place `i`, every other goes.
    pub const TABLE: f64 = 16.0;
    /// `[17, id, storageKey, deviceIdKey, tokenHeader, tokenScheme]`: the session made by
    /// `mps_create`, and the texts of its config that JavaScript uses.
    pub const CREATED: f64 = 17.0;
    /// `[18, op]`: the calls waiting for a session now wait for the write `op`.
    pub const HOLD: f64 = 18.0;
    /// `[19, call, op]`: the call waits for the effect `op`.
    pub const WAIT: f64 = 19.0;
}
