//! Where things are: the repository root, the target directory, the tools in `.tools/`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (this crate lives in `<root>/xtask`).
pub fn root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .map_or_else(|| here.to_path_buf(), Path::to_path_buf)
}

/// Cargo's target directory (`CARGO_TARGET_DIR` or `<root>/target`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        }
        None => root().join("target"),
    }
}

/// Builds the provider in release mode and returns the binary's path.
pub fn build_release_provider() -> Result<PathBuf, String> {
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
            .current_dir(root())
            .args([
                "build",
                "--release",
                "-p",
                "terraform-provider-docusign",
                "--bin",
            ])
            .arg("terraform-provider-docusign"),
    )?;
    release_provider()
}

/// The release binary, which must already exist.
pub fn release_provider() -> Result<PathBuf, String> {
    let bin = target_dir().join("release/terraform-provider-docusign");
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!(
            "{} does not exist: build it with cargo build --release",
            bin.display()
        ))
    }
}

/// Builds the provider and the emulator in release mode; returns (provider, emulator) binaries.
pub fn build_release_provider_and_emulator() -> Result<(PathBuf, PathBuf), String> {
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
            .current_dir(root())
            .args([
                "build",
                "--release",
                "-p",
                "terraform-provider-docusign",
                "-p",
                "docusign-emulator",
                "--bins",
            ]),
    )?;
    Ok((release_provider()?, release_emulator()?))
}

/// The release emulator binary, which must already exist.
pub fn release_emulator() -> Result<PathBuf, String> {
    let bin = target_dir().join("release/docusign-emulator");
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!(
            "{} does not exist: build it with cargo build --release -p docusign-emulator",
            bin.display()
        ))
    }
}

/// Terraform 1.0.3 from `.tools/bin` (run [`null_provider`] first: it installs the tools).
pub fn terraform() -> Result<PathBuf, String> {
    let bin = root().join(".tools/bin/terraform");
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!(
            "{} does not exist: run ./scripts/install-tools",
            bin.display()
        ))
    }
}

/// Runs `scripts/install-tools` (idempotent) and returns the Go null provider binary.
pub fn null_provider() -> Result<PathBuf, String> {
    run(Command::new(root().join("scripts/install-tools")).current_dir(root()))?;
    let dir = root().join(".tools/null-provider");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("read {}: {e}", dir.display()))?;
    entries
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("terraform-provider-null"))
        })
        .ok_or_else(|| format!("no terraform-provider-null* in {}", dir.display()))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("run {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {status}"))
    }
}
