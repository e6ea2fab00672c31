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

use crate::{Config, Input, Machine, OpId, Session, UserInfo};

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
    /// The time of the call being carried out (see [`Driver::now`]).
    call_time: Cell<Option<u64>>,
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
            .for_web();
        let mut driver = Driver::new_with_config(host, config, entropy, false);
        driver.web = Some(web::WebSide::new(oauth));
        Ok(driver)
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
            Err(error) => self
                .host
                .settle(call, &convert::error(&error), &JsValue::UNDEFINED),
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
        let current = self.machine.borrow().current(now);
        match current {
            Some(session) => self.session_js(&session),
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

    /// An asynchronous read of the session key answered with `value` (`undefined` when
    /// nothing was there or the read failed).
    #[wasm_bindgen(js_name = sessionRead)]
    pub fn session_read(&self, op: u32, value: JsValue) {
        let found = convert::stored_session(Ok(value));
        self.feed(Input::SessionRead { op: OpId(op), found });
    }

    /// An asynchronous read of the device id answered with `value`.
    #[wasm_bindgen(js_name = deviceIdRead)]
    pub fn device_id_read(&self, op: u32, value: JsValue) {
        self.feed(Input::DeviceIdRead {
            op: OpId(op),
            found: convert::device_id(Ok(value)),
        });
    }

    /// An asynchronous write or removal finished; `ok` is false when it failed.
    pub fn saved(&self, op: u32, ok: bool) {
        self.feed(Input::Saved { op: OpId(op), ok });
    }

    /// A timer fired.
    #[wasm_bindgen(js_name = timerFired)]
    pub fn timer_fired(&self, timer: u32) {
        self.feed(Input::TimerFired { timer: OpId(timer) });
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
            call_time: Cell::new(None),
            async_storage,
            last_session: RefCell::new(None),
            #[cfg(feature = "web")]
            web: None,
        }
    }

    /// The time, read once per call from JavaScript: the inputs and answers one call handles
    /// all happen at the same moment.
    fn now(&self) -> u64 {
        if let Some(now) = self.call_time.get() {
            return now;
        }
        let ms = self.host.now();
        let now = if ms.is_finite() && ms > 0.0 { ms as u64 } else { 0 };
        if self.draining.get() {
            self.call_time.set(Some(now));
        }
        now
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
        self.call_time.set(None);
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

    fn answer(&self, input: Input) {
        let now = self.now();
        self.machine.borrow_mut().handle(now, input);
    }
}
