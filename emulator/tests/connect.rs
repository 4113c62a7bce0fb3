//! Replays exchanges recorded against DocuSign's demo API (create, update, list, delete of
//! Connect configurations) against the emulator and checks every body against the official
//! Swagger definitions.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};

/// The recorded DocuSign create (NANGO): JSON booleans in, string booleans and defaults out.
#[tokio::test]
async fn create_fills_docusign_defaults_and_answers_string_booleans() {
    let e = emu().await;
    let body = json!({
        "name": "Nango Connect Validation", "urlToPublishTo": "https://example.com/webhook/nango",
        "allUsers": true, "allowEnvelopePublish": true, "configurationType": "custom",
        "envelopeEvents": ["sent", "delivered", "completed"], "recipientEvents": ["Sent", "Delivered", "Completed"]
    });
    let a = e.connect(Method::POST, "", Some(body)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    a.conforms("connectCustomConfiguration");
    assert!(
        a.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let id = a.json["connectId"].as_str().expect("connectId is a string");
    assert!(
        !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()),
        "numeric string id: {id}"
    );
    // The recorded response, field for field, except the generated id.
    let mut expected = json!({
        "connectId": id, "configurationType": "custom", "urlToPublishTo": "https://example.com/webhook/nango",
        "name": "Nango Connect Validation", "allowEnvelopePublish": "true", "deliveryMode": "", "enableLog": "false",
        "includeDocuments": "false", "includeCertificateOfCompletion": "false", "requiresAcknowledgement": "true",
        "signMessageWithX509Certificate": "false", "useSoapInterface": "false", "includeTimeZoneInformation": "false",
        "includeOAuth": "false", "includeHMAC": "false", "integratorManaged": "false", "includeEnvelopeVoidReason": "false",
        "includeSenderAccountasCustomField": "false", "envelopeEvents": ["sent", "delivered", "completed"],
        "recipientEvents": ["Sent", "Delivered", "Completed"], "soapNamespace": "", "allUsers": "true",
        "allUsersExcept": "false", "includeCertSoapHeader": "false", "requireMutualTls": "false",
        "includeDocumentFields": "false", "pausePublish": "false", "eventData": {"version": "", "includeData": []},
        "enableOAuthPerConfiguration": "false"
    });
    assert_eq!(a.json, expected);
    // Key order as recorded as well.
    let keys: Vec<&String> = a.json.as_object().unwrap().keys().collect();
    let want: Vec<&String> = expected.as_object_mut().unwrap().keys().collect();
    assert_eq!(keys, want);
    for absent in [
        "events",
        "userIds",
        "groupIds",
        "password",
        "userName",
        "sfObjects",
        "disabledBy",
        "oAuthConfiguration",
    ] {
        assert!(a.json.get(absent).is_none(), "{absent} must be absent");
    }
}

#[tokio::test]
async fn string_booleans_accepted_on_input_and_invalid_ones_rejected() {
    let e = emu().await;
    let mut body = minimal("s");
    body["enableLog"] = json!("true");
    body["includeDocuments"] = json!(false);
    body["requiresAcknowledgement"] = json!("FALSE");
    let a = e.connect(Method::POST, "", Some(body)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["enableLog"], "true");
    assert_eq!(a.json["includeDocuments"], "false");
    assert_eq!(a.json["requiresAcknowledgement"], "false");
    let mut body = minimal("bad");
    body["enableLog"] = json!("yes");
    e.connect(Method::POST, "", Some(body))
        .await
        .error(400, "INVALID_REQUEST_BODY");
    e.call(
        Method::POST,
        &e.connect_url(&e.info().account_id, ""),
        Some(&e.info().access_token),
        None,
    )
    .await
    .error(400, "INVALID_REQUEST_BODY");
}

#[tokio::test]
async fn get_list_put_delete_round_trip() {
    let e = emu().await;
    let mut body = minimal("one");
    body["password"] = json!("hunter2");
    body["userName"] = json!("basic");
    body["events"] = json!(["envelope-sent"]);
    let created = e.connect(Method::POST, "", Some(body)).await;
    assert_eq!(created.status, 200);
    assert!(
        created.json.get("password").is_none(),
        "password never echoed"
    );
    assert!(!created.text.contains("hunter2"));
    assert_eq!(created.json["userName"], "basic");
    let id = created.json["connectId"].as_str().unwrap().to_owned();
    let second = e.connect(Method::POST, "", Some(minimal("two"))).await;
    assert_eq!(second.status, 200);

    // GET one: the connectConfigResults wrapper.
    let one = e.connect(Method::GET, &format!("/{id}"), None).await;
    assert_eq!(one.status, 200);
    one.conforms("connectConfigResults");
    assert_eq!(one.json["totalRecords"], "1");
    assert_eq!(one.json["configurations"][0], created.json);
    assert!(!one.text.contains("hunter2"));

    // List: totalRecords is a string.
    let list = e.connect(Method::GET, "", None).await;
    assert_eq!(list.status, 200);
    list.conforms("connectConfigResults");
    assert_eq!(list.json["totalRecords"], "2");
    assert_eq!(list.json["configurations"].as_array().unwrap().len(), 2);

    // PUT with the id in the body, no id in the path; omitted fields are retained.
    let put = e
        .connect(Method::PUT, "", Some(json!({"connectId": id, "name": "renamed", "allowEnvelopePublish": true, "events": []})))
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    put.conforms("connectCustomConfiguration");
    assert_eq!(put.json["name"], "renamed");
    assert_eq!(put.json["allowEnvelopePublish"], "true");
    assert_eq!(put.json["userName"], "basic", "omitted fields are kept");
    assert!(
        put.json.get("events").is_none(),
        "an empty list clears the field"
    );
    assert_eq!(put.json["connectId"], id.as_str());
    let after = e.connect(Method::GET, &format!("/{id}"), None).await;
    assert_eq!(after.json["configurations"][0], put.json);

    // PUT without connectId, and with an unknown one.
    e.connect(Method::PUT, "", Some(json!({"name": "x"})))
        .await
        .error(400, "INVALID_REQUEST_PARAMETER");
    e.connect(
        Method::PUT,
        "",
        Some(json!({"connectId": "424242", "name": "x"})),
    )
    .await
    .error(400, "INVALID_REQUEST_PARAMETER");
    // There is no PUT with an id in the path.
    let a = e
        .connect(Method::PUT, &format!("/{id}"), Some(json!({"name": "x"})))
        .await;
    assert_eq!(a.status, 405);

    // DELETE: 200 with an empty body; then the id is unknown.
    let del = e.connect(Method::DELETE, &format!("/{id}"), None).await;
    assert_eq!(del.status, 200);
    assert_eq!(del.text, "");
    e.connect(Method::GET, &format!("/{id}"), None)
        .await
        .error(400, "INVALID_REQUEST_PARAMETER");
    e.connect(Method::DELETE, &format!("/{id}"), None)
        .await
        .error(400, "INVALID_REQUEST_PARAMETER");
    let list = e.connect(Method::GET, "", None).await;
    assert_eq!(list.json["totalRecords"], "1");
}

#[tokio::test]
async fn empty_list_answer_shape() {
    let e = emu().await;
    let list = e.connect(Method::GET, "", None).await;
    list.conforms("connectConfigResults");
    assert_eq!(
        list.json,
        json!({"configurations": [], "totalRecords": "0"})
    );
}

#[tokio::test]
async fn docusign_validation() {
    let e = emu().await;
    for field in ["name", "urlToPublishTo", "configurationType"] {
        let mut body = minimal("v");
        body.as_object_mut().unwrap().remove(field);
        e.connect(Method::POST, "", Some(body))
            .await
            .error(400, "INVALID_REQUEST_PARAMETER");
    }
    let mut body = minimal("v");
    body["urlToPublishTo"] = json!("http://example.com/hook");
    let a = e.connect(Method::POST, "", Some(body.clone())).await;
    a.error(400, "INVALID_REQUEST_PARAMETER");
    assert!(a.json["message"].as_str().unwrap().contains("HTTPS"));
    body["urlToPublishTo"] = json!("https://example.com/hook");
    body["configurationType"] = json!("webhook");
    e.connect(Method::POST, "", Some(body))
        .await
        .error(400, "INVALID_REQUEST_PARAMETER");
    // Nothing was created by the failed calls.
    assert_eq!(
        e.connect(Method::GET, "", None).await.json["totalRecords"],
        "0"
    );
}

#[tokio::test]
async fn http_listeners_when_allowed() {
    let e = emu_with(docusign_emulator::Config {
        allow_http_listeners: true,
        ..config()
    })
    .await;
    let mut body = minimal("h");
    body["urlToPublishTo"] = json!("http://127.0.0.1:9/hook");
    assert_eq!(e.connect(Method::POST, "", Some(body)).await.status, 200);
}

#[tokio::test]
async fn not_found_status_is_configurable() {
    let e = emu_with(docusign_emulator::Config {
        not_found_status: 404,
        ..config()
    })
    .await;
    e.connect(Method::GET, "/1", None)
        .await
        .error(404, "INVALID_REQUEST_PARAMETER");
}

#[tokio::test]
async fn authentication_and_account_reach() {
    let e = emu_with(docusign_emulator::Config {
        accounts: 2,
        ..config()
    })
    .await;
    let url = e.connect_url(&e.info().account_id, "");
    e.call(Method::GET, &url, None, None)
        .await
        .error(401, "USER_AUTHENTICATION_FAILED");
    e.call(Method::GET, &url, Some("not-a-token"), None)
        .await
        .error(401, "AUTHORIZATION_INVALID_TOKEN");
    // The second account of the same user is reachable with the same token.
    let second = e.info().accounts[1].clone();
    let a = e
        .call(
            Method::POST,
            &e.connect_url(&second, ""),
            Some(&e.info().access_token),
            Some(minimal("c")),
        )
        .await;
    assert_eq!(a.status, 200);
    // It lives in that account only.
    assert_eq!(
        e.connect(Method::GET, "", None).await.json["totalRecords"],
        "0"
    );
    // A foreign account is refused.
    let foreign = e.connect_url("00000000-0000-4000-8000-000000000000", "");
    e.call(Method::GET, &foreign, Some(&e.info().access_token), None)
        .await
        .error(401, "USER_AUTHENTICATION_FAILED");
}

#[tokio::test]
async fn connect_oauth_singleton_never_echoes_the_secret() {
    let e = emu().await;
    let empty = e.connect(Method::GET, "/oauth", None).await;
    assert_eq!(empty.status, 200);
    empty.conforms("connectOAuthConfig");
    assert_eq!(empty.json, json!({}));
    let cfg = json!({"authorizationServerUrl": "https://auth.example.com/token", "clientId": "cid",
        "clientSecret": "s3cr3t", "scope": "api://cid/.default", "customParameters": {"audience": "x"}});
    let created = e.connect(Method::POST, "/oauth", Some(cfg.clone())).await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.conforms("connectOAuthConfig");
    assert!(created.json.get("clientSecret").is_none());
    assert!(!created.text.contains("s3cr3t"));
    assert_eq!(created.json["clientId"], "cid");
    // A second POST replaces the settings (DocuSign's answer is undocumented; the emulator
    // warns rather than refuses).
    let mut other = cfg;
    other["clientId"] = json!("cid-other");
    let again = e.connect(Method::POST, "/oauth", Some(other)).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.json["clientId"], "cid-other");
    let updated = e
        .connect(Method::PUT, "/oauth", Some(json!({"clientId": "cid2"})))
        .await;
    assert_eq!(updated.status, 200);
    updated.conforms("connectOAuthConfig");
    assert_eq!(updated.json["clientId"], "cid2");
    assert_eq!(updated.json["scope"], "api://cid/.default");
    let got = e.connect(Method::GET, "/oauth", None).await;
    assert_eq!(got.json, updated.json);
    assert!(!got.text.contains("s3cr3t"));
    let del = e.connect(Method::DELETE, "/oauth", None).await;
    assert_eq!((del.status.as_u16(), del.text.as_str()), (200, ""));
    assert_eq!(e.connect(Method::GET, "/oauth", None).await.json, json!({}));
    e.connect(Method::POST, "/oauth", Some(json!({"clientId": "only"})))
        .await
        .error(400, "INVALID_REQUEST_PARAMETER");
}

#[tokio::test]
async fn hmac_keys_shown_once_then_truncated() {
    let e = emu().await;
    let created = e.connect(Method::POST, "/secret", None).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let full = created.json["secretKey"].as_str().unwrap().to_owned();
    let key_id = created.json["keyId"].as_str().unwrap().to_owned();
    assert!(full.len() >= 40);
    let list = e.connect(Method::GET, "/secret", None).await;
    assert_eq!(list.status, 200);
    assert!(!list.text.contains(&full), "the full key is never listed");
    let listed = &list.json["secrets"][0];
    assert_eq!(listed["keyId"], key_id.as_str());
    assert!(full.starts_with(listed["secretKey"].as_str().unwrap().trim_end_matches('…')));
    let del = e
        .connect(Method::DELETE, &format!("/secret/{key_id}"), None)
        .await;
    assert_eq!((del.status.as_u16(), del.text.as_str()), (200, ""));
    assert_eq!(
        e.connect(Method::GET, "/secret", None).await.json,
        json!({"secrets": []})
    );
    e.connect(Method::DELETE, &format!("/secret/{key_id}"), None)
        .await
        .error(400, "INVALID_REQUEST_PARAMETER");
}

#[tokio::test]
async fn logs_and_failures_have_docusign_shape() {
    let e = emu().await;
    for (path, field) in [("/logs", "logs"), ("/failures", "failures")] {
        let a = e.connect(Method::GET, path, None).await;
        assert_eq!(a.status, 200);
        assert_eq!(a.json[field], json!([]));
        assert_eq!(a.json["totalRecords"], "0");
        let spec = docusign_emulator::swagger::Spec::cached().unwrap();
        spec.check("connectLogs", &a.json).unwrap();
    }
}

#[tokio::test]
async fn unknown_paths_answer_errors_with_limit_headers() {
    let e = emu().await;
    let a = e.connect(Method::GET, "/nope/deeper", None).await;
    a.error(404, "RESOURCE_NOT_FOUND");
    assert!(a.headers.contains_key("x-ratelimit-limit"));
    let v: Value = a.json.clone();
    assert!(v.is_object());
}
