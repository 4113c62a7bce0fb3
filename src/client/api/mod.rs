//! [`Client`]: the typed DocuSign Connect API.
//!
//! Cheap to clone, `Send + Sync`, and lazy: construction checks the configuration and parses
//! the private key but does no I/O; the HTTP client, the token and discovery come with the first
//! call that needs them. Every call takes an explicit account id (`None` = the default account).
//!
//! One file per API area: [`identity`] (userinfo), [`configurations`], [`oauth`] (OAuth for
//! Connect), [`hmac`] (HMAC secrets), [`logs`] (logs and failures).
//!
//! [`Client::with_cancel`] gives a handle whose waits (rate limit, retry backoff) end with
//! [`Error::Cancelled`] once a token fires: resources pass Terraform's `Stop` this way.

mod configurations;
mod hmac;
mod identity;
mod logs;
mod oauth;

pub use logs::LogQuery;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;

use super::auth::Auth;
use super::cache::AccountCache;
use super::config::ClientConfig;
use super::discovery::{self, Target};
use super::error::{Error, Result};
use super::limiter::Limiter;
use super::model::UserInfo;
use super::retry::RetryPolicy;
use super::transport::{Http, Request, Response, describe_json_error};

/// The DocuSign client. Clone it freely: clones share the token, discovery, limiters and caches.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
    /// Cuts short this handle's waits (never cancelled unless given by [`Client::with_cancel`]).
    cancel: CancellationToken,
}

#[derive(Debug)]
struct Inner {
    oauth_base: String,
    base_uri: Option<String>,
    account_id: Option<String>,
    rate_limit: super::config::RateLimit,
    http: Http,
    auth: Auth,
    /// Lower-cased user id (empty for a raw token) → that user's userinfo.
    userinfo: Mutex<HashMap<String, Arc<OnceCell<UserInfo>>>>,
    default_target: OnceCell<Target>,
    limiters: Mutex<HashMap<String, Arc<Limiter>>>,
    caches: Mutex<HashMap<String, Arc<AccountCache>>>,
}

impl Client {
    /// Checks `config` (no I/O) and builds a client.
    pub fn new(config: ClientConfig) -> Result<Client> {
        let oauth_base = discovery::normalize_oauth_base(
            config
                .oauth_base_uri
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or(config.environment.oauth_base_uri()),
        );
        let base_uri = match config.base_uri.as_deref().map(str::trim) {
            Some("") | None => None,
            Some(b) => {
                let rest = discovery::rest_base(b);
                reqwest::Url::parse(&rest)
                    .map_err(|e| Error::config(format!("base_uri {b:?} is not a URL: {e}")))?;
                Some(rest)
            }
        };
        let account_id = config
            .account_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        if config.request_timeout.is_zero() {
            return Err(Error::config("request_timeout must be greater than zero"));
        }
        let auth = Auth::new(
            &config.credentials,
            &oauth_base,
            &config.consent_redirect_uri,
            config.jwt_lifetime,
            config.token_refresh_margin,
        )?;
        let policy = RetryPolicy {
            max_retries: config.max_retries,
            base_delay: config.retry_base_delay,
            max_delay: config.retry_max_delay,
            budget: config.retry_budget,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                oauth_base,
                base_uri,
                account_id,
                rate_limit: config.rate_limit,
                http: Http::new(policy, config.request_timeout, config.user_agent),
                auth,
                userinfo: Mutex::new(HashMap::new()),
                default_target: OnceCell::new(),
                limiters: Mutex::new(HashMap::new()),
                caches: Mutex::new(HashMap::new()),
            }),
            cancel: CancellationToken::new(),
        })
    }

    /// A handle sharing everything with this one whose waits end when `cancel` fires: waiting
    /// for the rate limit or for a retry then returns [`Error::Cancelled`] at once. A request
    /// already sent always runs to its answer (aborting a POST would make its outcome unknown).
    pub fn with_cancel(&self, cancel: CancellationToken) -> Client {
        Client {
            inner: self.inner.clone(),
            cancel,
        }
    }

    /// The OAuth base URI in use (e.g. `https://account-d.docusign.com`).
    pub fn oauth_base_uri(&self) -> &str {
        &self.inner.oauth_base
    }

    /// The URL to open to grant consent (JWT credentials only).
    pub fn consent_url(&self) -> Option<String> {
        self.inner.auth.consent_url()
    }

    async fn call(&self, t: &Target, req: Request) -> Result<Response> {
        let limiter = self.limiter(&t.account_id);
        self.inner
            .auth
            .send(
                &self.inner.http,
                &req,
                Some(&t.account_id),
                Some(&limiter),
                &self.cancel,
            )
            .await
    }

    fn limiter(&self, account_id: &str) -> Arc<Limiter> {
        let mut map = match self.inner.limiters.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        map.entry(account_id.to_ascii_lowercase())
            .or_insert_with(|| Arc::new(Limiter::new(self.inner.rate_limit)))
            .clone()
    }

    fn cache(&self, account_id: &str) -> Arc<AccountCache> {
        let mut map = match self.inner.caches.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        map.entry(account_id.to_ascii_lowercase())
            .or_default()
            .clone()
    }
}

pub(super) fn url_parsed(t: &Target, segments: &[&str]) -> Result<reqwest::Url> {
    let mut u = reqwest::Url::parse(&t.rest_base)
        .map_err(|e| Error::config(format!("REST base {:?} is not a URL: {e}", t.rest_base)))?;
    {
        let mut path = u.path_segments_mut().map_err(|()| {
            Error::config(format!("REST base {:?} cannot take a path", t.rest_base))
        })?;
        path.pop_if_empty();
        path.extend(["v2.1", "accounts", t.account_id.as_str()]);
        path.extend(segments);
    }
    Ok(u)
}

pub(super) fn url(t: &Target, segments: &[&str]) -> Result<String> {
    url_parsed(t, segments).map(String::from)
}

pub(super) fn to_json<T: Serialize>(op: &str, body: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(body).map_err(|e| Error::Decode {
        operation: op.to_owned(),
        message: format!("could not encode the request: {}", describe_json_error(&e)),
    })
}

pub(super) fn decode<T: DeserializeOwned>(op: &str, resp: &Response) -> Result<T> {
    serde_json::from_slice(&resp.body).map_err(|e| Error::Decode {
        operation: op.to_owned(),
        message: format!("HTTP {}: {}", resp.status, describe_json_error(&e)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::config::Credentials;
    use crate::client::secret::Secret;

    fn target() -> Target {
        Target {
            account_id: "acc/1".into(),
            rest_base: "http://127.0.0.1:9/restapi".into(),
        }
    }

    #[test]
    fn urls_escape_ids() {
        assert_eq!(
            url(&target(), &["connect", "12 3"]).unwrap(),
            "http://127.0.0.1:9/restapi/v2.1/accounts/acc%2F1/connect/12%203"
        );
    }

    #[test]
    fn construction_does_no_io_and_is_send_sync() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Client>();
        // An unroutable base: construction must still succeed without touching the network.
        let mut cfg = ClientConfig::new(Credentials::AccessToken(Secret::new("tok")));
        cfg.oauth_base_uri = Some("http://127.0.0.1:1".into());
        let c = Client::new(cfg).unwrap();
        assert_eq!(c.oauth_base_uri(), "http://127.0.0.1:1");
        assert!(!format!("{c:?}").contains("tok\""));
    }
}
