//! `server/openapi.json`, the endpoints' description: served at `GET /openapi.json` as it is in
//! the repository, naming exactly the routes `src/api/mod.rs` mounts, and each operation
//! answering a plain request (no token, no body) with a status it describes.

mod common;

use common::{Kind, World};
use serde_json::Value;

fn description() -> Value {
    serde_json::from_str(include_str!("../openapi.json")).expect("server/openapi.json is JSON")
}

/// The routes `src/api/mod.rs` mounts: `.route("PATH", METHOD(handler))`, as (method, path).
fn mounted() -> Vec<(String, String)> {
    let source = include_str!("../src/api/mod.rs");
    let mut routes: Vec<(String, String)> = source
        .split(".route(\"")
        .skip(1)
        .map(|rest| {
            let (path, after) = rest.split_once('"').unwrap();
            let method = after.trim_start_matches([',', ' ']).split('(').next().unwrap();
            (method.to_owned(), path.to_owned())
        })
        .collect();
    // Each `.route(` read as one method and one path: a route written otherwise (methods
    // chained, `get(a).post(b)`) is not one this reading counts, and fails here.
    assert_eq!(routes.len(), source.matches(".route(").count());
    assert!(
        routes
            .iter()
            .all(|(method, _)| ["get", "post", "delete"].contains(&method.as_str())),
        "{routes:?}"
    );
    assert!(
        !source.contains(").post(") && !source.contains(").get(") && !source.contains(").delete("),
        "src/api/mod.rs chains methods on a route: describe each, and read them here"
    );
    routes.sort();
    routes
}

#[tokio::test]
async fn the_description_is_served_names_every_route_and_each_answers_as_described() {
    let world = World::new(Kind::Sqlite).await;
    let served: Value = world
        .client
        .get(format!("{}/openapi.json", world.server))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let described = description();
    assert_eq!(served, described, "GET /openapi.json is server/openapi.json");
    assert_eq!(described["openapi"], "3.1.0");
    assert_eq!(described["info"]["version"], env!("CARGO_PKG_VERSION"));

    let mut operations: Vec<(String, String)> = described["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    operations.sort();
    assert_eq!(
        operations,
        mounted(),
        "the described operations and the mounted routes"
    );

    for (method, path) in &operations {
        let url = format!(
            "{}{}",
            world.server,
            path.replace("{id}", "AAAAAAAAAAAAAAAAAAAAAA")
        );
        let request = match method.as_str() {
            "get" => world.client.get(url),
            "post" => world.client.post(url),
            "delete" => world.client.delete(url),
            other => panic!("a method the test does not send: {other}"),
        };
        let status = request.send().await.unwrap().status().as_u16().to_string();
        let responses = &described["paths"][path][method]["responses"];
        assert!(
            responses.get(&status).is_some(),
            "{method} {path} answered {status}, which its description does not name"
        );
    }
}
