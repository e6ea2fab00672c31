//! The queue of effects, and the ids that tie their answers back to them.

use std::collections::VecDeque;

use crate::core::effect::Effect;
use crate::core::input::OpId;

/// Effects waiting to be polled, and the counter that names them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Outbox {
    last_id: u32,
    effects: VecDeque<Effect>,
}

impl Outbox {
    /// A fresh id. Ids wrap after 2^32 effects, long after any answer could still be pending.
    pub(crate) fn next_op(&mut self) -> OpId {
        self.last_id = self.last_id.wrapping_add(1);
        OpId(self.last_id)
    }

    pub(crate) fn push(&mut self, effect: Effect) {
        self.effects.push_back(effect);
    }

    pub(crate) fn pop(&mut self) -> Option<Effect> {
        self.effects.pop_front()
    }
}
