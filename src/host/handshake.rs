//! What the plugin reads from its environment and prints on stdout, following
//! go-plugin's handshake as Terraform drives it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;

/// The magic cookie Terraform sets for every provider process.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Its fixed value (Terraform's `internal/plugin/serve.go`).
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The only plugin protocol version this provider speaks.
pub const PROTOCOL_VERSION: u32 = 5;
/// go-plugin's own core protocol version, the first handshake field.
pub const CORE_PROTOCOL_VERSION: u32 = 1;

/// What stderr says when the binary is run by hand.
pub const NOT_A_PROGRAM_MESSAGE: &str = "This binary is a plugin. These are not meant to be executed directly.\n\
Please execute the program that consumes these plugins, which will\n\
load any plugins automatically.\n\
\n\
terraform-provider-docusign is the DocuSign provider for Terraform: declare it in a\n\
configuration's required_providers as source = \"docusign-iac/docusign\" and run\n\
terraform. For development, `terraform-provider-docusign --debug` starts a server\n\
Terraform can attach to (add --registry=registry.opentofu.org for OpenTofu), and\n\
`--version` prints the version.\n";

/// `address` (`host/namespace/type`) with its registry host replaced by `host`, e.g.
/// `registry.opentofu.org`: OpenTofu reads a reattach address without a host as
/// `registry.opentofu.org/…`, so its users need that host in the reattach line.
pub fn in_registry(address: &str, host: &str) -> Result<String, String> {
    let valid = !host.is_empty()
        && host.len() <= 253
        && host
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if !valid {
        return Err(format!(
            "--registry wants a host name such as registry.opentofu.org; got {host:?}"
        ));
    }
    let rest = address.split_once('/').map_or(address, |(_, rest)| rest);
    Ok(format!("{}/{rest}", host.to_ascii_lowercase()))
}

/// Why the plugin refuses to start.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HandshakeError {
    /// Missing or wrong cookie: a human ran the binary.
    #[error("the magic cookie is missing or wrong")]
    BadCookie,
    /// The host wants protocol versions this plugin cannot speak.
    #[error(
        "Terraform offers plugin protocol versions {offered:?}, but this provider only speaks version 5"
    )]
    UnsupportedProtocol { offered: String },
}

/// Checks the cookie and the offered protocol versions.
///
/// `versions` is `PLUGIN_PROTOCOL_VERSIONS`, a comma-separated set (order not
/// guaranteed). When it is absent, go-plugin falls back to the plugin's
/// default version, which is 5.
pub fn check_environment(
    cookie: Option<&str>,
    versions: Option<&str>,
) -> Result<u32, HandshakeError> {
    if cookie != Some(MAGIC_COOKIE_VALUE) {
        return Err(HandshakeError::BadCookie);
    }
    match versions.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(PROTOCOL_VERSION),
        Some(list) => {
            let offers_five = list
                .split(',')
                .any(|v| v.trim().parse::<u32>().ok() == Some(PROTOCOL_VERSION));
            if offers_five {
                Ok(PROTOCOL_VERSION)
            } else {
                Err(HandshakeError::UnsupportedProtocol {
                    offered: list.to_owned(),
                })
            }
        }
    }
}

/// Formats the handshake line (with trailing newline):
/// `1|5|<network>|<address>|grpc|<cert>`, where the network is `unix` (the
/// address a socket path) or `tcp` (`127.0.0.1:<port>`), and `<cert>` is the
/// server certificate DER in standard base64 **without padding** (Terraform
/// rejects `=`), or empty when serving plaintext.
pub fn handshake_line(network: &str, address: &str, server_cert_der: Option<&[u8]>) -> String {
    let cert = server_cert_der
        .map(|der| STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{network}|{address}|grpc|{cert}\n")
}

/// The text printed in debug mode for the provider at registry address `provider`, in
/// terraform-plugin-go's style, ending with
/// the line to paste into a shell.
pub fn reattach_text(provider: &str, network: &str, address: &str, pid: u32) -> String {
    let config = serde_json::json!({
        provider: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": pid,
            "Test": true,
            "Addr": { "Network": network, "String": address },
        }
    });
    // Single quotes protect the JSON in a POSIX shell; a quote in the path
    // (never produced by `listener::bind`) is escaped the shell way.
    let json = config.to_string().replace('\'', "'\\''");
    format!(
        "Provider started. To attach Terraform or OpenTofu, set the TF_REATTACH_PROVIDERS environment variable with the following:\n\n\tTF_REATTACH_PROVIDERS='{json}'\n\nPress Ctrl-C to stop the provider.\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_required() {
        assert_eq!(
            check_environment(None, Some("5,6")),
            Err(HandshakeError::BadCookie)
        );
        assert_eq!(
            check_environment(Some("nope"), Some("5")),
            Err(HandshakeError::BadCookie)
        );
        assert_eq!(
            check_environment(Some(MAGIC_COOKIE_VALUE), Some("5,6")),
            Ok(5)
        );
    }

    #[test]
    fn protocol_versions_are_a_set_that_must_contain_five() {
        let ok = Some(MAGIC_COOKIE_VALUE);
        assert_eq!(check_environment(ok, Some("6, 5")), Ok(5));
        assert_eq!(check_environment(ok, None), Ok(5));
        assert_eq!(check_environment(ok, Some("")), Ok(5));
        assert!(matches!(
            check_environment(ok, Some("6")),
            Err(HandshakeError::UnsupportedProtocol { .. })
        ));
        assert!(check_environment(ok, Some("55,4")).is_err());
    }

    #[test]
    fn handshake_line_has_six_fields_and_unpadded_base64() {
        // 4 bytes encode to 6 characters unpadded ("AQIDBA" vs "AQIDBA==").
        let line = handshake_line("unix", "/tmp/plugin1", Some(&[1, 2, 3, 4]));
        assert_eq!(line, "1|5|unix|/tmp/plugin1|grpc|AQIDBA\n");
        let plain = handshake_line("unix", "/tmp/plugin1", None);
        assert_eq!(plain, "1|5|unix|/tmp/plugin1|grpc|\n");
        let tcp = handshake_line("tcp", "127.0.0.1:10001", None);
        assert_eq!(tcp, "1|5|tcp|127.0.0.1:10001|grpc|\n");
    }

    #[test]
    fn reattach_line_is_valid_json_for_terraform() {
        let text = reattach_text("example.com/acme/thing", "unix", "/tmp/plugin42", 1234);
        let line = text
            .lines()
            .find(|l| l.contains("TF_REATTACH_PROVIDERS='"))
            .unwrap();
        let json = line
            .trim()
            .trim_start_matches("TF_REATTACH_PROVIDERS='")
            .trim_end_matches('\'');
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let entry = &value["example.com/acme/thing"];
        assert_eq!(entry["Protocol"], "grpc");
        assert_eq!(entry["ProtocolVersion"], 5);
        assert_eq!(entry["Pid"], 1234);
        assert_eq!(entry["Test"], true);
        assert_eq!(entry["Addr"]["Network"], "unix");
        assert_eq!(entry["Addr"]["String"], "/tmp/plugin42");
    }

    #[test]
    fn a_registry_host_replaces_the_addresses_and_garbage_is_refused() {
        assert_eq!(
            in_registry("registry.terraform.io/acme/thing", "Registry.OpenTofu.org"),
            Ok("registry.opentofu.org/acme/thing".to_owned())
        );
        for bad in ["", "a b", "a..b", "x/y"] {
            assert!(
                in_registry("registry.terraform.io/acme/thing", bad).is_err(),
                "{bad}"
            );
        }
    }
}
