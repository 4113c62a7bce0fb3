//! Write-only secrets: `password_wo` + `password_wo_version` of `docusign_connect_configuration`
//! and `client_secret_wo` + `client_secret_wo_version` of `docusign_connect_oauth_config`.
//!
//! * Terraform ≥ 1.11: the secret comes from an `ephemeral = true` variable. It reaches DocuSign
//!   (the emulator's stored data) and never the state file, the saved plan (`terraform show
//!   -json`), nor the `TF_LOG=trace` output. A new secret under the same version sends nothing;
//!   a bumped version sends the new secret, in one write.
//! * Older Terraform: the plan fails on the attribute, naming the versions that support it.

use serde_json::Value;

use crate::support::terraform::normalize_output;
use crate::support::{
    Emulator, Feature, LoggedRequest, Overrides, REQUIRED_DOCUSIGN, WorkDir, terraform_version,
};

/// What differs between the two resources with a write-only secret.
struct Secret {
    /// The resource type.
    resource: &'static str,
    /// The write-only attribute and its version.
    attr: &'static str,
    version_attr: &'static str,
    /// The resource's other arguments.
    body: &'static str,
    /// The wire field that carries the secret.
    wire: &'static str,
    /// The path (under the account) the resource writes to.
    path: &'static str,
}

const PASSWORD: Secret = Secret {
    resource: "docusign_connect_configuration",
    attr: "password_wo",
    version_attr: "password_wo_version",
    body: "  name              = \"write-only\"\n  \
           url_to_publish_to = \"https://hooks.example.com/write-only\"\n  \
           all_users         = true\n  user_name         = \"hook\"\n",
    wire: "password",
    path: "/connect",
};

const CLIENT_SECRET: Secret = Secret {
    resource: "docusign_connect_oauth_config",
    attr: "client_secret_wo",
    version_attr: "client_secret_wo_version",
    body: "  authorization_server_url = \"https://auth.example.com/oauth2/token\"\n  \
           client_id                = \"connect-client\"\n",
    wire: "clientSecret",
    path: "/connect/oauth",
};

impl Secret {
    fn addr(&self) -> String {
        format!("{}.s", self.resource)
    }

    /// The configuration: the secret from an ephemeral variable (a plain one where Terraform
    /// predates ephemeral variables), its version from a plain one.
    fn config(&self, emu: &Emulator) -> String {
        let ephemeral = if Feature::WriteOnly.available() {
            "\n  ephemeral = true"
        } else {
            ""
        };
        format!(
            "{REQUIRED_DOCUSIGN}\n{}\n\
             variable \"secret\" {{\n  type      = string\n  sensitive = true{ephemeral}\n}}\n\
             variable \"secret_version\" {{\n  type = number\n}}\n\
             resource \"{}\" \"s\" {{\n{}  {} = var.secret\n  {} = var.secret_version\n}}\n",
            emu.provider_block(),
            self.resource,
            self.body,
            self.attr,
            self.version_attr,
        )
    }

    /// What DocuSign holds as the secret.
    fn stored(&self, emu: &Emulator, wd: &WorkDir) -> Option<String> {
        let account = emu.account_id();
        if self.resource == PASSWORD.resource {
            let id = wd
                .show_state()
                .and_then(|s| s.attr_str(&self.addr(), "id"))
                .unwrap_or_else(|e| panic!("{e}"));
            emu.stored_password(account, &id)
        } else {
            emu.stored_client_secret(account)
        }
    }

    /// The writes (POST, PUT) to the resource's path, as the emulator logged them.
    fn writes(&self, emu: &Emulator) -> Vec<LoggedRequest> {
        let path = format!("/restapi/v2.1/accounts/{}{}", emu.account_id(), self.path);
        emu.api_calls()
            .into_iter()
            .filter(|r| (r.method == "POST" || r.method == "PUT") && r.path == path)
            .collect()
    }

    /// Whether a logged write carried the secret field (the log redacts its value).
    fn carries_secret(&self, r: &LoggedRequest) -> bool {
        r.body
            .as_ref()
            .and_then(|b| b.get(self.wire))
            .is_some_and(|v| !v.is_null())
    }
}

/// A working directory tracing Terraform and the provider at TRACE into `trace.log`.
fn traced_workdir(name: &str, emu: &Emulator, secret: &Secret) -> WorkDir {
    let mut wd = WorkDir::new(name, &Overrides::docusign());
    wd.set_env("TF_LOG", "trace");
    let log = wd.path().join("trace.log");
    wd.set_env("TF_LOG_PATH", &log.to_string_lossy());
    wd.write_config(&secret.config(emu));
    wd
}

/// Sets the variables of the next commands.
fn set_secret(wd: &mut WorkDir, value: &str, version: u32) {
    wd.set_env("TF_VAR_secret", value);
    wd.set_env("TF_VAR_secret_version", &version.to_string());
}

/// Fails when `value` appears in the state file, in the saved plan `plan` as `show -json`
/// prints it, or in the trace log.
fn assert_nowhere(wd: &WorkDir, value: &str, plan: &str) {
    let state = std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap();
    assert!(!state.contains(value), "the secret is in the state file");
    let shown = wd.run(&["show", "-json", "-no-color", plan]).unwrap();
    assert!(!shown.stdout.contains(value), "the secret is in the plan");
    let trace = std::fs::read_to_string(wd.path().join("trace.log")).unwrap();
    assert!(trace.len() > 10_000, "TF_LOG=trace wrote almost nothing");
    assert!(
        !trace.contains(value),
        "the secret is in the TF_LOG=trace output"
    );
}

/// The whole life of one write-only secret on Terraform ≥ 1.11.
fn lifecycle(secret: &Secret, name: &str) {
    let emu = Emulator::start_storing(Default::default());
    let mut wd = traced_workdir(name, &emu, secret);
    let addr = secret.addr();
    let (first, second, third) = (
        "wo-First-Secret-7c1",
        "wo-Second-Secret-2b9",
        "wo-Third-Secret-55d",
    );

    // Create: the secret goes to DocuSign in the create, the version into state, the secret
    // nowhere in Terraform's files.
    set_secret(&mut wd, first, 1);
    let plan = wd.plan("create.tfplan", true).unwrap();
    plan.expect_actions(&addr, &["create"]).unwrap();
    assert_eq!(plan.after(&addr, secret.attr).unwrap(), &Value::Null);
    wd.apply_plan("create.tfplan").unwrap();
    let state = wd.show_state().unwrap();
    assert_eq!(state.attr(&addr, secret.attr).unwrap(), &Value::Null);
    state.expect_attr(&addr, secret.version_attr, "1").unwrap();
    assert_eq!(secret.stored(&emu, &wd).as_deref(), Some(first));
    let writes = secret.writes(&emu);
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert!(secret.carries_secret(&writes[0]), "{writes:?}");
    assert_nowhere(&wd, first, "create.tfplan");

    // Another secret under the same version: nothing to do, nothing sent.
    emu.clear_requests();
    set_secret(&mut wd, second, 1);
    let plan = wd.plan("same.tfplan", true).unwrap();
    assert!(plan.is_empty(), "{}", plan.summary());
    wd.apply_plan("same.tfplan").unwrap();
    assert!(secret.writes(&emu).is_empty(), "{:?}", emu.api_calls());
    assert_eq!(secret.stored(&emu, &wd).as_deref(), Some(first));
    assert_nowhere(&wd, second, "same.tfplan");

    // A new version: one update of the version alone, carrying the new secret.
    set_secret(&mut wd, third, 2);
    let plan = wd.plan("bump.tfplan", true).unwrap();
    plan.expect_actions(&addr, &["update"]).unwrap();
    plan.expect_update_of_only(&addr, &[secret.version_attr])
        .unwrap();
    wd.apply_plan("bump.tfplan").unwrap();
    let writes = secret.writes(&emu);
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0].method, "PUT", "{writes:?}");
    assert!(secret.carries_secret(&writes[0]), "{writes:?}");
    assert_eq!(secret.stored(&emu, &wd).as_deref(), Some(third));
    wd.show_state()
        .unwrap()
        .expect_attr(&addr, secret.version_attr, "2")
        .unwrap();
    assert_nowhere(&wd, third, "bump.tfplan");

    // And then the plans are empty again.
    assert!(wd.plan("after.tfplan", true).unwrap().is_empty());
    wd.destroy().unwrap();
}

/// Terraform before 1.11 cannot keep a write-only value out of state: the plan fails on the
/// attribute, with no call to DocuSign, and says which versions support it.
fn refused(secret: &Secret, name: &str) {
    let emu = Emulator::start();
    let mut wd = WorkDir::new(name, &Overrides::docusign());
    wd.write_config(&secret.config(&emu));
    let value = "wo-Refused-Secret-9e0";
    set_secret(&mut wd, value, 1);
    let out = wd.run_raw(&["plan", "-input=false", "-no-color", "-lock=false"]);
    assert!(
        !out.success(),
        "{} was accepted by Terraform {}",
        secret.attr,
        terraform_version()
    );
    let text = normalize_output(&out.combined());
    for needle in [
        "Write-only attribute not supported",
        secret.attr,
        "Terraform 1.11 or OpenTofu 1.11 or later",
    ] {
        assert!(text.contains(needle), "no {needle:?} in: {text}");
    }
    assert!(!text.contains(value), "the secret was printed: {text}");
    assert!(secret.writes(&emu).is_empty(), "{:?}", emu.api_calls());
}

#[test]
fn a_write_only_password_reaches_docusign_only() {
    if Feature::WriteOnly.available() {
        lifecycle(&PASSWORD, "wo_password");
    } else {
        refused(&PASSWORD, "wo_password_refused");
    }
}

#[test]
fn a_write_only_client_secret_reaches_docusign_only() {
    if Feature::WriteOnly.available() {
        lifecycle(&CLIENT_SECRET, "wo_client_secret");
    } else {
        refused(&CLIENT_SECRET, "wo_client_secret_refused");
    }
}
