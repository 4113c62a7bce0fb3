//! Acceptance tests: the real Terraform v1.0.3 CLI against real provider binaries.
//!
//! Run with `./scripts/test` (installs Terraform into `.tools/`), or
//! `cargo nextest run --test acceptance` once `./scripts/install-tools` has run. A missing
//! Terraform fails these tests; they never skip.

mod support;

mod call_counts;
mod connect_configuration;
mod emulator_fixture;
mod examples;
mod harness_on_provider;
mod harness_selftest;
mod hmac_key;
mod jwt_discovery;
mod module_tests;
mod partner;
mod provider_loads;
mod release;
mod reliability;
