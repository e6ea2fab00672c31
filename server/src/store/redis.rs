//! Sessions in Redis, for more than one server: one key per session,
//! `mp-session:session:<id>`, holding its JSON and expiring with it (Redis' own TTL); a
//! user's sessions in the order made under `mp-session:user:<openid>` (a sorted set, scored
//! by the time made) and their last use under `mp-session:used:<openid>` (a hash), written
//! with the session by one script, so that a user's cap holds across servers (the scripts
//! name keys they build: a standalone Redis, not a cluster); a user's phone number under
//! `mp-session:phone:<openid>`; the app's shared `access_token`
//! under `mp-session:access-token:<appid>` (expiring with it) and its refresh lock under
//! `mp-session:lock:<name>` (`SET NX PX`, released only by its holder); each abuse limit's
//! budget under `mp-session:limit:<ip:ADDRESS|user:OPENID|token:ID>` (kept only while it is
//! not whole).

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{Deserialize, Serialize};

use super::{Found, Inserted, NewSession, SessionEntry, SessionInfo, StoreError, UseNotes};
use crate::limits::Rate;
use crate::token;
use crate::upstream::PhoneNumber;

/// A Redis store; clones share one multiplexed connection that reconnects by itself.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    pub(super) notes: UseNotes,
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
    // Sessions written before the cap have neither.
    #[serde(default)]
    created_ms: i64,
    #[serde(default)]
    device: Option<String>,
}

impl Entry {
    fn session(self) -> SessionEntry {
        SessionEntry {
            openid: self.openid,
            unionid: self.unionid,
            platform: self.platform,
            expires_at: self.expires_at,
            device: self.device,
        }
    }
}

/// Where a session's key begins: the scripts add the id.
const SESSION_PREFIX: &str = "mp-session:session:";

/// A user's sessions, by the time made.
fn user_key(openid: &str) -> String {
    format!("mp-session:user:{openid}")
}

/// A user's sessions' last use.
fn used_key(openid: &str) -> String {
    format!("mp-session:used:{openid}")
}

/// There while an operator blocks the user.
fn blocked_key(openid: &str) -> String {
    format!("mp-session:blocked:{openid}")
}

/// A limit's rule ([`crate::limits::Rate::admit`], the same in Lua): `budget(kept, now,
/// interval, tolerance)`, given what a budget's key holds (`false` when none), gives the time
/// the budget is whole again after one more request, or `nil` and the milliseconds to wait;
/// `spend(key, whole, now)` keeps that time (only until then); a time further ahead than a
/// whole budget (Redis' clock moved back) counts as a budget spent whole. Their `now` is
/// Redis' own clock (`clock()`), one for every server of the store, read as each script runs,
/// one after another: no server's clock, or its request's place in the queue, moves a budget.
macro_rules! budget_lua {
    () => {
        "
local function clock()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local function budget(kept, now, interval, tolerance)
  local whole = tonumber(kept or now)
  if whole < now then whole = now end
  if whole > now + tolerance + interval then whole = now + tolerance + interval end
  local over = whole - now - tolerance
  if over > 0 then return nil, over end
  return whole + interval, 0
end
local function spend(key, whole, now)
  redis.call('SET', key, string.format('%.0f', whole), 'PX', string.format('%.0f', whole - now))
end
"
    };
}

/// A limit's key.
fn limit_key(subject: &str) -> String {
    format!("mp-session:limit:{subject}")
}

/// What [`INSERT`] answers first: the session is kept (then how many the cap ended), its id
/// was taken, the user is blocked, or the login is over the first budget it was given (over
/// the second: one more; then the milliseconds to wait).
const KEPT: i64 = 0;
/// See [`KEPT`].
const TAKEN: i64 = 1;
/// See [`KEPT`].
const BLOCKED: i64 = 2;
/// See [`KEPT`].
const OVER_FIRST: i64 = 3;

/// The new session (`KEYS[1]`), its user's index (`KEYS[2]`; `KEYS[3]`, their last use), and
/// the end of the user's oldest sessions beyond the cap, in one step, unless the user is
/// blocked (`KEYS[4]` is there), the id is taken (a first try whose answer a dropped
/// connection lost is found kept, even when its budget is now spent), or a budget refuses it:
/// up to two (`KEYS[5]`, `KEYS[6]`; `ARGV[7]` says how many, each one's interval and tolerance
/// after it), every one checked before any is spent. Answers `{what, n}` ([`KEPT`] ...).
/// The common login costs Redis few commands, as each `redis.call` costs about a microsecond
/// of its one thread: one `MGET` reads the block and the budgets, `SET NX` writes the session
/// and finds a taken id, and the index's newest is read only when the user has sessions. The
/// index's score is the time made (`ARGV[4]`), or 1 ms after the user's newest when that is
/// later, so two logins in one millisecond still have an order. Over the cap, ids in the index
/// whose session is gone (ended by its TTL) leave it first. The index lives as long as the
/// longest-lived session in it.
const INSERT: &str = concat!(
    budget_lua!(),
    "
local n = tonumber(ARGV[7])
local kept = redis.call('MGET', KEYS[4], unpack(KEYS, 5, 4 + n))
if kept[1] then return {2, 0} end
local wholes = {}
local now = n > 0 and clock()
for i = 1, n do
  local whole, wait = budget(kept[1 + i], now, tonumber(ARGV[6 + 2 * i]), tonumber(ARGV[7 + 2 * i]))
  if not whole then
    if redis.call('EXISTS', KEYS[1]) == 1 then return {1, 0} end
    return {2 + i, wait}
  end
  wholes[i] = whole
end
if not redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2], 'NX') then return {1, 0} end
for i, whole in ipairs(wholes) do spend(KEYS[4 + i], whole, now) end
local made = tonumber(ARGV[4])
local held = redis.call('ZCARD', KEYS[2])
if held > 0 then
  local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  if tonumber(last[2]) >= made then made = tonumber(last[2]) + 1 end
end
held = held + redis.call('ZADD', KEYS[2], string.format('%.0f', made), ARGV[3])
local ended = 0
local cap = tonumber(ARGV[5])
if held > cap then
  local live = {}
  for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
    if id == ARGV[3] or redis.call('EXISTS', ARGV[6] .. id) == 1 then
      live[#live + 1] = id
    else
      redis.call('ZREM', KEYS[2], id)
      redis.call('HDEL', KEYS[3], id)
    end
  end
  local over = #live - cap
  for _, id in ipairs(live) do
    if ended >= over then break end
    if id ~= ARGV[3] then
      redis.call('DEL', ARGV[6] .. id)
      redis.call('ZREM', KEYS[2], id)
      redis.call('HDEL', KEYS[3], id)
      ended = ended + 1
    end
  end
end
if held == 1 or redis.call('TTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
return {0, ended}"
);

/// What [`AUTHENTICATE`] answers first: the session found (then its JSON), or the token over
/// its budget (then the milliseconds to wait); anything else is no session.
const FOUND: i64 = 1;
/// See [`FOUND`].
const OVER: i64 = 2;

/// The session of a presented token (`KEYS[1]`) if its verifier is `ARGV[1]`, with one
/// request spent of the token's budget (`KEYS[2]`; `ARGV[2]` and `ARGV[3]` its interval and
/// tolerance): `{1, session}`, `{2, ms to wait}`, or `{0, ''}`. Without a budget the store
/// reads the session with a plain `GET` instead.
/// The verifier is the SHA-256 of the presented secret in hex, found in the session's JSON as
/// its `"verifier":"…"` (no other field can hold that text: serde escapes a quote in a string):
/// what the search's timing could tell is a hash's prefix, which gives no secret.
const AUTHENTICATE: &str = concat!(
    budget_lua!(),
    "
local value = redis.call('GET', KEYS[1])
if not value or not string.find(value, '\"verifier\":\"' .. ARGV[1] .. '\"', 1, true) then return {0, ''} end
local now = clock()
local whole, wait = budget(redis.call('GET', KEYS[2]), now, tonumber(ARGV[2]), tonumber(ARGV[3]))
if not whole then return {2, tostring(wait)} end
spend(KEYS[2], whole, now)
return {1, value}"
);

/// A session's last use (`ARGV[2]`) in its user's hash (`KEYS[1]`), while the session
/// (`KEYS[2]`) lives; the hash lives as long as its longest-lived session.
const NOTE_USE: &str = "
local left = redis.call('TTL', KEYS[2])
if left < 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('TTL', KEYS[1]) < left then redis.call('EXPIRE', KEYS[1], left) end
return 1";

/// Ends the session `KEYS[1]` if it is the user's (`ARGV[2]`), and takes it out of the
/// user's index: 1 if it ended.
const REMOVE: &str = "
local value = redis.call('GET', KEYS[1])
if not value or cjson.decode(value).openid ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1";

/// `access_token` (`KEYS[2]`) written while the lock (`KEYS[1]`) is the holder's (`ARGV[1]`).
const PUT_ACCESS_TOKEN: &str =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3]) return 1 end return 0";

/// The lock `KEYS[1]` deleted only by its holder (`ARGV[1]`).
const UNLOCK: &str =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/// Ends every session in the user's index, and the index: how many there were. With a third
/// key, the user's block (`KEYS[3]`) is set first, in the same step.
const REMOVE_ALL: &str = "
if KEYS[3] then redis.call('SET', KEYS[3], '1') end
local ended = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  ended = ended + redis.call('DEL', ARGV[1] .. id)
end
redis.call('DEL', KEYS[1], KEYS[2])
return ended";

/// How long one call to Redis (or connecting to it) may take, its reconnection included.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Connection attempts after a failed one before a call fails: none. The `redis` crate's
/// default (6, waiting 1 s, then up to 60 s each) held every request for minutes while Redis
/// was down; with none, a refused connection is `503 STORE` at once, a Redis that hangs is
/// `503` after `TIMEOUT`, and a Redis back up is reconnected by the next call (`query` tries
/// a command once more over the new connection).
const RECONNECT_RETRIES: usize = 0;

fn key(id: &str) -> String {
    format!("{SESSION_PREFIX}{id}")
}

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

/// Runs `command`, once more if the connection had dropped (Redis restarted): the manager
/// reconnects on the failure, and the second try goes over the new connection. A script sent
/// by its hash ([`script`]) that Redis does not have (a Redis restarted) is loaded, with the
/// others, and run again. All the tries together take at most `TIMEOUT`.
async fn query<T: redis::FromRedisValue>(
    connection: &ConnectionManager,
    command: &redis::Cmd,
) -> Result<T, StoreError> {
    let mut connection = connection.clone();
    let tries = async {
        let first = match command.query_async(&mut connection).await {
            Err(e) if e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() => {
                command.query_async(&mut connection).await
            }
            result => result,
        };
        match first {
            Err(e) if e.kind() == redis::ErrorKind::NoScriptError => {
                for code in SCRIPTS {
                    redis::cmd("SCRIPT")
                        .arg("LOAD")
                        .arg(code)
                        .query_async::<String>(&mut connection)
                        .await?;
                }
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

/// Every script the store runs, loaded together when Redis lacks one.
const SCRIPTS: [&str; 7] = [
    INSERT,
    NOTE_USE,
    REMOVE,
    REMOVE_ALL,
    PUT_ACCESS_TOKEN,
    UNLOCK,
    AUTHENTICATE,
];

/// `EVALSHA` of `code` (one of [`SCRIPTS`]): Redis keeps the scripts it ran, so a call carries
/// the script's 40-character hash, not the script.
fn script(code: &'static str) -> redis::Cmd {
    static HASHES: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        SCRIPTS
            .iter()
            .map(|code| redis::Script::new(code).get_hash().to_owned())
            .collect()
    });
    let mut command = redis::cmd("EVALSHA");
    match SCRIPTS.iter().position(|known| *known == code) {
        Some(at) => command.arg(&HASHES[at]),
        None => command.arg(redis::Script::new(code).get_hash()),
    };
    command
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
        let store = RedisStore {
            connection,
            notes: UseNotes::default(),
        };
        // A Redis that wants a password not given answers the connection but not a command.
        store
            .ping()
            .await
            .map_err(|e| StoreError(format!("--store {shown}: {}", e.0)))?;
        Ok(store)
    }

    pub(super) async fn insert(&self, new: NewSession) -> Result<Inserted, StoreError> {
        let NewSession {
            id,
            verifier,
            session,
            session_key,
            now_ms,
            rules,
        } = new;
        let budgets = rules.budgets(&session.openid);
        let blocked = blocked_key(&session.openid);
        let seconds = u64::try_from(session.expires_at - now_ms / 1000)
            .unwrap_or(0)
            .max(1);
        let (user, used) = (user_key(&session.openid), used_key(&session.openid));
        let entry = Entry {
            openid: session.openid,
            unionid: session.unionid,
            platform: session.platform,
            expires_at: session.expires_at,
            verifier: verifier.clone(),
            session_key,
            created_ms: now_ms,
            device: session.device,
        };
        let value = serde_json::to_string(&entry).map_err(failed)?;
        let mut command = script(INSERT);
        command
            .arg(4 + budgets.len())
            .arg(key(&id))
            .arg(user)
            .arg(used)
            .arg(blocked);
        for (_, subject, _) in &budgets {
            command.arg(limit_key(subject));
        }
        command
            .arg(value)
            .arg(seconds)
            .arg(&id)
            .arg(now_ms)
            .arg(rules.cap.max(1))
            .arg(SESSION_PREFIX)
            .arg(budgets.len());
        for (_, _, rate) in &budgets {
            command.arg(rate.interval_ms()).arg(rate.tolerance_ms());
        }
        let (what, n): (i64, i64) = query(&self.connection, &command).await?;
        let n = u64::try_from(n).unwrap_or(0);
        match what {
            KEPT => return Ok(Inserted::Kept { ended: n }),
            BLOCKED => return Ok(Inserted::Blocked),
            TAKEN => {}
            over => {
                let at = usize::try_from(over - OVER_FIRST).unwrap_or(usize::MAX);
                let (limit, _, _) = budgets
                    .get(at)
                    .ok_or_else(|| StoreError(format!("the insert script answered {what}")))?;
                return Ok(Inserted::Limited {
                    limit: *limit,
                    retry_after_ms: n,
                });
            }
        }
        // Ids are random: a session already there is this one, written by a first try whose
        // answer the dropped connection lost.
        match self.find(id, now_ms / 1000).await? {
            Some((_, kept)) if kept == verifier => Ok(Inserted::Kept { ended: 0 }),
            _ => Err(StoreError("a session with this id exists".into())),
        }
    }

    pub(super) async fn authenticate(
        &self,
        id: String,
        verifier: String,
        now: i64,
        per_token: Rate,
    ) -> Result<Found, StoreError> {
        if !per_token.is_on() {
            // No budget to spend: one `GET`, and the hashes compared here in constant time.
            return Ok(match self.find(id, now).await? {
                Some((session, kept)) if token::constant_time_eq(kept.as_bytes(), verifier.as_bytes()) => {
                    Found::Session(session)
                }
                _ => Found::Nothing,
            });
        }
        let mut command = script(AUTHENTICATE);
        command
            .arg(2)
            .arg(key(&id))
            .arg(limit_key(&format!("token:{id}")))
            .arg(verifier)
            .arg(per_token.interval_ms())
            .arg(per_token.tolerance_ms());
        let (what, text): (i64, String) = query(&self.connection, &command).await?;
        match what {
            FOUND => {
                let entry: Entry = serde_json::from_str(&text).map_err(failed)?;
                Ok(if entry.expires_at > now {
                    Found::Session(entry.session())
                } else {
                    Found::Nothing
                })
            }
            OVER => Ok(Found::Limited {
                retry_after_ms: text.parse().map_err(failed)?,
            }),
            _ => Ok(Found::Nothing),
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
        let verifier = entry.verifier.clone();
        Ok(Some((entry.session(), verifier)))
    }

    pub(super) async fn note_use(&self, openid: String, id: String, now: i64) -> Result<(), StoreError> {
        let mut command = script(NOTE_USE);
        command
            .arg(2)
            .arg(used_key(&openid))
            .arg(key(&id))
            .arg(&id)
            .arg(now);
        query::<i64>(&self.connection, &command).await.map(drop)
    }

    pub(super) async fn sessions(&self, openid: String, now: i64) -> Result<Vec<SessionInfo>, StoreError> {
        let ids: Vec<String> = query(
            &self.connection,
            redis::cmd("ZRANGE").arg(user_key(&openid)).arg(0).arg(-1),
        )
        .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = ids.iter().map(|id| key(id)).collect();
        let values: Vec<Option<String>> = query(&self.connection, redis::cmd("MGET").arg(&keys)).await?;
        let used: Vec<Option<i64>> = query(
            &self.connection,
            redis::cmd("HMGET").arg(used_key(&openid)).arg(&ids),
        )
        .await?;
        let mut found = Vec::new();
        for ((id, value), last_used) in ids.into_iter().zip(values).zip(used) {
            let Some(value) = value else { continue };
            let entry: Entry = serde_json::from_str(&value).map_err(failed)?;
            if entry.expires_at > now && entry.openid == openid {
                found.push(SessionInfo {
                    id,
                    platform: entry.platform,
                    created_ms: entry.created_ms,
                    expires_at: entry.expires_at,
                    last_used,
                    device: entry.device,
                });
            }
        }
        // The index is oldest first; the list, newest first.
        found.reverse();
        Ok(found)
    }

    pub(super) async fn remove(&self, openid: String, id: String) -> Result<bool, StoreError> {
        let mut command = script(REMOVE);
        command
            .arg(3)
            .arg(key(&id))
            .arg(user_key(&openid))
            .arg(used_key(&openid))
            .arg(&id)
            .arg(&openid);
        let removed: i64 = query(&self.connection, &command).await?;
        Ok(removed > 0)
    }

    pub(super) async fn remove_all(&self, openid: String) -> Result<u64, StoreError> {
        let mut command = script(REMOVE_ALL);
        command
            .arg(2)
            .arg(user_key(&openid))
            .arg(used_key(&openid))
            .arg(SESSION_PREFIX);
        let removed: i64 = query(&self.connection, &command).await?;
        Ok(u64::try_from(removed).unwrap_or(0))
    }

    pub(super) async fn block(&self, openid: String) -> Result<u64, StoreError> {
        let mut command = script(REMOVE_ALL);
        command
            .arg(3)
            .arg(user_key(&openid))
            .arg(used_key(&openid))
            .arg(blocked_key(&openid))
            .arg(SESSION_PREFIX);
        let removed: i64 = query(&self.connection, &command).await?;
        Ok(u64::try_from(removed).unwrap_or(0))
    }

    pub(super) async fn unblock(&self, openid: String) -> Result<bool, StoreError> {
        let removed: i64 = query(&self.connection, redis::cmd("DEL").arg(blocked_key(&openid))).await?;
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
        let mut command = script(PUT_ACCESS_TOKEN);
        command
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
        let mut command = script(UNLOCK);
        command.arg(1).arg(format!("mp-session:lock:{name}")).arg(holder);
        query::<i64>(&self.connection, &command).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::Entry;

    /// The budget rule in Lua (`budget_lua!`) is [`Rate::admit`]: the same answers, request by
    /// request, for rates from 1 to 60 a minute and times that go forward and back, against a
    /// redis-server of the test's own (on a socket in a fresh folder; stopped at the end).
    #[test]
    fn the_lua_budget_rule_is_the_rust_one() {
        use crate::limits::Rate;
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("redis.sock");
        /// The server, stopped when the test ends, an assertion failing included.
        struct Stopped(std::process::Child);
        impl Drop for Stopped {
            fn drop(&mut self) {
                let _ = self.0.kill();
                let _ = self.0.wait();
            }
        }
        let _server = Stopped(
            std::process::Command::new("redis-server")
                .args(["--port", "0", "--save", "", "--appendonly", "no", "--unixsocket"])
                .arg(&socket)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("redis-server is not installed: run scripts/setup --redis"),
        );
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let client = redis::Client::open(format!("redis+unix://{}", socket.display())).unwrap();
        let mut connection = loop {
            match client.get_connection() {
                Ok(connection) => break connection,
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                Err(e) => panic!("redis-server did not start: {e}"),
            }
        };
        let script = redis::Script::new(concat!(
            budget_lua!(),
            "local now = tonumber(ARGV[1])
local whole, wait = budget(redis.call('GET', KEYS[1]), now, tonumber(ARGV[2]), tonumber(ARGV[3]))
if not whole then return {0, wait} end
spend(KEYS[1], whole, now)
return {1, whole}"
        ));
        // A small generator of its own: the same cases every run.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        };
        for case in 0..20 {
            let rate = Rate {
                per_minute: 1 + next(60) as u32,
            };
            let key = format!("budget-{case}");
            let (mut now, mut whole_at) = (1_800_000_000_000_i64, None);
            for _ in 0..30 {
                // Mostly forward a little, sometimes a long way, sometimes back.
                now += match next(10) {
                    0 => -(next(120_000) as i64),
                    1 => next(120_000) as i64,
                    _ => next(3_000) as i64,
                };
                let (admitted, n): (i64, i64) = script
                    .key(&key)
                    .arg(now)
                    .arg(rate.interval_ms())
                    .arg(rate.tolerance_ms())
                    .invoke(&mut connection)
                    .unwrap();
                // Redis forgets a budget once whole (its PX ran out in real time, which
                // this test outruns): the Rust side forgets one whole at `now` likewise.
                let kept = whole_at.filter(|&w: &i64| w > now);
                match rate.admit(kept, now) {
                    Ok(next_whole) => {
                        assert_eq!((admitted, n), (1, next_whole), "{rate:?} at {now}");
                        whole_at = Some(next_whole);
                    }
                    Err(wait) => assert_eq!((admitted, n), (0, wait as i64), "{rate:?} at {now}"),
                }
            }
        }
    }

    /// The scripts answer with the numbers the Rust side reads (written as Lua literals).
    #[test]
    fn the_scripts_answer_the_numbers_the_store_reads() {
        use super::{AUTHENTICATE, BLOCKED, FOUND, INSERT, KEPT, OVER, OVER_FIRST, TAKEN};
        for (script, answer) in [
            (INSERT, format!("return {{{BLOCKED}, 0}}")),
            (INSERT, format!("return {{{TAKEN}, 0}}")),
            (INSERT, format!("return {{{KEPT}, ended}}")),
            (INSERT, format!("return {{{} + i, wait}}", OVER_FIRST - 1)),
            (AUTHENTICATE, format!("return {{{OVER}, tostring(wait)}}")),
            (AUTHENTICATE, format!("return {{{FOUND}, value}}")),
        ] {
            assert!(script.contains(&answer), "{answer}");
        }
    }

    /// `AUTHENTICATE` finds a session's verifier as the text `"verifier":"<hex>"` of its JSON:
    /// held here to how an `Entry` is written, and to a quote in any other field (escaped).
    #[test]
    fn an_entry_is_written_with_its_verifier_as_authenticate_finds_it() {
        let verifier = "ab".repeat(32);
        let entry = Entry {
            openid: "o-1".into(),
            unionid: None,
            platform: "wx".into(),
            expires_at: 1,
            verifier: verifier.clone(),
            session_key: "k".into(),
            created_ms: 0,
            device: Some(format!("\"verifier\":\"{}\"", "cd".repeat(32))),
        };
        let json = serde_json::to_string(&entry).unwrap();
        assert!(json.contains(&format!("\"verifier\":\"{verifier}\"")), "{json}");
        assert!(
            !json.contains(&format!("\"verifier\":\"{}\"", "cd".repeat(32))),
            "{json}"
        );
        assert!(super::AUTHENTICATE.contains("'\"verifier\":\"' .. ARGV[1] .. '\"'"));
    }
}
