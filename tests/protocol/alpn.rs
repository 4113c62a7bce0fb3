//! The plugin's TLS handshake negotiates the application protocol `h2`. grpc-go refuses a
//! TLS server that negotiates none (since grpc-go 1.67), so Terraform ≥ 1.12 and OpenTofu ≥
//! 1.11 cannot load a plugin without it, while older Terraform, and our own tonic client, never
//! look. Only a direct look at the TLS session catches a regression.

use std::sync::Arc;

use rustls::pki_types::ServerName;
use tokio::net::{TcpStream, UnixStream};
use tokio_rustls::TlsConnector;

use crate::support::{Io, Plugin, client_tls_config};

/// Dials the plugin, runs the TLS handshake offering `offered` as ALPN protocols and returns
/// the protocol the server selected.
async fn negotiated(plugin: &Plugin, offered: &[&[u8]]) -> Option<Vec<u8>> {
    let client = plugin
        .client
        .clone()
        .expect("launched with a client certificate");
    let mut config = client_tls_config(&plugin.handshake.server_cert_der(), Some(&client));
    config.alpn_protocols = offered.iter().map(|p| p.to_vec()).collect();
    let address = &plugin.handshake.address;
    let stream: Box<dyn Io> = match plugin.handshake.network.as_str() {
        "unix" => Box::new(UnixStream::connect(address).await.expect("dial the socket")),
        "tcp" => Box::new(TcpStream::connect(address).await.expect("dial the port")),
        other => panic!("unknown network {other}"),
    };
    let name = ServerName::try_from("localhost").expect("a valid name");
    let tls = TlsConnector::from(Arc::new(config))
        .connect(name, stream)
        .await
        .expect("TLS handshake with the plugin");
    tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec)
}

#[tokio::test]
async fn tls_handshake_negotiates_alpn_h2_as_grpc_go_requires() {
    let plugin = Plugin::launch();
    // grpc-go's client offers exactly `h2`.
    assert_eq!(
        negotiated(&plugin, &[b"h2"]).await.as_deref(),
        Some(&b"h2"[..]),
        "the plugin negotiated no ALPN protocol, or another one, for a client offering h2"
    );
    // Offered after HTTP/1.1, `h2` is still the one chosen: the server speaks only HTTP/2.
    assert_eq!(
        negotiated(&plugin, &[b"http/1.1", b"h2"]).await.as_deref(),
        Some(&b"h2"[..])
    );
}
