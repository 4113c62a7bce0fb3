//! Resource identity as Terraform 1.12 and 1.14 use it, and its absence for OpenTofu 1.10/1.11.
//!
//! Sequences: `NodePlannableResourceInstance.importState`
//! (`internal/terraform/node_resource_plan_instance.go`), `NodeAbstractResourceInstance.refresh`,
//! `.plan` and `.apply` (`internal/terraform/node_resource_abstract_instance.go`),
//! `upgradeResourceIdentity` (`internal/terraform/upgrade_resource_state.go`) and the client in
//! `internal/plugin/grpc_provider.go`, at `hashicorp/terraform@v1.12.2` and `@v1.14.9` (the two
//! are identical on these paths); checks `validateIdentity`/`validateIdentityKnown` there, and the
//! identity-change rule of `hashicorp/terraform-plugin-framework@v1.19.0`
//! `internal/fwserver/server_readresource.go`, `server_planresourcechange.go`,
//! `server_updateresource.go`. OpenTofu: `internal/plugin/grpc_provider.go` at
//! `opentofu/opentofu@v1.10.10` and `@v1.11.14`.

use terraform_provider_docusign::framework::Value;
use terraform_provider_docusign::protocol::tfplugin5 as pb;

use super::host::{ImportTarget, OPENTOFU_1_10, OPENTOFU_1_11, TERRAFORM_1_12, TERRAFORM_1_14};
use super::{by_hand, configuration_by_hand, configured, oauth_by_hand};
use crate::support::emulator;

const CONFIGURATION: &str = "docusign_connect_configuration";
const HMAC_KEY: &str = "docusign_connect_hmac_key";
const OAUTH: &str = "docusign_connect_oauth_config";

fn obj(pairs: &[(&str, &str)]) -> Value {
    Value::object(pairs.iter().map(|(k, v)| (*k, Value::string(*v))))
}

/// An emulator (with its directory) holding one configuration made by hand, named `name` and
/// sending to `url`: its account and `connectId`.
async fn with_configuration(
    name: &str,
    url: &str,
) -> (
    tempfile::TempDir,
    docusign_emulator::Running,
    String,
    String,
) {
    let dir = tempfile::tempdir().unwrap();
    let emu = emulator(&dir.path().join("emulator.json")).await;
    let account = emu.info().account_id.clone();
    let connect_id = configuration_by_hand(&by_hand(&emu), &account, name, url).await;
    (dir, emu, account, connect_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terraform_imports_by_identity_then_reads_plans_and_applies_with_a_stable_identity() {
    for version in [&TERRAFORM_1_12, &TERRAFORM_1_14] {
        let (_dir, emu, account, connect_id) =
            with_configuration("made by hand", "https://hooks.example.com/by-hand").await;

        // `terraform plan` with `import { identity = { … } }`.
        let mut h = configured(version, &emu).await;
        let rt = h.resource(CONFIGURATION).clone();
        let id_schema = rt.identity.as_ref().expect("an identity schema");
        assert_eq!(id_schema.version, 0, "{}", version.name);
        let required: Vec<(&String, bool)> = id_schema
            .attributes
            .iter()
            .map(|(n, (_, required))| (n, *required))
            .collect();
        assert_eq!(
            required,
            [
                (&"account_id".to_owned(), false),
                (&"connect_id".to_owned(), true)
            ]
        );
        let identity = obj(&[("account_id", &account), ("connect_id", &connect_id)]);
        let imported = h
            .import(CONFIGURATION, ImportTarget::Identity(identity.clone()))
            .await
            .unwrap_or_else(|e| panic!("{}: import: {e:?}", version.name));
        assert_eq!(imported.identity, identity, "{}", version.name);
        assert_eq!(imported.state.attr_str("id"), Some(connect_id.as_str()));
        assert_eq!(imported.state.attr_str("name"), Some("made by hand"));

        // The configuration `-generate-config-out` writes plans no change, and keeps the
        // identity.
        let config = h.config_from_state(CONFIGURATION, &imported.state);
        h.validate_resource(CONFIGURATION, &config).await.unwrap();
        let planned = h
            .plan(CONFIGURATION, &imported, &config)
            .await
            .unwrap_or_else(|e| panic!("{}: plan: {e:?}", version.name));
        assert_eq!(
            planned.state, imported.state,
            "{}: an import plans no change",
            version.name
        );
        assert_eq!(planned.identity, identity);

        // `terraform apply` of a rename: refresh, plan, apply; the identity never moves.
        let refreshed = h.refresh(CONFIGURATION, &imported).await.unwrap();
        let mut renamed = config.clone();
        renamed.set_attr("name", Value::string("managed now"));
        let planned = h.plan(CONFIGURATION, &refreshed, &renamed).await.unwrap();
        assert_eq!(planned.requires_replace, 0);
        assert_eq!(planned.identity, identity);
        let applied = h
            .apply(CONFIGURATION, &refreshed, &planned, &renamed)
            .await
            .unwrap_or_else(|e| panic!("{}: apply: {e:?}", version.name));
        assert_eq!(applied.identity, identity);
        assert_eq!(applied.state.attr_str("name"), Some("managed now"));
        let again = h.refresh(CONFIGURATION, &applied).await.unwrap();
        assert_eq!(again.identity, identity);

        // Import by id yields the same identity (`account_id` filled in from the provider).
        let by_id = h
            .import(CONFIGURATION, ImportTarget::Id(connect_id.clone()))
            .await
            .unwrap();
        assert_eq!(by_id.identity, identity);
        // And `account_id` may be left out of an identity.
        let short = h
            .import(
                CONFIGURATION,
                ImportTarget::Identity(Value::object([
                    ("account_id", Value::Null),
                    ("connect_id", Value::string(&connect_id)),
                ])),
            )
            .await
            .unwrap();
        assert_eq!(short.identity, identity);

        assert_eq!(
            &h.calls[..8],
            [
                "GetSchema",
                "GetResourceIdentitySchemas",
                "PrepareProviderConfig",
                "Configure",
                "ImportResourceState",
                "ReadResource",
                "ValidateResourceTypeConfig",
                "PlanResourceChange",
            ],
            "{}",
            version.name
        );
        h.plugin.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_object_gets_its_identity_at_apply_and_keys_and_oauth_settings_import_by_identity()
 {
    let dir = tempfile::tempdir().unwrap();
    let emu = emulator(&dir.path().join("emulator.json")).await;
    let account = emu.info().account_id.clone();
    let mut h = configured(&TERRAFORM_1_14, &emu).await;

    // A create: no identity planned (it is not known yet), the derived one at apply.
    let config = h.object(
        CONFIGURATION,
        &[
            ("name", Value::string("created")),
            (
                "url_to_publish_to",
                Value::string("https://hooks.example.com/c"),
            ),
        ],
    );
    let none = super::host::Object {
        state: Value::Null,
        private: Vec::new(),
        identity: Value::Null,
    };
    let planned = h.plan(CONFIGURATION, &none, &config).await.unwrap();
    assert!(planned.identity.is_null());
    let created = h
        .apply(CONFIGURATION, &none, &planned, &config)
        .await
        .unwrap();
    let id = created.state.attr_str("id").unwrap().to_owned();
    assert_eq!(
        created.identity,
        obj(&[("account_id", &account), ("connect_id", &id)])
    );
    // A destroy plan passes the identity through (Terraform allows a change there, none is made).
    let destroy = h.plan(CONFIGURATION, &created, &Value::Null).await.unwrap();
    assert!(destroy.state.is_null());

    // An HMAC key, created by hand, imported by identity; its secret is never read back.
    let key = by_hand(&emu)
        .create_hmac_secret(Some(&account))
        .await
        .unwrap()
        .secrets
        .into_iter()
        .next()
        .and_then(|k| k.key_id)
        .expect("a key id");
    let identity = obj(&[("account_id", &account), ("key_id", &key)]);
    let imported = h
        .import(HMAC_KEY, ImportTarget::Identity(identity.clone()))
        .await
        .unwrap();
    assert_eq!(imported.identity, identity);
    assert!(
        imported
            .state
            .get_attr("secret")
            .is_some_and(Value::is_null)
    );

    // OAuth for Connect settings: the account is the identity.
    oauth_by_hand(&by_hand(&emu), &account).await;
    let identity = obj(&[("account_id", &account)]);
    let imported = h
        .import(OAUTH, ImportTarget::Identity(identity.clone()))
        .await
        .unwrap();
    assert_eq!(imported.identity, identity);
    assert_eq!(imported.state.attr_str("client_id"), Some("connect-client"));
    h.plugin.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_from_terraform_1_11_gets_an_identity_on_refresh_and_only_version_0_upgrades() {
    let (_dir, emu, account, connect_id) =
        with_configuration("old", "https://hooks.example.com/o").await;

    // State written by Terraform 1.11 has no identity: `upgradeResourceIdentity` sees stored
    // version 0 = the provider's version and calls nothing; the refresh gets a null identity.
    let mut old = configured(&OPENTOFU_1_11, &emu).await;
    let object = old
        .import(CONFIGURATION, ImportTarget::Id(connect_id.clone()))
        .await
        .unwrap();
    assert!(object.identity.is_null());
    old.plugin.shutdown().await;

    let mut h = configured(&TERRAFORM_1_12, &emu).await;
    let refreshed = h.refresh(CONFIGURATION, &object).await.unwrap();
    assert_eq!(
        refreshed.identity,
        obj(&[("account_id", &account), ("connect_id", &connect_id)])
    );

    // UpgradeResourceIdentity, were a stored version ever older: version 0 reads back, any
    // other is refused (`upgradeResourceIdentity` then stops with the provider's error).
    let json = format!(r#"{{"account_id":"{account}","connect_id":"{connect_id}"}}"#);
    let upgrade = |version: i64| pb::upgrade_resource_identity::Request {
        type_name: CONFIGURATION.into(),
        version,
        raw_identity: Some(pb::RawState {
            json: json.clone().into_bytes(),
            flatmap: Default::default(),
        }),
    };
    let ok = h
        .provider
        .upgrade_resource_identity(upgrade(0))
        .await
        .unwrap()
        .into_inner();
    assert!(ok.diagnostics.is_empty(), "{:?}", ok.diagnostics);
    assert!(ok.upgraded_identity.is_some());
    let newer = h
        .provider
        .upgrade_resource_identity(upgrade(1))
        .await
        .unwrap()
        .into_inner();
    assert!(newer.upgraded_identity.is_none());
    assert!(newer.diagnostics.iter().any(|d| d.severity == 1));
    h.plugin.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opentofu_imports_reads_plans_and_applies_without_identities() {
    for version in [&OPENTOFU_1_10, &OPENTOFU_1_11] {
        let (_dir, emu, account, connect_id) =
            with_configuration("tofu", "https://hooks.example.com/tofu").await;
        let mut h = configured(version, &emu).await;
        assert!(h.resource(CONFIGURATION).identity.is_none());
        let imported = h
            .import(
                CONFIGURATION,
                ImportTarget::Id(format!("{account}:{connect_id}")),
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", version.name));
        let mut config = h.config_from_state(CONFIGURATION, &imported.state);
        config.set_attr("name", Value::string("tofu managed"));
        h.validate_resource(CONFIGURATION, &config).await.unwrap();
        let planned = h.plan(CONFIGURATION, &imported, &config).await.unwrap();
        let applied = h
            .apply(CONFIGURATION, &imported, &planned, &config)
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", version.name));
        assert_eq!(applied.state.attr_str("id"), Some(connect_id.as_str()));
        assert_eq!(applied.state.attr_str("name"), Some("tofu managed"));
        assert_eq!(
            h.calls,
            [
                "GetSchema",
                "PrepareProviderConfig",
                "Configure",
                "ImportResourceState",
                "ReadResource",
                "ValidateResourceTypeConfig",
                "PlanResourceChange",
                "ApplyResourceChange",
            ],
            "{}",
            version.name
        );
        h.plugin.shutdown().await;
    }
}
