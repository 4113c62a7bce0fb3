//! The partner example (`examples/partner` with `examples/modules/partner-connect`): applies,
//! delivers with the partner's OAuth settings, rotates the secret, destroys in order; its README
//! runs as written.

use super::*;

const CLIENT_A: &str = "module.client[\"a\"].docusign_connect_configuration.this";
const CLIENT_B: &str = "module.client[\"b\"].docusign_connect_configuration.this";

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
        "TF_VAR_clients",
        &json!({"a": {"account_id": client_a, "user_id": ""},
                "b": {"account_id": client_b, "user_id": ""}})
        .to_string(),
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
    st.expect_attr(CLIENT_A, "account_id", &client_a).unwrap();
    st.expect_attr(CLIENT_B, "account_id", &client_b).unwrap();
    let id_a = st.attr_str(CLIENT_A, "id").unwrap();
    let id_b = st.attr_str(CLIENT_B, "id").unwrap();
    assert_eq!(
        st.output("client_configurations").unwrap(),
        &json!({"a": ["Partner integration (a)"], "b": ["Partner integration (b)"]})
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
        "name": "Partner integration (a)", "allowEnvelopePublish": "true",
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
        "TF_VAR_clients",
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
