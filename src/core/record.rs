//! The one stored record of a namespace, and how it is judged at launch.

use serde::{Deserialize, Serialize};

use crate::core::limits::{MAX_ID_BYTES, MAX_SAFE_INTEGER, MAX_TOKEN_BYTES};
use crate::core::secret::Secret;
use crate::core::session::{Session, Source, UserId};
use crate::core::text::Text;
use crate::core::user_info::UserInfo;

/// The version written in every record; a record of any other version is ignored.
pub const RECORD_VERSION: u32 = 1;

/// What is stored under `mp-session:<namespace>`, in one write:
/// `{ v: 1, openid, unionid, token, expiresAt, obtainedAt, userInfo, userId }` (`userId` came
/// after the first release of `v: 1`: a record without it has none).
///
/// Times are Unix milliseconds. `session_key` has no field here: it cannot be stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record<T = String> {
    /// Format version, [`RECORD_VERSION`].
    pub v: u32,
    /// The user's openid, if the backend gave one.
    #[serde(default)]
    pub openid: Option<T>,
    /// The user's unionid, if the backend gave one.
    #[serde(default)]
    pub unionid: Option<T>,
    /// The backend's token, if it gave one.
    #[serde(default)]
    pub token: Option<Secret<T>>,
    /// When the session expires.
    pub expires_at: u64,
    /// When the session was obtained (by this device's clock).
    pub obtained_at: u64,
    /// The user's profile, if known.
    #[serde(default)]
    pub user_info: Option<UserInfo<T>>,
    /// The backend's own id of the user, if it gave one (a record has an openid, a user id,
    /// or both).
    #[serde(default)]
    pub user_id: Option<UserId<T>>,
}

/// What a storage read found under the session key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoredSession<T = String> {
    /// Nothing (`''`, `undefined` or `null`).
    Absent,
    /// A value that decoded as a [`Record`] (its version and times are judged later).
    Found(Record<T>),
    /// A value that is not a record: not JSON, the wrong shape, the wrong types.
    Unreadable,
    /// The read itself threw.
    Failed,
}

/// How a record stands at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Use it: no login.
    Fresh,
    /// Still valid, but inside the leeway: log in again, and fall back on it if that fails.
    Refresh,
    /// Past its expiry.
    Expired,
    /// Obtained "in the future": the device clock moved back, so its age is unknown.
    ClockMovedBack,
    /// Not a usable record: another version, an empty openid, impossible times.
    Invalid,
}

impl Standing {
    /// Fresh or inside the leeway: the session may be handed out and its token sent.
    pub fn is_usable(self) -> bool {
        matches!(self, Standing::Fresh | Standing::Refresh)
    }
}

impl<T: Text> Record<T> {
    /// Judges the record at `now`: fresh until `leeway_ms` before expiry. The leeway never
    /// takes more than half a session's life, so a short-lived session is not born stale.
    #[cfg_attr(mp_session_tuned, optimize(speed))]
    pub fn standing(&self, now: u64, leeway_ms: u64) -> Standing {
        if !self.is_well_formed() {
            return Standing::Invalid;
        }
        if self.obtained_at > now {
            return Standing::ClockMovedBack;
        }
        if now >= self.expires_at {
            return Standing::Expired;
        }
        let life = self.expires_at - self.obtained_at;
        let refresh_at = self.expires_at - leeway_ms.min(life / 2);
        if now >= refresh_at {
            Standing::Refresh
        } else {
            Standing::Fresh
        }
    }

    /// Whether the session can still be used at `now` (fresh or inside the leeway).
    pub fn is_usable(&self, now: u64, leeway_ms: u64) -> bool {
        self.standing(now, leeway_ms).is_usable()
    }

    fn is_well_formed(&self) -> bool {
        self.v == RECORD_VERSION
            && (self.openid.is_some() || self.user_id.is_some())
            && self.openid.as_ref().is_none_or(|o| !o.is_empty() && o.byte_len() <= MAX_ID_BYTES)
            && self.user_id.as_ref().is_none_or(UserId::is_well_formed)
            && self.unionid.as_ref().is_none_or(|u| !u.is_empty() && u.byte_len() <= MAX_ID_BYTES)
            && self.token.as_ref().is_none_or(|t| t.byte_len() <= MAX_TOKEN_BYTES)
            && self.user_info.as_ref().is_none_or(UserInfo::is_within_limits)
            && self.expires_at > self.obtained_at
            // Beyond 2^53 a JavaScript number cannot hold the time exactly.
            && self.expires_at <= MAX_SAFE_INTEGER
    }

    /// Visits every text of the record.
    pub(crate) fn texts_mut(&mut self, visit: &mut dyn FnMut(&mut T)) {
        // Every field named: a text added to the record is a compile error here until it is
        // visited (a handle not renumbered would name another string after a compaction).
        let Record {
            v: _,
            openid,
            unionid,
            token,
            expires_at: _,
            obtained_at: _,
            user_info,
            user_id,
        } = self;
        openid.iter_mut().for_each(&mut *visit);
        if let Some(UserId::Text(id)) = user_id {
            visit(id);
        }
        unionid.iter_mut().for_each(&mut *visit);
        token.iter_mut().for_each(|t| visit(t.text_mut()));
        if let Some(info) = user_info {
            info.texts_mut(visit);
        }
    }

    /// The session the app sees.
    #[cfg_attr(mp_session_tuned, optimize(speed))]
    pub fn to_session(&self, source: Source) -> Session<T> {
        Session {
            openid: self.openid.clone(),
            user_id: self.user_id.clone(),
            unionid: self.unionid.clone(),
            token: self.token.clone(),
            expires_at: self.expires_at,
            user_info: self.user_info.clone(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u64 = 3_600_000;
    const LEEWAY: u64 = 300_000;

    fn record(obtained_at: u64, expires_at: u64) -> Record {
        Record {
            v: RECORD_VERSION,
            openid: Some("o-1".into()),
            unionid: None,
            token: Some(Secret::new("t")),
            expires_at,
            obtained_at,
            user_info: None,
            user_id: None,
        }
    }

    #[test]
    fn fresh_until_the_leeway_then_refresh_then_expired() {
        let r = record(0, 2 * HOUR);
        assert_eq!(r.standing(0, LEEWAY), Standing::Fresh);
        assert_eq!(r.standing(2 * HOUR - LEEWAY - 1, LEEWAY), Standing::Fresh);
        assert_eq!(r.standing(2 * HOUR - LEEWAY, LEEWAY), Standing::Refresh);
        assert_eq!(r.standing(2 * HOUR - 1, LEEWAY), Standing::Refresh);
        assert_eq!(r.standing(2 * HOUR, LEEWAY), Standing::Expired);
    }

    #[test]
    fn a_short_session_is_not_born_inside_the_leeway() {
        let r = record(1000, 61_000);
        assert_eq!(r.standing(1000, LEEWAY), Standing::Fresh);
        assert_eq!(r.standing(30_999, LEEWAY), Standing::Fresh);
        assert_eq!(r.standing(31_000, LEEWAY), Standing::Refresh);
    }

    #[test]
    fn a_record_from_the_future_means_the_clock_moved_back() {
        assert_eq!(
            record(5 * HOUR, 7 * HOUR).standing(HOUR, LEEWAY),
            Standing::ClockMovedBack
        );
    }

    #[test]
    fn malformed_records_are_invalid() {
        let mut other_version = record(0, HOUR);
        other_version.v = 2;
        let mut no_openid = record(0, HOUR);
        no_openid.openid = Some(String::new());
        let mut no_one = record(0, HOUR);
        no_one.openid = None;
        let mut id_beyond_js = record(0, HOUR);
        id_beyond_js.user_id = Some(UserId::Number(1 << 54));
        let mut empty_unionid = record(0, HOUR);
        empty_unionid.unionid = Some(String::new());
        let backwards = record(HOUR, HOUR);
        let beyond_js = record(0, u64::MAX);
        for r in [
            other_version,
            no_openid,
            no_one,
            id_beyond_js,
            empty_unionid,
            backwards,
            beyond_js,
        ] {
            assert_eq!(r.standing(1, LEEWAY), Standing::Invalid, "{r:?}");
        }
    }

    #[test]
    fn decodes_the_documented_json_shape() {
        let json = r#"{"v":1,"openid":"o-1","unionid":null,"token":"t","expiresAt":7200000,
                       "obtainedAt":0,"userInfo":{"nickName":"Ann","avatarUrl":null}}"#;
        let r: Record = serde_json::from_str(json).unwrap();
        assert_eq!(r.user_info.unwrap().nick_name.as_deref(), Some("Ann"));
        assert!(serde_json::from_str::<Record>(r#"{"v":1,"openid":5}"#).is_err());
        assert!(
            serde_json::from_str::<Record>(r#"{"v":1,"openid":"o","expiresAt":1.5,"obtainedAt":0}"#).is_err()
        );
    }
}
