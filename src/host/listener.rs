//! The unix socket the plugin listens on, and the stream of accepted
//! connections handed to tonic.
//!
//! Like go-plugin, the socket lives in `$TMPDIR` (default `/tmp`) under a short
//! random name (sun_path is limited to about 108 bytes) and is removed when
//! the process is done with it.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_stream::wrappers::ReceiverStream;

/// How long a client may take to finish the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A bound unix socket whose file is removed on drop.
#[derive(Debug)]
pub struct SocketGuard {
    path: PathBuf,
}

impl SocketGuard {
    /// The socket's path, as printed in the handshake line.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        // Already gone is fine; nothing else can be done about other errors.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Binds a fresh unix socket in `$TMPDIR`. Must run inside a tokio runtime.
pub fn bind() -> io::Result<(UnixListener, SocketGuard)> {
    let dir = std::env::var_os("TMPDIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    bind_in(&dir)
}

/// Binds a fresh unix socket named `plugin<digits>` in `dir`.
pub fn bind_in(dir: &Path) -> io::Result<(UnixListener, SocketGuard)> {
    let mut last_error = None;
    for attempt in 0..8u32 {
        let path = dir.join(format!("plugin{}", random_suffix(attempt)));
        match UnixListener::bind(&path) {
            Ok(listener) => return Ok((listener, SocketGuard { path })),
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
pub fn tls_incoming(
    listener: UnixListener,
    acceptor: TlsAcceptor,
) -> ReceiverStream<io::Result<TlsStream<UnixStream>>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
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
pub fn plain_incoming(listener: UnixListener) -> ReceiverStream<io::Result<UnixStream>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
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

    #[tokio::test]
    async fn socket_is_short_and_removed_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let (listener, guard) = bind_in(dir.path()).unwrap();
        let path = guard.path().to_path_buf();
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
        assert_ne!(g2.path(), guard.path());
        drop(listener);
        drop(guard);
        assert!(!path.exists());
    }
}
