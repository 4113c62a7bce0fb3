//! The dynamic value model: what Terraform sends and receives, with null and unknown.
//!
//! A [`Value`] carries no type of its own; the [`Type`](super::Type) comes from the schema when
//! decoding or encoding. `Unknown` means "known only after apply" and can only appear in config
//! and planned values. Sets compare without regard to order.
//!
//! ```
//! use terraform_provider_docusign::framework::{AttributePath, Value};
//! let v = Value::object([("name", Value::from("x")), ("id", Value::Unknown)]);
//! assert_eq!(v.get_attr("name").and_then(Value::as_str), Some("x"));
//! assert!(!v.is_wholly_known());
//! assert_eq!(v.get(&AttributePath::attr_path("name")), Some(&Value::from("x")));
//! ```

use super::number::Number;
use super::path::{AttributePath, PathStep};
use std::collections::BTreeMap;

/// A Terraform value.
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// Absent.
    #[default]
    Null,
    /// Known only after apply.
    Unknown,
    /// `bool`
    Bool(bool),
    /// `number`
    Number(Number),
    /// `string`
    String(String),
    /// `list(T)` or a LIST block.
    List(Vec<Value>),
    /// `set(T)` or a SET block (order is not significant).
    Set(Vec<Value>),
    /// `map(T)` or a MAP block.
    Map(BTreeMap<String, Value>),
    /// `object({...})`, a resource, or a SINGLE/GROUP block.
    Object(BTreeMap<String, Value>),
    /// `tuple([...])`
    Tuple(Vec<Value>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) | (Unknown, Unknown) => true,
            (Bool(a), Bool(b)) => a == b,
            (Number(a), Number(b)) => a == b,
            (String(a), String(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => a == b,
            (Set(a), Set(b)) => set_eq(a, b),
            (Map(a), Map(b)) | (Object(a), Object(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

/// Multiset equality (sets are small; quadratic is fine).
fn set_eq(a: &[Value], b: &[Value]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut used = vec![false; b.len()];
    'outer: for x in a {
        for (j, y) in b.iter().enumerate() {
            if !used[j] && x == y {
                used[j] = true;
                continue 'outer;
            }
        }
        return false;
    }
    true
}

impl Value {
    /// An object from `(name, value)` pairs.
    pub fn object<I, S>(attrs: I) -> Self
    where
        I: IntoIterator<Item = (S, Value)>,
        S: Into<String>,
    {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A map from `(key, value)` pairs.
    pub fn map<I, S>(entries: I) -> Self
    where
        I: IntoIterator<Item = (S, Value)>,
        S: Into<String>,
    {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A string value.
    pub fn string(s: impl Into<String>) -> Self {
        Value::String(s.into())
    }

    /// A number value.
    pub fn number(n: impl Into<Number>) -> Self {
        Value::Number(n.into())
    }

    /// A string, or null for `None`.
    pub fn opt_string(s: Option<impl Into<String>>) -> Self {
        s.map_or(Value::Null, |s| Value::String(s.into()))
    }

    /// True for `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True for `Unknown` (the value itself, not something inside it).
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// True unless the value itself is `Unknown` (parts may still be unknown).
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// True if neither the value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// The string, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, if this is a known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a known number.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as `i64`, if it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// Elements of a list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// Entries of a map or object.
    pub fn as_entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// An object attribute (`None` if this is not an object or has no such attribute).
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.get(name),
            _ => None,
        }
    }

    /// Mutable object attribute.
    pub fn get_attr_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) => m.get_mut(name),
            _ => None,
        }
    }

    /// Sets an object attribute; returns false (and does nothing) if this is not an object.
    pub fn set_attr(&mut self, name: impl Into<String>, v: Value) -> bool {
        match self {
            Value::Object(m) => {
                m.insert(name.into(), v);
                true
            }
            _ => false,
        }
    }

    /// The string attribute `name`, if known and a string.
    pub fn attr_str(&self, name: &str) -> Option<&str> {
        self.get_attr(name).and_then(Value::as_str)
    }

    /// The bool attribute `name`, if known and a bool.
    pub fn attr_bool(&self, name: &str) -> Option<bool> {
        self.get_attr(name).and_then(Value::as_bool)
    }

    /// One step down: object attribute or map key by name, list/tuple element by index.
    pub fn step(&self, step: &PathStep) -> Option<&Value> {
        match (self, step) {
            (Value::Object(m), PathStep::Attribute(n)) => m.get(n),
            (Value::Map(m), PathStep::ElementKeyString(k)) => m.get(k),
            (Value::List(v) | Value::Tuple(v), PathStep::ElementKeyInt(i)) => {
                usize::try_from(*i).ok().and_then(|i| v.get(i))
            }
            _ => None,
        }
    }

    fn step_mut(&mut self, step: &PathStep) -> Option<&mut Value> {
        match (self, step) {
            (Value::Object(m), PathStep::Attribute(n)) => m.get_mut(n),
            (Value::Map(m), PathStep::ElementKeyString(k)) => m.get_mut(k),
            (Value::List(v) | Value::Tuple(v), PathStep::ElementKeyInt(i)) => {
                usize::try_from(*i).ok().and_then(|i| v.get_mut(i))
            }
            _ => None,
        }
    }

    /// The value at `path`, if the path exists.
    pub fn get(&self, path: &AttributePath) -> Option<&Value> {
        path.steps.iter().try_fold(self, |v, s| v.step(s))
    }

    /// Mutable value at `path`, if the path exists.
    pub fn get_mut(&mut self, path: &AttributePath) -> Option<&mut Value> {
        path.steps.iter().try_fold(self, |v, s| v.step_mut(s))
    }

    /// Replaces the value at an existing `path` (for the root path, the whole value).
    /// Returns false if the path does not exist.
    pub fn set(&mut self, path: &AttributePath, v: Value) -> bool {
        match self.get_mut(path) {
            Some(slot) => {
                *slot = v;
                true
            }
            None => false,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Number(Number::from_i64(i))
    }
}
impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Self {
        o.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_compare_unordered_lists_ordered() {
        let a = Value::Set(vec![Value::from("a"), Value::from("b")]);
        let b = Value::Set(vec![Value::from("b"), Value::from("a")]);
        assert_eq!(a, b);
        assert_ne!(
            Value::List(vec![Value::from("a"), Value::from("b")]),
            Value::List(vec![Value::from("b"), Value::from("a")])
        );
        let dup = Value::Set(vec![Value::from("a"), Value::from("a")]);
        assert_ne!(dup, a);
        assert_ne!(Value::Map(BTreeMap::new()), Value::Object(BTreeMap::new()));
    }

    #[test]
    fn path_get_and_set() {
        let mut v = Value::object([
            (
                "l",
                Value::List(vec![Value::object([("x", Value::from(1))])]),
            ),
            ("m", Value::map([("k", Value::from(true))])),
        ]);
        let p = AttributePath::attr_path("l").index(0).attr("x");
        assert_eq!(v.get(&p), Some(&Value::from(1)));
        assert!(v.set(&p, Value::Unknown));
        assert!(!v.is_wholly_known());
        assert_eq!(
            v.get(&AttributePath::attr_path("m").key("k"))
                .and_then(Value::as_bool),
            Some(true)
        );
        assert!(v.get(&AttributePath::attr_path("l").index(-1)).is_none());
        assert!(v.get(&AttributePath::attr_path("l").index(5)).is_none());
        assert!(!v.set(&AttributePath::attr_path("nope"), Value::Null));
        assert!(v.set(&AttributePath::root(), Value::Null));
        assert!(v.is_null());
    }

    #[test]
    fn conversions() {
        assert_eq!(Value::from(Some("x")), Value::from("x"));
        assert_eq!(Value::from(None::<&str>), Value::Null);
        assert_eq!(Value::from(5).as_i64(), Some(5));
    }
}
