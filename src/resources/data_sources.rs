//! Data sources:
//!
//! * `docusign_connect_configurations`: every configuration of an account, optionally filtered;
//! * `docusign_connect_configuration`: one configuration, by `id` or by `name`;
//! * `docusign_connect_oauth_config`: an account's OAuth for Connect settings, without the secret;
//! * `docusign_account`: the accounts the provider's credentials reach.
//!
//! The configuration attributes come from the resource's table, so the data sources always
//! expose exactly what the resource manages (secrets excepted).

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use super::api_diagnostic;
use super::connect_configuration::{mapping, table::FIELDS as CONFIG_FIELDS};
use super::connect_oauth_config::{FIELDS as OAUTH_FIELDS, is_configured};
use super::fields::{self, Field};
use super::shared::Shared;
use crate::client::ConnectConfiguration;
use crate::framework::provider::{Ctx, DataSource, ReadDataResponse};
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::{AttributePath, Diagnostics, Type, Value};

/// The attributes a data source exposes for one configuration (no secrets).
fn config_attributes() -> Vec<Attribute> {
    let mut out = vec![
        Attribute::new("id", Type::String)
            .computed()
            .description("The configuration's `connectId`."),
        Attribute::new("configuration_type", Type::String)
            .computed()
            .description("`custom` or `customrecipient`."),
    ];
    out.extend(
        CONFIG_FIELDS
            .iter()
            .filter(|f| !f.sensitive)
            .map(|f| computed(f.attribute())),
    );
    out.push(
        Attribute::new("event_data_version", Type::String)
            .computed()
            .description("`eventData.version`: `restv2.1` for JSON messages."),
    );
    out.push(
        Attribute::new("event_data_include_data", Type::set(Type::String))
            .computed()
            .description("`eventData.includeData`."),
    );
    out
}

fn computed(mut a: Attribute) -> Attribute {
    a.required = false;
    a.optional = false;
    a.computed = true;
    a
}

fn config_object_type() -> Type {
    Type::Object(
        config_attributes()
            .into_iter()
            .map(|a| (a.name, a.ty))
            .collect(),
    )
}

/// One configuration as a data-source object.
fn config_value(m: &ConnectConfiguration) -> BTreeMap<String, Value> {
    let full = mapping::state_from_model(m, &Value::Null, "");
    let mut out = BTreeMap::new();
    for a in config_attributes() {
        let v = match a.name.as_str() {
            "event_data_version" => m
                .event_data
                .as_ref()
                .and_then(|e| e.version.clone())
                .filter(|v| !v.is_empty())
                .map_or(Value::Null, Value::String),
            "event_data_include_data" => Value::Set(
                m.event_data
                    .as_ref()
                    .and_then(|e| e.include_data.clone())
                    .unwrap_or_default()
                    .into_iter()
                    .map(Value::String)
                    .collect(),
            ),
            name => full.get_attr(name).cloned().unwrap_or(Value::Null),
        };
        out.insert(a.name, v);
    }
    out
}

fn account_attribute(what: &str) -> Attribute {
    Attribute::new("account_id", Type::String)
        .optional()
        .computed()
        .description(format!(
            "The account to read {what} from; defaults to the provider's account."
        ))
}

/// The account a data source reads and its configurations, from the client's per-account list
/// cache: the same `GET /connect` that serves resource refreshes in this process.
async fn configurations(
    shared: &Shared,
    ctx: &Ctx,
    config: &Value,
) -> Result<(String, Arc<Vec<ConnectConfiguration>>), Diagnostics> {
    let client = shared.client(ctx)?;
    let acct = shared.account_of(ctx, config).await?;
    let list = client
        .cached_configurations(Some(&acct))
        .await
        .map_err(|e| Diagnostics::from(api_diagnostic("list Connect configurations", &e)))?;
    Ok((acct, list))
}

fn error(d: Diagnostics) -> ReadDataResponse {
    ReadDataResponse {
        state: Value::Null,
        diagnostics: d,
    }
}

/// `docusign_connect_configurations`.
pub struct ConnectConfigurations(pub Arc<Shared>);

#[async_trait]
impl DataSource for ConnectConfigurations {
    fn type_name(&self) -> &str {
        "docusign_connect_configurations"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new()
                .description("Every Connect configuration of an account, optionally filtered by name.")
                .attribute(Attribute::new("id", Type::String).computed().description("The account id."))
                .attribute(account_attribute("the configurations"))
                .attribute(
                    Attribute::new("name", Type::String)
                        .optional()
                        .description("Only configurations with exactly this name."),
                )
                .attribute(
                    Attribute::new("configurations", Type::list(config_object_type()))
                        .computed()
                        .description("The configurations, ordered by id. Each has the attributes of the `docusign_connect_configuration` data source."),
                ),
        )
    }

    async fn read(&self, ctx: &Ctx, config: &Value) -> ReadDataResponse {
        let (acct, list) = match configurations(&self.0, ctx, config).await {
            Ok(found) => found,
            Err(d) => return error(d),
        };
        let name = config.attr_str("name");
        let mut items: Vec<&ConnectConfiguration> = list
            .iter()
            .filter(|c| name.is_none_or(|n| c.name.as_deref() == Some(n)))
            .collect();
        items.sort_by_key(|c| {
            (
                c.connect_id.as_deref().unwrap_or("").len(),
                c.connect_id.clone(),
            )
        });
        let mut state = BTreeMap::new();
        state.insert("id".into(), Value::string(acct.clone()));
        state.insert("account_id".into(), Value::string(acct));
        state.insert("name".into(), Value::opt_string(name));
        state.insert(
            "configurations".into(),
            Value::List(
                items
                    .into_iter()
                    .map(|c| Value::Object(config_value(c)))
                    .collect(),
            ),
        );
        ReadDataResponse {
            state: Value::Object(state),
            diagnostics: Diagnostics::new(),
        }
    }
}

/// `docusign_connect_configuration`.
pub struct ConnectConfigurationData(pub Arc<Shared>);

#[async_trait]
impl DataSource for ConnectConfigurationData {
    fn type_name(&self) -> &str {
        "docusign_connect_configuration"
    }

    fn schema(&self) -> Schema {
        let mut block = Block::new()
            .description("One Connect configuration, found by `id` or by `name`. It is an error if the name matches several configurations (DocuSign allows duplicate names).")
            .attribute(account_attribute("the configuration"));
        for a in config_attributes() {
            block = block.attribute(match a.name.as_str() {
                "id" => Attribute::new("id", Type::String)
                    .optional()
                    .computed()
                    .description("The `connectId` to look up. Set `id` or `name`."),
                "name" => Attribute::new("name", Type::String)
                    .optional()
                    .computed()
                    .description("The name to look up. Set `id` or `name`."),
                _ => a,
            });
        }
        Schema::new(0, block)
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        let id = config.get_attr("id").unwrap_or(&Value::Null);
        let name = config.get_attr("name").unwrap_or(&Value::Null);
        if id.is_null() && name.is_null() {
            d.error_at(
                AttributePath::root().attr("id"),
                "Missing lookup key",
                "Set id or name.",
            );
        } else if !id.is_null() && !name.is_null() {
            d.error_at(
                AttributePath::root().attr("name"),
                "Conflicting lookup keys",
                "Set id or name, not both.",
            );
        }
        d
    }

    async fn read(&self, ctx: &Ctx, config: &Value) -> ReadDataResponse {
        let (acct, list) = match configurations(&self.0, ctx, config).await {
            Ok(found) => found,
            Err(d) => return error(d),
        };
        let (key, want) = match (config.attr_str("id"), config.attr_str("name")) {
            (Some(id), _) => ("id", id),
            (None, Some(n)) => ("name", n),
            (None, None) => {
                return error(Diagnostics::from(crate::framework::Diagnostic::error(
                    "Missing lookup key",
                    "Set id or name.",
                )));
            }
        };
        let found: Vec<&ConnectConfiguration> = list
            .iter()
            .filter(|c| match key {
                "id" => c.connect_id.as_deref() == Some(want),
                _ => c.name.as_deref() == Some(want),
            })
            .collect();
        let mut d = Diagnostics::new();
        match found.as_slice() {
            [one] => {
                let mut state = config_value(one);
                state.insert("account_id".into(), Value::string(acct));
                ReadDataResponse {
                    state: Value::Object(state),
                    diagnostics: d,
                }
            }
            [] => {
                d.error_at(
                    AttributePath::root().attr(key),
                    "Connect configuration not found",
                    format!("No Connect configuration with {key} {want:?} in account {acct}."),
                );
                error(d)
            }
            many => {
                let ids: Vec<&str> = many
                    .iter()
                    .filter_map(|c| c.connect_id.as_deref())
                    .collect();
                d.error_at(
                    AttributePath::root().attr("name"),
                    "Several Connect configurations have this name",
                    format!(
                        "{} configurations in account {acct} are named {want:?} (ids {}). DocuSign \
                         allows duplicate names; look the one you mean up by id.",
                        many.len(),
                        ids.join(", ")
                    ),
                );
                error(d)
            }
        }
    }
}

/// `docusign_connect_oauth_config`.
pub struct ConnectOAuthConfigData(pub Arc<Shared>);

fn oauth_fields() -> impl Iterator<Item = &'static Field<crate::client::ConnectOAuthConfig>> {
    OAUTH_FIELDS.iter().filter(|f| !f.sensitive)
}

#[async_trait]
impl DataSource for ConnectOAuthConfigData {
    fn type_name(&self) -> &str {
        "docusign_connect_oauth_config"
    }

    fn schema(&self) -> Schema {
        let mut block = Block::new()
            .description("An account's OAuth for Connect settings, without the client secret (DocuSign never returns it).")
            .attribute(Attribute::new("id", Type::String).computed().description("The account id."))
            .attribute(account_attribute("the settings"))
            .attribute(Attribute::new("configured", Type::Bool).computed().description("Whether the account has OAuth for Connect settings."));
        for f in oauth_fields() {
            block = block.attribute(computed(f.attribute()));
        }
        Schema::new(0, block)
    }

    async fn read(&self, ctx: &Ctx, config: &Value) -> ReadDataResponse {
        let client = match self.0.client(ctx) {
            Ok(c) => c,
            Err(d) => return error(d),
        };
        let acct = match self.0.account_of(ctx, config).await {
            Ok(a) => a,
            Err(d) => return error(d),
        };
        let found = match client.get_oauth_config(Some(&acct)).await {
            // DocuSign answers an empty object for an account without settings.
            Ok(f) if is_configured(&f) => Some(f),
            Ok(_) => None,
            Err(e) if e.is_not_found() => None,
            Err(e) => return error(api_diagnostic("read OAuth for Connect settings", &e).into()),
        };
        let mut state = BTreeMap::new();
        state.insert("id".into(), Value::string(acct.clone()));
        state.insert("account_id".into(), Value::string(acct));
        state.insert("configured".into(), Value::Bool(found.is_some()));
        let model = found.unwrap_or_default();
        let fields: Vec<&Field<_>> = oauth_fields().collect();
        for f in fields {
            let v = f.read.map_or(Value::Null, |r| {
                fields::normalize(f.kind, r(&model), &Value::Null)
            });
            state.insert(f.name.to_string(), v);
        }
        ReadDataResponse {
            state: Value::Object(state),
            diagnostics: Diagnostics::new(),
        }
    }
}

/// `docusign_account`.
pub struct Account(pub Arc<Shared>);

fn account_type() -> Type {
    Type::object([
        ("account_id", Type::String),
        ("account_name", Type::String),
        ("base_uri", Type::String),
        ("is_default", Type::Bool),
    ])
}

#[async_trait]
impl DataSource for Account {
    fn type_name(&self) -> &str {
        "docusign_account"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            0,
            Block::new()
                .description("The accounts the provider's credentials reach, from `/oauth/userinfo`: those of the user the provider acts as in the default account, or with `account_id`, in that account (the user `account_users` names for it). A partner module can use it to look up client accounts.")
                .attribute(Attribute::new("account_id", Type::String).optional().description("Read as the user the provider impersonates in this account (see the provider's `account_users`). Unset, the default account's user."))
                .attribute(Attribute::new("id", Type::String).computed().description("The user id (`sub`)."))
                .attribute(Attribute::new("user_id", Type::String).computed().description("The user id the credentials act as."))
                .attribute(Attribute::new("default_account_id", Type::String).computed().description("The user's default account."))
                .attribute(Attribute::new("accounts", Type::list(account_type())).computed().description("Every reachable account: `account_id`, `account_name`, `base_uri` and `is_default`.")),
        )
    }

    async fn read(&self, ctx: &Ctx, config: &Value) -> ReadDataResponse {
        let client = match self.0.client(ctx) {
            Ok(c) => c,
            Err(d) => return error(d),
        };
        let account = config.attr_str("account_id").filter(|a| !a.is_empty());
        let info = match client.userinfo_in(account).await {
            Ok(i) => i,
            Err(e) => return error(api_diagnostic("read the user's accounts", &e).into()),
        };
        let default = info
            .accounts
            .iter()
            .find(|a| a.is_default == Some(true))
            .map(|a| a.account_id.clone());
        let accounts = info
            .accounts
            .iter()
            .map(|a| {
                Value::object([
                    ("account_id", Value::string(a.account_id.clone())),
                    ("account_name", Value::opt_string(a.account_name.clone())),
                    ("base_uri", Value::opt_string(a.base_uri.clone())),
                    ("is_default", Value::Bool(a.is_default == Some(true))),
                ])
            })
            .collect();
        let sub = info.sub.clone().unwrap_or_default();
        ReadDataResponse {
            state: Value::object([
                (
                    "account_id",
                    config
                        .get_attr("account_id")
                        .cloned()
                        .unwrap_or(Value::Null),
                ),
                ("id", Value::string(sub.clone())),
                ("user_id", Value::string(sub)),
                ("default_account_id", Value::opt_string(default)),
                ("accounts", Value::List(accounts)),
            ]),
            diagnostics: Diagnostics::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::provider::DataSource;

    #[test]
    fn data_source_schemas_are_valid() {
        let shared = Arc::new(Shared::default());
        let all: Vec<Box<dyn DataSource>> = vec![
            Box::new(ConnectConfigurations(shared.clone())),
            Box::new(ConnectConfigurationData(shared.clone())),
            Box::new(ConnectOAuthConfigData(shared.clone())),
            Box::new(Account(shared)),
        ];
        for ds in all {
            assert_eq!(ds.schema().validate(), Ok(()), "{}", ds.type_name());
        }
    }

    #[test]
    fn no_secret_attribute_is_exposed() {
        let names: Vec<String> = config_attributes().into_iter().map(|a| a.name).collect();
        assert!(!names.iter().any(|n| n.contains("password")), "{names:?}");
        assert!(names.contains(&"url_to_publish_to".to_string()));
    }
}
