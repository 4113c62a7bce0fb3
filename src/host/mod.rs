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
//! * [`rpc`]: protobuf ⇄ framework conversion around [`crate::framework::Server`].
//!
//! The binary composes the provider (`main.rs`): [`run`] takes its registry address and a
//! constructor.

pub mod go_plugin;
pub mod handshake;
pub mod listener;
pub mod logging;
pub mod rpc;
mod serve;
pub mod tls;

use std::io::Write as _;

use std::sync::Arc;

use crate::framework;

pub use serve::MAX_MESSAGE_SIZE;

/// Exit code for a refused start (bad cookie, unsupported protocol, setup failure).
const EXIT_FAILURE: i32 = 1;
/// Exit code for unknown command-line arguments.
const EXIT_USAGE: i32 = 2;

/// Runs the plugin serving the provider `make_provider` builds, known in the registry as
/// `provider_address` (named in the debug-mode reattach line), and returns the process exit
/// code.
///
/// Arguments: none (launched by Terraform), `--debug` (plaintext server plus a
/// `TF_REATTACH_PROVIDERS` line to paste; `--registry=registry.opentofu.org` names OpenTofu's
/// registry in it), `--version`.
/// `make_provider` is called once, after the handshake line is printed, inside
/// the tokio runtime.
pub fn run(
    provider_address: &'static str,
    make_provider: impl FnOnce() -> Arc<dyn framework::Provider>,
) -> i32 {
    let mut debug = false;
    let mut address = provider_address.to_owned();
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
                match handshake::in_registry(provider_address, &other["--registry=".len()..]) {
                    Ok(a) => address = a,
                    Err(e) => {
                        eprintln_safe(&format!("terraform-provider-docusign: {e}"));
                        return EXIT_USAGE;
                    }
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
        serve::Mode::Debug {
            provider_address: address,
        }
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
    let make_service = || rpc::ProviderService::new(make_provider());
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
