//! Shared test helpers: RSA keys, an emulator with two JWT apps, control-surface calls, and
//! client configurations with fast retries.
#![allow(dead_code)]

use std::sync::OnceLock;
use std::time::Duration;

use docusign_emulator::{Config, Info, JwtApp, Running, start};
use serde_json::Value;
use terraform_provider_docusign::client::{
    ClientConfig, ConnectConfiguration, Credentials, EventData, Secret,
};

pub const IK: &str = "2f1c0a3e-1111-4222-8333-444455556666";
pub const IK_NO_CONSENT: &str = "9a8b7c6d-1111-4222-8333-444455556666";
pub const LISTENER_PASSWORD: &str = "listener-pw-Q7x!9zK";

pub struct Keys {
    pub private_pem: String,
    pub public_pem: String,
}

fn generate() -> Keys {
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("RSA key");
    Keys {
        private_pem: kp.serialize_pem(),
        public_pem: kp.public_key_pem(),
    }
}

/// The key pair registered with the emulator.
pub fn keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(generate)
}

/// A key pair the emulator does not know.
pub fn other_keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(generate)
}

pub fn emu_config() -> Config {
    Config {
        jwt_apps: vec![
            JwtApp {
                integration_key: IK.into(),
                public_key_pem: keys().public_pem.clone(),
                consented: true,
            },
            JwtApp {
                integration_key: IK_NO_CONSENT.into(),
                public_key_pem: keys().public_pem.clone(),
                consented: false,
            },
        ],
        ..Config::default()
    }
}

pub struct Emu {
    pub running: Running,
    pub http: reqwest::Client,
}

impl Emu {
    pub async fn start() -> Emu {
        Emu::with(emu_config()).await
    }

    pub async fn with(config: Config) -> Emu {
        Emu {
            running: start(config).await.expect("emulator starts"),
            http: reqwest::Client::new(),
        }
    }

    pub fn info(&self) -> &Info {
        self.running.info()
    }

    fn control(&self, path: &str) -> String {
        format!(
            "{}/_emulator/{path}",
            self.info().base_uri.trim_end_matches('/')
        )
    }

    /// The emulator's request log.
    pub async fn requests(&self) -> Vec<Value> {
        let v: Value = self
            .http
            .get(self.control("requests"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v.as_array().cloned().unwrap_or_default()
    }

    /// `(method, path, status)` of each logged call.
    pub async fn calls(&self) -> Vec<(String, String, Option<u16>)> {
        self.requests()
            .await
            .iter()
            .map(|e| {
                (
                    e["method"].as_str().unwrap_or("").to_owned(),
                    e["path"].as_str().unwrap_or("").to_owned(),
                    e["status"].as_u64().map(|s| s as u16),
                )
            })
            .collect()
    }

    pub async fn count(&self, method: &str, path: &str) -> usize {
        self.calls()
            .await
            .iter()
            .filter(|(m, p, _)| m == method && p == path)
            .count()
    }

    pub async fn clear_requests(&self) {
        self.http
            .delete(self.control("requests"))
            .send()
            .await
            .unwrap();
    }

    pub async fn fault(&self, spec: Value) {
        let r = self
            .http
            .post(self.control("faults"))
            .json(&spec)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            201,
            "fault rejected: {}",
            r.text().await.unwrap()
        );
    }

    pub async fn expire_tokens(&self) {
        self.http
            .post(self.control("tokens/expire"))
            .send()
            .await
            .unwrap();
    }

    /// `/restapi/v2.1/accounts/{account}/connect` + `rest`.
    pub fn connect_path(&self, rest: &str) -> String {
        format!(
            "/restapi/v2.1/accounts/{}/connect{rest}",
            self.info().account_id
        )
    }

    /// JWT credentials only (no account id, no base URI): discovery finds the rest.
    pub fn jwt_config(&self) -> ClientConfig {
        self.jwt_config_for(IK, &keys().private_pem)
    }

    pub fn jwt_config_for(&self, ik: &str, private_pem: &str) -> ClientConfig {
        let mut c = ClientConfig::new(Credentials::Jwt {
            integration_key: ik.into(),
            user_id: Some(self.info().user_id.clone()),
            account_users: Default::default(),
            private_key_pem: Secret::new(private_pem),
        });
        c.oauth_base_uri = Some(self.info().oauth_base_uri.clone());
        fast(&mut c);
        c
    }

    /// The emulator's development token, account id and base URI (no discovery).
    pub fn token_config(&self) -> ClientConfig {
        let mut c = ClientConfig::new(Credentials::AccessToken(Secret::new(
            self.info().access_token.clone(),
        )));
        c.oauth_base_uri = Some(self.info().oauth_base_uri.clone());
        c.base_uri = Some(self.info().base_uri.clone());
        c.account_id = Some(self.info().account_id.clone());
        fast(&mut c);
        c
    }
}

/// Short backoff so retry tests run in milliseconds.
pub fn fast(c: &mut ClientConfig) {
    c.retry_base_delay = Duration::from_millis(20);
    c.retry_max_delay = Duration::from_millis(400);
    c.retry_budget = Duration::from_secs(20);
    c.request_timeout = Duration::from_secs(10);
}

/// A JSON SIM configuration touching most kinds of fields.
pub fn sample(name: &str) -> ConnectConfiguration {
    ConnectConfiguration {
        configuration_type: Some("custom".into()),
        name: Some(name.into()),
        url_to_publish_to: Some("https://listener.example/hook".into()),
        allow_envelope_publish: Some(true),
        all_users: Some(true),
        delivery_mode: Some("SIM".into()),
        events: Some(vec!["envelope-sent".into(), "envelope-completed".into()]),
        event_data: Some(EventData {
            version: Some("restv2.1".into()),
            include_data: Some(vec!["recipients".into()]),
            ..Default::default()
        }),
        enable_log: Some(true),
        requires_acknowledgement: Some(true),
        include_sender_account_as_custom_field: Some(false),
        include_time_zone_information: Some(true),
        sign_message_with_x509_certificate: Some(false),
        user_name: Some("hook-user".into()),
        password: Some(Secret::new(LISTENER_PASSWORD)),
        ..Default::default()
    }
}
