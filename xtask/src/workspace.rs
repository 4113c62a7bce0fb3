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

/// `cargo` (the one running xtask, when known), run from the repository root.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    cmd.current_dir(root());
    cmd
}

/// `path` when it is a file, else an error saying how to make it.
fn existing(path: PathBuf, how: &str) -> Result<PathBuf, String> {
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{} does not exist: {how}", path.display()))
    }
}

/// Extra rustc flags for the distributed binary on a Linux glibc target: statically linked
/// (`crt-static`) and not position-independent (`relocation-model=static`), like a Go provider.
/// With no shared libraries to map and no relocations to apply at start, the process touches
/// about 1.4 MiB fewer pages before its handshake line (measured with `bench-handshake`).
/// Name resolution does not go through glibc's NSS (reqwest uses hickory-dns), so the static
/// binary never loads the host's NSS modules.
pub const DIST_RUSTFLAGS: &[&str] = &[
    "-C",
    "target-feature=+crt-static",
    "-C",
    "relocation-model=static",
];

/// The `cargo build` command for the distributed provider binary of `triple`: release profile,
/// `--target triple` (so [`DIST_RUSTFLAGS`] reach only the target's crates, never build
/// scripts or proc macros, which cannot be static), flags through `CARGO_ENCODED_RUSTFLAGS`.
pub fn dist_build_command(triple: &str) -> Command {
    let mut cmd = cargo();
    cmd.args([
        "build",
        "--release",
        "-p",
        PROVIDER,
        "--bin",
        PROVIDER,
        "--target",
        triple,
    ]);
    if triple.ends_with("-linux-gnu") {
        cmd.env("CARGO_ENCODED_RUSTFLAGS", DIST_RUSTFLAGS.join("\x1f"));
    } else {
        cmd.env_remove("CARGO_ENCODED_RUSTFLAGS");
    }
    if host_triple().as_deref() != Some(triple)
        && let Some(gcc) = cross_gcc(triple)
    {
        // Cargo links with it, and the `cc` crate compiles aws-lc's C with it.
        let upper = triple.to_ascii_uppercase().replace('-', "_");
        cmd.env(format!("CARGO_TARGET_{upper}_LINKER"), &gcc)
            .env(format!("CC_{}", triple.replace('-', "_")), &gcc);
    }
    cmd
}

/// Debian's cross compiler for `triple`, when it is on `PATH`: `aarch64-linux-gnu-gcc` for
/// `aarch64-unknown-linux-gnu` (package `gcc-aarch64-linux-gnu`), `x86_64-w64-mingw32-gcc` for
/// `x86_64-pc-windows-gnu` (`gcc-mingw-w64-x86-64`).
pub fn cross_gcc(triple: &str) -> Option<PathBuf> {
    cross_gcc_in(triple, &std::env::var_os("PATH")?)
}

fn cross_gcc_in(triple: &str, path: &std::ffi::OsStr) -> Option<PathBuf> {
    let mut parts = triple.split('-');
    let (arch, vendor, os) = (parts.next()?, parts.next()?, parts.next()?);
    let env = parts.next();
    let name = match (vendor, os, env) {
        (_, "linux", Some("gnu")) => format!("{arch}-linux-gnu-gcc"),
        ("pc", "windows", Some("gnu")) => format!("{arch}-w64-mingw32-gcc"),
        _ => return None,
    };
    std::env::split_paths(path)
        .map(|dir| dir.join(&name))
        .find(|p| p.is_file())
}

/// Where [`dist_build_command`] puts the binary of `triple`.
pub fn dist_binary(triple: &str) -> PathBuf {
    let exe = if triple.contains("windows") {
        format!("{PROVIDER}.exe")
    } else {
        PROVIDER.to_owned()
    };
    target_dir().join(triple).join("release").join(exe)
}

/// The host's target triple, from `rustc -vV`.
pub fn host_triple() -> Option<String> {
    let out = Command::new("rustc").arg("-vV").output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_owned())
}

/// Builds the distributed provider binary for the host and returns its path.
pub fn build_release_provider() -> Result<PathBuf, String> {
    let triple = host()?;
    run(&mut dist_build_command(&triple))?;
    existing(dist_binary(&triple), "cargo build did not make it")
}

/// The host's distributed provider binary, which must already exist.
pub fn release_provider() -> Result<PathBuf, String> {
    existing(
        dist_binary(&host()?),
        "build it with cargo xtask release (or drop --no-build)",
    )
}

fn host() -> Result<String, String> {
    host_triple().ok_or_else(|| "could not tell the host target from `rustc -vV`".to_owned())
}

/// The provider's package and binary name.
pub const PROVIDER: &str = "terraform-provider-docusign";

/// Builds the distributed provider binary and the emulator (release profile); returns (provider,
/// emulator) binaries.
pub fn build_release_provider_and_emulator() -> Result<(PathBuf, PathBuf), String> {
    let provider = build_release_provider()?;
    run(cargo().args([
        "build",
        "--release",
        "-p",
        "docusign-emulator",
        "--bin",
        "docusign-emulator",
    ]))?;
    Ok((provider, release_emulator()?))
}

/// The release emulator binary, which must already exist.
pub fn release_emulator() -> Result<PathBuf, String> {
    existing(
        target_dir().join("release/docusign-emulator"),
        "build it with cargo build --release -p docusign-emulator",
    )
}

/// Terraform 1.0.3 from `.tools/bin` (run [`null_provider`] first: it installs the tools).
pub fn terraform() -> Result<PathBuf, String> {
    existing(
        root().join(".tools/bin/terraform"),
        "run ./scripts/install-tools",
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_gcc_is_the_debian_name_found_on_path() {
        let dir = target_dir().join("xtask-test-cross-gcc");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("aarch64-linux-gnu-gcc"), "").unwrap();
        std::fs::write(dir.join("x86_64-w64-mingw32-gcc"), "").unwrap();
        let path = std::env::join_paths([Path::new("/nonexistent"), &dir]).unwrap();
        assert_eq!(
            cross_gcc_in("aarch64-unknown-linux-gnu", &path),
            Some(dir.join("aarch64-linux-gnu-gcc"))
        );
        assert_eq!(
            cross_gcc_in("x86_64-pc-windows-gnu", &path),
            Some(dir.join("x86_64-w64-mingw32-gcc"))
        );
        for other in [
            "riscv64gc-unknown-linux-gnu",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc",
            "aarch64-unknown-linux-musl",
            "garbage",
        ] {
            assert_eq!(cross_gcc_in(other, &path), None, "{other}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
