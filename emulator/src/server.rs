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

use crate::app::{Shared, TokenEntry};
use crate::faults::{ConnKill, Faults};
use crate::limits::Limiter;
use crate::reqlog::Log;
use crate::state::Data;
use crate::{Config, Error, Info};

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

fn load_data(config: &Config) -> Result<Data, Error> {
    let mut data = match &config.state_file {
        Some(path) => Data::load(path)?.unwrap_or_else(|| Data::fresh(config.accounts)),
        None => Data::fresh(config.accounts),
    };
    if data.accounts.len() < config.accounts {
        let extra = Data::fresh(config.accounts - data.accounts.len());
        data.accounts.extend(extra.accounts);
    }
    if let Some(path) = &config.state_file {
        data.save(path)?;
    }
    Ok(data)
}

/// Starts the emulator on `config.listen` (loopback only) and returns once it accepts
/// connections.
pub async fn start(config: Config) -> Result<Running, Error> {
    if !config.listen.ip().is_loopback() {
        return Err(Error::NotLoopback(config.listen));
    }
    let mut jwt_apps = Vec::new();
    for app in &config.jwt_apps {
        let key = jsonwebtoken::DecodingKey::from_rsa_pem(app.public_key_pem.as_bytes()).map_err(
            |e| Error::BadKey {
                integration_key: app.integration_key.clone(),
                reason: e.to_string(),
            },
        )?;
        jwt_apps.push((app.clone(), key));
    }
    let data = load_data(&config)?;
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
    let base = format!("http://{addr}");
    let info = Info {
        base_uri: base.clone(),
        oauth_base_uri: base,
        account_id: data.home_account_id().to_owned(),
        accounts: data.accounts.iter().map(|a| a.id.clone()).collect(),
        user_id: data.user_id.clone(),
        access_token: data.dev_token.clone(),
    };
    let mut tokens = HashMap::new();
    tokens.insert(
        data.dev_token.clone(),
        TokenEntry {
            user_id: data.user_id.clone(),
            expires_at: None,
        },
    );
    let status = |code: u16| {
        axum::http::StatusCode::from_u16(code).unwrap_or(axum::http::StatusCode::BAD_REQUEST)
    };
    let shared = Arc::new(Shared {
        info: info.clone(),
        jwt_apps,
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
    let router = crate::app::router(shared);
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
