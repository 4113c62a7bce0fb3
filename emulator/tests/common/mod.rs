//! Shared helpers for the emulator's integration tests: start an emulator, call it, sign JWT
//! assertions, and check every JSON body against the official Swagger definitions.
#![allow(dead_code)]

use docusign_emulator::swagger::Spec;
use docusign_emulator::{Config, JwtApp, Running, start};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{Value, json};

pub const IK: &str = "11111111-2222-3333-4444-555555555555";
pub const IK_UNCONSENTED: &str = "99999999-2222-3333-4444-555555555555";

pub fn key(name: &str) -> String {
    let path = format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn config() -> Config {
    Config {
        jwt_apps: vec![
            JwtApp {
                integration_key: IK.into(),
                public_key_pem: key("app.pub.pem"),
                consented: true,
            },
            JwtApp {
                integration_key: IK_UNCONSENTED.into(),
                public_key_pem: key("app.pub.pem"),
                consented: false,
            },
        ],
        ..Config::default()
    }
}

pub struct Emu {
    pub running: Running,
    pub http: Client,
}

pub async fn emu() -> Emu {
    emu_with(config()).await
}

pub async fn emu_with(config: Config) -> Emu {
    let running = start(config).await.expect("emulator starts");
    Emu {
        running,
        http: Client::new(),
    }
}

/// A response read fully: status, headers, raw body, JSON (if any).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Answer {
    pub async fn read(r: Response) -> Answer {
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            text,
            json,
        }
    }

    /// Asserts the body matches a Swagger definition (unknown fields are errors).
    pub fn conforms(&self, definition: &str) -> &Self {
        let spec = Spec::cached().expect("swagger loads");
        if let Err(e) = spec.check(definition, &self.json) {
            panic!("{definition} violations {e:?} in {}", self.text);
        }
        self
    }

    /// Asserts a DocuSign error with the status and code, and that it is an `errorDetails`.
    pub fn error(&self, status: u16, code: &str) -> &Self {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        assert_eq!(self.json["errorCode"], code, "{}", self.text);
        assert!(self.json["message"].as_str().is_some_and(|m| !m.is_empty()));
        self.conforms("errorDetails")
    }
}

impl Emu {
    pub fn info(&self) -> &docusign_emulator::Info {
        self.running.info()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.info().base_uri)
    }

    pub fn connect_url(&self, account: &str, rest: &str) -> String {
        self.url(&format!("/restapi/v2.1/accounts/{account}/connect{rest}"))
    }

    pub async fn call(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut req = self.http.request(method, url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Answer::read(req.send().await.expect("request")).await
    }

    /// A call to the default account's `connect{rest}` with the dev token.
    pub async fn connect(&self, method: Method, rest: &str, body: Option<Value>) -> Answer {
        let url = self.connect_url(&self.info().account_id, rest);
        let token = self.info().access_token.clone();
        self.call(method, &url, Some(&token), body).await
    }

    pub async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        self.call(method, &self.url(&format!("/_emulator{path}")), None, body)
            .await
    }

    pub async fn token(&self, assertion: &str) -> Answer {
        let r = self
            .http
            .post(self.url("/oauth/token"))
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion),
            ])
            .send()
            .await
            .expect("token request");
        Answer::read(r).await
    }

    pub fn audience(&self) -> String {
        self.info().oauth_audience().to_owned()
    }
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Signs an RS256 assertion with the given private key file and claims.
pub fn assertion(private_key: &str, claims: &Value) -> String {
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(key(private_key).as_bytes()).unwrap();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        claims,
        &key,
    )
    .unwrap()
}

pub fn claims(emu: &Emu, iss: &str) -> Value {
    let now = now();
    json!({"iss": iss, "sub": emu.info().user_id, "aud": emu.audience(), "iat": now, "exp": now + 3600, "scope": "signature impersonation"})
}

/// A minimal valid create body.
pub fn minimal(name: &str) -> Value {
    json!({"name": name, "urlToPublishTo": "https://example.com/hook", "configurationType": "custom"})
}
