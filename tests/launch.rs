//! The launch flow, scenario by scenario: what is read, what is called, what is stored.

use mp_session::testing::{Harness, Stored, START_MS};
use mp_session::{Answer, Options, Record, Reply, Secret, Source, RECORD_VERSION};
use wasm_bindgen_test::wasm_bindgen_test;

const HOUR_MS: u64 = 3_600_000;

fn app() -> Harness {
    let mut app = Harness::new(Options::new("https://api.example.com/auth/login"));
    app.set_backend(|code| {
        let answer = Answer::session("o-alice")
            .with_unionid("u-alice")
            .with_token(format!("tok-{code}"));
        Reply::ok(answer.with_expires_in(7200.0)).into()
    });
    app
}

fn record(openid: &str, obtained_at: u64, expires_at: u64) -> Record {
    Record {
        v: RECORD_VERSION,
        openid: Some(openid.into()),
        unionid: None,
        token: Some(Secret::new("cached-token")),
        expires_at,
        obtained_at,
        user_info: None,
        user_id: None,
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn cold_launch_logs_in_once_posts_once_and_writes_once() {
    let mut app = app();
    let session = app.ensure().unwrap();

    assert_eq!(session.openid.as_deref(), Some("o-alice"));
    assert_eq!(session.unionid.as_deref(), Some("u-alice"));
    assert_eq!(session.token.as_ref().map(Secret::expose), Some("tok-code-1"));
    assert_eq!(session.expires_at, START_MS + 2 * HOUR_MS);
    assert_eq!(session.source, Source::Login);
    let counts = app.counts();
    assert_eq!(
        (counts.reads, counts.logins, counts.posts, counts.writes),
        (1, 1, 1, 1)
    );

    let stored = app.stored_record().unwrap();
    assert_eq!(stored.openid.as_deref(), Some("o-alice"));
    assert_eq!(
        (stored.obtained_at, stored.expires_at),
        (START_MS, START_MS + 2 * HOUR_MS)
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn warm_launch_after_a_restart_reads_once_and_calls_nothing() {
    let mut app = app();
    app.ensure().unwrap();
    app.restart();
    app.advance(HOUR_MS);

    let session = app.ensure().unwrap();

    assert_eq!(session.source, Source::Cache);
    assert_eq!(session.token.as_ref().map(Secret::expose), Some("tok-code-1"));
    let counts = app.counts();
    assert_eq!(
        (counts.reads, counts.logins, counts.posts, counts.writes),
        (1, 0, 0, 0)
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn later_calls_in_the_same_run_do_not_read_storage_again() {
    let mut app = app();
    app.ensure().unwrap();
    for _ in 0..10 {
        assert_eq!(app.ensure().unwrap().source, Source::Login);
    }
    assert_eq!((app.counts().reads, app.counts().logins), (1, 1));
}

#[wasm_bindgen_test(unsupported = test)]
fn fifty_concurrent_ensures_share_one_login_and_one_post() {
    let mut app = app();
    let calls: Vec<_> = (0..50).map(|_| app.start_ensure()).collect();
    app.run();

    for call in calls {
        assert!(
            matches!(app.outcome(call), Some(Ok(_))),
            "call {call}: {:?}",
            app.outcome(call)
        );
    }
    let counts = app.counts();
    assert_eq!(
        (counts.reads, counts.logins, counts.posts, counts.writes),
        (1, 1, 1, 1)
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn every_kind_of_unusable_record_means_a_login() {
    let now = START_MS;
    let mut future_version = record("o-old", now - HOUR_MS, now + HOUR_MS);
    future_version.v = RECORD_VERSION + 1;
    let cases: Vec<(&str, Stored)> = vec![
        ("not JSON", Stored::Text("{\"v\":1,\"openid\":".into())),
        ("wrong shape", Stored::Unreadable),
        ("unknown version", Stored::Record(future_version)),
        (
            "expired",
            Stored::Record(record("o-old", now - 3 * HOUR_MS, now - HOUR_MS)),
        ),
        (
            "inside the leeway",
            Stored::Record(record("o-old", now - HOUR_MS, now + 60_000)),
        ),
        (
            "obtained in the future",
            Stored::Record(record("o-old", now + HOUR_MS, now + 3 * HOUR_MS)),
        ),
    ];
    for (case, stored) in cases {
        let mut app = app();
        let key = app.session_key();
        app.put_stored(&key, Some(stored));

        let session = app.ensure().unwrap();

        assert_eq!(
            (session.openid.as_deref().unwrap_or_default(), session.source),
            ("o-alice", Source::Login),
            "{case}"
        );
        assert_eq!(
            (app.counts().logins, app.counts().posts, app.counts().writes),
            (1, 1, 1),
            "{case}"
        );
        assert_eq!(
            app.stored_record().unwrap().openid.as_deref(),
            Some("o-alice"),
            "{case}"
        );
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn a_valid_cached_record_is_used_without_login_network_or_write() {
    let mut app = app();
    let key = app.session_key();
    app.put_stored(
        &key,
        Some(Stored::Record(record(
            "o-cached",
            START_MS - HOUR_MS,
            START_MS + HOUR_MS,
        ))),
    );

    let session = app.ensure().unwrap();

    assert_eq!(
        (session.openid.as_deref().unwrap_or_default(), session.source),
        ("o-cached", Source::Cache)
    );
    let counts = app.counts();
    assert_eq!(
        (counts.reads, counts.logins, counts.posts, counts.writes),
        (1, 0, 0, 0)
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn a_session_is_refreshed_once_it_enters_the_leeway() {
    let mut app = app();
    app.ensure().unwrap();
    app.advance(2 * HOUR_MS - 300_000 - 1);
    assert_eq!(app.ensure().unwrap().token.unwrap().expose(), "tok-code-1");

    app.advance(1);
    let refreshed = app.ensure().unwrap();

    assert_eq!(refreshed.token.unwrap().expose(), "tok-code-2");
    assert_eq!(app.counts().logins, 2);
}

#[wasm_bindgen_test(unsupported = test)]
fn current_sees_a_cached_session_before_any_launch() {
    let mut app = app();
    assert_eq!(app.current(), None);
    app.ensure().unwrap();
    app.restart();

    let current = app.current().unwrap();

    assert_eq!(
        (current.openid.as_deref().unwrap_or_default(), current.source),
        ("o-alice", Source::Cache)
    );
    assert_eq!((app.counts().reads, app.counts().logins), (1, 0));
    app.ensure().unwrap();
    assert_eq!(app.counts().reads, 1, "the record is read once per run");
}

#[wasm_bindgen_test(unsupported = test)]
fn a_failed_storage_read_is_treated_as_no_session() {
    let mut app = app();
    app.fail_storage_reads(true);
    assert_eq!(app.ensure().unwrap().source, Source::Login);
    assert_eq!(app.counts().logins, 1);
}

#[wasm_bindgen_test(unsupported = test)]
fn the_profile_survives_a_relogin_of_the_same_user() {
    let mut app = app();
    app.ensure().unwrap();
    app.set_user_info(mp_session::UserInfo {
        nick_name: Some("Alice".into()),
        avatar_url: None,
    })
    .unwrap();
    app.advance(3 * HOUR_MS);

    let session = app.ensure().unwrap();

    assert_eq!(session.source, Source::Login);
    assert_eq!(session.user_info.unwrap().nick_name.as_deref(), Some("Alice"));
}

#[wasm_bindgen_test(unsupported = test)]
fn on_change_hears_the_cache_load_the_login_and_the_logout() {
    let mut app = app();
    app.ensure().unwrap();
    app.restart();
    app.ensure().unwrap();
    app.logout().unwrap();

    let seen: Vec<_> = app
        .changes()
        .iter()
        .map(|c| c.as_ref().map(|s| s.source))
        .collect();
    assert_eq!(seen, vec![Some(Source::Login), Some(Source::Cache), None]);
}

#[wasm_bindgen_test(unsupported = test)]
fn background_fetch_token_hands_each_logins_token_to_wechats_pre_fetch_and_never_a_cached_one() {
    let options = Options {
        background_fetch_token: Some(true),
        ..Options::new("https://api.example.com/auth/login")
    };
    let mut app = Harness::new(options.clone());
    app.set_backend(|code| Reply::ok(Answer::session("o-1").with_token(format!("tok-{code}"))).into());
    app.ensure().unwrap();
    assert_eq!(app.fetch_tokens(), ["tok-code-1"]);
    // A cached launch makes no login, and hands nothing.
    app.restart();
    assert_eq!(app.ensure().unwrap().source, Source::Cache);
    assert_eq!(app.fetch_tokens(), ["tok-code-1"]);

    // A token wx.setBackgroundFetchToken cannot take is said on the console, not cut; the
    // login stands.
    let mut long = Harness::new(options);
    long.set_backend(|_| Reply::ok(Answer::session("o-1").with_token("t".repeat(1500))).into());
    assert!(long.ensure().is_ok());
    assert!(long.fetch_tokens().is_empty());
    assert_eq!(long.warnings().len(), 1);
    assert!(
        long.warnings()[0].contains("the token is 1500 bytes, over the 1024"),
        "{:?}",
        long.warnings()
    );

    // Without the option, nothing is handed.
    let mut off = Harness::new(Options::new("https://api.example.com/auth/login"));
    off.ensure().unwrap();
    assert!(off.fetch_tokens().is_empty() && off.warnings().is_empty());
}
