//! The core's boundary, driven the way the JS shim drives it: numbers and one exchange buffer
//! in, one JSON text of effects out (`mps_create`, `mps_input`), with a small host written
//! here in place of `wx.*`. Runs natively and under wasm-bindgen-test.

use std::collections::BTreeMap;

use mp_session::host::{exchange, kind};
use serde_json::{json, Value};
use wasm_bindgen_test::wasm_bindgen_test;

const NOW: f64 = 1_767_225_600_000.0;
const NOW_MS: u64 = 1_767_225_600_000;
const OPTIONS: &str = r#"{"loginUrl":"https://api.example.com/auth/wx-login"}"#;

/// A session in the core, and a host for it: storage, `wx.login`, the backend.
struct App {
    id: u32,
    now: f64,
    storage: BTreeMap<String, String>,
    logins: usize,
    bodies: Vec<Value>,
    /// What the backend answers: (status, body text).
    reply: (i32, String),
    write_fails: bool,
    login_fails: bool,
    /// `wx.login` gives Douyin's `anonymousCode` only (a user not logged in to Douyin).
    anonymous: bool,
    /// The cloud functions called: (name, data).
    functions: Vec<(String, Value)>,
    /// How each call settled: `Ok(value)` or `Err(error)`.
    settled: BTreeMap<u32, Result<Value, Value>>,
    changes: Vec<Value>,
    deadline: Option<f64>,
    /// Effects not carried out yet, in order.
    queue: Vec<Value>,
}

impl App {
    fn new(options: &str) -> App {
        App::with_storage(options, BTreeMap::new())
    }

    fn with_storage(options: &str, storage: BTreeMap<String, String>) -> App {
        let made: Value = serde_json::from_str(&exchange::create(0, [7, 7, 7, 7], options)).unwrap();
        let id = made["id"]
            .as_u64()
            .unwrap_or_else(|| panic!("not created: {made}")) as u32;
        let mut app = App {
            id,
            now: NOW,
            storage,
            logins: 0,
            bodies: Vec::new(),
            reply: (
                200,
                r#"{"openid":"o-js","unionid":"u-js","token":"tok-js","expires_in":3600,"session_key":"SK-SECRET"}"#
                    .into(),
            ),
            write_fails: false,
            login_fails: false,
            anonymous: false,
            functions: Vec::new(),
            settled: BTreeMap::new(),
            changes: Vec::new(),
            deadline: None,
            queue: Vec::new(),
        };
        // The app listens for changes: the core says what changed only then.
        app.feed(kind::LISTENERS, 0, 1, "");
        app
    }

    /// Feeds one input and carries out everything that follows, as the shim does.
    fn feed(&mut self, kind: u32, arg: u32, flag: i32, text: &str) -> Value {
        let out: Value =
            serde_json::from_str(&exchange::input(self.id, kind, arg, flag, self.now, text)).unwrap();
        self.deadline = out["t"].as_f64();
        let sessions = out["s"].as_array().unwrap().clone();
        let mut current = Value::Null;
        for mut effect in out["e"].as_array().unwrap().iter().cloned() {
            let at = |e: &Value| {
                e.as_u64()
                    .map(|i| sessions[i as usize].clone())
                    .unwrap_or(Value::Null)
            };
            match effect[0].as_u64().unwrap() {
                9 if effect[2] == 0 => effect[3] = at(&effect[3]),
                11 | 14 => effect[1] = at(&effect[1]),
                _ => {}
            }
            if effect[0] == 14 {
                current = effect[1].clone();
            } else {
                self.queue.push(effect);
            }
        }
        while !self.queue.is_empty() {
            let effect = self.queue.remove(0);
            self.carry_out(&effect);
        }
        current
    }

    fn carry_out(&mut self, e: &Value) {
        let op = e[1].as_u64().unwrap_or(0) as u32;
        match e[0].as_u64().unwrap() {
            0 | 3 => {
                let kind = if e[0] == 0 {
                    kind::SESSION_READ
                } else {
                    kind::DEVICE_ID_READ
                };
                let text = self
                    .storage
                    .get(e[2].as_str().unwrap())
                    .cloned()
                    .unwrap_or("null".into());
                self.feed(kind, op, 0, &text);
            }
            1 | 4 => {
                if self.write_fails {
                    self.feed(
                        kind::STORAGE_RESULT,
                        op,
                        1,
                        "setStorageSync:fail exceed storage max size 10Mb",
                    );
                } else {
                    self.storage
                        .insert(e[2].as_str().unwrap().into(), e[3].to_string());
                    self.feed(kind::STORAGE_RESULT, op, 0, "");
                }
            }
            2 => {
                self.storage.remove(e[2].as_str().unwrap());
                self.feed(kind::STORAGE_RESULT, op, 0, "");
            }
            5 => {
                if self.login_fails {
                    self.feed(kind::LOGIN_RESULT, op, 1, "login:fail wx.login is not a function");
                } else {
                    self.logins += 1;
                    let code = format!("code-{}", self.logins);
                    self.feed(kind::LOGIN_RESULT, op, if self.anonymous { 2 } else { 0 }, &code);
                }
            }
            6 => {
                self.bodies.push(e[3].clone());
                let (status, body) = self.reply.clone();
                self.feed(kind::POST_RESULT, op, status, &body);
            }
            9 => {
                self.settled.insert(op, Ok(e[3].clone()));
            }
            10 => {
                self.settled.insert(op, Err(e[2].clone()));
            }
            11 => self.changes.push(e[1].clone()),
            15 => {
                self.functions
                    .push((e[2].as_str().unwrap().to_owned(), e[3].clone()));
                let (status, body) = self.reply.clone();
                self.feed(kind::POST_RESULT, op, status, &body);
            }
            _ => {}
        }
    }

    fn call(&mut self, kind: u32, call: u32, text: &str) {
        self.feed(kind, call, 0, text);
    }

    fn resolved(&self, call: u32) -> Value {
        match self.settled.get(&call) {
            Some(Ok(value)) => value.clone(),
            other => panic!("call {call}: {other:?}"),
        }
    }

    fn rejected(&self, call: u32) -> Value {
        match self.settled.get(&call) {
            Some(Err(error)) => error.clone(),
            other => panic!("call {call} was not rejected: {other:?}"),
        }
    }

    /// Lets the time pass to the output's deadline and wakes the core.
    fn fire_timer(&mut self) -> bool {
        let Some(at) = self.deadline else { return false };
        self.now = at;
        self.feed(kind::TIMEOUT, 0, 0, "");
        true
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn a_cold_launch_crosses_as_json_and_stores_the_session_without_session_key() {
    let mut app = App::new(OPTIONS);
    app.call(kind::ENSURE, 1, "");

    let session = app.resolved(1);
    assert_eq!(session["openid"], "o-js");
    assert_eq!(session["unionid"], "u-js");
    assert_eq!(session["token"], "tok-js");
    assert_eq!(session["expiresAt"], NOW_MS + 3_600_000);
    assert_eq!(session["source"], "login");
    assert_eq!(app.logins, 1);
    assert_eq!(app.bodies, [json!({"code": "code-1", "platform": "wx"})]);
    let stored = &app.storage["mp-session:default"];
    let record: Value = serde_json::from_str(stored).unwrap();
    assert_eq!(
        record,
        json!({"v": 1, "openid": "o-js", "unionid": "u-js", "token": "tok-js",
               "expiresAt": NOW_MS + 3_600_000, "obtainedAt": NOW_MS, "userInfo": null})
    );
    assert!(!stored.contains("SK-SECRET"));
    assert_eq!(app.changes.len(), 1);
    assert_eq!(app.deadline, None, "nothing left to wait for");
}

#[wasm_bindgen_test(unsupported = test)]
fn a_restarted_app_reads_the_session_from_storage_and_calls_nothing() {
    let mut first = App::new(OPTIONS);
    first.call(kind::ENSURE, 1, "");
    let mut app = App::with_storage(OPTIONS, first.storage.clone());
    app.now += 60_000.0;

    app.call(kind::ENSURE, 1, "");

    assert_eq!(app.resolved(1)["source"], "cache");
    assert_eq!((app.logins, app.bodies.len()), (0, 0));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_record_written_by_the_previous_release_is_read() {
    // What 0.1 wrote, field order and all.
    let stored = r#"{"v":1,"openid":"o-old","unionid":null,"token":"t-old","expiresAt":1767229200000,"obtainedAt":1767222000000,"userInfo":{"nickName":"小明","avatarUrl":null}}"#;
    let storage = BTreeMap::from([("mp-session:default".to_owned(), stored.to_owned())]);
    let mut app = App::with_storage(OPTIONS, storage);

    app.call(kind::ENSURE, 1, "");

    let session = app.resolved(1);
    assert_eq!(
        (session["openid"].as_str(), session["source"].as_str()),
        (Some("o-old"), Some("cache"))
    );
    assert_eq!(session["userInfo"]["nickName"], "小明");
}

#[wasm_bindgen_test(unsupported = test)]
fn stored_values_of_every_wrong_kind_mean_a_login() {
    for stored in [
        "\"\"",
        "\"garbage\"",
        "42",
        "[1,2]",
        "{\"v\":1}",
        "{\"v\":2,\"openid\":\"o\",\"expiresAt\":1,\"obtainedAt\":0}",
        "{\"v\":1,\"openid\":\"o\",\"expiresAt\":1.5e12,\"obtainedAt\":0}",
        "{not json",
    ] {
        let storage = BTreeMap::from([("mp-session:default".to_owned(), stored.to_owned())]);
        let mut app = App::with_storage(OPTIONS, storage);
        app.call(kind::ENSURE, 1, "");
        assert_eq!(app.resolved(1)["source"], "login", "{stored}");
        assert_eq!(app.logins, 1, "{stored}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn an_answer_that_is_not_an_object_is_a_bad_response() {
    for body in ["[]", "\"o\"", "<html>", ""] {
        let mut app = App::new(OPTIONS);
        app.reply = (200, body.into());
        app.call(kind::ENSURE, 1, "");
        assert_eq!(app.rejected(1)["code"], "BAD_RESPONSE", "{body}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn an_answer_too_long_to_copy_is_refused_unread() {
    let mut app = App::new(OPTIONS);
    app.reply = (200, format!(r#"{{"openid":"o","pad":"{}"}}"#, "x".repeat(70_000)));
    app.call(kind::ENSURE, 1, "");

    let error = app.rejected(1);
    assert_eq!(error["code"], "BAD_RESPONSE");
    assert!(error["message"].as_str().unwrap().contains("65536"));
}

#[wasm_bindgen_test(unsupported = test)]
fn errcodes_reach_javascript_with_their_number() {
    let mut app = App::new(OPTIONS);
    app.reply = (403, r#"{"errcode":40226,"errmsg":"high risk"}"#.into());
    app.call(kind::ENSURE, 1, "");

    let error = app.rejected(1);
    assert_eq!(
        (
            &error["code"],
            &error["errcode"],
            &error["status"],
            &error["retryable"]
        ),
        (&json!("BACKEND"), &json!(40226), &json!(403), &json!(false))
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn a_refused_write_gives_storage_with_the_usable_session_and_what_storage_said() {
    let mut app = App::new(OPTIONS);
    app.write_fails = true;
    app.call(kind::ENSURE, 1, "");

    let error = app.rejected(1);
    assert_eq!(error["code"], "STORAGE");
    assert_eq!(
        error["detail"],
        "setStorageSync:fail exceed storage max size 10Mb"
    );
    assert_eq!(error["session"]["openid"], "o-js");
    assert_eq!(app.feed(kind::CURRENT, 0, 0, "")["openid"], "o-js");
}

#[wasm_bindgen_test(unsupported = test)]
fn a_failing_wx_login_is_retried_after_one_timer_and_reports_what_wx_said() {
    let mut app = App::new(r#"{"loginUrl":"https://a.example.com/l","maxRetries":1}"#);
    app.login_fails = true;
    app.call(kind::ENSURE, 1, "");
    assert!(app.settled.is_empty());

    assert!(app.fire_timer(), "the backoff before the one retry is one timer");
    assert!(!app.fire_timer(), "after the retry failed too, no timer is left");

    let error = app.rejected(1);
    assert_eq!(
        (&error["code"], &error["retryable"]),
        (&json!("LOGIN_FAILED"), &json!(true))
    );
    assert_eq!(error["detail"], "login:fail wx.login is not a function");
}

#[wasm_bindgen_test(unsupported = test)]
fn bad_options_are_invalid_config_naming_the_option() {
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
        (
            r#"{"loginUrl":"https://a.com","allowedOrigins":["https://a.com",7]}"#,
            "allowedOrigins must be a string",
        ),
        ("null", "options are not valid: must be an object"),
        ("[]", "options are not valid: must be an object"),
        ("{", "options are not valid"),
    ] {
        let made: Value = serde_json::from_str(&exchange::create(0, [0; 4], options)).unwrap();
        assert_eq!(made["error"]["code"], "INVALID_CONFIG", "{options}");
        let message = made["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(words), "{options}: {message}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn set_user_info_rejects_a_misspelt_field_and_keeps_chinese_and_emoji() {
    let mut app = App::new(OPTIONS);
    app.call(kind::SET_USER_INFO, 1, r#"{"nickname":"Ann"}"#);
    let error = app.rejected(1);
    assert_eq!(error["code"], "INVALID_ARGUMENT");
    assert!(error["message"].as_str().unwrap().contains("nickname"));

    app.call(kind::SET_USER_INFO, 2, r#"{"nickName":"小明 😀"}"#);
    assert_eq!(
        app.resolved(2)["userInfo"],
        json!({"nickName": "小明 😀", "avatarUrl": null})
    );
    let stored: Value = serde_json::from_str(&app.storage["mp-session:default"]).unwrap();
    assert_eq!(stored["userInfo"]["nickName"], "小明 😀");
}

#[wasm_bindgen_test(unsupported = test)]
fn logout_and_device_id_through_the_boundary() {
    let mut app = App::new(OPTIONS);
    app.call(kind::DEVICE_ID, 1, "");
    let id = app.resolved(1);
    assert_eq!(id.as_str().map(str::len), Some(36));
    app.call(kind::ENSURE, 2, "");
    app.call(kind::LOGOUT, 3, "");

    assert_eq!(app.resolved(3), Value::Null);
    assert!(!app.storage.contains_key("mp-session:default"));
    assert_eq!(app.storage["mp-session:device-id"], id.to_string());
    assert_eq!(app.changes.last(), Some(&Value::Null));
    assert_eq!(app.feed(kind::CURRENT, 0, 0, ""), Value::Null);
}

#[wasm_bindgen_test(unsupported = test)]
fn an_unknown_session_or_input_changes_nothing() {
    let nothing = json!({"t": null, "s": [], "e": []});
    let out: Value = serde_json::from_str(&exchange::input(9_999, kind::ENSURE, 1, 0, NOW, "")).unwrap();
    assert_eq!(out, nothing);
    let app = App::new(OPTIONS);
    let out: Value = serde_json::from_str(&exchange::input(app.id, 99, 1, 0, NOW, "")).unwrap();
    assert_eq!(out, nothing);
}

/// What JavaScript makes of the output (`JSON.parse`) is what serde-wasm-bindgen makes of the
/// same Rust session: the boundary changes the shape of nothing.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test]
fn the_session_javascript_sees_is_the_one_serde_wasm_bindgen_makes() {
    use mp_session::{Secret, Session, Source, UserInfo};
    use serde::Serialize;

    let mut app = App::new(OPTIONS);
    app.call(kind::SET_USER_INFO, 1, r#"{"nickName":"小明 😀"}"#);
    let seen = app.resolved(1);
    let session = Session {
        openid: "o-js".into(),
        unionid: Some("u-js".into()),
        token: Some(Secret::new("tok-js")),
        expires_at: NOW_MS + 3_600_000,
        user_info: Some(UserInfo {
            nick_name: Some("小明 😀".into()),
            avatar_url: None,
        }),
        source: Source::Login,
    };
    let reference = session
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap();
    let reference: Value =
        serde_json::from_str(&String::from(js_sys::JSON::stringify(&reference).unwrap())).unwrap();
    assert_eq!(seen, reference);
}

#[wasm_bindgen_test(unsupported = test)]
fn the_login_request_names_the_platform_of_the_options() {
    for platform in ["wx", "tt", "my", "swan", "qq", "ks"] {
        let options =
            format!(r#"{{"loginUrl":"https://api.example.com/auth/login","platform":"{platform}"}}"#);
        let mut app = App::new(&options);
        app.call(kind::ENSURE, 1, "");
        assert_eq!(app.resolved(1)["openid"], "o-js", "{platform}");
        assert_eq!(app.bodies, [json!({"code": "code-1", "platform": platform})]);
    }
    let made: Value = serde_json::from_str(&exchange::create(
        0,
        [7, 7, 7, 7],
        r#"{"loginUrl":"https://a.com","platform":"douyin"}"#,
    ))
    .unwrap();
    assert_eq!(made["error"]["code"], "INVALID_CONFIG");
    assert_eq!(
        made["error"]["message"],
        "platform must be one of wx, tt, my, swan, qq, ks"
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn a_douyin_user_not_logged_in_is_posted_with_the_anonymous_code_under_its_own_name() {
    let mut app = App::new(r#"{"loginUrl":"https://api.example.com/auth/login","platform":"tt"}"#);
    app.anonymous = true;
    app.call(kind::ENSURE, 1, "");
    assert_eq!(app.resolved(1)["openid"], "o-js");
    assert_eq!(app.bodies, [json!({"anonymousCode": "code-1", "platform": "tt"})]);
    // An empty anonymous code is no code: retried, then the login fails.
    let mut app =
        App::new(r#"{"loginUrl":"https://api.example.com/auth/login","platform":"tt","maxRetries":0}"#);
    let out: Value = serde_json::from_str(&exchange::input(app.id, kind::ENSURE, 1, 0, NOW, "")).unwrap();
    let read = out["e"][0][1].as_u64().unwrap() as u32;
    let out: Value =
        serde_json::from_str(&exchange::input(app.id, kind::SESSION_READ, read, 0, NOW, "null")).unwrap();
    let login = out["e"][0][1].as_u64().unwrap() as u32;
    app.feed(kind::LOGIN_RESULT, login, 2, "");
    assert_eq!(app.rejected(1)["code"], "LOGIN_FAILED");
    assert!(app.bodies.is_empty());
}

#[wasm_bindgen_test(unsupported = test)]
fn a_cloud_function_stands_for_wx_login_and_the_backend() {
    let mut app = App::new(r#"{"cloudFunction":"login"}"#);
    app.reply = (
        200,
        r#"{"openid":"o-cloud","unionid":"u-cloud","expires_in":7200}"#.into(),
    );
    app.call(kind::ENSURE, 1, "");
    let session = app.resolved(1);
    assert_eq!(
        (&session["openid"], &session["unionid"]),
        (&json!("o-cloud"), &json!("u-cloud"))
    );
    assert_eq!(session["token"], Value::Null);
    assert_eq!(app.logins, 0, "no wx.login code is made");
    assert!(app.bodies.is_empty());
    assert_eq!(app.functions, [("login".to_owned(), json!({"platform": "wx"}))]);
    let record: Value = serde_json::from_str(&app.storage["mp-session:default"]).unwrap();
    assert_eq!(record["openid"], "o-cloud");
}
