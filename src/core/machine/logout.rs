//! Logging out: every call waiting ends, the login under way is dropped, the stored session
//! is removed.

use super::flow::{AfterSave, Loaded, Save};
use super::{logged_out, Machine};
use crate::core::effect::Effect;
use crate::core::input::CallId;
use crate::core::text::Text;

impl<T: Text> Machine<T> {
    pub(super) fn logout(&mut self, call: CallId) {
        let had_session = matches!(&self.loaded, Loaded::Known(Some(held)) if !held.rejected);
        self.generation = self.generation.wrapping_add(1);
        // A read under way becomes stale: whatever it finds was logged out.
        self.loaded = Loaded::Known(None);
        let mut cancelled: Vec<CallId> = self.waiting.drain(..).map(|w| w.call()).collect();
        // Any answer still on its way to the login is stale from here on.
        if let Some(op) = self.login.take().and_then(|login| login.request()) {
            self.out.push(Effect::Abort { op });
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
            self.announce();
        }
        let op = self.out.next_op();
        self.out.push(Effect::RemoveSession { op });
        self.saves.push(Save {
            op,
            then: AfterSave::Logout(call),
        });
    }
}
