//! [`ClientConfig`]: everything the client needs to know, given by the provider configuration.
//!
//! Building a config does no I/O and checks nothing; [`super::Client::new`] checks it (still
//! without I/O).

use std::collections::BTreeMap;
use std::time::Duration;

use super::secret::Secret;

/// DocuSign's two environments; they differ in their OAuth host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Environment {
    /// The developer sandbox: `account-d.docusign.com`.
    #[default]
    Demo,
    /// Production: `account.docusign.com`.
    Production,
}

impl Environment {
    /// The OAuth base URI of this environment.
    pub fn oauth_base_uri(self) -> &'static str {
        match self {
            Environment::Demo => "https://account-d.docusign.com",
            Environment::Production => "https://account.docusign.com",
        }
    }

    /// DocuSign's documented burst limit for this environment (calls per 30 s).
    pub fn burst_limit(self) -> u32 {
        match self {
            Environment::Demo => 200,
            Environment::Production => 500,
        }
    }
}

/// How the client authenticates.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// A ready-made OAuth access token (sent as `Authorization: Bearer`).
    AccessToken(Secret),
    /// OAuth JWT Grant: the client mints and re-mints tokens itself.
    Jwt {
        /// The integration key (OAuth client id): the `iss` claim.
        integration_key: String,
        /// The GUID of the user to impersonate (the `sub` claim) in the default account and in
        /// every account `account_users` does not list. `None`: only listed accounts are used.
        user_id: Option<String>,
        /// Account id → the GUID of the user to impersonate in that account: a member of it
        /// who consented to the integration key. A partner reaches each client account this
        /// way, with a token minted (and cached) per user.
        account_users: BTreeMap<String, String>,
        /// The RSA private key, PEM (PKCS#1 or PKCS#8).
        private_key_pem: Secret,
    },
}

/// The client-side limit on calls per account, shared by every concurrent call in the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// At most this many calls start within any `window`; 0 disables the limiter.
    pub max_calls: u32,
    /// The sliding window.
    pub window: Duration,
}

impl Default for RateLimit {
    /// 180 calls per 30 s: below DocuSign's demo burst limit of 200 per 30 s.
    fn default() -> Self {
        RateLimit {
            max_calls: 180,
            window: Duration::from_secs(30),
        }
    }
}

/// The DocuSign client's configuration.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub environment: Environment,
    /// The account's base URI (as in userinfo, e.g. `https://demo.docusign.net`); the REST API is
    /// `base_uri + "/restapi"`. When set, discovery is skipped.
    pub base_uri: Option<String>,
    /// Overrides the environment's OAuth host (scheme optional, `https` assumed).
    pub oauth_base_uri: Option<String>,
    /// The default account; `None` means the user's default account (from userinfo).
    pub account_id: Option<String>,
    pub credentials: Credentials,
    /// Retries after the first attempt, for retryable failures.
    pub max_retries: u32,
    /// Timeout of one HTTP request (connect + send + answer).
    pub request_timeout: Duration,
    /// First backoff delay; doubles on each retry, with jitter.
    pub retry_base_delay: Duration,
    /// Cap of one backoff delay (a server-given reset time may ask for longer, up to the budget).
    pub retry_max_delay: Duration,
    /// Total time one call may spend retrying before giving up.
    pub retry_budget: Duration,
    pub rate_limit: RateLimit,
    /// The redirect URI put in the consent URL of a `consent_required` error; it must be one of
    /// the integration key's registered redirect URIs.
    pub consent_redirect_uri: String,
    /// Lifetime asked for in the JWT assertion (`exp - iat`), capped at one hour.
    pub jwt_lifetime: Duration,
    /// A token is re-minted this long before it expires (at most a quarter of its lifetime).
    pub token_refresh_margin: Duration,
    pub user_agent: String,
}

impl ClientConfig {
    /// A configuration with defaults for everything but the credentials.
    pub fn new(credentials: Credentials) -> Self {
        ClientConfig {
            environment: Environment::Demo,
            base_uri: None,
            oauth_base_uri: None,
            account_id: None,
            credentials,
            max_retries: 5,
            request_timeout: Duration::from_secs(60),
            retry_base_delay: Duration::from_millis(500),
            retry_max_delay: Duration::from_secs(30),
            retry_budget: Duration::from_secs(300),
            rate_limit: RateLimit::default(),
            consent_redirect_uri: "https://developers.docusign.com/platform/auth/consent".into(),
            jwt_lifetime: Duration::from_secs(3600),
            token_refresh_margin: Duration::from_secs(300),
            user_agent: concat!("terraform-provider-docusign/", env!("CARGO_PKG_VERSION")).into(),
        }
    }
}
