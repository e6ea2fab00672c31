//! The app's own requests (`session.request`): which URLs may carry the token, how many run
//! at once, and the queue of those waiting for a place.

use std::collections::VecDeque;

use crate::core::config::Config;
use crate::core::error::Error;
use crate::core::input::{CallId, OpId};
use crate::core::secret::Secret;
use crate::core::url::secure_origin;

/// WeChat runs at most 10 requests at once; one place is kept for the login request.
pub const MAX_REQUESTS_IN_FLIGHT: usize = 9;
/// A session obtained by a re-login after a rejection, and rejected again within this time,
/// does not cause another login: the backend is refusing sessions, and logging in again
/// would only repeat it.
pub const REJECTION_COOLDOWN_MS: u64 = 60_000;

/// A request waiting for a place to run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Queued {
    pub(crate) call: CallId,
    /// Whether this is the one retry after a rejected session.
    pub(crate) retry: bool,
}

/// A request under way.
#[derive(Clone, Debug)]
pub(crate) struct Sent<T> {
    pub(crate) op: OpId,
    pub(crate) call: CallId,
    pub(crate) retry: bool,
    /// The token it carried, to tell whether its rejection concerns the current session.
    pub(crate) token: Option<Secret<T>>,
    /// The logout generation it was sent in: an answer from before a logout logs nobody in.
    pub(crate) generation: u32,
}

/// The requests waiting and under way.
#[derive(Clone, Debug)]
pub(crate) struct Requests<T> {
    queue: VecDeque<Queued>,
    in_flight: Vec<Sent<T>>,
}

impl<T> Default for Requests<T> {
    fn default() -> Self {
        Requests {
            queue: VecDeque::new(),
            in_flight: Vec::new(),
        }
    }
}

impl<T> Requests<T> {
    pub(crate) fn enqueue(&mut self, queued: Queued) {
        self.queue.push_back(queued);
    }

    /// The next request to send, if one waits and a place is free.
    pub(crate) fn next_to_send(&mut self) -> Option<Queued> {
        if self.in_flight.len() < MAX_REQUESTS_IN_FLIGHT {
            self.queue.pop_front()
        } else {
            None
        }
    }

    pub(crate) fn sent(&mut self, sent: Sent<T>) {
        self.in_flight.push(sent);
    }

    /// The request `op`, now answered; `None` if it is not under way.
    pub(crate) fn take(&mut self, op: OpId) -> Option<Sent<T>> {
        let index = self.in_flight.iter().position(|s| s.op == op)?;
        Some(self.in_flight.swap_remove(index))
    }

    /// Every waiting request, removed from the queue.
    pub(crate) fn drain_queue(&mut self) -> Vec<Queued> {
        self.queue.drain(..).collect()
    }

    /// Visits the token of every request under way.
    pub(crate) fn texts_mut(&mut self, visit: &mut dyn FnMut(&mut T)) {
        for sent in &mut self.in_flight {
            if let Some(token) = &mut sent.token {
                visit(token.text_mut());
            }
        }
    }

    /// How many requests are under way.
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.len()
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
