//! Rate limits: headers on every REST answer, burst and hourly errors like DocuSign's.

mod common;

use common::*;
use docusign_emulator::Config;
use reqwest::Method;
use std::time::Duration;

fn header(a: &Answer, name: &str) -> u64 {
    a.headers[name].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn burst_limit_exceeded_answers_and_headers() {
    let e = emu_with(Config {
        burst_limit: 3,
        burst_window: Duration::from_secs(2),
        ..config()
    })
    .await;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let a = e.connect(Method::GET, "", None).await;
        assert_eq!(a.status, 200);
        assert_eq!(header(&a, "x-burstlimit-limit"), 3);
        assert_eq!(header(&a, "x-ratelimit-limit"), 3000);
        let reset = header(&a, "x-ratelimit-reset");
        assert!(reset > now() && reset <= now() + 3600 && reset.is_multiple_of(3600));
        remaining.push((
            header(&a, "x-burstlimit-remaining"),
            header(&a, "x-ratelimit-remaining"),
        ));
    }
    assert_eq!(remaining, [(2, 2999), (1, 2998), (0, 2997)]);
    let a = e.connect(Method::POST, "", Some(minimal("over"))).await;
    a.error(400, "BURST_APIINVOCATION_LIMIT_EXCEEDED");
    assert_eq!(header(&a, "x-burstlimit-remaining"), 0);
    // The rejected create did nothing; after the window the account may call again.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let a = e.connect(Method::GET, "", None).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json["totalRecords"], "0");
    // 401s carry the headers too.
    let unauth = e
        .call(
            Method::GET,
            &e.connect_url(&e.info().account_id, ""),
            None,
            None,
        )
        .await;
    assert!(unauth.headers.contains_key("x-ratelimit-remaining"));
}

#[tokio::test]
async fn hourly_limit_and_configurable_status() {
    let e = emu_with(Config {
        hourly_limit: 2,
        limit_status: 429,
        ..config()
    })
    .await;
    assert_eq!(e.connect(Method::GET, "", None).await.status, 200);
    assert_eq!(e.connect(Method::GET, "", None).await.status, 200);
    let a = e.connect(Method::GET, "", None).await;
    a.error(429, "HOURLY_APIINVOCATION_LIMIT_EXCEEDED");
    assert_eq!(header(&a, "x-ratelimit-remaining"), 0);
    // The control surface resets the counters.
    assert_eq!(e.control(Method::POST, "/reset", None).await.status, 200);
    assert_eq!(e.connect(Method::GET, "", None).await.status, 200);
}

#[tokio::test]
async fn limits_are_per_account() {
    let e = emu_with(Config {
        accounts: 2,
        burst_limit: 1,
        ..config()
    })
    .await;
    assert_eq!(e.connect(Method::GET, "", None).await.status, 200);
    e.connect(Method::GET, "", None)
        .await
        .error(400, "BURST_APIINVOCATION_LIMIT_EXCEEDED");
    let other = e.connect_url(&e.info().accounts[1], "");
    assert_eq!(
        e.call(Method::GET, &other, Some(&e.info().access_token), None)
            .await
            .status,
        200
    );
}
