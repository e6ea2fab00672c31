//! The web side of the driver: storage through gloo-storage, and login codes from the
//! official-account OAuth redirect instead of `wx.login`. Everything else crosses to the
//! page's JavaScript like the mini-program's effects.

use std::cell::RefCell;

use wasm_bindgen::JsValue;

use crate::core::oauth::{new_state, read_return, without_return_params, OAuth, Return, STATE_KEY};
use crate::host::web_storage::{Area, WebStorage};
use crate::wire::output::Output;
use crate::{Config, Effect, Input, LoginResult, PlatformError, DEVICE_ID_KEY};

/// What the web driver keeps: the two stores, the OAuth settings, and the code this page's
/// URL brought back (taken by the first login that needs it).
#[derive(Debug)]
pub(super) struct WebSide {
    local: WebStorage,
    session: WebStorage,
    oauth: OAuth,
    page_url: String,
    url_return: RefCell<Option<Return>>,
}

impl WebSide {
    /// Reads what the URL brought back (once), checks its `state` against the one stored
    /// before the redirect (then deleted: a state works once), and takes `code` and `state`
    /// out of the address bar, so that a reload cannot post the code again.
    pub(super) fn new(oauth: OAuth) -> WebSide {
        let local = WebStorage::open(Area::Local);
        let session = WebStorage::open(Area::Session);
        let window = web_sys::window();
        let mut page_url = window
            .as_ref()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        let stored_state = session.read_text(STATE_KEY);
        let url_return = read_return(&page_url, stored_state.as_deref());
        if url_return.is_some() {
            session.remove(STATE_KEY);
            page_url = without_return_params(&page_url);
            if let Some(history) = window.as_ref().and_then(|w| w.history().ok()) {
                let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&page_url));
            }
        }
        WebSide {
            local,
            session,
            oauth,
            page_url,
            url_return: RefCell::new(url_return),
        }
    }

    /// Carries out the storage and login effects the web way: `Ok` with the input that
    /// answers it, if any; every other effect is given back, for the page's JavaScript.
    pub(super) fn carry_out(
        &self,
        effect: Effect,
        config: &Config,
        out: &mut Output,
    ) -> Result<Option<Input>, Effect> {
        let key = config.storage_key();
        let stored = |op| Some(Input::StorageResult { op, result: Ok(()) });
        Ok(match effect {
            Effect::ReadSession { op } => Some(Input::SessionRead {
                op,
                found: self.local.read_session(key),
            }),
            Effect::WriteSession { op, record } => {
                self.local.write(key, &record);
                stored(op)
            }
            Effect::RemoveSession { op } => {
                self.local.remove(key);
                stored(op)
            }
            Effect::ReadDeviceId { op } => Some(Input::DeviceIdRead {
                op,
                found: self.local.read_text(DEVICE_ID_KEY),
            }),
            Effect::WriteDeviceId { op, id } => {
                self.local.write(DEVICE_ID_KEY, &id);
                stored(op)
            }
            Effect::Login { op, .. } => {
                let result = match self.url_return.borrow_mut().take() {
                    Some(Return::Code(code)) => LoginResult::Code(code),
                    Some(Return::Refused(reason)) => LoginResult::Refused(reason),
                    None => match random_state() {
                        // Leave for the authorize page; the page comes back with a code.
                        Some(state) => {
                            self.session.write(STATE_KEY, &state);
                            out.redirect(&self.oauth.authorize_url(&self.page_url, &state));
                            return Ok(None);
                        }
                        None => LoginResult::Failed(PlatformError::said("the browser gave no random values")),
                    },
                };
                Some(Input::LoginResult { op, result })
            }
            other => return Err(other),
        })
    }
}

/// A fresh `state` from the browser's cryptographic random source.
fn random_state() -> Option<String> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let mut bytes = [0u8; 16];
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    Some(new_state(bytes))
}
