//! Adopting objects made outside Terraform, for every resource type.
//!
//! * Terraform ≥ 1.5: an `import` block and `terraform plan -generate-config-out=generated.tf`.
//!   The generated file is used exactly as written: the plan imports the object without
//!   changing it, the apply sends nothing but reads, and the next plan is empty.
//! * Older Terraform: the same object is adopted with `terraform import` and a written
//!   configuration (Terraform refuses `import` blocks there).

use serde_json::{Value, json};

use crate::support::{Emulator, Feature, Overrides, REQUIRED_DOCUSIGN, WorkDir};

/// One resource type, and how an object of it is made outside Terraform.
struct Outside {
    resource: &'static str,
    /// Makes the object through DocuSign's API; returns its import id.
    make: fn(&Emulator) -> String,
    /// The hand-written configuration for older Terraform (`terraform import` needs one).
    written: &'static str,
}

fn created(emu: &Emulator, path: &str, body: Value, id_field: &str) -> String {
    let (status, answer) = emu.api("POST", path, Some(body)).unwrap();
    assert!(
        (200..300).contains(&status),
        "POST {path}: {status} {answer}"
    );
    match id_field {
        "" => emu.account_id().to_owned(),
        f => answer[f]
            .as_str()
            .unwrap_or_else(|| panic!("no {f} in {answer}"))
            .to_owned(),
    }
}

const TYPES: [Outside; 3] = [
    Outside {
        resource: "docusign_connect_configuration",
        make: |emu| {
            created(
                emu,
                "/connect",
                json!({"configurationType": "custom", "name": "made by hand",
                    "urlToPublishTo": "https://hooks.example.com/by-hand", "allUsers": "true",
                    "allowEnvelopePublish": "true", "enableLog": "true", "deliveryMode": "SIM",
                    "events": ["envelope-sent", "envelope-completed"],
                    "eventData": {"version": "restv2.1", "includeData": ["recipients"]},
                    "requiresAcknowledgement": "true"}),
                "connectId",
            )
        },
        written: "  name                   = \"made by hand\"\n  \
                  url_to_publish_to      = \"https://hooks.example.com/by-hand\"\n  \
                  all_users              = true\n  allow_envelope_publish = true\n  \
                  enable_log             = true\n  delivery_mode          = \"SIM\"\n  \
                  events                 = [\"envelope-sent\", \"envelope-completed\"]\n  \
                  event_data {\n    version      = \"restv2.1\"\n    \
                  include_data = [\"recipients\"]\n  }\n",
    },
    Outside {
        resource: "docusign_connect_oauth_config",
        make: |emu| {
            created(
                emu,
                "/connect/oauth",
                json!({"authorizationServerUrl": "https://auth.example.com/oauth2/token",
                    "clientId": "made-by-hand", "clientSecret": "hand-made-secret",
                    "scope": "connect"}),
                "",
            )
        },
        written: "  authorization_server_url = \"https://auth.example.com/oauth2/token\"\n  \
                  client_id                = \"made-by-hand\"\n  scope = \"connect\"\n",
    },
    Outside {
        resource: "docusign_connect_hmac_key",
        make: |emu| created(emu, "/connect/secret", json!({}), "keyId"),
        written: "",
    },
];

fn adopt(t: &Outside) {
    let emu = Emulator::start();
    let id = (t.make)(&emu);
    emu.clear_requests();
    let addr = format!("{}.adopted", t.resource);
    let wd = WorkDir::new(&format!("import_{}", t.resource), &Overrides::docusign());
    let provider = format!("{REQUIRED_DOCUSIGN}\n{}", emu.provider_block());

    if Feature::ImportBlocks.available() {
        wd.write_config(&format!(
            "{provider}\nimport {{\n  to = {addr}\n  id = \"{id}\"\n}}\n"
        ));
        let out = wd
            .plan_out("import.tfplan", &["-generate-config-out=generated.tf"])
            .unwrap();
        // Terraform's own notice only: no warning from the provider or the generated file.
        assert_eq!(
            out.warnings(),
            ["Config generation is experimental"],
            "{}",
            out.combined()
        );
        let generated = std::fs::read_to_string(wd.path().join("generated.tf")).unwrap();
        assert!(
            generated.contains(&format!("resource \"{}\" \"adopted\"", t.resource)),
            "{generated}"
        );
        // The plan imports the object and changes nothing of it.
        let plan = wd.show_plan("import.tfplan").unwrap();
        let change = plan.change(&addr).unwrap();
        assert_eq!(change["importing"]["id"], json!(id), "{change}");
        plan.expect_actions(&addr, &["no-op"]).unwrap();
        wd.apply_plan("import.tfplan").unwrap();
    } else {
        wd.write_config(&format!(
            "{provider}\nresource \"{}\" \"adopted\" {{\n{}}}\n",
            t.resource, t.written
        ));
        wd.import(&addr, &id).unwrap();
    }
    assert_eq!(
        wd.show_state().unwrap().attr_str(&addr, "id").unwrap(),
        id,
        "the state holds another object"
    );
    assert!(emu.writes().is_empty(), "{:?}", emu.writes());
    let plan = wd.plan("after.tfplan", true).unwrap();
    assert!(plan.is_empty(), "after import: {}", plan.summary());
    assert!(emu.writes().is_empty(), "{:?}", emu.writes());
}

#[test]
fn a_configuration_made_outside_terraform_is_adopted_with_its_generated_configuration() {
    adopt(&TYPES[0]);
}

#[test]
fn oauth_settings_made_outside_terraform_are_adopted_with_their_generated_configuration() {
    adopt(&TYPES[1]);
}

#[test]
fn an_hmac_key_made_outside_terraform_is_adopted_with_its_generated_configuration() {
    adopt(&TYPES[2]);
}
