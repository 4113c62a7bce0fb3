//! `cargo xtask mutants`: mutation testing (cargo-mutants) of the code the reliability promise
//! ("nothing lost, nothing duplicated") rests on, each module against the tests that cover it.
//!
//! One `cargo mutants` run per group, one after the other. By default the mutants are built in
//! place (in this checkout, with its warm `target/`): do not edit or build the tree while it runs;
//! cargo-mutants puts each file back after its mutant, and on Ctrl-C. `--copy` builds in a
//! scratch copy instead (a first build there compiles every dependency).
//! Equivalent mutants are excluded in `.cargo/mutants.toml`, each with its reason. Results go to
//! `target/mutants/<group>/mutants.out/` (cargo-mutants' layout; `missed.txt` lists survivors).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::workspace;

/// One group: the files mutated, the test binaries built for each mutant (cargo-mutants passes
/// them to the build and to the test run) and the nextest filter that selects the tests.
struct Group {
    name: &'static str,
    files: &'static [&'static str],
    binaries: &'static [&'static str],
    filter: &'static str,
}

const GROUPS: &[Group] = &[
    Group {
        name: "matching",
        files: &["src/client/matching.rs"],
        binaries: &["--lib", "--test=client"],
        filter: "test(/^client::matching::/) \
                 | (binary(client) & test(/^(lost_create|reliability)::/))",
    },
    Group {
        name: "strbool",
        files: &["src/client/strbool.rs"],
        binaries: &["--lib"],
        filter: "test(/^client::/)",
    },
    Group {
        name: "limiter",
        files: &["src/client/limiter.rs"],
        binaries: &["--lib"],
        filter: "test(/^client::limiter::/)",
    },
    Group {
        name: "retry",
        files: &["src/client/retry.rs"],
        binaries: &["--lib"],
        filter: "test(/^client::retry::/)",
    },
    Group {
        name: "cache",
        files: &["src/client/cache.rs"],
        binaries: &["--lib"],
        filter: "test(/^client::cache::/)",
    },
    Group {
        name: "mapping",
        files: &["src/resources/connect_configuration/mapping.rs"],
        binaries: &["--lib"],
        filter: "test(/^resources::connect_configuration::/)",
    },
    Group {
        name: "delta",
        files: &["src/client/delta.rs"],
        binaries: &["--lib"],
        filter: "test(/^(client::delta|resources::connect_configuration::private)::/)",
    },
    Group {
        name: "server",
        files: &["src/framework/server/mod.rs"],
        binaries: &["--lib"],
        filter: "test(/^framework::server::/)",
    },
    Group {
        name: "plan",
        files: &["src/framework/plan.rs"],
        binaries: &["--lib"],
        filter: "test(/^(framework::plan|framework::server|resources::behaviours)::/)",
    },
];

const USAGE: &str = "usage: cargo xtask mutants [--list] [--only GROUP,...] [--copy [--jobs N]]";

/// Runs the command with its arguments (after `mutants`).
pub fn run(args: &[String]) -> Result<(), String> {
    let mut list = false;
    let mut only: Option<Vec<String>> = None;
    let mut jobs: Option<String> = None;
    let mut copy = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--list" => list = true,
            "--copy" => copy = true,
            "--only" => {
                let v = it.next().ok_or("mutants: --only needs a value")?;
                only = Some(v.split(',').map(str::to_owned).collect());
            }
            "--jobs" => jobs = Some(it.next().ok_or("mutants: --jobs needs a value")?.clone()),
            other => return Err(format!("mutants: unknown argument {other:?}\n{USAGE}")),
        }
    }
    if jobs.is_some() && !copy {
        return Err(format!(
            "mutants: --jobs needs --copy (in place, one mutant at a time)\n{USAGE}"
        ));
    }
    let groups = select(only.as_deref())?;
    if !cargo_mutants()
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Err(
            "mutants: cargo-mutants is not installed: `cargo install cargo-mutants --locked`"
                .into(),
        );
    }
    let out_root = workspace::target_dir().join("mutants");
    if !list {
        std::fs::create_dir_all(&out_root)
            .map_err(|e| format!("mutants: cannot create {}: {e}", out_root.display()))?;
    }
    let started = Instant::now();
    let mut summary = Vec::new();
    let mut all_good = true;
    for g in groups {
        let group_started = Instant::now();
        let mut cmd = cargo_mutants();
        if copy {
            cmd.args(["--jobs", jobs.as_deref().unwrap_or("1")]);
        } else {
            cmd.arg("--in-place");
        }
        for f in g.files {
            cmd.args(["--file", f]);
        }
        for b in g.binaries {
            cmd.args(["--cargo-arg", b]);
        }
        if list {
            cmd.arg("--list");
        } else {
            cmd.arg("--output").arg(out_root.join(g.name));
        }
        // The first failing test ends the run: a mutant that makes another test hang is caught,
        // not timed out.
        cmd.args(["--", "--max-fail=1:immediate", "-E", g.filter]);
        eprintln!("mutants: group {} ({})", g.name, g.files.join(", "));
        let status = cmd
            .status()
            .map_err(|e| format!("mutants: cannot run cargo mutants: {e}"))?;
        if list {
            continue;
        }
        let excluded = excluded_count(g);
        let (line, good) = outcome(&out_root.join(g.name).join("mutants.out"), excluded);
        all_good &= good && status.success();
        summary.push(format!(
            "{:<9} {:>5.0} s  {line}",
            g.name,
            group_started.elapsed().as_secs_f64()
        ));
    }
    if list {
        return Ok(());
    }
    eprintln!(
        "\nmutants: {:.0} s in all; output under {}",
        started.elapsed().as_secs_f64(),
        out_root.display()
    );
    for line in &summary {
        eprintln!("  {line}");
    }
    if all_good {
        Ok(())
    } else {
        Err(
            "mutants: a group has missed or timed-out mutants, or did not finish; see missed.txt \
             and timeout.txt"
                .into(),
        )
    }
}

fn select(only: Option<&[String]>) -> Result<Vec<&'static Group>, String> {
    let Some(names) = only else {
        return Ok(GROUPS.iter().collect());
    };
    if let Some(bad) = names.iter().find(|n| !GROUPS.iter().any(|g| g.name == *n)) {
        let known: Vec<&str> = GROUPS.iter().map(|g| g.name).collect();
        return Err(format!(
            "mutants: no group {bad:?}; groups: {}",
            known.join(", ")
        ));
    }
    Ok(GROUPS
        .iter()
        .filter(|g| names.iter().any(|n| n == g.name))
        .collect())
}

/// `cargo mutants` on the provider package, run from the repository root.
fn cargo_mutants() -> Command {
    let mut cmd = workspace::cargo();
    cmd.args(["mutants", "--package", "terraform-provider-docusign"]);
    cmd
}

/// How many mutants of the group's files `.cargo/mutants.toml` excludes (listing is cheap).
fn excluded_count(g: &Group) -> Option<usize> {
    let count = |with_config: bool| {
        let mut cmd = cargo_mutants();
        cmd.arg("--list");
        if !with_config {
            cmd.arg("--no-config");
        }
        for f in g.files {
            cmd.args(["--file", f]);
        }
        let out = cmd.output().ok().filter(|o| o.status.success())?;
        Some(String::from_utf8_lossy(&out.stdout).lines().count())
    };
    Some(count(false)?.saturating_sub(count(true)?))
}

/// One summary line from cargo-mutants' `outcomes.json`, and whether nothing was missed.
fn outcome(out: &Path, excluded: Option<usize>) -> (String, bool) {
    let json = std::fs::read_to_string(out.join("outcomes.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    let Some(json) = json else {
        return (
            format!("no readable {}", out.join("outcomes.json").display()),
            false,
        );
    };
    let n = |k: &str| json.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
    let excluded = excluded.map_or_else(|| "?".to_owned(), |e| e.to_string());
    (
        format!(
            "tested {}: caught {}, unviable {}, timeout {}, missed {}; excluded as equivalent {}",
            n("total_mutants"),
            n("caught"),
            n("unviable"),
            n("timeout"),
            n("missed"),
            excluded
        ),
        // A timeout is not counted as caught: it needs an answer like a missed mutant.
        n("missed") == 0 && n("timeout") == 0 && n("total_mutants") > 0,
    )
}
