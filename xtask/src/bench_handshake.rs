//! `cargo xtask bench-handshake`: process start → handshake line, and peak RSS.
//!
//! Both providers are launched exactly as Terraform launches them: the magic cookie,
//! `PLUGIN_PROTOCOL_VERSIONS=5`, the port range, and a P-521 `PLUGIN_CLIENT_CERT`. The clock
//! starts just before `spawn` and stops when the first stdout line (the handshake) has been read.
//! Its peak RSS so far is then read from `VmHWM` in `/proc/<pid>/status`, and it is killed and
//! reaped. (`wait4`'s `ru_maxrss` is not used: Linux folds the RSS of the image a child replaces
//! at `exec` into it, and std spawns through `posix_spawn` (`vfork` semantics), so it reported this benchmark's own
//! RSS whenever that was larger than the provider's.) Runs alternate between the two providers so
//! that machine noise hits both alike; one unmeasured warm-up run each comes first.
//!
//! Before the warm-up both binaries are dropped from the page cache ([`drop_from_page_cache`]).
//! Peak RSS at the handshake is mostly the binary's file pages that start-up maps, and the kernel
//! maps cached pages in the blocks (folios) it cached them in: a binary just written by the
//! linker is held in larger blocks than one read back from disk (measured: 5.2 MiB against
//! 4.5 MiB for the same provider binary). Without the drop, a freshly built provider would be
//! compared with a Go binary read from disk long ago.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::markdown;
use crate::plugin_cert::terraform_like_client_cert_pem;
use crate::stats::{median, quantile};
use crate::workspace;

const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(20);

struct Options {
    runs: usize,
    out: PathBuf,
    build: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        runs: 30,
        out: workspace::root().join("bench-results/handshake.md"),
        build: true,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => {
                let v = it.next().ok_or("--runs needs a value")?;
                o.runs = v.parse().map_err(|e| format!("--runs {v}: {e}"))?;
                if o.runs == 0 {
                    return Err("--runs must be at least 1".to_owned());
                }
            }
            "--out" => o.out = PathBuf::from(it.next().ok_or("--out needs a value")?),
            "--no-build" => o.build = false,
            other => return Err(format!("bench-handshake: unknown option {other:?}")),
        }
    }
    Ok(o)
}

/// One measured launch.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub handshake: Duration,
    pub max_rss_kib: u64,
}

/// Launches `bin` as Terraform would, waits for the handshake line, kills it and returns the
/// measurement. The handshake line must be a go-plugin gRPC line for protocol 5 with a cert.
pub fn measure_once(bin: &Path, client_cert_pem: &str) -> Result<Sample, String> {
    let mut cmd = Command::new(bin);
    for (k, _) in std::env::vars_os() {
        let k_str = k.to_string_lossy();
        if k_str.starts_with("TF_") || k_str.starts_with("PLUGIN_") {
            cmd.env_remove(&k);
        }
    }
    cmd.env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env("PLUGIN_CLIENT_CERT", client_cert_pem)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("spawn {}: {e}", bin.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout pipe")?;
    // Read the line on a thread so a silent plugin cannot hang the benchmark.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let res = BufReader::new(stdout).read_line(&mut line).map(|_| line);
        let _ = tx.send((res, Instant::now()));
    });
    let received = rx.recv_timeout(HANDSHAKE_TIMEOUT);
    let hwm = peak_rss_kib(child.id());
    let (ru_maxrss_kib, status) = kill_and_reap(&mut child)?;
    let (line, at) = match received {
        Ok((Ok(line), at)) => (line, at),
        Ok((Err(e), _)) => return Err(format!("{}: read stdout: {e}", bin.display())),
        Err(_) => {
            return Err(format!(
                "{}: no handshake line within {HANDSHAKE_TIMEOUT:?} (exit {status})",
                bin.display()
            ));
        }
    };
    check_handshake(&line).map_err(|e| format!("{}: {e} (exit {status})", bin.display()))?;
    Ok(Sample {
        handshake: at.duration_since(started),
        max_rss_kib: hwm.unwrap_or(ru_maxrss_kib),
    })
}

/// `VmHWM` (peak resident set size, KiB) of a live process, from `/proc/<pid>/status`.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_vm_hwm(&status)
}

fn parse_vm_hwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Validates a go-plugin handshake line for protocol 5 over gRPC with a server certificate.
pub fn check_handshake(line: &str) -> Result<(), String> {
    let parts: Vec<&str> = line.trim_end().split('|').collect();
    match parts.as_slice() {
        ["1", "5", "unix" | "tcp", addr, "grpc", cert] if !addr.is_empty() && cert.len() > 50 => {
            Ok(())
        }
        _ => Err(format!(
            "not a TLS gRPC protocol-5 handshake line: {line:?}"
        )),
    }
}

/// SIGKILLs `child` and reaps it with `wait4`, returning (ru_maxrss in KiB, a status string).
fn kill_and_reap(child: &mut Child) -> Result<(u64, String), String> {
    let pid = libc::pid_t::try_from(child.id()).map_err(|e| format!("pid: {e}"))?;
    // SAFETY: `pid` is our own unreaped child; kill has no memory-safety preconditions.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
    let (reaped, usage) = crate::bench::cpu::reap(child)?;
    // Linux reports ru_maxrss in KiB.
    Ok((
        u64::try_from(usage.ru_maxrss).unwrap_or(0),
        reaped.status.to_string(),
    ))
}

/// The samples of one provider.
pub struct Series {
    pub name: String,
    pub binary: PathBuf,
    pub samples: Vec<Sample>,
}

impl Series {
    pub fn ms(&self) -> Vec<f64> {
        self.samples
            .iter()
            .map(|s| s.handshake.as_secs_f64() * 1e3)
            .collect()
    }

    pub fn mib(&self) -> Vec<f64> {
        self.samples
            .iter()
            .map(|s| s.max_rss_kib as f64 / 1024.0)
            .collect()
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let opts = parse(args)?;
    let ours = if opts.build {
        workspace::build_release_provider()?
    } else {
        workspace::release_provider()?
    };
    let null = workspace::null_provider()?;
    let series = measure(ours, null, opts.runs)?;
    let report = render(&series, opts.runs);
    markdown::write_report(&opts.out, &report)
}

/// Writes the file's dirty pages back and asks the kernel to drop its cached pages
/// (`posix_fadvise(POSIX_FADV_DONTNEED)`), so that the next start reads it from disk.
pub fn drop_from_page_cache(path: &Path) -> Result<(), String> {
    use std::os::fd::AsRawFd;
    let what = |e: &dyn std::fmt::Display| {
        format!("{}: dropping from the page cache: {e}", path.display())
    };
    let file = std::fs::File::open(path).map_err(|e| what(&e))?;
    file.sync_all().map_err(|e| what(&e))?;
    // SAFETY: a plain syscall on a descriptor `file` owns for the duration of the call.
    let rc = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    if rc != 0 {
        return Err(what(&std::io::Error::from_raw_os_error(rc)));
    }
    Ok(())
}

/// Measures `runs` launches of each binary, interleaved, after one warm-up each: our provider
/// first in the result, the Go null provider second.
pub fn measure(ours: PathBuf, null: PathBuf, runs: usize) -> Result<[Series; 2], String> {
    let cert = terraform_like_client_cert_pem()?;
    let mut series = [
        Series {
            name: "terraform-provider-docusign (release)".to_owned(),
            binary: ours,
            samples: Vec::new(),
        },
        Series {
            name: "Go null provider 2.1.2".to_owned(),
            binary: null,
            samples: Vec::new(),
        },
    ];
    for s in &series {
        drop_from_page_cache(&s.binary)?;
        measure_once(&s.binary, &cert)?; // warm-up: page cache, dynamic loader
    }
    for i in 0..runs {
        // Alternate which provider goes first.
        let order: [usize; 2] = if i % 2 == 0 { [0, 1] } else { [1, 0] };
        for idx in order {
            let sample = measure_once(&series[idx].binary, &cert)?;
            series[idx].samples.push(sample);
        }
    }
    Ok(series)
}

fn render(series: &[Series; 2], runs: usize) -> String {
    let mut out = format!(
        "# Handshake benchmark\n\n{} runs each, interleaved, after one warm-up each; {}; {}.\n\
         Time: process spawn → handshake line read. Peak RSS: `VmHWM` of the process right after the \
         handshake, before it is killed.\n\n",
        runs,
        markdown::machine(),
        markdown::utc_now()
    );
    out.push_str(&table(series));
    let (t, m) = ratios(series);
    out.push_str(&format!(
        "\nRatio ours / Go null provider (medians): handshake time {}, peak RSS {}.\n",
        verdict(t, 1.0 / 6.0),
        verdict(m, 1.0 / 4.0)
    ));
    out
}

/// The markdown table of medians and p90s per provider.
pub fn table(series: &[Series; 2]) -> String {
    let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |x| format!("{x:.1}"));
    let size_mib = |p: &Path| {
        std::fs::metadata(p).map_or_else(
            |_| "-".to_owned(),
            |m| format!("{:.1}", m.len() as f64 / 1048576.0),
        )
    };
    let rows: Vec<Vec<String>> = series
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                fmt(median(&s.ms())),
                fmt(quantile(&s.ms(), 0.9)),
                fmt(median(&s.mib())),
                fmt(quantile(&s.mib(), 0.9)),
                size_mib(&s.binary),
            ]
        })
        .collect();
    markdown::table(
        &[
            "provider",
            "handshake median (ms)",
            "handshake p90 (ms)",
            "peak RSS median (MiB)",
            "peak RSS p90 (MiB)",
            "binary (MiB)",
        ],
        &rows,
    )
}

/// (handshake time, peak RSS) of ours divided by the Go null provider's, from the medians.
pub fn ratios(series: &[Series; 2]) -> (Option<f64>, Option<f64>) {
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    };
    (
        ratio(median(&series[0].ms()), median(&series[1].ms())),
        ratio(median(&series[0].mib()), median(&series[1].mib())),
    )
}

/// `0.123 (target ≤ 0.167: met)` or `NOT met`.
pub fn verdict(r: Option<f64>, target: f64) -> String {
    match r {
        Some(r) if r <= target => format!("{r:.3} (target ≤ {target:.3}: met)"),
        Some(r) => format!("{r:.3} (target ≤ {target:.3}: NOT met)"),
        None => "-".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_from_the_page_cache_needs_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("bin");
        std::fs::write(&f, vec![7u8; 1 << 20]).unwrap();
        assert_eq!(drop_from_page_cache(&f), Ok(()));
        assert_eq!(
            std::fs::read(&f).unwrap().len(),
            1 << 20,
            "the file is untouched"
        );
        let missing = dir.path().join("missing");
        let e = drop_from_page_cache(&missing).unwrap_err();
        assert!(e.contains("missing") && e.contains("page cache"), "{e}");
    }

    #[test]
    fn handshake_line_validation() {
        let cert = "M".repeat(60);
        assert!(check_handshake(&format!("1|5|unix|/tmp/plugin1|grpc|{cert}\n")).is_ok());
        assert!(check_handshake(&format!("1|5|tcp|127.0.0.1:10000|grpc|{cert}")).is_ok());
        assert!(
            check_handshake("1|5|unix|/tmp/p|grpc|\n").is_err(),
            "no TLS cert"
        );
        assert!(check_handshake(&format!("1|6|unix|/tmp/p|grpc|{cert}")).is_err());
        assert!(check_handshake(&format!("1|5|unix|/tmp/p|netrpc|{cert}")).is_err());
        assert!(check_handshake("This binary is a plugin.").is_err());
    }

    #[test]
    fn vm_hwm_parsing() {
        let status = "Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t    6668 kB\nVmRSS:\t 6000 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(6668));
        assert_eq!(parse_vm_hwm("VmRSS:\t 6000 kB\n"), None);
        // Our own process is alive and has a high-water mark.
        assert!(peak_rss_kib(std::process::id()).is_some_and(|k| k > 0));
    }

    #[test]
    fn options() {
        let o = parse(&["--runs".into(), "5".into(), "--no-build".into()]).unwrap();
        assert_eq!(o.runs, 5);
        assert!(!o.build);
        assert!(parse(&["--runs".into(), "0".into()]).is_err());
        assert!(parse(&["--bogus".into()]).is_err());
    }
}
