//! What every target shares: a machine driven to the point where outside data arrives.
#![allow(dead_code)] // each target uses its own part

use mp_session::{Config, Effect, Input, LoginResult, Machine, OpId, Options, Secret, StoredSession};

pub const NOW: u64 = 1_767_225_600_000;

#[path = "../../tests/reference/mod.rs"]
mod reference_rules;
#[allow(unused_imports)] // each target uses its own part
pub use reference_rules::{
    answer_fits, answers_agree, close, fits, parsed, reference, stringify, too_deep, user_info_as_array,
    without_shim_options,
};

/// A machine after a cold launch, waiting for the backend's answer to its login POST.
/// Returns it with the POST's id.
pub fn machine_waiting_for_answer() -> (Machine, OpId) {
    let config = Config::from_options(Options::new("https://api.example.com/login")).expect("valid");
    let mut machine = Machine::new(config, [1; 16]);
    machine.handle(NOW, Input::Ensure { call: 1 });
    let mut post = None;
    for _ in 0..3 {
        while let Some(effect) = machine.poll_effect() {
            match effect {
                Effect::ReadSession { op, .. } => machine.handle(
                    NOW,
                    Input::SessionRead {
                        op,
                        found: StoredSession::Absent,
                    },
                ),
                Effect::Login { op, .. } => machine.handle(
                    NOW,
                    Input::LoginResult {
                        op,
                        result: LoginResult::Code(Secret::new("code")),
                    },
                ),
                Effect::PostCode { op, .. } => post = Some(op),
                _ => {}
            }
        }
    }
    (machine, post.expect("the login was posted"))
}

/// Carries out every effect (storage succeeds, nothing else answers) until none is left.
pub fn drain(machine: &mut Machine, now: u64) {
    while let Some(effect) = machine.poll_effect() {
        if let Effect::WriteSession { op, .. } | Effect::RemoveSession { op, .. } = effect {
            machine.handle(now, Input::StorageResult { op, result: Ok(()) });
        }
    }
}
