//! How one Terraform command is set up: shared by the acceptance tests (`support::terraform`) and
//! `cargo xtask bench`, which includes this file (`#[path]`), so that both run Terraform the same
//! hermetic way. Nothing here may depend on either crate.

use std::path::Path;
use std::process::{Command, Stdio};

/// `terraform` to run in `dir` with the CLI configuration file `cli_config` (never the machine's
/// own), `CHECKPOINT_DISABLE=1`, `TF_IN_AUTOMATION=1`, `TF_INPUT=0` and no other inherited `TF_*`
/// variable; no stdin, stdout and stderr piped. The caller adds the arguments.
pub fn hermetic_command(terraform: &Path, dir: &Path, cli_config: &Path) -> Command {
    let mut cmd = Command::new(terraform);
    cmd.current_dir(dir);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("TF_") {
            cmd.env_remove(&k);
        }
    }
    cmd.env("TF_CLI_CONFIG_FILE", cli_config)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_INPUT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// The version `terraform version -json` reports (`terraform_version`, e.g. `1.11.4`), asked
/// without any CLI configuration or checkpoint call.
pub fn terraform_version_of(terraform: &Path) -> Result<String, String> {
    let out = Command::new(terraform)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("run {} version -json: {e}", terraform.display()))?;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "{} version -json is not JSON ({e}): {}",
            terraform.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    })?;
    json.get("terraform_version")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("no terraform_version in {json}"))
}

/// A CLI configuration whose `provider_installation` overrides each (source address, directory)
/// of `overrides` with `dev_overrides`, then installs the rest directly when `direct`.
pub fn dev_overrides_config<'a>(
    overrides: impl IntoIterator<Item = (&'a str, &'a Path)>,
    direct: bool,
) -> String {
    let mut s = String::from("provider_installation {\n  dev_overrides {\n");
    for (addr, dir) in overrides {
        s.push_str(&format!(
            "    {} = {}\n",
            hcl_string(addr),
            hcl_string(&dir.to_string_lossy())
        ));
    }
    s.push_str("  }\n");
    if direct {
        s.push_str("  direct {}\n");
    }
    s.push_str("}\n");
    s
}

/// A quoted HCL string literal (escapes `\`, `"`, and template openers).
pub fn hcl_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
