//! The app's calls as a driver keeps them: the machine names every move ([`crate::Calls`]:
//! where a call waits, which calls a write or a request takes on, which settle), and this
//! follows them, as `js-shim/session.js` does.

use std::collections::{BTreeMap, VecDeque};

use crate::core::effect::{Calls, Effect};
use crate::core::input::{CallId, OpId};
use crate::core::machine::Machine;
use crate::core::text::Text;

/// Which calls wait where.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    waiting: Vec<CallId>,
    requests: VecDeque<CallId>,
    device_ids: Vec<CallId>,
    of: BTreeMap<OpId, Vec<CallId>>,
}

impl Ledger {
    /// The drive loop's one step, as the shim takes it: the machine's next effect, with the
    /// calls it settles, the ledger moved by it first. Every world drives the machine with
    /// `while let Some((effect, settled)) = ledger.next(&mut machine)`, carrying each out in
    /// order; an answer given at once (storage) is handed to the machine from inside, and
    /// what it leads to comes after the effects already given, as in the shim's queue.
    pub fn next<T: Text>(&mut self, machine: &mut Machine<T>) -> Option<(Effect<T>, Vec<CallId>)> {
        let effect = machine.poll_effect()?;
        let settled = self.effect(&effect);
        Some((effect, settled))
    }

    /// Moves the calls `effect` moves, and gives back those it settles, in order (none for
    /// an effect that settles nothing). Call it for every effect, in order ([`Ledger::next`]
    /// does).
    pub fn effect<T>(&mut self, effect: &Effect<T>) -> Vec<CallId> {
        match effect {
            Effect::Wait { call, on } => {
                match on {
                    Calls::One(_) => {}
                    Calls::Waiting => self.waiting.push(*call),
                    Calls::Requests => self.requests.push_back(*call),
                    Calls::DeviceIds => self.device_ids.push(*call),
                    Calls::Of(op) => self.of.entry(*op).or_default().push(*call),
                }
                Vec::new()
            }
            Effect::Hold { op } => {
                let held = std::mem::take(&mut self.waiting);
                self.of.entry(*op).or_default().extend(held);
                Vec::new()
            }
            Effect::SendRequest { op, again, .. } => {
                let calls = match again {
                    Some(first) => self.of.remove(first).unwrap_or_default(),
                    None => self.requests.pop_front().into_iter().collect(),
                };
                self.of.insert(*op, calls);
                Vec::new()
            }
            Effect::Settle { calls, .. } => match calls {
                Calls::One(call) => vec![*call],
                Calls::Waiting => std::mem::take(&mut self.waiting),
                Calls::Of(op) => self.of.remove(op).unwrap_or_default(),
                Calls::Requests => self.requests.drain(..).collect(),
                Calls::DeviceIds => std::mem::take(&mut self.device_ids),
            },
            _ => Vec::new(),
        }
    }

    /// The calls waiting for the effect `op` (the request sent as `op`, say).
    pub fn calls_of(&self, op: OpId) -> &[CallId] {
        self.of.get(&op).map_or(&[], Vec::as_slice)
    }

    /// Forgets every call (the app closed).
    pub fn clear(&mut self) {
        *self = Ledger::default();
    }
}
