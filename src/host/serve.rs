//! The plugin's lifetime inside the tokio runtime: bind, print the handshake,
//! serve every gRPC service, and stop promptly after `GRPCController.Shutdown`.

use std::io::{self, Write as _};
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tonic::transport::Server;
use tonic_health::ServingStatus;

use super::go_plugin::{Broker, Controller, Stdio};
use super::handshake;
use super::listener::{self, Endpoint};
use super::tls::{self, ServerIdentity};
use crate::protocol::plugin::grpc_broker_server::GrpcBrokerServer;
use crate::protocol::plugin::grpc_controller_server::GrpcControllerServer;
use crate::protocol::plugin::grpc_stdio_server::GrpcStdioServer;
use crate::protocol::tfplugin5::provider_server::{Provider, ProviderServer};

/// Largest gRPC message accepted or sent, as terraform-plugin-go allows.
pub const MAX_MESSAGE_SIZE: usize = 256 << 20;

/// After Shutdown, how long in-flight responses may take to drain before the
/// process exits anyway (Terraform kills it after 2 s; the target is < 100 ms).
const SHUTDOWN_GRACE: Duration = Duration::from_millis(30);

/// Errors that end the plugin before or while serving.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("setting up the plugin socket failed: {0}")]
    Io(#[from] io::Error),
    #[error("the gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// How the plugin was started.
#[derive(Debug)]
pub enum Mode {
    /// Launched by Terraform; `client_cert` is the PEM from
    /// `PLUGIN_CLIENT_CERT` (absent when Terraform disabled AutoMTLS).
    Plugin { client_cert: Option<String> },
    /// `--debug`: plaintext, a reattach line for the provider at this registry address,
    /// Ctrl-C stops it.
    Debug { provider_address: String },
}

/// Ignores SIGINT for the rest of the process: Ctrl-C reaches the whole
/// process group, and Terraform answers it with the `Stop` RPC, expecting the
/// provider to stay alive to finish in-flight work. Registering a tokio
/// listener replaces the default (terminating) disposition.
#[cfg(unix)]
fn ignore_sigint() -> io::Result<()> {
    let mut interrupts = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    tokio::spawn(async move {
        while interrupts.recv().await.is_some() {
            tracing::debug!("ignoring SIGINT; Terraform sends Stop to cancel work");
        }
    });
    Ok(())
}

/// The same for Windows: Ctrl-C reaches every process of the console, and a
/// registered handler replaces the default (terminating) one.
#[cfg(windows)]
fn ignore_sigint() -> io::Result<()> {
    let mut interrupts = tokio::signal::windows::ctrl_c()?;
    tokio::spawn(async move {
        while interrupts.recv().await.is_some() {
            tracing::debug!("ignoring Ctrl-C; Terraform sends Stop to cancel work");
        }
    });
    Ok(())
}

/// Runs the plugin until Shutdown (or Ctrl-C in debug mode).
pub async fn serve<S: Provider>(
    mode: Mode,
    make_service: impl FnOnce() -> S,
) -> Result<(), ServeError> {
    let shutdown = CancellationToken::new();
    let (listener, endpoint) = listener::bind()?;

    match mode {
        Mode::Plugin {
            client_cert: Some(pem),
        } => {
            ignore_sigint()?;
            let client_cert = tls::parse_client_cert(&pem)?;
            let identity = tls::generate_server_identity()?;
            let acceptor = listener::acceptor(tls::server_config(&identity, client_cert)?);
            print_handshake(&endpoint, Some(&identity))?;
            let incoming = listener::tls_incoming(listener, acceptor);
            run_server(make_service(), incoming, shutdown).await?;
        }
        Mode::Plugin { client_cert: None } => {
            ignore_sigint()?;
            tracing::warn!("PLUGIN_CLIENT_CERT is not set: serving without TLS");
            print_handshake(&endpoint, None)?;
            run_server(make_service(), listener::plain_incoming(listener), shutdown).await?;
        }
        Mode::Debug { provider_address } => {
            let stop = shutdown.clone();
            tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    stop.cancel();
                }
            });
            write_stdout(&handshake::reattach_text(
                &provider_address,
                endpoint.network(),
                endpoint.address(),
                std::process::id(),
            ))?;
            run_server(make_service(), listener::plain_incoming(listener), shutdown).await?;
        }
    }
    drop(endpoint);
    Ok(())
}

/// Prints the handshake line, the only thing this process writes to stdout.
fn print_handshake(endpoint: &Endpoint, identity: Option<&ServerIdentity>) -> io::Result<()> {
    let line = handshake::handshake_line(
        endpoint.network(),
        endpoint.address(),
        identity.map(|i| i.cert_der.as_ref()),
    );
    write_stdout(&line)?;
    tracing::debug!(
        network = endpoint.network(),
        address = endpoint.address(),
        tls = identity.is_some(),
        "plugin handshake sent"
    );
    Ok(())
}

fn write_stdout(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Serves all services on `incoming` until `shutdown` fires, then drains for at
/// most [`SHUTDOWN_GRACE`].
async fn run_server<S, I, IO>(
    service: S,
    incoming: I,
    shutdown: CancellationToken,
) -> Result<(), tonic::transport::Error>
where
    S: Provider,
    I: tokio_stream::Stream<Item = io::Result<IO>>,
    IO: tokio::io::AsyncRead
        + tokio::io::AsyncWrite
        + tonic::transport::server::Connected
        + Unpin
        + Send
        + 'static,
{
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", ServingStatus::Serving)
        .await;

    let provider = ProviderServer::new(service)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);

    let router = Server::builder()
        .add_service(health_service)
        .add_service(GrpcControllerServer::new(Controller::new(shutdown.clone())))
        .add_service(GrpcStdioServer::new(Stdio::new(shutdown.clone())))
        .add_service(GrpcBrokerServer::new(Broker::new(shutdown.clone())))
        .add_service(provider);

    let server = router.serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());
    let deadline = async {
        shutdown.cancelled().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::debug!("connections still open after shutdown; exiting anyway");
            Ok(())
        }
    }
}
