//! The user's profile as the app sets it (`setUserInfo`) or the backend returns it.

use serde::{Deserialize, Serialize};

use crate::core::limits::{MAX_AVATAR_URL_BYTES, MAX_NICKNAME_BYTES};
use crate::core::text::Text;

/// The profile kept with the session.
///
/// Since 2022-11 WeChat no longer hands out a real nickname or avatar through an API; the
/// app collects them (`<button open-type="chooseAvatar">`, `<input type="nickname">`) or the
/// backend returns them. Only these two fields are kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo<T = String> {
    /// The nickname, as the user typed it.
    #[serde(default)]
    pub nick_name: Option<T>,
    /// The avatar URL (from `chooseAvatar` this is a temporary file path until uploaded).
    #[serde(default)]
    pub avatar_url: Option<T>,
}

/// A profile with neither field.
impl<T> Default for UserInfo<T> {
    fn default() -> UserInfo<T> {
        UserInfo {
            nick_name: None,
            avatar_url: None,
        }
    }
}

impl<T: Text> UserInfo<T> {
    /// `self` with every field that `patch` sets replaced.
    pub(crate) fn merged(mut self, patch: &UserInfo<T>) -> UserInfo<T> {
        if let Some(nick_name) = &patch.nick_name {
            self.nick_name = Some(nick_name.clone());
        }
        if let Some(avatar_url) = &patch.avatar_url {
            self.avatar_url = Some(avatar_url.clone());
        }
        self
    }

    /// Visits both fields' texts.
    pub(crate) fn texts_mut(&mut self, visit: &mut dyn FnMut(&mut T)) {
        self.nick_name
            .iter_mut()
            .chain(self.avatar_url.iter_mut())
            .for_each(visit);
    }

    /// Whether both fields are within their size limits.
    pub(crate) fn is_within_limits(&self) -> bool {
        self.nick_name
            .as_ref()
            .is_none_or(|n| n.byte_len() <= MAX_NICKNAME_BYTES)
            && self
                .avatar_url
                .as_ref()
                .is_none_or(|a| a.byte_len() <= MAX_AVATAR_URL_BYTES)
    }

    /// What is wrong with a `setUserInfo` argument, if anything: it needs at least one
    /// field, each within its limit, and an avatar that is no temporary local file (where the
    /// core holds the text; the boundary checks a handle's on the way in).
    pub(crate) fn patch_problem(&self) -> Option<&'static str> {
        if self.nick_name.is_none() && self.avatar_url.is_none() {
            return Some("setUserInfo needs nickName or avatarUrl");
        }
        if !self.is_within_limits() {
            return Some("nickName must be at most 256 bytes and avatarUrl at most 4096");
        }
        if self
            .avatar_url
            .as_ref()
            .and_then(Text::as_text)
            .is_some_and(is_local_file)
        {
            return Some(LOCAL_AVATAR);
        }
        None
    }
}

/// Why a local file is no avatar URL.
pub(crate) const LOCAL_AVATAR: &str = "avatarUrl is a file on this phone (wxfile://, http://tmp/: what chooseAvatar gives), \
     removed at the next clean-up and never valid on another phone: upload it first (session.upload) and pass the URL your server gives back";

/// Where a mini-program's local files are: WeChat's `wxfile://` on phones and `http://tmp/`,
/// `http://usr/` in the developer tool; Douyin's, QQ's and Baidu's own schemes.
const LOCAL_FILE_PREFIXES: [&str; 6] = [
    "wxfile://",
    "http://tmp/",
    "http://usr/",
    "ttfile://",
    "qqfile://",
    "bdfile://",
];

/// Whether `url` names a file on the phone (a temporary one from `chooseAvatar`, or one
/// saved under `wx.env.USER_DATA_PATH`), not something another phone can load.
pub(crate) fn is_local_file(url: &str) -> bool {
    LOCAL_FILE_PREFIXES.iter().any(|prefix| {
        url.len() >= prefix.len() && url.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    })
}

/// A `setUserInfo` argument as it arrives from JavaScript: unknown fields are refused, so a
/// misspelt `nickname` is an error rather than silently lost.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserInfoPatch {
    /// The new nickname, if it changes.
    #[serde(default)]
    pub nick_name: Option<String>,
    /// The new avatar URL, if it changes.
    #[serde(default)]
    pub avatar_url: Option<String>,
}

impl From<UserInfoPatch> for UserInfo {
    fn from(patch: UserInfoPatch) -> UserInfo {
        UserInfo {
            nick_name: patch.nick_name,
            avatar_url: patch.avatar_url,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_local_file;

    #[test]
    fn a_file_on_the_phone_is_told_from_a_url_another_phone_can_load() {
        for local in [
            "wxfile://tmp_1.jpg",
            "http://tmp/a.png",
            "http://usr/a.png",
            "WxFile://x",
            "bdfile://tmp/a",
        ] {
            assert!(is_local_file(local), "{local}");
        }
        for remote in [
            "https://cdn.example.com/a.png",
            "http://tmpfiles.example.com/a.png",
            "wxfile:/",
            "",
        ] {
            assert!(!is_local_file(remote), "{remote}");
        }
    }
}
