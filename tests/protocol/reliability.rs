//! Reliability where Terraform 1.0.3 cannot go: the launcher runs the provider binary exactly as
//! Terraform does and these tests speak tfplugin5 to it, against an in-process emulator.
//!
//! * Write-only secrets (`password_wo`, `client_secret_wo`): sent to DocuSign, never in the
//!   new state, never in the provider's trace log. Terraform 1.0.3 rejects write-only
//!   attributes, so only the gRPC level can drive them.
//! * `Stop` while an apply is in flight: the server keeps serving, the apply returns with
//!   DocuSign and the returned state in agreement.
//! * `Stop` while a refresh waits to retry (a two-minute `Retry-After`): the read ends at once
//!   with an error naming the operation and the wait, keeps the state, and nothing more is sent.
//!
//! The plugin channel's refusal of a client without the pinned certificate is proved by
//! `a_client_without_the_pinned_certificate_is_refused` in `main.rs`.

use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};

use terraform_provider_docusign::framework::Value;
use terraform_provider_docusign::protocol::tfplugin5 as pb;
use terraform_provider_docusign::resources::{
    connect_configuration, connect_oauth_config, null_object,
};

use crate::support::{
    configured, create, create_ok, emulator, emulator_requests, errors, get_json, undv,
};

async fn control(emu: &docusign_emulator::Running, method: &str, path: &str, body: Option<Json>) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("{}{path}", emu.info().base_uri);
    let mut req = http.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    assert!(
        resp.status().is_success(),
        "{method} {path}: {}",
        resp.status()
    );
}

async fn configurations(emu: &docusign_emulator::Running) -> Vec<Json> {
    let i = emu.info();
    let url = format!(
        "{}/restapi/v2.1/accounts/{}/connect",
        i.base_uri, i.account_id
    );
    let v = get_json(url, Some(&i.access_token)).await;
    v["configurations"].as_array().cloned().unwrap_or_default()
}

fn connect_config(name: &str) -> Value {
    let schema = connect_configuration::schema::schema();
    let mut c = null_object(&schema);
    c.set_attr("name", Value::string(name));
    c.set_attr(
        "url_to_publish_to",
        Value::string("https://hooks.example.com/wo"),
    );
    c.set_attr("all_users", Value::from(true));
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_only_secrets_reach_docusign_but_never_state_or_logs() {
    let tmp = tempfile::tempdir().unwrap();
    let emu_file = tmp.path().join("emulator.json");
    let emu = emulator(&emu_file).await;
    let (plugin, mut provider) = configured(&emu, &[]).await;
    let password = "pw-wo-6f1e2d9c-never-stored";
    let client_secret = "cs-wo-0b7a55e1-never-stored";

    // A Connect configuration with a write-only basic-auth password.
    let schema = connect_configuration::schema::schema();
    let mut config = connect_config("write-only");
    config.set_attr("user_name", Value::string("listener"));
    config.set_attr("password_wo", Value::string(password));
    config.set_attr("password_wo_version", Value::from(1i64));
    let applied = create_ok(
        &mut provider,
        connect_configuration::TYPE_NAME,
        &schema,
        &config,
    )
    .await;
    let state = undv(&applied.new_state, &schema.block.implied_type());
    assert!(state.attr_str("id").is_some(), "{state:?}");
    assert_eq!(state.get_attr("password_wo"), Some(&Value::Null));
    assert_eq!(state.get_attr("password"), Some(&Value::Null));
    assert_eq!(
        state.get_attr("password_wo_version"),
        Some(&Value::from(1i64))
    );

    // OAuth for Connect with a write-only client secret.
    let oschema = connect_oauth_config::schema();
    let mut oconfig = null_object(&oschema);
    oconfig.set_attr(
        "authorization_server_url",
        Value::string("https://login.example.com/oauth2/token"),
    );
    oconfig.set_attr("client_id", Value::string("connect-client"));
    oconfig.set_attr("client_secret_wo", Value::string(client_secret));
    oconfig.set_attr("client_secret_wo_version", Value::from(1i64));
    let oapplied = create_ok(
        &mut provider,
        connect_oauth_config::TYPE_NAME,
        &oschema,
        &oconfig,
    )
    .await;
    let ostate = undv(&oapplied.new_state, &oschema.block.implied_type());
    assert_eq!(ostate.get_attr("client_secret_wo"), Some(&Value::Null));
    assert_eq!(ostate.get_attr("client_secret"), Some(&Value::Null));

    // DocuSign got both secrets...
    let stored = std::fs::read_to_string(&emu_file).unwrap();
    assert!(
        stored.contains(password),
        "the password never reached DocuSign"
    );
    assert!(
        stored.contains(client_secret),
        "the client secret never reached DocuSign"
    );
    // ...and neither is in the returned state, private data, diagnostics or the trace log.
    for (what, bytes) in [
        (
            "connect state",
            applied.new_state.as_ref().unwrap().msgpack.clone(),
        ),
        ("connect private", applied.private.clone()),
        (
            "oauth state",
            oapplied.new_state.as_ref().unwrap().msgpack.clone(),
        ),
        ("oauth private", oapplied.private.clone()),
        (
            "diagnostics",
            format!("{:?}{:?}", applied.diagnostics, oapplied.diagnostics).into_bytes(),
        ),
    ] {
        for secret in [password, client_secret] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} in the {what}"
            );
        }
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let log = plugin.stderr_text();
    assert!(
        log.contains("ApplyResourceChange"),
        "trace log is on: {log}"
    );
    for secret in [password, client_secret, emu.info().access_token.as_str()] {
        assert!(
            !log.contains(secret),
            "a secret in the provider's trace log"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_during_an_apply_keeps_serving_and_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let emu = emulator(&tmp.path().join("emulator.json")).await;
    let (plugin, mut provider) = configured(&emu, &[]).await;
    // The create takes 2 s inside DocuSign.
    control(
        &emu,
        "POST",
        "/_emulator/faults",
        Some(
            json!({"method": "POST", "path": "/restapi/v2.1/accounts/*/connect",
            "times": 1, "delay_ms": 2000}),
        ),
    )
    .await;
    let schema = connect_configuration::schema::schema();
    let config = connect_config("stopped");
    let mut in_flight = provider.clone();
    let started = Instant::now();
    let apply = tokio::spawn(async move {
        create(
            &mut in_flight,
            connect_configuration::TYPE_NAME,
            &connect_configuration::schema::schema(),
            &config,
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stop_sent = Instant::now();
    let stop = provider
        .stop(pb::stop::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(stop.error.is_empty(), "{}", stop.error);
    assert!(
        stop_sent.elapsed() < Duration::from_millis(500),
        "Stop answers at once"
    );
    // The server keeps serving while the apply is in flight.
    provider
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .expect("served after Stop");
    let applied = tokio::time::timeout(Duration::from_secs(10), apply)
        .await
        .expect("the apply returns")
        .unwrap();
    let took = started.elapsed();
    eprintln!("[reliability] apply returned {took:.1?} after starting, Stop at 0.5 s");
    // Nothing half-written: either the configuration exists and is in the returned state, or
    // neither.
    let remote = configurations(&emu).await;
    let state = undv(&applied.new_state, &schema.block.implied_type());
    match state.attr_str("id") {
        Some(id) => {
            assert_eq!(remote.len(), 1, "{remote:?}");
            assert_eq!(remote[0]["connectId"], id);
        }
        None => {
            assert!(
                !errors(&applied.diagnostics).is_empty(),
                "null state without an error"
            );
            assert!(remote.is_empty(), "an orphan after Stop: {remote:?}");
        }
    }
    // A later call works with a fresh (uncancelled) context.
    create_ok(
        &mut provider,
        connect_configuration::TYPE_NAME,
        &schema,
        &connect_config("after-stop"),
    )
    .await;
    assert!(!plugin.stderr_text().contains("panicked"));
}

/// How many `GET …/connect` (list) calls the emulator has logged.
async fn list_calls(emu: &docusign_emulator::Running) -> usize {
    let list = format!("/restapi/v2.1/accounts/{}/connect", emu.info().account_id);
    emulator_requests(emu)
        .await
        .iter()
        .filter(|e| e["method"] == "GET" && e["path"] == list.as_str())
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_during_a_retry_wait_ends_the_read_at_once_and_keeps_state() {
    let tmp = tempfile::tempdir().unwrap();
    let emu = emulator(&tmp.path().join("emulator.json")).await;
    let (plugin, mut provider) = configured(&emu, &[]).await;
    let schema = connect_configuration::schema::schema();
    let ty = schema.block.implied_type();
    let created = create_ok(
        &mut provider,
        connect_configuration::TYPE_NAME,
        &schema,
        &connect_config("refreshed"),
    )
    .await;
    // Every list is refused with a two-minute Retry-After (within the 300 s retry budget).
    control(
        &emu,
        "POST",
        "/_emulator/faults",
        Some(
            json!({"method": "GET", "path": "/restapi/v2.1/accounts/*/connect", "times": 100,
            "error": {"status": 429, "message": "slow down", "retry_after": 120}}),
        ),
    )
    .await;
    let before = list_calls(&emu).await;
    let mut in_flight = provider.clone();
    let current_state = created.new_state.clone();
    let private = created.private.clone();
    let read = tokio::spawn(async move {
        in_flight
            .read_resource(pb::read_resource::Request {
                type_name: connect_configuration::TYPE_NAME.into(),
                current_state,
                private,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
    });
    let started = Instant::now();
    while list_calls(&emu).await == before {
        assert!(started.elapsed() < Duration::from_secs(20), "no list call");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!read.is_finished(), "the refresh waits to retry");
    let stop_sent = Instant::now();
    provider
        .stop(pb::stop::Request {})
        .await
        .unwrap()
        .into_inner();
    let read = tokio::time::timeout(Duration::from_secs(15), read)
        .await
        .expect("Stop ends the two-minute wait")
        .unwrap();
    eprintln!(
        "[reliability] read returned {:.1?} after Stop (Retry-After 120 s)",
        stop_sent.elapsed()
    );
    let errs = errors(&read.diagnostics);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with(
            "Failed to read Connect configuration: list Connect configurations of account"
        ),
        "{errs:?}"
    );
    assert!(
        errs[0].contains("cancelled by Terraform (Stop) while waiting"),
        "{errs:?}"
    );
    assert!(
        errs[0].contains("for DocuSign's call limit (HTTP 429) before retrying"),
        "{errs:?}"
    );
    // The state is kept as it was, and nothing more was sent.
    assert_eq!(undv(&read.new_state, &ty), undv(&created.new_state, &ty));
    assert_eq!(list_calls(&emu).await, before + 1);
    assert!(!plugin.stderr_text().contains("panicked"));
}
