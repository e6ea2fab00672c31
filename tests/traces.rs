//! Traces replayed against this core, natively and under wasm-bindgen-test: the fault matrix
//! as the simulator recorded it (tests/traces/, and the cold launch of `trace::SAMPLE`; a line
//! of Rust each, as the READMEs' recipe says), and every trace this run recorded when
//! `MP_SESSION_TRACES` names their folder (scripts/test records them first, from
//! tests/e2e/trace.test.js). `scripts/record-traces` records the committed ones again.

use mp_session::testing::trace::{self, Trace};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test(unsupported = test)]
fn a_cold_launch() {
    trace::replay(trace::SAMPLE).unwrap();
}

#[wasm_bindgen_test(unsupported = test)]
fn a_40029_then_a_fresh_code() {
    trace::replay(include_str!("traces/40029-then-a-fresh-code.json")).unwrap();
}

#[wasm_bindgen_test(unsupported = test)]
fn a_network_failure_retried() {
    trace::replay(include_str!("traces/network-failure-retried.json")).unwrap();
}

#[wasm_bindgen_test(unsupported = test)]
fn a_401_and_its_shared_re_login() {
    trace::replay(include_str!("traces/401-and-its-re-login.json")).unwrap();
}

#[wasm_bindgen_test(unsupported = test)]
fn a_logout_during_a_login() {
    trace::replay(include_str!("traces/logout-during-a-login.json")).unwrap();
}

#[wasm_bindgen_test(unsupported = test)]
fn a_clock_moved_back() {
    trace::replay(include_str!("traces/clock-moved-back.json")).unwrap();
}

#[wasm_bindgen_test(unsupported = test)]
fn every_trace_this_run_recorded() {
    let Some(folder) = recorded_folder() else {
        return; // Not asked for: `cargo test` alone replays the committed traces above.
    };
    let files = files_in(&folder);
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    // The fault matrix, all of it: a run that recorded less is not a run that replayed it.
    for scenario in [
        "cold-launch.json",
        "40029-then-a-fresh-code.json",
        "network-failure-retried.json",
        "401-and-its-re-login.json",
        "logout-during-a-login.json",
        "clock-moved-back.json",
    ] {
        assert!(
            names.contains(&scenario),
            "{folder} holds no {scenario}: {names:?}"
        );
    }
    for (name, text) in &files {
        let done = trace::replay(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(done.exchanges > 1 && done.effects > 0, "{name}: {done:?}");
    }
}

/// The exchange where the phone's core answered 40029 with a fresh `wx.login`.
#[wasm_bindgen_test(unsupported = test)]
fn an_edited_answer_diverges_at_its_exchange_and_names_both_sides() {
    let text = include_str!("traces/40029-then-a-fresh-code.json");
    let mut edited = Trace::parse(text).unwrap();
    let at = edited
        .exchanges
        .iter()
        .position(|x| x.slots.contains(&40029.0))
        .expect("the answer with errcode 40029");
    // The backend said 40226 instead: the core fails at once, where it took a fresh code.
    for slot in &mut edited.exchanges[at].slots {
        if *slot == 40029.0 {
            *slot = 40226.0;
        }
    }
    let error = edited.replay().unwrap_err();
    assert_eq!(error.code(), "TRACE_DIVERGED");
    let divergence = error.divergence.clone().unwrap();
    assert_eq!(divergence.exchange, at);
    assert!(
        divergence.input.contains("postResult") && divergence.input.contains("errcode 40226"),
        "{divergence:?}"
    );
    assert!(divergence.recorded[0].starts_with("login op"), "{divergence:?}");
    assert!(
        divergence
            .replayed
            .iter()
            .any(|l| l.starts_with("reject") && l.contains("40226")),
        "{divergence:?}"
    );
    assert!(
        error
            .message()
            .starts_with(&format!("the replay diverges at exchange {at} of ")),
        "{error}"
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn a_trace_of_another_layout_or_with_its_start_dropped_is_refused_with_what_to_do() {
    let text = trace::SAMPLE;
    let mut other = Trace::parse(text).unwrap();
    other.layout = "0000000000000000".into();
    let error = other.replay().unwrap_err();
    assert_eq!(error.code(), "TRACE_OTHER_LAYOUT");
    assert!(
        error.message().contains("replay it against that version"),
        "{error}"
    );

    let mut cut = Trace::parse(text).unwrap();
    cut.exchanges.remove(0);
    let error = cut.replay().unwrap_err();
    assert_eq!(error.code(), "TRACE_INCOMPLETE");

    let error = Trace::parse("{\"version\":1}").unwrap_err();
    assert_eq!(error.code(), "TRACE_UNREADABLE");
    let error = Trace::parse("INFO mp-session-trace 2/2 }").unwrap_err();
    assert!(error.message().contains("part 1 of 2 is missing"), "{error}");
}

#[wasm_bindgen_test(unsupported = test)]
fn the_timeline_shows_each_input_and_what_the_core_did() {
    let trace = Trace::parse(include_str!("traces/network-failure-retried.json")).unwrap();
    let lines = trace::timeline(&trace);
    assert!(lines.contains("failed, said \"request:fail"), "{lines}");
    assert!(lines.contains(" timeout\n"), "{lines}");
    // A string the core passed on is its handle: no code or token is in the timeline.
    assert!(lines.contains("code #0 (25 B)"), "{lines}");
}

#[cfg(not(target_arch = "wasm32"))]
fn recorded_folder() -> Option<String> {
    std::env::var("MP_SESSION_TRACES").ok().filter(|f| !f.is_empty())
}

#[cfg(not(target_arch = "wasm32"))]
fn files_in(folder: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{folder}: {e}"))
        .map(|entry| {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            (path.file_name().unwrap().to_string_lossy().into_owned(), text)
        })
        .collect();
    files.sort();
    files
}

// Under wasm-bindgen-test the tests run in Node: its `process.env` and `fs`.
#[cfg(target_arch = "wasm32")]
mod node {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "fs")]
    extern "C" {
        #[wasm_bindgen(js_name = readFileSync)]
        pub fn read_file(path: &str, encoding: &str) -> String;
        #[wasm_bindgen(js_name = readdirSync)]
        pub fn read_dir(path: &str) -> Vec<String>;
    }

    #[wasm_bindgen(
        inline_js = "export function tracesFolder() { return process.env.MP_SESSION_TRACES || '' }"
    )]
    extern "C" {
        #[wasm_bindgen(js_name = tracesFolder)]
        pub fn traces_folder() -> String;
    }
}

#[cfg(target_arch = "wasm32")]
fn recorded_folder() -> Option<String> {
    Some(node::traces_folder()).filter(|f| !f.is_empty())
}

#[cfg(target_arch = "wasm32")]
fn files_in(folder: &str) -> Vec<(String, String)> {
    let mut names = node::read_dir(folder);
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let text = node::read_file(&format!("{folder}/{name}"), "utf8");
            (name, text)
        })
        .collect()
}

/// The sample as JSON, for the tests that edit it by hand.
fn sample() -> serde_json::Value {
    serde_json::from_str(trace::SAMPLE).unwrap()
}

#[wasm_bindgen_test(unsupported = test)]
fn a_trap_on_the_phone_is_a_divergence_where_this_core_answers() {
    let mut json = sample();
    json["entries"][1]["trapped"] = "RuntimeError: unreachable".into();
    let error = trace::replay(&json.to_string()).unwrap_err();
    assert_eq!(error.code(), trace::TRACE_DIVERGED);
    let divergence = error.divergence.clone().unwrap();
    assert_eq!(divergence.exchange, 1);
    assert_eq!(
        divergence.recorded,
        ["the core trapped: RuntimeError: unreachable"]
    );
    assert!(
        divergence.replayed[0].starts_with("wait call 1"),
        "{divergence:?}"
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn numbers_json_cannot_hold_cross_as_their_names() {
    let mut json = sample();
    // The deadline slot of an output with none: -1 written as a name is refused, as text.
    json["entries"][1]["out"][2] = "minus one".into();
    let error = Trace::parse(&json.to_string()).unwrap_err();
    assert_eq!(error.code(), trace::TRACE_UNREADABLE);
    assert!(
        error
            .message()
            .contains("entries[1].out holds a string that is no number"),
        "{error}"
    );
    // Infinity as its name is a number: where the phone wrote -1, it differs, and says so.
    json["entries"][1]["out"][2] = "Infinity".into();
    let error = trace::replay(&json.to_string()).unwrap_err();
    assert_eq!(
        (error.code(), error.divergence.unwrap().exchange),
        (trace::TRACE_DIVERGED, 1)
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn hand_made_lines_and_values_are_read_within_bounds() {
    // A count of parts no line holds: the first few missing are named, not all of them.
    let error = Trace::parse("INFO mp-session-trace 1/999999999 {").unwrap_err();
    assert!(
        error
            .message()
            .contains("parts 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … of 999999999 are missing"),
        "{error}"
    );
    let error = Trace::parse("mp-session-trace 1/2 {\"a\"\nmp-session-trace 1/2 {\"b\"").unwrap_err();
    assert!(
        error.message().contains("two different lines are part 1 of 2"),
        "{error}"
    );

    // Objects whose entries all point at the same entries again, eight deep: shown within
    // a budget, not 200^8 times.
    let mut slots = vec![serde_json::Value::from(0.0); 8 * 1100];
    let mut object = |at: usize, first: usize| {
        slots[at] = 7.0.into();
        slots[at + 1] = 200.0.into();
        slots[at + 2] = (first as f64).into();
    };
    object(0, 19);
    for level in 0..7 {
        let first = 19 + level * 1100;
        for i in 0..200 {
            object(first + 5 * i + 2, first + 1100);
        }
    }
    let mut json = sample();
    json["entries"][2]["slots"] = slots.into();
    let lines = trace::timeline(&Trace::parse(&json.to_string()).unwrap());
    assert!(lines.len() < 200_000, "{} bytes", lines.len());
}
