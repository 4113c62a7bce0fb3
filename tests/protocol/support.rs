//! A launcher that starts `terraform-provider-docusign` exactly as Terraform
//! 1.0.3 does, and a tonic client that connects to it with go-plugin AutoMTLS.
//!
//! Terraform (go-plugin) sets the magic cookie, `PLUGIN_PROTOCOL_VERSIONS=5,6`,
//! `PLUGIN_MIN_PORT`/`PLUGIN_MAX_PORT` and `PLUGIN_CLIENT_CERT`: an ephemeral
//! self-signed ECDSA P-521 / ecdsa-with-SHA512 CA certificate (O=HashiCorp,
//! CN=localhost, SAN localhost, KeyUsage with CertSign, EKU client+server
//! auth). It reads the first stdout line, then dials the socket with TLS,
//! presenting that certificate and trusting only the server certificate from
//! the line, for the name `localhost`, with ALPN h2.
//!
//! Usage from a test:
//! ```ignore
//! let plugin = Plugin::launch();
//! let mut provider = plugin.provider().await;
//! let schema = provider.get_schema(Request::new(Default::default())).await?;
//! plugin.shutdown_and_wait().await;
//! ```
//!
//! The end of the file holds the tfplugin5 helpers the write-only and reliability tests share
//! (DynamicValues, a provider configured for the emulator, plan/apply/create as Terraform drives
//! them).
#![allow(dead_code)] // Not every test binary uses every helper.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, PKCS_ECDSA_P521_SHA512,
};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpStream, UnixStream};
use tokio_rustls::TlsConnector;
use tonic::transport::{Channel, Endpoint, Uri};

use terraform_provider_docusign::framework::{Schema, Type, Value, msgpack};
use terraform_provider_docusign::protocol::plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_docusign::protocol::tfplugin5 as pb;
use terraform_provider_docusign::protocol::tfplugin5::provider_client::ProviderClient;
use terraform_provider_docusign::resources::{null_object, provider_config};

/// The network the binary under test listens on: `unix`, or `tcp` for a Windows build
/// (`TF_ACC_PROVIDER_NETWORK=tcp`, set by `./scripts/test` when it runs the tests against the
/// Windows binary under Wine).
pub fn expected_network() -> String {
    std::env::var("TF_ACC_PROVIDER_NETWORK")
        .ok()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "unix".to_owned())
}

/// Terraform's magic cookie.
pub const MAGIC_COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

/// How long the plugin may take to print its handshake line.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// The path of the binary under test: `TF_ACC_PROVIDER_BIN` when set (to run these tests
/// against the release binary), else the one cargo built for this test run.
pub fn binary() -> &'static str {
    static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        std::env::var("TF_ACC_PROVIDER_BIN")
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_terraform-provider-docusign").to_owned())
    })
}

/// An ephemeral client certificate shaped like go-plugin's.
#[derive(Clone)]
pub struct ClientIdentity {
    pub cert_der: CertificateDer<'static>,
    pub cert_pem: String,
    key_pkcs8: Vec<u8>,
}

impl ClientIdentity {
    /// Generates a certificate like go-plugin's `generateCert`: ECDSA P-521,
    /// ecdsa-with-SHA512, self-signed CA, O=HashiCorp, CN=localhost.
    pub fn generate() -> Self {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P521_SHA512).unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        let mut name = DistinguishedName::new();
        name.push(DnType::OrganizationName, "HashiCorp");
        name.push(DnType::CommonName, "localhost");
        params.distinguished_name = name;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyAgreement,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ClientAuth,
            ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let cert = params.self_signed(&key).unwrap();
        Self {
            cert_der: cert.der().clone(),
            cert_pem: cert.pem(),
            key_pkcs8: key.serialize_der(),
        }
    }
}

/// How to launch the plugin.
pub struct Launch {
    /// Set the magic cookie (Terraform always does).
    pub cookie: bool,
    /// `PLUGIN_PROTOCOL_VERSIONS`.
    pub protocol_versions: Option<String>,
    /// The certificate passed in `PLUGIN_CLIENT_CERT` (None: AutoMTLS off).
    pub client: Option<ClientIdentity>,
    /// Extra environment, e.g. `TF_LOG_PROVIDER`.
    pub env: Vec<(String, String)>,
    /// Command-line arguments.
    pub args: Vec<String>,
}

impl Default for Launch {
    fn default() -> Self {
        Self {
            cookie: true,
            protocol_versions: Some("5,6".to_owned()),
            client: Some(ClientIdentity::generate()),
            env: Vec::new(),
            args: Vec::new(),
        }
    }
}

impl Launch {
    /// The command Terraform would run, with stdio piped.
    pub fn command(&self, tmpdir: &Path) -> Command {
        let mut cmd = Command::new(binary());
        cmd.args(&self.args)
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove(MAGIC_COOKIE.0)
            .env_remove("PLUGIN_CLIENT_CERT")
            .env_remove("PLUGIN_PROTOCOL_VERSIONS")
            .env("TMPDIR", tmpdir)
            .env("PLUGIN_MIN_PORT", "10000")
            .env("PLUGIN_MAX_PORT", "25000")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if self.cookie {
            cmd.env(MAGIC_COOKIE.0, MAGIC_COOKIE.1);
        }
        if let Some(versions) = &self.protocol_versions {
            cmd.env("PLUGIN_PROTOCOL_VERSIONS", versions);
        }
        if let Some(client) = &self.client {
            cmd.env("PLUGIN_CLIENT_CERT", &client.cert_pem);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }
}

/// The fields of a parsed handshake line.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub raw: String,
    pub core_version: String,
    pub app_version: String,
    pub network: String,
    /// A socket path (`unix`) or `127.0.0.1:<port>` (`tcp`).
    pub address: String,
    pub protocol: String,
    /// The base64 text of the server certificate (empty without TLS).
    pub cert_base64: String,
}

impl Handshake {
    /// Parses a handshake line the way go-plugin's client does.
    pub fn parse(line: &str) -> Self {
        let raw = line.trim().to_owned();
        let parts: Vec<&str> = raw.split('|').collect();
        assert_eq!(parts.len(), 6, "handshake line must have 6 fields: {raw:?}");
        Self {
            core_version: parts[0].to_owned(),
            app_version: parts[1].to_owned(),
            network: parts[2].to_owned(),
            address: parts[3].to_owned(),
            protocol: parts[4].to_owned(),
            cert_base64: parts[5].to_owned(),
            raw,
        }
    }

    /// The server certificate DER (the base64 must be standard, unpadded).
    pub fn server_cert_der(&self) -> Vec<u8> {
        STANDARD_NO_PAD
            .decode(&self.cert_base64)
            .expect("unpadded standard base64")
    }
}

/// A running plugin process. Killed on drop.
pub struct Plugin {
    child: Child,
    pub handshake: Handshake,
    pub client: Option<ClientIdentity>,
    /// Everything the plugin wrote to stderr so far.
    pub stderr: Arc<Mutex<String>>,
    /// Lines written to stdout after the handshake line.
    pub extra_stdout: Arc<Mutex<Vec<String>>>,
    /// $TMPDIR of the plugin, where its socket lives.
    pub tmpdir: tempfile::TempDir,
}

impl Plugin {
    /// Launches like Terraform 1.0.3 with AutoMTLS on.
    pub fn launch() -> Self {
        Self::launch_with(Launch::default())
    }

    /// Launches with the given options and waits for the handshake line.
    pub fn launch_with(launch: Launch) -> Self {
        let tmpdir = short_tempdir();
        let mut child = launch.command(tmpdir.path()).spawn().expect("spawn plugin");
        let stderr = capture_stderr(&mut child);
        let stdout = child.stdout.take().expect("piped stdout");
        let (first_tx, first_rx) = mpsc::channel();
        let extra_stdout = Arc::new(Mutex::new(Vec::new()));
        let extra = extra_stdout.clone();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next();
            let _ = first_tx.send(first.and_then(Result::ok));
            for line in lines.map_while(Result::ok) {
                extra.lock().unwrap().push(line);
            }
        });
        let line = match first_rx.recv_timeout(START_TIMEOUT) {
            Ok(Some(line)) => line,
            other => {
                let _ = child.kill();
                panic!(
                    "no handshake line ({other:?}); stderr: {}",
                    stderr.lock().unwrap()
                );
            }
        };
        Self {
            child,
            handshake: Handshake::parse(&line),
            client: launch.client,
            stderr,
            extra_stdout,
            tmpdir,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A gRPC channel with go-plugin AutoMTLS, using the launch certificate.
    pub async fn channel(&self) -> Result<Channel, tonic::transport::Error> {
        let client = self
            .client
            .clone()
            .expect("launched with a client certificate");
        self.channel_as(Some(&client)).await
    }

    /// A TLS channel presenting `client` (or no certificate at all).
    pub async fn channel_as(
        &self,
        client: Option<&ClientIdentity>,
    ) -> Result<Channel, tonic::transport::Error> {
        let config = client_tls_config(&self.handshake.server_cert_der(), client);
        connect(
            &self.handshake.network,
            &self.handshake.address,
            Some(TlsConnector::from(Arc::new(config))),
        )
        .await
    }

    /// The tfplugin5 client over mTLS, with Terraform's 256 MiB limits.
    pub async fn provider(&self) -> ProviderClient<Channel> {
        let channel = self.channel().await.expect("mTLS channel");
        ProviderClient::new(channel)
            .max_decoding_message_size(256 << 20)
            .max_encoding_message_size(256 << 20)
    }

    /// Calls `GRPCController.Shutdown` and returns when the response arrived.
    pub async fn shutdown(&self) -> Instant {
        let mut controller = GrpcControllerClient::new(self.channel().await.expect("channel"));
        controller
            .shutdown(terraform_provider_docusign::protocol::plugin::Empty {})
            .await
            .expect("Shutdown RPC");
        Instant::now()
    }

    /// Polls (every millisecond) until the process exits or `limit` passes.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if start.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends a signal with the system `kill` command.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    pub fn stderr_text(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A connection of either network.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Dials `address` on `network` (`unix`: a socket path; `tcp`: host:port) as go-plugin's
/// client does, optionally wrapping it in TLS for `localhost`, and returns a tonic channel.
pub async fn connect(
    network: &str,
    address: &str,
    tls: Option<TlsConnector>,
) -> Result<Channel, tonic::transport::Error> {
    // The URI is only a placeholder: the connector decides where to dial.
    let endpoint =
        Endpoint::from_static("http://localhost").connect_timeout(Duration::from_secs(5));
    let (network, address) = (network.to_owned(), address.to_owned());
    endpoint
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let (network, address) = (network.clone(), address.clone());
            let tls = tls.clone();
            async move {
                let stream: Box<dyn Io> = match network.as_str() {
                    "unix" => Box::new(UnixStream::connect(&address).await?),
                    "tcp" => Box::new(TcpStream::connect(&address).await?),
                    other => {
                        return Err(std::io::Error::other(format!("unknown network {other}")));
                    }
                };
                match tls {
                    None => Ok::<_, std::io::Error>(TokioIo::new(Either::Plain(stream))),
                    Some(connector) => {
                        let name = ServerName::try_from("localhost").expect("valid name");
                        let tls = connector.connect(name, stream).await?;
                        Ok(TokioIo::new(Either::Tls(Box::new(tls))))
                    }
                }
            }
        }))
        .await
}

/// A plaintext or TLS stream.
pub enum Either {
    Plain(Box<dyn Io>),
    Tls(Box<tokio_rustls::client::TlsStream<Box<dyn Io>>>),
}

impl tokio::io::AsyncRead for Either {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Either::Plain(s) => std::pin::Pin::new(s).poll_read(cx, buf),
            Either::Tls(s) => std::pin::Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl tokio::io::AsyncWrite for Either {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Either::Plain(s) => std::pin::Pin::new(s).poll_write(cx, buf),
            Either::Tls(s) => std::pin::Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Either::Plain(s) => std::pin::Pin::new(s).poll_flush(cx),
            Either::Tls(s) => std::pin::Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Either::Plain(s) => std::pin::Pin::new(s).poll_shutdown(cx),
            Either::Tls(s) => std::pin::Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// The client side of go-plugin AutoMTLS: trust exactly the server
/// certificate from the handshake line (for `localhost`), present `client`.
pub fn client_tls_config(server_cert_der: &[u8], client: Option<&ClientIdentity>) -> ClientConfig {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = PinnedServerCert::new(CertificateDer::from(server_cert_der.to_vec()), &provider);
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let mut config = match client {
        Some(id) => builder
            .with_client_auth_cert(
                vec![id.cert_der.clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key_pkcs8.clone())),
            )
            .expect("client cert and key"),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    config
}

/// Go accepts the self-signed CA server certificate as its own root; webpki
/// would reject a CA used as end-entity, so the test client pins it instead
/// and checks the name `localhost` itself.
#[derive(Debug)]
struct PinnedServerCert {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedServerCert {
    fn new(expected: CertificateDer<'static>, provider: &CryptoProvider) -> Self {
        Self {
            expected,
            algorithms: provider.signature_verification_algorithms,
        }
    }
}

impl ServerCertVerifier for PinnedServerCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() != self.expected.as_ref() {
            return Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            ));
        }
        if !cert_has_dns_san(end_entity.as_ref(), &server_name.to_str()) {
            return Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName,
            ));
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Whether the DER certificate lists `name` as a DNS subject alternative name.
pub fn cert_has_dns_san(der: &[u8], name: &str) -> bool {
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der) else {
        return false;
    };
    let Ok(Some(san)) = cert.subject_alternative_name() else {
        return false;
    };
    san.value.general_names.iter().any(|n| {
        matches!(n, x509_parser::extensions::GeneralName::DNSName(dns) if dns.eq_ignore_ascii_case(name))
    })
}

/// A temporary directory with a short path (unix sockets allow ~108 bytes).
fn short_tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("tfp")
        .tempdir_in("/tmp")
        .expect("temp dir in /tmp")
}

/// Copies the child's stderr into a shared string from a thread.
fn capture_stderr(child: &mut Child) -> Arc<Mutex<String>> {
    let buffer = Arc::new(Mutex::new(String::new()));
    if let Some(mut stderr) = child.stderr.take() {
        let sink = buffer.clone();
        std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&chunk[..n]));
            }
        });
    }
    buffer
}

// ---- tfplugin5 calls against the emulator ------------------------------------------------------
//
// What the write-only and reliability tests share: values in and out of DynamicValues, client
// capabilities, error diagnostics, an emulator that keeps its data in a file (where the secrets
// DocuSign received can be seen), a launched and configured provider, and a create as Terraform
// drives it.

/// `v` as a msgpack DynamicValue of type `ty`.
pub fn dv(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: msgpack::encode(v, ty).unwrap(),
        json: Vec::new(),
    })
}

/// The value of a msgpack DynamicValue of type `ty` (there must be one).
pub fn undv(d: &Option<pb::DynamicValue>, ty: &Type) -> Value {
    msgpack::decode(&d.as_ref().expect("a value").msgpack, ty).unwrap()
}

/// Client capabilities as Terraform 1.11+ sends them (`write_only`: write-only attributes).
pub fn caps(write_only: bool) -> Option<pb::ClientCapabilities> {
    Some(pb::ClientCapabilities {
        deferral_allowed: false,
        write_only_attributes_allowed: write_only,
    })
}

/// `summary: detail` of each error diagnostic.
pub fn errors(diags: &[pb::Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

/// An emulator keeping its data in `state_file` (the only place stored secrets can be seen).
pub async fn emulator(state_file: &Path) -> docusign_emulator::Running {
    docusign_emulator::start(docusign_emulator::Config {
        state_file: Some(state_file.to_path_buf()),
        ..Default::default()
    })
    .await
    .unwrap()
}

/// Launches the provider (trace logging on stderr) and configures it for `emu` with its
/// development token, as Terraform 1.11 with write-only support would; `extra` sets more
/// provider attributes.
pub async fn configured(
    emu: &docusign_emulator::Running,
    extra: &[(&str, Value)],
) -> (Plugin, ProviderClient<Channel>) {
    let plugin = Plugin::launch_with(Launch {
        env: vec![("TF_LOG_PROVIDER".into(), "trace".into())],
        ..Launch::default()
    });
    let mut provider = plugin.provider().await;
    provider
        .get_schema(pb::get_provider_schema::Request {})
        .await
        .unwrap();
    let schema = provider_config::schema();
    let mut config = null_object(&schema);
    let i = emu.info();
    config.set_attr("base_uri", Value::string(&i.base_uri));
    config.set_attr("oauth_base_uri", Value::string(&i.oauth_base_uri));
    config.set_attr("account_id", Value::string(&i.account_id));
    config.set_attr("access_token", Value::string(&i.access_token));
    for (k, v) in extra {
        config.set_attr(*k, v.clone());
    }
    let resp = provider
        .configure(pb::configure::Request {
            terraform_version: "1.11.0".into(),
            config: dv(&config, &schema.block.implied_type()),
            client_capabilities: caps(true),
        })
        .await
        .unwrap()
        .into_inner();
    assert_no_errors(&resp.diagnostics);
    (plugin, provider)
}

/// Fails the test if `diags` has an error.
#[track_caller]
pub fn assert_no_errors(diags: &[pb::Diagnostic]) {
    assert!(errors(diags).is_empty(), "{diags:?}");
}

/// PlanResourceChange of `type_name` (values of type `ty`), as Terraform 1.11 sends it.
pub async fn plan(
    provider: &mut ProviderClient<Channel>,
    type_name: &str,
    ty: &Type,
    prior: &Value,
    proposed: &Value,
    config: &Value,
    prior_private: Vec<u8>,
) -> pb::plan_resource_change::Response {
    provider
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: type_name.into(),
            prior_state: dv(prior, ty),
            proposed_new_state: dv(proposed, ty),
            config: dv(config, ty),
            prior_private,
            client_capabilities: caps(true),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

/// ApplyResourceChange of `type_name` (values of type `ty`).
pub async fn apply(
    provider: &mut ProviderClient<Channel>,
    type_name: &str,
    ty: &Type,
    prior: &Value,
    planned: &Value,
    config: &Value,
    planned_private: Vec<u8>,
) -> pb::apply_resource_change::Response {
    provider
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: type_name.into(),
            prior_state: dv(prior, ty),
            planned_state: dv(planned, ty),
            config: dv(config, ty),
            planned_private,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
}

/// What Terraform does for a create: PlanResourceChange (which must succeed), then
/// ApplyResourceChange.
pub async fn create(
    provider: &mut ProviderClient<Channel>,
    type_name: &str,
    schema: &Schema,
    config: &Value,
) -> pb::apply_resource_change::Response {
    let ty = schema.block.implied_type();
    let null = Value::Null;
    let planned = plan(provider, type_name, &ty, &null, config, config, Vec::new()).await;
    assert_no_errors(&planned.diagnostics);
    let state = undv(&planned.planned_state, &ty);
    apply(
        provider,
        type_name,
        &ty,
        &null,
        &state,
        config,
        planned.planned_private,
    )
    .await
}

/// [`create`], which must succeed.
pub async fn create_ok(
    provider: &mut ProviderClient<Channel>,
    type_name: &str,
    schema: &Schema,
    config: &Value,
) -> pb::apply_resource_change::Response {
    let applied = create(provider, type_name, schema, config).await;
    assert_no_errors(&applied.diagnostics);
    applied
}

/// A GET answered with JSON (`bearer`: an access token to send).
pub async fn get_json(url: String, bearer: Option<&str>) -> serde_json::Value {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut req = http.get(url);
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap().json().await.unwrap()
}

/// The emulator's request log (`[{seq, method, path, status, …}]`).
pub async fn emulator_requests(emu: &docusign_emulator::Running) -> Vec<serde_json::Value> {
    let url = format!("{}/_emulator/requests", emu.info().base_uri);
    let log = get_json(url, None).await;
    log.as_array().cloned().unwrap_or_default()
}
