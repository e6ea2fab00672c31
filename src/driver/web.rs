//! The web side of the driver: storage through gloo-storage, and login codes from the
//! official-account OAuth redirect instead of `wx.login`.

use std::cell::RefCell;

use wasm_bindgen::JsValue;

use super::Driver;
use crate::web::oauth::{new_state, read_return, without_return_params, OAuth, Return, STATE_KEY};
use crate::web::storage::{Area, WebStorage};
use crate::{Effect, Input, LoginResult, PlatformError, DEVICE_ID_KEY};

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
}

impl Driver {
    /// Carries out the storage and login effects the web way; gives back every other effect.
    pub(super) fn carry_out_web(&self, web: &WebSide, effect: Effect) -> Option<Effect> {
        match effect {
            Effect::ReadSession { op, key } => self.answer(Input::SessionRead {
                op,
                found: web.local.read_session(&key),
            }),
            Effect::WriteSession { op, key, record } => {
                web.local.write(&key, &record);
                self.answer(Input::StorageResult { op, result: Ok(()) });
            }
            Effect::RemoveSession { op, key } => {
                web.local.remove(&key);
                self.answer(Input::StorageResult { op, result: Ok(()) });
            }
            Effect::ReadDeviceId { op } => self.answer(Input::DeviceIdRead {
                op,
                found: web.local.read_text(DEVICE_ID_KEY),
            }),
            Effect::WriteDeviceId { op, id } => {
                web.local.write(DEVICE_ID_KEY, &id);
                self.answer(Input::StorageResult { op, result: Ok(()) });
            }
            Effect::Login { op, .. } => {
                let taken = web.url_return.borrow_mut().take();
                match taken {
                    Some(Return::Code(code)) => self.answer(Input::LoginResult {
                        op,
                        result: LoginResult::Code(code),
                    }),
                    Some(Return::Refused(reason)) => self.answer(Input::LoginResult {
                        op,
                        result: LoginResult::Refused(reason),
                    }),
                    None => {
                        // Leave for the authorize page; the page comes back with a code.
                        let redirected = random_state().is_some_and(|state| {
                            web.session.write(STATE_KEY, &state);
                            self.host
                                .redirect(&web.oauth.authorize_url(&web.page_url, &state))
                                .is_ok()
                        });
                        if !redirected {
                            let result = LoginResult::Failed(PlatformError::said(
                                "could not leave for the authorize page",
                            ));
                            self.answer(Input::LoginResult { op, result });
                        }
                    }
                }
            }
            other => return Some(other),
        }
        None
    }
}

/// A fresh `state` from the browser's cryptographic random source.
fn random_state() -> Option<String> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let mut bytes = [0u8; 16];
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    Some(new_state(bytes))
}
