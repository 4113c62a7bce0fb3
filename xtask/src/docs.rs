//! `cargo xtask docs [--check]`: the registry pages under `docs/`, generated from the provider's
//! own schema and the files under `examples/` (see `terraform_provider_docusign::docs`).
//!
//! Without `--check` it writes the pages that differ and removes pages nothing generates any
//! more; with `--check` it writes nothing and fails, listing the stale pages.

use terraform_provider_docusign::docs::{self, Staleness};

use crate::workspace;

/// Runs the command with its arguments (after `docs`).
pub fn run(args: &[String]) -> Result<(), String> {
    let mut check = false;
    for a in args {
        match a.as_str() {
            "--check" => check = true,
            other => return Err(format!("docs: unknown argument {other:?}")),
        }
    }
    let root = workspace::root();
    let pages = docs::render_all(&root);
    if check {
        let stale = docs::stale(&root, &pages);
        if stale.is_empty() {
            eprintln!("docs: {} pages up to date", pages.len());
            return Ok(());
        }
        let list: Vec<String> = stale
            .iter()
            .map(|(path, why)| format!("  {path} ({})", describe(why)))
            .collect();
        return Err(format!(
            "{} stale page(s) in docs/; run `cargo xtask docs` and commit:\n{}",
            stale.len(),
            list.join("\n")
        ));
    }
    let changed = docs::write_all(&root, &pages).map_err(|e| format!("docs: write: {e}"))?;
    for (path, why) in &changed {
        let verb = match why {
            Staleness::Missing => "created",
            Staleness::Differs => "updated",
            Staleness::Orphan => "removed",
        };
        eprintln!("docs: {verb} {path}");
    }
    eprintln!(
        "docs: {} pages generated, {} changed",
        pages.len(),
        changed.len()
    );
    Ok(())
}

fn describe(why: &Staleness) -> &'static str {
    match why {
        Staleness::Missing => "missing",
        Staleness::Differs => "differs from the schema",
        Staleness::Orphan => "no longer generated",
    }
}
