//! terraform-plugin-testing's lifecycle discipline, driven through the real CLI.
//!
//! A [`TestCase`] runs its steps in one working directory, then destroys what is left:
//!
//! * a config [`Step`]: write `main.tf`; `plan -out` → `show -json` (pre-apply checks); `apply`
//!   of that plan → `show -json` (state checks); `plan -refresh=false` must be empty; a refreshing
//!   `plan` must be empty (or, with `expect_non_empty_plan`, must not be).
//! * an [`ImportStep`]: in a FRESH working directory, `terraform import ADDR ID`, `show -json`,
//!   and the imported attributes must equal the previous step's, except ignored prefixes.
//! * teardown: `show -json` (the pre-destroy state), `destroy`, then the `check_destroy` callback.
//!
//! "Empty" is read from the saved plan JSON: every `resource_changes[].change.actions` and every
//! output change is `["no-op"]`.

use super::json::{Plan, State};
use super::terraform::{Failure, Overrides, TfResult, WorkDir};

/// A check on a state; return `Err` with an explanation to fail the test.
pub type StateCheck = Box<dyn Fn(&State) -> Result<(), Failure>>;
/// A check on a plan.
pub type PlanCheck = Box<dyn Fn(&Plan) -> Result<(), Failure>>;
/// Something to do before a step (e.g. change the remote object out of band).
pub type PreConfig = Box<dyn Fn() -> Result<(), Failure>>;
/// Computes an import ID from the previous step's state.
pub type IdFn = Box<dyn Fn(&State) -> Result<String, Failure>>;

/// One configuration applied in the test's working directory.
pub struct Step {
    config: String,
    pre_config: Option<PreConfig>,
    pre_apply: Vec<PlanCheck>,
    checks: Vec<StateCheck>,
    post_apply_pre_refresh: Vec<PlanCheck>,
    post_apply_post_refresh: Vec<PlanCheck>,
    expect_non_empty_plan: bool,
    expect_error: Option<Vec<String>>,
    plan_only: bool,
}

impl Step {
    /// A step that applies `config` (the whole configuration: provider blocks included).
    pub fn new(config: impl Into<String>) -> Self {
        Step {
            config: config.into(),
            pre_config: None,
            pre_apply: Vec::new(),
            checks: Vec::new(),
            post_apply_pre_refresh: Vec::new(),
            post_apply_post_refresh: Vec::new(),
            expect_non_empty_plan: false,
            expect_error: None,
            plan_only: false,
        }
    }

    /// Runs `f` before this step's first command.
    pub fn pre_config(mut self, f: impl Fn() -> Result<(), Failure> + 'static) -> Self {
        self.pre_config = Some(Box::new(f));
        self
    }

    /// A check on the plan before apply.
    pub fn plan_check(mut self, f: impl Fn(&Plan) -> Result<(), Failure> + 'static) -> Self {
        self.pre_apply.push(Box::new(f));
        self
    }

    /// A check on the state after apply.
    pub fn check(mut self, f: impl Fn(&State) -> Result<(), Failure> + 'static) -> Self {
        self.checks.push(Box::new(f));
        self
    }

    /// A check on the `-refresh=false` plan after apply.
    pub fn post_apply_pre_refresh_check(
        mut self,
        f: impl Fn(&Plan) -> Result<(), Failure> + 'static,
    ) -> Self {
        self.post_apply_pre_refresh.push(Box::new(f));
        self
    }

    /// A check on the refreshing plan after apply.
    pub fn post_apply_post_refresh_check(
        mut self,
        f: impl Fn(&Plan) -> Result<(), Failure> + 'static,
    ) -> Self {
        self.post_apply_post_refresh.push(Box::new(f));
        self
    }

    /// The plans after apply are expected to have changes (and the refreshing one must).
    pub fn expect_non_empty_plan(mut self) -> Self {
        self.expect_non_empty_plan = true;
        self
    }

    /// The step must fail (in plan or apply) with output containing every one of `needles`
    /// (whitespace-insensitive). Nothing after the failing command runs.
    pub fn expect_error(mut self, needles: &[&str]) -> Self {
        self.expect_error = Some(needles.iter().map(|s| (*s).to_owned()).collect());
        self
    }

    /// Plan only: no apply; the plan must be empty unless `expect_non_empty_plan`.
    pub fn plan_only(mut self) -> Self {
        self.plan_only = true;
        self
    }
}

enum ImportId {
    FromState,
    Literal(String),
    Computed(IdFn),
}

/// `terraform import` in a fresh directory, verified against the previous step's state.
pub struct ImportStep {
    addr: String,
    id: ImportId,
    config: Option<String>,
    verify: bool,
    ignore: Vec<String>,
    checks: Vec<StateCheck>,
    expect_error: Option<Vec<String>>,
    plan_checks: Vec<PlanCheck>,
    expect_empty_plan: bool,
}

impl ImportStep {
    /// Imports `addr`, with the `id` attribute of `addr` in the previous state as the ID,
    /// verifying every attribute.
    pub fn new(addr: &str) -> Self {
        ImportStep {
            addr: addr.to_owned(),
            id: ImportId::FromState,
            config: None,
            verify: true,
            ignore: Vec::new(),
            checks: Vec::new(),
            expect_error: None,
            plan_checks: Vec::new(),
            expect_empty_plan: false,
        }
    }

    /// Uses a fixed import ID.
    pub fn id(mut self, id: &str) -> Self {
        self.id = ImportId::Literal(id.to_owned());
        self
    }

    /// Computes the import ID from the previous state.
    pub fn id_fn(mut self, f: impl Fn(&State) -> Result<String, Failure> + 'static) -> Self {
        self.id = ImportId::Computed(Box::new(f));
        self
    }

    /// The configuration to import with (default: the last config step's).
    pub fn config(mut self, config: impl Into<String>) -> Self {
        self.config = Some(config.into());
        self
    }

    /// Attribute keys to leave out of the comparison: a key is ignored when it equals an entry
    /// or starts with the entry followed by `.` (`rules` ignores `rules.#` and `rules.0.x`).
    pub fn ignore(mut self, keys: &[&str]) -> Self {
        self.ignore.extend(keys.iter().map(|s| (*s).to_owned()));
        self
    }

    /// Skips the comparison with the previous state.
    pub fn no_verify(mut self) -> Self {
        self.verify = false;
        self
    }

    /// A check on the state right after import.
    pub fn check(mut self, f: impl Fn(&State) -> Result<(), Failure> + 'static) -> Self {
        self.checks.push(Box::new(f));
        self
    }

    /// The import must fail with output containing every one of `needles`.
    pub fn expect_error(mut self, needles: &[&str]) -> Self {
        self.expect_error = Some(needles.iter().map(|s| (*s).to_owned()).collect());
        self
    }

    /// After import, a refreshing plan in the import directory must be empty (the "import then
    /// no diff" regression check), then `checks` run on it.
    pub fn expect_empty_plan(mut self) -> Self {
        self.expect_empty_plan = true;
        self
    }

    /// A check on the plan made after import (implies running that plan).
    pub fn plan_check(mut self, f: impl Fn(&Plan) -> Result<(), Failure> + 'static) -> Self {
        self.plan_checks.push(Box::new(f));
        self
    }
}

enum AnyStep {
    Config(Step),
    Import(ImportStep),
}

/// A sequence of steps sharing one working directory, then destroy.
pub struct TestCase {
    name: String,
    overrides: Overrides,
    env: Vec<(String, String)>,
    steps: Vec<AnyStep>,
    check_destroy: Option<StateCheck>,
}

/// What a successful run leaves for further assertions.
pub struct Report {
    /// The state after each config step (in order; failed-as-expected steps add none).
    pub states: Vec<State>,
    /// The state just before the final destroy (None when there was nothing to destroy).
    pub pre_destroy: Option<State>,
}

impl TestCase {
    /// A test case named `name` (used for directory and log names), with our provider overridden.
    pub fn new(name: &str) -> Self {
        TestCase {
            name: name.to_owned(),
            overrides: Overrides::docusign(),
            env: Vec::new(),
            steps: Vec::new(),
            check_destroy: None,
        }
    }

    /// Also override the Go null provider 2.1.2.
    pub fn with_null_provider(mut self) -> Self {
        self.overrides = self.overrides.with_null();
        self
    }

    /// Replaces the provider overrides.
    pub fn overrides(mut self, overrides: Overrides) -> Self {
        self.overrides = overrides;
        self
    }

    /// An environment variable for every terraform command (and so for the providers).
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn step(mut self, step: Step) -> Self {
        self.steps.push(AnyStep::Config(step));
        self
    }

    pub fn import_step(mut self, step: ImportStep) -> Self {
        self.steps.push(AnyStep::Import(step));
        self
    }

    /// Called with the pre-destroy state after the final destroy succeeded.
    pub fn check_destroy(mut self, f: impl Fn(&State) -> Result<(), Failure> + 'static) -> Self {
        self.check_destroy = Some(Box::new(f));
        self
    }

    fn workdir(&self, suffix: &str) -> WorkDir {
        let mut wd = WorkDir::new(&format!("{}{suffix}", self.name), &self.overrides);
        for (k, v) in &self.env {
            wd.set_env(k, v);
        }
        wd
    }

    /// Runs every step then the destroy; panics with Terraform's output on the first failure.
    pub fn run(self) -> Report {
        match self.try_run() {
            Ok(report) => report,
            Err(e) => panic!("{e}"),
        }
    }

    /// Like [`run`](Self::run) but returns the failure (to test the harness itself).
    pub fn try_run(self) -> TfResult<Report> {
        let wd = self.workdir("");
        let mut report = Report {
            states: Vec::new(),
            pre_destroy: None,
        };
        let mut last_config: Option<String> = None;
        let mut last_state: Option<State> = None;
        let mut failure = None;
        for (i, step) in self.steps.iter().enumerate() {
            let n = i + 1;
            let result = match step {
                AnyStep::Config(step) => {
                    last_config = Some(step.config.clone());
                    run_config_step(&wd, step).map(|state| {
                        if let Some(s) = state {
                            last_state = Some(s.clone());
                            report.states.push(s);
                        }
                    })
                }
                AnyStep::Import(step) => {
                    self.run_import_step(step, last_config.as_deref(), last_state.as_ref(), n)
                }
            };
            if let Err(e) = result {
                failure = Some(e.context(format!("step {n}")));
                break;
            }
        }
        // Teardown runs even after a failure, as terraform-plugin-testing does.
        let teardown = teardown(&wd, self.check_destroy.as_ref(), &mut report);
        match (failure, teardown) {
            (None, Ok(())) => Ok(report),
            (None, Err(e)) => Err(e.context(format!(
                "[{}] error running post-test destroy, there may be dangling resources",
                self.name
            ))),
            (Some(f), Ok(())) => Err(f),
            (Some(f), Err(e)) => Err(Failure(format!(
                "{f}\n\nalso, the post-test destroy failed: {e}"
            ))),
        }
    }

    fn run_import_step(
        &self,
        step: &ImportStep,
        last_config: Option<&str>,
        last_state: Option<&State>,
        n: usize,
    ) -> TfResult<()> {
        let config = step.config.as_deref().or(last_config).ok_or(
            "an import step needs a configuration: give it one or put a config step first",
        )?;
        let id = match &step.id {
            ImportId::Literal(id) => id.clone(),
            ImportId::FromState => {
                let state =
                    last_state.ok_or("an import step without an id needs a previous state")?;
                state.attr_str(&step.addr, "id")?
            }
            ImportId::Computed(f) => {
                f(last_state.ok_or("an import id function needs a previous state")?)?
            }
        };
        let wd = self.workdir(&format!("-import{n}"));
        wd.write_config(config);
        let out = wd.run_raw(&[
            "import",
            "-input=false",
            "-no-color",
            "-lock=false",
            &step.addr,
            &id,
        ]);
        if let Some(needles) = &step.expect_error {
            return expect_failure(&out, needles, "import");
        }
        if !out.success() {
            return Err(Failure(wd.describe_failure(&out)));
        }
        let imported = wd.show_state()?;
        for c in &step.checks {
            c(&imported).map_err(|e| e.context("import check"))?;
        }
        if step.verify {
            let prior = last_state.ok_or("ImportStateVerify needs a previous state")?;
            verify_import(prior, &imported, &step.addr, &step.ignore)?;
        }
        if step.expect_empty_plan || !step.plan_checks.is_empty() {
            let plan = wd.plan("import.tfplan", true)?;
            for c in &step.plan_checks {
                c(&plan).map_err(|e| e.context("import plan check"))?;
            }
            if step.expect_empty_plan && !plan.is_empty() {
                return Err(Failure(format!(
                    "after importing {}, the plan was not empty: {}",
                    step.addr,
                    plan.summary()
                )));
            }
        }
        Ok(())
    }
}

/// Runs one config step; returns the state after apply (None for plan-only and failing steps).
fn run_config_step(wd: &WorkDir, step: &Step) -> TfResult<Option<State>> {
    if let Some(f) = &step.pre_config {
        f().map_err(|e| e.context("pre_config"))?;
    }
    wd.write_config(&step.config);
    let plan_args = [
        "plan",
        "-input=false",
        "-no-color",
        "-lock=false",
        "-out=step.tfplan",
    ];
    if let Some(needles) = &step.expect_error {
        let out = wd.run_raw(&plan_args);
        if !out.success() {
            return expect_failure(&out, needles, "plan").map(|()| None);
        }
        if step.plan_only {
            return Err(Failure(format!(
                "expected an error matching {needles:?}, but plan succeeded"
            )));
        }
        let out = wd.run_raw(&[
            "apply",
            "-input=false",
            "-no-color",
            "-lock=false",
            "-auto-approve",
            "step.tfplan",
        ]);
        return expect_failure(&out, needles, "plan and apply").map(|()| None);
    }

    wd.run(&plan_args)?;
    let plan = wd.show_plan("step.tfplan")?;
    for c in &step.pre_apply {
        c(&plan).map_err(|e| e.context("pre-apply plan check"))?;
    }
    if step.plan_only {
        check_emptiness(&plan, step.expect_non_empty_plan, "plan-only", true)?;
        return Ok(None);
    }

    wd.apply_plan("step.tfplan")?;
    let state = wd.show_state()?;
    for c in &step.checks {
        c(&state).map_err(|e| e.context("state check"))?;
    }

    let plan = wd.plan("norefresh.tfplan", false)?;
    for c in &step.post_apply_pre_refresh {
        c(&plan).map_err(|e| e.context("post-apply pre-refresh plan check"))?;
    }
    check_emptiness(&plan, step.expect_non_empty_plan, "non-refresh", false)?;

    let plan = wd.plan("refresh.tfplan", true)?;
    for c in &step.post_apply_post_refresh {
        c(&plan).map_err(|e| e.context("post-apply post-refresh plan check"))?;
    }
    check_emptiness(&plan, step.expect_non_empty_plan, "refresh", true)?;
    Ok(Some(state))
}

/// plugin-testing's rule: without `expect_non_empty`, every plan must be empty; with it, the
/// refreshing plan must not be.
fn check_emptiness(
    plan: &Plan,
    expect_non_empty: bool,
    which: &str,
    decisive: bool,
) -> TfResult<()> {
    match (expect_non_empty, plan.is_empty()) {
        (false, false) => Err(Failure(format!(
            "After applying this test step, the {which} plan was not empty: {}",
            plan.summary()
        ))),
        (true, true) if decisive => Err(Failure(format!(
            "Expected a non-empty plan, but got an empty {which} plan"
        ))),
        _ => Ok(()),
    }
}

fn expect_failure(out: &super::terraform::Output, needles: &[String], what: &str) -> TfResult<()> {
    if out.success() {
        return Err(Failure(format!(
            "expected {what} to fail with {needles:?}, but it succeeded:\n{}",
            out.stdout
        )));
    }
    let missing = out.missing(needles);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Failure(format!(
            "{what} failed as expected, but its output lacks {missing:?}:\n--- stderr ---\n{}\n--- stdout ---\n{}",
            out.stderr, out.stdout
        )))
    }
}

/// ImportStateVerify: the flattened attributes of `addr` must match, ignoring `ignore` prefixes.
pub fn verify_import(
    prior: &State,
    imported: &State,
    addr: &str,
    ignore: &[String],
) -> TfResult<()> {
    let ignored = |k: &str| {
        ignore
            .iter()
            .any(|i| k == i || (k.starts_with(i.as_str()) && k[i.len()..].starts_with('.')))
    };
    let keep = |m: std::collections::BTreeMap<String, String>| {
        m.into_iter()
            .filter(|(k, _)| !ignored(k))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let want = keep(prior.flat(addr)?);
    let got = keep(imported.flat(addr).map_err(|e| e.context("after import"))?);
    if want == got {
        return Ok(());
    }
    let mut diff = Vec::new();
    for (k, v) in &want {
        match got.get(k) {
            None => diff.push(format!("- {k} = {v:?}")),
            Some(g) if g != v => diff.push(format!("~ {k}: {v:?} -> {g:?}")),
            _ => {}
        }
    }
    for (k, v) in &got {
        if !want.contains_key(k) {
            diff.push(format!("+ {k} = {v:?}"));
        }
    }
    Err(Failure(format!(
        "ImportStateVerify attributes not equivalent for {addr} (- missing after import, + only \
         after import, ~ different):\n  {}",
        diff.join("\n  ")
    )))
}

fn teardown(wd: &WorkDir, check_destroy: Option<&StateCheck>, report: &mut Report) -> TfResult<()> {
    let state = wd.show_state()?;
    if state.is_empty() {
        return Ok(());
    }
    wd.destroy()?;
    let after = wd.show_state()?;
    if !after.is_empty() {
        return Err(Failure(format!(
            "destroy left resources in state: {:?}",
            after.addresses()
        )));
    }
    if let Some(c) = check_destroy {
        c(&state).map_err(|e| e.context("check_destroy"))?;
    }
    report.pre_destroy = Some(state);
    Ok(())
}
