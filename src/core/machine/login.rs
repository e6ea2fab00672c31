//! Logging in, stage by stage: call `wx.login` → post the code → judge the answer; with the
//! retries, the fresh-code rule and the deadlines. One login at a time, shared by everyone
//! waiting (single flight); how it ends is `flow.rs`'s.

use super::Machine;
use crate::core::answer::{judge, Expected, Reply, Verdict, RATE_LIMITED};
use crate::core::backoff::{backoff_ms, BACKOFF_CAP_MS};
use crate::core::config::{Fact, LoginEndpoint, Platform};
use crate::core::effect::{Effect, LoginBody};
use crate::core::error::{Error, ErrorCode};
use crate::core::input::{LoginResult, OpId, PlatformError};
use crate::core::text::Text;

/// A login under way, shared by every call waiting (single flight).
#[derive(Clone, Debug)]
pub(super) struct Login {
    stage: Stage,
    retries: u32,
    fresh_code_used: bool,
}

/// What the login waits for, and until when.
#[derive(Clone, Debug)]
pub(super) enum Stage {
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

impl<T: Text> Machine<T> {
    // 2. Log in: one `wx.login` at a time, shared by every call waiting.

    /// Starts a login, unless one is under way. While the backend's `Retry-After` has longer
    /// to run than a backoff may wait, none starts: the calls fail at once, and no request
    /// goes out.
    pub(super) fn wait_for_login(&mut self, now: u64) {
        if self.login.is_some() {
            return;
        }
        if let Some(error) = self.held_off_beyond_backoff(now) {
            return self.finish_login(Err(error), now);
        }
        self.login = Some(Login {
            stage: self.call_login(now),
            retries: 0,
            fresh_code_used: false,
        });
    }

    /// The error of a login the backend's `Retry-After` holds off for longer than
    /// [`BACKOFF_CAP_MS`] from `now`.
    fn held_off_beyond_backoff(&self, now: u64) -> Option<Error<T>> {
        let (until, status) = self.held_off?;
        (until > now.saturating_add(u64::from(BACKOFF_CAP_MS)))
            .then(|| Error::retryable(ErrorCode::Backend, RATE_LIMITED).with_status(status))
    }

    /// Every attempt begins with a fresh `wx.login` code, so no code is ever posted twice.
    /// With a cloud function there is no code: the attempt calls the function at once. A
    /// `wx.login` that timed out here may still be under way on the platform (it was given
    /// the grace): the attempt waits until that one is surely over, never two at once.
    fn call_login(&mut self, now: u64) -> Stage {
        // Not before a wx.login still under way on the platform has surely ended, nor before
        // the backend's Retry-After.
        let platform = self.platform_login.map_or(0, |(_, until)| until);
        let backend = self.held_off.map_or(0, |(until, _)| until);
        let until = platform.max(backend);
        if until > now {
            return Stage::BackingOff { until };
        }
        let op = self.out.next_op();
        let deadline = self.deadline(now);
        match self.config.login_endpoint() {
            LoginEndpoint::Url(_) => {
                let timeout_ms = self.config.platform_timeout_ms();
                // Douyin asks a user not logged in to log in, unless told not to: a launch
                // never shows a dialog.
                let silent = self.config.platform() == Platform::Tt;
                self.out.push(Effect::Login {
                    op,
                    timeout_ms,
                    silent,
                });
                self.platform_login = Some((op, now.saturating_add(u64::from(timeout_ms))));
                Stage::WaitingForCode { op, deadline }
            }
            LoginEndpoint::CloudFunction(_) => {
                let timeout_ms = self.config.timeout_ms();
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
        if matches!(self.platform_login, Some((called, _)) if called == op) {
            self.platform_login = None;
        }
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
            timeout_ms: self.config.platform_timeout_ms(),
        });
        self.set_stage(Stage::WaitingForAnswer {
            op,
            deadline: self.deadline(now),
        });
    }

    // 4. Judge the backend's answer.

    pub(super) fn post_result(&mut self, op: OpId, result: Result<Reply<T>, PlatformError>, now: u64) {
        // A wait the backend asks for holds whichever request it answers, a stale one too.
        if let Some(wait) = result.as_ref().ok().and_then(Reply::asks_to_wait) {
            let status = result.as_ref().map_or(0, |reply| reply.status);
            let until = now.saturating_add(wait);
            if self.held_off.is_none_or(|(held, _)| held < until) {
                self.held_off = Some((until, status));
            }
        }
        if !matches!(self.stage(), Some(&Stage::WaitingForAnswer { op: awaited, .. }) if awaited == op) {
            return;
        }
        let reply = match result {
            Ok(reply) => reply,
            Err(failure) => {
                let message = match self.config.login_endpoint() {
                    LoginEndpoint::Url(_) => "the login request failed",
                    LoginEndpoint::CloudFunction(_) => "the cloud function call failed",
                };
                let error = Error::retryable(ErrorCode::Network, message);
                return self.attempt_failed(failure.explain(error), now);
            }
        };
        let expected = Expected {
            default_ttl_ms: self.config.default_ttl_ms(),
            token: self.config.login_shape().answer.places(Fact::Token),
        };
        match judge(&reply, now, expected) {
            Verdict::Session(record) => self.finish_login(Ok(record), now),
            Verdict::Retry(error) => self.attempt_failed(error, now),
            Verdict::FreshCode(error) => {
                let first = (self.login.as_mut())
                    .is_some_and(|login| !std::mem::replace(&mut login.fresh_code_used, true));
                if first {
                    self.next_attempt(now);
                } else {
                    self.finish_login(Err(error.not_retryable()), now);
                }
            }
            Verdict::Fail(error) => self.finish_login(Err(error), now),
        }
    }

    /// A retryable failure: back off and try again while retries remain; a `Retry-After`
    /// longer than a backoff may wait ends the login now.
    fn attempt_failed(&mut self, error: Error<T>, now: u64) {
        let held_off = self.held_off_beyond_backoff(now).is_some();
        let Some(login) = &mut self.login else { return };
        if login.retries >= self.config.max_retries() || held_off {
            return self.finish_login(Err(error), now);
        }
        login.retries += 1;
        let wait = backoff_ms(login.retries, &mut self.rng);
        // The next attempt waits for the backend's Retry-After too (`call_login`).
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
                let message = match self.config.login_endpoint() {
                    LoginEndpoint::Url(_) => "the login request took longer than timeoutMs",
                    LoginEndpoint::CloudFunction(_) => "the cloud function took longer than timeoutMs",
                };
                let error = Error::retryable(ErrorCode::Timeout, message);
                self.attempt_failed(error, now);
            }
            Some(&Stage::BackingOff { until }) if until <= now => self.next_attempt(now),
            _ => {}
        }
    }

    /// The login's next attempt; or its end, when the backend's `Retry-After` (answering a
    /// request given up on, say) holds it off for longer than a backoff waits.
    fn next_attempt(&mut self, now: u64) {
        if let Some(error) = self.held_off_beyond_backoff(now) {
            return self.finish_login(Err(error), now);
        }
        let stage = self.call_login(now);
        self.set_stage(stage);
    }

    fn stage(&self) -> Option<&Stage> {
        self.login.as_ref().map(|login| &login.stage)
    }

    fn set_stage(&mut self, stage: Stage) {
        if let Some(login) = &mut self.login {
            login.stage = stage;
        }
    }
}
