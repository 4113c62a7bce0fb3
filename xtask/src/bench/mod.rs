//! `cargo xtask bench`: issue 7's benchmark in one run, against the emulator on loopback with
//! Terraform 1.0.3 and the Go null provider 2.1.2 as the reference. Writes
//! `bench-results/bench.md`:
//!
//! * (a) handshake time and peak RSS ([`crate::bench_handshake`]);
//! * (b) wall time of a refreshing `terraform plan` over existing state, N configurations vs N
//!   `null_resource`s, with a control of N `null_resource`s carrying as much state as a
//!   configuration, and (c) the API calls per plan and per apply ([`plan`]);
//! * (d) an apply of 500 configurations at `-parallelism=50` under the default burst limit,
//!   counting failed calls ([`burst`]).

mod burst;
mod emulator;
mod http;
mod plan;
mod terraform;

use std::path::{Path, PathBuf};

use crate::bench_handshake;
use crate::markdown;
use crate::stats::median;
use crate::workspace;

use burst::BurstFigures;
use plan::PlanFigures;

/// Which parts run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Parts {
    handshake: bool,
    plan: bool,
    burst: bool,
}

#[derive(Debug)]
struct Options {
    parts: Parts,
    handshake_runs: usize,
    sizes: Vec<usize>,
    reps: usize,
    burst_n: usize,
    parallelism: usize,
    build: bool,
    out: PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            parts: Parts {
                handshake: true,
                plan: true,
                burst: true,
            },
            handshake_runs: 30,
            sizes: vec![10, 100, 500],
            reps: 5,
            burst_n: 500,
            parallelism: 50,
            build: true,
            out: workspace::root().join("bench-results/bench.md"),
        }
    }
}

fn number(flag: &str, v: Option<&String>) -> Result<usize, String> {
    let v = v.ok_or_else(|| format!("{flag} needs a value"))?;
    match v.parse::<usize>() {
        Ok(0) => Err(format!("{flag} must be at least 1")),
        Ok(n) => Ok(n),
        Err(e) => Err(format!("{flag} {v}: {e}")),
    }
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => {
                o.handshake_runs = 10;
                o.sizes = vec![10, 100];
                o.reps = 2;
                o.parts.burst = false;
            }
            "--only" => {
                let v = it.next().ok_or("--only needs a value")?;
                o.parts = Parts {
                    handshake: false,
                    plan: false,
                    burst: false,
                };
                for part in v.split(',') {
                    match part.trim() {
                        "handshake" => o.parts.handshake = true,
                        "plan" => o.parts.plan = true,
                        "burst" => o.parts.burst = true,
                        other => {
                            return Err(format!(
                                "--only: unknown part {other:?} (handshake, plan, burst)"
                            ));
                        }
                    }
                }
            }
            "--runs" => o.handshake_runs = number(a, it.next())?,
            "--reps" => o.reps = number(a, it.next())?,
            "--sizes" => {
                let v = it.next().ok_or("--sizes needs a value")?;
                o.sizes = v
                    .split(',')
                    .map(|s| number("--sizes", Some(&s.trim().to_owned())))
                    .collect::<Result<_, _>>()?;
            }
            "--burst-n" => o.burst_n = number(a, it.next())?,
            "--parallelism" => o.parallelism = number(a, it.next())?,
            "--no-build" => o.build = false,
            "--out" => o.out = PathBuf::from(it.next().ok_or("--out needs a value")?),
            other => return Err(format!("bench: unknown option {other:?}")),
        }
    }
    Ok(o)
}

/// Paths every part needs.
pub struct Context {
    pub provider: PathBuf,
    pub provider_dir: PathBuf,
    pub emulator: PathBuf,
    pub null: PathBuf,
    pub null_dir: PathBuf,
    pub terraform: PathBuf,
    /// Where working directories go (under the target directory).
    pub work: PathBuf,
}

impl Context {
    /// A working directory `name` holding N resources of `kind`; with `emu`, the provider is
    /// pointed at that emulator (its `DOCUSIGN_*` environment).
    pub fn workdir(
        &self,
        name: &str,
        kind: terraform::Kind,
        n: usize,
        emu: Option<&emulator::Emulator>,
    ) -> Result<terraform::WorkDir, String> {
        let mut wd = terraform::WorkDir::new(
            &self.work,
            name,
            &self.terraform,
            &self.provider_dir,
            &self.null_dir,
            &terraform::config(kind, n),
        )?;
        for (k, v) in emu
            .map(emulator::Emulator::provider_env)
            .unwrap_or_default()
        {
            wd.set_env(k, &v);
        }
        Ok(wd)
    }
}

fn parent(p: &Path) -> PathBuf {
    p.parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

pub fn run(args: &[String]) -> Result<(), String> {
    let opts = parse(args)?;
    let (provider, emulator) = if opts.build {
        workspace::build_release_provider_and_emulator()?
    } else {
        (
            workspace::release_provider()?,
            workspace::release_emulator()?,
        )
    };
    let null = workspace::null_provider()?;
    let ctx = Context {
        provider_dir: parent(&provider),
        null_dir: parent(&null),
        terraform: workspace::terraform()?,
        work: workspace::target_dir().join("bench-work"),
        provider,
        emulator,
        null,
    };
    let load_before = load_average();
    let started = std::time::Instant::now();

    let handshake = if opts.parts.handshake {
        eprintln!("xtask bench: handshake, {} runs each", opts.handshake_runs);
        Some(bench_handshake::measure(
            ctx.provider.clone(),
            ctx.null.clone(),
            opts.handshake_runs,
        )?)
    } else {
        None
    };
    let mut plans = Vec::new();
    if opts.parts.plan {
        for &n in &opts.sizes {
            plans.push(plan::measure(&ctx, n, opts.reps)?);
        }
    }
    let burst = if opts.parts.burst {
        Some(burst::measure(&ctx, opts.burst_n, opts.parallelism)?)
    } else {
        None
    };
    let _ = std::fs::remove_dir(&ctx.work);

    let header = Header {
        when: markdown::utc_now(),
        machine: markdown::machine(),
        load_before,
        load_after: load_average(),
        minutes: started.elapsed().as_secs_f64() / 60.0,
        commit: git_commit(),
        handshake_runs: opts.handshake_runs,
        reps: opts.reps,
    };
    let report = render(&header, handshake.as_ref(), &plans, burst.as_ref());
    markdown::write_report(&opts.out, &report)
}

/// `/proc/loadavg`'s three averages.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_owned(),
        |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

/// The short commit, with `+dirty` when the work tree has changes.
fn git_commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(workspace::root())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".to_owned());
    match git(&["status", "--porcelain", "--untracked-files=no"]) {
        Some(s) if !s.is_empty() => format!("{commit}+dirty"),
        _ => commit,
    }
}

struct Header {
    when: String,
    machine: String,
    load_before: String,
    load_after: String,
    minutes: f64,
    commit: String,
    handshake_runs: usize,
    reps: usize,
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |x| format!("{x:.0}"))
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "-".to_owned(),
    }
}

/// The control of part (b): the same plans with the null provider carrying as much state per
/// instance as a configuration, which separates Terraform's cost of state size from the
/// provider's own cost.
fn control_section(plans: &[PlanFigures]) -> String {
    let mut out = String::from(
        "\n### Control: the null provider with state the size of ours\n\n\
         The same plans of N `null_resource`s whose `triggers` map has one entry per entry of a \
         configuration's state (an attribute, or an attribute of a block), so Terraform reads, \
         copies, encodes and compares as much state per instance for both providers. The \
         target above is against the one-trigger `null_resource`; this row shows how much of \
         the difference Terraform spends on the state itself.\n\n",
    );
    let shape = |s: &terraform::StateShape| {
        format!(
            "{} / {} / {:.0} B",
            s.attributes, s.entries, s.bytes_per_instance
        )
    };
    let rows: Vec<Vec<String>> = plans
        .iter()
        .map(|p| {
            let (o, n, z) = (
                median(&p.ours_ms),
                median(&p.null_ms),
                median(&p.sized_null_ms),
            );
            vec![
                p.n.to_string(),
                shape(&p.shapes[0]),
                shape(&p.shapes[1]),
                shape(&p.shapes[2]),
                ms(z),
                ratio(z, n),
                ratio(o, z),
            ]
        })
        .collect();
    out.push_str(&markdown::table(
        &[
            "N",
            "docusign state per instance (attributes / entries / bytes)",
            "null",
            "sized null",
            "sized null plan median (ms)",
            "ratio sized null / null",
            "ratio docusign / sized null",
        ],
        &rows,
    ));
    out
}

fn render(
    h: &Header,
    handshake: Option<&[bench_handshake::Series; 2]>,
    plans: &[PlanFigures],
    burst: Option<&BurstFigures>,
) -> String {
    let mut out = format!(
        "# Benchmark: terraform-provider-docusign vs the Go null provider 2.1.2\n\n\
         `cargo xtask bench`, {}; commit {}; {}.\n\
         Load average (1, 5, 15 min) before: {}; after: {} (the machine may be shared: compare \
         the ratios, which are measured in the same run, rather than absolute times). \
         Run time {:.1} min. Terraform 1.0.3, the emulator on loopback.\n",
        h.when, h.commit, h.machine, h.load_before, h.load_after, h.minutes
    );
    let mut targets: Vec<(String, String)> = Vec::new();

    if let Some(series) = handshake {
        out.push_str(&format!(
            "\n## (a) Handshake\n\n{} launches each, interleaved, after one warm-up; process \
             spawn → handshake line, and peak RSS (`VmHWM` right after the handshake), launched \
             as Terraform does (cookie, protocol 5, a P-521 client certificate).\n\n",
            h.handshake_runs
        ));
        out.push_str(&bench_handshake::table(series));
        let (t, m) = bench_handshake::ratios(series);
        targets.push((
            "Handshake time ≤ 1/6 of Go null's".into(),
            bench_handshake::verdict(t, 1.0 / 6.0),
        ));
        targets.push((
            "Peak RSS ≤ 1/4 of Go null's".into(),
            bench_handshake::verdict(m, 1.0 / 4.0),
        ));
    }

    if !plans.is_empty() {
        out.push_str(&format!(
            "\n## (b) Refreshing `terraform plan` with existing state\n\n\
             N resources made with `count`, created by a prior `terraform apply`; then {} \
             refreshing no-op plans each (`-detailed-exitcode` must say no changes), rotating \
             which directory goes first, after one unmeasured plan each. Wall time of the \
             `terraform plan` process.\n\n",
            h.reps
        ));
        let rows: Vec<Vec<String>> = plans
            .iter()
            .map(|p| {
                let (o, n) = (median(&p.ours_ms), median(&p.null_ms));
                vec![
                    p.n.to_string(),
                    ms(o),
                    ms(n),
                    ratio(o, n),
                    format!("{:.1} / {:.1}", p.ours_create_s, p.null_create_s),
                ]
            })
            .collect();
        out.push_str(&markdown::table(
            &[
                "N",
                "docusign plan median (ms)",
                "null plan median (ms)",
                "ratio docusign / null",
                "creating apply docusign / null (s)",
            ],
            &rows,
        ));

        out.push_str(&control_section(plans));

        out.push_str(
            "\n## (c) API calls (emulator request log)\n\n\
             REST calls to DocuSign per command; OAuth calls would be listed separately (the \
             benchmark uses an access token, so none are expected).\n\n",
        );
        let rows: Vec<Vec<String>> = plans
            .iter()
            .map(|p| {
                vec![
                    p.n.to_string(),
                    p.plan_calls_described(),
                    p.create_calls.describe(),
                    p.noop_apply_calls.describe(),
                ]
            })
            .collect();
        out.push_str(&markdown::table(
            &[
                "N",
                "per refreshing plan",
                "apply creating N",
                "no-op apply",
            ],
            &rows,
        ));

        if let Some(largest) = plans.iter().max_by_key(|p| p.n) {
            let verdict = match (median(&largest.ours_ms), median(&largest.null_ms)) {
                (Some(o), Some(n)) if n > 0.0 => {
                    let r = o / n;
                    format!("{r:.2} (target ≤ 1.25: {})", met(r <= 1.25))
                }
                _ => "-".to_owned(),
            };
            targets.push((
                format!("Plan of {} ≤ 1.25× null's plan of {}", largest.n, largest.n),
                verdict,
            ));
        }
        let one_list = plans.iter().all(PlanFigures::one_list_call_per_plan);
        targets.push((
            "API calls per refresh of N on one account = 1 (= per no-op plan)".into(),
            format!("{} (all sizes, every repetition)", met(one_list)),
        ));
        let one_post = plans.iter().all(PlanFigures::one_post_per_create);
        targets.push((
            "API calls per create = 1".into(),
            format!(
                "{} (N POSTs and nothing else per apply of N)",
                met(one_post)
            ),
        ));
    }

    if let Some(b) = burst {
        out.push_str(&format!(
            "\n## (d) Apply of {} at `-parallelism={}` under the default burst limit\n\n\
             Emulator defaults: 200 calls per account per 30 s, 3,000 per hour.\n\n",
            b.n, b.parallelism
        ));
        let apply = match &b.apply {
            Ok(s) => format!("{s:.1} s"),
            Err(_) => "FAILED".to_owned(),
        };
        let after = b
            .plan_after
            .as_ref()
            .map_or_else(|| "-".to_owned(), |c| c.describe());
        out.push_str(&markdown::table(
            &[
                "apply wall time",
                "API calls",
                "failed API calls",
                "refreshing plan afterwards",
            ],
            &[vec![
                apply,
                b.calls.describe(),
                b.calls.failed.to_string(),
                after,
            ]],
        ));
        if let Err(e) = &b.apply {
            out.push_str(&format!("\nThe apply failed:\n\n```\n{e}\n```\n"));
        }
        targets.push((
            format!("Zero failed API calls applying {}", b.n),
            format!("{} ({} failed)", met(b.met()), b.calls.failed),
        ));
    }

    if !targets.is_empty() {
        out.push_str("\n## Targets (issue 7)\n\n");
        let rows: Vec<Vec<String>> = targets.into_iter().map(|(t, v)| vec![t, v]).collect();
        out.push_str(&markdown::table(&["target", "this run"], &rows));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn options() {
        let o = parse(&[]).unwrap();
        assert_eq!(o.sizes, vec![10, 100, 500]);
        assert!(o.parts.handshake && o.parts.plan && o.parts.burst);
        assert_eq!((o.burst_n, o.parallelism), (500, 50));

        let q = parse(&args("--quick")).unwrap();
        assert_eq!(
            (q.sizes.clone(), q.reps, q.parts.burst),
            (vec![10, 100], 2, false)
        );

        let s = parse(&args("--only plan,burst --sizes 5,50 --reps 3 --no-build")).unwrap();
        assert_eq!(
            s.parts,
            Parts {
                handshake: false,
                plan: true,
                burst: true
            }
        );
        assert_eq!((s.sizes, s.reps, s.build), (vec![5, 50], 3, false));

        for bad in [
            "--only nothing",
            "--sizes 10,x",
            "--reps 0",
            "--runs",
            "--bogus",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn report_marks_missed_targets() {
        let h = Header {
            when: "now".into(),
            machine: "m".into(),
            load_before: "1 2 3".into(),
            load_after: "4 5 6".into(),
            minutes: 1.0,
            commit: "abc".into(),
            handshake_runs: 1,
            reps: 1,
        };
        let list = emulator::Counts {
            api: 1,
            list: 1,
            ..Default::default()
        };
        let slow = PlanFigures {
            n: 500,
            ours_ms: vec![3000.0],
            null_ms: vec![2000.0],
            sized_null_ms: vec![3500.0],
            shapes: [
                terraform::StateShape {
                    attributes: 41,
                    entries: 42,
                    bytes_per_instance: 2203.4,
                },
                terraform::StateShape::default(),
                terraform::StateShape::default(),
            ],
            plan_calls: vec![list],
            create_calls: emulator::Counts {
                api: 500,
                post: 500,
                ..Default::default()
            },
            noop_apply_calls: list,
            ours_create_s: 1.0,
            null_create_s: 1.0,
        };
        let r = render(&h, None, &[slow], None);
        assert!(r.contains("| 500 | 3000 | 2000 | 1.50 |"), "{r}");
        assert!(r.contains("1.50 (target ≤ 1.25: NOT met)"), "{r}");
        assert!(
            r.contains(
                "| 500 | 41 / 42 / 2203 B | 0 / 0 / 0 B | 0 / 0 / 0 B | 3500 | 1.75 | 0.86 |"
            ),
            "{r}"
        );
        assert!(r.contains("= per no-op plan) | met"), "{r}");
        assert!(r.contains("load average") || r.contains("Load average"));
        assert!(r.contains("1 2 3") && r.contains("4 5 6"));
    }
}
