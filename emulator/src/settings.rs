//! Account-level Connect security settings: the `connect/oauth` singleton (OAuth for
//! Connect, `connectOAuthConfig`; `clientSecret` is stored but never echoed) and the
//! `connect/secret` HMAC keys (POST generates one and shows it in full once, GET lists them
//! truncated, DELETE `connect/secret/{keyId}` removes one).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get};
use serde_json::{Map, Value, json};
use std::sync::Arc;

use crate::http::{ApiError, empty_ok, json_response, parse_object};
use crate::model::{normalize_oauth, render_oauth};
use crate::shared::{Caller, Shared};
use crate::state::HmacKey;
use crate::util;
use crate::util::lock;

const BASE: &str = "/restapi/v2.1/accounts/{accountId}/connect";
const REQUIRED: &[&str] = &["authorizationServerUrl", "clientId", "clientSecret"];
/// HMAC keys per account beyond which the emulator warns (a third-party claim says DocuSign
/// allows up to 100; DocuSign's pages say nothing).
pub const MANY_HMAC_KEYS: usize = 100;

/// The routes of this module.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            &format!("{BASE}/oauth"),
            get(get_oauth)
                .post(create_oauth)
                .put(update_oauth)
                .delete(delete_oauth),
        )
        .route(&format!("{BASE}/secret"), get(list_keys).post(create_key))
        .route(&format!("{BASE}/secret/{{keyId}}"), delete(delete_key))
}

fn check_required(cfg: &Map<String, Value>) -> Result<(), ApiError> {
    for name in REQUIRED {
        let present = cfg
            .get(*name)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty());
        if !present {
            return Err(ApiError::bad_param(format!("{name} is required.")));
        }
    }
    Ok(())
}

fn parse_oauth(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    Ok(normalize_oauth(&parse_object(body)?)?)
}

async fn get_oauth(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let data = lock(&shared.data);
    let current = data
        .account(&caller.account_id)
        .and_then(|a| a.oauth.clone());
    let body = current
        .map(|m| render_oauth(&Value::Object(m)))
        .unwrap_or_else(|| json!({}));
    Ok(json_response(StatusCode::OK, &body))
}

async fn create_oauth(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let cfg = parse_oauth(&body)?;
    check_required(&cfg)?;
    let mut data = lock(&shared.data);
    let Some(acct) = data.account_mut(&caller.account_id) else {
        return Err(ApiError::unknown_account());
    };
    if acct.oauth.is_some() {
        // DocuSign's answer to a second POST is not documented: replace, and say so.
        tracing::warn!(account = %caller.account_id, "POST connect/oauth replaces the account's existing OAuth for Connect settings");
    }
    acct.oauth = Some(cfg.clone());
    shared.persist(&data);
    Ok(json_response(
        StatusCode::CREATED,
        &render_oauth(&Value::Object(cfg)),
    ))
}

async fn update_oauth(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input = parse_oauth(&body)?;
    let mut data = lock(&shared.data);
    let Some(acct) = data.account_mut(&caller.account_id) else {
        return Err(ApiError::unknown_account());
    };
    let mut cfg = acct.oauth.clone().unwrap_or_default();
    for (k, v) in input {
        cfg.insert(k, v);
    }
    check_required(&cfg)?;
    acct.oauth = Some(cfg.clone());
    shared.persist(&data);
    Ok(json_response(
        StatusCode::OK,
        &render_oauth(&Value::Object(cfg)),
    ))
}

async fn delete_oauth(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let mut data = lock(&shared.data);
    if let Some(acct) = data.account_mut(&caller.account_id) {
        acct.oauth = None;
    }
    shared.persist(&data);
    Ok(empty_ok())
}

fn truncated(secret: &str) -> String {
    let head: String = secret.chars().take(4).collect();
    format!("{head}…")
}

async fn list_keys(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let data = lock(&shared.data);
    let keys: Vec<Value> = data
        .account(&caller.account_id)
        .map(|a| {
            a.hmac_keys
                .iter()
                .map(|k| {
                    json!({"keyId": k.key_id, "secretKey": truncated(&k.secret), "createdDateTime": k.created})
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(json_response(StatusCode::OK, &json!({"secrets": keys})))
}

async fn create_key(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let mut data = lock(&shared.data);
    let Some(acct) = data.account_mut(&caller.account_id) else {
        return Err(ApiError::unknown_account());
    };
    if acct.hmac_keys.len() >= MANY_HMAC_KEYS {
        tracing::warn!(account = %caller.account_id, keys = acct.hmac_keys.len() + 1, "more than {MANY_HMAC_KEYS} HMAC keys: DocuSign may refuse this");
    }
    let key = HmacKey {
        key_id: util::guid(),
        secret: util::hmac_secret(),
        created: util::rfc3339(util::now_secs()),
    };
    let body =
        json!({"keyId": key.key_id, "secretKey": key.secret, "createdDateTime": key.created});
    acct.hmac_keys.push(key);
    shared.persist(&data);
    Ok(json_response(StatusCode::CREATED, &body))
}

async fn delete_key(
    State(shared): State<Arc<Shared>>,
    Path((_, key_id)): Path<(String, String)>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let mut data = lock(&shared.data);
    let Some(acct) = data.account_mut(&caller.account_id) else {
        return Err(ApiError::unknown_account());
    };
    let before = acct.hmac_keys.len();
    acct.hmac_keys
        .retain(|k| !k.key_id.eq_ignore_ascii_case(&key_id));
    if acct.hmac_keys.len() == before {
        return Err(ApiError::bad_param(format!(
            "Invalid value specified for keyId: no HMAC key {key_id}."
        )));
    }
    shared.persist(&data);
    Ok(empty_ok())
}
