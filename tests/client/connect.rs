//! Every Connect call against the emulator, the list cache, and Swagger conformance of every
//! body the client sends.

use std::collections::BTreeMap;

use docusign_emulator::Config;
use docusign_emulator::swagger::Spec;
use serde_json::Value;
use terraform_provider_docusign::client::{
    Client, ConnectConfiguration, ConnectOAuthConfig, Error, LogQuery, Secret,
};

use crate::support::*;

/// Checks each logged request body against the Swagger definition of its endpoint.
async fn assert_bodies_conform(emu: &Emu) -> usize {
    let spec = Spec::cached().expect("swagger loads");
    let mut checked = 0;
    for e in emu.requests().await {
        let (Some(path), Some(body)) = (e["path"].as_str(), e.get("body")) else {
            continue;
        };
        let method = e["method"].as_str().unwrap_or("");
        let def = if path.ends_with("/connect") && (method == "POST" || method == "PUT") {
            "connectCustomConfiguration"
        } else if path.ends_with("/connect/oauth") && (method == "POST" || method == "PUT") {
            "connectOAuthConfig"
        } else {
            continue;
        };
        if let Err(errors) = spec.check(def, body) {
            panic!("{method} {path}: body violates {def}: {errors:?}\n{body}");
        }
        checked += 1;
    }
    checked
}

#[test]
fn the_full_model_serializes_to_the_official_schema() {
    let spec = Spec::cached().expect("swagger loads");
    let mut c = sample("schema");
    c.connect_id = Some("123".into());
    c.user_ids = Some(vec!["u1".into()]);
    c.group_ids = Some(vec!["g1".into()]);
    c.envelope_events = Some(vec!["Sent".into()]);
    c.recipient_events = Some(vec!["Completed".into()]);
    c.include_hmac = Some(true);
    c.include_oauth = Some(false);
    c.integrator_managed = Some(false);
    c.enable_oauth_per_configuration = Some(false);
    c.pause_publish = Some(false);
    c.require_mutual_tls = Some(false);
    c.use_soap_interface = Some(false);
    c.soap_namespace = Some(String::new());
    c.include_cert_soap_header = Some(false);
    c.include_documents = Some(false);
    c.include_certificate_of_completion = Some(true);
    c.include_document_fields = Some(false);
    c.include_envelope_void_reason = Some(true);
    c.all_users_except = Some(false);
    c.sender_override = Some("x".into());
    c.sender_selectable_items = Some(vec![]);
    c.external_folder_id = Some("f".into());
    c.external_folder_label = Some("l".into());
    c.allow_salesforce_publish = Some(false);
    c.salesforce_documents_as_content_files = Some(false);
    c.oauth_configuration = Some(ConnectOAuthConfig {
        authorization_server_url: Some("https://auth.example/token".into()),
        client_id: Some("cid".into()),
        client_secret: Some(Secret::new("cs")),
        scope: Some("s".into()),
        custom_parameters: Some(BTreeMap::from([("aud".to_owned(), "x".to_owned())])),
        ..Default::default()
    });
    let body = serde_json::to_value(&c).unwrap();
    spec.check("connectCustomConfiguration", &body).unwrap();
    // And every boolean went out as DocuSign's string.
    assert_eq!(body["includeHMAC"], "true");
    assert_eq!(body["allUsersExcept"], "false");
}

#[tokio::test]
async fn every_connect_configuration_call() {
    let emu = Emu::start().await;
    let client = Client::new(emu.jwt_config()).unwrap();

    // create: one POST, the answer carries the id and real booleans.
    let created = client
        .create_configuration(None, &sample("first"))
        .await
        .unwrap();
    let id = created.connect_id.clone().expect("connectId");
    assert_eq!(created.name.as_deref(), Some("first"));
    assert_eq!(created.allow_envelope_publish, Some(true));
    assert_eq!(created.include_time_zone_information, Some(true));
    assert_eq!(created.events.as_ref().map(Vec::len), Some(2));
    assert_eq!(emu.count("POST", &emu.connect_path("")).await, 1);
    let posted = emu
        .requests()
        .await
        .into_iter()
        .find(|e| e["method"] == "POST" && e["path"] == emu.connect_path("").as_str())
        .unwrap();
    assert_eq!(
        posted["body"]["allowEnvelopePublish"], "true",
        "string booleans on the wire"
    );
    assert!(posted["body"].get("connectId").is_none());

    // get and list.
    let got = client.get_configuration(None, &id).await.unwrap();
    assert_eq!(
        got.url_to_publish_to.as_deref(),
        Some("https://listener.example/hook")
    );
    assert_eq!(
        got.event_data.as_ref().and_then(|e| e.version.as_deref()),
        Some("restv2.1")
    );
    let list = client.list_configurations(None).await.unwrap();
    assert_eq!(list.len(), 1);

    // update: PUT /connect with connectId in the body, the complete object.
    let mut changed = got.clone();
    changed.name = Some("renamed".into());
    changed.all_users = Some(false);
    changed.user_ids = Some(vec![emu.info().user_id.clone()]);
    let updated = client.update_configuration(None, &changed).await.unwrap();
    assert_eq!(updated.name.as_deref(), Some("renamed"));
    assert_eq!(updated.all_users, Some(false));
    let put = emu
        .requests()
        .await
        .into_iter()
        .find(|e| e["method"] == "PUT")
        .unwrap();
    assert_eq!(put["path"], emu.connect_path("").as_str());
    assert_eq!(put["body"]["connectId"], id.as_str());
    assert_eq!(
        put["body"]["urlToPublishTo"],
        "https://listener.example/hook"
    );
    let no_id = client
        .update_configuration(None, &sample("x"))
        .await
        .unwrap_err();
    assert!(matches!(no_id, Error::Config { .. }), "{no_id}");

    // delete, then not found on get and delete (DocuSign's 400, confirmed by the list).
    client.delete_configuration(None, &id).await.unwrap();
    let gone = client.get_configuration(None, &id).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert_eq!(gone.status(), Some(400));
    let gone_again = client.delete_configuration(None, &id).await.unwrap_err();
    assert!(gone_again.is_not_found(), "{gone_again}");

    assert_eq!(assert_bodies_conform(&emu).await, 2, "the POST and the PUT");
}

#[tokio::test]
async fn not_found_as_http_404() {
    let emu = Emu::with(Config {
        not_found_status: 404,
        ..emu_config()
    })
    .await;
    let client = Client::new(emu.token_config()).unwrap();
    let err = client.get_configuration(None, "424242").await.unwrap_err();
    assert!(matches!(err, Error::NotFound { status: 404, .. }), "{err}");
}

#[tokio::test]
async fn a_400_for_an_existing_id_is_not_taken_for_not_found() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    let id = client
        .create_configuration(None, &sample("a"))
        .await
        .unwrap()
        .connect_id
        .unwrap();
    emu.fault(
        serde_json::json!({"method": "GET", "path": emu.connect_path(&format!("/{id}")),
        "error": {"status": 400, "errorCode": "INVALID_REQUEST_PARAMETER", "message": "odd"}}),
    )
    .await;
    let err = client.get_configuration(None, &id).await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 400, .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "read Connect configuration {id}: HTTP 400, errorCode INVALID_REQUEST_PARAMETER: odd"
        )
    );
}

#[tokio::test]
async fn refresh_of_many_configurations_costs_one_list_call() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    let mut ids = Vec::new();
    for i in 0..10 {
        let c = client
            .create_configuration(None, &sample(&format!("c{i}")))
            .await
            .unwrap();
        ids.push(c.connect_id.unwrap());
    }
    emu.clear_requests().await;

    let mut tasks = Vec::new();
    for id in ids.clone() {
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            c.cached_configuration(None, &id).await
        }));
    }
    for t in tasks {
        assert!(t.await.unwrap().unwrap().is_some());
    }
    assert_eq!(emu.calls().await.len(), 1, "one GET /connect for ten reads");
    assert!(
        client
            .cached_configuration(None, "nope")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(emu.calls().await.len(), 1);

    // A write invalidates: the next read sees it.
    let mut c0 = client.get_configuration(None, &ids[0]).await.unwrap();
    c0.name = Some("after-write".into());
    client.update_configuration(None, &c0).await.unwrap();
    let fresh = client
        .cached_configuration(None, &ids[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fresh.name.as_deref(), Some("after-write"));
    client.delete_configuration(None, &ids[1]).await.unwrap();
    assert!(
        client
            .cached_configuration(None, &ids[1])
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        emu.count("GET", &emu.connect_path("")).await,
        3,
        "first read + one per write"
    );
}

#[tokio::test]
async fn oauth_for_connect_calls() {
    let emu = Emu::start().await;
    let client = Client::new(emu.jwt_config()).unwrap();
    let empty = client.get_oauth_config(None).await.unwrap();
    assert_eq!(empty.client_id, None);
    let cfg = ConnectOAuthConfig {
        authorization_server_url: Some("https://auth.example/oauth2/token".into()),
        client_id: Some("client-1".into()),
        client_secret: Some(Secret::new("client-secret-XYZ")),
        scope: Some("api://client-1/.default".into()),
        custom_parameters: Some(BTreeMap::from([("resource".to_owned(), "r1".to_owned())])),
        ..Default::default()
    };
    let created = client.create_oauth_config(None, &cfg).await.unwrap();
    assert_eq!(created.client_id.as_deref(), Some("client-1"));
    // A second create replaces the settings (the emulator warns; DocuSign's answer is
    // undocumented).
    let again = client.create_oauth_config(None, &cfg).await.unwrap();
    assert_eq!(again.client_id.as_deref(), Some("client-1"));
    let mut upd = cfg.clone();
    upd.scope = Some("other".into());
    client.update_oauth_config(None, &upd).await.unwrap();
    let read = client.get_oauth_config(None).await.unwrap();
    assert_eq!(read.scope.as_deref(), Some("other"));
    assert_eq!(
        read.custom_parameters
            .as_ref()
            .and_then(|m| m.get("resource"))
            .map(String::as_str),
        Some("r1")
    );
    client.delete_oauth_config(None).await.unwrap();
    assert_eq!(client.get_oauth_config(None).await.unwrap().client_id, None);
    assert!(assert_bodies_conform(&emu).await >= 2);
}

#[tokio::test]
async fn hmac_secret_calls() {
    let emu = Emu::start().await;
    let client = Client::new(emu.jwt_config()).unwrap();
    let created = client.create_hmac_secret(None).await.unwrap();
    assert_eq!(created.secrets.len(), 1);
    let s = &created.secrets[0];
    let key_id = s.key_id.clone().expect("keyId");
    let full = s
        .secret
        .as_ref()
        .expect("the full secret once")
        .expose()
        .to_owned();
    assert!(full.len() > 8);
    let listed = client.list_hmac_secrets(None).await.unwrap();
    assert_eq!(listed.secrets.len(), 1);
    assert_eq!(listed.secrets[0].key_id.as_deref(), Some(key_id.as_str()));
    assert_ne!(
        listed.secrets[0].secret.as_ref().map(|s| s.expose()),
        Some(full.as_str())
    );
    client.delete_hmac_secret(None, &key_id).await.unwrap();
    assert!(
        client
            .list_hmac_secrets(None)
            .await
            .unwrap()
            .secrets
            .is_empty()
    );
}

#[tokio::test]
async fn logs_and_failures_calls() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    let q = LogQuery {
        from_date: Some("2024-01-01T00:00:00Z".into()),
        to_date: None,
    };
    let logs = client.list_logs(None, &q).await.unwrap();
    assert!(logs.logs.unwrap_or_default().is_empty());
    let failures = client
        .list_failures(None, &LogQuery::default())
        .await
        .unwrap();
    assert!(failures.failures.unwrap_or_default().is_empty());
    let calls = emu.calls().await;
    assert!(
        calls[0]
            .1
            .starts_with(&emu.connect_path("/logs?from_date=2024-01-01T00")),
        "{calls:?}"
    );
    assert_eq!(calls[1].1, emu.connect_path("/failures"));
}

#[tokio::test]
async fn unknown_fields_are_kept_and_sent_back() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    let id = client
        .create_configuration(None, &sample("k"))
        .await
        .unwrap()
        .connect_id
        .unwrap();
    let mut got: ConnectConfiguration = client.get_configuration(None, &id).await.unwrap();
    // Pretend DocuSign added a setting this model does not know, and read it back.
    let mut raw = serde_json::to_value(&got).unwrap();
    raw["senderOverride"] = Value::from("kept");
    got = serde_json::from_value(raw).unwrap();
    got.other.insert("futureSetting".into(), Value::from("v"));
    client.update_configuration(None, &got).await.ok();
    let put = emu
        .requests()
        .await
        .into_iter()
        .find(|e| e["method"] == "PUT")
        .unwrap();
    assert_eq!(put["body"]["futureSetting"], "v");
    assert_eq!(put["body"]["senderOverride"], "kept");
}
