//! The shipped decoders (`mp_session::codec`, hand-written to keep the WeChat module small)
//! against the reference: `serde_json` with the serde derives on the same types. On every
//! input of the fuzz corpus and on the edge cases below, both accept the same texts and read
//! the same values (numbers that are not integers to within a rounding error).
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::Path;

use mp_session::{codec, Answer, Options, Record, ReplyBody, StoredSession};

mod reference;
use reference::{close, lone_surrogate_escape, reference, too_deep, user_info_as_array};

fn same_record(text: &str) {
    let ours = codec::stored_session(text);
    let theirs = reference::<Record>(text);
    match (ours, theirs) {
        (StoredSession::Found(a), Some(b)) => assert_eq!(a, b, "{text}"),
        (StoredSession::Absent, None) => {
            assert!(matches!(text.trim(), "null" | "\"\""), "absent: {text}")
        }
        (StoredSession::Unreadable, None) => {}
        (StoredSession::Unreadable, Some(_)) if user_info_as_array(text) || lone_surrogate_escape(text) => {}
        (ours, theirs) => panic!("{text}\n  ours: {ours:?}\n  serde: {theirs:?}"),
    }
}

fn same_answer(text: &str) {
    let ours = codec::reply_body(text);
    let theirs = reference::<Answer>(text);
    match (ours, theirs) {
        (ReplyBody::Answer(a), Some(b)) => {
            assert_eq!(
                (&a.openid, &a.unionid, &a.token, &a.user_info),
                (&b.openid, &b.unionid, &b.token, &b.user_info),
                "{text}"
            );
            assert!(close(a.expires_in, b.expires_in), "{text}");
            assert!(close(a.expires_in_camel, b.expires_in_camel), "{text}");
            assert!(close(a.errcode, b.errcode), "{text}");
        }
        (ReplyBody::Unreadable, None) => {}
        (ReplyBody::Unreadable, Some(_)) if user_info_as_array(text) || lone_surrogate_escape(text) => {}
        (ReplyBody::TooLarge, _) => assert!(text.encode_utf16().count() > 65_536),
        (ours, theirs) => panic!("{text}\n  ours: {ours:?}\n  serde: {theirs:?}"),
    }
}

fn same_options(text: &str) {
    let ours = codec::options(text).ok();
    let theirs = reference::<Options>(text);
    match (ours, theirs) {
        (Some(a), Some(b)) => {
            assert_eq!(
                (
                    &a.login_url,
                    &a.namespace,
                    &a.failure_toast,
                    &a.token_header,
                    &a.allowed_origins
                ),
                (
                    &b.login_url,
                    &b.namespace,
                    &b.failure_toast,
                    &b.token_header,
                    &b.allowed_origins
                ),
                "{text}"
            );
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
        (None, Some(_)) if lone_surrogate_escape(text) => {}
        (ours, theirs) => panic!("{text}\n  ours: {ours:?}\n  serde: {theirs:?}"),
    }
}

/// Every file of a fuzz corpus folder, as text after `skip` leading bytes (the fuzz target's
/// own prefix), when it is UTF-8.
fn corpus(folder: &str, skip: usize) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(folder);
    let mut texts = Vec::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let bytes = fs::read(entry.unwrap().path()).unwrap();
        if let Some(text) = bytes.get(skip..).and_then(|b| std::str::from_utf8(b).ok()) {
            if !too_deep(text) {
                texts.push(text.to_owned());
            }
        }
    }
    assert!(texts.len() > 50, "{folder}: only {} texts", texts.len());
    texts
}

const EDGES: &[&str] = &[
    "",
    " ",
    "null",
    "\"\"",
    "{}",
    "[]",
    "{} x",
    "{\"v\":1,\"openid\":\"o\",\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":1,\"openid\":\"o\",\"expiresAt\":2,\"obtainedAt\":1,\"extra\":[1,{\"a\":null}]}",
    "{\"v\":1,\"openid\":\"o\",\"openid\":\"p\",\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":1,\"openid\":\"o\",\"x\":1,\"x\":2,\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":1.0,\"openid\":\"o\",\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":1,\"openid\":\"o\",\"expiresAt\":2e3,\"obtainedAt\":1}",
    "{\"v\":-0,\"openid\":\"o\",\"expiresAt\":2,\"obtainedAt\":-1}",
    "{\"v\":4294967296,\"openid\":\"o\",\"expiresAt\":18446744073709551615,\"obtainedAt\":0}",
    "{\"v\":1,\"openid\":\"o\",\"expiresAt\":18446744073709551616,\"obtainedAt\":0}",
    "{\"v\":1,\"openid\":\"\\ud83d\\ude00 \\u5c0f\",\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":1,\"openid\":\"\\ud800\",\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":1,\"openid\":\"o\",\"token\":null,\"userInfo\":{\"nickName\":\"小明\",\"x\":1},\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":1,\"openid\":\"o\",\"userInfo\":{\"nickName\":5},\"expiresAt\":2,\"obtainedAt\":1}",
    "{\"v\":1,\"openid\":\"o\",\"userInfo\":[\"n\",\"a\"],\"expiresAt\":2,\"obtainedAt\":1}",
    "{ \"userInfo\" :\t[  ]}",
    "{\"ignored\":8.7E667,\"userInfo\":[]}",
    "{\"openid\":\"o\",\"ignored\":\"u\\udAff-0\"}",
    "{\"openid\":\"o\",\"ignored\":\"\\\\udAff \\ud83d\\ude00\"}",
    "{\"openid\":\"o\",\"expires_in\":3600.5,\"errcode\":-1}",
    "{\"openid\":\"o\",\"expires_in\":1e308,\"expiresIn\":0.1}",
    "{\"openid\":\"o\",\"expires_in\":1e309}",
    "{\"openid\":\"o\",\"ignored\":8E11111111111111}",
    "{\"openid\":\"o\",\"expires_in\":\"3600\"}",
    "{\"errcode\":40029,\"errmsg\":\"invalid code\"}",
    "{\"errcode\":123456789012345678901234567890}",
    "{\"loginUrl\":\"https://a.com\",\"timeoutMs\":5000,\"failureToast\":false}",
    "{\"loginUrl\":\"https://a.com\",\"failureToast\":true}",
    "{\"loginUrl\":\"https://a.com\",\"failureToast\":\"失败\",\"allowedOrigins\":[\"https://a.com\"]}",
    "{\"loginUrl\":\"https://a.com\",\"allowedOrigins\":[\"https://a.com\",7]}",
    "{\"loginURL\":\"https://a.com\"}",
    "{\"loginUrl\":\"https://a.com\",\"leewaySeconds\":1.5,\"maxRetries\":-0.0}",
    "{\"a\" : [ 1 , 2 ] , \"b\" : { } }",
    "{\"a\":\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"}",
    "{\"a\":\"\\x\"}",
    "{\"a\":01}",
    "{\"a\":1.}",
    "{\"a\":.5}",
    "{\"a\":+1}",
    "{\"a\":1e}",
    "{\"a\":tru}",
    "{\"a\":\"\u{7}\"}",
];

#[test]
fn stored_records_decode_as_serde_decodes_them() {
    for text in corpus("stored_record", 8)
        .iter()
        .map(String::as_str)
        .chain(EDGES.iter().copied())
    {
        same_record(text);
    }
}

#[test]
fn backend_answers_decode_as_serde_decodes_them() {
    for text in corpus("backend_answer", 2)
        .iter()
        .map(String::as_str)
        .chain(EDGES.iter().copied())
    {
        same_answer(text);
    }
}

#[test]
fn options_decode_as_serde_decodes_them() {
    for text in corpus("options", 0)
        .iter()
        .map(String::as_str)
        .chain(EDGES.iter().copied())
    {
        same_options(text);
    }
}

#[test]
fn what_the_core_writes_is_what_serde_writes() {
    let text = r#"{"v":1,"openid":"o \"小\" 😀","unionid":null,"token":"t\n1","expiresAt":1767229200000,"obtainedAt":1767225600000,"userInfo":{"nickName":"小明","avatarUrl":null}}"#;
    let StoredSession::Found(record) = codec::stored_session(text) else {
        panic!()
    };
    let mut ours = String::new();
    codec::push_record(&mut ours, &record);
    assert_eq!(ours, serde_json::to_string(&record).unwrap());
    let session = record.to_session(mp_session::Source::Cache);
    let mut ours = String::new();
    codec::push_session(&mut ours, &session);
    assert_eq!(ours, serde_json::to_string(&session).unwrap());
}
