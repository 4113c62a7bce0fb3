//! The real Terraform CLI: where it is, how it is configured, and how one command runs.
//!
//! Every test gets its own [`WorkDir`]: a fresh temporary directory holding the test's
//! configuration, its state and a CLI config file with `dev_overrides` for the providers under
//! test. Every command runs with that CLI config (never the machine's own `TF_CLI_CONFIG_FILE`),
//! with `CHECKPOINT_DISABLE=1`, `TF_IN_AUTOMATION=1` and without any other inherited `TF_*`
//! variable, so tests are hermetic and can run in parallel.
//!
//! The suite runs once per Terraform version (`./scripts/test` runs it on 1.0.3 and on the newer
//! Terraform of the machine). A test asks [`terraform_version`] or [`Feature::available`] what the
//! Terraform under test supports, and says what each version must do.
//!
//! Environment knobs (all optional):
//! * `TF_ACC_TERRAFORM`: path of the terraform binary (default `<repo>/.tools/bin/terraform`).
//! * `TF_ACC_LOG`: a `TF_LOG` level (e.g. `TRACE`); logs go to `$TF_ACC_LOG_DIR/<test>.log` or
//!   `<workdir>/terraform.log`.
//! * `TF_ACC_PERSIST_WORKING_DIR`: keep the working directories for debugging.
//! * `TF_ACC_TEMP_DIR`: where working directories are created.
//! * `TF_ACC_COMMAND_TIMEOUT`: seconds before one terraform command is killed (default 600).

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub use super::cli::hcl_string;
use super::cli::{dev_overrides_config, hermetic_command, terraform_version_of};
use super::json::{Plan, State};

/// Source address of the provider under test.
pub const PROVIDER_ADDR: &str = "registry.terraform.io/docusign-iac/docusign";
/// Source address of the Go null provider used to check the harness itself.
pub const NULL_PROVIDER_ADDR: &str = "registry.terraform.io/hashicorp/null";

/// A harness failure: what was being done plus Terraform's own output.
#[derive(Clone, PartialEq, Eq)]
pub struct Failure(pub String);

impl Failure {
    pub fn new(msg: impl Into<String>) -> Self {
        Failure(msg.into())
    }

    /// Prefixes the message with what was being done.
    pub fn context(self, what: impl fmt::Display) -> Self {
        Failure(format!("{what}: {}", self.0))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// Debug prints the message as is, so `unwrap()` and panics show readable multi-line output.
impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

impl From<String> for Failure {
    fn from(s: String) -> Self {
        Failure(s)
    }
}

impl From<&str> for Failure {
    fn from(s: &str) -> Self {
        Failure(s.to_owned())
    }
}

pub type TfResult<T> = Result<T, Failure>;

/// The repository root (the root package's manifest directory).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The terraform binary: `TF_ACC_TERRAFORM`, else `<repo>/.tools/bin/terraform`.
///
/// Panics with instructions when neither exists: an acceptance test never skips.
pub fn terraform_path() -> PathBuf {
    let env = std::env::var_os("TF_ACC_TERRAFORM");
    match locate_terraform(env, &repo_root()) {
        Ok(p) => p,
        Err(msg) => panic!("{msg}"),
    }
}

/// [`terraform_path`]'s rule, given the `TF_ACC_TERRAFORM` value and the repository root.
pub fn locate_terraform(env: Option<std::ffi::OsString>, root: &Path) -> Result<PathBuf, String> {
    if let Some(p) = env.filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(format!(
                "TF_ACC_TERRAFORM={} does not exist. Run ./scripts/install-tools or point it at a \
                 Terraform binary. Acceptance tests never skip.",
                p.display()
            ))
        };
    }
    let p = root.join(".tools/bin/terraform");
    if p.is_file() {
        Ok(p)
    } else {
        Err(format!(
            "Terraform not found: TF_ACC_TERRAFORM is unset and {} does not exist. Run \
             ./scripts/install-tools (./scripts/test does it for you) or set TF_ACC_TERRAFORM to a \
             Terraform binary. Acceptance tests never skip.",
            p.display()
        ))
    }
}

/// A Terraform CLI version, as `terraform version -json` reports it (`1.11.4`, `1.12.0-alpha1`:
/// a pre-release counts as its release).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TfVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl TfVersion {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        TfVersion {
            major,
            minor,
            patch,
        }
    }

    /// Parses `1.11.4`, `v1.0.3` or `1.12.0-alpha20250319`.
    pub fn parse(s: &str) -> Option<TfVersion> {
        let s = s.trim().trim_start_matches('v');
        let core = s.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u32>().ok());
        let v = TfVersion::new(parts.next()??, parts.next()??, parts.next()??);
        parts.next().is_none().then_some(v)
    }
}

impl fmt::Display for TfVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// What a Terraform version brings that tests use, each with the first version that has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// `moved` blocks.
    MovedBlocks,
    /// The provider plans destroys (`plan_destroy` capability, PlanResourceChange with a null
    /// proposed state).
    DestroyPlans,
    /// `import` blocks and `terraform plan -generate-config-out`.
    ImportBlocks,
    /// `removed` blocks with `lifecycle { destroy = false }`.
    RemovedBlocks,
    /// Write-only attributes and ephemeral variables feeding them.
    WriteOnly,
}

impl Feature {
    /// The first Terraform release with the feature.
    pub fn since(self) -> TfVersion {
        match self {
            Feature::MovedBlocks => TfVersion::new(1, 1, 0),
            Feature::DestroyPlans => TfVersion::new(1, 3, 0),
            Feature::ImportBlocks => TfVersion::new(1, 5, 0),
            Feature::RemovedBlocks => TfVersion::new(1, 7, 0),
            Feature::WriteOnly => TfVersion::new(1, 11, 0),
        }
    }

    /// Whether the Terraform under test has it.
    pub fn available(self) -> bool {
        terraform_version() >= self.since()
    }
}

/// The version of the Terraform under test ([`terraform_path`]), asked once per test process.
pub fn terraform_version() -> TfVersion {
    static VERSION: OnceLock<TfVersion> = OnceLock::new();
    *VERSION.get_or_init(|| {
        let path = terraform_path();
        match ask_version(&path) {
            Ok(v) => v,
            Err(e) => panic!("`{} version -json`: {e}", path.display()),
        }
    })
}

/// Runs `terraform version -json` (no CLI config, no checkpoint) and reads `terraform_version`.
pub fn ask_version(terraform: &Path) -> Result<TfVersion, String> {
    let v = terraform_version_of(terraform)?;
    TfVersion::parse(&v).ok_or_else(|| format!("terraform_version {v:?} is not a version"))
}

/// Directory holding our freshly built `terraform-provider-docusign` (a dev_overrides target),
/// or the directory of `TF_ACC_PROVIDER_BIN` when set (to run the suite against the release
/// binary; the file must be named `terraform-provider-docusign`).
pub fn provider_dir() -> PathBuf {
    let bin = std::env::var_os("TF_ACC_PROVIDER_BIN")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-docusign")));
    bin.parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Directory holding only the Go null provider 2.1.2 (`NULL_PROVIDER_DIR`, else
/// `<repo>/.tools/null-provider`). Panics when it is missing.
pub fn null_provider_dir() -> PathBuf {
    let dir = std::env::var_os("NULL_PROVIDER_DIR")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".tools/null-provider"));
    let has_binary = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten().any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("terraform-provider-null")
            })
        })
        .unwrap_or(false);
    assert!(
        has_binary,
        "the Go null provider was not found in {}: run ./scripts/install-tools",
        dir.display()
    );
    dir
}

/// The `provider_installation` part of a CLI config.
#[derive(Clone, Debug)]
pub struct Overrides {
    entries: Vec<(String, PathBuf)>,
    direct: bool,
}

impl Overrides {
    /// Our provider only, offline (no `direct {}`: nothing else can be installed).
    pub fn docusign() -> Self {
        Overrides {
            entries: vec![(PROVIDER_ADDR.to_owned(), provider_dir())],
            direct: false,
        }
    }

    /// No override at all.
    pub fn none() -> Self {
        Overrides {
            entries: Vec::new(),
            direct: false,
        }
    }

    /// Adds a dev override of `addr` to the directory `dir`.
    pub fn with(mut self, addr: &str, dir: impl Into<PathBuf>) -> Self {
        self.entries.retain(|(a, _)| a != addr);
        self.entries.push((addr.to_owned(), dir.into()));
        self
    }

    /// Adds the Go null provider 2.1.2 from `.tools`.
    pub fn with_null(self) -> Self {
        self.with(NULL_PROVIDER_ADDR, null_provider_dir())
    }

    /// Whether to add `direct {}` (registry installs for providers not overridden).
    pub fn direct(mut self, direct: bool) -> Self {
        self.direct = direct;
        self
    }

    /// The CLI config file text.
    pub fn render(&self) -> String {
        dev_overrides_config(
            self.entries.iter().map(|(a, d)| (a.as_str(), d.as_path())),
            self.direct,
        )
    }
}

/// What one terraform command did.
#[derive(Clone, Debug)]
pub struct Output {
    pub args: Vec<String>,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Output {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// stdout and stderr, for error messages and substring matching.
    pub fn combined(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// The needles (whitespace-insensitive, Terraform's box drawing ignored) that the output
    /// lacks.
    pub fn missing<'a, S: AsRef<str>>(&self, needles: &'a [S]) -> Vec<&'a str> {
        let text = normalize_output(&self.combined());
        needles
            .iter()
            .map(AsRef::as_ref)
            .filter(|n| !text.contains(&normalize_output(n)))
            .collect()
    }

    /// A crash of Terraform or of a provider in the output, if any.
    pub fn crash(&self) -> Option<&'static str> {
        let text = self.combined();
        [
            "panicked",
            "plugin exited",
            "Plugin did not respond",
            "rpc error",
        ]
        .into_iter()
        .find(|bad| text.contains(bad))
    }

    /// Fails when `secret` appears in what Terraform printed.
    pub fn expect_hidden(&self, secret: &str, what: &str) -> TfResult<()> {
        if self.combined().contains(secret) {
            return Err(Failure(format!(
                "{what}: a secret appears in Terraform's output:\n{}",
                self.combined()
            )));
        }
        Ok(())
    }

    /// The titles of Terraform's warnings (`Warning: <title>`), except the one every command
    /// prints under dev_overrides.
    pub fn warnings(&self) -> Vec<String> {
        self.combined()
            .lines()
            .filter_map(|l| {
                l.trim_start_matches(['│', '╷', '╵', ' '])
                    .strip_prefix("Warning: ")
            })
            .map(str::trim)
            .filter(|t| *t != "Provider development overrides are in effect")
            .map(str::to_owned)
            .collect()
    }

    fn describe(&self) -> String {
        format!(
            "`terraform {}` exited with {} after {:.1?}\n--- stderr ---\n{}\n--- stdout ---\n{}",
            self.args.join(" "),
            self.code
                .map_or_else(|| "a signal".to_owned(), |c| c.to_string()),
            self.elapsed,
            self.stderr.trim_end(),
            self.stdout.trim_end()
        )
    }
}

/// One isolated Terraform working directory (temporary unless `TF_ACC_PERSIST_WORKING_DIR`).
pub struct WorkDir {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
    name: String,
    terraform: PathBuf,
    cli_config: PathBuf,
    log_path: Option<PathBuf>,
    env: Vec<(String, String)>,
    timeout: Duration,
    /// The root module's folder inside the working directory (`-chdir`), if not the top.
    chdir: Option<String>,
}

/// The arguments of a non-interactive `terraform apply` of the configuration.
const APPLY: &[&str] = &[
    "apply",
    "-input=false",
    "-no-color",
    "-lock=false",
    "-auto-approve",
];

impl WorkDir {
    /// A new working directory for the test `name`, with a CLI config made of `overrides`.
    pub fn new(name: &str, overrides: &Overrides) -> WorkDir {
        let terraform = terraform_path();
        let mut builder = tempfile::Builder::new();
        let prefix = format!("tfacc-{}-", sanitize(name));
        builder.prefix(&prefix);
        let dir = match std::env::var_os("TF_ACC_TEMP_DIR").filter(|p| !p.is_empty()) {
            Some(base) => {
                std::fs::create_dir_all(&base).expect("create TF_ACC_TEMP_DIR");
                builder.tempdir_in(base)
            }
            None => builder.tempdir(),
        }
        .expect("create a temporary working directory");
        let path = dir.path().to_path_buf();
        let cli_config = path.join(".terraformrc");
        std::fs::write(&cli_config, overrides.render()).expect("write the CLI config");
        let log_path = std::env::var("TF_ACC_LOG")
            .ok()
            .filter(|l| !l.is_empty())
            .map(
                |_| match std::env::var_os("TF_ACC_LOG_DIR").filter(|p| !p.is_empty()) {
                    Some(d) => {
                        let d = PathBuf::from(d);
                        std::fs::create_dir_all(&d).expect("create TF_ACC_LOG_DIR");
                        d.join(format!("{}.log", sanitize(name)))
                    }
                    None => path.join("terraform.log"),
                },
            );
        let timeout = std::env::var("TF_ACC_COMMAND_TIMEOUT")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .map_or(Duration::from_secs(600), Duration::from_secs);
        let persist = std::env::var_os("TF_ACC_PERSIST_WORKING_DIR").is_some_and(|v| !v.is_empty());
        let dir = if persist {
            eprintln!(
                "[harness] {name}: keeping working directory {}",
                path.display()
            );
            let _ = dir.keep();
            None
        } else {
            Some(dir)
        };
        WorkDir {
            dir,
            path,
            name: name.to_owned(),
            terraform,
            cli_config,
            log_path,
            env: Vec::new(),
            timeout,
            chdir: None,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The CLI config file every command uses (`TF_CLI_CONFIG_FILE`).
    pub fn cli_config(&self) -> &Path {
        &self.cli_config
    }

    /// Where `TF_LOG` output goes, when `TF_ACC_LOG` is set.
    pub fn log_path(&self) -> Option<&Path> {
        self.log_path.as_deref()
    }

    /// Adds an environment variable to every later command (e.g. a provider setting).
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
    }

    /// Runs every later command with `-chdir=<dir>`: the root module is that folder of the
    /// working directory (so that relative module sources resolve as in the repository).
    pub fn set_chdir(&mut self, dir: &str) {
        self.chdir = Some(dir.to_owned());
    }

    /// Replaces the configuration with `main.tf` = `hcl`.
    pub fn write_config(&self, hcl: &str) {
        self.write_file("main.tf", hcl);
    }

    /// Writes a file relative to the working directory.
    pub fn write_file(&self, rel: &str, contents: &str) {
        let p = self.path.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create parent directory");
        }
        std::fs::write(&p, contents).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    }

    /// The command that would run `terraform args...` here, fully configured.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = hermetic_command(&self.terraform, &self.path, &self.cli_config);
        if let Some(dir) = &self.chdir {
            cmd.arg(format!("-chdir={dir}"));
        }
        cmd.args(args);
        if let (Some(log), Ok(level)) = (&self.log_path, std::env::var("TF_ACC_LOG")) {
            cmd.env("TF_LOG", level).env("TF_LOG_PATH", log);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs `terraform args...` and returns what happened, whatever the exit code.
    pub fn run_raw(&self, args: &[&str]) -> Output {
        let started = Instant::now();
        let mut child = self
            .command(args)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", self.terraform.display()));
        let out_reader = drain(child.stdout.take());
        let err_reader = drain(child.stderr.take());
        let mut timed_out = false;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if started.elapsed() > self.timeout => {
                    let _ = child.kill();
                    timed_out = true;
                    break child.wait().ok();
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => panic!("wait for terraform: {e}"),
            }
        };
        let stdout = out_reader.join().unwrap_or_default();
        let mut stderr = err_reader.join().unwrap_or_default();
        if timed_out {
            stderr.push_str(&format!(
                "\n[harness] killed after the {:?} timeout",
                self.timeout
            ));
        }
        Output {
            args: args.iter().map(|s| (*s).to_owned()).collect(),
            code: if timed_out {
                None
            } else {
                status.and_then(|s| s.code())
            },
            stdout,
            stderr,
            elapsed: started.elapsed(),
        }
    }

    /// Runs `terraform args...`; a non-zero exit is a [`Failure`] carrying stderr and stdout.
    pub fn run(&self, args: &[&str]) -> TfResult<Output> {
        let out = self.run_raw(args);
        if out.success() {
            Ok(out)
        } else {
            Err(Failure(self.describe_failure(&out)))
        }
    }

    /// A failure message for `out`: the command, its exit code, stderr, stdout, the directory.
    pub fn describe_failure(&self, out: &Output) -> String {
        let mut s = format!("[{}] {}", self.name, out.describe());
        s.push_str(&format!("\n(working directory {})", self.path.display()));
        if let Some(log) = &self.log_path {
            s.push_str(&format!("\n(TF_LOG at {})", log.display()));
        }
        s
    }

    /// Fails unless `out` is a success.
    pub fn expect_success(&self, out: &Output) -> TfResult<()> {
        if out.success() {
            Ok(())
        } else {
            Err(Failure(self.describe_failure(out)))
        }
    }

    /// Fails unless `out` failed, without a crash, with every one of `needles` in its output.
    pub fn expect_failure_with(&self, out: &Output, needles: &[&str]) -> TfResult<()> {
        if out.success() {
            return Err(Failure(format!(
                "expected a failure, got success:\n{}",
                out.combined()
            )));
        }
        let missing = out.missing(needles);
        if !missing.is_empty() {
            return Err(Failure(format!(
                "the output lacks {missing:?}:\n{}",
                self.describe_failure(out)
            )));
        }
        match out.crash() {
            Some(bad) => Err(Failure(format!(
                "{bad:?} in the output:\n{}",
                out.combined()
            ))),
            None => Ok(()),
        }
    }

    /// Copies every `*.tf` file of the repository folder `from` into the folder `to` of this
    /// working directory.
    pub fn copy_tf_files(&self, from: &str, to: &str) {
        let dir = repo_root().join(from);
        let entries =
            std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
        let mut n = 0;
        for p in entries.flatten().map(|e| e.path()) {
            if p.extension().is_some_and(|x| x == "tf") {
                let name = p
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                let text = std::fs::read_to_string(&p)
                    .unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
                self.write_file(&format!("{to}/{name}"), &text);
                n += 1;
            }
        }
        assert!(n > 0, "no .tf files in {}", dir.display());
    }

    /// `terraform plan -out=<file> extra...`, returning what Terraform printed.
    pub fn plan_out(&self, file: &str, extra: &[&str]) -> TfResult<Output> {
        let out = format!("-out={file}");
        let mut args = vec![
            "plan",
            "-input=false",
            "-no-color",
            "-lock=false",
            out.as_str(),
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `terraform plan -out=<file>` (with `-refresh=false` unless `refresh`), then `show -json`.
    pub fn plan(&self, file: &str, refresh: bool) -> TfResult<Plan> {
        let extra: &[&str] = if refresh { &[] } else { &["-refresh=false"] };
        self.plan_out(file, extra)?;
        self.show_plan(file)
    }

    /// `terraform plan -destroy -out=<file>`, then `show -json`.
    pub fn plan_destroy(&self, file: &str) -> TfResult<Plan> {
        self.plan_out(file, &["-destroy"])?;
        self.show_plan(file)
    }

    /// `terraform show -json <plan file>`.
    pub fn show_plan(&self, file: &str) -> TfResult<Plan> {
        let out = self.run(&["show", "-json", "-no-color", file])?;
        parse_json(&out).map(Plan::new)
    }

    /// `terraform show -json` of the current state.
    pub fn show_state(&self) -> TfResult<State> {
        let out = self.run(&["show", "-json", "-no-color"])?;
        parse_json(&out).map(State::new)
    }

    /// `terraform apply <plan file>`.
    pub fn apply_plan(&self, file: &str) -> TfResult<Output> {
        self.run(&[
            "apply",
            "-input=false",
            "-no-color",
            "-lock=false",
            "-auto-approve",
            file,
        ])
    }

    /// `terraform apply -auto-approve` (plans and applies the current configuration).
    pub fn apply(&self) -> TfResult<Output> {
        self.run(APPLY)
    }

    /// `terraform apply -auto-approve`, whatever its exit code (to check a failing apply).
    pub fn apply_raw(&self) -> Output {
        self.run_raw(APPLY)
    }

    /// `terraform destroy -auto-approve`.
    pub fn destroy(&self) -> TfResult<Output> {
        self.run(&[
            "destroy",
            "-input=false",
            "-no-color",
            "-lock=false",
            "-auto-approve",
        ])
    }

    /// `terraform import ADDR ID`.
    pub fn import(&self, addr: &str, id: &str) -> TfResult<Output> {
        self.run(&[
            "import",
            "-input=false",
            "-no-color",
            "-lock=false",
            addr,
            id,
        ])
    }

    /// `terraform validate -json`, returning its JSON (valid or not).
    pub fn validate(&self) -> TfResult<serde_json::Value> {
        let out = self.run_raw(&["validate", "-json", "-no-color"]);
        parse_json(&out).map_err(|e| e.context(self.describe_failure(&out)))
    }

    /// `terraform providers schema -json`.
    pub fn providers_schema(&self) -> TfResult<serde_json::Value> {
        let out = self.run(&["providers", "schema", "-json"])?;
        parse_json(&out)
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "[harness] {}: working directory was {}",
                self.name,
                self.path.display()
            );
        }
        drop(self.dir.take());
    }
}

fn parse_json(out: &Output) -> TfResult<serde_json::Value> {
    serde_json::from_str(out.stdout.trim()).map_err(|e| {
        Failure(format!(
            "`terraform {}` printed invalid JSON ({e}):\n{}",
            out.args.join(" "),
            out.stdout
        ))
    })
}

fn drain<R: Read + Send + 'static>(r: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut r) = r {
            let _ = r.read_to_end(&mut buf);
        }
        String::from_utf8_lossy(&buf).into_owned()
    })
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect()
}

/// Collapses whitespace and Terraform's diagnostic box drawing so that a message wrapped across
/// lines still matches a substring.
pub fn normalize_output(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '│' || c == '╷' || c == '╵')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
