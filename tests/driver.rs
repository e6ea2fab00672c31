//! The wasm driver through its JavaScript boundary, with a fake host written in JS: the same
//! calls the shim makes, the same values `wx.*` gives back.
#![cfg(target_arch = "wasm32")]

use js_sys::{Reflect, JSON};
use mp_session::{Driver, Host};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen(inline_js = r#"
export function fakeHost(storage) {
  const host = {
    storage: storage || new Map(),
    t: 1767225600000,
    logins: 0,
    bodies: [],
    settled: new Map(),
    changes: [],
    // The one timer the driver keeps set: its delay, or null.
    timer: null,
    driver: null,
    // What the fake backend answers: [status, data].
    reply: [200, { openid: 'o-js', unionid: 'u-js', token: 'tok-js', expires_in: 3600, session_key: 'SK-SECRET' }],
    loginThrows: false,
    writeThrows: false,
    readStorage(key) { return this.storage.has(key) ? JSON.parse(this.storage.get(key)) : '' },
    writeStorage(key, value) {
      if (this.writeThrows) throw new Error('setStorageSync:fail exceed storage max size 10Mb')
      this.storage.set(key, JSON.stringify(value))
    },
    removeStorage(key) { this.storage.delete(key) },
    // Answers synchronously, from inside the driver's own call.
    login(op, timeoutMs) {
      if (this.loginThrows) throw new TypeError('wx.login is not a function')
      this.logins++
      this.driver.loginDone(this.t, op, 'code-' + this.logins, undefined)
    },
    post(op, url, body, timeoutMs) {
      this.bodies.push(JSON.stringify(body))
      this.driver.postDone(this.t, op, this.reply[0], this.reply[1])
    },
    abort(op) {},
    setTimer(ms) { this.timer = ms },
    clearTimer() { this.timer = null },
    settle(call, error, value) { this.settled.set(call, error === undefined ? { value } : { error }) },
    wantsChanges() { return true },
    changed(session) { this.changes.push(session) },
    toast(title) {},
  }
  return host
}
export function attach(host, driver) { host.driver = driver }
export function call(host, method, id, arg) { host.driver[method](host.t, id, arg) }
export function current(host) { return host.driver.current(host.t) }
export function fireTimer(host) {
  if (host.timer === null) return false
  host.t += host.timer
  host.timer = null
  host.driver.timeout(host.t)
  return true
}
export function settled(host, id) { return host.settled.get(id) }
export function storageDump(host) { return JSON.stringify([...host.storage]) }
export function setStored(host, key, json) { host.storage.set(key, json) }
export function setReply(host, status, data) { host.reply = [status, data] }
export function set(host, field, value) { host[field] = value }
export function get(host, field) { return host[field] }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = fakeHost)]
    fn fake_host(storage: &JsValue) -> Host;
    fn attach(host: &Host, driver: JsValue);
    fn call(host: &Host, method: &str, id: u32, arg: &JsValue);
    fn current(host: &Host) -> JsValue;
    /// Lets the time pass to the driver's timer and fires it; `false` if none was set.
    #[wasm_bindgen(js_name = fireTimer)]
    fn fire_timer(host: &Host) -> bool;
    fn settled(host: &Host, id: u32) -> JsValue;
    #[wasm_bindgen(js_name = storageDump)]
    fn storage_dump(host: &Host) -> String;
    #[wasm_bindgen(js_name = setStored)]
    fn set_stored(host: &Host, key: &str, json: &str);
    #[wasm_bindgen(js_name = setReply)]
    fn set_reply(host: &Host, status: u32, data: &JsValue);
    fn set(host: &Host, field: &str, value: &JsValue);
    fn get(host: &Host, field: &str) -> JsValue;
}

const OPTIONS: &str = r#"{"loginUrl":"https://api.example.com/auth/wx-login"}"#;

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn field(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn text(value: &JsValue, name: &str) -> Option<String> {
    field(value, name).as_string()
}

/// A host (sharing `storage` if given) with a driver attached.
fn app(storage: &JsValue, options: &str) -> Host {
    let host = fake_host(storage);
    let driver =
        Driver::new(host.clone().unchecked_into(), js(options), &[7; 16], false).expect("valid options");
    attach(&host, driver.into());
    host
}

/// The value a call resolved with; panics with the error if it was rejected.
fn resolved(host: &Host, id: u32) -> JsValue {
    let outcome = settled(host, id);
    let error = field(&outcome, "error");
    assert!(
        error.is_undefined(),
        "call {id} was rejected: {:?}",
        JSON::stringify(&error)
    );
    field(&outcome, "value")
}

fn rejected(host: &Host, id: u32) -> JsValue {
    let error = field(&settled(host, id), "error");
    assert!(!error.is_undefined(), "call {id} was not rejected");
    error
}

#[wasm_bindgen_test]
fn a_cold_launch_through_a_synchronous_host_stores_the_session_without_session_key() {
    let host = app(&JsValue::UNDEFINED, OPTIONS);
    call(&host, "ensure", 1, &JsValue::UNDEFINED);

    let session = resolved(&host, 1);
    assert_eq!(text(&session, "openid").as_deref(), Some("o-js"));
    assert_eq!(text(&session, "unionid").as_deref(), Some("u-js"));
    assert_eq!(text(&session, "token").as_deref(), Some("tok-js"));
    assert_eq!(text(&session, "source").as_deref(), Some("login"));
    assert!(field(&session, "userInfo").is_null());
    assert_eq!(
        field(&session, "expiresAt").as_f64(),
        Some(1767225600000.0 + 3_600_000.0)
    );
    assert!(field(&session, "session_key").is_undefined());

    let dump = storage_dump(&host);
    assert!(
        dump.contains("o-js") && !dump.contains("SK-SECRET") && !dump.contains("session_key"),
        "{dump}"
    );
    assert_eq!(get(&host, "logins").as_f64(), Some(1.0));
    let bodies = get(&host, "bodies");
    assert_eq!(
        JSON::stringify(&bodies).unwrap(),
        r#"["{\"code\":\"code-1\",\"platform\":\"wx\"}"]"#
    );
}

#[wasm_bindgen_test]
fn a_restarted_app_reads_the_session_from_storage() {
    let first = app(&JsValue::UNDEFINED, OPTIONS);
    call(&first, "ensure", 1, &JsValue::UNDEFINED);
    let storage = get(&first, "storage");

    let second = app(&storage, OPTIONS);
    let current = current(&second);

    assert_eq!(text(&current, "source").as_deref(), Some("cache"));
    call(&second, "ensure", 1, &JsValue::UNDEFINED);
    assert_eq!(text(&resolved(&second, 1), "openid").as_deref(), Some("o-js"));
    assert_eq!(get(&second, "logins").as_f64(), Some(0.0));
}

#[wasm_bindgen_test]
fn stored_values_of_every_wrong_kind_mean_a_login() {
    for stored in [
        "42",
        "\"{\\\"v\\\":1,\\\"openid\\\":\"",
        "[1,\"o\",null]",
        "{\"v\":1,\"openid\":7}",
        "{\"v\":2,\"openid\":\"o\",\"expiresAt\":1e13,\"obtainedAt\":0}",
        "null",
        "\"\"",
    ] {
        let host = app(&JsValue::UNDEFINED, OPTIONS);
        set_stored(&host, "mp-session:default", stored);
        call(&host, "ensure", 1, &JsValue::UNDEFINED);
        assert_eq!(
            text(&resolved(&host, 1), "source").as_deref(),
            Some("login"),
            "{stored}"
        );
    }
}

#[wasm_bindgen_test]
fn an_answer_that_is_not_an_object_is_a_bad_response() {
    for data in [
        r#"["o-js"]"#,
        r#""<html>oops</html>""#,
        "null",
        r#"{"openid":""}"#,
    ] {
        let host = app(&JsValue::UNDEFINED, OPTIONS);
        set_reply(&host, 200, &js(data));
        call(&host, "ensure", 1, &JsValue::UNDEFINED);

        let error = rejected(&host, 1);
        assert_eq!(text(&error, "code").as_deref(), Some("BAD_RESPONSE"), "{data}");
        assert_eq!(field(&error, "status").as_f64(), Some(200.0));
        assert_eq!(field(&error, "retryable").as_bool(), Some(false));
    }
}

#[wasm_bindgen_test]
fn errcodes_reach_javascript_with_their_number() {
    let host = app(&JsValue::UNDEFINED, OPTIONS);
    set_reply(&host, 403, &js(r#"{"errcode":40226,"errmsg":"high risk"}"#));
    call(&host, "ensure", 1, &JsValue::UNDEFINED);

    let error = rejected(&host, 1);
    assert_eq!(text(&error, "code").as_deref(), Some("BACKEND"));
    assert_eq!(field(&error, "errcode").as_f64(), Some(40226.0));
    assert_eq!(field(&error, "status").as_f64(), Some(403.0));
}

#[wasm_bindgen_test]
fn a_throwing_write_gives_storage_with_the_usable_session() {
    let host = app(&JsValue::UNDEFINED, OPTIONS);
    set(&host, "writeThrows", &JsValue::TRUE);
    call(&host, "ensure", 1, &JsValue::UNDEFINED);

    let error = rejected(&host, 1);
    assert_eq!(text(&error, "code").as_deref(), Some("STORAGE"));
    assert_eq!(
        text(&error, "detail").as_deref(),
        Some("setStorageSync:fail exceed storage max size 10Mb")
    );
    assert_eq!(text(&field(&error, "session"), "openid").as_deref(), Some("o-js"));
    assert_eq!(text(&current(&host), "openid").as_deref(), Some("o-js"));
}

#[wasm_bindgen_test]
fn a_throwing_wx_login_is_a_login_failure_not_a_crash() {
    let host = app(
        &JsValue::UNDEFINED,
        r#"{"loginUrl":"https://a.example.com/l","maxRetries":1}"#,
    );
    set(&host, "loginThrows", &JsValue::TRUE);
    call(&host, "ensure", 1, &JsValue::UNDEFINED);
    assert!(fire_timer(&host), "the backoff before the one retry is one timer");
    assert!(!fire_timer(&host), "after the retry failed too, no timer is left");

    let error = rejected(&host, 1);
    assert_eq!(text(&error, "code").as_deref(), Some("LOGIN_FAILED"));
    assert_eq!(field(&error, "retryable").as_bool(), Some(true));
    assert_eq!(
        text(&error, "detail").as_deref(),
        Some("wx.login is not a function"),
        "what the platform said travels with the failure"
    );
}

#[wasm_bindgen_test]
fn bad_options_throw_invalid_config_naming_the_option() {
    for (options, words) in [
        (
            r#"{"loginURL":"https://a.com"}"#,
            "loginURL is not a known field; expected one of loginUrl",
        ),
        (r#"{"loginUrl":"http://a.com"}"#, "https"),
        (
            r#"{"loginUrl":"https://a.com","timeoutMs":"9"}"#,
            "timeoutMs must be a number",
        ),
        ("null", "options are not valid"),
        ("[]", "options are not valid: must be an object"),
    ] {
        let error = Driver::new(fake_host(&JsValue::UNDEFINED), js(options), &[], false).unwrap_err();
        assert_eq!(
            text(&error, "code").as_deref(),
            Some("INVALID_CONFIG"),
            "{options}"
        );
        let message = text(&error, "message").unwrap_or_default();
        assert!(message.contains(words), "{options}: {message}");
    }
}

#[wasm_bindgen_test]
fn set_user_info_rejects_a_misspelt_field() {
    let host = app(&JsValue::UNDEFINED, OPTIONS);
    call(&host, "setUserInfo", 1, &js(r#"{"nickname":"Ann"}"#));

    let error = rejected(&host, 1);
    assert_eq!(text(&error, "code").as_deref(), Some("INVALID_ARGUMENT"));
    assert!(text(&error, "message").unwrap().contains("nickname"));
    call(&host, "setUserInfo", 2, &js(r#"{"nickName":"Ann"}"#));
    let info = field(&resolved(&host, 2), "userInfo");
    assert_eq!(text(&info, "nickName").as_deref(), Some("Ann"));
}

#[wasm_bindgen_test]
fn logout_and_device_id_through_the_boundary() {
    let host = app(&JsValue::UNDEFINED, OPTIONS);
    call(&host, "deviceId", 1, &JsValue::UNDEFINED);
    let id = resolved(&host, 1).as_string().unwrap();
    call(&host, "ensure", 2, &JsValue::UNDEFINED);
    call(&host, "logout", 3, &JsValue::UNDEFINED);

    assert!(resolved(&host, 3).is_undefined());
    assert!(current(&host).is_null());
    let dump = storage_dump(&host);
    assert!(dump.contains(&id) && !dump.contains("o-js"), "{dump}");
    let changes = JSON::stringify(&get(&host, "changes"))
        .unwrap()
        .as_string()
        .unwrap();
    assert!(changes.ends_with(",null]"), "{changes}");
}
