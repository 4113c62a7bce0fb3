//! Schemas: the shape of a provider config, resource or data source, with a fluent builder and
//! the self-check Terraform ≥ 1.1 runs on every schema (configschema `InternalValidate`).
//!
//! ```
//! use terraform_provider_docusign::framework::schema::*;
//! use terraform_provider_docusign::framework::Type;
//! let s = Schema::new(1, Block::new()
//!     .description("A Connect configuration.")
//!     .attribute(Attribute::new("id", Type::String).computed().description("Identifier."))
//!     .attribute(Attribute::new("name", Type::String).required())
//!     .block(NestedBlock::list("event_data", Block::new()
//!         .attribute(Attribute::new("version", Type::String).optional())).max_items(1)));
//! assert!(s.validate().is_ok());
//! ```
//!
//! Descriptions are markdown. Attribute and block names are unique within a block.

use super::types::Type;
use std::collections::{BTreeMap, BTreeSet};

/// A versioned schema (the version is the resource's state schema version).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schema {
    /// State schema version (resources); 0 for providers and data sources.
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

/// A block: attributes and nested block types.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Block {
    /// Attributes in declaration order.
    pub attributes: Vec<Attribute>,
    /// Nested block types in declaration order.
    pub block_types: Vec<NestedBlock>,
    /// Markdown description.
    pub description: String,
    /// Deprecated: Terraform warns when it is used.
    pub deprecated: bool,
}

/// One attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Name, `^[a-z0-9_]+$`.
    pub name: String,
    /// cty type.
    pub ty: Type,
    /// Markdown description.
    pub description: String,
    /// Must be set in config.
    pub required: bool,
    /// May be set in config.
    pub optional: bool,
    /// Set by the provider (alone, or with `optional` for provider defaults).
    pub computed: bool,
    /// Redacted in Terraform's UI.
    pub sensitive: bool,
    /// Never stored in plan or state (Terraform ≥ 1.11).
    pub write_only: bool,
    /// Terraform warns when it is set.
    pub deprecated: bool,
    /// How the server plans this attribute (top-level attributes of a resource only).
    pub plan: PlanBehaviour,
}

/// Plan behaviours of one attribute, applied by [`crate::framework::server`] to every resource
/// (terraform-plugin-framework's plan modifiers and defaults, as data). Not sent to Terraform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanBehaviour {
    /// A change of the value replaces the object.
    pub requires_replace: bool,
    /// On update, an unknown planned value (a computed value the config leaves unset) keeps the
    /// prior state's value: the value never changes once the object exists.
    pub use_state_for_unknown: bool,
    /// The planned value when the config leaves it null.
    pub default: Option<PlanDefault>,
}

/// Where a default comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanDefault {
    /// This string, on create and update.
    String(String),
    /// The provider's value for the attribute of the same name
    /// ([`crate::framework::Provider::default_value`]), on create only; unknown until the
    /// provider knows it.
    FromProvider,
}

/// How a nested block repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nesting {
    /// At most one; value is an object or null.
    Single,
    /// Ordered; value is a list of objects.
    List,
    /// Unordered; value is a set of objects.
    Set,
    /// Labelled; value is a map of objects.
    Map,
    /// Exactly one, never null (attributes default to null).
    Group,
}

/// A nested block type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NestedBlock {
    /// Block type name, `^[a-z0-9_]+$`.
    pub type_name: String,
    /// Contents.
    pub block: Block,
    /// Repetition mode.
    pub nesting: Nesting,
    /// Minimum count (LIST/SET; SINGLE: 0 or 1 equal to max).
    pub min_items: i64,
    /// Maximum count, 0 = unlimited.
    pub max_items: i64,
}

impl Schema {
    /// A schema with a version.
    pub fn new(version: i64, block: Block) -> Self {
        Self { version, block }
    }

    /// The implied object type of the top-level block.
    pub fn implied_type(&self) -> Type {
        self.block.implied_type()
    }

    /// Runs Terraform's `InternalValidate` checks (plus a few of our own: duplicate names,
    /// negative version, write-only computed attributes, attribute name syntax). Returns every
    /// problem found, each prefixed with its dotted location.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errs = Vec::new();
        if self.version < 0 {
            errs.push(format!(
                "schema version {} must not be negative",
                self.version
            ));
        }
        self.block.validate_into("", &mut errs);
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }
}

impl Block {
    /// An empty block.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an attribute.
    pub fn attribute(mut self, a: Attribute) -> Self {
        self.attributes.push(a);
        self
    }

    /// Adds a nested block type.
    pub fn block(mut self, b: NestedBlock) -> Self {
        self.block_types.push(b);
        self
    }

    /// Sets the markdown description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = d.into();
        self
    }

    /// Marks the block deprecated.
    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }

    /// Finds an attribute by name.
    pub fn get_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// Finds a nested block type by name.
    pub fn get_block(&self, name: &str) -> Option<&NestedBlock> {
        self.block_types.iter().find(|b| b.type_name == name)
    }

    /// The object type of a value of this block: attributes by their type, nested blocks by
    /// nesting (LIST → list, SET → set, MAP → map, SINGLE/GROUP → the block's object type).
    ///
    /// Terraform uses a tuple (LIST) or object (MAP) instead when the nested block contains
    /// dynamic attributes; this framework does not support dynamic attributes inside LIST or MAP
    /// blocks (the msgpack decoder would reject such values).
    pub fn implied_type(&self) -> Type {
        let mut attrs = BTreeMap::new();
        for a in &self.attributes {
            attrs.insert(a.name.clone(), a.ty.clone());
        }
        for b in &self.block_types {
            let inner = b.block.implied_type();
            let t = match b.nesting {
                Nesting::Single | Nesting::Group => inner,
                Nesting::List => Type::list(inner),
                Nesting::Set => Type::set(inner),
                Nesting::Map => Type::map(inner),
            };
            attrs.insert(b.type_name.clone(), t);
        }
        Type::Object(attrs)
    }

    /// True if this block or any nested block has a write-only attribute.
    pub fn contains_write_only(&self) -> bool {
        self.attributes.iter().any(|a| a.write_only)
            || self
                .block_types
                .iter()
                .any(|b| b.block.contains_write_only())
    }

    fn validate_into(&self, prefix: &str, errs: &mut Vec<String>) {
        let mut seen = BTreeSet::new();
        for a in &self.attributes {
            let loc = format!("{prefix}{}", a.name);
            if !seen.insert(a.name.as_str()) {
                errs.push(format!("{loc}: duplicate attribute name"));
            }
            if !valid_name(&a.name) {
                errs.push(format!(
                    "{loc}: name may contain only lowercase letters, digits and underscores"
                ));
            }
            if !a.optional && !a.required && !a.computed {
                errs.push(format!("{loc}: must set Optional, Required or Computed"));
            }
            if a.optional && a.required {
                errs.push(format!("{loc}: cannot set both Optional and Required"));
            }
            if a.computed && a.required {
                errs.push(format!("{loc}: cannot set both Computed and Required"));
            }
            if a.write_only && a.computed {
                errs.push(format!("{loc}: WriteOnly cannot be set with Computed"));
            }
            if a.plan.default.is_some() && !(a.optional && a.computed) {
                errs.push(format!("{loc}: a default needs Optional and Computed"));
            }
            if a.plan.use_state_for_unknown && !a.computed {
                errs.push(format!("{loc}: UseStateForUnknown needs Computed"));
            }
        }
        let mut seen_blocks = BTreeSet::new();
        for b in &self.block_types {
            let name = b.type_name.as_str();
            let loc = format!("{prefix}{name}");
            if !seen_blocks.insert(name) {
                errs.push(format!("{loc}: duplicate block type name"));
            }
            if seen.contains(name) {
                errs.push(format!(
                    "{loc}: name defined as both attribute and child block type"
                ));
            } else if !valid_name(name) {
                errs.push(format!(
                    "{loc}: name may contain only lowercase letters, digits and underscores"
                ));
            }
            if b.min_items < 0 || b.max_items < 0 {
                errs.push(format!(
                    "{loc}: MinItems and MaxItems must both be greater than zero"
                ));
            }
            match b.nesting {
                Nesting::Single => {
                    if b.min_items != b.max_items {
                        errs.push(format!(
                            "{loc}: MinItems and MaxItems must match in NestingSingle mode"
                        ));
                    } else if !(0..=1).contains(&b.min_items) {
                        errs.push(format!(
                            "{loc}: MinItems and MaxItems must be set to either 0 or 1 in NestingSingle mode"
                        ));
                    }
                }
                Nesting::Group => {
                    if b.min_items != 0 || b.max_items != 0 {
                        errs.push(format!(
                            "{loc}: MinItems and MaxItems cannot be used in NestingGroup mode"
                        ));
                    }
                }
                Nesting::List | Nesting::Set => {
                    if b.min_items > b.max_items && b.max_items != 0 {
                        errs.push(format!(
                            "{loc}: MinItems must be less than or equal to MaxItems in {:?} mode",
                            b.nesting
                        ));
                    }
                    if b.nesting == Nesting::Set {
                        if b.block.implied_type().has_dynamic() {
                            errs.push(format!(
                                "{loc}: NestingSet blocks may not contain attributes of cty.DynamicPseudoType"
                            ));
                        }
                        if b.block.contains_write_only() {
                            errs.push(format!(
                                "{loc}: NestingSet blocks may not contain WriteOnly attributes"
                            ));
                        }
                    }
                }
                Nesting::Map => {
                    if b.min_items != 0 || b.max_items != 0 {
                        errs.push(format!(
                            "{loc}: MinItems and MaxItems must both be 0 in NestingMap mode"
                        ));
                    }
                }
            }
            b.block.validate_into(&format!("{loc}."), errs);
        }
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

impl Attribute {
    /// A new attribute with no flags set (call `required()`, `optional()` or `computed()`).
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        Self {
            name: name.into(),
            ty,
            description: String::new(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecated: false,
            plan: PlanBehaviour::default(),
        }
    }
    /// Must be set in config.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    /// May be set in config.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
    /// Set by the provider.
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }
    /// Redacted in the UI.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    /// Never stored in plan or state.
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }
    /// Deprecated.
    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }
    /// Markdown description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = d.into();
        self
    }
    /// A change replaces the object.
    pub fn requires_replace(mut self) -> Self {
        self.plan.requires_replace = true;
        self
    }
    /// On update, keeps the prior value instead of "known after apply".
    pub fn use_state_for_unknown(mut self) -> Self {
        self.plan.use_state_for_unknown = true;
        self
    }
    /// Planned as `value` when the config leaves it null.
    pub fn default_string(mut self, value: impl Into<String>) -> Self {
        self.plan.default = Some(PlanDefault::String(value.into()));
        self
    }
    /// On create, planned as the provider's value of the same name when the config leaves it
    /// null.
    pub fn default_from_provider(mut self) -> Self {
        self.plan.default = Some(PlanDefault::FromProvider);
        self
    }
}

impl NestedBlock {
    /// A nested block type with a nesting mode and no item limits.
    pub fn new(type_name: impl Into<String>, nesting: Nesting, block: Block) -> Self {
        Self {
            type_name: type_name.into(),
            block,
            nesting,
            min_items: 0,
            max_items: 0,
        }
    }
    /// SINGLE nesting.
    pub fn single(type_name: impl Into<String>, block: Block) -> Self {
        Self::new(type_name, Nesting::Single, block)
    }
    /// LIST nesting.
    pub fn list(type_name: impl Into<String>, block: Block) -> Self {
        Self::new(type_name, Nesting::List, block)
    }
    /// SET nesting.
    pub fn set(type_name: impl Into<String>, block: Block) -> Self {
        Self::new(type_name, Nesting::Set, block)
    }
    /// MAP nesting.
    pub fn map(type_name: impl Into<String>, block: Block) -> Self {
        Self::new(type_name, Nesting::Map, block)
    }
    /// GROUP nesting.
    pub fn group(type_name: impl Into<String>, block: Block) -> Self {
        Self::new(type_name, Nesting::Group, block)
    }
    /// Minimum number of blocks.
    pub fn min_items(mut self, n: i64) -> Self {
        self.min_items = n;
        self
    }
    /// Maximum number of blocks (0 = unlimited).
    pub fn max_items(mut self, n: i64) -> Self {
        self.max_items = n;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errs(s: Schema) -> Vec<String> {
        s.validate().err().unwrap_or_default()
    }

    fn one_attr(a: Attribute) -> Schema {
        Schema::new(0, Block::new().attribute(a))
    }

    #[test]
    fn valid_schema_passes() {
        let s = Schema::new(
            2,
            Block::new()
                .attribute(Attribute::new("id", Type::String).computed())
                .attribute(Attribute::new("name", Type::String).required())
                .attribute(
                    Attribute::new("secret", Type::String)
                        .optional()
                        .sensitive()
                        .write_only(),
                )
                .attribute(
                    Attribute::new("tags", Type::map(Type::String))
                        .optional()
                        .computed(),
                )
                .block(
                    NestedBlock::single("s", Block::new())
                        .min_items(1)
                        .max_items(1),
                )
                .block(
                    NestedBlock::list(
                        "l",
                        Block::new().attribute(Attribute::new("d", Type::Dynamic).optional()),
                    )
                    .min_items(1)
                    .max_items(3),
                )
                .block(NestedBlock::set(
                    "st",
                    Block::new().attribute(Attribute::new("x", Type::String).required()),
                ))
                .block(NestedBlock::map("m", Block::new()))
                .block(NestedBlock::group("g", Block::new())),
        );
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn attribute_flag_combinations() {
        let e = errs(one_attr(Attribute::new("a", Type::String)));
        assert_eq!(e, ["a: must set Optional, Required or Computed"]);
        let e = errs(one_attr(
            Attribute::new("a", Type::String).optional().required(),
        ));
        assert_eq!(e, ["a: cannot set both Optional and Required"]);
        let e = errs(one_attr(
            Attribute::new("a", Type::String).computed().required(),
        ));
        assert_eq!(e, ["a: cannot set both Computed and Required"]);
        let e = errs(one_attr(
            Attribute::new("a", Type::String).computed().write_only(),
        ));
        assert_eq!(e, ["a: WriteOnly cannot be set with Computed"]);
    }

    #[test]
    fn names() {
        for bad in ["Name", "a-b", "", "ä"] {
            let e = errs(one_attr(Attribute::new(bad, Type::String).optional()));
            assert_eq!(e.len(), 1, "{bad:?}");
            assert!(e[0].contains("lowercase letters"), "{e:?}");
        }
        let s = Schema::new(
            0,
            Block::new()
                .attribute(Attribute::new("x", Type::String).optional())
                .attribute(Attribute::new("x", Type::Number).optional())
                .block(NestedBlock::list("x", Block::new()))
                .block(NestedBlock::list("Bad", Block::new())),
        );
        let e = errs(s);
        assert!(
            e.contains(&"x: duplicate attribute name".to_string()),
            "{e:?}"
        );
        assert!(
            e.contains(&"x: name defined as both attribute and child block type".to_string()),
            "{e:?}"
        );
        assert!(e.iter().any(|m| m.starts_with("Bad: name may")), "{e:?}");
    }

    #[test]
    fn nesting_rules() {
        let cases = [
            (
                NestedBlock::single("b", Block::new()).max_items(1),
                "must match in NestingSingle",
            ),
            (
                NestedBlock::single("b", Block::new())
                    .min_items(2)
                    .max_items(2),
                "either 0 or 1",
            ),
            (
                NestedBlock::group("b", Block::new()).max_items(1),
                "cannot be used in NestingGroup",
            ),
            (
                NestedBlock::list("b", Block::new())
                    .min_items(3)
                    .max_items(2),
                "less than or equal",
            ),
            (
                NestedBlock::set("b", Block::new()).min_items(-1),
                "greater than zero",
            ),
            (
                NestedBlock::map("b", Block::new()).min_items(1),
                "both be 0 in NestingMap",
            ),
            (
                NestedBlock::set(
                    "b",
                    Block::new()
                        .attribute(Attribute::new("d", Type::list(Type::Dynamic)).optional()),
                ),
                "DynamicPseudoType",
            ),
            (
                NestedBlock::set(
                    "b",
                    Block::new().block(NestedBlock::list(
                        "inner",
                        Block::new()
                            .attribute(Attribute::new("w", Type::String).optional().write_only()),
                    )),
                ),
                "WriteOnly",
            ),
        ];
        for (nb, want) in cases {
            let e = errs(Schema::new(0, Block::new().block(nb.clone())));
            assert!(
                e.iter().any(|m| m.contains(want) && m.starts_with("b:")),
                "{nb:?}: {e:?}"
            );
        }
        // List with max 0 = unlimited, min > 0 is fine.
        assert_eq!(
            Schema::new(
                0,
                Block::new().block(NestedBlock::list("b", Block::new()).min_items(5))
            )
            .validate(),
            Ok(())
        );
    }

    #[test]
    fn nested_errors_are_prefixed_and_version_checked() {
        let s = Schema::new(
            -1,
            Block::new().block(NestedBlock::list(
                "outer",
                Block::new().attribute(Attribute::new("inner", Type::String)),
            )),
        );
        let e = errs(s);
        assert!(
            e.contains(&"outer.inner: must set Optional, Required or Computed".to_string()),
            "{e:?}"
        );
        assert!(e.iter().any(|m| m.contains("negative")), "{e:?}");
    }

    #[test]
    fn implied_type_follows_nesting() {
        let b = Block::new()
            .attribute(Attribute::new("a", Type::String).optional())
            .block(NestedBlock::list(
                "l",
                Block::new().attribute(Attribute::new("x", Type::Bool).optional()),
            ))
            .block(NestedBlock::set("s", Block::new()))
            .block(NestedBlock::map("m", Block::new()))
            .block(NestedBlock::single("o", Block::new()))
            .block(NestedBlock::group("g", Block::new()));
        let empty = Type::Object(BTreeMap::new());
        assert_eq!(
            b.implied_type(),
            Type::object([
                ("a", Type::String),
                ("l", Type::list(Type::object([("x", Type::Bool)]))),
                ("s", Type::set(empty.clone())),
                ("m", Type::map(empty.clone())),
                ("o", empty.clone()),
                ("g", empty),
            ])
        );
    }
}
