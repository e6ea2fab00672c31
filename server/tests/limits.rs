//! The abuse limits, held across two servers over one store: logins per client address (as a
//! trusted proxy forwards it; refused before WeChat is asked), logins per user (in the same
//! write as the session, so concurrent logins on both servers never pass it), and
//! authenticated requests per token (a forged secret spends nothing). Each refusal is `429
//! RATE_LIMITED` with `Retry-After`, and counted in `/metrics`. Over SQLite and over a real
//! redis-server.

mod common;

use common::{Kind, World};
use serde_json::{json, Value};

with_each_store!(
    logins_from_one_address_are_limited_before_wechat_is_asked,
    a_users_logins_are_limited_even_when_they_come_at_once_to_two_servers,
    a_tokens_requests_are_limited_and_a_forged_one_spends_nothing,
);

/// `POST /auth/login` on `server` for `openid`, from `forwarded` (an `X-Forwarded-For`):
/// the status, the `Retry-After` header, the body.
async fn login_from(
    world: &World,
    server: &str,
    openid: &str,
    forwarded: Option<&str>,
) -> (u16, Option<u64>, Value) {
    let body = json!({ "code": world.issue(openid), "platform": "wx" }).to_string();
    let mut request = world
        .client
        .post(format!("{server}/auth/login"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    answer(request).await
}

async fn answer(request: reqwest::RequestBuilder) -> (u16, Option<u64>, Value) {
    let response = request.send().await.unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
    let status = response.status().as_u16();
    (status, retry_after, response.json().await.unwrap_or(Value::Null))
}

/// The counter `mp_session_limits_hit_total{limit="<limit>"}` on `server`.
async fn limits_hit(world: &World, server: &str, limit: &str) -> u64 {
    let text = world
        .client
        .get(format!("{server}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = format!("mp_session_limits_hit_total{{limit=\"{limit}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&line))
        .map_or(0, |n| n.parse().unwrap())
}

fn assert_limited(answered: &(u16, Option<u64>, Value), most_seconds: u64) {
    let (status, retry_after, body) = answered;
    assert_eq!(*status, 429, "{body}");
    assert_eq!(body["error"]["code"], "RATE_LIMITED", "{body}");
    let seconds = retry_after.expect("a 429 carries Retry-After");
    assert!((1..=most_seconds).contains(&seconds), "Retry-After: {seconds}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with(&format!("try again in {seconds} s")),
        "{body}"
    );
}

async fn logins_from_one_address_are_limited_before_wechat_is_asked(kind: Kind) {
    let mut world = World::with(
        kind,
        &[
            "--logins-per-minute-per-ip",
            "3",
            "--trusted-proxy",
            "127.0.0.1,10.0.0.0/8",
        ],
    )
    .await;
    world.start().await;
    let servers = world.servers.clone();
    let before = limits_hit(&world, &servers[0], "login_ip").await;
    // Through two proxies of ours: the address is the one the outer proxy saw.
    let client = Some("198.51.100.1, 203.0.113.7, 10.0.0.2");
    let calls = || world.mock.lock().unwrap().calls;

    // On one server: its own budget stops the fourth before WeChat is asked.
    for n in 0..3 {
        let (status, _, body) = login_from(&world, &servers[0], &format!("o-{n}"), client).await;
        assert_eq!(status, 200, "{body}");
    }
    let asked = calls();
    assert_limited(&login_from(&world, &servers[0], "o-3", client).await, 20);
    assert_eq!(
        calls(),
        asked,
        "WeChat is not asked for a login over the address's limit"
    );

    // On the other server, the store's budget, shared, is spent: refused, when the session
    // would be kept (WeChat was asked once, by that server's own budget's leave).
    assert_limited(&login_from(&world, &servers[1], "o-4", client).await, 20);
    assert_eq!(calls(), asked + 1);
    assert_eq!(
        world.store().await.sessions("o-4".into(), 0).await.unwrap().len(),
        0
    );

    // Another address has its own budget; the peer itself, when nothing is forwarded, too.
    assert_eq!(
        login_from(&world, &servers[1], "o-5", Some("203.0.113.8"))
            .await
            .0,
        200
    );
    assert_eq!(login_from(&world, &servers[1], "o-6", None).await.0, 200);

    // Codes that are not WeChat's spend the address's budget on the server too: a client
    // sending them in a loop is stopped before WeChat is asked again.
    let bad = |n: usize| {
        let request = world
            .client
            .post(format!("{}/auth/login", servers[1]))
            .header("content-type", "application/json")
            .header("x-forwarded-for", "192.0.2.99")
            .body(json!({ "code": format!("forged-{n}"), "platform": "wx" }).to_string());
        answer(request)
    };
    for n in 0..3 {
        assert_eq!(bad(n).await.0, 400);
    }
    let asked = calls();
    assert_limited(&bad(3).await, 20);
    assert_eq!(calls(), asked);

    let hit =
        limits_hit(&world, &servers[0], "login_ip").await + limits_hit(&world, &servers[1], "login_ip").await;
    // The registry is the process's: other tests' refusals may add to it, never take away.
    assert!(hit >= before + 3, "{hit} after {before}");
}

async fn a_users_logins_are_limited_even_when_they_come_at_once_to_two_servers(kind: Kind) {
    let mut world = World::with(kind, &["--logins-per-minute-per-user", "4"]).await;
    world.start().await;
    let servers = world.servers.clone();
    let logins = (0..10).map(|n| login_from(&world, &servers[n % 2], "o-ann", None));
    let answered = futures::future::join_all(logins).await;
    let admitted = answered.iter().filter(|a| a.0 == 200).count();
    assert_eq!(
        admitted,
        4,
        "{:?}",
        answered.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    for refused in answered.iter().filter(|a| a.0 != 200) {
        assert_limited(refused, 15);
    }
    // Nothing was written for a refused login: the user holds the 4 sessions admitted.
    let store = world.store().await;
    assert_eq!(store.sessions("o-ann".into(), 0).await.unwrap().len(), 4);
    // Another user is not held back.
    assert_eq!(login_from(&world, &servers[1], "o-ben", None).await.0, 200);
}

async fn a_tokens_requests_are_limited_and_a_forged_one_spends_nothing(kind: Kind) {
    let mut world = World::with(kind, &["--calls-per-minute-per-token", "3"]).await;
    world.start().await;
    let servers = world.servers.clone();
    let token = world.token("o-cat").await;
    let other = world.token("o-dot").await;
    let call = |server: usize, token: String| {
        let request = world
            .client
            .get(format!("{}/auth/session", servers[server]))
            .bearer_auth(token);
        answer(request)
    };
    let (id, _) = token.split_once('.').unwrap();
    let forged = format!("{id}.{}", "A".repeat(43));
    for _ in 0..5 {
        assert_eq!(call(0, forged.clone()).await.0, 401);
    }
    for n in 0..3 {
        let (status, _, body) = call(n % 2, token.clone()).await;
        assert_eq!(status, 200, "{body}");
    }
    assert_limited(&call(1, token.clone()).await, 20);
    // The app's own handlers behind the extractor are held to the same budget.
    let own = world
        .client
        .get(format!("{}/api/me", servers[0]))
        .bearer_auth(&token);
    assert_eq!(answer(own).await.0, 429);
    assert_eq!(call(0, other).await.0, 200);
}
