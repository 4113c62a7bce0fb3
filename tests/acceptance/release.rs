//! The release artifacts are what Terraform accepts: `cargo xtask release` packaging (here of
//! the debug binary, through the same code, `--binary`) put in a packed `filesystem_mirror`,
//! installed by `terraform init` with its hash recorded in `.terraform.lock.hcl`, then used for a
//! plan against the emulator. No dev_overrides anywhere.
//!
//! A release signed with `--sign` is then served by a local provider registry (the registry
//! protocol over HTTPS, see [`registry`]); `terraform init` downloads it, checks the zip against
//! SHA256SUMS and SHA256SUMS against its signature and the publisher's public key, and refuses a
//! signature that does not match.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::terraform::{normalize_output, repo_root};
use crate::support::{Emulator, Overrides, WorkDir, hcl_string};

const VERSION: &str = "0.1.0";
const NAME: &str = "terraform-provider-docusign";

/// Runs `cargo xtask release --binary <our debug binary> --version VERSION --out <dist>`.
fn package_debug_binary(dist: &Path) {
    package_debug_binary_with(dist, &[], None);
}

/// The same, with more arguments, and `GNUPGHOME` when given.
fn package_debug_binary_with(dist: &Path, extra: &[&str], gnupg_home: Option<&Path>) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| env!("CARGO").to_owned());
    let bin = env!("CARGO_BIN_EXE_terraform-provider-docusign");
    let mut cmd = Command::new(cargo);
    cmd.current_dir(repo_root())
        .args(["run", "--quiet", "-p", "xtask", "--", "release", "--binary"])
        .arg(bin)
        .args(["--version", VERSION, "--out"])
        .arg(dist)
        .args(extra)
        .env_remove("GPG_FINGERPRINT");
    if let Some(home) = gnupg_home {
        cmd.env("GNUPGHOME", home);
    }
    let out = cmd.output().expect("run cargo xtask release");
    assert!(
        out.status.success(),
        "cargo xtask release failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `sha256sum` of a file or of bytes on stdin: the lowercase hex digest.
fn sha256_hex(file: Option<&Path>, stdin: Option<&[u8]>) -> String {
    use std::io::Write as _;
    let mut cmd = Command::new("sha256sum");
    if let Some(f) = file {
        cmd.arg(f);
    }
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("run sha256sum");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

/// Terraform's `h1:` package hash (dirhash Hash1) of a zip holding one file `name` with the
/// contents of `file`: base64(sha256("<sha256 hex>  <name>\n")).
fn h1_of_single_file(file: &Path, name: &str) -> String {
    let inner = sha256_hex(Some(file), None);
    let summary = format!("{inner}  {name}\n");
    let digest = sha256_hex(None, Some(summary.as_bytes()));
    let raw: Vec<u8> = (0..digest.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digest[i..i + 2], 16).unwrap())
        .collect();
    use base64::Engine as _;
    format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// A CLI configuration installing our provider from the `filesystem_mirror` at `mirror`.
fn filesystem_mirror_config(mirror: &Path) -> String {
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = {}\n    \
         include = [\"registry.terraform.io/docusign-iac/*\"]\n  }}\n}}\n",
        hcl_string(&mirror.to_string_lossy())
    )
}

/// A configuration requiring our provider at exactly `VERSION`, pointed at `emu`, with one
/// Connect configuration named `name`.
fn versioned_config(name: &str, emu: &Emulator) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    docusign = {{
      source  = "docusign-iac/docusign"
      version = "{VERSION}"
    }}
  }}
}}

{}
resource "docusign_connect_configuration" "c" {{
  name              = {}
  url_to_publish_to = "https://hooks.example.com/mirror"
  all_users         = true
}}
"#,
        emu.provider_block(),
        hcl_string(name)
    )
}

#[test]
fn release_zip_installs_from_a_filesystem_mirror_and_plans() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    package_debug_binary(&dist);

    // The three artifacts, with the registry's names.
    let zip = dist.join(format!("{NAME}_{VERSION}_linux_amd64.zip"));
    let manifest = dist.join(format!("{NAME}_{VERSION}_manifest.json"));
    let sums = dist.join(format!("{NAME}_{VERSION}_SHA256SUMS"));
    for f in [&zip, &manifest, &sums] {
        assert!(f.is_file(), "{} missing", f.display());
    }
    let manifest_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(
        manifest_json,
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["5.0"]}})
    );
    assert_eq!(
        std::fs::read_to_string(&manifest).unwrap(),
        std::fs::read_to_string(repo_root().join("terraform-registry-manifest.json")).unwrap()
    );
    let zip_sum = sha256_hex(Some(&zip), None);
    let sums_text = std::fs::read_to_string(&sums).unwrap();
    assert!(
        sums_text.contains(&format!("{zip_sum}  {NAME}_{VERSION}_linux_amd64.zip\n")),
        "{sums_text}"
    );
    assert!(
        sums_text.contains(&format!(
            "{}  {NAME}_{VERSION}_manifest.json\n",
            sha256_hex(Some(&manifest), None)
        )),
        "{sums_text}"
    );

    // A packed filesystem mirror holding only that zip.
    let mirror = tmp.path().join("mirror");
    let pkg_dir = mirror.join("registry.terraform.io/docusign-iac/docusign");
    std::fs::create_dir_all(&pkg_dir).unwrap();
    std::fs::copy(&zip, pkg_dir.join(zip.file_name().unwrap())).unwrap();

    let emu = Emulator::start();
    let wd = WorkDir::new("release_filesystem_mirror", &Overrides::none());
    std::fs::write(wd.cli_config(), filesystem_mirror_config(&mirror)).unwrap();
    wd.write_config(&format!(
        "{}\ndata \"docusign_connect_configurations\" \"all\" {{}}\n",
        versioned_config("from the mirror", &emu)
    ));

    let init = wd.run(&["init", "-input=false", "-no-color"]).unwrap();
    let said = init.combined();
    assert!(
        said.contains(&format!("Installing docusign-iac/docusign v{VERSION}")),
        "{said}"
    );
    assert!(!said.contains("development overrides"), "{said}");

    // Installed where Terraform keeps plugins, executable, byte-identical to what we zipped.
    let installed: PathBuf = wd.path().join(format!(
        ".terraform/providers/registry.terraform.io/docusign-iac/docusign/{VERSION}/linux_amd64/{NAME}_v{VERSION}"
    ));
    assert!(installed.is_file(), "{} missing", installed.display());
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&installed).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "not executable: {mode:o}");
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_terraform-provider-docusign"));
    assert_eq!(
        sha256_hex(Some(&installed), None),
        sha256_hex(Some(bin), None)
    );

    // The lock file records the version and the package's hash.
    let lock = std::fs::read_to_string(wd.path().join(".terraform.lock.hcl")).unwrap();
    assert!(
        lock.contains("provider \"registry.terraform.io/docusign-iac/docusign\""),
        "{lock}"
    );
    assert!(
        lock.contains(&format!("version     = \"{VERSION}\"")),
        "{lock}"
    );
    let h1 = h1_of_single_file(bin, &format!("{NAME}_v{VERSION}"));
    assert!(lock.contains(&h1), "lock lacks {h1}:\n{lock}");

    // The installed provider plans against the emulator (and reads a data source doing so).
    let plan = wd.plan("mirror.tfplan", true).unwrap();
    plan.expect_actions("docusign_connect_configuration.c", &["create"])
        .unwrap();
    assert!(
        emu.api_calls().iter().any(|r| r.path.ends_with("/connect")),
        "the plan read no data source from the emulator"
    );

    // A second init verifies the locked hash against the mirror and changes nothing.
    wd.run(&["init", "-input=false", "-no-color"]).unwrap();
    assert_eq!(
        std::fs::read_to_string(wd.path().join(".terraform.lock.hcl")).unwrap(),
        lock
    );
}

/// A throw-away GnuPG home with one RSA signing key (the Terraform Registry takes RSA or DSA
/// keys). Kept under /tmp: gpg-agent's socket path must stay short.
struct GpgKey {
    home: tempfile::TempDir,
    fingerprint: String,
}

impl GpgKey {
    fn generate() -> GpgKey {
        let home = tempfile::Builder::new()
            .prefix("gpg")
            .tempdir_in("/tmp")
            .unwrap();
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let mut key = GpgKey {
            home,
            fingerprint: String::new(),
        };
        key.gpg(&[
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
            "--quick-gen-key",
            "docusign-iac release test <release-test@example.invalid>",
            "rsa3072",
            "sign",
            "never",
        ]);
        let listing = key.gpg(&["--with-colons", "--list-secret-keys"]);
        key.fingerprint = String::from_utf8_lossy(&listing)
            .lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .and_then(|l| l.split(':').find(|f| f.len() == 40))
            .expect("a fingerprint in gpg's listing")
            .to_owned();
        key
    }

    /// Runs gpg in this home; panics with its stderr when it fails.
    fn gpg(&self, args: &[&str]) -> Vec<u8> {
        let out = self.gpg_raw(args);
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    fn gpg_raw(&self, args: &[&str]) -> std::process::Output {
        Command::new("gpg")
            .env("GNUPGHOME", self.home.path())
            .arg("--batch")
            .args(args)
            .output()
            .expect("run gpg (Debian package gpg)")
    }

    /// The 16-hex-digit key id Terraform prints and the registry protocol carries.
    fn key_id(&self) -> &str {
        &self.fingerprint[24..]
    }
}

impl Drop for GpgKey {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.home.path())
            .args(["--kill", "gpg-agent"])
            .output();
    }
}

/// A provider registry on `https://localhost:<port>`: service discovery, the versions and
/// download endpoints of the registry protocol (v1), and the files they point to. HTTP/1.1, one
/// request per connection, a self-signed certificate that Terraform trusts via `SSL_CERT_FILE`.
mod registry {
    use std::collections::HashMap;
    use std::io::{Read as _, Write as _};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    pub struct Registry {
        pub port: u16,
        pub cert_pem: String,
        files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
        pub requests: Arc<Mutex<Vec<String>>>,
    }

    impl Registry {
        pub fn start() -> Registry {
            let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
            let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
            let cert_pem = cert.cert.pem();
            let key =
                rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
            let config = Arc::new(
                rustls::ServerConfig::builder()
                    .with_no_client_auth()
                    .with_single_cert(vec![cert.cert.der().clone()], key)
                    .unwrap(),
            );
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            let files: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
            let requests: Arc<Mutex<Vec<String>>> = Arc::default();
            let (f, r) = (files.clone(), requests.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming().flatten() {
                    let (config, f, r) = (config.clone(), f.clone(), r.clone());
                    std::thread::spawn(move || {
                        let Ok(conn) = rustls::ServerConnection::new(config) else {
                            return;
                        };
                        let mut tls = rustls::StreamOwned::new(conn, stream);
                        let mut head = Vec::new();
                        let mut byte = [0u8; 1];
                        while !head.ends_with(b"\r\n\r\n") && head.len() < 16384 {
                            match tls.read(&mut byte) {
                                Ok(1) => head.push(byte[0]),
                                _ => return,
                            }
                        }
                        let head = String::from_utf8_lossy(&head).into_owned();
                        let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                        r.lock().unwrap().push(path.clone());
                        let body = f.lock().unwrap().get(&path).cloned();
                        let (status, body) = match body {
                            Some(b) => ("200 OK", b),
                            None => ("404 Not Found", b"{\"errors\":[\"not found\"]}".to_vec()),
                        };
                        let kind = if path.starts_with("/files/") {
                            "application/octet-stream"
                        } else {
                            "application/json"
                        };
                        let _ = write!(
                            tls,
                            "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
                             Connection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = tls.write_all(&body);
                        let _ = tls.flush();
                        tls.conn.send_close_notify();
                        let _ = tls.flush();
                    });
                }
            });
            Registry {
                port,
                cert_pem,
                files,
                requests,
            }
        }

        pub fn base(&self) -> String {
            format!("https://localhost:{}", self.port)
        }

        pub fn serve(&self, path: &str, body: impl Into<Vec<u8>>) {
            self.files
                .lock()
                .unwrap()
                .insert(path.to_owned(), body.into());
        }
    }
}

#[test]
fn a_signed_release_installs_from_a_registry_and_a_bad_signature_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    let key = GpgKey::generate();
    package_debug_binary_with(&dist, &["--sign", &key.fingerprint], Some(key.home.path()));

    let zip_name = format!("{NAME}_{VERSION}_linux_amd64.zip");
    let sums_name = format!("{NAME}_{VERSION}_SHA256SUMS");
    let zip = dist.join(&zip_name);
    let sums = dist.join(&sums_name);
    let sig = dist.join(format!("{sums_name}.sig"));
    assert!(sig.is_file(), "--sign wrote no {}", sig.display());
    // gpg agrees the signature is the key's, over exactly these sums.
    let sig_s = sig.to_string_lossy().into_owned();
    let sums_s = sums.to_string_lossy().into_owned();
    let verified = key.gpg(&["--status-fd", "1", "--verify", &sig_s, &sums_s]);
    assert!(
        String::from_utf8_lossy(&verified).contains(&format!("VALIDSIG {}", key.fingerprint)),
        "{}",
        String::from_utf8_lossy(&verified)
    );
    let armor = String::from_utf8(key.gpg(&["--armor", "--export", &key.fingerprint])).unwrap();

    // The registry protocol: discovery, versions, download (with the signing key), files.
    let reg = registry::Registry::start();
    let base = reg.base();
    let prefix = "/v1/providers/docusign-iac/docusign";
    reg.serve(
        "/.well-known/terraform.json",
        serde_json::json!({"providers.v1": "/v1/providers/"}).to_string(),
    );
    reg.serve(
        &format!("{prefix}/versions"),
        serde_json::json!({"versions": [{"version": VERSION, "protocols": ["5.0"],
            "platforms": [{"os": "linux", "arch": "amd64"}]}]})
        .to_string(),
    );
    reg.serve(
        &format!("{prefix}/{VERSION}/download/linux/amd64"),
        serde_json::json!({
            "protocols": ["5.0"], "os": "linux", "arch": "amd64", "filename": zip_name,
            "download_url": format!("{base}/files/{zip_name}"),
            "shasums_url": format!("{base}/files/{sums_name}"),
            "shasums_signature_url": format!("{base}/files/{sums_name}.sig"),
            "shasum": sha256_hex(Some(&zip), None),
            "signing_keys": {"gpg_public_keys": [{"key_id": key.key_id(), "ascii_armor": armor}]}
        })
        .to_string(),
    );
    reg.serve(&format!("/files/{zip_name}"), std::fs::read(&zip).unwrap());
    reg.serve(
        &format!("/files/{sums_name}"),
        std::fs::read(&sums).unwrap(),
    );
    reg.serve(
        &format!("/files/{sums_name}.sig"),
        std::fs::read(&sig).unwrap(),
    );
    let ca = tmp.path().join("registry-ca.pem");
    std::fs::write(&ca, &reg.cert_pem).unwrap();

    let source = format!("localhost:{}/docusign-iac/docusign", reg.port);
    let config = format!(
        "terraform {{\n  required_providers {{\n    docusign = {{\n      source  = {}\n      \
         version = \"{VERSION}\"\n    }}\n  }}\n}}\n",
        hcl_string(&source)
    );
    let init_in = |name: &str| {
        let mut wd = WorkDir::new(name, &Overrides::none().direct(true));
        wd.set_env("SSL_CERT_FILE", &ca.to_string_lossy());
        wd.write_config(&config);
        let out = wd.run_raw(&["init", "-input=false", "-no-color"]);
        (wd, out)
    };

    let (wd, init) = init_in("release_registry_signed");
    let said = init.combined();
    assert!(init.success(), "{said}");
    assert!(
        said.contains(&format!(
            "Installed {source} v{VERSION} (self-signed, key ID {})",
            key.key_id()
        )),
        "Terraform did not report the signature it checked:\n{said}"
    );
    let installed = wd.path().join(format!(
        ".terraform/providers/{source}/{VERSION}/linux_amd64/{NAME}_v{VERSION}"
    ));
    assert_eq!(
        sha256_hex(Some(&installed), None),
        sha256_hex(
            Some(Path::new(env!("CARGO_BIN_EXE_terraform-provider-docusign"))),
            None
        )
    );
    let fetched = reg.requests.lock().unwrap().clone();
    assert!(
        fetched.contains(&format!("/files/{sums_name}.sig")),
        "Terraform never fetched the signature: {fetched:?}"
    );

    // The same release with a signature over other bytes: Terraform refuses to install it.
    let other = tmp.path().join("other");
    std::fs::write(&other, b"not the release's checksums\n").unwrap();
    let other_s = other.to_string_lossy().into_owned();
    let bad_sig = tmp.path().join("other.sig");
    let bad_s = bad_sig.to_string_lossy().into_owned();
    key.gpg(&[
        "--yes",
        "--local-user",
        &key.fingerprint,
        "--output",
        &bad_s,
        "--detach-sign",
        &other_s,
    ]);
    reg.serve(
        &format!("/files/{sums_name}.sig"),
        std::fs::read(&bad_sig).unwrap(),
    );
    let (wd_bad, init) = init_in("release_registry_bad_signature");
    let said = init.combined();
    assert!(
        !init.success(),
        "installed despite a bad signature:\n{said}"
    );
    // Terraform wraps its messages: compare with the line breaks folded.
    let folded = said.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(folded.contains("error checking signature"), "{said}");
    assert!(
        !wd_bad
            .path()
            .join(".terraform/providers")
            .join(&source)
            .exists(),
        "a provider was installed despite the bad signature"
    );
}

/// The line of `sums` (a SHA256SUMS file) for `file`: its SHA-256 hex digest.
fn sum_for(sums: &str, file: &str) -> String {
    sums.lines()
        .find_map(|l| l.strip_suffix(&format!("  {file}")))
        .unwrap_or_else(|| panic!("SHA256SUMS lists no {file}:\n{sums}"))
        .to_owned()
}

/// A working directory whose Terraform sees `home` as the user's home directory and uses
/// `cli_config` as its CLI configuration (nothing of the real home directory is read).
fn workdir_at_home(name: &str, home: &Path, cli_config: &str, emu: &Emulator) -> WorkDir {
    let mut wd = WorkDir::new(name, &Overrides::none());
    std::fs::write(wd.cli_config(), cli_config).unwrap();
    wd.set_env("HOME", &home.to_string_lossy());
    wd.set_env(
        "XDG_DATA_HOME",
        &home.join(".local/share").to_string_lossy(),
    );
    wd.write_config(&versioned_config("installed without a registry", emu));
    wd
}

/// The hashes of our provider in a lock file.
fn locked_hashes(wd: &WorkDir) -> Vec<String> {
    let lock = std::fs::read_to_string(wd.path().join(".terraform.lock.hcl")).unwrap();
    let start = lock
        .find("provider \"registry.terraform.io/docusign-iac/docusign\"")
        .unwrap_or_else(|| panic!("no entry for our provider:\n{lock}"));
    lock[start..]
        .split('"')
        .filter(|s| s.starts_with("h1:") || s.starts_with("zh:"))
        .map(str::to_owned)
        .collect()
}

/// The installation documented in the README for a release downloaded by hand, without any
/// registry: check the zip against SHA256SUMS, then either unzip it into the implied local
/// mirror under the home directory, or keep it packed in a `filesystem_mirror` with the lock
/// file pinned to SHA256SUMS's `zh:` hash, which `terraform init` then checks itself.
#[test]
fn a_release_installs_without_a_registry_as_the_readme_says() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    package_debug_binary(&dist);
    let zip_name = format!("{NAME}_{VERSION}_linux_amd64.zip");
    let sums_name = format!("{NAME}_{VERSION}_SHA256SUMS");
    let sums = std::fs::read_to_string(dist.join(&sums_name)).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_terraform-provider-docusign"));
    let h1 = h1_of_single_file(bin, &format!("{NAME}_v{VERSION}"));

    // 1. The download is what SHA256SUMS says (`sha256sum --ignore-missing -c`).
    let check = Command::new("sha256sum")
        .args(["--ignore-missing", "-c", &sums_name])
        .current_dir(&dist)
        .output()
        .expect("run sha256sum");
    assert!(
        check.status.success()
            && String::from_utf8_lossy(&check.stdout).contains(&format!("{zip_name}: OK")),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );

    let emu = Emulator::start();
    let home = tmp.path().join("home");

    // 2. Unzipped into the implied local mirror: no provider_installation block at all.
    let plugin_dir = home.join(format!(
        ".terraform.d/plugins/registry.terraform.io/docusign-iac/docusign/{VERSION}/linux_amd64"
    ));
    std::fs::create_dir_all(&plugin_dir).unwrap();
    let unzip = Command::new("unzip")
        .arg("-q")
        .arg(dist.join(&zip_name))
        .current_dir(&plugin_dir)
        .output()
        .expect("run unzip");
    assert!(
        unzip.status.success(),
        "{}",
        String::from_utf8_lossy(&unzip.stderr)
    );
    let wd = workdir_at_home("release_implied_local_mirror", &home, "", &emu);
    let init = wd.run(&["init", "-input=false", "-no-color"]).unwrap();
    assert!(
        init.combined()
            .contains(&format!("Installed docusign-iac/docusign v{VERSION}")),
        "{}",
        init.combined()
    );
    assert_eq!(locked_hashes(&wd), vec![h1.clone()]);
    wd.plan("implied.tfplan", true)
        .unwrap()
        .expect_actions("docusign_connect_configuration.c", &["create"])
        .unwrap();

    // 3. Packed in a filesystem_mirror, the lock file pinned to SHA256SUMS before init.
    let mirror = tmp.path().join("mirror");
    let pkg_dir = mirror.join("registry.terraform.io/docusign-iac/docusign");
    std::fs::create_dir_all(&pkg_dir).unwrap();
    std::fs::copy(dist.join(&zip_name), pkg_dir.join(&zip_name)).unwrap();
    let empty_home = tmp.path().join("empty-home");
    std::fs::create_dir_all(&empty_home).unwrap();
    let cli = filesystem_mirror_config(&mirror);
    let pinned_lock = |zh: &str| {
        format!(
            "provider \"registry.terraform.io/docusign-iac/docusign\" {{\n  version     = \
             \"{VERSION}\"\n  constraints = \"{VERSION}\"\n  hashes = [\n    \"zh:{zh}\",\n  ]\n}}\n"
        )
    };
    let zip_sum = sum_for(&sums, &zip_name);
    let wd = workdir_at_home("release_filesystem_mirror_pinned", &empty_home, &cli, &emu);
    wd.write_file(".terraform.lock.hcl", &pinned_lock(&zip_sum));
    wd.run(&["init", "-input=false", "-no-color"]).unwrap();
    let mut hashes = locked_hashes(&wd);
    hashes.sort();
    assert_eq!(hashes, vec![h1, format!("zh:{zip_sum}")]);
    wd.plan("pinned.tfplan", true)
        .unwrap()
        .expect_actions("docusign_connect_configuration.c", &["create"])
        .unwrap();

    // A lock file pinned to another checksum (SHA256SUMS's line for the manifest) is refused.
    let other = sum_for(&sums, &format!("{NAME}_{VERSION}_manifest.json"));
    let wd = workdir_at_home(
        "release_filesystem_mirror_mismatch",
        &empty_home,
        &cli,
        &emu,
    );
    wd.write_file(".terraform.lock.hcl", &pinned_lock(&other));
    let init = wd.run_raw(&["init", "-input=false", "-no-color"]);
    assert!(!init.success(), "installed against another checksum");
    let said = normalize_output(&init.combined());
    assert!(
        said.contains(
            "doesn't match any of the checksums previously recorded in the dependency lock file"
        ),
        "{said}"
    );
}
