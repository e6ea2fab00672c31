//! The launch-flow state machine: calls and answers in, effects out.

use crate::config::Config;
use crate::effect::{Effect, Settled};
use crate::error::{Error, ErrorCode};
use crate::flight::{Flight, Progress, Waiter};
use crate::input::{CallId, Input, OpId};
use crate::outbox::Outbox;
use crate::record::{Record, Standing, StoredSession};
use crate::rng::{is_uuid, Rng};
use crate::session::{Session, Source};

/// The session as this run of the app knows it.
#[derive(Debug)]
enum Loaded {
    /// Storage has not been read yet.
    Unread,
    /// The read `op` is under way; the calls in `Machine::waiters` wait for it.
    Reading(OpId),
    /// Storage has been read (once per run); `None` when there is no usable session.
    Known(Option<Held>),
}

#[derive(Debug)]
struct Held {
    record: Record,
    source: Source,
}

#[derive(Debug)]
enum Device {
    Unread,
    Reading { op: OpId, calls: Vec<CallId> },
    Known(String),
}

/// A write or remove under way, and the calls it settles.
#[derive(Debug)]
struct Save {
    op: OpId,
    then: AfterSave,
}

#[derive(Debug)]
enum AfterSave {
    /// Settle these calls with this session (or a `STORAGE` error carrying it).
    Deliver {
        calls: Vec<CallId>,
        session: Session,
    },
    /// Settle a `logout()` call.
    Logout(CallId),
    /// Nothing waits (the device id: it is usable whether or not it was saved).
    Nothing,
}

/// The launch-flow state machine.
///
/// It never performs IO, reads a clock or draws randomness: time comes with every
/// [`Machine::handle`] call, randomness once at [`Machine::new`], and everything it needs
/// done comes out of [`Machine::poll_effect`]. After every `handle`, poll until `None`.
/// No input, in any order, makes it panic.
#[derive(Debug)]
pub struct Machine {
    config: Config,
    rng: Rng,
    out: Outbox,
    loaded: Loaded,
    /// Calls waiting for the stored session to be read.
    waiters: Vec<Waiter>,
    flight: Option<Flight>,
    saves: Vec<Save>,
    device: Device,
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
            device: Device::Unread,
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
    /// synchronous `current()` returns. A session inside the leeway is still returned.
    pub fn current(&self, now: u64) -> Option<Session> {
        match &self.loaded {
            Loaded::Known(Some(held)) if held.record.is_usable(now, self.config.leeway_ms()) => {
                Some(held.record.to_session(held.source))
            }
            _ => None,
        }
    }

    /// Whether a login is under way.
    pub fn is_logging_in(&self) -> bool {
        self.flight.is_some()
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
            Input::Logout { call } => self.logout(call),
            Input::DeviceId { call } => self.device_id(call),
            Input::SessionRead { op, found } => self.session_read(op, found, now),
            Input::DeviceIdRead { op, found } => self.device_id_read(op, found),
            Input::Saved { op, ok } => self.saved(op, ok),
            Input::LoginCode { .. }
            | Input::Replied { .. }
            | Input::PostFailed { .. }
            | Input::TimerFired { .. } => self.flight_input(&input, now),
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
                let fresh = held.as_ref().is_some_and(|h| {
                    h.record.standing(now, self.config.leeway_ms()) == Standing::Fresh
                });
                if fresh {
                    self.deliver(vec![waiter], false);
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
        let record = match found {
            StoredSession::Found(record) if record.is_usable(now, self.config.leeway_ms()) => {
                Some(record)
            }
            _ => None,
        };
        let fresh = record
            .as_ref()
            .is_some_and(|r| r.standing(now, self.config.leeway_ms()) == Standing::Fresh);
        if let Some(record) = &record {
            self.out.push(Effect::Changed {
                session: Some(record.to_session(Source::Cache)),
            });
        }
        self.loaded = Loaded::Known(record.map(|record| Held {
            record,
            source: Source::Cache,
        }));
        let waiters = std::mem::take(&mut self.waiters);
        if waiters.is_empty() {
            return;
        }
        if fresh {
            self.deliver(waiters, false);
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
            Ok(mut record) => {
                // The backend did not return a profile: keep the one this user already had.
                if record.user_info.is_none() {
                    if let Loaded::Known(Some(old)) = &self.loaded {
                        if old.record.openid == record.openid {
                            record.user_info = old.record.user_info.clone();
                        }
                    }
                }
                self.loaded = Loaded::Known(Some(Held {
                    record,
                    source: Source::Login,
                }));
                self.deliver(waiters, true);
            }
            Err(error) => {
                // A refresh failed but the old session has not expired: it is still good.
                let still_usable = matches!(&self.loaded,
                    Loaded::Known(Some(held)) if held.record.is_usable(now, self.config.leeway_ms()));
                if still_usable {
                    self.deliver(waiters, false);
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

    /// Hands the held session to `waiters`, applying their profile changes first. Writes the
    /// record once (and settles after the write) when it is new or changed.
    fn deliver(&mut self, waiters: Vec<Waiter>, logged_in: bool) {
        let Loaded::Known(Some(held)) = &mut self.loaded else {
            // Callers hold a session when they deliver; should one not, the calls log in
            // rather than wait forever.
            self.join_flight(waiters);
            return;
        };
        let mut changed = logged_in;
        for waiter in &waiters {
            if let Waiter::UserInfo(_, patch) = waiter {
                let info = held.record.user_info.take().unwrap_or_default();
                held.record.user_info = Some(info.merged(patch));
                changed = true;
            }
        }
        let session = held.record.to_session(held.source);
        let calls: Vec<CallId> = waiters.iter().map(Waiter::call).collect();
        if !changed {
            for call in calls {
                self.settle(call, Ok(Settled::Session(session.clone())));
            }
            return;
        }
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
    }

    fn logout(&mut self, call: CallId) {
        let had_session = matches!(self.loaded, Loaded::Known(Some(_)));
        // A read under way becomes stale: whatever it finds was logged out.
        self.loaded = Loaded::Known(None);
        let mut cancelled = std::mem::take(&mut self.waiters);
        if let Some(flight) = self.flight.take() {
            cancelled.extend(flight.cancel(&mut self.out));
        }
        let logged_out = || {
            Error::retryable(
                ErrorCode::LoggedOut,
                "logout() was called while waiting for a session",
            )
        };
        for waiter in cancelled {
            self.settle(waiter.call(), Err(logged_out()));
        }
        // Writes under way belong to the session being logged out: their calls end here.
        let mut delivered = Vec::new();
        self.saves.retain_mut(|save| match &mut save.then {
            AfterSave::Deliver { calls, .. } => {
                delivered.append(calls);
                false
            }
            AfterSave::Logout(_) | AfterSave::Nothing => true,
        });
        for call in delivered {
            self.settle(call, Err(logged_out()));
        }
        if had_session {
            self.out.push(Effect::Changed { session: None });
        }
        let op = self.out.next_op();
        self.out.push(Effect::RemoveSession {
            op,
            key: self.config.storage_key(),
        });
        self.saves.push(Save {
            op,
            then: AfterSave::Logout(call),
        });
    }

    fn saved(&mut self, op: OpId, ok: bool) {
        let Some(index) = self.saves.iter().position(|save| save.op == op) else {
            return;
        };
        let save = self.saves.remove(index);
        match save.then {
            AfterSave::Deliver { calls, session } => {
                for call in calls {
                    let result = if ok {
                        Ok(Settled::Session(session.clone()))
                    } else {
                        Err(Error::new(
                            ErrorCode::Storage,
                            "storage refused the session; it is usable until the app closes",
                        )
                        .with_session(session.clone()))
                    };
                    self.settle(call, result);
                }
            }
            AfterSave::Logout(call) => {
                let result = if ok {
                    Ok(Settled::Done)
                } else {
                    Err(Error::new(
                        ErrorCode::Storage,
                        "storage refused to remove the session; it may return at the next launch",
                    ))
                };
                self.settle(call, result);
            }
            AfterSave::Nothing => {}
        }
    }

    fn device_id(&mut self, call: CallId) {
        match &mut self.device {
            Device::Known(id) => {
                let id = id.clone();
                self.settle(call, Ok(Settled::DeviceId(id)));
            }
            Device::Reading { calls, .. } => calls.push(call),
            Device::Unread => {
                let op = self.out.next_op();
                self.device = Device::Reading {
                    op,
                    calls: vec![call],
                };
                self.out.push(Effect::ReadDeviceId { op });
            }
        }
    }

    fn device_id_read(&mut self, op: OpId, found: Option<String>) {
        let calls = match &mut self.device {
            Device::Reading { op: reading, calls } if *reading == op => std::mem::take(calls),
            _ => return,
        };
        let id = match found {
            Some(id) if is_uuid(&id) => id,
            _ => {
                let id = self.rng.uuid_v4();
                let op = self.out.next_op();
                self.out.push(Effect::WriteDeviceId { op, id: id.clone() });
                self.saves.push(Save {
                    op,
                    then: AfterSave::Nothing,
                });
                id
            }
        };
        self.device = Device::Known(id.clone());
        for call in calls {
            self.settle(call, Ok(Settled::DeviceId(id.clone())));
        }
    }

    fn settle(&mut self, call: CallId, result: Result<Settled, Error>) {
        self.out.push(Effect::Settle { call, result });
    }
}
