//! The core's decoders (`mp_session::wire::facts`), fed the facts JavaScript's half of the
//! boundary writes (`mp_session::testing::script`), against the reference: `serde_json` with the
//! serde derives on the same types, reading the same value. On every input of the fuzz corpus
//! and on the edge cases below, both accept the same values and read the same fields
//! (numbers that are not integers to within a rounding error).
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::Path;

use mp_session::testing::script::{self, Value};
use mp_session::wire::layout::{ENTRY_SLOTS, SLOTS, TREE_AT};
use mp_session::{Answer, LoginResult, Options, Record, ReplyBody, StoredSession};

mod reference;
use reference::{
    answer_fits, answers_agree, close, fits, parsed, reference, stringify, too_deep, user_info_as_array,
    without_shim_options,
};

fn same_record(value: &Value) {
    let text = stringify(value);
    let ours = script::stored_session(value);
    let theirs = reference::<Record>(&text);
    match (ours, theirs) {
        (StoredSession::Found(a), Some(b)) => assert_eq!(a, b, "{text}"),
        (StoredSession::Absent, None) => assert!(matches!(text.as_str(), "null" | "\"\""), "absent: {text}"),
        (StoredSession::Unreadable, None) => {}
        (StoredSession::Unreadable, Some(_)) if user_info_as_array(value) => {}
        (ours, theirs) => panic!("{text}\n  ours: {ours:?}\n  serde: {theirs:?}"),
    }
}

fn same_answer(value: &Value) {
    let text = stringify(value);
    let ours = script::reply_body(Some(value), text.encode_utf16().count());
    let theirs = reference::<Answer>(&text);
    match (ours, theirs) {
        (ReplyBody::Answer(a), Some(b)) => {
            assert!(answers_agree(&a, &b), "{text}\n  ours: {a:?}\n  serde: {b:?}");
        }
        (ReplyBody::Unreadable, None) => {}
        (ReplyBody::Unreadable, Some(_)) if user_info_as_array(value) => {}
        (ReplyBody::TooLarge, _) => assert!(text.encode_utf16().count() > 65_536 || !answer_fits(value)),
        (ours, theirs) => panic!("{text}\n  ours: {ours:?}\n  serde: {theirs:?}"),
    }
}

fn same_options(value: &Value) {
    let text = stringify(value);
    let ours = script::options(value).ok();
    let theirs = reference::<Options>(&stringify(&without_shim_options(value)));
    match (ours, theirs) {
        (Some(a), Some(b)) => {
            assert_eq!(
                (&a.login_url, &a.cloud_function, &a.platform, &a.namespace),
                (&b.login_url, &b.cloud_function, &b.platform, &b.namespace),
                "{text}"
            );
            assert_eq!(
                (&a.failure_toast, &a.token_header, &a.allowed_origins),
                (&b.failure_toast, &b.token_header, &b.allowed_origins),
                "{text}"
            );
            assert_eq!(a.login, b.login, "{text}");
            assert_eq!(a.background_fetch_token, b.background_fetch_token, "{text}");
            for (x, y) in [
                (a.leeway_seconds, b.leeway_seconds),
                (a.default_ttl_seconds, b.default_ttl_seconds),
                (a.timeout_ms, b.timeout_ms),
                (a.max_retries, b.max_retries),
            ] {
                assert!(close(x, y), "{text}");
            }
        }
        (None, None) => {}
        (ours, theirs) => panic!("{text}\n  ours: {ours:?}\n  serde: {theirs:?}"),
    }
}

/// Every value of a fuzz corpus folder, as `JSON.parse` reads each file's text after `skip`
/// leading bytes (the fuzz target's own prefix).
fn corpus(folder: &str, skip: usize) -> Vec<Value> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(folder);
    let mut values = Vec::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let bytes = fs::read(entry.unwrap().path()).unwrap();
        if let Some(text) = bytes.get(skip..).and_then(|b| std::str::from_utf8(b).ok()) {
            if let Some(value) = parsed(text).filter(|v| !too_deep(text) && fits(v) && answer_fits(v)) {
                values.push(value);
            }
        }
    }
    assert!(values.len() > 20, "{folder}: only {} values", values.len());
    values
}

const EDGES: &[&str] = &[
    "null",
    "\"\"",
    "\"o\"",
    "5",
    "{}",
    "[]",
    "{\"v\":1,\"openid\":\"o\",\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":1,\"openid\":\"o\",\"expiresAt\":2,\"obtainedAt\":1,\"extra\":[1,{\"a\":null}]}",
    "{\"v\":1,\"openid\":\"o\",\"openid\":\"p\",\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":1.0,\"openid\":\"o\",\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":1,\"openid\":\"o\",\"expiresAt\":2e3,\"obtainedAt\":1}",
    "{\"v\":1.5,\"openid\":\"o\",\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":-0,\"openid\":\"o\",\"expiresAt\":2,\"obtainedAt\":-1}",
    "{\"v\":4294967296,\"openid\":\"o\",\"expiresAt\":18446744073709551615,\"obtainedAt\":0}",
    "{\"v\":1,\"openid\":\"o\",\"expiresAt\":18446744073709551616,\"obtainedAt\":0}",
    "{\"v\":1,\"openid\":\"\\ud83d\\ude00 \\u5c0f\",\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":1,\"openid\":\"o\",\"token\":null,\"userInfo\":{\"nickName\":\"小明\",\"x\":1},\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":1,\"openid\":\"o\",\"userInfo\":{\"nickName\":5},\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":1,\"openid\":\"o\",\"userInfo\":[\"n\",\"a\"],\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":1,\"openid\":5,\"expiresAt\":2,\"obtainedAt\":1}",
    "{ \"userInfo\" :\t[  ]}",
    "{\"openid\":\"o\",\"expires_in\":3600.5,\"errcode\":-1}",
    "{\"openid\":\"o\",\"expires_in\":1e308,\"expiresIn\":0.1}",
    "{\"openid\":\"o\",\"expires_in\":\"3600\"}",
    "{\"userId\":4446e13}",
    "{\"userId\":9007199254740993,\"openid\":\"o\"}",
    "{\"userId\":9223372036854775807}",
    "{\"userId\":-9223372036854775808}",
    "{\"userId\":9223372036854775808}",
    "{\"userId\":42.5}",
    "{\"errcode\":40029,\"errmsg\":\"invalid code\"}",
    "{\"errcode\":123456789012345678901234567890}",
    "{\"error\":{\"code\":\"STORE\",\"message\":\"the session store failed\"}}",
    "{\"error\":{\"code\":\"BAD_REQUEST\",\"message\":\"\",\"errcode\":40029,\"more\":[1]}}",
    "{\"error\":{\"code\":\"STORE\"}}",
    "{\"error\":{\"code\":7,\"message\":\"m\"}}",
    "{\"error\":\"STORE\"}",
    "{\"error\":[\"STORE\",\"m\"]}",
    "{\"error\":null,\"openid\":\"o\"}",
    "{\"openid\":\"o\",\"token\":\"t\",\"error\":\"\"}",
    "{\"openid\":\"o\",\"error\":0,\"msg\":\"ok\"}",
    "{\"openid\":\"o\",\"error\":{\"code\":5,\"message\":\"m\"}}",
    "{\"openid\":\"o\",\"error\":{\"code\":\"X\",\"message\":\"m\",\"code\":\"Y\"}}",
    "{\"loginUrl\":\"https://a.com\",\"timeoutMs\":5000,\"failureToast\":false}",
    "{\"loginUrl\":\"https://a.com\",\"failureToast\":true}",
    "{\"loginUrl\":\"https://a.com\",\"failureToast\":\"失败\",\"allowedOrigins\":[\"https://a.com\"]}",
    "{\"loginUrl\":\"https://a.com\",\"allowedOrigins\":[\"https://a.com\",7]}",
    "{\"loginUrl\":\"https://a.com\",\"allowedOrigins\":\"https://a.com\"}",
    "{\"loginURL\":\"https://a.com\"}",
    "{\"loginUrl\":\"https://a.com\",\"leewaySeconds\":1.5,\"maxRetries\":-0.0}",
    "{\"loginUrl\":null,\"namespace\":7}",
    "{\"loginUrl\":\"https://a.com\",\"login\":{\"method\":\"GET\",\"codeField\":\"js_code\",\"fields\":{\"appid\":\"wx1\",\"grant\":\"g\",\"appid\":\"wx2\"},\"answer\":{\"status\":\"code\",\"success\":[0,\"ok\",true],\"message\":\"msg\",\"token\":\"data.token\",\"userId\":\"data.userId\"}}}",
    "{\"loginUrl\":\"https://a.com\",\"login\":{\"body\":\"form\",\"platformField\":\"platform\",\"answer\":null}}",
    "{\"loginUrl\":\"https://a.com\",\"login\":{\"fields\":{\"a\":5}}}",
    "{\"loginUrl\":\"https://a.com\",\"login\":{\"answer\":{\"success\":[null]}}}",
    "{\"loginUrl\":\"https://a.com\",\"login\":{\"answer\":{\"tokn\":\"t\"}}}",
    "{\"loginUrl\":\"https://a.com\",\"login\":{\"method\":7}}",
    "{\"loginUrl\":\"https://a.com\",\"login\":[]}",
    "{\"api\":[]}",
    "{\"loginUrl\":\"https://a.com\",\"fallback\":null,\"wasmPath\":5,\"backgroundFetchToken\":true}",
    "{\"loginUrl\":\"https://a.com\",\"backgroundFetchToken\":1}",
    "{\"loginUrl\":\"https://a.com\",\"login\":null}",
    "{\"a\" : [ 1 , 2 ] , \"b\" : { } }",
    "{\"a\":\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"}",
];

fn edges() -> Vec<Value> {
    EDGES
        .iter()
        .map(|text| parsed(text).unwrap_or_else(|| panic!("{text}")))
        .collect()
}

/// A value of `n` keys `k0`… holding 0, with `fields` first.
fn wide(fields: &str, n: usize) -> Value {
    let keys: Vec<String> = (0..n).map(|i| format!("\"k{i}\":0")).collect();
    let sep = if fields.is_empty() { "" } else { "," };
    parsed(&format!("{{{fields}{sep}{}}}", keys.join(","))).unwrap()
}

#[test]
fn a_value_wider_than_the_slots_is_unreadable_never_read_as_empty() {
    let record = r#""v":1,"openid":"o","expiresAt":2,"obtainedAt":1"#;
    // As wide as the slots hold, exactly: read as serde reads it; one entry more is not.
    let room = (SLOTS - TREE_AT) / ENTRY_SLOTS;
    let fits = wide(record, room - 4);
    assert!(script::fits(&[&fits]));
    assert!(matches!(script::stored_session(&fits), StoredSession::Found(_)));
    let over = wide(record, room - 3);
    assert!(!script::fits(&[&over]));
    assert_eq!(script::stored_session(&over), StoredSession::Unreadable);
    // Wider: the object comes without its entries, and what needs them is unreadable.
    let crowded = wide(record, 300);
    assert!(!script::fits(&[&crowded]));
    assert_eq!(script::stored_session(&crowded), StoredSession::Unreadable);
    let info = wide("", 300);
    let answer = Value::Object(vec![
        ("openid".into(), Value::string("o")),
        ("userInfo".into(), info.clone()),
    ]);
    assert!(matches!(
        script::reply_body(Some(&answer), 4000),
        ReplyBody::Unreadable
    ));
    // An answer too wide at its top is too large to read, as a long one is.
    assert_eq!(
        script::reply_body(Some(&wide(r#""openid":"o""#, 300)), 4000),
        ReplyBody::TooLarge
    );
    let options = Value::Object(vec![
        ("loginUrl".into(), Value::string("https://a.com")),
        ("x".into(), info),
    ]);
    let wrong = script::options(&wide(r#""loginUrl":"https://a.com""#, 300)).unwrap_err();
    assert!(
        wrong
            .to_string()
            .contains("options are not valid: has more keys and entries than are read (about 200)"),
        "{wrong}"
    );
    // A nested object the core does not read may be crowded: the rest is read.
    assert!(script::options(&options)
        .unwrap_err()
        .to_string()
        .contains("x is not a known field"));
}

#[test]
fn stored_records_decode_as_serde_decodes_them() {
    for value in corpus("stored_record", 8).iter().chain(&edges()) {
        same_record(value);
    }
}

#[test]
fn backend_answers_decode_as_serde_decodes_them() {
    for value in corpus("backend_answer", 2).iter().chain(&edges()) {
        same_answer(value);
    }
}

#[test]
fn options_decode_as_serde_decodes_them() {
    for value in corpus("options", 0).iter().chain(&edges()) {
        same_options(value);
    }
}

#[test]
fn an_answer_too_long_is_refused_by_its_length_and_a_lone_surrogate_is_taken() {
    let answer = parsed(r#"{"openid":"o"}"#).unwrap();
    assert_eq!(script::reply_body(Some(&answer), 65_537), ReplyBody::TooLarge);
    assert!(matches!(
        script::reply_body(Some(&answer), 65_536),
        ReplyBody::Answer(_)
    ));
    assert_eq!(script::reply_body(None, 12), ReplyBody::Unreadable);
    // JavaScript's strings hold lone surrogates: the record is taken, and read as a Rust
    // String the surrogate is U+FFFD (by handle, on the WeChat build, it stays as it is).
    let record = Value::Object(vec![
        ("v".into(), Value::Number(1.0)),
        ("openid".into(), Value::String(vec![0xd800, b'o' as u16])),
        ("expiresAt".into(), Value::Number(2.0)),
        ("obtainedAt".into(), Value::Number(1.0)),
    ]);
    let StoredSession::Found(found) = script::stored_session(&record) else {
        panic!("a record with a lone surrogate is a record");
    };
    assert_eq!(found.openid.as_deref(), Some("\u{fffd}o"));
}

#[test]
fn the_core_takes_the_code_from_what_the_platform_login_answered() {
    let answer = |fields: &[(&str, Value)]| {
        script::login_answer(&Value::Object(
            fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
        ))
    };
    let code = |r: LoginResult| match r {
        LoginResult::Code(c) => format!("code {}", c.expose()),
        LoginResult::AnonymousCode(c) => format!("anonymous {}", c.expose()),
        LoginResult::Failed(e) => format!("failed {:?}", e.detail()),
        LoginResult::Refused(_) => "refused".to_owned(),
    };
    let both = [
        ("code", Value::string("c-1")),
        ("anonymousCode", Value::string("a-1")),
    ];
    assert_eq!(code(answer(&both)), "code c-1", "a code first");
    let empty = [
        ("code", Value::string("")),
        ("anonymousCode", Value::string("a-1")),
    ];
    assert_eq!(
        code(answer(&empty)),
        "anonymous a-1",
        "Douyin's anonymousCode when there is no code"
    );
    let neither = [
        ("code", Value::Number(5.0)),
        ("errMsg", Value::string("login:ok")),
    ];
    assert_eq!(code(answer(&neither)), "failed None", "no code that is a string");
    assert_eq!(code(script::login_answer(&Value::Null)), "failed None");
}
