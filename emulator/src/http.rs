//! DocuSign's answers on the wire, independent of the server's state: the REST error body
//! (`{"errorCode","message"}`), JSON and empty answers, body parsing, the bearer token of a
//! request and the account of a REST path. A leaf: it uses only the wire model.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::model::BadField;

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

/// The `{accountId}` of a `/restapi/v2.1/accounts/{accountId}/...` path.
pub fn path_account(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/restapi/")?;
    let mut parts = rest.split('/');
    let _version = parts.next()?;
    (parts.next()? == "accounts").then_some(())?;
    parts.next().filter(|s| !s.is_empty())
}
