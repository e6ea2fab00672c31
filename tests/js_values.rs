//! The driver's own small (de)serializers against serde-wasm-bindgen, the reference: every
//! value either both accept (and then decode alike) or both refuse, and what they write is
//! the same JSON.
#![cfg(target_arch = "wasm32")]

use js_sys::JSON;
use mp_session::decode::decode_object;
use mp_session::from_js::FromJs;
use mp_session::to_js::ToJs;
use mp_session::{Answer, Options, Record, Secret, Session, Source, UserInfo};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

fn parse(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

/// Decodes `json` both ways; returns whether they agree (and the value if both accepted).
fn agree<T: DeserializeOwned + PartialEq + std::fmt::Debug>(json: &str) {
    let ours = decode_object::<T, _>(FromJs(parse(json)));
    let reference = decode_object::<T, _>(serde_wasm_bindgen::Deserializer::from(parse(json)));
    match (&ours, &reference) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{json}"),
        (Err(_), Err(_)) => {}
        _ => panic!("{json}: ours {ours:?}, reference {reference:?}"),
    }
}

const RECORDS: &[&str] = &[
    r#"{"v":1,"openid":"o","unionid":null,"token":"t","expiresAt":1800000000000,"obtainedAt":1700000000000,"userInfo":null}"#,
    r#"{"v":1,"openid":"o","expiresAt":2,"obtainedAt":1,"userInfo":{"nickName":"小明","avatarUrl":null}}"#,
    r#"{"v":1,"openid":"o","expiresAt":2,"obtainedAt":1,"extra":[1,{"a":2}]}"#,
    r#"{"v":1.5,"openid":"o","expiresAt":2,"obtainedAt":1}"#,
    r#"{"v":-1,"openid":"o","expiresAt":2,"obtainedAt":1}"#,
    r#"{"v":1,"openid":"o","expiresAt":1e300,"obtainedAt":1}"#,
    r#"{"v":1,"openid":7,"expiresAt":2,"obtainedAt":1}"#,
    r#"{"v":1,"openid":"o","expiresAt":"2","obtainedAt":1}"#,
    r#"{"v":1,"openid":"o"}"#,
    r#"{"v":1,"openid":"o","expiresAt":2,"obtainedAt":1,"userInfo":"Ann"}"#,
    r#"{"v":1,"openid":"o","expiresAt":2,"obtainedAt":1,"token":["t"]}"#,
    r#""{\"v\":1}""#,
    r#"42"#,
    r#"true"#,
    r#"null"#,
    r#"{}"#,
];

const ANSWERS: &[&str] = &[
    r#"{"openid":"o","unionid":"u","token":"t","expires_in":7200,"session_key":"SK"}"#,
    r#"{"openid":"o","expiresIn":60.5,"userInfo":{"nickName":"N","avatarUrl":"https://a/b.png","gender":1}}"#,
    r#"{"errcode":40029,"errmsg":"invalid code"}"#,
    r#"{"errcode":"40029"}"#,
    r#"{"openid":null,"token":null,"expires_in":null}"#,
    r#"{"openid":"o","expires_in":"7200"}"#,
    r#"{"openid":"o","userInfo":{"nickName":5}}"#,
    r#"{"openid":{"nested":true}}"#,
    r#"{"openid":"o","expires_in":-1e309}"#,
    r#""plain""#,
    r#"0"#,
];

const OPTIONS: &[&str] = &[
    r#"{"loginUrl":"https://a.example.com/login"}"#,
    r#"{"loginUrl":"https://a.example.com","namespace":"x","leewaySeconds":0,"defaultTtlSeconds":60,"timeoutMs":100,"maxRetries":3,"failureToast":"登录失败","tokenHeader":"X-T","allowedOrigins":["https://a.example.com"]}"#,
    r#"{"loginUrl":"https://a.example.com","failureToast":false}"#,
    r#"{"loginUrl":"https://a.example.com","failureToast":true}"#,
    r#"{"loginUrl":"https://a.example.com","failureToast":7}"#,
    r#"{"loginURL":"https://a.example.com"}"#,
    r#"{"loginUrl":5}"#,
    r#"{"loginUrl":"https://a.example.com","timeoutMs":"100"}"#,
    r#"{"loginUrl":"https://a.example.com","allowedOrigins":"https://a.example.com"}"#,
    r#"{"loginUrl":"https://a.example.com","allowedOrigins":["https://a.example.com",1]}"#,
    r#"{"loginUrl":null,"namespace":null}"#,
];

#[wasm_bindgen_test]
fn stored_records_decode_as_the_reference_decodes_them() {
    for json in RECORDS {
        agree::<Record>(json);
    }
}

#[wasm_bindgen_test]
fn backend_answers_decode_as_the_reference_decodes_them() {
    for json in ANSWERS {
        agree::<Answer>(json);
    }
    agree::<UserInfo>(r#"{"nickName":"a","avatarUrl":null}"#);
}

#[wasm_bindgen_test]
fn options_decode_as_the_reference_decodes_them() {
    for json in OPTIONS {
        let ours = decode_object::<Options, _>(FromJs(parse(json)));
        let reference = decode_object::<Options, _>(serde_wasm_bindgen::Deserializer::from(parse(json)));
        assert_eq!(ours.is_ok(), reference.is_ok(), "{json}");
        if let (Ok(a), Ok(b)) = (ours, reference) {
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{json}");
        }
    }
}

fn same_json<T: Serialize>(value: &T) {
    let ours = value.serialize(ToJs).unwrap();
    let reference = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap();
    assert_eq!(
        JSON::stringify(&ours).unwrap(),
        JSON::stringify(&reference).unwrap()
    );
}

#[wasm_bindgen_test]
fn sessions_and_records_are_written_as_the_reference_writes_them() {
    let info = UserInfo {
        nick_name: Some("小明".into()),
        avatar_url: None,
    };
    same_json(&Session {
        openid: "o".into(),
        unionid: None,
        token: Some(Secret::new("t")),
        expires_at: 1_800_000_000_000,
        user_info: Some(info.clone()),
        source: Source::Cache,
    });
    same_json(&Record {
        v: 1,
        openid: "o".into(),
        unionid: Some("u".into()),
        token: None,
        expires_at: 2,
        obtained_at: 1,
        user_info: Some(info),
    });
}

#[wasm_bindgen_test]
fn errors_name_the_field_that_is_wrong() {
    let error = decode_object::<Options, _>(FromJs(parse(r#"{"loginUrl":"https://a.com","timeoutMs":"1"}"#)))
        .unwrap_err();
    assert_eq!(error.describe(), "timeoutMs must be a number");
    let error =
        decode_object::<Answer, _>(FromJs(parse(r#"{"openid":"o","userInfo":{"nickName":5}}"#))).unwrap_err();
    assert_eq!(error.describe(), "userInfo.nickName must be a string");
}
