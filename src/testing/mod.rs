//! A deterministic stand-in for WeChat and your backend, to test a login flow in Rust.
//!
//! [`Harness`] drives a real [`Machine`](crate::Machine) the way the wasm driver does, with a fake clock,
//! in-memory storage, a `wx.login` that issues single-use codes, and your backend as a
//! closure. Waits (timeouts, backoff) take no real time. It runs the same natively
//! (`cargo test`) and in wasm (`wasm-bindgen-test`).
//!
//! ```
//! use mp_session::testing::Harness;
//! use mp_session::{Answer, Options, Reply, Source};
//!
//! let mut app = Harness::new(Options::new("https://api.example.com/login"));
//! app.set_backend(|_code| Reply::ok(Answer::session("o-1").with_token("t").with_expires_in(3600.0)).into());
//!
//! let first = app.ensure().unwrap();
//! assert_eq!((first.openid.as_deref(), first.source), (Some("o-1"), Source::Login));
//! assert_eq!(app.counts().logins, 1);
//!
//! app.restart(); // the app is closed and opened again: storage survives
//! assert_eq!(app.ensure().unwrap().source, Source::Cache);
//! assert_eq!(app.counts().logins, 0);
//! ```
//!
//! The harness also checks, on every step, what must never happen: a code posted twice, or
//! two `wx.login` calls outstanding at once. Either panics the test with a clear message.

mod harness;
mod ledger;
pub mod outputs;
pub mod script;
pub mod trace;

pub use harness::Harness;
pub use ledger::Ledger;

use crate::core::answer::Reply;
use crate::core::record::Record;

/// The clock's starting time: 2026-01-01T00:00:00Z.
pub const START_MS: u64 = 1_767_225_600_000;

/// What the backend does with one posted code.
#[derive(Clone, Debug)]
pub enum Response {
    /// It answers (any status).
    Reply(Reply),
    /// The request fails (`wx.request` calls `fail`).
    NetworkFailure,
    /// It never answers: the flow's own timeout decides.
    NoAnswer,
}

impl From<Reply> for Response {
    fn from(reply: Reply) -> Response {
        Response::Reply(reply)
    }
}

/// What the app's backend does with one of the app's own requests (`request()`).
#[derive(Clone, Debug)]
pub enum ApiResponse {
    /// It answers with this HTTP status; 401 means the session was rejected.
    Status(u16),
    /// The request fails (`wx.request` calls `fail`).
    NetworkFailure,
    /// It never answers.
    NoAnswer,
}

/// One of the app's own requests, as the backend receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiRequest {
    /// The URL the app asked for.
    pub url: String,
    /// The token header the request carried: name and value.
    pub header: Option<(String, String)>,
}

/// What `wx.login` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginMode {
    /// Succeeds with a new single-use code: `code-1`, `code-2`, ...
    Codes,
    /// Calls `fail`.
    Fail,
    /// Never calls back.
    NoAnswer,
    /// Web pages: the OAuth redirect came back with a code that may not be used.
    Refused(crate::Refusal),
}

/// A value in the fake storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stored {
    /// A session record.
    Record(Record),
    /// A string (the device id, or garbage where a record should be).
    Text(String),
    /// Something that does not decode as a record (a number, an object of the wrong shape).
    Unreadable,
}

/// How often each effect happened since the harness started or last restarted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// `wx.login` calls.
    pub logins: usize,
    /// Login requests posted.
    pub posts: usize,
    /// Storage reads (session and device id).
    pub reads: usize,
    /// Storage writes.
    pub writes: usize,
    /// Storage removals.
    pub removes: usize,
    /// The app's own requests sent (`request()`, retries included).
    pub sends: usize,
    /// The most of the app's requests ever under way at once.
    pub most_sends_in_flight: usize,
}
