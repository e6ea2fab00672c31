//! The user's profile as the app sets it (`setUserInfo`) or the backend returns it.

use serde::{Deserialize, Serialize};

use crate::core::error::Error;
use crate::core::limits::{MAX_AVATAR_URL_BYTES, MAX_NICKNAME_BYTES};

/// The profile kept with the session.
///
/// Since 2022-11 WeChat no longer hands out a real nickname or avatar through an API; the
/// app collects them (`<button open-type="chooseAvatar">`, `<input type="nickname">`) or the
/// backend returns them. Only these two fields are kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    /// The nickname, as the user typed it.
    #[serde(default)]
    pub nick_name: Option<String>,
    /// The avatar URL (from `chooseAvatar` this is a temporary file path until uploaded).
    #[serde(default)]
    pub avatar_url: Option<String>,
}

impl UserInfo {
    /// `self` with every field that `patch` sets replaced.
    pub(crate) fn merged(mut self, patch: &UserInfo) -> UserInfo {
        if let Some(nick_name) = &patch.nick_name {
            self.nick_name = Some(nick_name.clone());
        }
        if let Some(avatar_url) = &patch.avatar_url {
            self.avatar_url = Some(avatar_url.clone());
        }
        self
    }

    /// Whether both fields are within their size limits.
    pub(crate) fn is_within_limits(&self) -> bool {
        self.nick_name
            .as_ref()
            .is_none_or(|n| n.len() <= MAX_NICKNAME_BYTES)
            && self
                .avatar_url
                .as_ref()
                .is_none_or(|a| a.len() <= MAX_AVATAR_URL_BYTES)
    }

    /// Checks a `setUserInfo` argument: at least one field, each within its limit.
    pub(crate) fn check_patch(&self) -> Result<(), Error> {
        if self.nick_name.is_none() && self.avatar_url.is_none() {
            return Err(Error::invalid_argument("setUserInfo needs nickName or avatarUrl"));
        }
        if !self.is_within_limits() {
            return Err(Error::invalid_argument(
                "nickName must be at most 256 bytes and avatarUrl at most 4096",
            ));
        }
        Ok(())
    }
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
