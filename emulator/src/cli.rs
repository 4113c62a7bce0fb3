//! Command-line parsing for the `docusign-emulator` binary (by hand: a dozen flags).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::config::{Config, JwtApp};
use crate::topology::{AccountSpec, IntegrationKeySpec, Topology, UserSpec};

/// The `--help` text.
pub const HELP: &str = "\
docusign-emulator: a local emulator of DocuSign's eSignature Connect API (loopback only)

USAGE:
    docusign-emulator [OPTIONS]

The first stdout line is one JSON object: {base_uri, oauth_base_uri, account_id, accounts,
user_id, access_token, integration_key, all_accounts, users, integration_keys} (the first six
describe the default user). The REST API is under base_uri + \"/restapi\"; JWT grants use
aud = host:port of oauth_base_uri. Human-readable lines follow; logs go to stderr.

OPTIONS:
    --listen ADDR                 Loopback address to listen on [default: 127.0.0.1:0]
    --accounts N                  Accounts of the default user, the first is the default [default: 1]
                                  (without a topology)
    --topology FILE               Accounts, users, integration keys and consents from a JSON file
                                  (see docs/emulator.md); the flags below add to it
    --account NAME[=ID]           Add an account (repeatable; the first owns the development key)
    --user NAME=ACCOUNT[,ACCOUNT...]
                                  Add a user who is a member of the accounts (names or ids; the
                                  first listed is the user's default; the first user is the default user)
    --integration-key IK@ACCOUNT[=PEMFILE]
                                  Add integration key IK owned by ACCOUNT, with the RSA public key
                                  in PEMFILE (repeatable)
    --consent IK=USER[,USER...]   The users consented to integration key IK (repeatable)
    --jwt-key IK=PEMFILE          Register integration key IK with the RSA public key in PEMFILE;
                                  the default user has consented (repeatable)
    --jwt-key-unconsented IK=PEMFILE
                                  Same, but without consent: grants answer consent_required (repeatable)
    --hourly-limit N              API calls per account per hour [default: 3000]
    --burst-limit N               API calls per account per burst window [default: 200]
    --burst-window-secs N         Burst window in seconds [default: 30]
    --token-ttl-secs N            Lifetime of JWT-minted tokens [default: 3600]
    --state-file PATH             Keep data in PATH across restarts (loaded at start, saved on change)
    --limit-status N              HTTP status of rate-limit errors [default: 400]
    --not-found-status N          HTTP status for an unknown connectId [default: 400]
    --allow-http-listeners        Accept http:// urlToPublishTo, and deliver to it (DocuSign requires https)
    --trust-ca PEMFILE            Trust this CA for https listeners and authorization servers (repeatable)
    --allow-any-host              Deliver to hosts other than loopback addresses
    --retry-backoff-ms N          First retry delay of unacknowledged messages, doubling [default: 30000]
    --max-retries N               Retries of unacknowledged messages [default: 10]
    --delivery-timeout-secs N     Time a listener has to answer [default: 100]
    --delivery-concurrency N      Messages in flight at once [default: 8]
    --connect-client-cert PEMFILE Client certificate presented for requireMutualTls (with the key)
    --connect-client-key PEMFILE  Its private key [default: a generated certificate and CA]
    -h, --help                    Print this help

CONTROL SURFACE (no auth): GET /_emulator/info, GET|DELETE /_emulator/requests,
GET|POST|DELETE /_emulator/faults, POST /_emulator/reset, POST /_emulator/tokens/expire,
GET /_emulator/accounts/{acct}/connect/{id}/delivery, POST /_emulator/accounts/{acct}/events[?wait=true],
GET /_emulator/deliveries, GET /_emulator/connect/client-certificate

    docusign-emulator listen [--port N] [--tls-dir DIR] [--client ID=SECRET] [--status N]

A small Connect listener and OAuth client-credentials server (POST /token) on 127.0.0.1 that
prints each message it receives. Its first stdout line is {url, token_url, ca_file}; with
--tls-dir it serves https with a CA it writes to DIR/ca.pem (give it to --trust-ca).
";

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Run with this configuration.
    Run(Box<Config>),
    /// Print the help.
    Help,
    /// Run the small listener.
    Listen(ListenArgs),
}

/// The `listen` subcommand's options.
#[derive(Debug, Default)]
pub struct ListenArgs {
    /// Port (0: any).
    pub port: u16,
    /// Serve https with a generated CA written to `DIR/ca.pem`.
    pub tls_dir: Option<PathBuf>,
    /// Accepted client-credentials clients.
    pub clients: Vec<(String, String)>,
    /// Status answered to messages.
    pub status: u16,
}

/// A command-line error.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A flag is unknown.
    #[error("unknown option {0} (see --help)")]
    Unknown(String),
    /// A flag lacks its value.
    #[error("option {0} needs a value")]
    Missing(String),
    /// A value is invalid.
    #[error("invalid value for {flag}: {reason}")]
    Invalid {
        /// The flag.
        flag: String,
        /// Why.
        reason: String,
    },
}

fn invalid(flag: &str, reason: impl ToString) -> CliError {
    CliError::Invalid {
        flag: flag.to_owned(),
        reason: reason.to_string(),
    }
}

fn number<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, CliError>
where
    T::Err: std::fmt::Display,
{
    v.parse::<T>().map_err(|e| invalid(flag, e))
}

fn jwt_app(flag: &str, v: &str, consented: bool) -> Result<JwtApp, CliError> {
    let (ik, file) = v
        .split_once('=')
        .ok_or_else(|| invalid(flag, "expected IK=PEMFILE"))?;
    if ik.is_empty() {
        return Err(invalid(flag, "the integration key is empty"));
    }
    let pem = std::fs::read_to_string(file).map_err(|e| invalid(flag, format!("{file}: {e}")))?;
    Ok(JwtApp {
        integration_key: ik.to_owned(),
        public_key_pem: pem,
        consented,
    })
}

/// Parses the arguments (without the program name).
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, CliError> {
    let mut config = Config::default();
    let mut args = args.into_iter().peekable();
    if args.peek().map(String::as_str) == Some("listen") {
        args.next();
        return parse_listen(args);
    }
    let mut client_cert = None;
    let mut client_key = None;
    while let Some(arg) = args.next() {
        let (flag, inline) = split(&arg);
        if flag == "-h" || flag == "--help" {
            return Ok(Command::Help);
        }
        if flag == "--allow-http-listeners" {
            config.allow_http_listeners = true;
            continue;
        }
        if flag == "--allow-any-host" {
            config.delivery.allow_any_host = true;
            continue;
        }
        const VALUED: &[&str] = &[
            "--listen",
            "--accounts",
            "--topology",
            "--account",
            "--user",
            "--integration-key",
            "--consent",
            "--jwt-key",
            "--jwt-key-unconsented",
            "--hourly-limit",
            "--burst-limit",
            "--burst-window-secs",
            "--token-ttl-secs",
            "--state-file",
            "--limit-status",
            "--not-found-status",
            "--trust-ca",
            "--retry-backoff-ms",
            "--max-retries",
            "--delivery-timeout-secs",
            "--delivery-concurrency",
            "--connect-client-cert",
            "--connect-client-key",
        ];
        if !VALUED.contains(&flag.as_str()) {
            return Err(CliError::Unknown(arg));
        }
        let value = value_of(&flag, inline, &mut args)?;
        let f = flag.as_str();
        match f {
            "--listen" => {
                let addr: SocketAddr = number(f, &value)?;
                if !addr.ip().is_loopback() {
                    return Err(invalid(f, "the emulator serves on loopback addresses only"));
                }
                config.listen = addr;
            }
            "--accounts" => {
                config.accounts = number(f, &value)?;
                if config.accounts == 0 {
                    return Err(invalid(f, "at least one account is needed"));
                }
            }
            "--topology" => {
                let file = topology_file(f, &value)?;
                let t = config.topology.get_or_insert_with(Topology::default);
                t.accounts.extend(file.accounts);
                t.users.extend(file.users);
                t.integration_keys.extend(file.integration_keys);
            }
            "--account" | "--user" | "--integration-key" | "--consent" => {
                let t = config.topology.get_or_insert_with(Topology::default);
                topology_flag(t, f, &value)?;
            }
            "--jwt-key" => config.jwt_apps.push(jwt_app(f, &value, true)?),
            "--jwt-key-unconsented" => config.jwt_apps.push(jwt_app(f, &value, false)?),
            "--hourly-limit" => config.hourly_limit = number(f, &value)?,
            "--burst-limit" => config.burst_limit = number(f, &value)?,
            "--burst-window-secs" => config.burst_window = Duration::from_secs(number(f, &value)?),
            "--token-ttl-secs" => config.token_ttl = Duration::from_secs(number(f, &value)?),
            "--state-file" => config.state_file = Some(PathBuf::from(value)),
            "--limit-status" => config.limit_status = number(f, &value)?,
            "--trust-ca" => config.delivery.trusted_ca_pems.push(read(f, &value)?),
            "--retry-backoff-ms" => {
                config.delivery.retry_backoff = Duration::from_millis(number(f, &value)?)
            }
            "--max-retries" => config.delivery.max_retries = number(f, &value)?,
            "--delivery-timeout-secs" => {
                config.delivery.timeout = Duration::from_secs(number(f, &value)?)
            }
            "--delivery-concurrency" => {
                config.delivery.concurrency = number(f, &value)?;
                if config.delivery.concurrency == 0 {
                    return Err(invalid(f, "at least 1"));
                }
            }
            "--connect-client-cert" => client_cert = Some(read(f, &value)?),
            "--connect-client-key" => client_key = Some(read(f, &value)?),
            _ => config.not_found_status = number(f, &value)?,
        }
    }
    config.delivery.client_identity = match (client_cert, client_key) {
        (Some(c), Some(k)) => Some((c, k)),
        (None, None) => None,
        _ => {
            return Err(invalid(
                "--connect-client-cert",
                "give both --connect-client-cert and --connect-client-key",
            ));
        }
    };
    if config.topology.is_some() && config.accounts != Config::default().accounts {
        return Err(invalid(
            "--accounts",
            "not with a topology: list the accounts with --account or in the topology file",
        ));
    }
    Ok(Command::Run(Box::new(config)))
}

/// Reads a topology file, loading each `public_key_file` (relative to the file) into
/// `public_key`.
fn topology_file(flag: &str, path: &str) -> Result<Topology, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| invalid(flag, format!("{path}: {e}")))?;
    let mut topology =
        Topology::from_json(&text).map_err(|e| invalid(flag, format!("{path}: {e}")))?;
    let dir = std::path::Path::new(path)
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    for key in &mut topology.integration_keys {
        if let Some(file) = key.public_key_file.take() {
            let file = dir.join(file);
            let pem = std::fs::read_to_string(&file)
                .map_err(|e| invalid(flag, format!("{}: {e}", file.display())))?;
            key.public_key = Some(pem);
        }
    }
    Ok(topology)
}

fn list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Adds what one of `--account`, `--user`, `--integration-key` or `--consent` says.
fn topology_flag(t: &mut Topology, flag: &str, v: &str) -> Result<(), CliError> {
    match flag {
        "--account" => {
            let (name, id) = match v.split_once('=') {
                Some((n, id)) => (n, Some(id.to_owned())),
                None => (v, None),
            };
            t.accounts.push(AccountSpec {
                name: name.to_owned(),
                id,
            });
        }
        "--user" => {
            let (name, accounts) = v
                .split_once('=')
                .ok_or_else(|| invalid(flag, "expected NAME=ACCOUNT[,ACCOUNT...]"))?;
            t.users.push(UserSpec {
                name: name.to_owned(),
                id: None,
                email: None,
                accounts: list(accounts),
            });
        }
        "--integration-key" => {
            let (left, file) = match v.split_once('=') {
                Some((l, f)) => (l, Some(f)),
                None => (v, None),
            };
            let (ik, account) = left
                .split_once('@')
                .ok_or_else(|| invalid(flag, "expected IK@ACCOUNT[=PEMFILE]"))?;
            let public_key = match file {
                Some(f) => Some(
                    std::fs::read_to_string(f).map_err(|e| invalid(flag, format!("{f}: {e}")))?,
                ),
                None => None,
            };
            t.integration_keys.push(IntegrationKeySpec {
                integration_key: ik.to_owned(),
                account: account.to_owned(),
                public_key,
                public_key_file: None,
                consented_users: Vec::new(),
            });
        }
        _ => {
            let (ik, users) = v
                .split_once('=')
                .ok_or_else(|| invalid(flag, "expected IK=USER[,USER...]"))?;
            let key = t
                .integration_keys
                .iter_mut()
                .find(|k| k.integration_key == ik)
                .ok_or_else(|| invalid(flag, format!("no --integration-key {ik} before it")))?;
            key.consented_users.extend(list(users));
        }
    }
    Ok(())
}

/// `--flag=value` or `--flag`: the flag and its inline value.
fn split(arg: &str) -> (String, Option<String>) {
    match arg.split_once('=') {
        Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
        _ => (arg.to_owned(), None),
    }
}

/// The flag's value: inline, or the next argument.
fn value_of(
    flag: &str,
    inline: Option<String>,
    args: &mut impl Iterator<Item = String>,
) -> Result<String, CliError> {
    match inline {
        Some(v) => Ok(v),
        None => args
            .next()
            .ok_or_else(|| CliError::Missing(flag.to_owned())),
    }
}

fn read(flag: &str, file: &str) -> Result<String, CliError> {
    std::fs::read_to_string(file).map_err(|e| invalid(flag, format!("{file}: {e}")))
}

fn parse_listen<I: Iterator<Item = String>>(mut args: I) -> Result<Command, CliError> {
    let mut out = ListenArgs {
        status: 200,
        ..ListenArgs::default()
    };
    while let Some(arg) = args.next() {
        let (flag, inline) = split(&arg);
        if flag == "-h" || flag == "--help" {
            return Ok(Command::Help);
        }
        if !["--port", "--tls-dir", "--client", "--status"].contains(&flag.as_str()) {
            return Err(CliError::Unknown(arg));
        }
        let value = value_of(&flag, inline, &mut args)?;
        let f = flag.as_str();
        match f {
            "--port" => out.port = number(f, &value)?,
            "--tls-dir" => out.tls_dir = Some(PathBuf::from(value)),
            "--status" => out.status = number(f, &value)?,
            _ => {
                let (id, secret) = value
                    .split_once('=')
                    .ok_or_else(|| invalid(f, "expected ID=SECRET"))?;
                out.clients.push((id.to_owned(), secret.to_owned()));
            }
        }
    }
    Ok(Command::Listen(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Config, CliError> {
        match parse(args.iter().map(|s| s.to_string()))? {
            Command::Run(c) => Ok(*c),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn delivery_flags_and_listen() {
        let c = run(&[
            "--allow-any-host",
            "--retry-backoff-ms=5",
            "--max-retries",
            "2",
        ])
        .unwrap();
        assert!(c.delivery.allow_any_host);
        assert_eq!(c.delivery.retry_backoff, Duration::from_millis(5));
        assert_eq!(c.delivery.max_retries, 2);
        assert!(run(&["--delivery-concurrency", "0"]).is_err());
        match parse(["listen", "--client", "id=s", "--status=500"].map(String::from)) {
            Ok(Command::Listen(l)) => {
                assert_eq!(l.clients, vec![("id".to_owned(), "s".to_owned())]);
                assert_eq!(l.status, 500);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_flags_both_spellings() {
        let c = run(&[
            "--listen",
            "127.0.0.1:5000",
            "--accounts=3",
            "--burst-limit",
            "5",
            "--burst-window-secs=2",
        ])
        .unwrap();
        assert_eq!(c.listen.port(), 5000);
        assert_eq!(c.accounts, 3);
        assert_eq!(c.burst_limit, 5);
        assert_eq!(c.burst_window, Duration::from_secs(2));
        assert_eq!(c.hourly_limit, 3000);
    }

    #[test]
    fn topology_flags_build_a_partner_topology() {
        let dir = tempfile::tempdir().unwrap();
        let pem = dir.path().join("pub.pem");
        std::fs::write(&pem, "PEM").unwrap();
        let c = run(&[
            "--account",
            "partner",
            "--account=client=0f0e0d0c-0000-4000-8000-000000000001",
            "--user",
            "admin=partner",
            "--user=alice=client,partner",
            "--integration-key",
            &format!("ik@partner={}", pem.display()),
            "--consent",
            "ik=alice, admin",
        ])
        .unwrap();
        let t = c.topology.unwrap();
        assert_eq!(t.accounts[1].name, "client");
        assert_eq!(
            t.accounts[1].id.as_deref(),
            Some("0f0e0d0c-0000-4000-8000-000000000001")
        );
        assert_eq!(t.users[1].accounts, ["client", "partner"]);
        assert_eq!(t.integration_keys[0].account, "partner");
        assert_eq!(t.integration_keys[0].public_key.as_deref(), Some("PEM"));
        assert_eq!(t.integration_keys[0].consented_users, ["alice", "admin"]);
        assert!(matches!(
            run(&["--consent", "other=alice"]),
            Err(CliError::Invalid { .. })
        ));
        assert!(matches!(
            run(&["--account", "a", "--accounts", "2"]),
            Err(CliError::Invalid { .. })
        ));
    }

    #[test]
    fn topology_file_reads_key_files_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pub.pem"), "PEM").unwrap();
        let file = dir.path().join("topology.json");
        std::fs::write(
            &file,
            r#"{"accounts": [{"name": "p"}], "users": [{"name": "u", "accounts": ["p"]}],
                "integration_keys": [{"integration_key": "ik", "account": "p",
                                      "public_key_file": "pub.pem", "consented_users": ["u"]}]}"#,
        )
        .unwrap();
        let c = run(&["--topology", &file.display().to_string(), "--account", "q"]).unwrap();
        let t = c.topology.unwrap();
        assert_eq!(t.accounts.len(), 2);
        assert_eq!(t.integration_keys[0].public_key.as_deref(), Some("PEM"));
        assert_eq!(t.integration_keys[0].public_key_file, None);
    }

    #[test]
    fn rejects_non_loopback_and_unknown() {
        assert!(matches!(
            run(&["--listen", "0.0.0.0:1"]),
            Err(CliError::Invalid { .. })
        ));
        assert!(matches!(run(&["--bogus"]), Err(CliError::Unknown(_))));
        assert!(matches!(run(&["--accounts"]), Err(CliError::Missing(_))));
        assert!(matches!(
            parse(vec!["--help".to_string()]),
            Ok(Command::Help)
        ));
    }
}
