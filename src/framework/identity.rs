//! Resource identity (Terraform 1.12+, protocol 5.9): a small object, separate from state, that
//! names the remote object a resource instance manages. Terraform keeps it in state next to the
//! object, imports by it (`import { identity = { … } }`), and `terraform query` writes import
//! blocks from it.
//!
//! Here an identity is declared, never computed by hand: each identity attribute names the
//! state attribute it is read from ([`IdentitySchema::from_state`]). A resource only declares
//! its identity ([`super::Resource::identity`]); the server ([`super::server`]) derives the
//! identity from every state it returns, refuses a change of it, imports by it and upgrades it,
//! so an identity always agrees with its schema and with the state. Terraform 1.0–1.11 and
//! OpenTofu never ask for identities and ignore the fields carrying them.

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
