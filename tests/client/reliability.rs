//! Each retry path through the emulator's faults, giving up with a clear error, and
//! ambiguous creates: nothing lost, nothing duplicated.

use std::time::Duration;

use docusign_emulator::Config;
use serde_json::json;
use terraform_provider_docusign::client::{Client, Error};

use crate::support::*;

fn statuses(calls: &[(String, String, Option<u16>)], method: &str, path: &str) -> Vec<Option<u16>> {
    calls
        .iter()
        .filter(|(m, p, _)| m == method && p == path)
        .map(|c| c.2)
        .collect()
}

#[tokio::test]
async fn server_errors_are_retried() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    emu.fault(
        json!({"method": "GET", "path": emu.connect_path(""), "times": 2,
        "error": {"status": 503, "errorCode": "SERVICE_UNAVAILABLE", "message": "try later"}}),
    )
    .await;
    client.list_configurations(None).await.unwrap();
    let calls = emu.calls().await;
    assert_eq!(
        statuses(&calls, "GET", &emu.connect_path("")),
        vec![Some(503), Some(503), Some(200)]
    );
}

#[tokio::test]
async fn a_server_errors_retry_after_is_honoured() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    emu.fault(
        json!({"method": "GET", "path": emu.connect_path(""), "times": 1,
        "error": {"status": 503, "errorCode": "SERVICE_UNAVAILABLE", "message": "maintenance",
                  "retry_after": 2}}),
    )
    .await;
    let started = std::time::Instant::now();
    client.list_configurations(None).await.unwrap();
    // The backoff alone would retry within a fraction of a second.
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "retried after {:?}, before the 2 s Retry-After",
        started.elapsed()
    );
    let calls = emu.calls().await;
    assert_eq!(
        statuses(&calls, "GET", &emu.connect_path("")),
        vec![Some(503), Some(200)]
    );
}

#[tokio::test]
async fn http_429_is_retried() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    emu.fault(json!({"method": "GET", "path": emu.connect_path(""), "error": {"status": 429}}))
        .await;
    client.list_configurations(None).await.unwrap();
    let calls = emu.calls().await;
    assert_eq!(
        statuses(&calls, "GET", &emu.connect_path("")),
        vec![Some(429), Some(200)]
    );
}

#[tokio::test]
async fn burst_limit_as_http_400_is_retried_even_for_post() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    emu.fault(
        json!({"method": "POST", "path": emu.connect_path(""), "times": 2,
        "error": {"status": 400, "errorCode": "BURST_APIINVOCATION_LIMIT_EXCEEDED",
                  "message": "The maximum number of burst API invocations has been exceeded."}}),
    )
    .await;
    let created = client
        .create_configuration(None, &sample("b"))
        .await
        .unwrap();
    assert!(created.connect_id.is_some());
    let calls = emu.calls().await;
    assert_eq!(
        statuses(&calls, "POST", &emu.connect_path("")),
        vec![Some(400), Some(400), Some(200)]
    );
    assert_eq!(client.list_configurations(None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn hourly_limit_waits_for_reset_only_within_budget() {
    let emu = Emu::with(Config {
        hourly_limit: 2,
        ..emu_config()
    })
    .await;
    let mut cfg = emu.token_config();
    cfg.retry_budget = Duration::from_secs(10);
    let client = Client::new(cfg).unwrap();
    client.list_configurations(None).await.unwrap();
    client.list_configurations(None).await.unwrap();
    let started = std::time::Instant::now();
    match client.list_configurations(None).await {
        Err(err) => {
            let text = err.to_string();
            assert!(
                matches!(err, Error::RateLimited { status: 400, .. }),
                "{text}"
            );
            assert_eq!(
                err.error_code(),
                Some("HOURLY_APIINVOCATION_LIMIT_EXCEEDED")
            );
            assert!(text.contains("limit resets in"), "{text}");
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "gave up at once, no futile waiting"
            );
        }
        // Only possible when the top of the hour was less than 10 s away: the client waited.
        Ok(_) => assert!(started.elapsed() >= Duration::from_millis(500)),
    }
}

#[tokio::test]
async fn dropped_connections_and_timeouts_are_retried_for_reads() {
    let emu = Emu::start().await;
    let mut cfg = emu.token_config();
    cfg.request_timeout = Duration::from_millis(700);
    let client = Client::new(cfg).unwrap();
    emu.fault(json!({"method": "GET", "path": emu.connect_path(""), "drop": "before"}))
        .await;
    emu.fault(json!({"method": "GET", "path": emu.connect_path(""), "delay_ms": 3000}))
        .await;
    client.list_configurations(None).await.unwrap();
    let n = emu.count("GET", &emu.connect_path("")).await;
    assert!(n >= 2, "dropped call logged, then success: {n}");
}

#[tokio::test]
async fn a_storm_gives_up_saying_what_was_retried_and_for_how_long() {
    let emu = Emu::start().await;
    let mut cfg = emu.token_config();
    cfg.max_retries = 3;
    let client = Client::new(cfg).unwrap();
    emu.fault(
        json!({"method": "GET", "path": emu.connect_path(""), "times": 100,
        "error": {"status": 502, "errorCode": "BAD_GATEWAY", "message": "upstream"}}),
    )
    .await;
    let err = client.list_configurations(None).await.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, Error::RetriesExhausted { attempts: 4, .. }),
        "{text}"
    );
    assert!(
        text.starts_with("list Connect configurations of account"),
        "{text}"
    );
    assert!(text.contains("gave up after 4 attempts over"), "{text}");
    assert!(
        text.contains("retried on: HTTP 502 x4; stopped by max_retries = 3"),
        "{text}"
    );
    assert!(
        text.contains("HTTP 502, errorCode BAD_GATEWAY: upstream"),
        "{text}"
    );
    assert_eq!(emu.count("GET", &emu.connect_path("")).await, 4);
}

#[tokio::test]
async fn a_post_is_never_retried_blindly() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    emu.fault(json!({"method": "POST", "path": emu.connect_path(""), "error": {"status": 500}}))
        .await;
    let err = client
        .create_configuration(None, &sample("x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Ambiguous { .. }), "{err}");
    assert!(
        err.to_string().contains("outcome unknown (HTTP 500"),
        "{err}"
    );
    assert_eq!(emu.count("POST", &emu.connect_path("")).await, 1);

    emu.fault(json!({"method": "POST", "path": emu.connect_path(""), "drop": "after_commit"}))
        .await;
    let err = client
        .create_configuration(None, &sample("y"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Ambiguous { .. }), "{err}");
    assert_eq!(emu.count("POST", &emu.connect_path("")).await, 2);
}

#[tokio::test]
async fn ambiguous_create_after_commit_adopts_the_configuration() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    // A same-named configuration with other settings must not be mistaken for ours.
    let mut decoy = sample("dup-name");
    decoy.url_to_publish_to = Some("https://other.example/hook".into());
    client.create_configuration(None, &decoy).await.unwrap();

    emu.fault(json!({"method": "POST", "path": emu.connect_path(""), "drop": "after_commit"}))
        .await;
    let adopted = client
        .create_configuration_safely(None, &sample("dup-name"))
        .await
        .unwrap();
    let list = client.list_configurations(None).await.unwrap();
    assert_eq!(list.len(), 2, "no duplicate, nothing lost");
    let ours = list
        .iter()
        .find(|c| c.url_to_publish_to.as_deref() == Some("https://listener.example/hook"))
        .unwrap();
    assert_eq!(adopted.connect_id, ours.connect_id);
    assert_eq!(
        emu.count("POST", &emu.connect_path("")).await,
        2,
        "the create was not re-sent"
    );
}

#[tokio::test]
async fn ambiguous_create_before_commit_is_retried_once_found_absent() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    emu.fault(json!({"method": "POST", "path": emu.connect_path(""), "drop": "before"}))
        .await;
    let created = client
        .create_configuration_safely(None, &sample("once"))
        .await
        .unwrap();
    let list = client.list_configurations(None).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].connect_id, created.connect_id);
    assert_eq!(emu.count("POST", &emu.connect_path("")).await, 2);
}

#[tokio::test]
async fn ambiguous_create_with_several_matches_refuses_to_guess() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    let a = client
        .create_configuration(None, &sample("twin"))
        .await
        .unwrap();
    emu.fault(json!({"method": "POST", "path": emu.connect_path(""), "drop": "after_commit"}))
        .await;
    let err = client
        .create_configuration_safely(None, &sample("twin"))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::DuplicateMatch { .. }), "{text}");
    assert!(text.contains(a.connect_id.as_deref().unwrap()), "{text}");
    assert!(text.contains("refusing to guess"), "{text}");
}

#[tokio::test]
async fn malformed_answers_are_decode_errors() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    client
        .create_configuration(None, &sample("m"))
        .await
        .unwrap();
    for mode in ["truncated", "invalid", "wrong_type", "html"] {
        emu.fault(json!({"method": "GET", "path": emu.connect_path(""), "malformed": mode}))
            .await;
        let err = client.list_configurations(None).await.unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{mode}: {err}");
        assert!(
            err.to_string()
                .starts_with("list Connect configurations of account"),
            "{err}"
        );
    }
    // And the next, clean answer decodes again.
    assert_eq!(client.list_configurations(None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_answered_create_with_no_match_afterwards_is_not_sent_again() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    // DocuSign answers 200 with an empty body without creating anything: the create happened
    // as far as the client can tell, but the list shows nothing to adopt.
    emu.fault(json!({"method": "POST", "path": emu.connect_path(""), "error": {"status": 200}}))
        .await;
    let err = client
        .create_configuration_safely(None, &sample("lost"))
        .await
        .unwrap_err();
    let Error::Decode { message, .. } = &err else {
        panic!("expected a decode error, got {err}");
    };
    let (decode, advice) = message
        .split_once("; ")
        .unwrap_or_else(|| panic!("no advice after the decode error: {message}"));
    assert!(decode.starts_with("HTTP 200: "), "{message}");
    assert_eq!(
        advice,
        "DocuSign answered the create, but no configuration matching the request was found \
         afterwards, so it was not sent again: check the account for an untracked \
         configuration before applying again"
    );
    assert_eq!(emu.count("POST", &emu.connect_path("")).await, 1);
}
