//! A mock of the upstream APIs the server calls, on one address: WeChat's code2Session, OAuth
//! exchange, `stable_token` and `getuserphonenumber`, and Douyin's code2Session. Codes are
//! the ones it issued, single use; each app's AppSecret is checked; `script`s make the next
//! answers fail.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

/// The mini-program's AppID and AppSecret.
pub const APPID: &str = "wx1234";
pub const SECRET: &str = "app-secret-DO-NOT-LEAK";
/// The official account's.
pub const WEB_APPID: &str = "wxoa5678";
pub const WEB_SECRET: &str = "web-secret-DO-NOT-LEAK";
/// The Douyin mini-program's.
pub const DOUYIN_APPID: &str = "tt9012";
pub const DOUYIN_SECRET: &str = "douyin-secret-DO-NOT-LEAK";

/// The environment the tests give `Settings::check`: every app's AppSecret.
pub fn secrets(name: &str) -> Option<String> {
    match name {
        "MP_SESSION_SECRET" => Some(SECRET.into()),
        "MP_SESSION_WEB_SECRET" => Some(WEB_SECRET.into()),
        "MP_SESSION_DOUYIN_SECRET" => Some(DOUYIN_SECRET.into()),
        _ => None,
    }
}

/// What an API answers next, instead of its own answer.
#[derive(Clone, Debug)]
pub enum Scripted {
    /// An errcode (Douyin's `err_no`).
    Errcode(i64),
    Http500,
    Garbage,
    /// No answer for 5 seconds.
    Hang,
}

/// The mock's state, shared with the test.
#[derive(Default)]
pub struct Mock {
    /// Login codes issued: the openid each names, and whether it was used.
    pub codes: HashMap<String, (String, bool)>,
    /// The next answers of the login exchanges (every platform's).
    pub script: VecDeque<Scripted>,
    /// Login exchanges that reached the mock.
    pub calls: usize,
    issued: usize,
    /// getPhoneNumber codes issued: the number each gives, and whether it was used.
    pub phone_codes: HashMap<String, (String, bool)>,
    /// The next answers of getuserphonenumber.
    pub phone_script: VecDeque<Scripted>,
    /// getuserphonenumber calls, and the access_token each carried.
    pub phone_calls: Vec<String>,
    /// Every access_token issued and when it ends (Unix seconds); the latest last.
    pub tokens: Vec<(String, i64)>,
    /// Tokens made invalid before their time (as a forced refresh or a reset does).
    pub revoked: Vec<String>,
    /// stable_token calls, those under way now, and the most under way at once.
    pub token_calls: usize,
    pub token_in_flight: usize,
    pub token_most_in_flight: usize,
    /// How long stable_token takes to answer.
    pub token_delay: Duration,
    /// The lifetime (seconds) stable_token gives a new token (7200 unless set).
    pub token_lifetime: Option<i64>,
}

/// The mock, shared between its handlers and the test.
pub type Shared = Arc<Mutex<Mock>>;

impl Mock {
    /// A new login code naming `openid`.
    pub fn issue(&mut self, openid: &str) -> String {
        self.issued += 1;
        let code = format!("code-{}", self.issued);
        self.codes.insert(code.clone(), (openid.into(), false));
        code
    }

    /// A new getPhoneNumber code giving `number`.
    pub fn issue_phone(&mut self, number: &str) -> String {
        self.issued += 1;
        let code = format!("phone-code-{}", self.issued);
        self.phone_codes.insert(code.clone(), (number.into(), false));
        code
    }

    /// The openid of an unused `code`, now used.
    fn redeem(&mut self, code: &str) -> Result<String, i64> {
        match self.codes.get_mut(code) {
            None => Err(40029),
            Some((_, true)) => Err(40163),
            Some((openid, used)) => {
                *used = true;
                Ok(openid.clone())
            }
        }
    }
}

/// The mock's routes.
pub fn routes(mock: Shared) -> Router {
    Router::new()
        .route("/sns/jscode2session", get(code2session))
        .route("/sns/oauth2/access_token", get(oauth))
        .route("/api/apps/v2/jscode2session", post(douyin))
        .route("/cgi-bin/stable_token", post(stable_token))
        .route("/wxa/business/getuserphonenumber", post(phone_number))
        .with_state(mock)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A scripted answer, if one is next: `errcode` writes its errcode.
async fn scripted(next: Option<Scripted>, errcode: impl FnOnce(i64) -> Value) -> Option<Response> {
    Some(match next? {
        Scripted::Errcode(code) => Json(errcode(code)).into_response(),
        Scripted::Http500 => (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response(),
        Scripted::Garbage => "<html>not json</html>".into_response(),
        Scripted::Hang => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Json(json!({})).into_response()
        }
    })
}

fn wechat_error(errcode: i64) -> Value {
    json!({ "errcode": errcode, "errmsg": if errcode == 40163 { "code been used" } else { "scripted" } })
}

async fn code2session(State(mock): State<Shared>, Query(query): Query<HashMap<String, String>>) -> Response {
    let next = {
        let mut mock = mock.lock().unwrap();
        mock.calls += 1;
        assert_eq!(
            (query["appid"].as_str(), query["secret"].as_str()),
            (APPID, SECRET)
        );
        mock.script.pop_front()
    };
    if let Some(answer) = scripted(next, wechat_error).await {
        return answer;
    }
    let code = query.get("js_code").cloned().unwrap_or_default();
    match mock.lock().unwrap().redeem(&code) {
        Err(40029) => Json(json!({ "errcode": 40029, "errmsg": "invalid code" })).into_response(),
        Err(errcode) => Json(wechat_error(errcode)).into_response(),
        Ok(openid) => {
            Json(json!({ "openid": openid, "unionid": "u-1", "session_key": "SK-secret-session-key" }))
                .into_response()
        }
    }
}

async fn oauth(State(mock): State<Shared>, Query(query): Query<HashMap<String, String>>) -> Response {
    let next = {
        let mut mock = mock.lock().unwrap();
        mock.calls += 1;
        assert_eq!(
            (query["appid"].as_str(), query["secret"].as_str()),
            (WEB_APPID, WEB_SECRET)
        );
        mock.script.pop_front()
    };
    if let Some(answer) = scripted(next, wechat_error).await {
        return answer;
    }
    let code = query.get("code").cloned().unwrap_or_default();
    match mock.lock().unwrap().redeem(&code) {
        Err(errcode) => Json(wechat_error(errcode)).into_response(),
        Ok(openid) => Json(json!({
            "access_token": "USER-AT-secret", "expires_in": 7200, "refresh_token": "RT",
            "openid": format!("oa-{openid}"), "scope": "snsapi_base", "unionid": "u-1"
        }))
        .into_response(),
    }
}

async fn douyin(State(mock): State<Shared>, Json(body): Json<Value>) -> Response {
    let next = {
        let mut mock = mock.lock().unwrap();
        mock.calls += 1;
        assert_eq!(
            (body["appid"].as_str(), body["secret"].as_str()),
            (Some(DOUYIN_APPID), Some(DOUYIN_SECRET))
        );
        mock.script.pop_front()
    };
    if let Some(answer) = scripted(next, |code| json!({ "err_no": code, "err_tips": "scripted" })).await {
        return answer;
    }
    let code = body["code"].as_str().unwrap_or_default();
    let anonymous = body["anonymous_code"].as_str().unwrap_or_default();
    let mut mock = mock.lock().unwrap();
    let answer = match (code, anonymous) {
        ("", "") => json!({ "err_no": 40014, "err_tips": "bad params" }),
        ("", anonymous) => match mock.redeem(anonymous) {
            Err(_) => json!({ "err_no": 40019, "err_tips": "bad anonymous_code" }),
            Ok(openid) => json!({ "err_no": 0, "err_tips": "success", "data": {
                "session_key": "", "openid": "", "anonymous_openid": format!("anon-{openid}"), "unionid": "" } }),
        },
        (code, _) => match mock.redeem(code) {
            Err(_) => json!({ "err_no": 40018, "err_tips": "bad code" }),
            Ok(openid) => json!({ "err_no": 0, "err_tips": "success", "data": {
                "session_key": "SK-secret-douyin", "openid": format!("tt-{openid}"), "anonymous_openid": "", "unionid": "u-1" } }),
        },
    };
    Json(answer).into_response()
}

/// Counts a stable_token call as under way until dropped (answered, or given up by the caller).
struct InFlight(Shared);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.lock().unwrap().token_in_flight -= 1;
    }
}

async fn stable_token(State(mock): State<Shared>, Json(body): Json<Value>) -> Response {
    let delay = {
        let mut mock = mock.lock().unwrap();
        assert_eq!(
            (body["appid"].as_str(), body["secret"].as_str()),
            (Some(APPID), Some(SECRET))
        );
        assert_eq!(body["grant_type"], "client_credential");
        mock.token_calls += 1;
        mock.token_in_flight += 1;
        mock.token_most_in_flight = mock.token_most_in_flight.max(mock.token_in_flight);
        mock.token_delay
    };
    let in_flight = InFlight(Arc::clone(&mock));
    tokio::time::sleep(delay).await;
    drop(in_flight);
    let mut mock = mock.lock().unwrap();
    let force = body["force_refresh"].as_bool().unwrap_or(false);
    // Normal mode gives the current token while it has more than 5 minutes left.
    if let Some((token, ends)) = mock.tokens.last().cloned() {
        if !force && ends - now() > 300 && !mock.revoked.contains(&token) {
            return Json(json!({ "access_token": token, "expires_in": ends - now() })).into_response();
        }
        if force {
            mock.revoked.push(token);
        }
    }
    let lifetime = mock.token_lifetime.unwrap_or(7200);
    let token = format!("ACCESS-TOKEN-{}", mock.tokens.len() + 1);
    mock.tokens.push((token.clone(), now() + lifetime));
    Json(json!({ "access_token": token, "expires_in": lifetime })).into_response()
}

async fn phone_number(
    State(mock): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    Json(body): Json<Value>,
) -> Response {
    let token = query.get("access_token").cloned().unwrap_or_default();
    let next = {
        let mut mock = mock.lock().unwrap();
        mock.phone_calls.push(token.clone());
        mock.phone_script.pop_front()
    };
    if let Some(answer) = scripted(next, wechat_error).await {
        return answer;
    }
    let mut mock = mock.lock().unwrap();
    let valid =
        mock.tokens.iter().any(|(t, ends)| *t == token && *ends > now()) && !mock.revoked.contains(&token);
    if !valid {
        return Json(json!({ "errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest" }))
            .into_response();
    }
    assert!(body["openid"].as_str().is_some_and(|o| !o.is_empty()));
    let code = body["code"].as_str().unwrap_or_default();
    match mock.phone_codes.get_mut(code) {
        None | Some((_, true)) => Json(json!({ "errcode": 40029, "errmsg": "invalid code" })).into_response(),
        Some((number, used)) => {
            *used = true;
            Json(json!({ "errcode": 0, "errmsg": "ok", "phone_info": {
                "phoneNumber": number.clone(), "purePhoneNumber": number.clone(), "countryCode": "86",
                "watermark": { "timestamp": now(), "appid": APPID } } }))
            .into_response()
        }
    }
}
