//! The web build in a real browser (headless Chromium through chromedriver): gloo-storage
//! round trips, the memory fallback when the browser refuses storage, and the OAuth state.
#![cfg(all(target_arch = "wasm32", feature = "web"))]

use mp_session::web::oauth::{new_state, read_return, Return, STATE_KEY};
use mp_session::web::storage::{Area, WebStorage};
use mp_session::{Record, Refusal, Secret, StoredSession, UserInfo, RECORD_VERSION};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function clearStores() { localStorage.clear(); sessionStorage.clear() }
export function rawLocal(key) { return localStorage.getItem(key) }
export function putLocal(key, text) { localStorage.setItem(key, text) }
// Makes the page's stores throw as a browser with storage disabled does, and counts the
// console warnings; `restore()` undoes both.
export function refuseStorage() {
  const saved = {}
  for (const name of ['localStorage', 'sessionStorage']) {
    saved[name] = Object.getOwnPropertyDescriptor(window, name)
    Object.defineProperty(window, name, { configurable: true, get() { throw new DOMException('denied', 'SecurityError') } })
  }
  const warn = console.warn
  window.__warnings = []
  console.warn = (...args) => window.__warnings.push(args.join(' '))
  window.__restore = () => {
    for (const name of Object.keys(saved)) Object.defineProperty(window, name, saved[name])
    console.warn = warn
  }
}
export function restore() { window.__restore() }
export function warnings() { return window.__warnings.slice() }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = clearStores)]
    fn clear_stores();
    #[wasm_bindgen(js_name = rawLocal)]
    fn raw_local(key: &str) -> Option<String>;
    #[wasm_bindgen(js_name = putLocal)]
    fn put_local(key: &str, text: &str);
    #[wasm_bindgen(js_name = refuseStorage)]
    fn refuse_storage();
    fn restore();
    fn warnings() -> Vec<String>;
}

fn record() -> Record {
    Record {
        v: RECORD_VERSION,
        openid: Some("oa-1".into()),
        unionid: Some("u-1".into()),
        token: Some(Secret::new("t-1")),
        expires_at: 1_800_000_000_000,
        obtained_at: 1_700_000_000_000,
        user_info: Some(UserInfo {
            nick_name: Some("小明".into()),
            avatar_url: None,
        }),
        user_id: None,
    }
}

#[wasm_bindgen_test]
fn the_record_round_trips_through_local_storage_as_json() {
    clear_stores();
    let store = WebStorage::open(Area::Local);
    assert!(!store.is_in_memory());

    store.write("mp-session:default", &record());

    assert_eq!(
        store.read_session("mp-session:default"),
        StoredSession::Found(record())
    );
    let raw = raw_local("mp-session:default").unwrap();
    assert!(raw.starts_with(r#"{"v":1,"openid":"oa-1""#), "{raw}");
    assert_eq!(
        WebStorage::open(Area::Local).read_session("mp-session:default"),
        StoredSession::Found(record())
    );
    store.remove("mp-session:default");
    assert_eq!(store.read_session("mp-session:default"), StoredSession::Absent);
}

#[wasm_bindgen_test]
fn what_is_not_a_record_reads_as_unreadable() {
    clear_stores();
    let store = WebStorage::open(Area::Local);
    for raw in ["not json", "[1,2]", r#"{"v":1,"openid":5}"#, "42", r#""text""#] {
        put_local("mp-session:default", raw);
        assert_eq!(
            store.read_session("mp-session:default"),
            StoredSession::Unreadable,
            "{raw}"
        );
    }
    put_local(
        "mp-session:device-id",
        r#""123e4567-e89b-42d3-a456-426614174000""#,
    );
    assert_eq!(
        store.read_text("mp-session:device-id").as_deref(),
        Some("123e4567-e89b-42d3-a456-426614174000")
    );
}

#[wasm_bindgen_test]
fn a_browser_that_refuses_storage_gets_memory_and_one_warning() {
    clear_stores();
    refuse_storage();
    let local = WebStorage::open(Area::Local);
    let session = WebStorage::open(Area::Session);
    local.write("mp-session:default", &record());
    let read = local.read_session("mp-session:default");
    session.write(STATE_KEY, &"s".to_owned());
    let state = session.read_text(STATE_KEY);
    let seen = warnings();
    restore();

    assert!(local.is_in_memory() && session.is_in_memory());
    assert_eq!(read, StoredSession::Found(record()));
    assert_eq!(state.as_deref(), Some("s"));
    assert_eq!(seen.len(), 2, "one warning for each store: {seen:?}");
    assert!(seen[0].contains("localStorage is not available"), "{seen:?}");
    assert_eq!(
        raw_local("mp-session:default"),
        None,
        "nothing reached the real store"
    );
}

#[wasm_bindgen_test]
fn states_are_random_and_a_code_needs_the_stored_one() {
    let a = new_state([1; 16]);
    assert_eq!(a.len(), 32);
    let url = format!("https://m.example.com/?code=C&state={a}");
    assert_eq!(read_return(&url, Some(&a)), Some(Return::Code(Secret::new("C"))));
    assert_eq!(
        read_return(&url, Some(&new_state([2; 16]))),
        Some(Return::Refused(Refusal::StateMismatch))
    );
    assert_eq!(
        read_return(&url, None),
        Some(Return::Refused(Refusal::StateMismatch))
    );
}
