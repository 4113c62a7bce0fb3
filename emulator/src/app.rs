//! Shared server state, DocuSign-style error answers, bearer-token checks and the router
//! that ties the modules together.

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::limits::{Limiter, Verdict};
use crate::model::BadField;
use crate::state::Data;
use crate::{Info, JwtApp, util};

/// Locks a mutex, recovering the data if a previous holder panicked.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

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
    /// Connect delivery.
    pub delivery: crate::delivery::Engine,
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

/// A DocuSign REST error: `{"errorCode","message"}` with a status.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// `errorCode`.
    pub code: String,
    /// `message`.
    pub message: String,
}

impl ApiError {
    /// A new error.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// 400 `INVALID_REQUEST_PARAMETER`.
    pub fn bad_param(detail: impl AsRef<str>) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST_PARAMETER",
            format!(
                "The request contained at least one invalid parameter. {}",
                detail.as_ref()
            ),
        )
    }

    /// 400 `INVALID_REQUEST_PARAMETER` for an account the caller may use but the data lacks.
    pub fn unknown_account() -> Self {
        ApiError::bad_param("Unknown account.")
    }

    /// 400 `INVALID_REQUEST_BODY`.
    pub fn bad_body(detail: impl AsRef<str>) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST_BODY",
            format!(
                "The request body is missing or improperly formatted. {}",
                detail.as_ref()
            ),
        )
    }
}

/// A field DocuSign would refuse: 400 `INVALID_REQUEST_BODY` naming it.
impl From<BadField> for ApiError {
    fn from(e: BadField) -> Self {
        ApiError::bad_body(format!("Invalid value for '{}': {}.", e.field, e.reason))
    }
}

/// Parses a JSON object body, answering `INVALID_REQUEST_BODY` otherwise.
pub fn parse_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::bad_body("Expected a JSON object.")),
        Err(e) => Err(ApiError::bad_body(format!("{e}"))),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(
            self.status,
            &json!({"errorCode": self.code, "message": self.message}),
        )
    }
}

/// A JSON answer with DocuSign's content type.
pub fn json_response(status: StatusCode, value: &Value) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

/// 200 with an empty body (DocuSign's DELETE answer).
pub fn empty_ok() -> Response {
    let mut r = Response::new(Body::empty());
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    r
}

/// The bearer token of a request, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
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
    /// The token's user.
    pub user_id: String,
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
            user_id,
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

/// The `{accountId}` of a `/restapi/v2.1/accounts/{accountId}/...` path.
pub fn path_account(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/restapi/")?;
    let mut parts = rest.split('/');
    let _version = parts.next()?;
    (parts.next()? == "accounts").then_some(())?;
    parts.next().filter(|s| !s.is_empty())
}

/// Rate limiting for the REST API: counts the call, attaches the limit headers, and answers
/// DocuSign's limit errors.
async fn rate_limit(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let account = path_account(req.uri().path()).unwrap_or("").to_owned();
    let (verdict, headers) = shared.limits.check(&account);
    let mut response = match verdict {
        Verdict::Allowed => next.run(req).await,
        Verdict::Hourly => ApiError::new(
            shared.limit_status,
            "HOURLY_APIINVOCATION_LIMIT_EXCEEDED",
            format!(
                "The maximum number of hourly API invocations has been exceeded. The hourly limit is {}.",
                shared.limits.hourly()
            ),
        )
        .into_response(),
        Verdict::Burst => {
            let (limit, window) = shared.limits.burst();
            ApiError::new(
                shared.limit_status,
                "BURST_APIINVOCATION_LIMIT_EXCEEDED",
                format!(
                    "The maximum number of burst API invocations has been exceeded. The burst limit is {limit} per {} seconds.",
                    window.as_secs()
                ),
            )
            .into_response()
        }
    };
    response.headers_mut().extend(headers);
    response
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "RESOURCE_NOT_FOUND",
        "The URL provided does not resolve to a resource.",
    )
}

/// The whole application router.
pub fn router(shared: Arc<Shared>) -> Router {
    let rest = crate::connect::routes()
        .merge(crate::settings::routes())
        .merge(crate::delivery::api_routes())
        .route("/restapi/{*rest}", axum::routing::any(not_found))
        .route_layer(middleware::from_fn_with_state(shared.clone(), rate_limit));
    Router::new()
        .merge(rest)
        .merge(crate::oauth::routes())
        .merge(crate::control::routes())
        .merge(crate::delivery::control_routes())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            crate::faults::middleware,
        ))
        .with_state(shared)
}
