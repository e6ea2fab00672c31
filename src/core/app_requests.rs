//! The app's own requests (`session.request`): which URLs may carry the token, how many run
//! at once, and how many wait. The requests themselves (their options, their order) are the
//! driver's; the machine keeps counts and the few it must tell apart.

use crate::core::config::Config;
use crate::core::error::Error;
use crate::core::input::OpId;
use crate::core::secret::Secret;
use crate::core::url::secure_origin;

/// WeChat runs at most 10 requests at once; one place is kept for the login request.
pub const MAX_REQUESTS_IN_FLIGHT: usize = 9;
/// A session obtained by a re-login after a rejection, and rejected again within this time,
/// does not cause another login: the backend is refusing sessions, and logging in again
/// would only repeat it.
pub const REJECTION_COOLDOWN_MS: u64 = 60_000;

/// A request under way.
#[derive(Clone, Debug)]
pub(crate) struct Sent<T> {
    pub(crate) op: OpId,
    /// Whether this is the one retry after a rejected session.
    pub(crate) retry: bool,
    /// The token it carried, to tell whether its rejection concerns the current session.
    pub(crate) token: Option<Secret<T>>,
    /// The logout generation it was sent in: an answer from before a logout logs nobody in.
    pub(crate) generation: u32,
}

/// The requests waiting and under way, in fixed room: those to send again take the places
/// they were rejected in, so together with those under way they are never more than
/// [`MAX_REQUESTS_IN_FLIGHT`].
#[derive(Clone, Debug)]
pub(crate) struct Requests<T> {
    /// Requests waiting to be sent for the first time (the driver holds them, in order).
    waiting: u32,
    /// Requests to send again after a rejected session, by the op they were sent as, oldest
    /// first.
    again: [Option<OpId>; MAX_REQUESTS_IN_FLIGHT],
    in_flight: [Option<Sent<T>>; MAX_REQUESTS_IN_FLIGHT],
}

impl<T> Default for Requests<T> {
    fn default() -> Self {
        Requests {
            waiting: 0,
            again: [None; MAX_REQUESTS_IN_FLIGHT],
            in_flight: std::array::from_fn(|_| None),
        }
    }
}

impl<T> Requests<T> {
    /// One more request waits to be sent.
    pub(crate) fn push(&mut self) {
        self.waiting = self.waiting.saturating_add(1);
    }

    /// Whether a request waits (to be sent, or sent again) and a place is free.
    pub(crate) fn can_send(&self) -> bool {
        (self.waiting > 0 || self.again[0].is_some()) && self.in_flight.iter().any(Option::is_none)
    }

    /// Takes the next request to send: `Some(op)` to send again the one sent as `op`, or
    /// `None` for the oldest waiting.
    pub(crate) fn next_to_send(&mut self) -> Option<OpId> {
        let first = self.again[0].take();
        if first.is_some() {
            self.again.rotate_left(1);
        } else {
            self.waiting = self.waiting.saturating_sub(1);
        }
        first
    }

    /// The request sent as `op` is to be sent again; `false` if there is no room for it.
    pub(crate) fn send_again(&mut self, op: OpId) -> bool {
        match self.again.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => {
                *slot = Some(op);
                true
            }
            None => false,
        }
    }

    /// Forgets the requests waiting to be sent for the first time; whether there were any.
    pub(crate) fn take_waiting(&mut self) -> bool {
        std::mem::take(&mut self.waiting) > 0
    }

    pub(crate) fn sent(&mut self, sent: Sent<T>) {
        if let Some(slot) = self.in_flight.iter_mut().find(|slot| slot.is_none()) {
            *slot = Some(sent);
        }
    }

    /// The request `op`, now answered; `None` if it is not under way.
    pub(crate) fn take(&mut self, op: OpId) -> Option<Sent<T>> {
        self.in_flight
            .iter_mut()
            .find(|slot| slot.as_ref().is_some_and(|sent| sent.op == op))?
            .take()
    }

    /// Visits the token of every request under way.
    pub(crate) fn texts_mut(&mut self, visit: &mut dyn FnMut(&mut T)) {
        for sent in self.in_flight.iter_mut().flatten() {
            if let Some(token) = &mut sent.token {
                visit(token.text_mut());
            }
        }
    }

    /// How many requests are under way.
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.iter().filter(|slot| slot.is_some()).count()
    }
}

/// Checks a request URL: secure, and on one of the origins the token may go to.
pub(crate) fn check_url<T>(config: &Config, url: &str) -> Result<(), Error<T>> {
    let origin = secure_origin(url).map_err(|why| {
        let mut message = String::from("request url ");
        message.push_str(why);
        Error::invalid_argument(message)
    })?;
    if config.allowed_origins().contains(&origin) {
        Ok(())
    } else {
        Err(Error::invalid_argument(
            "request url is not on an allowed origin, so it may not receive the token; add its origin to allowedOrigins",
        ))
    }
}
