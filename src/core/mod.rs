//! The decisions: the launch-flow state machine and the judgements it makes (the stored
//! record, the backend's answer, the options). Pure Rust: inputs in, effects out, time and
//! randomness passed in; nothing here knows JavaScript.

#![deny(unsafe_code)]

pub(crate) mod answer;
pub(crate) mod app_requests;
pub(crate) mod backoff;
pub(crate) mod config;
pub(crate) mod device;
pub(crate) mod digits;
pub(crate) mod effect;
pub(crate) mod error;
pub(crate) mod input;
pub(crate) mod limits;
pub(crate) mod machine;
pub mod oauth;
pub(crate) mod outbox;
pub(crate) mod record;
pub(crate) mod rng;
pub(crate) mod secret;
pub(crate) mod session;
pub(crate) mod text;
pub(crate) mod url;
pub(crate) mod user_info;
