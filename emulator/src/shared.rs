//! The state every handler shares ([`Shared`]), issued tokens, and the [`Caller`] extractor
//! that checks a REST call's bearer token against the path's account.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::config::{Info, JwtApp};
use crate::http::{ApiError, bearer};
use crate::limits::Limiter;
use crate::state::Data;
use crate::util::{self, lock};

/// An issued access token.
#[derive(Debug, Clone)]
pub struct TokenEntry {
    /// The user it acts for.
    pub user_id: String,
    /// Expiry (epoch seconds); `None` for the long-lived development token.
    pub expires_at: Option<u64>,
}

/// Everything the handlers share.
pub struct Shared {
    /// What clients need (URIs, ids, dev token).
    pub info: Info,
    /// Registered JWT applications with parsed keys.
    pub jwt_apps: Vec<(JwtApp, jsonwebtoken::DecodingKey)>,
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
}

impl Shared {
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

/// The user of a valid, unexpired token.
pub fn token_user(shared: &Shared, token: &str) -> Option<String> {
    let tokens = lock(&shared.tokens);
    let entry = tokens.get(token)?;
    match entry.expires_at {
        Some(at) if at <= util::now_secs() => None,
        _ => Some(entry.user_id.clone()),
    }
}

/// What an authorized REST call knows about its caller.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user's default ("home", integrator) account.
    pub home_account_id: String,
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

/// Checks the bearer token and that its user reaches `account_id`.
fn authorize(shared: &Shared, headers: &HeaderMap, account_id: &str) -> Result<Caller, ApiError> {
    let Some(token) = bearer(headers) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "USER_AUTHENTICATION_FAILED",
            "One or both of Username and Password are invalid. Invalid access token",
        ));
    };
    let Some(user_id) = token_user(shared, token) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "AUTHORIZATION_INVALID_TOKEN",
            "The access token provided is expired, revoked or malformed. Authentication for System Application failed.",
        ));
    };
    let data = lock(&shared.data);
    let account = data.account(account_id).filter(|_| data.user_id == user_id);
    match account {
        Some(a) => Ok(Caller {
            home_account_id: data.home_account_id().to_owned(),
            account_id: a.id.clone(),
        }),
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "USER_AUTHENTICATION_FAILED",
            "One or both of Username and Password are invalid. Invalid account specified for user.",
        )),
    }
}
