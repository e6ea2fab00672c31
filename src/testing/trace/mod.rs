//! Replaying what happened on a phone: a trace that `recorder()` of `mp-session/trace` kept
//! (`session.trace()`), fed again to this core, exchange by exchange.
//!
//! A trace holds what crossed the boundary: the session's creation (the options as the shim
//! described them, its 16 random bytes) and each input after it (what happened, its facts,
//! the time), with the output the core answered each (its effects, its deadline). The core
//! decides from those alone, so a replay gives the same effects in the same order with the
//! same deadlines, or names the first exchange where they differ and both sides. A trace from
//! a phone on version X replays against X; against a later core with the same boundary
//! ([`crate::wire::layout::layout_id`]) it shows where the behaviour changed.
//!
//! One line of a test makes a trace a regression test, natively and in wasm:
//!
//! ```
//! # let trace = mp_session::testing::trace::SAMPLE;
//! // let trace = include_str!("traces/ann-2026-12-07.json");
//! mp_session::testing::trace::replay(trace).unwrap();
//! ```
//!
//! `mp-session-trace FILE` (this crate's command) prints a trace as a timeline and replays it.

mod compare;
mod parse;
mod timeline;

use crate::host::{self, exchange};
use crate::testing::outputs::{self, Effect};
use crate::wire::layout::{effect, header, kind, layout_id, NO_DEADLINE};

pub use timeline::timeline;

/// `TRACE_UNREADABLE`: not a trace of `session.trace()`, or a line of one missing.
pub const TRACE_UNREADABLE: &str = "TRACE_UNREADABLE";
/// `TRACE_OTHER_LAYOUT`: recorded with a boundary this core reads differently.
pub const TRACE_OTHER_LAYOUT: &str = "TRACE_OTHER_LAYOUT";
/// `TRACE_INCOMPLETE`: exchanges dropped off the front, or an input before any creation.
pub const TRACE_INCOMPLETE: &str = "TRACE_INCOMPLETE";
/// `TRACE_DIVERGED`: this core answered an exchange otherwise than the phone's.
pub const TRACE_DIVERGED: &str = "TRACE_DIVERGED";

/// A cold launch on the simulator, as `session.trace()` gave it: for examples and doc tests.
pub const SAMPLE: &str = include_str!("sample.json");

/// How the line of a part begins, where a trace is split for WeChat's real-time log (`lines`
/// of `mp-session/trace`): `mp-session-trace <i>/<n> <part>`.
pub const LINE_HEAD: &str = "mp-session-trace ";

/// A trace, parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// The version of the package the trace was recorded with.
    pub version: String,
    /// The boundary's layout it was recorded with ([`layout_id`] of that version).
    pub layout: String,
    /// The options the app gave `createSession`, as JSON (the hooks, functions, left out).
    pub options: String,
    /// Exchanges dropped off the front when the recorder was full: a trace that lost any
    /// cannot be replayed (the core's state before the first one kept is unknown).
    pub dropped: u64,
    /// The exchanges, in order.
    pub exchanges: Vec<Exchange>,
}

/// One exchange with the core: what crossed in, what came out.
#[derive(Clone, Debug, PartialEq)]
pub struct Exchange {
    /// What crossed.
    pub step: Step,
    /// The input's slots as written (a string the core only passes on is its handle there).
    pub slots: Vec<f64>,
    /// The input's code units (a request URL's query blanked, its length kept).
    pub texts: Vec<u16>,
    /// The output's slots as the core wrote them (its texts' address as 0).
    pub out: Vec<f64>,
    /// The output's code units, as far as its text pairs name.
    pub out_texts: Vec<u16>,
    /// What the core threw, when it trapped instead of answering (a bug of the core's).
    pub trapped: Option<String>,
}

/// What crossed in one exchange.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    /// A session was created with these 16 random bytes, from the options in the slots.
    Create {
        /// The entropy, as the 4 words the shim passed.
        entropy: [u32; 4],
    },
    /// An input ([`crate::host::input`]).
    Input {
        /// The phone's clock, Unix milliseconds.
        now: f64,
        /// What happened ([`crate::wire::layout::kind`]).
        kind: u32,
        /// The call or the effect it answers.
        arg: u32,
        /// A number whose meaning `kind` gives.
        flag: i32,
        /// How many strings the shim's table held.
        strings: u32,
    },
}

/// What a replay went through: every exchange equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replayed {
    /// The exchanges replayed.
    pub exchanges: usize,
    /// The effects among them.
    pub effects: usize,
}

/// Why a trace did not replay, with a stable [`TraceError::code`].
#[derive(Clone, PartialEq)]
pub struct TraceError {
    code: &'static str,
    message: String,
    /// Where the replay diverged, when it did.
    pub divergence: Option<Divergence>,
}

/// The first exchange whose output differs from the one recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct Divergence {
    /// Its place among the trace's exchanges (`entries[exchange]`).
    pub exchange: usize,
    /// What crossed in, as the timeline shows it.
    pub input: String,
    /// What the phone's core answered, a line an effect, and its deadline.
    pub recorded: Vec<String>,
    /// What this core answered.
    pub replayed: Vec<String>,
}

impl TraceError {
    /// [`TRACE_UNREADABLE`], [`TRACE_OTHER_LAYOUT`], [`TRACE_INCOMPLETE`] or
    /// [`TRACE_DIVERGED`] (see [`TraceError::divergence`]).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// What went wrong, and what to do.
    pub fn message(&self) -> &str {
        &self.message
    }

    fn new(code: &'static str, message: String) -> TraceError {
        TraceError {
            code,
            message,
            divergence: None,
        }
    }
}

impl std::fmt::Display for TraceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

// `unwrap()` in a test prints this: the message itself, on lines, not escaped.
impl std::fmt::Debug for TraceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::error::Error for TraceError {}

/// Parses `text` and replays it ([`Trace::parse`], [`Trace::replay`]).
pub fn replay(text: &str) -> Result<Replayed, TraceError> {
    Trace::parse(text)?.replay()
}

impl Trace {
    /// A trace from the JSON of `session.trace()`, or from the lines `lines()` of
    /// `mp-session/trace` split it into for the real-time log (each line may carry more
    /// before its head, as a log's export adds; in any order).
    pub fn parse(text: &str) -> Result<Trace, TraceError> {
        parse::parse(text)
    }

    /// Feeds every exchange to this core, in a session of its own, and compares each output
    /// with the one recorded: the effects (a session's id in the module aside, which is
    /// wherever the module puts it), their order, and the deadline.
    pub fn replay(&self) -> Result<Replayed, TraceError> {
        let layout = layout_id();
        if self.layout != layout {
            return Err(TraceError::new(
                TRACE_OTHER_LAYOUT,
                format!(
                    "recorded with mp-session {} (layout {}), whose boundary this core (layout {layout}) reads \
                     differently: replay it against that version",
                    self.version, self.layout
                ),
            ));
        }
        if self.dropped > 0 {
            return Err(TraceError::new(
                TRACE_INCOMPLETE,
                format!(
                    "the recorder was full and dropped the first {} exchanges: the core's state before the first \
                     one kept is unknown; give recorder({{ limit }}) more room",
                    self.dropped
                ),
            ));
        }
        let mut session = None;
        let mut effects = 0;
        let result = self.exchanges.iter().enumerate().try_for_each(|(i, x)| {
            exchange::put(&x.slots, &x.texts);
            match x.step {
                Step::Create { entropy } => {
                    if let Some(id) = session.take() {
                        host::close(id);
                    }
                    host::create(host::entropy_of_words(entropy));
                }
                Step::Input {
                    now,
                    kind,
                    arg,
                    flag,
                    strings,
                } => {
                    let Some(id) = session else {
                        return Err(TraceError::new(
                            TRACE_INCOMPLETE,
                            format!("entries[{i}] is an input before any session was created"),
                        ));
                    };
                    host::input(id, kind, arg, flag, now, strings);
                }
            }
            let (slots, texts) = exchange::take();
            let replayed = Output::read(&slots, &texts).map_err(|e| unreadable(i, "this core's", &e))?;
            // Where the phone's core trapped, this one answered (had it trapped too, the replay
            // would have stopped above, with its panic).
            if x.trapped.is_some() {
                return Err(self.diverged(i, None, &replayed));
            }
            let recorded =
                Output::read(&x.out, &x.out_texts).map_err(|e| unreadable(i, "the recorded", &e))?;
            if let Step::Create { .. } = x.step {
                session = replayed.created();
            }
            if !compare::same(&recorded, &replayed) {
                return Err(self.diverged(i, Some(&recorded), &replayed));
            }
            effects += replayed.effects.len();
            Ok(())
        });
        if let Some(id) = session {
            host::close(id);
        }
        result.map(|()| Replayed {
            exchanges: self.exchanges.len(),
            effects,
        })
    }

    /// The divergence at exchange `at`: what the phone's core answered (`None`: it trapped)
    /// and what this one did.
    fn diverged(&self, at: usize, recorded: Option<&Output>, replayed: &Output) -> TraceError {
        let origin = timeline::origin(self);
        let x = &self.exchanges[at];
        let divergence = Divergence {
            exchange: at,
            input: timeline::input(x, origin).trim_start().to_owned(),
            recorded: match recorded {
                Some(output) => timeline::output(output, origin),
                None => vec![format!(
                    "the core trapped: {}",
                    x.trapped.as_deref().unwrap_or_default()
                )],
            },
            replayed: timeline::output(replayed, origin),
        };
        let mut message = format!(
            "the replay diverges at exchange {at} of {} ({}), recorded with mp-session {}, replayed with {}:\n  recorded:",
            self.exchanges.len(),
            divergence.input,
            self.version,
            env!("CARGO_PKG_VERSION")
        );
        for line in &divergence.recorded {
            message.push_str("\n    ");
            message.push_str(line);
        }
        message.push_str("\n  replayed:");
        for line in &divergence.replayed {
            message.push_str("\n    ");
            message.push_str(line);
        }
        TraceError {
            code: TRACE_DIVERGED,
            message,
            divergence: Some(divergence),
        }
    }
}

fn unreadable(at: usize, whose: &str, error: &str) -> TraceError {
    TraceError::new(
        TRACE_UNREADABLE,
        format!("exchange {at}: {whose} output does not follow the layout ({error})"),
    )
}

/// An output, read.
#[derive(Clone, Debug, PartialEq)]
struct Output {
    effects: Vec<Effect>,
    more: bool,
    /// Unix ms, or [`NO_DEADLINE`].
    deadline: f64,
}

impl Output {
    fn read(slots: &[f64], texts: &[u16]) -> Result<Output, String> {
        let at = |slot: usize| slots.get(slot).copied().unwrap_or(f64::NAN);
        Ok(Output {
            effects: outputs::effects(slots, texts)?,
            more: at(header::MORE) == 1.0,
            deadline: at(header::DEADLINE),
        })
    }

    /// The session a creation made.
    fn created(&self) -> Option<u32> {
        let made = self.effects.first().filter(|e| e.tag == effect::CREATED)?;
        made.get("id").number_or_nan().map(|id| id as u32)
    }

    fn has_deadline(&self) -> bool {
        self.deadline != NO_DEADLINE
    }
}

trait NumberOrNan {
    fn number_or_nan(&self) -> Option<f64>;
}

impl NumberOrNan for outputs::Read {
    fn number_or_nan(&self) -> Option<f64> {
        match self {
            outputs::Read::Number(n) => Some(*n),
            _ => None,
        }
    }
}

// The kinds the timeline names are the layout's, all of them.
const _: () = assert!(kind::MORE as usize + 1 == kind::ALL.len());
