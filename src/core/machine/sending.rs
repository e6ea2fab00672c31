//! Sending the app's own requests within the limit, and what a rejected session leads to.

use super::flow::{Loaded, Waiter};
use super::{logged_out, Machine};
use crate::core::app_requests::{Queued, Sent, REJECTION_COOLDOWN_MS};
use crate::core::effect::{Effect, Settled};
use crate::core::error::{Error, ErrorCode};
use crate::core::input::{OpId, SendResult};
use crate::core::text::Text;

impl<T: Text> Machine<T> {
    /// Sends waiting requests while places are free; without a usable session they wait
    /// for the login instead.
    pub(super) fn pump(&mut self, now: u64) {
        while let Some(queued) = self.requests.next_to_send() {
            let token = match &self.loaded {
                Loaded::Known(Some(held)) if self.standing(now).is_usable() => held.record.token.clone(),
                _ => {
                    self.wait_for_login(vec![Waiter::Request(queued)], now);
                    continue;
                }
            };
            let op = self.out.next_op();
            self.out.push(Effect::SendRequest {
                op,
                call: queued.call,
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

    pub(super) fn send_result(&mut self, op: OpId, result: SendResult, now: u64) {
        let Some(sent) = self.requests.take(op) else {
            return;
        };
        match result {
            SendResult::Answered => self.settle(sent.call, Ok(Settled::Response { op })),
            SendResult::Failed => self.settle(
                sent.call,
                Err(Error::retryable(ErrorCode::Network, "the request failed")),
            ),
            SendResult::SessionRejected if sent.generation != self.generation => {
                self.settle(sent.call, Err(logged_out()))
            }
            SendResult::SessionRejected if sent.retry => {
                let error = Error::new(
                    ErrorCode::SessionRejected,
                    "the backend rejected the session again after a fresh login",
                );
                self.settle(sent.call, Err(error));
            }
            SendResult::SessionRejected => self.session_rejected(sent, now),
        }
        self.pump(now);
    }

    /// A request's session was rejected: if it is still the current session, it is dropped
    /// (one re-login is shared by every request that hit it); the request is retried once.
    fn session_rejected(&mut self, sent: Sent<T>, now: u64) {
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
                self.out.push(Effect::RemoveSession { op });
                self.announce();
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
