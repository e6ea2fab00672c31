//! The core's boundary driven the way the JS shim drives it: facts in the exchange's slots,
//! strings that only pass through kept here (a table, as `js-shim/boundary.js` keeps them),
//! effects back as numbers. A small app written here stands in for `wx.*`. Runs natively and
//! under wasm-bindgen-test.

use mp_session::host::{exchange, input};
use mp_session::wire::layout::{effect, kind, HEADER};
use mp_session::wire::script::{Described, Strings, Value};
use wasm_bindgen_test::wasm_bindgen_test;

const NOW: f64 = 1_767_225_600_000.0;

/// A text pair of an output, as the shim reads it.
#[derive(Clone, Debug, PartialEq)]
enum Text {
    None,
    /// A string of the table, by handle.
    Handle(u32),
    /// Code units in the texts area.
    Inline(String),
}

/// One effect of an output: its number, and its slots.
#[derive(Clone, Debug)]
struct Out {
    kind: f64,
    slots: Vec<f64>,
}

/// A session of the core, as the shim holds it.
struct App {
    id: u32,
    strings: Strings,
    /// The texts area after the last call.
    texts: Vec<u16>,
}

fn object(fields: &[(&str, Value)]) -> Value {
    Value::Object(fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
}

fn text(units: &[u16], a: f64, b: f64) -> Text {
    if a < 0.0 {
        Text::None
    } else if b < 0.0 {
        Text::Handle(a as u32)
    } else {
        Text::Inline(String::from_utf16_lossy(&units[a as usize..(a + b) as usize]))
    }
}

impl App {
    fn new(options: Value) -> Result<App, String> {
        let mut facts = Described::new(None);
        facts.options(&options, None);
        exchange::put(&facts.slots, &facts.texts);
        mp_session::host::create([7; 16]);
        let (slots, texts) = exchange::take();
        let app = App {
            id: slots[HEADER + 1] as u32,
            strings: Strings::default(),
            texts,
        };
        if slots[HEADER] == effect::CREATED {
            Ok(app)
        } else {
            // [REJECT, group, id, code, message, ...]
            Err(match text(&app.texts, slots[HEADER + 5], slots[HEADER + 6]) {
                Text::Inline(message) => message,
                other => format!("{other:?}"),
            })
        }
    }

    /// Feeds one input; `describe` writes its facts. Gives back the output's effects.
    fn feed(&mut self, kind: u32, arg: u32, flag: i32, describe: impl FnOnce(&mut Described)) -> Vec<Out> {
        let mut facts = Described::new(Some(&mut self.strings));
        describe(&mut facts);
        let (slots, texts) = (facts.slots, facts.texts);
        exchange::put(&slots, &texts);
        input(self.id, kind, arg, flag, NOW, self.strings.len() as u32);
        let (slots, texts) = exchange::take();
        self.texts = texts;
        let used = slots[0] as usize;
        let mut effects = Vec::new();
        let mut at = HEADER;
        while at < used {
            let size = effect_size(&slots[at..]);
            effects.push(Out {
                kind: slots[at],
                slots: slots[at..at + size].to_vec(),
            });
            at += size;
        }
        effects
    }

    fn text(&self, out: &Out, at: usize) -> Text {
        text(&self.texts, out.slots[at], out.slots[at + 1])
    }

    fn string(&self, text: &Text) -> String {
        match text {
            Text::Handle(id) => self.strings.get(*id).expect("a string of the table"),
            Text::Inline(text) => text.clone(),
            Text::None => String::new(),
        }
    }
}

/// How many slots the effect at the start of `s` takes (layout.rs, `effect`).
fn effect_size(s: &[f64]) -> usize {
    let session = |flag: f64| if flag == 1.0 { 14 } else { 1 };
    match s[0] {
        k if k == effect::READ_SESSION || k == effect::REMOVE_SESSION || k == effect::READ_DEVICE_ID => 2,
        k if k == effect::ABORT || k == effect::HOLD => 2,
        k if k == effect::WRITE_SESSION => 16,
        k if k == effect::WRITE_DEVICE_ID => 4,
        k if k == effect::LOGIN || k == effect::CALL_FUNCTION || k == effect::WAIT => 3,
        k if k == effect::POST_CODE => 6,
        k if k == effect::SEND_REQUEST => 5,
        k if k == effect::RESOLVE => match s[3] {
            0.0 => 17,
            1.0 => 6,
            3.0 => 5,
            _ => 4,
        },
        k if k == effect::REJECT => 12 + session(s[12]),
        k if k == effect::CHANGED || k == effect::CURRENT => 1 + session(s[1]),
        k if k == effect::TOAST => 1,
        k if k == effect::TABLE => 2 + s[1] as usize,
        k => panic!("an effect the test does not know: {k}"),
    }
}

fn units(text: &str) -> Vec<u16> {
    text.encode_utf16().collect()
}

fn options() -> Value {
    object(&[("loginUrl", Value::string("https://api.example.com/auth/wx-login"))])
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
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].kind, effect::READ_SESSION);
    let op = out[0].slots[1] as u32;
    let out = app.feed(kind::SESSION_READ, op, 0, |f| {
        f.stored(&stored("o-cached", "tok-secret"))
    });
    assert_eq!(out.len(), 1, "{out:?}");
    let resolve = &out[0];
    assert_eq!(
        (resolve.kind, resolve.slots[1], resolve.slots[3]),
        (effect::RESOLVE, 1.0, 0.0)
    );
    let openid = app.text(resolve, 4);
    let token = app.text(resolve, 8);
    assert!(matches!(openid, Text::Handle(_)) && matches!(token, Text::Handle(_)));
    assert_eq!(
        (app.string(&openid), app.string(&token)),
        ("o-cached".into(), "tok-secret".into())
    );
    assert_eq!(resolve.slots[10], NOW + 3_600_000.0, "expiresAt");
    assert_eq!(resolve.slots[16], 0.0, "source: cache");
    // Nothing that only passes through entered the module's memory as text.
    let texts = String::from_utf16_lossy(&app.texts);
    assert!(
        !texts.contains("tok-secret") && !texts.contains("o-cached"),
        "{texts}"
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn a_cold_launch_posts_the_code_and_writes_the_answer_by_handle_and_never_session_key() {
    let mut app = App::new(options()).unwrap();
    let out = app.feed(kind::ENSURE, 1, 0, |_| {});
    let out = app.feed(kind::SESSION_READ, out[0].slots[1] as u32, 0, |f| {
        f.stored(&Value::Null)
    });
    assert_eq!(out[0].kind, effect::LOGIN);
    let out = app.feed(kind::LOGIN_RESULT, out[0].slots[1] as u32, 0, |f| {
        f.pass(0, &units("code-1"))
    });
    assert_eq!(out[0].kind, effect::POST_CODE);
    assert_eq!(app.string(&app.text(&out[0], 2)), "code-1");
    let post = out[0].slots[1] as u32;
    let answer = object(&[
        ("openid", Value::string("o-new")),
        ("token", Value::string("tok-new")),
        ("session_key", Value::string("SK-SECRET")),
        ("expires_in", Value::Number(3600.0)),
    ]);
    let out = app.feed(kind::POST_RESULT, post, 200, |f| f.answer(Some(&answer), 80));
    let write = out
        .iter()
        .find(|e| e.kind == effect::WRITE_SESSION)
        .expect("the session is written");
    assert_eq!(app.string(&app.text(write, 3)), "o-new");
    assert_eq!(app.string(&app.text(write, 7)), "tok-new");
    assert_eq!(write.slots[9], NOW + 3_600_000.0);
    assert!(
        out.iter().any(|e| e.kind == effect::HOLD),
        "the launch waits for the write"
    );
    assert!(!String::from_utf16_lossy(&app.texts).contains("SK-SECRET"));
    let op = write.slots[1] as u32;
    let out = app.feed(kind::STORAGE_RESULT, op, 0, |_| {});
    // [RESOLVE, Of, op, session, ...]
    assert_eq!(
        (out[0].kind, out[0].slots[1], out[0].slots[2]),
        (effect::RESOLVE, 2.0, f64::from(op))
    );
    assert_eq!(out[0].slots[16], 1.0, "source: login");
}

#[wasm_bindgen_test(unsupported = test)]
fn a_table_grown_far_past_what_the_session_holds_is_compacted_and_its_handles_still_resolve() {
    let mut app = App::new(options()).unwrap();
    for n in 0..80 {
        app.strings.handle(&units(&format!("unused-{n}")));
    }
    let out = app.feed(kind::ENSURE, 1, 0, |_| {});
    let out = app.feed(kind::SESSION_READ, out[0].slots[1] as u32, 0, |f| {
        f.stored(&stored("o-kept", "tok-kept"))
    });
    let resolve = out.iter().find(|e| e.kind == effect::RESOLVE).expect("resolved");
    let openid = app.text(resolve, 4);
    assert_eq!(app.string(&openid), "o-kept");
    let table = out.last().expect("a table");
    assert_eq!(table.kind, effect::TABLE);
    let kept: Vec<u32> = table.slots[2..].iter().map(|&id| id as u32).collect();
    assert_eq!(kept.len(), 2, "the openid and the token: {kept:?}");
    app.strings.keep(&kept);
    assert_eq!(app.strings.len(), 2);
    // The session in the core now names the strings by their new places.
    let out = app.feed(kind::CURRENT, 0, 0, |_| {});
    let current = &out[0];
    assert_eq!(current.kind, effect::CURRENT);
    assert_eq!(app.string(&app.text(current, 2)), "o-kept");
    assert_eq!(app.string(&app.text(current, 6)), "tok-kept");
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
