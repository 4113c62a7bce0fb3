//! The partner flow against an emulator with 3 accounts
//! (`examples/partner` + `examples/modules/partner-connect`), the data sources, importing the
//! OAuth settings, the plan-time checks and the HMAC variant of the module.
//!
//! Every test starts its own emulator and working directory, so they run in parallel. The
//! partner is account 1 (the token's default account); clients are accounts 2 and 3, reached
//! with the same token.

use serde_json::{Value, json};

use crate::support::emulator::Config;
use crate::support::root_module::Root;
use crate::support::terraform::repo_root;
use crate::support::{Emulator, Failure, ImportStep, REQUIRED_DOCUSIGN, Step, TestCase};

/// An emulator with a partner account and two client accounts that keeps its data in a file
/// (the only place the stored client secret can be seen).
fn emulator() -> Emulator {
    Emulator::start_storing(Config {
        accounts: 3,
        ..Config::default()
    })
}

fn accounts(emu: &Emulator) -> (String, String, String) {
    let a = &emu.info().accounts;
    assert_eq!(a.len(), 3, "{a:?}");
    assert_eq!(
        a[0],
        emu.account_id(),
        "the partner must be the default account"
    );
    (a[0].clone(), a[1].clone(), a[2].clone())
}

// ---- the partner example ------------------------------------------------------------------------

const OAUTH: &str = "docusign_connect_oauth_config.partner";
const CLIENT_A: &str = "module.client_a.docusign_connect_configuration.this";
const CLIENT_B: &str = "module.client_b.docusign_connect_configuration.this";

#[test]
fn partner_example_applies_delivers_with_partner_oauth_and_destroys_in_order() {
    let emu = emulator();
    let (partner, client_a, client_b) = accounts(&emu);

    let mut root = Root::new("partner_example", "partner");
    root.wd.copy_tf_files("examples/partner", "partner");
    root.wd.copy_tf_files(
        "examples/modules/partner-connect",
        "modules/partner-connect",
    );
    root.env(&emu);
    root.wd.set_env(
        "TF_VAR_client_accounts",
        &json!([client_a.clone(), client_b.clone()]).to_string(),
    );
    let secret1 = "s3cr3t-first-4c1d9e";
    root.wd.set_env("TF_VAR_oauth_client_secret", secret1);
    root.get();

    // 1. It applies: OAuth settings on the partner, one configuration per client.
    let (plan, out) = root.plan(true);
    out.expect_hidden(secret1, "first plan").unwrap();
    for addr in [OAUTH, CLIENT_A, CLIENT_B] {
        plan.expect_actions(addr, &["create"]).unwrap();
    }
    let out = root.apply_saved();
    out.expect_hidden(secret1, "first apply").unwrap();
    let st = root.state();
    st.expect_attr(OAUTH, "account_id", &partner).unwrap();
    st.expect_attr(CLIENT_A, "account_id", &client_a).unwrap(); // per-resource account_id
    st.expect_attr(CLIENT_B, "account_id", &client_b).unwrap(); // provider alias
    let id_a = st.attr_str(CLIENT_A, "id").unwrap();
    let id_b = st.attr_str(CLIENT_B, "id").unwrap();
    assert_eq!(
        st.output("client_a_configurations").unwrap(),
        &json!(["Partner integration (client A)"])
    );
    assert_eq!(emu.stored_client_secret(&partner).as_deref(), Some(secret1));
    // The API calls went to the right accounts with the same token.
    let writes: Vec<(String, String)> = emu
        .writes()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    let base = "/restapi/v2.1/accounts";
    for want in [
        ("POST", format!("{base}/{partner}/connect/oauth")),
        ("POST", format!("{base}/{client_a}/connect")),
        ("POST", format!("{base}/{client_b}/connect")),
    ] {
        assert!(
            writes.iter().any(|(m, p)| m == want.0 && *p == want.1),
            "missing {want:?} in {writes:?}"
        );
    }
    // The payload docs/guides/partner-oauth.md shows is what the module sends.
    let post_a = emu
        .api_calls()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == format!("{base}/{client_a}/connect"))
        .and_then(|r| r.body)
        .unwrap();
    let guide = json!({"configurationType": "custom",
        "urlToPublishTo": "https://hooks.partner.example.com/clients/a", "allUsers": "true",
        "name": "Partner integration (client A)", "allowEnvelopePublish": "true",
        "enableLog": "true", "includeOAuth": "true", "integratorManaged": "true",
        "deliveryMode": "SIM", "events": ["envelope-completed", "envelope-sent"],
        "eventData": {"version": "restv2.1", "includeData": ["custom_fields", "recipients"]},
        "requiresAcknowledgement": "true"});
    for (k, v) in guide.as_object().unwrap() {
        assert_eq!(
            post_a.get(k),
            Some(v),
            "{k} in the client A payload {post_a}"
        );
    }

    // 2. Each client holds an integrator-managed configuration with includeOAuth whose messages
    //    would use the partner account's OAuth settings.
    for (acct, id) in [(&client_a, &id_a), (&client_b, &id_b)] {
        let held = emu.configurations(acct);
        assert_eq!(held.len(), 1, "{acct}: {held:?}");
        let c = &held[0];
        assert_eq!(c["connectId"], json!(id), "{c}");
        assert_eq!(c["integratorManaged"], json!("true"), "{c}");
        assert_eq!(c["includeOAuth"], json!("true"), "{c}");
        assert_eq!(c["includeHMAC"], json!("false"), "{c}");
        let d = emu.delivery(acct, id);
        assert_eq!(d["auth"], json!("oauth"), "{d}");
        assert_eq!(d["settings_account_id"], json!(partner), "{d}");
        assert_eq!(d["configuration_account_id"], json!(acct), "{d}");
        assert_eq!(d["integrator_managed"], json!(true), "{d}");
    }
    assert!(emu.configurations(&partner).is_empty());

    // 3. The plan after apply is empty, without and with refresh.
    root.expect_empty_plans("after apply");

    // 8. A new client secret is applied in place, hidden in plan text, then plans are empty.
    let secret2 = "s3cr3t-second-77ab02";
    root.wd.set_env("TF_VAR_oauth_client_secret", secret2);
    emu.clear_requests();
    let (plan, out) = root.plan(true);
    plan.expect_update_of_only(OAUTH, &["client_secret"])
        .unwrap();
    for addr in [CLIENT_A, CLIENT_B] {
        plan.expect_actions(addr, &["no-op"]).unwrap();
    }
    out.expect_hidden(secret1, "secret-change plan").unwrap();
    out.expect_hidden(secret2, "secret-change plan").unwrap();
    assert!(out.stdout.contains("(sensitive value)"), "{}", out.stdout);
    let out = root.apply_saved();
    out.expect_hidden(secret2, "secret-change apply").unwrap();
    assert_eq!(emu.stored_client_secret(&partner).as_deref(), Some(secret2));
    let puts: Vec<_> = emu
        .api_calls()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    assert_eq!(puts.len(), 1, "{puts:?}");
    assert!(
        puts[0].path.ends_with(&format!("{partner}/connect/oauth")),
        "{puts:?}"
    );
    root.expect_empty_plans("after the secret change");

    // 4. Destroy removes everything, configurations before the OAuth settings.
    emu.clear_requests();
    let out = root
        .run(&[
            "destroy",
            "-input=false",
            "-no-color",
            "-lock=false",
            "-auto-approve",
        ])
        .unwrap();
    out.expect_hidden(secret2, "destroy").unwrap();
    assert!(root.state().is_empty());
    let deletes = emu.paths_of("DELETE");
    assert_eq!(deletes.len(), 3, "{deletes:?}");
    let oauth_pos = deletes
        .iter()
        .position(|p| p.ends_with("/connect/oauth"))
        .unwrap_or_else(|| panic!("no DELETE of the OAuth settings: {deletes:?}"));
    assert_eq!(oauth_pos, 2, "the OAuth settings must go last: {deletes:?}");
    for acct in [&partner, &client_a, &client_b] {
        assert!(
            emu.configurations(acct).is_empty(),
            "{acct} still holds configurations"
        );
    }
    let (status, body) = emu.api_on("GET", &partner, "/connect/oauth", None).unwrap();
    assert_eq!((status, body), (200, json!({})));
}

/// The example's README: its instructions rely on `terraform get` (not `init`) and on a
/// dev_overrides CLI config; keep it saying so.
#[test]
fn partner_readme_gives_runnable_instructions() {
    let readme = std::fs::read_to_string(repo_root().join("examples/partner/README.md")).unwrap();
    for needle in [
        "--accounts 3",
        "dev_overrides",
        "terraform get",
        "TF_VAR_client_accounts",
        "terraform apply",
        "terraform destroy",
    ] {
        assert!(readme.contains(needle), "README lacks {needle:?}");
    }
    assert!(
        !readme
            .lines()
            .any(|l| l.trim_start().starts_with("terraform init")),
        "the README runs terraform init, which fails with dev_overrides"
    );
}

// ---- the HMAC variant of the module -------------------------------------------------------------

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

// ---- data sources -------------------------------------------------------------------------------

#[test]
fn data_sources_return_what_the_emulator_holds() {
    let emu = emulator();
    let (partner, client_a, client_b) = accounts(&emu);
    // Seeded out of band: OAuth settings on the partner, three configurations on client A, two
    // of them with the same name.
    let (s, b) = emu
        .api_on(
            "POST",
            &partner,
            "/connect/oauth",
            Some(
                json!({"authorizationServerUrl": "https://auth.example.com/token",
            "clientId": "cid-1", "clientSecret": "never-shown-91f3", "scope": "hooks",
            "customParameters": {"resource": "https://hooks.example.com"}}),
            ),
        )
        .unwrap();
    assert_eq!(s, 201, "{b}");
    let mut ids = Vec::new();
    for (name, url) in [
        ("dup", "https://a.example.com"),
        ("dup", "https://b.example.com"),
        ("solo", "https://c.example.com"),
    ] {
        let (s, b) = emu
            .api_on(
                "POST",
                &client_a,
                "/connect",
                Some(
                    json!({"configurationType": "custom", "name": name, "urlToPublishTo": url,
                "allUsers": "true", "events": ["envelope-sent"]}),
                ),
            )
            .unwrap();
        assert_eq!(s, 201, "{b}");
        ids.push(b["connectId"].as_str().unwrap().to_owned());
    }

    let cfg = format!(
        r#"{REQUIRED_DOCUSIGN}
{provider}
data "docusign_connect_configurations" "all" {{
  account_id = "{client_a}"
}}
data "docusign_connect_configurations" "dup" {{
  account_id = "{client_a}"
  name       = "dup"
}}
data "docusign_connect_configurations" "none" {{
  account_id = "{client_b}"
}}
data "docusign_connect_configuration" "by_id" {{
  account_id = "{client_a}"
  id         = "{id1}"
}}
data "docusign_connect_configuration" "by_name" {{
  account_id = "{client_a}"
  name       = "solo"
}}
data "docusign_connect_oauth_config" "partner" {{}}
data "docusign_connect_oauth_config" "client" {{
  account_id = "{client_a}"
}}
data "docusign_account" "me" {{}}
"#,
        provider = emu.provider_block(),
        id1 = ids[1],
    );
    let cfg_again = cfg.clone();
    let dup_cfg = format!(
        r#"{cfg}
data "docusign_connect_configuration" "ambiguous" {{
  account_id = "{client_a}"
  name       = "dup"
}}
"#
    );
    let (p2, ca2, cb2, ids2) = (
        partner.clone(),
        client_a.clone(),
        client_b.clone(),
        ids.clone(),
    );
    TestCase::new("partner_data_sources")
        .step(Step::new(cfg).check(move |s| {
            let names = |addr: &str| -> Vec<(String, String)> {
                s.attr(addr, "configurations")
                    .unwrap()
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| {
                        (
                            c["id"].as_str().unwrap_or("").to_owned(),
                            c["name"].as_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect()
            };
            let all = names("data.docusign_connect_configurations.all");
            let want: Vec<(String, String)> = ids2
                .iter()
                .cloned()
                .zip(["dup", "dup", "solo"].map(String::from))
                .collect();
            if all != want {
                return Err(Failure(format!("all: {all:?} != {want:?}")));
            }
            let dup = names("data.docusign_connect_configurations.dup");
            if dup != want[..2] {
                return Err(Failure(format!("dup: {dup:?}")));
            }
            if !names("data.docusign_connect_configurations.none").is_empty() {
                return Err(Failure("client B has no configurations".into()));
            }
            s.expect_attr("data.docusign_connect_configurations.all", "id", &ca2)?;
            let all_v = s.attr("data.docusign_connect_configurations.all", "configurations")?;
            if all_v[2]["url_to_publish_to"] != json!("https://c.example.com")
                || all_v[2]["all_users"] != json!(true)
            {
                return Err(Failure(format!("configuration attributes: {}", all_v[2])));
            }
            s.expect_attr("data.docusign_connect_configuration.by_id", "name", "dup")?;
            s.expect_attr(
                "data.docusign_connect_configuration.by_id",
                "url_to_publish_to",
                "https://b.example.com",
            )?;
            s.expect_attr(
                "data.docusign_connect_configuration.by_name",
                "id",
                &ids2[2],
            )?;
            let oauth = "data.docusign_connect_oauth_config.partner";
            s.expect_attr(oauth, "account_id", &p2)?;
            s.expect_attr(oauth, "configured", "true")?;
            s.expect_attr(oauth, "client_id", "cid-1")?;
            s.expect_attr(
                oauth,
                "authorization_server_url",
                "https://auth.example.com/token",
            )?;
            s.expect_attr(oauth, "scope", "hooks")?;
            s.expect_attr(
                oauth,
                "custom_parameters.resource",
                "https://hooks.example.com",
            )?;
            let values = s.values(oauth)?;
            if values.get("client_secret").is_some() || s.json.to_string().contains("never-shown") {
                return Err(Failure(format!("the secret leaks: {values}")));
            }
            // An account without settings answers `{}`: not configured.
            s.expect_attr(
                "data.docusign_connect_oauth_config.client",
                "configured",
                "false",
            )?;
            let acct = "data.docusign_account.me";
            s.expect_attr(acct, "default_account_id", &p2)?;
            let list = s
                .attr(acct, "accounts")?
                .as_array()
                .cloned()
                .unwrap_or_default();
            let got: Vec<(String, bool)> = list
                .iter()
                .map(|a| {
                    (
                        a["account_id"].as_str().unwrap_or("").to_owned(),
                        a["is_default"] == json!(true),
                    )
                })
                .collect();
            let want = vec![
                (p2.clone(), true),
                (ca2.clone(), false),
                (cb2.clone(), false),
            ];
            if got != want {
                return Err(Failure(format!("accounts: {got:?} != {want:?}")));
            }
            if list
                .iter()
                .any(|a| a["base_uri"].as_str().is_none_or(str::is_empty))
            {
                return Err(Failure(format!("accounts lack base_uri: {list:?}")));
            }
            Ok(())
        }))
        .step(Step::new(dup_cfg).expect_error(&[
            "Several Connect configurations have this name",
            &ids[0],
            &ids[1],
        ]))
        // Back to a valid configuration, so that the final destroy can read every data source.
        .step(Step::new(cfg_again))
        .run();
}

// ---- import of the OAuth settings ---------------------------------------------------------------

fn oauth_config(emu: &Emulator, secret_line: &str, extra: &str) -> String {
    format!(
        r#"{REQUIRED_DOCUSIGN}
{}
resource "docusign_connect_oauth_config" "partner" {{
  authorization_server_url = "https://auth.partner.example.com/oauth2/token"
  client_id                = "docusign-connect"
  scope                    = "webhooks"
{secret_line}
{extra}
}}
"#,
        emu.provider_block()
    )
}

#[test]
fn oauth_config_import_then_plan_has_no_diff_and_never_rotates_the_secret() {
    let emu = emulator();
    let (partner, client_a, _) = accounts(&emu);
    let with_secret = oauth_config(&emu, r#"  client_secret = "import-secret-5e1""#, "");
    let without_secret = oauth_config(&emu, "", "");
    TestCase::new("partner_oauth_import")
        .step(Step::new(with_secret.clone()))
        // A configuration that leaves the secret to DocuSign: import, then an empty plan.
        .import_step(
            ImportStep::new(OAUTH)
                .config(without_secret)
                .ignore(&["client_secret"])
                .check(|s| match s.attr(OAUTH, "client_secret")? {
                    Value::Null => Ok(()),
                    v => Err(Failure(format!(
                        "imported client_secret should be null: {v}"
                    ))),
                })
                .expect_empty_plan(),
        )
        // With client_secret configured: a single in-place update of that argument only,
        // never a replacement.
        .import_step(
            ImportStep::new(OAUTH)
                .ignore(&["client_secret"])
                .plan_check(|p| p.expect_update_of_only(OAUTH, &["client_secret"])),
        )
        // Nothing to import on an account without settings; a malformed id is refused.
        .import_step(
            ImportStep::new(OAUTH)
                .id(&client_a)
                .expect_error(&["Cannot import non-existent remote object"]),
        )
        .import_step(
            ImportStep::new(OAUTH)
                .id("a:b")
                .expect_error(&["Invalid import id"]),
        )
        .run();

    // The one-time update after import sends the configured secret once; then plans are empty.
    let (s, _) = emu.api_on("POST",
        &partner,
        "/connect/oauth",
        Some(
            json!({"authorizationServerUrl": "https://auth.partner.example.com/oauth2/token",
            "clientId": "docusign-connect", "clientSecret": "import-secret-5e1", "scope": "webhooks"}),
        ),
    ).unwrap();
    assert_eq!(s, 201);
    let mut root = Root::new("partner_oauth_import_apply", "root");
    root.env(&emu);
    root.wd.write_file(
        "root/main.tf",
        &oauth_config(&emu, r#"  client_secret = "import-secret-5e1""#, ""),
    );
    root.run(&[
        "import",
        "-input=false",
        "-no-color",
        "-lock=false",
        OAUTH,
        &partner,
    ])
    .unwrap();
    let (plan, out) = root.plan(true);
    plan.expect_update_of_only(OAUTH, &["client_secret"])
        .unwrap();
    out.expect_hidden("import-secret-5e1", "plan after import")
        .unwrap();
    emu.clear_requests();
    root.apply_saved();
    let writes = emu.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0].method, "PUT");
    root.expect_empty_plans("after the post-import apply");
}

// ---- plan-time checks and updates of the OAuth settings -----------------------------------------

#[test]
fn plan_time_checks_for_partner_mistakes() {
    let emu = emulator();
    let (partner, client_a, _) = accounts(&emu);

    // integrator_managed without include_oauth or include_hmac is refused at plan time.
    let bad = format!(
        r#"{REQUIRED_DOCUSIGN}
{}
resource "docusign_connect_configuration" "c" {{
  account_id         = "{client_a}"
  name               = "bad"
  url_to_publish_to  = "https://hooks.example.com/x"
  all_users          = true
  events             = ["envelope-sent"]
  integrator_managed = true
  include_oauth      = false
  include_hmac       = false
}}
"#,
        emu.provider_block()
    );
    let mut root = Root::new("partner_checks", "root");
    root.env(&emu);
    root.wd.write_file("root/main.tf", &bad);
    let out = root.run_raw(&["plan", "-input=false", "-no-color", "-lock=false"]);
    assert!(!out.success(), "{}", out.combined());
    let text = crate::support::terraform::normalize_output(&out.combined());
    assert!(text.contains("integrator_managed"), "{text}");
    assert!(text.contains("include_oauth"), "{text}");
    assert!(
        emu.api_calls().iter().all(|r| r.method == "GET"),
        "no write may happen"
    );

    // OAuth settings on an account other than the credentials' own: a warning that explains.
    let warn = "OAuth for Connect on an account other than the credentials' own";
    let on = |acct: &str| format!("  account_id = \"{acct}\"\n");
    let cases = [
        // (the provider's account, the resource's account_id line, warning expected)
        (partner.clone(), on(&client_a), true),
        // The provider's account is a client's; the credentials' home is still the partner.
        (client_a.clone(), String::new(), true),
        (partner.clone(), String::new(), false),
        (client_a.clone(), on(&partner), false),
    ];
    for (provider_account, extra, expect) in cases {
        let i = emu.info();
        let provider = format!(
            "provider \"docusign\" {{\n  base_uri = \"{}\"\n  oauth_base_uri = \"{}\"\n  \
             access_token = \"{}\"\n  account_id = \"{provider_account}\"\n}}\n",
            i.base_uri, i.oauth_base_uri, i.access_token,
        );
        let cfg = format!(
            r#"{REQUIRED_DOCUSIGN}
{provider}
resource "docusign_connect_oauth_config" "partner" {{
  authorization_server_url = "https://auth.partner.example.com/oauth2/token"
  client_id                = "docusign-connect"
  client_secret            = "x"
{extra}
}}
"#
        );
        root.wd.write_file("root/main.tf", &cfg);
        let out = root
            .run(&["plan", "-input=false", "-no-color", "-lock=false"])
            .unwrap();
        let text = crate::support::terraform::normalize_output(&out.combined());
        assert_eq!(
            text.contains(warn),
            expect,
            "provider account {provider_account}, resource {extra:?}:\n{text}"
        );
        if expect {
            assert!(text.contains("integrator-managed"), "{text}");
            assert!(
                text.contains(&partner),
                "the warning names the credentials' account: {text}"
            );
        }
    }
}

#[test]
fn oauth_config_updates_clear_removed_fields() {
    let emu = emulator();
    let (partner, _, _) = accounts(&emu);
    let full = oauth_config(
        &emu,
        r#"  client_secret = "first""#,
        "  custom_parameters = {\n    resource = \"https://hooks.example.com\"\n  }",
    );
    // scope and custom_parameters removed: PUT merges, so they must be cleared explicitly.
    let bare = format!(
        r#"{REQUIRED_DOCUSIGN}
{}
resource "docusign_connect_oauth_config" "partner" {{
  authorization_server_url = "https://auth.partner.example.com/oauth2/token"
  client_id                = "docusign-connect-2"
  client_secret            = "first"
}}
"#,
        emu.provider_block()
    );
    let check_emu = std::rc::Rc::new(emu);
    let e1 = check_emu.clone();
    let e2 = check_emu.clone();
    let p = partner.clone();
    TestCase::new("partner_oauth_update")
        .step(Step::new(full).check(move |_| {
            let (_, b) = e1.api_on("GET", &p, "/connect/oauth", None).unwrap();
            if b["scope"] != json!("webhooks") || b["customParameters"]["resource"].is_null() {
                return Err(Failure(format!("{b}")));
            }
            Ok(())
        }))
        .step(
            Step::new(bare)
                .plan_check(|pl| {
                    pl.expect_update_of_only(OAUTH, &["client_id", "scope", "custom_parameters"])
                })
                .check(move |_| {
                    let (_, b) = e2.api_on("GET", &partner, "/connect/oauth", None).unwrap();
                    let empty = |v: Option<&Value>| {
                        v.is_none_or(|v| v.is_null() || v == &json!("") || v == &json!({}))
                    };
                    if !empty(b.get("scope")) || !empty(b.get("customParameters")) {
                        return Err(Failure(format!("removed fields still set: {b}")));
                    }
                    // The secret was unchanged, so the update did not resend it.
                    Ok(())
                }),
        )
        .run();
    let puts: Vec<_> = check_emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    assert_eq!(puts.len(), 1, "{puts:?}");
    let body = puts[0].body.clone().unwrap_or_default();
    assert!(
        body.get("clientSecret").is_none(),
        "unchanged secret resent: {body}"
    );
    assert_eq!(body.get("scope"), Some(&json!("")), "{body}");
    assert_eq!(body.get("customParameters"), Some(&json!({})), "{body}");
}
