//! Resource identity (Terraform 1.12+, protocol 5.9): a small object, separate from state, that
//! names the remote object a resource instance manages. Terraform keeps it in state next to the
//! object, imports by it (`import { identity = { … } }`), and `terraform query` writes import
//! blocks from it.
//!
//! Here an identity is declared, never computed by hand: each identity attribute names the
//! state attribute it is read from ([`IdentityAttribute::from_state`]). The server derives the
//! identity from every state it returns, so an identity always agrees with its schema and with
//! the state, and cannot drift from it. Terraform 1.0–1.11 never ask for identities and ignore
//! the fields carrying them.

use super::diag::Diagnostics;
use super::types::Type;
use super::value::Value;

/// One attribute of an identity.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityAttribute {
    /// Name in the identity object (and in `import { identity = { … } }`).
    pub name: String,
    /// Its type (identity attributes are primitives).
    pub ty: Type,
    /// The state attribute holding its value.
    pub state_attribute: String,
    /// Must be given when importing by identity.
    pub required_for_import: bool,
    /// May be given when importing by identity; the provider fills it in otherwise.
    pub optional_for_import: bool,
    /// Markdown description.
    pub description: String,
}

impl IdentityAttribute {
    /// A string attribute read from the state attribute of `state_attribute`, required for
    /// import.
    pub fn new(name: impl Into<String>, state_attribute: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ty: Type::String,
            state_attribute: state_attribute.into(),
            required_for_import: true,
            optional_for_import: false,
            description: String::new(),
        }
    }

    /// Optional when importing (the provider has a default for it).
    pub fn optional_for_import(mut self) -> Self {
        self.required_for_import = false;
        self.optional_for_import = true;
        self
    }

    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = d.into();
        self
    }
}

/// The identity schema of a resource type, versioned independently of its state schema.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentitySchema {
    /// Bumped when the identity's shape changes; drives UpgradeResourceIdentity. Terraform only
    /// calls that RPC when the stored version is lower than this one, so state written before
    /// identities existed (version 0, no identity) is never sent to it at version 0.
    pub version: i64,
    /// The attributes.
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    /// A version-`version` schema of `attributes`.
    pub fn new(version: i64, attributes: Vec<IdentityAttribute>) -> Self {
        Self {
            version,
            attributes,
        }
    }

    /// The object type identities are encoded with.
    pub fn implied_type(&self) -> Type {
        Type::object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone())),
        )
    }

    /// The identity of the object whose state is `state`: each attribute read from its state
    /// attribute. `None` when the state is null or any of those values is null or unknown
    /// (an object not yet created, or a partial import state).
    pub fn from_state(&self, state: &Value) -> Option<Value> {
        if state.is_null() {
            return None;
        }
        let mut out = std::collections::BTreeMap::new();
        for a in &self.attributes {
            let v = state.get_attr(&a.state_attribute)?;
            if v.is_null() || !v.is_wholly_known() {
                return None;
            }
            out.insert(a.name.clone(), v.clone());
        }
        Some(Value::Object(out))
    }

    /// Problems with the schema itself (a bug in the provider): no attributes, duplicate names,
    /// or a state attribute `state_type` does not have.
    pub fn validate(&self, state_type: &Type) -> Result<(), Vec<String>> {
        let mut errs = Vec::new();
        if self.attributes.is_empty() {
            errs.push("an identity needs at least one attribute".to_owned());
        }
        let Type::Object(state_attrs) = state_type else {
            return Err(vec!["the state type is not an object".to_owned()]);
        };
        let mut seen = std::collections::BTreeSet::new();
        for a in &self.attributes {
            if !seen.insert(a.name.as_str()) {
                errs.push(format!("identity attribute {:?} is declared twice", a.name));
            }
            match state_attrs.get(&a.state_attribute) {
                None => errs.push(format!(
                    "identity attribute {:?} reads state attribute {:?}, which the schema \
                     does not have",
                    a.name, a.state_attribute
                )),
                Some(t) if *t != a.ty => errs.push(format!(
                    "identity attribute {:?} has another type than state attribute {:?}",
                    a.name, a.state_attribute
                )),
                Some(_) => {}
            }
            if a.required_for_import == a.optional_for_import {
                errs.push(format!(
                    "identity attribute {:?} must be either required or optional for import",
                    a.name
                ));
            }
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }
}

/// The identity to answer with a state the provider returns (`state`), given the identity
/// Terraform holds for the object (`stored`, null when it holds none): the identity derived from
/// the state. An identity that differs from a stored one is an error (`operation` names the
/// RPC): an object's identity never changes, not on refresh, not on update, as
/// terraform-plugin-framework also refuses ("Unexpected Identity Change").
pub fn answer(
    schema: Option<&IdentitySchema>,
    state: &Value,
    stored: &Value,
    operation: &str,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let derived = schema?.from_state(state)?;
    if !stored.is_null() && *stored != derived {
        diags.error(
            "Unexpected Identity Change",
            format!(
                "During the {operation} operation, the provider derived an identity different \
                 from the one Terraform stored for this object. This is a bug in the provider. \
                 Stored identity: {}. New identity: {}.",
                describe(stored),
                describe(&derived)
            ),
        );
        return None;
    }
    Some(derived)
}

/// `name = "value"` pairs of an identity, for messages (identities hold ids, never secrets).
fn describe(v: &Value) -> String {
    match v.as_entries() {
        Some(m) => m
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k} = {}",
                    v.as_str().map_or("null".into(), |s| format!("{s:?}"))
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        None => "null".into(),
    }
}

/// UpgradeResourceIdentity: the stored identity JSON of version `version`, in the current
/// schema. Only the current version exists, so an older or newer one is refused.
pub fn upgrade(
    schema: &IdentitySchema,
    version: i64,
    raw_json: &[u8],
) -> Result<Value, Diagnostics> {
    let mut d = Diagnostics::new();
    if version != schema.version {
        let what = if version > schema.version {
            "It was written by a newer version of the provider; upgrade the provider."
        } else {
            "This provider has no such identity version."
        };
        d.error(
            "Unsupported identity version",
            format!(
                "The stored identity has version {version}, but this provider's identity is at \
                 version {}. {what}",
                schema.version
            ),
        );
        return Err(d);
    }
    match super::json::decode(raw_json, &schema.implied_type()) {
        Ok(v)
            if v.is_wholly_known()
                && schema
                    .attributes
                    .iter()
                    .all(|a| v.get_attr(&a.name).is_some_and(|x| !x.is_null())) =>
        {
            Ok(v)
        }
        Ok(_) => {
            d.error(
                "Invalid stored identity",
                "The stored identity is incomplete.",
            );
            Err(d)
        }
        Err(e) => {
            d.error(
                "Invalid stored identity",
                format!("The stored identity could not be read: {e}"),
            );
            Err(d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> IdentitySchema {
        IdentitySchema::new(
            0,
            vec![
                IdentityAttribute::new("account_id", "account_id").optional_for_import(),
                IdentityAttribute::new("connect_id", "id"),
            ],
        )
    }

    #[test]
    fn identity_is_read_from_the_named_state_attributes() {
        let state = Value::object([
            ("id", Value::string("42")),
            ("account_id", Value::string("acc")),
            ("name", Value::string("n")),
        ]);
        assert_eq!(
            schema().from_state(&state),
            Some(Value::object([
                ("account_id", Value::string("acc")),
                ("connect_id", Value::string("42")),
            ]))
        );
        let mut partial = state.clone();
        partial.set_attr("id", Value::Null);
        assert_eq!(schema().from_state(&partial), None);
        partial.set_attr("id", Value::Unknown);
        assert_eq!(schema().from_state(&partial), None);
        assert_eq!(schema().from_state(&Value::Null), None);
    }

    #[test]
    fn a_changed_identity_is_an_error_and_a_first_one_is_not() {
        let state = Value::object([
            ("id", Value::string("42")),
            ("account_id", Value::string("a")),
        ]);
        let mut d = Diagnostics::new();
        let first = answer(Some(&schema()), &state, &Value::Null, "read", &mut d);
        assert!(first.is_some() && !d.has_errors());
        let same = answer(
            Some(&schema()),
            &state,
            first.as_ref().unwrap(),
            "read",
            &mut d,
        );
        assert_eq!(same, first);
        assert!(!d.has_errors());
        let mut moved = state.clone();
        moved.set_attr("id", Value::string("43"));
        assert_eq!(
            answer(
                Some(&schema()),
                &moved,
                first.as_ref().unwrap(),
                "read",
                &mut d
            ),
            None
        );
        assert!(d.has_errors());
        assert_eq!(
            answer(None, &state, &Value::Null, "read", &mut Diagnostics::new()),
            None
        );
    }

    #[test]
    fn only_the_current_identity_version_upgrades() {
        let json = br#"{"account_id":"a","connect_id":"42"}"#;
        let v = upgrade(&schema(), 0, json).expect("current version");
        assert_eq!(v.attr_str("connect_id"), Some("42"));
        assert!(upgrade(&schema(), 1, json).is_err());
        assert!(upgrade(&schema(), 0, b"{}").is_err());
    }

    #[test]
    fn a_schema_naming_a_missing_state_attribute_is_refused() {
        let ty = Type::object([("id", Type::String), ("account_id", Type::String)]);
        assert!(schema().validate(&ty).is_ok());
        let mut bad = schema();
        bad.attributes[1].state_attribute = "connect_id".into();
        assert!(bad.validate(&ty).is_err());
        let mut twice = schema();
        twice.attributes[1].name = "account_id".into();
        assert!(twice.validate(&ty).is_err());
    }
}
