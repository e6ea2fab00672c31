//! `mp-session-trace FILE...`: prints each trace (the JSON of `session.trace()`, or the lines
//! `lines()` of `mp-session/trace` split it into for the real-time log) as a timeline, then
//! replays it against this core. Exits 1 when a trace does not replay, 2 on a usage error;
//! `--help` prints the usage.

use std::process::ExitCode;

use mp_session::testing::trace::{timeline, Trace};

fn main() -> ExitCode {
    let files: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: mp-session-trace FILE...\n\
         prints each trace (session.trace() as JSON, or the lines of lines() from the real-time log) as a \
         timeline, then replays it against this core: exit 0 when every exchange is equal";
    if files.iter().any(|f| f == "-h" || f == "--help") {
        println!("{usage}");
        return ExitCode::SUCCESS;
    }
    if files.is_empty() {
        eprintln!("{usage}");
        return ExitCode::from(2);
    }
    let mut failed = false;
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("{file}: {error}");
                failed = true;
                continue;
            }
        };
        let trace = match Trace::parse(&text) {
            Ok(trace) => trace,
            Err(error) => {
                eprintln!("{file}: {error}");
                failed = true;
                continue;
            }
        };
        println!("{file}\n{}", timeline(&trace));
        match trace.replay() {
            Ok(done) => println!(
                "replayed: {} exchanges, {} effects, every one equal\n",
                done.exchanges, done.effects
            ),
            Err(error) => {
                println!("{error}\n");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
