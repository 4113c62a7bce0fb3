//! One client for many accounts: `account_users` picks the user the JWT grant impersonates in
//! each account, with one token per user.

use docusign_emulator::Config;
use terraform_provider_docusign::client::{Client, Credentials, Error};

use crate::support::*;

const STRANGER: &str = "0badf00d-0000-4000-8000-000000000000";

#[tokio::test]
async fn each_account_is_called_with_its_own_users_token() {
    let emu = Emu::with(Config {
        accounts: 2,
        ..emu_config()
    })
    .await;
    let (home, other) = (
        emu.info().accounts[0].clone(),
        emu.info().accounts[1].clone(),
    );
    let mut cfg = emu.jwt_config();
    let Credentials::Jwt { account_users, .. } = &mut cfg.credentials else {
        panic!("JWT credentials");
    };
    // The emulator's user for the home account (through user_id); a user it does not know for
    // the other account.
    account_users.insert(other.clone(), STRANGER.into());
    let client = Client::new(cfg).unwrap();

    client.list_configurations(Some(&home)).await.unwrap();
    let err = client.list_configurations(Some(&other)).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Unauthorized { .. }), "{text}");
    assert!(
        text.contains(&format!("user {STRANGER} is unknown")),
        "{text}"
    );
    client.list_configurations(Some(&home)).await.unwrap();

    // One grant per user, each user's token reused for that user's calls only.
    assert_eq!(emu.count("POST", "/oauth/token").await, 2);
    let home_list = format!("/restapi/v2.1/accounts/{home}/connect");
    assert_eq!(emu.count("GET", &home_list).await, 2);
    let other_list = format!("/restapi/v2.1/accounts/{other}/connect");
    assert_eq!(emu.count("GET", &other_list).await, 0);
}
