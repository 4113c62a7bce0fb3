//! How a message is authenticated, exactly as its configuration says:
//! * OAuth for Connect: a client-credentials grant against `authorizationServerUrl` (client id,
//!   secret and scope, plus `customParameters`, in the form body), the token cached until its
//!   `expires_in`, sent as `Authorization: Bearer`;
//! * HMAC: `X-DocuSign-Signature-1…N`, the base64 HMAC-SHA256 of the exact body bytes keyed with
//!   each key's secret (its UTF-8 bytes), oldest key first, plus `X-Authorization-Digest:
//!   HMACSHA256`;
//! * Basic: `Authorization: Basic` from `userName`/`password` (when OAuth is not used).

use base64::Engine as _;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::util::lock;

/// The signature headers for `body`, one per secret.
pub fn hmac_headers(secrets: &[String], body: &[u8]) -> Vec<(String, String)> {
    secrets
        .iter()
        .enumerate()
        .map(|(i, secret)| {
            let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret.as_bytes());
            let tag = aws_lc_rs::hmac::sign(&key, body);
            (
                format!("X-DocuSign-Signature-{}", i + 1),
                base64::engine::general_purpose::STANDARD.encode(tag.as_ref()),
            )
        })
        .collect()
}

/// The `Authorization` value of HTTP Basic authentication.
pub fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// OAuth-for-Connect settings (`connectOAuthConfig`) as delivery uses them.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OAuthSettings {
    /// The token URL.
    pub url: String,
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
    /// The scope, if any.
    pub scope: String,
    /// Extra form parameters, sorted.
    pub custom: Vec<(String, String)>,
}

impl std::fmt::Debug for OAuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthSettings")
            .field("url", &self.url)
            .field("client_id", &self.client_id)
            .field("scope", &self.scope)
            .field("client_secret", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

impl OAuthSettings {
    /// Reads stored settings.
    pub fn from_stored(m: &Map<String, Value>) -> OAuthSettings {
        let s = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let mut custom: Vec<(String, String)> = m
            .get("customParameters")
            .and_then(Value::as_object)
            .map(|p| {
                p.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        custom.sort();
        OAuthSettings {
            url: s("authorizationServerUrl"),
            client_id: s("clientId"),
            client_secret: s("clientSecret"),
            scope: s("scope"),
            custom,
        }
    }
}

/// Tokens from authorization servers, kept until they expire.
#[derive(Default)]
pub struct TokenCache {
    tokens: Mutex<HashMap<OAuthSettings, (String, Instant)>>,
}

impl TokenCache {
    /// A cached, unexpired token for `settings`.
    pub fn get(&self, settings: &OAuthSettings) -> Option<String> {
        let tokens = lock(&self.tokens);
        let (token, until) = tokens.get(settings)?;
        (Instant::now() < *until).then(|| token.clone())
    }

    /// Keeps `token` for `ttl`.
    pub fn put(&self, settings: &OAuthSettings, token: &str, ttl: Duration) {
        lock(&self.tokens).insert(settings.clone(), (token.to_owned(), Instant::now() + ttl));
    }
}

/// Runs the client-credentials grant; returns the token and its lifetime (`None` when the
/// server gave no `expires_in`: the token is then not cached). Errors name the server and its
/// answer, never the secret.
pub async fn client_credentials(
    http: &reqwest::Client,
    s: &OAuthSettings,
) -> Result<(String, Option<Duration>), String> {
    let mut form: Vec<(&str, &str)> = vec![
        ("grant_type", "client_credentials"),
        ("client_id", &s.client_id),
        ("client_secret", &s.client_secret),
    ];
    if !s.scope.is_empty() {
        form.push(("scope", &s.scope));
    }
    for (k, v) in &s.custom {
        form.push((k, v));
    }
    let resp = http
        .post(&s.url)
        .form(&form)
        .send()
        .await
        .map_err(|e| format!("token request to {} failed: {}", s.url, super::describe(&e)))?;
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if !status.is_success() {
        let err = body.get("error").and_then(Value::as_str).unwrap_or("");
        let desc = body
            .get("error_description")
            .and_then(Value::as_str)
            .unwrap_or("");
        return Err(format!(
            "authorization server {} answered HTTP {} to the client-credentials grant for client {}{}{}",
            s.url,
            status.as_u16(),
            s.client_id,
            if err.is_empty() { "" } else { ": " },
            [err, desc].join(" ").trim()
        ));
    }
    let Some(token) = body.get("access_token").and_then(Value::as_str) else {
        return Err(format!(
            "authorization server {} answered without an access_token",
            s.url
        ));
    };
    let ttl = match body.get("expires_in") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(t)) => t.parse().ok(),
        _ => None,
    }
    .map(Duration::from_secs);
    Ok((token.to_owned(), ttl))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_a_known_vector() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let h = hmac_headers(&["Jefe".into()], b"what do ya want for nothing?");
        let expected = base64::engine::general_purpose::STANDARD.encode([
            0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95,
            0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9,
            0x64, 0xec, 0x38, 0x43,
        ]);
        assert_eq!(h, vec![("X-DocuSign-Signature-1".to_owned(), expected)]);
    }

    #[test]
    fn basic_header() {
        assert_eq!(
            basic("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }
}
