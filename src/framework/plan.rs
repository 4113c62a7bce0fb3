//! Plan helpers: the rules Terraform expects a provider to follow when planning, as functions a
//! resource's `plan` calls (the default `Resource::plan` uses the first one).
//!
//! * [`mark_computed_unknown_if_changed`]: computed attributes that are null in config become
//!   unknown, but **only** when the object changes (create, or planned ≠ prior). An unchanged
//!   object keeps its prior values, so a refresh-only plan is empty.
//! * [`use_state_for_unknown`]: for stable computed attributes (ids, creation dates), keep the
//!   prior value instead of "(known after apply)" on updates.
//! * [`requires_replace`]: which of the given force-new paths actually changed.
//! * [`null_write_only`] / [`write_only_set_in`]: write-only attributes are never planned or
//!   stored; the host uses these for every resource.
//!
//! Nested blocks are followed: SINGLE/GROUP by object, LIST by index, MAP by key and SET by
//! element position (Terraform keeps the config order of set elements in the proposed value).

use super::path::{AttributePath, PathStep};
use super::schema::{Block, Nesting, PlanDefault, Schema};
use super::value::Value;

/// Returns `proposed` with every computed attribute whose config value is null set to unknown,
/// if the resource is being created (`prior` null) or changed (`proposed != prior`).
/// Write-only attributes are nulled in any case.
pub fn mark_computed_unknown_if_changed(
    schema: &Schema,
    prior: &Value,
    proposed: &Value,
    config: &Value,
) -> Value {
    let mut planned = proposed.clone();
    null_write_only(&schema.block, &mut planned);
    if planned.is_null() || (!prior.is_null() && planned == *prior) {
        return planned;
    }
    mark_block(&schema.block, &mut planned, config);
    planned
}

fn mark_block(block: &Block, planned: &mut Value, config: &Value) {
    let Value::Object(attrs) = planned else {
        return;
    };
    if config.is_unknown() {
        return;
    }
    for a in &block.attributes {
        if !a.computed {
            continue;
        }
        let cfg_null = config.get_attr(&a.name).is_none_or(Value::is_null);
        if cfg_null && let Some(slot) = attrs.get_mut(&a.name) {
            *slot = Value::Unknown;
        }
    }
    for nb in &block.block_types {
        let Some(pv) = attrs.get_mut(&nb.type_name) else {
            continue;
        };
        let cv = config.get_attr(&nb.type_name).unwrap_or(&Value::Null);
        match (nb.nesting, pv) {
            (Nesting::Single | Nesting::Group, pv @ Value::Object(_)) => {
                mark_block(&nb.block, pv, cv)
            }
            (Nesting::List | Nesting::Set, Value::List(items) | Value::Set(items)) => {
                let cfg_items = cv.as_elements().unwrap_or(&[]);
                for (i, item) in items.iter_mut().enumerate() {
                    mark_block(&nb.block, item, cfg_items.get(i).unwrap_or(&Value::Null));
                }
            }
            (Nesting::Map, Value::Map(items)) => {
                for (k, item) in items.iter_mut() {
                    let c = cv
                        .as_entries()
                        .and_then(|m| m.get(k))
                        .unwrap_or(&Value::Null);
                    mark_block(&nb.block, item, c);
                }
            }
            _ => {}
        }
    }
}

/// For each path: if there is a prior state, the planned value is unknown and the config value
/// is not unknown, the planned value becomes the prior value (terraform-plugin-framework's
/// `UseStateForUnknown`). Use it for computed attributes that never change after create.
pub fn use_state_for_unknown(
    planned: &mut Value,
    prior: &Value,
    config: &Value,
    paths: &[AttributePath],
) {
    // No early return for create or destroy: a null prior has no value at any path, and a null
    // plan no slot to fill.
    for p in paths {
        if config.get(p).is_some_and(Value::is_unknown) {
            continue;
        }
        let Some(prior_v) = prior.get(p) else {
            continue;
        };
        if let Some(slot) = planned.get_mut(p)
            && slot.is_unknown()
        {
            *slot = prior_v.clone();
        }
    }
}

/// The paths among `paths` whose value differs between `prior` and `planned` (unknown counts
/// as changed). Empty on create and destroy.
pub fn requires_replace(
    prior: &Value,
    planned: &Value,
    paths: &[AttributePath],
) -> Vec<AttributePath> {
    if prior.is_null() || planned.is_null() {
        return Vec::new();
    }
    paths
        .iter()
        .filter(|p| {
            let a = prior.get(p).unwrap_or(&Value::Null);
            let b = planned.get(p).unwrap_or(&Value::Null);
            b.is_unknown() || a != b
        })
        .cloned()
        .collect()
}

/// Applies the declared [`PlanBehaviour`](super::schema::PlanBehaviour)s of the top-level
/// attributes to `planned` (after [`mark_computed_unknown_if_changed`]):
///
/// * a default fills an attribute the config leaves null: a string always, the provider's
///   value (`provider_default`, unknown while the provider does not know it) on create only;
/// * use-state-for-unknown keeps the prior value of an unknown planned value on update, unless
///   the config itself is unknown.
pub fn apply_behaviours(
    schema: &Schema,
    prior: &Value,
    config: &Value,
    planned: &mut Value,
    provider_default: &dyn Fn(&str) -> Option<Value>,
) {
    if planned.is_null() {
        return;
    }
    let create = prior.is_null();
    for a in &schema.block.attributes {
        let b = &a.plan;
        let path = AttributePath::root().attr(a.name.as_str());
        let config_null = config.get_attr(&a.name).is_none_or(Value::is_null);
        match &b.default {
            Some(PlanDefault::String(v)) if config_null => {
                planned.set_attr(&a.name, Value::string(v.as_str()));
            }
            Some(PlanDefault::FromProvider) if config_null && create => {
                let v = provider_default(&a.name).unwrap_or(Value::Unknown);
                planned.set_attr(&a.name, v);
            }
            _ => {}
        }
        if b.use_state_for_unknown {
            use_state_for_unknown(planned, prior, config, std::slice::from_ref(&path));
        }
    }
}

/// The top-level attributes declared requires-replace whose value changes (see
/// [`requires_replace`]).
pub fn declared_replacements(
    schema: &Schema,
    prior: &Value,
    planned: &Value,
) -> Vec<AttributePath> {
    let paths: Vec<AttributePath> = schema
        .block
        .attributes
        .iter()
        .filter(|a| a.plan.requires_replace)
        .map(|a| AttributePath::root().attr(a.name.as_str()))
        .collect();
    requires_replace(prior, planned, &paths)
}

/// Sets every write-only attribute (at any block depth) to null.
pub fn null_write_only(block: &Block, v: &mut Value) {
    let Value::Object(attrs) = v else {
        return;
    };
    for a in &block.attributes {
        if a.write_only
            && let Some(slot) = attrs.get_mut(&a.name)
        {
            *slot = Value::Null;
        }
    }
    for nb in &block.block_types {
        if !nb.block.contains_write_only() {
            continue;
        }
        match attrs.get_mut(&nb.type_name) {
            Some(o @ Value::Object(_)) => null_write_only(&nb.block, o),
            Some(Value::List(items) | Value::Set(items)) => {
                items.iter_mut().for_each(|i| null_write_only(&nb.block, i))
            }
            Some(Value::Map(items)) => items
                .values_mut()
                .for_each(|i| null_write_only(&nb.block, i)),
            _ => {}
        }
    }
}

/// Paths of write-only attributes that are set (non-null, possibly unknown) in `config`.
pub fn write_only_set_in(block: &Block, config: &Value) -> Vec<AttributePath> {
    let mut out = Vec::new();
    collect_write_only(block, config, &mut AttributePath::root(), &mut out);
    out
}

fn collect_write_only(
    block: &Block,
    v: &Value,
    at: &mut AttributePath,
    out: &mut Vec<AttributePath>,
) {
    let Value::Object(attrs) = v else {
        return;
    };
    for a in &block.attributes {
        if a.write_only && attrs.get(&a.name).is_some_and(|x| !x.is_null()) {
            let mut p = at.clone();
            p.push(PathStep::Attribute(a.name.clone()));
            out.push(p);
        }
    }
    for nb in &block.block_types {
        if !nb.block.contains_write_only() {
            continue;
        }
        at.push(PathStep::Attribute(nb.type_name.clone()));
        match attrs.get(&nb.type_name) {
            Some(o @ Value::Object(_)) => collect_write_only(&nb.block, o, at, out),
            Some(Value::List(items)) => {
                for (i, item) in items.iter().enumerate() {
                    at.push(PathStep::ElementKeyInt(
                        i64::try_from(i).unwrap_or(i64::MAX),
                    ));
                    collect_write_only(&nb.block, item, at, out);
                    at.steps.pop();
                }
            }
            Some(Value::Map(items)) => {
                for (k, item) in items {
                    at.push(PathStep::ElementKeyString(k.clone()));
                    collect_write_only(&nb.block, item, at, out);
                    at.steps.pop();
                }
            }
            _ => {}
        }
        at.steps.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::{Attribute, NestedBlock};
    use crate::framework::types::Type;

    fn schema() -> Schema {
        Schema::new(
            0,
            Block::new()
                .attribute(Attribute::new("id", Type::String).computed())
                .attribute(Attribute::new("name", Type::String).required())
                .attribute(Attribute::new("mode", Type::String).optional().computed())
                .attribute(
                    Attribute::new("secret", Type::String)
                        .optional()
                        .write_only(),
                )
                .block(NestedBlock::list(
                    "ev",
                    Block::new()
                        .attribute(Attribute::new("v", Type::String).optional())
                        .attribute(Attribute::new("c", Type::String).computed())
                        .attribute(Attribute::new("w", Type::String).optional().write_only()),
                )),
        )
    }

    fn obj(id: Value, name: &str, mode: Value, secret: Value, c: Value) -> Value {
        Value::object([
            ("id", id),
            ("name", Value::from(name)),
            ("mode", mode),
            ("secret", secret),
            (
                "ev",
                Value::List(vec![Value::object([
                    ("v", Value::from("1")),
                    ("c", c),
                    ("w", Value::Null),
                ])]),
            ),
        ])
    }

    #[test]
    fn create_marks_computed_null_in_config_unknown() {
        let config = obj(Value::Null, "a", Value::Null, Value::from("s"), Value::Null);
        let planned = mark_computed_unknown_if_changed(&schema(), &Value::Null, &config, &config);
        assert_eq!(
            planned,
            obj(
                Value::Unknown,
                "a",
                Value::Unknown,
                Value::Null,
                Value::Unknown
            )
        );
    }

    #[test]
    fn unchanged_object_keeps_prior_values() {
        let prior = obj(
            Value::from("i"),
            "a",
            Value::from("m"),
            Value::Null,
            Value::from("cc"),
        );
        let config = obj(Value::Null, "a", Value::Null, Value::from("s"), Value::Null);
        // Terraform's proposal: config plus prior computed values (write-only from config).
        let proposed = obj(
            Value::from("i"),
            "a",
            Value::from("m"),
            Value::from("s"),
            Value::from("cc"),
        );
        let planned = mark_computed_unknown_if_changed(&schema(), &prior, &proposed, &config);
        assert_eq!(planned, prior);
    }

    #[test]
    fn update_marks_unknown_and_use_state_keeps_id() {
        let prior = obj(
            Value::from("i"),
            "a",
            Value::from("m"),
            Value::Null,
            Value::from("cc"),
        );
        let config = obj(
            Value::Null,
            "b",
            Value::from("m2"),
            Value::Null,
            Value::Null,
        );
        let proposed = obj(
            Value::from("i"),
            "b",
            Value::from("m2"),
            Value::Null,
            Value::from("cc"),
        );
        let mut planned = mark_computed_unknown_if_changed(&schema(), &prior, &proposed, &config);
        assert_eq!(
            planned,
            obj(
                Value::Unknown,
                "b",
                Value::from("m2"),
                Value::Null,
                Value::Unknown
            )
        );
        use_state_for_unknown(
            &mut planned,
            &prior,
            &config,
            &[AttributePath::attr_path("id")],
        );
        assert_eq!(planned.get_attr("id"), Some(&Value::from("i")));
        // Not on create.
        let mut created = obj(Value::Unknown, "b", Value::Null, Value::Null, Value::Null);
        use_state_for_unknown(
            &mut created,
            &Value::Null,
            &config,
            &[AttributePath::attr_path("id")],
        );
        assert_eq!(created.get_attr("id"), Some(&Value::Unknown));
    }

    #[test]
    fn use_state_skips_unknown_config() {
        let prior = Value::object([("mode", Value::from("old"))]);
        let config = Value::object([("mode", Value::Unknown)]);
        let mut planned = Value::object([("mode", Value::Unknown)]);
        use_state_for_unknown(
            &mut planned,
            &prior,
            &config,
            &[AttributePath::attr_path("mode")],
        );
        assert_eq!(planned.get_attr("mode"), Some(&Value::Unknown));
    }

    #[test]
    fn requires_replace_only_changed_paths() {
        let prior = Value::object([("a", Value::from("1")), ("b", Value::from("x"))]);
        let planned = Value::object([("a", Value::from("2")), ("b", Value::from("x"))]);
        let paths = [AttributePath::attr_path("a"), AttributePath::attr_path("b")];
        assert_eq!(
            requires_replace(&prior, &planned, &paths),
            vec![AttributePath::attr_path("a")]
        );
        assert!(requires_replace(&Value::Null, &planned, &paths).is_empty());
        assert!(requires_replace(&prior, &Value::Null, &paths).is_empty());
        let unknown = Value::object([("a", Value::from("1")), ("b", Value::Unknown)]);
        assert_eq!(
            requires_replace(&prior, &unknown, &paths),
            vec![AttributePath::attr_path("b")]
        );
    }

    #[test]
    fn write_only_paths_and_nulling() {
        let mut v = Value::object([
            ("secret", Value::from("s")),
            ("name", Value::from("n")),
            (
                "ev",
                Value::List(vec![
                    Value::object([("w", Value::Null)]),
                    Value::object([("w", Value::Unknown)]),
                ]),
            ),
        ]);
        let s = schema();
        assert_eq!(
            write_only_set_in(&s.block, &v),
            vec![
                AttributePath::attr_path("secret"),
                AttributePath::attr_path("ev").index(1).attr("w")
            ]
        );
        null_write_only(&s.block, &mut v);
        assert!(write_only_set_in(&s.block, &v).is_empty());
        assert_eq!(v.attr_str("name"), Some("n"));
    }

    /// A schema with a SINGLE, a GROUP and a MAP block, each holding a configurable, a computed
    /// and a write-only attribute.
    fn nested_schema() -> Schema {
        let inner = || {
            Block::new()
                .attribute(Attribute::new("v", Type::String).optional())
                .attribute(Attribute::new("c", Type::String).computed())
                .attribute(Attribute::new("w", Type::String).optional().write_only())
        };
        Schema::new(
            0,
            Block::new()
                .attribute(Attribute::new("name", Type::String).required())
                .block(NestedBlock::single("one", inner()))
                .block(NestedBlock::group("grp", inner()))
                .block(NestedBlock::map("many", inner())),
        )
    }

    fn inner(v: &str, c: Value, w: Value) -> Value {
        Value::object([("v", Value::from(v)), ("c", c), ("w", w)])
    }

    /// A value of `nested_schema`, every `c` from `c()` and every `w` from `w()`.
    fn nested(c: impl Fn() -> Value, w: impl Fn() -> Value) -> Value {
        Value::object([
            ("name", Value::from("n")),
            ("one", inner("1", c(), w())),
            ("grp", inner("2", c(), w())),
            (
                "many",
                Value::map([("a", inner("3", c(), w())), ("b", inner("4", c(), w()))]),
            ),
        ])
    }

    #[test]
    fn create_marks_computed_unknown_inside_single_group_and_map_blocks() {
        let config = nested(|| Value::Null, || Value::from("secret"));
        let planned =
            mark_computed_unknown_if_changed(&nested_schema(), &Value::Null, &config, &config);
        // Every computed `c` is unknown and every write-only `w` null, in each kind of block.
        assert_eq!(planned, nested(|| Value::Unknown, || Value::Null));
    }

    #[test]
    fn update_keeps_computed_values_the_config_sets_inside_nested_blocks() {
        let mut prior = nested(|| Value::from("p"), || Value::Null);
        assert!(prior.set_attr("name", Value::from("old")));
        // The config sets `c` in map entry "a" only; entry "b" leaves it null.
        let mut config = nested(|| Value::Null, || Value::Null);
        let mut proposed = nested(|| Value::from("p"), || Value::Null);
        for v in [&mut config, &mut proposed] {
            let path = AttributePath::attr_path("many").key("a").attr("c");
            assert!(v.set(&path, Value::from("mine")));
        }
        let planned =
            mark_computed_unknown_if_changed(&nested_schema(), &prior, &proposed, &config);
        let at = |p: AttributePath| planned.get(&p).cloned();
        let c = |block: &str| AttributePath::attr_path(block).attr("c");
        assert_eq!(at(c("one")), Some(Value::Unknown));
        assert_eq!(at(c("grp")), Some(Value::Unknown));
        let entry = |k: &str| AttributePath::attr_path("many").key(k).attr("c");
        assert_eq!(at(entry("a")), Some(Value::from("mine")));
        assert_eq!(at(entry("b")), Some(Value::Unknown));
    }

    #[test]
    fn write_only_paths_and_nulling_inside_single_group_and_map_blocks() {
        let s = nested_schema();
        let mut v = nested(|| Value::Null, || Value::from("secret"));
        let w = |block: &str| AttributePath::attr_path(block).attr("w");
        let entry = |k: &str| AttributePath::attr_path("many").key(k).attr("w");
        let mut found = write_only_set_in(&s.block, &v);
        found.sort_by_key(|p| format!("{p:?}"));
        let mut expected = vec![w("one"), w("grp"), entry("a"), entry("b")];
        expected.sort_by_key(|p| format!("{p:?}"));
        assert_eq!(found, expected);
        null_write_only(&s.block, &mut v);
        assert!(write_only_set_in(&s.block, &v).is_empty());
        assert_eq!(v, nested(|| Value::Null, || Value::Null));
    }
}
