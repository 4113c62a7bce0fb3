//! Starting and stopping the emulator: binds a loopback listener, builds the shared state
//! (fresh or from the state file), and serves HTTP/1.1 with hyper. Each connection carries a
//! kill switch so a fault can close it without writing an answer.

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::config::{AccountInfo, Config, Error, Info, IntegrationKeyInfo, UserInfo};
use crate::faults::{ConnKill, Faults};
use crate::limits::Limiter;
use crate::reqlog::Log;
use crate::shared::{IntegrationKey, Shared, TokenEntry};
use crate::state::Data;
use crate::topology::Topology;

/// A running emulator. Dropping it stops the server.
pub struct Running {
    info: Info,
    addr: SocketAddr,
    stop: Option<watch::Sender<bool>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("info", &self.info)
            .field("addr", &self.addr)
            .finish()
    }
}

impl Running {
    /// What clients need: URIs, account and user ids, the dev token.
    pub fn info(&self) -> &Info {
        &self.info
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, closes open connections, and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The data: the state file's if there is one, made to hold the configured topology.
/// Without a topology, a state file whose first user is not the default one is kept as is.
fn load_data(config: &Config) -> Result<Data, Error> {
    let default = Topology::single_user(config.accounts);
    let topology = config.topology.as_ref().unwrap_or(&default);
    let loaded = match &config.state_file {
        Some(path) => Data::load(path)?,
        None => None,
    };
    let data = match loaded {
        None => Data::fresh(topology).map_err(Error::Topology)?,
        Some(mut data) => {
            let custom = data
                .default_user()
                .is_some_and(|u| u.name != crate::topology::DEFAULT_USER_NAME);
            if config.topology.is_some() || !custom {
                data.apply(topology).map_err(Error::Topology)?;
            }
            data
        }
    };
    if let Some(path) = &config.state_file {
        data.save(path)?;
    }
    Ok(data)
}

fn parse_key(integration_key: &str, pem: &str) -> Result<jsonwebtoken::DecodingKey, Error> {
    jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| Error::BadKey {
        integration_key: integration_key.to_owned(),
        reason: e.to_string(),
    })
}

/// The integration keys: the development key (owned by the first account, every user
/// consented), the topology's, then `jwt_apps` (owned by the first account, consented by
/// the default user when marked so).
fn integration_keys(config: &Config, data: &Data) -> Result<Vec<IntegrationKey>, Error> {
    let first_account = data
        .accounts
        .first()
        .map(|a| a.id.clone())
        .unwrap_or_default();
    let mut keys = vec![IntegrationKey {
        id: data.dev_integration_key.clone(),
        account_id: first_account.clone(),
        public_key: None,
        consented: data.users.iter().map(|u| u.id.clone()).collect(),
    }];
    let specs = config.topology.iter().flat_map(|t| &t.integration_keys);
    for spec in specs {
        let ik = &spec.integration_key;
        let account_id = data
            .account_id_of(&spec.account)
            .ok_or_else(|| {
                Error::Topology(format!(
                    "integration key {ik}: no account {:?}",
                    spec.account
                ))
            })?
            .to_owned();
        let consented = spec
            .consented_users
            .iter()
            .map(|label| {
                data.user_labelled(label)
                    .map(|u| u.id.clone())
                    .ok_or_else(|| {
                        Error::Topology(format!("integration key {ik}: no user {label:?}"))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let public_key = match &spec.public_key {
            Some(pem) => Some(parse_key(ik, pem)?),
            None => None,
        };
        keys.push(IntegrationKey {
            id: ik.clone(),
            account_id,
            public_key,
            consented,
        });
    }
    let default_user = data.default_user().map(|u| u.id.clone());
    for app in &config.jwt_apps {
        keys.push(IntegrationKey {
            id: app.integration_key.clone(),
            account_id: first_account.clone(),
            public_key: Some(parse_key(&app.integration_key, &app.public_key_pem)?),
            consented: default_user
                .iter()
                .filter(|_| app.consented)
                .cloned()
                .collect(),
        });
    }
    Ok(keys)
}

/// What clients need, from the data and the resolved keys.
fn info(base: String, data: &Data, keys: &[IntegrationKey]) -> Info {
    let default_user = data.default_user();
    let user_accounts = default_user.map(|u| u.accounts.clone()).unwrap_or_default();
    Info {
        base_uri: base.clone(),
        oauth_base_uri: base,
        account_id: user_accounts.first().cloned().unwrap_or_default(),
        accounts: user_accounts,
        user_id: default_user.map(|u| u.id.clone()).unwrap_or_default(),
        access_token: default_user
            .map(|u| u.dev_token.clone())
            .unwrap_or_default(),
        integration_key: data.dev_integration_key.clone(),
        all_accounts: data
            .accounts
            .iter()
            .map(|a| AccountInfo {
                account_id: a.id.clone(),
                name: a.name.clone(),
            })
            .collect(),
        users: data
            .users
            .iter()
            .map(|u| UserInfo {
                user_id: u.id.clone(),
                name: u.name.clone(),
                email: u.email.clone(),
                accounts: u.accounts.clone(),
                access_token: u.dev_token.clone(),
            })
            .collect(),
        integration_keys: keys
            .iter()
            .map(|k| IntegrationKeyInfo {
                integration_key: k.id.clone(),
                account_id: k.account_id.clone(),
                consented_user_ids: k.consented.clone(),
            })
            .collect(),
    }
}

/// Starts the emulator on `config.listen` (loopback only) and returns once it accepts
/// connections.
pub async fn start(config: Config) -> Result<Running, Error> {
    if !config.listen.ip().is_loopback() {
        return Err(Error::NotLoopback(config.listen));
    }
    let data = load_data(&config)?;
    let integration_keys = integration_keys(&config, &data)?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| Error::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| Error::Bind {
        addr: config.listen,
        source,
    })?;
    let info = info(format!("http://{addr}"), &data, &integration_keys);
    let tokens: HashMap<String, TokenEntry> = data
        .users
        .iter()
        .map(|u| {
            let entry = TokenEntry {
                user_id: u.id.clone(),
                integration_key: data.dev_integration_key.clone(),
                expires_at: None,
            };
            (u.dev_token.clone(), entry)
        })
        .collect();
    let status = |code: u16| {
        axum::http::StatusCode::from_u16(code).unwrap_or(axum::http::StatusCode::BAD_REQUEST)
    };
    let shared = Arc::new(Shared {
        info: info.clone(),
        integration_keys,
        token_ttl: config.token_ttl,
        limit_status: status(config.limit_status),
        not_found_status: status(config.not_found_status),
        allow_http_listeners: config.allow_http_listeners,
        data: Mutex::new(data),
        tokens: Mutex::new(tokens),
        limits: Limiter::new(config.hourly_limit, config.burst_limit, config.burst_window),
        faults: Faults::default(),
        log: Log::default(),
        state_file: config.state_file.clone(),
        delivery: crate::delivery::Engine::new(
            config.delivery.clone(),
            config.allow_http_listeners,
        ),
    });
    let router = crate::router::router(shared);
    let (stop_tx, stop_rx) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, router, stop_rx));
    tracing::info!(%addr, "docusign emulator listening");
    Ok(Running {
        info,
        addr,
        stop: Some(stop_tx),
        task: Some(task),
    })
}

async fn accept_loop(listener: TcpListener, router: axum::Router, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve_connection(stream, router.clone(), stop.clone()));
                }
                Err(e) => tracing::warn!(error = %e, "accept failed"),
            },
            _ = stop.changed() => break,
        }
    }
}

async fn serve_connection(
    stream: TcpStream,
    router: axum::Router,
    mut stop: watch::Receiver<bool>,
) {
    let kill = ConnKill::default();
    let switch = kill.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(switch.clone());
        router.clone().oneshot(req)
    });
    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = conn => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        _ = kill.0.notified() => tracing::debug!("connection dropped by an injected fault"),
        _ = stop.changed() => {}
    }
}

/// A running emulator on its own runtime thread, for non-async tests. Dropping it stops the
/// server and joins the thread.
pub struct BlockingRunning {
    info: Info,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for BlockingRunning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingRunning")
            .field("info", &self.info)
            .finish()
    }
}

impl BlockingRunning {
    /// What clients need.
    pub fn info(&self) -> &Info {
        &self.info
    }

    /// Stops the server and waits for its thread.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for BlockingRunning {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

type Started = Result<(Info, oneshot::Sender<()>), Error>;

/// Starts the emulator on a dedicated thread with its own Tokio runtime.
pub fn start_blocking(config: Config) -> Result<BlockingRunning, Error> {
    let (tx, rx) = std::sync::mpsc::channel::<Started>();
    let thread = std::thread::Builder::new()
        .name("docusign-emulator".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(Error::Runtime(e.to_string())));
                    return;
                }
            };
            rt.block_on(async move {
                match start(config).await {
                    Ok(running) => {
                        let (stop_tx, stop_rx) = oneshot::channel();
                        let _ = tx.send(Ok((running.info().clone(), stop_tx)));
                        let _ = stop_rx.await;
                        running.shutdown().await;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                }
            });
        })
        .map_err(|e| Error::Runtime(e.to_string()))?;
    match rx.recv() {
        Ok(Ok((info, stop))) => Ok(BlockingRunning {
            info,
            stop: Some(stop),
            thread: Some(thread),
        }),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => {
            let _ = thread.join();
            Err(Error::Runtime(
                "the emulator thread ended before starting".into(),
            ))
        }
    }
}
