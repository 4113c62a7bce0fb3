//! The `terraform-provider-docusign` binary: the DocuSign provider, served as a Terraform plugin.

use std::sync::Arc;

use terraform_provider_docusign::{host, resources::DocusignProvider};

/// The provider's source address in the Terraform registry.
const REGISTRY_ADDRESS: &str = "registry.terraform.io/docusign-iac/docusign";

fn main() {
    std::process::exit(host::run(REGISTRY_ADDRESS, || {
        Arc::new(DocusignProvider::new())
    }));
}
