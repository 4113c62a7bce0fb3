//! Terraform working directories for the benchmark: a CLI config with `dev_overrides` for our
//! release binary and the Go null provider, `N` resources made with `count`, and timed commands.
//!
//! Every command is set up as the acceptance harness sets up its own (the shared `cli` module):
//! without the caller's `TF_*` variables, with `CHECKPOINT_DISABLE=1`, `TF_IN_AUTOMATION=1` and
//! the directory's own CLI config.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{cli, cpu};

/// One Terraform CLI the benchmark runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terraform {
    /// As `terraform version -json` reports it, e.g. `1.0.3`.
    pub version: String,
    pub path: PathBuf,
}

impl Terraform {
    /// Asks `path` for its version.
    pub fn at(path: &Path) -> Result<Terraform, String> {
        Ok(Terraform {
            version: cli::terraform_version_of(path)?,
            path: path.to_path_buf(),
        })
    }
}

/// The Terraform CLIs here: `first` (Terraform 1.0.3 from `.tools`), then
/// `TF_ACC_TERRAFORM_NEWER`, or else `/usr/local/bin/terraform` when it exists.
pub fn default_paths(first: PathBuf) -> Vec<PathBuf> {
    let newer = std::env::var_os("TF_ACC_TERRAFORM_NEWER")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/local/bin/terraform"));
    let mut paths = vec![first];
    if newer.is_file() {
        paths.push(newer);
    }
    paths
}

/// Each of `paths` with its version, in order, each version once.
pub fn versions(paths: &[PathBuf]) -> Result<Vec<Terraform>, String> {
    let mut all: Vec<Terraform> = Vec::new();
    for p in paths {
        let t = Terraform::at(p)?;
        if all.iter().all(|a| a.version != t.version) {
            all.push(t);
        }
    }
    Ok(all)
}

/// Which provider a working directory uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Docusign,
    /// `null_resource`s with one trigger: the plainest state Terraform can refresh.
    Null,
    /// `null_resource`s whose `triggers` map has this many entries: a control that gives
    /// Terraform as much state per instance as a Connect configuration, to separate what
    /// Terraform spends on state from what the provider spends.
    NullSized(usize),
}

/// One working directory; removed on drop.
pub struct WorkDir {
    path: PathBuf,
    terraform: PathBuf,
    cli_config: PathBuf,
    env: Vec<(String, String)>,
}

/// What one command did.
pub struct Run {
    pub elapsed: Duration,
    /// User + system time of Terraform and every process it reaped (its providers).
    pub cpu: Duration,
    pub code: Option<i32>,
    pub output: String,
}

impl Run {
    /// The last lines of the output, for error messages.
    pub fn tail(&self) -> String {
        let lines: Vec<&str> = self.output.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

/// `main.tf` with `n` resources of `kind`.
pub fn config(kind: Kind, n: usize) -> String {
    match kind {
        Kind::Docusign => format!(
            r#"terraform {{
  required_providers {{
    docusign = {{
      source = "docusign-iac/docusign"
    }}
  }}
}}

provider "docusign" {{}}

resource "docusign_connect_configuration" "bench" {{
  count             = {n}
  name              = "bench-${{count.index}}"
  url_to_publish_to = "https://hooks.example.com/docusign/${{count.index}}"
  all_users         = true
  events            = ["envelope-completed"]

  event_data {{
    version = "restv2.1"
  }}
}}
"#
        ),
        Kind::Null => null_config(n, &["    name = \"bench-${count.index}\"".to_owned()]),
        Kind::NullSized(entries) => {
            let mut lines = vec![
                "    name = \"bench-${count.index}\"".to_owned(),
                "    url  = \"https://hooks.example.com/docusign/${count.index}\"".to_owned(),
            ];
            for i in lines.len()..entries {
                lines.push(format!("    setting_{i:02} = \"false\""));
            }
            lines.truncate(entries.max(1));
            null_config(n, &lines)
        }
    }
}

/// `n` `null_resource`s whose `triggers` map holds `lines`.
fn null_config(n: usize, lines: &[String]) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    null = {{
      source = "hashicorp/null"
    }}
  }}
}}

resource "null_resource" "bench" {{
  count = {n}
  triggers = {{
{}
  }}
}}
"#,
        lines.join("\n")
    )
}

/// What the state of a working directory holds per resource instance.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StateShape {
    /// Top-level attributes of the first instance.
    pub attributes: usize,
    /// Attribute entries counting the elements of maps and objects one level down (a
    /// `triggers` map of 3 is 3, a block of 2 attributes is 2, a set is 1).
    pub entries: usize,
    /// `terraform.tfstate` bytes divided by the number of instances.
    pub bytes_per_instance: f64,
}

impl StateShape {
    /// Reads it from `terraform.tfstate` text.
    pub fn of(state: &str) -> Result<StateShape, String> {
        let v: serde_json::Value =
            serde_json::from_str(state).map_err(|e| format!("terraform.tfstate: {e}"))?;
        let instances: Vec<&serde_json::Value> = v["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["instances"].as_array().into_iter().flatten())
            .collect();
        let first = instances
            .first()
            .and_then(|i| i["attributes"].as_object())
            .ok_or("terraform.tfstate holds no resource instance")?;
        let entries = first
            .values()
            .map(|a| a.as_object().map_or(1, |o| o.len().max(1)))
            .sum();
        Ok(StateShape {
            attributes: first.len(),
            entries,
            bytes_per_instance: state.len() as f64 / instances.len() as f64,
        })
    }
}

impl WorkDir {
    /// A fresh directory `base/name` holding `main.tf` and a CLI config overriding
    /// `docusign-iac/docusign` to `docusign_dir` and `hashicorp/null` to `null_dir`.
    pub fn new(
        base: &Path,
        name: &str,
        terraform: &Path,
        docusign_dir: &Path,
        null_dir: &Path,
        main_tf: &str,
    ) -> Result<WorkDir, String> {
        let path = base.join(name);
        if path.exists() {
            std::fs::remove_dir_all(&path)
                .map_err(|e| format!("remove {}: {e}", path.display()))?;
        }
        std::fs::create_dir_all(&path).map_err(|e| format!("create {}: {e}", path.display()))?;
        let rc = cli::dev_overrides_config(
            [
                ("registry.terraform.io/docusign-iac/docusign", docusign_dir),
                ("registry.terraform.io/hashicorp/null", null_dir),
            ],
            false,
        );
        let write = |file: &str, text: &str| {
            std::fs::write(path.join(file), text)
                .map_err(|e| format!("write {}: {e}", path.join(file).display()))
        };
        write(".terraformrc", &rc)?;
        write("main.tf", main_tf)?;
        Ok(WorkDir {
            cli_config: path.join(".terraformrc"),
            env: Vec::new(),
            path,
            terraform: terraform.to_path_buf(),
        })
    }

    /// Adds an environment variable to every later command.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.push((key.to_owned(), value.to_owned()));
    }

    /// Runs `terraform args...`, timing it from spawn to exit.
    pub fn run(&self, args: &[&str]) -> Result<Run, String> {
        let mut cmd = cli::hermetic_command(&self.terraform, &self.path, &self.cli_config);
        cmd.args(args);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let started = Instant::now();
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("run {}: {e}", self.terraform.display()))?;
        let drain = |r: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut r) = r {
                    let _ = r.read_to_end(&mut buf);
                }
                buf
            })
        };
        let out = drain(
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        );
        let err = drain(
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        );
        let (reaped, _) = cpu::reap(&child)?;
        let elapsed = started.elapsed();
        let mut output = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
        output.push_str(&String::from_utf8_lossy(&err.join().unwrap_or_default()));
        Ok(Run {
            elapsed,
            cpu: reaped.cpu,
            code: reaped.status.code(),
            output,
        })
    }

    /// `terraform apply -auto-approve` with `-parallelism=p`; a failure is an error.
    pub fn apply(&self, parallelism: usize) -> Result<Run, String> {
        let par = format!("-parallelism={parallelism}");
        let run = self.run(&[
            "apply",
            "-auto-approve",
            "-input=false",
            "-lock=false",
            "-no-color",
            &par,
        ])?;
        if run.code == Some(0) {
            Ok(run)
        } else {
            Err(format!(
                "terraform apply in {} failed ({:?}):\n{}",
                self.path.display(),
                run.code,
                run.tail()
            ))
        }
    }

    /// The shape of this directory's `terraform.tfstate`.
    pub fn state_shape(&self) -> Result<StateShape, String> {
        let path = self.path.join("terraform.tfstate");
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
        StateShape::of(&text)
    }

    /// A refreshing `terraform plan` that must find no changes (`-detailed-exitcode` 0).
    pub fn noop_plan(&self) -> Result<Run, String> {
        let run = self.run(&[
            "plan",
            "-input=false",
            "-lock=false",
            "-no-color",
            "-detailed-exitcode",
        ])?;
        match run.code {
            Some(0) => Ok(run),
            Some(2) => Err(format!(
                "terraform plan in {} found changes where none were expected:\n{}",
                self.path.display(),
                run.tail()
            )),
            code => Err(format!(
                "terraform plan in {} failed ({code:?}):\n{}",
                self.path.display(),
                run.tail()
            )),
        }
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_declare_n_resources_of_their_provider() {
        let d = config(Kind::Docusign, 7);
        assert!(d.contains("count             = 7"), "{d}");
        assert!(d.contains("docusign-iac/docusign"));
        assert!(d.contains("\"bench-${count.index}\""), "{d}");
        let n = config(Kind::Null, 500);
        assert!(n.contains("count = 500"), "{n}");
        assert!(n.contains("hashicorp/null") && !n.contains("docusign"));
        // Trigger entries are the lines indented by exactly four spaces.
        let triggers = |c: &str| {
            c.lines()
                .filter(|l| l.starts_with("    ") && !l.starts_with("     "))
                .filter(|l| l.contains(" = \""))
                .count()
        };
        assert_eq!(triggers(&n), 1, "{n}");
        let sized = config(Kind::NullSized(41), 3);
        assert_eq!(triggers(&sized), 41, "{sized}");
        assert!(sized.contains("setting_40 = \"false\""), "{sized}");
    }

    #[test]
    fn state_shape_counts_attributes_entries_and_bytes() {
        let state = r#"{"version":4,"resources":[{"type":"t","instances":[
            {"attributes":{"id":"1","triggers":{"a":"x","b":"y","c":"z"},"gone":null}},
            {"attributes":{"id":"2","triggers":{"a":"x","b":"y","c":"z"},"gone":null}}]}]}"#;
        let s = StateShape::of(state).unwrap();
        assert_eq!((s.attributes, s.entries), (3, 5));
        assert_eq!(s.bytes_per_instance, state.len() as f64 / 2.0);
        assert!(StateShape::of(r#"{"resources":[]}"#).is_err());
        assert!(StateShape::of("not json").is_err());
    }
}
