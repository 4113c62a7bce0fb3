//! Checks of the harness itself, on the Go null provider 2.1.2 (a provider known to be
//! correct), plus offline checks of its JSON helpers. Each harness rule is shown to pass on a
//! good configuration AND to fail on a bad one, so a broken rule cannot go unnoticed.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::json;

use crate::support::step::verify_import;
use crate::support::terraform::{Feature, TfVersion, locate_terraform, terraform_version};
use crate::support::{Failure, ImportStep, Overrides, Plan, State, Step, TestCase, WorkDir};

const REQUIRED_NULL: &str = r#"terraform {
  required_providers {
    null = {
      source = "hashicorp/null"
    }
  }
}
"#;

fn null_config(body: &str) -> String {
    format!("{REQUIRED_NULL}\n{body}\n")
}

#[test]
fn null_resource_lifecycle() {
    let first_id = Rc::new(RefCell::new(String::new()));
    let seen = first_id.clone();
    let compare = first_id.clone();
    let report = TestCase::new("null_lifecycle")
        .with_null_provider()
        .step(
            Step::new(null_config(
                r#"resource "null_resource" "a" {
  triggers = { v = "1" }
}
output "id" {
  value = null_resource.a.id
}"#,
            ))
            .plan_check(|p| {
                p.expect_actions("null_resource.a", &["create"])?;
                p.expect_changed_exactly("null_resource.a", &["id", "triggers"])?;
                if !p.is_unknown("null_resource.a", "id")? {
                    return Err("id should be unknown before apply".into());
                }
                Ok(())
            })
            .check(move |s| {
                s.expect_attr("null_resource.a", "triggers.v", "1")?;
                let id = s.attr_str("null_resource.a", "id")?;
                if s.output("id")? != &json!(id) {
                    return Err(Failure::new("output id differs from the resource id"));
                }
                *seen.borrow_mut() = id;
                Ok(())
            }),
        )
        .step(
            Step::new(null_config(
                r#"resource "null_resource" "a" {
  triggers = { v = "2" }
}"#,
            ))
            .plan_check(|p| {
                // triggers force replacement; the removed output is planned as a delete.
                p.expect_actions("null_resource.a", &["delete", "create"])?;
                p.expect_changed_exactly("null_resource.a", &["id", "triggers"])
            })
            .check(move |s| {
                s.expect_attr("null_resource.a", "triggers.v", "2")?;
                let id = s.attr_str("null_resource.a", "id")?;
                if id == *compare.borrow() {
                    return Err(Failure::new("replacement kept the old id"));
                }
                Ok(())
            }),
        )
        .import_step(ImportStep::new("null_resource.a").expect_error(&["doesn't support import"]))
        .check_destroy(|s| {
            if s.addresses() == ["null_resource.a"] {
                Ok(())
            } else {
                Err(Failure(format!(
                    "unexpected pre-destroy state {:?}",
                    s.addresses()
                )))
            }
        })
        .run();
    assert_eq!(report.states.len(), 2);
    assert!(!first_id.borrow().is_empty());
    assert!(report.pre_destroy.is_some(), "the destroy ran");
}

#[test]
fn non_empty_plan_after_apply_fails_the_step() {
    // timestamp() changes at every plan: both post-apply plans have changes.
    let config = null_config(
        r#"resource "null_resource" "t" {
  triggers = { t = timestamp() }
}"#,
    );
    let err = TestCase::new("null_nonempty")
        .with_null_provider()
        .step(Step::new(config.clone()))
        .try_run()
        .err()
        .expect("a perpetual diff must fail the step");
    assert!(
        err.0.contains("the non-refresh plan was not empty"),
        "{err}"
    );
    assert!(
        err.0.contains("null_resource.t: [\"delete\", \"create\"]"),
        "{err}"
    );

    TestCase::new("null_nonempty_expected")
        .with_null_provider()
        .step(Step::new(config).expect_non_empty_plan())
        .run();
}

#[test]
fn expected_non_empty_plan_that_is_empty_fails() {
    let err = TestCase::new("null_expected_nonempty")
        .with_null_provider()
        .step(Step::new(null_config(r#"resource "null_resource" "s" {}"#)).expect_non_empty_plan())
        .try_run()
        .err()
        .expect("an empty plan must fail expect_non_empty_plan");
    assert!(err.0.contains("Expected a non-empty plan"), "{err}");
}

#[test]
fn expect_error_matches_terraform_diagnostics() {
    let bad = null_config(
        r#"resource "null_resource" "x" {
  no_such_argument = 1
}"#,
    );
    TestCase::new("null_error")
        .with_null_provider()
        .step(Step::new(bad.clone()).expect_error(&["Unsupported argument", "no_such_argument"]))
        .run();
    let err = TestCase::new("null_error_wrong")
        .with_null_provider()
        .step(Step::new(bad.clone()).expect_error(&["some other message"]))
        .try_run()
        .err()
        .expect("a non-matching error must fail");
    assert!(err.0.contains("lacks"), "{err}");
    // Without expect_error, the failure carries terraform's stderr.
    let err = TestCase::new("null_error_plain")
        .with_null_provider()
        .step(Step::new(bad))
        .try_run()
        .err()
        .expect("an invalid config must fail");
    assert!(err.0.contains("Unsupported argument"), "{err}");
    assert!(err.0.contains("terraform plan"), "{err}");
}

#[test]
fn plan_only_step_and_data_source() {
    let config = null_config(
        r#"data "null_data_source" "d" {
  inputs = { a = "b" }
}
output "a" {
  value = data.null_data_source.d.outputs["a"]
}"#,
    );
    let report = TestCase::new("null_data")
        .with_null_provider()
        .step(Step::new(config.clone()).check(|s| {
            if s.output("a")? == &json!("b") {
                Ok(())
            } else {
                Err("output a != b".into())
            }
        }))
        .step(Step::new(config).plan_only())
        .run();
    // Data sources are not destroyed but leave state: the destroy still ran cleanly.
    assert_eq!(report.states.len(), 1);
}

#[test]
fn commands_are_hermetic() {
    let wd = WorkDir::new("hermetic", &Overrides::none().with_null());
    let cmd = wd.command(&["version"]);
    let envs: Vec<(String, Option<String>)> = cmd
        .get_envs()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.map(|v| v.to_string_lossy().into_owned()),
            )
        })
        .collect();
    let get = |key: &str| {
        envs.iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.clone())
    };
    assert_eq!(
        get("TF_CLI_CONFIG_FILE").as_deref(),
        Some(wd.cli_config().to_str().unwrap())
    );
    assert_eq!(get("CHECKPOINT_DISABLE").as_deref(), Some("1"));
    assert_eq!(get("TF_IN_AUTOMATION").as_deref(), Some("1"));
    let rc = std::fs::read_to_string(wd.cli_config()).unwrap();
    assert!(
        rc.contains("\"registry.terraform.io/hashicorp/null\" = \""),
        "{rc}"
    );
    assert!(!rc.contains("direct"), "offline by default: {rc}");
    // Two work dirs never share a directory.
    let other = WorkDir::new("hermetic", &Overrides::none());
    assert_ne!(wd.path(), other.path());
    // The version the harness read from `version -json` is the one the CLI prints: whichever
    // Terraform is under test (the suite runs on each), not a pinned one.
    let out = wd.run(&["version"]).unwrap();
    let first = out.stdout.lines().next().unwrap_or_default();
    assert_eq!(first, format!("Terraform v{}", terraform_version()));
}

#[test]
fn versions_parse_and_order() {
    assert_eq!(TfVersion::parse("1.0.3"), Some(TfVersion::new(1, 0, 3)));
    assert_eq!(TfVersion::parse("v1.11.4"), Some(TfVersion::new(1, 11, 4)));
    assert_eq!(
        TfVersion::parse("1.12.0-alpha20250319"),
        Some(TfVersion::new(1, 12, 0))
    );
    for bad in ["", "1.11", "1.11.4.1", "one.two.three", "1..3"] {
        assert_eq!(TfVersion::parse(bad), None, "{bad:?}");
    }
    // Numeric, not lexicographic: 1.11 is newer than 1.5 and 1.9.
    assert!(TfVersion::new(1, 11, 0) > TfVersion::new(1, 9, 9));
    assert!(TfVersion::new(1, 5, 0) > TfVersion::new(1, 0, 3));
    assert_eq!(TfVersion::new(1, 11, 4).to_string(), "1.11.4");
    assert!(TfVersion::new(1, 11, 4) >= Feature::WriteOnly.since());
    assert!(TfVersion::new(1, 10, 5) < Feature::WriteOnly.since());
    assert!(TfVersion::new(1, 0, 3) < Feature::ImportBlocks.since());
}

#[test]
fn locate_terraform_never_skips() {
    let root = tempfile::tempdir().unwrap();
    let err = locate_terraform(None, root.path()).unwrap_err();
    assert!(
        err.contains("Terraform not found") && err.contains("never skip"),
        "{err}"
    );
    let err = locate_terraform(Some("/nonexistent/terraform".into()), root.path()).unwrap_err();
    assert!(err.contains("/nonexistent/terraform"), "{err}");
    std::fs::create_dir_all(root.path().join(".tools/bin")).unwrap();
    std::fs::write(root.path().join(".tools/bin/terraform"), "").unwrap();
    assert_eq!(
        locate_terraform(None, root.path()).unwrap(),
        root.path().join(".tools/bin/terraform")
    );
    // An empty variable counts as unset.
    assert!(locate_terraform(Some("".into()), root.path()).is_ok());
}

fn state_with(values: serde_json::Value) -> State {
    State::new(json!({
        "format_version": "0.2",
        "values": {"root_module": {
            "resources": [],
            "child_modules": [{"resources": [{"address": "module.m.x_thing.a", "values": values}]}]
        }}
    }))
}

#[test]
fn import_verify_reports_differences_and_honours_ignores() {
    let prior = state_with(
        json!({"id": "1", "name": "n", "secret": "s", "rules": [{"a": 1}], "gone": null}),
    );
    let same = state_with(json!({"id": "1", "name": "n", "secret": "s", "rules": [{"a": 1}]}));
    verify_import(&prior, &same, "module.m.x_thing.a", &[]).unwrap();

    let differs = state_with(json!({"id": "1", "name": "m", "rules": [{"a": 1}, {"a": 2}]}));
    let err = verify_import(&prior, &differs, "module.m.x_thing.a", &[]).unwrap_err();
    for needle in [
        "~ name: \"n\" -> \"m\"",
        "- secret = \"s\"",
        "~ rules.#: \"1\" -> \"2\"",
        "+ rules.1.a = \"2\"",
    ] {
        assert!(err.0.contains(needle), "missing {needle} in {err}");
    }
    let ignore = ["name".to_owned(), "secret".to_owned(), "rules".to_owned()];
    verify_import(&prior, &differs, "module.m.x_thing.a", &ignore).unwrap();
    // "rule" is not a prefix of the key "rules.#" in the dotted sense.
    let ignore = ["name".to_owned(), "secret".to_owned(), "rule".to_owned()];
    assert!(verify_import(&prior, &differs, "module.m.x_thing.a", &ignore).is_err());
}

#[test]
fn plan_helpers_read_actions_and_changed_attributes() {
    let plan = Plan::new(json!({
        "resource_changes": [
            {"address": "x.a", "change": {"actions": ["update"],
                "before": {"id": "1", "name": "a", "tags": {"k": "v"}, "url": "u"},
                "after": {"id": "1", "name": "b", "tags": {"k": "v"}, "url": null},
                "after_unknown": {"tags": {}, "url": true}}},
            {"address": "x.b", "change": {"actions": ["no-op"], "before": {"id": "2"}, "after": {"id": "2"}, "after_unknown": {}}}
        ],
        "output_changes": {"o": {"actions": ["no-op"]}}
    }));
    assert!(!plan.is_empty());
    plan.expect_update_of_only("x.a", &["name", "url"]).unwrap();
    assert!(plan.expect_update_of_only("x.a", &["name"]).is_err());
    assert!(plan.expect_actions("x.b", &["update"]).is_err());
    assert!(plan.is_unknown("x.a", "url").unwrap());
    assert!(!plan.is_unknown("x.a", "name").unwrap());
    assert_eq!(plan.after("x.a", "tags.k").unwrap(), &json!("v"));
    assert!(plan.change("x.c").is_err());
    assert_eq!(plan.summary(), "x.a: [\"update\"] {\"name\", \"url\"}");

    let noop = Plan::new(json!({
        "resource_changes": [{"address": "x.b", "change": {"actions": ["no-op"]}}],
        "output_changes": {"o": {"actions": ["no-op"]}}
    }));
    assert!(noop.is_empty());
    let output_changes = Plan::new(json!({"output_changes": {"o": {"actions": ["create"]}}}));
    assert!(
        !output_changes.is_empty(),
        "an output change makes a plan non-empty"
    );
}
