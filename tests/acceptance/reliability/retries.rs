//! Storms of 5xx, 429 and timeouts: short ones are ridden out, long ones give up within bounds,
//! saying what was retried and for how long.

use super::*;

#[test]
fn a_short_5xx_storm_and_a_short_429_storm_are_ridden_out() {
    let emu = Emulator::start();
    let wd = workdir("rel_short_storms", &emu, "  max_retries = 3\n", LIST);
    emu.add_fault(json!({"method": "GET", "path": CONNECT, "times": 2,
        "error": {"status": 503, "errorCode": "SERVICE_UNAVAILABLE", "message": "busy"}}));
    emu.add_fault(json!({"method": "GET", "path": CONNECT, "times": 1,
        "error": {"status": 429, "message": "Too many requests"}}));
    let out = apply(&wd, 10);
    wd.expect_success(&out).unwrap();
    let gets: Vec<Option<u16>> = emu
        .api_calls()
        .into_iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.status)
        .collect();
    assert_eq!(gets, [Some(503), Some(503), Some(429), Some(200)]);
}

#[test]
fn a_5xx_storm_gives_up_within_bounds_saying_what_was_retried_and_for_how_long() {
    let emu = Emulator::start();
    let wd = workdir("rel_5xx_storm", &emu, "  max_retries = 2\n", LIST);
    emu.add_fault(json!({"method": "GET", "path": CONNECT, "times": 1000,
        "error": {"status": 503, "errorCode": "SERVICE_UNAVAILABLE", "message": "busy"}}));
    let started = Instant::now();
    let out = apply(&wd, 10);
    wd.expect_failure_with(
        &out,
        &[
            "gave up after 3 attempts over",
            "retried on: HTTP 503 x3; stopped by max_retries = 2",
            "SERVICE_UNAVAILABLE",
        ],
    )
    .unwrap();
    assert_seconds_reported(&out);
    assert_eq!(calls_with_status(&emu, "GET", 503), 3, "1 try + 2 retries");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_429_storm_gives_up_within_bounds_saying_what_was_retried() {
    let emu = Emulator::start();
    let wd = workdir("rel_429_storm", &emu, "  max_retries = 2\n", LIST);
    emu.add_fault(json!({"method": "GET", "path": CONNECT, "times": 1000,
        "error": {"status": 429, "errorCode": "HOURLY_APIINVOCATION_LIMIT_EXCEEDED", "message": "The maximum number of hourly API invocations has been exceeded."}}));
    let out = apply(&wd, 10);
    wd.expect_failure_with(
        &out,
        &[
            "gave up after 3 attempts over",
            "HOURLY_APIINVOCATION_LIMIT_EXCEEDED x3",
            "stopped by max_retries = 2",
            "rate limited (HTTP 429",
        ],
    )
    .unwrap();
    assert_seconds_reported(&out);
    assert_eq!(calls_with_status(&emu, "GET", 429), 3);
}

#[test]
fn timeouts_are_retried_then_reported() {
    let emu = Emulator::start();
    let wd = workdir(
        "rel_timeouts",
        &emu,
        "  max_retries = 1\n  request_timeout = 1\n",
        LIST,
    );
    emu.add_fault(json!({"method": "GET", "path": CONNECT, "times": 2, "delay_ms": 2500}));
    let out = apply(&wd, 10);
    wd.expect_failure_with(&out, &["gave up after 2 attempts", "timeout x2"])
        .unwrap();
}

/// The "over N.Ns" part of a give-up message is a plausible duration.
fn assert_seconds_reported(out: &Output) {
    let text = normalize_output(&out.combined());
    let secs = text
        .split("attempts over ")
        .nth(1)
        .and_then(|rest| rest.split('s').next())
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no duration in {text}"));
    assert!((0.1..30.0).contains(&secs), "{secs}s in {text}");
}
