//! Deterministic DocuSign call counts through real Terraform, read from the emulator's
//! request log: a refreshing plan of N configurations on one account costs one `GET /connect`, a
//! no-op plan one call, a create one `POST`, an update one `PUT` (no read-back), and a second
//! account exactly one more list call.
//!
//! Times are benchmark figures (`cargo xtask bench`); call counts are asserted here because they
//! do not depend on the machine.

use crate::support::{Emulator, LoggedRequest, Overrides, REQUIRED_DOCUSIGN, WorkDir, hcl_string};
use docusign_emulator::Config;

/// Configurations on the default account.
const N: usize = 5;

/// `count` configurations on the default account, the one at `renamed` (if any) with another
/// name, plus `on_second` configurations whose `account_id` is `second`.
fn config(
    emu: &Emulator,
    count: usize,
    renamed: Option<usize>,
    second: Option<(&str, usize)>,
) -> String {
    let renamed = renamed.map_or_else(|| "-1".to_owned(), |i| i.to_string());
    let mut hcl = format!(
        r#"{REQUIRED_DOCUSIGN}
{provider}
resource "docusign_connect_configuration" "c" {{
  count             = {count}
  name              = count.index == {renamed} ? "renamed-${{count.index}}" : "counted-${{count.index}}"
  url_to_publish_to = "https://hooks.example.com/docusign/${{count.index}}"
  all_users         = true
  events            = ["envelope-completed"]

  event_data {{
    version = "restv2.1"
  }}
}}
"#,
        provider = emu.provider_block(),
    );
    if let Some((account, n)) = second {
        hcl.push_str(&format!(
            r#"
resource "docusign_connect_configuration" "other" {{
  count             = {n}
  account_id        = {account}
  name              = "other-${{count.index}}"
  url_to_publish_to = "https://hooks.example.com/other/${{count.index}}"
  all_users         = true
  events            = ["envelope-completed"]

  event_data {{
    version = "restv2.1"
  }}
}}
"#,
            account = hcl_string(account),
        ));
    }
    hcl
}

/// `METHOD /connect-relative-path account` for each REST call, e.g. `GET /connect A`, so that a
/// failed assertion shows exactly what was called.
fn summary(calls: &[LoggedRequest]) -> Vec<String> {
    calls
        .iter()
        .map(|c| {
            let path = c.path.split('?').next().unwrap_or(&c.path);
            let account = c.account_id.as_deref().unwrap_or("-");
            let rel = path
                .split_once(&format!("/accounts/{account}"))
                .map_or(path, |(_, rest)| rest);
            format!("{} {} {account} -> {:?}", c.method, rel, c.status)
        })
        .collect()
}

/// Every call the emulator saw that is not a REST API call (OAuth, userinfo).
fn non_api_calls(emu: &Emulator) -> Vec<String> {
    emu.requests()
        .into_iter()
        .filter(|r| !r.is_api_call())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// Runs `terraform plan` (refreshing unless `refresh` is false) into `file`, returning the REST
/// calls it made; the log is cleared first.
fn plan_calls(emu: &Emulator, wd: &WorkDir, file: &str, refresh: bool) -> Vec<String> {
    emu.clear_requests();
    wd.plan(file, refresh).unwrap();
    summary(&emu.api_calls())
}

/// Applies the saved plan `file`, returning the REST calls the apply made.
fn apply_calls(emu: &Emulator, wd: &WorkDir, file: &str) -> Vec<String> {
    emu.clear_requests();
    wd.apply_plan(file).unwrap();
    summary(&emu.api_calls())
}

fn expect(calls: &[String], expected: &[String], what: &str) {
    assert_eq!(
        calls, expected,
        "{what}: REST calls differ from the expected ones"
    );
}

#[test]
fn call_counts_per_plan_create_update_and_account() {
    let emu = Emulator::start_with(Config {
        accounts: 2,
        ..Config::default()
    });
    let first = emu.account_id().to_owned();
    let second = emu.info().accounts[1].clone();
    assert_ne!(first, second);
    let list = |acct: &str| format!("GET /connect {acct} -> Some(200)");
    let wd = WorkDir::new("call_counts", &Overrides::docusign());

    // Creating N from an empty state: the plan has nothing to refresh and makes no call (the
    // client is lazy); the apply makes exactly N POSTs.
    wd.write_config(&config(&emu, N, None, None));
    let calls = plan_calls(&emu, &wd, "create.tfplan", true);
    expect(&calls, &[], "plan of a create from empty state");
    let calls = apply_calls(&emu, &wd, "create.tfplan");
    expect(
        &calls,
        &vec![format!("POST /connect {first} -> Some(201)"); N],
        "apply of N creates",
    );
    assert_eq!(
        non_api_calls(&emu),
        Vec::<String>::new(),
        "an access token needs no OAuth call"
    );

    // A refreshing plan of N configurations: one list call, and the plan is a no-op.
    let calls = plan_calls(&emu, &wd, "noop.tfplan", true);
    expect(&calls, &[list(&first)], "refreshing no-op plan of N");
    assert!(wd.show_plan("noop.tfplan").unwrap().is_empty());
    // Without refresh, no call at all.
    let calls = plan_calls(&emu, &wd, "norefresh.tfplan", false);
    expect(&calls, &[], "plan -refresh=false");

    // One more configuration: the plan refreshes with one list call; the apply makes one POST
    // and nothing else (the POST response fills the state).
    wd.write_config(&config(&emu, N + 1, None, None));
    let calls = plan_calls(&emu, &wd, "add.tfplan", true);
    expect(&calls, &[list(&first)], "plan adding one");
    let calls = apply_calls(&emu, &wd, "add.tfplan");
    let posted = vec![format!("POST /connect {first} -> Some(201)")];
    expect(&calls, &posted, "apply of one create");

    // Update of one attribute of one configuration: one PUT, no read-back.
    wd.write_config(&config(&emu, N + 1, Some(2), None));
    let calls = plan_calls(&emu, &wd, "update.tfplan", true);
    expect(&calls, &[list(&first)], "plan of an update");
    let calls = apply_calls(&emu, &wd, "update.tfplan");
    expect(
        &calls,
        &[format!("PUT /connect {first} -> Some(200)")],
        "apply of one update",
    );
    // The update's answer is what the state holds: the next refresh finds nothing to change.
    let calls = plan_calls(&emu, &wd, "after-update.tfplan", true);
    expect(&calls, &[list(&first)], "no-op plan after the update");
    assert!(
        wd.show_plan("after-update.tfplan").unwrap().is_empty(),
        "the PUT response left a diff"
    );

    // Configurations on a second account: exactly one more list call, on that account.
    wd.write_config(&config(&emu, N + 1, Some(2), Some((&second, 3))));
    let calls = plan_calls(&emu, &wd, "second.tfplan", true);
    expect(
        &calls,
        &[list(&first)],
        "plan creating on the second account",
    );
    let calls = apply_calls(&emu, &wd, "second.tfplan");
    expect(
        &calls,
        &vec![format!("POST /connect {second} -> Some(201)"); 3],
        "apply of 3 creates on the second account",
    );
    let mut calls = plan_calls(&emu, &wd, "two-accounts.tfplan", true);
    calls.sort();
    let mut both = vec![list(&first), list(&second)];
    both.sort();
    expect(&calls, &both, "refreshing plan over two accounts");
    assert!(wd.show_plan("two-accounts.tfplan").unwrap().is_empty());
}
