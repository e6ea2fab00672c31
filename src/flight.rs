//! One login: `wx.login`, the POST of its code, retries with backoff, the fresh-code rule.

use crate::answer::{judge, Verdict};
use crate::config::Config;
use crate::effect::{Effect, LoginBody};
use crate::error::{Error, ErrorCode};
use crate::input::{Input, OpId};
use crate::outbox::Outbox;
use crate::record::Record;
use crate::requests::Queued;
use crate::rng::Rng;
use crate::secret::Secret;
use crate::user_info::UserInfo;
use crate::CallId;

/// First backoff delay; each retry doubles it, up to [`BACKOFF_CAP_MS`].
pub const BACKOFF_BASE_MS: u32 = 500;
/// Longest backoff delay.
pub const BACKOFF_CAP_MS: u32 = 8_000;

/// A call waiting for a session.
#[derive(Clone, Debug)]
pub(crate) enum Waiter {
    Ensure(CallId),
    UserInfo(CallId, UserInfo),
    Request(Queued),
}

impl Waiter {
    pub(crate) fn call(&self) -> CallId {
        match self {
            Waiter::Ensure(call) | Waiter::UserInfo(call, _) => *call,
            Waiter::Request(queued) => queued.call,
        }
    }
}

#[derive(Clone, Debug)]
enum Stage {
    LoggingIn { op: OpId, guard: OpId },
    Posting { op: OpId, guard: OpId },
    Backoff { timer: OpId },
}

/// A login under way, shared by every call that waits for it (single flight).
#[derive(Clone, Debug)]
pub(crate) struct Flight {
    stage: Stage,
    retries: u32,
    fresh_code_used: bool,
    pub(crate) waiters: Vec<Waiter>,
}

/// What an input did to the flight.
pub(crate) enum Progress {
    /// The input was not for this flight (a stale answer): nothing changed.
    Ignored,
    /// The flight goes on.
    Pending,
    /// The flight is over.
    Done(Result<Record, Error>),
}

impl Flight {
    /// Starts a login: every attempt begins with a fresh `wx.login` code, so no code is
    /// ever posted twice.
    pub(crate) fn start(config: &Config, out: &mut Outbox, waiters: Vec<Waiter>) -> Flight {
        Flight {
            stage: call_login(config, out),
            retries: 0,
            fresh_code_used: false,
            waiters,
        }
    }

    /// Feeds an input to the flight.
    pub(crate) fn handle(
        &mut self,
        input: &Input,
        now: u64,
        config: &Config,
        out: &mut Outbox,
        rng: &mut Rng,
    ) -> Progress {
        match (&self.stage, input) {
            (
                &Stage::LoggingIn { op, guard },
                &Input::LoginCode {
                    op: answered,
                    ref code,
                },
            ) if answered == op => {
                out.push(Effect::CancelTimer { timer: guard });
                match code {
                    Some(code) => {
                        self.stage = post_code(code.clone(), config, out);
                        Progress::Pending
                    }
                    None => self.failed(
                        Error::retryable(ErrorCode::LoginFailed, "wx.login gave no code"),
                        config,
                        out,
                        rng,
                    ),
                }
            }
            #[cfg(feature = "web")]
            (&Stage::LoggingIn { op, guard }, &Input::LoginRefused { op: answered, reason })
                if answered == op =>
            {
                out.push(Effect::CancelTimer { timer: guard });
                Progress::Done(Err(reason.error()))
            }
            (&Stage::LoggingIn { guard, .. }, &Input::TimerFired { timer }) if timer == guard => {
                let error = Error::retryable(ErrorCode::Timeout, "wx.login did not answer within timeoutMs");
                self.failed(error, config, out, rng)
            }
            (
                &Stage::Posting { op, guard },
                &Input::Replied {
                    op: answered,
                    ref reply,
                },
            ) if answered == op => {
                out.push(Effect::CancelTimer { timer: guard });
                match judge(reply, now, config.default_ttl_ms()) {
                    Verdict::Session(record) => Progress::Done(Ok(record)),
                    Verdict::Retry(error) => self.failed(error, config, out, rng),
                    Verdict::FreshCode(_) if !self.fresh_code_used => {
                        self.fresh_code_used = true;
                        self.stage = call_login(config, out);
                        Progress::Pending
                    }
                    Verdict::FreshCode(error) => Progress::Done(Err(error.not_retryable())),
                    Verdict::Fail(error) => Progress::Done(Err(error)),
                }
            }
            (&Stage::Posting { op, guard }, &Input::PostFailed { op: answered }) if answered == op => {
                out.push(Effect::CancelTimer { timer: guard });
                let error = Error::retryable(ErrorCode::Network, "the login request failed");
                self.failed(error, config, out, rng)
            }
            (&Stage::Posting { op, guard }, &Input::TimerFired { timer }) if timer == guard => {
                out.push(Effect::Abort { op });
                let error =
                    Error::retryable(ErrorCode::Timeout, "the login request took longer than timeoutMs");
                self.failed(error, config, out, rng)
            }
            (&Stage::Backoff { timer }, &Input::TimerFired { timer: fired }) if fired == timer => {
                self.stage = call_login(config, out);
                Progress::Pending
            }
            _ => Progress::Ignored,
        }
    }

    /// Stops the flight (logout): its timer is cancelled and its request aborted, so any
    /// answer still on its way is stale. Returns the calls that were waiting.
    pub(crate) fn cancel(self, out: &mut Outbox) -> Vec<Waiter> {
        match self.stage {
            Stage::LoggingIn { guard, .. } => out.push(Effect::CancelTimer { timer: guard }),
            Stage::Posting { op, guard } => {
                out.push(Effect::CancelTimer { timer: guard });
                out.push(Effect::Abort { op });
            }
            Stage::Backoff { timer } => out.push(Effect::CancelTimer { timer }),
        }
        self.waiters
    }

    /// A retryable failure: back off and try again while retries remain.
    fn failed(&mut self, error: Error, config: &Config, out: &mut Outbox, rng: &mut Rng) -> Progress {
        if self.retries >= config.max_retries() {
            return Progress::Done(Err(error));
        }
        self.retries += 1;
        let timer = out.next_op();
        out.push(Effect::StartTimer {
            timer,
            ms: backoff_ms(self.retries, rng),
        });
        self.stage = Stage::Backoff { timer };
        Progress::Pending
    }
}

fn call_login(config: &Config, out: &mut Outbox) -> Stage {
    let op = out.next_op();
    let guard = out.next_op();
    out.push(Effect::Login {
        op,
        timeout_ms: config.timeout_ms(),
    });
    out.push(Effect::StartTimer {
        timer: guard,
        ms: config.timeout_ms(),
    });
    Stage::LoggingIn { op, guard }
}

fn post_code(code: Secret, config: &Config, out: &mut Outbox) -> Stage {
    let op = out.next_op();
    let guard = out.next_op();
    out.push(Effect::Post {
        op,
        url: config.login_url().to_owned(),
        body: LoginBody {
            code,
            platform: config.platform(),
        },
        timeout_ms: config.timeout_ms(),
    });
    out.push(Effect::StartTimer {
        timer: guard,
        ms: config.timeout_ms(),
    });
    Stage::Posting { op, guard }
}

/// The wait before retry number `retry` (1-based): exponential, capped, with jitter in the
/// upper half so that many devices failing together do not retry together.
pub(crate) fn backoff_ms(retry: u32, rng: &mut Rng) -> u32 {
    let exponent = retry.saturating_sub(1).min(16);
    let full = BACKOFF_BASE_MS.saturating_mul(1 << exponent).min(BACKOFF_CAP_MS);
    full / 2 + rng.below(full / 2 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        let mut rng = Rng::new([9; 16]);
        for (retry, full) in [
            (1, 500),
            (2, 1000),
            (3, 2000),
            (4, 4000),
            (5, 8000),
            (6, 8000),
            (40, 8000),
        ] {
            for _ in 0..50 {
                let wait = backoff_ms(retry, &mut rng);
                assert!(wait >= full / 2 && wait <= full, "retry {retry}: {wait}");
            }
        }
    }
}
