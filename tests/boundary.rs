//! The core's boundary driven the way the JS shim drives it: facts in the exchange's slots,
//! strings that only pass through kept here (a table, as `js-shim/boundary.js` keeps them),
//! effects back as numbers. A small app written here stands in for `wx.*`. Runs natively and
//! under wasm-bindgen-test.

use mp_session::host::{exchange, input};
use mp_session::testing::outputs::{self, Effect, Read, Text};
use mp_session::testing::script::{Described, Strings, Value};
use mp_session::wire::layout::{effect, kind};
use wasm_bindgen_test::wasm_bindgen_test;

const NOW: f64 = 1_767_225_600_000.0;

/// A session of the core, as the shim holds it.
struct App {
    id: u32,
    strings: Strings,
}

fn object(fields: &[(&str, Value)]) -> Value {
    Value::Object(fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
}

/// The effects of the output just written, read through the layout's tables.
fn read_output() -> Vec<Effect> {
    let (slots, texts) = exchange::take();
    outputs::effects(&slots, &texts).expect("the output follows the layout's tables")
}

impl App {
    fn new(options: Value) -> Result<App, String> {
        let mut facts = Described::new(None);
        facts.options(&options, None);
        exchange::put(&facts.slots, &facts.texts);
        mp_session::host::create([7; 16]);
        let out = read_output();
        let made = &out[0];
        if made.tag == effect::CREATED {
            Ok(App {
                id: made.get("id").number_or_panic() as u32,
                strings: Strings::default(),
            })
        } else {
            Err(match made.parts.text("error.message") {
                Some(Text::Inline(message)) => message.clone(),
                other => format!("{other:?}"),
            })
        }
    }

    /// Feeds one input; `describe` writes its facts. Gives back the output's effects.
    fn feed(&mut self, kind: u32, arg: u32, flag: i32, describe: impl FnOnce(&mut Described)) -> Vec<Effect> {
        let mut facts = Described::new(Some(&mut self.strings));
        describe(&mut facts);
        exchange::put(&facts.slots, &facts.texts);
        input(self.id, kind, arg, flag, NOW, self.strings.len() as u32);
        read_output()
    }

    /// The string a text part names.
    fn string(&self, effect: &Effect, path: &str) -> String {
        match effect.parts.text(path) {
            Some(Text::Handle(id)) => self.strings.get(*id).expect("a string of the table"),
            Some(Text::Inline(text)) => text.clone(),
            other => panic!("{path}: {other:?}"),
        }
    }
}

trait NumberOrPanic {
    fn number_or_panic(&self) -> f64;
}

impl NumberOrPanic for Read {
    fn number_or_panic(&self) -> f64 {
        match self {
            Read::Number(n) => *n,
            other => panic!("not a number: {other:?}"),
        }
    }
}

fn op(effect: &Effect) -> u32 {
    effect.get("op").number_or_panic() as u32
}

/// The one effect `tag` of an output.
fn only(out: &[Effect], tag: f64) -> &Effect {
    let found: Vec<&Effect> = out.iter().filter(|e| e.tag == tag).collect();
    assert_eq!(found.len(), 1, "one effect {tag} in {out:?}");
    found[0]
}

fn units(text: &str) -> Vec<u16> {
    text.encode_utf16().collect()
}

fn options() -> Value {
    object(&[("loginUrl", Value::string("https://api.example.com/auth/login"))])
}

fn stored(openid: &str, token: &str) -> Value {
    object(&[
        ("v", Value::Number(1.0)),
        ("openid", Value::string(openid)),
        ("unionid", Value::Null),
        ("token", Value::string(token)),
        ("expiresAt", Value::Number(NOW + 3_600_000.0)),
        ("obtainedAt", Value::Number(NOW - 60_000.0)),
        ("userInfo", Value::Null),
    ])
}

#[wasm_bindgen_test(unsupported = test)]
fn a_cached_launch_hands_out_the_stored_strings_by_handle_in_two_calls() {
    let mut app = App::new(options()).unwrap();
    let out = app.feed(kind::ENSURE, 1, 0, |_| {});
    // The call waits for the session, which is read.
    assert_eq!(
        out.iter().map(|e| e.name).collect::<Vec<_>>(),
        ["wait", "readSession"]
    );
    assert_eq!(
        (out[0].get("call"), out[0].get("group")),
        (&Read::Number(1.0), &Read::Name("waiting"))
    );
    let out = app.feed(kind::SESSION_READ, op(&out[1]), 0, |f| {
        f.stored(&stored("o-cached", "tok-secret"))
    });
    assert_eq!(out.len(), 1, "{out:?}");
    let resolve = &out[0];
    assert_eq!(resolve.tag, effect::RESOLVE);
    assert_eq!(
        (resolve.get("group"), resolve.get("id")),
        (&Read::Name("waiting"), &Read::Number(0.0))
    );
    assert!(matches!(
        resolve.parts.text("value.openid"),
        Some(Text::Handle(_))
    ));
    assert!(matches!(resolve.parts.text("value.token"), Some(Text::Handle(_))));
    assert_eq!(
        (
            app.string(resolve, "value.openid"),
            app.string(resolve, "value.token")
        ),
        ("o-cached".into(), "tok-secret".into())
    );
    assert_eq!(resolve.get("value.expiresAt"), &Read::Number(NOW + 3_600_000.0));
    assert_eq!(resolve.get("value.source"), &Read::Name("cache"));
    // Nothing that only passes through entered the module's memory as text.
    let texts = String::from_utf16_lossy(&exchange::take().1);
    assert!(
        !texts.contains("tok-secret") && !texts.contains("o-cached"),
        "{texts}"
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn a_cold_launch_posts_the_code_and_writes_the_answer_by_handle_and_never_session_key() {
    let mut app = App::new(options()).unwrap();
    let out = app.feed(kind::ENSURE, 1, 0, |_| {});
    let out = app.feed(kind::SESSION_READ, op(only(&out, effect::READ_SESSION)), 0, |f| {
        f.stored(&Value::Null)
    });
    let out = app.feed(kind::LOGIN_RESULT, op(only(&out, effect::LOGIN)), 0, |f| {
        f.login_answer(&Value::Object(vec![("code".into(), Value::string("code-1"))]))
    });
    assert_eq!(out[0].tag, effect::POST_CODE);
    assert_eq!(app.string(&out[0], "url"), "https://api.example.com/auth/login");
    let Read::List(body) = out[0].get("body") else {
        panic!("{:?}", out[0])
    };
    let field = |i: usize, part: &str| match body[i].get(part) {
        Read::Text(Text::Handle(id)) => app.strings.get(*id).unwrap(),
        Read::Text(Text::Inline(text)) => text.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        (field(0, "name"), field(0, "value")),
        ("code".into(), "code-1".into())
    );
    assert_eq!(
        (field(1, "name"), field(1, "value")),
        ("platform".into(), "wx".into())
    );
    let post = op(&out[0]);
    let answer = object(&[
        ("openid", Value::string("o-new")),
        ("token", Value::string("tok-new")),
        ("session_key", Value::string("SK-SECRET")),
        ("expires_in", Value::Number(3600.0)),
        (
            "userInfo",
            object(&[
                ("nickName", Value::string("Ann")),
                ("avatarUrl", Value::string("https://a/x.png")),
            ]),
        ),
    ]);
    let out = app.feed(kind::POST_RESULT, post, 200, |f| f.answer(Some(&answer), 80));
    let write = out
        .iter()
        .find(|e| e.tag == effect::WRITE_SESSION)
        .expect("the session is written");
    assert_eq!(app.string(write, "record.openid"), "o-new");
    assert_eq!(app.string(write, "record.token"), "tok-new");
    assert_eq!(app.string(write, "record.userInfo.nickName"), "Ann");
    assert_eq!(write.get("record.unionid"), &Read::Text(Text::None));
    assert_eq!(write.get("record.expiresAt"), &Read::Number(NOW + 3_600_000.0));
    assert!(
        out.iter().any(|e| e.tag == effect::HOLD),
        "the launch waits for the write"
    );
    assert!(!String::from_utf16_lossy(&exchange::take().1).contains("SK-SECRET"));
    let written = op(write);
    let out = app.feed(kind::STORAGE_RESULT, written, 0, |_| {});
    assert_eq!(out[0].tag, effect::RESOLVE);
    assert_eq!(
        (out[0].get("group"), out[0].get("id")),
        (&Read::Name("of"), &Read::Number(f64::from(written)))
    );
    assert_eq!(out[0].get("value.source"), &Read::Name("login"));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_table_grown_far_past_what_the_session_holds_is_compacted_and_its_handles_still_resolve() {
    let mut app = App::new(options()).unwrap();
    for n in 0..80 {
        app.strings.handle(&units(&format!("unused-{n}")));
    }
    let out = app.feed(kind::ENSURE, 1, 0, |_| {});
    let out = app.feed(kind::SESSION_READ, op(only(&out, effect::READ_SESSION)), 0, |f| {
        f.stored(&stored("o-kept", "tok-kept"))
    });
    let resolve = out.iter().find(|e| e.tag == effect::RESOLVE).expect("resolved");
    assert_eq!(app.string(resolve, "value.openid"), "o-kept");
    let table = out.last().expect("a table");
    assert_eq!(table.tag, effect::TABLE);
    let Read::List(kept) = table.get("keep") else {
        panic!("{table:?}")
    };
    let kept: Vec<u32> = kept.iter().map(|id| id.number_or_panic() as u32).collect();
    assert_eq!(kept.len(), 2, "the openid and the token: {kept:?}");
    app.strings.keep(&kept);
    assert_eq!(app.strings.len(), 2);
    // The session in the core now names the strings by their new places.
    let out = app.feed(kind::CURRENT, 0, 0, |_| {});
    let current = &out[0];
    assert_eq!(current.tag, effect::CURRENT);
    assert_eq!(app.string(current, "session.openid"), "o-kept");
    assert_eq!(app.string(current, "session.token"), "tok-kept");
}

#[wasm_bindgen_test(unsupported = test)]
fn a_wrong_option_is_named_and_an_unknown_session_or_input_changes_nothing() {
    let wrong = object(&[
        ("loginUrl", Value::string("https://a.com")),
        ("timeoutMs", Value::string("5000")),
    ]);
    assert_eq!(
        App::new(wrong).err().as_deref(),
        Some("options are not valid: timeoutMs must be a number")
    );
    let unknown = object(&[("loginURL", Value::string("https://a.com"))]);
    let message = App::new(unknown).err().unwrap();
    assert!(
        message.starts_with("options are not valid: loginURL is not a known field"),
        "{message}"
    );

    let mut app = App::new(options()).unwrap();
    assert!(app.feed(99, 1, 0, |_| {}).is_empty());
    app.id = 9_999;
    assert!(app.feed(kind::ENSURE, 1, 0, |_| {}).is_empty());
}

/// A backend of its own shape, described by `login`: `GET /wx/login?js_code=…&appid=wx1`,
/// answered `{ code, msg, data: { token, userId, expire } }`.
fn envelope_options() -> Value {
    object(&[
        ("loginUrl", Value::string("https://api.example.com/wx/login")),
        (
            "login",
            object(&[
                ("method", Value::string("GET")),
                ("codeField", Value::string("js_code")),
                ("fields", object(&[("appid", Value::string("wx1"))])),
                (
                    "answer",
                    object(&[
                        ("status", Value::string("code")),
                        ("message", Value::string("msg")),
                        ("token", Value::string("data.token")),
                        ("userId", Value::string("data.userId")),
                        ("expiresIn", Value::string("data.expire")),
                    ]),
                ),
            ]),
        ),
    ])
}

/// A cold launch of `app` up to its login request: the `postCode` effect.
fn to_post(app: &mut App) -> Effect {
    let out = app.feed(kind::ENSURE, 1, 0, |_| {});
    let out = app.feed(kind::SESSION_READ, op(only(&out, effect::READ_SESSION)), 0, |f| {
        f.stored(&Value::Null)
    });
    let out = app.feed(kind::LOGIN_RESULT, op(only(&out, effect::LOGIN)), 0, |f| {
        f.login_answer(&Value::Object(vec![("code".into(), Value::string("code-1"))]))
    });
    only(&out, effect::POST_CODE).clone()
}

/// The texts of a list part, in order.
fn texts(app: &App, effect: &Effect, list: &str) -> Vec<String> {
    let Read::List(items) = effect.get(list) else {
        panic!("{effect:?}")
    };
    items
        .iter()
        .map(|item| match item {
            Read::Text(Text::Inline(text)) => text.clone(),
            Read::Text(Text::Handle(id)) => app.strings.get(*id).unwrap(),
            Read::Object(_) => {
                let part = |name| match item.get(name) {
                    Read::Text(Text::Inline(text)) => text.clone(),
                    Read::Text(Text::Handle(id)) => app.strings.get(*id).unwrap(),
                    other => panic!("{other:?}"),
                };
                format!("{}={}", part("name"), part("value"))
            }
            other => panic!("{other:?}"),
        })
        .collect()
}

#[wasm_bindgen_test(unsupported = test)]
fn a_backend_of_its_own_shape_is_asked_and_read_as_login_describes_it() {
    let mut app = App::new(envelope_options()).unwrap();
    let post = to_post(&mut app);
    assert_eq!(
        (app.string(&post, "method"), app.string(&post, "contentType")),
        ("GET".into(), "application/json".into())
    );
    // The code under its own field and the constant fields; no platform unless login says.
    assert_eq!(texts(&app, &post, "body"), ["js_code=code-1", "appid=wx1"]);
    // The texts the core reads: a failure of the backend's own, the status, the message.
    assert_eq!(texts(&app, &post, "copy"), ["error", "code", "msg"]);
    let copy = ["error", "code", "msg"];
    let answer = |code: Value, msg: &str| {
        object(&[
            ("code", code),
            ("msg", Value::string(msg)),
            (
                "data",
                object(&[
                    ("token", Value::string("tok-env")),
                    ("userId", Value::Number(42.0)),
                    ("expire", Value::Number(7200.0)),
                ]),
            ),
        ])
    };
    let out = app.feed(kind::POST_RESULT, op(&post), 200, |f| {
        f.shaped_answer(Some(&answer(Value::Number(0.0), "ok")), 90, &copy)
    });
    let write = only(&out, effect::WRITE_SESSION);
    // Identity without openid: the backend's own user id, as a number.
    assert_eq!(write.get("record.openid"), &Read::Text(Text::None));
    assert_eq!(write.get("record.userId"), &Read::Number(42.0));
    assert_eq!(app.string(write, "record.token"), "tok-env");
    assert_eq!(write.get("record.expiresAt"), &Read::Number(NOW + 7_200_000.0));

    // A status that is no success fails the login, naming the status and carrying the message.
    let mut app = App::new(envelope_options()).unwrap();
    let post = to_post(&mut app);
    let out = app.feed(kind::POST_RESULT, op(&post), 200, |f| {
        f.shaped_answer(Some(&answer(Value::Number(1001.0), "banned")), 90, &copy)
    });
    let reject = only(&out, effect::REJECT);
    assert_eq!(app.string(reject, "error.code"), "BACKEND");
    assert_eq!(app.string(reject, "error.backendCode"), "1001");
    assert_eq!(app.string(reject, "error.detail"), "banned");
    assert_eq!(reject.get("error.errcode"), &Read::Number(1001.0));
    assert_eq!(reject.get("error.retryable"), &Read::Flag(false));

    // WeChat's own errcode passed through the envelope gets its rules: 40029, a fresh code.
    let mut app = App::new(envelope_options()).unwrap();
    let post = to_post(&mut app);
    let out = app.feed(kind::POST_RESULT, op(&post), 200, |f| {
        f.shaped_answer(Some(&answer(Value::Number(40029.0), "invalid code")), 90, &copy)
    });
    assert!(
        out.iter().any(|e| e.tag == effect::LOGIN),
        "a fresh wx.login: {out:?}"
    );
}

/// A Spring-style backend: a form `POST`, the token in its `JSESSIONID` cookie.
fn cookie_options(token: Value) -> Value {
    object(&[
        ("loginUrl", Value::string("https://api.example.com/login")),
        (
            "login",
            object(&[
                ("body", Value::string("form")),
                (
                    "answer",
                    object(&[("token", token), ("userId", Value::string("id"))]),
                ),
            ]),
        ),
    ])
}

#[wasm_bindgen_test(unsupported = test)]
fn a_token_is_read_from_the_cookie_or_the_header_login_names() {
    let body = object(&[("id", Value::Number(7.0))]);
    let header = object(&[
        (
            "Set-Cookie",
            Value::string("JSESSIONID=JS-1; Max-Age=1800; Path=/"),
        ),
        ("x-AUTH-token", Value::string("H-1")),
    ]);
    // As boundary.js parses the Set-Cookie: by name, its value and lifetime.
    let cookies = object(&[(
        "JSESSIONID",
        object(&[
            ("value", Value::string("JS-1")),
            ("maxAge", Value::Number(1800.0)),
            ("expires", Value::Number(NOW + 99_000_000.0)),
        ]),
    )]);
    let login = |token: Value, cookies: &Value| {
        let mut app = App::new(cookie_options(token)).unwrap();
        let post = to_post(&mut app);
        assert_eq!(texts(&app, &post, "copy"), ["error"]);
        let out = app.feed(kind::POST_RESULT, op(&post), 200, |f| {
            f.shaped_answer(Some(&body), 8, &["error"]);
            f.carriers(&header, cookies);
        });
        (app, out)
    };

    let (app, out) = login(object(&[("cookie", Value::string("JSESSIONID"))]), &cookies);
    let write = only(&out, effect::WRITE_SESSION);
    assert_eq!(app.string(write, "record.token"), "JS-1");
    assert_eq!(write.get("record.userId"), &Read::Number(7.0));
    // Its Max-Age, over its Expires.
    assert_eq!(write.get("record.expiresAt"), &Read::Number(NOW + 1_800_000.0));

    // A header by its name in any case; its lifetime is the default's.
    let (app, out) = login(object(&[("header", Value::string("X-Auth-Token"))]), &cookies);
    let write = only(&out, effect::WRITE_SESSION);
    assert_eq!(app.string(write, "record.token"), "H-1");
    assert_eq!(write.get("record.expiresAt"), &Read::Number(NOW + 7_200_000.0));

    // A cookie the answer does not set: no session, and the error says where it looked.
    let (app, out) = login(object(&[("cookie", Value::string("SESSION"))]), &cookies);
    let reject = only(&out, effect::REJECT);
    assert_eq!(app.string(reject, "error.code"), "BAD_RESPONSE");
    assert!(app.string(reject, "error.message").contains("login.answer.token"));

    // Both, or something else, is named when the session is made.
    let wrong = object(&[("cookie", Value::string("a")), ("header", Value::string("b"))]);
    let Err(error) = App::new(cookie_options(wrong)) else {
        panic!("a token in a header and a cookie at once")
    };
    assert!(
        error.contains("login.answer.token must be a path, { header: NAME } or { cookie: NAME }"),
        "{error}"
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn an_avatar_that_is_a_file_on_the_phone_is_refused_though_the_core_passes_on_its_handle() {
    let mut app = App::new(object(&[(
        "loginUrl",
        Value::string("https://api.example.com/login"),
    )]))
    .unwrap();
    let avatar = |url: &str| object(&[("avatarUrl", Value::string(url))]);
    let out = app.feed(kind::SET_USER_INFO, 1, 0, |f| {
        f.patch(&avatar("wxfile://tmp_1.jpg"))
    });
    let reject = only(&out, effect::REJECT);
    assert_eq!(app.string(reject, "error.code"), "INVALID_ARGUMENT");
    assert!(app.string(reject, "error.message").contains("upload it first"));
    // A URL the server gave back waits for the session, as any setUserInfo.
    let out = app.feed(kind::SET_USER_INFO, 2, 0, |f| {
        f.patch(&avatar("https://cdn.example.com/a.png"))
    });
    assert!(out.iter().all(|e| e.tag != effect::REJECT), "{out:?}");
}
