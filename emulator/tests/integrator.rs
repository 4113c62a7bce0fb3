//! integratorManaged: the messages use the OAuth-for-Connect settings or HMAC keys of the
//! account that owns the calling token's integration key (for the development token, the
//! first account); the control surface shows whose settings are used. A configuration whose
//! integrator account lacks them is still stored (DocuSign does not document a refusal).

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
async fn oauth_settings_come_from_the_integrator_account() {
    let e = emu_with(Config {
        accounts: 2,
        ..config()
    })
    .await;
    let (home, client) = (e.info().accounts[0].clone(), e.info().accounts[1].clone());
    // OAuth set up on the CLIENT account is not the one used.
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
    // Without settings on the integrator account the create is accepted all the same.
    let a = client_call(&e, Method::POST, Some(managed("includeOAuth"))).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let id = a.json["connectId"].as_str().unwrap();
    let d = delivery(&e, &client, id).await;
    assert_eq!(d.json["settings_account_id"], home.as_str());
    assert_eq!(
        e.connect(Method::POST, "/oauth", Some(oauth)).await.status,
        201
    );
    let a = client_call(&e, Method::POST, Some(managed("includeOAuth"))).await;
    assert_eq!(a.status, 200, "{}", a.text);
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
async fn hmac_keys_come_from_the_integrator_account() {
    let e = emu_with(Config {
        accounts: 2,
        ..config()
    })
    .await;
    let (home, client) = (e.info().accounts[0].clone(), e.info().accounts[1].clone());
    // The client account's own key is not the one used.
    let url = e.connect_url(&client, "/secret");
    let own = e
        .call(Method::POST, &url, Some(&e.info().access_token), None)
        .await;
    assert_eq!(own.status, 201);
    assert_eq!(e.connect(Method::POST, "/secret", None).await.status, 201);
    let a = client_call(&e, Method::POST, Some(managed("includeHMAC"))).await;
    assert_eq!(a.status, 200, "{}", a.text);
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
    // Turning it on again with an update moves it back.
    let put = client_call(
        &e,
        Method::PUT,
        Some(json!({"connectId": id, "integratorManaged": "true"})),
    )
    .await;
    assert_eq!(put.status, 200, "{}", put.text);
    let d = delivery(&e, &client, &id).await;
    assert_eq!(d.json["settings_account_id"], home.as_str());
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
    assert_eq!(a.status, 200);
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
