//! integratorManaged: the calling token's home (default) account must hold the OAuth-for-
//! Connect settings or HMAC keys; the control surface shows whose settings are used.

mod common;

use common::*;
use docusign_emulator::Config;
use reqwest::Method;
use serde_json::{Value, json};

fn managed(include: &str) -> Value {
    let mut b = minimal("client config");
    b["integratorManaged"] = json!("true");
    b[include] = json!("true");
    b
}

async fn client_call(e: &Emu, method: Method, body: Option<Value>) -> Answer {
    let url = e.connect_url(&e.info().accounts[1], "");
    e.call(method, &url, Some(&e.info().access_token), body)
        .await
}

async fn delivery(e: &Emu, account: &str, id: &str) -> Answer {
    e.control(
        Method::GET,
        &format!("/accounts/{account}/connect/{id}/delivery"),
        None,
    )
    .await
}

#[tokio::test]
async fn oauth_required_on_the_integrator_account() {
    let e = emu_with(Config {
        accounts: 2,
        ..config()
    })
    .await;
    let (home, client) = (e.info().accounts[0].clone(), e.info().accounts[1].clone());
    // OAuth set up on the CLIENT account does not count.
    let oauth = json!({"authorizationServerUrl": "https://a.example/token", "clientId": "c", "clientSecret": "s"});
    let url = e.connect_url(&client, "/oauth");
    assert_eq!(
        e.call(
            Method::POST,
            &url,
            Some(&e.info().access_token),
            Some(oauth.clone())
        )
        .await
        .status,
        201
    );
    let a = client_call(&e, Method::POST, Some(managed("includeOAuth"))).await;
    a.error(400, "INVALID_REQUEST_PARAMETER");
    assert!(a.json["message"].as_str().unwrap().contains(&home));
    // Once the home account has it, the create succeeds and uses the home account's settings.
    assert_eq!(
        e.connect(Method::POST, "/oauth", Some(oauth)).await.status,
        201
    );
    let a = client_call(&e, Method::POST, Some(managed("includeOAuth"))).await;
    assert_eq!(a.status, 201, "{}", a.text);
    a.conforms("connectCustomConfiguration");
    assert_eq!(a.json["integratorManaged"], "true");
    let id = a.json["connectId"].as_str().unwrap();
    let d = delivery(&e, &client, id).await;
    assert_eq!(d.status, 200);
    assert_eq!(d.json["auth"], "oauth");
    assert_eq!(d.json["settings_account_id"], home.as_str());
    assert_eq!(d.json["configuration_account_id"], client.as_str());
    assert_eq!(d.json["integrator_managed"], true);
}

#[tokio::test]
async fn hmac_required_on_the_integrator_account() {
    let e = emu_with(Config {
        accounts: 2,
        ..config()
    })
    .await;
    let (home, client) = (e.info().accounts[0].clone(), e.info().accounts[1].clone());
    client_call(&e, Method::POST, Some(managed("includeHMAC")))
        .await
        .error(400, "INVALID_REQUEST_PARAMETER");
    assert_eq!(e.connect(Method::POST, "/secret", None).await.status, 201);
    let a = client_call(&e, Method::POST, Some(managed("includeHMAC"))).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let id = a.json["connectId"].as_str().unwrap().to_owned();
    let d = delivery(&e, &client, &id).await;
    assert_eq!(
        (
            d.json["auth"].as_str(),
            d.json["settings_account_id"].as_str()
        ),
        (Some("hmac"), Some(home.as_str()))
    );
    // Turning integratorManaged off moves delivery to the configuration's own account.
    let put = client_call(
        &e,
        Method::PUT,
        Some(json!({"connectId": id, "integratorManaged": false})),
    )
    .await;
    assert_eq!(put.status, 200, "{}", put.text);
    let d = delivery(&e, &client, &id).await;
    assert_eq!(d.json["settings_account_id"], client.as_str());
    assert_eq!(d.json["integrator_managed"], false);
    // An update turning it on again is checked too (the home key is deleted first).
    let keys = e.connect(Method::GET, "/secret", None).await;
    let key_id = keys.json["secrets"][0]["keyId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        e.connect(Method::DELETE, &format!("/secret/{key_id}"), None)
            .await
            .status,
        200
    );
    client_call(
        &e,
        Method::PUT,
        Some(json!({"connectId": id, "integratorManaged": "true"})),
    )
    .await
    .error(400, "INVALID_REQUEST_PARAMETER");
}

#[tokio::test]
async fn unmanaged_configs_use_their_own_account() {
    let e = emu_with(Config {
        accounts: 2,
        ..config()
    })
    .await;
    let client = e.info().accounts[1].clone();
    let mut b = minimal("plain");
    b["includeHMAC"] = json!(true);
    let a = client_call(&e, Method::POST, Some(b)).await;
    assert_eq!(a.status, 201);
    let id = a.json["connectId"].as_str().unwrap();
    let d = delivery(&e, &client, id).await;
    assert_eq!(
        (
            d.json["auth"].as_str(),
            d.json["settings_account_id"].as_str()
        ),
        (Some("hmac"), Some(client.as_str()))
    );
    let missing = delivery(&e, &client, "1").await;
    assert_eq!(missing.status, 404);
}
