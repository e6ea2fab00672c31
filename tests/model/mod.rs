//! The model checker: breadth-first search over the states of a [`World`], each state
//! visited once, with the invariants checked after every step and liveness from every state.

mod world;

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};

pub use world::{Backend, Step, Stored, World};

/// Steps on each path, unless `MODEL_DEPTH` says otherwise (a deeper run takes about three
/// times as long per step).
pub fn depth() -> usize {
    std::env::var("MODEL_DEPTH")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(8)
}

/// Where a path starts: what storage holds when the app opens.
#[derive(Clone, Copy, Debug)]
pub enum Start {
    Absent,
    Fresh,
    InsideTheLeeway,
    Expired,
    Corrupt,
    ClockMovedBack,
    ReadFails,
    /// Nothing stored, and a backend of its own shape (an envelope, described by `login`).
    EnvelopeBackend,
    /// Nothing stored, and a Spring backend whose session is a cookie (described by `login`).
    CookieBackend,
}

impl Start {
    pub const ALL: [Start; 9] = [
        Start::Absent,
        Start::Fresh,
        Start::InsideTheLeeway,
        Start::Expired,
        Start::Corrupt,
        Start::ClockMovedBack,
        Start::ReadFails,
        Start::EnvelopeBackend,
        Start::CookieBackend,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Start::Absent => "nothing stored",
            Start::Fresh => "a fresh session",
            Start::InsideTheLeeway => "inside the leeway",
            Start::Expired => "an expired session",
            Start::Corrupt => "a corrupt value",
            Start::ClockMovedBack => "the clock moved back",
            Start::ReadFails => "the read throws",
            Start::EnvelopeBackend => "an envelope backend",
            Start::CookieBackend => "a cookie backend",
        }
    }

    fn world(self) -> World {
        match self {
            Start::Absent => World::new(Stored::Absent, false),
            Start::Fresh => World::new(World::fresh(), false),
            Start::InsideTheLeeway => World::new(World::in_leeway(), false),
            Start::Expired => World::new(World::expired(), false),
            Start::Corrupt => World::new(Stored::Corrupt, false),
            Start::ClockMovedBack => World::new(World::from_the_future(), false),
            Start::ReadFails => World::new(World::fresh(), true),
            Start::EnvelopeBackend => World::shaped_backend(Stored::Absent, Backend::Envelope),
            Start::CookieBackend => World::shaped_backend(Stored::Absent, Backend::Cookie),
        }
    }
}

/// What one search covered.
#[derive(Debug, Default)]
pub struct Report {
    pub states: usize,
    pub transitions: usize,
}

impl Report {
    pub fn add(&mut self, other: &Report) {
        self.states += other.states;
        self.transitions += other.transitions;
    }
}

/// A broken invariant and a shortest path to it.
#[derive(Debug)]
pub struct Counterexample {
    start: Start,
    trace: Vec<Step>,
    violation: String,
}

impl fmt::Display for Counterexample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "counterexample ({} steps), starting from {}:",
            self.trace.len(),
            self.start.name()
        )?;
        for (i, step) in self.trace.iter().enumerate() {
            writeln!(f, "  {:>2}. {step:?}", i + 1)?;
        }
        write!(f, "  => {}", self.violation)
    }
}

/// Every state reachable from `start` in at most `depth` steps.
pub fn explore(start: Start, depth: usize) -> Result<Report, Counterexample> {
    // Each state reached: the state it came from and the step taken, to rebuild a trace.
    let mut parents: Vec<(usize, Option<Step>)> = vec![(0, None)];
    let mut seen: HashSet<u64> = HashSet::new();
    let first = start.world();
    seen.insert(fingerprint(&first));
    let mut frontier = vec![(0usize, first)];
    let mut report = Report {
        states: 1,
        transitions: 0,
    };
    let found = |parents: &[(usize, Option<Step>)], at: usize, violation: &str| {
        let mut trace = Vec::new();
        let mut node = at;
        while let (parent, Some(step)) = parents[node] {
            trace.push(step);
            node = parent;
        }
        trace.reverse();
        Counterexample {
            start,
            trace,
            violation: violation.to_owned(),
        }
    };
    if let Some(violation) = liveness(&frontier[0].1) {
        return Err(found(&parents, 0, &violation));
    }
    for _ in 0..depth {
        let mut next = Vec::new();
        for (node, world) in frontier {
            for step in world.steps() {
                let mut after = world.clone();
                after.run(step);
                report.transitions += 1;
                if !seen.insert(fingerprint(&after)) {
                    continue;
                }
                parents.push((node, Some(step)));
                let id = parents.len() - 1;
                report.states += 1;
                let violation = after.violation().map(str::to_owned).or_else(|| liveness(&after));
                if let Some(violation) = violation {
                    return Err(found(&parents, id, &violation));
                }
                next.push((id, after));
            }
        }
        frontier = next;
    }
    Ok(report)
}

/// What goes wrong, if anything, when the world answers everything from `world` on.
fn liveness(world: &World) -> Option<String> {
    let mut rest = world.clone();
    rest.settle_everything();
    rest.violation().map(|v| {
        let mut message = String::from("then, answering everything: ");
        message.push_str(v);
        message
    })
}

fn fingerprint(world: &World) -> u64 {
    let mut hasher = DefaultHasher::new();
    world.key().hash(&mut hasher);
    hasher.finish()
}
