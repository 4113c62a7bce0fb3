//! The JWT grant and userinfo, answered like DocuSign.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn valid_grant_mints_a_working_token() {
    let e = emu().await;
    let a = e.token(&assertion("app.key.pem", &claims(&e, IK))).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["token_type"], "Bearer");
    assert_eq!(a.json["expires_in"], 3600);
    let token = a.json["access_token"].as_str().unwrap().to_owned();
    let url = e.connect_url(&e.info().account_id, "");
    let list = e.call(Method::GET, &url, Some(&token), None).await;
    assert_eq!(list.status, 200);
    let info = e
        .call(Method::GET, &e.url("/oauth/userinfo"), Some(&token), None)
        .await;
    assert_eq!(info.status, 200);
    assert_eq!(info.json["sub"], e.info().user_id.as_str());
    let acct = &info.json["accounts"][0];
    assert_eq!(acct["account_id"], e.info().account_id.as_str());
    assert_eq!(acct["is_default"], true);
    assert_eq!(acct["base_uri"], e.info().base_uri.as_str());
    assert!(acct["account_name"].is_string());
}

#[tokio::test]
async fn userinfo_lists_every_account_default_first() {
    let e = emu_with(docusign_emulator::Config {
        accounts: 3,
        ..config()
    })
    .await;
    let info = e
        .call(
            Method::GET,
            &e.url("/oauth/userinfo"),
            Some(&e.info().access_token),
            None,
        )
        .await;
    let accounts = info.json["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 3);
    let defaults: Vec<bool> = accounts
        .iter()
        .map(|a| a["is_default"].as_bool().unwrap())
        .collect();
    assert_eq!(defaults, [true, false, false]);
    let ids: Vec<&str> = accounts
        .iter()
        .map(|a| a["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        e.info()
            .accounts
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    let bad = e
        .call(Method::GET, &e.url("/oauth/userinfo"), Some("nope"), None)
        .await;
    assert_eq!(bad.status, 401);
}

#[tokio::test]
async fn wrong_key_is_invalid_grant() {
    let e = emu().await;
    let a = e.token(&assertion("other.key.pem", &claims(&e, IK))).await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.json,
        json!({"error": "invalid_grant", "error_description": "no_valid_keys_or_signatures"})
    );
}

#[tokio::test]
async fn unconsented_app_is_consent_required() {
    let e = emu().await;
    let a = e
        .token(&assertion("app.key.pem", &claims(&e, IK_UNCONSENTED)))
        .await;
    assert_eq!(a.status, 400);
    assert_eq!(a.json, json!({"error": "consent_required"}));
}

#[tokio::test]
async fn claim_rules() {
    let e = emu().await;
    let base = claims(&e, IK);
    let cases = [
        ("iss", json!("unknown-ik"), "issuer_not_found"),
        ("aud", json!("account-d.docusign.com"), "invalid_audience"),
        (
            "aud",
            json!(e.info().oauth_base_uri.clone()),
            "invalid_audience",
        ),
        (
            "sub",
            json!("00000000-0000-4000-8000-000000000000"),
            "user_not_found",
        ),
        ("exp", json!(now() + 7200), "invalid_token_lifetime"),
        ("exp", json!(now() - 600), "expired_assertion"),
    ];
    for (claim, value, description) in cases {
        let mut c = base.clone();
        c[claim] = value;
        let a = e.token(&assertion("app.key.pem", &c)).await;
        assert_eq!(a.status, 400, "{claim}: {}", a.text);
        assert_eq!(a.json["error"], "invalid_grant", "{claim}");
        assert_eq!(a.json["error_description"], description, "{claim}");
    }
    let mut c = base.clone();
    c["scope"] = json!("impersonation");
    let a = e.token(&assertion("app.key.pem", &c)).await;
    assert_eq!(
        (a.status.as_u16(), a.json["error"].as_str()),
        (400, Some("invalid_scope"))
    );
    // The aud may be a one-element list.
    let mut c = base.clone();
    c["aud"] = json!([e.audience()]);
    assert_eq!(e.token(&assertion("app.key.pem", &c)).await.status, 200);
}

#[tokio::test]
async fn grant_type_and_form_errors() {
    let e = emu().await;
    let r = e
        .http
        .post(e.url("/oauth/token"))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    let a = Answer::read(r).await;
    assert_eq!(
        (a.status.as_u16(), a.json["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let r = e
        .http
        .post(e.url("/oauth/token"))
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", "a.b.c"),
        ])
        .send()
        .await
        .unwrap();
    let a = Answer::read(r).await;
    assert_eq!(
        (a.status.as_u16(), a.json["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn expired_tokens_answer_401() {
    let e = emu().await;
    let token = e
        .token(&assertion("app.key.pem", &claims(&e, IK)))
        .await
        .json["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = e.connect_url(&e.info().account_id, "");
    assert_eq!(
        e.call(Method::GET, &url, Some(&token), None).await.status,
        200
    );
    let expired = e.control(Method::POST, "/tokens/expire", None).await;
    assert_eq!(expired.json, json!({"expired": 1}));
    e.call(Method::GET, &url, Some(&token), None)
        .await
        .error(401, "AUTHORIZATION_INVALID_TOKEN");
    // The development token is long-lived.
    assert_eq!(
        e.call(Method::GET, &url, Some(&e.info().access_token), None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn token_ttl_is_honoured() {
    let e = emu_with(docusign_emulator::Config {
        token_ttl: std::time::Duration::from_secs(1),
        ..config()
    })
    .await;
    let a = e.token(&assertion("app.key.pem", &claims(&e, IK))).await;
    assert_eq!(a.json["expires_in"], 1);
    let token = a.json["access_token"].as_str().unwrap().to_owned();
    let url = e.connect_url(&e.info().account_id, "");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    e.call(Method::GET, &url, Some(&token), None)
        .await
        .error(401, "AUTHORIZATION_INVALID_TOKEN");
}
