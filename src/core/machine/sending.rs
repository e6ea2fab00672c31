//! Sending the app's own requests within the limit, and what a rejected session leads to.

use super::flow::Loaded;
use super::{logged_out, Machine};
use crate::core::app_requests::{Sent, REJECTION_COOLDOWN_MS};
use crate::core::effect::{Calls, Effect, Settled};
use crate::core::error::{Error, ErrorCode};
use crate::core::input::{OpId, SendResult};
use crate::core::text::Text;

impl<T: Text> Machine<T> {
    /// Sends requests while some wait and places are free, those to send again first. With
    /// no usable session they wait: for the read, or for a login.
    pub(super) fn pump(&mut self, now: u64) {
        while self.requests.can_send() {
            let token = match &self.loaded {
                Loaded::Known(Some(held)) if self.standing(now).is_usable() => held.record.token.clone(),
                Loaded::Unread => return self.read_session(),
                Loaded::Reading(_) => return,
                Loaded::Known(_) => return self.wait_for_login(now),
            };
            let op = self.out.next_op();
            let again = self.requests.next_to_send();
            self.out.push(Effect::SendRequest {
                op,
                again,
                token: token.clone(),
            });
            self.requests.sent(Sent {
                op,
                retry: again.is_some(),
                token,
                generation: self.generation,
            });
        }
    }

    pub(super) fn send_result(&mut self, op: OpId, result: SendResult, now: u64) {
        let Some(sent) = self.requests.take(op) else {
            return;
        };
        let outcome = match result {
            SendResult::Answered => Ok(Settled::Response { op }),
            SendResult::Failed => Err(Error::retryable(ErrorCode::Network, "the request failed")),
            SendResult::SessionRejected if sent.generation != self.generation => Err(logged_out()),
            SendResult::SessionRejected if sent.retry => Err(Error::new(
                ErrorCode::SessionRejected,
                "the backend rejected the session again after a fresh login",
            )),
            SendResult::SessionRejected => match self.session_rejected(sent, now) {
                Ok(()) => return,
                Err(error) => Err(error),
            },
        };
        self.settle(Calls::Of(op), outcome);
    }

    /// A request's session was rejected: if it is still the current session, it is dropped
    /// (one re-login is shared by every request that hit it); the request is sent once
    /// more, after the others rejected with it and before any waiting.
    fn session_rejected(&mut self, sent: Sent<T>, now: u64) -> Result<(), Error<T>> {
        if let Loaded::Known(Some(held)) = &mut self.loaded {
            if !held.rejected && held.record.token == sent.token {
                let age = now.saturating_sub(held.record.obtained_at);
                if held.after_rejection && age < REJECTION_COOLDOWN_MS {
                    return Err(Error::new(
                        ErrorCode::SessionRejected,
                        "the backend rejects sessions as soon as they are issued; not logging in again for 60 s",
                    ));
                }
                held.rejected = true;
                let op = self.out.next_op();
                self.out.push(Effect::RemoveSession { op });
                self.announce();
            }
        }
        // There is always room: a request to send again takes the place it was sent in.
        match self.requests.send_again(sent.op) {
            true => Ok(()),
            false => Err(Error::new(
                ErrorCode::SessionRejected,
                "the backend rejected the session of more requests than can be sent again",
            )),
        }
    }

    /// Every request waiting (to be sent, or sent again) fails with `error`.
    pub(super) fn fail_requests(&mut self, error: &Error<T>) {
        if self.requests.take_waiting() {
            self.settle(Calls::Requests, Err(error.clone()));
        }
        while let Some(op) = self.requests.next_to_send() {
            self.settle(Calls::Of(op), Err(error.clone()));
        }
    }
}
