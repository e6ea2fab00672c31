//! The driver: the core's boundary with JavaScript, as narrow as it can be.
//!
//! JavaScript calls four exported functions with numbers; text crosses whole, once, as JSON in
//! one exchange buffer of UTF-16 code units (see `io.rs`). A call feeds one input to a
//! session's [`Machine`], drains its effects, and writes them back as one JSON text
//! (see `output.rs`) that the shim parses with `JSON.parse` and carries out with `wx.*`. The
//! core calls nothing in JavaScript: a cached launch is two calls in (`ensure`, then the
//! storage read's result) and none out.
//!
//! ```text
//!   mps_io(units) -> address          the exchange buffer, at least `units` long
//!   mps_create(kind, e0..e3, len)     options JSON in; out: {"id":n} or {"error":{...}}
//!   mps_input(id, kind, arg, flag, now, len) -> out len   one input (see [`input`])
//!   mps_close(id)                     the session is gone
//! ```
//!
//! The same functions serve native callers and tests through [`create`] and [`input`].

#[cfg(target_arch = "wasm32")]
pub(crate) mod alloc;
#[cfg(all(feature = "web", target_arch = "wasm32"))]
mod web;
#[cfg(all(feature = "web", target_arch = "wasm32"))]
pub mod web_storage;

use std::cell::RefCell;

use crate::wire::codec;
use crate::wire::io;
use crate::wire::output::Output;
use crate::{
    Config, Input, LoginResult, Machine, OpId, PlatformError, Reply, ReplyBody, SendResult, UserInfo,
};

/// What `kind` of [`input`] says happened. `arg` is the call or the effect's id.
pub mod kind {
    /// `launch()` / `ensure()`.
    pub const ENSURE: u32 = 0;
    /// `setUserInfo(info)`: the text is the info as JSON.
    pub const SET_USER_INFO: u32 = 1;
    /// `logout()`.
    pub const LOGOUT: u32 = 2;
    /// `request(options)`: the text is the URL.
    pub const REQUEST: u32 = 3;
    /// `deviceId()`.
    pub const DEVICE_ID: u32 = 4;
    /// `current()` (no call id): the output's last effect says what it returns.
    pub const CURRENT: u32 = 5;
    /// A session read: the text is the stored value as JSON (`null` when missing); `flag` 1
    /// when the read threw.
    pub const SESSION_READ: u32 = 6;
    /// A device id read, as for [`SESSION_READ`].
    pub const DEVICE_ID_READ: u32 = 7;
    /// A write or removal: `flag` 1 when storage refused it, the text then what it said.
    pub const STORAGE_RESULT: u32 = 8;
    /// `wx.login`: `flag` 0 and the code as text, 2 and Douyin's `anonymousCode` as text, or
    /// 1 and the failure's `errMsg`.
    pub const LOGIN_RESULT: u32 = 9;
    /// The login request (or the cloud function): `flag` the HTTP status (200 for a cloud
    /// function's result) and the body as text, or -1 and `errMsg`.
    pub const POST_RESULT: u32 = 10;
    /// The app's request: `flag` 0 answered, 1 the session rejected, 2 failed.
    pub const SEND_RESULT: u32 = 11;
    /// The timer set for the output's deadline fired.
    pub const TIMEOUT: u32 = 12;
    /// `flag` 1 when the app has `onChange` listeners, 0 when it has none left.
    pub const LISTENERS: u32 = 13;
}

/// One session (one namespace) of the app.
#[derive(Debug)]
struct Slot {
    machine: Machine,
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    web: Option<web::WebSide>,
}

thread_local! {
    static SLOTS: RefCell<Vec<Option<Slot>>> = const { RefCell::new(Vec::new()) };
}

/// Creates a session from its options' JSON text and 16 random bytes: the output is
/// `{"id":n}`, or `{"error":{...}}` (`INVALID_CONFIG`) naming the option that is wrong.
/// `kind` 1 makes a web page's session (`{"options":{...},"web":{...}}`; the `web` feature).
pub fn create(kind: u32, entropy: [u8; 16], text: Option<&str>) -> String {
    let slot = match kind {
        #[cfg(all(feature = "web", target_arch = "wasm32"))]
        1 => web::slot(text, entropy),
        _ => codec::options(text.unwrap_or(""))
            .and_then(Config::from_options)
            .map(|config| Slot {
                machine: Machine::new(config, entropy),
                #[cfg(all(feature = "web", target_arch = "wasm32"))]
                web: None,
            }),
    };
    let mut out = String::new();
    match slot {
        Ok(slot) => {
            let id = SLOTS.with(|slots| {
                let mut slots = slots.borrow_mut();
                match slots.iter().position(Option::is_none) {
                    Some(free) => {
                        slots[free] = Some(slot);
                        free
                    }
                    None => {
                        slots.push(Some(slot));
                        slots.len() - 1
                    }
                }
            });
            out.push_str("{\"id\":");
            crate::core::digits::push_number(&mut out, id as u64);
        }
        Err(error) => {
            out.push_str("{\"error\":");
            codec::push_error(&mut out, &error);
        }
    }
    out.push('}');
    out
}

/// Feeds session `id` one input at time `now` (Unix ms) and returns its effects as one JSON
/// text. `kind` says what happened (see [`kind`]), `arg` is the call or the effect's id,
/// `flag` a small number whose meaning `kind` gives, `text` the input's text (`None` when it
/// was too long to copy). An unknown session or kind gives an output with no effects.
pub fn input(id: u32, kind: u32, arg: u32, flag: i32, now: f64, text: Option<&str>) -> String {
    let now = time(now);
    SLOTS.with(|slots| {
        let mut slots = slots.borrow_mut();
        let Some(Some(slot)) = slots.get_mut(id as usize) else {
            return Output::default().finish(None);
        };
        let mut out = Output::default();
        match decode(kind, arg, flag, text) {
            Decoded::Input(input) => slot.machine.handle(now, input),
            Decoded::Timeout => slot.machine.handle_timeout(now),
            Decoded::Current => slot.machine.handle(now, Input::Load),
            Decoded::Rejected(call, error) => out.effect(
                &crate::Effect::Settle {
                    call,
                    result: Err(error),
                },
                slot.machine.config(),
            ),
            Decoded::Nothing => {}
        }
        slot.drain(now, &mut out);
        if kind == kind::CURRENT {
            out.current(slot.machine.current(now).as_ref());
        }
        out.finish(slot.machine.poll_timeout())
    })
}

/// Drops session `id`.
pub fn close(id: u32) {
    SLOTS.with(|slots| {
        if let Some(slot) = slots.borrow_mut().get_mut(id as usize) {
            *slot = None;
        }
    });
}

impl Slot {
    /// Writes every effect into `out`, after the web side took those it carries out itself.
    fn drain(&mut self, now: u64, out: &mut Output) {
        while let Some(effect) = self.machine.poll_effect() {
            #[cfg(all(feature = "web", target_arch = "wasm32"))]
            if let Some(web) = &self.web {
                match web.carry_out(effect, self.machine.config(), out) {
                    Ok(Some(input)) => self.machine.handle(now, input),
                    Ok(None) => {}
                    Err(effect) => out.effect(&effect, self.machine.config()),
                }
                continue;
            }
            let _ = now;
            out.effect(&effect, self.machine.config());
        }
    }
}

enum Decoded {
    Input(Input),
    Timeout,
    Current,
    /// A call whose argument is not valid: it fails at once.
    Rejected(u32, crate::Error),
    Nothing,
}

fn decode(kind: u32, arg: u32, flag: i32, text: Option<&str>) -> Decoded {
    let op = OpId(arg);
    let said = || match text {
        Some(text) => PlatformError::said(text),
        None => PlatformError::silent(),
    };
    let input = match kind {
        kind::ENSURE => Input::Ensure { call: arg },
        kind::SET_USER_INFO => match codec::user_info_patch(text.unwrap_or("")) {
            Ok(patch) => Input::SetUserInfo {
                call: arg,
                info: UserInfo::from(patch),
            },
            Err(error) => return Decoded::Rejected(arg, error),
        },
        kind::LOGOUT => Input::Logout { call: arg },
        kind::REQUEST => Input::Request {
            call: arg,
            url: text.unwrap_or("").to_owned(),
        },
        kind::DEVICE_ID => Input::DeviceId { call: arg },
        kind::CURRENT => return Decoded::Current,
        kind::SESSION_READ => Input::SessionRead {
            op,
            found: match (flag, text) {
                (0, Some(text)) => codec::stored_session(text),
                (0, None) => crate::StoredSession::Unreadable,
                _ => crate::StoredSession::Failed,
            },
        },
        kind::DEVICE_ID_READ => Input::DeviceIdRead {
            op,
            found: match (flag, text.map(crate::wire::json::parse)) {
                (0, Some(Some(crate::wire::json::Json::String(id)))) => Some(id),
                _ => None,
            },
        },
        kind::STORAGE_RESULT => Input::StorageResult {
            op,
            result: if flag == 0 { Ok(()) } else { Err(said()) },
        },
        kind::LOGIN_RESULT => Input::LoginResult {
            op,
            result: match text {
                Some(code) if flag == 0 && !code.is_empty() => LoginResult::Code(crate::Secret::new(code)),
                Some(code) if flag == 2 && !code.is_empty() => {
                    LoginResult::AnonymousCode(crate::Secret::new(code))
                }
                _ if flag == 0 || flag == 2 => LoginResult::Failed(PlatformError::silent()),
                _ => LoginResult::Failed(said()),
            },
        },
        kind::POST_RESULT => Input::PostResult {
            op,
            result: match u16::try_from(flag) {
                Ok(status) => Ok(Reply {
                    status,
                    body: match text {
                        Some(text) => codec::reply_body(text),
                        None => ReplyBody::TooLarge,
                    },
                }),
                Err(_) => Err(said()),
            },
        },
        kind::SEND_RESULT => Input::SendResult {
            op,
            result: match flag {
                0 => SendResult::Answered,
                1 => SendResult::SessionRejected,
                _ => SendResult::Failed,
            },
        },
        kind::TIMEOUT => return Decoded::Timeout,
        kind::LISTENERS => Input::Listeners { any: flag != 0 },
        _ => return Decoded::Nothing,
    };
    Decoded::Input(input)
}

/// A time from JavaScript (`Date.now()`) as Unix milliseconds; anything that is not one is 0.
fn time(now: f64) -> u64 {
    if now.is_finite() && now > 0.0 && now <= crate::core::limits::MAX_SAFE_INTEGER as f64 {
        now as u64
    } else {
        0
    }
}

/// `mps_io(units)`: makes the exchange buffer hold at least `units` UTF-16 code units and
/// returns its address in linear memory.
#[no_mangle]
pub extern "C" fn mps_io(units: u32) -> u32 {
    io::reserve(units as usize) as usize as u32
}

/// `mps_create(kind, e0, e1, e2, e3, len)`: [`create`] with the options' text (`len` units)
/// in the buffer and the entropy as four numbers; returns the output's length in the buffer.
#[no_mangle]
pub extern "C" fn mps_create(kind: u32, e0: u32, e1: u32, e2: u32, e3: u32, len: u32) -> u32 {
    let mut entropy = [0u8; 16];
    for (chunk, word) in entropy.chunks_exact_mut(4).zip([e0, e1, e2, e3]) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    let text = io::read(len as usize);
    io::write(&create(kind, entropy, text.as_deref())) as u32
}

/// `mps_input(id, kind, arg, flag, now, len)`: [`input`] with its text (`len` units) in the
/// buffer; returns the output's length in the buffer.
#[no_mangle]
pub extern "C" fn mps_input(id: u32, kind: u32, arg: u32, flag: i32, now: f64, len: u32) -> u32 {
    let text = io::read(len as usize);
    io::write(&input(id, kind, arg, flag, now, text.as_deref())) as u32
}

/// `mps_close(id)`: [`close`].
#[no_mangle]
pub extern "C" fn mps_close(id: u32) {
    close(id);
}

/// Calls the exported functions as JavaScript does, text through the exchange buffer: for
/// tests of the boundary itself.
pub mod exchange {
    use crate::wire::io;

    /// `mps_create` with `options` written into the buffer; the output read back.
    pub fn create(kind: u32, entropy: [u32; 4], options: &str) -> String {
        let len = io::put(options);
        let [e0, e1, e2, e3] = entropy;
        io::take(super::mps_create(kind, e0, e1, e2, e3, len as u32) as usize)
    }

    /// `mps_input` with `text` written into the buffer; the output read back.
    pub fn input(id: u32, kind: u32, arg: u32, flag: i32, now: f64, text: &str) -> String {
        let len = io::put(text);
        io::take(super::mps_input(id, kind, arg, flag, now, len as u32) as usize)
    }
}
