//! `password_wo` of `docusign_connect_configuration` at the gRPC level, as Terraform 1.11+
//! drives it (`client_capabilities.write_only_attributes_allowed = true`), against the emulator:
//! the value reaches DocuSign, and is null in every planned and new state; a bumped
//! `password_wo_version` sends the new value; a client without the capability gets an error.
//!
//! DocuSign never echoes `password`, and the emulator redacts it from its request log, so the
//! value DocuSign received is read from the emulator's state file (its storage).

use terraform_provider_docusign::framework::Value;
use terraform_provider_docusign::protocol::tfplugin5::attribute_path::step::Selector;
use terraform_provider_docusign::protocol::tfplugin5::validate_resource_type_config;
use terraform_provider_docusign::resources::connect_configuration::schema::schema;
use terraform_provider_docusign::resources::null_object;

use crate::support::{apply, assert_no_errors, caps, configured, dv, emulator, errors, plan, undv};

const TYPE: &str = "docusign_connect_configuration";

/// The resource config with `password_wo` and its version.
fn config(password: &str, version: i64) -> Value {
    let mut c = null_object(&schema());
    c.set_attr("name", Value::string("wo"));
    c.set_attr(
        "url_to_publish_to",
        Value::string("https://hooks.example.com/wo"),
    );
    c.set_attr("user_name", Value::string("hook"));
    c.set_attr("password_wo", Value::string(password));
    c.set_attr("password_wo_version", Value::number(version));
    c
}

/// The password the emulator stored for configuration `id`.
fn stored_password(file: &std::path::Path, id: &str) -> serde_json::Value {
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    data["accounts"][0]["configs"][id]["body"]["password"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_wo_reaches_docusign_and_never_state() {
    let dir = tempfile::tempdir().unwrap();
    let state_file = dir.path().join("emulator.json");
    let emu = emulator(&state_file).await;
    let (plugin, mut p) = configured(&emu, &[]).await;

    let ty = schema().block.implied_type();
    let first = config("wo-First-1", 1);

    // Without the capability (Terraform < 1.11): a clear error on the attribute.
    let resp = p
        .validate_resource_type_config(validate_resource_type_config::Request {
            type_name: TYPE.into(),
            config: dv(&first, &ty),
            client_capabilities: caps(false),
        })
        .await
        .unwrap()
        .into_inner();
    let errs = errors(&resp.diagnostics);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("Terraform 1.11"), "{errs:?}");
    let err = resp.diagnostics.iter().find(|d| d.severity == 1).unwrap();
    let path: Vec<_> = err
        .attribute
        .as_ref()
        .map(|a| a.steps.iter().filter_map(|s| s.selector.clone()).collect())
        .unwrap_or_default();
    assert_eq!(
        path,
        vec![Selector::AttributeName("password_wo".into())],
        "the error is on the attribute"
    );
    assert!(!errs[0].contains("wo-First-1"), "{errs:?}");

    // With it: valid.
    let resp = p
        .validate_resource_type_config(validate_resource_type_config::Request {
            type_name: TYPE.into(),
            config: dv(&first, &ty),
            client_capabilities: caps(true),
        })
        .await
        .unwrap()
        .into_inner();
    assert_no_errors(&resp.diagnostics);

    // Plan a create. The proposed state is the config itself (a careless client could leave the
    // write-only value in it): the plan must still be null there.
    let null = Value::Null;
    let resp = plan(&mut p, TYPE, &ty, &null, &first, &first, Vec::new()).await;
    assert_no_errors(&resp.diagnostics);
    let planned = undv(&resp.planned_state, &ty);
    assert_eq!(planned.get_attr("password_wo"), Some(&Value::Null));
    assert_eq!(
        planned.get_attr("password_wo_version"),
        Some(&Value::number(1))
    );

    let resp = apply(
        &mut p,
        TYPE,
        &ty,
        &null,
        &planned,
        &first,
        resp.planned_private,
    )
    .await;
    assert_no_errors(&resp.diagnostics);
    let state = undv(&resp.new_state, &ty);
    assert_eq!(state.get_attr("password_wo"), Some(&Value::Null));
    let id = state.attr_str("id").expect("an id").to_owned();
    assert_eq!(
        stored_password(&state_file, &id),
        serde_json::json!("wo-First-1")
    );
    let private = resp.private;

    // A new value with a new version: an update of password_wo_version only, which sends it.
    let second = config("wo-Second-2", 2);
    let mut proposed = state.clone();
    proposed.set_attr("password_wo_version", Value::number(2));
    let resp = plan(&mut p, TYPE, &ty, &state, &proposed, &second, private).await;
    assert_no_errors(&resp.diagnostics);
    assert!(
        resp.requires_replace.is_empty(),
        "{:?}",
        resp.requires_replace
    );
    let planned = undv(&resp.planned_state, &ty);
    let changed: Vec<&String> = match (&planned, &state) {
        (Value::Object(a), Value::Object(b)) => a
            .iter()
            .filter(|(k, v)| b.get(*k) != Some(*v))
            .map(|(k, _)| k)
            .collect(),
        _ => panic!("objects expected"),
    };
    assert_eq!(changed, vec!["password_wo_version"]);
    let resp = apply(
        &mut p,
        TYPE,
        &ty,
        &state,
        &planned,
        &second,
        resp.planned_private,
    )
    .await;
    assert_no_errors(&resp.diagnostics);
    let state2 = undv(&resp.new_state, &ty);
    assert_eq!(state2.get_attr("password_wo"), Some(&Value::Null));
    assert_eq!(state2.attr_str("id"), Some(id.as_str()), "stable id");
    assert_eq!(
        stored_password(&state_file, &id),
        serde_json::json!("wo-Second-2")
    );
    // Neither value ever entered a state.
    let text = format!("{state:?}{state2:?}");
    assert!(!text.contains("wo-First-1") && !text.contains("wo-Second-2"));
    plugin.shutdown().await;
}
