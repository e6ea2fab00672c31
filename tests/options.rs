//! The options of `createSession`, from what JavaScript describes of them to a checked
//! `Config`: defaults, every option read, and a wrong one named in the error.
#![cfg(not(target_arch = "wasm32"))]

use mp_session::testing::script;
use mp_session::{Config, Error, ErrorCode, Fact, LoginEndpoint, LoginMethod, Platform, StatusValue};

mod reference;

fn from_json(json: &str) -> Result<Config, Error> {
    let value = reference::js_value(&serde_json::from_str(json).expect("JSON"));
    script::options(&value).and_then(Config::from_options)
}

#[test]
fn defaults_fill_every_missing_option() {
    let config = from_json(r#"{"loginUrl":"https://api.example.com/login"}"#).unwrap();
    assert_eq!(config.namespace(), "default");
    assert_eq!(config.storage_key(), "mp-session:default");
    assert_eq!(config.leeway_ms(), 300_000);
    assert_eq!(config.default_ttl_ms(), 7_200_000);
    assert_eq!(config.timeout_ms(), 10_000);
    assert_eq!(config.max_retries(), 2);
    assert_eq!(config.failure_toast(), None);
    assert_eq!(config.token_header(), "Authorization");
    assert_eq!(config.allowed_origins(), ["https://api.example.com"]);
}

#[test]
fn every_option_is_read() {
    let config = from_json(
        r#"{"loginUrl":"http://127.0.0.1:8080/login","namespace":"shop.v2","leewaySeconds":0,
            "defaultTtlSeconds":60,"timeoutMs":100,"maxRetries":10,"failureToast":"登录失败"}"#,
    )
    .unwrap();
    assert_eq!(config.namespace(), "shop.v2");
    assert_eq!((config.leeway_ms(), config.default_ttl_ms()), (0, 60_000));
    assert_eq!((config.timeout_ms(), config.max_retries()), (100, 10));
    assert_eq!(config.failure_toast(), Some("登录失败"));
    assert_eq!(
        from_json(r#"{"loginUrl":"https://a.com","failureToast":false}"#)
            .unwrap()
            .failure_toast(),
        None
    );
}

#[test]
fn each_platform_is_named_as_the_login_request_says_it() {
    for (name, platform) in [
        ("wx", Platform::Wx),
        ("tt", Platform::Tt),
        ("my", Platform::My),
        ("swan", Platform::Swan),
        ("qq", Platform::Qq),
        ("ks", Platform::Ks),
    ] {
        let json = format!(r#"{{"loginUrl":"https://a.com/login","platform":"{name}"}}"#);
        let config = from_json(&json).unwrap();
        assert_eq!((config.platform(), config.platform().as_str()), (platform, name));
    }
    assert_eq!(
        from_json(r#"{"loginUrl":"https://a.com"}"#).unwrap().platform(),
        Platform::Wx
    );
}

#[test]
fn a_cloud_function_takes_the_place_of_the_login_url() {
    let config = from_json(r#"{"cloudFunction":"login"}"#).unwrap();
    assert_eq!(
        config.login_endpoint(),
        &LoginEndpoint::CloudFunction("login".into())
    );
    assert_eq!(config.login_url(), None);
    // No backend origin to default to: request() sends the token nowhere unless told.
    assert!(config.allowed_origins().is_empty());
    let config =
        from_json(r#"{"cloudFunction":"user-login_2","allowedOrigins":["https://api.example.com"]}"#)
            .unwrap();
    assert_eq!(config.allowed_origins(), ["https://api.example.com"]);
}

#[test]
fn a_wrong_option_is_named_in_the_error() {
    let cases = [
        (r#"{}"#, "loginUrl is required (or cloudFunction"),
        (
            r#"{"loginUrl":"https://a.com","cloudFunction":"login"}"#,
            "loginUrl or cloudFunction, not both",
        ),
        (r#"{"cloudFunction":"1login"}"#, "cloudFunction must be"),
        (r#"{"cloudFunction":"log in"}"#, "cloudFunction must be"),
        (
            r#"{"cloudFunction":"login","platform":"tt"}"#,
            "only with platform wx",
        ),
        (
            r#"{"loginUrl":"https://a.com","platform":"web"}"#,
            "platform must be one of wx, tt, my, swan, qq, ks",
        ),
        (
            r#"{"loginUrl":"https://a.com","platform":"alipay"}"#,
            "platform must be one of",
        ),
        (r#"{"loginUrl":"http://api.example.com"}"#, "https"),
        (
            r#"{"loginURL":"https://a.com"}"#,
            "loginURL is not a known field; expected one of loginUrl, cloudFunction, platform, namespace",
        ),
        (r#"{"loginUrl":"https://a.com","namespace":""}"#, "namespace"),
        (r#"{"loginUrl":"https://a.com","namespace":"a b"}"#, "namespace"),
        (
            r#"{"loginUrl":"https://a.com","leewaySeconds":-1}"#,
            "leewaySeconds",
        ),
        (
            r#"{"loginUrl":"https://a.com","leewaySeconds":1.5}"#,
            "leewaySeconds",
        ),
        (
            r#"{"loginUrl":"https://a.com","defaultTtlSeconds":0}"#,
            "defaultTtlSeconds",
        ),
        (r#"{"loginUrl":"https://a.com","timeoutMs":60001}"#, "timeoutMs"),
        (r#"{"loginUrl":"https://a.com","maxRetries":11}"#, "maxRetries"),
        (
            r#"{"loginUrl":"https://a.com","failureToast":true}"#,
            "failureToast",
        ),
        (
            r#"{"loginUrl":"https://a.com","failureToast":""}"#,
            "failureToast",
        ),
        (
            r#"{"loginUrl":"https://a.com","timeoutMs":"5000"}"#,
            "timeoutMs must be a number",
        ),
        (
            r#"{"loginUrl":"https://a.com","login":"GET"}"#,
            "login must be an object",
        ),
        (
            r#"{"loginUrl":"https://a.com","login":{"methd":"GET"}}"#,
            "login methd is not a known field; expected one of method, body, codeField",
        ),
        (
            r#"{"loginUrl":"https://a.com","login":{"method":1}}"#,
            "login.method must be a string",
        ),
        (
            r#"{"loginUrl":"https://a.com","login":{"method":"PUT"}}"#,
            "login.method must be POST or GET",
        ),
        (
            r#"{"loginUrl":"https://a.com","login":{"fields":{"a":1}}}"#,
            "login.fields must be an object of strings",
        ),
        (
            r#"{"loginUrl":"https://a.com","login":{"answer":{"token":5}}}"#,
            "login.answer.token must be a string",
        ),
        (
            r#"{"loginUrl":"https://a.com","login":{"answer":{"status":"code","success":[{}]}}}"#,
            "login.answer.success must list numbers, texts, true or false",
        ),
        (
            r#"{"loginUrl":"https://a.com","login":{"answer":{"token":"data..token"}}}"#,
            "login.answer.token must be a field name or a dotted path",
        ),
        (
            r#"{"cloudFunction":"login","login":{}}"#,
            "login describes a loginUrl endpoint",
        ),
    ];
    for (json, expected) in cases {
        let error = from_json(json).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidConfig, "{json}");
        assert!(error.message().contains(expected), "{json}: {}", error.message());
    }
}

#[test]
fn web_options_are_read_by_name_and_an_unknown_one_is_refused() {
    let read = |json: &str| script::web_options(&reference::js_value(&serde_json::from_str(json).unwrap()));
    let options = read(r#"{"appid":"wx1","scope":"snsapi_userinfo"}"#).unwrap();
    assert_eq!(
        (options.appid.as_deref(), options.scope.as_deref()),
        (Some("wx1"), Some("snsapi_userinfo"))
    );
    let wrong = read(r#"{"appId":"wx1"}"#).unwrap_err();
    assert!(
        wrong
            .message()
            .starts_with("web options are not valid: appId is not a known field; expected one of appid"),
        "{wrong}"
    );
    assert_eq!(
        read(r#"{"appid":1}"#).unwrap_err().message(),
        "web options are not valid: appid must be a string"
    );
}

#[test]
fn a_backend_of_its_own_shape_is_described_by_login() {
    let config = from_json(
        r#"{"loginUrl":"https://api.example.com/wx/login","login":{"method":"GET","codeField":"js_code",
            "fields":{"appid":"wx1"},"answer":{"status":"code","success":[0,"ok"],"message":"msg",
            "token":"data.token","userId":"data.userId","expiresIn":"data.expire"}}}"#,
    )
    .unwrap();
    let shape = config.login_shape();
    assert_eq!(shape.method, LoginMethod::Get);
    assert_eq!(
        (shape.code_field.as_str(), shape.platform_field.as_deref()),
        ("js_code", None)
    );
    assert_eq!(shape.fields, [("appid".to_owned(), "wx1".to_owned())]);
    let answer = &shape.answer;
    assert_eq!(
        (answer.path(Fact::Token), answer.path(Fact::UserId)),
        (Some("data.token"), Some("data.userId"))
    );
    assert_eq!(answer.path(Fact::ExpiresIn), Some("data.expire"));
    assert_eq!(answer.path(Fact::Status), Some("code"));
    assert_eq!(
        answer.success(),
        [StatusValue::Number(0.0), StatusValue::Text("ok".into())]
    );
    assert_eq!(answer.path(Fact::Message), Some("msg"));
    // Without login: mp-session's own shape.
    let own = from_json(r#"{"loginUrl":"https://api.example.com/login"}"#).unwrap();
    assert_eq!(own.login_shape(), &mp_session::LoginShape::default());
}

/// The members of `interface name` in index.d.ts (written one a line, two spaces deep), sorted.
fn declared(dts: &str, name: &str) -> Vec<String> {
    let head = format!("\nexport interface {name} {{\n");
    let at = dts
        .find(&head)
        .unwrap_or_else(|| panic!("index.d.ts declares {name}"))
        + head.len();
    let body = &dts[at..at + dts[at..].find("\n}").expect("the interface closes")];
    let mut members: Vec<String> = body
        .lines()
        .filter_map(|line| line.strip_prefix("  "))
        .filter(|line| !line.starts_with([' ', '/', '*']))
        .filter_map(|line| line.split_once(['?', ':']).map(|(member, _)| member.to_owned()))
        .collect();
    members.sort();
    members
}

#[test]
fn index_d_ts_declares_the_login_settings_the_core_reads() {
    let dts = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/js-shim/index.d.ts")).unwrap();
    let sorted = |names: &[&str]| {
        let mut names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        names.sort();
        names
    };
    use mp_session::wire::layout::fields;
    assert_eq!(declared(&dts, "LoginOptions"), sorted(&fields::LOGIN));
    assert_eq!(
        declared(&dts, "LoginAnswerPaths"),
        sorted(&fields::LOGIN_ANSWER_SETTINGS)
    );
    // `login.answer.token` is a path, or one of the carriers the core reads, by their names.
    let carriers: Vec<String> = fields::TOKEN_CARRIER
        .iter()
        .map(|name| format!("{{ {name}: string }}"))
        .collect();
    let token = dts
        .lines()
        .find_map(|line| line.trim().strip_prefix("token?: "))
        .expect("LoginAnswerPaths declares token");
    assert_eq!(token, format!("string | {}", carriers.join(" | ")));
}
