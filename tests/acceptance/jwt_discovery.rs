//! Account discovery end to end: a provider block with only the JWT grant (integration key, user
//! id, private key file) and the OAuth host, no token, no account id and no base URI, creates a
//! configuration in the user's default account, found through `/oauth/userinfo`.

use crate::support::emulator::{Config, jwt_private_key};
use crate::support::{Emulator, REQUIRED_DOCUSIGN, Step, TestCase, hcl_string};

const INTEGRATION_KEY: &str = "5e1f0c2a-discovery-ik";

#[test]
fn jwt_grant_alone_creates_in_the_default_account() {
    let emu = Emulator::start_jwt(
        Config {
            accounts: 3,
            ..Config::default()
        },
        INTEGRATION_KEY,
    );
    let info = emu.info().clone();
    let key_file = jwt_private_key();
    // The emulator is the OAuth host here; everything else comes from the grant and discovery.
    let config = format!(
        "{REQUIRED_DOCUSIGN}\nprovider \"docusign\" {{\n  oauth_base_uri   = {}\n  integration_key  = {}\n  user_id          = {}\n  private_key_file = {}\n}}\n\
         resource \"docusign_connect_configuration\" \"c\" {{\n  name              = \"discovered\"\n  url_to_publish_to = \"https://hooks.example.com/d\"\n  all_users         = true\n}}\n",
        hcl_string(&info.oauth_base_uri),
        hcl_string(INTEGRATION_KEY),
        hcl_string(&info.user_id),
        hcl_string(&key_file.to_string_lossy()),
    );
    let default_account = info.account_id.clone();
    let emu_ref = &emu;
    TestCase::new("jwt_discovery")
        .step(Step::new(config).check(move |state| {
            state.expect_attr(
                "docusign_connect_configuration.c",
                "account_id",
                &default_account,
            )?;
            Ok(())
        }))
        .run();

    let requests = emu_ref.requests();
    let paths: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        paths.iter().any(|p| p == "POST /oauth/token"),
        "no JWT grant in {paths:#?}"
    );
    assert!(
        paths.iter().any(|p| p == "GET /oauth/userinfo"),
        "no discovery in {paths:#?}"
    );
    let create = format!("POST /restapi/v2.1/accounts/{}/connect", info.account_id);
    assert_eq!(
        paths.iter().filter(|p| **p == create).count(),
        1,
        "expected one create in the default account: {paths:#?}"
    );
    // No call ever went to the other accounts.
    for other in info.accounts.iter().filter(|a| **a != info.account_id) {
        assert!(
            !paths.iter().any(|p| p.contains(other.as_str())),
            "call to non-default account {other}: {paths:#?}"
        );
    }
}
