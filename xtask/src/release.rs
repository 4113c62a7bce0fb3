//! `cargo xtask release [--version X.Y.Z] [--out DIR] [--binary PATH] [--sign KEY]`: the files
//! a Terraform registry (or a `filesystem_mirror`) takes, in `dist/`:
//!
//! * `terraform-provider-docusign_X.Y.Z_<os>_<arch>.zip`, holding one file,
//!   `terraform-provider-docusign_vX.Y.Z` (`.exe` on Windows), mode 0755;
//! * `terraform-provider-docusign_X.Y.Z_manifest.json`, a copy of the repository's
//!   `terraform-registry-manifest.json` (protocol 5.0);
//! * `terraform-provider-docusign_X.Y.Z_SHA256SUMS`, `<sha256>  <file>` for every zip and the
//!   manifest, sorted by name.
//!
//! Every binary is built with `cargo build --release --target <triple>`; Linux glibc binaries are
//! linked statically and non-PIE (`workspace::DIST_RUSTFLAGS`); other Linux glibc and Windows GNU
//! targets are linked with Debian's cross gcc when it is on `PATH` (`workspace::cross_gcc`;
//! `./scripts/install-cross` installs the arm64 and MinGW-w64 ones). Other targets than the host
//! are built only when `rustup target list --installed` has them; the command says which it
//! skipped and why.
//! `--sign KEY` (or `GPG_FINGERPRINT`) also writes `..._SHA256SUMS.sig`, a detached signature
//! made by `gpg` with that key, as the Terraform Registry requires.
//! `--binary PATH` packages an already built linux_amd64 binary instead of building (the
//! acceptance tests package the debug binary this way). Archives are reproducible: fixed
//! timestamps, fixed order.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use crate::workspace;

const NAME: &str = workspace::PROVIDER;
const MANIFEST: &str = "terraform-registry-manifest.json";

/// The platforms a release may hold: Rust target triple, Terraform os, Terraform arch.
const PLATFORMS: &[(&str, &str, &str)] = &[
    ("x86_64-unknown-linux-gnu", "linux", "amd64"),
    ("aarch64-unknown-linux-gnu", "linux", "arm64"),
    ("x86_64-apple-darwin", "darwin", "amd64"),
    ("aarch64-apple-darwin", "darwin", "arm64"),
    ("x86_64-pc-windows-gnu", "windows", "amd64"),
    ("x86_64-pc-windows-msvc", "windows", "amd64"),
];

/// One binary to package, for one Terraform platform.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub os: String,
    pub arch: String,
    pub binary: PathBuf,
}

/// Runs the command with its arguments (after `release`).
pub fn run(args: &[String]) -> Result<(), String> {
    let mut version = env!("CARGO_PKG_VERSION").to_owned();
    let mut out = workspace::root().join("dist");
    let mut prebuilt: Option<PathBuf> = None;
    let mut sign_key: Option<String> = std::env::var("GPG_FINGERPRINT")
        .ok()
        .filter(|k| !k.is_empty());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("release: {flag} needs a value"))
        };
        match a.as_str() {
            "--version" => version = value("--version")?,
            "--out" => out = PathBuf::from(value("--out")?),
            "--binary" => prebuilt = Some(PathBuf::from(value("--binary")?)),
            "--sign" => sign_key = Some(value("--sign")?),
            other => return Err(format!("release: unknown argument {other:?}")),
        }
    }
    let version = version.strip_prefix('v').unwrap_or(&version).to_owned();
    check_version(&version)?;

    let artifacts = match prebuilt {
        Some(binary) => vec![Artifact {
            os: "linux".into(),
            arch: "amd64".into(),
            binary,
        }],
        None => build_all()?,
    };
    let manifest = workspace::root().join(MANIFEST);
    let mut written = package(&version, &artifacts, &manifest, &out)?;
    if let Some(key) = &sign_key {
        let sums = written
            .last()
            .cloned()
            .ok_or("release: no SHA256SUMS was written")?;
        written.push(sign(&sums, key)?);
    }
    for p in &written {
        eprintln!("release: wrote {}", p.display());
    }
    Ok(())
}

/// Builds the host binary, and every other known target that rustup has installed.
fn build_all() -> Result<Vec<Artifact>, String> {
    let host = workspace::host_triple();
    let installed = installed_targets();
    let mut artifacts = Vec::new();
    let mut skipped = Vec::new();
    for &(triple, os, arch) in PLATFORMS {
        let is_host = host.as_deref() == Some(triple);
        if !is_host && !installed.iter().any(|t| t == triple) {
            skipped.push(format!(
                "{os}_{arch} ({triple}): target not installed (rustup target add {triple})"
            ));
            continue;
        }
        if artifacts
            .iter()
            .any(|a: &Artifact| a.os == os && a.arch == arch)
        {
            continue;
        }
        eprintln!("release: building {os}_{arch} ({triple})");
        match build(triple) {
            Ok(binary) => artifacts.push(Artifact {
                os: os.into(),
                arch: arch.into(),
                binary,
            }),
            Err(e) if is_host => return Err(e),
            Err(e) => skipped.push(format!("{os}_{arch} ({triple}): build failed: {e}")),
        }
    }
    if host.is_none() {
        eprintln!("release: could not tell the host target from `rustc -vV`");
    }
    for s in &skipped {
        eprintln!("release: skipped {s}");
    }
    if artifacts.is_empty() {
        return Err("release: nothing was built".into());
    }
    Ok(artifacts)
}

/// The distributed build of the provider binary for `triple` (see
/// [`workspace::dist_build_command`]: static, non-PIE on Linux glibc).
fn build(triple: &str) -> Result<PathBuf, String> {
    let mut cmd = workspace::dist_build_command(triple);
    let status = cmd.status().map_err(|e| format!("run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("{cmd:?} failed: {status}"));
    }
    let bin = workspace::dist_binary(triple);
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!("{} was not built", bin.display()))
    }
}

fn installed_targets() -> Vec<String> {
    match Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
    {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect(),
        _ => {
            eprintln!("release: `rustup target list --installed` failed; building the host only");
            Vec::new()
        }
    }
}

/// A release version: `X.Y.Z`, optionally with a `-prerelease` of ASCII letters, digits, `.`
/// and `-`.
pub fn check_version(v: &str) -> Result<(), String> {
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (v, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    let numeric = parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let pre_ok = pre.is_none_or(|p| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    });
    if numeric && pre_ok {
        Ok(())
    } else {
        Err(format!("release: version {v:?} is not X.Y.Z"))
    }
}

/// Writes the zips of `artifacts`, the manifest copy and the SHA256SUMS for `version` into
/// `out` (created if needed). Returns the files written, SHA256SUMS last.
pub fn package(
    version: &str,
    artifacts: &[Artifact],
    manifest: &Path,
    out: &Path,
) -> Result<Vec<PathBuf>, String> {
    check_version(version)?;
    let manifest_text = std::fs::read_to_string(manifest)
        .map_err(|e| format!("read {}: {e}", manifest.display()))?;
    check_manifest(&manifest_text).map_err(|e| format!("{}: {e}", manifest.display()))?;
    std::fs::create_dir_all(out).map_err(|e| format!("create {}: {e}", out.display()))?;

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for a in artifacts {
        let exe = if a.os == "windows" { ".exe" } else { "" };
        let entry = format!("{NAME}_v{version}{exe}");
        let zip_name = format!("{NAME}_{version}_{}_{}.zip", a.os, a.arch);
        let bytes = zip_one(&a.binary, &entry)?;
        files.push((zip_name, bytes));
    }
    files.push((
        format!("{NAME}_{version}_manifest.json"),
        manifest_text.into_bytes(),
    ));
    files.sort_by(|x, y| x.0.cmp(&y.0));

    let mut written = Vec::new();
    let mut sums = String::new();
    for (name, bytes) in &files {
        let path = out.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("write {}: {e}", path.display()))?;
        sums.push_str(&format!("{}  {name}\n", hex(&Sha256::digest(bytes))));
        written.push(path);
    }
    let sums_path = out.join(format!("{NAME}_{version}_SHA256SUMS"));
    std::fs::write(&sums_path, sums).map_err(|e| format!("write {}: {e}", sums_path.display()))?;
    written.push(sums_path);
    Ok(written)
}

/// Signs `sums` with the GnuPG key `key` (a fingerprint or user id in the caller's keyring,
/// `GNUPGHOME` honoured): a binary detached signature `<sums>.sig`, which is what the Terraform
/// Registry verifies against the publisher's public key. Returns the signature's path.
pub fn sign(sums: &Path, key: &str) -> Result<PathBuf, String> {
    let mut sig = sums.as_os_str().to_owned();
    sig.push(".sig");
    let sig = PathBuf::from(sig);
    let out = Command::new("gpg")
        .args(["--batch", "--yes", "--local-user", key, "--output"])
        .arg(&sig)
        .arg("--detach-sign")
        .arg(sums)
        .output()
        .map_err(|e| format!("release: run gpg to sign {}: {e}", sums.display()))?;
    if !out.status.success() {
        return Err(format!(
            "release: gpg could not sign {} with key {key:?} ({}):\n{}",
            sums.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(sig)
}

/// The registry manifest must say protocol 5.0, which is what the provider serves.
fn check_manifest(text: &str) -> Result<(), String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.contains("\"protocol_versions\":[\"5.0\"]") && compact.contains("\"version\":1") {
        Ok(())
    } else {
        Err("expected {\"version\": 1, \"metadata\": {\"protocol_versions\": [\"5.0\"]}}".into())
    }
}

/// A zip holding `binary` as `entry`, deflated, mode 0755, with the zip format's fixed
/// earliest timestamp (so the same binary always gives the same archive).
fn zip_one(binary: &Path, entry: &str) -> Result<Vec<u8>, String> {
    let data = std::fs::read(binary).map_err(|e| format!("read {}: {e}", binary.display()))?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o755)
        .large_file(data.len() >= u32::MAX as usize);
    zip.start_file(entry, options)
        .map_err(|e| format!("zip {entry}: {e}"))?;
    zip.write_all(&data)
        .map_err(|e| format!("zip {entry}: {e}"))?;
    let cursor = zip.finish().map_err(|e| format!("zip {entry}: {e}"))?;
    Ok(cursor.into_inner())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    const MANIFEST_JSON: &str =
        "{\n  \"version\": 1,\n  \"metadata\": {\n    \"protocol_versions\": [\"5.0\"]\n  }\n}\n";

    fn setup() -> (PathBuf, PathBuf, PathBuf) {
        let base = std::env::temp_dir().join(format!(
            "xtask-release-test-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(&base).unwrap();
        let bin = base.join("bin");
        std::fs::write(&bin, b"#!/bin/sh\necho fake provider\n").unwrap();
        let manifest = base.join("manifest.json");
        std::fs::write(&manifest, MANIFEST_JSON).unwrap();
        (base.clone(), bin, manifest)
    }

    #[test]
    fn package_writes_zip_manifest_and_sums() {
        let (base, bin, manifest) = setup();
        let out = base.join("dist");
        let artifacts = [Artifact {
            os: "linux".into(),
            arch: "amd64".into(),
            binary: bin.clone(),
        }];
        let written = package("1.2.3", &artifacts, &manifest, &out).unwrap();
        let names: Vec<String> = written
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "terraform-provider-docusign_1.2.3_linux_amd64.zip",
                "terraform-provider-docusign_1.2.3_manifest.json",
                "terraform-provider-docusign_1.2.3_SHA256SUMS",
            ]
        );

        let zip_bytes = std::fs::read(&written[0]).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes.clone())).unwrap();
        assert_eq!(archive.len(), 1);
        let mut f = archive.by_index(0).unwrap();
        assert_eq!(f.name().unwrap(), "terraform-provider-docusign_v1.2.3");
        assert_eq!(f.unix_mode().map(|m| m & 0o777), Some(0o755));
        let mut content = Vec::new();
        f.read_to_end(&mut content).unwrap();
        assert_eq!(content, std::fs::read(&bin).unwrap());

        assert_eq!(std::fs::read_to_string(&written[1]).unwrap(), MANIFEST_JSON);

        let sums = std::fs::read_to_string(&written[2]).unwrap();
        let lines: Vec<&str> = sums.lines().collect();
        assert_eq!(lines.len(), 2, "{sums}");
        // sha256sum -c format: 64 hex digits, two spaces, the file name.
        let zip_sum = hex(&Sha256::digest(&zip_bytes));
        assert_eq!(
            lines[0],
            format!("{zip_sum}  terraform-provider-docusign_1.2.3_linux_amd64.zip")
        );
        assert_eq!(
            lines[1],
            format!(
                "{}  terraform-provider-docusign_1.2.3_manifest.json",
                hex(&Sha256::digest(MANIFEST_JSON.as_bytes()))
            )
        );

        // Reproducible: packaging again gives byte-identical archives.
        let again = package("1.2.3", &artifacts, &manifest, &out).unwrap();
        assert_eq!(std::fs::read(&again[0]).unwrap(), zip_bytes);
        let _ = std::fs::remove_dir_all(&base);
    }

    #[test]
    fn sha256_matches_a_known_vector() {
        assert_eq!(
            hex(&Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn versions_and_manifests_are_checked() {
        assert!(check_version("0.1.0").is_ok());
        assert!(check_version("1.20.3-rc.1").is_ok());
        for bad in [
            "1.2",
            "1.2.3.4",
            "v1.2.3",
            "1.x.3",
            "1.2.3-",
            "",
            "1.2.3-a b",
        ] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
        assert!(check_manifest(MANIFEST_JSON).is_ok());
        assert!(
            check_manifest("{\"version\":1,\"metadata\":{\"protocol_versions\":[\"6.0\"]}}")
                .is_err()
        );
        let (base, bin, _) = setup();
        let wrong = base.join("wrong.json");
        std::fs::write(&wrong, "{}").unwrap();
        let artifacts = [Artifact {
            os: "linux".into(),
            arch: "amd64".into(),
            binary: bin,
        }];
        assert!(package("1.0.0", &artifacts, &wrong, &base.join("d")).is_err());
        let _ = std::fs::remove_dir_all(&base);
    }
}
