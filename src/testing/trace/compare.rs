//! Whether two outputs are the same: what a replay asserts of each exchange.

use super::Output;
use crate::testing::outputs::{Effect, Read};
use crate::wire::layout::effect;

/// The same effects in the same order, the same deadline, the same `MORE`; a session's id in
/// a `created` aside (the module gives the first free place), and a number the same when both
/// are NaN (the JSON of a trace holds NaN as null).
pub(super) fn same(recorded: &Output, replayed: &Output) -> bool {
    recorded.more == replayed.more
        && number(recorded.deadline, replayed.deadline)
        && recorded.effects.len() == replayed.effects.len()
        && recorded
            .effects
            .iter()
            .zip(&replayed.effects)
            .all(|(a, b)| same_effect(a, b))
}

fn same_effect(a: &Effect, b: &Effect) -> bool {
    if a.tag != b.tag {
        return false;
    }
    match (&a.parts, &b.parts) {
        (Read::Object(x), Read::Object(y)) if a.tag == effect::CREATED => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((n, u), (m, v))| n == m && (*n == "id" || same_read(u, v)))
        }
        (x, y) => same_read(x, y),
    }
}

fn same_read(a: &Read, b: &Read) -> bool {
    match (a, b) {
        (Read::Number(x), Read::Number(y)) => number(*x, *y),
        (Read::Object(x), Read::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((n, u), (m, v))| n == m && same_read(u, v))
        }
        (Read::List(x), Read::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(u, v)| same_read(u, v)),
        _ => a == b,
    }
}

fn number(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}
