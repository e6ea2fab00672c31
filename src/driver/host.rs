//! The JavaScript host object the shim hands in: everything the driver does goes through it.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// Carries out effects with `wx.*` (js-shim/host.js), or with fakes in a test. Every
    /// method that reaches `wx.*` is declared `catch`: a throwing host never unwinds
    /// through Rust.
    #[derive(Debug)]
    pub type Host;

    /// `wx.getStorageSync(key)`.
    #[wasm_bindgen(method, catch, js_name = readStorage)]
    pub fn read_storage(this: &Host, key: &str) -> Result<JsValue, JsValue>;

    /// `wx.setStorageSync(key, value)`.
    #[wasm_bindgen(method, catch, js_name = writeStorage)]
    pub fn write_storage(this: &Host, key: &str, value: &JsValue) -> Result<(), JsValue>;

    /// `wx.removeStorageSync(key)`.
    #[wasm_bindgen(method, catch, js_name = removeStorage)]
    pub fn remove_storage(this: &Host, key: &str) -> Result<(), JsValue>;

    /// Starts `wx.getStorage({ key, encrypt: true })`; the value comes back through
    /// `Driver.sessionRead` or `Driver.deviceIdRead`, as `kind` (`"session"`, `"device"`) says.
    #[wasm_bindgen(method, catch, js_name = readStorageAsync)]
    pub fn read_storage_async(this: &Host, op: u32, key: &str, kind: &str) -> Result<(), JsValue>;

    /// Starts `wx.setStorage({ key, data, encrypt: true })`; answered through `Driver.saved`.
    #[wasm_bindgen(method, catch, js_name = writeStorageAsync)]
    pub fn write_storage_async(this: &Host, op: u32, key: &str, value: &JsValue) -> Result<(), JsValue>;

    /// Starts `wx.removeStorage({ key })`; answered through `Driver.saved`.
    #[wasm_bindgen(method, catch, js_name = removeStorageAsync)]
    pub fn remove_storage_async(this: &Host, op: u32, key: &str) -> Result<(), JsValue>;

    /// Starts `wx.login`; the answer comes back through `Driver.loginDone(now, op, code, errMsg)`.
    #[wasm_bindgen(method, catch)]
    pub fn login(this: &Host, op: u32, timeout_ms: u32) -> Result<(), JsValue>;

    /// Starts the POST; the answer comes back through `Driver.postDone` or `Driver.postFailed`.
    #[wasm_bindgen(method, catch)]
    pub fn post(this: &Host, op: u32, url: &str, body: &JsValue, timeout_ms: u32) -> Result<(), JsValue>;

    /// Sends the app's request `call` (the shim holds its options) with the token header
    /// `name: value` (all three `undefined` without a token; `token` is for `attachToken`);
    /// the answer comes back through `Driver.responded` or `Driver.requestFailed`.
    #[wasm_bindgen(method, catch)]
    pub fn send(
        this: &Host,
        op: u32,
        call: u32,
        name: Option<String>,
        value: Option<String>,
        token: Option<String>,
    ) -> Result<(), JsValue>;

    /// Aborts the POST `op` if it is still under way.
    #[wasm_bindgen(method, catch)]
    pub fn abort(this: &Host, op: u32) -> Result<(), JsValue>;

    /// Sets the one timer to fire in `ms` (replacing any set before); it fires through
    /// `Driver.timeout(now)`.
    #[wasm_bindgen(method, catch, js_name = setTimer)]
    pub fn set_timer(this: &Host, ms: u32) -> Result<(), JsValue>;

    /// Stops the timer: the machine waits for nothing but inputs.
    ///
    /// This and the other methods below without `catch` are the shim's own code, which does
    /// not throw: `catch` costs every call a wrapper, and some are on the cached launch's
    /// path. If one did throw, the shim would see it as a trap and load a fresh core.
    #[wasm_bindgen(method, js_name = clearTimer)]
    pub fn clear_timer(this: &Host);

    /// Settles the app's call: rejects with `error` when it is not `undefined`, else
    /// resolves with `value`.
    #[wasm_bindgen(method)]
    pub fn settle(this: &Host, call: u32, error: &JsValue, value: &JsValue);

    /// Whether any `onChange` listener is registered (if not, changes are not converted).
    #[wasm_bindgen(method, js_name = wantsChanges)]
    pub fn wants_changes(this: &Host) -> bool;

    /// Tells the `onChange` listeners (`session` is `null` after a logout).
    #[wasm_bindgen(method)]
    pub fn changed(this: &Host, session: &JsValue);

    /// Web pages: leaves for the OAuth authorize URL (`location.assign(url)`).
    #[cfg(feature = "web")]
    #[wasm_bindgen(method, catch)]
    pub fn redirect(this: &Host, url: &str) -> Result<(), JsValue>;

    /// `wx.showToast({ title, icon: 'none' })`.
    #[wasm_bindgen(method, catch)]
    pub fn toast(this: &Host, title: &str) -> Result<(), JsValue>;
}
