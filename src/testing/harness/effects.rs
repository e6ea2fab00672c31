//! How the harness carries out each effect: storage at once, `wx.login` and requests queued
//! for `step()`, timers on the fake clock, and the checks of what must never happen.

use super::{Harness, Pending};
use crate::core::effect::{Effect, DEVICE_ID_KEY};
use crate::core::input::{CallId, Input, OpId, PlatformError};
use crate::core::record::StoredSession;
use crate::core::secret::Secret;
use crate::testing::{ApiRequest, Stored};

impl Harness {
    /// Carries out `effect`, which settles the calls `settled`.
    pub(super) fn carry_out(&mut self, effect: Effect, settled: Vec<CallId>) {
        match effect {
            Effect::ReadSession { op } => {
                let key = self.config.storage_key().to_owned();
                self.counts.reads += 1;
                let found = if self.fail_reads {
                    StoredSession::Failed
                } else {
                    match self.storage.get(&key) {
                        None => StoredSession::Absent,
                        Some(Stored::Record(record)) => StoredSession::Found(record.clone()),
                        Some(Stored::Text(text)) if text.is_empty() => StoredSession::Absent,
                        Some(Stored::Text(_) | Stored::Unreadable) => StoredSession::Unreadable,
                    }
                };
                self.machine.handle(self.now, Input::SessionRead { op, found });
            }
            Effect::ReadDeviceId { op } => {
                self.counts.reads += 1;
                let found = match self.storage.get(DEVICE_ID_KEY) {
                    Some(Stored::Text(text)) if !self.fail_reads => Some(text.clone()),
                    _ => None,
                };
                self.machine.handle(self.now, Input::DeviceIdRead { op, found });
            }
            Effect::WriteSession { op, record } => {
                let key = self.config.storage_key().to_owned();
                self.counts.writes += 1;
                if !self.fail_writes {
                    self.storage.insert(key, Stored::Record(record));
                }
                self.storage_result(op);
            }
            Effect::WriteDeviceId { op, id } => {
                self.counts.writes += 1;
                if !self.fail_writes {
                    self.storage.insert(DEVICE_ID_KEY.to_owned(), Stored::Text(id));
                }
                self.storage_result(op);
            }
            Effect::RemoveSession { op } => {
                let key = self.config.storage_key().to_owned();
                self.counts.removes += 1;
                if !self.fail_writes {
                    self.storage.remove(&key);
                }
                self.storage_result(op);
            }
            Effect::Login { op, .. } => {
                assert!(
                    !self.pending.iter().any(|p| matches!(p, Pending::Login(_))),
                    "a second wx.login was called while one was under way"
                );
                self.counts.logins += 1;
                self.pending.push_back(Pending::Login(op));
            }
            Effect::PostCode { op, body, .. } => {
                let code = body.code.expose().to_owned();
                assert!(!self.codes_posted.contains(&code), "code {code} was posted twice");
                self.counts.posts += 1;
                self.codes_posted.push(code);
                self.pending.push_back(Pending::Post(op, body.code));
            }
            Effect::CallFunction { op, .. } => {
                // The backend stands for the cloud function; no code was made.
                self.counts.posts += 1;
                self.pending.push_back(Pending::Post(op, Secret::new("")));
            }
            Effect::SendRequest { op, token, .. } => {
                let call = self.ledger.calls_of(op).first().copied().unwrap_or_default();
                let url = self.request_urls.get(&call).cloned().unwrap_or_default();
                let header = token.map(|token| {
                    let header = self.config.token_header_for(&token);
                    (header.name, header.value.expose().to_owned())
                });
                self.counts.sends += 1;
                self.pending
                    .push_back(Pending::Send(op, ApiRequest { url, header }));
                let in_flight = self
                    .pending
                    .iter()
                    .filter(|p| matches!(p, Pending::Send(..)))
                    .count();
                let posting = self
                    .pending
                    .iter()
                    .filter(|p| matches!(p, Pending::Post(..)))
                    .count();
                assert!(
                    in_flight + posting <= 10,
                    "more than 10 requests under way at once"
                );
                self.counts.most_sends_in_flight = self.counts.most_sends_in_flight.max(in_flight);
            }
            Effect::Abort { op } => self
                .pending
                .retain(|p| !matches!(p, Pending::Post(o, _) if *o == op)),
            Effect::Settle { result, .. } => {
                for call in settled {
                    assert!(
                        self.settled.insert(call, result.clone()).is_none(),
                        "call {call} was settled twice"
                    );
                }
            }
            Effect::Hold { .. } | Effect::Wait { .. } => {}
            Effect::Changed { session } => self.changes.push(session),
            Effect::Toast => self
                .toasts
                .push(self.config.failure_toast().unwrap_or_default().to_owned()),
            Effect::SetFetchToken { token } => self.fetch_tokens.push(token.expose().to_owned()),
            Effect::Warn { text } => self.warnings.push(text),
        }
    }

    /// Answers a write or removal: refused, with the platform's words, while writes fail.
    fn storage_result(&mut self, op: OpId) {
        let result = if self.fail_writes {
            Err(PlatformError::said(
                "setStorageSync:fail exceed storage max size 10Mb",
            ))
        } else {
            Ok(())
        };
        self.machine.handle(self.now, Input::StorageResult { op, result });
    }
}
