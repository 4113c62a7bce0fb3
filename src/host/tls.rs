//! go-plugin AutoMTLS, server side.
//!
//! Terraform generates an ephemeral self-signed client certificate (ECDSA P-521,
//! ecdsa-with-SHA512, CA:TRUE) and passes it PEM-encoded in
//! `PLUGIN_CLIENT_CERT`. The plugin answers with its own ephemeral self-signed
//! certificate, printed in the handshake line, which Terraform then trusts as
//! the only root for the name `localhost`.
//!
//! Why the TLS is done by hand rather than with tonic's `ServerTlsConfig`:
//! webpki refuses a CA certificate used as an end-entity (`CaUsedAsEndEntity`),
//! and ring cannot verify P-521 at all. So the client certificate is *pinned*:
//! the exact DER from the environment is required, and the handshake signature
//! is checked with aws-lc-rs, which supports P-521/SHA-512. Since go-plugin's
//! client pool contains exactly that one self-signed certificate, pinning is
//! equivalent to its `RequireAndVerifyClientCert`.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, ServerConfig, SignatureScheme};

use super::logging::civil_from_days;

/// Errors while setting up TLS. Never contains key material.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("PLUGIN_CLIENT_CERT does not contain a PEM certificate: {0}")]
    ClientCertPem(String),
    #[error("generating the server certificate failed: {0}")]
    CertGeneration(#[from] rcgen::Error),
    #[error("building the TLS server configuration failed: {0}")]
    Config(#[from] rustls::Error),
}

/// The plugin's ephemeral server identity.
pub struct ServerIdentity {
    /// DER of the self-signed certificate (printed in the handshake line).
    pub cert_der: CertificateDer<'static>,
    key_der: PrivatePkcs8KeyDer<'static>,
}

impl std::fmt::Debug for ServerIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerIdentity")
            .field("cert_der_len", &self.cert_der.len())
            .field("key_der", &"<redacted>")
            .finish()
    }
}

/// Generates a self-signed P-256 certificate shaped like go-plugin's own:
/// CN=localhost, SAN DNS:localhost, CA:TRUE with KeyCertSign, server and
/// client auth, valid from yesterday for 30 years.
pub fn generate_server_identity() -> Result<ServerIdentity, TlsError> {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
    let mut params = CertificateParams::new(vec!["localhost".to_owned()])?;
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, "docusign-iac");
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
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or_default();
    // A day of slack for clock skew; dates fit in u8 by construction.
    let (y, m, d) = civil_from_days(days.saturating_sub(1));
    let year = i32::try_from(y).unwrap_or(2025);
    let (month, day) = (m as u8, d as u8);
    params.not_before = rcgen::date_time_ymd(year, month, day);
    params.not_after = rcgen::date_time_ymd(year + 30, month, day.min(28));
    let cert = params.self_signed(&key)?;
    Ok(ServerIdentity {
        cert_der: cert.der().clone(),
        key_der: PrivatePkcs8KeyDer::from(key.serialize_der()),
    })
}

/// Parses the first certificate of the PEM in `PLUGIN_CLIENT_CERT`.
pub fn parse_client_cert(pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map(CertificateDer::into_owned)
        .map_err(|e| TlsError::ClientCertPem(e.to_string()))
}

/// Builds the rustls server configuration: TLS 1.2/1.3 with aws-lc-rs, the
/// pinned client certificate required, ALPN `h2` (grpc-go >= 1.67 refuses a
/// TLS connection without it).
pub fn server_config(
    identity: &ServerIdentity,
    client_cert: CertificateDer<'static>,
) -> Result<ServerConfig, TlsError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = PinnedClientCert::new(client_cert, &provider);
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(
            vec![identity.cert_der.clone()],
            PrivateKeyDer::Pkcs8(identity.key_der.clone_key()),
        )?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// Accepts exactly one client certificate, byte for byte.
#[derive(Debug)]
struct PinnedClientCert {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCert {
    fn new(expected: CertificateDer<'static>, provider: &CryptoProvider) -> Self {
        Self {
            expected,
            algorithms: provider.signature_verification_algorithms,
        }
    }
}

impl ClientCertVerifier for PinnedClientCert {
    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        // No hints: Go then offers its certificate whatever its issuer.
        &[]
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            ))
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_cert_is_a_self_signed_localhost_ca() {
        let identity = generate_server_identity().unwrap();
        let (_, cert) = x509_parser::parse_x509_certificate(identity.cert_der.as_ref()).unwrap();
        assert_eq!(cert.subject(), cert.issuer());
        let bc = cert.basic_constraints().unwrap().unwrap().value;
        assert!(bc.ca);
        assert!(cert.key_usage().unwrap().unwrap().value.key_cert_sign());
        let san = cert.subject_alternative_name().unwrap().unwrap().value;
        assert!(format!("{:?}", san.general_names).contains("localhost"));
        assert!(cert.validity().is_valid());
        assert!(
            !format!("{identity:?}")
                .contains(&format!("{:?}", identity.key_der.secret_pkcs8_der()))
        );
    }

    #[test]
    fn pem_without_a_certificate_is_an_error() {
        assert!(parse_client_cert("not a pem").is_err());
    }

    #[test]
    fn the_pin_accepts_only_the_exact_der() {
        let a = generate_server_identity().unwrap().cert_der;
        let b = generate_server_identity().unwrap().cert_der;
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        let verifier = PinnedClientCert::new(a.clone(), &provider);
        assert!(
            verifier
                .verify_client_cert(&a, &[], UnixTime::now())
                .is_ok()
        );
        assert!(
            verifier
                .verify_client_cert(&b, &[], UnixTime::now())
                .is_err()
        );
        assert!(verifier.client_auth_mandatory());
        assert!(
            verifier
                .supported_verify_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
        );
    }
}
