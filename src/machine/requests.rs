//! The app's own requests, as the machine handles them: sending within the limit, and what
//! a rejected session leads to.

use super::{logged_out, Loaded, Machine};
use crate::effect::Effect;
use crate::effect::Settled;
use crate::error::{Error, ErrorCode};
use crate::flight::Waiter;
use crate::input::OpId;
use crate::requests::{token_header, Queued, Sent, REJECTION_COOLDOWN_MS};

impl Machine {
    /// Sends waiting requests while places are free; without a usable session they wait
    /// for the login instead.
    pub(super) fn pump(&mut self, now: u64) {
        while let Some(queued) = self.requests.next_to_send() {
            let token = match &self.loaded {
                Loaded::Known(Some(held)) if held.is_usable(now, self.config.leeway_ms()) => {
                    held.record.token.clone()
                }
                _ => {
                    self.join_flight(vec![Waiter::Request(queued)]);
                    continue;
                }
            };
            let op = self.out.next_op();
            let header = token.as_ref().map(|t| token_header(&self.config, t));
            self.out.push(Effect::Send {
                op,
                call: queued.call,
                header,
                token: token.clone(),
            });
            self.requests.sent(Sent {
                op,
                call: queued.call,
                retry: queued.retry,
                token,
                generation: self.generation,
            });
        }
    }

    pub(super) fn responded(&mut self, op: OpId, rejected: bool, now: u64) {
        let Some(sent) = self.requests.take(op) else {
            return;
        };
        if !rejected {
            self.settle(sent.call, Ok(Settled::Response { op }));
        } else if sent.generation != self.generation {
            self.settle(sent.call, Err(logged_out()));
        } else if sent.retry {
            let error = Error::new(
                ErrorCode::SessionRejected,
                "the backend rejected the session again after a fresh login",
            );
            self.settle(sent.call, Err(error));
        } else {
            self.session_rejected(sent, now);
        }
        self.pump(now);
    }

    /// A request's session was rejected: if it is still the current session, it is dropped
    /// (one re-login is shared by every request that hit it); the request is retried once.
    fn session_rejected(&mut self, sent: Sent, now: u64) {
        if let Loaded::Known(Some(held)) = &mut self.loaded {
            if !held.rejected && held.record.token == sent.token {
                let age = now.saturating_sub(held.record.obtained_at);
                if held.after_rejection && age < REJECTION_COOLDOWN_MS {
                    let error = Error::new(
                        ErrorCode::SessionRejected,
                        "the backend rejects sessions as soon as they are issued; not logging in again for 60 s",
                    );
                    self.settle(sent.call, Err(error));
                    return;
                }
                held.rejected = true;
                let op = self.out.next_op();
                self.out.push(Effect::RemoveSession {
                    op,
                    key: self.config.storage_key(),
                });
                self.out.push(Effect::Changed { session: None });
            }
        }
        self.ensure(
            Waiter::Request(Queued {
                call: sent.call,
                retry: true,
            }),
            now,
        );
    }
}
