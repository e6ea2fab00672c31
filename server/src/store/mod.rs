//! Where sessions are kept: SQLite (one file, the default for one server) or Redis (for
//! more than one); both answer the same calls.

mod redis;
mod sqlite;

pub use self::redis::RedisStore;
pub use sqlite::SqliteStore;

/// A session as the store keeps it: who it is, from where, until when (Unix seconds). The
/// `session_key` is stored beside it and never read back by the login flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSession {
    /// The user's openid.
    pub openid: String,
    /// The user's unionid, when the app is bound to an Open Platform account.
    pub unionid: Option<String>,
    /// The platform the login came from (`wx`, ...).
    pub platform: String,
    /// When it ends (Unix seconds).
    pub expires_at: i64,
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
        match url.strip_prefix("sqlite://") {
            Some(file) if !file.is_empty() => SqliteStore::open(file).map(Store::Sqlite).map_err(|e| e.0),
            _ => Err(format!(
                "--store / MP_SESSION_STORE must be sqlite://FILE or redis://HOST:PORT, not {url:?}"
            )),
        }
    }

    /// Keeps a new session under its token's `id`, with the token's `verifier` and the
    /// `session_key`, in one write.
    pub async fn insert(
        &self,
        id: String,
        verifier: String,
        session: StoredSession,
        session_key: String,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(store) => store.insert(id, verifier, session, session_key).await,
            Store::Redis(store) => {
                store
                    .insert(id, verifier, session, session_key, crate::api::now())
                    .await
            }
        }
    }

    /// The session of token `id` and its verifier, if it exists and has not ended at `now`
    /// (Unix seconds).
    pub async fn find(&self, id: String, now: i64) -> Result<Option<(StoredSession, String)>, StoreError> {
        match self {
            Store::Sqlite(store) => store.find(id, now).await,
            Store::Redis(store) => store.find(id, now).await,
        }
    }

    /// Ends the session of token `id`; whether there was one.
    pub async fn remove(&self, id: String) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(store) => store.remove(id).await,
            Store::Redis(store) => store.remove(id).await,
        }
    }
}
