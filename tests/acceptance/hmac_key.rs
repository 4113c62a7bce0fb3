//! `docusign_connect_hmac_key` through real Terraform 1.0.3 against the emulator: a key made by
//! Terraform signs an integrator-managed configuration's messages; the secret stays sensitive;
//! import, rotation through `keepers`, an out-of-band delete and destroy.

use crate::support::{
    Emulator, Failure, ImportStep, Overrides, REQUIRED_DOCUSIGN, Step, TestCase, TfResult, WorkDir,
};

const KEY: &str = "docusign_connect_hmac_key.k";
const CFG: &str = "docusign_connect_configuration.c";

/// A key with `keepers = { rotation = <rotation> }`, and, with `signed`, an integrator-managed
/// configuration signed with the account's HMAC keys, which DocuSign refuses unless the account
/// holds a key: Terraform must create the key first.
fn hcl(emu: &Emulator, rotation: &str, signed: bool) -> String {
    let cfg = if signed {
        r#"
resource "docusign_connect_configuration" "c" {
  name               = "signed"
  url_to_publish_to  = "https://hooks.example.com/hmac"
  all_users          = true
  include_hmac       = true
  integrator_managed = true
  depends_on         = [docusign_connect_hmac_key.k]
}
"#
    } else {
        ""
    };
    format!(
        r#"{REQUIRED_DOCUSIGN}
{}
resource "docusign_connect_hmac_key" "k" {{
  keepers = {{ rotation = "{rotation}" }}
}}
{cfg}"#,
        emu.provider_block()
    )
}

/// The keys the account lists: (keyId, truncated secret).
fn listed(emu: &Emulator) -> TfResult<Vec<(String, String)>> {
    let (status, body) = emu.api("GET", "/connect/secret", None)?;
    if status != 200 {
        return Err(Failure(format!(
            "GET /connect/secret: HTTP {status}: {body}"
        )));
    }
    Ok(body["secrets"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|k| {
            let s = |f: &str| k[f].as_str().unwrap_or_default().to_owned();
            (s("keyId"), s("secretKey"))
        })
        .collect())
}

/// The full lifecycle with the harness's discipline (empty plans, import both ways, destroy),
/// and the key's secret matching what DocuSign holds.
#[test]
fn key_signs_an_integrator_managed_configuration_and_imports() {
    let emu = std::rc::Rc::new(Emulator::start());
    let (e1, e2) = (emu.clone(), emu.clone());
    let account = emu.account_id().to_owned();
    let acct = account.clone();
    TestCase::new("hmac_key")
        .step(
            Step::new(hcl(&emu, "1", true))
                .plan_check(|p| {
                    p.expect_actions(KEY, &["create"])?;
                    p.expect_actions(CFG, &["create"])
                })
                .check(move |s| {
                    let id = s.attr_str(KEY, "id")?;
                    let secret = s.attr_str(KEY, "secret")?;
                    s.expect_attr(KEY, "account_id", &acct)?;
                    s.expect_attr(KEY, "keepers.rotation", "1")?;
                    let keys = listed(&e1)?;
                    let Some((_, truncated)) = keys.iter().find(|(k, _)| *k == id) else {
                        return Err(Failure(format!("{id} is not listed: {keys:?}")));
                    };
                    // DocuSign lists a prefix; the state holds the whole secret it showed once.
                    let prefix = truncated.trim_end_matches('…');
                    let whole = !secret.contains('…') && secret.len() > prefix.len() + 8;
                    if prefix.is_empty() || !secret.starts_with(prefix) || !whole {
                        return Err(Failure(format!(
                            "state secret does not extend the listed prefix {truncated:?}"
                        )));
                    }
                    if s.attr_str(KEY, "created")?.is_empty() {
                        return Err(Failure("created is empty".into()));
                    }
                    Ok(())
                }),
        )
        .import_step(ImportStep::new(KEY).ignore(&["secret", "keepers"]))
        .import_step(
            ImportStep::new(KEY)
                .id_fn(move |s| Ok(format!("{account}:{}", s.attr_str(KEY, "id")?)))
                .ignore(&["secret", "keepers"]),
        )
        .check_destroy(move |_| {
            let keys = listed(&e2)?;
            if keys.is_empty() {
                Ok(())
            } else {
                Err(Failure(format!("keys left after destroy: {keys:?}")))
            }
        })
        .run();
}

/// Changing `keepers` replaces the key (a new id and secret, the old key deleted); the secret
/// never shows in Terraform's output; a key deleted out of band gives a warning and a plan to
/// create a new one; a bad import id is refused.
#[test]
fn keepers_rotate_the_key_and_an_out_of_band_delete_is_recreated() {
    let emu = Emulator::start();
    let wd = WorkDir::new("hmac_rotate", &Overrides::docusign());
    wd.write_config(&hcl(&emu, "1", false));
    let out = wd.apply().unwrap();
    let state = wd.show_state().unwrap();
    let (old_id, old_secret) = (
        state.attr_str(KEY, "id").unwrap(),
        state.attr_str(KEY, "secret").unwrap(),
    );
    assert!(
        !out.combined().contains(&old_secret),
        "the secret was printed:\n{}",
        out.combined()
    );

    wd.write_config(&hcl(&emu, "2", false));
    let plan = wd.plan("rotate.tfplan", true).unwrap();
    plan.expect_actions(KEY, &["delete", "create"]).unwrap();
    let out = wd.apply_plan("rotate.tfplan").unwrap();
    let state = wd.show_state().unwrap();
    let (new_id, new_secret) = (
        state.attr_str(KEY, "id").unwrap(),
        state.attr_str(KEY, "secret").unwrap(),
    );
    assert_ne!(new_id, old_id);
    assert_ne!(new_secret, old_secret);
    assert!(!out.combined().contains(&new_secret), "{}", out.combined());
    let ids: Vec<String> = listed(&emu).unwrap().into_iter().map(|k| k.0).collect();
    assert_eq!(ids, vec![new_id.clone()], "the old key must be deleted");
    assert!(wd.plan("after.tfplan", true).unwrap().is_empty());
    // A refresh that is written to state keeps the whole secret (DocuSign lists it truncated).
    wd.run(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-lock=false",
    ])
    .unwrap();
    let refreshed = wd.show_state().unwrap();
    assert_eq!(refreshed.attr_str(KEY, "secret").unwrap(), new_secret);
    assert_eq!(refreshed.attr_str(KEY, "id").unwrap(), new_id);

    // Deleted out of band: a warning and a plan to create.
    let (status, body) = emu
        .api("DELETE", &format!("/connect/secret/{new_id}"), None)
        .unwrap();
    assert_eq!(status, 200, "{body}");
    let out = wd.plan_out("gone.tfplan", &[]).unwrap();
    let text = crate::support::terraform::normalize_output(&out.combined());
    assert!(
        text.contains("Warning: Connect HMAC key no longer exists") && text.contains(&new_id),
        "{text}"
    );
    wd.show_plan("gone.tfplan")
        .unwrap()
        .expect_actions(KEY, &["create"])
        .unwrap();
    wd.apply_plan("gone.tfplan").unwrap();
    assert_eq!(listed(&emu).unwrap().len(), 1);

    wd.destroy().unwrap();
    assert_eq!(listed(&emu).unwrap(), Vec::<(String, String)>::new());

    // A malformed import id is refused with the expected forms.
    let fresh = WorkDir::new("hmac_bad_import", &Overrides::docusign());
    fresh.write_config(&hcl(&emu, "1", false));
    let bad = fresh.run_raw(&[
        "import",
        "-input=false",
        "-no-color",
        "-lock=false",
        KEY,
        "a:b:c",
    ]);
    assert!(!bad.success());
    assert!(
        crate::support::terraform::normalize_output(&bad.combined())
            .contains("Expected \"<keyId>\" or \"<accountId>:<keyId>\""),
        "{}",
        bad.combined()
    );
}

/// A create whose answer is lost after DocuSign made the key: the key is useless without the
/// secret that answer carried, so the provider finds it (the one id not listed before) and
/// deletes it; the apply fails saying so, nothing is left behind, and the next apply creates a
/// key normally.
#[test]
fn a_create_whose_answer_is_lost_leaves_no_orphan_key() {
    let emu = Emulator::start();
    let wd = WorkDir::new("hmac_lost", &Overrides::docusign());
    // A key made outside Terraform must survive the clean-up.
    let (status, body) = emu.api("POST", "/connect/secret", None).unwrap();
    assert_eq!(status, 201, "{body}");
    let foreign = body["keyId"].as_str().unwrap_or_default().to_owned();
    assert!(!foreign.is_empty(), "{body}");

    wd.write_config(&hcl(&emu, "1", false));
    let path = format!("/restapi/v2.1/accounts/{}/connect/secret", emu.account_id());
    emu.add_fault(
        serde_json::json!({"method": "POST", "path": path, "times": 1, "drop": "after_commit"}),
    );
    let out = wd.apply_raw();
    assert!(!out.success(), "{}", out.combined());
    let text = crate::support::terraform::normalize_output(&out.combined());
    assert!(
        text.contains("Failed to generate a Connect HMAC key")
            && text.contains("outcome unknown")
            && text.contains("so the key was deleted"),
        "{text}"
    );
    let ids: Vec<String> = listed(&emu).unwrap().into_iter().map(|k| k.0).collect();
    assert_eq!(ids, vec![foreign.clone()], "only the foreign key is left");
    assert!(
        wd.show_state()
            .map(|s| s.attr_str(KEY, "id").is_err())
            .unwrap_or(true),
        "nothing in state"
    );

    wd.apply().unwrap();
    let id = wd.show_state().unwrap().attr_str(KEY, "id").unwrap();
    let ids: Vec<String> = listed(&emu).unwrap().into_iter().map(|k| k.0).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.contains(&foreign) && ids.contains(&id), "{ids:?}");
}

/// `examples/hmac-rotation` and its guide: adding a generation adds a key and keeps the old one
/// (two signatures overlap), removing the old generation deletes only its key, and the signed
/// configuration is untouched throughout.
#[test]
fn the_rotation_example_overlaps_two_keys_then_drops_the_old_one() {
    let emu = Emulator::start();
    let mut wd = WorkDir::new("hmac_rotation_example", &Overrides::docusign());
    for (k, v) in emu.provider_env() {
        wd.set_env(&k, &v);
    }
    let example = crate::support::terraform::repo_root().join("examples/hmac-rotation/main.tf");
    wd.write_config(&std::fs::read_to_string(example).unwrap());
    let key = |generation: &str| format!("docusign_connect_hmac_key.this[\"{generation}\"]");
    let apply = |generations: &str| {
        let var = format!("key_generations={generations}");
        wd.run(&[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-lock=false",
            "-var",
            &var,
        ])
        .unwrap();
        wd.show_state().unwrap()
    };
    let listed_ids = || -> Vec<String> {
        let mut ids: Vec<String> = listed(&emu).unwrap().into_iter().map(|k| k.0).collect();
        ids.sort();
        ids
    };

    let s = apply(r#"["old"]"#);
    let old = s.attr_str(&key("old"), "id").unwrap();
    let cfg = s.attr_str(CFG_SIGNED, "id").unwrap();
    assert_eq!(listed_ids(), vec![old.clone()]);

    let s = apply(r#"["old", "new"]"#);
    let new = s.attr_str(&key("new"), "id").unwrap();
    assert_eq!(
        s.attr_str(&key("old"), "id").unwrap(),
        old,
        "the old key stays"
    );
    let mut both = vec![old.clone(), new.clone()];
    both.sort();
    assert_eq!(listed_ids(), both, "two keys sign during the overlap");

    let s = apply(r#"["new"]"#);
    assert_eq!(
        listed_ids(),
        vec![new.clone()],
        "only the old key is deleted"
    );
    assert_eq!(
        s.attr_str(CFG_SIGNED, "id").unwrap(),
        cfg,
        "the configuration stays"
    );
    let secrets = s.output("hmac_secrets").unwrap();
    assert!(
        secrets["new"].as_str().is_some_and(|v| v.len() >= 40) && secrets.get("old").is_none(),
        "the output holds the new generation's secret only"
    );
    wd.destroy().unwrap();
    assert!(listed_ids().is_empty());
}

const CFG_SIGNED: &str = "docusign_connect_configuration.signed";
