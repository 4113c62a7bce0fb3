//! Connect delivery: an event raised on an account (control route
//! `POST /_emulator/accounts/{accountId}/events`) is delivered to the `urlToPublishTo` of
//! every configuration of that account that receives it ([`matching`]), as DocuSign's JSON SIM
//! message ([`message`]), authenticated as the configuration says ([`auth`]), off the request
//! path with bounded concurrency and DocuSign's acknowledgement and retry rules (the sender in
//! `publish`, the module above this one that holds the routes and reaches the shared state).
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

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::tls::Ca;
use journal::Journal;

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
