//! The host: the wasm module around the core. It exports five functions that take numbers,
//! keeps the exchange (the slots and the texts area of `crate::wire`) in linear memory,
//! and holds the app's sessions, one [`Machine`] each. A call feeds one input to a session
//! and writes everything that followed into the slots; JavaScript reads them and carries
//! the effects out with `wx.*`. The core calls nothing in JavaScript: a cached launch is two
//! calls in (`ensure`, then the storage read's facts) and none out.
//!
//! ```text
//!   mps_slots() -> address              the slots (f64), where facts go in and effects come out
//!   mps_texts(units) -> address         the texts area, made to hold at least `units`
//!   mps_create(e0, e1, e2, e3)          a session from the options described in the slots
//!   mps_input(id, kind, arg, flag, now, strings)   one input (see `crate::wire::layout::kind`)
//!   mps_close(id)                       the session is gone
//! ```
//!
//! The same functions serve native callers and tests through [`exchange`].

// The allocator and the memory builtins are the shipped module's (`--cfg mp_session_module`,
// set by scripts/build), never a program's that depends on the crate.
#[cfg(all(target_arch = "wasm32", mp_session_module))]
pub(crate) mod alloc;
#[cfg(all(target_arch = "wasm32", mp_session_module))]
mod mem;
#[cfg(all(feature = "web", target_arch = "wasm32"))]
mod web;
#[cfg(all(feature = "web", target_arch = "wasm32"))]
pub mod web_storage;

use crate::core::config::Config;
use crate::core::input::Input;
use crate::core::machine::Machine;
use crate::wire::facts::{self, Facts};
use crate::wire::inputs::{feed, Fed};
use crate::wire::layout::SLOTS;
use crate::wire::output::Output;

/// How the strings a session passes on cross: by handle from a mini-program, whose
/// JavaScript keeps them; as text in a web page's build, whose storage is the core's own.
#[cfg(not(feature = "web"))]
type PassedText = crate::wire::Handle;
#[cfg(feature = "web")]
type PassedText = String;

/// One session (one namespace) of the app, as the module keeps it.
#[derive(Debug)]
struct HostedSession {
    machine: Machine<PassedText>,
    /// Strings JavaScript's table held after the last compaction (see [`compact`]).
    #[cfg(not(feature = "web"))]
    kept: u32,
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    web: web::WebSide,
}

/// What the module holds: the exchange (slots and texts area) and the sessions.
#[derive(Debug)]
struct Module {
    slots: [f64; SLOTS],
    texts: Vec<u16>,
    sessions: Vec<Option<HostedSession>>,
}

const EMPTY: Module = Module {
    slots: [0.0; SLOTS],
    texts: Vec::new(),
    sessions: Vec::new(),
};

/// The module's state, for one exported call. The exports never call one another, so one
/// call holds it alone.
#[cfg(target_arch = "wasm32")]
fn with_module<R>(f: impl FnOnce(&mut Module) -> R) -> R {
    struct Cell(core::cell::UnsafeCell<Module>);
    // SAFETY: wasm32 without the atomics feature runs one thread.
    unsafe impl Sync for Cell {}
    static MODULE: Cell = Cell(core::cell::UnsafeCell::new(EMPTY));
    // SAFETY: one thread, and no export runs inside another: this is the only reference.
    f(unsafe { &mut *MODULE.0.get() })
}

/// The module's state, for one call (natively: each test thread has its own).
#[cfg(not(target_arch = "wasm32"))]
fn with_module<R>(f: impl FnOnce(&mut Module) -> R) -> R {
    thread_local! {
        static MODULE: std::cell::RefCell<Module> = const { std::cell::RefCell::new(EMPTY) };
    }
    MODULE.with(|module| f(&mut module.borrow_mut()))
}

/// Creates a session from the options described in the slots (and the platform the shim
/// runs on, at [`crate::wire::layout::HOST_PLATFORM_AT`]) and 16 random bytes; the output is
/// `CREATED` with the storage keys, or `REJECT` (`INVALID_CONFIG`) naming the option that
/// is wrong.
pub fn create(entropy: [u8; 16]) {
    with_module(|module| {
        let made = new_session(Facts::new(&module.slots, &module.texts), entropy);
        let mut out = Output::new(&mut module.slots, &mut module.texts);
        match made {
            Ok(session) => {
                let sessions = &mut module.sessions;
                let id = match sessions.iter().position(Option::is_none) {
                    Some(free) => free,
                    None => {
                        sessions.push(None);
                        sessions.len() - 1
                    }
                };
                out.created(id as u32, session.machine.config());
                sessions[id] = Some(session);
            }
            Err(error) => out.not_created(&error),
        }
        out.finish(false, None);
    })
}

#[cfg(not(all(feature = "web", target_arch = "wasm32")))]
fn new_session(facts: Facts<'_>, entropy: [u8; 16]) -> Result<HostedSession, crate::Error> {
    let host = facts.text(crate::wire::layout::HOST_PLATFORM_AT);
    let config = Config::from_options(facts::options(facts)?.running_on(host.as_deref()))?;
    Ok(HostedSession {
        machine: Machine::new(config, entropy),
        #[cfg(not(feature = "web"))]
        kept: 0,
    })
}

#[cfg(all(feature = "web", target_arch = "wasm32"))]
fn new_session(facts: Facts<'_>, entropy: [u8; 16]) -> Result<HostedSession, crate::Error> {
    let oauth = crate::core::oauth::OAuth::from_options(facts::web_options(facts)?)?;
    let config = Config::from_options(facts::options(facts)?)?.for_platform(crate::Platform::Web);
    if let Some(crate::core::config::TokenCarrier::Cookie(_)) = config.login_shape().answer.token_carrier() {
        return Err(crate::Error::invalid_config(
            "login.answer.token.cookie is for mini-programs: a browser keeps a page's cookies itself and shows no script their Set-Cookie",
        ));
    }
    if config.background_fetch_token() {
        return Err(crate::Error::invalid_config(
            "backgroundFetchToken is for mini-programs (wx.setBackgroundFetchToken), not web pages",
        ));
    }
    Ok(HostedSession {
        machine: Machine::new(config, entropy),
        web: web::WebSide::new(oauth),
    })
}

/// Feeds session `id` one input at time `now` (Unix ms), its facts in the slots, and writes
/// its effects there. `kind` says what happened (see [`crate::wire::layout::kind`]), `arg` is
/// the call or the effect's id, `flag` a small number whose meaning `kind` gives, `strings`
/// how many strings JavaScript's table for the session holds. An unknown session or kind
/// gives an output with no effects.
#[cfg_attr(mp_session_tuned, optimize(speed))]
pub fn input(id: u32, kind: u32, arg: u32, flag: i32, now: f64, strings: u32) {
    let now = time(now);
    with_module(|module| {
        let Some(Some(session)) = module.sessions.get_mut(id as usize) else {
            return Output::new(&mut module.slots, &mut module.texts).finish(false, None);
        };
        let facts = Facts::new(&module.slots, &module.texts);
        let fed = feed(kind, arg, flag, facts, &mut session.machine, now);
        let mut out = Output::new(&mut module.slots, &mut module.texts);
        match fed {
            Fed::Handled | Fed::More | Fed::Nothing => {}
            Fed::Timeout => session.machine.handle_timeout(now),
            Fed::Current => {
                session.machine.handle(now, Input::Load);
                out.current(session.machine.current(now).as_ref());
            }
            Fed::Rejected(call, error) => out.effect(
                &crate::Effect::Settle {
                    calls: crate::Calls::One(call),
                    result: Err(error),
                },
                session.machine.config(),
            ),
        }
        let more = session.drain(now, &mut out);
        if !more {
            compact(session, strings, &mut out);
        }
        out.finish(more, session.machine.poll_timeout());
    })
}

/// Drops session `id`.
pub fn close(id: u32) {
    with_module(|module| {
        if let Some(session) = module.sessions.get_mut(id as usize) {
            *session = None;
        }
    });
}

impl HostedSession {
    /// Writes effects into `out` while there is room, after the web side took those it
    /// carries out itself; `true` when some are left for the next call (`MORE`).
    #[cfg_attr(mp_session_tuned, optimize(speed))]
    fn drain(&mut self, now: u64, out: &mut Output) -> bool {
        while out.has_room() {
            let Some(effect) = self.machine.poll_effect() else {
                return false;
            };
            #[cfg(all(feature = "web", target_arch = "wasm32"))]
            match self.web.carry_out(effect, self.machine.config(), out) {
                Ok(Some(input)) => self.machine.handle(now, input),
                Ok(None) => {}
                Err(effect) => out.effect(&effect, self.machine.config()),
            }
            #[cfg(not(all(feature = "web", target_arch = "wasm32")))]
            {
                let _ = now;
                out.effect(&effect, self.machine.config());
            }
        }
        self.machine.has_effects()
    }
}

/// Once JavaScript's table for a session has grown well past what the session holds, the
/// table is compacted: the strings the machine still holds are renumbered from 0 and the
/// output ends with their old places (`TABLE`), so that the table holds only those.
#[cfg(not(feature = "web"))]
fn compact(session: &mut HostedSession, strings: u32, out: &mut Output) {
    /// The table may hold this many strings more than twice those kept.
    const SLACK: u32 = 64;
    if strings <= session.kept.saturating_mul(2).saturating_add(SLACK) {
        return;
    }
    // The strings held, each once, in the order first met (they are few: a search will do).
    let mut ids: Vec<u32> = Vec::new();
    session.machine.texts_mut(&mut |handle| {
        if !ids.contains(&handle.id()) {
            ids.push(handle.id());
        }
    });
    if !out.table(&ids) {
        return;
    }
    session.machine.texts_mut(&mut |handle| {
        if let Some(place) = ids.iter().position(|&id| id == handle.id()) {
            *handle = handle.moved_to(place as u32);
        }
    });
    session.kept = ids.len() as u32;
}

/// A web page's strings cross as text: there is no table to compact.
#[cfg(feature = "web")]
fn compact(_: &mut HostedSession, _: u32, _: &mut Output) {}

/// A time from JavaScript (`Date.now()`) as Unix milliseconds; anything that is not one is 0.
fn time(now: f64) -> u64 {
    if now > 0.0 && now <= crate::core::limits::MAX_SAFE_INTEGER as f64 {
        // SAFETY: within u64's range (checked just above): no second range check is needed.
        unsafe { now.to_int_unchecked::<u64>() }
    } else {
        0
    }
}

/// The exchange's slots, as a slice of the module's memory.
fn slots_address() -> usize {
    with_module(|module| module.slots.as_ptr() as usize)
}

/// `mps_slots()`: where the slots are (they never move).
#[no_mangle]
pub extern "C" fn mps_slots() -> u32 {
    slots_address() as u32
}

/// `mps_texts(units)`: makes the texts area hold at least `units` code units and returns
/// where it starts (it moves only when it grows).
#[no_mangle]
pub extern "C" fn mps_texts(units: u32) -> u32 {
    with_module(|module| {
        let texts = &mut module.texts;
        let units = (units as usize).min(crate::core::limits::MAX_INPUT_UNITS);
        if texts.len() < units {
            texts.resize(units, 0);
        }
        texts.as_ptr() as usize as u32
    })
}

/// `mps_create(e0, e1, e2, e3)`: [`create`] with the entropy as four numbers.
#[no_mangle]
pub extern "C" fn mps_create(e0: u32, e1: u32, e2: u32, e3: u32) {
    create(entropy_of_words([e0, e1, e2, e3]));
}

/// The 16 bytes of entropy JavaScript passes as four 32-bit words (little-endian each).
pub(crate) fn entropy_of_words(words: [u32; 4]) -> [u8; 16] {
    let mut entropy = [0u8; 16];
    for (chunk, word) in entropy.chunks_exact_mut(4).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    entropy
}

/// `mps_input(id, kind, arg, flag, now, strings)`: [`input`].
#[no_mangle]
pub extern "C" fn mps_input(id: u32, kind: u32, arg: u32, flag: i32, now: f64, strings: u32) {
    input(id, kind, arg, flag, now, strings);
}

/// `mps_close(id)`: [`close`].
#[no_mangle]
pub extern "C" fn mps_close(id: u32) {
    close(id);
}

/// The exchange as JavaScript sees it, for tests of the boundary itself: write the slots and
/// texts of an input, call, read the slots and texts of the output (a test tool: not part of
/// the crate's documented API).
#[doc(hidden)]
pub mod exchange {
    use super::with_module;
    use crate::wire::layout::SLOTS;

    /// Copies `slots` (at most all of them) and `texts` into the exchange.
    pub fn put(slots: &[f64], texts: &[u16]) {
        with_module(|module| {
            let n = slots.len().min(SLOTS);
            module.slots[..n].copy_from_slice(&slots[..n]);
            module.slots[n..].fill(0.0);
            module.texts.clear();
            module.texts.extend_from_slice(texts);
        })
    }

    /// The slots and the texts as the last call left them.
    pub fn take() -> (Vec<f64>, Vec<u16>) {
        with_module(|module| (module.slots.to_vec(), module.texts.clone()))
    }
}
