//! Attribute paths: where in a value a diagnostic or a replace decision points.
//!
//! Mirrors tfplugin5's `AttributePath`: a list of steps, each an object attribute (or block type)
//! name, a map key (or MAP block label) or a list/tuple index (or LIST block index). Set
//! elements cannot be addressed; point at the set itself.
//!
//! ```
//! use terraform_provider_docusign::framework::AttributePath;
//! let p = AttributePath::root().attr("event_data").attr("version");
//! assert_eq!(p.to_string(), "event_data.version");
//! ```

use std::fmt;

/// One step of an [`AttributePath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathStep {
    /// An object attribute or nested block type name.
    Attribute(String),
    /// A map key or MAP block label.
    ElementKeyString(String),
    /// A list or tuple index, or LIST block index.
    ElementKeyInt(i64),
}

/// A path from the root of a resource object to one of its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttributePath {
    /// The steps, outermost first. Empty = the whole object.
    pub steps: Vec<PathStep>,
}

impl AttributePath {
    /// The empty path (the whole object).
    pub fn root() -> Self {
        Self { steps: Vec::new() }
    }

    /// Shorthand for `AttributePath::root().attr(name)`.
    pub fn attr_path(name: impl Into<String>) -> Self {
        Self::root().attr(name)
    }

    /// Appends an attribute step.
    pub fn attr(mut self, name: impl Into<String>) -> Self {
        self.steps.push(PathStep::Attribute(name.into()));
        self
    }

    /// Appends a map key step.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.steps.push(PathStep::ElementKeyString(key.into()));
        self
    }

    /// Appends a list index step.
    pub fn index(mut self, i: i64) -> Self {
        self.steps.push(PathStep::ElementKeyInt(i));
        self
    }

    /// Appends a step in place.
    pub fn push(&mut self, step: PathStep) {
        self.steps.push(step);
    }

    /// True for the empty path.
    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    /// The path without its last step (root stays root).
    pub fn parent(&self) -> Self {
        let mut steps = self.steps.clone();
        steps.pop();
        Self { steps }
    }

    /// True when `self` is `prefix` or below it.
    pub fn starts_with(&self, prefix: &AttributePath) -> bool {
        self.steps.starts_with(&prefix.steps)
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for step in &self.steps {
            match step {
                PathStep::Attribute(name) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(name)?;
                }
                PathStep::ElementKeyString(k) => write!(f, "[{k:?}]")?,
                PathStep::ElementKeyInt(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_formats_like_terraform() {
        let p = AttributePath::root().attr("a").index(2).attr("b").key("k");
        assert_eq!(p.to_string(), "a[2].b[\"k\"]");
        assert_eq!(AttributePath::root().to_string(), "");
    }

    #[test]
    fn parent_and_prefix() {
        let p = AttributePath::root().attr("a").attr("b");
        assert_eq!(p.parent(), AttributePath::attr_path("a"));
        assert!(p.starts_with(&AttributePath::attr_path("a")));
        assert!(!p.starts_with(&AttributePath::attr_path("b")));
    }
}
