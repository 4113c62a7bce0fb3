//! No secret (access token, private key, listener password, OAuth client secret, HMAC key)
//! appears in the client's logs (captured at TRACE), its errors, or any `Debug` output.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;
use terraform_provider_docusign::client::{Client, ConnectOAuthConfig, Credentials, Secret};
use tracing_subscriber::fmt::MakeWriter;

use crate::support::*;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

const CLIENT_SECRET: &str = "oauth-client-secret-7Hq2";

#[tokio::test]
async fn no_secret_in_logs_errors_or_debug() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let emu = Emu::start().await;
    let mut seen: Vec<String> = Vec::new();

    // JWT client: full lifecycle, with a re-mint and errors along the way.
    let cfg = emu.jwt_config();
    seen.push(format!("{cfg:?}"));
    let jwt = Client::new(cfg).unwrap();
    let created = jwt.create_configuration(None, &sample("s")).await.unwrap();
    seen.push(format!("{created:?}"));
    let id = created.connect_id.clone().unwrap();
    emu.expire_tokens().await;
    let got = jwt.get_configuration(None, &id).await.unwrap();
    seen.push(format!("{got:?}"));
    let mut upd = sample("s2");
    upd.connect_id = Some(id.clone());
    seen.push(format!("{:?}", jwt.update_configuration(None, &upd).await));
    let oauth = ConnectOAuthConfig {
        authorization_server_url: Some("https://auth.example/token".into()),
        client_id: Some("cid".into()),
        client_secret: Some(Secret::new(CLIENT_SECRET)),
        ..Default::default()
    };
    seen.push(format!("{oauth:?}"));
    seen.push(format!("{:?}", jwt.create_oauth_config(None, &oauth).await));
    seen.push(format!("{:?}", jwt.get_oauth_config(None).await));
    let hmac = jwt.create_hmac_secret(None).await.unwrap();
    let hmac_key = hmac.secrets[0].secret.as_ref().unwrap().expose().to_owned();
    seen.push(format!("{hmac:?}"));
    seen.push(format!("{:?}", jwt.list_hmac_secrets(None).await));
    seen.push(format!("{jwt:?}"));

    // Failures, with their Display and Debug.
    emu.fault(
        json!({"method": "GET", "path": emu.connect_path(""), "times": 2,
        "error": {"status": 401, "errorCode": "AUTHORIZATION_INVALID_TOKEN", "message": "bad"}}),
    )
    .await;
    let e1 = jwt.list_configurations(None).await.unwrap_err();
    let bad_key = Client::new(emu.jwt_config_for(IK, &other_keys().private_pem)).unwrap();
    let e2 = bad_key.list_configurations(None).await.unwrap_err();
    let no_consent = Client::new(emu.jwt_config_for(IK_NO_CONSENT, &keys().private_pem)).unwrap();
    let e3 = no_consent.list_configurations(None).await.unwrap_err();

    // Raw-token client: its token must not leak either.
    let token_client = Client::new(emu.token_config()).unwrap();
    seen.push(format!("{token_client:?}"));
    token_client.list_configurations(None).await.unwrap();
    emu.fault(json!({"method": "POST", "path": emu.connect_path(""), "drop": "after_commit"}))
        .await;
    let e4 = token_client
        .create_configuration(None, &sample("amb"))
        .await
        .unwrap_err();
    let mut bad_pem = emu.jwt_config();
    bad_pem.credentials = Credentials::Jwt {
        integration_key: IK.into(),
        user_id: Some(emu.info().user_id.clone()),
        account_users: Default::default(),
        private_key_pem: Secret::new(format!("{}garbage", &keys().private_pem[..200])),
    };
    let e5 = Client::new(bad_pem).unwrap_err();
    for e in [&e1, &e2, &e3, &e4, &e5] {
        seen.push(e.to_string());
        seen.push(format!("{e:?}"));
    }

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("DocuSign call answered"), "capture works");
    assert!(logs.contains("minting a new one"), "the re-mint was logged");

    let pem_lines: Vec<&str> = keys()
        .private_pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 40)
        .collect();
    assert!(pem_lines.len() > 10);
    let mut secrets: Vec<(&str, String)> = vec![
        ("dev access token", emu.info().access_token.clone()),
        ("listener password", LISTENER_PASSWORD.to_owned()),
        ("OAuth client secret", CLIENT_SECRET.to_owned()),
        ("HMAC key", hmac_key),
    ];
    for l in pem_lines {
        secrets.push(("private key line", l.to_owned()));
    }
    let haystacks = std::iter::once(("logs", &logs)).chain(seen.iter().map(|s| ("debug/error", s)));
    for (where_, text) in haystacks {
        for (what, secret) in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{what} leaked into {where_}: {text}"
            );
        }
    }
}
