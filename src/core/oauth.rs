//! The official-account OAuth code flow, as pure functions: the authorize URL, the random
//! `state`, and what a page's URL brings back. No browser needed, so it is tested natively.

use crate::core::digits::push_hex;
use crate::core::error::Error;
use crate::core::input::Refusal;
use crate::core::secret::Secret;
use crate::core::url::secure_origin;

/// WeChat's authorize endpoint.
pub const DEFAULT_AUTHORIZE_URL: &str = "https://open.weixin.qq.com/connect/oauth2/authorize";
/// The `sessionStorage` key of the `state` of a redirect under way.
pub const STATE_KEY: &str = "mp-session:oauth-state";

/// The web-only options of `createSession` from `mp-session/web`, as they arrive
/// (`{ appid, scope?, authorizeUrl?, redirectUri? }`; another name is refused).
#[derive(Clone, Debug, Default)]
pub struct WebOptions {
    /// The official account's AppID (required).
    pub appid: Option<String>,
    /// `snsapi_base` (silent, the default) or `snsapi_userinfo` (asks the user).
    pub scope: Option<String>,
    /// The authorize endpoint; default WeChat's. Tests point it at a mock.
    pub authorize_url: Option<String>,
    /// Where WeChat sends the user back; default: this page, without `code` and `state`.
    pub redirect_uri: Option<String>,
}

/// Checked web options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuth {
    appid: String,
    scope: &'static str,
    authorize_url: String,
    redirect_uri: Option<String>,
}

impl OAuth {
    /// Checks the web options; the error names the one that is wrong.
    pub fn from_options(options: WebOptions) -> Result<OAuth, Error> {
        let appid = options.appid.unwrap_or_default();
        let valid_appid = !appid.is_empty()
            && appid.len() <= 64
            && appid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid_appid {
            return Err(Error::invalid_config(
                "appid must be the official account's AppID (letters, digits, '_')",
            ));
        }
        let scope = match options.scope.as_deref() {
            None | Some("snsapi_base") => "snsapi_base",
            Some("snsapi_userinfo") => "snsapi_userinfo",
            Some(_) => {
                return Err(Error::invalid_config(
                    "scope must be snsapi_base or snsapi_userinfo",
                ))
            }
        };
        let authorize_url = options
            .authorize_url
            .unwrap_or_else(|| DEFAULT_AUTHORIZE_URL.to_owned());
        secure_origin(&authorize_url).map_err(|why| named("authorizeUrl ", why))?;
        if authorize_url.contains(['?', '#']) {
            return Err(Error::invalid_config(
                "authorizeUrl must not have a query or a fragment",
            ));
        }
        if let Some(uri) = &options.redirect_uri {
            secure_origin(uri).map_err(|why| named("redirectUri ", why))?;
        }
        Ok(OAuth {
            appid,
            scope,
            authorize_url,
            redirect_uri: options.redirect_uri,
        })
    }

    /// Where to send the user back: the `redirectUri` option, or this page's URL without the
    /// OAuth parameters.
    pub fn redirect_uri(&self, page_url: &str) -> String {
        match &self.redirect_uri {
            Some(uri) => uri.clone(),
            None => without_return_params(page_url),
        }
    }

    /// The authorize URL for `state`:
    /// `...?appid=APPID&redirect_uri=URL&response_type=code&scope=SCOPE&state=STATE#wechat_redirect`.
    pub fn authorize_url(&self, page_url: &str, state: &str) -> String {
        let mut url = self.authorize_url.clone();
        url.push_str("?appid=");
        url.push_str(&percent_encode(&self.appid));
        url.push_str("&redirect_uri=");
        url.push_str(&percent_encode(&self.redirect_uri(page_url)));
        url.push_str("&response_type=code&scope=");
        url.push_str(self.scope);
        url.push_str("&state=");
        url.push_str(&percent_encode(state));
        url.push_str("#wechat_redirect");
        url
    }
}

fn named(setting: &str, why: &str) -> Error {
    let mut message = String::from(setting);
    message.push_str(why);
    Error::invalid_config(message)
}

/// What a page's URL brought back from the authorize endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Return {
    /// A code whose `state` is the one this page stored: it may be posted.
    Code(Secret),
    /// A code that may not be used, and why.
    Refused(Refusal),
}

/// Reads `code` and `state` from a page URL. `None` when the URL has neither (no redirect
/// came back). A code is usable only with the `state` this page stored before leaving;
/// `stored_state` is that value (read once and then deleted by the caller).
pub fn read_return(page_url: &str, stored_state: Option<&str>) -> Option<Return> {
    let query = query_of(page_url);
    let code = param(query, "code");
    let state = param(query, "state");
    if code.is_none() && state.is_none() {
        return None;
    }
    let state_ok =
        matches!((&state, stored_state), (Some(got), Some(stored)) if !stored.is_empty() && got == stored);
    Some(match code {
        _ if !state_ok => Return::Refused(Refusal::StateMismatch),
        Some(code) if !code.is_empty() => Return::Code(Secret::new(code)),
        _ => Return::Refused(Refusal::Declined),
    })
}

/// `page_url` without its `code` and `state` parameters, nor WeChat's `#wechat_redirect`
/// marker (which a redirect can carry over), the rest kept: what the address bar should show
/// once the code is taken, so that a reload cannot post it again.
pub fn without_return_params(page_url: &str) -> String {
    let (before_hash, hash) = match page_url.find('#') {
        Some(i) => page_url.split_at(i),
        None => (page_url, ""),
    };
    let hash = if hash == "#wechat_redirect" { "" } else { hash };
    let (base, query) = match before_hash.find('?') {
        Some(i) => (&before_hash[..i], &before_hash[i + 1..]),
        None => (before_hash, ""),
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            name != "code" && name != "state"
        })
        .collect();
    let mut url = String::from(base);
    if !kept.is_empty() {
        url.push('?');
        url.push_str(&kept.join("&"));
    }
    url.push_str(hash);
    url
}

/// A random `state`: 32 lowercase hex digits from 16 random bytes.
pub fn new_state(bytes: [u8; 16]) -> String {
    let mut state = String::with_capacity(32);
    for byte in bytes {
        push_hex(&mut state, byte, false);
    }
    state
}

fn query_of(url: &str) -> &str {
    let before_hash = url.split('#').next().unwrap_or("");
    match before_hash.find('?') {
        Some(i) => &before_hash[i + 1..],
        None => "",
    }
}

/// The first value of parameter `name` in `query`, percent-decoded.
fn param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then(|| percent_decode(value))
    })
}

/// `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` as `%XX`.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            push_hex(&mut out, byte, true);
        }
    }
    out
}

/// Decodes `%XX` and `+` (a space, in a query); malformed escapes are kept as they are.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push((hi * 16 + lo) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oauth(scope: Option<&str>) -> OAuth {
        OAuth::from_options(WebOptions {
            appid: Some("wx1234567890abcdef".into()),
            scope: scope.map(String::from),
            ..WebOptions::default()
        })
        .unwrap()
    }

    #[test]
    fn the_authorize_url_has_every_parameter_encoded() {
        let url = oauth(None).authorize_url("https://m.example.com/me?tab=1&code=old&state=old#top", "s1");
        assert_eq!(
            url,
            "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx1234567890abcdef\
             &redirect_uri=https%3A%2F%2Fm.example.com%2Fme%3Ftab%3D1%23top\
             &response_type=code&scope=snsapi_base&state=s1#wechat_redirect"
        );
        assert!(oauth(Some("snsapi_userinfo"))
            .authorize_url("https://a.com/", "s")
            .contains("scope=snsapi_userinfo"));
    }

    #[test]
    fn a_code_is_usable_only_with_the_stored_state() {
        let url = "https://m.example.com/me?code=CODE1&state=abc";
        assert_eq!(
            read_return(url, Some("abc")),
            Some(Return::Code(Secret::new("CODE1")))
        );
        assert_eq!(
            read_return(url, Some("abd")),
            Some(Return::Refused(Refusal::StateMismatch))
        );
        assert_eq!(
            read_return(url, None),
            Some(Return::Refused(Refusal::StateMismatch))
        );
        assert_eq!(
            read_return("https://m.example.com/me?code=CODE1", Some("abc")),
            Some(Return::Refused(Refusal::StateMismatch))
        );
        assert_eq!(
            read_return("https://m.example.com/me?state=", Some("")),
            Some(Return::Refused(Refusal::StateMismatch))
        );
        assert_eq!(
            read_return("https://m.example.com/me?state=abc", Some("abc")),
            Some(Return::Refused(Refusal::Declined))
        );
        assert_eq!(read_return("https://m.example.com/me?tab=1", Some("abc")), None);
        assert_eq!(
            read_return("https://m.example.com/me#code=x&state=abc", Some("abc")),
            None
        );
    }

    #[test]
    fn parameters_are_decoded_and_removed_from_the_address() {
        let url = "https://m.example.com/me?tab=a%20b&code=C%2B1&state=s%3D1#frag";
        assert_eq!(
            read_return(url, Some("s=1")),
            Some(Return::Code(Secret::new("C+1")))
        );
        assert_eq!(
            without_return_params(url),
            "https://m.example.com/me?tab=a%20b#frag"
        );
        assert_eq!(
            without_return_params("https://a.com/?code=1&state=2"),
            "https://a.com/"
        );
        assert_eq!(without_return_params("https://a.com/p"), "https://a.com/p");
        assert_eq!(
            without_return_params("https://a.com/p?code=1&state=2#wechat_redirect"),
            "https://a.com/p"
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn states_are_32_hex_digits() {
        assert_eq!(new_state([0xab; 16]), "ab".repeat(16));
        assert_ne!(new_state([1; 16]), new_state([2; 16]));
    }

    #[test]
    fn web_options_are_checked() {
        let bad = |o: WebOptions| OAuth::from_options(o).unwrap_err().message().to_owned();
        assert!(bad(WebOptions::default()).contains("appid"));
        let with = |f: fn(&mut WebOptions)| {
            let mut o = WebOptions {
                appid: Some("wx1".into()),
                ..WebOptions::default()
            };
            f(&mut o);
            o
        };
        assert!(bad(with(|o| o.scope = Some("snsapi_login".into()))).contains("scope"));
        assert!(bad(with(
            |o| o.authorize_url = Some("http://evil.com/authorize".into())
        ))
        .contains("authorizeUrl"));
        assert!(bad(with(
            |o| o.authorize_url = Some("https://a.com/authorize?x=1".into())
        ))
        .contains("query"));
        assert!(bad(with(|o| o.redirect_uri = Some("javascript:alert(1)".into()))).contains("redirectUri"));
        assert!(OAuth::from_options(with(
            |o| o.authorize_url = Some("http://127.0.0.1:9/connect/oauth2/authorize".into())
        ))
        .is_ok());
    }
}
