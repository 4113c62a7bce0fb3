//! JWT grant, token caching and re-minting, raw tokens, and account discovery.

use std::time::Duration;

use docusign_emulator::Config;
use terraform_provider_docusign::client::{Client, Error};

use crate::support::*;

#[tokio::test]
async fn jwt_grant_end_to_end_with_lazy_discovery_and_one_token() {
    let emu = Emu::start().await;
    let client = Client::new(emu.jwt_config()).unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(emu.calls().await.is_empty(), "construction must do no I/O");

    assert!(client.list_configurations(None).await.unwrap().is_empty());
    client.list_configurations(None).await.unwrap();

    let log = emu.requests().await;
    let calls = emu.calls().await;
    let list = emu.connect_path("");
    assert_eq!(
        calls,
        vec![
            ("POST".into(), "/oauth/token".into(), Some(200)),
            ("GET".into(), "/oauth/userinfo".into(), Some(200)),
            ("GET".into(), list.clone(), Some(200)),
            ("GET".into(), list, Some(200)),
        ]
    );
    assert_eq!(
        log[0]["body"]["grant_type"],
        "urn:ietf:params:oauth:grant-type:jwt-bearer"
    );
}

#[tokio::test]
async fn concurrent_first_calls_share_one_token_and_one_discovery() {
    let emu = Emu::start().await;
    let client = Client::new(emu.jwt_config()).unwrap();
    let mut tasks = Vec::new();
    for _ in 0..25 {
        let c = client.clone();
        tasks.push(tokio::spawn(
            async move { c.list_configurations(None).await },
        ));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(emu.count("POST", "/oauth/token").await, 1);
    assert_eq!(emu.count("GET", "/oauth/userinfo").await, 1);
    assert_eq!(emu.count("GET", &emu.connect_path("")).await, 25);
}

#[tokio::test]
async fn wrong_private_key_is_a_clear_error() {
    let emu = Emu::start().await;
    let client = Client::new(emu.jwt_config_for(IK, &other_keys().private_pem)).unwrap();
    let err = client.list_configurations(None).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Unauthorized { .. }), "{text}");
    assert!(text.contains("no_valid_keys_or_signatures"), "{text}");
    assert!(
        text.contains(&format!(
            "private_key is not one of the RSA key pairs of integration key {IK}"
        )),
        "{text}"
    );
    // No retry storm on a definite refusal.
    assert_eq!(emu.count("POST", "/oauth/token").await, 1);
}

#[tokio::test]
async fn unconsented_user_gets_the_exact_consent_url() {
    let emu = Emu::start().await;
    let client = Client::new(emu.jwt_config_for(IK_NO_CONSENT, &keys().private_pem)).unwrap();
    let err = client.list_configurations(None).await.unwrap_err();
    let expected = format!(
        "{}/oauth/auth?response_type=code&scope=signature%20impersonation&client_id={IK_NO_CONSENT}\
         &redirect_uri=https%3A%2F%2Fdevelopers.docusign.com%2Fplatform%2Fauth%2Fconsent",
        emu.info().oauth_base_uri.trim_end_matches('/')
    );
    match &err {
        Error::ConsentRequired { url, .. } => assert_eq!(url, &expected),
        other => panic!("expected ConsentRequired, got {other}"),
    }
    assert!(err.to_string().contains(&expected));
    assert!(err.to_string().contains("consent_required"));
}

#[tokio::test]
async fn token_is_reminted_after_the_server_expires_it() {
    let emu = Emu::start().await;
    let client = Client::new(emu.jwt_config()).unwrap();
    client.list_configurations(None).await.unwrap();
    emu.expire_tokens().await;
    client.list_configurations(None).await.unwrap();
    let calls = emu.calls().await;
    assert_eq!(emu.count("POST", "/oauth/token").await, 2, "{calls:?}");
    let list = emu.connect_path("");
    let statuses: Vec<Option<u16>> = calls
        .iter()
        .filter(|(m, p, _)| m == "GET" && *p == list)
        .map(|c| c.2)
        .collect();
    assert_eq!(statuses, vec![Some(200), Some(401), Some(200)]);
}

#[tokio::test]
async fn token_is_reminted_before_it_expires() {
    let emu = Emu::with(Config {
        token_ttl: Duration::from_secs(4),
        ..emu_config()
    })
    .await;
    let client = Client::new(emu.jwt_config()).unwrap();
    client.list_configurations(None).await.unwrap();
    client.list_configurations(None).await.unwrap();
    assert_eq!(emu.count("POST", "/oauth/token").await, 1);
    // Re-minted at 3 s (a quarter of the lifetime early), before DocuSign would refuse it.
    tokio::time::sleep(Duration::from_millis(3300)).await;
    client.list_configurations(None).await.unwrap();
    assert_eq!(emu.count("POST", "/oauth/token").await, 2);
    assert!(
        emu.calls().await.iter().all(|c| c.2 == Some(200)),
        "no 401 expected"
    );
}

#[tokio::test]
async fn a_401_after_reminting_gives_a_clear_error() {
    let emu = Emu::start().await;
    let client = Client::new(emu.jwt_config()).unwrap();
    emu.fault(serde_json::json!({"method": "GET", "path": emu.connect_path(""), "times": 5,
        "error": {"status": 401, "errorCode": "AUTHORIZATION_INVALID_TOKEN", "message": "The access token provided is expired, revoked or malformed."}}))
        .await;
    let err = client.list_configurations(None).await.unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(
            err,
            Error::Unauthorized {
                status: Some(401),
                ..
            }
        ),
        "{text}"
    );
    assert!(
        text.contains("again right after a new one was minted"),
        "{text}"
    );
    assert!(text.contains("AUTHORIZATION_INVALID_TOKEN"), "{text}");
    assert_eq!(
        emu.count("POST", "/oauth/token").await,
        2,
        "minted, then re-minted once"
    );
    assert_eq!(emu.count("GET", &emu.connect_path("")).await, 2);
}

#[tokio::test]
async fn raw_access_token_with_base_uri_needs_no_oauth_calls() {
    let emu = Emu::start().await;
    let client = Client::new(emu.token_config()).unwrap();
    client.list_configurations(None).await.unwrap();
    let calls = emu.calls().await;
    assert_eq!(calls, vec![("GET".into(), emu.connect_path(""), Some(200))]);
}

#[tokio::test]
async fn a_rejected_raw_token_says_so() {
    let emu = Emu::start().await;
    let mut cfg = emu.token_config();
    cfg.credentials = terraform_provider_docusign::client::Credentials::AccessToken(
        terraform_provider_docusign::client::Secret::new("not-a-token"),
    );
    let err = Client::new(cfg)
        .unwrap()
        .list_configurations(None)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(
            err,
            Error::Unauthorized {
                status: Some(401),
                ..
            }
        ),
        "{text}"
    );
    assert!(text.contains("may have expired"), "{text}");
}

#[tokio::test]
async fn discovery_with_several_accounts() {
    let emu = Emu::with(Config {
        accounts: 3,
        ..emu_config()
    })
    .await;
    let accounts = emu.info().accounts.clone();
    assert_eq!(accounts.len(), 3);

    // Default account.
    let client = Client::new(emu.jwt_config()).unwrap();
    assert_eq!(client.target(None).await.unwrap().account_id, accounts[0]);
    assert_eq!(client.accounts().await.unwrap().len(), 3);
    // Another account per call.
    client
        .list_configurations(Some(&accounts[1]))
        .await
        .unwrap();
    // A wrong account lists the reachable ones.
    let err = client
        .list_configurations(Some("00000000-dead-beef-0000-000000000000"))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::AccountNotFound { .. }), "{text}");
    for a in &accounts {
        assert!(text.contains(a.as_str()), "{text}");
    }
    assert_eq!(
        emu.count("GET", "/oauth/userinfo").await,
        1,
        "discovery once per client"
    );

    // account_id picks a non-default account for calls without an explicit one.
    let mut cfg = emu.jwt_config();
    cfg.account_id = Some(accounts[2].clone());
    let c2 = Client::new(cfg).unwrap();
    c2.list_configurations(None).await.unwrap();
    let log = emu.requests().await;
    let last = log.last().unwrap();
    assert_eq!(last["account_id"], accounts[2].as_str());

    // A configured account that the user cannot reach fails with the list.
    let mut cfg = emu.jwt_config();
    cfg.account_id = Some("not-mine".into());
    let err = Client::new(cfg)
        .unwrap()
        .list_configurations(None)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("account not-mine is not reachable"),
        "{err}"
    );
}
