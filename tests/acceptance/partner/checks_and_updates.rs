//! Partner mistakes caught at plan time, and updates of the OAuth settings that clear removed
//! fields.

use super::*;

#[test]
fn plan_time_checks_for_partner_mistakes() {
    let emu = emulator();
    let (partner, client_a, _) = accounts(&emu);

    // integrator_managed without include_oauth or include_hmac: a warning at plan time on the
    // attribute (DocuSign is not known to refuse it; it has no documented effect).
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
    let out = root
        .run(&["plan", "-input=false", "-no-color", "-lock=false"])
        .unwrap();
    let text = crate::support::terraform::normalize_output(&out.combined());
    assert!(
        text.contains("Warning: Integrator-managed configuration without OAuth or HMAC"),
        "{text}"
    );
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
