//! List resources for `terraform query` (Terraform 1.14+): the Connect configurations, HMAC keys
//! and OAuth for Connect settings that already exist, so Terraform can write import blocks and
//! configuration for them (`terraform query -generate-config-out=…`).
//!
//! Every list takes the same `config` block: `account_id` (one account, the provider's when
//! unset) or `all_accounts = true` (every account the credentials reach, from
//! `/oauth/userinfo`). Configurations can also be filtered by `name` and
//! `url_to_publish_to` (exact matches). Each account costs one API call (`GET /connect`,
//! `GET /connect/secret` or `GET /connect/oauth`), through the client's rate limiter and
//! retries; listing stops as soon as Terraform has `limit` objects. An account that cannot be
//! read is a warning naming it when listing every account, and an error otherwise.

use std::marker::PhantomData;
use std::sync::Arc;

use async_trait::async_trait;

use super::shared::Shared;
use super::{
    api_diagnostic, connect_configuration, connect_hmac_key, connect_oauth_config, null_object,
};
use crate::client::{self, Client};
use crate::framework::list::{Found, ListRequest, ListResource, ListSink};
use crate::framework::provider::Ctx;
use crate::framework::schema::{Attribute, Block, Schema};
use crate::framework::{Diagnostic, Diagnostics, Type, Value};

/// The `config` block shared by every list, plus `extra` attributes.
fn config_schema(noun: &str, extra: Vec<Attribute>) -> Schema {
    let mut block = Block::new()
        .description(format!(
            "Finds existing {noun} for `terraform query`, in one account or in every account \
             the provider's credentials reach."
        ))
        .attribute(
            Attribute::new("account_id", Type::String)
                .optional()
                .description("The account to list; defaults to the provider's account."),
        )
        .attribute(
            Attribute::new("all_accounts", Type::Bool)
                .optional()
                .description(
                    "List every account the provider's credentials reach (one API call per \
                     account). Cannot be combined with `account_id`.",
                ),
        );
    for a in extra {
        block = block.attribute(a);
    }
    Schema::new(0, block)
}

/// `account_id` and `all_accounts` together are an error.
fn validate_accounts(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    let all = config.attr_bool("all_accounts") == Some(true);
    if all && config.attr_str("account_id").is_some() {
        d.push(
            Diagnostic::error(
                "Conflicting list arguments",
                "Set either account_id (one account) or all_accounts = true (every account), \
                 not both.",
            )
            .at(crate::framework::AttributePath::root().attr("all_accounts")),
        );
    }
    d
}

/// The accounts to list, with the client; an error when they cannot be told.
async fn accounts(
    shared: &Shared,
    ctx: &Ctx,
    config: &Value,
) -> Result<(Client, Vec<String>, bool), Diagnostics> {
    let client = shared.client(ctx)?;
    if config.attr_bool("all_accounts") == Some(true) {
        let accounts = client
            .accounts()
            .await
            .map_err(|e| api_diagnostic("list the accounts the credentials reach", &e))?;
        Ok((
            client,
            accounts.into_iter().map(|a| a.account_id).collect(),
            true,
        ))
    } else {
        let account = shared.account_of(ctx, config).await?;
        Ok((client, vec![account], false))
    }
}

/// Reports an account that could not be read: a warning when listing every account (the others
/// are still listed), an error (the end of the stream) otherwise. False when listing must stop.
async fn account_failed(sink: &ListSink, all: bool, what: &str, err: &client::Error) -> bool {
    let d = api_diagnostic(what, err);
    if all {
        let mut warning = Diagnostics::new();
        warning.warning(format!("{} (skipped)", d.summary), d.detail);
        sink.diagnostics(warning).await
    } else {
        sink.diagnostics(d.into()).await;
        false
    }
}

/// What differs between the lists: the resource, the extra filters and the one call that
/// finds an account's objects. [`PerAccount`] does the rest, once.
#[async_trait]
pub trait AccountObjects: Send + Sync + 'static {
    /// The managed resource type listed.
    const TYPE_NAME: &'static str;
    /// The objects, for descriptions, e.g. "Connect configurations".
    const NOUN: &'static str;
    /// Filters beside `account_id` and `all_accounts`.
    fn filters() -> Vec<Attribute> {
        Vec::new()
    }
    /// The objects of `account` that `config`'s filters let through, with one API call.
    async fn objects(
        client: &Client,
        account: &str,
        config: &Value,
    ) -> Result<Vec<Found>, client::Error>;
}

/// A list resource over the accounts of a `config` block (see the module docs).
pub struct PerAccount<O>(pub Arc<Shared>, PhantomData<O>);

impl<O> PerAccount<O> {
    pub fn new(shared: Arc<Shared>) -> Self {
        Self(shared, PhantomData)
    }
}

#[async_trait]
impl<O: AccountObjects> ListResource for PerAccount<O> {
    fn type_name(&self) -> &str {
        O::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        config_schema(O::NOUN, O::filters())
    }

    async fn validate(&self, _ctx: &Ctx, config: &Value) -> Diagnostics {
        validate_accounts(config)
    }

    async fn list(&self, ctx: &Ctx, req: ListRequest, sink: &ListSink) {
        let (client, accounts, all) = match accounts(&self.0, ctx, &req.config).await {
            Ok(a) => a,
            Err(d) => {
                sink.diagnostics(d).await;
                return;
            }
        };
        for account in accounts {
            let found = match O::objects(&client, &account, &req.config).await {
                Ok(found) => found,
                Err(e) => {
                    let what = format!("list the {} of account {account}", O::NOUN);
                    if account_failed(sink, all, &what, &e).await {
                        continue;
                    }
                    return;
                }
            };
            for f in found {
                if !sink.found(f).await {
                    return;
                }
            }
        }
    }
}

/// `docusign_connect_configuration`, filtered by exact `name` and `url_to_publish_to`.
pub struct Configurations;

#[async_trait]
impl AccountObjects for Configurations {
    const TYPE_NAME: &'static str = connect_configuration::TYPE_NAME;
    const NOUN: &'static str = "Connect configurations";

    fn filters() -> Vec<Attribute> {
        vec![
            Attribute::new("name", Type::String)
                .optional()
                .description("Only configurations with exactly this name."),
            Attribute::new("url_to_publish_to", Type::String)
                .optional()
                .description("Only configurations sending to exactly this URL."),
        ]
    }

    async fn objects(
        client: &Client,
        account: &str,
        config: &Value,
    ) -> Result<Vec<Found>, client::Error> {
        let name = config.attr_str("name");
        let url = config.attr_str("url_to_publish_to");
        let prior = null_object(&connect_configuration::schema::schema());
        let configs = client.list_configurations(Some(account)).await?;
        Ok(configs
            .into_iter()
            .filter(|c| {
                name.is_none_or(|n| c.name.as_deref() == Some(n))
                    && url.is_none_or(|u| c.url_to_publish_to.as_deref() == Some(u))
            })
            .map(|c| Found {
                display_name: format!(
                    "{} (account {account}, connectId {})",
                    c.name.as_deref().unwrap_or("unnamed"),
                    c.connect_id.as_deref().unwrap_or("?")
                ),
                state: connect_configuration::mapping::state_from_model(&c, &prior, account),
            })
            .collect())
    }
}

/// `docusign_connect_hmac_key`: ids and creation times; DocuSign never shows a secret again,
/// so `secret` is null.
pub struct HmacKeys;

#[async_trait]
impl AccountObjects for HmacKeys {
    const TYPE_NAME: &'static str = connect_hmac_key::TYPE_NAME;
    const NOUN: &'static str = "Connect HMAC keys";

    async fn objects(
        client: &Client,
        account: &str,
        _config: &Value,
    ) -> Result<Vec<Found>, client::Error> {
        let prior = null_object(&connect_hmac_key::schema());
        let keys = client.list_hmac_secrets(Some(account)).await?;
        Ok(keys
            .secrets
            .into_iter()
            .map(|key| Found {
                display_name: format!(
                    "HMAC key {} (account {account})",
                    key.key_id.as_deref().unwrap_or("?")
                ),
                state: connect_hmac_key::state(&key, &prior, account, None),
            })
            .collect())
    }
}

/// `docusign_connect_oauth_config`: the accounts that have OAuth for Connect settings.
pub struct OAuthSettings;

#[async_trait]
impl AccountObjects for OAuthSettings {
    const TYPE_NAME: &'static str = connect_oauth_config::TYPE_NAME;
    const NOUN: &'static str = "OAuth for Connect settings";

    async fn objects(
        client: &Client,
        account: &str,
        _config: &Value,
    ) -> Result<Vec<Found>, client::Error> {
        let settings = match client.get_oauth_config(Some(account)).await {
            Ok(m) => m,
            Err(e) if e.is_not_found() => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        if !connect_oauth_config::is_configured(&settings) {
            return Ok(Vec::new());
        }
        let prior = null_object(&connect_oauth_config::schema());
        Ok(vec![Found {
            display_name: format!("OAuth for Connect of account {account}"),
            state: connect_oauth_config::state(&settings, &prior, account),
        }])
    }
}
