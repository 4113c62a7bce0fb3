//! The DocuSign REST client: the only code that knows DocuSign's HTTP and JSON.
//!
//! * [`model`]: the typed Connect model (string booleans become `bool` here and only here).
//! * [`auth`]: JWT Grant or a raw access token, cached and re-minted; it sends a request with
//!   its token through the transport (and re-mints once on a 401). The transport knows no auth.
//! * [`discovery`]: which account, at which base URI (`/oauth/userinfo`), lazily.
//! * [`transport`], [`retry`], [`limiter`]: one attempt classified, the retry loop around it
//!   (timeouts, backoff), the shared limiter.
//! * [`api`]: [`Client`] and the typed calls, one file per API area, and the per-account list
//!   cache ([`cache`]).
//! * [`error`]: [`Error`]. [`secret`]: [`Secret`], which never prints itself.
//!
//! No Terraform types here. Nothing does I/O before the first call.

pub mod api;
pub mod auth;
pub mod cache;
pub mod config;
pub mod discovery;
pub mod error;
pub mod limiter;
pub mod matching;
pub mod model;
pub mod retry;
pub mod secret;
pub mod strbool;
pub mod transport;

pub use api::{Client, LogQuery};
pub use config::{ClientConfig, Credentials, Environment, RateLimit};
pub use discovery::Target;
pub use error::{Error, Result};
pub use model::{
    AccountInfo, ConnectConfigResults, ConnectConfiguration, ConnectLog, ConnectLogs,
    ConnectOAuthConfig, EventData, HmacSecret, HmacSecrets, UserInfo,
};
pub use secret::Secret;
