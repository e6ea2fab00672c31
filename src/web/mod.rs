//! Web pages (official accounts): the same core, with codes from the OAuth redirect and the
//! session in browser storage.

pub mod oauth;
#[cfg(target_arch = "wasm32")]
pub mod storage;
