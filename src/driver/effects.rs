//! Carrying out each effect through the host.

use wasm_bindgen::JsValue;

use super::{convert, Driver};
use crate::{Effect, Input, Settled, StoredSession, DEVICE_ID_KEY};

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
                if host.remove_storage_async(op.0, &key).is_err() {
                    self.answer(Input::Saved { op, ok: false });
                }
            }
            Effect::RemoveSession { op, key } => {
                let ok = host.remove_storage(&key).is_ok();
                self.answer(Input::Saved { op, ok });
            }
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
                if host.login(op.0, timeout_ms).is_err() {
                    self.answer(Input::LoginCode { op, code: None });
                }
            }
            Effect::Post {
                op,
                url,
                body,
                timeout_ms,
            } => {
                if host.post(op.0, &url, &convert::to_js(&body), timeout_ms).is_err() {
                    self.answer(Input::PostFailed { op });
                }
            }
            Effect::Send {
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
                    self.answer(Input::RequestFailed { op });
                }
            }
            Effect::Abort { op } => {
                let _ = host.abort(op.0);
            }
            Effect::StartTimer { timer, ms } => {
                // A host that cannot start a timer must not leave the flow waiting forever.
                if host.start_timer(timer.0, ms).is_err() {
                    self.answer(Input::TimerFired { timer });
                }
            }
            Effect::CancelTimer { timer } => host.cancel_timer(timer.0),
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
            if self.host.write_storage_async(op.0, key, value).is_err() {
                self.answer(Input::Saved { op, ok: false });
            }
        } else {
            let ok = self.host.write_storage(key, value).is_ok();
            self.answer(Input::Saved { op, ok });
        }
    }
}
