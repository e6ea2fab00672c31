//! Sessions in Redis, for more than one server: one key per session,
//! `mp-session:session:<id>`, holding its JSON and expiring with it (Redis' own TTL); a
//! user's phone number under `mp-session:phone:<openid>`; the app's shared `access_token`
//! under `mp-session:access-token:<appid>` (expiring with it) and its refresh lock under
//! `mp-session:lock:<name>` (`SET NX PX`, released only by its holder).

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{Deserialize, Serialize};

use super::{SessionEntry, StoreError};
use crate::upstream::PhoneNumber;

/// A Redis store; clones share one multiplexed connection that reconnects by itself.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedisStore")
    }
}

#[derive(Serialize, Deserialize)]
struct Entry {
    openid: String,
    unionid: Option<String>,
    platform: String,
    expires_at: i64,
    verifier: String,
    session_key: String,
}

/// How long one call to Redis (or connecting to it) may take, its reconnection included.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Connection attempts after a failed one before a call fails: none. The `redis` crate's
/// default (6, waiting 1 s, then up to 60 s each) held every request for minutes while Redis
/// was down; with none, a refused connection is `503 STORE` at once, a Redis that hangs is
/// `503` after `TIMEOUT`, and a Redis back up is reconnected by the next call (`query` tries
/// a command once more over the new connection).
const RECONNECT_RETRIES: usize = 0;

fn key(id: &str) -> String {
    format!("mp-session:session:{id}")
}

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

/// Runs `command`, once more if the connection had dropped (Redis restarted): the manager
/// reconnects on the failure, and the second try goes over the new connection. Both tries
/// together take at most `TIMEOUT`.
async fn query<T: redis::FromRedisValue>(
    connection: &ConnectionManager,
    command: &redis::Cmd,
) -> Result<T, StoreError> {
    let mut connection = connection.clone();
    let tries = async {
        match command.query_async(&mut connection).await {
            Err(e) if e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() => {
                command.query_async(&mut connection).await
            }
            result => result,
        }
    };
    match tokio::time::timeout(TIMEOUT, tries).await {
        Ok(result) => result.map_err(failed),
        Err(_) => Err(StoreError(format!("redis: no answer in {} s", TIMEOUT.as_secs()))),
    }
}

impl RedisStore {
    /// Connects to `url` (`redis://[:PASSWORD@]HOST:PORT[/DB]`) and checks that Redis answers
    /// a command. Every call times out after `TIMEOUT`; errors name the URL without its
    /// password.
    pub async fn open(url: &str) -> Result<RedisStore, StoreError> {
        let shown = super::without_password(url);
        let client = redis::Client::open(url).map_err(|e| StoreError(format!("--store {shown}: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(TIMEOUT)
            .set_response_timeout(TIMEOUT)
            .set_number_of_retries(RECONNECT_RETRIES);
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| StoreError(format!("--store {shown}: {e}")))?;
        let store = RedisStore { connection };
        // A Redis that wants a password not given answers the connection but not a command.
        store
            .ping()
            .await
            .map_err(|e| StoreError(format!("--store {shown}: {}", e.0)))?;
        Ok(store)
    }

    pub(super) async fn insert(
        &self,
        id: String,
        verifier: String,
        session: SessionEntry,
        session_key: String,
        now: i64,
    ) -> Result<(), StoreError> {
        let seconds = u64::try_from(session.expires_at - now).unwrap_or(0).max(1);
        let entry = Entry {
            openid: session.openid,
            unionid: session.unionid,
            platform: session.platform,
            expires_at: session.expires_at,
            verifier: verifier.clone(),
            session_key,
        };
        let value = serde_json::to_string(&entry).map_err(failed)?;
        // NX: a new session never replaces another (ids are random; this makes sure).
        let mut command = redis::cmd("SET");
        command.arg(key(&id)).arg(value).arg("EX").arg(seconds).arg("NX");
        let set: Option<String> = query(&self.connection, &command).await?;
        if set.is_some() {
            return Ok(());
        }
        // Ids are random: a session already there is this one, written by a first try whose
        // answer the dropped connection lost.
        match self.find(id, now).await? {
            Some((_, kept)) if kept == verifier => Ok(()),
            _ => Err(StoreError("a session with this id exists".into())),
        }
    }

    pub(super) async fn find(
        &self,
        id: String,
        now: i64,
    ) -> Result<Option<(SessionEntry, String)>, StoreError> {
        let value: Option<String> = query(&self.connection, redis::cmd("GET").arg(key(&id))).await?;
        let Some(value) = value else { return Ok(None) };
        let entry: Entry = serde_json::from_str(&value).map_err(failed)?;
        if entry.expires_at <= now {
            return Ok(None);
        }
        let session = SessionEntry {
            openid: entry.openid,
            unionid: entry.unionid,
            platform: entry.platform,
            expires_at: entry.expires_at,
        };
        Ok(Some((session, entry.verifier)))
    }

    pub(super) async fn remove(&self, id: String) -> Result<bool, StoreError> {
        let removed: u64 = query(&self.connection, redis::cmd("DEL").arg(key(&id))).await?;
        Ok(removed > 0)
    }

    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        query::<String>(&self.connection, &redis::cmd("PING"))
            .await
            .map(drop)
    }

    pub(super) async fn bind_phone(&self, openid: String, phone: PhoneNumber) -> Result<(), StoreError> {
        let value = serde_json::to_string(&phone).map_err(failed)?;
        let mut command = redis::cmd("SET");
        command.arg(format!("mp-session:phone:{openid}")).arg(value);
        query::<()>(&self.connection, &command).await
    }

    pub(super) async fn phone(&self, openid: String) -> Result<Option<PhoneNumber>, StoreError> {
        let value: Option<String> = query(
            &self.connection,
            redis::cmd("GET").arg(format!("mp-session:phone:{openid}")),
        )
        .await?;
        value
            .map(|value| serde_json::from_str(&value).map_err(failed))
            .transpose()
    }

    pub(super) async fn access_token(&self, appid: String) -> Result<Option<(String, i64)>, StoreError> {
        let value: Option<String> = query(
            &self.connection,
            redis::cmd("GET").arg(format!("mp-session:access-token:{appid}")),
        )
        .await?;
        value
            .map(|value| serde_json::from_str(&value).map_err(failed))
            .transpose()
    }

    pub(super) async fn put_access_token(
        &self,
        appid: String,
        token: String,
        expires_at: i64,
        (name, holder): (String, String),
        now: i64,
    ) -> Result<bool, StoreError> {
        let value = serde_json::to_string(&(token, expires_at)).map_err(failed)?;
        let seconds = u64::try_from(expires_at - now).unwrap_or(0).max(1);
        // Written only while the lock is the holder's, in one script (atomic in Redis).
        let mut command = redis::cmd("EVAL");
        command
            .arg(
                "if redis.call('GET', KEYS[1]) == ARGV[1] then \
                   redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3]) return 1 end return 0",
            )
            .arg(2)
            .arg(format!("mp-session:lock:{name}"))
            .arg(format!("mp-session:access-token:{appid}"))
            .arg(holder)
            .arg(value)
            .arg(seconds);
        let written: i64 = query(&self.connection, &command).await?;
        Ok(written == 1)
    }

    pub(super) async fn try_lock(
        &self,
        name: String,
        holder: String,
        ttl_ms: u64,
    ) -> Result<bool, StoreError> {
        let lock = format!("mp-session:lock:{name}");
        let mut command = redis::cmd("SET");
        command
            .arg(&lock)
            .arg(&holder)
            .arg("PX")
            .arg(ttl_ms.max(1))
            .arg("NX");
        let set: Option<String> = query(&self.connection, &command).await?;
        if set.is_some() {
            return Ok(true);
        }
        // Held by this holder already: a first try whose answer a dropped connection lost.
        let held: Option<String> = query(&self.connection, redis::cmd("GET").arg(&lock)).await?;
        Ok(held.as_deref() == Some(holder.as_str()))
    }

    pub(super) async fn unlock(&self, name: String, holder: String) -> Result<(), StoreError> {
        // Deleted only by its holder: a lock that outlived its holder's time and was taken by
        // another server stays that server's.
        let mut command = redis::cmd("EVAL");
        command
            .arg("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0")
            .arg(1)
            .arg(format!("mp-session:lock:{name}"))
            .arg(holder);
        query::<i64>(&self.connection, &command).await.map(drop)
    }
}
