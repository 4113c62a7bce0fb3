//! Real Terraform loads OUR binary (handshake, AutoMTLS, GetSchema) through dev_overrides.

use crate::support::{Overrides, PROVIDER_ADDR, REQUIRED_DOCUSIGN, WorkDir};

#[test]
fn terraform_providers_schema_loads_our_binary() {
    let wd = WorkDir::new("providers_schema", &Overrides::docusign());
    wd.write_config(REQUIRED_DOCUSIGN);
    let schema = wd.providers_schema().unwrap();
    assert_eq!(schema["format_version"], "0.2", "{schema}");
    let ours = &schema["provider_schemas"][PROVIDER_ADDR];
    assert!(
        ours["provider"]["block"].is_object(),
        "no provider schema for {PROVIDER_ADDR}: {schema}"
    );
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
