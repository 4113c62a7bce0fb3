//! Faults, proved through real Terraform: every fault is injected through the emulator's
//! control surface (`/_emulator/faults`, `/_emulator/tokens/expire`) and every outcome is checked
//! twice: in Terraform's state and in the emulator's data. "In sync" always means the set of
//! configuration ids in state equals the set the emulator holds: no orphan (created but not
//! tracked), no phantom (tracked but not existing).
//!
//! Each test starts its own emulator and working directory, so they run in parallel. The tests
//! are split by what they prove; this module holds what they share.

mod bad_answers;
mod credentials;
mod interrupted_applies;
mod lost_creates;
mod retries;
mod secrets_at_trace;
mod stored_state;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::emulator::Config;
use crate::support::emulator::jwt_private_key;
use crate::support::terraform::{Output, normalize_output};
use crate::support::{Emulator, Overrides, REQUIRED_DOCUSIGN, WorkDir, hcl_string};

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

/// A data source listing the configurations (one `GET /connect` per read).
const LIST: &str = r#"
data "docusign_connect_configurations" "all" {}
output "n" { value = length(data.docusign_connect_configurations.all.configurations) }
"#;

const INTEGRATION_KEY: &str = "7c2b8d7e-reliability-ik";
