//! The data sources return what DocuSign holds.

use super::*;

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
        assert_eq!(s, 200, "{b}");
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
