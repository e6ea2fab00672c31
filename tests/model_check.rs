//! An exhaustive bounded model check of the core.
//!
//! From each starting storage state (absent, fresh, inside the leeway, expired, corrupt,
//! written by a clock that has since moved back, unreadable; and nothing stored with a backend
//! of its own shape, described by the `login` option: one answering in an envelope, one whose
//! session is a cookie), every interleaving of the app's
//! calls (`ensure` twice, `setUserInfo`, `request`, `logout`), `wx.login` answers (a code, a
//! failure, none), login-request answers (a session, each errcode class, 5xx, a 401, an
//! unreadable body, a network failure, a 503 and a 429 with `Retry-After`s of 2 s and 30 s,
//! and stale answers to requests already given up on),
//! answers to the app's request (accepted, 401, failed), storage writes failing, and time
//! passing to the next deadline, up to 8 steps (`MODEL_DEPTH`). Breadth first, each state visited once,
//! so the first violation found is reported with a shortest trace that reaches it.
//!
//! After every step the invariants of `tests/properties.rs` hold; from every state reached,
//! once the world answers everything, every call settles (liveness).
//!
//! `scripts/mutants` shows that it can fail: it removes one rule of the core at a time and
//! expects this check to report a counterexample.
#![cfg(not(target_arch = "wasm32"))]

mod model;

use std::time::Instant;

use model::{depth, explore, Report, Start};

#[test]
fn every_interleaving_up_to_the_depth_keeps_the_invariants_and_settles_every_call() {
    let depth = depth();
    let started = Instant::now();
    let mut total = Report::default();
    for start in Start::ALL {
        match explore(start, depth) {
            Ok(report) => {
                println!(
                    "{:<22} depth {}  states {:>8}  transitions {:>9}",
                    start.name(),
                    depth,
                    report.states,
                    report.transitions
                );
                total.add(&report);
            }
            Err(counterexample) => panic!("{counterexample}"),
        }
    }
    println!(
        "all starting states     depth {}  states {:>8}  transitions {:>9}  in {:.1} s",
        depth,
        total.states,
        total.transitions,
        started.elapsed().as_secs_f64()
    );
}
