//! Registry documentation generated from the provider's own schema.
//!
//! [`render_all`] turns the schema of the provider block, every resource and every data source
//! (their markdown descriptions) plus the files under `examples/` into the pages of the
//! Terraform Registry layout (`docs/index.md`, `docs/resources/<name>.md`,
//! `docs/data-sources/<name>.md`). `cargo xtask docs` writes them; a test fails when the
//! committed pages differ. Guides (`docs/guides/`) are written by hand.

use std::fmt::Write as _;
use std::path::Path;

use crate::framework::Type;
use crate::framework::provider::Provider;
use crate::framework::schema::{Attribute, Block, Nesting};
use crate::resources::DocusignProvider;

/// One generated page: its path under the repository root and its text.
pub struct Page {
    pub path: String,
    pub text: String,
}

const PROVIDER_NAME: &str = "docusign";

/// Renders every generated page. `root` is the repository root (for the examples).
pub fn render_all(root: &Path) -> Vec<Page> {
    let provider = DocusignProvider::new();
    let mut pages = vec![Page {
        path: "docs/index.md".into(),
        text: index_page(&provider, root),
    }];
    let mut resources: Vec<_> = provider.resources();
    resources.sort_by(|a, b| a.type_name().cmp(b.type_name()));
    for r in resources {
        let name = r.type_name().to_string();
        pages.push(Page {
            path: format!("docs/resources/{}.md", short(&name)),
            text: page(
                &name,
                "Resource",
                &r.schema().block,
                root,
                "resources",
                "resource.tf",
            ),
        });
    }
    let mut data_sources: Vec<_> = provider.data_sources();
    data_sources.sort_by(|a, b| a.type_name().cmp(b.type_name()));
    for d in data_sources {
        let name = d.type_name().to_string();
        pages.push(Page {
            path: format!("docs/data-sources/{}.md", short(&name)),
            text: page(
                &name,
                "Data Source",
                &d.schema().block,
                root,
                "data-sources",
                "data-source.tf",
            ),
        });
    }
    pages
}

fn short(type_name: &str) -> &str {
    type_name
        .strip_prefix(&format!("{PROVIDER_NAME}_"))
        .unwrap_or(type_name)
}

fn first_paragraph(text: &str) -> &str {
    text.split("\n\n").next().unwrap_or("").trim()
}

fn example(root: &Path, rel: &str) -> Option<String> {
    std::fs::read_to_string(root.join(rel)).ok()
}

fn front_matter(title: &str, description: &str) -> String {
    let mut out = String::from("---\n");
    let _ = writeln!(out, "page_title: \"{title}\"");
    out.push_str("subcategory: \"\"\ndescription: |-\n");
    for line in description.lines() {
        let _ = writeln!(out, "  {line}");
    }
    out.push_str("---\n\n");
    out
}

fn index_page(provider: &DocusignProvider, root: &Path) -> String {
    let block = provider.schema().block;
    let mut out = front_matter("docusign Provider", first_paragraph(&block.description));
    out.push_str("# docusign Provider\n\n");
    out.push_str(&block.description);
    out.push_str("\n\n");
    out.push_str(AUTH_SECTION);
    if let Some(ex) = example(root, "examples/provider/provider.tf") {
        let _ = write!(out, "## Example Usage\n\n```terraform\n{}```\n\n", ex);
    }
    out.push_str("<!-- schema generated from the provider's schema -->\n## Schema\n\n");
    render_block(&mut out, &block, None);
    out
}

const AUTH_SECTION: &str = "## Authentication\n\n\
The provider authenticates in one of two ways:\n\n\
* **JWT grant** (recommended for automation): `integration_key`, `user_id` and `private_key` or \
`private_key_file`. The provider signs an RS256 assertion (`scope = \"signature impersonation\"`, \
valid for at most one hour), exchanges it at `/oauth/token`, caches the token and renews it \
before it expires. The user must have granted consent; if not, the error names the exact consent \
URL to open. The user must be an administrator of the accounts it manages Connect on.\n\
* **Access token**: `access_token`, obtained any way you like.\n\n\
Without `base_uri`, the provider calls `/oauth/userinfo` once, on first need, to find the \
account's base URI (the default account, or the one named by `account_id`).\n\n\
Every attribute falls back to an environment variable: `DOCUSIGN_ACCOUNT_ID`, \
`DOCUSIGN_ENVIRONMENT`, `DOCUSIGN_BASE_URI`, `DOCUSIGN_OAUTH_BASE_URI`, `DOCUSIGN_ACCESS_TOKEN`, \
`DOCUSIGN_INTEGRATION_KEY`, `DOCUSIGN_USER_ID`, `DOCUSIGN_PRIVATE_KEY`, \
`DOCUSIGN_PRIVATE_KEY_FILE`.\n\n\
## Rate limits\n\n\
DocuSign allows 3,000 API calls per hour per account and 200 (demo) or 500 (production) per 30 \
seconds. The provider refreshes every configuration of an account with one `GET /connect`, \
limits its own call rate, and retries rate-limited, 5xx and connection failures with \
exponential backoff (`max_retries`).\n\n";

fn page(
    type_name: &str,
    kind: &str,
    block: &Block,
    root: &Path,
    folder: &str,
    example_file: &str,
) -> String {
    let mut out = front_matter(
        &format!("{type_name} {kind} - terraform-provider-docusign"),
        first_paragraph(&block.description),
    );
    let _ = write!(out, "# {type_name} ({kind})\n\n{}\n\n", block.description);
    if let Some(ex) = example(
        root,
        &format!("examples/{folder}/{type_name}/{example_file}"),
    ) {
        let _ = write!(out, "## Example Usage\n\n```terraform\n{ex}```\n\n");
    }
    out.push_str("<!-- schema generated from the provider's schema -->\n## Schema\n\n");
    render_block(&mut out, block, None);
    if let Some(import) = example(root, &format!("examples/{folder}/{type_name}/import.sh")) {
        let _ = write!(
            out,
            "## Import\n\nImport is supported using the following syntax:\n\n```shell\n{import}```\n"
        );
    }
    out
}

fn type_label(t: &Type) -> String {
    match t {
        Type::Bool => "Boolean".into(),
        Type::Number => "Number".into(),
        Type::String => "String".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(e) => format!("List of {}", type_label(e)),
        Type::Set(e) => format!("Set of {}", type_label(e)),
        Type::Map(e) => format!("Map of {}", type_label(e)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

fn attribute_line(a: &Attribute) -> String {
    let mut flags = vec![type_label(&a.ty)];
    if a.sensitive {
        flags.push("Sensitive".into());
    }
    if a.write_only {
        flags.push("Write-only".into());
    }
    if a.deprecated {
        flags.push("Deprecated".into());
    }
    let mut line = format!(
        "- `{}` ({}) {}",
        a.name,
        flags.join(", "),
        a.description.trim()
    );
    if let Type::List(e) | Type::Set(e) = &a.ty
        && let Type::Object(fields) = e.as_ref()
    {
        let names: Vec<String> = fields.keys().map(|k| format!("`{k}`")).collect();
        let _ = write!(line, " Each element has: {}.", names.join(", "));
    }
    line
}

fn render_block(out: &mut String, block: &Block, parent: Option<&str>) {
    type Pick = fn(&Attribute) -> bool;
    let groups: [(&str, Pick); 3] = [
        ("Required", |a| a.required),
        ("Optional", |a| a.optional),
        ("Read-Only", |a| a.computed && !a.optional),
    ];
    for (title, pick) in groups {
        let attrs: Vec<&Attribute> = block.attributes.iter().filter(|a| pick(a)).collect();
        let blocks: Vec<_> = block
            .block_types
            .iter()
            .filter(|b| title == "Optional" || (title == "Required" && b.min_items > 0))
            .filter(|b| !(title == "Optional" && b.min_items > 0))
            .collect();
        if attrs.is_empty() && blocks.is_empty() {
            continue;
        }
        match parent {
            None => {
                let _ = writeln!(out, "### {title}\n");
            }
            Some(_) => {
                let _ = writeln!(out, "{title}:\n");
            }
        }
        for a in attrs {
            let _ = writeln!(out, "{}", attribute_line(a));
        }
        for b in blocks {
            let anchor = format!("nestedblock--{}", b.type_name);
            let nesting = match b.nesting {
                Nesting::Single | Nesting::Group => "Block, Max: 1",
                Nesting::List => "Block List",
                Nesting::Set => "Block Set",
                Nesting::Map => "Block Map",
            };
            let _ = writeln!(
                out,
                "- `{}` ({nesting}) {} (see [below for nested schema](#{anchor}))",
                b.type_name,
                b.block.description.trim()
            );
        }
        out.push('\n');
    }
    for b in &block.block_types {
        let _ = writeln!(
            out,
            "<a id=\"nestedblock--{0}\"></a>\n### Nested Schema for `{0}`\n",
            b.type_name
        );
        render_block(out, &b.block, Some(&b.type_name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attribute_and_block_appears_in_its_page() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let provider = DocusignProvider::new();
        let pages = render_all(root);
        let find = |p: &str| pages.iter().find(|x| x.path == p).map(|x| x.text.clone());
        for r in provider.resources() {
            let text = find(&format!("docs/resources/{}.md", short(r.type_name()))).expect("page");
            for a in &r.schema().block.attributes {
                assert!(
                    text.contains(&format!("`{}`", a.name)),
                    "{} lacks {}",
                    r.type_name(),
                    a.name
                );
            }
            for b in &r.schema().block.block_types {
                assert!(text.contains(&format!("Nested Schema for `{}`", b.type_name)));
                for a in &b.block.attributes {
                    assert!(text.contains(&format!("`{}`", a.name)));
                }
            }
        }
        for d in provider.data_sources() {
            let text =
                find(&format!("docs/data-sources/{}.md", short(d.type_name()))).expect("page");
            for a in &d.schema().block.attributes {
                assert!(
                    text.contains(&format!("`{}`", a.name)),
                    "{} lacks {}",
                    d.type_name(),
                    a.name
                );
            }
        }
    }
}
