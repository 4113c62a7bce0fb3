//! `docusign-emulator`: a local emulator of DocuSign's eSignature **Connect** API and the
//! OAuth JWT grant, behaving like DocuSign on the wire (see
//! `shared/reference/docusign-connect-api.md`). It serves plain HTTP on loopback only.
//!
//! Use it in-process ([`start`], [`start_blocking`]) or through the `docusign-emulator`
//! binary, which prints [`Info`] as the first stdout line.
//!
//! # Routes
//! * `POST /oauth/token` (JWT bearer grant), `GET /oauth/userinfo`.
//! * Under `/restapi/v2.1/accounts/{accountId}/`: `connect` (GET list, POST create, PUT
//!   update with `connectId` in the body), `connect/{connectId}` (GET, DELETE),
//!   `connect/oauth` (GET, POST, PUT, DELETE), `connect/secret` (GET, POST),
//!   `connect/secret/{keyId}` (DELETE), `connect/logs` (GET, DELETE), `connect/failures` (GET).
//! * The control surface under `/_emulator/` (see [`control`]).
//!
//! # Choices where the reference is UNCONFIRMED
//! * **PUT `/connect` merges**: fields omitted from the body keep their stored values
//!   (DocuSign's general update style: omitted = unchanged); `null` resets a field to its
//!   default / absent, and an empty list clears a list (unset lists are absent). The provider
//!   sends the complete object anyway.
//! * **Unknown `connectId`** (GET/DELETE/PUT): HTTP 400 (the only error status the spec
//!   declares for these operations) with `errorCode` `INVALID_REQUEST_PARAMETER`;
//!   `Config::not_found_status` can switch the status (e.g. to 404) to test both paths.
//! * **Rate limits** answer HTTP 400 by default ([`limits`]).
//! * **`connect/oauth`**: GET with nothing configured answers 200 `{}`; POST when one exists
//!   answers 400; PUT upserts (merge); DELETE answers 200 with an empty body even if none.
//! * **`connect/secret`** shapes ([`settings`]): POST 201
//!   `{"keyId","secretKey","createdDateTime"}` (the only time the full key is shown);
//!   GET 200 `{"secrets":[{"keyId","secretKey":"<first 4 chars>…","createdDateTime"}]}`.
//! * **Another account**: a token reaches every account of its user; any other account id
//!   answers 401 `USER_AUTHENTICATION_FAILED` "… Invalid account specified for user.".
//! * **integratorManaged**: on create/update with `integratorManaged "true"`, `includeOAuth`
//!   requires OAuth-for-Connect settings and `includeHMAC` at least one HMAC key on the
//!   calling token's home (default) account, else 400 `INVALID_REQUEST_PARAMETER`.

pub mod app;
pub mod cli;
pub mod connect;
pub mod control;
pub mod delivery;
pub mod faults;
pub mod limits;
pub mod listener;
pub mod model;
pub mod oauth;
pub mod reqlog;
pub mod server;
pub mod settings;
pub mod state;
pub mod swagger;
pub mod tls;
pub mod util;

use serde::Serialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use server::{BlockingRunning, Running, start, start_blocking};

/// Emulator configuration. [`Config::default`] listens on `127.0.0.1:0` with one account and
/// DocuSign's demo limits (3000/hour, burst 200 per 30 s) and a 3600 s token lifetime.
#[derive(Clone)]
pub struct Config {
    /// Listen address; must be a loopback address.
    pub listen: SocketAddr,
    /// Number of accounts of the default user (at least 1; the first is the default).
    pub accounts: usize,
    /// Registered JWT applications.
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
    pub delivery: delivery::DeliveryConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            accounts: 1,
            jwt_apps: Vec::new(),
            hourly_limit: 3000,
            burst_limit: 200,
            burst_window: Duration::from_secs(30),
            token_ttl: Duration::from_secs(3600),
            state_file: None,
            limit_status: 400,
            not_found_status: 400,
            allow_http_listeners: false,
            delivery: delivery::DeliveryConfig::default(),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("accounts", &self.accounts)
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

/// An application (integration key) allowed to use the JWT grant for the default user.
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
            .finish()
    }
}

impl Info {
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
    /// The state file could not be read or written.
    #[error(transparent)]
    State(#[from] state::StateError),
    /// The blocking helper could not start its runtime.
    #[error("cannot start the emulator runtime: {0}")]
    Runtime(String),
}
