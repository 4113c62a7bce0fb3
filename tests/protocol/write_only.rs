//! `password_wo` of `docusign_connect_configuration` at the gRPC level, as Terraform 1.11+
//! drives it (`client_capabilities.write_only_attributes_allowed = true`), against the emulator:
//! the value reaches DocuSign, and is null in every planned and new state; a bumped
//! `password_wo_version` sends the new value; a client without the capability gets an error.
//!
//! DocuSign never echoes `password`, and the emulator redacts it from its request log, so the
//! value DocuSign received is read from the emulator's state file (its storage).

use terraform_provider_docusign::framework::{Type, Value, msgpack};
use terraform_provider_docusign::protocol::tfplugin5::attribute_path::step::Selector;
use terraform_provider_docusign::protocol::tfplugin5::{
    ClientCapabilities, DynamicValue, apply_resource_change, configure, plan_resource_change,
    validate_resource_type_config,
};
use terraform_provider_docusign::resources::connect_configuration::schema::schema;
use terraform_provider_docusign::resources::{null_object, provider_config};

use crate::support::Plugin;

const TYPE: &str = "docusign_connect_configuration";

fn dv(v: &Value, ty: &Type) -> Option<DynamicValue> {
    Some(DynamicValue {
        msgpack: msgpack::encode(v, ty).unwrap(),
        json: Vec::new(),
    })
}

fn decode(d: Option<DynamicValue>, ty: &Type) -> Value {
    msgpack::decode(&d.expect("a value").msgpack, ty).unwrap()
}

fn caps(write_only: bool) -> Option<ClientCapabilities> {
    Some(ClientCapabilities {
        deferral_allowed: false,
        write_only_attributes_allowed: write_only,
    })
}

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

fn errors(diags: &[terraform_provider_docusign::protocol::tfplugin5::Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == 1)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
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
    let emu = docusign_emulator::start(docusign_emulator::Config {
        state_file: Some(state_file.clone()),
        ..Default::default()
    })
    .await
    .unwrap();
    let info = emu.info().clone();

    let plugin = Plugin::launch();
    let mut p = plugin.provider().await;

    let pschema = provider_config::schema();
    let pty = pschema.block.implied_type();
    let mut pcfg = null_object(&pschema);
    pcfg.set_attr("base_uri", Value::string(&info.base_uri));
    pcfg.set_attr("oauth_base_uri", Value::string(&info.oauth_base_uri));
    pcfg.set_attr("account_id", Value::string(&info.account_id));
    pcfg.set_attr("access_token", Value::string(&info.access_token));
    let resp = p
        .configure(configure::Request {
            terraform_version: "1.11.0".into(),
            config: dv(&pcfg, &pty),
            client_capabilities: caps(true),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        errors(&resp.diagnostics).is_empty(),
        "{:?}",
        resp.diagnostics
    );

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
    assert!(
        errors(&resp.diagnostics).is_empty(),
        "{:?}",
        resp.diagnostics
    );

    // Plan a create. The proposed state is the config itself (a careless client could leave the
    // write-only value in it): the plan must still be null there.
    let null = Value::Null;
    let resp = p
        .plan_resource_change(plan_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dv(&null, &ty),
            proposed_new_state: dv(&first, &ty),
            config: dv(&first, &ty),
            prior_private: Vec::new(),
            provider_meta: None,
            client_capabilities: caps(true),
            prior_identity: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        errors(&resp.diagnostics).is_empty(),
        "{:?}",
        resp.diagnostics
    );
    let planned = decode(resp.planned_state, &ty);
    assert_eq!(planned.get_attr("password_wo"), Some(&Value::Null));
    assert_eq!(
        planned.get_attr("password_wo_version"),
        Some(&Value::number(1))
    );

    let resp = p
        .apply_resource_change(apply_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dv(&null, &ty),
            planned_state: dv(&planned, &ty),
            config: dv(&first, &ty),
            planned_private: resp.planned_private,
            provider_meta: None,
            planned_identity: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        errors(&resp.diagnostics).is_empty(),
        "{:?}",
        resp.diagnostics
    );
    let state = decode(resp.new_state, &ty);
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
    let resp = p
        .plan_resource_change(plan_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dv(&state, &ty),
            proposed_new_state: dv(&proposed, &ty),
            config: dv(&second, &ty),
            prior_private: private,
            provider_meta: None,
            client_capabilities: caps(true),
            prior_identity: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        errors(&resp.diagnostics).is_empty(),
        "{:?}",
        resp.diagnostics
    );
    assert!(
        resp.requires_replace.is_empty(),
        "{:?}",
        resp.requires_replace
    );
    let planned = decode(resp.planned_state, &ty);
    let changed: Vec<&String> = match (&planned, &state) {
        (Value::Object(a), Value::Object(b)) => a
            .iter()
            .filter(|(k, v)| b.get(*k) != Some(*v))
            .map(|(k, _)| k)
            .collect(),
        _ => panic!("objects expected"),
    };
    assert_eq!(changed, vec!["password_wo_version"]);
    let resp = p
        .apply_resource_change(apply_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dv(&state, &ty),
            planned_state: dv(&planned, &ty),
            config: dv(&second, &ty),
            planned_private: resp.planned_private,
            provider_meta: None,
            planned_identity: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(
        errors(&resp.diagnostics).is_empty(),
        "{:?}",
        resp.diagnostics
    );
    let state2 = decode(resp.new_state, &ty);
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
