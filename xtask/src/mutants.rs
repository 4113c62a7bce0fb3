//! `cargo xtask mutants`: mutation testing (cargo-mutants) of the code the reliability promise
//! rests on, each module against the tests that exercise it.
//!
//! One `cargo mutants` run per module group, one after the other, with `--jobs 1` by default:
//! the test selection of a group is what keeps the whole run near half an hour on 2 cores.
//! Equivalent mutants are excluded, each with its reason, in `.cargo/mutants.toml`.
//! Results go to `target/mutants/<group>/mutants.out/` (cargo-mutants' own layout); the summary
//! printed at the end is one line per group.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::workspace;

/// One group: the files mutated and the nextest arguments selecting the tests that cover them.
struct Group {
    name: &'static str,
    files: &'static [&'static str],
    tests: &'static [&'static str],
}

const GROUPS: &[Group] = &[
    Group {
        name: "matching",
        files: &["src/client/matching.rs"],
        tests: &[
            "--lib",
            "--test",
            "client",
            "-E",
            "test(/^client::matching::/) | (binary(client) & test(/^(lost_create|reliability)::/))",
        ],
    },
    Group {
        name: "strbool",
        files: &["src/client/strbool.rs"],
        tests: &["--lib", "-E", "test(/^client::/)"],
    },
    Group {
        name: "limiter",
        files: &["src/client/limiter.rs"],
        tests: &["--lib", "-E", "test(/^client::limiter::/)"],
    },
    Group {
        name: "cache",
        files: &["src/client/cache.rs"],
        tests: &["--lib", "-E", "test(/^client::cache::/)"],
    },
];

const USAGE: &str = "usage: cargo xtask mutants [--list] [--only GROUP,...] [--jobs N] [--in-place]";

/// Runs the command with its arguments (after `mutants`).
pub fn run(args: &[String]) -> Result<(), String> {
    let mut list = false;
    let mut only: Option<Vec<String>> = None;
    let mut jobs = "1".to_owned();
    let mut in_place = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--list" => list = true,
            "--in-place" => in_place = true,
            "--only" => {
                let v = it.next().ok_or("--only needs a value")?;
                only = Some(v.split(',').map(str::to_owned).collect());
            }
            "--jobs" => jobs = it.next().ok_or("--jobs needs a value")?.clone(),
            other => return Err(format!("mutants: unknown argument {other:?}\n{USAGE}")),
        }
    }
    let groups: Vec<&Group> = match &only {
        None => GROUPS.iter().collect(),
        Some(names) => {
            let known: Vec<&str> = GROUPS.iter().map(|g| g.name).collect();
            if let Some(bad) = names.iter().find(|n| !known.contains(&n.as_str())) {
                return Err(format!(
                    "mutants: no group {bad:?}; groups: {}",
                    known.join(", ")
                ));
            }
            GROUPS
                .iter()
                .filter(|g| names.iter().any(|n| n == g.name))
                .collect()
        }
    };
    check_installed()?;
    let root = workspace::root();
    let out_root = workspace::target_dir().join("mutants");
    let mut summary = Vec::new();
    let started = Instant::now();
    for g in groups {
        let group_started = Instant::now();
        let mut cmd = workspace::cargo();
        cmd.arg("mutants")
            .args(["--package", "terraform-provider-docusign"])
            .args(["--test-tool", "nextest", "--jobs", &jobs]);
        for f in g.files {
            cmd.args(["--file", f]);
        }
        if list {
            cmd.arg("--list");
        } else {
            cmd.arg("--output").arg(out_root.join(g.name));
        }
        if in_place {
            cmd.arg("--in-place");
        }
        cmd.arg("--").args(g.tests);
        eprintln!("mutants: group {} ({})", g.name, g.files.join(", "));
        let status = cmd
            .status()
            .map_err(|e| format!("mutants: cannot run cargo mutants: {e}"))?;
        if list {
            continue;
        }
        let outcome = outcome_line(&out_root.join(g.name).join("mutants.out"));
        summary.push(format!(
            "{:<10} {:>5.0} s  {}{}",
            g.name,
            group_started.elapsed().as_secs_f64(),
            outcome,
            if status.success() {
                ""
            } else {
                "  (cargo mutants failed)"
            }
        ));
    }
    if list {
        return Ok(());
    }
    eprintln!(
        "\nmutants: {:.0} s in all (output under {})",
        started.elapsed().as_secs_f64(),
        out_root.display()
    );
    for line in &summary {
        eprintln!("  {line}");
    }
    let _ = root;
    if summary.iter().any(|l| l.contains("failed")) {
        Err("mutants: some group has missed mutants or failed; see above".into())
    } else {
        Ok(())
    }
}

fn check_installed() -> Result<(), String> {
    let ok = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["mutants", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Ok(())
    } else {
        Err("mutants: cargo-mutants is not installed: `cargo install cargo-mutants --locked`".into())
    }
}

/// Counts of each outcome, from cargo-mutants' `outcomes.json`.
fn outcome_line(out: &Path) -> String {
    let Ok(text) = std::fs::read_to_string(out.join("outcomes.json")) else {
        return "no outcomes.json".into();
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return "unreadable outcomes.json".into();
    };
    let n = |k: &str| json.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
    format!(
        "tested {}, caught {}, unviable {}, timeout {}, missed {}",
        n("total_mutants"),
        n("caught"),
        n("unviable"),
        n("timeout"),
        n("missed")
    )
}
