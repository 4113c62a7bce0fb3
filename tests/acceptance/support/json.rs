//! Reading `terraform show -json` output: state values, plan actions, changed attributes.
//!
//! Paths into values use dots: `triggers.a`, `rules.0.name`. Resource addresses are Terraform's
//! (`null_resource.a`, `module.m.docusign_connect_configuration.c[0]`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::terraform::{Failure, TfResult};

/// Walks `path` (dot separated; numeric segments index arrays) from `v`.
pub fn walk<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return Some(v);
    }
    path.split('.').try_fold(v, |cur, seg| match cur {
        Value::Object(m) => m.get(seg),
        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// Renders a scalar as Terraform's flatmap would (strings unquoted).
pub fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Flattens a value into `a.b.0.c` keys; collections get `x.#` (lists) or `x.%` (maps) counts.
/// Nulls are omitted (as in Terraform's flatmap).
pub fn flatten(v: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Value::Object(m) = v {
        for (k, v) in m {
            flatten_into(k, v, &mut out);
        }
    }
    out
}

fn flatten_into(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Null => {}
        Value::Array(a) => {
            out.insert(format!("{prefix}.#"), a.len().to_string());
            for (i, item) in a.iter().enumerate() {
                flatten_into(&format!("{prefix}.{i}"), item, out);
            }
        }
        Value::Object(m) => {
            out.insert(format!("{prefix}.%"), m.len().to_string());
            for (k, item) in m {
                flatten_into(&format!("{prefix}.{k}"), item, out);
            }
        }
        scalar => {
            out.insert(prefix.to_owned(), scalar_string(scalar));
        }
    }
}

/// `terraform show -json` of a state.
#[derive(Clone, Debug)]
pub struct State {
    pub json: Value,
}

impl State {
    pub fn new(json: Value) -> Self {
        State { json }
    }

    /// Every resource object (managed and data), root module and child modules.
    pub fn resources(&self) -> Vec<&Value> {
        let mut out = Vec::new();
        if let Some(root) = walk(&self.json, "values.root_module") {
            collect_resources(root, &mut out);
        }
        out
    }

    /// Addresses of every resource in the state.
    pub fn addresses(&self) -> Vec<String> {
        self.resources()
            .iter()
            .filter_map(|r| r.get("address").and_then(Value::as_str).map(str::to_owned))
            .collect()
    }

    /// The `id`s of every managed resource of type `ty`; fails when two track the same id.
    pub fn ids_of_type(&self, ty: &str) -> TfResult<BTreeSet<String>> {
        let mut ids = BTreeSet::new();
        for r in self.resources() {
            if r.get("type").and_then(Value::as_str) != Some(ty)
                || r.get("mode").and_then(Value::as_str) != Some("managed")
            {
                continue;
            }
            let id = walk(r, "values.id")
                .and_then(Value::as_str)
                .ok_or_else(|| Failure(format!("a {ty} without an id in state: {r}")))?;
            if !ids.insert(id.to_owned()) {
                return Err(Failure(format!("two {ty} resources track the id {id}")));
            }
        }
        Ok(ids)
    }

    /// True when the state holds no resource.
    pub fn is_empty(&self) -> bool {
        self.resources().is_empty()
    }

    /// The resource object at `addr` (`address`, `type`, `values`, `sensitive_values`, ...).
    pub fn resource(&self, addr: &str) -> TfResult<&Value> {
        self.resources()
            .into_iter()
            .find(|r| r.get("address").and_then(Value::as_str) == Some(addr))
            .ok_or_else(|| {
                Failure(format!(
                    "no resource {addr} in state; present: {:?}",
                    self.addresses()
                ))
            })
    }

    /// The attribute values of `addr`.
    pub fn values(&self, addr: &str) -> TfResult<&Value> {
        self.resource(addr)?
            .get("values")
            .ok_or_else(|| Failure(format!("resource {addr} has no values")))
    }

    /// The value at `path` in `addr`'s attributes (a JSON null when the attribute is null).
    pub fn attr(&self, addr: &str, path: &str) -> TfResult<&Value> {
        let values = self.values(addr)?;
        walk(values, path)
            .ok_or_else(|| Failure(format!("{addr} has no attribute {path}; values: {values}")))
    }

    /// The value at `path` as a string (numbers and bools rendered; null is an error).
    pub fn attr_str(&self, addr: &str, path: &str) -> TfResult<String> {
        match self.attr(addr, path)? {
            Value::Null => Err(Failure(format!("{addr}.{path} is null"))),
            v => Ok(scalar_string(v)),
        }
    }

    /// Flattened attributes of `addr` (see [`flatten`]).
    pub fn flat(&self, addr: &str) -> TfResult<BTreeMap<String, String>> {
        Ok(flatten(self.values(addr)?))
    }

    /// The value of output `name`.
    pub fn output(&self, name: &str) -> TfResult<&Value> {
        walk(&self.json, &format!("values.outputs.{name}.value"))
            .ok_or_else(|| Failure(format!("no output {name} in state")))
    }

    /// Checks that `addr.path` equals `expected` (compared as strings for scalars).
    pub fn expect_attr(&self, addr: &str, path: &str, expected: &str) -> TfResult<()> {
        let got = self.attr_str(addr, path)?;
        if got == expected {
            Ok(())
        } else {
            Err(Failure(format!(
                "{addr}.{path}: expected {expected:?}, got {got:?}"
            )))
        }
    }
}

fn collect_resources<'a>(module: &'a Value, out: &mut Vec<&'a Value>) {
    if let Some(Value::Array(rs)) = module.get("resources") {
        out.extend(rs.iter());
    }
    if let Some(Value::Array(children)) = module.get("child_modules") {
        for c in children {
            collect_resources(c, out);
        }
    }
}

/// `terraform show -json` of a saved plan.
#[derive(Clone, Debug)]
pub struct Plan {
    pub json: Value,
}

impl Plan {
    pub fn new(json: Value) -> Self {
        Plan { json }
    }

    /// `resource_changes[]`.
    pub fn resource_changes(&self) -> &[Value] {
        match self.json.get("resource_changes") {
            Some(Value::Array(a)) => a,
            _ => &[],
        }
    }

    /// The `change` object of `addr`.
    pub fn change(&self, addr: &str) -> TfResult<&Value> {
        self.resource_changes()
            .iter()
            .find(|rc| rc.get("address").and_then(Value::as_str) == Some(addr))
            .and_then(|rc| rc.get("change"))
            .ok_or_else(|| {
                Failure(format!(
                    "no change for {addr} in plan; plan has: {}",
                    self.summary()
                ))
            })
    }

    /// The actions planned for `addr`, e.g. `["update"]` or `["delete", "create"]`.
    pub fn actions(&self, addr: &str) -> TfResult<Vec<String>> {
        Ok(actions_of(self.change(addr)?))
    }

    /// Empty as terraform-plugin-testing means it: every resource change and every output change
    /// is a no-op.
    pub fn is_empty(&self) -> bool {
        let resources_noop = self.resource_changes().iter().all(|rc| {
            rc.get("change")
                .map(actions_of)
                .unwrap_or_default()
                .iter()
                .all(|a| a == "no-op")
        });
        let outputs_noop = match self.json.get("output_changes") {
            Some(Value::Object(m)) => m
                .values()
                .all(|c| actions_of(c).iter().all(|a| a == "no-op")),
            _ => true,
        };
        resources_noop && outputs_noop
    }

    /// Top-level attribute names of `addr` whose planned value differs from the prior one or is
    /// unknown after apply. For a create, every attribute that will be set or computed.
    pub fn changed_attributes(&self, addr: &str) -> TfResult<BTreeSet<String>> {
        Ok(changed_of(self.change(addr)?))
    }

    /// The planned value at `path` of `addr` (`change.after`; null when unknown).
    pub fn after(&self, addr: &str, path: &str) -> TfResult<&Value> {
        let after = self
            .change(addr)?
            .get("after")
            .ok_or_else(|| Failure(format!("{addr} has no planned value")))?;
        walk(after, path)
            .ok_or_else(|| Failure(format!("{addr} plans no attribute {path}: {after}")))
    }

    /// True when `path` of `addr` is unknown until apply.
    pub fn is_unknown(&self, addr: &str, path: &str) -> TfResult<bool> {
        let change = self.change(addr)?;
        Ok(change
            .get("after_unknown")
            .and_then(|u| walk(u, path))
            .is_some_and(|v| v == &Value::Bool(true)))
    }

    /// Checks that `addr` plans exactly `expected` actions.
    pub fn expect_actions(&self, addr: &str, expected: &[&str]) -> TfResult<()> {
        let got = self.actions(addr)?;
        if got.iter().map(String::as_str).eq(expected.iter().copied()) {
            Ok(())
        } else {
            Err(Failure(format!(
                "{addr}: expected actions {expected:?}, got {got:?}; plan: {}",
                self.summary()
            )))
        }
    }

    /// Checks that `addr` is an in-place update whose changed attributes are exactly `names`.
    pub fn expect_update_of_only(&self, addr: &str, names: &[&str]) -> TfResult<()> {
        self.expect_actions(addr, &["update"])?;
        self.expect_changed_exactly(addr, names)
    }

    /// Checks that the changed attributes of `addr` are exactly `names`.
    pub fn expect_changed_exactly(&self, addr: &str, names: &[&str]) -> TfResult<()> {
        let got = self.changed_attributes(addr)?;
        let want: BTreeSet<String> = names.iter().map(|s| (*s).to_owned()).collect();
        if got == want {
            Ok(())
        } else {
            Err(Failure(format!(
                "{addr}: expected changes to exactly {want:?}, got {got:?}"
            )))
        }
    }

    /// One line per change that is not a no-op: `addr: [actions] {changed attributes}`.
    pub fn summary(&self) -> String {
        let mut lines = Vec::new();
        for rc in self.resource_changes() {
            let addr = rc.get("address").and_then(Value::as_str).unwrap_or("?");
            let Some(change) = rc.get("change") else {
                continue;
            };
            let actions = actions_of(change);
            if actions.iter().all(|a| a == "no-op") {
                continue;
            }
            lines.push(format!("{addr}: {actions:?} {:?}", changed_of(change)));
        }
        if let Some(Value::Object(m)) = self.json.get("output_changes") {
            for (name, c) in m {
                let actions = actions_of(c);
                if !actions.iter().all(|a| a == "no-op") {
                    lines.push(format!("output.{name}: {actions:?}"));
                }
            }
        }
        if lines.is_empty() {
            "(no changes)".to_owned()
        } else {
            lines.join("; ")
        }
    }
}

fn actions_of(change: &Value) -> Vec<String> {
    match change.get("actions") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn changed_of(change: &Value) -> BTreeSet<String> {
    let empty = serde_json::Map::new();
    let obj = |k: &str| change.get(k).and_then(Value::as_object).unwrap_or(&empty);
    let (before, after, unknown) = (obj("before"), obj("after"), obj("after_unknown"));
    let mut names = BTreeSet::new();
    for k in before.keys().chain(after.keys()).chain(unknown.keys()) {
        let unknown_here = unknown.get(k).is_some_and(|u| match u {
            Value::Bool(b) => *b,
            // A partially unknown collection or object.
            Value::Array(a) => !a.is_empty(),
            Value::Object(m) => !m.is_empty(),
            _ => false,
        });
        let b = before.get(k).unwrap_or(&Value::Null);
        let a = after.get(k).unwrap_or(&Value::Null);
        if unknown_here || b != a {
            names.insert(k.clone());
        }
    }
    names
}
