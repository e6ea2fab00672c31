//! The launch flow, in the order it happens: check the cached session → log in (`login.rs`)
//! → store the session → hand it to every call waiting. The states are named for what they
//! wait for; the calls themselves are the driver's to keep (see [`crate::Calls`]).

use super::Machine;
use crate::core::digits::push_number;
use crate::core::effect::{Calls, Effect, Settled};
use crate::core::error::{Error, ErrorCode};
use crate::core::input::{CallId, OpId, PlatformError};
use crate::core::limits::MAX_FETCH_TOKEN_BYTES;
use crate::core::record::{Record, Standing, StoredSession};
use crate::core::secret::Secret;
use crate::core::session::{Session, Source};
use crate::core::text::Text;
use crate::core::user_info::UserInfo;

/// The session as this run of the app knows it.
#[derive(Clone, Debug)]
pub(super) enum Loaded<T> {
    /// Storage has not been read yet.
    Unread,
    /// Waiting for the read `op`.
    Reading(OpId),
    /// Storage has been read (once per run); `None` when there is no session.
    Known(Option<Held<T>>),
}

/// The session in memory.
#[derive(Clone, Debug)]
pub(super) struct Held<T> {
    pub(super) record: Record<T>,
    source: Source,
    /// The backend refused its token: it is kept only for its profile, never used.
    pub(super) rejected: bool,
    /// It was obtained by a re-login after a rejection (see [`crate::REJECTION_COOLDOWN_MS`]).
    pub(super) after_rejection: bool,
}

impl<T: Text> Held<T> {
    fn standing(&self, now: u64, leeway_ms: u64) -> Standing {
        if self.rejected {
            Standing::Invalid
        } else {
            self.record.standing(now, leeway_ms)
        }
    }

    pub(super) fn session(&self) -> Session<T> {
        self.record.to_session(self.source)
    }
}

/// The calls waiting for a session ([`Calls::Waiting`]): whether there are any, and the
/// profile changes their `setUserInfo`s ask for, merged in order.
#[derive(Clone, Debug)]
pub(super) struct Waiting<T> {
    pub(super) any: bool,
    pub(super) patch: Option<UserInfo<T>>,
}

impl<T> Default for Waiting<T> {
    fn default() -> Self {
        Waiting {
            any: false,
            patch: None,
        }
    }
}

/// A write or removal under way, and what its result settles.
#[derive(Clone, Debug)]
pub(super) struct Save<T> {
    pub(super) op: OpId,
    pub(super) then: AfterSave<T>,
}

#[derive(Clone, Debug)]
pub(super) enum AfterSave<T> {
    /// The calls held for it (if any) get this session, or a `STORAGE` error carrying it.
    Deliver { session: Session<T>, held: bool },
    /// The `logout()` waiting for it settles.
    Logout,
}

impl<T: Text> Machine<T> {
    // 1. Check the cached session.

    /// `ensure()` (`patch` `None`) or `setUserInfo(patch)`: a fresh session in memory is
    /// handed out at once; otherwise the call waits, for the read or the login.
    #[cfg_attr(mp_session_tuned, optimize(speed))]
    pub(super) fn ensure(&mut self, call: CallId, patch: Option<UserInfo<T>>, now: u64) {
        let fresh = self.standing(now) == Standing::Fresh;
        if let (true, false, None, Loaded::Known(Some(held))) =
            (fresh, self.waiting.any, &patch, &self.loaded)
        {
            let session = held.session();
            return self.settle(Calls::One(call), Ok(Settled::Session(session)));
        }
        self.out.push(Effect::Wait {
            call,
            on: Calls::Waiting,
        });
        self.waiting.any = true;
        if let Some(patch) = patch {
            let merged = match self.waiting.patch.take() {
                Some(earlier) => earlier.merged(&patch),
                None => patch,
            };
            self.waiting.patch = Some(merged);
        }
        match &self.loaded {
            Loaded::Unread => self.read_session(),
            Loaded::Reading(_) => {}
            Loaded::Known(_) if fresh => self.deliver(false),
            Loaded::Known(_) => self.wait_for_login(now),
        }
    }

    /// How the session in memory stands at `now` (`Invalid` when there is none).
    pub(super) fn standing(&self, now: u64) -> Standing {
        match &self.loaded {
            Loaded::Known(Some(held)) => held.standing(now, self.config.leeway_ms()),
            _ => Standing::Invalid,
        }
    }

    pub(super) fn read_session(&mut self) {
        let op = self.out.next_op();
        self.loaded = Loaded::Reading(op);
        self.out.push(Effect::ReadSession { op });
    }

    /// The stored session was read (once per run). Missing, unreadable, another version,
    /// expired or from a clock that moved back: all the same to the flow, there is no
    /// session. A failed read is treated alike.
    #[cfg_attr(mp_session_tuned, optimize(speed))]
    pub(super) fn session_read(&mut self, op: OpId, found: StoredSession<T>, now: u64) {
        if !matches!(self.loaded, Loaded::Reading(reading) if reading == op) {
            return;
        }
        let held = match found {
            StoredSession::Found(record) if record.is_usable(now, self.config.leeway_ms()) => Some(Held {
                record,
                source: Source::Cache,
                rejected: false,
                after_rejection: false,
            }),
            _ => None,
        };
        let found_one = held.is_some();
        self.loaded = Loaded::Known(held);
        if found_one {
            self.announce();
        }
        if !self.waiting.any {
            return;
        }
        if self.standing(now) == Standing::Fresh {
            self.deliver(false);
        } else {
            self.wait_for_login(now);
        }
    }

    // 5. Store the session, or fail every call waiting.

    pub(super) fn finish_login(&mut self, result: Result<Record<T>, Error<T>>, now: u64) {
        self.login = None;
        let error = match result {
            Ok(record) => return self.logged_in(record),
            Err(error) => error,
        };
        // A refresh failed but the old session has not expired: it is still good.
        if self.standing(now).is_usable() {
            return self.deliver(false);
        }
        if self.config.failure_toast().is_some() {
            self.out.push(Effect::Toast);
        }
        if std::mem::take(&mut self.waiting).any {
            self.settle(Calls::Waiting, Err(error.clone()));
        }
        // Requests waiting for this login fail with it: none is left to start another.
        self.fail_requests(&error);
    }

    fn logged_in(&mut self, mut record: Record<T>) {
        if let Some(token) = record
            .token
            .as_ref()
            .filter(|_| self.config.background_fetch_token())
        {
            let effect = fetch_token(token);
            self.out.push(effect);
        }
        let mut after_rejection = false;
        if let Loaded::Known(Some(old)) = &self.loaded {
            after_rejection = old.rejected;
            // The backend did not return a profile: keep the one this user already had.
            if record.user_info.is_none() && old.record.openid == record.openid {
                record.user_info = old.record.user_info.clone();
            }
        }
        self.loaded = Loaded::Known(Some(Held {
            record,
            source: Source::Login,
            rejected: false,
            after_rejection,
        }));
        self.deliver(true);
    }

    // 6. Ready: hand the session to the calls.

    /// Hands the held session to the calls waiting: the profile changes are applied, and a
    /// new or changed session is saved in one write, which they then wait for; else they
    /// settle at once. (Requests are sent by `pump`, after every input.)
    #[cfg_attr(mp_session_tuned, optimize(speed))]
    pub(super) fn deliver(&mut self, logged_in: bool) {
        let Loaded::Known(Some(held)) = &mut self.loaded else {
            return;
        };
        let waiting = std::mem::take(&mut self.waiting);
        let mut changed = logged_in;
        if let Some(patch) = &waiting.patch {
            let info = held.record.user_info.take().unwrap_or_default();
            held.record.user_info = Some(info.merged(patch));
            changed = true;
        }
        let session = held.session();
        if !changed {
            if waiting.any {
                self.settle(Calls::Waiting, Ok(Settled::Session(session)));
            }
            return;
        }
        let record = held.record.clone();
        self.announce();
        let op = self.out.next_op();
        self.out.push(Effect::WriteSession { op, record });
        if waiting.any {
            self.out.push(Effect::Hold { op });
        }
        self.saves.push(Save {
            op,
            then: AfterSave::Deliver {
                session,
                held: waiting.any,
            },
        });
    }

    /// A write or removal finished: the calls it held settle.
    pub(super) fn storage_result(&mut self, op: OpId, result: Result<(), PlatformError>) {
        let Some(index) = self.saves.iter().position(|save| save.op == op) else {
            return;
        };
        let outcome = match (self.saves.remove(index).then, result) {
            (AfterSave::Deliver { held: false, .. }, _) => return,
            (AfterSave::Deliver { session, .. }, Ok(())) => Ok(Settled::Session(session)),
            (AfterSave::Deliver { session, .. }, Err(failure)) => Err(failure.explain(
                Error::new(
                    ErrorCode::Storage,
                    "storage refused the session; it is usable until the app closes",
                )
                .with_session(session),
            )),
            (AfterSave::Logout, Ok(())) => Ok(Settled::Done),
            (AfterSave::Logout, Err(failure)) => Err(failure.explain(Error::new(
                ErrorCode::Storage,
                "storage refused to remove the session; it may return at the next launch",
            ))),
        };
        self.settle(Calls::Of(op), outcome);
    }

    pub(super) fn settle(&mut self, calls: Calls, result: Result<Settled<T>, Error<T>>) {
        self.out.push(Effect::Settle { calls, result });
    }
}

/// After a login, its token for WeChat's data pre-fetch and periodic updates
/// (`backgroundFetchToken`): one `wx.setBackgroundFetchToken` takes whole, or a word that it
/// cannot take this one (a cut token would be a wrong one, and the login stands).
fn fetch_token<T: Text>(token: &Secret<T>) -> Effect<T> {
    if token.byte_len() <= MAX_FETCH_TOKEN_BYTES {
        return Effect::SetFetchToken { token: token.clone() };
    }
    let mut text = String::from("backgroundFetchToken: the token is ");
    push_number(&mut text, token.byte_len() as u64);
    text.push_str(
        " bytes, over the 1024 wx.setBackgroundFetchToken takes: data pre-fetch and periodic updates go without it (a cut token would be a wrong one)",
    );
    Effect::Warn { text }
}
