//! `POST /auth/login`: `{ code, platform }` (or Douyin's `{ anonymousCode, platform: "tt" }`)
//! exchanged upstream, kept as a session, answered with a token the client keeps.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use std::net::IpAddr;

use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use mp_session::protocol::{LoginAnswer, LoginRequest, Platform, MAX_DEVICE_CHARS};

use crate::address::{address_key, Peer};
use crate::clock::now;
use crate::config::{App, Config, Names};
use crate::failure::Failure;
use crate::limits::{Admitted, Limit};
use crate::metrics;
use crate::store::{Inserted, LoginRules, SessionEntry};
use crate::upstream::{CodeOutcome, DouyinCode};
use crate::{token, AppState};

/// The longest code taken (WeChat's are 32 characters).
const MAX_CODE_CHARS: usize = 256;

/// A login body read: the platform's app and the credential to exchange.
enum Credential<'a> {
    Wx(&'a App, String),
    Web(&'a App, String),
    Douyin(&'a App, String, bool),
}

pub(super) async fn login(
    State(state): State<AppState>,
    Peer(peer): Peer,
    headers: HeaderMap,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Json<LoginAnswer>, Failure> {
    let client = state.config.limits.client(peer, &headers);
    let (platform, outcome) = match &body {
        Ok(Json(body)) => (
            body.platform
                .clone()
                .unwrap_or_else(|| Platform::Wx.as_str().to_owned()),
            None,
        ),
        Err(_) => (String::new(), Some("rejected")),
    };
    let answered = exchange(state, client, body).await;
    let outcome = outcome.unwrap_or(match &answered {
        Ok(_) => "session",
        Err(failure) => failure.outcome(),
    });
    // A platform this server does not serve is counted under none: the label takes only ours.
    let served = if matches!(platform.as_str(), "wx" | "web" | "tt") {
        platform.as_str()
    } else {
        ""
    };
    metrics::count(metrics::LOGINS, &[("platform", served), ("outcome", outcome)], 1);
    answered
}

/// The login itself: the body read, the client's address held to its limit, the code
/// exchanged, the session written (within the user's limit).
async fn exchange(
    state: AppState,
    client: Option<IpAddr>,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Json<LoginAnswer>, Failure> {
    let Json(body) = body.map_err(|rejection| Failure::body(rejection, "{ code, platform }"))?;
    let device = device(body.device)?;
    let platform = body.platform.unwrap_or_else(|| Platform::Wx.as_str().to_owned());
    let credential = read(&state.config, &platform, body.code, body.anonymous_code)?;
    // Before WeChat is asked, this server's own budget of the address: a client in a loop,
    // or one sending codes that are not WeChat's, spends its own, not the app's quota. The
    // store's budget, shared by every server, is spent when the session is kept.
    let per_address = state.config.limits.logins_per_ip;
    let address = client.map(|client| (address_key(client), per_address));
    if let Some((key, rate)) = &address {
        if let Admitted::No { retry_after_ms } = state.addresses.admit(key, *rate) {
            return Err(limited(Limit::Address, retry_after_ms));
        }
    }
    let exchange = match &credential {
        Credential::Wx(app, code) => state.upstream.code2session(app, code).await,
        Credential::Web(app, code) => state.upstream.oauth(app, code).await,
        Credential::Douyin(app, code, false) => state.upstream.douyin(app, DouyinCode::Known(code)).await,
        Credential::Douyin(app, code, true) => state.upstream.douyin(app, DouyinCode::Anonymous(code)).await,
    };
    let (openid, unionid, session_key) = match exchange {
        CodeOutcome::Session {
            openid,
            unionid,
            session_key,
        } => (openid, unionid, session_key),
        CodeOutcome::Refused { errcode, errmsg } => {
            log_refusal(&platform, errcode, &errmsg);
            metrics::count(
                metrics::REFUSALS,
                &[("platform", &platform), ("errcode", &errcode.to_string())],
                1,
            );
            return Err(Failure::errcode(StatusCode::BAD_REQUEST, errcode, errmsg));
        }
        CodeOutcome::Unavailable(unavailable) => return Err(Failure::unavailable("login", unavailable)),
    };
    let issued = token::issue().map_err(|e| {
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "RANDOM",
            format!("no random bytes: {e}"),
        )
    })?;
    let ttl = state.config.session_ttl.as_secs();
    let session = SessionEntry {
        openid: openid.clone(),
        unionid: unionid.clone(),
        platform,
        expires_at: now() + ttl as i64,
        device,
    };
    let ended = state
        .store
        .insert(
            issued.id,
            issued.verifier,
            session,
            session_key,
            LoginRules {
                cap: state.config.max_sessions_per_user,
                per_user: state.config.limits.logins_per_user,
                address,
            },
        )
        .await
        .map_err(Failure::store)?;
    let ended = match ended {
        Inserted::Kept { ended } => {
            if ended > 0 {
                metrics::count(metrics::SESSIONS_ENDED, &[("reason", "cap")], ended);
            }
            ended
        }
        Inserted::Blocked => {
            tracing::info!(openid = %openid, "login refused: the user is blocked");
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                "BLOCKED",
                "this user may not log in: the service's operator blocked the account",
            ));
        }
        Inserted::Limited {
            limit,
            retry_after_ms,
        } => return Err(limited(limit, retry_after_ms)),
    };
    tracing::info!(openid = %openid, ended_by_cap = ended, "logged in");
    Ok(Json(LoginAnswer {
        openid,
        unionid,
        token: Some(issued.token),
        expires_in: Some(ttl),
        user_info: None,
    }))
}

/// A login over `limit`: counted, and answered 429.
fn limited(limit: Limit, retry_after_ms: u64) -> Failure {
    metrics::count(metrics::LIMITS_HIT, &[("limit", limit.label())], 1);
    Failure::limited(limit.words(), retry_after_ms)
}

/// A refused code in the log: as an error naming the settings when the platform refused this
/// server's own AppID or AppSecret (every login fails until they are fixed), else as info.
fn log_refusal(platform: &str, errcode: i64, errmsg: &str) {
    match refused_credentials(platform, errcode) {
        Some(names) => tracing::error!(
            platform,
            errcode,
            errmsg,
            "the platform refused this server's AppID or AppSecret: check {}",
            names.credentials()
        ),
        None if errcode == 40164 => tracing::error!(
            platform,
            errcode,
            errmsg,
            "WeChat refused this server's IP address: add it to the app's IP whitelist"
        ),
        None => tracing::info!(platform, errcode, errmsg, "login refused"),
    }
}

/// The app whose settings to check when `errcode` says the platform refused this server's
/// credentials (WeChat: 40013 invalid AppID, 40125 invalid AppSecret, 41002/41004 missing;
/// Douyin: 40015 AppID, 40017 secret).
fn refused_credentials(platform: &str, errcode: i64) -> Option<&'static Names> {
    let refused = matches!(
        (platform, errcode),
        ("wx" | "web", 40013 | 40125 | 41002 | 41004) | ("tt", 40015 | 40017)
    );
    refused.then(|| Names::of(platform)).flatten()
}

/// The body's platform and code, checked against what this server serves.
fn read<'a>(
    config: &'a Config,
    platform: &str,
    code: Option<String>,
    anonymous_code: Option<String>,
) -> Result<Credential<'a>, Failure> {
    let app = match platform {
        "wx" => config.wx.as_ref(),
        "web" => config.web.as_ref(),
        "tt" => config.douyin.as_ref(),
        _ => None,
    };
    let Some(app) = app else {
        let setting = match (Names::of(platform), platform) {
            (Some(names), _) => format!(" (start it with {} to serve it)", names.appid),
            (None, "my" | "swan" | "qq" | "ks") => " (mp-session-server exchanges codes of wx, web and tt; \
                 this platform's code needs an exchange of your own)"
                .to_owned(),
            (None, _) => String::new(),
        };
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "UNKNOWN_PLATFORM",
            format!(
                "platform {platform:?} is not served here: this server serves {}{setting}",
                config.platforms().join(", ")
            ),
        ));
    };
    let well_formed = |code: &String| !code.is_empty() && code.chars().count() <= MAX_CODE_CHARS;
    match (platform, code, anonymous_code) {
        ("tt", Some(code), None) if well_formed(&code) => Ok(Credential::Douyin(app, code, false)),
        ("tt", None, Some(code)) if well_formed(&code) => Ok(Credential::Douyin(app, code, true)),
        ("tt", ..) => Err(bad_code("one of code and anonymousCode, tt.login's")),
        ("web", Some(code), None) if well_formed(&code) => Ok(Credential::Web(app, code)),
        ("web", ..) => Err(bad_code("code, the OAuth redirect's")),
        (_, Some(code), None) if well_formed(&code) => Ok(Credential::Wx(app, code)),
        _ => Err(bad_code("code, wx.login's")),
    }
}

/// The device the app named, if any: printable, at most [`MAX_DEVICE_CHARS`] characters.
fn device(device: Option<String>) -> Result<Option<String>, Failure> {
    match device {
        Some(device) if device.chars().count() > MAX_DEVICE_CHARS || device.chars().any(char::is_control) => {
            Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                format!("device must be the device's model: at most {MAX_DEVICE_CHARS} characters, none a control"),
            ))
        }
        device => Ok(device.filter(|d| !d.trim().is_empty())),
    }
}

fn bad_code(what: &str) -> Failure {
    Failure::new(
        StatusCode::BAD_REQUEST,
        "BAD_REQUEST",
        format!("the body must carry {what}, 1 to {MAX_CODE_CHARS} characters"),
    )
}

#[cfg(test)]
mod tests {
    use super::refused_credentials;

    #[test]
    fn a_refused_appid_or_secret_names_the_settings_a_refused_code_does_not() {
        let names = |platform, errcode| refused_credentials(platform, errcode).map(|n| n.credentials());
        assert_eq!(
            names("wx", 40125).as_deref(),
            Some("--appid / MP_SESSION_APPID and --secret-file / MP_SESSION_SECRET")
        );
        assert!(names("web", 40013).unwrap().starts_with("--web-appid"));
        assert!(names("tt", 40017).unwrap().starts_with("--douyin-appid"));
        for (platform, errcode) in [
            ("wx", 40029),
            ("wx", 40163),
            ("wx", 40226),
            ("wx", -1),
            ("tt", 40013),
        ] {
            assert_eq!(names(platform, errcode), None, "{platform} {errcode}");
        }
    }
}
