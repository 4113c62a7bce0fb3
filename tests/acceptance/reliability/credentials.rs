//! Access tokens that expire mid-apply are minted again once; a persistent 401 is a clear
//! error.

use super::*;

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
