//! `POST /auth/phone`: a `getPhoneNumber` button's `code`, with the session's token, becomes
//! the user's phone number (`wxa/business/getuserphonenumber` with the shared
//! `access_token`), bound to their openid and answered.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use crate::access_token::{access_token, TokenError};
use crate::auth::Authenticated;
use crate::clock::now;
use crate::failure::Failure;
use crate::upstream::{Failed, PhoneNumber};
use crate::AppState;

/// WeChat's errcodes for an `access_token` it no longer takes: invalid or not the latest
/// (40001), expired (42001), invalid (40014).
const STALE_TOKEN: [i64; 3] = [40001, 42001, 40014];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PhoneBody {
    code: Option<String>,
}

pub(super) async fn phone(
    State(state): State<AppState>,
    user: Authenticated,
    body: Result<Json<PhoneBody>, JsonRejection>,
) -> Result<Json<PhoneNumber>, Failure> {
    let Json(body) = body.map_err(|rejection| Failure::body(rejection, "{ code }"))?;
    let app = match (&state.config.wx, user.platform.as_str()) {
        (Some(app), "wx") => app,
        _ => {
            return Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "PHONE_UNSUPPORTED",
                format!(
                    "phone numbers come from WeChat mini-programs; this session is from {:?}",
                    user.platform
                ),
            ))
        }
    };
    let code = match body.code {
        Some(code) if !code.is_empty() && code.chars().count() <= 256 => code,
        _ => {
            return Err(Failure::new(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "code must be the getPhoneNumber event's detail.code, 1 to 256 characters",
            ))
        }
    };
    let token = access_token(&state, app, None).await.map_err(token_failure)?;
    let mut answer = state
        .upstream
        .phone_number(app, &token, &code, &user.openid)
        .await;
    if let Err(Failed::Refused { errcode, .. }) = &answer {
        if STALE_TOKEN.contains(errcode) {
            // Refreshed (once, by one server) and asked again.
            let token = access_token(&state, app, Some(&token))
                .await
                .map_err(token_failure)?;
            answer = state
                .upstream
                .phone_number(app, &token, &code, &user.openid)
                .await;
        }
    }
    let phone = answer.map_err(phone_failure)?;
    state
        .store
        .bind_phone(user.openid.clone(), phone.clone(), now())
        .await
        .map_err(Failure::store)?;
    tracing::info!(openid = %user.openid, "phone number bound");
    Ok(Json(phone))
}

fn token_failure(error: TokenError) -> Failure {
    match error {
        TokenError::Store(error) => Failure::store(error),
        TokenError::Upstream(Failed::Unavailable(unavailable)) => {
            Failure::unavailable("access_token", unavailable)
        }
        TokenError::Upstream(Failed::Refused { errcode, errmsg }) => {
            // The server's own configuration, not the user's doing: the detail goes to the log.
            let hint = match errcode {
                40013 | 40125 | 40001 => ": check --appid and the AppSecret",
                40164 => ": add this server's IP address to the mini-program's IP whitelist",
                _ => "",
            };
            tracing::error!("stable_token refused: errcode {errcode}: {errmsg}{hint}");
            Failure::with_errcode(
                StatusCode::BAD_GATEWAY,
                "ACCESS_TOKEN",
                format!("WeChat gave this server no access_token (errcode {errcode}); its log says more"),
                errcode,
            )
        }
    }
}

fn phone_failure(failed: Failed) -> Failure {
    match failed {
        Failed::Unavailable(unavailable) => Failure::unavailable("getuserphonenumber", unavailable),
        Failed::Refused { errcode: 1_400_001, errmsg } => Failure::with_errcode(
            StatusCode::PAYMENT_REQUIRED,
            "PHONE_QUOTA",
            format!("the app's phone-number quota is used up (errcode 1400001: {errmsg}): buy more in the mini-program's admin console"),
            1_400_001,
        ),
        Failed::Refused { errcode: errcode @ (40029 | 40163), errmsg } => Failure::with_errcode(
            StatusCode::BAD_REQUEST,
            "PHONE_CODE_INVALID",
            format!("the getPhoneNumber code is invalid, expired or used (errcode {errcode}: {errmsg}): ask the user again"),
            errcode,
        ),
        Failed::Refused { errcode, errmsg } => Failure::with_errcode(
            StatusCode::BAD_GATEWAY,
            "PHONE_REFUSED",
            format!("WeChat refused the phone number (errcode {errcode}: {errmsg})"),
            errcode,
        ),
    }
}
