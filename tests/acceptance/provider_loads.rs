//! Real Terraform loads OUR binary (handshake, AutoMTLS, GetSchema) through dev_overrides.

use crate::support::{
    Feature, Overrides, PROVIDER_ADDR, REQUIRED_DOCUSIGN, TfVersion, WorkDir, terraform_version,
};

/// Terraform reads our schema through the plugin. Terraform 1.0 prints it as format 0.2, later
/// versions as 1.0; from 1.11 on, Terraform knows the write-only secrets as write-only (older
/// versions drop the flag, and our provider refuses the attributes there).
#[test]
fn terraform_providers_schema_loads_our_binary() {
    let wd = WorkDir::new("providers_schema", &Overrides::docusign());
    wd.write_config(REQUIRED_DOCUSIGN);
    let schema = wd.providers_schema().unwrap();
    let format = if terraform_version() < TfVersion::new(1, 1, 0) {
        "0.2"
    } else {
        "1.0"
    };
    assert_eq!(schema["format_version"], format, "{schema}");
    let ours = &schema["provider_schemas"][PROVIDER_ADDR];
    assert!(
        ours["provider"]["block"].is_object(),
        "no provider schema for {PROVIDER_ADDR}: {schema}"
    );
    let resources = &ours["resource_schemas"];
    for (resource, attr) in [
        ("docusign_connect_configuration", "password_wo"),
        ("docusign_connect_oauth_config", "client_secret_wo"),
    ] {
        let a = &resources[resource]["block"]["attributes"][attr];
        assert!(a.is_object(), "{resource}.{attr} missing: {resources}");
        let write_only = a["write_only"] == serde_json::json!(true);
        assert_eq!(
            write_only,
            Feature::WriteOnly.available(),
            "{resource}.{attr} as Terraform {} reads it: {a}",
            terraform_version()
        );
    }
}

/// The provider resolves host names (with hickory-dns, not glibc's NSS: the release binary is
/// static). `localhost` in place of the emulator's 127.0.0.1 must reach the same emulator, for a
/// create and for the refresh after it. `./scripts/test` runs this against the release binary too.
#[test]
fn a_host_name_in_base_uri_is_resolved() {
    let emu = crate::support::Emulator::start();
    let block = emu.provider_block();
    assert!(block.contains("127.0.0.1"), "{block}");
    let wd = WorkDir::new("host_name_base_uri", &Overrides::docusign());
    wd.write_config(&format!(
        "{REQUIRED_DOCUSIGN}\n{}\n\
         resource \"docusign_connect_configuration\" \"c\" {{\n  name              = \"by name\"\n  \
         url_to_publish_to = \"https://hooks.example.com/by-name\"\n  all_users         = true\n}}\n",
        block.replace("127.0.0.1", "localhost")
    ));
    wd.apply().unwrap();
    let calls = emu.api_calls();
    assert!(
        calls
            .iter()
            .any(|r| r.method == "POST" && r.path.ends_with("/connect")),
        "the create never reached the emulator: {calls:?}"
    );
    assert!(wd.plan("again.tfplan", true).unwrap().is_empty());
}
