//! Sessions in one SQLite file: created on first start, migrated by `user_version`, each
//! session written with its user's cap in one transaction (a crash mid-login leaves no half
//! session; servers sharing the file take turns). After each login a few sessions are looked
//! at, in the order of their ids from where the last login stopped, and the ended ones
//! removed: the whole file, a few at a time, with no index by expiry to keep up.

use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{Found, Inserted, NewSession, SessionEntry, SessionInfo, StoreError, UseNotes};
use crate::limits::Rate;
use crate::token;
use crate::upstream::PhoneNumber;

/// The schema, one entry per version; `PRAGMA user_version` says how many ran.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE sessions (
        token_id    TEXT PRIMARY KEY,
        verifier    TEXT NOT NULL,
        openid      TEXT NOT NULL,
        unionid     TEXT,
        platform    TEXT NOT NULL,
        session_key TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL
    );
    CREATE INDEX sessions_by_openid ON sessions (openid);",
    "CREATE TABLE phones (
        openid            TEXT PRIMARY KEY,
        phone_number      TEXT NOT NULL,
        pure_phone_number TEXT NOT NULL,
        country_code      TEXT NOT NULL,
        bound_at          INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE access_tokens (
        appid        TEXT PRIMARY KEY,
        access_token TEXT NOT NULL,
        expires_at   INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE locks (
        name     TEXT PRIMARY KEY,
        holder   TEXT NOT NULL,
        until_ms INTEGER NOT NULL
    ) WITHOUT ROWID;",
    // Sessions kept by their token id alone (WITHOUT ROWID: one B-tree, not a table and an
    // index), found by expiry for the purge (until schema 4); nothing looks them up by openid.
    "CREATE TABLE sessions_by_token (
        token_id    TEXT PRIMARY KEY,
        verifier    TEXT NOT NULL,
        openid      TEXT NOT NULL,
        unionid     TEXT,
        platform    TEXT NOT NULL,
        session_key TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO sessions_by_token SELECT token_id, verifier, openid, unionid, platform, session_key,
        created_at, expires_at FROM sessions;
    DROP TABLE sessions;
    ALTER TABLE sessions_by_token RENAME TO sessions;
    CREATE INDEX sessions_by_expiry ON sessions (expires_at);",
    // A user's sessions, in the order made (the cap ends the oldest), with their last use and
    // the device the app named. The index by expiry goes: a login keeps two B-trees up to
    // date, not three (the sweep after each login finds ended sessions by id).
    "ALTER TABLE sessions ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN last_used_at INTEGER;
    ALTER TABLE sessions ADD COLUMN device TEXT;
    UPDATE sessions SET created_ms = created_at * 1000;
    CREATE INDEX sessions_by_user ON sessions (openid, created_ms);
    DROP INDEX sessions_by_expiry;",
    // The users an operator blocked (`mp-session-server block`).
    "CREATE TABLE blocked (
        openid     TEXT PRIMARY KEY,
        blocked_at INTEGER NOT NULL
    ) WITHOUT ROWID;",
];

/// The abuse limits' budgets, in a file of their own beside the store (`FILE.limits`),
/// attached as `limits`: when each is whole again (Unix ms), kept until then. A budget needs
/// no durability (a crash forgets at most a minute of spending), so that file is written with
/// `synchronous = OFF`: a token's request costs no sync to disk, and a login no second one.
const LIMITS_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS limits.budgets (
        subject  TEXT PRIMARY KEY,
        whole_at INTEGER NOT NULL
    ) WITHOUT ROWID;";

/// Budgets whole again are removed after one spending in this many (a full look through a
/// table that holds the subjects of about the last minute).
const BUDGETS_SWEEP_EVERY: u32 = 256;

/// Sessions looked at by a sweep, for the ended ones among them (Redis drops them by itself).
const SWEEP_BATCH: i64 = 64;

/// A sweep runs after one login in this many, and after every login while the last sweep
/// found ended sessions: a file of a million sessions with none ended is looked through every
/// 250,000 logins, and ended ones go as fast as logins come.
const SWEEP_EVERY: u32 = 16;

/// A SQLite store; clones share one connection.
#[derive(Clone)]
pub struct SqliteStore {
    connection: Arc<Mutex<Sweep>>,
    /// Logins waiting for the connection: the next writer writes them all at once.
    waiting: Arc<Mutex<Vec<Waiting>>>,
    pub(super) notes: UseNotes,
}

/// A login to write, and where its outcome goes.
struct Waiting {
    login: NewSession,
    answer: tokio::sync::oneshot::Sender<Result<Inserted, StoreError>>,
}

/// The connection, and where its sweeps are.
struct Sweep {
    connection: Connection,
    /// The sweep for ended sessions.
    cursor: Cursor,
    /// Budgets spent since the ones whole again were removed.
    spent: u32,
}

/// The sweep for ended sessions: where it stopped (a session's id), logins since it ran, and
/// whether it found any.
struct Cursor {
    after: String,
    logins: u32,
    found: bool,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteStore")
    }
}

impl SqliteStore {
    /// Opens (or creates) `file` and brings its schema up to date.
    pub fn open(file: &str) -> Result<SqliteStore, StoreError> {
        let failed = |e: rusqlite::Error| StoreError(format!("--store sqlite://{file}: {e}"));
        create_private(file).map_err(|e| StoreError(format!("--store sqlite://{file}: {e}")))?;
        let mut connection = Connection::open(file).map_err(failed)?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(failed)?;
        connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(failed)?;
        // The schema read and brought up to date under the write lock: servers starting at
        // once over one file migrate it one after another, the later ones finding it done.
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed)?;
        let version: usize = transaction
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(failed)?;
        if version > MIGRATIONS.len() {
            return Err(StoreError(format!(
                "--store sqlite://{file}: the database is of schema {version}, newer than this server's {}",
                MIGRATIONS.len()
            )));
        }
        for migration in MIGRATIONS.iter().skip(version) {
            transaction.execute_batch(migration).map_err(failed)?;
        }
        transaction
            .pragma_update(None, "user_version", MIGRATIONS.len())
            .map_err(failed)?;
        transaction.commit().map_err(failed)?;
        let limits = format!("{file}.limits");
        if let Err(error) = attach_limits(&connection, &limits) {
            // Budgets are disposable: a file that cannot be read (a crash while it was written
            // without syncing) is made again, empty.
            tracing::warn!("{limits}: {error}; the abuse limits' budgets start again, empty");
            let _ = connection.execute("DETACH DATABASE limits", []);
            for end in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{limits}{end}"));
            }
            attach_limits(&connection, &limits)
                .map_err(|e| StoreError(format!("--store sqlite://{file}: {limits}: {e}")))?;
        }
        Ok(SqliteStore {
            connection: Arc::new(Mutex::new(Sweep {
                connection,
                cursor: Cursor {
                    after: String::new(),
                    logins: 0,
                    found: true,
                },
                spent: 0,
            })),
            waiting: Arc::default(),
            notes: UseNotes::default(),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.run_sweeping(|sweep| work(&mut sweep.connection)).await
    }

    /// [`SqliteStore::run`], with the sweep's place too.
    async fn run_sweeping<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Sweep) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let mut sweep = connection
                .lock()
                .map_err(|_| StoreError("a writer panicked".into()))?;
            work(&mut sweep).map_err(|e| StoreError(e.to_string()))
        })
        .await
        .map_err(|e| StoreError(e.to_string()))?
    }

    /// Writes a login. Logins that come while the connection is busy wait, and the next
    /// writer writes them all in one transaction: one sync to disk for all of them, each in a
    /// savepoint of its own (one that fails, or is refused, is undone alone), each answered
    /// only once the transaction is on disk.
    pub(super) async fn insert(&self, login: NewSession) -> Result<Inserted, StoreError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.waiting
            .lock()
            .map_err(|_| StoreError("a writer panicked".into()))?
            .push(Waiting { login, answer });
        // A writer for what is waiting. Ours may be written by one started before, and
        // answered then: the answer is what is awaited, not this writer.
        let (connection, waiting) = (Arc::clone(&self.connection), Arc::clone(&self.waiting));
        tokio::task::spawn_blocking(move || match connection.lock() {
            Ok(mut sweep) => write_waiting(&mut sweep, &waiting),
            Err(_) => {
                for left in take_waiting(&waiting) {
                    let _ = left.answer.send(Err(StoreError("a writer panicked".into())));
                }
            }
        });
        // A writer that panicked dropped the answers it held.
        answered
            .await
            .map_err(|_| StoreError("a writer panicked".into()))?
    }

    pub(super) async fn authenticate(
        &self,
        id: String,
        verifier: String,
        now: i64,
        per_token: Rate,
    ) -> Result<Found, StoreError> {
        self.run_sweeping(move |sweep| {
            let found = find(&sweep.connection, &id, now)?;
            let session = match found {
                Some((session, kept)) if token::constant_time_eq(kept.as_bytes(), verifier.as_bytes()) => {
                    session
                }
                _ => return Ok(Found::Nothing),
            };
            if !per_token.is_on() {
                return Ok(Found::Session(session));
            }
            // Only the budgets' file is written (no sync to disk). IMMEDIATE: servers sharing the
            // file take turns, none finding its read gone stale when it comes to write.
            let transaction = sweep
                .connection
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Read under the lock: the order budgets are spent in.
            let now_ms = crate::clock::now_ms();
            let subject = format!("token:{id}");
            let found = match per_token.admit(whole_at(&transaction, &subject)?, now_ms) {
                Ok(whole_at) => {
                    spend_budget(&transaction, &subject, whole_at)?;
                    Found::Session(session)
                }
                Err(retry_after_ms) => Found::Limited { retry_after_ms },
            };
            transaction.commit()?;
            sweep_budgets(sweep, now_ms, 1);
            Ok(found)
        })
        .await
    }

    pub(super) async fn block(&self, openid: String, now: i64) -> Result<u64, StoreError> {
        self.run(move |c| {
            let transaction = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            transaction.execute(
                "INSERT INTO blocked (openid, blocked_at) VALUES (?1, ?2) ON CONFLICT (openid) DO NOTHING",
                params![openid, now],
            )?;
            let ended = transaction.execute("DELETE FROM sessions WHERE openid = ?1", params![openid])?;
            transaction.commit()?;
            Ok(ended as u64)
        })
        .await
    }

    pub(super) async fn unblock(&self, openid: String) -> Result<bool, StoreError> {
        self.run(move |c| {
            c.execute("DELETE FROM blocked WHERE openid = ?1", params![openid])
                .map(|n| n > 0)
        })
        .await
    }

    pub(super) async fn find(
        &self,
        id: String,
        now: i64,
    ) -> Result<Option<(SessionEntry, String)>, StoreError> {
        self.run(move |c| find(c, &id, now)).await
    }

    pub(super) async fn note_use(&self, id: String, now: i64) -> Result<(), StoreError> {
        self.run(move |c| {
            c.prepare_cached("UPDATE sessions SET last_used_at = ?2 WHERE token_id = ?1")?
                .execute(params![id, now])
                .map(drop)
        })
        .await
    }

    pub(super) async fn sessions(&self, openid: String, now: i64) -> Result<Vec<SessionInfo>, StoreError> {
        self.run(move |c| {
            c.prepare_cached(
                "SELECT token_id, platform, created_ms, expires_at, last_used_at, device FROM sessions
                 WHERE openid = ?1 AND expires_at > ?2 ORDER BY created_ms DESC, token_id DESC",
            )?
            .query_map(params![openid, now], |row| {
                Ok(SessionInfo {
                    id: row.get(0)?,
                    platform: row.get(1)?,
                    created_ms: row.get(2)?,
                    expires_at: row.get(3)?,
                    last_used: row.get(4)?,
                    device: row.get(5)?,
                })
            })?
            .collect()
        })
        .await
    }

    pub(super) async fn remove(&self, openid: String, id: String) -> Result<bool, StoreError> {
        self.run(move |c| {
            c.execute(
                "DELETE FROM sessions WHERE token_id = ?1 AND openid = ?2",
                params![id, openid],
            )
            .map(|n| n > 0)
        })
        .await
    }

    pub(super) async fn remove_all(&self, openid: String) -> Result<u64, StoreError> {
        self.run(move |c| {
            c.execute("DELETE FROM sessions WHERE openid = ?1", params![openid])
                .map(|n| n as u64)
        })
        .await
    }

    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        self.run(|c| c.query_row("SELECT 1", [], |_| Ok(()))).await
    }

    pub(super) async fn bind_phone(
        &self,
        openid: String,
        phone: PhoneNumber,
        now: i64,
    ) -> Result<(), StoreError> {
        self.run(move |c| {
            c.execute(
                "INSERT INTO phones (openid, phone_number, pure_phone_number, country_code, bound_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (openid) DO UPDATE SET phone_number = excluded.phone_number,
                   pure_phone_number = excluded.pure_phone_number, country_code = excluded.country_code,
                   bound_at = excluded.bound_at",
                params![
                    openid,
                    phone.phone_number,
                    phone.pure_phone_number,
                    phone.country_code,
                    now
                ],
            )
            .map(drop)
        })
        .await
    }

    pub(super) async fn phone(&self, openid: String) -> Result<Option<PhoneNumber>, StoreError> {
        self.run(move |c| {
            c.query_row(
                "SELECT phone_number, pure_phone_number, country_code FROM phones WHERE openid = ?1",
                params![openid],
                |row| {
                    Ok(PhoneNumber {
                        phone_number: row.get(0)?,
                        pure_phone_number: row.get(1)?,
                        country_code: row.get(2)?,
                    })
                },
            )
            .optional()
        })
        .await
    }

    pub(super) async fn access_token(&self, appid: String) -> Result<Option<(String, i64)>, StoreError> {
        self.run(move |c| {
            c.query_row(
                "SELECT access_token, expires_at FROM access_tokens WHERE appid = ?1",
                params![appid],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
        })
        .await
    }

    pub(super) async fn put_access_token(
        &self,
        appid: String,
        token: String,
        expires_at: i64,
        (name, holder): (String, String),
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        self.run(move |c| {
            // One statement: written only while the lock is the holder's.
            c.execute(
                "INSERT INTO access_tokens (appid, access_token, expires_at)
                 SELECT ?1, ?2, ?3 WHERE EXISTS
                   (SELECT 1 FROM locks WHERE name = ?4 AND holder = ?5 AND until_ms > ?6)
                 ON CONFLICT (appid) DO UPDATE SET access_token = excluded.access_token, expires_at = excluded.expires_at",
                params![appid, token, expires_at, name, holder, now_ms],
            )
            .map(|n| n == 1)
        })
        .await
    }

    pub(super) async fn try_lock(
        &self,
        name: String,
        holder: String,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, StoreError> {
        self.run(move |c| {
            // One statement: taken when free, when its holder's time ran out, or again by its
            // holder.
            c.execute(
                "INSERT INTO locks (name, holder, until_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms
                 WHERE locks.until_ms <= ?4 OR locks.holder = excluded.holder",
                params![name, holder, until_ms, now_ms],
            )
            .map(|n| n == 1)
        })
        .await
    }

    pub(super) async fn unlock(&self, name: String, holder: String) -> Result<(), StoreError> {
        self.run(move |c| {
            c.execute(
                "DELETE FROM locks WHERE name = ?1 AND holder = ?2",
                params![name, holder],
            )
            .map(drop)
        })
        .await
    }
}

/// Every login waiting, taken from the queue.
fn take_waiting(waiting: &Mutex<Vec<Waiting>>) -> Vec<Waiting> {
    std::mem::take(&mut *waiting.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
}

/// Writes every login waiting ([`SqliteStore::insert`]) and answers each.
fn write_waiting(sweep: &mut Sweep, waiting: &Mutex<Vec<Waiting>>) {
    let batch = take_waiting(waiting);
    if batch.is_empty() {
        return;
    }
    let (logins, answers): (Vec<NewSession>, Vec<_>) = batch
        .into_iter()
        .map(|waiting| (waiting.login, waiting.answer))
        .unzip();
    match write_logins(&mut sweep.connection, &mut sweep.cursor, logins) {
        Ok(outcomes) => {
            let spending = outcomes
                .iter()
                .flatten()
                .filter(|(inserted, spent)| matches!(inserted, Inserted::Kept { .. }) && *spent)
                .count();
            sweep_budgets(sweep, crate::clock::now_ms(), spending as u32);
            for (answer, outcome) in answers.into_iter().zip(outcomes) {
                let _ = answer.send(
                    outcome
                        .map(|(inserted, _)| inserted)
                        .map_err(|e| StoreError(e.to_string())),
                );
            }
        }
        Err(error) => {
            for answer in answers {
                let _ = answer.send(Err(StoreError(error.to_string())));
            }
        }
    }
}

/// `logins` in one transaction, each in a savepoint kept only when the login is, and a step
/// of the sweep for ended sessions in the same commit: each one's outcome (and whether it
/// spent a budget), or the transaction's failure.
#[allow(clippy::type_complexity)]
fn write_logins(
    c: &mut Connection,
    cursor: &mut Cursor,
    logins: Vec<NewSession>,
) -> rusqlite::Result<Vec<rusqlite::Result<(Inserted, bool)>>> {
    let now = logins.iter().map(|login| login.now_ms).max().unwrap_or(0) / 1000;
    // IMMEDIATE: the write lock from the start, so that servers sharing the file count a
    // user's sessions one after another, and a block comes before or after a login.
    let mut transaction = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut outcomes = Vec::with_capacity(logins.len());
    for login in logins {
        let savepoint = transaction.savepoint()?;
        let outcome = write_login(&savepoint, login);
        if let Ok((Inserted::Kept { .. }, _)) = outcome {
            savepoint.commit()?;
        } else {
            // The savepoint dropped: what the login wrote is undone.
            drop(savepoint);
        }
        match outcome {
            // An error SQLite answers by ending the transaction (a full disk, an I/O error)
            // ends the batch: none of it is written, and every login is told so.
            Err(error) if transaction.is_autocommit() => return Err(error),
            outcome => outcomes.push(outcome),
        }
    }
    // A few sessions a login, from where the last sweep stopped, the ended ones removed, in
    // this commit: no sync to disk of their own. A sweep that fails is undone and logged.
    let kept = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Ok((Inserted::Kept { .. }, _))))
        .count();
    let savepoint = transaction.savepoint()?;
    match sweep_step(&savepoint, cursor, now, kept as u32) {
        Ok(()) => savepoint.commit()?,
        Err(error) => {
            drop(savepoint);
            tracing::warn!("removing ended sessions: {error}");
            if transaction.is_autocommit() {
                return Err(error);
            }
        }
    }
    transaction.commit()?;
    Ok(outcomes)
}

/// One login, within the write lock: refused when the user is blocked or a budget is spent;
/// else the session written, the user's oldest beyond the cap ended, the budgets spent.
fn write_login(c: &Connection, login: NewSession) -> rusqlite::Result<(Inserted, bool)> {
    let NewSession {
        id,
        verifier,
        session,
        session_key,
        now_ms,
        rules,
    } = login;
    let cap = rules.cap;
    let blocked = c
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM blocked WHERE openid = ?1)")?
        .query_row(params![session.openid], |row| row.get::<_, bool>(0))?;
    if blocked {
        return Ok((Inserted::Blocked, false));
    }
    // Every budget checked before any is spent: a login one refuses spends none. Their time is
    // read under the write lock: the order they are spent in.
    let budgets = rules.budgets(&session.openid);
    let mut spend = Vec::with_capacity(budgets.len());
    let budget_now = crate::clock::now_ms();
    for (limit, subject, rate) in budgets {
        match rate.admit(whole_at(c, &subject)?, budget_now) {
            Ok(whole_at) => spend.push((subject, whole_at)),
            Err(retry_after_ms) => {
                return Ok((
                    Inserted::Limited {
                        limit,
                        retry_after_ms,
                    },
                    false,
                ))
            }
        }
    }
    // The user's sessions so far, and a time of making after theirs: two logins in one
    // millisecond are still one before the other, for the cap and for the list.
    let (before, after_last): (i64, i64) = c
        .prepare_cached("SELECT count(*), coalesce(max(created_ms) + 1, 0) FROM sessions WHERE openid = ?1")?
        .query_row(params![session.openid], |row| Ok((row.get(0)?, row.get(1)?)))?;
    c.prepare_cached(
        "INSERT INTO sessions (token_id, verifier, openid, unionid, platform, session_key, created_at,
           expires_at, created_ms, device)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7 / 1000, ?8, ?9, ?10)",
    )?
    .execute(params![
        id,
        verifier,
        session.openid,
        session.unionid,
        session.platform,
        session_key,
        now_ms,
        session.expires_at,
        now_ms.max(after_last),
        session.device
    ])?;
    // The user's sessions beyond the cap, the oldest (never the one just made); most logins
    // find the user under it, which a count says at less cost than a delete.
    let held = before + 1;
    let ended = if held <= i64::from(cap.max(1)) {
        0
    } else {
        c.prepare_cached(
            "DELETE FROM sessions WHERE token_id IN
               (SELECT token_id FROM sessions WHERE openid = ?1 AND token_id != ?2 AND expires_at > ?3 / 1000
                ORDER BY created_ms DESC LIMIT -1 OFFSET ?4)",
        )?
        .execute(params![session.openid, id, now_ms, i64::from(cap.max(1)) - 1])?
    };
    for (subject, whole_at) in &spend {
        spend_budget(c, subject, *whole_at)?;
    }
    Ok((Inserted::Kept { ended: ended as u64 }, !spend.is_empty()))
}

/// After `logins` logins, when due ([`SWEEP_EVERY`]), looks at the next [`SWEEP_BATCH`]
/// sessions a login (up to 64 logins' worth) by id after `cursor.after` and removes the
/// ended ones; past the last, the next sweep starts again from the first.
fn sweep_step(c: &Connection, cursor: &mut Cursor, now: i64, logins: u32) -> rusqlite::Result<()> {
    if logins == 0 {
        return Ok(());
    }
    let before = cursor.logins;
    cursor.logins = cursor.logins.wrapping_add(logins);
    if !cursor.found && before / SWEEP_EVERY == cursor.logins / SWEEP_EVERY {
        return Ok(());
    }
    let batch = SWEEP_BATCH * i64::from(logins.min(64));
    let seen: Vec<(String, i64)> = c
        .prepare_cached(
            "SELECT token_id, expires_at FROM sessions WHERE token_id > ?1 ORDER BY token_id LIMIT ?2",
        )?
        .query_map(params![cursor.after, batch], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    cursor.found = seen.iter().any(|(_, expires_at)| *expires_at <= now);
    if let (true, Some((last, _))) = (cursor.found, seen.last()) {
        // One statement over the range looked at (one commit, not one a session).
        c.prepare_cached("DELETE FROM sessions WHERE token_id > ?1 AND token_id <= ?2 AND expires_at <= ?3")?
            .execute(params![cursor.after, last, now])?;
    }
    cursor.after = match seen.last() {
        Some((last, _)) if seen.len() as i64 == batch => last.clone(),
        _ => String::new(),
    };
    Ok(())
}

/// Creates `file`, if it does not exist, readable by its owner alone: it holds session keys
/// and the app's access_token (SQLite gives its -wal and -shm files the same mode).
fn create_private(file: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        result => result.map(drop),
    }
}

/// Attaches the budgets' file `limits` (made, private, if it is not there) as `limits`,
/// written without syncing, its table made if it is not there.
fn attach_limits(connection: &Connection, limits: &str) -> Result<(), String> {
    create_private(limits).map_err(|e| e.to_string())?;
    let attached = rusqlite::DatabaseName::Attached("limits");
    connection
        .execute("ATTACH DATABASE ?1 AS limits", params![limits])
        .and_then(|_| connection.pragma_update(Some(attached), "journal_mode", "WAL"))
        .and_then(|()| connection.pragma_update(Some(attached), "synchronous", "OFF"))
        .and_then(|()| connection.execute_batch(LIMITS_SCHEMA))
        .map_err(|e| e.to_string())
}

/// The session of token `id` that has not ended at `now`, and its verifier.
fn find(c: &Connection, id: &str, now: i64) -> rusqlite::Result<Option<(SessionEntry, String)>> {
    c.prepare_cached(
        "SELECT openid, unionid, platform, expires_at, device, verifier FROM sessions
         WHERE token_id = ?1 AND expires_at > ?2",
    )?
    .query_row(params![id, now], |row| {
        let session = SessionEntry {
            openid: row.get(0)?,
            unionid: row.get(1)?,
            platform: row.get(2)?,
            expires_at: row.get(3)?,
            device: row.get(4)?,
        };
        Ok((session, row.get(5)?))
    })
    .optional()
}

/// When the budget of `subject` is whole again, if it is not yet.
fn whole_at(c: &Connection, subject: &str) -> rusqlite::Result<Option<i64>> {
    c.prepare_cached("SELECT whole_at FROM limits.budgets WHERE subject = ?1")?
        .query_row(params![subject], |row| row.get(0))
        .optional()
}

/// Spends a request of the budget of `subject`: whole again at `whole_at`.
fn spend_budget(c: &Connection, subject: &str, whole_at: i64) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO limits.budgets (subject, whole_at) VALUES (?1, ?2)
         ON CONFLICT (subject) DO UPDATE SET whole_at = excluded.whole_at",
    )?
    .execute(params![subject, whole_at])
    .map(drop)
}

/// After `spendings` more, once in [`BUDGETS_SWEEP_EVERY`], the budgets whole again at
/// `now_ms` go (a failure is only logged: they go next time).
fn sweep_budgets(sweep: &mut Sweep, now_ms: i64, spendings: u32) {
    let before = sweep.spent;
    sweep.spent = sweep.spent.wrapping_add(spendings);
    if before / BUDGETS_SWEEP_EVERY == sweep.spent / BUDGETS_SWEEP_EVERY {
        return;
    }
    let removed = sweep
        .connection
        .prepare_cached("DELETE FROM limits.budgets WHERE whole_at <= ?1")
        .and_then(|mut statement| statement.execute(params![now_ms]));
    if let Err(error) = removed {
        tracing::warn!("removing budgets whole again: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::LoginRules;

    /// Logins written in one transaction are each their own: a taken id fails alone, a
    /// blocked user is refused alone, one that fails after writing its session is undone
    /// alone, and the cap counts the logins before it in the batch.
    #[tokio::test]
    async fn logins_written_together_are_each_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("s.db").to_str().unwrap()).unwrap();
        let now_ms = crate::clock::now_ms();
        let login = |id: &str, openid: &str| NewSession {
            id: id.into(),
            verifier: format!("verifier-{id}"),
            session: SessionEntry {
                openid: openid.into(),
                unionid: None,
                platform: "wx".into(),
                expires_at: now_ms / 1000 + 3600,
                device: None,
            },
            session_key: "k".into(),
            now_ms,
            rules: LoginRules::capped(2),
        };
        store.insert(login("taken", "o-2")).await.unwrap();
        store.block("o-blocked".into(), now_ms / 1000).await.unwrap();
        // The user's budget cannot be spent for o-fail: its login fails after its session
        // is written, and the savepoint must take that session back.
        let mut failing = login("e", "o-fail");
        failing.rules.per_user = crate::limits::Rate { per_minute: 60 };
        let outcomes = {
            let mut sweep = store.connection.lock().unwrap();
            sweep
                .connection
                .execute_batch(
                    "CREATE TRIGGER limits.no_spending BEFORE INSERT ON budgets
                     WHEN NEW.subject = 'user:o-fail' BEGIN SELECT RAISE(ABORT, 'no spending'); END",
                )
                .unwrap();
            let batch = vec![
                login("a", "o-1"),
                login("taken", "o-3"),
                login("b", "o-blocked"),
                failing,
                login("c", "o-1"),
                login("d", "o-1"),
            ];
            let sweep = &mut *sweep;
            write_logins(&mut sweep.connection, &mut sweep.cursor, batch).unwrap()
        };
        let outcomes: Vec<Result<Inserted, String>> = outcomes
            .into_iter()
            .map(|outcome| outcome.map(|(inserted, _)| inserted).map_err(|e| e.to_string()))
            .collect();
        assert_eq!(outcomes[0], Ok(Inserted::Kept { ended: 0 }));
        assert!(
            matches!(&outcomes[1], Err(e) if e.contains("UNIQUE")),
            "{:?}",
            outcomes[1]
        );
        assert_eq!(outcomes[2], Ok(Inserted::Blocked));
        assert!(
            matches!(&outcomes[3], Err(e) if e.contains("no spending")),
            "{:?}",
            outcomes[3]
        );
        assert_eq!(outcomes[4], Ok(Inserted::Kept { ended: 0 }));
        assert_eq!(outcomes[5], Ok(Inserted::Kept { ended: 1 }));
        let ids = |openid: &str| {
            let store = store.clone();
            let openid = openid.to_owned();
            async move {
                let mut ids: Vec<String> = store
                    .sessions(openid, now_ms / 1000)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|session| session.id)
                    .collect();
                ids.sort();
                ids
            }
        };
        assert_eq!(ids("o-1").await, ["c", "d"]);
        assert_eq!(
            ids("o-2").await,
            ["taken"],
            "the taken id is still its first user's"
        );
        assert!(ids("o-3").await.is_empty());
        assert!(ids("o-blocked").await.is_empty());
        assert!(
            ids("o-fail").await.is_empty(),
            "the failed login's session was undone"
        );
    }

    /// Logins at once, through the queue: each is answered, once, with its own outcome, and
    /// every kept one is on disk.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn logins_at_once_are_each_answered_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("s.db").to_str().unwrap()).unwrap();
        let now_ms = crate::clock::now_ms();
        let mut logins = tokio::task::JoinSet::new();
        for n in 0..64 {
            let store = store.clone();
            logins.spawn(async move {
                let session = SessionEntry {
                    openid: format!("o-{}", n % 8),
                    unionid: None,
                    platform: "wx".into(),
                    expires_at: now_ms / 1000 + 3600,
                    device: None,
                };
                store
                    .insert(NewSession {
                        id: format!("s-{n}"),
                        verifier: "v".into(),
                        session,
                        session_key: "k".into(),
                        now_ms,
                        rules: LoginRules::capped(100),
                    })
                    .await
            });
        }
        let mut kept = 0;
        while let Some(outcome) = logins.join_next().await {
            let outcome = outcome.unwrap().map_err(|e| e.0);
            assert_eq!(outcome, Ok(Inserted::Kept { ended: 0 }));
            kept += 1;
        }
        assert_eq!(kept, 64);
        for user in 0..8 {
            let sessions = store.sessions(format!("o-{user}"), now_ms / 1000).await.unwrap();
            assert_eq!(sessions.len(), 8, "o-{user}");
        }
    }

    #[tokio::test]
    async fn a_budgets_file_that_cannot_be_read_is_made_again() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.db");
        let file = file.to_str().unwrap();
        std::fs::write(format!("{file}.limits"), b"not a database, a crash's leftovers").unwrap();
        let store = SqliteStore::open(file).unwrap();
        let rate = Rate { per_minute: 1 };
        let found = store
            .authenticate("none".into(), "v".into(), 0, rate)
            .await
            .unwrap();
        assert_eq!(found, Found::Nothing);
        // Its budgets work: a session's token is admitted once a minute.
        let session = SessionEntry {
            openid: "o-1".into(),
            unionid: None,
            platform: "wx".into(),
            expires_at: i64::from(u32::MAX),
            device: None,
        };
        store
            .insert(NewSession {
                id: "I".repeat(22),
                verifier: "v".into(),
                session,
                session_key: "k".into(),
                now_ms: 0,
                rules: LoginRules::capped(10),
            })
            .await
            .unwrap();
        let once = store
            .authenticate("I".repeat(22), "v".into(), 0, rate)
            .await
            .unwrap();
        assert!(matches!(once, Found::Session(_)), "{once:?}");
        let twice = store
            .authenticate("I".repeat(22), "v".into(), 0, rate)
            .await
            .unwrap();
        assert!(matches!(twice, Found::Limited { .. }), "{twice:?}");
    }

    #[tokio::test]
    async fn an_older_file_is_migrated_with_its_sessions_and_a_newer_one_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("old.db");
        let file = file.to_str().unwrap();
        {
            // A file written by the first release: schema 1, one session.
            let c = Connection::open(file).unwrap();
            c.execute_batch(MIGRATIONS[0]).unwrap();
            c.pragma_update(None, "user_version", 1).unwrap();
            c.execute(
                "INSERT INTO sessions VALUES ('id', 'v', 'o-old', NULL, 'wx', 'k', 0, 4102444800)",
                [],
            )
            .unwrap();
        }
        let store = SqliteStore::open(file).unwrap();
        let (session, verifier) = store.find("id".into(), 0).await.unwrap().unwrap();
        assert_eq!((session.openid.as_str(), verifier.as_str()), ("o-old", "v"));
        assert_eq!(
            store.phone("o-old".into()).await.unwrap(),
            None,
            "the new tables exist"
        );
        drop(store);

        Connection::open(file)
            .unwrap()
            .pragma_update(None, "user_version", MIGRATIONS.len() + 1)
            .unwrap();
        let error = SqliteStore::open(file).unwrap_err().0;
        assert!(error.contains("newer than this server's"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_its_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("new.db");
        let _store = SqliteStore::open(file.to_str().unwrap()).unwrap();
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
