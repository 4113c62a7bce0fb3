//! Where the plugin listens, and the stream of accepted connections handed to
//! tonic.
//!
//! Like go-plugin: on Unix a socket in `$TMPDIR` (default `/tmp`) under a short
//! random name (sun_path is limited to about 108 bytes), removed when the
//! process is done with it; on Windows a TCP port on 127.0.0.1, in the range
//! `PLUGIN_MIN_PORT`..=`PLUGIN_MAX_PORT` that go-plugin's client passes. The
//! handshake line names the network (`unix` or `tcp`) and the address.

use std::future::Future;
use std::io;
#[cfg(unix)]
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
#[cfg(unix)]
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_stream::wrappers::ReceiverStream;

/// How long a client may take to finish the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A listener the plugin serves on: a unix socket or a TCP port.
pub trait PluginListener: Send + 'static {
    /// An accepted connection.
    type Stream: AsyncRead
        + AsyncWrite
        + tonic::transport::server::Connected
        + Unpin
        + Send
        + 'static;

    /// The next connection.
    fn accept_stream(&self) -> impl Future<Output = io::Result<Self::Stream>> + Send;
}

#[cfg(unix)]
impl PluginListener for UnixListener {
    type Stream = UnixStream;

    async fn accept_stream(&self) -> io::Result<UnixStream> {
        self.accept().await.map(|(stream, _)| stream)
    }
}

impl PluginListener for TcpListener {
    type Stream = TcpStream;

    async fn accept_stream(&self) -> io::Result<TcpStream> {
        let (stream, _) = self.accept().await?;
        // gRPC's small frames should not wait for Nagle's algorithm.
        stream.set_nodelay(true)?;
        Ok(stream)
    }
}

/// Where the plugin listens, as the handshake line and the reattach text name
/// it. A unix socket's file is removed when this is dropped.
#[derive(Debug)]
pub struct Endpoint {
    network: &'static str,
    address: String,
    socket_file: Option<PathBuf>,
}

impl Endpoint {
    /// `unix` or `tcp`.
    pub fn network(&self) -> &'static str {
        self.network
    }

    /// The socket's path, or `127.0.0.1:<port>`.
    pub fn address(&self) -> &str {
        &self.address
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        if let Some(path) = &self.socket_file {
            // Already gone is fine; nothing else can be done about other errors.
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The listener of this platform.
#[cfg(unix)]
pub type Listener = UnixListener;
/// The listener of this platform.
#[cfg(not(unix))]
pub type Listener = TcpListener;

/// Binds where go-plugin would on this platform: a fresh unix socket in
/// `$TMPDIR`. Must run inside a tokio runtime.
#[cfg(unix)]
pub fn bind() -> io::Result<(Listener, Endpoint)> {
    let dir = std::env::var_os("TMPDIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    bind_in(&dir)
}

/// Binds where go-plugin would on this platform: a TCP port on 127.0.0.1.
#[cfg(not(unix))]
pub fn bind() -> io::Result<(Listener, Endpoint)> {
    let range = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<u16>().ok())
    };
    bind_tcp(range("PLUGIN_MIN_PORT"), range("PLUGIN_MAX_PORT"))
}

/// Binds a TCP port on 127.0.0.1: the first free one in `min..=max` when both
/// are given (as go-plugin's client passes them), else one the system picks.
pub fn bind_tcp(min: Option<u16>, max: Option<u16>) -> io::Result<(TcpListener, Endpoint)> {
    let bind = |port: u16| -> io::Result<(TcpListener, Endpoint)> {
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        std_listener.set_nonblocking(true)?;
        let address = std_listener.local_addr()?.to_string();
        let listener = TcpListener::from_std(std_listener)?;
        Ok((
            listener,
            Endpoint {
                network: "tcp",
                address,
                socket_file: None,
            },
        ))
    };
    match (min, max) {
        (Some(min), Some(max)) if min <= max => {
            let mut last_error = None;
            for port in min..=max {
                match bind(port) {
                    Ok(bound) => return Ok(bound),
                    Err(e) => last_error = Some(e),
                }
            }
            Err(io::Error::other(format!(
                "no free TCP port on 127.0.0.1 in {min}..={max}: {}",
                last_error.map_or_else(|| "none tried".to_owned(), |e| e.to_string())
            )))
        }
        _ => bind(0),
    }
}

/// Binds a fresh unix socket named `plugin<digits>` in `dir`.
#[cfg(unix)]
pub fn bind_in(dir: &Path) -> io::Result<(UnixListener, Endpoint)> {
    let mut last_error = None;
    for attempt in 0..8u32 {
        let path = dir.join(format!("plugin{}", random_suffix(attempt)));
        match UnixListener::bind(&path) {
            Ok(listener) => {
                let endpoint = Endpoint {
                    network: "unix",
                    address: path.display().to_string(),
                    socket_file: Some(path),
                };
                return Ok((listener, endpoint));
            }
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => last_error = Some(e),
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("binding unix socket {}: {e}", path.display()),
                ));
            }
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no free unix socket name")))
}

/// A name suffix unlikely to collide: pid, time and attempt mixed together.
#[cfg(unix)]
fn random_suffix(attempt: u32) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    let mixed = nanos ^ (u64::from(std::process::id()) << 32) ^ u64::from(attempt).rotate_left(17);
    // SplitMix64 finaliser, then keep 10 decimal digits like go-plugin's names.
    let mut z = mixed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) % 10_000_000_000
}

/// Accepts connections and completes the TLS handshake of each one in its own
/// task, so a slow or hostile client cannot stall the others. Connections that
/// fail the handshake (wrong or missing client certificate) are dropped.
pub fn tls_incoming<L: PluginListener>(
    listener: L,
    acceptor: TlsAcceptor,
) -> ReceiverStream<io::Result<TlsStream<L::Stream>>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let stream = match listener.accept_stream().await {
                Ok(stream) => stream,
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
            };
            if tx.is_closed() {
                break;
            }
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => {
                        tracing::debug!("TLS connection accepted");
                        let _ = tx.send(Ok(tls)).await;
                    }
                    Ok(Err(error)) => tracing::warn!(%error, "TLS handshake refused"),
                    Err(_) => tracing::warn!("TLS handshake timed out"),
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

/// Accepts plaintext connections (debug mode only).
pub fn plain_incoming<L: PluginListener>(listener: L) -> ReceiverStream<io::Result<L::Stream>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            match listener.accept_stream().await {
                Ok(stream) => {
                    if tx.send(Ok(stream)).await.is_err() {
                        break;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }
    });
    ReceiverStream::new(rx)
}

/// Wraps a rustls configuration into an acceptor.
pub fn acceptor(config: rustls::ServerConfig) -> TlsAcceptor {
    TlsAcceptor::from(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[tokio::test]
    async fn socket_is_short_and_removed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let (listener, guard) = bind_in(dir.path()).unwrap();
        assert_eq!(guard.network(), "unix");
        let path = PathBuf::from(guard.address());
        assert!(path.starts_with(dir.path()));
        assert!(
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("plugin")
        );
        assert!(path.exists());
        // A second socket in the same directory gets another name.
        let (_l2, g2) = bind_in(dir.path()).unwrap();
        assert_ne!(g2.address(), guard.address());
        drop(listener);
        drop(guard);
        assert!(!path.exists());
    }

    #[tokio::test]
    async fn tcp_binds_loopback_in_the_given_range_or_anywhere() {
        let (first, at) = bind_tcp(None, None).unwrap();
        assert_eq!(at.network(), "tcp");
        let port: u16 = at
            .address()
            .strip_prefix("127.0.0.1:")
            .unwrap()
            .parse()
            .unwrap();
        assert_ne!(port, 0);
        // The range starts at a port that is taken: the next one is used.
        let (_second, next) = bind_tcp(Some(port), Some(port.saturating_add(20))).unwrap();
        let next_port: u16 = next.address().rsplit(':').next().unwrap().parse().unwrap();
        assert!(
            next_port > port && next_port <= port.saturating_add(20),
            "{next_port}"
        );
        // A range with no free port is an error naming it.
        let err = bind_tcp(Some(port), Some(port)).unwrap_err().to_string();
        assert!(err.contains(&format!("{port}..={port}")), "{err}");
        // Connections are accepted through the trait.
        let client = tokio::spawn(async move { TcpStream::connect(("127.0.0.1", port)).await });
        let accepted = first.accept_stream().await;
        assert!(accepted.is_ok() && client.await.unwrap().is_ok());
    }
}
