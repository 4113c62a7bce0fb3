//! CPU time of processes: of a command and its reaped descendants (`wait4`), and of every
//! provider process Terraform starts, through a wrapper.
//!
//! The wrapper is this xtask binary itself, linked into a directory under the provider's own
//! file name (`terraform-provider-docusign`, `terraform-provider-null_v2.1.2_x4`). Terraform
//! (through `dev_overrides`) starts it as it would the provider; it finds the real binary in
//! `<its name>.target` next to it, runs it with the same arguments, environment and standard
//! streams (so the handshake line goes straight to Terraform), reaps it with `wait4`, appends the
//! provider's user and system time to `cpu.log` in the same directory and exits as the provider
//! did. Its own cost is a fork, an exec and a blocked `wait4`; it adds the same to every provider.

use std::io::Write as _;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode};
use std::time::Duration;

/// What a reaped process used: its exit status and its user + system CPU time, including that
/// of its descendants it reaped itself.
pub struct Reaped {
    pub status: std::process::ExitStatus,
    pub cpu: Duration,
}

fn timeval(t: libc::timeval) -> Duration {
    Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
        + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
}

/// Waits for `child` with `wait4` and returns its status and CPU time. `child` must not have
/// been waited for; std's `Child` is not waited for afterwards (dropping it does not wait).
pub fn reap(child: &Child) -> Result<(Reaped, libc::rusage), String> {
    let pid = libc::pid_t::try_from(child.id()).map_err(|e| format!("pid: {e}"))?;
    let mut status: libc::c_int = 0;
    // SAFETY: zeroed rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to locals; `pid` is our unreaped child, reaped here once.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("wait4({pid}): {err}"));
        }
    }
    Ok((
        Reaped {
            status: std::process::ExitStatus::from_raw(status),
            cpu: timeval(usage.ru_utime) + timeval(usage.ru_stime),
        },
        usage,
    ))
}

/// The file next to a wrapper that names the real binary.
fn target_file(wrapper: &Path) -> PathBuf {
    let mut name = wrapper.file_name().unwrap_or_default().to_os_string();
    name.push(".target");
    wrapper.with_file_name(name)
}

const LOG: &str = "cpu.log";

/// When this process was started as a provider wrapper (its file name starts with
/// `terraform-provider-`), runs the provider and returns the exit code to leave with.
pub fn wrapper_main() -> Option<ExitCode> {
    let exe = std::env::current_exe().ok()?;
    let name = exe.file_name()?.to_string_lossy().into_owned();
    if !name.starts_with("terraform-provider-") {
        return None;
    }
    Some(match wrap(&exe) {
        Ok(code) => code,
        Err(e) => {
            // stderr only: stdout belongs to the handshake.
            eprintln!("xtask provider wrapper {name}: {e}");
            ExitCode::FAILURE
        }
    })
}

fn wrap(exe: &Path) -> Result<ExitCode, String> {
    let target_path = target_file(exe);
    let target = std::fs::read_to_string(&target_path)
        .map_err(|e| format!("read {}: {e}", target_path.display()))?;
    let child = Command::new(target.trim())
        .args(std::env::args_os().skip(1))
        .spawn()
        .map_err(|e| format!("spawn {}: {e}", target.trim()))?;
    let (reaped, usage) = reap(&child)?;
    let log = exe.with_file_name(LOG);
    let line = format!(
        "{} {}\n",
        timeval(usage.ru_utime).as_micros(),
        timeval(usage.ru_stime).as_micros()
    );
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .and_then(|mut f| f.write_all(line.as_bytes()))
        .map_err(|e| format!("append to {}: {e}", log.display()))?;
    Ok(match (reaped.status.code(), reaped.status.signal()) {
        (Some(code), _) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        (None, Some(signal)) => ExitCode::from(u8::try_from(128 + signal).unwrap_or(1)),
        (None, None) => ExitCode::FAILURE,
    })
}

/// A directory holding a wrapper for one provider binary, for `dev_overrides`.
pub struct Wrapped {
    pub dir: PathBuf,
}

/// The provider processes of one command.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ProviderCpu {
    /// How many provider processes ran.
    pub processes: usize,
    /// Their user + system time summed.
    pub cpu: Duration,
}

impl Wrapped {
    /// `base/name/` with a wrapper named like `real` (this very executable, hard-linked or
    /// copied) and the `.target` file pointing at `real`.
    pub fn new(base: &Path, name: &str, real: &Path) -> Result<Wrapped, String> {
        let dir = base.join(name);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| format!("remove {}: {e}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
        let file_name = real
            .file_name()
            .ok_or_else(|| format!("{} has no file name", real.display()))?;
        let wrapper = dir.join(file_name);
        let me = std::env::current_exe().map_err(|e| format!("this executable: {e}"))?;
        if std::fs::hard_link(&me, &wrapper).is_err() {
            std::fs::copy(&me, &wrapper)
                .map_err(|e| format!("copy {} to {}: {e}", me.display(), wrapper.display()))?;
        }
        let real =
            std::fs::canonicalize(real).map_err(|e| format!("resolve {}: {e}", real.display()))?;
        std::fs::write(target_file(&wrapper), real.to_string_lossy().as_bytes())
            .map_err(|e| format!("write {}: {e}", target_file(&wrapper).display()))?;
        Ok(Wrapped { dir })
    }

    /// Forgets what earlier processes used.
    pub fn clear(&self) -> Result<(), String> {
        match std::fs::remove_file(self.dir.join(LOG)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(format!("remove {}: {e}", self.dir.join(LOG).display()))
            }
            _ => Ok(()),
        }
    }

    /// What the provider processes used since the last [`clear`](Self::clear).
    pub fn used(&self) -> Result<ProviderCpu, String> {
        let log = self.dir.join(LOG);
        match std::fs::read_to_string(&log) {
            Ok(text) => parse_log(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ProviderCpu::default()),
            Err(e) => Err(format!("read {}: {e}", log.display())),
        }
    }
}

impl Drop for Wrapped {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Sums `cpu.log`: one `<user µs> <system µs>` line per process.
fn parse_log(text: &str) -> Result<ProviderCpu, String> {
    let mut total = ProviderCpu::default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut fields = line.split_whitespace().map(str::parse::<u64>);
        match (fields.next(), fields.next(), fields.next()) {
            (Some(Ok(user)), Some(Ok(sys)), None) => {
                total.processes += 1;
                total.cpu += Duration::from_micros(user + sys);
            }
            _ => return Err(format!("{LOG}: not `<user µs> <system µs>`: {line:?}")),
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_sums_processes() {
        let c = parse_log("1000 500\n\n250 250\n").unwrap();
        assert_eq!(c.processes, 2);
        assert_eq!(c.cpu, Duration::from_micros(2000));
        assert_eq!(parse_log("").unwrap(), ProviderCpu::default());
        assert!(parse_log("12\n").is_err());
        assert!(parse_log("1 2 3\n").is_err());
        assert!(parse_log("a b\n").is_err());
    }

    #[test]
    #[allow(clippy::zombie_processes)] // `reap` waits for it with wait4
    fn reap_reports_the_cpu_of_a_busy_child() {
        // A shell loop that burns CPU for a moment, then exits 3.
        let child = Command::new("sh")
            .args([
                "-c",
                "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; exit 3",
            ])
            .spawn()
            .unwrap();
        let (r, _) = reap(&child).unwrap();
        assert_eq!(r.status.code(), Some(3));
        assert!(r.cpu > Duration::ZERO, "{:?}", r.cpu);
    }
}
