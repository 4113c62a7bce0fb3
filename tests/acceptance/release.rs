//! The release artifacts are what Terraform accepts: `cargo xtask release` packaging (here of
//! the debug binary, through the same code, `--binary`) put in a packed `filesystem_mirror`,
//! installed by `terraform init` with its hash recorded in `.terraform.lock.hcl`, then used for a
//! plan against the emulator. No dev_overrides anywhere.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::terraform::repo_root;
use crate::support::{Emulator, Overrides, WorkDir, hcl_string};

const VERSION: &str = "0.1.0";
const NAME: &str = "terraform-provider-docusign";

/// Runs `cargo xtask release --binary <our debug binary> --version VERSION --out <dist>`.
fn package_debug_binary(dist: &Path) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| env!("CARGO").to_owned());
    let bin = env!("CARGO_BIN_EXE_terraform-provider-docusign");
    let out = Command::new(cargo)
        .current_dir(repo_root())
        .args(["run", "--quiet", "-p", "xtask", "--", "release", "--binary"])
        .arg(bin)
        .args(["--version", VERSION, "--out"])
        .arg(dist)
        .output()
        .expect("run cargo xtask release");
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
    std::fs::write(
        wd.cli_config(),
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = {}\n    \
             include = [\"registry.terraform.io/docusign-iac/*\"]\n  }}\n}}\n",
            hcl_string(&mirror.to_string_lossy())
        ),
    )
    .unwrap();
    wd.write_config(&format!(
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
  name              = "from the mirror"
  url_to_publish_to = "https://hooks.example.com/mirror"
  all_users         = true
}}

data "docusign_connect_configurations" "all" {{}}
"#,
        emu.provider_block()
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
