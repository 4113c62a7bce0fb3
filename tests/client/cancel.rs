//! Terraform's `Stop` reaches the client through [`Client::with_cancel`]: it cuts short a retry
//! backoff (even one DocuSign asked for with `Retry-After`) and a wait for the rate limit, with
//! an error naming the operation; it never aborts a request already sent, and it never lets a
//! create of unknown outcome be sent again.
//!
//! Bounds are generous: a cancelled wait must end within seconds where the wait itself is ten
//! minutes.

use std::time::{Duration, Instant};

use serde_json::json;
use terraform_provider_docusign::client::{Client, ClientConfig, Error, RateLimit};
use tokio_util::sync::CancellationToken;

use crate::support::*;

/// How long DocuSign (or the limiter) asks the client to wait.
const LONG_WAIT: Duration = Duration::from_secs(600);
/// How soon a cancelled wait must end (far below `LONG_WAIT`; no tight timing).
const PROMPTLY: Duration = Duration::from_secs(15);

/// Waits (up to 20 s) until `cond` holds.
async fn until(emu: &Emu, cond: impl Fn(usize) -> bool) {
    let started = Instant::now();
    while !cond(emu.count("GET", &emu.connect_path("")).await) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never happened"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Lists the configurations while every `GET /connect` answers `error` (a fault), with `tune`
/// applied to the configuration; cancels once the first answer came and the client is waiting
/// to retry. Returns the error and how many list calls DocuSign got.
async fn cancelled_while_retrying(
    error: serde_json::Value,
    tune: impl FnOnce(&mut ClientConfig),
) -> (Error, usize) {
    let emu = Emu::start().await;
    emu.fault(json!({"method": "GET", "path": emu.connect_path(""), "times": 100, "error": error}))
        .await;
    let mut cfg = emu.token_config();
    // A budget that allows a ten-minute wait (else the client gives up at once).
    cfg.retry_budget = Duration::from_secs(3600);
    tune(&mut cfg);
    let cancel = CancellationToken::new();
    let client = Client::new(cfg).unwrap().with_cancel(cancel.clone());
    let call = tokio::spawn(async move { client.list_configurations(None).await });

    until(&emu, |n| n >= 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!call.is_finished(), "the client waits to retry");
    let cancelled_at = Instant::now();
    cancel.cancel();
    let result = tokio::time::timeout(PROMPTLY, call)
        .await
        .expect("Stop cuts the retry wait short")
        .unwrap();
    eprintln!(
        "[cancel] a wait of minutes cut short {:?} after Stop",
        cancelled_at.elapsed()
    );
    let err = result.expect_err("no answer but errors");
    let text = err.to_string();
    assert!(
        matches!(err, Error::Cancelled { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(err.is_cancelled());
    let account = &emu.info().account_id;
    assert!(
        text.starts_with(&format!(
            "list Connect configurations of account {account}: cancelled by Terraform (Stop) \
             while waiting"
        )),
        "{text}"
    );
    assert!(text.contains("not sent again after 1 attempt"), "{text}");
    assert!(!text.contains(&emu.info().access_token), "{text}");
    (err, emu.count("GET", &emu.connect_path("")).await)
}

#[tokio::test]
async fn stop_cuts_short_a_retry_after_wait_on_a_rate_limit() {
    let (err, calls) = cancelled_while_retrying(
        json!({"status": 429, "message": "slow down", "retry_after": LONG_WAIT.as_secs()}),
        |_| {},
    )
    .await;
    let text = err.to_string();
    assert!(
        text.contains("for DocuSign's call limit (HTTP 429) before retrying"),
        "{text}"
    );
    assert_eq!(calls, 1, "nothing sent after Stop");
}

#[tokio::test]
async fn stop_cuts_short_a_retry_backoff_after_a_server_error() {
    let (err, calls) = cancelled_while_retrying(
        json!({"status": 503, "errorCode": "SERVICE_UNAVAILABLE", "message": "busy"}),
        |c| {
            c.retry_base_delay = LONG_WAIT;
            c.retry_max_delay = LONG_WAIT;
        },
    )
    .await;
    let text = err.to_string();
    assert!(text.contains("to retry after HTTP 503"), "{text}");
    assert_eq!(calls, 1, "nothing sent after Stop");
}

#[tokio::test]
async fn stop_cuts_short_a_wait_for_the_rate_limit() {
    let emu = Emu::start().await;
    let mut cfg = emu.token_config();
    cfg.rate_limit = RateLimit {
        max_calls: 1,
        window: LONG_WAIT,
    };
    let shared = Client::new(cfg).unwrap();
    shared.list_configurations(None).await.unwrap();

    let cancel = CancellationToken::new();
    let client = shared.with_cancel(cancel.clone());
    let call = tokio::spawn(async move { client.get_configuration(None, "42").await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!call.is_finished(), "the second call waits for the window");
    cancel.cancel();
    let err = tokio::time::timeout(PROMPTLY, call)
        .await
        .expect("Stop cuts the limiter's wait short")
        .unwrap()
        .expect_err("cancelled");
    let text = err.to_string();
    assert!(
        matches!(err, Error::Cancelled { attempts: 0, .. }),
        "{err:?}"
    );
    assert!(
        text.starts_with("read Connect configuration 42: cancelled by Terraform (Stop) while waiting for the account's rate limit"),
        "{text}"
    );
    assert!(text.ends_with("the request was not sent at all"), "{text}");
    assert_eq!(
        emu.calls().await.len(),
        1,
        "only the first call reached DocuSign"
    );
}

#[tokio::test]
async fn stop_never_aborts_a_request_in_flight() {
    let emu = Emu::start().await;
    let cancel = CancellationToken::new();
    let client = Client::new(emu.token_config())
        .unwrap()
        .with_cancel(cancel.clone());
    emu.fault(json!({"method": "POST", "path": emu.connect_path(""), "delay_ms": 1500}))
        .await;
    let create = {
        let client = client.clone();
        tokio::spawn(async move {
            client
                .create_configuration_safely(None, &sample("in-flight"))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    cancel.cancel();
    let created = create.await.unwrap().expect("the sent create finishes");
    let list = Client::new(emu.token_config())
        .unwrap()
        .list_configurations(None)
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].connect_id, created.connect_id);
}

#[tokio::test]
async fn after_stop_a_create_of_unknown_outcome_is_looked_for_but_not_sent_again() {
    let emu = Emu::start().await;
    let cancel = CancellationToken::new();
    let client = Client::new(emu.token_config())
        .unwrap()
        .with_cancel(cancel.clone());
    // The POST is in flight for 1.5 s, then answers 503: its outcome is unknown.
    emu.fault(
        json!({"method": "POST", "path": emu.connect_path(""), "delay_ms": 1500,
        "error": {"status": 503, "errorCode": "SERVICE_UNAVAILABLE", "message": "busy"}}),
    )
    .await;
    let create = tokio::spawn(async move {
        client
            .create_configuration_safely(None, &sample("unknown"))
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    cancel.cancel();
    let err = tokio::time::timeout(PROMPTLY, create)
        .await
        .expect("returns")
        .unwrap()
        .expect_err("no configuration to adopt, and no second POST");
    let text = err.to_string();
    assert!(
        matches!(err, Error::Cancelled { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(
        text.contains("cancelled by Terraform (Stop) while looking for the configuration a create of unknown outcome (HTTP 503"),
        "{text}"
    );
    // The lookup ran although Stop had come; the POST was not sent again.
    assert_eq!(emu.count("POST", &emu.connect_path("")).await, 1);
    assert_eq!(emu.count("GET", &emu.connect_path("")).await, 1);
}
