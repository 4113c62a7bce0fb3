//! Every fault mode, and the request log (order, failed calls, redaction).

mod common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn add(e: &Emu, rule: Value) {
    let a = e.control(Method::POST, "/faults", Some(rule)).await;
    assert_eq!(a.status, 201, "{}", a.text);
}

const CONNECT: &str = "/restapi/v2.1/accounts/*/connect";

async fn count(e: &Emu) -> String {
    e.connect(Method::GET, "", None).await.json["totalRecords"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn error_fault_for_the_next_n_calls_only() {
    let e = emu().await;
    add(
        &e,
        json!({"method": "POST", "path": CONNECT, "times": 2,
        "error": {"status": 503, "errorCode": "SERVICE_UNAVAILABLE", "message": "try later"}}),
    )
    .await;
    for _ in 0..2 {
        e.connect(Method::POST, "", Some(minimal("f")))
            .await
            .error(503, "SERVICE_UNAVAILABLE");
    }
    assert_eq!(
        count(&e).await,
        "0",
        "an error fault does not run the handler; GET is not matched"
    );
    assert_eq!(
        e.connect(Method::POST, "", Some(minimal("f"))).await.status,
        200
    );
    assert_eq!(
        e.control(Method::GET, "/faults", None).await.json,
        json!([])
    );
}

#[tokio::test]
async fn error_fault_with_retry_after() {
    let e = emu().await;
    add(
        &e,
        json!({"method": "GET", "path": CONNECT,
        "error": {"status": 429, "message": "slow down", "retry_after": 120}}),
    )
    .await;
    let url = e.connect_url(&e.info().account_id, "");
    let r = e
        .http
        .get(&url)
        .bearer_auth(&e.info().access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "120");
    assert_eq!(e.connect(Method::GET, "", None).await.status, 200);
}

#[tokio::test]
async fn delay_fault() {
    let e = emu().await;
    add(&e, json!({"path": CONNECT, "delay_ms": 400})).await;
    let t = Instant::now();
    assert_eq!(e.connect(Method::GET, "", None).await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(400));
    let t = Instant::now();
    e.connect(Method::GET, "", None).await;
    assert!(t.elapsed() < Duration::from_millis(400));
}

#[tokio::test]
async fn drop_after_commit_applies_the_change_without_answering() {
    let e = emu().await;
    add(
        &e,
        json!({"method": "POST", "path": CONNECT, "drop": "after_commit"}),
    )
    .await;
    let url = e.connect_url(&e.info().account_id, "");
    let r = e
        .http
        .post(&url)
        .bearer_auth(&e.info().access_token)
        .json(&minimal("ghost"))
        .send()
        .await;
    assert!(r.is_err(), "no answer expected, got {r:?}");
    let list = e.connect(Method::GET, "", None).await;
    assert_eq!(list.json["totalRecords"], "1", "the write was committed");
    assert_eq!(list.json["configurations"][0]["name"], "ghost");
    let log = e.control(Method::GET, "/requests", None).await.json;
    let first = &log[0];
    assert_eq!(first["method"], "POST");
    assert_eq!(first["status"], Value::Null);
    assert_eq!(first["fault"], "drop:after_commit");
}

#[tokio::test]
async fn drop_before_changes_nothing() {
    let e = emu().await;
    add(
        &e,
        json!({"method": "POST", "path": CONNECT, "drop": "before"}),
    )
    .await;
    let url = e.connect_url(&e.info().account_id, "");
    let r = e
        .http
        .post(&url)
        .bearer_auth(&e.info().access_token)
        .json(&minimal("ghost"))
        .send()
        .await;
    assert!(r.is_err());
    assert_eq!(count(&e).await, "0");
}

#[tokio::test]
async fn malformed_answers() {
    let e = emu().await;
    assert_eq!(
        e.connect(Method::POST, "", Some(minimal("m"))).await.status,
        200
    );
    for mode in ["truncated", "invalid", "html"] {
        add(
            &e,
            json!({"method": "GET", "path": CONNECT, "malformed": mode}),
        )
        .await;
        let a = e.connect(Method::GET, "", None).await;
        assert_eq!(a.status, 200, "{mode}");
        assert!(
            serde_json::from_str::<Value>(&a.text).is_err(),
            "{mode} must not parse: {}",
            a.text
        );
    }
    let a = e.connect(Method::GET, "", None).await;
    let full = a.text.clone();
    add(
        &e,
        json!({"method": "GET", "path": CONNECT, "malformed": "truncated"}),
    )
    .await;
    let t = e.connect(Method::GET, "", None).await;
    assert!(full.starts_with(&t.text) && t.text.len() < full.len());
    add(
        &e,
        json!({"method": "GET", "path": CONNECT, "malformed": "wrong_type"}),
    )
    .await;
    let w = e.connect(Method::GET, "", None).await;
    assert_eq!(w.json["totalRecords"], 1, "numeric string became a number");
    assert!(
        w.json["configurations"].is_string(),
        "array became a string"
    );
    let spec = docusign_emulator::swagger::Spec::cached().unwrap();
    assert!(
        spec.check("connectConfigResults", &w.json).is_err(),
        "the checker catches it"
    );
}

#[tokio::test]
async fn invalid_rules_are_refused() {
    let e = emu().await;
    for rule in [
        json!({"path": CONNECT}),
        json!({"path": CONNECT, "drop": "before", "malformed": "html"}),
        json!({"path": CONNECT, "drop": "sideways"}),
        json!({"path": CONNECT, "delay_ms": 1, "times": 0}),
        json!({"path": CONNECT, "delay_ms": 1, "bogus": 1}),
    ] {
        assert_eq!(
            e.control(Method::POST, "/faults", Some(rule.clone()))
                .await
                .status,
            400,
            "{rule}"
        );
    }
    add(&e, json!({"path": "/oauth/**", "delay_ms": 1, "times": 5})).await;
    let rules = e.control(Method::GET, "/faults", None).await.json;
    assert_eq!(rules[0]["remaining"], 5);
    assert_eq!(e.control(Method::DELETE, "/faults", None).await.status, 200);
    assert_eq!(
        e.control(Method::GET, "/faults", None).await.json,
        json!([])
    );
}

#[tokio::test]
async fn request_log_in_order_with_secrets_redacted() {
    let e = emu().await;
    let mut body = minimal("logged");
    body["password"] = json!("hunter2");
    body["oAuthConfiguration"] = json!({"clientId": "c", "clientSecret": "topsecret"});
    e.connect(Method::POST, "", Some(body)).await;
    e.connect(Method::POST, "/oauth", Some(json!({"authorizationServerUrl": "https://a/t", "clientId": "c", "clientSecret": "s3cr3t"}))).await;
    e.connect(Method::POST, "/secret", None).await;
    e.token(&assertion("app.key.pem", &claims(&e, IK))).await;
    e.call(
        Method::GET,
        &e.url("/restapi/v2.1/accounts/x/connect?access_token=leak"),
        None,
        None,
    )
    .await;
    let log = e.control(Method::GET, "/requests", None).await;
    let text = log.text.clone();
    for secret in [
        "hunter2",
        "topsecret",
        "s3cr3t",
        "leak",
        &e.info().access_token,
    ] {
        assert!(!text.contains(secret), "{secret} leaked into {text}");
    }
    let entries = log.json.as_array().unwrap();
    let summary: Vec<(String, String, u64)> = entries
        .iter()
        .map(|x| {
            (
                x["method"].as_str().unwrap().into(),
                x["path"].as_str().unwrap().into(),
                x["status"].as_u64().unwrap(),
            )
        })
        .collect();
    let acct = &e.info().account_id;
    assert_eq!(
        summary,
        [
            (
                "POST".into(),
                format!("/restapi/v2.1/accounts/{acct}/connect"),
                200
            ),
            (
                "POST".into(),
                format!("/restapi/v2.1/accounts/{acct}/connect/oauth"),
                201
            ),
            (
                "POST".into(),
                format!("/restapi/v2.1/accounts/{acct}/connect/secret"),
                201
            ),
            ("POST".into(), "/oauth/token".into(), 200),
            (
                "GET".into(),
                "/restapi/v2.1/accounts/x/connect?access_token=[REDACTED]".into(),
                401
            ),
        ]
    );
    assert_eq!(entries[0]["account_id"], acct.as_str());
    assert_eq!(entries[0]["body"]["password"], "[REDACTED]");
    assert_eq!(
        entries[0]["body"]["oAuthConfiguration"]["clientSecret"],
        "[REDACTED]"
    );
    assert_eq!(entries[0]["body"]["name"], "logged");
    assert_eq!(entries[3]["body"]["assertion"], "[REDACTED]");
    assert!(entries[3].get("account_id").is_none());
    assert_eq!(
        e.control(Method::DELETE, "/requests", None).await.status,
        200
    );
    assert_eq!(
        e.control(Method::GET, "/requests", None).await.json,
        json!([])
    );
}

#[tokio::test]
async fn reset_clears_data_but_keeps_tokens() {
    let e = emu().await;
    e.connect(Method::POST, "", Some(minimal("r"))).await;
    e.connect(Method::POST, "/secret", None).await;
    assert_eq!(e.control(Method::POST, "/reset", None).await.status, 200);
    assert_eq!(count(&e).await, "0");
    assert_eq!(
        e.connect(Method::GET, "/secret", None).await.json,
        json!({"secrets": []})
    );
}
