//! The `docusign-emulator` binary: parses flags, starts the emulator, prints the [`Info`]
//! JSON as the first stdout line followed by human-readable lines, and runs until Ctrl-C or
//! SIGTERM. Logs go to stderr (`RUST_LOG` filters them).

use docusign_emulator::cli::{Command, HELP, ListenArgs, parse};
use docusign_emulator::listener::{Listener, ListenerConfig, ListenerTls};
use docusign_emulator::{Info, start};
use std::io::Write;
use std::process::ExitCode;

fn print_banner(info: &Info) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let json = serde_json::to_string(info).map_err(std::io::Error::other)?;
    writeln!(out, "{json}")?;
    writeln!(out, "DocuSign emulator listening on {}", info.base_uri)?;
    writeln!(
        out,
        "  REST API:      {}/restapi/v2.1/accounts/{}/connect",
        info.base_uri, info.account_id
    )?;
    writeln!(
        out,
        "  OAuth:         {}/oauth/token (JWT aud = {})",
        info.oauth_base_uri,
        info.oauth_audience()
    )?;
    writeln!(out, "  Accounts:      {}", info.accounts.join(", "))?;
    writeln!(out, "  User id:       {}", info.user_id)?;
    if info.users.len() > 1 || info.all_accounts.len() > info.accounts.len() {
        for a in &info.all_accounts {
            writeln!(out, "  Account {:<14} {}", a.name, a.account_id)?;
        }
        for u in &info.users {
            writeln!(
                out,
                "  User {:<17} {} in {}",
                u.name,
                u.user_id,
                u.accounts.join(", ")
            )?;
        }
    }
    for k in info.integration_keys.iter().skip(1) {
        writeln!(
            out,
            "  Integration key {} owned by {}",
            k.integration_key, k.account_id
        )?;
    }
    writeln!(out, "  Control:       {}/_emulator/requests", info.base_uri)?;
    writeln!(out, "Press Ctrl-C to stop.")?;
    out.flush()
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Server TLS with a new CA written to `dir/ca.pem` (whose path is returned).
fn listener_tls(dir: &std::path::Path) -> Result<(ListenerTls, String), String> {
    let ca = docusign_emulator::tls::Ca::new("Connect listener CA (emulator)")?;
    let server = ca.server(&["127.0.0.1", "localhost"])?;
    let path = dir.join("ca.pem");
    std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::write(&path, &ca.cert_pem))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let tls = ListenerTls {
        cert_pem: server.cert_pem,
        key_pem: server.key_pem,
        client_ca_pem: None,
    };
    Ok((tls, path.display().to_string()))
}

/// The `listen` subcommand: a small listener printing what it receives.
async fn listen(args: ListenArgs) -> ExitCode {
    let started = args
        .tls_dir
        .as_deref()
        .map(listener_tls)
        .transpose()
        .and_then(|tls| {
            let (tls, ca_file) = tls.unzip();
            let listener = Listener::start(ListenerConfig {
                tls,
                clients: args.clients,
                print: true,
                port: args.port,
                ..ListenerConfig::default()
            })?;
            Ok((listener, ca_file))
        });
    let (listener, ca_file) = match started {
        Ok(l) => l,
        Err(e) => {
            eprintln!("docusign-emulator listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    listener.set_status(args.status);
    let line = serde_json::json!({
        "url": listener.url("/connect"),
        "token_url": listener.token_url(),
        "ca_file": ca_file,
    });
    println!("{line}");
    let _ = std::io::stdout().flush();
    wait_for_signal().await;
    drop(listener);
    ExitCode::SUCCESS
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let config = match parse(std::env::args().skip(1)) {
        Ok(Command::Run(c)) => *c,
        Ok(Command::Help) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Listen(args)) => return listen(args).await,
        Err(e) => {
            eprintln!("docusign-emulator: {e}");
            return ExitCode::from(2);
        }
    };
    let running = match start(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("docusign-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = print_banner(running.info()) {
        eprintln!("docusign-emulator: cannot write to stdout: {e}");
        return ExitCode::FAILURE;
    }
    wait_for_signal().await;
    running.shutdown().await;
    ExitCode::SUCCESS
}
