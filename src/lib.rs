//! # mp-session
//!
//! The WeChat mini-program login flow, done once and done right: a cached, unexpired session
//! is used with no `wx.login` and no request; otherwise one `wx.login` code is posted to the
//! developer's backend, and its answer (openid, unionid, the backend's token, expiry,
//! userInfo) is stored in one write. Any number of concurrent calls share one login.
//!
//! ## Who does the IO
//!
//! ```text
//!   app.js ──calls──▶ JS shim ══ facts, handles ══▶ host ──inputs──▶ Machine (the core)
//!                       ▲    ◀══ effects, handles ══   ▲               │
//!                       │   (and the next deadline)    └───effects─────┘
//!                 wx.login, wx.request, storage, the one timer (carried out by the shim)
//! ```
//!
//! The crate is in three layers: `core/` decides (the [`Machine`] and the judgements it
//! makes), `wire/` is how values cross to JavaScript (facts in, effects out, strings by
//! [`Handle`]), `host/` is the wasm module around them (its exports and memory; the web
//! page's storage and OAuth). The core calls nothing in JavaScript: each call into the host
//! feeds one input and hands back everything that followed, in the exchange's slots.
//!
//! The [`Machine`] is sans-IO: it never calls JavaScript, reads a clock or draws randomness.
//! Time (Unix milliseconds) comes with every input; randomness once, at creation. That makes
//! the whole flow testable natively with `cargo test`, deterministically and faster than real
//! time; [`testing::Harness`] does exactly that, and runs the same under `wasm-bindgen-test`.
//!
//! ## Driving it
//!
//! 1. Build a [`Config`] from [`Options`] and a [`Machine`] from it and 16 random bytes.
//! 2. For every app call (`launch`/`ensure`, `setUserInfo`, `request`, `logout`, `deviceId`),
//!    pick a [`CallId`] and [`Machine::handle`] the matching [`Input`] with the current time.
//! 3. Drain [`Machine::poll_effect`] until it returns `None`, carrying out each [`Effect`].
//!    Storage effects may be answered at once; `Login`, `PostCode` and `SendRequest` are
//!    answered later, with the [`OpId`] the effect carried.
//! 4. Feed each result back as an [`Input`] and drain again. A result the machine no longer
//!    waits for (after a timeout, a retry or a logout) is stale and dropped.
//! 5. Ask [`Machine::poll_timeout`] and keep one timer for it; when it fires, call
//!    [`Machine::handle_timeout`] with the time and drain again. The machine keeps its waits
//!    (`timeoutMs`, backoff) as deadlines, so there is nothing else to schedule or cancel.
//! 6. [`Effect::Settle`] finishes app calls. The machine keeps no list of them: it names a
//!    group ([`Calls`]), and the driver keeps which calls each group holds, by the rules
//!    written there ([`testing::Ledger`] keeps them so for tests). [`Effect::Changed`] tells
//!    `onChange` listeners, while [`Input::Listeners`] says there are any.
//!
//! The flow itself reads in order in `src/core/machine/flow.rs` (check the cached session,
//! store the session, hand it out) and `login.rs` (call `wx.login`, post the code, judge the
//! answer).
//!
//! ## The rules
//!
//! - A stored session is fresh while `now < expiresAt - leeway` (the leeway never takes more
//!   than half a session's life). Fresh: no login, no request, no write.
//! - Missing, unreadable, another version, expired, inside the leeway, or obtained "in the
//!   future" (the clock moved back): log in.
//! - Network failure, timeout, HTTP 5xx, errcode `-1` or `45011`: retry with exponential
//!   backoff and jitter, up to `maxRetries`. Errcode `40029`/`40163`: one fresh code. Errcode
//!   `40226`, another 4xx, or a 2xx without a usable openid: fail at once. Every attempt uses
//!   a new code; no code is posted twice.
//! - On failure nothing is written, and a session that has not expired is still returned.
//! - `session_key` is never decoded, stored, returned or logged; [`Secret`] hides tokens and
//!   codes from `Debug`.
//! - The app's requests carry the token only to allowed origins, run at most
//!   [`MAX_REQUESTS_IN_FLIGHT`] at once, and a rejected session leads to one shared re-login
//!   and one retry per request, never more.
//!
//! Every platform runs the same core: a web page (official account) is a [`Platform`] in the
//! [`Config`], whose codes come from the OAuth redirect ([`web::oauth`], in every build). With
//! the `web` feature, the web page's host and its browser storage (`web::storage`) are built
//! too.

#![deny(missing_docs, missing_debug_implementations)]
// The shipped module is built small, with the functions of a cached launch built fast
// (`--cfg mp_session_tuned`, set by scripts/build; Cargo.toml says more).
#![cfg_attr(mp_session_tuned, feature(optimize_attribute))]

mod core;
pub mod decode;
pub mod host;
pub mod protocol;
pub mod testing;
pub mod wire;

pub use wire::Handle;

/// Web pages (official accounts): the OAuth code flow, and (in the `web` build) browser
/// storage.
pub mod web {
    pub use crate::core::oauth;
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    pub use crate::host::web_storage as storage;
}

/// In the module this crate builds (`--cfg mp_session_module`, set by scripts/build), blocks
/// of power-of-two sizes with a free list each: a few instructions per allocation where
/// dlmalloc runs hundreds, in a module an iPhone interprets. A wasm32 program that depends on
/// the crate keeps its own allocator.
#[cfg(all(target_arch = "wasm32", mp_session_module))]
#[global_allocator]
static ALLOCATOR: host::alloc::Blocks = host::alloc::Blocks::new();

pub use crate::core::answer::{Answer, BackendFailure, Envelope, Reply, ReplyBody};
pub use crate::core::app_requests::{MAX_REQUESTS_IN_FLIGHT, REJECTION_COOLDOWN_MS};
pub use crate::core::backoff::{BACKOFF_BASE_MS, BACKOFF_CAP_MS};
pub use crate::core::config::{
    AnswerOptions, AnswerShape, Config, Fact, FailureToast, LoginEndpoint, LoginMethod, LoginOptions,
    LoginShape, Options, Platform, StatusValue, TokenCarrier, DEFAULT_LEEWAY_SECONDS, DEFAULT_MAX_RETRIES,
    DEFAULT_NAMESPACE, DEFAULT_TIMEOUT_MS, DEFAULT_TOKEN_HEADER, DEFAULT_TTL_SECONDS, PLATFORM_GRACE_MS,
};
pub use crate::core::effect::{Calls, Effect, LoginBody, Settled, TokenHeader, DEVICE_ID_KEY};
pub use crate::core::error::{Error, ErrorCode};
pub use crate::core::input::{
    CallId, Input, LoginResult, OpId, PlatformError, Refusal, SendResult, SESSION_REJECTED_STATUS,
};
pub use crate::core::limits::{MAX_ANSWER_CHARS, MAX_TTL_MS};
pub use crate::core::machine::Machine;
pub use crate::core::record::{Record, Standing, StoredSession, RECORD_VERSION};
pub use crate::core::secret::Secret;
pub use crate::core::session::{Session, Source, UserId};
pub use crate::core::text::Text;
pub use crate::core::user_info::{UserInfo, UserInfoPatch};
