//! `terraform query` as Terraform 1.14 runs it, over the emulator with many configurations on
//! several accounts.
//!
//! Sequence: `NodeValidatableResource` (`internal/terraform/node_resource_validate.go`), then
//! `listResourceExecute` (`internal/terraform/node_resource_plan_instance_query.go`), the
//! defaults of `internal/terraform/eval_query.go` (`limit` 100, `include_resource` false, true
//! under `-generate-config-out`), and the stream reading of `GRPCProvider.ListResource`
//! (`internal/plugin/grpc_provider.go`), all at `hashicorp/terraform@v1.14.9` (unchanged at
//! `v1.15.9`). `-generate-config-out` then writes, per result, an import block with the
//! identity and a resource block from the object (`internal/genconfig/generate_config.go`).

use terraform_provider_docusign::framework::Value;

use super::host::{Host, ImportTarget, TERRAFORM_1_12, TERRAFORM_1_14, null_object_of};
use super::{by_hand, configuration_by_hand, configured, oauth_by_hand};
use crate::support::emulator_requests;

const CONFIGURATION: &str = "docusign_connect_configuration";

/// An emulator whose user reaches `accounts` accounts, each with `per_account` configurations
/// made by hand (`name` "cfg-<account index>-<n>", the even ones sending to the shared URL).
async fn populated(accounts: usize, per_account: usize) -> docusign_emulator::Running {
    let emu = docusign_emulator::start(docusign_emulator::Config {
        accounts,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = by_hand(&emu);
    for (a, account) in emu.info().accounts.iter().enumerate() {
        for n in 0..per_account {
            let url = if n % 2 == 0 {
                "https://hooks.example.com/shared".to_owned()
            } else {
                format!("https://hooks.example.com/{a}/{n}")
            };
            configuration_by_hand(&client, account, &format!("cfg-{a}-{n}"), &url).await;
        }
    }
    emu
}

/// A `config` block value of the configurations list.
fn list_config(h: &Host, set: &[(&str, Value)]) -> Value {
    null_object_of(&h.schemas().list_resources[CONFIGURATION], set)
}

/// `GET /connect` calls per account path in the emulator's log since `from`.
async fn list_calls(emu: &docusign_emulator::Running, from: usize) -> Vec<String> {
    emulator_requests(emu).await[from..]
        .iter()
        .filter(|r| r["method"] == "GET")
        .filter_map(|r| r["path"].as_str().map(str::to_owned))
        .filter(|p| p.ends_with("/connect"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terraform_query_finds_every_configuration_of_every_account_once() {
    let emu = populated(3, 5).await;
    let accounts = emu.info().accounts.clone();
    let mut h = configured(&TERRAFORM_1_14, &emu).await;
    let all = list_config(&h, &[("all_accounts", Value::Bool(true))]);

    // `terraform query -generate-config-out=generated.tf`: validate, then list with the
    // default limit and the objects.
    h.validate_list(CONFIGURATION, &all).await.unwrap();
    let before = emulator_requests(&emu).await.len();
    let found = h
        .list(CONFIGURATION, &all, 100, true)
        .await
        .unwrap_or_else(|e| panic!("list: {e:?}"));
    assert_eq!(found.results.len(), 15);
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    // One API call per account.
    let mut calls = list_calls(&emu, before).await;
    calls.sort();
    let mut expected: Vec<String> = accounts
        .iter()
        .map(|a| format!("/restapi/v2.1/accounts/{a}/connect"))
        .collect();
    expected.sort();
    assert_eq!(calls, expected);

    // What the generator gets: an identity per object and the object itself, which imports
    // back by that identity to the same state and plans no change from the generated config.
    let mut seen = std::collections::BTreeSet::new();
    for r in &found.results {
        let account = r.identity.attr_str("account_id").unwrap();
        let id = r.identity.attr_str("connect_id").unwrap();
        assert!(accounts.iter().any(|a| a == account));
        assert_eq!(r.object.attr_str("id"), Some(id));
        assert_eq!(r.object.attr_str("account_id"), Some(account));
        let name = r.object.attr_str("name").unwrap();
        assert!(r.display_name.contains(name), "{}", r.display_name);
        assert!(
            seen.insert((account.to_owned(), id.to_owned())),
            "listed twice"
        );
    }
    let first = &found.results[7];
    let imported = h
        .import(
            CONFIGURATION,
            ImportTarget::Identity(first.identity.clone()),
        )
        .await
        .unwrap();
    assert_eq!(imported.identity, first.identity);
    assert_eq!(imported.state, first.object);
    let config = h.config_from_state(CONFIGURATION, &first.object);
    let planned = h.plan(CONFIGURATION, &imported, &config).await.unwrap();
    assert_eq!(planned.state, imported.state);

    assert_eq!(
        &h.calls[..6],
        [
            "GetSchema",
            "GetResourceIdentitySchemas",
            "PrepareProviderConfig",
            "Configure",
            "ValidateListResourceConfig",
            "ListResource",
        ]
    );
    h.plugin.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_honours_limit_filters_include_resource_and_reports_errors_on_the_stream() {
    let emu = populated(3, 4).await;
    let accounts = emu.info().accounts.clone();
    let mut h = configured(&TERRAFORM_1_14, &emu).await;
    let all = list_config(&h, &[("all_accounts", Value::Bool(true))]);

    // limit: exactly that many, the stream ends by itself, and accounts after the limit are
    // not read.
    let before = emulator_requests(&emu).await.len();
    let five = h.list(CONFIGURATION, &all, 5, false).await.unwrap();
    assert_eq!(five.results.len(), 5);
    assert!(
        list_calls(&emu, before).await.len() <= 2,
        "read past the limit"
    );
    // Without include_resource the objects stay home.
    assert!(five.results.iter().all(|r| r.object.is_null()));
    let none = h.list(CONFIGURATION, &all, 0, false).await.unwrap();
    assert!(none.results.is_empty());

    // Filters: by name, by URL; one account.
    let by_name = list_config(
        &h,
        &[
            ("all_accounts", Value::Bool(true)),
            ("name", Value::string("cfg-2-1")),
        ],
    );
    let r = h.list(CONFIGURATION, &by_name, 100, true).await.unwrap();
    assert_eq!(r.results.len(), 1);
    assert_eq!(r.results[0].object.attr_str("name"), Some("cfg-2-1"));
    let by_url = list_config(
        &h,
        &[
            ("all_accounts", Value::Bool(true)),
            (
                "url_to_publish_to",
                Value::string("https://hooks.example.com/shared"),
            ),
        ],
    );
    let r = h.list(CONFIGURATION, &by_url, 100, true).await.unwrap();
    assert_eq!(r.results.len(), 6);
    let one = list_config(&h, &[("account_id", Value::string(&accounts[1]))]);
    let r = h.list(CONFIGURATION, &one, 100, false).await.unwrap();
    assert_eq!(r.results.len(), 4);
    assert!(
        r.results
            .iter()
            .all(|x| x.identity.attr_str("account_id") == Some(accounts[1].as_str()))
    );

    // Errors: both account arguments at validation; an account DocuSign refuses, on the
    // stream, naming it.
    let both = list_config(
        &h,
        &[
            ("all_accounts", Value::Bool(true)),
            ("account_id", Value::string(&accounts[0])),
        ],
    );
    let e = h.validate_list(CONFIGURATION, &both).await.unwrap_err();
    assert!(e[0].contains("Conflicting list arguments"), "{e:?}");
    let stranger = list_config(&h, &[("account_id", Value::string("not-an-account"))]);
    let e = h
        .list(CONFIGURATION, &stranger, 100, false)
        .await
        .unwrap_err();
    assert!(e.iter().any(|m| m.contains("not-an-account")), "{e:?}");

    // HMAC keys and OAuth settings list the same way.
    let client = by_hand(&emu);
    client.create_hmac_secret(Some(&accounts[0])).await.unwrap();
    client.create_hmac_secret(Some(&accounts[2])).await.unwrap();
    let keys_config = null_object_of(
        &h.schemas().list_resources["docusign_connect_hmac_key"],
        &[("all_accounts", Value::Bool(true))],
    );
    let keys = h
        .list("docusign_connect_hmac_key", &keys_config, 100, true)
        .await
        .unwrap();
    assert_eq!(keys.results.len(), 2);
    assert!(
        keys.results
            .iter()
            .all(|k| k.identity.attr_str("key_id").is_some())
    );
    oauth_by_hand(&client, &accounts[1]).await;
    let oauth_config = null_object_of(
        &h.schemas().list_resources["docusign_connect_oauth_config"],
        &[("all_accounts", Value::Bool(true))],
    );
    let oauth = h
        .list("docusign_connect_oauth_config", &oauth_config, 100, true)
        .await
        .unwrap();
    assert_eq!(oauth.results.len(), 1);
    assert_eq!(
        oauth.results[0].identity.attr_str("account_id"),
        Some(accounts[1].as_str())
    );
    h.plugin.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_resources_are_invisible_to_terraform_1_12() {
    // Terraform 1.12 reads no list_resource_schemas: a `list` block is not part of its
    // language, and nothing it reads changes.
    let emu = populated(1, 1).await;
    let h = configured(&TERRAFORM_1_12, &emu).await;
    assert!(h.schemas().list_resources.is_empty());
    h.plugin.shutdown().await;
}
