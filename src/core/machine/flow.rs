//! The launch flow, in the order it happens: check the cached session → call `wx.login` →
//! post the code → judge the answer → store the session → hand it to every call waiting.
//! Retries, the fresh-code rule and deadlines are here too; the states are named for what
//! they wait for.

use super::Machine;
use crate::core::answer::{judge, Reply, Verdict};
use crate::core::app_requests::Queued;
use crate::core::backoff::backoff_ms;
use crate::core::config::Exchange;
use crate::core::effect::{Effect, LoginBody, Settled};
use crate::core::error::{Error, ErrorCode};
use crate::core::input::{CallId, LoginResult, OpId, PlatformError};
use crate::core::record::{Record, Standing, StoredSession};
use crate::core::session::{Session, Source};
use crate::core::text::Text;
use crate::core::user_info::UserInfo;

/// A call of the app waiting for a session.
#[derive(Clone, Debug)]
pub(super) enum Waiter<T> {
    Ensure(CallId),
    UserInfo(CallId, UserInfo<T>),
    Request(Queued),
}

impl<T> Waiter<T> {
    pub(super) fn call(&self) -> CallId {
        match self {
            Waiter::Ensure(call) | Waiter::UserInfo(call, _) => *call,
            Waiter::Request(queued) => queued.call,
        }
    }
}

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

/// A login under way, shared by every call waiting (single flight).
#[derive(Clone, Debug)]
pub(super) struct Login {
    stage: Stage,
    retries: u32,
    fresh_code_used: bool,
}

/// What the login waits for, and until when.
#[derive(Clone, Debug)]
enum Stage {
    /// `wx.login` was called; its code is due by `deadline`.
    WaitingForCode { op: OpId, deadline: u64 },
    /// The code was posted; the backend's answer is due by `deadline`.
    WaitingForAnswer { op: OpId, deadline: u64 },
    /// A retryable failure; the next attempt starts at `until`.
    BackingOff { until: u64 },
}

impl Login {
    /// When the machine must be woken for this login.
    pub(super) fn deadline(&self) -> u64 {
        match self.stage {
            Stage::WaitingForCode { deadline, .. } | Stage::WaitingForAnswer { deadline, .. } => deadline,
            Stage::BackingOff { until } => until,
        }
    }

    /// Moves the deadline back by `ms`: the clock moved back, and a wait keeps its length.
    pub(super) fn shift_back(&mut self, ms: u64) {
        match &mut self.stage {
            Stage::WaitingForCode { deadline, .. } | Stage::WaitingForAnswer { deadline, .. } => {
                *deadline = deadline.saturating_sub(ms)
            }
            Stage::BackingOff { until } => *until = until.saturating_sub(ms),
        }
    }

    /// The login request under way, if any (to abort it on logout).
    pub(super) fn request(&self) -> Option<OpId> {
        match self.stage {
            Stage::WaitingForAnswer { op, .. } => Some(op),
            _ => None,
        }
    }
}

/// A write or removal under way, and the calls it settles.
#[derive(Clone, Debug)]
pub(super) struct Save<T> {
    pub(super) op: OpId,
    pub(super) then: AfterSave<T>,
}

#[derive(Clone, Debug)]
pub(super) enum AfterSave<T> {
    /// Settle these calls with this session (or a `STORAGE` error carrying it).
    Deliver { calls: Vec<CallId>, session: Session<T> },
    /// Settle a `logout()` call.
    Logout(CallId),
}

impl<T: Text> Machine<T> {
    // 1. Check the cached session.

    /// A call wants a session: from memory if it is fresh, else after the read or the login.
    pub(super) fn ensure(&mut self, waiter: Waiter<T>, now: u64) {
        match &self.loaded {
            Loaded::Unread => {
                self.waiting.push(waiter);
                self.read_session();
            }
            Loaded::Reading(_) => self.waiting.push(waiter),
            Loaded::Known(_) if self.standing(now) == Standing::Fresh => {
                self.deliver(vec![waiter], false, now)
            }
            Loaded::Known(_) => self.wait_for_login(vec![waiter], now),
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
        let waiting = std::mem::take(&mut self.waiting);
        if waiting.is_empty() {
            return;
        }
        if self.standing(now) == Standing::Fresh {
            self.deliver(waiting, false, now);
        } else {
            self.wait_for_login(waiting, now);
        }
    }

    // 2. Log in: one `wx.login` at a time, shared by every call waiting.

    pub(super) fn wait_for_login(&mut self, waiters: Vec<Waiter<T>>, now: u64) {
        self.waiting.extend(waiters);
        if self.login.is_none() {
            self.login = Some(Login {
                stage: self.call_login(now),
                retries: 0,
                fresh_code_used: false,
            });
        }
    }

    /// Every attempt begins with a fresh `wx.login` code, so no code is ever posted twice.
    /// With a cloud function there is no code: the attempt calls the function at once.
    fn call_login(&mut self, now: u64) -> Stage {
        let op = self.out.next_op();
        let deadline = self.deadline(now);
        let timeout_ms = self.config.timeout_ms();
        match self.config.exchange() {
            Exchange::Url(_) => {
                self.out.push(Effect::Login { op, timeout_ms });
                Stage::WaitingForCode { op, deadline }
            }
            Exchange::CloudFunction(_) => {
                self.out.push(Effect::CallFunction { op, timeout_ms });
                Stage::WaitingForAnswer { op, deadline }
            }
        }
    }

    fn deadline(&self, now: u64) -> u64 {
        now.saturating_add(u64::from(self.config.timeout_ms()))
    }

    // 3. Post the code.

    pub(super) fn login_result(&mut self, op: OpId, result: LoginResult<T>, now: u64) {
        if !matches!(self.stage(), Some(&Stage::WaitingForCode { op: awaited, .. }) if awaited == op) {
            return;
        }
        let (code, anonymous) = match result {
            LoginResult::Code(code) => (code, false),
            LoginResult::AnonymousCode(code) => (code, true),
            LoginResult::Failed(failure) => {
                let error = Error::retryable(ErrorCode::LoginFailed, "wx.login gave no code");
                return self.attempt_failed(failure.explain(error), now);
            }
            LoginResult::Refused(reason) => return self.finish_login(Err(reason.error()), now),
        };
        // A cloud function's config asks for no code: a code here answers nothing asked.
        if self.config.login_url().is_none() {
            return;
        }
        let op = self.out.next_op();
        self.out.push(Effect::PostCode {
            op,
            body: LoginBody {
                code,
                anonymous,
                platform: self.config.platform().as_str(),
            },
            timeout_ms: self.config.timeout_ms(),
        });
        self.set_stage(Stage::WaitingForAnswer {
            op,
            deadline: self.deadline(now),
        });
    }

    // 4. Judge the backend's answer.

    pub(super) fn post_result(&mut self, op: OpId, result: Result<Reply<T>, PlatformError>, now: u64) {
        if !matches!(self.stage(), Some(&Stage::WaitingForAnswer { op: awaited, .. }) if awaited == op) {
            return;
        }
        let reply = match result {
            Ok(reply) => reply,
            Err(failure) => {
                let message = match self.config.exchange() {
                    Exchange::Url(_) => "the login request failed",
                    Exchange::CloudFunction(_) => "the cloud function call failed",
                };
                let error = Error::retryable(ErrorCode::Network, message);
                return self.attempt_failed(failure.explain(error), now);
            }
        };
        match judge(&reply, now, self.config.default_ttl_ms()) {
            Verdict::Session(record) => self.finish_login(Ok(record), now),
            Verdict::Retry(error) => self.attempt_failed(error, now),
            Verdict::FreshCode(error) => {
                let first = (self.login.as_mut())
                    .is_some_and(|login| !std::mem::replace(&mut login.fresh_code_used, true));
                if first {
                    let stage = self.call_login(now);
                    self.set_stage(stage);
                } else {
                    self.finish_login(Err(error.not_retryable()), now);
                }
            }
            Verdict::Fail(error) => self.finish_login(Err(error), now),
        }
    }

    /// A retryable failure: back off and try again while retries remain.
    fn attempt_failed(&mut self, error: Error<T>, now: u64) {
        let Some(login) = &mut self.login else { return };
        if login.retries >= self.config.max_retries() {
            return self.finish_login(Err(error), now);
        }
        login.retries += 1;
        let wait = backoff_ms(login.retries, &mut self.rng);
        login.stage = Stage::BackingOff {
            until: now.saturating_add(u64::from(wait)),
        };
    }

    /// The login's deadline passed: a wait timed out, or the backoff is over.
    pub(super) fn deadline_passed(&mut self, now: u64) {
        match self.stage() {
            Some(&Stage::WaitingForCode { deadline, .. }) if deadline <= now => {
                let error = Error::retryable(ErrorCode::Timeout, "wx.login did not answer within timeoutMs");
                self.attempt_failed(error, now);
            }
            Some(&Stage::WaitingForAnswer { op, deadline }) if deadline <= now => {
                self.out.push(Effect::Abort { op });
                let message = match self.config.exchange() {
                    Exchange::Url(_) => "the login request took longer than timeoutMs",
                    Exchange::CloudFunction(_) => "the cloud function took longer than timeoutMs",
                };
                let error = Error::retryable(ErrorCode::Timeout, message);
                self.attempt_failed(error, now);
            }
            Some(&Stage::BackingOff { until }) if until <= now => {
                let stage = self.call_login(now);
                self.set_stage(stage);
            }
            _ => {}
        }
    }

    fn stage(&self) -> Option<&Stage> {
        self.login.as_ref().map(|login| &login.stage)
    }

    fn set_stage(&mut self, stage: Stage) {
        if let Some(login) = &mut self.login {
            login.stage = stage;
        }
    }

    // 5. Store the session, or fail every call waiting.

    fn finish_login(&mut self, result: Result<Record<T>, Error<T>>, now: u64) {
        self.login = None;
        let waiting = std::mem::take(&mut self.waiting);
        let error = match result {
            Ok(record) => return self.logged_in(record, waiting, now),
            Err(error) => error,
        };
        // A refresh failed but the old session has not expired: it is still good.
        if self.standing(now).is_usable() {
            return self.deliver(waiting, false, now);
        }
        if self.config.failure_toast().is_some() {
            self.out.push(Effect::Toast);
        }
        for waiter in waiting {
            self.settle(waiter.call(), Err(error.clone()));
        }
    }

    fn logged_in(&mut self, mut record: Record<T>, waiting: Vec<Waiter<T>>, now: u64) {
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
        self.deliver(waiting, true, now);
    }

    // 6. Ready: hand the session to the calls.

    /// Hands the held session to `waiters`: requests are sent, profile changes applied, and
    /// a new or changed session saved in one write (the calls settle after it); other calls
    /// settle at once.
    pub(super) fn deliver(&mut self, waiters: Vec<Waiter<T>>, logged_in: bool, now: u64) {
        let Loaded::Known(Some(held)) = &mut self.loaded else {
            // Callers hold a session when they deliver; should one not, the calls log in
            // rather than wait forever.
            return self.wait_for_login(waiters, now);
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
        let session = held.session();
        if changed {
            let record = held.record.clone();
            self.announce();
            let op = self.out.next_op();
            self.out.push(Effect::WriteSession { op, record });
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

    /// A write or removal finished: the calls it held settle.
    pub(super) fn storage_result(&mut self, op: OpId, result: Result<(), PlatformError>) {
        let Some(index) = self.saves.iter().position(|save| save.op == op) else {
            return;
        };
        match (self.saves.remove(index).then, result) {
            (AfterSave::Deliver { calls, session }, result) => {
                for call in calls {
                    let outcome = match &result {
                        Ok(()) => Ok(Settled::Session(session.clone())),
                        Err(failure) => Err(failure.explain(
                            Error::new(
                                ErrorCode::Storage,
                                "storage refused the session; it is usable until the app closes",
                            )
                            .with_session(session.clone()),
                        )),
                    };
                    self.settle(call, outcome);
                }
            }
            (AfterSave::Logout(call), Ok(())) => self.settle(call, Ok(Settled::Done)),
            (AfterSave::Logout(call), Err(failure)) => {
                let error = Error::new(
                    ErrorCode::Storage,
                    "storage refused to remove the session; it may return at the next launch",
                );
                self.settle(call, Err(failure.explain(error)));
            }
        }
    }

    pub(super) fn settle(&mut self, call: CallId, result: Result<Settled<T>, Error<T>>) {
        self.out.push(Effect::Settle { call, result });
    }
}
