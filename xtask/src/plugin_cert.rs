//! A go-plugin client certificate shaped like the one Terraform sends in `PLUGIN_CLIENT_CERT`:
//! ECDSA P-521 with SHA-512, self-signed, `O=HashiCorp, CN=localhost`, SAN `localhost`,
//! `CA:TRUE`, key usages DigitalSignature/KeyEncipherment/KeyAgreement/CertSign, extended key
//! usages clientAuth and serverAuth.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P521_SHA512,
};

/// PEM of a fresh Terraform-like client certificate.
pub fn terraform_like_client_cert_pem() -> Result<String, String> {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P521_SHA512)
        .map_err(|e| format!("generate a P-521 key: {e}"))?;
    let mut params = CertificateParams::new(vec!["localhost".to_owned()])
        .map_err(|e| format!("certificate parameters: {e}"))?;
    params
        .distinguished_name
        .push(DnType::OrganizationName, "HashiCorp");
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
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
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2050, 1, 1);
    let cert = params
        .self_signed(&key)
        .map_err(|e| format!("self-sign: {e}"))?;
    Ok(cert.pem())
}

#[cfg(test)]
mod tests {
    #[test]
    fn produces_a_pem_certificate() {
        let pem = super::terraform_like_client_cert_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
        assert!(
            pem.trim_end().ends_with("-----END CERTIFICATE-----"),
            "{pem}"
        );
        // Two certificates are never the same (fresh key each time).
        assert_ne!(pem, super::terraform_like_client_cert_pem().unwrap());
    }
}
