//! The placeholders of the prose templates under `templates/`: `{{name}}` or `{{name argument}}`,
//! replaced by what the caller answers for them, and `{{# comment }}`, which is dropped with the
//! line break after it. Nothing else of the text changes.

/// Fills `source`'s placeholders through `value(name, argument)`. An unclosed placeholder, or
/// one `value` refuses, is an error naming its line.
pub(super) fn fill(
    source: &str,
    mut value: impl FnMut(&str, Option<&str>) -> Result<String, String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let line = 1 + source[..source.len() - rest.len() + open]
            .matches('\n')
            .count();
        let after = &rest[open + 2..];
        let close = after
            .find("}}")
            .ok_or_else(|| format!("line {line}: unclosed {{{{"))?;
        let inner = after[..close].trim();
        rest = &after[close + 2..];
        if inner.starts_with('#') {
            rest = rest.strip_prefix('\n').unwrap_or(rest);
            continue;
        }
        let (name, argument) = match inner.split_once(char::is_whitespace) {
            Some((name, argument)) => (name, Some(argument.trim())),
            None => (inner, None),
        };
        out.push_str(&value(name, argument).map_err(|e| format!("line {line}: {e}"))?);
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::fill;

    fn answer(name: &str, argument: Option<&str>) -> Result<String, String> {
        match (name, argument) {
            ("name", None) => Ok("docusign".into()),
            ("file", Some(path)) => Ok(format!("<{path}>")),
            _ => Err(format!("unknown placeholder {name:?}")),
        }
    }

    #[test]
    fn placeholders_are_replaced_and_the_rest_is_kept_byte_for_byte() {
        let text = "# {{name}} Provider\n\n{{ file examples/a.tf }}  trailing {x} }}\n";
        assert_eq!(
            fill(text, answer).as_deref(),
            Ok("# docusign Provider\n\n<examples/a.tf>  trailing {x} }}\n")
        );
    }

    #[test]
    fn comments_vanish_with_their_line_break() {
        let text = "{{# a note\n   on two lines }}\nbody {{name}}\n";
        assert_eq!(fill(text, answer).as_deref(), Ok("body docusign\n"));
    }

    #[test]
    fn unknown_and_unclosed_placeholders_are_errors_naming_the_line() {
        assert_eq!(
            fill("a\nb {{nope}}\n", answer),
            Err("line 2: unknown placeholder \"nope\"".to_string())
        );
        assert_eq!(
            fill("a\n\nc {{name\n", answer),
            Err("line 3: unclosed {{".to_string())
        );
    }
}
