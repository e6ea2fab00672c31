//! Logging out: every call waiting ends, the login under way is dropped, the stored session
//! is removed.

use super::flow::{AfterSave, Loaded, Save};
use super::{logged_out, Machine};
use crate::core::effect::{Calls, Effect};
use crate::core::input::CallId;
use crate::core::text::Text;

impl<T: Text> Machine<T> {
    pub(super) fn logout(&mut self, call: CallId) {
        let had_session = matches!(&self.loaded, Loaded::Known(Some(held)) if !held.rejected);
        self.generation = self.generation.wrapping_add(1);
        // A read under way becomes stale: whatever it finds was logged out.
        self.loaded = Loaded::Known(None);
        if std::mem::take(&mut self.waiting).any {
            self.settle(Calls::Waiting, Err(logged_out()));
        }
        // Any answer still on its way to the login is stale from here on.
        if let Some(op) = self.login.take().and_then(|login| login.request()) {
            self.out.push(Effect::Abort { op });
        }
        self.fail_requests(&logged_out());
        // Writes under way belong to the session being logged out: their calls end here.
        let mut ended = Vec::new();
        self.saves.retain(|save| match save.then {
            AfterSave::Deliver { held, .. } => {
                if held {
                    ended.push(save.op);
                }
                false
            }
            AfterSave::Logout => true,
        });
        for op in ended {
            self.settle(Calls::Of(op), Err(logged_out()));
        }
        if had_session {
            self.announce();
        }
        let op = self.out.next_op();
        self.out.push(Effect::RemoveSession { op });
        self.out.push(Effect::Wait {
            call,
            on: Calls::Of(op),
        });
        self.saves.push(Save {
            op,
            then: AfterSave::Logout,
        });
    }
}
