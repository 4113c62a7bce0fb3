//! Connect delivery end to end inside the emulator: events raised through the control surface
//! reach a local https listener, authenticated as each configuration says (OAuth for Connect
//! against a local authorization server, HMAC, Basic, mutual TLS), retried when not
//! acknowledged, and logged in `connect/logs` and `connect/failures`.

mod common;

use base64::Engine as _;
use common::*;
use docusign_emulator::Config;
use docusign_emulator::delivery::DeliveryConfig;
use docusign_emulator::listener::{Listener, ListenerConfig, Received};
use docusign_emulator::tls::Ca;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

/// A https listener whose CA the emulator trusts; `client_ca` requires client certificates.
fn listener(ca: &Ca, client_ca: Option<String>) -> Listener {
    Listener::https(
        ca,
        client_ca,
        vec![("partner-client".into(), "partner-secret".into())],
    )
    .unwrap()
}

async fn emulator(ca: &Ca, accounts: usize) -> Emu {
    emu_with(Config {
        accounts,
        delivery: DeliveryConfig {
            trusted_ca_pems: vec![ca.cert_pem.clone()],
            retry_backoff: Duration::from_millis(5),
            max_retries: 2,
            ..DeliveryConfig::default()
        },
        ..config()
    })
    .await
}

fn sim(url: &str, extra: Value) -> Value {
    let mut b = json!({
        "name": "delivery", "urlToPublishTo": url, "configurationType": "custom",
        "allUsers": "true", "allowEnvelopePublish": "true", "enableLog": "true",
        "deliveryMode": "SIM", "events": ["envelope-completed", "recipient-completed"],
        "eventData": {"version": "restv2.1", "includeData": ["recipients", "custom_fields"]}
    });
    if let (Value::Object(b), Value::Object(extra)) = (&mut b, extra) {
        b.extend(extra);
    }
    b
}

async fn create(e: &Emu, account: &str, body: Value) -> String {
    let url = e.connect_url(account, "");
    let a = e
        .call(Method::POST, &url, Some(&e.info().access_token), Some(body))
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json["connectId"].as_str().unwrap().to_owned()
}

async fn rest(e: &Emu, method: Method, account: &str, rest: &str, body: Option<Value>) -> Answer {
    let url = e.connect_url(account, rest);
    e.call(method, &url, Some(&e.info().access_token), body)
        .await
}

/// Raises `event` on `account` and waits until its deliveries settle.
async fn raise(e: &Emu, account: &str, event: &str) -> Value {
    let a = e
        .control(
            Method::POST,
            &format!("/accounts/{account}/events?wait=true"),
            Some(json!({"event": event})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.json
}

fn oauth_settings(l: &Listener) -> Value {
    json!({"authorizationServerUrl": l.token_url(), "clientId": "partner-client",
           "clientSecret": "partner-secret", "scope": "connect.listener"})
}

#[tokio::test]
async fn oauth_bearer_from_the_authorization_server_is_cached_and_include_data_is_honoured() {
    let ca = Ca::new("test CA").unwrap();
    let l = listener(&ca, None);
    let e = emulator(&ca, 1).await;
    let acct = e.info().account_id.clone();
    assert_eq!(
        rest(&e, Method::POST, &acct, "/oauth", Some(oauth_settings(&l)))
            .await
            .status,
        201
    );
    let id = create(
        &e,
        &acct,
        sim(&l.url("/hook"), json!({"includeOAuth": "true"})),
    )
    .await;
    raise(&e, &acct, "envelope-completed").await;
    raise(&e, &acct, "envelope-completed").await;
    let got = l.received();
    assert_eq!(got.len(), 2, "{got:?}");
    let issued = l.issued();
    assert_eq!(issued.len(), 1, "the token is cached until it expires");
    assert_eq!(issued[0].client_id, "partner-client");
    assert_eq!(issued[0].scope, "connect.listener");
    for m in &got {
        assert_eq!(m.bearer(), Some(issued[0].token.as_str()));
        let v = m.json();
        assert_eq!(v["event"], "envelope-completed");
        assert_eq!(v["configurationId"], id.parse::<u64>().unwrap());
        assert_eq!(v["retryCount"], 0);
        assert_eq!(v["data"]["accountId"], acct.as_str());
        assert_eq!(v["data"]["userId"], e.info().user_id.as_str());
        let summary = &v["data"]["envelopeSummary"];
        assert_eq!(summary["status"], "completed");
        assert_eq!(
            summary["recipients"]["signers"].as_array().unwrap().len(),
            2
        );
        assert!(summary["recipients"]["signers"][0].get("tabs").is_none());
        assert!(summary["customFields"]["textCustomFields"].is_array());
        assert!(summary.get("envelopeDocuments").is_none());
    }
    let logs = rest(&e, Method::GET, &acct, "/logs", None).await;
    assert_eq!(logs.json["totalRecords"], "2", "{}", logs.text);
    assert_eq!(logs.json["logs"][0]["connectId"], id.as_str());
}

fn verify(secret: &str, m: &Received, header: &str) -> bool {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.as_bytes());
    let Some(sig) = m.header(header) else {
        return false;
    };
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(sig) else {
        return false;
    };
    aws_lc_rs::hmac::verify(&key, &m.body, &raw).is_ok()
}

#[tokio::test]
async fn hmac_signs_the_exact_body_with_every_key_oldest_first() {
    let ca = Ca::new("test CA").unwrap();
    let l = listener(&ca, None);
    let e = emulator(&ca, 1).await;
    let acct = e.info().account_id.clone();
    let k1 = rest(&e, Method::POST, &acct, "/secret", None).await.json["secretKey"]
        .as_str()
        .unwrap()
        .to_owned();
    let k2 = rest(&e, Method::POST, &acct, "/secret", None).await.json["secretKey"]
        .as_str()
        .unwrap()
        .to_owned();
    create(
        &e,
        &acct,
        sim(&l.url("/hook"), json!({"includeHMAC": "true"})),
    )
    .await;
    raise(&e, &acct, "envelope-completed").await;
    let got = l.received();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert!(verify(&k1, m, "x-docusign-signature-1"), "{m:?}");
    assert!(verify(&k2, m, "x-docusign-signature-2"), "{m:?}");
    assert!(!verify(&k2, m, "x-docusign-signature-1"));
    assert!(m.header("x-docusign-signature-3").is_none());
    assert!(m.header("authorization").is_none());
}

#[tokio::test]
async fn basic_authentication_from_user_name_and_password() {
    let ca = Ca::new("test CA").unwrap();
    let l = listener(&ca, None);
    let e = emulator(&ca, 1).await;
    let acct = e.info().account_id.clone();
    create(
        &e,
        &acct,
        sim(
            &l.url("/hook"),
            json!({"userName": "listener", "password": "pa:ss"}),
        ),
    )
    .await;
    raise(&e, &acct, "envelope-completed").await;
    let got = l.received();
    assert_eq!(got.len(), 1);
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("listener:pa:ss")
    );
    assert_eq!(got[0].header("authorization"), Some(expected.as_str()));
}

#[tokio::test]
async fn mutual_tls_presents_the_emulators_client_certificate_only_when_required() {
    let ca = Ca::new("test CA").unwrap();
    let e = emulator(&ca, 1).await;
    let cert = e
        .control(Method::GET, "/connect/client-certificate", None)
        .await;
    let client_ca = cert.json["ca_pem"].as_str().unwrap().to_owned();
    let l = listener(&ca, Some(client_ca));
    let acct = e.info().account_id.clone();
    create(
        &e,
        &acct,
        sim(&l.url("/mtls"), json!({"requireMutualTls": "true"})),
    )
    .await;
    create(
        &e,
        &acct,
        sim(
            &l.url("/plain"),
            json!({"requiresAcknowledgement": "false"}),
        ),
    )
    .await;
    let answer = raise(&e, &acct, "envelope-completed").await;
    let got = l.received();
    assert_eq!(got.len(), 1, "{answer}");
    assert_eq!(got[0].path, "/mtls");
    assert!(got[0].client_cert.is_some());
    // The configuration without requireMutualTls cannot get through, and that is listed.
    let failures = rest(&e, Method::GET, &acct, "/failures", None).await;
    assert_eq!(failures.json["totalRecords"], "1", "{}", failures.text);
    assert!(
        failures.json["failures"][0]["configUrl"]
            .as_str()
            .unwrap()
            .ends_with("/plain")
    );
}

#[tokio::test]
async fn unacknowledged_messages_are_retried_and_listed_as_failures() {
    let ca = Ca::new("test CA").unwrap();
    let l = listener(&ca, None);
    l.set_status(500);
    let e = emulator(&ca, 1).await;
    let acct = e.info().account_id.clone();
    let id = create(&e, &acct, sim(&l.url("/hook"), json!({}))).await;
    let answer = raise(&e, &acct, "envelope-completed").await;
    let got = l.received();
    let retries: Vec<Value> = got.iter().map(|m| m.json()["retryCount"].clone()).collect();
    assert_eq!(retries, vec![json!(0), json!(1), json!(2)], "{answer}");
    let failures = rest(&e, Method::GET, &acct, "/failures", None).await;
    assert_eq!(failures.json["totalRecords"], "1", "{}", failures.text);
    let f = &failures.json["failures"][0];
    assert_eq!(f["connectId"], id.as_str());
    assert_eq!(f["retryCount"], "2");
    assert!(f["error"].as_str().unwrap().contains("HTTP 500"), "{f}");
    assert_eq!(answer["deliveries"][0]["state"], "failed");
    // Without requiresAcknowledgement a failed message is sent once.
    rest(&e, Method::DELETE, &acct, &format!("/{id}"), None).await;
    let once_id = create(
        &e,
        &acct,
        sim(&l.url("/once"), json!({"requiresAcknowledgement": "false"})),
    )
    .await;
    raise(&e, &acct, "envelope-completed").await;
    let once = l
        .received()
        .into_iter()
        .filter(|m| m.path == "/once")
        .count();
    assert_eq!(once, 1);
    // A retry that gets through removes the failure.
    rest(&e, Method::DELETE, &acct, &format!("/{once_id}"), None).await;
    rest(&e, Method::DELETE, &acct, "/failures/all", None).await;
    l.set_status(200);
    l.fail_next(1, 503);
    let fixed = create(&e, &acct, sim(&l.url("/late"), json!({}))).await;
    raise(&e, &acct, "envelope-completed").await;
    let late: Vec<Value> = l
        .received()
        .into_iter()
        .filter(|m| m.path == "/late")
        .map(|m| m.json()["retryCount"].clone())
        .collect();
    assert_eq!(late, vec![json!(0), json!(1)]);
    let failures = rest(&e, Method::GET, &acct, "/failures", None).await;
    let listed: Vec<&str> = failures.json["failures"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["connectId"].as_str())
        .collect();
    assert!(!listed.contains(&fixed.as_str()), "{}", failures.text);
}

#[tokio::test]
async fn only_matching_configurations_receive_the_event() {
    let ca = Ca::new("test CA").unwrap();
    let l = listener(&ca, None);
    let e = emulator(&ca, 1).await;
    let acct = e.info().account_id.clone();
    let user = e.info().user_id.clone();
    let cases = [
        ("yes", json!({})),
        ("off", json!({"allowEnvelopePublish": "false"})),
        ("paused", json!({"pausePublish": "true"})),
        ("other-event", json!({"events": ["envelope-sent"]})),
        (
            "legacy",
            json!({"events": null, "envelopeEvents": ["Completed"]}),
        ),
        (
            "user-listed",
            json!({"allUsers": "false", "userIds": [user]}),
        ),
        (
            "user-excluded",
            json!({"allUsers": "false", "allUsersExcept": "true", "userIds": [user]}),
        ),
        (
            "recipient-only",
            json!({"configurationType": "customrecipient"}),
        ),
        ("xml", json!({"eventData": {"version": ""}})),
    ];
    for (path, extra) in &cases {
        create(&e, &acct, sim(&l.url(&format!("/{path}")), extra.clone())).await;
    }
    let answer = raise(&e, &acct, "envelope-completed").await;
    let mut paths: Vec<String> = l.received().into_iter().map(|m| m.path).collect();
    paths.sort();
    assert_eq!(paths, vec!["/legacy", "/user-listed", "/yes"], "{answer}");
    let reasons: Vec<String> = answer["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        reasons.iter().any(|r| r == "allowEnvelopePublish is false"),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("not emulated")),
        "{reasons:?}"
    );
    // The recipient flavour receives envelopes a user of the account receives.
    let a = e
        .control(
            Method::POST,
            &format!("/accounts/{acct}/events?wait=true"),
            Some(
                json!({"event": "envelope-completed", "envelope": {"recipients": [
                {"name": "Account User", "email": "u@example.com", "userId": user}]}}),
            ),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(l.received().iter().any(|m| m.path == "/recipient-only"));
}

#[tokio::test]
async fn listeners_must_be_https_on_loopback_unless_allowed() {
    let ca = Ca::new("test CA").unwrap();
    let e = emulator(&ca, 1).await;
    let acct = e.info().account_id.clone();
    let plain = Listener::start(ListenerConfig::default()).unwrap();
    // http URLs are refused at create without --allow-http-listeners.
    let a = rest(
        &e,
        Method::POST,
        &acct,
        "",
        Some(sim(&plain.url("/h"), json!({}))),
    )
    .await;
    assert_eq!(a.status, 400, "{}", a.text);
    create(
        &e,
        &acct,
        sim(
            "https://192.0.2.1/hook",
            json!({"requiresAcknowledgement": "false"}),
        ),
    )
    .await;
    raise(&e, &acct, "envelope-completed").await;
    let failures = rest(&e, Method::GET, &acct, "/failures", None).await;
    assert!(
        failures.json["failures"][0]["error"]
            .as_str()
            .unwrap()
            .contains("not a loopback address"),
        "{}",
        failures.text
    );
    // With the flag, plain http is delivered.
    let e2 = emu_with(Config {
        allow_http_listeners: true,
        ..config()
    })
    .await;
    let acct2 = e2.info().account_id.clone();
    create(&e2, &acct2, sim(&plain.url("/h"), json!({}))).await;
    raise(&e2, &acct2, "envelope-completed").await;
    assert_eq!(plain.received().len(), 1);
}

#[tokio::test]
async fn integrator_managed_uses_the_integrator_accounts_settings_and_fails_visibly_without_them() {
    let ca = Ca::new("test CA").unwrap();
    let l = listener(&ca, None);
    let e = emulator(&ca, 2).await;
    let (home, client) = (e.info().accounts[0].clone(), e.info().accounts[1].clone());
    assert_eq!(
        rest(&e, Method::POST, &home, "/oauth", Some(oauth_settings(&l)))
            .await
            .status,
        201
    );
    create(
        &e,
        &client,
        sim(
            &l.url("/client"),
            json!({"includeOAuth": "true", "integratorManaged": "true"}),
        ),
    )
    .await;
    raise(&e, &client, "envelope-completed").await;
    let got = l.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json()["data"]["accountId"], client.as_str());
    assert_eq!(got[0].bearer(), Some(l.issued()[0].token.as_str()));
    // The integrator's settings removed: the next message fails, and says why.
    rest(&e, Method::DELETE, &home, "/oauth", None).await;
    raise(&e, &client, "envelope-completed").await;
    assert_eq!(l.received().len(), 1);
    let failures = rest(&e, Method::GET, &client, "/failures", None).await;
    let error = failures.json["failures"][0]["error"].as_str().unwrap_or("");
    assert!(
        error.contains("OAuth for Connect is not set up") && error.contains(&home),
        "{}",
        failures.text
    );
}
