//! The session the app receives.

use serde::{Deserialize, Serialize};

use crate::core::limits::{MAX_ID_BYTES, MAX_SAFE_INTEGER};
use crate::core::secret::Secret;
use crate::core::text::Text;
use crate::core::user_info::UserInfo;

/// Where a [`Session`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Read from storage: no `wx.login`, no request.
    Cache,
    /// Obtained by a login in this run of the app.
    Login,
}

/// The backend's own id of the user, as its answer gives it: a string or a whole number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UserId<T = String> {
    /// A string id (`"u-42"`).
    Text(T),
    /// A number id (`42`), within JavaScript's exact integers.
    Number(i64),
}

/// Who the user is, as the app sees it. `session_key` is never part of it. Its strings are
/// `String`s natively and handles at the WeChat boundary (see [`crate::Text`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Session<T = String> {
    /// The user's openid in this mini-program, when the backend gives it.
    pub openid: Option<T>,
    /// The backend's own id of the user, when it gives one (a session has an openid, a user
    /// id, or both).
    pub user_id: Option<UserId<T>>,
    /// The user's unionid, when the mini-program is bound to an Open Platform account.
    pub unionid: Option<T>,
    /// The backend's own login token, if it issued one.
    pub token: Option<Secret<T>>,
    /// When the session expires, in Unix milliseconds.
    pub expires_at: u64,
    /// The profile set with `setUserInfo` or returned by the backend.
    pub user_info: Option<UserInfo<T>>,
    /// Whether it came from storage or from a login in this run.
    pub source: Source,
}

impl<T: Text> UserId<T> {
    /// Not empty, at most 128 bytes as text; a number within JavaScript's exact integers.
    pub(crate) fn is_well_formed(&self) -> bool {
        match self {
            UserId::Text(id) => !id.is_empty() && id.byte_len() <= MAX_ID_BYTES,
            UserId::Number(n) => n.unsigned_abs() <= MAX_SAFE_INTEGER,
        }
    }
}

impl<T: Text> Session<T> {
    /// Visits every text of the session.
    pub(crate) fn texts_mut(&mut self, visit: &mut dyn FnMut(&mut T)) {
        self.openid.iter_mut().for_each(&mut *visit);
        if let Some(UserId::Text(id)) = &mut self.user_id {
            visit(id);
        }
        self.unionid.iter_mut().for_each(&mut *visit);
        self.token.iter_mut().for_each(|t| visit(t.text_mut()));
        if let Some(info) = &mut self.user_info {
            info.texts_mut(visit);
        }
    }
}
