//! The identities of the provider's resources (Terraform 1.12+): the account that holds the
//! object and, for objects of which an account has several, the object's DocuSign id.
//!
//! | Resource | Identity |
//! |---|---|
//! | `docusign_connect_configuration` | `account_id`, `connect_id` (state `id`) |
//! | `docusign_connect_hmac_key` | `account_id`, `key_id` (state `id`) |
//! | `docusign_connect_oauth_config` | `account_id` |
//!
//! Only declarations: the framework server derives identities from state, refuses a change of
//! one, and imports by identity. `account_id` may be left out of `import { identity = { … } }`:
//! the provider's account is then used (`Provider::resolve_default`), as for an import id
//! without an account.

use crate::framework::{IdentityAttribute, IdentitySchema};

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

#[cfg(test)]
mod tests {
    /// Every identity reads state attributes its resource has, with their types (the server's
    /// schema check), and the provider's list resources each list a resource with an identity.
    #[test]
    fn identities_and_list_resources_agree_with_the_schemas() {
        let provider = super::super::DocusignProvider::new();
        let server = crate::framework::Server::new(std::sync::Arc::new(provider));
        let ids = server.identity_schemas();
        assert!(ids.diagnostics.is_empty(), "{:?}", ids.diagnostics);
        assert_eq!(
            ids.schemas.keys().collect::<Vec<_>>(),
            [
                "docusign_connect_configuration",
                "docusign_connect_hmac_key",
                "docusign_connect_oauth_config"
            ]
        );
    }
}
