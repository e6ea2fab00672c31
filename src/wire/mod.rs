//! The wire: how values cross between JavaScript and the core, in the module's memory.
//!
//! JavaScript parses (the stored record, the backend's answer) with the engine's own
//! `JSON.parse` and writes the *facts* of what it found into the exchange's slots: each
//! field's kind, its number, its string's length; the core judges them (`facts/`). A
//! string the core only passes on (an openid, a token, a login code, a nickname) stays in
//! JavaScript, named by a [`Handle`]: its place in a table JavaScript keeps for the session,
//! with its length. Strings the core reads character by character (the options, a request's
//! URL, what the platform said about a failure) cross once, as UTF-16 code units in the
//! texts area. The core answers in the same slots: its effects as numbers, its own words as
//! code units, the strings it passes on by handle (`output.rs`). Where each number sits is
//! `layout/`, which also generates `js-shim/layout.js`, the same description for the shim.
//!
//! A web page's build crosses the same way, with its strings as code units instead of
//! handles (browsers have a JIT, and its storage is the core's own).

#![deny(unsafe_code)]

pub(crate) mod facts;
mod handle;
pub(crate) mod inputs;
pub mod layout;
pub(crate) mod output;
pub(crate) mod text;

pub use handle::Handle;
