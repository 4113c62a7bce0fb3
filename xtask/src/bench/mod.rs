//! `cargo xtask bench`: the benchmark in one run, against the emulator on loopback, with the
//! Go null provider 2.1.2 as the reference, on every Terraform here (1.0.3 from `.tools` and the
//! newer one, [`terraform::default_paths`]), side by side. Writes `bench-results/bench.md`:
//!
//! * (a) handshake time and peak RSS ([`crate::bench_handshake`]);
//! * (b) a refreshing `terraform plan` over existing state, N configurations vs N
//!   `null_resource`s and a control of N `null_resource`s carrying as much state as a
//!   configuration: wall time, and the CPU time of the provider processes (every provider
//!   binary runs under a wrapper, [`cpu`]) and of Terraform; (c) the API calls per plan and per
//!   apply ([`plan`]);
//! * (d) an apply of 500 configurations at `-parallelism=50` under the default burst limit,
//!   counting failed calls ([`burst`]).

mod burst;
// How one Terraform command is set up, shared with the acceptance tests.
#[path = "../../../tests/acceptance/support/cli.rs"]
mod cli;
pub mod cpu;
mod emulator;
mod http;
mod plan;
mod terraform;

use std::path::PathBuf;

use crate::bench_handshake;
use crate::markdown;
use crate::workspace;

use burst::BurstFigures;
use cpu::Wrapped;
use plan::{PlanFigures, PlanSample, median_of};
use terraform::Terraform;

pub use cpu::wrapper_main;

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
    /// The Terraform CLIs to run on; empty: every one here ([`terraform::default_paths`]).
    terraforms: Vec<PathBuf>,
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
            terraforms: Vec::new(),
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
            "--terraform" => {
                let v = it.next().ok_or("--terraform needs a value")?;
                o.terraforms = v.split(',').map(|p| PathBuf::from(p.trim())).collect();
            }
            other => return Err(format!("bench: unknown option {other:?}")),
        }
    }
    Ok(o)
}

/// Paths every part needs.
pub struct Context {
    pub provider: PathBuf,
    pub emulator: PathBuf,
    pub null: PathBuf,
    /// The wrappers Terraform starts in place of each provider binary.
    pub docusign_wrapper: Wrapped,
    pub null_wrapper: Wrapped,
    /// Where working directories go (under the target directory).
    pub work: PathBuf,
}

impl Context {
    /// A working directory `name` holding N resources of `kind` for Terraform `tf`; with `emu`,
    /// the provider is pointed at that emulator (its `DOCUSIGN_*` environment).
    pub fn workdir(
        &self,
        name: &str,
        tf: &Terraform,
        kind: terraform::Kind,
        n: usize,
        emu: Option<&emulator::Emulator>,
    ) -> Result<terraform::WorkDir, String> {
        let mut wd = terraform::WorkDir::new(
            &self.work,
            name,
            &tf.path,
            &self.docusign_wrapper.dir,
            &self.null_wrapper.dir,
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
    let paths = if opts.terraforms.is_empty() {
        terraform::default_paths(workspace::terraform()?)
    } else {
        opts.terraforms.clone()
    };
    let terraforms = terraform::versions(&paths)?;
    let work = workspace::target_dir().join("bench-work");
    let ctx = Context {
        docusign_wrapper: Wrapped::new(&work, "wrapped-docusign", &provider)?,
        null_wrapper: Wrapped::new(&work, "wrapped-null", &null)?,
        work,
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
    let mut bursts = Vec::new();
    for tf in &terraforms {
        if opts.parts.plan {
            for &n in &opts.sizes {
                plans.push(plan::measure(&ctx, tf, n, opts.reps)?);
            }
        }
        if opts.parts.burst {
            bursts.push(burst::measure(&ctx, tf, opts.burst_n, opts.parallelism)?);
        }
    }
    let load_after = load_average();
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    let work = ctx.work.clone();
    drop(ctx);
    let _ = std::fs::remove_dir(&work);

    let header = Header {
        when: markdown::utc_now(),
        machine: markdown::machine(),
        load_before,
        load_after,
        minutes,
        commit: git_commit(),
        terraforms: terraforms.iter().map(|t| t.version.clone()).collect(),
        handshake_runs: opts.handshake_runs,
        reps: opts.reps,
    };
    let report = render(&header, handshake.as_ref(), &plans, &bursts);
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
    terraforms: Vec<String>,
    handshake_runs: usize,
    reps: usize,
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |x| format!("{x:.0}"))
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}

fn ratio_of(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    ratio_of(a, b).map_or_else(|| "-".to_owned(), |r| format!("{r:.2}"))
}

/// `0.21 (target ≤ 0.25: met)`, or `-` without figures.
fn verdict(r: Option<f64>, target: f64) -> String {
    r.map_or_else(
        || "-".to_owned(),
        |r| format!("{r:.2} (target ≤ {target:.2}: {})", met(r <= target)),
    )
}

fn wall(s: &PlanSample) -> f64 {
    s.wall_ms
}

fn provider_cpu(s: &PlanSample) -> f64 {
    s.provider_cpu_ms
}

fn terraform_cpu(s: &PlanSample) -> f64 {
    s.terraform_cpu_ms
}

fn processes(s: &PlanSample) -> f64 {
    s.provider_processes as f64
}

/// The largest size measured on Terraform `version`.
fn largest<'a>(plans: &'a [PlanFigures], version: &str) -> Option<&'a PlanFigures> {
    plans
        .iter()
        .filter(|p| p.terraform == version)
        .max_by_key(|p| p.n)
}

/// Part (b): wall times, side by side per Terraform.
fn wall_section(plans: &[PlanFigures]) -> String {
    let rows: Vec<Vec<String>> = plans
        .iter()
        .map(|p| {
            let (o, n, z) = (
                median_of(&p.ours, wall),
                median_of(&p.null, wall),
                median_of(&p.sized_null, wall),
            );
            vec![
                p.n.to_string(),
                p.terraform.clone(),
                ms(o),
                ms(z),
                ms(n),
                ratio(o, z),
                ratio(o, n),
                ratio(z, n),
                format!("{:.1} / {:.1}", p.ours_create_s, p.null_create_s),
            ]
        })
        .collect();
    markdown::table(
        &[
            "N",
            "Terraform",
            "docusign plan median (ms)",
            "sized null (control) plan median (ms)",
            "one-trigger null plan median (ms)",
            "docusign / sized null",
            "docusign / null",
            "sized null / null",
            "creating apply docusign / null (s)",
        ],
        &rows,
    )
}

/// What the state holds per instance, for ours, null and the control.
fn shape_section(plans: &[PlanFigures]) -> String {
    let shape = |s: &terraform::StateShape| {
        format!(
            "{} / {} / {:.0} B",
            s.attributes, s.entries, s.bytes_per_instance
        )
    };
    let rows: Vec<Vec<String>> = plans
        .iter()
        .map(|p| {
            vec![
                p.n.to_string(),
                p.terraform.clone(),
                shape(&p.shapes[0]),
                shape(&p.shapes[2]),
                shape(&p.shapes[1]),
            ]
        })
        .collect();
    markdown::table(
        &[
            "N",
            "Terraform",
            "docusign state per instance (attributes / entries / bytes)",
            "sized null",
            "one-trigger null",
        ],
        &rows,
    )
}

/// Part (b): CPU time per plan, of the provider processes and of Terraform itself.
fn cpu_section(plans: &[PlanFigures]) -> String {
    let rows: Vec<Vec<String>> = plans
        .iter()
        .map(|p| {
            let (o, z) = (
                median_of(&p.ours, provider_cpu),
                median_of(&p.sized_null, provider_cpu),
            );
            let procs = |v: &[PlanSample]| {
                median_of(v, processes).map_or_else(|| "-".to_owned(), |x| format!("{x:.0}"))
            };
            vec![
                p.n.to_string(),
                p.terraform.clone(),
                format!("{} ({})", ms(o), procs(&p.ours)),
                format!("{} ({})", ms(z), procs(&p.sized_null)),
                ratio(o, z),
                format!(
                    "{} / {}",
                    ms(median_of(&p.ours, terraform_cpu)),
                    ms(median_of(&p.sized_null, terraform_cpu))
                ),
                format!(
                    "{} / {}",
                    ms(median_of(&p.ours, wall)),
                    ms(median_of(&p.sized_null, wall))
                ),
            ]
        })
        .collect();
    markdown::table(
        &[
            "N",
            "Terraform",
            "docusign provider CPU median (ms) (processes)",
            "sized null provider CPU median (ms) (processes)",
            "provider CPU docusign / sized null",
            "Terraform's own CPU, docusign / sized null (ms)",
            "wall, docusign / sized null (ms)",
        ],
        &rows,
    )
}

fn render(
    h: &Header,
    handshake: Option<&[bench_handshake::Series; 2]>,
    plans: &[PlanFigures],
    bursts: &[BurstFigures],
) -> String {
    let mut out = format!(
        "# Benchmark: terraform-provider-docusign vs the Go null provider 2.1.2\n\n\
         `cargo xtask bench`, {}; commit {}; {}.\n\
         Load average (1, 5, 15 min) before: {}; after: {} (the machine may be shared: compare \
         the ratios, which are measured in the same run, rather than absolute times). \
         Run time {:.1} min. Terraform {}, the emulator on loopback.\n",
        h.when,
        h.commit,
        h.machine,
        h.load_before,
        h.load_after,
        h.minutes,
        h.terraforms.join(" and ")
    );
    let mut targets: Vec<(String, String)> = Vec::new();

    if let Some(series) = handshake {
        out.push_str(&format!(
            "\n## (a) Handshake\n\n{} launches each, interleaved, after one warm-up; process \
             spawn → handshake line, and peak RSS (`VmHWM` right after the handshake), launched \
             as Terraform does (cookie, protocol 5, a P-521 client certificate). No Terraform \
             is involved. Both binaries are dropped from the page cache before the warm-up, so \
             that each is mapped as read from disk (a just-built binary, cached as the linker \
             wrote it, maps in larger blocks).\n\n",
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
             which directory goes first, after one unmeasured plan each. Three directories per \
             size: ours, the control (N `null_resource`s whose `triggers` map has one entry per \
             entry of a configuration's state, so Terraform reads, copies, encodes and compares \
             as much state per instance for both providers) and N one-trigger \
             `null_resource`s. Every provider binary runs under a wrapper that records the \
             user + system time of each provider process Terraform starts.\n\n\
             ### Wall time of the `terraform plan` process\n\n",
            h.reps
        ));
        out.push_str(&wall_section(plans));
        out.push_str(
            "\n### CPU time per plan\n\n\
             Provider CPU: user + system time of every provider process of the plan, summed \
             (their number in parentheses). Terraform's own CPU: the `terraform` process's user \
             + system time, less its providers'. Terraform is multi-threaded, so its CPU can \
             exceed the wall time.\n\n",
        );
        out.push_str(&cpu_section(plans));
        out.push_str("\n### State per instance\n\n");
        out.push_str(&shape_section(plans));

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
                    p.terraform.clone(),
                    p.plan_calls_described(),
                    p.create_calls.describe(),
                    p.noop_apply_calls.describe(),
                ]
            })
            .collect();
        out.push_str(&markdown::table(
            &[
                "N",
                "Terraform",
                "per refreshing plan",
                "apply creating N",
                "no-op apply",
            ],
            &rows,
        ));

        for version in &h.terraforms {
            let Some(big) = largest(plans, version) else {
                continue;
            };
            let ours = plans.iter().filter(|p| &p.terraform == version);
            targets.push((
                format!(
                    "Terraform {version}: provider CPU per plan of {} ≤ 1/4 of the sized null \
                     control's",
                    big.n
                ),
                verdict(
                    ratio_of(
                        median_of(&big.ours, provider_cpu),
                        median_of(&big.sized_null, provider_cpu),
                    ),
                    0.25,
                ),
            ));
            targets.push((
                format!(
                    "Terraform {version}: plan of {} wall time ≤ 0.95× the sized null control's",
                    big.n
                ),
                verdict(
                    ratio_of(median_of(&big.ours, wall), median_of(&big.sized_null, wall)),
                    0.95,
                ),
            ));
            let one_list = ours.clone().all(PlanFigures::one_list_call_per_plan);
            targets.push((
                format!(
                    "Terraform {version}: API calls per refresh of N on one account = 1 \
                     (= per no-op plan)"
                ),
                format!("{} (all sizes, every repetition)", met(one_list)),
            ));
            let one_post = ours.clone().all(PlanFigures::one_post_per_create);
            targets.push((
                format!("Terraform {version}: API calls per create = 1"),
                format!(
                    "{} (N POSTs and nothing else per apply of N)",
                    met(one_post)
                ),
            ));
        }
    }

    if !bursts.is_empty() {
        let b0 = &bursts[0];
        out.push_str(&format!(
            "\n## (d) Apply of {} at `-parallelism={}` under the default burst limit\n\n\
             Emulator defaults: 200 calls per account per 30 s, 3,000 per hour.\n\n",
            b0.n, b0.parallelism
        ));
        let rows: Vec<Vec<String>> = bursts
            .iter()
            .map(|b| {
                let apply = match &b.apply {
                    Ok(s) => format!("{s:.1} s"),
                    Err(_) => "FAILED".to_owned(),
                };
                let after = b
                    .plan_after
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), |c| c.describe());
                vec![
                    b.terraform.clone(),
                    apply,
                    b.calls.describe(),
                    b.calls.failed.to_string(),
                    after,
                ]
            })
            .collect();
        out.push_str(&markdown::table(
            &[
                "Terraform",
                "apply wall time",
                "API calls",
                "failed API calls",
                "refreshing plan afterwards",
            ],
            &rows,
        ));
        for b in bursts {
            if let Err(e) = &b.apply {
                out.push_str(&format!(
                    "\nThe apply on Terraform {} failed:\n\n```\n{e}\n```\n",
                    b.terraform
                ));
            }
            targets.push((
                format!(
                    "Terraform {}: zero failed API calls applying {}",
                    b.terraform, b.n
                ),
                format!("{} ({} failed)", met(b.met()), b.calls.failed),
            ));
        }
    }

    if !targets.is_empty() {
        out.push_str("\n## Targets\n\n");
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
    fn terraform_option() {
        let o = parse(&args("--terraform /a/terraform,/b/terraform")).unwrap();
        assert_eq!(
            o.terraforms,
            vec![PathBuf::from("/a/terraform"), PathBuf::from("/b/terraform")]
        );
        assert!(parse(&[]).unwrap().terraforms.is_empty());
    }

    fn samples(wall_ms: f64, provider_cpu_ms: f64) -> Vec<PlanSample> {
        vec![PlanSample {
            wall_ms,
            provider_cpu_ms,
            provider_processes: 3,
            terraform_cpu_ms: 2000.0,
        }]
    }

    fn figures(terraform: &str, ours: Vec<PlanSample>, sized: Vec<PlanSample>) -> PlanFigures {
        let list = emulator::Counts {
            api: 1,
            list: 1,
            ..Default::default()
        };
        PlanFigures {
            n: 500,
            terraform: terraform.into(),
            ours,
            null: samples(2000.0, 600.0),
            sized_null: sized,
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
        }
    }

    #[test]
    fn report_marks_targets_per_terraform() {
        let h = Header {
            when: "now".into(),
            machine: "m".into(),
            load_before: "1 2 3".into(),
            load_after: "4 5 6".into(),
            minutes: 1.0,
            commit: "abc".into(),
            terraforms: vec!["1.0.3".into(), "1.11.4".into()],
            handshake_runs: 1,
            reps: 1,
        };
        // On 1.0.3 both targets are missed (CPU 0.50 of the control, wall 1.00); on 1.11.4
        // both are met (CPU 0.10, wall 0.80).
        let old = figures("1.0.3", samples(3000.0, 500.0), samples(3000.0, 1000.0));
        let new = figures("1.11.4", samples(2000.0, 100.0), samples(2500.0, 1000.0));
        let r = render(&h, None, &[old, new], &[]);
        assert!(
            r.contains("| 500 | 1.0.3 | 3000 | 3000 | 2000 | 1.00 | 1.50 | 1.50 |"),
            "{r}"
        );
        assert!(
            r.contains("| 500 | 1.11.4 | 100 (3) | 1000 (3) | 0.10 | 2000 / 2000 | 2000 / 2500 |"),
            "{r}"
        );
        assert!(
            r.contains(
                "Terraform 1.0.3: provider CPU per plan of 500 ≤ 1/4 of the sized null \
                 control's | 0.50 (target ≤ 0.25: NOT met)"
            ),
            "{r}"
        );
        assert!(
            r.contains("Terraform 1.0.3: plan of 500 wall time ≤ 0.95× the sized null control's | 1.00 (target ≤ 0.95: NOT met)"),
            "{r}"
        );
        assert!(r.contains("control's | 0.10 (target ≤ 0.25: met)"), "{r}");
        assert!(r.contains("control's | 0.80 (target ≤ 0.95: met)"), "{r}");
        assert!(
            r.contains("Terraform 1.11.4: API calls per refresh of N on one account = 1 (= per no-op plan) | met"),
            "{r}"
        );
        assert!(!r.contains("≤ 1.25"), "the plain-null target is gone: {r}");
        assert!(r.contains("Terraform 1.0.3 and 1.11.4"), "{r}");
        assert!(r.contains("1 2 3") && r.contains("4 5 6"));
    }
}
