//! The DocuSign provider: its configuration block, resources and data sources.
//!
//! * [`provider_config`] is the provider block, environment fallbacks and credential checks;
//! * [`fields`] has declarative attribute tables (schema + API mapping + docs from one place);
//! * [`behaviours`] has the attribute behaviours resources share (`account_id`, write-only
//!   secrets, https URLs);
//! * [`connect_configuration`] is `docusign_connect_configuration`;
//! * [`connect_oauth_config`] is `docusign_connect_oauth_config`;
//! * [`connect_hmac_key`] is `docusign_connect_hmac_key`;
//! * [`data_sources`] holds the data sources;
//! * [`identity`] declares the resources' identities (Terraform 1.12+);
//! * [`list`] holds the list resources of `terraform query` (Terraform 1.14+);
//! * [`shared`] holds the configured client, shared by every resource.
//!
//! Resources see only framework values and the client's typed model; they never see JSON.

pub mod behaviours;
pub mod connect_configuration;
pub mod connect_hmac_key;
pub mod connect_oauth_config;
pub mod data_sources;
pub mod fields;
pub mod identity;
pub mod list;
pub mod provider_config;
pub mod shared;

use std::sync::Arc;

use async_trait::async_trait;

use crate::client::{self, Client};
use crate::framework::ListResource;
use crate::framework::provider::{Ctx, DataSource, Provider, Resource};
use crate::framework::{Diagnostic, Diagnostics, Schema, Value};
use shared::Shared;

/// The DocuSign provider.
pub struct DocusignProvider {
    shared: Arc<Shared>,
}

impl DocusignProvider {
    pub fn new() -> Self {
        DocusignProvider {
            shared: Arc::new(Shared::default()),
        }
    }
}

impl Default for DocusignProvider {
    fn default() -> Self {
        Self::new()
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[async_trait]
impl Provider for DocusignProvider {
    fn schema(&self) -> Schema {
        provider_config::schema()
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(connect_configuration::ConnectConfigurationResource::new(
                self.shared.clone(),
            )),
            Arc::new(connect_oauth_config::ConnectOAuthConfigResource::new(
                self.shared.clone(),
            )),
            Arc::new(connect_hmac_key::ConnectHmacKeyResource::new(
                self.shared.clone(),
            )),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        let s = &self.shared;
        vec![
            Arc::new(data_sources::ConnectConfigurations(s.clone())),
            Arc::new(data_sources::ConnectConfigurationData(s.clone())),
            Arc::new(data_sources::ConnectOAuthConfigData(s.clone())),
            Arc::new(data_sources::Account(s.clone())),
        ]
    }

    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        let s = &self.shared;
        vec![
            Arc::new(list::PerAccount::<list::Configurations>::new(s.clone())),
            Arc::new(list::PerAccount::<list::HmacKeys>::new(s.clone())),
            Arc::new(list::PerAccount::<list::OAuthSettings>::new(s.clone())),
        ]
    }

    /// `account_id` defaults to the provider's account, once configured.
    fn default_value(&self, attribute: &str) -> Option<Value> {
        match attribute {
            "account_id" => self.shared.configured_account().map(Value::string),
            _ => None,
        }
    }

    /// `account_id`: the provider's account, discovered if the configuration names none.
    async fn resolve_default(
        &self,
        ctx: &Ctx,
        attribute: &str,
    ) -> Result<Option<Value>, Diagnostics> {
        match attribute {
            "account_id" => Ok(Some(Value::string(
                self.shared.account_for(ctx, None).await?,
            ))),
            _ => Ok(self.default_value(attribute)),
        }
    }

    async fn validate_config(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        provider_config::Settings::resolve(config, &env_var).check()
    }

    async fn configure(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        let settings = provider_config::Settings::resolve(config, &env_var);
        let mut d = settings.check();
        if d.has_errors() {
            return d;
        }
        let cfg = match settings.client_config() {
            Ok(c) => c,
            Err(e) => {
                d.push(e);
                return d;
            }
        };
        match Client::new(cfg) {
            Ok(c) => self.shared.set(c, settings.account_id()),
            Err(e) => d.push(Diagnostic::error(
                "Invalid DocuSign provider configuration",
                e.to_string(),
            )),
        }
        d
    }
}

/// A diagnostic for a failed DocuSign call: what we tried, and what DocuSign said (the client's
/// error names the HTTP status, `errorCode` and message).
pub fn api_diagnostic(operation: &str, err: &client::Error) -> Diagnostic {
    Diagnostic::error(format!("Failed to {operation}"), err.to_string())
}

/// A null-valued object of a schema's type: every attribute present and null, as the protocol
/// requires.
pub fn null_object(schema: &Schema) -> Value {
    let mut obj = std::collections::BTreeMap::new();
    for a in &schema.block.attributes {
        obj.insert(a.name.clone(), Value::Null);
    }
    for b in &schema.block.block_types {
        obj.insert(b.type_name.clone(), Value::Null);
    }
    Value::Object(obj)
}

/// Import ids: `<id>` (provider's account) or `<accountId>:<id>`.
pub mod import_id {
    use super::null_object;
    use super::shared::Shared;
    use crate::framework::provider::{Ctx, ImportResponse};
    use crate::framework::{Diagnostic, Schema, Value};

    /// The imported state of an object known by an id within an account: every attribute null
    /// but `id` and `account_id` (the provider's account when the import id names none); the
    /// read that follows fills in the rest. `name` is the id's DocuSign name, for the error.
    pub async fn import(
        shared: &Shared,
        ctx: &Ctx,
        id: &str,
        name: &str,
        schema: &Schema,
    ) -> ImportResponse {
        let (account, object_id) = match parse_named(id, name) {
            Ok(parts) => parts,
            Err(d) => {
                return ImportResponse {
                    diagnostics: d.into(),
                    ..Default::default()
                };
            }
        };
        let account = match shared.account_for(ctx, account.as_deref()).await {
            Ok(a) => a,
            Err(diagnostics) => {
                return ImportResponse {
                    diagnostics,
                    ..Default::default()
                };
            }
        };
        let mut state = null_object(schema);
        state.set_attr("id", Value::string(object_id));
        state.set_attr("account_id", Value::string(account));
        ImportResponse {
            state,
            ..Default::default()
        }
    }

    /// Splits an import id, naming the object's own id (`connectId`, `keyId`) in the error.
    pub fn parse_named(id: &str, name: &str) -> Result<(Option<String>, String), Diagnostic> {
        let bad = || {
            Diagnostic::error(
                "Invalid import id",
                format!("Expected \"<{name}>\" or \"<accountId>:<{name}>\"; got {id:?}."),
            )
        };
        let parts: Vec<&str> = id.trim().split(':').collect();
        match parts.as_slice() {
            [c] if !c.is_empty() => Ok((None, c.to_string())),
            [a, c] if !a.is_empty() && !c.is_empty() => Ok((Some(a.to_string()), c.to_string())),
            _ => Err(bad()),
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn both_forms_parse_and_garbage_does_not() {
            let parse = |id| super::parse_named(id, "connectId");
            assert_eq!(parse("123"), Ok((None, "123".into())));
            assert_eq!(parse("acct:123"), Ok((Some("acct".into()), "123".into())));
            for bad in ["", ":", "a:", ":1", "a:b:c"] {
                let err = parse(bad).expect_err(bad);
                assert!(err.detail.contains("<accountId>:<connectId>"), "{err:?}");
            }
        }
    }
}
