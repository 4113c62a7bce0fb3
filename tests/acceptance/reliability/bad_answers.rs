//! Malformed and huge answers from DocuSign: clear errors, no orphan, state left alone.

use super::*;

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
