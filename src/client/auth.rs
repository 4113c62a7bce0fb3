//! Authentication: a raw access token, or OAuth JWT Grant with a cached, re-minted token.
//!
//! JWT Grant: the assertion has `iss` = integration key, `sub` = user id, `aud` = the OAuth
//! host (`host[:port]` of the OAuth base URI, no scheme), `scope` = `signature impersonation`,
//! `iat` = now and `exp` = `iat` + at most one hour; it is signed RS256 and exchanged at
//! `POST {oauth}/oauth/token`. The token is cached and re-minted before it expires, or when
//! DocuSign rejects it. Concurrent callers wait for one in-flight token request.

use std::fmt;
use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::config::Credentials;
use super::error::{Error, Result};
use super::limiter::Limiter;
use super::secret::Secret;
use super::transport::{ErrorDetails, Http, Request, Response};

/// The scopes the client asks for.
pub const SCOPES: &str = "signature impersonation";

/// The claims of a JWT Grant assertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub scope: String,
    pub iat: u64,
    pub exp: u64,
}

impl Claims {
    /// Claims for `now` (Unix seconds), with `lifetime` capped at one hour.
    pub fn new(
        integration_key: &str,
        user_id: &str,
        audience: &str,
        now: u64,
        lifetime: Duration,
    ) -> Self {
        let life = lifetime.as_secs().clamp(1, 3600);
        Claims {
            iss: integration_key.to_owned(),
            sub: user_id.to_owned(),
            aud: audience.to_owned(),
            scope: SCOPES.to_owned(),
            iat: now,
            exp: now + life,
        }
    }
}

enum Kind {
    Static(Secret),
    Jwt {
        integration_key: String,
        user_id: String,
        key: EncodingKey,
    },
}

struct Cached {
    token: Secret,
    refresh_at: Instant,
}

/// The token source of one client.
pub struct Auth {
    kind: Kind,
    oauth_base: String,
    audience: String,
    redirect_uri: String,
    lifetime: Duration,
    margin: Duration,
    cache: Mutex<Option<Cached>>,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            Kind::Static(_) => "access_token",
            Kind::Jwt { .. } => "jwt",
        };
        f.debug_struct("Auth")
            .field("kind", &kind)
            .field("oauth_base", &self.oauth_base)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Secret,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl Auth {
    /// Parses the credentials (the private key included); no I/O.
    pub fn new(
        credentials: &Credentials,
        oauth_base: &str,
        redirect_uri: &str,
        lifetime: Duration,
        margin: Duration,
    ) -> Result<Self> {
        let audience = authority(oauth_base)?;
        let kind = match credentials {
            Credentials::AccessToken(t) => {
                if t.expose().trim().is_empty() {
                    return Err(Error::config("access_token is empty"));
                }
                Kind::Static(t.clone())
            }
            Credentials::Jwt {
                integration_key,
                user_id,
                private_key_pem,
            } => {
                if integration_key.trim().is_empty() {
                    return Err(Error::config("integration_key is empty"));
                }
                if user_id.trim().is_empty() {
                    return Err(Error::config("user_id is empty"));
                }
                let key = EncodingKey::from_rsa_pem(private_key_pem.expose().as_bytes()).map_err(|e| {
                    Error::config(format!(
                        "private_key is not an RSA private key in PEM form (PKCS#1 or PKCS#8): {}",
                        jwt_error_kind(&e)
                    ))
                })?;
                Kind::Jwt {
                    integration_key: integration_key.clone(),
                    user_id: user_id.clone(),
                    key,
                }
            }
        };
        Ok(Auth {
            kind,
            oauth_base: oauth_base.trim_end_matches('/').to_owned(),
            audience,
            redirect_uri: redirect_uri.to_owned(),
            lifetime: lifetime.min(Duration::from_secs(3600)),
            margin,
            cache: Mutex::new(None),
        })
    }

    /// True when a rejected token can be replaced by minting a new one.
    pub fn can_remint(&self) -> bool {
        matches!(self.kind, Kind::Jwt { .. })
    }

    /// The `aud` claim: the OAuth host authority.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The URL a user opens to grant consent to the integration key.
    pub fn consent_url(&self) -> Option<String> {
        match &self.kind {
            Kind::Jwt {
                integration_key, ..
            } => Some(consent_url(
                &self.oauth_base,
                integration_key,
                &self.redirect_uri,
            )),
            Kind::Static(_) => None,
        }
    }

    /// A valid token: the cached one, or a freshly minted one (`cancel`: Terraform's `Stop`,
    /// which cuts short the mint's retry waits).
    pub async fn token(&self, http: &Http, cancel: &CancellationToken) -> Result<Secret> {
        let (integration_key, user_id, key) = match &self.kind {
            Kind::Static(t) => return Ok(t.clone()),
            Kind::Jwt {
                integration_key,
                user_id,
                key,
            } => (integration_key, user_id, key),
        };
        // Holding the lock across the request makes concurrent callers share it.
        let mut cache = self.cache.lock().await;
        if let Some(c) = cache.as_ref()
            && Instant::now() < c.refresh_at
        {
            return Ok(c.token.clone());
        }
        let minted = self
            .mint(http, integration_key, user_id, key, cancel)
            .await?;
        let token = minted.token.clone();
        *cache = Some(minted);
        Ok(token)
    }

    /// Forgets `rejected` if it is still the cached token, so the next call re-mints.
    pub async fn invalidate(&self, rejected: &Secret) {
        let mut cache = self.cache.lock().await;
        if cache.as_ref().is_some_and(|c| &c.token == rejected) {
            *cache = None;
        }
    }

    /// Sends `req` with a token from this source. When DocuSign rejects the token (HTTP 401),
    /// a JWT token is re-minted once and the request sent again; a second rejection, or one of
    /// a raw access token, fails saying what to check.
    pub async fn send(
        &self,
        http: &Http,
        req: &Request,
        limiter: Option<&Limiter>,
        cancel: &CancellationToken,
    ) -> Result<Response> {
        let token = self.token(http, cancel).await?;
        let first = http.execute(req, Some(&token), limiter, cancel).await;
        if !(is_rejection(&first) && self.can_remint()) {
            return first.map_err(|e| self.explain_rejection(e, false));
        }
        tracing::info!(operation = %req.operation, "DocuSign rejected the access token; minting a new one");
        self.invalidate(&token).await;
        let token = self.token(http, cancel).await?;
        http.execute(req, Some(&token), limiter, cancel)
            .await
            .map_err(|e| self.explain_rejection(e, true))
    }

    /// A rejected token's error, with what to check in front of DocuSign's message.
    fn explain_rejection(&self, error: Error, reminted: bool) -> Error {
        let Error::Unauthorized {
            operation,
            status: status @ Some(401),
            error_code,
            message,
        } = error
        else {
            return error;
        };
        let why = if reminted {
            "DocuSign rejected the access token, and again right after a new one was minted via JWT grant; check that the user is an account administrator and the integration key is allowed for this account"
        } else {
            "DocuSign rejected the access token; it may have expired or been revoked: provide a new access_token or use JWT grant credentials"
        };
        Error::Unauthorized {
            operation,
            status,
            error_code,
            message: format!("{why} ({message})"),
        }
    }

    async fn mint(
        &self,
        http: &Http,
        integration_key: &str,
        user_id: &str,
        key: &EncodingKey,
        cancel: &CancellationToken,
    ) -> Result<Cached> {
        const OP: &str = "DocuSign JWT grant (POST /oauth/token)";
        let claims = Claims::new(
            integration_key,
            user_id,
            &self.audience,
            super::retry::now_unix(),
            self.lifetime,
        );
        let assertion = jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, key)
            .map_err(|e| {
                Error::config(format!(
                    "could not sign the JWT assertion with private_key: {}",
                    jwt_error_kind(&e)
                ))
            })?;
        let form = format!(
            "grant_type={}&assertion={}",
            "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer", assertion
        );
        let started = Instant::now();
        let req = Request::new(
            OP,
            reqwest::Method::POST,
            format!("{}/oauth/token", self.oauth_base),
        )
        .form_body(form)
        .idempotent(true)
        .raw_errors(true);
        let resp = http.execute(&req, None, None, cancel).await?;
        if !(200..300).contains(&resp.status) {
            let err = ErrorDetails::parse(&resp.body);
            let code = err.error_code.unwrap_or_default();
            let desc = err.message.unwrap_or_default();
            if code == "consent_required" || desc == "consent_required" {
                return Err(Error::ConsentRequired {
                    integration_key: integration_key.to_owned(),
                    user_id: user_id.to_owned(),
                    url: consent_url(&self.oauth_base, integration_key, &self.redirect_uri),
                });
            }
            let hint = match (code.as_str(), desc.as_str()) {
                (_, "no_valid_keys_or_signatures") => format!(
                    "the JWT signature did not verify: private_key is not one of the RSA key pairs of integration key {integration_key}"
                ),
                (_, "issuer_not_found") | ("invalid_client", _) => format!(
                    "integration key {integration_key} is unknown at {}",
                    self.audience
                ),
                (_, "user_not_found") => format!("user {user_id} is unknown at {}", self.audience),
                _ => "DocuSign rejected the JWT assertion".to_owned(),
            };
            let detail = match (code.is_empty(), desc.is_empty()) {
                (true, true) => String::new(),
                (false, true) => format!(" ({code})"),
                (_, false) => format!(" ({code}: {desc})"),
            };
            let error_code = (!code.is_empty()).then_some(code);
            return Err(
                if resp.status == 400 || resp.status == 401 || resp.status == 403 {
                    Error::Unauthorized {
                        operation: OP.to_owned(),
                        status: Some(resp.status),
                        error_code,
                        message: format!("{hint}{detail}"),
                    }
                } else {
                    Error::Api {
                        operation: OP.to_owned(),
                        status: resp.status,
                        error_code,
                        message: format!("{hint}{detail}"),
                    }
                },
            );
        }
        let answer: TokenAnswer =
            serde_json::from_slice(&resp.body).map_err(|e| Error::Decode {
                operation: OP.to_owned(),
                message: super::transport::describe_json_error(&e),
            })?;
        let life = Duration::from_secs(answer.expires_in.unwrap_or(3600).max(1));
        let margin = self.margin.min(life / 4);
        tracing::debug!(
            expires_in_s = life.as_secs(),
            "DocuSign access token minted via JWT grant"
        );
        Ok(Cached {
            token: answer.access_token,
            refresh_at: started + (life - margin),
        })
    }
}

/// True for DocuSign's HTTP 401 answer to a call (not a refused JWT grant).
fn is_rejection(result: &Result<Response>) -> bool {
    matches!(
        result,
        Err(Error::Unauthorized {
            status: Some(401),
            ..
        })
    )
}

/// `host[:port]` of a base URI (what the `aud` claim names).
pub fn authority(base: &str) -> Result<String> {
    let url = reqwest::Url::parse(base)
        .map_err(|e| Error::config(format!("oauth_base_uri {base:?} is not a URL: {e}")))?;
    let host = url
        .host_str()
        .ok_or_else(|| Error::config(format!("oauth_base_uri {base:?} has no host")))?;
    Ok(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_owned(),
    })
}

/// The individual-consent URL for `integration_key`.
pub fn consent_url(oauth_base: &str, integration_key: &str, redirect_uri: &str) -> String {
    format!(
        "{}/oauth/auth?response_type=code&scope=signature%20impersonation&client_id={}&redirect_uri={}",
        oauth_base.trim_end_matches('/'),
        percent_encode(integration_key),
        percent_encode(redirect_uri)
    )
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A jsonwebtoken error, described without its payload.
fn jwt_error_kind(e: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match e.kind() {
        ErrorKind::InvalidKeyFormat => "invalid key format".to_owned(),
        ErrorKind::InvalidRsaKey(_) => "invalid RSA key".to_owned(),
        ErrorKind::InvalidAlgorithm => "the key does not fit RS256".to_owned(),
        _ => "unreadable key".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_follow_docusign_rules() {
        let c = Claims::new(
            "ik",
            "user-guid",
            "account-d.docusign.com",
            1000,
            Duration::from_secs(7200),
        );
        assert_eq!(c.iss, "ik");
        assert_eq!(c.sub, "user-guid");
        assert_eq!(c.aud, "account-d.docusign.com");
        assert_eq!(c.scope, "signature impersonation");
        assert_eq!(c.iat, 1000);
        assert_eq!(c.exp, 1000 + 3600, "exp - iat is capped at one hour");
        let short = Claims::new("ik", "u", "a", 5, Duration::from_secs(600));
        assert_eq!(short.exp - short.iat, 600);
    }

    #[test]
    fn audience_is_host_and_port_without_scheme() {
        assert_eq!(
            authority("https://account-d.docusign.com").unwrap(),
            "account-d.docusign.com"
        );
        assert_eq!(
            authority("https://account.docusign.com/").unwrap(),
            "account.docusign.com"
        );
        assert_eq!(
            authority("http://127.0.0.1:4567/x").unwrap(),
            "127.0.0.1:4567"
        );
        assert!(authority("not a url").is_err());
    }

    #[test]
    fn consent_url_is_exact() {
        assert_eq!(
            consent_url(
                "https://account-d.docusign.com/",
                "ab-12",
                "https://x.test/cb?a=1"
            ),
            "https://account-d.docusign.com/oauth/auth?response_type=code&scope=signature%20impersonation\
             &client_id=ab-12&redirect_uri=https%3A%2F%2Fx.test%2Fcb%3Fa%3D1"
        );
    }

    #[test]
    fn bad_private_key_is_a_config_error_without_the_key() {
        let creds = Credentials::Jwt {
            integration_key: "ik".into(),
            user_id: "u".into(),
            private_key_pem: Secret::new(
                "-----BEGIN RSA PRIVATE KEY-----\nTOPSECRETJUNK\n-----END RSA PRIVATE KEY-----",
            ),
        };
        let err = Auth::new(
            &creds,
            "https://account-d.docusign.com",
            "r",
            Duration::from_secs(3600),
            Duration::ZERO,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::Config { .. }), "{text}");
        assert!(text.contains("private_key"), "{text}");
        assert!(!text.contains("TOPSECRETJUNK"), "{text}");
    }
}
