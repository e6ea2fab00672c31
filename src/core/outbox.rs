//! The queue of effects, and the ids that tie their answers back to them.

use crate::core::effect::Effect;
use crate::core::input::OpId;

/// Effects waiting to be polled, and the counter that names them.
#[derive(Clone, Debug)]
pub(crate) struct Outbox<T> {
    last_id: u32,
    /// The effects of the current burst; those before `next` were polled already.
    effects: Vec<Option<Effect<T>>>,
    next: usize,
}

impl<T> Default for Outbox<T> {
    fn default() -> Self {
        // Room for a launch's effects from the start: a cached launch allocates nothing.
        Outbox {
            last_id: 0,
            effects: Vec::with_capacity(8),
            next: 0,
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
        self.effects.push(Some(effect));
    }

    pub(crate) fn pop(&mut self) -> Option<Effect<T>> {
        let effect = self.effects.get_mut(self.next).and_then(Option::take);
        self.next += 1;
        if self.next >= self.effects.len() {
            // All polled: the room is used again from the start.
            self.effects.clear();
            self.next = 0;
        }
        effect
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.next >= self.effects.len()
    }
}
