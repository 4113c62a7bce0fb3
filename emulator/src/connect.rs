//! `connect` and `connect/{connectId}`: Connect configurations (list, create, update with the
//! id in the body, get as a `connectConfigResults` wrapper, delete with an empty 200).
//! `connect/logs` and `connect/failures` belong to [`crate::delivery`].

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};
use std::sync::{Arc, MutexGuard};

use crate::http::{ApiError, empty_ok, json_response, parse_object};
use crate::model;
use crate::shared::{Caller, Shared};
use crate::state::{Data, Delivery, StoredConfig};
use crate::util::lock;

const BASE: &str = "/restapi/v2.1/accounts/{accountId}/connect";

/// The routes of this module.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(BASE, get(list).post(create).put(update))
        .route(
            &format!("{BASE}/{{connectId}}"),
            get(get_one).delete(delete_one),
        )
}

fn not_found(shared: &Shared, id: &str) -> ApiError {
    ApiError::new(
        shared.not_found_status,
        "INVALID_REQUEST_PARAMETER",
        format!(
            "The request contained at least one invalid parameter. Invalid value specified for connectId: no Connect configuration {id} exists in this account."
        ),
    )
}

const TYPES: &[&str] = &["custom", "customrecipient", "salesforce", "eOriginal"];

/// DocuSign's own validation of a (merged) configuration.
fn validate(shared: &Shared, cfg: &Map<String, Value>) -> Result<(), ApiError> {
    let kind = model::text(cfg, "configurationType");
    if kind.is_empty() {
        return Err(ApiError::bad_param("configurationType is required."));
    }
    if !TYPES.iter().any(|t| t.eq_ignore_ascii_case(kind)) {
        return Err(ApiError::bad_param(format!(
            "Invalid configurationType '{kind}'. Valid values: custom, customrecipient, salesforce, eOriginal."
        )));
    }
    if model::text(cfg, "name").trim().is_empty() {
        return Err(ApiError::bad_param("name is required."));
    }
    let url = model::text(cfg, "urlToPublishTo");
    if url.is_empty() {
        return Err(ApiError::bad_param("urlToPublishTo is required."));
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| {
        lower
            .strip_prefix("http://")
            .filter(|_| shared.allow_http_listeners)
    });
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') => Ok(()),
        _ => Err(ApiError::bad_param(format!(
            "urlToPublishTo '{url}' is not valid: it must be an HTTPS URL."
        ))),
    }
}

/// Decides whose settings the configuration's messages use: with `integratorManaged`, the
/// account that owns the integration key of the caller's token (DocuSign: "the access token
/// used for the API call will identify the main account whose OAuth for Connect settings will
/// be used"). When that account lacks the settings the flags ask for, the configuration is
/// still stored and a warning logged: DocuSign documents that the settings must exist, not
/// that the API refuses the configuration, and without them delivery fails.
fn delivery_for(data: &Data, caller: &Caller, cfg: &Map<String, Value>) -> Delivery {
    let integrator = model::flag(cfg, "integratorManaged");
    let oauth = model::flag(cfg, "includeOAuth");
    let hmac = model::flag(cfg, "includeHMAC");
    let per_configuration = model::flag(cfg, "enableOAuthPerConfiguration");
    let settings_account_id = if integrator {
        caller.integrator_account_id.clone()
    } else {
        caller.account_id.clone()
    };
    if integrator {
        let owner = data.account(&settings_account_id);
        let has_oauth = owner.is_some_and(|a| a.oauth.is_some());
        let has_keys = owner.is_some_and(|a| !a.hmac_keys.is_empty());
        let missing = match (oauth && !per_configuration && !has_oauth, hmac && !has_keys) {
            (true, true) => Some("OAuth for Connect settings and HMAC keys"),
            (true, false) => Some("OAuth for Connect settings"),
            (false, true) => Some("HMAC keys"),
            (false, false) => None,
        };
        if let Some(missing) = missing {
            tracing::warn!(
                configuration_account = %caller.account_id,
                integrator_account = %settings_account_id,
                integration_key = %caller.integration_key,
                user = %caller.user_id,
                "an integratorManaged configuration uses the {missing} of the account that owns the token's integration key, which has none: its messages cannot be authenticated"
            );
        }
    }
    let auth = match (oauth, hmac) {
        (true, true) => "oauth+hmac",
        (true, false) => "oauth",
        (false, true) => "hmac",
        (false, false) => "none",
    };
    Delivery {
        auth: auth.to_owned(),
        settings_account_id,
        configuration_account_id: caller.account_id.clone(),
        integrator_managed: integrator,
        per_configuration_oauth: oauth && per_configuration,
    }
}

fn results(configs: Vec<Value>) -> Value {
    let n = configs.len();
    json!({"configurations": configs, "totalRecords": n.to_string()})
}

async fn list(State(shared): State<Arc<Shared>>, caller: Caller) -> Result<Response, ApiError> {
    let data = lock(&shared.data);
    let mut configs: Vec<&StoredConfig> = data
        .account(&caller.account_id)
        .map(|a| a.configs.values().collect())
        .unwrap_or_default();
    configs.sort_by_key(|c| {
        model::text(&c.body, "connectId")
            .parse::<u64>()
            .unwrap_or(u64::MAX)
    });
    let rendered = configs.iter().map(|c| model::render(&c.body)).collect();
    Ok(json_response(StatusCode::OK, &results(rendered)))
}

async fn create(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input = parse_object(&body)?;
    let mut cfg = model::with_defaults();
    model::apply(&mut cfg, &input)?;
    let data = lock(&shared.data);
    save(&shared, data, &caller, None, cfg)
}

/// Validates a complete configuration and stores it under `id`, or under a new id when `id` is
/// `None` (taken only once the configuration is valid), then answers 200 with it: creates
/// too, as DocuSign's demo API was recorded answering (its Swagger declares 201).
fn save(
    shared: &Shared,
    mut data: MutexGuard<'_, Data>,
    caller: &Caller,
    id: Option<String>,
    mut cfg: Map<String, Value>,
) -> Result<Response, ApiError> {
    validate(shared, &cfg)?;
    let delivery = delivery_for(&data, caller, &cfg);
    let id = id.unwrap_or_else(|| data.take_connect_id());
    cfg.insert("connectId".to_owned(), Value::String(id.clone()));
    let rendered = model::render(&cfg);
    let Some(acct) = data.account_mut(&caller.account_id) else {
        return Err(not_found(shared, &id));
    };
    acct.configs.insert(
        id,
        StoredConfig {
            body: cfg,
            delivery,
        },
    );
    shared.persist(&data);
    Ok(json_response(StatusCode::OK, &rendered))
}

async fn update(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input = parse_object(&body)?;
    let id = match input.get("connectId") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            return Err(ApiError::bad_param(
                "connectId is required in the request body.",
            ));
        }
    };
    let data = lock(&shared.data);
    let Some(stored) = data
        .account(&caller.account_id)
        .and_then(|a| a.configs.get(&id))
    else {
        return Err(not_found(&shared, &id));
    };
    let mut cfg = stored.body.clone();
    model::apply(&mut cfg, &input)?;
    save(&shared, data, &caller, Some(id), cfg)
}

async fn get_one(
    State(shared): State<Arc<Shared>>,
    Path((_, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let data = lock(&shared.data);
    let Some(stored) = data
        .account(&caller.account_id)
        .and_then(|a| a.configs.get(&id))
    else {
        return Err(not_found(&shared, &id));
    };
    Ok(json_response(
        StatusCode::OK,
        &results(vec![model::render(&stored.body)]),
    ))
}

async fn delete_one(
    State(shared): State<Arc<Shared>>,
    Path((_, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let mut data = lock(&shared.data);
    let removed = data
        .account_mut(&caller.account_id)
        .and_then(|a| a.configs.remove(&id));
    if removed.is_none() {
        return Err(not_found(&shared, &id));
    }
    shared.persist(&data);
    Ok(empty_ok())
}

/// The delivery record of configuration `id` in `account`, for the control surface.
pub fn delivery(shared: &Shared, account: &str, id: &str) -> Option<Delivery> {
    let data = lock(&shared.data);
    data.account(account)
        .and_then(|a| a.configs.get(id))
        .map(|c| c.delivery.clone())
}
