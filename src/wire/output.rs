//! What one call hands back to JavaScript, as one JSON text:
//! `{"e":[effects],"s":[sessions],"t":deadline|null}`, written front to back in one string
//! (effects first: the sessions they refer to are known only once they are written).
//!
//! `t` is the machine's deadline (Unix ms; the shim keeps one timer for it); `s` holds each
//! distinct session the effects refer to, written once however many calls it settles; `e` is
//! the effects in order, each an array whose first element says what it is (see [`Kind`]).

use crate::core::digits::push_number;
use crate::wire::codec::{push_error, push_record, push_session};
use crate::wire::json::push_string;
use crate::{Config, Effect, Session, Settled, DEVICE_ID_KEY};

/// The first element of each effect in the output.
#[derive(Clone, Copy, Debug)]
#[repr(u8)]
pub(crate) enum Kind {
    /// `[0, op, key]`: read storage; answer with `SESSION_READ`.
    ReadSession = 0,
    /// `[1, op, key, record]`: write the record (an object) under the key.
    WriteSession = 1,
    /// `[2, op, key]`: remove the key.
    RemoveSession = 2,
    /// `[3, op, key]`: read the device id; answer with `DEVICE_ID_READ`.
    ReadDeviceId = 3,
    /// `[4, op, key, id]`: write the device id.
    WriteDeviceId = 4,
    /// `[5, op, timeoutMs]`: call `wx.login`.
    Login = 5,
    /// `[6, op, url, body, timeoutMs]`: POST the body (an object) as JSON.
    PostCode = 6,
    /// `[7, op]`: abort the login request.
    Abort = 7,
    /// `[8, op, call, headerName, headerValue, token]`: send the app's request.
    SendRequest = 8,
    /// `[9, call, 0, session]` / `[9, call, 1, deviceId]` / `[9, call, 2]` / `[9, call, 3, op]`:
    /// resolve a call with a session (its index in `s`), the device id, nothing, or the answer
    /// to the request `op`.
    Resolve = 9,
    /// `[10, call, error]`: reject a call.
    Reject = 10,
    /// `[11, session | null]`: tell the `onChange` listeners.
    Changed = 11,
    /// `[12, title]`: show a toast.
    Toast = 12,
    /// `[13, url]`: web pages: leave for the OAuth authorize page.
    Redirect = 13,
    /// `[14, session | null]`: what `current()` returns.
    Current = 14,
    /// `[15, op, name, data, timeoutMs]`: call the cloud function `name` with `data` (an
    /// object); answer with `POST_RESULT`, status 200 and its `result` as JSON.
    CallFunction = 15,
}

/// The output being written.
#[derive(Debug)]
pub(crate) struct Output {
    /// `{"e":[` and the effects so far.
    text: String,
    /// Each distinct session the effects refer to.
    sessions: Vec<Session>,
}

impl Default for Output {
    fn default() -> Output {
        // Room for a launch's effects at once: growing a string copies it.
        let mut text = String::with_capacity(512);
        text.push_str("{\"e\":[");
        Output {
            text,
            sessions: Vec::new(),
        }
    }
}

impl Output {
    /// Starts an effect of kind `kind`; its fields follow with [`Output::number`] and friends.
    fn start(&mut self, kind: Kind) {
        let first = self.text.ends_with('[');
        self.text.push_str(if first { "[" } else { ",[" });
        push_number(&mut self.text, kind as u64);
    }

    fn number(&mut self, n: u64) {
        self.text.push(',');
        push_number(&mut self.text, n);
    }

    fn text(&mut self, text: &str) {
        self.text.push(',');
        push_string(&mut self.text, text);
    }

    fn opt_text(&mut self, text: Option<&str>) {
        match text {
            Some(text) => self.text(text),
            None => self.text.push_str(",null"),
        }
    }

    fn end(&mut self) {
        self.text.push(']');
    }

    /// A session's index in `s`, adding it if it is not there yet.
    fn session(&mut self, session: Option<&Session>) {
        let Some(session) = session else {
            return self.text.push_str(",null");
        };
        let index = match self.sessions.iter().position(|s| s == session) {
            Some(index) => index,
            None => {
                self.sessions.push(session.clone());
                self.sessions.len() - 1
            }
        };
        self.number(index as u64);
    }

    /// Adds what `current()` returns.
    pub(crate) fn current(&mut self, session: Option<&Session>) {
        self.start(Kind::Current);
        self.session(session);
        self.end();
    }

    /// Adds a redirect to `url` (web pages).
    #[cfg_attr(not(all(feature = "web", target_arch = "wasm32")), allow(dead_code))]
    pub(crate) fn redirect(&mut self, url: &str) {
        self.start(Kind::Redirect);
        self.text(url);
        self.end();
    }

    /// Adds one effect of the machine.
    pub(crate) fn effect(&mut self, effect: &Effect, config: &Config) {
        match effect {
            Effect::ReadSession { op } => {
                self.start(Kind::ReadSession);
                self.number(op.0.into());
                self.text(config.storage_key());
            }
            Effect::WriteSession { op, record } => {
                self.start(Kind::WriteSession);
                self.number(op.0.into());
                self.text(config.storage_key());
                self.text.push(',');
                push_record(&mut self.text, record);
            }
            Effect::RemoveSession { op } => {
                self.start(Kind::RemoveSession);
                self.number(op.0.into());
                self.text(config.storage_key());
            }
            Effect::ReadDeviceId { op } => {
                self.start(Kind::ReadDeviceId);
                self.number(op.0.into());
                self.text(DEVICE_ID_KEY);
            }
            Effect::WriteDeviceId { op, id } => {
                self.start(Kind::WriteDeviceId);
                self.number(op.0.into());
                self.text(DEVICE_ID_KEY);
                self.text(id);
            }
            Effect::Login { op, timeout_ms } => {
                self.start(Kind::Login);
                self.number(op.0.into());
                self.number((*timeout_ms).into());
            }
            Effect::PostCode { op, body, timeout_ms } => {
                self.start(Kind::PostCode);
                self.number(op.0.into());
                self.text(config.login_url().unwrap_or_default());
                self.text.push_str(if body.anonymous {
                    ",{\"anonymousCode\":"
                } else {
                    ",{\"code\":"
                });
                push_string(&mut self.text, body.code.expose());
                self.text.push_str(",\"platform\":");
                push_string(&mut self.text, body.platform);
                self.text.push('}');
                self.number((*timeout_ms).into());
            }
            Effect::CallFunction { op, timeout_ms } => {
                self.start(Kind::CallFunction);
                self.number(op.0.into());
                let name = match config.exchange() {
                    crate::Exchange::CloudFunction(name) => name.as_str(),
                    crate::Exchange::Url(_) => "",
                };
                self.text(name);
                self.text.push_str(",{\"platform\":");
                push_string(&mut self.text, config.platform().as_str());
                self.text.push('}');
                self.number((*timeout_ms).into());
            }
            Effect::Abort { op } => {
                self.start(Kind::Abort);
                self.number(op.0.into());
            }
            Effect::SendRequest { op, call, token } => {
                self.start(Kind::SendRequest);
                self.number(op.0.into());
                self.number((*call).into());
                let header = token.as_ref().map(|t| config.token_header_for(t));
                self.opt_text(header.as_ref().map(|h| h.name.as_str()));
                self.opt_text(header.as_ref().map(|h| h.value.expose()));
                self.opt_text(token.as_ref().map(|t| t.expose()));
            }
            Effect::Settle {
                call,
                result: Ok(settled),
            } => {
                self.start(Kind::Resolve);
                self.number((*call).into());
                match settled {
                    Settled::Session(session) => {
                        self.number(0);
                        self.session(Some(session));
                    }
                    Settled::DeviceId(id) => {
                        self.number(1);
                        self.text(id);
                    }
                    Settled::Done => self.number(2),
                    Settled::Response { op } => {
                        self.number(3);
                        self.number(op.0.into());
                    }
                }
            }
            Effect::Settle {
                call,
                result: Err(error),
            } => {
                self.start(Kind::Reject);
                self.number((*call).into());
                self.text.push(',');
                push_error(&mut self.text, error);
            }
            Effect::Changed { session } => {
                self.start(Kind::Changed);
                self.session(session.as_ref());
            }
            Effect::Toast => {
                self.start(Kind::Toast);
                self.text(config.failure_toast().unwrap_or_default());
            }
        }
        self.end();
    }

    /// The whole output, with the machine's deadline.
    pub(crate) fn finish(mut self, deadline: Option<u64>) -> String {
        self.text.push_str("],\"s\":[");
        for (i, session) in self.sessions.iter().enumerate() {
            if i > 0 {
                self.text.push(',');
            }
            push_session(&mut self.text, session);
        }
        self.text.push_str("],\"t\":");
        match deadline {
            Some(at) => push_number(&mut self.text, at),
            None => self.text.push_str("null"),
        }
        self.text.push('}');
        self.text
    }
}
