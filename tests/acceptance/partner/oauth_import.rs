//! Importing OAuth for Connect settings: no diff, and the secret is never rotated by import.

use super::*;

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
