//! The wasm-bindgen driver: runs the [`Machine`] and carries out its effects through the
//! JavaScript [`Host`] the shim hands in.

mod convert;
mod host;

use std::cell::{Cell, RefCell};

use wasm_bindgen::prelude::*;

pub use host::Host;

use crate::{Config, Effect, Input, Machine, OpId, Settled, UserInfo, DEVICE_ID_KEY};

/// One session (one namespace) of the app, as the JS shim sees it.
///
/// Every method returns at once; outcomes reach JavaScript through `host.settle(call, ...)`.
/// The host may call back into the driver from inside a host method (a synchronous fake
/// `wx.login`, say): the driver queues the input and carries on, so nothing is re-entered.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Driver {
    host: Host,
    machine: RefCell<Machine>,
    draining: Cell<bool>,
}

#[wasm_bindgen]
impl Driver {
    /// Checks `options` and builds the driver. Throws `{ code: 'INVALID_CONFIG', ... }`
    /// when an option is wrong. `entropy` is 16 random bytes (fewer are padded with zeros).
    #[wasm_bindgen(constructor)]
    pub fn new(host: Host, options: JsValue, entropy: &[u8]) -> Result<Driver, JsValue> {
        let config = convert::options(options)
            .and_then(Config::from_options)
            .map_err(|e| convert::error(&e))?;
        let mut seed = [0u8; 16];
        for (byte, given) in seed.iter_mut().zip(entropy) {
            *byte = *given;
        }
        Ok(Driver {
            host,
            machine: RefCell::new(Machine::new(config, seed)),
            draining: Cell::new(false),
        })
    }

    /// `launch()` / `ensure()`.
    pub fn ensure(&self, call: u32) {
        self.feed(Input::Ensure { call });
    }

    /// `setUserInfo(info)`.
    #[wasm_bindgen(js_name = setUserInfo)]
    pub fn set_user_info(&self, call: u32, info: JsValue) {
        match convert::user_info(info) {
            Ok(patch) => self.feed(Input::SetUserInfo {
                call,
                info: UserInfo::from(patch),
            }),
            Err(error) => {
                let _ = self
                    .host
                    .settle(call, &convert::error(&error), &JsValue::UNDEFINED);
            }
        }
    }

    /// `logout()`.
    pub fn logout(&self, call: u32) {
        self.feed(Input::Logout { call });
    }

    /// `request(options)`: the shim keeps the options under `call`; the core checks `url`.
    pub fn request(&self, call: u32, url: String) {
        self.feed(Input::Request { call, url });
    }

    /// `deviceId()`.
    #[wasm_bindgen(js_name = deviceId)]
    pub fn device_id(&self, call: u32) {
        self.feed(Input::DeviceId { call });
    }

    /// `current()`: the usable session, or `null`. Reads storage on first use.
    pub fn current(&self) -> JsValue {
        self.feed(Input::Load);
        let now = self.now();
        match self.machine.borrow().current(now) {
            Some(session) => convert::to_js(&session),
            None => JsValue::NULL,
        }
    }

    /// `wx.login` answered: `code` is its code, or anything else when it failed.
    #[wasm_bindgen(js_name = loginDone)]
    pub fn login_done(&self, op: u32, code: JsValue) {
        self.feed(Input::LoginCode {
            op: OpId(op),
            code: convert::login_code(code),
        });
    }

    /// The backend answered with `status` and `data`: the body as text (it is parsed here,
    /// after a length check), or a value `wx.request` already parsed.
    #[wasm_bindgen(js_name = postDone)]
    pub fn post_done(&self, op: u32, status: u32, data: JsValue) {
        self.feed(Input::Replied {
            op: OpId(op),
            reply: convert::reply(status, data),
        });
    }

    /// The request failed (`wx.request` called `fail`).
    #[wasm_bindgen(js_name = postFailed)]
    pub fn post_failed(&self, op: u32) {
        self.feed(Input::PostFailed { op: OpId(op) });
    }

    /// The app's request `op` was answered; `rejected` when the answer says the session is
    /// not accepted (HTTP 401, or the app's `isSessionExpired`).
    pub fn responded(&self, op: u32, rejected: bool) {
        self.feed(Input::Responded {
            op: OpId(op),
            rejected,
        });
    }

    /// The app's request `op` failed (`wx.request` called `fail`).
    #[wasm_bindgen(js_name = requestFailed)]
    pub fn request_failed(&self, op: u32) {
        self.feed(Input::RequestFailed { op: OpId(op) });
    }

    /// A timer fired.
    #[wasm_bindgen(js_name = timerFired)]
    pub fn timer_fired(&self, timer: u32) {
        self.feed(Input::TimerFired { timer: OpId(timer) });
    }
}

impl Driver {
    fn now(&self) -> u64 {
        match self.host.now() {
            Ok(ms) if ms.is_finite() && ms > 0.0 => ms as u64,
            _ => 0,
        }
    }

    fn feed(&self, input: Input) {
        let now = self.now();
        self.machine.borrow_mut().handle(now, input);
        self.drain();
    }

    /// Carries out effects until none is left. Re-entered from a host callback, it returns
    /// at once: the outer loop picks up what the callback queued.
    fn drain(&self) {
        if self.draining.replace(true) {
            return;
        }
        loop {
            let effect = self.machine.borrow_mut().poll_effect();
            match effect {
                Some(effect) => self.carry_out(effect),
                None => break,
            }
        }
        self.draining.set(false);
    }

    fn answer(&self, input: Input) {
        let now = self.now();
        self.machine.borrow_mut().handle(now, input);
    }

    fn carry_out(&self, effect: Effect) {
        let host = &self.host;
        match effect {
            Effect::ReadSession { op, key } => {
                let found = convert::stored_session(host.read_storage(&key));
                self.answer(Input::SessionRead { op, found });
            }
            Effect::WriteSession { op, key, record } => {
                let ok = host.write_storage(&key, &convert::to_js(&record)).is_ok();
                self.answer(Input::Saved { op, ok });
            }
            Effect::RemoveSession { op, key } => {
                let ok = host.remove_storage(&key).is_ok();
                self.answer(Input::Saved { op, ok });
            }
            Effect::ReadDeviceId { op } => {
                let found = convert::device_id(host.read_storage(DEVICE_ID_KEY));
                self.answer(Input::DeviceIdRead { op, found });
            }
            Effect::WriteDeviceId { op, id } => {
                let ok = host.write_storage(DEVICE_ID_KEY, &JsValue::from_str(&id)).is_ok();
                self.answer(Input::Saved { op, ok });
            }
            Effect::Login { op, timeout_ms } => {
                if host.login(op.0, timeout_ms).is_err() {
                    self.answer(Input::LoginCode { op, code: None });
                }
            }
            Effect::Post {
                op,
                url,
                body,
                timeout_ms,
            } => {
                if host.post(op.0, &url, &convert::to_js(&body), timeout_ms).is_err() {
                    self.answer(Input::PostFailed { op });
                }
            }
            Effect::Send {
                op,
                call,
                header,
                token,
            } => {
                let (name, value) = match header {
                    Some(header) => (Some(header.name), Some(header.value.expose().to_owned())),
                    None => (None, None),
                };
                let token = token.map(|t| t.expose().to_owned());
                if host.send(op.0, call, name, value, token).is_err() {
                    self.answer(Input::RequestFailed { op });
                }
            }
            Effect::Abort { op } => {
                let _ = host.abort(op.0);
            }
            Effect::StartTimer { timer, ms } => {
                // A host that cannot start a timer must not leave the flow waiting forever.
                if host.start_timer(timer.0, ms).is_err() {
                    self.answer(Input::TimerFired { timer });
                }
            }
            Effect::CancelTimer { timer } => {
                let _ = host.cancel_timer(timer.0);
            }
            Effect::Settle { call, result } => {
                let (error, value) = match result {
                    Ok(Settled::Session(session)) => (JsValue::UNDEFINED, convert::to_js(&session)),
                    Ok(Settled::DeviceId(id)) => (JsValue::UNDEFINED, JsValue::from_str(&id)),
                    Ok(Settled::Done) => (JsValue::UNDEFINED, JsValue::UNDEFINED),
                    Ok(Settled::Response { op }) => (JsValue::UNDEFINED, JsValue::from(op.0)),
                    Err(error) => (convert::error(&error), JsValue::UNDEFINED),
                };
                let _ = host.settle(call, &error, &value);
            }
            Effect::Changed { session } => {
                let _ = host.changed(&session.as_ref().map_or(JsValue::NULL, convert::to_js));
            }
            Effect::Toast { title } => {
                let _ = host.toast(&title);
            }
        }
    }
}
