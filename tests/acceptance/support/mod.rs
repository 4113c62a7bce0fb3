//! The acceptance-test harness: a real Terraform CLI (v1.0.3, or the newer one `./scripts/test`
//! names in `TF_ACC_TERRAFORM`) driving real provider binaries.
//!
//! * [`cli`]: how one Terraform command is set up (shared with `cargo xtask bench`).
//! * [`terraform`]: locating the CLI, per-test working directories, CLI config with
//!   `dev_overrides`, running one command.
//! * [`json`]: reading `terraform show -json` (state values, plan actions, changed attributes).
//! * [`step`]: terraform-plugin-testing's step discipline (plan, apply, empty plans, import,
//!   destroy).
//! * [`emulator`]: an in-process DocuSign emulator per test.
//!
//! A later test typically reads:
//!
//! ```ignore
//! let emu = Emulator::start();
//! TestCase::new("connect_basic")
//!     .step(Step::new(format!("{}\n{RESOURCE}", emu.provider_block()))
//!         .plan_check(|p| p.expect_actions("docusign_connect_configuration.c", &["create"]))
//!         .check(|s| s.expect_attr("docusign_connect_configuration.c", "name", "n")))
//!     .import_step(ImportStep::new("docusign_connect_configuration.c"))
//!     .run();
//! ```

// A library for every later acceptance test: not every helper is used by every test yet.
#![allow(dead_code)]

pub mod cli;
pub mod emulator;
pub mod json;
pub mod root_module;
pub mod step;
pub mod terraform;

// Re-exports for tests to `use crate::support::*` from.
#[allow(unused_imports)]
pub use emulator::{Emulator, LoggedRequest};
#[allow(unused_imports)]
pub use json::{Plan, State};
#[allow(unused_imports)]
pub use step::{ImportStep, Report, Step, TestCase};
#[allow(unused_imports)]
pub use terraform::{
    Failure, Feature, NULL_PROVIDER_ADDR, Overrides, PROVIDER_ADDR, TfResult, TfVersion, WorkDir,
    hcl_string, null_provider_dir, provider_dir, terraform_path, terraform_version,
};

/// The `terraform { required_providers { ... } }` block for our provider.
pub const REQUIRED_DOCUSIGN: &str = r#"terraform {
  required_providers {
    docusign = {
      source = "docusign-iac/docusign"
    }
  }
}
"#;
