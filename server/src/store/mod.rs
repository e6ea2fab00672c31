//! Where sessions are kept, with the phone numbers bound to users and the app's shared
//! `access_token`: SQLite (one file, the default for one server) or Redis (for more than
//! one); both answer the same calls.

mod redis;
mod sqlite;

pub use self::redis::RedisStore;
pub use sqlite::SqliteStore;

use crate::limits::{Limit, Rate};
use crate::upstream::PhoneNumber;

/// A session as the store keeps it: who it is, from where, until when (Unix seconds). The
/// `session_key` is stored beside it and never read back by the login flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionEntry {
    /// The user's openid.
    pub openid: String,
    /// The user's unionid, when the app is bound to an Open Platform account.
    pub unionid: Option<String>,
    /// The platform the login came from (`wx`, ...).
    pub platform: String,
    /// When it ends (Unix seconds).
    pub expires_at: i64,
    /// The device's model, when the app named it at login.
    pub device: Option<String>,
}

/// One of a user's sessions, as `GET /auth/sessions` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// The session's id (its token's first part: naming it proves nothing).
    pub id: String,
    /// The platform the login came from.
    pub platform: String,
    /// When it was made (Unix milliseconds).
    pub created_ms: i64,
    /// When it ends (Unix seconds).
    pub expires_at: i64,
    /// When a request last carried its token (Unix seconds; noted at most once a minute).
    pub last_used: Option<i64>,
    /// The device's model, when the app named it at login.
    pub device: Option<String>,
}

/// What a login's write did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inserted {
    /// The session is kept; `ended` of the user's oldest went for the cap.
    Kept {
        /// Sessions the cap ended.
        ended: u64,
    },
    /// The user is blocked (`mp-session-server block`): nothing was written.
    Blocked,
    /// The login is over the client address's or the user's limit: nothing was written.
    Limited {
        /// Which limit.
        limit: Limit,
        /// Milliseconds until its budget admits a login.
        retry_after_ms: u64,
    },
}

/// What a login's write holds the user and the client to: the most sessions the user keeps,
/// the user's logins a minute, and the client address's (its key, [`crate::address::address_key`],
/// and rate), each budget spent only when the session is kept.
#[derive(Clone, Debug)]
pub struct LoginRules {
    /// The most sessions the user keeps.
    pub cap: u32,
    /// The user's logins a minute.
    pub per_user: Rate,
    /// The client's address and its logins a minute (none: not limited by address).
    pub address: Option<(String, Rate)>,
}

impl LoginRules {
    /// A cap of `cap` sessions, and no limit.
    pub fn capped(cap: u32) -> LoginRules {
        LoginRules {
            cap,
            per_user: Rate { per_minute: 0 },
            address: None,
        }
    }

    /// The budgets the write checks, in order (the address's first), and the limit each is.
    fn budgets(&self, openid: &str) -> Vec<(Limit, String, Rate)> {
        let mut budgets = Vec::with_capacity(2);
        if let Some((key, rate)) = self.address.as_ref().filter(|(_, rate)| rate.is_on()) {
            budgets.push((Limit::Address, key.clone(), *rate));
        }
        if self.per_user.is_on() {
            budgets.push((Limit::User, format!("user:{openid}"), self.per_user));
        }
        budgets
    }
}

/// A login's write, as [`Store::insert`] hands it to the store it runs on.
struct NewSession {
    /// The token's id, the session's key.
    id: String,
    /// The SHA-256 of the token's secret, in hex.
    verifier: String,
    /// Who the session is of, and until when.
    session: SessionEntry,
    /// code2Session's `session_key`, kept for the phone-number and decryption calls.
    session_key: String,
    /// When the login is written (Unix milliseconds).
    now_ms: i64,
    /// The user's cap, and the budgets the login spends.
    rules: LoginRules,
}

/// A session found by a token, within the token's limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// The token is a live session's: its share of the token's budget is spent.
    Session(SessionEntry),
    /// No live session has this token (none with its id, or its secret is wrong).
    Nothing,
    /// The token is a live session's, over its limit.
    Limited {
        /// Milliseconds until its budget admits a request.
        retry_after_ms: u64,
    },
}

/// How often a session's last use is written: at most once in this many seconds (per server).
pub const LAST_USED_EVERY: i64 = 60;

/// The sessions whose use this server wrote lately: an authenticated request writes its
/// session's last use at most once in [`LAST_USED_EVERY`], after its answer, and most write
/// nothing. Clones share the notes.
#[derive(Clone, Debug, Default)]
pub(crate) struct UseNotes(std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, i64>>>);

impl UseNotes {
    /// The most sessions noted before the ones noted over a minute ago are let go.
    const MOST: usize = 100_000;

    /// Whether the use of session `id` at `now` is to be written (and, if so, notes it).
    fn due(&self, id: &str, now: i64) -> bool {
        let Ok(mut notes) = self.0.lock() else {
            return false;
        };
        if notes.get(id).is_some_and(|&at| at + LAST_USED_EVERY > now) {
            return false;
        }
        if notes.len() >= Self::MOST {
            // Forgetting them all costs at most one more write each.
            notes.clear();
        }
        notes.insert(id.to_owned(), now);
        true
    }
}

/// A store that could not do what was asked.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the session store failed: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// The session store a server uses.
#[derive(Clone, Debug)]
pub enum Store {
    /// One SQLite file.
    Sqlite(SqliteStore),
    /// A Redis server shared by every instance.
    Redis(RedisStore),
}

impl Store {
    /// Opens the store named by `url`: `sqlite://FILE` (created, with its tables, on first
    /// use) or `redis://HOST:PORT`. The error names what is wrong with the setting.
    pub async fn open(url: &str) -> Result<Store, String> {
        if url.starts_with("redis://") {
            return RedisStore::open(url).await.map(Store::Redis).map_err(|e| e.0);
        }
        if url.starts_with("rediss://") {
            return Err(
                "--store / MP_SESSION_STORE: Redis over TLS (rediss://) is not built in; use redis:// on a private network or through a TLS tunnel"
                    .into(),
            );
        }
        match url.strip_prefix("sqlite://") {
            Some(file) if !file.is_empty() => SqliteStore::open(file).map(Store::Sqlite).map_err(|e| e.0),
            _ => Err(format!(
                "--store / MP_SESSION_STORE must be sqlite://FILE or redis://HOST:PORT, not {:?}",
                without_password(url)
            )),
        }
    }

    /// Keeps a new session under its token's `id`, with the token's `verifier` and the
    /// `session_key`, and ends the user's oldest sessions beyond `rules.cap`, in one atomic
    /// write (on several servers at once, the user never holds more than the cap). Gives how
    /// many it ended. A blocked user's login, or one over the address's or the user's budget
    /// (spent in the same write, shared by every server of the store), writes nothing.
    pub async fn insert(
        &self,
        id: String,
        verifier: String,
        session: SessionEntry,
        session_key: String,
        rules: LoginRules,
    ) -> Result<Inserted, StoreError> {
        timed("insert", async move {
            let new = NewSession {
                id,
                verifier,
                session,
                session_key,
                now_ms: crate::clock::now_ms(),
                rules,
            };
            match self {
                Store::Sqlite(store) => store.insert(new).await,
                Store::Redis(store) => store.insert(new).await,
            }
        })
        .await
    }

    /// The live session of a presented token (its `id`, and its secret's hash, `verifier`) at
    /// `now` (Unix seconds), with its request counted against the token's budget at
    /// `per_token` (shared by every server of the store), in one call to the store. A wrong
    /// secret finds nothing and spends nothing.
    pub async fn authenticate(
        &self,
        id: String,
        verifier: String,
        now: i64,
        per_token: Rate,
    ) -> Result<Found, StoreError> {
        timed("authenticate", async move {
            match self {
                Store::Sqlite(store) => store.authenticate(id, verifier, now, per_token).await,
                Store::Redis(store) => store.authenticate(id, verifier, now, per_token).await,
            }
        })
        .await
    }

    /// The session of token `id` and its verifier, if it exists and has not ended at `now`
    /// (Unix seconds).
    pub async fn find(&self, id: String, now: i64) -> Result<Option<(SessionEntry, String)>, StoreError> {
        timed("find", async move {
            match self {
                Store::Sqlite(store) => store.find(id, now).await,
                Store::Redis(store) => store.find(id, now).await,
            }
        })
        .await
    }

    /// Notes that a request used session `id` of `openid` at `now`, once its token was checked:
    /// written beside the request (a lost note costs only a less recent "last used"), at most
    /// once in [`LAST_USED_EVERY`] per server.
    pub fn note_use(&self, openid: String, id: String, now: i64) {
        let notes = match self {
            Store::Sqlite(store) => &store.notes,
            Store::Redis(store) => &store.notes,
        };
        if !notes.due(&id, now) {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            let written = timed("note_use", async {
                match &store {
                    Store::Sqlite(store) => store.note_use(id, now).await,
                    Store::Redis(store) => store.note_use(openid, id, now).await,
                }
            })
            .await;
            if let Err(error) = written {
                tracing::warn!("noting a session's last use: {error}");
            }
        });
    }

    /// The sessions of `openid` that have not ended at `now`, the newest first.
    pub async fn sessions(&self, openid: String, now: i64) -> Result<Vec<SessionInfo>, StoreError> {
        timed("sessions", async move {
            match self {
                Store::Sqlite(store) => store.sessions(openid, now).await,
                Store::Redis(store) => store.sessions(openid, now).await,
            }
        })
        .await
    }

    /// Ends the session `id` if it is `openid`'s; whether it was.
    pub async fn remove(&self, openid: String, id: String) -> Result<bool, StoreError> {
        timed("remove", async move {
            match self {
                Store::Sqlite(store) => store.remove(openid, id).await,
                Store::Redis(store) => store.remove(openid, id).await,
            }
        })
        .await
    }

    /// Ends every session of `openid`; how many there were.
    pub async fn remove_all(&self, openid: String) -> Result<u64, StoreError> {
        timed("remove_all", async move {
            match self {
                Store::Sqlite(store) => store.remove_all(openid).await,
                Store::Redis(store) => store.remove_all(openid).await,
            }
        })
        .await
    }

    /// Blocks `openid`: ends every session of the user (their `session_key`s with them) and
    /// refuses the user's logins from now on, on every server of this store, in one write. How
    /// many sessions ended.
    pub async fn block(&self, openid: String) -> Result<u64, StoreError> {
        timed("block", async move {
            match self {
                Store::Sqlite(store) => store.block(openid, crate::clock::now()).await,
                Store::Redis(store) => store.block(openid).await,
            }
        })
        .await
    }

    /// Lets `openid` log in again; whether the user was blocked.
    pub async fn unblock(&self, openid: String) -> Result<bool, StoreError> {
        timed("unblock", async move {
            match self {
                Store::Sqlite(store) => store.unblock(openid).await,
                Store::Redis(store) => store.unblock(openid).await,
            }
        })
        .await
    }

    /// Whether the store answers (a round trip that reads nothing).
    pub async fn ping(&self) -> Result<(), StoreError> {
        timed("ping", async move {
            match self {
                Store::Sqlite(store) => store.ping().await,
                Store::Redis(store) => store.ping().await,
            }
        })
        .await
    }

    /// Binds `phone` to the user `openid` (replacing the number bound before), at `now`.
    pub async fn bind_phone(&self, openid: String, phone: PhoneNumber, now: i64) -> Result<(), StoreError> {
        timed("bind_phone", async move {
            match self {
                Store::Sqlite(store) => store.bind_phone(openid, phone, now).await,
                Store::Redis(store) => store.bind_phone(openid, phone).await,
            }
        })
        .await
    }

    /// The phone number bound to `openid`, if any.
    pub async fn phone(&self, openid: String) -> Result<Option<PhoneNumber>, StoreError> {
        timed("phone", async move {
            match self {
                Store::Sqlite(store) => store.phone(openid).await,
                Store::Redis(store) => store.phone(openid).await,
            }
        })
        .await
    }

    /// The `access_token` kept for `appid` and when it ends (Unix seconds), if any.
    pub async fn access_token(&self, appid: String) -> Result<Option<(String, i64)>, StoreError> {
        timed("access_token", async move {
            match self {
                Store::Sqlite(store) => store.access_token(appid).await,
                Store::Redis(store) => store.access_token(appid).await,
            }
        })
        .await
    }

    /// Keeps `token` as `appid`'s `access_token` until `expires_at` (Unix seconds), for
    /// every server on this store, if `lock`'s `(name, holder)` still holds it: whether it
    /// was kept. (A holder whose time ran out must not overwrite a newer refresh.)
    pub async fn put_access_token(
        &self,
        appid: String,
        token: String,
        expires_at: i64,
        lock: (String, String),
    ) -> Result<bool, StoreError> {
        timed("put_access_token", async move {
            match self {
                Store::Sqlite(store) => {
                    store
                        .put_access_token(appid, token, expires_at, lock, crate::clock::now_ms())
                        .await
                }
                Store::Redis(store) => {
                    store
                        .put_access_token(appid, token, expires_at, lock, crate::clock::now())
                        .await
                }
            }
        })
        .await
    }

    /// Takes the lock `name` for `holder` for `ttl_ms` milliseconds, if no one else holds it
    /// (or its holder's time ran out); whether it is `holder`'s now.
    pub async fn try_lock(&self, name: String, holder: String, ttl_ms: u64) -> Result<bool, StoreError> {
        timed("try_lock", async move {
            match self {
                Store::Sqlite(store) => {
                    let now_ms = crate::clock::now_ms();
                    let until_ms = now_ms.saturating_add(i64::try_from(ttl_ms).unwrap_or(i64::MAX));
                    store.try_lock(name, holder, now_ms, until_ms).await
                }
                Store::Redis(store) => store.try_lock(name, holder, ttl_ms).await,
            }
        })
        .await
    }

    /// Releases the lock `name` if `holder` still holds it.
    pub async fn unlock(&self, name: String, holder: String) -> Result<(), StoreError> {
        timed("unlock", async move {
            match self {
                Store::Sqlite(store) => store.unlock(name, holder).await,
                Store::Redis(store) => store.unlock(name, holder).await,
            }
        })
        .await
    }
}

/// `work`, its time observed as the store's operation `op`.
async fn timed<T>(op: &'static str, work: impl std::future::Future<Output = T>) -> T {
    let started = std::time::Instant::now();
    let done = work.await;
    crate::metrics::observe(crate::metrics::STORE_SECONDS, &[("op", op)], started.elapsed());
    done
}

/// `url` with the password of its `user:password@` part (if any) replaced by `***`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split_once(':').map_or("", |(user, _)| user);
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stores_url_is_shown_without_its_password() {
        assert_eq!(
            super::without_password("redis://:hunter2@db:6379/0"),
            "redis://:***@db:6379/0"
        );
        assert_eq!(
            super::without_password("redis://app:p@ss@db:6379"),
            "redis://app:***@db:6379"
        );
        assert_eq!(super::without_password("redis://db:6379"), "redis://db:6379");
    }
}
