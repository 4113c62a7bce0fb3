//! Connect delivery: an event raised on an account (control route
//! `POST /_emulator/accounts/{accountId}/events`) is delivered to the `urlToPublishTo` of
//! every configuration of that account that receives it ([`matching`]), as DocuSign's JSON SIM
//! message ([`message`]), authenticated as the configuration says ([`auth`]), off the request
//! path with bounded concurrency and DocuSign's acknowledgement and retry rules ([`sender`]).
//! What happened is in the account's `connect/logs` and `connect/failures` and in
//! `GET /_emulator/deliveries` ([`journal`]).
//!
//! Listeners: `https` (with the CAs the emulator is told to trust, besides the platform's);
//! `http` only with `allow_http_listeners`; loopback hosts only unless `allow_any_host`.
//! Legacy XML messages (`eventData.version` other than `restv2.1`) are not emulated: the
//! configuration is skipped with a log entry saying so.

pub mod auth;
pub mod journal;
pub mod matching;
pub mod message;
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
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::http::{ApiError, empty_ok, json_response};
use crate::model;
use crate::shared::{Caller, Shared};
use crate::tls::Ca;
use crate::util::lock;
use journal::{Journal, Record};
use message::{Envelope, EnvelopeInput, Event, Message, Sender};

/// How the emulator delivers Connect messages.
#[derive(Clone)]
pub struct DeliveryConfig {
    /// Extra CA certificates (PEM) trusted for https listeners and authorization servers.
    pub trusted_ca_pems: Vec<String>,
    /// Deliver to hosts other than loopback addresses.
    pub allow_any_host: bool,
    /// Delay before the first retry; each further retry waits twice as long (at most an hour).
    pub retry_backoff: Duration,
    /// Retries after the first send, for configurations with `requiresAcknowledgement`.
    pub max_retries: u32,
    /// How long a listener (or authorization server) has to answer (DocuSign: 100 s).
    pub timeout: Duration,
    /// Messages in flight at once, across all accounts.
    pub concurrency: usize,
    /// The client certificate and key (PEM) presented to listeners that require mutual TLS;
    /// `None` generates one, with its CA, at first need (see
    /// `GET /_emulator/connect/client-certificate`).
    pub client_identity: Option<(String, String)>,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            trusted_ca_pems: Vec::new(),
            allow_any_host: false,
            retry_backoff: Duration::from_secs(30),
            max_retries: 10,
            timeout: Duration::from_secs(100),
            concurrency: 8,
            client_identity: None,
        }
    }
}

impl std::fmt::Debug for DeliveryConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryConfig")
            .field("trusted_cas", &self.trusted_ca_pems.len())
            .field("allow_any_host", &self.allow_any_host)
            .field("retry_backoff", &self.retry_backoff)
            .field("max_retries", &self.max_retries)
            .field("timeout", &self.timeout)
            .field("concurrency", &self.concurrency)
            .field(
                "client_identity",
                &self.client_identity.as_ref().map(|_| "[set]"),
            )
            .finish()
    }
}

/// The HTTP clients of delivery: one plain, one presenting the client certificate.
pub struct Clients {
    /// Without a client certificate (also used for token requests).
    pub plain: reqwest::Client,
    /// Presenting the client certificate.
    pub mutual: reqwest::Client,
    /// The client certificate (PEM).
    pub cert_pem: String,
    /// The CA that issued it, when the emulator generated it (PEM).
    pub ca_pem: Option<String>,
}

/// The delivery engine, one per emulator.
pub struct Engine {
    /// Its configuration.
    pub config: DeliveryConfig,
    /// Whether `http://` listeners are allowed.
    pub allow_http: bool,
    clients: OnceLock<Result<Clients, String>>,
    /// Cached OAuth-for-Connect tokens.
    pub tokens: auth::TokenCache,
    /// Logs, failures and records.
    pub journal: Mutex<Journal>,
    permits: Arc<tokio::sync::Semaphore>,
}

impl Engine {
    /// A new engine.
    pub fn new(config: DeliveryConfig, allow_http: bool) -> Engine {
        let permits = Arc::new(tokio::sync::Semaphore::new(config.concurrency.max(1)));
        Engine {
            config,
            allow_http,
            clients: OnceLock::new(),
            tokens: auth::TokenCache::default(),
            journal: Mutex::new(Journal::default()),
            permits,
        }
    }

    /// The HTTP clients, built at first need.
    pub fn clients(&self) -> Result<&Clients, String> {
        self.clients
            .get_or_init(|| build_clients(&self.config))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Waits for a delivery slot.
    pub async fn permit(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        self.permits.clone().acquire_owned().await.ok()
    }
}

fn build_clients(config: &DeliveryConfig) -> Result<Clients, String> {
    let mut roots = Vec::new();
    for pem in &config.trusted_ca_pems {
        roots.extend(
            reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .map_err(|e| format!("a trusted CA is not valid PEM: {e}"))?,
        );
    }
    let (cert_pem, key_pem, ca_pem) = match &config.client_identity {
        Some((cert, key)) => (cert.clone(), key.clone(), None),
        None => {
            let ca = Ca::new("DocuSign Connect emulator CA")?;
            let client = ca.client("DocuSign Connect (emulator)")?;
            (client.cert_pem, client.key_pem, Some(ca.cert_pem))
        }
    };
    let identity = reqwest::Identity::from_pem(format!("{key_pem}\n{cert_pem}").as_bytes())
        .map_err(|e| format!("the Connect client certificate is not usable: {e}"))?;
    let builder = |identity: Option<reqwest::Identity>| {
        let mut b = reqwest::Client::builder()
            .no_proxy()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "docusign-emulator-connect/",
                env!("CARGO_PKG_VERSION")
            ));
        if !roots.is_empty() {
            b = b.tls_certs_merge(roots.clone());
        }
        if let Some(i) = identity {
            b = b.identity(i);
        }
        b.build()
            .map_err(|e| format!("cannot build the delivery HTTP client: {e}"))
    };
    Ok(Clients {
        plain: builder(None)?,
        mutual: builder(Some(identity))?,
        cert_pem,
        ca_pem,
    })
}

/// A short description of a transport error (the chain of sources, no URL secrets: Connect
/// URLs carry none the configuration does not show).
pub fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

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
