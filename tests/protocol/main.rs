//! Protocol-level tests: launch the provider binary exactly as Terraform does
//! and talk to it with our own tonic client over go-plugin AutoMTLS.
//!
//! Run with `cargo test --test protocol`.

mod alpn;
mod reliability;
mod replay;
mod support;
mod write_only;

use std::io::Read as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use support::{ClientIdentity, Launch, Plugin};
use terraform_provider_docusign::protocol::tfplugin5::get_provider_schema;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

/// A GetSchema request, the first call Terraform makes.
fn schema_request() -> get_provider_schema::Request {
    get_provider_schema::Request {}
}

#[test]
fn handshake_line_has_terraforms_format_and_a_usable_certificate() {
    let plugin = Plugin::launch();
    let hs = &plugin.handshake;
    assert_eq!(hs.core_version, "1");
    assert_eq!(hs.app_version, "5");
    assert_eq!(hs.network, support::expected_network());
    assert_eq!(hs.protocol, "grpc");
    assert!(
        !hs.cert_base64.contains('='),
        "base64 must be unpadded: {}",
        hs.raw
    );
    assert!(
        hs.cert_base64.len() > 50,
        "go-plugin ignores a certificate of 50 characters or fewer"
    );
    if hs.network == "unix" {
        // The socket lives in the plugin's $TMPDIR with a short path.
        assert!(
            std::path::Path::new(&hs.address).starts_with(plugin.tmpdir.path()),
            "{:?}",
            hs.address
        );
        assert!(hs.address.len() < 100);
        let meta = std::fs::symlink_metadata(&hs.address).expect("socket exists");
        assert!(std::os::unix::fs::FileTypeExt::is_socket(&meta.file_type()));
    } else {
        // Loopback, in the PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT range the launcher passes.
        let port: u16 = hs
            .address
            .strip_prefix("127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("not a loopback address: {}", hs.address));
        assert!((10000..=25000).contains(&port), "{port}");
    }

    let der = hs.server_cert_der();
    let (rest, cert) = x509_parser::parse_x509_certificate(&der).expect("X.509 DER");
    assert!(rest.is_empty());
    assert!(support::cert_has_dns_san(&der, "localhost"));
    // Go trusts it as its own root: it must be a self-signed CA able to sign.
    assert_eq!(cert.subject(), cert.issuer());
    assert!(cert.basic_constraints().unwrap().unwrap().value.ca);
    assert!(cert.key_usage().unwrap().unwrap().value.key_cert_sign());
    assert!(cert.validity().is_valid());

    // Nothing else is written to stdout.
    std::thread::sleep(Duration::from_millis(100));
    assert!(plugin.extra_stdout.lock().unwrap().is_empty());
}

#[test]
fn run_by_hand_it_explains_itself_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let launch = Launch {
        cookie: false,
        ..Launch::default()
    };
    let output = launch.command(tmp.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        output.stdout.is_empty(),
        "stdout: {:?}",
        String::from_utf8_lossy(&output.stdout)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("This binary is a plugin"),
        "stderr: {stderr}"
    );
    assert!(stderr.contains("terraform"), "stderr: {stderr}");
}

#[test]
fn a_host_without_protocol_5_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let launch = Launch {
        protocol_versions: Some("6".into()),
        ..Launch::default()
    };
    let output = launch.command(tmp.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("version 5"));
}

#[test]
fn version_flag_prints_the_version() {
    let output = std::process::Command::new(support::binary())
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
}

#[tokio::test]
async fn get_schema_answers_over_mutual_tls() {
    let plugin = Plugin::launch();
    let mut provider = plugin.provider().await;
    let response = provider
        .get_schema(schema_request())
        .await
        .expect("GetSchema")
        .into_inner();
    let provider_schema = response.provider.expect("provider schema present");
    assert!(provider_schema.block.is_some());
    assert!(
        response.diagnostics.iter().all(|d| d.severity != 1),
        "GetSchema returned errors: {:?}",
        response.diagnostics
    );
}

#[tokio::test]
async fn a_client_without_the_pinned_certificate_is_refused() {
    let plugin = Plugin::launch_with(Launch {
        env: vec![("TF_LOG_PROVIDER".into(), "debug".into())],
        ..Launch::default()
    });

    // No client certificate at all.
    let refused = match plugin.channel_as(None).await {
        Err(_) => true,
        Ok(channel) => {
            let mut client =
                terraform_provider_docusign::protocol::tfplugin5::provider_client::ProviderClient::new(channel);
            client.get_schema(schema_request()).await.is_err()
        }
    };
    assert!(refused, "a client without a certificate got an answer");

    // A well-formed go-plugin-style certificate that is not the pinned one.
    let stranger = ClientIdentity::generate();
    let refused = match plugin.channel_as(Some(&stranger)).await {
        Err(_) => true,
        Ok(channel) => {
            let mut client =
                terraform_provider_docusign::protocol::tfplugin5::provider_client::ProviderClient::new(channel);
            client.get_schema(schema_request()).await.is_err()
        }
    };
    assert!(refused, "a client with another certificate got an answer");

    // The right certificate still works on the same server.
    let mut provider = plugin.provider().await;
    provider
        .get_schema(schema_request())
        .await
        .expect("pinned client is served");

    // The refusals were logged as hclog JSON on stderr.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let stderr = plugin.stderr_text();
    let refusals: Vec<serde_json::Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["@message"] == "TLS handshake refused")
        .collect();
    // One per refused client at least (tonic may redial a failed connection).
    assert!(refusals.len() >= 2, "stderr: {stderr}");
    for line in &refusals {
        assert_eq!(line["@level"], "warn");
        assert_eq!(line["@module"], "docusign");
        let ts = line["@timestamp"].as_str().unwrap();
        // 2006-01-02T15:04:05.000000Z
        assert_eq!(ts.len(), 27, "{ts}");
        assert!(ts.ends_with('Z') && ts.as_bytes()[19] == b'.', "{ts}");
    }
}

#[tokio::test]
async fn health_service_reports_plugin_serving() {
    let plugin = Plugin::launch();
    let mut health = HealthClient::new(plugin.channel().await.unwrap());
    let response = health
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .expect("health check")
        .into_inner();
    assert_eq!(response.status, ServingStatus::Serving as i32);
}

#[tokio::test]
async fn shutdown_exits_within_100_ms_and_removes_the_socket() {
    let mut plugin = Plugin::launch();
    // A connection with an open stdio stream, as Terraform keeps one.
    let mut stdio =
        terraform_provider_docusign::protocol::plugin::grpc_stdio_client::GrpcStdioClient::new(
            plugin.channel().await.unwrap(),
        );
    let _stream = stdio.stream_stdio(()).await.expect("StreamStdio");

    let answered = plugin.shutdown().await;
    let status = plugin
        .wait_exit(Duration::from_secs(3))
        .expect("process exited");
    let elapsed = answered.elapsed();
    eprintln!("process exited {elapsed:?} after the Shutdown response");
    assert!(
        status.success(),
        "exit status {status:?}; stderr: {}",
        plugin.stderr_text()
    );
    assert!(
        elapsed < Duration::from_millis(100),
        "exited {elapsed:?} after the Shutdown response"
    );
    if plugin.handshake.network == "unix" {
        assert!(
            !std::path::Path::new(&plugin.handshake.address).exists(),
            "socket file left behind"
        );
    } else {
        assert!(
            std::net::TcpStream::connect(&plugin.handshake.address).is_err(),
            "the port still accepts connections after exit"
        );
    }
}

#[tokio::test]
async fn sigint_does_not_kill_the_provider() {
    let mut plugin = Plugin::launch();
    let mut provider = plugin.provider().await;
    plugin.signal("INT");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(plugin.is_running(), "SIGINT killed the provider");
    provider
        .get_schema(schema_request())
        .await
        .expect("still serving after SIGINT");
}

/// Starts the binary with `args` (debug mode) and returns it, its temp dir and the parsed
/// `TF_REATTACH_PROVIDERS` JSON of its reattach line.
fn start_debug(args: &[&str]) -> (std::process::Child, tempfile::TempDir, serde_json::Value) {
    let tmp = tempfile::Builder::new()
        .prefix("tfp")
        .tempdir_in("/tmp")
        .unwrap();
    let launch = Launch {
        cookie: false,
        client: None,
        protocol_versions: None,
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        ..Launch::default()
    };
    let mut child = launch.command(tmp.path()).spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();

    // Read stdout until the reattach line appears.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let mut byte = [0u8; 1];
        while let Ok(1) = stdout.read(&mut byte) {
            text.push(byte[0] as char);
            if text.contains("TF_REATTACH_PROVIDERS='") && text.ends_with("'\n") {
                let _ = tx.send(text.clone());
            }
        }
    });
    let text = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("reattach line");
    let line = text
        .lines()
        .find(|l| l.contains("TF_REATTACH_PROVIDERS='"))
        .unwrap();
    let json = line
        .trim()
        .trim_start_matches("TF_REATTACH_PROVIDERS='")
        .trim_end_matches('\'');
    let config: serde_json::Value = serde_json::from_str(json).expect("reattach JSON");
    (child, tmp, config)
}

#[test]
fn debug_mode_names_the_registry_opentofu_reads() {
    // OpenTofu reads `docusign-iac/docusign` as registry.opentofu.org/docusign-iac/docusign
    // (`parseReattachProviders`, cmd/tofu/main.go@opentofu/opentofu v1.11.14).
    let (mut child, _tmp, config) = start_debug(&["--debug", "--registry=registry.opentofu.org"]);
    let _ = child.kill();
    let _ = child.wait();
    let keys: Vec<&String> = config.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["registry.opentofu.org/docusign-iac/docusign"]);
    let output = Launch {
        cookie: false,
        args: vec!["--debug".into(), "--registry=not a host".into()],
        ..Launch::default()
    }
    .command(std::path::Path::new("/tmp"))
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[tokio::test]
async fn debug_mode_prints_a_reattach_line_and_serves_plaintext() {
    let (mut child, _tmp, config) = start_debug(&["--debug"]);
    let entry = &config["registry.terraform.io/docusign-iac/docusign"];
    assert_eq!(entry["Protocol"], "grpc");
    assert_eq!(entry["ProtocolVersion"], 5);
    let network = support::expected_network();
    if network == "unix" {
        assert_eq!(entry["Pid"], child.id());
    } else {
        // A Windows build under Wine reports its Windows process id.
        assert!(entry["Pid"].as_u64().is_some_and(|p| p > 0), "{entry}");
    }
    assert_eq!(entry["Addr"]["Network"], network.as_str());
    let socket = entry["Addr"]["String"].as_str().unwrap().to_owned();

    let channel = support::connect(&network, &socket, None)
        .await
        .expect("plaintext channel");
    let mut provider =
        terraform_provider_docusign::protocol::tfplugin5::provider_client::ProviderClient::new(
            channel,
        );
    provider
        .get_schema(schema_request())
        .await
        .expect("GetSchema in debug mode");

    // In debug mode Ctrl-C stops the server (there is no Terraform to do it).
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "debug server ignored Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(status.success());
    if network == "unix" {
        assert!(!std::path::Path::new(&socket).exists());
    }
}
