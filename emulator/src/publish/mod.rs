//! Publishing Connect messages: the control route that raises an event on an account, the
//! `connect/logs` and `connect/failures` API routes, and the sender that delivers each message
//! off the request path. It sits above `shared`; the delivery machinery it drives (matching,
//! message, authentication, journal, the engine) is the leaf module `delivery`.

pub mod sender;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

use crate::delivery::journal::Record;
use crate::delivery::matching;
use crate::delivery::message::{Envelope, EnvelopeInput, Event, Message, Sender};
use crate::http::{ApiError, empty_ok, json_response};
use crate::model;
use crate::shared::{Caller, Shared};
use crate::util::lock;

/// The body of `POST /_emulator/accounts/{accountId}/events`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RaiseRequest {
    /// A JSON SIM event name, e.g. `envelope-completed`.
    pub event: String,
    /// The sending user (default: the account's first user).
    pub user_id: Option<String>,
    /// The envelope (everything defaults).
    #[serde(default)]
    pub envelope: EnvelopeInput,
}

#[derive(Debug, Deserialize)]
struct RaiseQuery {
    wait: Option<bool>,
}

/// The sender of an event raised on `account`: the user `user_id` if given (a user the emulator
/// does not know keeps that id, with the account's first member's name), else the account's
/// first member.
fn sender_of(data: &crate::state::Data, account: &str, user_id: Option<&str>) -> Sender {
    let member = data
        .users
        .iter()
        .find(|u| u.accounts.iter().any(|a| a.eq_ignore_ascii_case(account)))
        .or_else(|| data.users.first());
    let chosen = user_id
        .and_then(|id| data.users.iter().find(|u| u.id.eq_ignore_ascii_case(id)))
        .or(member);
    Sender {
        user_id: user_id.map_or_else(
            || chosen.map(|u| u.id.clone()).unwrap_or_default(),
            str::to_owned,
        ),
        user_name: chosen.map(|u| u.name.clone()).unwrap_or_default(),
        email: chosen.map(|u| u.email.clone()).unwrap_or_default(),
    }
}

fn include_data(cfg: &serde_json::Map<String, Value>) -> Vec<String> {
    cfg.get("eventData")
        .and_then(|e| e.get("includeData"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn is_json_sim(cfg: &serde_json::Map<String, Value>) -> bool {
    cfg.get("eventData")
        .and_then(|e| e.get("version"))
        .and_then(Value::as_str)
        .is_some_and(|v| v.eq_ignore_ascii_case("restv2.1"))
}

/// Raises `req` on `account`: works out the receiving configurations, starts their
/// deliveries, and (with `wait`) waits for them to settle, retries included.
pub async fn raise(
    shared: &Arc<Shared>,
    account: &str,
    req: RaiseRequest,
    wait: bool,
) -> Result<Value, (StatusCode, String)> {
    let event = Event::parse(&req.event).map_err(|e| (StatusCode::BAD_REQUEST, e))?;
    let mut jobs = Vec::new();
    let mut skipped = Vec::new();
    let envelope;
    {
        let data = lock(&shared.data);
        let Some(acct) = data.account(account) else {
            return Err((
                StatusCode::NOT_FOUND,
                format!("no account {account} in the emulator"),
            ));
        };
        envelope = Envelope::new(
            &acct.id,
            sender_of(&data, &acct.id, req.user_id.as_deref()),
            req.envelope,
        );
        let recipient_users = envelope.recipient_user_ids();
        let mut configs: Vec<_> = acct.configs.iter().collect();
        configs.sort_by_key(|(id, _)| id.parse::<u64>().unwrap_or(u64::MAX));
        for (id, stored) in configs {
            let cfg = &stored.body;
            if let Err(reason) =
                matching::decide(cfg, &event, &envelope.sender.user_id, &recipient_users)
            {
                skipped.push(json!({"configurationId": id, "reason": reason}));
                continue;
            }
            if !is_json_sim(cfg) {
                let reason = "legacy XML messages (eventData.version other than restv2.1) are not emulated; nothing was sent";
                tracing::warn!(account = %acct.id, connect_id = %id, "{reason}");
                if model::flag(cfg, "enableLog") {
                    lock(&shared.delivery.journal).log(
                        &sender::entry(&envelope, &event, id, cfg),
                        0,
                        reason,
                        b"",
                    );
                }
                skipped.push(json!({"configurationId": id, "reason": reason}));
                continue;
            }
            let message = Message::new(&envelope, &event, id, &include_data(cfg));
            jobs.push(sender::Job::new(&envelope, &event, id, stored, message));
        }
    }
    let deliveries: Vec<Value> = jobs
        .iter()
        .map(|j| json!({"configurationId": j.connect_id, "urlToPublishTo": j.url}))
        .collect();
    let mut handles = Vec::new();
    for mut job in jobs {
        job.record = lock(&shared.delivery.journal).begin(Record {
            id: 0,
            account_id: envelope.account_id.clone(),
            configuration_id: job.connect_id.clone(),
            event: event.name.clone(),
            envelope_id: envelope.id.clone(),
            url: job.url.clone(),
            state: "pending".into(),
            attempts: Vec::new(),
        });
        handles.push((job.record, tokio::spawn(sender::run(shared.clone(), job))));
    }
    let mut answer = json!({
        "event": event.name,
        "accountId": envelope.account_id,
        "envelopeId": envelope.id,
        "deliveries": deliveries,
        "skipped": skipped,
    });
    if wait {
        let mut ids = Vec::new();
        for (id, h) in handles {
            let _ = h.await;
            ids.push(id);
        }
        let records = lock(&shared.delivery.journal).records();
        let done: Vec<Value> = records
            .into_iter()
            .filter(|r| ids.contains(&r.id))
            .map(|r| serde_json::to_value(r).unwrap_or_default())
            .collect();
        if let Value::Object(m) = &mut answer {
            m.insert("deliveries".into(), Value::Array(done));
        }
    }
    Ok(answer)
}

/// The control routes of delivery.
pub fn control_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_emulator/accounts/{acct}/events", post(raise_route))
        .route("/_emulator/deliveries", get(deliveries))
        .route(
            "/_emulator/connect/client-certificate",
            get(client_certificate),
        )
}

/// The REST routes of delivery: `connect/logs` and `connect/failures`.
pub fn api_routes() -> Router<Arc<Shared>> {
    const BASE: &str = "/restapi/v2.1/accounts/{accountId}/connect";
    Router::new()
        .route(&format!("{BASE}/logs"), get(logs).delete(delete_logs))
        .route(
            &format!("{BASE}/logs/{{logId}}"),
            get(log_one).delete(delete_log),
        )
        .route(&format!("{BASE}/failures"), get(failures))
        .route(
            &format!("{BASE}/failures/{{failureId}}"),
            delete(delete_failure),
        )
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    json_response(status, &json!({"error": message.into()}))
}

async fn raise_route(
    State(shared): State<Arc<Shared>>,
    Path(acct): Path<String>,
    Query(q): Query<RaiseQuery>,
    body: Bytes,
) -> Response {
    let req: RaiseRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let wait = q.wait.unwrap_or(false);
    match raise(&shared, &acct, req, wait).await {
        Ok(v) => json_response(
            if wait {
                StatusCode::OK
            } else {
                StatusCode::ACCEPTED
            },
            &v,
        ),
        Err((status, e)) => error(status, e),
    }
}

async fn deliveries(State(shared): State<Arc<Shared>>) -> Response {
    let records = lock(&shared.delivery.journal).records();
    json_response(
        StatusCode::OK,
        &serde_json::to_value(records).unwrap_or_default(),
    )
}

async fn client_certificate(State(shared): State<Arc<Shared>>) -> Response {
    match shared.delivery.clients() {
        Ok(c) => json_response(
            StatusCode::OK,
            &json!({"cert_pem": c.cert_pem, "ca_pem": c.ca_pem}),
        ),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

fn listing(key: &str, items: Vec<Value>) -> Value {
    let n = items.len().to_string();
    json!({ key: items, "totalRecords": n, "type": key })
}

/// `?additional_info=true`: log entries with their `connectDebugLog`.
fn additional_info(q: &HashMap<String, String>) -> bool {
    q.get("additional_info")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

async fn logs(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let debug = additional_info(&q);
    let items = lock(&shared.delivery.journal).logs(&caller.account_id, debug);
    Ok(json_response(StatusCode::OK, &listing("logs", items)))
}

async fn log_one(
    State(shared): State<Arc<Shared>>,
    Path((_, id)): Path<(String, String)>,
    caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let debug = additional_info(&q);
    match lock(&shared.delivery.journal).log_entry(&caller.account_id, &id, debug) {
        Some(l) => Ok(json_response(StatusCode::OK, &l)),
        None => Err(ApiError::bad_param(format!(
            "Invalid value specified for logId: no Connect log {id}."
        ))),
    }
}

async fn delete_logs(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
) -> Result<Response, ApiError> {
    lock(&shared.delivery.journal).delete_logs(&caller.account_id, None);
    Ok(empty_ok())
}

async fn delete_log(
    State(shared): State<Arc<Shared>>,
    Path((_, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<Response, ApiError> {
    if lock(&shared.delivery.journal).delete_logs(&caller.account_id, Some(&id)) {
        Ok(empty_ok())
    } else {
        Err(ApiError::bad_param(format!(
            "Invalid value specified for logId: no Connect log {id}."
        )))
    }
}

async fn failures(State(shared): State<Arc<Shared>>, caller: Caller) -> Result<Response, ApiError> {
    let items = lock(&shared.delivery.journal).failures(&caller.account_id);
    Ok(json_response(StatusCode::OK, &listing("failures", items)))
}

async fn delete_failure(
    State(shared): State<Arc<Shared>>,
    Path((_, id)): Path<(String, String)>,
    caller: Caller,
) -> Result<Response, ApiError> {
    if lock(&shared.delivery.journal).delete_failure(&caller.account_id, &id) {
        Ok(json_response(
            StatusCode::OK,
            &json!({"failureId": id, "status": "deleted"}),
        ))
    } else {
        Err(ApiError::bad_param(format!(
            "Invalid value specified for failureId: no Connect failure {id}."
        )))
    }
}
