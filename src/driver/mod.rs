//! The wasm-bindgen driver: runs the [`Machine`] and carries out its effects through the
//! JavaScript [`Host`] the shim hands in.

mod convert;
mod effects;
pub mod from_js;
mod host;
pub mod to_js;
#[cfg(feature = "web")]
mod web;

use std::cell::{Cell, RefCell};

use wasm_bindgen::prelude::*;

pub use host::Host;

use crate::{Config, Input, LoginResult, Machine, OpId, SendResult, Session, UserInfo};

/// One session (one namespace) of the app, as the JS shim sees it.
///
/// Every method takes the time (`Date.now()`) first and returns at once; outcomes reach
/// JavaScript through `host.settle(call, ...)`. The host may call back into the driver from
/// inside a host method (a synchronous fake `wx.login`, say): the driver queues the input and
/// carries on, so nothing is re-entered. The machine's deadlines become one timer
/// (`host.setTimer(ms)` / `host.clearTimer()`), which calls `timeout(now)`.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Driver {
    host: Host,
    machine: RefCell<Machine>,
    draining: Cell<bool>,
    /// The time of the call being carried out: its answers from inside host calls happen at
    /// the same moment.
    call_time: Cell<u64>,
    /// The deadline the host's timer is set for.
    timer: Cell<Option<u64>>,
    /// Storage goes through `wx.getStorage`/`setStorage` with `encrypt: true`, which answer
    /// later, instead of the synchronous calls.
    async_storage: bool,
    /// The session last handed to JavaScript, and its JavaScript value: the many calls a
    /// login settles at once get the same value without converting it again (the shim
    /// copies it for each caller).
    last_session: RefCell<Option<(Session, JsValue)>>,
    /// On a web page: browser storage and the OAuth redirect.
    #[cfg(feature = "web")]
    web: Option<web::WebSide>,
}

#[wasm_bindgen]
impl Driver {
    /// Checks `options` and builds the driver. Throws `{ code: 'INVALID_CONFIG', ... }`
    /// when an option is wrong. `entropy` is 16 random bytes (fewer are padded with zeros).
    /// With `async_storage`, storage goes through the host's `*StorageAsync` methods.
    #[wasm_bindgen(constructor)]
    pub fn new(host: Host, options: JsValue, entropy: &[u8], async_storage: bool) -> Result<Driver, JsValue> {
        let config = convert::options(options)
            .and_then(Config::from_options)
            .map_err(|e| convert::error(&e))?;
        Ok(Driver::new_with_config(host, config, entropy, async_storage))
    }

    /// A driver for a web page (`mp-session/web`): `options` as for the mini-program, and
    /// `web_options` `{ appid, scope?, authorizeUrl?, redirectUri? }`. Throws
    /// `{ code: 'INVALID_CONFIG', ... }` when one is wrong. Reads the code the URL brought
    /// back, if any, and takes it out of the address bar.
    #[cfg(feature = "web")]
    #[wasm_bindgen(js_name = newWeb)]
    pub fn new_web(
        host: Host,
        options: JsValue,
        web_options: JsValue,
        entropy: &[u8],
    ) -> Result<Driver, JsValue> {
        let web_options =
            crate::decode::decode_object::<crate::web::oauth::WebOptions, _>(from_js::FromJs(web_options))
                .map_err(|e| {
                    let mut message = String::from("web options are not valid: ");
                    message.push_str(&e.describe());
                    convert::error(&crate::Error::invalid_config(message))
                })?;
        let oauth = crate::web::oauth::OAuth::from_options(web_options).map_err(|e| convert::error(&e))?;
        let config = convert::options(options)
            .and_then(Config::from_options)
            .map_err(|e| convert::error(&e))?
            .for_platform(crate::Platform::Web);
        let mut driver = Driver::new_with_config(host, config, entropy, false);
        driver.web = Some(web::WebSide::new(oauth));
        Ok(driver)
    }

    /// `launch()` / `ensure()`.
    pub fn ensure(&self, now: f64, call: u32) {
        self.feed(now, Input::Ensure { call });
    }

    /// `setUserInfo(info)`.
    #[wasm_bindgen(js_name = setUserInfo)]
    pub fn set_user_info(&self, now: f64, call: u32, info: JsValue) {
        match convert::user_info(info) {
            Ok(patch) => self.feed(
                now,
                Input::SetUserInfo {
                    call,
                    info: UserInfo::from(patch),
                },
            ),
            Err(error) => self
                .host
                .settle(call, &convert::error(&error), &JsValue::UNDEFINED),
        }
    }

    /// `logout()`.
    pub fn logout(&self, now: f64, call: u32) {
        self.feed(now, Input::Logout { call });
    }

    /// `request(options)`: the shim keeps the options under `call`; the core checks `url`.
    pub fn request(&self, now: f64, call: u32, url: String) {
        self.feed(now, Input::Request { call, url });
    }

    /// `deviceId()`.
    #[wasm_bindgen(js_name = deviceId)]
    pub fn device_id(&self, now: f64, call: u32) {
        self.feed(now, Input::DeviceId { call });
    }

    /// `current()`: the usable session, or `null`. Reads storage on first use.
    pub fn current(&self, now: f64) -> JsValue {
        self.feed(now, Input::Load);
        let current = self.machine.borrow().current(self.call_time.get());
        match current {
            Some(session) => self.session_js(&session),
            None => JsValue::NULL,
        }
    }

    /// `wx.login` answered: `code` is its code, or anything else when it failed, with the
    /// platform's `errMsg`.
    #[wasm_bindgen(js_name = loginDone)]
    pub fn login_done(&self, now: f64, op: u32, code: JsValue, err_msg: JsValue) {
        let result = match convert::login_code(code) {
            Some(code) => LoginResult::Code(code),
            None => LoginResult::Failed(convert::platform_error(&err_msg)),
        };
        self.feed(now, Input::LoginResult { op: OpId(op), result });
    }

    /// The backend answered with `status` and `data`: the body as text (it is parsed here,
    /// after a length check), or a value `wx.request` already parsed.
    #[wasm_bindgen(js_name = postDone)]
    pub fn post_done(&self, now: f64, op: u32, status: u32, data: JsValue) {
        let result = Ok(convert::reply(status, data));
        self.feed(now, Input::PostResult { op: OpId(op), result });
    }

    /// The login request failed (`wx.request` called `fail` with `err_msg`).
    #[wasm_bindgen(js_name = postFailed)]
    pub fn post_failed(&self, now: f64, op: u32, err_msg: JsValue) {
        let result = Err(convert::platform_error(&err_msg));
        self.feed(now, Input::PostResult { op: OpId(op), result });
    }

    /// The app's request `op` was answered; `rejected` when the answer says the session is
    /// not accepted (HTTP 401, or the app's `isSessionExpired`).
    pub fn responded(&self, now: f64, op: u32, rejected: bool) {
        let result = if rejected {
            SendResult::SessionRejected
        } else {
            SendResult::Answered
        };
        self.feed(now, Input::SendResult { op: OpId(op), result });
    }

    /// The app's request `op` failed (`wx.request` called `fail`).
    #[wasm_bindgen(js_name = requestFailed)]
    pub fn request_failed(&self, now: f64, op: u32) {
        self.feed(
            now,
            Input::SendResult {
                op: OpId(op),
                result: SendResult::Failed,
            },
        );
    }

    /// An asynchronous read of the session key answered with `value` (`undefined` when
    /// nothing was there or the read failed).
    #[wasm_bindgen(js_name = sessionRead)]
    pub fn session_read(&self, now: f64, op: u32, value: JsValue) {
        let found = convert::stored_session(Ok(value));
        self.feed(now, Input::SessionRead { op: OpId(op), found });
    }

    /// An asynchronous read of the device id answered with `value`.
    #[wasm_bindgen(js_name = deviceIdRead)]
    pub fn device_id_read(&self, now: f64, op: u32, value: JsValue) {
        self.feed(
            now,
            Input::DeviceIdRead {
                op: OpId(op),
                found: convert::device_id(Ok(value)),
            },
        );
    }

    /// An asynchronous write or removal finished: `err_msg` is `undefined` when it succeeded,
    /// else what storage said.
    pub fn saved(&self, now: f64, op: u32, failed: bool, err_msg: JsValue) {
        let result = if failed {
            Err(convert::platform_error(&err_msg))
        } else {
            Ok(())
        };
        self.feed(now, Input::StorageResult { op: OpId(op), result });
    }

    /// The timer set with `host.setTimer` fired.
    pub fn timeout(&self, now: f64) {
        self.timer.set(None);
        self.call_time.set(convert::time(now));
        self.machine.borrow_mut().handle_timeout(self.call_time.get());
        self.drain();
    }
}

impl Driver {
    fn new_with_config(host: Host, config: Config, entropy: &[u8], async_storage: bool) -> Driver {
        let mut seed = [0u8; 16];
        for (byte, given) in seed.iter_mut().zip(entropy) {
            *byte = *given;
        }
        Driver {
            host,
            machine: RefCell::new(Machine::new(config, seed)),
            draining: Cell::new(false),
            call_time: Cell::new(0),
            timer: Cell::new(None),
            async_storage,
            last_session: RefCell::new(None),
            #[cfg(feature = "web")]
            web: None,
        }
    }

    fn feed(&self, now: f64, input: Input) {
        // A call from inside a host method (re-entered) keeps the outer call's time.
        if !self.draining.get() {
            self.call_time.set(convert::time(now));
        }
        self.machine.borrow_mut().handle(self.call_time.get(), input);
        self.drain();
    }

    /// Carries out effects until none is left, then sets the host's one timer for the
    /// machine's deadline. Re-entered from a host callback, it returns at once: the outer
    /// loop picks up what the callback queued.
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
        let deadline = self.machine.borrow().poll_timeout();
        if deadline != self.timer.get() {
            self.timer.set(deadline);
            match deadline {
                Some(at) => {
                    let ms = at.saturating_sub(self.call_time.get()).min(u64::from(u32::MAX));
                    // A host that cannot set a timer must not leave the flow waiting forever.
                    if self.host.set_timer(ms as u32).is_err() {
                        self.timer.set(None);
                        self.machine.borrow_mut().handle_timeout(at);
                        self.drain();
                    }
                }
                None => self.host.clear_timer(),
            }
        }
    }

    /// `session` as a JavaScript value, converted once for a run of identical sessions.
    fn session_js(&self, session: &Session) -> JsValue {
        if let Some((last, value)) = &*self.last_session.borrow() {
            if last == session {
                return value.clone();
            }
        }
        let value = convert::to_js(session);
        *self.last_session.borrow_mut() = Some((session.clone(), value.clone()));
        value
    }

    /// Feeds the result of an effect carried out in this drain (at the call's time).
    fn answer(&self, input: Input) {
        self.machine.borrow_mut().handle(self.call_time.get(), input);
    }
}
