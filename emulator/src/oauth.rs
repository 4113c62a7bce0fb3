//! DocuSign's OAuth service, JWT grant only: `POST /oauth/token` verifies an RS256 assertion
//! against the registered application's public key (`iss` = integration key, `sub` = user
//! id, `aud` = `host:port` of the OAuth base URI, `exp - iat` ≤ 3600 s, scope containing
//! `signature`) and answers like DocuSign (`invalid_grant` with an `error_description`,
//! `consent_required`, `unsupported_grant_type`). A minted token is bound to its integration
//! key and user. `GET /oauth/userinfo` lists the token's user's accounts with `base_uri`
//! pointing back at the emulator.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

use crate::http::{bearer, json_response};
use crate::shared::{Shared, TokenEntry, token_entry};
use crate::util;
use crate::util::lock;

/// The grant type of the JWT bearer flow.
pub const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The routes of this module.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/oauth/userinfo", get(userinfo))
}

fn oauth_error(error: &str, description: Option<&str>) -> Response {
    let body = match description {
        Some(d) => json!({"error": error, "error_description": d}),
        None => json!({"error": error}),
    };
    json_response(StatusCode::BAD_REQUEST, &body)
}

#[derive(Debug, Deserialize)]
struct Claims {
    iss: Option<String>,
    sub: Option<String>,
    iat: Option<u64>,
    exp: Option<u64>,
    scope: Option<String>,
}

/// An OAuth error answer: `error` and optional `error_description`.
#[derive(Debug, Clone, Copy)]
struct Refusal(&'static str, Option<&'static str>);

fn refuse(error: &'static str, description: Option<&'static str>) -> Refusal {
    Refusal(error, description)
}

/// Verifies a JWT assertion; on success returns the user id and the integration key.
fn verify(shared: &Shared, assertion: &str) -> Result<(String, String), Refusal> {
    let header = jsonwebtoken::decode_header(assertion)
        .map_err(|_| refuse("invalid_grant", Some("invalid_assertion")))?;
    if header.alg != Algorithm::RS256 {
        return Err(refuse("invalid_grant", Some("unsupported_algorithm")));
    }
    let unverified: Claims = jsonwebtoken::dangerous::insecure_decode_claims(assertion)
        .map_err(|_| refuse("invalid_grant", Some("invalid_assertion")))?;
    let iss = unverified.iss.unwrap_or_default();
    let Some(app) = shared.integration_key(&iss) else {
        return Err(refuse("invalid_grant", Some("issuer_not_found")));
    };
    let Some(key) = &app.public_key else {
        return Err(refuse("invalid_grant", Some("no_valid_keys_or_signatures")));
    };
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_aud = false;
    validation.set_required_spec_claims(&["exp"]);
    let claims = match jsonwebtoken::decode::<Claims>(assertion, key, &validation) {
        Ok(data) => data.claims,
        Err(e) => {
            return Err(match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    refuse("invalid_grant", Some("expired_assertion"))
                }
                jsonwebtoken::errors::ErrorKind::ImmatureSignature => {
                    refuse("invalid_grant", Some("assertion_not_yet_valid"))
                }
                _ => refuse("invalid_grant", Some("no_valid_keys_or_signatures")),
            });
        }
    };
    // `aud` may be a string or a list; check it after the signature.
    let aud_ok = jsonwebtoken::dangerous::insecure_decode_claims::<Value>(assertion)
        .ok()
        .and_then(|v| v.get("aud").cloned())
        .is_some_and(|aud| match aud {
            Value::String(s) => s == shared.info.oauth_audience(),
            Value::Array(items) => items
                .iter()
                .any(|i| i.as_str() == Some(shared.info.oauth_audience())),
            _ => false,
        });
    if !aud_ok {
        return Err(refuse("invalid_grant", Some("invalid_audience")));
    }
    let (Some(iat), Some(exp)) = (claims.iat, claims.exp) else {
        return Err(refuse("invalid_grant", Some("invalid_assertion")));
    };
    if exp <= iat || exp - iat > 3600 {
        return Err(refuse("invalid_grant", Some("invalid_token_lifetime")));
    }
    let scopes = claims.scope.unwrap_or_default();
    if !scopes.split_whitespace().any(|s| s == "signature") {
        return Err(refuse(
            "invalid_scope",
            Some("the scope must include signature"),
        ));
    }
    let sub = claims.sub.unwrap_or_default();
    let Some(user) = lock(&shared.data).user(&sub).map(|u| u.id.clone()) else {
        return Err(refuse("invalid_grant", Some("user_not_found")));
    };
    if !app.consented_by(&user) {
        return Err(refuse("consent_required", None));
    }
    Ok((user, app.id.clone()))
}

async fn token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let form: HashMap<String, String> = match serde_urlencoded_form(&body) {
        Some(f) => f,
        None => return oauth_error("invalid_request", Some("the body must be form-encoded")),
    };
    match form.get("grant_type").map(String::as_str) {
        Some(JWT_GRANT) => {}
        Some(_) => return oauth_error("unsupported_grant_type", None),
        None => return oauth_error("invalid_request", Some("grant_type is required")),
    }
    let Some(assertion) = form.get("assertion").filter(|a| !a.is_empty()) else {
        return oauth_error("invalid_request", Some("assertion is required"));
    };
    let (user_id, integration_key) = match verify(&shared, assertion) {
        Ok(u) => u,
        Err(Refusal(error, description)) => return oauth_error(error, description),
    };
    let token = util::token();
    let ttl = shared.token_ttl.as_secs();
    lock(&shared.tokens).insert(
        token.clone(),
        TokenEntry {
            user_id,
            integration_key,
            expires_at: Some(util::now_secs() + ttl),
        },
    );
    json_response(
        StatusCode::OK,
        &json!({"access_token": token, "token_type": "Bearer", "expires_in": ttl}),
    )
}

fn serde_urlencoded_form(body: &[u8]) -> Option<HashMap<String, String>> {
    std::str::from_utf8(body).ok()?;
    Some(form_urlencoded::parse(body).into_owned().collect())
}

async fn userinfo(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let entry = bearer(&headers).and_then(|t| token_entry(&shared, t));
    let data = lock(&shared.data);
    let Some(user) = entry.and_then(|e| data.user(&e.user_id)) else {
        return json_response(
            StatusCode::UNAUTHORIZED,
            &json!({"error": "invalid_token", "error_description": "The access token is missing, expired or invalid."}),
        );
    };
    let accounts: Vec<Value> = user
        .accounts
        .iter()
        .filter_map(|id| data.account(id))
        .enumerate()
        .map(|(i, a)| {
            json!({"account_id": a.id, "is_default": i == 0, "account_name": a.name, "base_uri": shared.info.base_uri})
        })
        .collect();
    let (given, family) = user.name.split_once(' ').unwrap_or((&user.name, ""));
    json_response(
        StatusCode::OK,
        &json!({
            "sub": user.id,
            "name": user.name,
            "given_name": given,
            "family_name": family,
            "created": "2024-01-01T00:00:00.000",
            "email": user.email,
            "accounts": accounts,
        }),
    )
}
