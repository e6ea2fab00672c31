//! Logging out, and the writes and removals whose answers settle calls.

use super::{logged_out, AfterSave, Loaded, Machine, Save};
use crate::effect::{Effect, Settled};
use crate::error::{Error, ErrorCode};
use crate::flight::Waiter;
use crate::input::{CallId, OpId};

impl Machine {
    pub(super) fn logout(&mut self, call: CallId) {
        let had_session = matches!(&self.loaded, Loaded::Known(Some(held)) if !held.rejected);
        self.generation = self.generation.wrapping_add(1);
        // A read under way becomes stale: whatever it finds was logged out.
        self.loaded = Loaded::Known(None);
        let mut cancelled: Vec<CallId> = self.waiters.drain(..).map(|w| w.call()).collect();
        if let Some(flight) = self.flight.take() {
            cancelled.extend(flight.cancel(&mut self.out).iter().map(Waiter::call));
        }
        cancelled.extend(self.requests.drain_queue().iter().map(|q| q.call));
        // Writes under way belong to the session being logged out: their calls end here.
        self.saves.retain_mut(|save| match &mut save.then {
            AfterSave::Deliver { calls, .. } => {
                cancelled.append(calls);
                false
            }
            AfterSave::Logout(_) => true,
        });
        for call in cancelled {
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

    pub(super) fn saved(&mut self, op: OpId, ok: bool) {
        let Some(index) = self.saves.iter().position(|save| save.op == op) else {
            return;
        };
        match self.saves.remove(index).then {
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
        }
    }
}
