//! Destroy plans: `terraform plan -destroy` and `terraform destroy`, for every resource type.
//!
//! From Terraform 1.3 on, Terraform asks the provider to plan each destroy (the provider
//! advertises `plan_destroy`, and receives a null proposed state); before, Terraform plans
//! destroys alone. Either way a destroy plan sends nothing to DocuSign (it is made here while
//! every DocuSign call fails), a saved destroy plan deletes exactly the objects it lists, and
//! `terraform destroy` leaves DocuSign and the state empty.

use serde_json::{Value, json};

use crate::support::{Emulator, Feature, Overrides, REQUIRED_DOCUSIGN, WorkDir, terraform_version};

const ADDRS: [&str; 3] = [
    "docusign_connect_configuration.c",
    "docusign_connect_oauth_config.o",
    "docusign_connect_hmac_key.k",
];

fn config(emu: &Emulator) -> String {
    format!(
        r#"{REQUIRED_DOCUSIGN}
{}
resource "docusign_connect_oauth_config" "o" {{
  authorization_server_url = "https://auth.example.com/oauth2/token"
  client_id                = "destroy-plans"
  client_secret            = "destroy-plans-secret"
}}

resource "docusign_connect_hmac_key" "k" {{}}

resource "docusign_connect_configuration" "c" {{
  name               = "destroy plans"
  url_to_publish_to  = "https://hooks.example.com/destroy"
  all_users          = true
  include_oauth      = true
  include_hmac       = true
  integrator_managed = true
  depends_on         = [docusign_connect_oauth_config.o, docusign_connect_hmac_key.k]
}}
"#,
        emu.provider_block()
    )
}

/// What DocuSign holds: (configuration ids, whether OAuth settings exist, HMAC key ids).
fn remote(emu: &Emulator) -> (Vec<String>, bool, Vec<String>) {
    let ids = |path: &str, list: &str, field: &str| -> Vec<String> {
        let (status, body) = emu.api("GET", path, None).unwrap();
        assert_eq!(status, 200, "GET {path}: {body}");
        body[list]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x[field].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (status, oauth) = emu.api("GET", "/connect/oauth", None).unwrap();
    assert_eq!(status, 200, "{oauth}");
    let oauth_set = oauth.get("clientId").is_some_and(|v| !v.is_null());
    (
        ids("/connect", "configurations", "connectId"),
        oauth_set,
        ids("/connect/secret", "secrets", "keyId"),
    )
}

/// How many PlanResourceChange calls Terraform made, from its TRACE log.
fn plan_calls(log: &str) -> usize {
    log.matches("GRPCProvider: PlanResourceChange").count()
}

#[test]
fn a_saved_destroy_plan_sends_nothing_then_deletes_what_it_lists() {
    let emu = Emulator::start();
    let mut wd = WorkDir::new("destroy_plan", &Overrides::docusign());
    wd.write_config(&config(&emu));
    wd.apply().unwrap();
    let (configs, oauth, keys) = remote(&emu);
    assert!(
        configs.len() == 1 && oauth && keys.len() == 1,
        "{configs:?} {keys:?}"
    );

    // Every DocuSign call fails while the destroy is planned: planning must not need one.
    emu.clear_requests();
    emu.add_fault(json!({"path": "/restapi/**", "times": 1000,
        "error": {"status": 503, "message": "planning a destroy must not call DocuSign"}}));
    wd.set_env("TF_LOG", "trace");
    let log = wd.path().join("destroy-plan.log");
    wd.set_env("TF_LOG_PATH", &log.to_string_lossy());
    wd.plan_out("destroy.tfplan", &["-destroy", "-refresh=false"])
        .unwrap();
    assert!(emu.api_calls().is_empty(), "{:?}", emu.api_calls());
    let trace = std::fs::read_to_string(&log).unwrap();
    // Terraform ≥ 1.3 asks the provider about each destroy; older versions do not.
    let expected = if terraform_version() >= Feature::DestroyPlans.since() {
        ADDRS.len()
    } else {
        0
    };
    assert_eq!(
        plan_calls(&trace),
        expected,
        "PlanResourceChange calls of Terraform {}",
        terraform_version()
    );
    emu.clear_faults();
    wd.set_env("TF_LOG", "off");

    let plan = wd.show_plan("destroy.tfplan").unwrap();
    for addr in ADDRS {
        plan.expect_actions(addr, &["delete"]).unwrap();
        assert_eq!(plan.change(addr).unwrap()["after"], Value::Null, "{addr}");
    }
    // The saved plan is applied later: exactly one delete for each object, the configuration
    // (which depends on the others) first.
    wd.apply_plan("destroy.tfplan").unwrap();
    let deletes = emu.paths_of("DELETE");
    assert_eq!(deletes.len(), 3, "{deletes:?}");
    assert!(
        deletes[0].ends_with(&format!("/connect/{}", configs[0])),
        "{deletes:?}"
    );
    assert_eq!(remote(&emu), (vec![], false, vec![]));
    assert!(wd.show_state().unwrap().is_empty());
}

#[test]
fn terraform_destroy_plans_then_deletes_everything() {
    let emu = Emulator::start();
    let wd = WorkDir::new("destroy_command", &Overrides::docusign());
    wd.write_config(&config(&emu));
    wd.apply().unwrap();
    // A destroy plan shows what goes and leaves everything in place.
    let plan = wd.plan_destroy("look.tfplan").unwrap();
    for addr in ADDRS {
        plan.expect_actions(addr, &["delete"]).unwrap();
    }
    let (configs, oauth, keys) = remote(&emu);
    assert!(
        configs.len() == 1 && oauth && keys.len() == 1,
        "{configs:?} {keys:?}"
    );

    let out = wd.destroy().unwrap();
    assert!(
        out.stdout
            .contains("Destroy complete! Resources: 3 destroyed."),
        "{}",
        out.stdout
    );
    assert_eq!(remote(&emu), (vec![], false, vec![]));
    assert!(wd.show_state().unwrap().is_empty());
    // Nothing is left to destroy: a second destroy plans nothing and calls no write.
    emu.clear_requests();
    let plan = wd.plan_destroy("again.tfplan").unwrap();
    assert!(plan.resource_changes().is_empty(), "{}", plan.summary());
    assert!(emu.writes().is_empty(), "{:?}", emu.writes());
}
