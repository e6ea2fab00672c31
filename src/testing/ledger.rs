//! The app's calls as a driver keeps them: the machine names groups of calls
//! ([`crate::Calls`]), and this says which calls each group holds, by the rules the JS shim
//! follows too (`js-shim/session.js`).

use std::collections::{BTreeMap, VecDeque};

use crate::core::effect::{Calls, Effect};
use crate::core::input::{CallId, Input, OpId};

/// Where an app call waits when it does not settle at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waits {
    /// `ensure()`, `setUserInfo()`: for a session.
    ForSession,
    /// `request()`: in line to be sent.
    InLine,
    /// `deviceId()`: for the device id.
    ForDeviceId,
    /// `logout()`: for its removal, which the output names ([`Effect::Wait`]).
    AsTold,
}

impl Waits {
    /// The app call `input` makes and where it waits (`None`: the input is no app call).
    pub fn of<T>(input: &Input<T>) -> Option<(CallId, Waits)> {
        match input {
            Input::Ensure { call } | Input::SetUserInfo { call, .. } => Some((*call, Waits::ForSession)),
            Input::Request { call, .. } => Some((*call, Waits::InLine)),
            Input::DeviceId { call } => Some((*call, Waits::ForDeviceId)),
            Input::Logout { call } => Some((*call, Waits::AsTold)),
            _ => None,
        }
    }
}

/// Which calls wait where.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    for_session: Vec<CallId>,
    in_line: VecDeque<CallId>,
    for_device_id: Vec<CallId>,
    for_op: BTreeMap<OpId, Vec<CallId>>,
}

impl Ledger {
    /// The app made `call`, and `output` is what its input gave back: unless the output
    /// settles it at once, it waits where `waits` says. Call this before carrying out the
    /// output's effects (with [`Ledger::effect`]).
    pub fn call<T>(&mut self, call: CallId, waits: Waits, output: &[Effect<T>]) {
        let at_once = output
            .iter()
            .any(|e| matches!(e, Effect::Settle { calls: Calls::One(c), .. } if *c == call));
        if at_once {
            return;
        }
        match waits {
            Waits::ForSession => self.for_session.push(call),
            Waits::InLine => self.in_line.push_back(call),
            Waits::ForDeviceId => self.for_device_id.push(call),
            Waits::AsTold => {}
        }
    }

    /// Moves the calls `effect` moves, and gives back those it settles, in order (none for
    /// an effect that settles nothing).
    pub fn effect<T>(&mut self, effect: &Effect<T>) -> Vec<CallId> {
        match effect {
            Effect::Hold { op } => {
                let held = std::mem::take(&mut self.for_session);
                self.for_op.entry(*op).or_default().extend(held);
                Vec::new()
            }
            Effect::Wait { call, op } => {
                self.for_op.entry(*op).or_default().push(*call);
                Vec::new()
            }
            Effect::SendRequest { op, again, .. } => {
                let calls = match again {
                    Some(first) => self.for_op.remove(first).unwrap_or_default(),
                    None => self.in_line.pop_front().into_iter().collect(),
                };
                self.for_op.insert(*op, calls);
                Vec::new()
            }
            Effect::Settle { calls, .. } => match calls {
                Calls::One(call) => vec![*call],
                Calls::Waiting => std::mem::take(&mut self.for_session),
                Calls::Of(op) => self.for_op.remove(op).unwrap_or_default(),
                Calls::Requests => self.in_line.drain(..).collect(),
                Calls::DeviceIds => std::mem::take(&mut self.for_device_id),
            },
            _ => Vec::new(),
        }
    }

    /// The calls waiting for the effect `op` (the request sent as `op`, say).
    pub fn calls_of(&self, op: OpId) -> &[CallId] {
        self.for_op.get(&op).map_or(&[], Vec::as_slice)
    }

    /// Forgets every call (the app closed).
    pub fn clear(&mut self) {
        *self = Ledger::default();
    }
}
