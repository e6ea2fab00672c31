//! The launch-flow state machine: calls and results in, effects out, deadlines kept.
//!
//! `flow.rs` reads in the order a launch happens, with the login's stages in `login.rs`;
//! `sending.rs` runs the app's own requests; `logout.rs` ends a session.

mod flow;
mod login;
mod logout;
mod sending;

use crate::core::app_requests::{check_url, Requests};
use crate::core::config::Config;
use crate::core::device::DeviceId;
use crate::core::effect::{Calls, Effect, Settled};
use crate::core::error::{Error, ErrorCode};
use crate::core::input::{Input, OpId};
use crate::core::outbox::Outbox;
use crate::core::rng::Rng;
use crate::core::session::Session;
use crate::core::text::Text;
use flow::{AfterSave, Loaded, Save, Waiting};
use login::Login;

/// The launch-flow state machine.
///
/// It never performs IO, reads a clock or draws randomness: time comes with every call
/// ([`Machine::handle`], [`Machine::handle_timeout`]), randomness once at [`Machine::new`],
/// and everything it needs done comes out of [`Machine::poll_effect`]. It keeps its waits as
/// deadlines: [`Machine::poll_timeout`] says when to wake it. After every call, poll effects
/// until `None`, then ask for the timeout. No input, in any order, makes it panic. A clone
/// is an independent fork of the machine, for tests that explore every path from one state.
#[derive(Clone, Debug)]
pub struct Machine<T: Text = String> {
    config: Config,
    rng: Rng,
    out: Outbox<T>,
    /// The latest time seen: a clock that moves back moves the deadlines back with it.
    clock: u64,
    loaded: Loaded<T>,
    /// Calls waiting for a session: for the stored one to be read, or for the login.
    waiting: Waiting<T>,
    login: Option<Login>,
    /// The last `wx.login` called and when it is surely over on the platform (its timeout
    /// there, with the grace), until it answers: no other starts before then.
    platform_login: Option<(OpId, u64)>,
    /// The backend asked to wait (`Retry-After` with a `429` or a `503`): no login starts
    /// before this time, and the status that asked.
    held_off: Option<(u64, u16)>,
    saves: Vec<Save<T>>,
    device: DeviceId,
    requests: Requests<T>,
    /// Counts logouts: a request sent before one never leads to a login.
    generation: u32,
    /// Someone listens for changes: only then is [`Effect::Changed`] given.
    listening: bool,
}

impl<T: Text> Machine<T> {
    /// A machine for `config`. `entropy` seeds the backoff jitter and the device id: pass
    /// 16 random bytes (fixed bytes make a test deterministic).
    pub fn new(config: Config, entropy: [u8; 16]) -> Machine<T> {
        Machine {
            config,
            rng: Rng::new(entropy),
            out: Outbox::default(),
            clock: 0,
            loaded: Loaded::Unread,
            waiting: Waiting::default(),
            login: None,
            platform_login: None,
            held_off: None,
            saves: Vec::new(),
            device: DeviceId::Unread,
            requests: Requests::default(),
            generation: 0,
            listening: false,
        }
    }

    /// The config it was built with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The next effect to carry out, or `None` when there is nothing to do until the next
    /// input or deadline.
    #[cfg_attr(mp_session_tuned, optimize(speed))]
    pub fn poll_effect(&mut self) -> Option<Effect<T>> {
        self.out.pop()
    }

    /// Whether effects wait to be polled.
    pub fn has_effects(&self) -> bool {
        !self.out.is_empty()
    }

    /// Visits every text the machine holds between calls (its effects polled): the session,
    /// the profile changes waiting, the saves under way, the tokens of requests under way.
    /// A boundary that names strings by handle renumbers them through it.
    pub fn texts_mut(&mut self, visit: &mut dyn FnMut(&mut T)) {
        if let Loaded::Known(Some(held)) = &mut self.loaded {
            held.record.texts_mut(visit);
        }
        if let Some(patch) = &mut self.waiting.patch {
            patch.texts_mut(visit);
        }
        for save in &mut self.saves {
            if let AfterSave::Deliver { session, .. } = &mut save.then {
                session.texts_mut(visit);
            }
        }
        self.requests.texts_mut(visit);
    }

    /// When the machine must be woken with [`Machine::handle_timeout`] (Unix milliseconds),
    /// or `None` when it waits for nothing but inputs. Ask after every call: the deadline
    /// changes as the flow moves on. A driver keeps one timer for it.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.login.as_ref().map(Login::deadline)
    }

    /// Time has reached `now`: a wait whose deadline has passed times out, a backoff ends.
    /// Waking it early, or more than once, does nothing.
    pub fn handle_timeout(&mut self, now: u64) {
        self.observe(now);
        self.deadline_passed(now);
        self.pump(now);
    }

    /// The session usable at `now`, if storage has been read and holds one: what a
    /// synchronous `current()` returns. A session inside the leeway is still returned; one
    /// the backend rejected is not.
    pub fn current(&self, now: u64) -> Option<Session<T>> {
        match &self.loaded {
            Loaded::Known(Some(held)) if self.standing(now).is_usable() => Some(held.session()),
            _ => None,
        }
    }

    /// Whether a login is under way.
    pub fn is_logging_in(&self) -> bool {
        self.login.is_some()
    }

    /// How many of the app's requests are under way (never more than
    /// [`crate::MAX_REQUESTS_IN_FLIGHT`]).
    pub fn requests_in_flight(&self) -> usize {
        self.requests.in_flight()
    }

    /// Feeds one input at time `now` (Unix milliseconds).
    #[cfg_attr(mp_session_tuned, optimize(speed))]
    pub fn handle(&mut self, now: u64, input: Input<T>) {
        self.observe(now);
        match input {
            Input::Ensure { call } => self.ensure(call, None, now),
            Input::Load => {
                if matches!(self.loaded, Loaded::Unread) {
                    self.read_session();
                }
            }
            Input::Listeners { any } => self.listening = any,
            Input::SetUserInfo { call, info } => match info.patch_problem() {
                None => self.ensure(call, Some(info), now),
                Some(problem) => self.settle(Calls::One(call), Err(Error::invalid_argument(problem))),
            },
            Input::Request { call, url } => match check_url(&self.config, &url) {
                Ok(()) => {
                    self.out.push(Effect::Wait {
                        call,
                        on: Calls::Requests,
                    });
                    self.requests.push();
                }
                Err(error) => self.settle(Calls::One(call), Err(error)),
            },
            Input::Logout { call } => self.logout(call),
            Input::DeviceId { call } => {
                if let Some(id) = self.device.ask(call, &mut self.out) {
                    self.settle(Calls::One(call), Ok(Settled::DeviceId(id)));
                }
            }
            Input::SessionRead { op, found } => self.session_read(op, found, now),
            Input::DeviceIdRead { op, found } => {
                if let Some(id) = self.device.read(op, found, &mut self.rng, &mut self.out) {
                    self.settle(Calls::DeviceIds, Ok(Settled::DeviceId(id)));
                }
            }
            Input::StorageResult { op, result } => self.storage_result(op, result),
            Input::LoginResult { op, result } => self.login_result(op, result, now),
            Input::PostResult { op, result } => self.post_result(op, result, now),
            Input::SendResult { op, result } => self.send_result(op, result, now),
        }
        self.pump(now);
    }

    /// Keeps the deadlines' distance when the clock moves back (the user set the phone's
    /// clock): a 10-second wait must not become a day's.
    fn observe(&mut self, now: u64) {
        if now < self.clock {
            let back = self.clock - now;
            if let Some(login) = &mut self.login {
                login.shift_back(back);
            }
            if let Some((_, until)) = &mut self.platform_login {
                *until = until.saturating_sub(back);
            }
            if let Some((until, _)) = &mut self.held_off {
                *until = until.saturating_sub(back);
            }
        }
        self.clock = now;
    }

    /// Tells the `onChange` listeners, if there are any, the session in memory: the one
    /// just read, obtained or changed, or none after a rejection or a logout.
    pub(super) fn announce(&mut self) {
        if !self.listening {
            return;
        }
        let session = match &self.loaded {
            Loaded::Known(Some(held)) if !held.rejected => Some(held.session()),
            _ => None,
        };
        self.out.push(Effect::Changed { session });
    }
}

pub(super) fn logged_out<T>() -> Error<T> {
    Error::retryable(
        ErrorCode::LoggedOut,
        "logout() was called while waiting for a session",
    )
}
