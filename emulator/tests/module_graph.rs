//! The emulator's modules import one way: no module reaches, directly or through others, back
//! to itself. Read from the sources: every `crate::<module>` path in `src/<module>.rs` or
//! `src/<module>/**.rs` is an edge (the crate root `lib.rs` and the binary are not modules).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Module name of a source file: its first path component under `src`, without `.rs`.
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let first = file.strip_prefix(src).ok()?.components().next()?;
    let name = first
        .as_os_str()
        .to_str()?
        .trim_end_matches(".rs")
        .to_owned();
    (name != "lib" && name != "main").then_some(name)
}

/// The modules named by `crate::<name>` paths and `use crate::{a, b::c}` groups in `text`.
fn imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                out.insert(ident(item.trim()));
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(&src, f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let Some(module) = module_of(&src, file) else {
            continue;
        };
        let text = std::fs::read_to_string(file).expect("read source");
        let targets = edges.entry(module.clone()).or_default();
        for target in imports(&text) {
            if target != module && modules.contains(&target) {
                targets.insert(target);
            }
        }
    }
    edges
}

/// A path `from -> ... -> from` through `edges`, if there is one.
fn cycle_through(edges: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![from.to_owned()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().cloned().unwrap_or_default();
        for next in edges.get(&last).into_iter().flatten() {
            if next == from {
                let mut found = path.clone();
                found.push(next.clone());
                return Some(found);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn modules_form_no_cycle() {
    let edges = graph();
    assert!(edges.len() > 5, "too few modules found: {edges:?}");
    for module in edges.keys() {
        if let Some(cycle) = cycle_through(&edges, module) {
            panic!(
                "the emulator's modules import in a circle: {}",
                cycle.join(" -> ")
            );
        }
    }
}

#[test]
fn imports_are_read_from_paths_and_groups() {
    let found = imports(
        "use crate::http::{a, b};\nuse crate::{config::X, util};\nlet _ = crate::model::f();",
    );
    let expected: BTreeSet<String> = ["http", "config", "util", "model"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(found, expected);
}
