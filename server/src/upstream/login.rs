//! A login code exchanged for a user: WeChat's code2Session (`sns/jscode2session`), the
//! official account's OAuth exchange (`sns/oauth2/access_token`), Douyin's
//! `api/apps/v2/jscode2session` (codes and anonymous codes).

use serde::Deserialize;
use serde_json::json;

use mp_session::protocol::errcode;

use super::{is_passing, retrying, Unavailable, Upstream};
use crate::config::App;

/// What the platform made of a code. Its `Debug` never shows the user's key.
#[derive(PartialEq, Eq)]
pub enum CodeOutcome {
    /// A user. The key stays on this server.
    Session {
        /// The user's openid (Douyin's `anonymous_openid` for an anonymous code).
        openid: String,
        /// The unionid, when the app is bound to an Open Platform account.
        unionid: Option<String>,
        /// The key the platform gave for this user: code2Session's `session_key`, or the
        /// official account's OAuth `access_token` for the user; empty for an anonymous code.
        session_key: String,
    },
    /// The platform refused the code: an errcode of the contract (WeChat's own, passed
    /// through; Douyin's code errors as `40029`), and its message.
    Refused {
        /// The errcode the client's rules read (40029, 40163, 40226, ...).
        errcode: i64,
        /// The platform's message.
        errmsg: String,
    },
    /// No usable answer after the retries.
    Unavailable(Unavailable),
}

impl std::fmt::Debug for CodeOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodeOutcome::Session { openid, unionid, .. } => {
                write!(
                    f,
                    "Session {{ openid: {openid:?}, unionid: {unionid:?}, session_key: <hidden> }}"
                )
            }
            CodeOutcome::Refused { errcode, errmsg } => {
                write!(f, "Refused {{ errcode: {errcode}, errmsg: {errmsg:?} }}")
            }
            CodeOutcome::Unavailable(unavailable) => write!(f, "Unavailable({unavailable:?})"),
        }
    }
}

impl CodeOutcome {
    fn is_passing(&self) -> bool {
        match self {
            CodeOutcome::Refused { errcode, .. } => is_passing(*errcode),
            CodeOutcome::Unavailable(_) => true,
            CodeOutcome::Session { .. } => false,
        }
    }
}

/// A Douyin `tt.login` credential: `code` for a user logged in to Douyin, else only
/// `anonymousCode`.
#[derive(Clone, Copy, Debug)]
pub enum DouyinCode<'a> {
    /// `tt.login`'s `code`.
    Known(&'a str),
    /// `tt.login`'s `anonymousCode`.
    Anonymous(&'a str),
}

/// One of WeChat's code exchanges: its path, the code's parameter, its name in errors, and
/// which field of the answer is the user's key.
struct WechatLogin {
    path: &'static str,
    code_name: &'static str,
    what: &'static str,
    key: fn(&mut WechatAnswer) -> Option<String>,
}

/// WeChat's answer, code2Session's or OAuth's: the fields of both.
#[derive(Deserialize)]
struct WechatAnswer {
    openid: Option<String>,
    unionid: Option<String>,
    session_key: Option<String>,
    access_token: Option<String>,
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
}

#[derive(Deserialize)]
struct DouyinAnswer {
    #[serde(default)]
    err_no: i64,
    #[serde(default)]
    err_tips: String,
    data: Option<DouyinUser>,
}

#[derive(Deserialize)]
struct DouyinUser {
    #[serde(default)]
    openid: String,
    #[serde(default)]
    anonymous_openid: String,
    #[serde(default)]
    session_key: String,
    unionid: Option<String>,
}

impl Upstream {
    /// A mini-program's `wx.login` code, through code2Session.
    pub async fn code2session(&self, app: &App, code: &str) -> CodeOutcome {
        let login = WechatLogin {
            path: "sns/jscode2session",
            code_name: "js_code",
            what: "code2Session",
            key: |answer| answer.session_key.take(),
        };
        self.wechat_login(login, app, code).await
    }

    /// An official-account page's OAuth `code`, through `sns/oauth2/access_token`.
    pub async fn oauth(&self, app: &App, code: &str) -> CodeOutcome {
        let login = WechatLogin {
            path: "sns/oauth2/access_token",
            code_name: "code",
            what: "the OAuth exchange",
            key: |answer| answer.access_token.take(),
        };
        self.wechat_login(login, app, code).await
    }

    /// One of WeChat's code exchanges, retried.
    async fn wechat_login(&self, login: WechatLogin, app: &App, code: &str) -> CodeOutcome {
        let url = format!("{}/{}", self.wechat, login.path);
        let query = [
            ("appid", app.appid.as_str()),
            ("secret", app.secret.as_str()),
            (login.code_name, code),
            ("grant_type", "authorization_code"),
        ];
        retrying(
            || async {
                let answer = self.json(self.client.get(&url).query(&query), login.what);
                wechat_exchange(answer.await, login.key)
            },
            CodeOutcome::is_passing,
        )
        .await
    }

    /// A Douyin `tt.login` credential, through `api/apps/v2/jscode2session`.
    pub async fn douyin(&self, app: &App, code: DouyinCode<'_>) -> CodeOutcome {
        let url = format!("{}/api/apps/v2/jscode2session", self.douyin);
        let (code, anonymous) = match code {
            DouyinCode::Known(code) => (code, ""),
            DouyinCode::Anonymous(code) => ("", code),
        };
        let body =
            json!({ "appid": app.appid, "secret": app.secret, "code": code, "anonymous_code": anonymous });
        retrying(
            || async {
                let answer = self.json(self.client.post(&url).json(&body), "Douyin's code2Session");
                douyin_exchange(answer.await, code.is_empty())
            },
            CodeOutcome::is_passing,
        )
        .await
    }
}

/// WeChat's answer as an exchange; `key` takes the user's key from it.
fn wechat_exchange(
    answer: Result<WechatAnswer, Unavailable>,
    key: fn(&mut WechatAnswer) -> Option<String>,
) -> CodeOutcome {
    let mut answer = match answer {
        Ok(answer) => answer,
        Err(unavailable) => return CodeOutcome::Unavailable(unavailable),
    };
    if answer.errcode != 0 {
        return CodeOutcome::Refused {
            errcode: answer.errcode,
            errmsg: answer.errmsg,
        };
    }
    match (answer.openid.take(), key(&mut answer)) {
        (Some(openid), Some(session_key)) if !openid.is_empty() => CodeOutcome::Session {
            openid,
            unionid: answer.unionid,
            session_key,
        },
        _ => CodeOutcome::Unavailable(Unavailable::new(false, "wechat answered with no openid or key")),
    }
}

/// Douyin's answer as an exchange: its bad-code errors (`40018`, `40019`) as the contract's
/// `40029` (the client gets one fresh code), `-1` as busy, others passed through.
fn douyin_exchange(answer: Result<DouyinAnswer, Unavailable>, anonymous: bool) -> CodeOutcome {
    let answer = match answer {
        Ok(answer) => answer,
        Err(unavailable) => return CodeOutcome::Unavailable(unavailable),
    };
    if answer.err_no != 0 {
        let errcode = match answer.err_no {
            40018 | 40019 => errcode::INVALID_CODE,
            other => other,
        };
        return CodeOutcome::Refused {
            errcode,
            errmsg: format!("douyin: {} (err_no {})", answer.err_tips, answer.err_no),
        };
    }
    match answer.data {
        Some(user) if anonymous && !user.anonymous_openid.is_empty() => CodeOutcome::Session {
            openid: user.anonymous_openid,
            unionid: None,
            session_key: String::new(),
        },
        Some(user) if !anonymous && !user.openid.is_empty() && !user.session_key.is_empty() => {
            CodeOutcome::Session {
                openid: user.openid,
                unionid: user.unionid.filter(|u| !u.is_empty()),
                session_key: user.session_key,
            }
        }
        _ => CodeOutcome::Unavailable(Unavailable::new(false, "douyin answered with no openid")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn douyin(json: &str, anonymous: bool) -> CodeOutcome {
        douyin_exchange(
            serde_json::from_str(json).map_err(|_| Unavailable::new(false, "")),
            anonymous,
        )
    }

    #[test]
    fn douyins_answers_read_as_the_contract_says() {
        assert_eq!(
            douyin(
                r#"{"err_no":0,"err_tips":"success","data":{"session_key":"k","openid":"o","anonymous_openid":"","unionid":"u"}}"#,
                false
            ),
            CodeOutcome::Session {
                openid: "o".into(),
                unionid: Some("u".into()),
                session_key: "k".into()
            }
        );
        assert_eq!(
            douyin(
                r#"{"err_no":0,"data":{"session_key":"","openid":"","anonymous_openid":"a","unionid":""}}"#,
                true
            ),
            CodeOutcome::Session {
                openid: "a".into(),
                unionid: None,
                session_key: String::new()
            }
        );
        assert!(matches!(
            douyin(r#"{"err_no":40018,"err_tips":"bad code"}"#, false),
            CodeOutcome::Refused { errcode: 40029, errmsg } if errmsg == "douyin: bad code (err_no 40018)"
        ));
        assert!(douyin(r#"{"err_no":-1,"err_tips":"busy"}"#, false).is_passing());
        assert!(matches!(
            douyin(r#"{"err_no":0,"data":{"openid":"o"}}"#, false),
            CodeOutcome::Unavailable(_)
        ));
        assert!(matches!(
            douyin(r#"{"err_no":0,"data":{"openid":"o","session_key":"k"}}"#, true),
            CodeOutcome::Unavailable(_)
        ));
    }
}
