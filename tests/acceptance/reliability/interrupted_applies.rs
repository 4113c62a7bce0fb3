//! Applies that fail part-way or are interrupted (Ctrl-C): the state holds exactly what
//! DocuSign holds, and the next apply finishes the job.

use super::*;

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
            .filter(|r| r.method == "POST" && r.status == Some(200))
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
