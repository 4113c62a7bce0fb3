//! The module's HMAC variant: the partner's key, made in the same root, signs the client's
//! configuration.

use super::*;

#[test]
fn partner_module_hmac_variant_uses_partner_hmac_keys() {
    let emu = emulator();
    let (partner, client_a, _) = accounts(&emu);

    // The partner's HMAC key is made by Terraform too; DocuSign refuses an integrator-managed
    // HMAC configuration while the partner account holds no key, so the order matters.
    let mut root = Root::new("partner_hmac", "root");
    root.wd.copy_tf_files(
        "examples/modules/partner-connect",
        "modules/partner-connect",
    );
    root.env(&emu);
    root.wd.write_file(
        "root/main.tf",
        &format!(
            r#"{REQUIRED_DOCUSIGN}
provider "docusign" {{}}

resource "docusign_connect_hmac_key" "partner" {{}}

module "client" {{
  source            = "../modules/partner-connect"
  client_account_id = "{client_a}"
  webhook_url       = "https://hooks.partner.example.com/hmac"
  auth              = "hmac"
  depends_on        = [docusign_connect_hmac_key.partner]
}}
"#
        ),
    );
    root.get();
    let (plan, _) = root.plan(true);
    let addr = "module.client.docusign_connect_configuration.this";
    let key = "docusign_connect_hmac_key.partner";
    plan.expect_actions(addr, &["create"]).unwrap();
    plan.expect_actions(key, &["create"]).unwrap();
    root.apply_saved();
    let state = root.state();
    let id = state.attr_str(addr, "id").unwrap();
    assert_eq!(state.attr_str(key, "account_id").unwrap(), partner);
    let key_id = state.attr_str(key, "id").unwrap();
    let (_, keys) = emu
        .api_on("GET", &partner, "/connect/secret", None)
        .unwrap();
    assert!(keys.to_string().contains(&key_id), "{keys}");
    let d = emu.delivery(&client_a, &id);
    assert_eq!(d["auth"], json!("hmac"), "{d}");
    assert_eq!(d["settings_account_id"], json!(partner), "{d}");
    root.expect_empty_plans("hmac module");
    // Destroy removes the client configuration before the partner's key.
    root.run(&[
        "destroy",
        "-input=false",
        "-no-color",
        "-lock=false",
        "-auto-approve",
    ])
    .unwrap();
    assert!(emu.configurations(&client_a).is_empty());
    let (_, keys) = emu
        .api_on("GET", &partner, "/connect/secret", None)
        .unwrap();
    assert!(!keys.to_string().contains(&key_id), "{keys}");
}
