//! What the emulator is started with ([`Config`], [`JwtApp`]), what it tells clients
//! ([`Info`]), and why starting can fail ([`Error`]).

use serde::Serialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::state::StateError;
use crate::topology::Topology;

/// Emulator configuration. [`Config::default`] listens on `127.0.0.1:0` with one account and
/// DocuSign's demo limits (3000/hour, burst 200 per 30 s) and a 3600 s token lifetime.
#[derive(Clone)]
pub struct Config {
    /// Listen address; must be a loopback address.
    pub listen: SocketAddr,
    /// Number of accounts of the default user (at least 1; the first is the default), when
    /// no `topology` is given.
    pub accounts: usize,
    /// Accounts, users, integration keys and consents; `None` for one user who is a member
    /// of `accounts` accounts.
    pub topology: Option<Topology>,
    /// Integration keys owned by the first account, for the default (first) user.
    pub jwt_apps: Vec<JwtApp>,
    /// Hourly API call limit per account.
    pub hourly_limit: u32,
    /// Burst API call limit per account and window.
    pub burst_limit: u32,
    /// Burst window.
    pub burst_window: Duration,
    /// Lifetime of tokens minted by the JWT grant.
    pub token_ttl: Duration,
    /// Optional file keeping the data across restarts.
    pub state_file: Option<PathBuf>,
    /// HTTP status of rate-limit answers (400 by default; 429 is the other candidate).
    pub limit_status: u16,
    /// HTTP status for an unknown `connectId` (400 by default).
    pub not_found_status: u16,
    /// Accept `http://` listener URLs (DocuSign requires https unless an account setting
    /// allows HTTP listeners). Off by default.
    pub allow_http_listeners: bool,
    /// Connect delivery: trusted CAs, hosts, retries, concurrency, the client certificate.
    pub delivery: crate::delivery::DeliveryConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            accounts: 1,
            topology: None,
            jwt_apps: Vec::new(),
            hourly_limit: 3000,
            burst_limit: 200,
            burst_window: Duration::from_secs(30),
            token_ttl: Duration::from_secs(3600),
            state_file: None,
            limit_status: 400,
            not_found_status: 400,
            allow_http_listeners: false,
            delivery: crate::delivery::DeliveryConfig::default(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("accounts", &self.accounts)
            .field("topology", &self.topology)
            .field("jwt_apps", &self.jwt_apps)
            .field("hourly_limit", &self.hourly_limit)
            .field("burst_limit", &self.burst_limit)
            .field("burst_window", &self.burst_window)
            .field("token_ttl", &self.token_ttl)
            .field("state_file", &self.state_file)
            .field("limit_status", &self.limit_status)
            .field("not_found_status", &self.not_found_status)
            .field("allow_http_listeners", &self.allow_http_listeners)
            .field("delivery", &self.delivery)
            .finish()
    }
}

/// An application (integration key) owned by the first account, allowed to use the JWT grant
/// for the default (first) user.
#[derive(Clone, Debug)]
pub struct JwtApp {
    /// The integration key (`iss` of assertions).
    pub integration_key: String,
    /// The RSA public key in PEM (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`).
    pub public_key_pem: String,
    /// Whether the default user has consented; if not, grants answer `consent_required`.
    pub consented: bool,
}

/// What a client needs to talk to the emulator; printed as the first stdout line by the CLI.
#[derive(Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Info {
    /// Like userinfo's `base_uri`; the REST API is under `base_uri + "/restapi"`.
    pub base_uri: String,
    /// The OAuth base (`/oauth/token`, `/oauth/userinfo`); JWT `aud` is its `host:port`.
    pub oauth_base_uri: String,
    /// The default account id.
    pub account_id: String,
    /// All account ids of the user, the default first.
    pub accounts: Vec<String>,
    /// The user id (JWT `sub`).
    pub user_id: String,
    /// A long-lived development access token for the user.
    pub access_token: String,
    /// The development integration key (owned by the first account) that development access
    /// tokens are bound to.
    #[serde(default)]
    pub integration_key: String,
    /// Every account, in topology order.
    #[serde(default)]
    pub all_accounts: Vec<AccountInfo>,
    /// Every user, the default user first.
    #[serde(default)]
    pub users: Vec<UserInfo>,
    /// Every integration key usable with the JWT grant, and the development key.
    #[serde(default)]
    pub integration_keys: Vec<IntegrationKeyInfo>,
}

/// One account of [`Info::all_accounts`].
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct AccountInfo {
    /// The account id.
    pub account_id: String,
    /// The account name (its label in the topology).
    pub name: String,
}

/// One user of [`Info::users`].
#[derive(Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct UserInfo {
    /// The user id (JWT `sub`).
    pub user_id: String,
    /// The display name (the label in the topology).
    pub name: String,
    /// The e-mail address.
    pub email: String,
    /// Ids of the accounts the user is a member of, the default first.
    pub accounts: Vec<String>,
    /// A long-lived development access token for this user, bound to the development
    /// integration key.
    pub access_token: String,
}

impl std::fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserInfo")
            .field("user_id", &self.user_id)
            .field("name", &self.name)
            .field("email", &self.email)
            .field("accounts", &self.accounts)
            .field("access_token", &"[REDACTED]")
            .finish()
    }
}

/// One integration key of [`Info::integration_keys`].
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct IntegrationKeyInfo {
    /// The integration key.
    pub integration_key: String,
    /// The account that owns it.
    pub account_id: String,
    /// Ids of the users who consented to it.
    pub consented_user_ids: Vec<String>,
}

impl std::fmt::Debug for Info {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Info")
            .field("base_uri", &self.base_uri)
            .field("oauth_base_uri", &self.oauth_base_uri)
            .field("account_id", &self.account_id)
            .field("accounts", &self.accounts)
            .field("user_id", &self.user_id)
            .field("access_token", &"[REDACTED]")
            .field("integration_key", &self.integration_key)
            .field("all_accounts", &self.all_accounts)
            .field("users", &self.users)
            .field("integration_keys", &self.integration_keys)
            .finish()
    }
}

impl Info {
    /// The id of the account named `name`.
    pub fn account_named(&self, name: &str) -> Option<&str> {
        self.all_accounts
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.account_id.as_str())
    }

    /// The user named `name`.
    pub fn user_named(&self, name: &str) -> Option<&UserInfo> {
        self.users.iter().find(|u| u.name == name)
    }

    /// The JWT audience the emulator expects: `host:port` of `oauth_base_uri`.
    pub fn oauth_audience(&self) -> &str {
        self.oauth_base_uri
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(&self.oauth_base_uri)
            .trim_end_matches('/')
    }
}

/// Errors starting the emulator.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The listen address is not a loopback address.
    #[error("refusing to listen on {0}: the emulator serves on loopback addresses only")]
    NotLoopback(SocketAddr),
    /// Binding the listener failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A JWT application's public key is not a usable RSA PEM key.
    #[error("public key of integration key {integration_key} is not a valid RSA PEM key: {reason}")]
    BadKey {
        /// The integration key.
        integration_key: String,
        /// Why.
        reason: String,
    },
    /// The topology is inconsistent (an unknown label, a duplicate, a user without account).
    #[error("invalid topology: {0}")]
    Topology(String),
    /// The state file could not be read or written.
    #[error(transparent)]
    State(#[from] StateError),
    /// The blocking helper could not start its runtime.
    #[error("cannot start the emulator runtime: {0}")]
    Runtime(String),
}
