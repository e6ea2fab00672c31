//! Carrying out each effect through the host.

use wasm_bindgen::JsValue;

use super::{convert, Driver};
use crate::{Effect, Input, LoginResult, SendResult, Settled, StoredSession, DEVICE_ID_KEY};

impl Driver {
    pub(super) fn carry_out(&self, effect: Effect) {
        #[cfg(feature = "web")]
        let effect = match &self.web {
            Some(web) => match self.carry_out_web(web, effect) {
                Some(effect) => effect,
                None => return,
            },
            None => effect,
        };
        let host = &self.host;
        match effect {
            Effect::ReadSession { op, key } if self.async_storage => {
                if host.read_storage_async(op.0, &key, "session").is_err() {
                    self.answer(Input::SessionRead {
                        op,
                        found: StoredSession::Failed,
                    });
                }
            }
            Effect::ReadSession { op, key } => {
                let found = convert::stored_session(host.read_storage(&key));
                self.answer(Input::SessionRead { op, found });
            }
            Effect::WriteSession { op, key, record } => self.write(op, &key, &convert::to_js(&record)),
            Effect::RemoveSession { op, key } if self.async_storage => {
                if let Err(thrown) = host.remove_storage_async(op.0, &key) {
                    self.stored(op, Err(thrown));
                }
            }
            Effect::RemoveSession { op, key } => self.stored(op, host.remove_storage(&key)),
            Effect::ReadDeviceId { op } if self.async_storage => {
                if host.read_storage_async(op.0, DEVICE_ID_KEY, "device").is_err() {
                    self.answer(Input::DeviceIdRead { op, found: None });
                }
            }
            Effect::ReadDeviceId { op } => {
                let found = convert::device_id(host.read_storage(DEVICE_ID_KEY));
                self.answer(Input::DeviceIdRead { op, found });
            }
            Effect::WriteDeviceId { op, id } => self.write(op, DEVICE_ID_KEY, &JsValue::from_str(&id)),
            Effect::Login { op, timeout_ms } => {
                if let Err(thrown) = host.login(op.0, timeout_ms) {
                    let result = LoginResult::Failed(convert::thrown(&thrown));
                    self.answer(Input::LoginResult { op, result });
                }
            }
            Effect::PostCode {
                op,
                url,
                body,
                timeout_ms,
            } => {
                if let Err(thrown) = host.post(op.0, &url, &convert::to_js(&body), timeout_ms) {
                    let result = Err(convert::thrown(&thrown));
                    self.answer(Input::PostResult { op, result });
                }
            }
            Effect::SendRequest {
                op,
                call,
                header,
                token,
            } => {
                let (name, value) = match header {
                    Some(header) => (Some(header.name), Some(header.value.expose().to_owned())),
                    None => (None, None),
                };
                let token = token.map(|t| t.expose().to_owned());
                if host.send(op.0, call, name, value, token).is_err() {
                    let result = SendResult::Failed;
                    self.answer(Input::SendResult { op, result });
                }
            }
            Effect::Abort { op } => {
                let _ = host.abort(op.0);
            }
            Effect::Settle { call, result } => {
                let (error, value) = match result {
                    Ok(Settled::Session(session)) => (JsValue::UNDEFINED, self.session_js(&session)),
                    Ok(Settled::DeviceId(id)) => (JsValue::UNDEFINED, JsValue::from_str(&id)),
                    Ok(Settled::Done) => (JsValue::UNDEFINED, JsValue::UNDEFINED),
                    Ok(Settled::Response { op }) => (JsValue::UNDEFINED, JsValue::from(op.0)),
                    Err(error) => (convert::error(&error), JsValue::UNDEFINED),
                };
                host.settle(call, &error, &value);
            }
            Effect::Changed { session } => {
                if host.wants_changes() {
                    let value = session.as_ref().map_or(JsValue::NULL, |s| self.session_js(s));
                    host.changed(&value);
                }
            }
            Effect::Toast { title } => {
                let _ = host.toast(&title);
            }
        }
    }

    /// Writes `value` under `key`: at once with the synchronous calls, or through the
    /// asynchronous (encrypted) ones, whose answer comes back through `Driver.saved`.
    fn write(&self, op: crate::OpId, key: &str, value: &JsValue) {
        if self.async_storage {
            if let Err(thrown) = self.host.write_storage_async(op.0, key, value) {
                self.stored(op, Err(thrown));
            }
        } else {
            self.stored(op, self.host.write_storage(key, value));
        }
    }

    /// Feeds a write's or removal's result: a throw, with what it said, is a refusal.
    fn stored(&self, op: crate::OpId, outcome: Result<(), JsValue>) {
        let result = outcome.map_err(|thrown| convert::thrown(&thrown));
        self.answer(Input::StorageResult { op, result });
    }
}
