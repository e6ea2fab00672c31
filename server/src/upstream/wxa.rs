//! WeChat's server APIs that need the app's `access_token`: the token itself
//! (`cgi-bin/stable_token`) and a phone number from a `getPhoneNumber` code
//! (`wxa/business/getuserphonenumber`).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{is_passing, retrying, Unavailable, Upstream};
use crate::config::App;

/// A WeChat API call that gave no result.
#[derive(Debug, PartialEq, Eq)]
pub enum Failed {
    /// WeChat answered with an errcode.
    Refused {
        /// WeChat's errcode (`40001` invalid access_token, `1400001` out of quota, ...).
        errcode: i64,
        /// WeChat's errmsg.
        errmsg: String,
    },
    /// No usable answer after the retries.
    Unavailable(Unavailable),
}

impl Failed {
    fn is_passing(&self) -> bool {
        match self {
            Failed::Refused { errcode, .. } => is_passing(*errcode),
            Failed::Unavailable(_) => true,
        }
    }

    /// Passing trouble that surely did nothing at WeChat: busy, rate limited, or never sent.
    /// (A phone code works once and each success is paid for: a try whose outcome is unknown
    /// is not made again.)
    fn is_passing_and_undone(&self) -> bool {
        match self {
            Failed::Refused { errcode, .. } => is_passing(*errcode),
            Failed::Unavailable(unavailable) => unavailable.unsent,
        }
    }
}

/// An `access_token` and its lifetime in seconds.
#[derive(PartialEq, Eq)]
pub struct StableToken {
    /// The token.
    pub access_token: String,
    /// Seconds it lasts from now.
    pub expires_in: i64,
}

/// A user's phone number, as WeChat gives it (and as this server answers it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneNumber {
    /// With the country code when outside mainland China (`+1 2025550123`).
    pub phone_number: String,
    /// Without the country code.
    pub pure_phone_number: String,
    /// The country code (`86`).
    pub country_code: String,
}

impl std::fmt::Debug for StableToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "StableToken {{ access_token: <hidden>, expires_in: {} }}",
            self.expires_in
        )
    }
}

#[derive(Deserialize)]
struct Answer<T> {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    #[serde(flatten)]
    result: Option<T>,
}

#[derive(Deserialize)]
struct TokenFields {
    access_token: String,
    expires_in: i64,
}

#[derive(Deserialize)]
struct PhoneFields {
    phone_info: PhoneInfo,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PhoneInfo {
    #[serde(flatten)]
    number: PhoneNumber,
    watermark: Option<Watermark>,
}

#[derive(Deserialize)]
struct Watermark {
    appid: String,
}

impl Upstream {
    /// The app's `access_token` from `cgi-bin/stable_token`; `force_refresh` when the last
    /// one was refused as invalid.
    pub async fn stable_token(&self, app: &App, force_refresh: bool) -> Result<StableToken, Failed> {
        let url = format!("{}/cgi-bin/stable_token", self.wechat);
        let body = json!({ "grant_type": "client_credential", "appid": app.appid, "secret": app.secret, "force_refresh": force_refresh });
        retrying(
            || async {
                let answer = self.json(self.client.post(&url).json(&body), "stable_token");
                let fields: TokenFields = result(answer.await)?;
                if fields.access_token.is_empty() || fields.expires_in <= 0 {
                    return Err(Failed::Unavailable(Unavailable::new(
                        false,
                        "stable_token answered no token",
                    )));
                }
                Ok(StableToken {
                    access_token: fields.access_token,
                    expires_in: fields.expires_in,
                })
            },
            |outcome| outcome.as_ref().is_err_and(Failed::is_passing),
        )
        .await
    }

    /// The phone number of a `getPhoneNumber` `code`, for `app`'s user `openid`. Tried again
    /// only when the try surely did nothing (see [`Failed::is_passing_and_undone`]).
    pub async fn phone_number(
        &self,
        app: &App,
        access_token: &str,
        code: &str,
        openid: &str,
    ) -> Result<PhoneNumber, Failed> {
        let url = format!("{}/wxa/business/getuserphonenumber", self.wechat);
        let body = json!({ "code": code, "openid": openid });
        retrying(
            || async {
                let request = self
                    .client
                    .post(&url)
                    .query(&[("access_token", access_token)])
                    .json(&body);
                let fields: PhoneFields = result(self.json(request, "getuserphonenumber").await)?;
                match fields.phone_info.watermark {
                    Some(mark) if mark.appid != app.appid => Err(Failed::Unavailable(Unavailable::new(
                        false,
                        "getuserphonenumber answered for another app: check --wechat-api",
                    ))),
                    _ => Ok(fields.phone_info.number),
                }
            },
            |outcome| outcome.as_ref().is_err_and(Failed::is_passing_and_undone),
        )
        .await
    }
}

/// The result fields of an answer, or its errcode.
fn result<T>(answer: Result<Answer<T>, Unavailable>) -> Result<T, Failed> {
    let answer = answer.map_err(Failed::Unavailable)?;
    if answer.errcode != 0 {
        return Err(Failed::Refused {
            errcode: answer.errcode,
            errmsg: answer.errmsg,
        });
    }
    answer.result.ok_or_else(|| {
        Failed::Unavailable(Unavailable::new(
            false,
            "wechat answered without the result's fields",
        ))
    })
}
