//! Profile, logout, device id and storage failures.

use mp_session::testing::{Harness, Stored};
use mp_session::{ErrorCode, Options, Settled, Source, UserInfo, DEVICE_ID_KEY};
use wasm_bindgen_test::wasm_bindgen_test;

fn app() -> Harness {
    Harness::new(Options::new("https://api.example.com/auth/login"))
}

fn nick(name: &str) -> UserInfo {
    UserInfo {
        nick_name: Some(name.into()),
        avatar_url: None,
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn set_user_info_merges_into_the_record_and_persists_it_in_one_write() {
    let mut app = app();
    app.ensure().unwrap();
    app.set_user_info(UserInfo {
        nick_name: None,
        avatar_url: Some("https://cdn.example.com/a.png".into()),
    })
    .unwrap();
    let writes_before = app.counts().writes;

    let session = app.set_user_info(nick("Ann")).unwrap();

    let info = session.user_info.unwrap();
    assert_eq!(
        (info.nick_name.as_deref(), info.avatar_url.as_deref()),
        (Some("Ann"), Some("https://cdn.example.com/a.png"))
    );
    assert_eq!(app.counts().writes, writes_before + 1);
    app.restart();
    let cached = app.ensure().unwrap();
    assert_eq!(cached.user_info.unwrap().nick_name.as_deref(), Some("Ann"));
}

#[wasm_bindgen_test(unsupported = test)]
fn set_user_info_without_a_session_logs_in_first() {
    let mut app = app();

    let session = app.set_user_info(nick("Ann")).unwrap();

    assert_eq!(session.source, Source::Login);
    assert_eq!(app.counts().writes, 1, "login and profile are saved together");
    assert_eq!(
        app.stored_record()
            .unwrap()
            .user_info
            .as_ref()
            .unwrap()
            .nick_name
            .as_deref(),
        Some("Ann")
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn set_user_info_checks_its_argument() {
    let mut app = app();
    let empty = app.set_user_info(UserInfo::default()).unwrap_err();
    assert_eq!(empty.code(), ErrorCode::InvalidArgument);
    assert!(empty.message().contains("nickName"), "{}", empty.message());
    let long = app.set_user_info(nick(&"x".repeat(300))).unwrap_err();
    assert_eq!(long.code(), ErrorCode::InvalidArgument);
    // What chooseAvatar gives is a file on this phone: upload it, store the server's URL.
    for local in [
        "wxfile://tmp_5f3a.jpg",
        "http://tmp/avatar.png",
        "WXFILE://usr/a.png",
        "ttfile://temp/a.png",
    ] {
        let avatar = UserInfo {
            nick_name: None,
            avatar_url: Some(local.into()),
        };
        let refused = app.set_user_info(avatar).unwrap_err();
        assert_eq!(refused.code(), ErrorCode::InvalidArgument, "{local}");
        assert!(
            refused.message().contains("upload it first (session.upload)"),
            "{}",
            refused.message()
        );
    }
    assert_eq!(app.counts().logins, 0);
}

#[wasm_bindgen_test(unsupported = test)]
fn logout_removes_the_record_but_not_the_device_id() {
    let mut app = app();
    let device = app.device_id().unwrap();
    app.ensure().unwrap();

    app.logout().unwrap();

    assert!(app.stored_record().is_none());
    assert_eq!(app.stored(DEVICE_ID_KEY), Some(&Stored::Text(device.clone())));
    assert_eq!(app.current(), None);
    assert_eq!(app.device_id().unwrap(), device);
}

#[wasm_bindgen_test(unsupported = test)]
fn launch_after_logout_logs_in_again() {
    let mut app = app();
    app.ensure().unwrap();
    app.logout().unwrap();

    let session = app.ensure().unwrap();

    assert_eq!(session.source, Source::Login);
    assert_eq!(app.counts().logins, 2);
    assert!(app.stored_record().is_some());
}

#[wasm_bindgen_test(unsupported = test)]
fn an_answer_for_a_login_started_before_logout_is_discarded() {
    let mut app = app();
    let launch = app.start_ensure();
    assert!(app.step(), "wx.login answers; the code is posted");
    let logout = app.start_logout();
    app.run(); // the backend's answer arrives, for a login that no longer exists

    assert_eq!(app.outcome(logout), Some(&Ok(Settled::Done)));
    let error = app.outcome(launch).unwrap().as_ref().unwrap_err();
    assert_eq!((error.code(), error.is_retryable()), (ErrorCode::LoggedOut, true));
    assert!(
        app.stored_record().is_none(),
        "nothing stored for a logged-out login"
    );
    assert_eq!(app.current(), None);
    assert!(!app.is_logging_in());
}

#[wasm_bindgen_test(unsupported = test)]
fn logout_while_waiting_for_wx_login_drops_the_late_code() {
    let mut app = app();
    let launch = app.start_ensure();
    app.start_logout();
    app.run();

    assert_eq!(
        app.outcome(launch).unwrap().as_ref().unwrap_err().code(),
        ErrorCode::LoggedOut
    );
    assert_eq!((app.counts().logins, app.counts().posts), (1, 0));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_refused_write_is_a_storage_error_but_the_session_stays_usable_for_this_run() {
    let mut app = app();
    app.fail_storage_writes(true);

    let error = app.ensure().unwrap_err();

    assert_eq!(error.code(), ErrorCode::Storage);
    let session = error.session().expect("the session rides on the error").clone();
    assert_eq!(session.openid.as_deref(), Some("o-test"));
    assert_eq!(app.current(), Some(session.clone()));
    assert_eq!(app.ensure().unwrap(), session);
    assert_eq!(
        app.counts().logins,
        1,
        "no second login for a session already in memory"
    );
    app.restart();
    app.fail_storage_writes(false);
    assert_eq!(app.ensure().unwrap().source, Source::Login, "nothing was stored");
}

#[wasm_bindgen_test(unsupported = test)]
fn a_refused_removal_is_reported_by_logout() {
    let mut app = app();
    app.ensure().unwrap();
    app.fail_storage_writes(true);

    let error = app.logout().unwrap_err();

    assert_eq!(error.code(), ErrorCode::Storage);
    assert_eq!(app.current(), None, "logged out in memory all the same");
}

#[wasm_bindgen_test(unsupported = test)]
fn the_device_id_is_a_uuid_made_once_without_login_and_kept_across_runs() {
    let mut app = app();
    let id = app.device_id().unwrap();

    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4");
    assert_eq!(app.counts().logins, 0);
    assert_eq!(app.device_id().unwrap(), id);
    assert_eq!(app.counts().writes, 1);
    app.restart();
    assert_eq!(app.device_id().unwrap(), id);
    assert_eq!(app.counts().writes, 0);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_device_id_that_is_not_a_uuid_is_replaced() {
    let mut app = app();
    app.put_stored(DEVICE_ID_KEY, Some(Stored::Text("garbage".into())));

    let id = app.device_id().unwrap();

    assert_ne!(id, "garbage");
    assert_eq!(app.stored(DEVICE_ID_KEY), Some(&Stored::Text(id)));
}

#[wasm_bindgen_test(unsupported = test)]
fn namespaces_keep_sessions_apart() {
    let mut shop = Harness::new(Options {
        namespace: Some("shop".into()),
        ..Options::new("https://shop.example.com/login")
    });
    assert_eq!(shop.session_key(), "mp-session:shop");
    shop.ensure().unwrap();
    assert!(shop.stored("mp-session:default").is_none());
}
