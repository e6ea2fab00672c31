//! Phone numbers and the shared `access_token`, over real HTTP against the mock WeChat
//! (tests/common/mock.rs), once over SQLite and once over a redis-server of the test's own.

mod common;

use std::time::Duration;

use common::mock::{APPID, DOUYIN_APPID};
use common::{Kind, Scripted, World};
use mp_session_server::Store;
use serde_json::{json, Value};

with_each_store!(
    a_phone_code_binds_the_number_to_the_users_openid,
    phone_failures_are_clear_answers_and_bind_nothing,
    one_access_token_is_shared_by_every_server_and_refreshed_by_one_at_a_time,
    a_refresh_lock_is_released_by_its_holder_alone_or_by_time,
);

impl World {
    /// A getPhoneNumber code giving `number`.
    fn phone_code(&self, number: &str) -> String {
        self.mock.lock().unwrap().issue_phone(number)
    }

    /// `POST /auth/phone` on server `n` with `code` and the session's `token`.
    async fn phone(&self, n: usize, code: &str, token: &str) -> (u16, Value) {
        let body = json!({ "code": code }).to_string();
        self.post_to(&self.servers[n], "/auth/phone", &body, Some(token))
            .await
    }
}

async fn a_phone_code_binds_the_number_to_the_users_openid(kind: Kind) {
    let world = World::new(kind).await;
    let token = world.token("o-heidi").await;
    assert_eq!(world.get("/auth/session", &token).await.1["phone"], json!(null));
    let (status, answer) = world.phone(0, &world.phone_code("13800138000"), &token).await;
    assert_eq!(
        (status, answer),
        (
            200,
            json!({ "phoneNumber": "13800138000", "purePhoneNumber": "13800138000", "countryCode": "86" })
        )
    );
    // Bound to the user: another session of the same user sees it; a new number replaces it.
    let tablet = world.token("o-heidi").await;
    assert_eq!(
        world.get("/auth/session", &tablet).await.1["phone"]["phoneNumber"],
        "13800138000"
    );
    assert_eq!(
        world.phone(0, &world.phone_code("13900139000"), &tablet).await.0,
        200
    );
    assert_eq!(
        world.get("/auth/session", &token).await.1["phone"]["phoneNumber"],
        "13900139000"
    );
    let mock = world.mock.lock().unwrap();
    assert_eq!(
        (mock.token_calls, mock.phone_calls.len()),
        (1, 2),
        "one access_token for both"
    );
}

async fn phone_failures_are_clear_answers_and_bind_nothing(kind: Kind) {
    let world = World::with(kind, &["--douyin-appid", DOUYIN_APPID]).await;
    let token = world.token("o-ivan").await;
    let code = world.phone_code("13700137000");
    let cases = [
        (vec![Scripted::Errcode(1_400_001)], 402, "PHONE_QUOTA"),
        (vec![Scripted::Errcode(40029)], 400, "PHONE_CODE_INVALID"),
        (vec![Scripted::Errcode(40013)], 502, "PHONE_REFUSED"),
    ];
    for (script, status, expected) in cases {
        world.mock.lock().unwrap().phone_script.extend(script);
        let (got, answer) = world.phone(0, &code, &token).await;
        assert_eq!(
            (got, answer["error"]["code"].as_str()),
            (status, Some(expected)),
            "{answer}"
        );
        assert!(answer["error"]["errcode"].is_i64(), "{answer}");
    }
    // An answer lost after it was sent may have spent the code (and the quota): not asked again.
    for (trouble, status) in [
        (Scripted::Garbage, 502),
        (Scripted::Http500, 502),
        (Scripted::Hang, 504),
    ] {
        let calls = world.mock.lock().unwrap().phone_calls.len();
        world.mock.lock().unwrap().phone_script.push_back(trouble);
        let (got, answer) = world.phone(0, &code, &token).await;
        assert_eq!((got, &answer["errcode"]), (status, &json!(-1)), "{answer}");
        assert_eq!(
            world.mock.lock().unwrap().phone_calls.len() - calls,
            1,
            "asked once"
        );
    }
    let bad = [
        (r#"{"code":""}"#, Some(token.as_str()), 400, "BAD_REQUEST"),
        (r#"{"code":"c","x":1}"#, Some(token.as_str()), 400, "BAD_REQUEST"),
        (r#"{"code":"c"}"#, None, 401, "SESSION_EXPIRED"),
    ];
    for (body, token, status, expected) in bad {
        let (got, answer) = world.post("/auth/phone", body, token).await;
        assert_eq!(
            (got, answer["error"]["code"].as_str()),
            (status, Some(expected)),
            "{body}"
        );
    }
    let douyin = world
        .post(
            "/auth/login",
            &json!({ "code": world.issue("ivan"), "platform": "tt" }).to_string(),
            None,
        )
        .await
        .1["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, answer) = world.phone(0, &code, &douyin).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("PHONE_UNSUPPORTED"))
    );
    assert_eq!(
        world.get("/auth/session", &token).await.1["phone"],
        json!(null),
        "nothing bound"
    );
    // The mock spent the code in none of those tries; busy (-1) is asked again, and it works.
    let calls = world.mock.lock().unwrap().phone_calls.len();
    world
        .mock
        .lock()
        .unwrap()
        .phone_script
        .push_back(Scripted::Errcode(-1));
    assert_eq!(world.phone(0, &code, &token).await.0, 200);
    assert_eq!(world.mock.lock().unwrap().phone_calls.len() - calls, 2);
}

async fn one_access_token_is_shared_by_every_server_and_refreshed_by_one_at_a_time(kind: Kind) {
    // A generous upstream timeout: a stalled machine must not turn the mock's delay into a retry.
    let mut world = World::with(kind, &["--upstream-timeout-ms", "5000"]).await;
    world.start().await; // a second server on the same store
    world.mock.lock().unwrap().token_delay = Duration::from_millis(150);
    let token = world.token("o-judy").await;
    burst(&world, &token, 20).await;
    {
        let mock = world.mock.lock().unwrap();
        assert_eq!(
            (mock.token_calls, mock.token_most_in_flight),
            (1, 1),
            "fetched once for both servers"
        );
    }

    // Five minutes before it ends, one server refreshes it; every request goes on with the
    // old one meanwhile, the refreshing server's own too.
    let store = Store::open(&world.config.store).await.unwrap();
    let (current, _) = store.access_token(APPID.into()).await.unwrap().unwrap();
    let soon = now() + 100;
    let lock = ("access-token:wx1234".to_owned(), "the-test".to_owned());
    assert!(store
        .try_lock(lock.0.clone(), lock.1.clone(), 5000)
        .await
        .unwrap());
    assert!(store
        .put_access_token(APPID.into(), current.clone(), soon, lock.clone())
        .await
        .unwrap());
    store.unlock(lock.0, lock.1).await.unwrap();
    world.mock.lock().unwrap().tokens.last_mut().unwrap().1 = soon;
    burst(&world, &token, 20).await;
    let refreshed = kept_after_refresh(&store, &current).await;
    {
        let mock = world.mock.lock().unwrap();
        assert_eq!(
            (mock.token_calls, mock.token_most_in_flight),
            (2, 1),
            "refreshed once"
        );
        assert!(
            mock.phone_calls[20..].iter().all(|t| *t == current),
            "none waited for it"
        );
    }

    // WeChat stops taking it (40001): refreshed with force_refresh, once, and asked again.
    let before = {
        let mut mock = world.mock.lock().unwrap();
        mock.revoked.push(refreshed.clone());
        mock.phone_calls.len()
    };
    burst(&world, &token, 10).await;
    let mock = world.mock.lock().unwrap();
    assert_eq!(
        (mock.token_calls, mock.token_most_in_flight),
        (3, 1),
        "one forced refresh"
    );
    // Each request that carried the refused token was asked again with the new one (one that
    // started after the refresh carried the new one at once).
    let carried = &mock.phone_calls[before..];
    let refused = carried.iter().filter(|t| **t == refreshed).count();
    assert!(refused >= 1, "{carried:?}");
    assert_eq!(carried.len(), 10 + refused, "{carried:?}");
}

/// The token the store holds once a refresh replaced `old` (waited for: it runs in the
/// background), with a new lifetime.
async fn kept_after_refresh(store: &Store, old: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (kept, ends) = store.access_token(APPID.into()).await.unwrap().unwrap();
        if kept != old {
            assert!(ends > now() + 7000, "{kept} {ends}");
            return kept;
        }
        assert!(std::time::Instant::now() < deadline, "the refresh never landed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_refresh_lock_is_released_by_its_holder_alone_or_by_time(kind: Kind) {
    let world = World::new(kind).await;
    let store = Store::open(&world.config.store).await.unwrap();
    let lock = || "access-token:test".to_owned();
    assert!(store.try_lock(lock(), "a".into(), 2000).await.unwrap());
    assert!(!store.try_lock(lock(), "b".into(), 2000).await.unwrap(), "held");
    assert!(
        store.try_lock(lock(), "a".into(), 2000).await.unwrap(),
        "its holder's own retry finds it held by itself"
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(
        store.try_lock(lock(), "b".into(), 10_000).await.unwrap(),
        "a holder that died frees it in time"
    );
    let put = |holder: &str| {
        let token = format!("T-{holder}");
        store.put_access_token("wxlock".into(), token, now() + 7200, (lock(), holder.into()))
    };
    assert!(
        !put("a").await.unwrap(),
        "a holder whose time ran out writes nothing"
    );
    assert!(put("b").await.unwrap());
    let kept = store.access_token("wxlock".into()).await.unwrap().unwrap();
    assert_eq!(kept.0, "T-b");
    store.unlock(lock(), "a".into()).await.unwrap();
    assert!(
        !store.try_lock(lock(), "c".into(), 300).await.unwrap(),
        "only its holder releases it"
    );
    store.unlock(lock(), "b".into()).await.unwrap();
    assert!(store.try_lock(lock(), "c".into(), 300).await.unwrap());
}

/// `n` phone numbers asked for at once, alternately of the two servers; each must succeed.
async fn burst(world: &World, token: &str, n: usize) {
    let codes: Vec<String> = (0..n)
        .map(|i| world.phone_code(&format!("1360013{i:04}")))
        .collect();
    let calls = codes
        .iter()
        .enumerate()
        .map(|(i, code)| world.phone(i % 2, code, token));
    for (status, answer) in futures::future::join_all(calls).await {
        assert_eq!(status, 200, "{answer}");
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
