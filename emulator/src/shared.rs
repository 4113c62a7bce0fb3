//! The state every handler shares ([`Shared`]), issued tokens, and the [`Caller`] extractor
//! that checks a REST call's bearer token against the path's account.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::config::Info;
use crate::http::{ApiError, bearer};
use crate::limits::Limiter;
use crate::state::Data;
use crate::util::{self, lock};

/// An issued access token.
#[derive(Debug, Clone)]
pub struct TokenEntry {
    /// The user it acts for.
    pub user_id: String,
    /// The integration key that minted it.
    pub integration_key: String,
    /// Expiry (epoch seconds); `None` for the long-lived development token.
    pub expires_at: Option<u64>,
}

/// Everything the handlers share.
pub struct Shared {
    /// What clients need (URIs, ids, dev token).
    pub info: Info,
    /// Integration keys, the development key first.
    pub integration_keys: Vec<IntegrationKey>,
    /// Lifetime of JWT-minted tokens.
    pub token_ttl: std::time::Duration,
    /// Status of rate-limit answers.
    pub limit_status: StatusCode,
    /// Status of unknown-`connectId` answers.
    pub not_found_status: StatusCode,
    /// Whether `http://` listener URLs are accepted.
    pub allow_http_listeners: bool,
    /// The data (accounts, configurations, settings).
    pub data: Mutex<Data>,
    /// Issued tokens.
    pub tokens: Mutex<HashMap<String, TokenEntry>>,
    /// Rate limits.
    pub limits: Limiter,
    /// Injected faults.
    pub faults: crate::faults::Faults,
    /// The request log.
    pub log: crate::reqlog::Log,
    /// Where data is persisted.
    pub state_file: Option<PathBuf>,
    /// Connect delivery.
    pub delivery: crate::delivery::Engine,
}

/// An integration key as the emulator resolved it at start.
pub struct IntegrationKey {
    /// The key (`iss` of JWT assertions).
    pub id: String,
    /// The account that owns it.
    pub account_id: String,
    /// Its RSA public key; `None` for the development key and keys registered without one.
    pub public_key: Option<jsonwebtoken::DecodingKey>,
    /// Ids of the users who consented to it.
    pub consented: Vec<String>,
}

impl IntegrationKey {
    /// Whether user `user_id` consented to this key.
    pub fn consented_by(&self, user_id: &str) -> bool {
        self.consented
            .iter()
            .any(|u| u.eq_ignore_ascii_case(user_id))
    }
}

impl Shared {
    /// The integration key `id`.
    pub fn integration_key(&self, id: &str) -> Option<&IntegrationKey> {
        self.integration_keys.iter().find(|k| k.id == id)
    }

    /// Persists `data` if a state file is configured. Failures are logged, not answered:
    /// the in-memory change stands.
    pub fn persist(&self, data: &Data) {
        if let Some(path) = &self.state_file
            && let Err(e) = data.save(path)
        {
            tracing::error!(error = %e, "cannot save emulator state");
        }
    }
}

/// The entry of a valid, unexpired token.
pub fn token_entry(shared: &Shared, token: &str) -> Option<TokenEntry> {
    let tokens = lock(&shared.tokens);
    let entry = tokens.get(token)?;
    match entry.expires_at {
        Some(at) if at <= util::now_secs() => None,
        _ => Some(entry.clone()),
    }
}

/// What an authorized REST call knows about its caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's user.
    pub user_id: String,
    /// The integration key that minted the token.
    pub integration_key: String,
    /// The account that owns that integration key: the settings account of
    /// `integratorManaged` configurations.
    pub integrator_account_id: String,
    /// The account of the path, in its stored spelling.
    pub account_id: String,
}

/// Handlers of `/accounts/{accountId}/...` take a `Caller`: the bearer token is checked, and
/// that its user reaches the path's account, before the handler runs.
impl FromRequestParts<Arc<Shared>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Self::Rejection> {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, shared)
            .await
            .map_err(|_| ApiError::unknown_account())?;
        let account = params.get("accountId").map_or("", String::as_str);
        authorize(shared, &parts.headers, account)
    }
}

/// Checks the bearer token and that its user is a member of `account_id`.
fn authorize(shared: &Shared, headers: &HeaderMap, account_id: &str) -> Result<Caller, ApiError> {
    let Some(token) = bearer(headers) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "USER_AUTHENTICATION_FAILED",
            "One or both of Username and Password are invalid. Invalid access token",
        ));
    };
    let Some(entry) = token_entry(shared, token) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "AUTHORIZATION_INVALID_TOKEN",
            "The access token provided is expired, revoked or malformed. Authentication for System Application failed.",
        ));
    };
    let data = lock(&shared.data);
    let integrator_account_id = shared
        .integration_key(&entry.integration_key)
        .map(|k| k.account_id.clone())
        .unwrap_or_default();
    match data.member_account(&entry.user_id, account_id) {
        Some(a) => Ok(Caller {
            user_id: entry.user_id,
            integration_key: entry.integration_key,
            integrator_account_id,
            account_id: a.id.clone(),
        }),
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "USER_AUTHENTICATION_FAILED",
            "One or both of Username and Password are invalid. Invalid account specified for user.",
        )),
    }
}
