//! The wire: how values cross between JavaScript and the core.

pub mod codec;
pub mod decode;
pub(crate) mod io;
pub(crate) mod json;
pub(crate) mod output;
