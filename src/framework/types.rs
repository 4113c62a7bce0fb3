//! cty types and their JSON form.
//!
//! [`Type`] is the type of a [`Value`](super::Value) as Terraform sees it. It converts to and from
//! the cty type JSON used in schemas and dynamic values: `"string"`, `["set","string"]`,
//! `["object",{"a":"number"}]`, `["tuple",["bool"]]`, `"dynamic"`.

use std::collections::BTreeMap;
use std::fmt;

/// A cty type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// `bool`
    Bool,
    /// `number` (arbitrary precision)
    Number,
    /// `string`
    String,
    /// `dynamic`: any type, decided per value.
    Dynamic,
    /// `list(T)`
    List(Box<Type>),
    /// `set(T)`
    Set(Box<Type>),
    /// `map(T)` (string keys)
    Map(Box<Type>),
    /// `object({...})`
    Object(BTreeMap<String, Type>),
    /// `tuple([...])`
    Tuple(Vec<Type>),
}

/// A type JSON document that is not a valid cty type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cty type JSON: {0}")]
pub struct TypeJsonError(pub String);

const MAX_TYPE_DEPTH: usize = 64;

impl Type {
    /// `list(elem)`
    pub fn list(elem: Type) -> Self {
        Type::List(Box::new(elem))
    }
    /// `set(elem)`
    pub fn set(elem: Type) -> Self {
        Type::Set(Box::new(elem))
    }
    /// `map(elem)`
    pub fn map(elem: Type) -> Self {
        Type::Map(Box::new(elem))
    }
    /// `object({...})` from `(name, type)` pairs.
    pub fn object<I, S>(attrs: I) -> Self
    where
        I: IntoIterator<Item = (S, Type)>,
        S: Into<String>,
    {
        Type::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// True for `dynamic` or any type that contains `dynamic`.
    pub fn has_dynamic(&self) -> bool {
        match self {
            Type::Dynamic => true,
            Type::Bool | Type::Number | Type::String => false,
            Type::List(e) | Type::Set(e) | Type::Map(e) => e.has_dynamic(),
            Type::Object(a) => a.values().any(Type::has_dynamic),
            Type::Tuple(t) => t.iter().any(Type::has_dynamic),
        }
    }

    /// The cty JSON form as a `serde_json::Value`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Type::Bool => J::from("bool"),
            Type::Number => J::from("number"),
            Type::String => J::from("string"),
            Type::Dynamic => J::from("dynamic"),
            Type::List(e) => J::Array(vec![J::from("list"), e.to_json()]),
            Type::Set(e) => J::Array(vec![J::from("set"), e.to_json()]),
            Type::Map(e) => J::Array(vec![J::from("map"), e.to_json()]),
            Type::Object(attrs) => {
                let m: serde_json::Map<String, J> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                J::Array(vec![J::from("object"), J::Object(m)])
            }
            Type::Tuple(elems) => J::Array(vec![
                J::from("tuple"),
                J::Array(elems.iter().map(Type::to_json).collect()),
            ]),
        }
    }

    /// The cty JSON form as compact bytes (what `Schema.Attribute.type` carries).
    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    /// Parses cty type JSON bytes.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, TypeJsonError> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| TypeJsonError(e.to_string()))?;
        Self::from_json(&v)
    }

    /// Parses a cty type from a `serde_json::Value`.
    pub fn from_json(v: &serde_json::Value) -> Result<Type, TypeJsonError> {
        from_json_depth(v, 0)
    }
}

fn from_json_depth(v: &serde_json::Value, depth: usize) -> Result<Type, TypeJsonError> {
    use serde_json::Value as J;
    if depth > MAX_TYPE_DEPTH {
        return Err(TypeJsonError("type nested too deeply".into()));
    }
    match v {
        J::String(s) => match s.as_str() {
            "bool" => Ok(Type::Bool),
            "number" => Ok(Type::Number),
            "string" => Ok(Type::String),
            "dynamic" => Ok(Type::Dynamic),
            other => Err(TypeJsonError(format!("unknown primitive type {other:?}"))),
        },
        J::Array(items) => {
            let kind = items
                .first()
                .and_then(J::as_str)
                .ok_or_else(|| TypeJsonError("array type without kind string".into()))?;
            let arg = items
                .get(1)
                .ok_or_else(|| TypeJsonError(format!("{kind} type without argument")))?;
            let max_len = if kind == "object" { 3 } else { 2 };
            if items.len() > max_len {
                return Err(TypeJsonError(format!("too many elements in {kind} type")));
            }
            match kind {
                "list" => Ok(Type::list(from_json_depth(arg, depth + 1)?)),
                "set" => Ok(Type::set(from_json_depth(arg, depth + 1)?)),
                "map" => Ok(Type::map(from_json_depth(arg, depth + 1)?)),
                "object" => {
                    let obj = arg
                        .as_object()
                        .ok_or_else(|| TypeJsonError("object type needs an object".into()))?;
                    let mut attrs = BTreeMap::new();
                    for (k, t) in obj {
                        attrs.insert(k.clone(), from_json_depth(t, depth + 1)?);
                    }
                    // A third element lists optional attributes (type constraints only); ignored.
                    Ok(Type::Object(attrs))
                }
                "tuple" => {
                    let arr = arg
                        .as_array()
                        .ok_or_else(|| TypeJsonError("tuple type needs an array".into()))?;
                    let elems = arr
                        .iter()
                        .map(|t| from_json_depth(t, depth + 1))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(Type::Tuple(elems))
                }
                other => Err(TypeJsonError(format!("unknown type kind {other:?}"))),
            }
        }
        other => Err(TypeJsonError(format!("unexpected JSON {other}"))),
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Number => f.write_str("number"),
            Type::String => f.write_str("string"),
            Type::Dynamic => f.write_str("dynamic"),
            Type::List(e) => write!(f, "list({e})"),
            Type::Set(e) => write!(f, "set({e})"),
            Type::Map(e) => write!(f, "map({e})"),
            Type::Object(a) => {
                f.write_str("object({")?;
                for (i, (k, t)) in a.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}={t}")?;
                }
                f.write_str("})")
            }
            Type::Tuple(t) => {
                f.write_str("tuple([")?;
                for (i, e) in t.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{e}")?;
                }
                f.write_str("])")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_forms_match_cty() {
        assert_eq!(
            Type::set(Type::String).to_json_bytes(),
            br#"["set","string"]"#
        );
        let o = Type::object([("b", Type::list(Type::Number)), ("a", Type::Bool)]);
        assert_eq!(
            String::from_utf8(o.to_json_bytes()).unwrap(),
            r#"["object",{"a":"bool","b":["list","number"]}]"#
        );
        assert_eq!(
            Type::Tuple(vec![Type::String, Type::Dynamic]).to_json_bytes(),
            br#"["tuple",["string","dynamic"]]"#
        );
    }

    #[test]
    fn parses_and_rejects() {
        let t = Type::from_json_bytes(br#"["map",["object",{"x":"string"},["x"]]]"#).unwrap();
        assert_eq!(t, Type::map(Type::object([("x", Type::String)])));
        for bad in [
            &br#""strin""#[..],
            br#"["list"]"#,
            br#"["list","string","x"]"#,
            br#"["object",[]]"#,
            br#"["tuple",{}]"#,
            br#"[1,2]"#,
            br#"42"#,
            br#"not json"#,
        ] {
            assert!(
                Type::from_json_bytes(bad).is_err(),
                "{:?}",
                std::str::from_utf8(bad)
            );
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let mut s = String::from("\"string\"");
        for _ in 0..100 {
            s = format!("[\"list\",{s}]");
        }
        assert!(Type::from_json_bytes(s.as_bytes()).is_err());
    }
}
