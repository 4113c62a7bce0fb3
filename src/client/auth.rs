//! Authentication: a raw access token, or OAuth JWT Grant with a cached, re-minted token.
//!
//! JWT Grant: the assertion has `iss` = integration key, `sub` = user id, `aud` = the OAuth
//! host (`host[:port]` of the OAuth base URI, no scheme), `scope` = `signature impersonation`,
//! `iat` = now and `exp` = `iat` + at most one hour; it is signed RS256 and exchanged at
//! `POST {oauth}/oauth/token`. The token is cached and re-minted before it expires, or when
//! DocuSign rejects it. Concurrent callers wait for one in-flight token request.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
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
        key: EncodingKey,
        users: Users,
    },
}

/// Which user the JWT grant impersonates in which account.
struct Users {
    /// For the default account and any account `by_account` does not list.
    default: Option<String>,
    /// Lower-cased account id → user id.
    by_account: HashMap<String, String>,
}

impl Users {
    fn for_account(&self, account: Option<&str>) -> Result<&str> {
        let listed = account.and_then(|a| self.by_account.get(&a.trim().to_ascii_lowercase()));
        match (listed, &self.default, account) {
            (Some(user), _, _) => Ok(user),
            (None, Some(user), _) => Ok(user),
            (None, None, Some(a)) => Err(Error::config(format!(
                "no user to impersonate in account {a}: account_users does not list it and \
                 user_id is not set"
            ))),
            (None, None, None) => Err(Error::config(
                "no user to impersonate in the default account: set user_id, or account_id to \
                 an account listed in account_users",
            )),
        }
    }
}

struct Cached {
    token: Secret,
    refresh_at: Instant,
}

/// One user's token, shared by all of that user's calls.
type Slot = Arc<Mutex<Option<Cached>>>;

/// The token source of one client: a raw token, or JWT grant tokens minted and cached per
/// impersonated user.
pub struct Auth {
    kind: Kind,
    oauth_base: String,
    audience: String,
    redirect_uri: String,
    lifetime: Duration,
    margin: Duration,
    /// Lower-cased user id → that user's token.
    tokens: std::sync::Mutex<HashMap<String, Slot>>,
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
                account_users,
                private_key_pem,
            } => {
                if integration_key.trim().is_empty() {
                    return Err(Error::config("integration_key is empty"));
                }
                let default = user_id
                    .as_deref()
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned);
                if default.is_none() && account_users.is_empty() {
                    return Err(Error::config(
                        "user_id is empty and account_users lists no account",
                    ));
                }
                let mut by_account = HashMap::new();
                for (account, user) in account_users {
                    if account.trim().is_empty() || user.trim().is_empty() {
                        return Err(Error::config(format!(
                            "account_users: an empty account id or user id ({account:?} = {user:?})"
                        )));
                    }
                    by_account.insert(account.trim().to_ascii_lowercase(), user.trim().to_owned());
                }
                let key = EncodingKey::from_rsa_pem(private_key_pem.expose().as_bytes()).map_err(|e| {
                    Error::config(format!(
                        "private_key is not an RSA private key in PEM form (PKCS#1 or PKCS#8): {}",
                        jwt_error_kind(&e)
                    ))
                })?;
                Kind::Jwt {
                    integration_key: integration_key.clone(),
                    key,
                    users: Users {
                        default,
                        by_account,
                    },
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
            tokens: std::sync::Mutex::new(HashMap::new()),
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

    /// The user whose token a call on `account` uses (`None` = the default account): the one
    /// `account_users` names for it, else `user_id`. `None` for a raw access token.
    pub fn user_for(&self, account: Option<&str>) -> Result<Option<&str>> {
        match &self.kind {
            Kind::Static(_) => Ok(None),
            Kind::Jwt { users, .. } => users.for_account(account).map(Some),
        }
    }

    /// A valid token for `account`'s user: the cached one, or a freshly minted one (`cancel`:
    /// Terraform's `Stop`, which cuts short the mint's retry waits). Each user's token is
    /// minted once and shared by all of that user's calls.
    pub async fn token(
        &self,
        http: &Http,
        account: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<Secret> {
        let (integration_key, key, users) = match &self.kind {
            Kind::Static(t) => return Ok(t.clone()),
            Kind::Jwt {
                integration_key,
                key,
                users,
            } => (integration_key, key, users),
        };
        let user_id = users.for_account(account)?;
        let slot = self.slot(user_id);
        // Holding the lock across the request makes concurrent callers share it.
        let mut cache = slot.lock().await;
        if let Some(c) = cache.as_ref()
            && Instant::now() < c.refresh_at
        {
            return Ok(c.token.clone());
        }
        let minted = self
            .mint(http, integration_key, user_id, key, cancel)
            .await
            .map_err(|e| in_account(e, account))?;
        let token = minted.token.clone();
        *cache = Some(minted);
        Ok(token)
    }

    fn slot(&self, user_id: &str) -> Slot {
        let mut map = match self.tokens.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        map.entry(user_id.to_ascii_lowercase()).or_default().clone()
    }

    /// Forgets `rejected` if it is still `account`'s user's cached token, so the next call
    /// re-mints.
    pub async fn invalidate(&self, account: Option<&str>, rejected: &Secret) {
        let Ok(Some(user_id)) = self.user_for(account) else {
            return;
        };
        let slot = self.slot(user_id);
        let mut cache = slot.lock().await;
        if cache.as_ref().is_some_and(|c| &c.token == rejected) {
            *cache = None;
        }
    }

    /// Sends `req`, a call on `account` (`None`: the default account), with the token of that
    /// account's user. When DocuSign rejects the token (HTTP 401), a JWT token is re-minted once
    /// and the request sent again; a second rejection, or one of a raw access token, fails
    /// saying what to check.
    pub async fn send(
        &self,
        http: &Http,
        req: &Request,
        account: Option<&str>,
        limiter: Option<&Limiter>,
        cancel: &CancellationToken,
    ) -> Result<Response> {
        let token = self.token(http, account, cancel).await?;
        let first = http.execute(req, Some(&token), limiter, cancel).await;
        if !(is_rejection(&first) && self.can_remint()) {
            return first.map_err(|e| self.explain_rejection(e, account, false));
        }
        tracing::info!(operation = %req.operation, "DocuSign rejected the access token; minting a new one");
        self.invalidate(account, &token).await;
        let token = self.token(http, account, cancel).await?;
        http.execute(req, Some(&token), limiter, cancel)
            .await
            .map_err(|e| self.explain_rejection(e, account, true))
    }

    /// A rejected token's error, with what to check in front of DocuSign's message.
    fn explain_rejection(&self, error: Error, account: Option<&str>, reminted: bool) -> Error {
        let Error::Unauthorized {
            operation,
            status: status @ Some(401),
            error_code,
            message,
        } = error
        else {
            return error;
        };
        let why = match (reminted, self.user_for(account)) {
            (true, Ok(Some(user))) => {
                let account = account.map_or_else(|| "the default account".to_owned(), |a| format!("account {a}"));
                format!(
                    "DocuSign rejected the access token of user {user}, and again right after a \
                     new one was minted via JWT grant; check that user {user} is a member (an \
                     administrator) of {account} and that the integration key is allowed there"
                )
            }
            _ => "DocuSign rejected the access token; it may have expired or been revoked: provide a new access_token or use JWT grant credentials".to_owned(),
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
                    account: None,
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

/// A failed mint for a call on `account`: a missing consent names the account it was for.
fn in_account(error: Error, account: Option<&str>) -> Error {
    match error {
        Error::ConsentRequired {
            integration_key,
            user_id,
            url,
            account: None,
        } => Error::ConsentRequired {
            integration_key,
            user_id,
            url,
            account: account.map(str::to_owned),
        },
        other => other,
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

    fn jwt(user_id: Option<&str>, account_users: &[(&str, &str)]) -> Result<Auth> {
        let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
        let creds = Credentials::Jwt {
            integration_key: "ik".into(),
            user_id: user_id.map(str::to_owned),
            account_users: account_users
                .iter()
                .map(|(a, u)| (a.to_string(), u.to_string()))
                .collect(),
            private_key_pem: Secret::new(kp.serialize_pem()),
        };
        Auth::new(
            &creds,
            "https://account-d.docusign.com",
            "r",
            Duration::from_secs(3600),
            Duration::ZERO,
        )
    }

    #[test]
    fn each_account_impersonates_its_listed_user_and_the_rest_user_id() {
        let auth = jwt(Some("partner"), &[("ACC-A", "user-a"), ("acc-b", "user-b")]).unwrap();
        assert_eq!(auth.user_for(Some("acc-a")).unwrap(), Some("user-a"));
        assert_eq!(auth.user_for(Some(" Acc-B ")).unwrap(), Some("user-b"));
        assert_eq!(auth.user_for(Some("acc-c")).unwrap(), Some("partner"));
        assert_eq!(auth.user_for(None).unwrap(), Some("partner"));

        let listed_only = jwt(None, &[("acc-a", "user-a")]).unwrap();
        assert_eq!(listed_only.user_for(Some("acc-a")).unwrap(), Some("user-a"));
        let unlisted = listed_only.user_for(Some("acc-z")).unwrap_err().to_string();
        assert!(
            unlisted.contains("no user to impersonate in account acc-z"),
            "{unlisted}"
        );
        assert!(listed_only.user_for(None).is_err());

        assert!(jwt(None, &[]).is_err(), "a JWT grant needs some user");
        assert!(jwt(Some("u"), &[("acc-a", " ")]).is_err());
    }

    #[test]
    fn bad_private_key_is_a_config_error_without_the_key() {
        let creds = Credentials::Jwt {
            integration_key: "ik".into(),
            user_id: Some("u".into()),
            account_users: Default::default(),
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
