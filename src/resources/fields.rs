//! Declarative attribute tables.
//!
//! Each resource describes its plain attributes once, as a slice of [`Field`]s. That one
//! description drives:
//!
//! * the Terraform schema ([`Field::attribute`]), including the markdown description that the
//!   docs generator prints and the DocuSign field name it maps to;
//! * the API mapping in both directions ([`write_model`] from a planned value into the client's
//!   typed model, [`read_model`] from the model back into state);
//! * the normalisation of DocuSign's `""`, `[]` and absent fields into one form each, so they never
//!   show as a diff ([`normalize`]).
//!
//! The table never sees JSON: it reads and writes the typed fields of the client's model through
//! the [`WireField`] conversions, so "only the client knows DocuSign JSON" holds.

use std::collections::BTreeMap;

use crate::client::Secret;
use crate::framework::schema::Attribute;
use crate::framework::{Type, Value};

/// The Terraform type of a plain field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bool,
    String,
    StringSet,
    StringMap,
}

impl Kind {
    /// Whether two kinds are the same (usable in const evaluation).
    pub const fn same(self, other: Kind) -> bool {
        self as u8 == other as u8
    }

    /// The cty type of this kind.
    pub fn ty(self) -> Type {
        match self {
            Kind::Bool => Type::Bool,
            Kind::String => Type::String,
            Kind::StringSet => Type::set(Type::String),
            Kind::StringMap => Type::map(Type::String),
        }
    }
}

/// Whether the user must, may, or cannot set a field, and whether DocuSign fills it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Required,
    /// The user's value, or nothing.
    Optional,
    /// The user's value, or DocuSign's default (kept on update while the user leaves it unset).
    OptionalComputed,
    /// Only DocuSign sets it (kept on update).
    Computed,
}

/// A field's value in neutral form, between a Terraform value and the client's typed model.
///
/// Deliberately not `Debug`: it may carry a secret.
#[derive(Clone, PartialEq)]
pub enum Wire {
    Absent,
    Bool(bool),
    Str(String),
    List(Vec<String>),
    Map(BTreeMap<String, String>),
}

/// Conversion between a typed model field and [`Wire`]; `KIND` is the Terraform kind the
/// field's Rust type maps to.
pub trait WireField {
    const KIND: Kind;
    fn to_wire(&self) -> Wire;
    fn from_wire(w: Wire) -> Self;
}

/// `declared`, checked against the kind of the model field `_field` points at. Evaluated in
/// the table's `static` initialiser, so a row whose kind does not match its model field's type
/// does not compile.
pub const fn checked_kind<M, T: WireField>(declared: Kind, _field: fn(&M) -> &T) -> Kind {
    assert!(
        declared.same(T::KIND),
        "a field table row's kind does not match its model field's type"
    );
    declared
}

impl WireField for Option<bool> {
    const KIND: Kind = Kind::Bool;
    fn to_wire(&self) -> Wire {
        self.map_or(Wire::Absent, Wire::Bool)
    }
    fn from_wire(w: Wire) -> Self {
        match w {
            Wire::Bool(b) => Some(b),
            _ => None,
        }
    }
}

impl WireField for Option<String> {
    const KIND: Kind = Kind::String;
    fn to_wire(&self) -> Wire {
        self.clone().map_or(Wire::Absent, Wire::Str)
    }
    fn from_wire(w: Wire) -> Self {
        match w {
            Wire::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl WireField for Option<Secret> {
    const KIND: Kind = Kind::String;
    fn to_wire(&self) -> Wire {
        self.as_ref()
            .map_or(Wire::Absent, |s| Wire::Str(s.expose().to_string()))
    }
    fn from_wire(w: Wire) -> Self {
        match w {
            Wire::Str(s) => Some(Secret::new(s)),
            _ => None,
        }
    }
}

impl WireField for Option<Vec<String>> {
    const KIND: Kind = Kind::StringSet;
    fn to_wire(&self) -> Wire {
        self.clone().map_or(Wire::Absent, Wire::List)
    }
    fn from_wire(w: Wire) -> Self {
        match w {
            Wire::List(v) => Some(v),
            _ => None,
        }
    }
}

impl WireField for Option<BTreeMap<String, String>> {
    const KIND: Kind = Kind::StringMap;
    fn to_wire(&self) -> Wire {
        self.clone().map_or(Wire::Absent, Wire::Map)
    }
    fn from_wire(w: Wire) -> Self {
        match w {
            Wire::Map(m) => Some(m),
            _ => None,
        }
    }
}

/// One plain attribute of a resource, mapped 1:1 onto a field of the client model `M`.
pub struct Field<M: 'static> {
    /// Terraform attribute name (snake_case of the DocuSign name).
    pub name: &'static str,
    /// DocuSign's JSON field name, for the docs only.
    pub wire_name: &'static str,
    pub kind: Kind,
    pub presence: Presence,
    pub sensitive: bool,
    /// Markdown description, without the DocuSign field note (added by [`Field::attribute`]).
    pub description: &'static str,
    /// Reads the field from the model; `None` when DocuSign never returns it (secrets), in
    /// which case state keeps what was last applied.
    pub read: Option<fn(&M) -> Wire>,
    /// Writes the field into the model.
    pub write: fn(&mut M, Wire),
}

impl<M> Field<M> {
    /// Marks the field sensitive and never returned by DocuSign.
    pub const fn secret(mut self) -> Self {
        self.sensitive = true;
        self.read = None;
        self
    }

    /// The schema attribute for this field.
    pub fn attribute(&self) -> Attribute {
        let mut description = self.description.to_string();
        if !self.wire_name.is_empty() {
            description.push_str(&format!(" DocuSign field: `{}`.", self.wire_name));
        }
        let a = Attribute::new(self.name, self.kind.ty()).description(description);
        // What DocuSign decides stays as it is until the user sets it.
        let a = match self.presence {
            Presence::Required => a.required(),
            Presence::Optional => a.optional(),
            Presence::OptionalComputed => a.optional().computed().use_state_for_unknown(),
            Presence::Computed => a.computed().use_state_for_unknown(),
        };
        if self.sensitive { a.sensitive() } else { a }
    }
}

/// Declares a [`Field`] over model type `$m`, mapped onto its field `$field`. The row's kind
/// must be the one of the field's type ([`WireField::KIND`]), or the table does not compile.
#[macro_export]
#[doc(hidden)]
macro_rules! wire_field {
    ($m:ty, $name:literal, $wire:literal, $field:ident, $kind:ident, $presence:ident, $desc:expr) => {
        $crate::resources::fields::Field::<$m> {
            name: $name,
            wire_name: $wire,
            kind: $crate::resources::fields::checked_kind(
                $crate::resources::fields::Kind::$kind,
                |m: &$m| &m.$field,
            ),
            presence: $crate::resources::fields::Presence::$presence,
            sensitive: false,
            description: $desc,
            read: Some(|m: &$m| $crate::resources::fields::WireField::to_wire(&m.$field)),
            write: |m: &mut $m, w| m.$field = $crate::resources::fields::WireField::from_wire(w),
        }
    };
}

/// Converts a Terraform value of a field into [`Wire`]; null and unknown are absent.
pub fn value_to_wire(kind: Kind, v: &Value) -> Wire {
    match (kind, v) {
        (Kind::Bool, Value::Bool(b)) => Wire::Bool(*b),
        (Kind::String, Value::String(s)) => Wire::Str(s.clone()),
        (Kind::StringSet, Value::Set(items) | Value::List(items)) => {
            let mut out: Vec<String> = items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect();
            out.sort();
            Wire::List(out)
        }
        (Kind::StringMap, Value::Map(m)) => Wire::Map(
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect(),
        ),
        _ => Wire::Absent,
    }
}

/// Maps what DocuSign returned for a field into state, preferring the form the prior state
/// (or plan) already uses when the two only differ in DocuSign's notion of "empty".
///
/// * `""` and absent strings are null, unless the prior value is `""`;
/// * `[]` and absent sets are null, unless the prior value is an empty set;
/// * absent booleans are null.
pub fn normalize(kind: Kind, wire: Wire, prior: &Value) -> Value {
    match (kind, wire) {
        (Kind::Bool, Wire::Bool(b)) => Value::Bool(b),
        (Kind::String, Wire::Str(s)) if !s.is_empty() => Value::String(s),
        (Kind::String, Wire::Str(_) | Wire::Absent) => match prior {
            Value::String(p) if p.is_empty() => Value::String(String::new()),
            _ => Value::Null,
        },
        (Kind::StringSet, Wire::List(mut items)) if !items.is_empty() => {
            items.sort();
            items.dedup();
            Value::Set(items.into_iter().map(Value::String).collect())
        }
        (Kind::StringSet, Wire::List(_) | Wire::Absent) => match prior {
            Value::Set(p) if p.is_empty() => Value::Set(Vec::new()),
            _ => Value::Null,
        },
        (Kind::StringMap, Wire::Map(m)) if !m.is_empty() => {
            Value::Map(m.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
        }
        (Kind::StringMap, Wire::Map(_) | Wire::Absent) => match prior {
            Value::Map(p) if p.is_empty() => Value::Map(BTreeMap::new()),
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

/// Writes every field of `fields` from the object value `obj` into `model`. Null and unknown
/// attributes are left as they are in `model` (so a model read from DocuSign keeps settings the
/// user does not manage).
pub fn write_model<M>(fields: &[Field<M>], obj: &Value, model: &mut M) {
    for f in fields {
        if matches!(f.presence, Presence::Computed) {
            continue;
        }
        let v = obj.get_attr(f.name).unwrap_or(&Value::Null);
        let w = value_to_wire(f.kind, v);
        if w != Wire::Absent {
            (f.write)(model, w);
        }
    }
}

/// Reads every field of `fields` from `model` into `out`, normalising against `prior` (the
/// prior state on refresh, the planned state on apply). Fields DocuSign never returns keep
/// the prior value.
pub fn read_model<M>(
    fields: &[Field<M>],
    model: &M,
    prior: &Value,
    out: &mut BTreeMap<String, Value>,
) {
    for f in fields {
        let p = prior.get_attr(f.name).unwrap_or(&Value::Null);
        let v = match f.read {
            Some(read) => normalize(f.kind, read(model), p),
            None if p.is_known() => p.clone(),
            None => Value::Null,
        };
        out.insert(f.name.to_string(), v);
    }
}

/// The JSON keys a row writes into an otherwise empty model, as the client serialises it; a
/// table is right when this is exactly the row's wire name (the last part of a dotted one).
#[cfg(test)]
pub fn serialised_keys<M: Default + serde::Serialize>(f: &Field<M>) -> Vec<String> {
    let sample = match f.kind {
        Kind::Bool => Wire::Bool(true),
        Kind::String => Wire::Str("x".into()),
        Kind::StringSet => Wire::List(vec!["x".into()]),
        Kind::StringMap => Wire::Map(BTreeMap::from([("k".into(), "v".into())])),
    };
    let mut m = M::default();
    (f.write)(&mut m, sample);
    match serde_json::to_value(&m) {
        Ok(serde_json::Value::Object(o)) => o.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Checks [`serialised_keys`] for every row of a table.
#[cfg(test)]
pub fn assert_wire_names<M: Default + serde::Serialize>(table: &[Field<M>]) {
    for f in table {
        let wire = f.wire_name.rsplit('.').next().unwrap_or(f.wire_name);
        assert_eq!(
            serialised_keys(f),
            [wire],
            "row {} names DocuSign field {:?}",
            f.name,
            f.wire_name
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::String(v.to_string())
    }

    #[test]
    fn empty_forms_follow_the_prior_form() {
        let cases: Vec<(Kind, Wire, Value, Value)> = vec![
            (
                Kind::String,
                Wire::Str(String::new()),
                Value::Null,
                Value::Null,
            ),
            (Kind::String, Wire::Absent, s(""), s("")),
            (Kind::String, Wire::Str(String::new()), s("x"), Value::Null),
            (Kind::String, Wire::Str("SIM".into()), Value::Null, s("SIM")),
            (
                Kind::StringSet,
                Wire::List(vec![]),
                Value::Null,
                Value::Null,
            ),
            (
                Kind::StringSet,
                Wire::Absent,
                Value::Set(vec![]),
                Value::Set(vec![]),
            ),
            (
                Kind::StringSet,
                Wire::List(vec!["b".into(), "a".into(), "a".into()]),
                Value::Null,
                Value::Set(vec![s("a"), s("b")]),
            ),
            (Kind::Bool, Wire::Absent, Value::Bool(true), Value::Null),
            (
                Kind::Bool,
                Wire::Bool(false),
                Value::Null,
                Value::Bool(false),
            ),
        ];
        for (kind, wire, prior, want) in cases {
            assert_eq!(
                normalize(kind, wire, &prior),
                want,
                "{kind:?} with prior {prior:?}"
            );
        }
    }

    #[test]
    fn unknown_and_null_values_are_absent_on_the_wire() {
        assert!(value_to_wire(Kind::Bool, &Value::Unknown) == Wire::Absent);
        assert!(value_to_wire(Kind::String, &Value::Null) == Wire::Absent);
        assert!(
            value_to_wire(Kind::StringSet, &Value::Set(vec![s("z"), s("a")]))
                == Wire::List(vec!["a".into(), "z".into()])
        );
    }
}
