//! Protocol-level tests: launch the provider binary exactly as Terraform does.
