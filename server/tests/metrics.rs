//! `GET /metrics` as Prometheus scrapes it: logins by platform and outcome, the codes refused
//! by errcode, sessions ended by reason, the latency of the platform's API and of the store,
//! in the text format (every sample named in a HELP and a TYPE), and no secret in it. Alone in
//! its test binary: the metrics are the process's.

mod common;

use common::{Kind, Scripted, World};

#[tokio::test]
async fn a_scrape_shows_logins_refusals_ended_sessions_and_latencies_and_no_secret() {
    let world = World::with(Kind::Sqlite, &["--max-sessions-per-user", "1"]).await;
    let first = world.token("o-fay").await;
    let second = world.token("o-fay").await; // the cap of 1 ends the first
    world
        .mock
        .lock()
        .unwrap()
        .script
        .push_back(Scripted::Errcode(40029));
    let refused_code = world.issue("o-fay");
    assert_eq!(world.login(&refused_code).await.0, 400);
    assert_eq!(world.post("/auth/logout", "", Some(&second)).await.0, 200);
    assert_eq!(world.post("/auth/login", "{\"code\":", None).await.0, 400);

    let response = world
        .client
        .get(format!("{}/metrics", world.server))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    for sample in [
        "mp_session_logins_total{platform=\"wx\",outcome=\"session\"} 2",
        "mp_session_logins_total{platform=\"wx\",outcome=\"refused\"} 1",
        "mp_session_logins_total{platform=\"\",outcome=\"rejected\"} 1",
        "mp_session_login_refusals_total{platform=\"wx\",errcode=\"40029\"} 1",
        "mp_session_sessions_ended_total{reason=\"cap\"} 1",
        "mp_session_sessions_ended_total{reason=\"logout\"} 1",
        "mp_session_upstream_seconds_count{api=\"code2session\"} 3",
        "mp_session_upstream_seconds_bucket{api=\"code2session\",le=\"+Inf\"} 3",
        "mp_session_store_seconds_count{op=\"insert\"} 2",
    ] {
        assert!(text.lines().any(|line| line == sample), "no {sample} in\n{text}");
    }
    // The format: comments, and samples of metrics a HELP and a TYPE name.
    let sample = |line: &str| {
        let (name, value) = line.rsplit_once(' ')?;
        let name = name.split('{').next()?;
        value.parse::<f64>().ok()?;
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .filter(|family| text.contains(&format!("# TYPE {family} histogram")))
            .unwrap_or(name);
        (text.contains(&format!("# HELP {family} ")) && text.contains(&format!("# TYPE {family} ")))
            .then_some(())
    };
    for line in text.lines() {
        assert!(
            line.starts_with("# ") || sample(line).is_some(),
            "not a sample: {line}"
        );
    }
    for secret in [
        first.as_str(),
        second.as_str(),
        refused_code.as_str(),
        "code-1",
        "o-fay",
        "SK-secret-session-key",
    ] {
        assert!(!text.contains(secret), "{secret} in the metrics");
    }
}
