//! Certificates for Connect delivery: a small certificate authority that issues server
//! certificates (for the small listener of `docusign-emulator listen`) and client certificates
//! (the identity the emulator presents to listeners that require mutual TLS, as DocuSign
//! presents its own).

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};

/// A certificate authority held in memory.
pub struct Ca {
    params: CertificateParams,
    key: KeyPair,
    /// The CA certificate in PEM, for the other side to trust.
    pub cert_pem: String,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca").finish_non_exhaustive()
    }
}

/// A certificate issued by a [`Ca`] and its private key (PKCS#8 PEM).
#[derive(Clone)]
pub struct Issued {
    /// The certificate in PEM.
    pub cert_pem: String,
    /// The private key in PEM.
    pub key_pem: String,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("key_pem", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, "DocuSign emulator");
    dn
}

impl Ca {
    /// A new CA named `common_name` (P-256 key).
    pub fn new(common_name: &str) -> Result<Ca, String> {
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
        params.distinguished_name = name(common_name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().map_err(|e| e.to_string())?;
        let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
        Ok(Ca {
            params,
            key,
            cert_pem: cert.pem(),
        })
    }

    /// A server certificate for `names` (DNS names or IP addresses).
    pub fn server(&self, names: &[&str]) -> Result<Issued, String> {
        let cn = names.first().copied().unwrap_or("localhost");
        self.issue_named(cn, names, ExtendedKeyUsagePurpose::ServerAuth)
    }

    /// A client certificate named `common_name`.
    pub fn client(&self, common_name: &str) -> Result<Issued, String> {
        self.issue_named(common_name, &[], ExtendedKeyUsagePurpose::ClientAuth)
    }

    fn issue_named(
        &self,
        common_name: &str,
        names: &[&str],
        usage: ExtendedKeyUsagePurpose,
    ) -> Result<Issued, String> {
        let sans: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
        let mut params = CertificateParams::new(sans).map_err(|e| e.to_string())?;
        params.distinguished_name = name(common_name);
        params.extended_key_usages = vec![usage];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate().map_err(|e| e.to_string())?;
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).map_err(|e| e.to_string())?;
        Ok(Issued {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }
}
