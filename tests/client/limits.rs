//! The client-side limiter under the emulator's burst limit (300 calls in one burst, none refused).

use std::time::{Duration, Instant};

use docusign_emulator::Config;
use terraform_provider_docusign::client::{Client, RateLimit};

use crate::support::*;

/// 300 concurrent calls, burst limit 200 per 30 s: every call succeeds, and the emulator's log
/// shows no refused call at all (the limiter, not retries, kept the pace).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_concurrent_calls_never_trip_the_burst_limit() {
    let emu = Emu::with(Config {
        burst_limit: 200,
        burst_window: Duration::from_secs(30),
        ..emu_config()
    })
    .await;
    let client = Client::new(emu.jwt_config()).unwrap();
    let id = client
        .create_configuration(None, &sample("hot"))
        .await
        .unwrap()
        .connect_id
        .unwrap();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..300 {
        let (c, id) = (client.clone(), id.clone());
        tasks.push(tokio::spawn(
            async move { c.get_configuration(None, &id).await },
        ));
    }
    let mut failed = 0;
    for t in tasks {
        if t.await.unwrap().is_err() {
            failed += 1;
        }
    }
    let elapsed = started.elapsed();
    assert_eq!(failed, 0);
    let calls = emu.calls().await;
    let gets = calls
        .iter()
        .filter(|(m, p, _)| m == "GET" && *p == emu.connect_path(&format!("/{id}")))
        .collect::<Vec<_>>();
    assert_eq!(
        gets.len(),
        300,
        "each call exactly once: no retry was needed"
    );
    let not_ok: Vec<_> = calls
        .iter()
        .filter(|c| !matches!(c.2, Some(200..=299)))
        .collect();
    assert!(
        not_ok.is_empty(),
        "failed calls in the emulator's log: {not_ok:?}"
    );
    // 180 per 30 s: the last 120 calls had to wait for the window to slide.
    assert!(elapsed >= Duration::from_secs(25), "{elapsed:?}");
    eprintln!("300 calls under a 200/30 s burst limit: {elapsed:?}, 0 refused");
}

/// The same pressure without the limiter trips the (smaller) burst limit, and the retries on
/// BURST_APIINVOCATION_LIMIT_EXCEEDED (HTTP 400) still complete every call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_limiter_burst_refusals_happen_and_are_retried() {
    let emu = Emu::with(Config {
        burst_limit: 20,
        burst_window: Duration::from_secs(2),
        ..emu_config()
    })
    .await;
    let mut cfg = emu.token_config();
    cfg.rate_limit = RateLimit {
        max_calls: 0,
        window: Duration::from_secs(2),
    };
    cfg.max_retries = 10;
    cfg.retry_base_delay = Duration::from_millis(200);
    cfg.retry_max_delay = Duration::from_secs(2);
    let client = Client::new(cfg).unwrap();
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let c = client.clone();
        tasks.push(tokio::spawn(
            async move { c.list_configurations(None).await },
        ));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let calls = emu.calls().await;
    let refused = calls.iter().filter(|c| c.2 == Some(400)).count();
    let ok = calls.iter().filter(|c| c.2 == Some(200)).count();
    assert!(refused > 0, "the burst limit must have refused some calls");
    assert_eq!(ok, 40);
}
