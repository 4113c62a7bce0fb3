//! A small Connect listener with an OAuth client-credentials authorization server beside it,
//! for tests and the quickstart (`docusign-emulator listen`). It serves on loopback, over https
//! (optionally requiring a client certificate from a given CA) or plain http, on its own
//! thread and runtime:
//! * `POST /token`: the client-credentials grant (`client_id`/`client_secret` in the form or as
//!   HTTP Basic); answers `{"access_token","token_type":"Bearer","expires_in"}` and remembers
//!   which client and scope each token was issued to. Any client is accepted unless
//!   [`ListenerConfig::clients`] lists the accepted ones.
//! * anything else: recorded (method, path, headers, body bytes, client certificate) and
//!   answered with the current status (200 unless set).

use base64::Engine as _;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::util::lock;

/// TLS of the listener.
#[derive(Clone)]
pub struct ListenerTls {
    /// The server certificate (PEM).
    pub cert_pem: String,
    /// Its key (PEM).
    pub key_pem: String,
    /// When set, a client certificate issued by this CA (PEM) is required.
    pub client_ca_pem: Option<String>,
}

/// How the listener behaves.
#[derive(Clone, Default)]
pub struct ListenerConfig {
    /// https when set, else plain http.
    pub tls: Option<ListenerTls>,
    /// Accepted `(client_id, client_secret)` pairs; empty accepts any client.
    pub clients: Vec<(String, String)>,
    /// `expires_in` of issued tokens (default 3600).
    pub token_ttl_secs: Option<u64>,
    /// Print a summary of every message to stdout (the `listen` subcommand).
    pub print: bool,
    /// Port (0: any).
    pub port: u16,
}

/// One request the listener received.
#[derive(Clone, Debug)]
pub struct Received {
    /// The method.
    pub method: String,
    /// The path.
    pub path: String,
    /// The headers, names in lower case, in order.
    pub headers: Vec<(String, String)>,
    /// The exact body bytes.
    pub body: Vec<u8>,
    /// The client certificate presented (DER), if any.
    pub client_cert: Option<Vec<u8>>,
}

impl Received {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The bearer token of `Authorization`, if any.
    pub fn bearer(&self) -> Option<&str> {
        self.header("authorization")?.strip_prefix("Bearer ")
    }
}

/// A token the authorization server issued.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    /// The token.
    pub token: String,
    /// To whom.
    pub client_id: String,
    /// For which scope (empty if none was asked).
    pub scope: String,
}

#[derive(Default)]
struct Seen {
    received: Vec<Received>,
    issued: Vec<IssuedToken>,
}

struct Inner {
    config: ListenerConfig,
    status: AtomicU16,
    failing: AtomicU32,
    failing_status: AtomicU16,
    seen: Mutex<Seen>,
}

/// A running listener; dropping it stops it.
pub struct Listener {
    addr: SocketAddr,
    https: bool,
    inner: Arc<Inner>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("addr", &self.addr)
            .finish()
    }
}

fn tls_acceptor(tls: &ListenerTls) -> Result<tokio_rustls::TlsAcceptor, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(tls.cert_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("listener certificate: {e}"))?;
    let key = PrivateKeyDer::from_pem_slice(tls.key_pem.as_bytes())
        .map_err(|e| format!("listener key: {e}"))?;
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = match &tls.client_ca_pem {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for c in CertificateDer::pem_slice_iter(ca.as_bytes()) {
                roots
                    .add(c.map_err(|e| format!("client CA: {e}"))?)
                    .map_err(|e| format!("client CA: {e}"))?;
            }
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
                    .build()
                    .map_err(|e| format!("client verifier: {e}"))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let config = builder
        .with_single_cert(certs, key)
        .map_err(|e| format!("listener certificate: {e}"))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

impl Listener {
    /// Starts a listener on 127.0.0.1.
    pub fn start(config: ListenerConfig) -> Result<Listener, String> {
        let acceptor = config.tls.as_ref().map(tls_acceptor).transpose()?;
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", config.port))
            .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", config.port))?;
        std_listener
            .set_nonblocking(true)
            .map_err(|e| e.to_string())?;
        let addr = std_listener.local_addr().map_err(|e| e.to_string())?;
        let inner = Arc::new(Inner {
            status: AtomicU16::new(200),
            failing: AtomicU32::new(0),
            failing_status: AtomicU16::new(500),
            seen: Mutex::new(Seen::default()),
            config,
        });
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let state = inner.clone();
        let thread = std::thread::Builder::new()
            .name("connect-listener".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                rt.block_on(async move {
                    let listener = match TcpListener::from_std(std_listener) {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e.to_string()));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(()));
                    tokio::select! {
                        _ = accept_loop(listener, acceptor, state) => {}
                        _ = stop_rx => {}
                    }
                });
            })
            .map_err(|e| e.to_string())?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Listener {
                addr,
                https: inner.config.tls.is_some(),
                inner,
                stop: Some(stop_tx),
                thread: Some(thread),
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err("the listener thread ended before starting".into()),
        }
    }

    /// A https listener with a server certificate for 127.0.0.1 from `ca`, requiring a client
    /// certificate from `client_ca_pem` when given, and accepting `clients` at `/token`.
    pub fn https(
        ca: &crate::tls::Ca,
        client_ca_pem: Option<String>,
        clients: Vec<(String, String)>,
    ) -> Result<Listener, String> {
        let server = ca.server(&["127.0.0.1", "localhost"])?;
        Listener::start(ListenerConfig {
            tls: Some(ListenerTls {
                cert_pem: server.cert_pem,
                key_pem: server.key_pem,
                client_ca_pem,
            }),
            clients,
            ..ListenerConfig::default()
        })
    }

    /// The listener's URL for `path` (e.g. `/connect`).
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}{path}", self.addr.port())
    }

    /// The token endpoint's URL.
    pub fn token_url(&self) -> String {
        self.url("/token")
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Answers every later message with `status`.
    pub fn set_status(&self, status: u16) {
        self.inner.status.store(status, Ordering::SeqCst);
    }

    /// Answers the next `n` messages with `status`, then the current status again.
    pub fn fail_next(&self, n: u32, status: u16) {
        self.inner.failing_status.store(status, Ordering::SeqCst);
        self.inner.failing.store(n, Ordering::SeqCst);
    }

    /// Every message received (token requests excluded), in order.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.inner.seen).received.clone()
    }

    /// Every token issued.
    pub fn issued(&self) -> Vec<IssuedToken> {
        lock(&self.inner.seen).issued.clone()
    }

    /// Waits until at least `n` messages arrived, or `limit` passed; returns what arrived.
    pub fn wait_for(&self, n: usize, limit: Duration) -> Vec<Received> {
        let until = Instant::now() + limit;
        loop {
            let got = self.received();
            if got.len() >= n || Instant::now() >= until {
                return got;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    state: Arc<Inner>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        let state = state.clone();
        tokio::spawn(async move {
            match acceptor {
                Some(acceptor) => {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let cert = tls
                        .get_ref()
                        .1
                        .peer_certificates()
                        .and_then(|c| c.first())
                        .map(|c| c.as_ref().to_vec());
                    serve(TokioIo::new(tls), state, cert).await;
                }
                None => serve(TokioIo::new(stream), state, None).await,
            }
        });
    }
}

async fn serve<I>(io: I, state: Arc<Inner>, cert: Option<Vec<u8>>)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let state = state.clone();
        let cert = cert.clone();
        async move { Ok::<_, std::convert::Infallible>(handle(req, &state, cert).await) }
    });
    let _ = http1::Builder::new().serve_connection(io, service).await;
}

fn answer(status: u16, body: Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

async fn handle(
    req: Request<Incoming>,
    state: &Inner,
    cert: Option<Vec<u8>>,
) -> Response<Full<Bytes>> {
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => return answer(400, json!({"error": "unreadable body"})),
    };
    if path == "/token" && method == "POST" {
        return token(state, &headers, &body);
    }
    let received = Received {
        method,
        path,
        headers,
        body,
        client_cert: cert,
    };
    let failing = state
        .failing
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    let status = if failing {
        state.failing_status.load(Ordering::SeqCst)
    } else {
        state.status.load(Ordering::SeqCst)
    };
    if state.config.print {
        let issued = lock(&state.seen).issued.clone();
        println!("{}", summarize(&received, &issued, status));
    }
    lock(&state.seen).received.push(received);
    answer(status, json!({}))
}

fn token(state: &Inner, headers: &[(String, String)], body: &[u8]) -> Response<Full<Bytes>> {
    let form: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut client_id = field("client_id");
    let mut secret = field("client_secret");
    if let Some((_, v)) = headers.iter().find(|(k, _)| k == "authorization")
        && let Some(b64) = v.strip_prefix("Basic ")
        && let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(b64.trim())
        && let Some((id, s)) = String::from_utf8_lossy(&raw).split_once(':')
    {
        client_id = id.to_owned();
        secret = s.to_owned();
    }
    if field("grant_type") != "client_credentials" {
        return answer(400, json!({"error": "unsupported_grant_type"}));
    }
    let accepted = state.config.clients.is_empty()
        || state
            .config
            .clients
            .iter()
            .any(|(id, s)| *id == client_id && *s == secret);
    if client_id.is_empty() || !accepted {
        return answer(401, json!({"error": "invalid_client"}));
    }
    let token = crate::util::token();
    let ttl = state.config.token_ttl_secs.unwrap_or(3600);
    lock(&state.seen).issued.push(IssuedToken {
        token: token.clone(),
        client_id,
        scope: field("scope"),
    });
    answer(
        200,
        json!({"access_token": token, "token_type": "Bearer", "expires_in": ttl}),
    )
}

fn short(s: &str) -> String {
    let head: String = s.chars().take(12).collect();
    if head.len() < s.len() {
        format!("{head}…")
    } else {
        head
    }
}

/// A human-readable summary of a received message: the event, the authentication (a bearer
/// token is matched against the issued ones), and what the envelope summary holds.
pub fn summarize(r: &Received, issued: &[IssuedToken], status: u16) -> String {
    let v = r.json();
    let mut out = format!(
        "<- {} {} ({} bytes, answered {status})\n   event={} configurationId={} retryCount={} envelopeId={}",
        r.method,
        r.path,
        r.body.len(),
        v["event"].as_str().unwrap_or("?"),
        v["configurationId"],
        v["retryCount"],
        v["data"]["envelopeId"].as_str().unwrap_or("?"),
    );
    if let Some(auth) = r.header("authorization") {
        let line = match r.bearer() {
            Some(t) => match issued.iter().find(|i| i.token == t) {
                Some(i) => format!(
                    "Bearer {} (issued by /token to client '{}', scope '{}')",
                    short(t),
                    i.client_id,
                    i.scope
                ),
                None => format!("Bearer {} (NOT issued by this listener's /token)", short(t)),
            },
            None => format!("{} …", auth.split(' ').next().unwrap_or("")),
        };
        out.push_str(&format!("\n   authorization: {line}"));
    }
    for (k, val) in &r.headers {
        if k.starts_with("x-docusign-signature-") {
            out.push_str(&format!("\n   {k}: {}", short(val)));
        }
    }
    if r.client_cert.is_some() {
        out.push_str("\n   client certificate: presented");
    }
    let summary = &v["data"]["envelopeSummary"];
    if let Value::Object(m) = summary {
        let mut parts = vec![format!(
            "status={}",
            summary["status"].as_str().unwrap_or("?")
        )];
        if let Some(s) = m.get("recipients").and_then(|r| r["signers"].as_array()) {
            parts.push(format!("signers={}", s.len()));
        }
        if let Some(f) = m
            .get("customFields")
            .and_then(|c| c["textCustomFields"].as_array())
        {
            parts.push(format!("customFields={}", f.len()));
        }
        out.push_str(&format!("\n   envelopeSummary: {}", parts.join(" ")));
    }
    out
}
