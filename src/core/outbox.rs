//! The queue of effects, and the ids that tie their answers back to them.

use std::collections::VecDeque;

use crate::core::effect::Effect;
use crate::core::input::OpId;

/// Effects waiting to be polled, and the counter that names them.
#[derive(Clone, Debug)]
pub(crate) struct Outbox<T> {
    last_id: u32,
    effects: VecDeque<Effect<T>>,
}

impl<T> Default for Outbox<T> {
    fn default() -> Self {
        // Room for a launch's effects from the start: a cached launch allocates nothing.
        Outbox {
            last_id: 0,
            effects: VecDeque::with_capacity(8),
        }
    }
}

impl<T> Outbox<T> {
    /// A fresh id. Ids wrap after 2^32 effects, long after any answer could still be pending.
    pub(crate) fn next_op(&mut self) -> OpId {
        self.last_id = self.last_id.wrapping_add(1);
        OpId(self.last_id)
    }

    pub(crate) fn push(&mut self, effect: Effect<T>) {
        self.effects.push_back(effect);
    }

    pub(crate) fn pop(&mut self) -> Option<Effect<T>> {
        self.effects.pop_front()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.effects.is_empty()
    }
}
