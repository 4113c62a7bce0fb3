//! Faults, proved through real Terraform: every fault is injected through the emulator's
//! control surface (`/_emulator/faults`, `/_emulator/tokens/expire`) and every outcome is checked
//! twice: in Terraform's state and in the emulator's data. "In sync" always means the set of
//! configuration ids in state equals the set the emulator holds: no orphan (created but not
//! tracked), no phantom (tracked but not existing).
//!
//! Each test starts its own emulator and working directory, so they run in parallel.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::emulator::Config;
use crate::support::emulator::jwt_private_key;
use crate::support::terraform::{Output, normalize_output};
use crate::support::{Emulator, Overrides, REQUIRED_DOCUSIGN, WorkDir, hcl_string};

// ---- helpers ----------------------------------------------------------------------------------

const TYPE: &str = "docusign_connect_configuration";
/// The path of `POST /connect` (create) and `GET /connect` (list) on any account.
const CONNECT: &str = "/restapi/v2.1/accounts/*/connect";
/// Every Connect configuration call (`/connect` and `/connect/{id}`).
const CONNECT_ALL: &str = "/restapi/v2.1/accounts/*/connect**";

/// `n` configurations `c[0..n]` named `{prefix}-{index}`.
fn configurations(n: usize, prefix: &str) -> String {
    format!(
        r#"
resource "{TYPE}" "c" {{
  count             = {n}
  name              = "{prefix}-${{count.index}}"
  url_to_publish_to = "https://hooks.example.com/${{count.index}}"
  all_users         = true
  events            = ["envelope-completed"]
  event_data {{
    version = "restv2.1"
  }}
}}
"#
    )
}

/// One configuration `{TYPE}.{label}` with the given name and URL.
fn one_configuration(label: &str, name: &str, url: &str) -> String {
    format!(
        r#"
resource "{TYPE}" "{label}" {{
  name              = "{name}"
  url_to_publish_to = "{url}"
  all_users         = true
  events            = ["envelope-completed"]
  event_data {{
    version = "restv2.1"
  }}
}}
"#
    )
}

/// A working directory whose `main.tf` is the provider block (with `extra` settings) plus
/// `resources`.
fn workdir(name: &str, emu: &Emulator, extra: &str, resources: &str) -> WorkDir {
    let wd = WorkDir::new(name, &Overrides::docusign());
    wd.write_config(&format!(
        "{REQUIRED_DOCUSIGN}\n{}\n{resources}",
        emu.provider_block_with(extra)
    ));
    wd
}

/// `terraform apply -auto-approve -parallelism=N`, whatever the exit code.
fn apply(wd: &WorkDir, parallelism: u32) -> Output {
    let p = format!("-parallelism={parallelism}");
    wd.run_raw(&[
        "apply",
        "-input=false",
        "-no-color",
        "-lock=false",
        "-auto-approve",
        &p,
    ])
}

/// The configuration ids in the state of `wd`.
fn state_ids(wd: &WorkDir) -> BTreeSet<String> {
    wd.show_state().unwrap().ids_of_type(TYPE).unwrap()
}

/// State and emulator hold exactly the same configurations; returns them.
fn assert_in_sync(wd: &WorkDir, emu: &Emulator, when: &str) -> BTreeSet<String> {
    let state = state_ids(wd);
    let remote = emu.configuration_ids(emu.account_id());
    let orphans: Vec<_> = remote.difference(&state).collect();
    let phantoms: Vec<_> = state.difference(&remote).collect();
    assert!(
        orphans.is_empty() && phantoms.is_empty(),
        "{when}: state and DocuSign differ: orphans (in DocuSign, not in state) {orphans:?}, \
         phantoms (in state, not in DocuSign) {phantoms:?}"
    );
    state
}

/// The method+path of every REST call answered with `status`.
fn calls_with_status(emu: &Emulator, method: &str, status: u16) -> usize {
    emu.requests()
        .iter()
        .filter(|r| r.method == method && r.is_api_call() && r.status == Some(status))
        .count()
}

fn token_calls(emu: &Emulator) -> usize {
    emu.requests()
        .iter()
        .filter(|r| r.path == "/oauth/token")
        .count()
}

const INTEGRATION_KEY: &str = "7c2b8d7e-reliability-ik";

// ---- ambiguous create -------------------------------------------------------------------------

#[test]
fn create_dropped_after_commit_is_adopted_not_duplicated() {
    let emu = Emulator::start();
    let wd = workdir(
        "rel_drop_after_commit",
        &emu,
        "",
        &one_configuration("c", "ambiguous", "https://hooks.example.com/a"),
    );
    emu.add_fault(json!({"method": "POST", "path": CONNECT, "times": 1, "drop": "after_commit"}));
    let out = apply(&wd, 10);
    wd.expect_success(&out).unwrap();
    let ids = assert_in_sync(&wd, &emu, "after the dropped create");
    assert_eq!(ids.len(), 1, "exactly one configuration: {ids:?}");
    // The POST really was dropped after DocuSign committed, and was not sent again.
    let posts: Vec<_> = emu
        .api_calls()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].fault.as_deref(), Some("drop:after_commit"));
    // The adopted configuration is fully tracked: the next plan is empty.
    let plan = wd.plan("p.tfplan", true).unwrap();
    assert!(plan.is_empty(), "{}", plan.summary());
}

#[test]
fn create_dropped_before_commit_is_sent_again_once() {
    let emu = Emulator::start();
    let wd = workdir(
        "rel_drop_before",
        &emu,
        "",
        &one_configuration("c", "ambiguous", "https://hooks.example.com/b"),
    );
    emu.add_fault(json!({"method": "POST", "path": CONNECT, "times": 1, "drop": "before"}));
    let out = apply(&wd, 10);
    wd.expect_success(&out).unwrap();
    let ids = assert_in_sync(&wd, &emu, "after the dropped create");
    assert_eq!(ids.len(), 1, "nothing lost, nothing duplicated: {ids:?}");
    let posts = emu
        .api_calls()
        .into_iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 2, "the POST is sent again once it is known absent");
}

#[test]
fn create_timing_out_is_not_duplicated() {
    // The POST times out on our side (request_timeout = 1 s) while DocuSign is still working
    // on it (2 s delay): the provider must look before it sends it again.
    let emu = Emulator::start();
    let wd = workdir(
        "rel_create_timeout",
        &emu,
        "  request_timeout = 1\n",
        &one_configuration("c", "slow", "https://hooks.example.com/slow"),
    );
    emu.add_fault(json!({"method": "POST", "path": CONNECT, "times": 1, "delay_ms": 2000}));
    let out = apply(&wd, 10);
    // Give a late commit time to land before judging.
    std::thread::sleep(Duration::from_millis(2500));
    let state = state_ids(&wd);
    let remote = emu.configuration_ids(emu.account_id());
    assert!(
        remote.len() <= 1,
        "a timed-out create was sent again and DocuSign now holds duplicates {remote:?} \
         (state {state:?}); output:\n{}",
        out.combined()
    );
    if out.success() {
        assert_in_sync(&wd, &emu, "after the timed-out create");
    } else {
        assert_eq!(out.crash(), None, "{}", out.combined());
        assert!(
            state.is_subset(&remote),
            "phantom in state: {state:?} vs {remote:?}"
        );
    }
}

#[test]
fn an_ambiguous_create_with_several_identical_configurations_stops_with_a_clear_error() {
    let emu = Emulator::start();
    let first = one_configuration("a", "twin", "https://hooks.example.com/twin");
    let wd = workdir("rel_duplicate_match", &emu, "", &first);
    wd.expect_success(&apply(&wd, 10)).unwrap();
    let a_id = state_ids(&wd).into_iter().next().unwrap();
    // Someone copies it by hand: two identical configurations now exist.
    let mut copy = emu.configurations(emu.account_id()).pop().unwrap();
    copy.as_object_mut().unwrap().remove("connectId");
    let (status, body) = emu.api("POST", "/connect", Some(copy)).unwrap();
    assert_eq!(status, 201, "{body}");
    // A second resource with the same body, whose create is dropped after commit.
    wd.write_config(&format!(
        "{REQUIRED_DOCUSIGN}\n{}\n{first}\n{}",
        emu.provider_block(),
        one_configuration("b", "twin", "https://hooks.example.com/twin")
    ));
    emu.add_fault(json!({"method": "POST", "path": CONNECT, "times": 1, "drop": "after_commit"}));
    let out = apply(&wd, 10);
    wd.expect_failure_with(
        &out,
        &[
            "existing configurations match the request exactly",
            "refusing to guess",
            "Delete the duplicates or import the right one",
        ],
    )
    .unwrap();
    // No guess was made: b is not in state, a still is, and no further POST was sent.
    assert_eq!(state_ids(&wd), BTreeSet::from([a_id]));
    assert_eq!(emu.configuration_ids(emu.account_id()).len(), 3);
    let posts = emu
        .api_calls()
        .into_iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(
        posts, 3,
        "the apply, the copy, the dropped create; no blind retry"
    );
}

// ---- partial failure --------------------------------------------------------------------------

#[test]
fn fifty_creates_with_ten_failures_leave_state_exact_and_converge() {
    let emu = Emulator::start();
    let wd = workdir("rel_partial_50", &emu, "", &configurations(50, "bulk"));
    // The first 5 POSTs pass (a no-op delay rule), the next 10 fail with a non-retryable 400,
    // the rest pass.
    emu.add_fault(json!({"method": "POST", "path": CONNECT, "times": 5, "delay_ms": 1}));
    emu.add_fault(json!({"method": "POST", "path": CONNECT, "times": 10,
        "error": {"status": 400, "errorCode": "INVALID_REQUEST_BODY", "message": "injected failure"}}));
    let started = Instant::now();
    let out = apply(&wd, 25);
    wd.expect_failure_with(&out, &["INVALID_REQUEST_BODY", "injected failure"])
        .unwrap();
    let ids = assert_in_sync(&wd, &emu, "after the partly failed apply");
    assert_eq!(ids.len(), 40, "40 created and tracked: {ids:?}");
    assert_eq!(calls_with_status(&emu, "POST", 400), 10);
    // The next apply creates exactly the 10 missing ones and converges.
    emu.clear_requests();
    let out = apply(&wd, 25);
    wd.expect_success(&out).unwrap();
    let ids = assert_in_sync(&wd, &emu, "after the second apply");
    assert_eq!(ids.len(), 50);
    let posts = emu
        .api_calls()
        .into_iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 10, "only the missing ones are created");
    let plan = wd.plan("p.tfplan", true).unwrap();
    assert!(plan.is_empty(), "{}", plan.summary());
    eprintln!(
        "[reliability] 50 configurations, 2 applies: {:.1?}",
        started.elapsed()
    );
}

// ---- stop -------------------------------------------------------------------------------------

#[test]
fn ctrl_c_during_a_long_apply_returns_promptly_with_state_matching_docusign() {
    use std::os::unix::process::CommandExt as _;

    let emu = Emulator::start();
    let wd = workdir("rel_ctrl_c", &emu, "", &configurations(30, "slow"));
    // Every create takes 1 s: 30 creates at parallelism 3 would take 10 s.
    emu.add_fault(json!({"method": "POST", "path": CONNECT, "times": 100, "delay_ms": 1000}));
    let mut cmd = wd.command(&[
        "apply",
        "-input=false",
        "-no-color",
        "-lock=false",
        "-auto-approve",
        "-parallelism=3",
    ]);
    cmd.process_group(0); // like a shell job: Ctrl-C reaches terraform and its plugins
    // Into files: nobody reads a pipe until the end, and a full pipe would stall Terraform (the
    // plan of 30 configurations alone is larger than a pipe's buffer).
    let (out_path, err_path) = (wd.path().join("stdout.txt"), wd.path().join("stderr.txt"));
    cmd.stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap());
    let mut child = cmd.spawn().unwrap();
    // Wait until some creates are done, watching the request log (listing the configurations
    // instead would count against DocuSign's burst limit on a slow machine).
    let created = || {
        emu.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.status == Some(201))
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while created() < 4 {
        assert!(
            Instant::now() < deadline,
            "fewer than 4 configurations created in 30 s: {:?}",
            emu.requests()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let pgid = child.id();
    assert!(pgid > 1, "never signal group {pgid}");
    let sent = Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-s", "INT", "--", &format!("-{pgid}")])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(8),
            "terraform did not return within 8 s of Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = sent.elapsed();
    let stdout = std::fs::read_to_string(&out_path).unwrap();
    let stderr = std::fs::read_to_string(&err_path).unwrap();
    eprintln!("[reliability] terraform returned {took:.1?} after Ctrl-C ({exit})");
    // In-flight creates (1 s each) finish; nothing new starts.
    assert!(
        took < Duration::from_secs(4),
        "took {took:?} to stop\n{stdout}\n{stderr}"
    );
    assert!(
        !exit.success(),
        "an interrupted apply must not report success"
    );
    assert!(
        stdout.contains("Interrupt received") || stderr.contains("Interrupt received"),
        "{stdout}\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    std::thread::sleep(Duration::from_millis(1200)); // any straggler would land by now
    let ids = assert_in_sync(&wd, &emu, "after Ctrl-C");
    assert!(
        ids.len() >= 4 && ids.len() < 30,
        "some, not all, configurations: {}",
        ids.len()
    );
    // The next apply finishes the job.
    emu.clear_faults();
    wd.expect_success(&apply(&wd, 25)).unwrap();
    assert_eq!(assert_in_sync(&wd, &emu, "after the next apply").len(), 30);
}

// ---- expired credentials ----------------------------------------------------------------------

#[test]
fn a_token_expiring_mid_apply_is_reminted_once_and_the_apply_succeeds() {
    let emu = Emulator::start_jwt(Config::default(), INTEGRATION_KEY);
    let wd = WorkDir::new("rel_token_expiry", &Overrides::docusign());
    wd.write_config(&format!(
        "{REQUIRED_DOCUSIGN}\n{}\n{}",
        emu.jwt_provider_block(INTEGRATION_KEY, ""),
        configurations(3, "jwt")
    ));
    // Hold the first create for 1.5 s; meanwhile, every minted token expires.
    emu.add_fault(json!({"method": "POST", "path": CONNECT, "times": 1, "delay_ms": 1500}));
    let (out, expired) = std::thread::scope(|scope| {
        let expirer = scope.spawn(|| expire_after_first_mint(&emu));
        let out = apply(&wd, 1);
        (out, expirer.join().unwrap())
    });
    wd.expect_success(&out).unwrap();
    assert!(expired >= 1, "the test expired no token");
    assert_eq!(assert_in_sync(&wd, &emu, "after the apply").len(), 3);
    assert_eq!(token_calls(&emu), 2, "one grant, then exactly one re-mint");
    assert_eq!(
        calls_with_status(&emu, "POST", 401),
        1,
        "DocuSign refused the expired token once"
    );
}

/// Polls the emulator's log until a token was minted, then expires every minted token; returns
/// how many were expired.
fn expire_after_first_mint(emu: &Emulator) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if token_calls(emu) > 0 {
            let v = emu
                .control("POST", "/_emulator/tokens/expire", None)
                .unwrap();
            return v["expired"].as_u64().unwrap_or(0);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    0
}

#[test]
fn a_persistent_401_gives_a_clear_error_after_one_remint() {
    let emu = Emulator::start_jwt(Config::default(), INTEGRATION_KEY);
    let wd = WorkDir::new("rel_persistent_401", &Overrides::docusign());
    wd.write_config(&format!(
        "{REQUIRED_DOCUSIGN}\n{}\n{}",
        emu.jwt_provider_block(INTEGRATION_KEY, ""),
        configurations(1, "jwt")
    ));
    emu.add_fault(json!({"method": "POST", "path": CONNECT, "times": 50,
        "error": {"status": 401, "errorCode": "USER_AUTHENTICATION_FAILED", "message": "One or both of Username and Password are invalid."}}));
    let out = apply(&wd, 10);
    wd.expect_failure_with(
        &out,
        &[
            "unauthorized (HTTP 401, errorCode USER_AUTHENTICATION_FAILED)",
            "again right after a new one was minted via JWT grant",
        ],
    )
    .unwrap();
    assert_eq!(token_calls(&emu), 2, "one grant and one re-mint, no loop");
    assert_eq!(calls_with_status(&emu, "POST", 401), 2);
    assert!(assert_in_sync(&wd, &emu, "after the refused apply").is_empty());
}

// ---- storms -----------------------------------------------------------------------------------

/// A data source listing the configurations (one `GET /connect` per read).
const LIST: &str = r#"
data "docusign_connect_configurations" "all" {}
output "n" { value = length(data.docusign_connect_configurations.all.configurations) }
"#;

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

// ---- bad input from the API -------------------------------------------------------------------

#[test]
fn malformed_answers_to_creates_are_recovered_without_orphans() {
    let emu = Emulator::start();
    let wd = workdir(
        "rel_malformed_create",
        &emu,
        "",
        &configurations(4, "spoiled"),
    );
    for mode in ["truncated", "invalid", "wrong_type", "html"] {
        emu.add_fault(json!({"method": "POST", "path": CONNECT, "times": 1, "malformed": mode}));
    }
    let out = apply(&wd, 4);
    assert_eq!(out.crash(), None, "{}", out.combined());
    wd.expect_success(&out).unwrap();
    let ids = assert_in_sync(&wd, &emu, "after spoiled create answers");
    assert_eq!(ids.len(), 4);
    let spoiled = emu
        .api_calls()
        .into_iter()
        .filter(|r| r.method == "POST" && r.fault.is_some())
        .count();
    assert_eq!(spoiled, 4, "every create answer was spoiled");
    let plan = wd.plan("p.tfplan", true).unwrap();
    assert!(plan.is_empty(), "{}", plan.summary());
}

#[test]
fn malformed_answers_to_reads_are_clear_errors_and_leave_state_alone() {
    let emu = Emulator::start();
    let wd = workdir("rel_malformed_read", &emu, "", &configurations(2, "kept"));
    wd.expect_success(&apply(&wd, 10)).unwrap();
    let before = wd.show_state().unwrap();
    let state_file = std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap();
    for mode in ["truncated", "invalid", "wrong_type", "html"] {
        emu.clear_faults();
        emu.add_fault(
            json!({"method": "GET", "path": CONNECT_ALL, "times": 100, "malformed": mode}),
        );
        let out = wd.run_raw(&["refresh", "-input=false", "-no-color", "-lock=false"]);
        wd.expect_failure_with(&out, &["could not decode DocuSign's answer"])
            .unwrap();
        let after = wd.show_state().unwrap();
        assert_eq!(before.json, after.json, "{mode}: state changed");
        assert_eq!(
            std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap(),
            state_file,
            "{mode}: the state file was rewritten"
        );
    }
    emu.clear_faults();
    assert_in_sync(&wd, &emu, "after the spoiled reads");
}

/// A one-route HTTP server answering every request with `status` and a body of `len` bytes of
/// JSON-looking filler; returns its base URI.
fn huge_server(len: usize) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
                let _ = s.read(&mut buf);
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: \
                     {len}\r\nconnection: close\r\n\r\n"
                );
                if s.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let chunk = vec![b' '; 1 << 20];
                let mut left = len;
                while left > 0 {
                    let n = left.min(chunk.len());
                    if s.write_all(&chunk[..n]).is_err() {
                        return;
                    }
                    left -= n;
                }
            });
        }
    });
    format!("http://{addr}")
}

#[test]
fn a_huge_answer_is_refused_with_a_clear_error() {
    let base = huge_server(20 << 20);
    let wd = WorkDir::new("rel_huge_body", &Overrides::docusign());
    wd.write_config(&format!(
        "{REQUIRED_DOCUSIGN}\nprovider \"docusign\" {{\n  base_uri = {b}\n  oauth_base_uri = {b}\n  \
         account_id = \"00000000-0000-0000-0000-000000000001\"\n  access_token = \"t\"\n  \
         max_retries = 0\n}}\n{LIST}",
        b = hcl_string(&base)
    ));
    let started = Instant::now();
    let out = apply(&wd, 10);
    wd.expect_failure_with(&out, &["the answer is larger than 16777216 bytes"])
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(60));
}

// ---- stored state from another schema shape ---------------------------------------------------

/// The state file of `wd` with `edit` applied to the attributes of every configuration.
fn edit_state(wd: &WorkDir, edit: impl Fn(&mut serde_json::Map<String, Value>)) {
    let p = wd.path().join("terraform.tfstate");
    let mut st: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    for r in st["resources"].as_array_mut().unwrap() {
        if r["type"] != TYPE {
            continue;
        }
        for inst in r["instances"].as_array_mut().unwrap() {
            assert_eq!(
                inst["schema_version"], 0,
                "the fixture assumes schema version 0"
            );
            edit(inst["attributes"].as_object_mut().unwrap());
        }
    }
    st["serial"] = json!(st["serial"].as_u64().unwrap() + 1);
    std::fs::write(&p, serde_json::to_string_pretty(&st).unwrap()).unwrap();
}

#[test]
fn stored_state_with_an_unknown_attribute_or_a_missing_one_still_plans() {
    // The schema is at version 0: there is no older version to upgrade from. What stored state
    // can still differ in is its attributes: one the schema no longer has (written by a future
    // or patched provider) and one it lacks (written before the attribute existed).
    let emu = Emulator::start();
    let wd = workdir("rel_state_shapes", &emu, "", &configurations(1, "old"));
    wd.expect_success(&apply(&wd, 10)).unwrap();
    let before = wd.show_state().unwrap();
    edit_state(&wd, |attrs| {
        attrs.insert("legacy_attribute".into(), json!("from an older provider"));
        assert!(attrs.remove("include_hmac").is_some());
        assert!(attrs.remove("sender_selectable_items").is_some());
    });
    let out = wd.run_raw(&[
        "plan",
        "-input=false",
        "-no-color",
        "-lock=false",
        "-out=p.tfplan",
    ]);
    assert_eq!(out.crash(), None, "{}", out.combined());
    wd.expect_success(&out).unwrap();
    let plan = wd.show_plan("p.tfplan").unwrap();
    assert!(
        plan.is_empty(),
        "refresh restores the missing values: {}",
        plan.summary()
    );
    // Applying the refresh writes a state in the current shape.
    let out = wd.run_raw(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-lock=false",
    ]);
    wd.expect_success(&out).unwrap();
    let after = wd.show_state().unwrap();
    let addr = format!("{TYPE}.c[0]");
    assert_eq!(after.flat(&addr).unwrap(), before.flat(&addr).unwrap());
    let raw = std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap();
    assert!(!raw.contains("legacy_attribute"), "{raw}");
    assert_in_sync(&wd, &emu, "after the upgrade");
}

// ---- secrets ----------------------------------------------------------------------------------

/// Strings that look like emulator access tokens (64 base64url characters) in `text`.
fn token_like(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| w.len() == 64)
        .map(str::to_owned)
        .collect()
}

/// Whether `token` is accepted by the emulator's `/oauth/userinfo`.
fn is_live_token(emu: &Emulator, token: &str) -> bool {
    let url = format!("{}/oauth/userinfo", emu.info().oauth_base_uri);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        http.get(url)
            .bearer_auth(token)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    })
}

#[test]
fn a_full_lifecycle_at_trace_level_never_shows_a_secret() {
    let emu = Emulator::start_jwt(Config::default(), INTEGRATION_KEY);
    // An HMAC key exists on the account; configurations sign with it.
    let (status, body) = emu.api("POST", "/connect/secret", None).unwrap();
    assert_eq!(status, 201, "{body}");
    // Only the creation answer shows the whole secret (lists show "qTjg…").
    let hmac: Vec<String> = token_strings(&body, "secretKey");
    assert!(
        hmac.len() == 1 && hmac[0].len() >= 40,
        "no whole HMAC secret in the creation answer"
    );

    let password = "basic-pw-9d8c7b6a5f";
    let password2 = "basic-pw-rotated-1e2f3a";
    let client_secret = "oauth-cs-4b3a2c1d0e";
    let key_pem = std::fs::read_to_string(jwt_private_key()).unwrap();
    // Every line of the key's base64 body is a secret fragment.
    let key_lines: Vec<&str> = key_pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 40)
        .collect();
    assert!(!key_lines.is_empty());

    let mut wd = WorkDir::new("rel_secrets", &Overrides::docusign());
    let log = wd.path().join("trace.log");
    wd.set_env("TF_LOG", "TRACE");
    wd.set_env("TF_LOG_PATH", &log.to_string_lossy());
    let config = |pw: &str| {
        format!(
            r#"{REQUIRED_DOCUSIGN}
{}
resource "{TYPE}" "c" {{
  name              = "secrets"
  url_to_publish_to = "https://hooks.example.com/secrets"
  all_users         = true
  include_hmac      = true
  user_name         = "listener"
  password          = "{pw}"
  events            = ["envelope-completed"]
  event_data {{
    version = "restv2.1"
  }}
}}

resource "docusign_connect_oauth_config" "o" {{
  authorization_server_url = "https://login.example.com/oauth2/token"
  client_id                = "connect-client"
  client_secret            = "{client_secret}"
}}

resource "docusign_connect_hmac_key" "k" {{}}
"#,
            emu.jwt_provider_block(INTEGRATION_KEY, "")
        )
    };
    let mut outputs = Vec::new();
    wd.write_config(&config(password));
    outputs.push(apply(&wd, 10));
    assert!(outputs[0].success(), "{}", wd.describe_failure(&outputs[0]));
    // The secret of the key Terraform made, as the creation answer showed it (in state only).
    let made_hmac = wd
        .show_state()
        .unwrap()
        .attr_str("docusign_connect_hmac_key.k", "secret")
        .unwrap();
    assert!(made_hmac.len() >= 40, "no whole secret in state");
    outputs.push(wd.run_raw(&["plan", "-input=false", "-no-color", "-lock=false"]));
    // Update the password (the secret goes out again), refresh, import into a fresh state.
    wd.write_config(&config(password2));
    outputs.push(apply(&wd, 10));
    let id = state_ids(&wd).into_iter().next().unwrap();
    outputs.push(wd.run_raw(&["state", "rm", "-no-color", &format!("{TYPE}.c")]));
    outputs.push(wd.run_raw(&[
        "import",
        "-input=false",
        "-no-color",
        "-lock=false",
        &format!("{TYPE}.c"),
        &id,
    ]));
    outputs.push(wd.run_raw(&["refresh", "-input=false", "-no-color", "-lock=false"]));
    // A failing call: its diagnostic must not carry a secret either.
    emu.add_fault(json!({"method": "GET", "path": CONNECT_ALL, "times": 100,
        "error": {"status": 400, "errorCode": "INVALID_REQUEST_PARAMETER", "message": "injected"}}));
    let failed = wd.run_raw(&["plan", "-input=false", "-no-color", "-lock=false"]);
    assert!(!failed.success());
    outputs.push(failed);
    emu.clear_faults();
    // Expire the tokens so that the next run re-mints (a second token to look for).
    emu.control("POST", "/_emulator/tokens/expire", None)
        .unwrap();
    outputs.push(wd.run_raw(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-lock=false",
    ]));
    for (i, o) in outputs.iter().enumerate() {
        if i != 6 {
            assert!(o.success(), "command {i}: {}", wd.describe_failure(o));
        }
    }
    assert!(
        emu.configuration_ids(emu.account_id()).is_empty(),
        "destroy left configurations"
    );
    assert!(token_calls(&emu) >= 2, "the run minted tokens");

    let trace = std::fs::read_to_string(&log).unwrap();
    assert!(
        trace.contains("ApplyResourceChange") && trace.contains("docusign"),
        "the trace log holds the provider's logs"
    );
    let mut everything = trace.clone();
    for o in &outputs {
        everything.push_str(&o.combined());
    }
    let mut secrets: Vec<(&str, &str)> = vec![
        ("basic-auth password", password),
        ("rotated password", password2),
        ("OAuth client secret", client_secret),
        ("development access token", &emu.info().access_token),
    ];
    for h in &hmac {
        secrets.push(("HMAC secret", h));
    }
    secrets.push(("HMAC secret of docusign_connect_hmac_key", &made_hmac));
    for l in &key_lines {
        secrets.push(("private key", l));
    }
    for (what, secret) in &secrets {
        assert!(
            !everything.contains(secret),
            "the {what} appears in Terraform's output or the TF_LOG trace"
        );
    }
    // Tokens minted by the JWT grant: no working token anywhere in the logs.
    let live: Vec<String> = token_like(&everything)
        .into_iter()
        .filter(|t| is_live_token(&emu, t))
        .collect();
    assert!(
        live.is_empty(),
        "{} live access token(s) in the logs",
        live.len()
    );
    // The sensitive attributes are masked in the plan output, not just absent from it.
    assert!(
        outputs[0].stdout.contains("(sensitive value)"),
        "{}",
        outputs[0].stdout
    );
}

/// Every string value named `field` anywhere in `v`.
fn token_strings(v: &Value, field: &str) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x {
                    Value::String(s) if k == field => out.push(s.clone()),
                    other => out.extend(token_strings(other, field)),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| out.extend(token_strings(x, field))),
        _ => {}
    }
    out
}
