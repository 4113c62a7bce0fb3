//! Shared pieces of the msgpack and JSON codecs: errors, the depth limit, dynamic type inference.

use super::path::{AttributePath, PathStep};
use super::types::Type;
use super::value::Value;
use std::fmt;

/// Deepest nesting either decoder accepts (values and types), far above any real schema.
pub const MAX_DEPTH: usize = 64;

/// A value could not be decoded against its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Where in the value (root if the bytes themselves are malformed).
    pub path: AttributePath,
    /// What is wrong.
    pub message: String,
}

/// A value could not be encoded with its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    /// Where in the value.
    pub path: AttributePath,
    /// What is wrong.
    pub message: String,
}

fn fmt_at(f: &mut fmt::Formatter<'_>, path: &AttributePath, msg: &str) -> fmt::Result {
    if path.is_root() {
        f.write_str(msg)
    } else {
        write!(f, "{path}: {msg}")
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_at(f, &self.path, &self.message)
    }
}
impl std::error::Error for DecodeError {}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_at(f, &self.path, &self.message)
    }
}
impl std::error::Error for EncodeError {}

/// Tracks the current path while walking a value, to build errors.
#[derive(Default)]
pub(crate) struct Walk {
    pub(crate) path: AttributePath,
}

impl Walk {
    pub(crate) fn depth(&self) -> usize {
        self.path.steps.len()
    }
    pub(crate) fn dec(&self, message: impl Into<String>) -> DecodeError {
        DecodeError {
            path: self.path.clone(),
            message: message.into(),
        }
    }
    pub(crate) fn enc(&self, message: impl Into<String>) -> EncodeError {
        EncodeError {
            path: self.path.clone(),
            message: message.into(),
        }
    }
    pub(crate) fn push(&mut self, step: PathStep) {
        self.path.steps.push(step);
    }
    pub(crate) fn pop(&mut self) {
        self.path.steps.pop();
    }
    /// Path step for a list/set/tuple element (sets use the index too: only for messages).
    pub(crate) fn idx(i: usize) -> PathStep {
        PathStep::ElementKeyInt(i64::try_from(i).unwrap_or(i64::MAX))
    }
}

/// The concrete type used to encode a value found in a `dynamic` slot.
///
/// `Null` and `Unknown` have no type of their own (encoded bare); an empty collection becomes a
/// collection of `dynamic`; a collection takes its first element's type.
pub fn infer_type(v: &Value) -> Type {
    infer_depth(v, 0)
}

fn infer_depth(v: &Value, depth: usize) -> Type {
    if depth > MAX_DEPTH {
        return Type::Dynamic;
    }
    let elem = |xs: &[Value]| {
        xs.first()
            .map_or(Type::Dynamic, |x| infer_depth(x, depth + 1))
    };
    match v {
        Value::Null | Value::Unknown => Type::Dynamic,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(xs) => Type::list(elem(xs)),
        Value::Set(xs) => Type::set(elem(xs)),
        Value::Tuple(xs) => Type::Tuple(xs.iter().map(|x| infer_depth(x, depth + 1)).collect()),
        Value::Map(m) => Type::map(
            m.values()
                .next()
                .map_or(Type::Dynamic, |x| infer_depth(x, depth + 1)),
        ),
        Value::Object(m) => Type::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), infer_depth(x, depth + 1)))
                .collect(),
        ),
    }
}
