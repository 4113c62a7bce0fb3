//! The partner flow against an emulator with 3 accounts
//! (`examples/partner` + `examples/modules/partner-connect`), the data sources, importing the
//! OAuth settings, the plan-time checks and the HMAC variant of the module.
//!
//! Every test starts its own emulator and working directory, so they run in parallel. The
//! partner is account 1 (the token's default account); clients are accounts 2 and 3, reached
//! with the same token.

mod checks_and_updates;
mod data_sources;
mod example;
mod hmac_variant;
mod oauth_import;

use serde_json::{Value, json};

use crate::support::emulator::Config;
use crate::support::root_module::Root;
use crate::support::terraform::repo_root;
use crate::support::{Emulator, Failure, ImportStep, REQUIRED_DOCUSIGN, Step, TestCase};

const OAUTH: &str = "docusign_connect_oauth_config.partner";

/// The partner's OAuth settings, with `secret_line` and `extra` lines.
fn oauth_config(emu: &Emulator, secret_line: &str, extra: &str) -> String {
    format!(
        r#"{REQUIRED_DOCUSIGN}
{}
resource "docusign_connect_oauth_config" "partner" {{
  authorization_server_url = "https://auth.partner.example.com/oauth2/token"
  client_id                = "docusign-connect"
  scope                    = "webhooks"
{secret_line}
{extra}
}}
"#,
        emu.provider_block()
    )
}

/// An emulator with a partner account and two client accounts that keeps its data in a file
/// (the only place the stored client secret can be seen).
fn emulator() -> Emulator {
    Emulator::start_storing(Config {
        accounts: 3,
        ..Config::default()
    })
}

fn accounts(emu: &Emulator) -> (String, String, String) {
    let a = &emu.info().accounts;
    assert_eq!(a.len(), 3, "{a:?}");
    assert_eq!(
        a[0],
        emu.account_id(),
        "the partner must be the default account"
    );
    (a[0].clone(), a[1].clone(), a[2].clone())
}
