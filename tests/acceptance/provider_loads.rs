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
