//! The launch-flow state machine: calls and answers in, effects out.

mod logout;
mod requests;

use crate::config::Config;
use crate::device::DeviceId;
use crate::effect::{Effect, Settled};
use crate::error::{Error, ErrorCode};
use crate::flight::{Flight, Progress, Waiter};
use crate::input::{CallId, Input, OpId};
use crate::outbox::Outbox;
use crate::record::{Record, Standing, StoredSession};
use crate::requests::{check_url, Queued, Requests};
use crate::rng::Rng;
use crate::session::{Session, Source};

/// The session as this run of the app knows it.
#[derive(Clone, Debug)]
enum Loaded {
    /// Storage has not been read yet.
    Unread,
    /// The read `op` is under way; the calls in `Machine::waiters` wait for it.
    Reading(OpId),
    /// Storage has been read (once per run); `None` when there is no session.
    Known(Option<Held>),
}

/// The session in memory.
#[derive(Clone, Debug)]
struct Held {
    record: Record,
    source: Source,
    /// The backend refused its token: it is kept only for its profile, never used.
    rejected: bool,
    /// It was obtained by a re-login after a rejection (see [`REJECTION_COOLDOWN_MS`]).
    after_rejection: bool,
}

impl Held {
    fn standing(&self, now: u64, leeway_ms: u64) -> Standing {
        if self.rejected {
            Standing::Invalid
        } else {
            self.record.standing(now, leeway_ms)
        }
    }

    fn is_usable(&self, now: u64, leeway_ms: u64) -> bool {
        matches!(self.standing(now, leeway_ms), Standing::Fresh | Standing::Refresh)
    }
}

/// A write or remove under way, and the calls it settles.
#[derive(Clone, Debug)]
struct Save {
    op: OpId,
    then: AfterSave,
}

#[derive(Clone, Debug)]
enum AfterSave {
    /// Settle these calls with this session (or a `STORAGE` error carrying it).
    Deliver { calls: Vec<CallId>, session: Session },
    /// Settle a `logout()` call.
    Logout(CallId),
}

/// The launch-flow state machine.
///
/// It never performs IO, reads a clock or draws randomness: time comes with every
/// [`Machine::handle`] call, randomness once at [`Machine::new`], and everything it needs
/// done comes out of [`Machine::poll_effect`]. After every `handle`, poll until `None`.
/// No input, in any order, makes it panic. A clone is an independent fork of the machine,
/// for tests that explore every path from one state.
#[derive(Clone, Debug)]
pub struct Machine {
    config: Config,
    rng: Rng,
    out: Outbox,
    loaded: Loaded,
    /// Calls waiting for the stored session to be read.
    waiters: Vec<Waiter>,
    flight: Option<Flight>,
    saves: Vec<Save>,
    device: DeviceId,
    requests: Requests,
    /// Counts logouts: a request sent before one never leads to a login.
    generation: u32,
}

impl Machine {
    /// A machine for `config`. `entropy` seeds the backoff jitter and the device id: pass
    /// 16 random bytes (fixed bytes make a test deterministic).
    pub fn new(config: Config, entropy: [u8; 16]) -> Machine {
        Machine {
            config,
            rng: Rng::new(entropy),
            out: Outbox::default(),
            loaded: Loaded::Unread,
            waiters: Vec::new(),
            flight: None,
            saves: Vec::new(),
            device: DeviceId::Unread,
            requests: Requests::default(),
            generation: 0,
        }
    }

    /// The config it was built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The next effect to carry out, or `None` when there is nothing to do until the next input.
    pub fn poll_effect(&mut self) -> Option<Effect> {
        self.out.pop()
    }

    /// The session usable at `now`, if storage has been read and holds one: what a
    /// synchronous `current()` returns. A session inside the leeway is still returned; one
    /// the backend rejected is not.
    pub fn current(&self, now: u64) -> Option<Session> {
        match &self.loaded {
            Loaded::Known(Some(held)) if held.is_usable(now, self.config.leeway_ms()) => {
                Some(held.record.to_session(held.source))
            }
            _ => None,
        }
    }

    /// Whether a login is under way.
    pub fn is_logging_in(&self) -> bool {
        self.flight.is_some()
    }

    /// How many of the app's requests are under way (never more than
    /// [`crate::MAX_REQUESTS_IN_FLIGHT`]).
    pub fn requests_in_flight(&self) -> usize {
        self.requests.in_flight()
    }

    /// Feeds one input at time `now` (Unix milliseconds).
    pub fn handle(&mut self, now: u64, input: Input) {
        match input {
            Input::Ensure { call } => self.ensure(Waiter::Ensure(call), now),
            Input::Load => {
                if matches!(self.loaded, Loaded::Unread) {
                    self.read_session();
                }
            }
            Input::SetUserInfo { call, info } => match info.check_patch() {
                Ok(()) => self.ensure(Waiter::UserInfo(call, info), now),
                Err(error) => self.settle(call, Err(error)),
            },
            Input::Request { call, url } => match check_url(&self.config, &url) {
                Ok(()) => self.ensure(Waiter::Request(Queued { call, retry: false }), now),
                Err(error) => self.settle(call, Err(error)),
            },
            Input::Logout { call } => self.logout(call),
            Input::DeviceId { call } => {
                if let Some(id) = self.device.ask(call, &mut self.out) {
                    self.settle(call, Ok(Settled::DeviceId(id)));
                }
            }
            Input::SessionRead { op, found } => self.session_read(op, found, now),
            Input::DeviceIdRead { op, found } => {
                if let Some((id, calls)) = self.device.read(op, found, &mut self.rng, &mut self.out) {
                    for call in calls {
                        self.settle(call, Ok(Settled::DeviceId(id.clone())));
                    }
                }
            }
            Input::Saved { op, ok } => self.saved(op, ok),
            Input::Responded { op, rejected } => self.responded(op, rejected, now),
            Input::RequestFailed { op } => {
                if let Some(sent) = self.requests.take(op) {
                    self.settle(
                        sent.call,
                        Err(Error::retryable(ErrorCode::Network, "the request failed")),
                    );
                    self.pump(now);
                }
            }
            Input::LoginCode { .. }
            | Input::Replied { .. }
            | Input::PostFailed { .. }
            | Input::TimerFired { .. } => self.flight_input(&input, now),
            #[cfg(feature = "web")]
            Input::LoginRefused { .. } => self.flight_input(&input, now),
        }
    }

    fn ensure(&mut self, waiter: Waiter, now: u64) {
        match &self.loaded {
            Loaded::Unread => {
                self.waiters.push(waiter);
                self.read_session();
            }
            Loaded::Reading(_) => self.waiters.push(waiter),
            Loaded::Known(held) => {
                let fresh = held
                    .as_ref()
                    .is_some_and(|h| h.standing(now, self.config.leeway_ms()) == Standing::Fresh);
                if fresh {
                    self.deliver(vec![waiter], false, now);
                } else {
                    self.join_flight(vec![waiter]);
                }
            }
        }
    }

    fn read_session(&mut self) {
        let op = self.out.next_op();
        self.loaded = Loaded::Reading(op);
        self.out.push(Effect::ReadSession {
            op,
            key: self.config.storage_key(),
        });
    }

    fn session_read(&mut self, op: OpId, found: StoredSession, now: u64) {
        if !matches!(self.loaded, Loaded::Reading(reading) if reading == op) {
            return;
        }
        // Missing, unreadable, another version, expired or from a clock that moved back:
        // all the same to the flow, there is no session. A failed read is treated alike.
        let held = match found {
            StoredSession::Found(record) if record.is_usable(now, self.config.leeway_ms()) => Some(Held {
                record,
                source: Source::Cache,
                rejected: false,
                after_rejection: false,
            }),
            _ => None,
        };
        let fresh = held
            .as_ref()
            .is_some_and(|h| h.standing(now, self.config.leeway_ms()) == Standing::Fresh);
        if let Some(held) = &held {
            self.out.push(Effect::Changed {
                session: Some(held.record.to_session(Source::Cache)),
            });
        }
        self.loaded = Loaded::Known(held);
        let waiters = std::mem::take(&mut self.waiters);
        if waiters.is_empty() {
            return;
        }
        if fresh {
            self.deliver(waiters, false, now);
        } else {
            self.join_flight(waiters);
        }
    }

    fn join_flight(&mut self, waiters: Vec<Waiter>) {
        match &mut self.flight {
            Some(flight) => flight.waiters.extend(waiters),
            None => self.flight = Some(Flight::start(&self.config, &mut self.out, waiters)),
        }
    }

    fn flight_input(&mut self, input: &Input, now: u64) {
        let Some(flight) = &mut self.flight else {
            return;
        };
        let result = match flight.handle(input, now, &self.config, &mut self.out, &mut self.rng) {
            Progress::Ignored | Progress::Pending => return,
            Progress::Done(result) => result,
        };
        let waiters = match self.flight.take() {
            Some(flight) => flight.waiters,
            None => return,
        };
        match result {
            Ok(record) => self.logged_in(record, waiters, now),
            Err(error) => {
                // A refresh failed but the old session has not expired: it is still good.
                let still_usable = matches!(&self.loaded,
                    Loaded::Known(Some(held)) if held.is_usable(now, self.config.leeway_ms()));
                if still_usable {
                    self.deliver(waiters, false, now);
                    return;
                }
                if let Some(title) = self.config.failure_toast() {
                    self.out.push(Effect::Toast {
                        title: title.to_owned(),
                    });
                }
                for waiter in waiters {
                    self.settle(waiter.call(), Err(error.clone()));
                }
            }
        }
    }

    fn logged_in(&mut self, mut record: Record, waiters: Vec<Waiter>, now: u64) {
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
        self.deliver(waiters, true, now);
    }

    /// Hands the held session to `waiters`: requests are sent, profile changes applied and
    /// saved in one write (settling after it), other calls settled at once.
    fn deliver(&mut self, waiters: Vec<Waiter>, logged_in: bool, now: u64) {
        let Loaded::Known(Some(held)) = &mut self.loaded else {
            // Callers hold a session when they deliver; should one not, the calls log in
            // rather than wait forever.
            self.join_flight(waiters);
            return;
        };
        let mut changed = logged_in;
        let mut calls = Vec::new();
        let mut requests = Vec::new();
        for waiter in waiters {
            match waiter {
                Waiter::Request(queued) => requests.push(queued),
                Waiter::UserInfo(call, patch) => {
                    let info = held.record.user_info.take().unwrap_or_default();
                    held.record.user_info = Some(info.merged(&patch));
                    changed = true;
                    calls.push(call);
                }
                Waiter::Ensure(call) => calls.push(call),
            }
        }
        let session = held.record.to_session(held.source);
        if changed {
            let record = held.record.clone();
            self.out.push(Effect::Changed {
                session: Some(session.clone()),
            });
            let op = self.out.next_op();
            self.out.push(Effect::WriteSession {
                op,
                key: self.config.storage_key(),
                record,
            });
            self.saves.push(Save {
                op,
                then: AfterSave::Deliver { calls, session },
            });
        } else {
            for call in calls {
                self.settle(call, Ok(Settled::Session(session.clone())));
            }
        }
        for queued in requests {
            self.requests.enqueue(queued);
        }
        self.pump(now);
    }

    fn settle(&mut self, call: CallId, result: Result<Settled, Error>) {
        self.out.push(Effect::Settle { call, result });
    }
}

pub(super) fn logged_out() -> Error {
    Error::retryable(
        ErrorCode::LoggedOut,
        "logout() was called while waiting for a session",
    )
}
