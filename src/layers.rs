//! The layering, checked: a test reads every source file and fails on a `crate::` path that
//! points against the direction `host → resources → {client, framework}`, `host → {framework,
//! protocol}`. `framework` and `client` know nothing of each other or of the layers above;
//! `protocol` (generated) knows none of them. Comments are not checked.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// Each layer (a top-level module) and the layers it must not name.
    const FORBIDDEN: &[(&str, &[&str])] = &[
        ("framework", &["client", "resources", "host", "protocol"]),
        ("client", &["framework", "resources", "host", "protocol"]),
        ("resources", &["host", "protocol"]),
        ("host", &["client", "resources"]),
        ("protocol", &["framework", "client", "resources", "host"]),
    ];

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The identifier at the start of `s`.
    fn ident(s: &str) -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    }

    /// The layers named by `crate::<layer>` (or `$crate::<layer>`) paths in the code of `text`,
    /// grouped ones (`crate::{a, b::c}`, over several lines too) included, with line numbers.
    fn crate_paths(text: &str) -> Vec<(usize, String)> {
        let code: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        let line_of = |i: usize| code[..i].matches('\n').count() + 1;
        let mut found = Vec::new();
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            let Some(group) = rest.strip_prefix('{') else {
                found.push((line_of(i), ident(rest)));
                continue;
            };
            // Top-level items of the group: after `{` and after each comma at depth 1.
            let mut depth = 1;
            let mut item_start = true;
            for (j, c) in group.char_indices() {
                if item_start && !c.is_whitespace() {
                    found.push((line_of(i), ident(&group[j..])));
                    item_start = false;
                }
                match c {
                    '{' => depth += 1,
                    '}' if depth == 1 => break,
                    '}' => depth -= 1,
                    ',' if depth == 1 => item_start = true,
                    _ => {}
                }
            }
        }
        found.retain(|(_, l)| !l.is_empty());
        found
    }

    fn violations(src: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for (layer, forbidden) in FORBIDDEN {
            let mut files = Vec::new();
            rust_files(&src.join(layer), &mut files);
            let single = src.join(format!("{layer}.rs"));
            if single.is_file() {
                files.push(single);
            }
            for file in files {
                let text = std::fs::read_to_string(&file).unwrap_or_default();
                for (line, named) in crate_paths(&text) {
                    if forbidden.contains(&named.as_str()) {
                        out.push(format!("{}:{line}: {layer} names {named}", file.display()));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn no_layer_imports_against_the_direction() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        assert!(
            src.join("framework").is_dir(),
            "source tree at {}",
            src.display()
        );
        let found = violations(&src);
        assert!(
            found.is_empty(),
            "imports against the layering:\n{}",
            found.join("\n")
        );
    }

    #[test]
    fn the_check_sees_single_and_grouped_paths_but_not_comments() {
        let text = "use crate::client::Secret;\nuse crate::{framework::{a, b}, host};\n\
                    // crate::resources\nuse crate::{\n    protocol,\n    docs::X,\n};\n";
        let found = crate_paths(text);
        let layers: Vec<&str> = found.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(layers, ["client", "framework", "host", "protocol", "docs"]);
        assert_eq!(found.first().map(|(n, _)| *n), Some(1));
    }
}
