//! The plugin host: everything between `main` and the tfplugin5 service.
//!
//! [`run`] does what a go-plugin server does when Terraform launches it:
//! checks the magic cookie, reads `PLUGIN_PROTOCOL_VERSIONS`, sets up hclog
//! logging, generates an ephemeral certificate for AutoMTLS, listens on a unix
//! socket, prints the handshake line and serves `tfplugin5.Provider` together
//! with go-plugin's controller, stdio, broker and health services until
//! `GRPCController.Shutdown`.
//!
//! * [`handshake`]: environment checks and the stdout protocol.
//! * [`tls`]: server certificate and the pinned client-certificate verifier.
//! * [`listener`]: the unix socket (a loopback TCP port on Windows) and per-connection TLS accept.
//! * [`go_plugin`]: GRPCController / GRPCStdio / GRPCBroker.
//! * [`logging`]: `tracing` to stderr as hclog JSON.
//! * `serve`: the async lifetime of the server.
//! * [`rpc`]: the tfplugin5 service adapter over the framework (framework engineer).

pub mod go_plugin;
pub mod handshake;
pub mod listener;
pub mod logging;
pub mod rpc;
mod serve;
pub mod tls;

use std::io::Write as _;

use crate::protocol::tfplugin5::provider_server::Provider;

pub use serve::MAX_MESSAGE_SIZE;

/// Exit code for a refused start (bad cookie, unsupported protocol, setup failure).
const EXIT_FAILURE: i32 = 1;
/// Exit code for unknown command-line arguments.
const EXIT_USAGE: i32 = 2;

/// The binary's entry point: serves the DocuSign provider through the
/// framework adapter [`rpc::ProviderService`] and returns the exit code.
pub fn main_entry() -> i32 {
    run(|| {
        rpc::ProviderService::new(std::sync::Arc::new(
            crate::resources::DocusignProvider::new(),
        ))
    })
}

/// Runs the plugin with the tfplugin5 service built by `make_service` and
/// returns the process exit code.
///
/// Arguments: none (launched by Terraform), `--debug` (plaintext server plus a
/// `TF_REATTACH_PROVIDERS` line to paste; `--registry=registry.opentofu.org` names OpenTofu's
/// registry in it), `--version`.
/// `make_service` is called once, after the handshake line is printed, inside
/// the tokio runtime.
pub fn run<S>(make_service: impl FnOnce() -> S) -> i32
where
    S: Provider,
{
    let mut debug = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--version" | "-version" | "-v" => {
                return print_stdout(&format!(
                    "terraform-provider-docusign {}\n",
                    env!("CARGO_PKG_VERSION")
                ));
            }
            "--debug" | "-debug" => debug = true,
            other if other.starts_with("--registry=") => {
                if let Err(e) = handshake::choose_registry(&other["--registry=".len()..]) {
                    eprintln_safe(&format!("terraform-provider-docusign: {e}"));
                    return EXIT_USAGE;
                }
            }
            other => {
                eprintln_safe(&format!(
                    "terraform-provider-docusign: unknown argument {other:?}; expected --debug \
                     (with --registry=<host>, e.g. registry.opentofu.org) or --version"
                ));
                return EXIT_USAGE;
            }
        }
    }

    logging::init(logging::level_from_env());

    let mode = if debug {
        serve::Mode::Debug
    } else {
        let cookie = std::env::var(handshake::MAGIC_COOKIE_KEY).ok();
        let versions = std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok();
        match handshake::check_environment(cookie.as_deref(), versions.as_deref()) {
            Ok(_) => {}
            Err(handshake::HandshakeError::BadCookie) => {
                eprintln_safe(handshake::NOT_A_PROGRAM_MESSAGE);
                return EXIT_FAILURE;
            }
            Err(error) => {
                tracing::error!(%error, "refusing to start");
                eprintln_safe(&format!("terraform-provider-docusign: {error}"));
                return EXIT_FAILURE;
            }
        }
        let client_cert = std::env::var("PLUGIN_CLIENT_CERT")
            .ok()
            .filter(|pem| !pem.trim().is_empty());
        serve::Mode::Plugin { client_cert }
    };

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln_safe(&format!(
                "terraform-provider-docusign: starting the runtime: {error}"
            ));
            return EXIT_FAILURE;
        }
    };
    let result = runtime.block_on(serve::serve(mode, make_service));
    // Don't wait for lingering tasks (idle connections, accept loop).
    runtime.shutdown_background();
    match result {
        Ok(()) => 0,
        Err(error) => {
            tracing::error!(%error, "plugin server stopped with an error");
            eprintln_safe(&format!("terraform-provider-docusign: {error}"));
            EXIT_FAILURE
        }
    }
}

/// Writes to stdout; only used for `--version`.
fn print_stdout(text: &str) -> i32 {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(_) => EXIT_FAILURE,
    }
}

/// Writes a message to stderr, ignoring a closed stderr instead of panicking.
fn eprintln_safe(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = err.write_all(b"\n");
    }
}
