//! The control surface under `/_emulator/` (not DocuSign's API; no authentication):
//!
//! | Route | Answer |
//! |---|---|
//! | `GET /_emulator/info` | the [`crate::Info`] object |
//! | `GET /_emulator/requests` | `[{seq, method, path, status, account_id?, body?, fault?}]` in order, secrets redacted; `status` is `null` for dropped connections |
//! | `DELETE /_emulator/requests` | 200, clears the log |
//! | `POST /_emulator/faults` | body: a [`crate::faults::FaultSpec`]; 201 `{"id": n}`; 400 `{"error": "..."}` if invalid |
//! | `GET /_emulator/faults` | `[{id, remaining, method?, path, times, delay_ms?, error?, drop?, malformed?}]` (`error`: `{status, errorCode?, message?, retry_after?}`) |
//! | `DELETE /_emulator/faults` | 200, removes all rules |
//! | `POST /_emulator/reset` | 200; removes all configurations, OAuth settings, HMAC keys, faults, the log and rate-limit counters (accounts, user and tokens stay) |
//! | `POST /_emulator/tokens/expire` | 200 `{"expired": n}`; every token minted by the JWT grant expires now (the dev token stays) |
//! | `GET /_emulator/accounts/{acct}/connect/{id}/delivery` | `{"auth": "oauth"\|"hmac"\|"oauth+hmac"\|"none", "settings_account_id", "configuration_account_id", "integrator_managed", "per_configuration_oauth"}`; 404 `{"error"}` if unknown |

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;
use std::sync::Arc;

use crate::faults::FaultSpec;
use crate::http::{empty_ok, json_response};
use crate::shared::Shared;
use crate::util;
use crate::util::lock;

/// The routes of this module.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_emulator/info", get(info))
        .route("/_emulator/requests", get(requests).delete(clear_requests))
        .route(
            "/_emulator/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/tokens/expire", post(expire_tokens))
        .route(
            "/_emulator/accounts/{acct}/connect/{id}/delivery",
            get(delivery),
        )
}

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

async fn info(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, &to_json(&shared.info))
}

async fn requests(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, &to_json(&shared.log.all()))
}

async fn clear_requests(State(shared): State<Arc<Shared>>) -> Response {
    shared.log.clear();
    empty_ok()
}

async fn list_faults(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, &to_json(&shared.faults.list()))
}

async fn add_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let spec: FaultSpec = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return json_response(StatusCode::BAD_REQUEST, &json!({"error": e.to_string()})),
    };
    if let Err(e) = spec.validate() {
        return json_response(StatusCode::BAD_REQUEST, &json!({"error": e}));
    }
    let id = shared.faults.add(spec);
    json_response(StatusCode::CREATED, &json!({"id": id}))
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    shared.faults.clear();
    empty_ok()
}

async fn reset(State(shared): State<Arc<Shared>>) -> Response {
    {
        let mut data = lock(&shared.data);
        data.clear();
        shared.persist(&data);
    }
    shared.faults.clear();
    shared.log.clear();
    lock(&shared.delivery.journal).clear();
    shared.limits.reset();
    empty_ok()
}

async fn expire_tokens(State(shared): State<Arc<Shared>>) -> Response {
    let now = util::now_secs();
    let mut n = 0u64;
    for entry in lock(&shared.tokens).values_mut() {
        if entry.expires_at.is_some() {
            entry.expires_at = Some(now);
            n += 1;
        }
    }
    json_response(StatusCode::OK, &json!({"expired": n}))
}

async fn delivery(
    State(shared): State<Arc<Shared>>,
    Path((acct, id)): Path<(String, String)>,
) -> Response {
    match crate::connect::delivery(&shared, &acct, &id) {
        Some(d) => json_response(StatusCode::OK, &to_json(&d)),
        None => json_response(
            StatusCode::NOT_FOUND,
            &json!({"error": format!("no configuration {id} in account {acct}")}),
        ),
    }
}
