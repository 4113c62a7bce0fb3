//! `terraform test` runs a module's own `.tftest.hcl` files against the emulator: what the
//! module `examples/modules/partner-connect` ships, and what its README tells users to do with
//! their modules. Terraform 1.6 introduced `.tftest.hcl` files; Terraform 1.0.3's experimental
//! `terraform test` knows nothing of them, so on 1.0.3 this test checks that it runs none of
//! them and reaches no API instead.

use serde_json::Value;

use crate::examples::copy_tree;
use crate::support::terraform::repo_root;
use crate::support::{Emulator, LoggedRequest, Overrides, TfVersion, WorkDir, terraform_version};

const MODULE: &str = "examples/modules/partner-connect";

/// The module's runs, in file order, each of which must pass.
const RUNS: &[&str] = &[
    "partner_oauth_for_connect",
    "creates_an_integrator_managed_configuration",
    "docusign_holds_the_configuration",
    "renaming_updates_in_place",
    "hmac_auth",
    "rejects_an_unknown_auth",
];

/// A working directory holding a copy of the module, pointed at `emu`.
fn module_workdir(name: &str, emu: &Emulator) -> WorkDir {
    let mut wd = WorkDir::new(name, &Overrides::docusign());
    copy_tree(&repo_root().join(MODULE), wd.path());
    for (k, v) in emu.provider_env() {
        wd.set_env(&k, &v);
    }
    wd
}

/// What `terraform test -json` said: each run's status in order, and the summary's status.
struct TestReport {
    runs: Vec<(String, String)>,
    summary: Option<String>,
    /// Every diagnostic's summary and detail, for failure messages.
    diagnostics: String,
}

fn parse_test_json(stdout: &str) -> TestReport {
    let mut report = TestReport {
        runs: Vec::new(),
        summary: None,
        diagnostics: String::new(),
    };
    for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("`terraform test -json` line is not JSON ({e}): {line}"));
        match v["type"].as_str() {
            Some("test_run") if v["test_run"]["progress"] == "complete" => report.runs.push((
                v["test_run"]["run"].as_str().unwrap_or_default().to_owned(),
                v["test_run"]["status"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )),
            Some("test_summary") => {
                report.summary = v["test_summary"]["status"].as_str().map(str::to_owned);
            }
            Some("diagnostic") => {
                let d = &v["diagnostic"];
                report.diagnostics.push_str(&format!(
                    "{}: {}\n",
                    d["summary"].as_str().unwrap_or_default(),
                    d["detail"].as_str().unwrap_or_default()
                ));
            }
            _ => {}
        }
    }
    report
}

fn calls(requests: &[LoggedRequest], method: &str, suffix: &str) -> usize {
    requests
        .iter()
        .filter(|r| r.method == method && r.path.ends_with(suffix))
        .count()
}

#[test]
fn the_partner_connect_module_tests_pass_under_terraform_test() {
    let emu = Emulator::start();
    let wd = module_workdir("module_terraform_test", &emu);
    let version = terraform_version();

    if version < TfVersion::new(1, 6, 0) {
        // Terraform 1.0.3: the experimental command looks for test suites in subdirectories of
        // tests/ holding .tf files; it reads no .tftest.hcl file and applies nothing.
        let out = wd.run_raw(&["test", "-no-color"]);
        let said = out.combined();
        assert!(
            !said.contains("partner_oauth_for_connect") && !said.contains("passed"),
            "Terraform {version:?} ran .tftest.hcl files:\n{said}"
        );
        assert!(
            emu.api_calls().is_empty(),
            "Terraform {version:?}'s `terraform test` reached the API: {:?}",
            emu.api_calls()
        );
        return;
    }

    // Test fixtures (`module { source = "./tests/..." }`) are installed by `terraform get`;
    // `terraform init` is not needed with dev_overrides.
    wd.run(&["get", "-no-color"]).unwrap();
    let out = wd.run_raw(&["test", "-json", "-no-color"]);
    let report = parse_test_json(&out.stdout);
    assert!(
        out.success() && report.summary.as_deref() == Some("pass"),
        "terraform test failed: summary {:?}, runs {:?}\n{}\n{}",
        report.summary,
        report.runs,
        report.diagnostics,
        wd.describe_failure(&out)
    );
    let expected: Vec<(String, String)> = RUNS
        .iter()
        .map(|r| ((*r).to_owned(), "pass".to_owned()))
        .collect();
    assert_eq!(report.runs, expected);

    // The runs reached DocuSign: OAuth for Connect, one create carrying integratorManaged,
    // one in-place rename (a PUT, no second create), and the teardown deleted both.
    let requests = emu.api_calls();
    let creates: Vec<&LoggedRequest> = requests
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/connect"))
        .collect();
    assert_eq!(creates.len(), 1, "{requests:?}");
    let body = creates[0]
        .body
        .as_ref()
        .expect("the create's body is logged");
    assert_eq!(body["integratorManaged"], "true", "{body}");
    assert_eq!(body["includeOAuth"], "true", "{body}");
    assert_eq!(
        calls(&requests, "POST", "/connect/oauth"),
        1,
        "{requests:?}"
    );
    assert_eq!(calls(&requests, "PUT", "/connect"), 1, "{requests:?}");
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.method == "DELETE" && r.path.contains("/connect/"))
            .count(),
        2,
        "the teardown must delete the configuration and the OAuth settings: {requests:?}"
    );
    assert!(
        emu.configurations(emu.account_id()).is_empty(),
        "{:?}",
        emu.configurations(emu.account_id())
    );

    a_module_that_breaks_its_assertions_fails();
}

/// The module's assertions bite: with the module changed so that it no longer makes an
/// integrator-managed configuration, `terraform test` fails the run that checks it, says why,
/// and still tears down what it made.
fn a_module_that_breaks_its_assertions_fails() {
    let emu = Emulator::start();
    let wd = module_workdir("module_terraform_test_broken", &emu);
    let main_tf = wd.path().join("main.tf");
    let text = std::fs::read_to_string(&main_tf).unwrap();
    let broken = text.replace(
        "integrator_managed       = true",
        "integrator_managed       = false",
    );
    assert_ne!(broken, text, "main.tf no longer sets integrator_managed");
    std::fs::write(&main_tf, broken).unwrap();

    wd.run(&["get", "-no-color"]).unwrap();
    let out = wd.run_raw(&["test", "-json", "-no-color"]);
    let report = parse_test_json(&out.stdout);
    assert!(!out.success(), "terraform test passed a broken module");
    assert_eq!(report.summary.as_deref(), Some("fail"));
    assert!(
        report.runs.contains(&(
            "creates_an_integrator_managed_configuration".to_owned(),
            "fail".to_owned()
        )),
        "{:?}",
        report.runs
    );
    assert!(
        report
            .diagnostics
            .contains("must give an integrator-managed configuration"),
        "{}",
        report.diagnostics
    );
    assert!(
        emu.configurations(emu.account_id()).is_empty(),
        "{:?}",
        emu.configurations(emu.account_id())
    );
}
