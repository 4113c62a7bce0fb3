//! A Terraform root module in a sub-directory of a working directory, run through `-chdir`, so
//! that relative module sources (`../modules/partner-connect`) resolve as in the repository.

use super::emulator::Emulator;
use super::json::{Plan, State};
use super::terraform::{Output, Overrides, TfResult, WorkDir};

/// A working directory whose Terraform root module is its sub-directory `root`, configured for
/// an emulator through the `DOCUSIGN_*` environment. Panics on failures: for tests that read
/// straight through.
pub struct Root {
    pub wd: WorkDir,
}

impl Root {
    pub fn new(name: &str, root: &str) -> Root {
        let mut wd = WorkDir::new(name, &Overrides::docusign());
        wd.set_chdir(root);
        Root { wd }
    }

    /// Configures the provider for `emu` through the environment.
    pub fn env(&mut self, emu: &Emulator) {
        for (k, v) in emu.provider_env() {
            self.wd.set_env(&k, &v);
        }
    }

    pub fn run(&self, args: &[&str]) -> TfResult<Output> {
        self.wd.run(args)
    }

    pub fn run_raw(&self, args: &[&str]) -> Output {
        self.wd.run_raw(args)
    }

    /// `terraform get`: installs the local modules (`terraform init` refuses providers that
    /// only exist as dev_overrides).
    pub fn get(&self) {
        self.run(&["get", "-no-color"]).unwrap();
    }

    /// Saved plan as JSON plus the human-readable plan text.
    pub fn plan(&self, refresh: bool) -> (Plan, Output) {
        let extra: &[&str] = if refresh { &[] } else { &["-refresh=false"] };
        let out = self.wd.plan_out("p.tfplan", extra).unwrap();
        (self.wd.show_plan("p.tfplan").unwrap(), out)
    }

    /// Applies the plan [`plan`](Self::plan) saved.
    pub fn apply_saved(&self) -> Output {
        self.wd.apply_plan("p.tfplan").unwrap()
    }

    pub fn state(&self) -> State {
        self.wd.show_state().unwrap()
    }

    /// Both post-apply plans (`-refresh=false`, then refreshing) must be empty.
    pub fn expect_empty_plans(&self, when: &str) {
        for refresh in [false, true] {
            let (p, _) = self.plan(refresh);
            assert!(
                p.is_empty(),
                "{when}: plan (refresh={refresh}) not empty: {}",
                p.summary()
            );
        }
    }
}
