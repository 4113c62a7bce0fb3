//! Acceptance tests: a real Terraform CLI against real provider binaries.
//!
//! The suite runs once per Terraform version: `./scripts/test` runs it on Terraform v1.0.3
//! (installed into `.tools/`) and again on the machine's newer Terraform
//! (`TF_ACC_TERRAFORM_NEWER`, else `/usr/local/bin/terraform`). By hand:
//! `cargo nextest run --test acceptance` once `./scripts/install-tools` has run, with
//! `TF_ACC_TERRAFORM` naming another Terraform if wanted. Tests of features a version lacks
//! check what that version does instead. A missing Terraform fails these tests; they never skip.

mod support;

mod call_counts;
mod connect_configuration;
mod delivery;
mod destroy_plans;
mod emulator_fixture;
mod examples;
mod harness_on_provider;
mod harness_selftest;
mod hmac_key;
mod import_blocks;
mod jwt_discovery;
mod module_tests;
mod partner;
mod provider_loads;
mod refactoring;
mod release;
mod reliability;
mod write_only;
