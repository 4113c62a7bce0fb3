//! The `## Schema` part of a page, in tfplugindocs' layout: attributes and blocks grouped into
//! Required / Optional / Read-Only and sorted by name, then one nested section per block or
//! object-typed attribute, with tfplugindocs' anchors.

use std::fmt::Write as _;

use terraform_provider_docusign::framework::Type;
use terraform_provider_docusign::framework::schema::{Attribute, Block, NestedBlock, Nesting};

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

/// The object type inside an attribute's type (`object`, or a list/set/map of objects).
pub(super) fn object_fields(t: &Type) -> Option<&std::collections::BTreeMap<String, Type>> {
    match t {
        Type::Object(fields) => Some(fields),
        Type::List(e) | Type::Set(e) | Type::Map(e) => match e.as_ref() {
            Type::Object(fields) => Some(fields),
            _ => None,
        },
        _ => None,
    }
}

/// An anchor id in tfplugindocs' style: `nestedblock--a--b` / `nestedatt--a`.
fn anchor(kind: &str, prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        format!("{kind}--{name}")
    } else {
        format!("{kind}--{prefix}--{name}")
    }
}

fn attribute_line(a: &Attribute, prefix: &str) -> String {
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
    let mut line = format!("- `{}` ({})", a.name, flags.join(", "));
    let description = a.description.trim();
    if !description.is_empty() {
        let _ = write!(line, " {description}");
    }
    if object_fields(&a.ty).is_some() {
        let _ = write!(
            line,
            " (see [below for nested schema](#{}))",
            anchor("nestedatt", prefix, &a.name)
        );
    }
    line
}

fn block_line(b: &NestedBlock, prefix: &str) -> String {
    let mut shape = match b.nesting {
        Nesting::Single | Nesting::Group => "Block".to_string(),
        Nesting::List => "Block List".to_string(),
        Nesting::Set => "Block Set".to_string(),
        Nesting::Map => "Block Map".to_string(),
    };
    if b.min_items > 0 {
        let _ = write!(shape, ", Min: {}", b.min_items);
    }
    if b.max_items > 0 {
        let _ = write!(shape, ", Max: {}", b.max_items);
    } else if matches!(b.nesting, Nesting::Single | Nesting::Group) {
        shape.push_str(", Max: 1");
    }
    let mut line = format!("- `{}` ({shape})", b.type_name);
    let description = b.block.description.trim();
    if !description.is_empty() {
        let _ = write!(line, " {description}");
    }
    let _ = write!(
        line,
        " (see [below for nested schema](#{}))",
        anchor("nestedblock", prefix, &b.type_name)
    );
    line
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Required,
    Optional,
    ReadOnly,
}

impl Group {
    const ALL: [Group; 3] = [Group::Required, Group::Optional, Group::ReadOnly];

    fn title(self) -> &'static str {
        match self {
            Group::Required => "Required",
            Group::Optional => "Optional",
            Group::ReadOnly => "Read-Only",
        }
    }

    fn of_attribute(a: &Attribute) -> Group {
        if a.required {
            Group::Required
        } else if a.optional {
            Group::Optional
        } else {
            Group::ReadOnly
        }
    }

    fn of_block(b: &NestedBlock) -> Group {
        if b.min_items > 0 {
            Group::Required
        } else {
            Group::Optional
        }
    }
}

/// Renders a block's attributes and nested blocks, grouped and sorted by name, then the nested
/// schemas of its blocks and object-typed attributes. `prefix` is the anchor path ("" at the
/// top level).
pub(super) fn render_block(out: &mut String, block: &Block, prefix: &str) {
    for group in Group::ALL {
        let mut lines: Vec<(&str, String)> = Vec::new();
        for a in &block.attributes {
            if Group::of_attribute(a) == group {
                lines.push((&a.name, attribute_line(a, prefix)));
            }
        }
        for b in &block.block_types {
            if Group::of_block(b) == group {
                lines.push((&b.type_name, block_line(b, prefix)));
            }
        }
        if lines.is_empty() {
            continue;
        }
        lines.sort_by(|x, y| x.0.cmp(y.0));
        if prefix.is_empty() {
            let _ = writeln!(out, "### {}\n", group.title());
        } else {
            let _ = writeln!(out, "{}:\n", group.title());
        }
        for (_, line) in lines {
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
    }
    let mut nested: Vec<(&str, Nested)> = Vec::new();
    for b in &block.block_types {
        nested.push((&b.type_name, Nested::Block(b)));
    }
    for a in &block.attributes {
        if let Some(fields) = object_fields(&a.ty) {
            nested.push((&a.name, Nested::Object(a, fields)));
        }
    }
    nested.sort_by(|x, y| x.0.cmp(y.0));
    for (name, n) in nested {
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}--{name}")
        };
        let shown = path.replace("--", ".");
        match n {
            Nested::Block(b) => {
                let _ = writeln!(
                    out,
                    "<a id=\"{}\"></a>\n### Nested Schema for `{shown}`\n",
                    anchor("nestedblock", prefix, name)
                );
                render_block(out, &b.block, &path);
            }
            Nested::Object(a, fields) => {
                let _ = writeln!(
                    out,
                    "<a id=\"{}\"></a>\n### Nested Schema for `{shown}`\n",
                    anchor("nestedatt", prefix, name)
                );
                // Object attributes carry no per-field flags: they share the attribute's.
                let title = Group::of_attribute(a).title();
                let _ = writeln!(out, "{title}:\n");
                for (field, ty) in fields {
                    let _ = writeln!(out, "- `{field}` ({})", type_label(ty));
                }
                out.push('\n');
            }
        }
    }
}

enum Nested<'a> {
    Block(&'a NestedBlock),
    Object(&'a Attribute, &'a std::collections::BTreeMap<String, Type>),
}
