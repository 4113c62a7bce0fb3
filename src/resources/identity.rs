//! The identities of the provider's resources (Terraform 1.12+): the account that holds the
//! object and, for objects of which an account has several, the object's DocuSign id.
//!
//! | Resource | Identity |
//! |---|---|
//! | `docusign_connect_configuration` | `account_id`, `connect_id` (state `id`) |
//! | `docusign_connect_hmac_key` | `account_id`, `key_id` (state `id`) |
//! | `docusign_connect_oauth_config` | `account_id` |
//!
//! `account_id` may be left out of `import { identity = { … } }`: the provider's account is
//! then used, as for an import id without an account. Importing by identity leads to the same
//! partial state as importing by id; the read that follows fills in the rest.

use super::null_object;
use super::shared::Shared;
use crate::framework::provider::{Ctx, ImportResponse};
use crate::framework::{Diagnostic, IdentityAttribute, IdentitySchema, Schema, Value};

/// The identity of an account's object: `account_id` and, when the account holds several,
/// `object_id` (the DocuSign id, e.g. `connect_id`) read from state `id`. `noun` names the
/// object in the descriptions.
pub fn schema(object_id: Option<&str>, noun: &str) -> IdentitySchema {
    let mut attributes = vec![
        IdentityAttribute::new("account_id", "account_id")
            .optional_for_import()
            .description(format!(
                "The account that holds the {noun}; the provider's account when omitted on import."
            )),
    ];
    if let Some(name) = object_id {
        attributes.push(
            IdentityAttribute::new(name, "id")
                .description(format!("The {noun}'s id, assigned by DocuSign.")),
        );
    }
    IdentitySchema::new(0, attributes)
}

/// Imports by identity (see [`schema`]): every attribute null but `id` and `account_id`.
/// `object_id` is the identity attribute holding the object's id, or `None` when the account is
/// the object (its id is then the account id).
pub async fn import(
    shared: &Shared,
    ctx: &Ctx,
    identity: &Value,
    object_id: Option<&str>,
    schema: &Schema,
) -> ImportResponse {
    let fail = |d: Diagnostic| ImportResponse {
        diagnostics: d.into(),
        ..Default::default()
    };
    let account = match shared
        .account_for(ctx, identity.attr_str("account_id"))
        .await
    {
        Ok(a) => a,
        Err(diagnostics) => {
            return ImportResponse {
                diagnostics,
                ..Default::default()
            };
        }
    };
    let id = match object_id {
        None => account.clone(),
        Some(name) => match identity.attr_str(name).map(str::trim) {
            Some(id) if !id.is_empty() => id.to_owned(),
            _ => {
                return fail(Diagnostic::error(
                    "Invalid import identity",
                    format!("The identity must set {name}."),
                ));
            }
        },
    };
    let mut state = null_object(schema);
    state.set_attr("id", Value::string(id));
    state.set_attr("account_id", Value::string(account));
    ImportResponse {
        state,
        ..Default::default()
    }
}
