//! The partner topology: a partner account owns an integration key; client users, each a
//! member of their own client account, consented to it. Tokens reach only their user's
//! accounts, userinfo answers per user, and integratorManaged configurations use the
//! settings of the account that owns the token's integration key.

mod common;

use common::*;
use docusign_emulator::{AccountSpec, Config, IntegrationKeySpec, Topology, UserSpec};
use reqwest::Method;
use serde_json::json;

const PARTNER_IK: &str = "0a0b0c0d-1111-4222-8333-444444444444";

fn partner_topology() -> Topology {
    Topology {
        accounts: ["partner", "client-a", "client-b"]
            .map(AccountSpec::named)
            .to_vec(),
        users: vec![
            UserSpec::member_of("Partner Admin", &["partner"]),
            UserSpec::member_of("Alice", &["client-a"]),
            UserSpec::member_of("Bob", &["client-b"]),
        ],
        integration_keys: vec![IntegrationKeySpec {
            integration_key: PARTNER_IK.into(),
            account: "partner".into(),
            public_key: Some(key("app.pub.pem")),
            public_key_file: None,
            consented_users: vec!["Alice".into(), "Partner Admin".into()],
        }],
    }
}

async fn partner_emu() -> Emu {
    emu_with(Config {
        topology: Some(partner_topology()),
        ..Config::default()
    })
    .await
}

/// A JWT-grant token of `user` for the partner's integration key.
async fn token_for(e: &Emu, user: &str) -> Answer {
    let mut c = claims(e, PARTNER_IK);
    c["sub"] = json!(e.info().user_named(user).expect("user").user_id);
    e.token(&assertion("app.key.pem", &c)).await
}

/// Whose settings the configuration's messages use (the control surface).
async fn delivery(e: &Emu, account: &str, connect_id: &str) -> Answer {
    let path = format!("/accounts/{account}/connect/{connect_id}/delivery");
    e.control(Method::GET, &path, None).await
}

fn id(e: &Emu, account: &str) -> String {
    e.info().account_named(account).expect("account").to_owned()
}

#[tokio::test]
async fn info_lists_the_topology() {
    let e = partner_emu().await;
    let i = e.info();
    assert_eq!(i.all_accounts.len(), 3);
    assert_eq!(i.account_id, id(&e, "partner"));
    assert_eq!(i.accounts, [id(&e, "partner")]);
    assert_eq!(i.user_id, i.users[0].user_id);
    let alice = i.user_named("Alice").unwrap();
    assert_eq!(alice.accounts, [id(&e, "client-a")]);
    assert_eq!(alice.email, "alice@example.com");
    let ik = i
        .integration_keys
        .iter()
        .find(|k| k.integration_key == PARTNER_IK)
        .unwrap();
    assert_eq!(ik.account_id, id(&e, "partner"));
    assert!(ik.consented_user_ids.contains(&alice.user_id));
    let dev = i
        .integration_keys
        .iter()
        .find(|k| k.integration_key == i.integration_key)
        .unwrap();
    assert_eq!(dev.account_id, id(&e, "partner"));
}

#[tokio::test]
async fn a_token_reaches_only_its_users_accounts() {
    let e = partner_emu().await;
    let a = token_for(&e, "Alice").await;
    assert_eq!(a.status, 200, "{}", a.text);
    let token = a.json["access_token"].as_str().unwrap().to_owned();
    let own = e.connect_url(&id(&e, "client-a"), "");
    assert_eq!(
        e.call(Method::GET, &own, Some(&token), None).await.status,
        200
    );
    for other in ["partner", "client-b"] {
        let url = e.connect_url(&id(&e, other), "");
        e.call(Method::GET, &url, Some(&token), None)
            .await
            .error(401, "USER_AUTHENTICATION_FAILED");
    }
    // The development token of a user is bound the same way.
    let bob = e.info().user_named("Bob").unwrap().access_token.clone();
    e.call(Method::GET, &own, Some(&bob), None)
        .await
        .error(401, "USER_AUTHENTICATION_FAILED");
}

#[tokio::test]
async fn userinfo_answers_for_the_tokens_user() {
    let e = partner_emu().await;
    let a = token_for(&e, "Alice").await;
    let token = a.json["access_token"].as_str().unwrap();
    let u = e
        .call(Method::GET, &e.url("/oauth/userinfo"), Some(token), None)
        .await;
    assert_eq!(u.status, 200, "{}", u.text);
    assert_eq!(u.json["sub"], e.info().user_named("Alice").unwrap().user_id);
    assert_eq!(u.json["name"], "Alice");
    let accounts = u.json["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["account_id"], id(&e, "client-a"));
    assert_eq!(accounts[0]["account_name"], "client-a");
    assert_eq!(accounts[0]["is_default"], true);
}

#[tokio::test]
async fn grants_need_consent_and_a_known_user() {
    let e = partner_emu().await;
    let a = token_for(&e, "Bob").await;
    assert_eq!(a.status, 400);
    assert_eq!(a.json["error"], "consent_required");
    let mut c = claims(&e, PARTNER_IK);
    c["sub"] = json!("5f5f5f5f-0000-4000-8000-000000000000");
    let a = e.token(&assertion("app.key.pem", &c)).await;
    assert_eq!(a.json["error"], "invalid_grant");
    assert_eq!(a.json["error_description"], "user_not_found");
}

#[tokio::test]
async fn integrator_managed_uses_the_settings_of_the_keys_owner() {
    let e = partner_emu().await;
    let alice = token_for(&e, "Alice").await;
    let alice = alice.json["access_token"].as_str().unwrap().to_owned();
    let client = id(&e, "client-a");
    let partner = id(&e, "partner");
    let mut body = minimal("client config");
    body["integratorManaged"] = json!("true");
    body["includeHMAC"] = json!("true");
    let create = e.connect_url(&client, "");
    let a = e
        .call(Method::POST, &create, Some(&alice), Some(body))
        .await;
    assert_eq!(a.status, 200, "{}", a.text);
    let d = delivery(&e, &client, a.json["connectId"].as_str().unwrap()).await;
    assert_eq!(d.json["settings_account_id"], partner.as_str());
    assert_eq!(d.json["configuration_account_id"], client.as_str());
    // Without integratorManaged, the configuration's own account signs.
    let mut own = minimal("own");
    own["includeHMAC"] = json!("true");
    let a = e.call(Method::POST, &create, Some(&alice), Some(own)).await;
    let d = delivery(&e, &client, a.json["connectId"].as_str().unwrap()).await;
    assert_eq!(d.json["settings_account_id"], client.as_str());
}
