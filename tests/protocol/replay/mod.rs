//! Terraform 1.12+ and OpenTofu, proven by replay: the real binary, launched as go-plugin does,
//! receives the calls each version makes and its answers get the checks that version applies.
//! The sequences and checks, with the files and tags they were read from, are in
//! `docs/protocol-replay.md`; [`host`] implements them, and each test names its sources.

pub mod host;
mod identity;
mod list;
mod unimplemented;

use terraform_provider_docusign::client::{Client, ClientConfig, Credentials, Secret};
use terraform_provider_docusign::framework::Value;

use host::{Host, Version, null_object_of};

/// Launches the provider for `version`, reads its schema and configures it for `emu` with the
/// emulator's development token (`PrepareProviderConfig`, then `Configure`).
pub async fn configured(version: &'static Version, emu: &docusign_emulator::Running) -> Host {
    let mut host = Host::launch(version).await;
    host.get_provider_schema()
        .await
        .unwrap_or_else(|e| panic!("{}: schema: {e:?}", version.name));
    let i = emu.info();
    let config = null_object_of(
        &host.schemas().provider,
        &[
            ("base_uri", Value::string(&i.base_uri)),
            ("oauth_base_uri", Value::string(&i.oauth_base_uri)),
            ("account_id", Value::string(&i.account_id)),
            ("access_token", Value::string(&i.access_token)),
        ],
    );
    host.configure(&config)
        .await
        .unwrap_or_else(|e| panic!("{}: configure: {e:?}", version.name));
    host
}

/// A DocuSign client of the emulator's user, to make objects "by hand", outside Terraform.
pub fn by_hand(emu: &docusign_emulator::Running) -> Client {
    let i = emu.info();
    let mut c = ClientConfig::new(Credentials::AccessToken(Secret::new(
        i.access_token.clone(),
    )));
    c.oauth_base_uri = Some(i.oauth_base_uri.clone());
    c.base_uri = Some(i.base_uri.clone());
    c.account_id = Some(i.account_id.clone());
    Client::new(c).expect("client")
}

/// OAuth for Connect settings made by hand in `account`.
pub async fn oauth_by_hand(client: &Client, account: &str) {
    let settings = terraform_provider_docusign::client::ConnectOAuthConfig {
        authorization_server_url: Some("https://login.example.com/token".into()),
        client_id: Some("connect-client".into()),
        client_secret: Some(Secret::new("by-hand-secret")),
        ..Default::default()
    };
    client
        .create_oauth_config(Some(account), &settings)
        .await
        .expect("OAuth for Connect settings made by hand");
}

/// A Connect configuration made by hand in `account`; returns its `connectId`.
pub async fn configuration_by_hand(
    client: &Client,
    account: &str,
    name: &str,
    url: &str,
) -> String {
    let body = terraform_provider_docusign::client::ConnectConfiguration {
        configuration_type: Some("custom".into()),
        name: Some(name.into()),
        url_to_publish_to: Some(url.into()),
        all_users: Some(true),
        ..Default::default()
    };
    client
        .create_configuration(Some(account), &body)
        .await
        .expect("configuration made by hand")
        .connect_id
        .expect("a connectId")
}
