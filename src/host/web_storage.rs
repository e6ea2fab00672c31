//! Browser storage through gloo-storage (`localStorage` for the session and the device id,
//! `sessionStorage` for the OAuth `state`), falling back to memory for the page when the
//! browser refuses storage (private mode, storage disabled), said once on the console.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use gloo_storage::errors::StorageError;
use gloo_storage::{LocalStorage, SessionStorage, Storage};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::core::record::{Record, StoredSession};
use crate::decode::decode_object;

/// Which of the browser's two stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    /// `localStorage`: the session and the device id, kept across visits.
    Local,
    /// `sessionStorage`: the OAuth `state`, kept across the redirect, for this tab only.
    Session,
}

impl Area {
    fn name(self) -> &'static str {
        match self {
            Area::Local => "localStorage",
            Area::Session => "sessionStorage",
        }
    }
}

/// One browser store, or memory in its place once the browser has refused it.
#[derive(Debug)]
pub struct WebStorage {
    area: Area,
    in_memory: Cell<bool>,
    memory: RefCell<BTreeMap<String, String>>,
}

/// A stored record, decoded only from an object (as every decoder of outside data).
struct StoredRecord(Record);

impl<'de> Deserialize<'de> for StoredRecord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        decode_object(deserializer).map(StoredRecord)
    }
}

impl WebStorage {
    /// The store `area`, tried once: if the browser refuses it, memory from the start.
    pub fn open(area: Area) -> WebStorage {
        let storage = WebStorage {
            area,
            in_memory: Cell::new(false),
            memory: RefCell::new(BTreeMap::new()),
        };
        if !storage.probe() {
            storage.fall_back();
        }
        storage
    }

    /// Whether the page's data lives in memory (the browser refused storage).
    pub fn is_in_memory(&self) -> bool {
        self.in_memory.get()
    }

    /// The session record under `key`.
    pub fn read_session(&self, key: &str) -> StoredSession {
        match self.get::<StoredRecord>(key) {
            Ok(Some(StoredRecord(record))) => StoredSession::Found(record),
            Ok(None) => StoredSession::Absent,
            Err(()) => StoredSession::Unreadable,
        }
    }

    /// A string under `key` (the device id, the OAuth state); `None` when absent or not a string.
    pub fn read_text(&self, key: &str) -> Option<String> {
        self.get::<String>(key).ok().flatten()
    }

    /// Writes `value` under `key` (in memory, if the browser refuses it). Always succeeds.
    pub fn write<T: Serialize>(&self, key: &str, value: &T) {
        if !self.in_memory.get() {
            let result = match self.area {
                Area::Local => LocalStorage::set(key, value),
                Area::Session => SessionStorage::set(key, value),
            };
            match result {
                Ok(()) => return,
                Err(_) => self.fall_back(),
            }
        }
        if let Ok(text) = serde_json::to_string(value) {
            self.memory.borrow_mut().insert(key.to_owned(), text);
        }
    }

    /// Removes `key`.
    pub fn remove(&self, key: &str) {
        if self.in_memory.get() {
            self.memory.borrow_mut().remove(key);
        } else {
            match self.area {
                Area::Local => LocalStorage::delete(key),
                Area::Session => SessionStorage::delete(key),
            }
        }
    }

    /// `Ok(None)` when nothing is there, `Err` when something is there that does not decode.
    fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, ()> {
        if self.in_memory.get() {
            return match self.memory.borrow().get(key) {
                None => Ok(None),
                Some(text) => serde_json::from_str(text).map(Some).map_err(|_| ()),
            };
        }
        let result = match self.area {
            Area::Local => LocalStorage::get::<T>(key),
            Area::Session => SessionStorage::get::<T>(key),
        };
        match result {
            Ok(value) => Ok(Some(value)),
            Err(StorageError::KeyNotFound(_)) => Ok(None),
            Err(StorageError::SerdeError(_)) => Err(()),
            Err(StorageError::JsError(_)) => {
                self.fall_back();
                Ok(None)
            }
        }
    }

    /// Whether the browser lets this page use the store: reaching it can throw
    /// (`SecurityError` when storage is disabled) and writing can throw (a zero quota in
    /// private mode). Tried without gloo, whose accessors throw instead of returning errors.
    fn probe(&self) -> bool {
        let Some(window) = web_sys::window() else {
            return false;
        };
        let store = match self.area {
            Area::Local => window.local_storage(),
            Area::Session => window.session_storage(),
        };
        let Ok(Some(store)) = store else { return false };
        const PROBE: &str = "mp-session:probe";
        store.set_item(PROBE, "1").is_ok() && store.remove_item(PROBE).is_ok()
    }

    fn fall_back(&self) {
        if self.in_memory.replace(true) {
            return;
        }
        let mut message = String::from("mp-session: ");
        message.push_str(self.area.name());
        message.push_str(" is not available here (private mode, or storage disabled); the session is kept in memory for this page only");
        web_sys::console::warn_1(&message.into());
    }
}
