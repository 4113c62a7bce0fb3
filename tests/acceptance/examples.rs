//! The examples under `examples/` are real: every directory of `.tf` files passes
//! `terraform validate` (Terraform 1.0.3, our binary through dev_overrides), the tfplugindocs
//! layout is complete for every resource and data source the provider serves, and the quickstart
//! applies against the emulator.

use std::path::{Path, PathBuf};

use terraform_provider_docusign::framework::provider::Provider;
use terraform_provider_docusign::resources::DocusignProvider;

use crate::support::terraform::repo_root;
use crate::support::{Emulator, Overrides, REQUIRED_DOCUSIGN, WorkDir};

/// Every directory under `examples/` that holds `.tf` files, relative to the repository root.
fn example_dirs() -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        if entries
            .iter()
            .any(|p| p.is_file() && p.extension().is_some_and(|x| x == "tf"))
        {
            let rel = dir.strip_prefix(root).unwrap();
            out.push(rel.to_string_lossy().into_owned());
        }
        for p in entries.iter().filter(|p| p.is_dir()) {
            walk(p, root, out);
        }
    }
    let root = repo_root();
    let mut out = Vec::new();
    walk(&root.join("examples"), &root, &mut out);
    out
}

/// Copies `examples/` (or any directory) into `dest` (so relative module sources keep working).
pub(crate) fn copy_tree(from: &Path, dest: &Path) {
    std::fs::create_dir_all(dest).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let p = entry.path();
        let target = dest.join(entry.file_name());
        if p.is_dir() {
            copy_tree(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

fn tf_sources(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.extension().is_some_and(|x| x == "tf") {
            text.push_str(&std::fs::read_to_string(&p).unwrap());
            text.push('\n');
        }
    }
    text
}

/// Runs `terraform args...` in `dir` (a subdirectory of `wd`) with `wd`'s CLI config.
fn run_in(wd: &WorkDir, dir: &Path, args: &[&str]) -> std::process::Output {
    wd.command(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("run terraform {args:?}: {e}"))
}

/// `terraform validate -json` of one example directory; returns a description of what is wrong.
fn validate_example(rel: &str) -> Result<(), String> {
    let wd = WorkDir::new(&format!("validate_{rel}"), &Overrides::docusign());
    copy_tree(&repo_root().join("examples"), &wd.path().join("examples"));
    let dir = wd.path().join(rel);
    let sources = tf_sources(&dir);
    if !sources.contains("required_providers") {
        // tfplugindocs snippets leave the provider source out; Terraform would otherwise look
        // for hashicorp/docusign.
        std::fs::write(dir.join("zz_required_providers_test.tf"), REQUIRED_DOCUSIGN).unwrap();
    }
    // Modules, and the fixture modules of `terraform test` runs, which Terraform ≥ 1.6 validates
    // along with the module (its tests/*.tftest.hcl).
    if sources.contains("module \"") || dir.join("tests").is_dir() {
        let out = run_in(&wd, &dir, &["get", "-no-color"]);
        if !out.status.success() {
            return Err(format!(
                "{rel}: terraform get failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    let out = run_in(&wd, &dir, &["validate", "-json", "-no-color"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).map_err(|e| {
        format!(
            "{rel}: validate printed no JSON ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    if json["valid"] != true || json["error_count"] != 0 || !out.status.success() {
        return Err(format!("{rel}: not valid:\n{json:#}"));
    }
    // A warning in an example (deprecations, unknown events) is a defect too.
    let warnings: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .map(|d| d.iter().filter(|d| d["severity"] == "warning").collect())
        .unwrap_or_default();
    let real: Vec<_> = warnings
        .iter()
        .filter(|d| {
            !d["summary"]
                .as_str()
                .unwrap_or_default()
                .contains("Provider development overrides")
        })
        .collect();
    if !real.is_empty() {
        return Err(format!("{rel}: warnings: {real:?}"));
    }
    Ok(())
}

#[test]
fn examples_follow_the_tfplugindocs_layout_for_every_type() {
    let root = repo_root().join("examples");
    let provider = DocusignProvider::new();
    let mut missing = Vec::new();
    let mut need = |p: PathBuf| {
        let ok = std::fs::read_to_string(&p).is_ok_and(|t| !t.trim().is_empty());
        if !ok {
            missing.push(p.display().to_string());
        }
    };
    need(root.join("provider/provider.tf"));
    for r in provider.resources() {
        let dir = root.join("resources").join(r.type_name());
        need(dir.join("resource.tf"));
        need(dir.join("import.sh"));
    }
    for d in provider.data_sources() {
        need(
            root.join("data-sources")
                .join(d.type_name())
                .join("data-source.tf"),
        );
    }
    assert!(missing.is_empty(), "missing examples: {missing:#?}");
    // Each resource example declares the type it documents.
    for r in provider.resources() {
        let text = std::fs::read_to_string(
            root.join("resources")
                .join(r.type_name())
                .join("resource.tf"),
        )
        .unwrap();
        assert!(
            text.contains(&format!("resource \"{}\"", r.type_name())),
            "{} example declares no such resource",
            r.type_name()
        );
    }
}

#[test]
fn every_example_passes_terraform_validate() {
    let dirs = example_dirs();
    for expected in [
        "examples/provider",
        "examples/quickstart",
        "examples/partner",
        "examples/modules/partner-connect",
        "examples/resources/docusign_connect_configuration",
        "examples/data-sources/docusign_connect_configurations",
    ] {
        assert!(
            dirs.iter().any(|d| d == expected),
            "{expected} not found among {dirs:?}"
        );
    }
    // Each directory in its own working directory, a few at a time.
    let failures: Vec<String> = std::thread::scope(|s| {
        let chunks: Vec<&[String]> = dirs.chunks(dirs.len().div_ceil(4)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|rel| validate_example(rel).err())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} examples fail validation:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n\n")
    );
}

#[test]
fn validate_catches_a_broken_example() {
    // The check above can fail: an unknown attribute in a copied example is an error.
    let wd = WorkDir::new("validate_broken_example", &Overrides::docusign());
    let text = std::fs::read_to_string(
        repo_root().join("examples/resources/docusign_connect_configuration/resource.tf"),
    )
    .unwrap()
    .replacen("delivery_mode", "delivery_modes", 1);
    wd.write_config(&format!("{REQUIRED_DOCUSIGN}\n{text}"));
    let v = wd.validate().unwrap();
    assert_eq!(v["valid"], false, "{v:#}");
    assert!(v.to_string().contains("delivery_modes"), "{v:#}");
}

#[test]
fn quickstart_applies_against_the_emulator() {
    let emu = Emulator::start();
    let mut wd = WorkDir::new("quickstart_apply", &Overrides::docusign());
    for (k, v) in emu.provider_env() {
        wd.set_env(&k, &v);
    }
    wd.write_config(
        &std::fs::read_to_string(repo_root().join("examples/quickstart/main.tf")).unwrap(),
    );

    let plan = wd.plan("create.tfplan", true).unwrap();
    plan.expect_actions("docusign_connect_oauth_config.this", &["create"])
        .unwrap();
    plan.expect_actions("docusign_connect_configuration.completed", &["create"])
        .unwrap();
    wd.apply_plan("create.tfplan").unwrap();

    let state = wd.show_state().unwrap();
    let id = state
        .attr_str("docusign_connect_configuration.completed", "id")
        .unwrap();
    assert_eq!(state.output("connect_id").unwrap(), id.as_str());

    // DocuSign (the emulator) holds what the example says.
    let (status, list) = emu.api("GET", "/connect", None).unwrap();
    assert_eq!(status, 200, "{list}");
    let configs = list["configurations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ours: Vec<_> = configs
        .iter()
        .filter(|c| c["connectId"].as_str() == Some(id.as_str()))
        .collect();
    assert_eq!(ours.len(), 1, "{list:#}");
    assert_eq!(ours[0]["name"], "Quickstart: completed envelopes");
    assert_eq!(
        ours[0]["urlToPublishTo"],
        "https://hooks.example.com/docusign"
    );
    let (status, oauth) = emu.api("GET", "/connect/oauth", None).unwrap();
    assert_eq!(status, 200, "{oauth}");
    assert_eq!(oauth["clientId"], "docusign-connect", "{oauth:#}");

    // Converged: a refreshing plan is empty.
    let again = wd.plan("again.tfplan", true).unwrap();
    assert!(again.is_empty(), "{}", again.summary());

    wd.destroy().unwrap();
    let (_, list) = emu.api("GET", "/connect", None).unwrap();
    let left = list["configurations"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|c| c["connectId"].as_str() == Some(id.as_str()))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(left, 0, "destroy left the configuration: {list:#}");
}
