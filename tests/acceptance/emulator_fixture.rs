//! The emulator fixture: start, provider block, request log, faults, out-of-band API calls.

use serde_json::json;

use crate::support::Emulator;

#[test]
fn emulator_fixture_logs_and_clears_requests() {
    let emu = Emulator::start();
    let block = emu.provider_block();
    assert!(block.starts_with("provider \"docusign\" {"), "{block}");
    for v in [emu.base_uri(), &emu.info().oauth_base_uri, emu.account_id()] {
        assert!(
            block.contains(&format!("\"{v}\"")),
            "{v} missing in {block}"
        );
    }
    assert!(
        emu.base_uri().starts_with("http://127.0.0.1:"),
        "{}",
        emu.base_uri()
    );
    assert!(emu.requests().is_empty());

    let (status, body) = emu.api("GET", "/connect", None).unwrap();
    assert_eq!(status, 200, "{body}");
    let calls = emu.api_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].method, "GET");
    assert!(calls[0].path.ends_with("/connect"), "{calls:?}");
    assert_eq!(calls[0].status, Some(200));
    assert_eq!(calls[0].account_id.as_deref(), Some(emu.account_id()));

    emu.clear_requests();
    assert!(emu.requests().is_empty());

    // A fault shapes the next call, then the log says so.
    emu.add_fault(
        json!({"method": "GET", "path": "/restapi/v2.1/accounts/*/connect", "times": 1,
        "error": {"status": 503}}),
    );
    let (status, _) = emu.api("GET", "/connect", None).unwrap();
    assert_eq!(status, 503);
    let calls = emu.api_calls();
    assert_eq!(calls.last().and_then(|c| c.status), Some(503), "{calls:?}");
    emu.clear_faults();
    assert_eq!(emu.api("GET", "/connect", None).unwrap().0, 200);
    emu.reset();
    assert!(emu.requests().is_empty());
}

#[test]
fn two_emulators_are_independent() {
    let a = Emulator::start();
    let b = Emulator::start();
    assert_ne!(a.base_uri(), b.base_uri());
    a.api("GET", "/connect", None).unwrap();
    assert_eq!(a.api_calls().len(), 1);
    assert!(b.api_calls().is_empty());
}
